"""People for tests: officials with a post on a unit, and citizens."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from gis.models import AdminUnit
from urbanmgmt.models import Department, Post, Role

_numbers = itertools.count(1)
PASSWORD = "a-Long-test-passphrase-7"


def make_department(
    unit: AdminUnit, code: str = "QLDT", name: str = "Phòng Quản lý đô thị"
) -> Department:
    department, _ = Department.objects.get_or_create(unit=unit, code=code, defaults={"name": name})
    return department


def make_official(
    unit: AdminUnit,
    role: str = Role.OFFICER,
    department: Department | None = None,
    username: str | None = None,
):
    """A person with one active post on `unit` (more posts: call add_post)."""
    user = get_user_model().objects.create_user(
        username=username or f"official{next(_numbers)}@example.vn", password=PASSWORD
    )
    add_post(user, unit, role, department)
    return user


def add_post(
    user, unit: AdminUnit, role: str = Role.OFFICER, department: Department | None = None
) -> Post:
    post = Post.objects.create(user=user, unit=unit, role=role, department=department)
    for cached in ("_policy_posts", "_policy_subtrees"):
        user.__dict__.pop(cached, None)
    if role == Role.ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return post


def make_citizen(username: str | None = None):
    return get_user_model().objects.create_user(
        username=username or f"09{next(_numbers):08d}", password=PASSWORD
    )
