"""Writes on reports: filing, "me too", and the officials' workflow.

The HTML pages, the phone API and Open311 all call these functions. Each is keyword-only,
writes inside one transaction with its history event and its audit row, and raises
ReportError with a message meant for the person (its `code` tells the view which HTTP status
to answer). Officials act through `urbanmgmt.policy`: a service refuses what the policy does
not allow even if a view forgot to ask.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gis.models import BASE_LEVELS, AdminUnit, UnitLevel
from gis.services import locate
from reports import limits
from reports.models import (
    OPEN_STATUSES,
    Category,
    Confirmation,
    EventKind,
    Photo,
    PhotoKind,
    Report,
    ReportEvent,
    ResponsibleLevel,
    Source,
    Status,
)
from reports.photos import CleanPhoto, PhotoError, clean_photo
from urbanmgmt import policy
from urbanmgmt.audit import record
from urbanmgmt.models import Department, Post

log = logging.getLogger(__name__)

MAX_PHOTOS = 5
MAX_DESCRIPTION = 4000
DUPLICATE_DAYS = 30
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_\-:.]{8,100}\Z")

Upload = bytes | IO[bytes]


class ReportError(Exception):
    """A request about a report that cannot be carried out; the message says why.

    `code` is one of: invalid, outside, conflict, rate_limited, forbidden, not_allowed.
    """

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


# --- routing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    ward: AdminUnit
    unit: AdminUnit
    department: Department | None


def route(*, category: Category, location: Point, on: dt.date) -> Route:
    """Where a report at `location` of `category` goes, with the unit tree valid on `on`.

    The ward that contains the point (on a boundary: the lower code, as `locate` decides);
    the district's department named by the category instead when the district has one,
    otherwise the ward itself (after the 2025 reform there is no district above it).
    """
    found = locate(location, on)
    if not found.covered:
        raise ReportError(
            _(
                "This place is outside every ward we serve. Move the pin inside the district, "
                "or report it to the authority of that place."
            ),
            code="outside",
            field="location",
        )
    ward = found.ward
    if (
        category.responsible_level == ResponsibleLevel.DISTRICT_DEPARTMENT
        and found.district is not None
    ):
        department = Department.objects.filter(
            unit=found.district, code=category.department_code
        ).first()
        if department is not None:
            return Route(ward=ward, unit=found.district, department=department)
    return Route(ward=ward, unit=ward, department=None)


def due_date(start: dt.date, working_days: int) -> dt.date:
    """The target date: `working_days` working days after `start` (Vietnamese holidays off)."""
    from urbanmgmt.workdays import add_working_days

    return add_working_days(start, working_days)


# --- filing --------------------------------------------------------------------------------


def _point(location: Point) -> Point:
    if location.srid not in (None, 4326):
        location = location.transform(4326, clone=True)
    x, y = location.x, location.y
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise ReportError(_("The location is not a valid point."), field="location")
    return Point(x, y, srid=4326)


def _clean_photos(photos: Sequence[Upload]) -> list[CleanPhoto]:
    if len(photos) > MAX_PHOTOS:
        raise ReportError(
            _("At most %(n)d photos can be attached.") % {"n": MAX_PHOTOS}, field="photos"
        )
    cleaned = []
    for photo in photos:
        try:
            cleaned.append(clean_photo(photo))
        except PhotoError as exc:
            raise ReportError(str(exc), field="photos") from exc
    return cleaned


def _store_photo(report: Report, photo: CleanPhoto, kind: str, written: list[str]) -> Photo:
    name = uuid.uuid4().hex
    stored = Photo(report=report, kind=kind, width=photo.width, height=photo.height)
    stored.image.save(f"{name}.jpg", ContentFile(photo.image), save=False)
    written.append(stored.image.name)
    stored.thumbnail.save(f"{name}.jpg", ContentFile(photo.thumbnail), save=False)
    written.append(stored.thumbnail.name)
    stored.save()
    return stored


def _delete_files(names: list[str]) -> None:
    """Files are not transactional: a rolled-back write must not leave its photos behind."""
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("Could not delete %s after a rollback", name)


def _reporter_identity(reporter: AbstractBaseUser | None, device_id: str) -> str:
    if reporter is not None and reporter.is_authenticated:
        return f"user:{reporter.pk}"
    return f"device:{device_id}" if device_id else ""


def submit_report(
    *,
    category: Category,
    location: Point,
    description: str,
    photos: Sequence[Upload] = (),
    reporter: AbstractBaseUser | None = None,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    address: str = "",
    media_url: str = "",
    idempotency_key: str | None = None,
    device_id: str = "",
    ip: str = "",
    source: str = Source.WEB,
    now: dt.datetime | None = None,
) -> Report:
    """File a report: route it by its location, store its cleaned photos, start its history.

    With an idempotency key, a retry of the same submission (a phone that timed out) gets
    the report the first attempt created, with `replayed` set, and counts against no limit;
    the same key with another category or description is refused. Floods are refused per
    device and per address (see reports.limits).
    """
    if reporter is not None and not reporter.is_authenticated:
        reporter = None
    description = (description or "").strip()
    if idempotency_key:
        if not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise ReportError(
                _("The idempotency key must be 8 to 100 letters, digits or - _ : ."),
                field="idempotency_key",
            )
        existing = _replay(idempotency_key, category=category, description=description)
        if existing is not None:
            return existing
    if not category.active:
        raise ReportError(_("This category is no longer in use."), field="category")
    if not description:
        raise ReportError(_("Describe what you saw."), field="description")
    if len(description) > MAX_DESCRIPTION:
        raise ReportError(
            _("The description may be at most %(n)d characters.") % {"n": MAX_DESCRIPTION},
            field="description",
        )
    location = _point(location)
    device = _reporter_identity(reporter, device_id)
    if not limits.allowed("submit", device=device, ip=ip):
        raise ReportError(
            _("Too many reports from this device or network. Please try again later."),
            code="rate_limited",
        )
    now = now or timezone.now()
    routed = route(category=category, location=location, on=timezone.localdate(now))
    # The slow part (decoding and re-encoding photos) runs before the transaction opens.
    cleaned = _clean_photos(photos)
    written: list[str] = []
    try:
        report = _create(
            category=category,
            location=location,
            description=description,
            photos=cleaned,
            routed=routed,
            reporter=reporter,
            reporter_name=reporter_name.strip()[:200],
            reporter_email=(reporter_email or "").strip()[:254],
            reporter_phone=(reporter_phone or "").strip()[:20],
            address=(address or "").strip()[:300],
            media_url=media_url or "",
            idempotency_key=idempotency_key or None,
            source=source,
            now=now,
            written=written,
        )
    except IntegrityError:
        _delete_files(written)
        # Two attempts with one key raced: the other one committed first.
        existing = _replay(idempotency_key or "", category=category, description=description)
        if existing is None:
            raise
        return existing
    except BaseException:
        _delete_files(written)
        raise
    limits.count("submit", device=device, ip=ip)
    report.replayed = False
    return report


def _replay(key: str, *, category: Category, description: str) -> Report | None:
    # Almost every key is new: probing for it costs a third of reading the report with
    # its category, which only a retry needs.
    if not Report.objects.filter(idempotency_key=key).exists():
        return None
    existing = Report.objects.filter(idempotency_key=key).select_related("category").first()
    if existing is None:
        return None
    if existing.category_id != category.pk or existing.description != description:
        raise ReportError(
            _("This idempotency key was already used for a different report."),
            code="conflict",
            field="idempotency_key",
        )
    existing.replayed = True
    return existing


@transaction.atomic
def _create(
    *,
    category: Category,
    location: Point,
    description: str,
    photos: list[CleanPhoto],
    routed: Route,
    reporter: AbstractBaseUser | None,
    reporter_name: str,
    reporter_email: str,
    reporter_phone: str,
    address: str,
    media_url: str,
    idempotency_key: str | None,
    source: str,
    now: dt.datetime,
    written: list[str],
) -> Report:
    report = Report(
        category=category,
        location=location,
        description=description,
        ward=routed.ward,
        unit=routed.unit,
        department=routed.department,
        reporter=reporter,
        reporter_name=reporter_name,
        reporter_email=reporter_email,
        reporter_phone=reporter_phone,
        address=address,
        media_url=media_url,
        idempotency_key=idempotency_key,
        source=source,
        due_date=due_date(timezone.localdate(now), category.target_days),
        created_at=now,
        updated_at=now,
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                report.save()
            break
        except IntegrityError:
            if idempotency_key and Report.objects.filter(idempotency_key=idempotency_key).exists():
                raise
            report.pk = None
            report.tracking_code = Report._meta.get_field("tracking_code").get_default()
    else:  # pragma: no cover - 5 collisions among 8.5e11 codes
        raise ReportError(_("Please try again."), code="conflict")
    for photo in photos:
        _store_photo(report, photo, PhotoKind.REPORT, written)
    ReportEvent.objects.create(
        report=report,
        at=now,
        kind=EventKind.SUBMITTED,
        to_status=Status.RECEIVED,
        actor=reporter,
        to_unit=routed.unit,
    )
    record(
        actor=reporter,
        post=None,
        action="report.submit",
        obj=report,
        unit_id=report.unit_id,
        changes={
            "category": category.code,
            "ward": routed.ward.code,
            "unit": routed.unit.code,
            "department": routed.department.code if routed.department else None,
            "source": source,
            "photos": len(photos),
            "named": bool(reporter_name or reporter_email or reporter_phone or reporter),
        },
    )
    return report


def nearby_open_duplicates(
    *, category: Category, location: Point, now: dt.datetime | None = None, limit: int = 10
) -> list[Report]:
    """Open reports of the same category within the category's radius, filed in the last
    30 days, nearest first, each with its `distance` (a Distance, in metres)."""
    from django.contrib.gis.db.models.functions import Distance

    location = _point(location)
    now = now or timezone.now()
    radius = category.duplicate_radius_m
    # A box a little larger than the circle lets the spatial index find the candidates;
    # the exact distance in metres (on the sphere) then decides.
    dlat = radius / 111_000 * 1.01
    dlon = dlat / max(math.cos(math.radians(location.y)), 0.01)
    box = Polygon.from_bbox(
        (location.x - dlon, location.y - dlat, location.x + dlon, location.y + dlat)
    )
    box.srid = 4326
    return list(
        Report.objects.open()
        .filter(
            category=category,
            created_at__gte=now - dt.timedelta(days=DUPLICATE_DAYS),
            location__intersects=box,
            location__distance_lte=(location, D(m=radius)),
        )
        .annotate(distance=Distance("location", location))
        .select_related("category")
        .order_by("distance", "-created_at")[:limit]
    )


def confirm_me_too(
    *,
    report: Report,
    user: AbstractBaseUser | None = None,
    device_id: str = "",
    ip: str = "",
) -> bool:
    """Count one more person who sees the same problem; False if this person already did.

    A person is recognised by account, else device, else address (as a keyed hash).
    """
    if user is not None and not user.is_authenticated:
        user = None
    identity = _reporter_identity(user, device_id) or (f"ip:{ip}" if ip else "")
    if not identity:
        raise ReportError(_("We could not tell who is confirming; please try again."))
    if not limits.allowed("confirm", device=identity, ip=ip):
        raise ReportError(
            _("Too many confirmations from this device or network. Please try again later."),
            code="rate_limited",
        )
    added = _confirm(report=report, user=user, device_key=limits.keyed_hash(identity))
    if added:
        limits.count("confirm", device=identity, ip=ip)
    return added


@transaction.atomic
def _confirm(*, report: Report, user: AbstractBaseUser | None, device_key: str) -> bool:
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.status not in OPEN_STATUSES:
        raise ReportError(_("This report is closed; it can no longer be confirmed."))
    try:
        with transaction.atomic():
            Confirmation.objects.create(report=locked, device_key=device_key, user=user)
    except IntegrityError:
        return False
    Report.objects.filter(pk=locked.pk).update(confirmations=F("confirmations") + 1)
    ReportEvent.objects.create(report=locked, kind=EventKind.CONFIRMED, actor=user)
    record(actor=user, post=None, action="report.confirm", obj=locked, unit_id=locked.unit_id)
    report.confirmations = locked.confirmations + 1
    return True


# --- the officials' workflow ------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.VERIFIED, Status.REJECTED, Status.MERGED},
    Status.VERIFIED: {Status.ASSIGNED, Status.REJECTED, Status.MERGED},
    Status.ASSIGNED: {Status.ASSIGNED, Status.IN_PROGRESS, Status.REJECTED, Status.MERGED},
    Status.IN_PROGRESS: {Status.ASSIGNED, Status.RESOLVED, Status.REJECTED, Status.MERGED},
}


def allowed_next(report: Report) -> set[str]:
    return TRANSITIONS.get(report.status, set())


def _lock_and_check(
    report: Report, actor: AbstractBaseUser, action: str, to_status: str | None
) -> tuple[Report, Post | None]:
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if not policy.can(actor, action, locked.unit_id, locked.department_id):
        raise ReportError(_("You may not handle this report."), code="forbidden")
    if to_status is not None and to_status not in allowed_next(locked):
        raise ReportError(
            _("A report that is “%(status)s” cannot become “%(to)s”.")
            % {"status": locked.get_status_display(), "to": Status(to_status).label},
            code="not_allowed",
        )
    return locked, policy.acting_post(actor, locked.unit_id, action, locked.department_id)


def _change_status(
    report: Report,
    *,
    actor: AbstractBaseUser,
    post: Post | None,
    to_status: str,
    action: str,
    public_note: str = "",
    reason: str = "",
    assignee: AbstractBaseUser | None = None,
    extra: dict[str, Any] | None = None,
) -> Report:
    before = report.status
    now = timezone.now()
    report.status = to_status
    report.updated_at = now
    fields = ["status", "updated_at"]
    if to_status not in OPEN_STATUSES:
        report.closed_at = now
        fields.append("closed_at")
    for name, value in (extra or {}).items():
        setattr(report, name, value)
        fields.append(name)
    report.save(update_fields=fields)
    ReportEvent.objects.create(
        report=report,
        at=now,
        kind=EventKind.STATUS,
        from_status=before,
        to_status=to_status,
        public_note=public_note.strip(),
        reason=reason.strip(),
        actor=actor,
        post=post,
        assignee=assignee,
    )
    changes: dict[str, Any] = {"status": [before, to_status]}
    if reason:
        changes["reason"] = reason
    if assignee is not None:
        changes["assignee"] = assignee.pk
    for name, value in (extra or {}).items():
        if name != "assignee":
            changes[name] = getattr(value, "pk", value)
    record(
        actor=actor, post=post, action=action, obj=report, changes=changes, unit_id=report.unit_id
    )
    _tell_reporter_on_commit(report, public_note=public_note, reason=reason)
    return report


@transaction.atomic
def verify_report(*, report: Report, actor: AbstractBaseUser, public_note: str = "") -> Report:
    """An official has checked that the report is real and theirs to handle."""
    locked, post = _lock_and_check(report, actor, policy.Action.HANDLE, Status.VERIFIED)
    return _change_status(
        locked,
        actor=actor,
        post=post,
        to_status=Status.VERIFIED,
        action="report.verify",
        public_note=public_note,
    )


@transaction.atomic
def assign_report(
    *,
    report: Report,
    actor: AbstractBaseUser,
    assignee: AbstractBaseUser,
    public_note: str = "",
) -> Report:
    """A head of unit gives the report to an officer who may handle it."""
    locked, post = _lock_and_check(report, actor, policy.Action.ASSIGN, Status.ASSIGNED)
    if not policy.can(assignee, policy.Action.HANDLE, locked.unit_id, locked.department_id):
        raise ReportError(_("This person cannot handle reports of this unit."), field="assignee")
    return _change_status(
        locked,
        actor=actor,
        post=post,
        to_status=Status.ASSIGNED,
        action="report.assign",
        public_note=public_note,
        assignee=assignee,
        extra={"assignee": assignee},
    )


@transaction.atomic
def start_work(*, report: Report, actor: AbstractBaseUser, public_note: str = "") -> Report:
    """Work on the ground has begun."""
    locked, post = _lock_and_check(report, actor, policy.Action.HANDLE, Status.IN_PROGRESS)
    return _change_status(
        locked,
        actor=actor,
        post=post,
        to_status=Status.IN_PROGRESS,
        action="report.start",
        public_note=public_note,
    )


def resolve_report(
    *, report: Report, actor: AbstractBaseUser, photo: Upload, public_note: str = ""
) -> Report:
    """The problem is fixed; an after photo shows it (cleaned like the reporter's)."""
    if not photo:
        raise ReportError(_("Attach a photo taken after the work."), field="photo")
    try:
        cleaned = clean_photo(photo)
    except PhotoError as exc:
        raise ReportError(str(exc), field="photo") from exc
    written: list[str] = []
    try:
        return _resolve(
            report=report, actor=actor, photo=cleaned, public_note=public_note, written=written
        )
    except BaseException:
        _delete_files(written)
        raise


@transaction.atomic
def _resolve(
    *,
    report: Report,
    actor: AbstractBaseUser,
    photo: CleanPhoto,
    public_note: str,
    written: list[str],
) -> Report:
    locked, post = _lock_and_check(report, actor, policy.Action.HANDLE, Status.RESOLVED)
    _store_photo(locked, photo, PhotoKind.AFTER, written)
    return _change_status(
        locked,
        actor=actor,
        post=post,
        to_status=Status.RESOLVED,
        action="report.resolve",
        public_note=public_note,
    )


@transaction.atomic
def reject_report(*, report: Report, actor: AbstractBaseUser, reason: str) -> Report:
    """Not a violation, not ours to act on, or abuse: closed with a reason the reporter sees."""
    if not (reason or "").strip():
        raise ReportError(_("Give the reason for rejecting the report."), field="reason")
    locked, post = _lock_and_check(report, actor, policy.Action.HANDLE, Status.REJECTED)
    return _change_status(
        locked,
        actor=actor,
        post=post,
        to_status=Status.REJECTED,
        action="report.reject",
        public_note=reason,
        reason=reason,
    )


@transaction.atomic
def merge_report(
    *, report: Report, actor: AbstractBaseUser, into: Report, public_note: str = ""
) -> Report:
    """The same problem was already reported: close this one as its duplicate.

    The duplicate counts as one more confirmation of the report it joins, with its own.
    """
    if into.pk == report.pk:
        raise ReportError(_("A report cannot be a duplicate of itself."), field="into")
    locked, post = _lock_and_check(report, actor, policy.Action.HANDLE, Status.MERGED)
    target = Report.objects.select_for_update().get(pk=into.pk)
    if target.status == Status.MERGED or target.status == Status.REJECTED:
        raise ReportError(
            _("Report %(code)s is itself closed as a duplicate or rejected.")
            % {"code": target.tracking_code},
            field="into",
        )
    if not policy.can(actor, policy.Action.VIEW, target.unit_id, target.department_id):
        raise ReportError(_("No report has this code."), field="into")
    Report.objects.filter(pk=target.pk).update(
        confirmations=F("confirmations") + 1 + locked.confirmations
    )
    note = public_note.strip() or _("The same problem was already reported as %(code)s.") % {
        "code": target.tracking_code
    }
    return _change_status(
        locked,
        actor=actor,
        post=post,
        to_status=Status.MERGED,
        action="report.merge",
        public_note=note,
        extra={"duplicate_of": target},
    )


@transaction.atomic
def hand_on(
    *,
    report: Report,
    actor: AbstractBaseUser,
    to_unit: AdminUnit,
    reason: str,
    to_department: Department | None = None,
    public_note: str = "",
) -> Report:
    """Give a report that landed wrongly to another unit (or one of its departments).

    The reason stays in the history. The report leaves the assignee it had; one that was
    assigned or in progress goes back to verified, for the new unit to assign.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReportError(_("Give the reason for handing the report on."), field="reason")
    if to_department is not None and to_department.unit_id != to_unit.pk:
        raise ReportError(
            _("The department must belong to the unit the report goes to."), field="department"
        )
    if to_unit.level not in (*BASE_LEVELS, UnitLevel.DISTRICT) or not to_unit.is_valid_on(
        timezone.localdate()
    ):
        raise ReportError(_("Reports go to a ward or a district in use today."), field="unit")
    locked, post = _lock_and_check(report, actor, policy.Action.HANDLE, None)
    if locked.status not in OPEN_STATUSES:
        raise ReportError(_("A closed report cannot be handed on."), code="not_allowed")
    new_department_id = to_department.pk if to_department else None
    if locked.unit_id == to_unit.pk and locked.department_id == new_department_id:
        raise ReportError(_("The report is already there."), field="unit")
    before_unit, before_department, before_status = (
        locked.unit,
        locked.department,
        locked.status,
    )
    status = (
        Status.VERIFIED if locked.status in (Status.ASSIGNED, Status.IN_PROGRESS) else locked.status
    )
    now = timezone.now()
    locked.unit = to_unit
    locked.department = to_department
    locked.assignee = None
    locked.status = status
    locked.updated_at = now
    locked.save(update_fields=["unit", "department", "assignee", "status", "updated_at"])
    ReportEvent.objects.create(
        report=locked,
        at=now,
        kind=EventKind.HANDED_ON,
        from_status=before_status,
        to_status=status,
        public_note=public_note.strip(),
        reason=reason,
        actor=actor,
        post=post,
        from_unit=before_unit,
        to_unit=to_unit,
    )
    record(
        actor=actor,
        post=post,
        action="report.hand_on",
        obj=locked,
        unit_id=before_unit.pk,
        changes={
            "unit": [before_unit.code, to_unit.code],
            "department": [
                before_department.code if before_department else None,
                to_department.code if to_department else None,
            ],
            "status": [before_status, status],
            "reason": reason,
        },
    )
    if status != before_status:
        _tell_reporter_on_commit(locked, public_note=public_note, reason="")
    return locked


# --- telling the reporter ---------------------------------------------------------------


def _reporter_address(report: Report) -> str:
    if report.reporter_email:
        return report.reporter_email
    if report.reporter_id and report.reporter and "@" in (report.reporter.email or ""):
        return report.reporter.email
    return ""


def tracking_path(report: Report) -> str:
    return reverse("reports:track", kwargs={"code": report.tracking_code})


def _tell_reporter_on_commit(report: Report, *, public_note: str, reason: str) -> None:
    address = _reporter_address(report)
    if not address:
        return
    code = report.tracking_code
    status = report.status
    note = public_note or reason

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            label = Status(status).label
            subject = _("Report %(code)s: %(status)s") % {"code": code, "status": label}
            lines = [
                _("Your report %(code)s is now: %(status)s.") % {"code": code, "status": label},
            ]
            if note:
                lines += ["", note]
            site = getattr(settings, "SITE_URL", "").rstrip("/")
            lines += [
                "",
                _("Follow it here: %(url)s") % {"url": f"{site}{tracking_path(report)}"},
            ]
        try:
            send_mail(subject, "\n".join(lines), None, [address])
        except OSError:
            log.warning("Could not send the status mail of report %s", code)

    transaction.on_commit(send)
