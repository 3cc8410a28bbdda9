"""Citizen violation reports: categories, reports, their photos, history and "me too"s.

A report lies in the ward that contains its point (`ward`, a fact of geography) and is
handled by a responsible unit (`unit`: that ward, or the district when the category names a
district department, then with `department`). Officials' scope follows `unit` and
`department` through `urbanmgmt.policy`; a hand-on changes them and leaves `ward` alone.
The reporter's name and contact are personal data: they never leave through the public
pages, the API, the published layer or Open311.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Transform
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

WEB_MERCATOR = 3857
# No 0/O, 1/I/L: a code read aloud over the phone or copied from a screen stays unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code() -> str:
    """Eight random characters as XXXX-XXXX (31⁸ ≈ 8.5 × 10¹¹ codes: not guessable)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


class CategoryGroup(models.TextChoices):
    URBAN_ORDER = "urban_order", _("Urban order")
    ENVIRONMENT = "environment", _("Environment and sanitation")


class ResponsibleLevel(models.TextChoices):
    WARD = "ward", _("Ward")
    DISTRICT_DEPARTMENT = "district_department", _("District department")


class Category(models.Model):
    """A kind of violation, kept as data; its code is the Open311 service code."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=20, choices=CategoryGroup.choices)
    responsible_level = models.CharField(
        _("responsible level"), max_length=30, choices=ResponsibleLevel.choices
    )
    # The code of the district's department (urbanmgmt.Department.code) that handles it.
    department_code = models.CharField(_("department code"), max_length=20, blank=True)
    target_days = models.PositiveSmallIntegerField(_("target response time (working days)"))
    duplicate_radius_m = models.PositiveIntegerField(_("duplicate search radius (m)"), default=50)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["group", "position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(responsible_level="district_department") | ~Q(department_code=""),
                name="category_department_named",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the language being spoken (Vietnamese unless English is asked for)."""
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFIED = "verified", _("Verified")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged as duplicate")


OPEN_STATUSES = (Status.RECEIVED, Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS)
CLOSED_STATUSES = (Status.RESOLVED, Status.REJECTED, Status.MERGED)


def is_overdue(status: str, due_date: dt.date, today: dt.date) -> bool:
    """Still open past its target date: the rule for a Report and for a row read raw."""
    return status in OPEN_STATUSES and due_date < today


class Source(models.TextChoices):
    WEB = "web", _("Web site")
    APP = "app", _("Phone app (API)")
    OPEN311 = "open311", _("Open311 client")


class ReportQuerySet(models.QuerySet):
    def open(self) -> ReportQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def public(self) -> ReportQuerySet:
        """What the public map and API show: rejected reports (spam, mistakes) stay out."""
        return self.exclude(status=Status.REJECTED)

    def overdue(self, today=None) -> ReportQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def within(self, geom) -> ReportQuerySet:
        return self.filter(location__intersects=geom)


class Report(models.Model):
    """One citizen report of a violation at a point."""

    tracking_code = models.CharField(
        _("tracking code"), max_length=9, unique=True, default=new_tracking_code, editable=False
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="reports", verbose_name=_("category")
    )
    location = models.PointField(_("location"), srid=4326)
    geom_3857 = models.GeneratedField(
        expression=Transform("location", WEB_MERCATOR),
        output_field=models.PointField(srid=WEB_MERCATOR),
        db_persist=True,
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"), max_length=4000)
    ward = models.ForeignKey(
        "spatial.AdminUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ward"),
        db_index=False,  # the first column of report_ward_status
    )
    unit = models.ForeignKey(
        "spatial.AdminUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
        db_index=False,  # the first column of report_unit_queue
    )
    department = models.ForeignKey(
        "urbanmgmt.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible department"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned officer"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    confirmations = models.PositiveIntegerField(_("“me too” confirmations"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # Personal data: officials who handle the report see it, nobody else.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("reporter's account"),
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=100, unique=True, null=True, blank=True, editable=False
    )
    media_url = models.URLField(_("media link"), max_length=500, blank=True)
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("filed at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            GistIndex(fields=["geom_3857"], name="report_geom_3857_gist"),
            models.Index(fields=["status", "category", "-created_at"], name="report_queue"),
            models.Index(fields=["unit", "status", "-created_at"], name="report_unit_queue"),
            # The queue filtered by status and category within an official's units: the
            # bitmap it gives, ANDed with the bbox's, is a few hundred rows, not thousands.
            models.Index(fields=["status", "category", "unit"], name="report_status_category_unit"),
            models.Index(fields=["ward", "status"], name="report_ward_status"),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return is_overdue(self.status, self.due_date, today or timezone.localdate())


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Reporter's photo")
    AFTER = "after", _("After the work")


class Photo(models.Model):
    """A photo re-encoded as JPEG without any metadata, with its thumbnail."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    image = models.FileField(_("image"), upload_to="reports/photos/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="reports/thumbs/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.report} #{self.pk}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Filed")
    STATUS = "status", _("Status changed")
    HANDED_ON = "handed_on", _("Handed on")
    CONFIRMED = "confirmed", _("Confirmed by another person")


class AppendOnly(Exception):
    pass


class ReportEvent(models.Model):
    """One step of a report's history. Append-only (a database trigger refuses changes).

    `public_note` is shown on the tracking page; `reason` (a rejection's or a hand-on's) is
    kept for officials and also shown publicly for rejections, which owe the reporter one.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    public_note = models.TextField(_("public note"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        "urbanmgmt.Post", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_unit = models.ForeignKey(
        "spatial.AdminUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_unit = models.ForeignKey(
        "spatial.AdminUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnly("A report's history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("A report's history is append-only.")


class Confirmation(models.Model):
    """A "me too": another person confirms an open report instead of filing a duplicate.

    `device_key` is a keyed hash of the device (or account, or session): it keeps one person
    from counting twice without storing anything that identifies them.
    """

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="confirmed_by",
        db_index=False,  # the first column of confirmation_once
    )
    device_key = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("“me too” confirmation")
        verbose_name_plural = _("“me too” confirmations")
        constraints = [
            models.UniqueConstraint(fields=["report", "device_key"], name="confirmation_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} +1"
