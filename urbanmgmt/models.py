"""Accounts, posts and the audit log: who works for which unit, and what everyone changed.

People are Django's own users (login name: an email address or a phone number). A user with
no active post is a citizen. Posts tie a person to an administrative unit (and, where it
applies, a department of it) with a role; scope follows the unit tree, so a district post
covers every ward under it. `urbanmgmt.policy` is the one place that reads these rows to
decide who may see and do what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    DEPUTY_HEAD = "deputy_head", _("Deputy head of department")
    HEAD = "head", _("Head of department")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")


class Department(models.Model):
    """A department (phòng ban) of a unit, such as a district's urban-management office."""

    unit = models.ForeignKey(
        "spatial.AdminUnit",
        on_delete=models.PROTECT,
        related_name="departments",
        db_index=False,  # the first column of department_code_per_unit
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["unit__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="department_code_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit.name})"


class Post(models.Model):
    """A position a person holds in a unit; one person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="posts",
        db_index=False,  # the first column of post_once_per_person
    )
    unit = models.ForeignKey("spatial.AdminUnit", on_delete=models.PROTECT, related_name="posts")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["unit__code", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "department", "role"],
                name="post_once_per_person",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        where = self.department.name if self.department_id else self.unit.name
        return f"{self.get_role_display()} · {where}"


class AuditEntry(models.Model):
    """One change to a report, dossier, plan or layer: who, when, what, from which post.

    Append-only: the app never updates or deletes a row, and a database trigger refuses it
    for anyone who tries from outside (see migration 0002).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post"),
    )
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "spatial.AdminUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class CalendarDay(models.Model):
    """A day whose status differs from the usual rule: a swapped working Saturday, an extra
    day off decided for the year. It wins over weekends and the holidays package."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}"
