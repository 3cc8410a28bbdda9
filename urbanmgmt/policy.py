"""Who may see and do what: the one place that decides, for HTML views, the API and the admin.

Scope follows the administrative-unit tree: a post covers its unit and every unit under it.
A post's role says which actions it may take there; a post tied to a department covers only
the objects routed to that department, for the kinds of object that have one. Administrators
configure, and see and do everything inside their unit's subtree; a superuser everywhere.
Citizens and anonymous visitors see the public pages plus what they own.

Everything outside a person's scope is answered as if it did not exist (404, never 403), so
that probing codes tells nobody which ones are in use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from urbanmgmt.models import Post, Role

M = TypeVar("M", bound=models.Model)


class Action(models.TextChoices):
    VIEW = "view", _("view")
    HANDLE = "handle", _("handle")
    ASSIGN = "assign", _("assign")
    APPROVE = "approve", _("approve")
    CONFIGURE = "configure", _("configure")


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.OFFICER: frozenset({Action.VIEW, Action.HANDLE}),
    Role.DEPUTY_HEAD: frozenset({Action.VIEW, Action.HANDLE, Action.ASSIGN}),
    Role.HEAD: frozenset({Action.VIEW, Action.HANDLE, Action.ASSIGN}),
    Role.LEADER: frozenset({Action.VIEW, Action.ASSIGN, Action.APPROVE}),
    Role.ADMIN: frozenset(Action.values),
}


class _Any:
    """`department_id` left out: the kind of object has no departments."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()

_SUBTREE_SQL = """
    WITH RECURSIVE tree(root, id) AS (
        SELECT id, id FROM spatial_adminunit WHERE id = ANY(%s)
        UNION
        SELECT tree.root, u.id FROM spatial_adminunit u JOIN tree ON u.parent_id = tree.id
    )
    SELECT root, array_agg(id) FROM tree GROUP BY root"""


