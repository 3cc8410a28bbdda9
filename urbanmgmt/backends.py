from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from urbanmgmt.accounts import demo_accounts_enabled, is_demo_account, normalize_login


class LoginNameBackend(ModelBackend):
    """Signs in with an email address or a phone number typed any usual way.

    The demo district's accounts share a published password, so they are refused unless
    DEBUG is on: a server put on a network with DEBUG off cannot be entered with them.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        name = normalize_login(username or "") or (username or "")
        user = super().authenticate(request, username=name, password=password, **kwargs)
        if user is not None and is_demo_account(user) and not demo_accounts_enabled():
            return None
        return user


# What an administrator's post may change in the admin site: the data and configuration of
# the apps, not people's accounts and permissions (those stay with superusers).
_NOT_FOR_ADMIN_POSTS = ("auth.", "authtoken.", "axes.", "admin.", "sessions.", "contenttypes.")


def _has_admin_post(user: Any) -> bool:
    from urbanmgmt import policy
    from urbanmgmt.models import Role

    return any(post.role == Role.ADMIN for post in policy.posts(user))


class AdminPostBackend(ModelBackend):
    """Grants the admin site's model permissions to holders of an administrator post.

    Which rows they reach is decided by the policy (the admin classes filter through it);
    this backend only opens the door. It authenticates nobody.
    """

    def authenticate(self, *args: Any, **kwargs: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not user_obj.is_active or perm.startswith(_NOT_FOR_ADMIN_POSTS):
            return False
        return _has_admin_post(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if not user_obj.is_active or f"{app_label}." in _NOT_FOR_ADMIN_POSTS:
            return False
        return _has_admin_post(user_obj)