def posts(user: Any) -> list[Post]:
    """The person's active posts, read once per request (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_policy_posts", None)
    if cached is None:
        cached = list(
            Post.objects.filter(user_id=user.pk, active=True)
            .select_related("unit", "department")
            .order_by("id")
        )
        _load_subtrees(user, cached)
        user._policy_posts = cached
    return cached


def _load_subtrees(user: Any, user_posts: Iterable[Post]) -> None:
    roots = sorted({post.unit_id for post in user_posts})
    subtrees: dict[int, frozenset[int]] = {}
    if roots:
        with connection.cursor() as cursor:
            cursor.execute(_SUBTREE_SQL, [roots])
            subtrees = {root: frozenset(ids) for root, ids in cursor.fetchall()}
    user._policy_subtrees = subtrees


def _subtree(user: Any, post: Post) -> frozenset[int]:
    return user._policy_subtrees.get(post.unit_id, frozenset())


def is_superuser(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def is_official(user: Any) -> bool:
    return is_superuser(user) or bool(posts(user))


def _posts_for(user: Any, action: str) -> list[Post]:
    return [post for post in posts(user) if action in ROLE_ACTIONS.get(post.role, ())]


def unit_ids_in_scope(user: Any, action: str = Action.VIEW) -> frozenset[int]:
    """Every unit (subtree-expanded) where some post of the person may take `action`."""
    ids: set[int] = set()
    for post in _posts_for(user, action):
        ids |= _subtree(user, post)
    return frozenset(ids)


def _department_matches(post: Post, department_id: Any) -> bool:
    if department_id is ANY or post.department_id is None:
        return True
    return post.department_id == department_id


def _granting_posts(user: Any, action: str, unit_id: int | None, department_id: Any) -> list[Post]:
    return [
        post
        for post in _posts_for(user, action)
        if unit_id in _subtree(user, post) and _department_matches(post, department_id)
    ]


def can(user: Any, action: str, unit_id: int | None, department_id: Any = ANY) -> bool:
    """May the person take `action` on an object of unit `unit_id` (and department)?"""
    if is_superuser(user):
        return True
    return bool(_granting_posts(user, action, unit_id, department_id))


def acting_post(
    user: Any, unit_id: int | None, action: str = Action.HANDLE, department_id: Any = ANY
) -> Post | None:
    """The post under which the person acts on an object of that unit: the closest one
    (a ward post before the district post that also covers the ward), for the audit row."""
    granting = _granting_posts(user, action, unit_id, department_id)
    if not granting:
        return None
    return min(granting, key=lambda post: (len(_subtree(user, post)), post.department_id is None))


def can_see_personal_data(user: Any, unit_id: int | None, department_id: Any = ANY) -> bool:
    """Only posts that handle the case (or approve its outcome) see who is behind it."""
    return can(user, Action.HANDLE, unit_id, department_id) or can(
        user, Action.APPROVE, unit_id, department_id
    )


@dataclass(frozen=True)
class ScopeClause:
    """Objects of these units (and of this department, where one is named) are in scope."""

    unit_ids: tuple[int, ...]
    department_id: int | None = None


def scope_clauses(
    user: Any, action: str = Action.VIEW, *, departments: bool = False
) -> list[ScopeClause] | None:
    """The person's scope for `action` as data, for a query that cannot take a Q (raw SQL):
    None for everything (a superuser), otherwise clauses to OR, none at all for nothing.
    `scope()` builds its Q from the same clauses."""
    if is_superuser(user):
        return None
    return [
        ScopeClause(
            unit_ids=tuple(sorted(_subtree(user, post))),
            department_id=post.department_id if departments else None,
        )
        for post in _posts_for(user, action)
    ]


def scope(
    user: Any,
    queryset: QuerySet[M],
    *,
    unit_field: str = "ward",
    department_field: str | None = None,
    owner_field: str | None = None,
    action: str = Action.VIEW,
) -> QuerySet[M]:
    """The rows of `queryset` the person may take `action` on; every list goes through here."""
    clauses = scope_clauses(user, action, departments=department_field is not None)
    if clauses is None:
        return queryset
    condition = Q(pk__in=[])
    for scope_clause in clauses:
        clause = Q(**{f"{unit_field}__in": scope_clause.unit_ids})
        if scope_clause.department_id is not None:
            clause &= Q(**{department_field: scope_clause.department_id})
        condition |= clause
    if owner_field and action == Action.VIEW and user is not None and user.is_authenticated:
        condition |= Q(**{owner_field: user.pk})
    return queryset.filter(condition)


def get_in_scope_or_404(
    user: Any,
    queryset: QuerySet[M],
    *,
    unit_field: str = "ward",
    department_field: str | None = None,
    owner_field: str | None = None,
    action: str = Action.VIEW,
    **lookup: Any,
) -> M:
    """The object, if it exists and is in the person's scope; Http404 otherwise."""
    scoped = scope(
        user,
        queryset,
        unit_field=unit_field,
        department_field=department_field,
        owner_field=owner_field,
        action=action,
    )
    try:
        return scoped.get(**lookup)
    except (queryset.model.DoesNotExist, queryset.model.MultipleObjectsReturned) as exc:
        raise Http404(_("Nothing was found at this address.")) from exc


_ANCESTORS_SQL = """
    WITH RECURSIVE up(id, parent_id) AS (
        SELECT id, parent_id FROM spatial_adminunit WHERE id = %s
        UNION
        SELECT u.id, u.parent_id FROM spatial_adminunit u JOIN up ON u.id = up.parent_id
    )
    SELECT id FROM up"""


def people_who_may(
    action: str, unit_id: int, department_id: Any = ANY, *, include_admins: bool = False
) -> QuerySet:
    """The active people holding a post that may take `action` on an object of the unit
    (and department): whom a case can be assigned or handed over to. One query."""
    from django.contrib.auth import get_user_model

    roles = [
        role
        for role, actions in ROLE_ACTIONS.items()
        if action in actions and (include_admins or role != Role.ADMIN)
    ]
    granting = Post.objects.filter(
        active=True,
        role__in=roles,
        unit_id__in=RawSQL(_ANCESTORS_SQL, [unit_id]),  # noqa: S611 (constant SQL, bound id)
    )
    if department_id is not ANY:
        granting = granting.filter(Q(department__isnull=True) | Q(department_id=department_id))
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=granting.values("user_id"))
        .order_by("username")
    )
