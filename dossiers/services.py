"""Every write on dossiers: intake, acceptance, the status machine, branches, lateness.

Each public function is keyword-only, atomic and raises `DossierError` with a message for
the person. The status of a dossier changes in one place only, `_move()`, which checks the
transition against the national one-stop machine, writes the line of the processing-control
sheet (who, when, from which post) and the audit row, and e-mails the applicant.

Dates: `today` (the local date) may be given to the services that depend on it, so that the
demo loader and the tests can play a year of dossiers; by default it is today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers import codes, notify
from dossiers.documents import MAX_FILES, DocumentRefused, Upload, check
from dossiers.models import (
    OPEN_STATUSES,
    Agency,
    Branch,
    BranchStatus,
    Channel,
    Consultation,
    ConsultationStatus,
    DeadlineUnit,
    Document,
    Dossier,
    HandOff,
    Procedure,
    Result,
    Status,
    Step,
    Timing,
)
from gis.models import AdminUnit, Parcel, UnitLevel
from gis.services import locate
from urbanmgmt import policy
from urbanmgmt.audit import record
from urbanmgmt.models import Department, Post
from urbanmgmt.policy import Action
from urbanmgmt.workdays import add_working_days, is_working_day, working_days_between

# The national one-stop machine: from each status, where a dossier may go.
TRANSITIONS: dict[int, frozenset[int]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.REFUSED, Status.WITHDRAWN}),
    Status.ACCEPTED: frozenset(
        {Status.PROCESSING, Status.SUPPLEMENT, Status.WITHDRAWN, Status.STOPPED}
    ),
    Status.PROCESSING: frozenset(
        {
            Status.PROCESSING,  # handed over to another officer
            Status.SUPPLEMENT,
            Status.FEES,
            Status.WITHDRAWN,
            Status.STOPPED,
            Status.DECIDED,
        }
    ),
    Status.SUPPLEMENT: frozenset({Status.PROCESSING, Status.WITHDRAWN, Status.STOPPED}),
    Status.FEES: frozenset({Status.PROCESSING, Status.WITHDRAWN, Status.STOPPED}),
    Status.DECIDED: frozenset({Status.RETURNED}),
    Status.REFUSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.STOPPED: frozenset(),
    Status.RETURNED: frozenset(),
}


class DossierError(Exception):
    """A write refused, with a message for the person (already translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class Building:
    """The building a permit asks for."""

    floors: int
    height_m: Decimal
    footprint_m2: Decimal
    gross_floor_area_m2: Decimal
    setback_m: Decimal | None = None


# --- helpers ------------------------------------------------------------------------------


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _now(today: dt.date | None) -> dt.datetime:
    """Now, or, for a replayed day, that day at the current local time of day."""
    now = timezone.localtime()
    if today is None or today == now.date():
        return now
    return now.replace(year=today.year, month=today.month, day=today.day)


def _is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _post(actor: Any, dossier: Dossier, action: str) -> Post | None:
    if not _is_person(actor):
        return None
    return policy.acting_post(actor, dossier.unit_id, action, dossier.department_id)


def _require(actor: Any, action: str, dossier: Dossier) -> None:
    if not policy.can(actor, action, dossier.unit_id, dossier.department_id):
        raise DossierError(_("You may not do this on this dossier."))


def _is_applicant(actor: Any, dossier: Dossier) -> bool:
    return _is_person(actor) and dossier.applicant_id == actor.pk


def _display_name(user: Any) -> str:
    if not _is_person(user):
        return ""
    return (user.get_full_name() or user.get_username())[:200]


def _timing(day: dt.date, deadline: dt.date | None) -> str:
    if deadline is None:
        return ""
    if day < deadline:
        return Timing.EARLY
    return Timing.ON_TIME if day == deadline else Timing.LATE


def _add_days(procedure: Procedure, start: dt.date, days: int) -> dt.date:
    if procedure.deadline_unit == DeadlineUnit.CALENDAR_DAYS:
        return start + dt.timedelta(days=days)
    return add_working_days(start, days)


def _log(
    dossier: Dossier,
    *,
    step: str,
    actor: Any,
    post: Post | None,
    from_status: int | None,
    today: dt.date | None,
    note: str = "",
    receiver: Any = None,
) -> HandOff:
    """Write a line of the processing-control sheet."""
    return HandOff.objects.create(
        dossier=dossier,
        at=_now(today),
        step=step,
        from_status=from_status,
        to_status=dossier.status,
        sender=actor if _is_person(actor) else None,
        sender_name=_display_name(actor),
        sender_post=post,
        receiver=receiver,
        receiver_name=_display_name(receiver),
        timing=_timing(_today(today), dossier.deadline) if dossier.accepted_on else "",
        note=note,
    )


def _move(
    dossier: Dossier,
    *,
    to: int,
    step: str,
    actor: Any,
    post: Post | None,
    today: dt.date | None,
    note: str = "",
    receiver: Any = None,
    changes: dict[str, Any] | None = None,
    notify_applicant: bool = True,
) -> HandOff:
    """The one place where a dossier's status changes (the caller has set the other fields)."""
    before = dossier.status
    _check_move(dossier, to)
    dossier.status = to
    dossier.save()
    line = _log(
        dossier,
        step=step,
        actor=actor,
        post=post,
        from_status=before,
        today=today,
        note=note,
        receiver=receiver,
    )
    record(
        actor=actor,
        post=post,
        action=f"dossier.{step}",
        obj=dossier,
        changes={"status": [before, to], **(changes or {})},
        unit_id=dossier.unit_id,
    )
    if notify_applicant:
        notify.notify_applicant(dossier, step, note)
    return line


def _check_move(dossier: Dossier, to: int) -> None:
    """Refuse early a transition the one-stop machine does not have."""
    if to not in TRANSITIONS[dossier.status]:
        raise DossierError(
            _("A dossier that is “%(from)s” cannot become “%(to)s”.")
            % {"from": Status(dossier.status).label, "to": Status(to).label}
        )


def _locked(dossier: Dossier) -> Dossier:
    """The dossier re-read under a row lock, so two officers' clicks cannot interleave."""
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=dossier.pk)
    )


def _handling_unit(ward: AdminUnit, level: str) -> AdminUnit:
    """The unit at `level` above (or at) `ward`.

    Where the tree has no such level (districts were abolished on 01/07/2025), the ward
    itself handles what the district used to; a missing city level falls back to the top.
    """
    chain = [ward]
    while chain[-1].parent_id is not None and len(chain) < 10:
        chain.append(
            AdminUnit.objects.only("id", "level", "parent_id", "code").get(pk=chain[-1].parent_id)
        )
    for unit in chain:
        if unit.level == level:
            return unit
    return ward if level == UnitLevel.DISTRICT else chain[-1]


def _clean_variants(procedure: Procedure, variants: dict[str, str]) -> dict[str, str]:
    procedures = {procedure.code: procedure}
    if procedure.is_combined:
        procedures.update(
            {b.component.code: b.component for b in procedure.branches.select_related("component")}
        )
    cleaned = {}
    for code, variant in (variants or {}).items():
        if not variant:
            continue
        target = procedures.get(code)
        if target is None or variant not in target.variant_codes():
            raise DossierError(_("Unknown deadline variant “%(variant)s”.") % {"variant": variant})
        cleaned[code] = variant
    return cleaned


def _positive(value: Any, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DossierError(_("%(field)s must be a number.") % {"field": label}) from exc
    if not number.is_finite() or number <= 0:
        raise DossierError(_("%(field)s must be more than zero.") % {"field": label})
    return number


def _check_building(building: Building | None, procedure: Procedure) -> Building | None:
    if not (procedure.is_permit or procedure.is_combined):
        return building
    if building is None:
        raise DossierError(_("A permit needs the proposed building: floors, height and areas."))
    floors = int(_positive(building.floors, _("Floors")))
    if floors > 200:
        raise DossierError(_("%(field)s is not plausible.") % {"field": _("Floors")})
    height = _positive(building.height_m, _("Height"))
    footprint = _positive(building.footprint_m2, _("Footprint"))
    gross = _positive(building.gross_floor_area_m2, _("Gross floor area"))
    setback = None
    if building.setback_m not in (None, ""):
        setback = Decimal(str(building.setback_m))
        if setback < 0:
            raise DossierError(_("The setback cannot be negative."))
    if gross < footprint:
        raise DossierError(_("The gross floor area cannot be smaller than the footprint."))
    return Building(floors, height, footprint, gross, setback)


def _store_documents(
    dossier: Dossier, uploads: Sequence[Upload], uploaded_by: Any
) -> list[Document]:
    if dossier.documents.count() + len(uploads) > MAX_FILES:
        raise DossierError(_("A dossier holds at most %(n)s files.") % {"n": MAX_FILES})
    stored = []
    for upload in uploads:
        try:
            checked = check(upload)
        except DocumentRefused as exc:
            raise DossierError(str(exc)) from exc
        document = Document(
            dossier=dossier,
            name=checked.name,
            original_name=checked.filename,
            content_type=checked.content_type,
            size=len(checked.content),
            sha256=checked.sha256,
            uploaded_by=uploaded_by if _is_person(uploaded_by) else None,
        )
        # The file is written now; if the transaction rolls back, it stays as an orphan
        # named by its hash (harmless, and the same upload later reuses the name).
        document.file.save("upload", ContentFile(checked.content), save=False)
        document.save()
        stored.append(document)
    return stored


# --- intake ---------------------------------------------------------------------------------


@transaction.atomic
def submit_dossier(
    *,
    procedure: Procedure,
    applicant: Applicant,
    channel: str,
    submitted_by: Any,
    parcel: Parcel | None = None,
    location: Point | None = None,
    address: str = "",
    building: Building | None = None,
    description: str = "",
    variants: dict[str, str] | None = None,
    documents: Sequence[Upload] = (),
    today: dt.date | None = None,
) -> Dossier:
    """Take in a dossier (status 1, awaiting intake), online or at the counter.

    Online, `submitted_by` is the applicant's account; at the counter, the officer, who must
    handle dossiers of the unit the procedure belongs to. The place is the parcel (its
    ward decides the handling unit) or, failing one, a point inside a ward we cover.
    """
    if channel not in Channel.values:
        raise DossierError(_("Unknown channel."))
    if not procedure.active:
        raise DossierError(_("This procedure is no longer offered."))
    if channel == Channel.ONLINE and not _is_person(submitted_by):
        raise DossierError(_("Sign in to submit a dossier online."))
    name = " ".join(applicant.name.split())
    id_number = "".join(applicant.id_number.split())
    if not name:
        raise DossierError(_("Give the applicant's name."))
    if not (id_number.isdigit() and len(id_number) in (9, 12)):
        raise DossierError(_("The ID number has 12 digits (or 9 for an old card)."))
    if parcel is not None:
        ward = parcel.ward
        point = location or parcel.geom.point_on_surface
        address = address or parcel.address
    elif location is not None:
        point = location
        ward = locate(location).ward
        if ward is None:
            raise DossierError(_("This place is outside the area we cover."))
    else:
        raise DossierError(_("Pick the parcel on the map or give its key."))
    building = _check_building(building, procedure)
    unit = _handling_unit(ward, procedure.handling_level)
    department = (
        Department.objects.filter(unit=unit, code=procedure.department_code).first()
        if procedure.department_code
        else None
    )
    if channel == Channel.COUNTER and not policy.can(
        submitted_by, Action.HANDLE, unit.id, department.id if department else None
    ):
        raise DossierError(_("You do not take in dossiers for this procedure and place."))
    dossier = Dossier(
        procedure=procedure,
        variants=_clean_variants(procedure, variants or {}),
        channel=channel,
        status=Status.DRAFT,
        applicant=submitted_by if channel == Channel.ONLINE else None,
        applicant_name=name[:200],
        applicant_id_number=id_number,
        applicant_phone=applicant.phone.strip()[:20],
        applicant_email=applicant.email.strip()[:254],
        applicant_address=applicant.address.strip()[:300],
        parcel=parcel,
        location=Point(point.x, point.y, srid=4326),
        address=address.strip()[:300],
        ward=ward,
        unit=unit,
        department=department,
        description=description.strip(),
        submitted_at=_now(today),
    )
    if building is not None:
        dossier.floors = building.floors
        dossier.height_m = building.height_m
        dossier.footprint_m2 = building.footprint_m2
        dossier.gross_floor_area_m2 = building.gross_floor_area_m2
        dossier.setback_m = building.setback_m
    dossier.save()
    _store_documents(dossier, documents, submitted_by)
    post = _post(submitted_by, dossier, Action.HANDLE)
    _move(
        dossier,
        to=Status.SUBMITTED,
        step=Step.SUBMITTED,
        actor=submitted_by,
        post=post,
        today=today,
        changes={"procedure": procedure.code, "channel": channel},
    )
    return dossier


def agency_code_for(unit: AdminUnit) -> str:
    agency = Agency.objects.filter(unit=unit).only("code").first()
    return agency.code if agency else unit.code


@transaction.atomic
def accept_dossier(*, dossier: Dossier, actor: Any, today: dt.date | None = None) -> Dossier:
    """Accept a complete dossier: its code, deadline, appointment date, branches and
    consultations; the clock starts (status 2). The receipt and appointment slip can be
    printed from then on.

    The deadline counts from the acceptance day (day 1 is the next working day). A combined
    procedure's deadline is its longest branch's, each branch having its own.
    """
    dossier = _locked(dossier)
    _require(actor, Action.HANDLE, dossier)
    if dossier.status != Status.SUBMITTED:
        raise DossierError(_("Only a dossier awaiting intake can be accepted."))
    day = _today(today)
    procedure = dossier.procedure
    agency = agency_code_for(dossier.unit)
    dossier.agency_code = agency
    dossier.code = codes.format_code(agency, day, codes.next_number(agency, day))
    dossier.accepted_at = _now(today)
    dossier.accepted_on = day
    deadline = None
    if procedure.deadline_days:
        deadline = _add_days(
            procedure, day, procedure.days_for(dossier.variants.get(procedure.code, ""))
        )
    branches = []
    if procedure.is_combined:
        for item in procedure.branches.select_related("component").order_by("order"):
            component = item.component
            due = _add_days(
                component, day, component.days_for(dossier.variants.get(component.code, ""))
            )
            branches.append(
                Branch(dossier=dossier, procedure=component, required=item.required, deadline=due)
            )
            if item.required:
                deadline = due if deadline is None else max(deadline, due)
    if deadline is None:
        raise DossierError(_("The procedure has no deadline: fix the catalogue first."))
    dossier.deadline = deadline
    dossier.appointment_date = deadline
    Branch.objects.bulk_create(branches)
    Consultation.objects.bulk_create(
        Consultation(
            dossier=dossier,
            agency_code=c.agency_code,
            agency_name=c.agency_name,
            field=c.field,
            requested_on=day,
            reply_due=add_working_days(day, c.reply_days),
        )
        for c in procedure.consultations.all()
    )
    _move(
        dossier,
        to=Status.ACCEPTED,
        step=Step.ACCEPTED,
        actor=actor,
        post=_post(actor, dossier, Action.HANDLE),
        today=today,
        changes={"code": dossier.code, "deadline": deadline},
    )
    return dossier


@transaction.atomic
def receive_at_counter(*, officer: Any, today: dt.date | None = None, **intake: Any) -> Dossier:
    """Intake at the counter: taken in and accepted at once (the receipt is printed there)."""
    dossier = submit_dossier(channel=Channel.COUNTER, submitted_by=officer, today=today, **intake)
    return accept_dossier(dossier=dossier, actor=officer, today=today)


@transaction.atomic
def refuse_intake(
    *, dossier: Dossier, actor: Any, reason: str, today: dt.date | None = None
) -> Dossier:
    """Refuse a dossier at intake (status 3, form 03), with the reason the applicant reads."""
    dossier = _locked(dossier)
    _require(actor, Action.HANDLE, dossier)
    if not reason.strip():
        raise DossierError(_("Give the reason for the refusal."))
    _move(
        dossier,
        to=Status.REFUSED,
        step=Step.REFUSED,
        actor=actor,
        post=_post(actor, dossier, Action.HANDLE),
        today=today,
        note=reason.strip(),
    )
    return dossier


# --- processing ------------------------------------------------------------------------------


@transaction.atomic
def assign(
    *, dossier: Dossier, actor: Any, handler: Any, note: str = "", today: dt.date | None = None
) -> Dossier:
    """Route the dossier to an officer (2 → 4), or hand it over to another one (4 → 4).

    Whoever handles a dossier may pass it on; the officer receiving it must handle dossiers
    of its unit and department.
    """
    dossier = _locked(dossier)
    if not (
        policy.can(actor, Action.HANDLE, dossier.unit_id, dossier.department_id)
        or policy.can(actor, Action.ASSIGN, dossier.unit_id, dossier.department_id)
    ):
        raise DossierError(_("You may not do this on this dossier."))
    if not policy.can(handler, Action.HANDLE, dossier.unit_id, dossier.department_id):
        raise DossierError(_("This officer does not handle dossiers of this unit."))
    if dossier.status not in (Status.ACCEPTED, Status.PROCESSING):
        raise DossierError(_("Only an accepted dossier or one in processing is routed."))
    step = Step.ROUTED if dossier.status == Status.ACCEPTED else Step.HANDED_OVER
    previous = dossier.handler_id
    dossier.handler = handler
    _move(
        dossier,
        to=Status.PROCESSING,
        step=step,
        actor=actor,
        post=_post(actor, dossier, Action.HANDLE) or _post(actor, dossier, Action.ASSIGN),
        today=today,
        note=note,
        receiver=handler,
        changes={"handler": [previous, handler.pk]},
        notify_applicant=step == Step.ROUTED,
    )
    return dossier


@transaction.atomic
def request_supplement(
    *, dossier: Dossier, actor: Any, note: str, today: dt.date | None = None
) -> Dossier:
    """Ask the applicant to complete the dossier (form 02): the clock pauses (status 5).

    Decision 766 counts a dossier with more than one supplement request as late.
    """
    dossier = _locked(dossier)
    _require(actor, Action.HANDLE, dossier)
    _check_move(dossier, Status.SUPPLEMENT)
    if not note.strip():
        raise DossierError(_("Say what the applicant must add."))
    dossier.paused_since = _today(today)
    dossier.supplement_requests += 1
    _move(
        dossier,
        to=Status.SUPPLEMENT,
        step=Step.SUPPLEMENT_REQUESTED,
        actor=actor,
        post=_post(actor, dossier, Action.HANDLE),
        today=today,
        note=note.strip(),
    )
    return dossier


def _resume_clock(dossier: Dossier, day: dt.date) -> int:
    """Move the dates on by the working days spent waiting; the number of such days."""
    if dossier.paused_since is None:
        return 0
    lost = max(0, working_days_between(dossier.paused_since, day))
    if lost:
        dossier.deadline = add_working_days(dossier.deadline, lost)
        dossier.appointment_date = add_working_days(dossier.appointment_date, lost)
        for branch in dossier.branches.filter(status=BranchStatus.OPEN):
            branch.deadline = add_working_days(branch.deadline, lost)
            branch.save(update_fields=["deadline"])
    dossier.paused_working_days += lost
    dossier.paused_since = None
    return lost


@transaction.atomic
def receive_supplement(
    *,
    dossier: Dossier,
    actor: Any,
    documents: Sequence[Upload] = (),
    note: str = "",
    today: dt.date | None = None,
) -> Dossier:
    """The applicant's supplement arrived (online, or brought to the counter): the clock
    resumes and the deadline and appointment date move on by the working days it waited."""
    dossier = _locked(dossier)
    if not _is_applicant(actor, dossier):
        _require(actor, Action.HANDLE, dossier)
    if dossier.status != Status.SUPPLEMENT:
        raise DossierError(_("This dossier is not waiting for a supplement."))
    _store_documents(dossier, documents, actor)
    lost = _resume_clock(dossier, _today(today))
    _move(
        dossier,
        to=Status.PROCESSING,
        step=Step.SUPPLEMENT_RECEIVED,
        actor=actor,
        post=_post(actor, dossier, Action.HANDLE),
        today=today,
        note=note.strip(),
        changes={"paused_working_days": lost, "deadline": dossier.deadline},
    )
    return dossier


@transaction.atomic
def request_fees(
    *, dossier: Dossier, actor: Any, note: str = "", today: dt.date | None = None
) -> Dossier:
    """Ask the applicant to pay the fees (status 6); the clock keeps running."""
    dossier = _locked(dossier)
    _require(actor, Action.HANDLE, dossier)
    _move(
        dossier,
        to=Status.FEES,
        step=Step.FEES_REQUESTED,
        actor=actor,
        post=_post(actor, dossier, Action.HANDLE),
        today=today,
        note=note.strip(),
    )
    return dossier


@transaction.atomic
def record_payment(
    *, dossier: Dossier, actor: Any, note: str = "", today: dt.date | None = None
) -> Dossier:
    """The fees are paid: back to processing (6 → 4)."""
    dossier = _locked(dossier)
    _require(actor, Action.HANDLE, dossier)
    if dossier.status != Status.FEES:
        raise DossierError(_("This dossier is not waiting for fees."))
    _move(
        dossier,
        to=Status.PROCESSING,
        step=Step.FEES_PAID,
        actor=actor,
        post=_post(actor, dossier, Action.HANDLE),
        today=today,
        note=note.strip(),
    )
    return dossier


@transaction.atomic
def withdraw(
    *, dossier: Dossier, actor: Any, reason: str = "", today: dt.date | None = None
) -> Dossier:
    """The applicant withdraws the dossier (status 7): they themselves online, or an officer
    recording their written request."""
    dossier = _locked(dossier)
    if not _is_applicant(actor, dossier):
        _require(actor, Action.HANDLE, dossier)
    _check_move(dossier, Status.WITHDRAWN)
    if dossier.status == Status.SUPPLEMENT:
        _resume_clock(dossier, _today(today))
    _move(
        dossier,
        to=Status.WITHDRAWN,
        step=Step.WITHDRAWN,
        actor=actor,
        post=_post(actor, dossier, Action.HANDLE),
        today=today,
        note=reason.strip(),
    )
    return dossier


@transaction.atomic
def stop_processing(
    *, dossier: Dossier, actor: Any, reason: str, today: dt.date | None = None
) -> Dossier:
    """Stop processing (status 8), for a reason the law gives (the applicant never came
    back with the supplement, the case went to court...)."""
    dossier = _locked(dossier)
    _require(actor, Action.HANDLE, dossier)
    _check_move(dossier, Status.STOPPED)
    if not reason.strip():
        raise DossierError(_("Give the reason for stopping."))
    if dossier.status == Status.SUPPLEMENT:
        _resume_clock(dossier, _today(today))
    _move(
        dossier,
        to=Status.STOPPED,
        step=Step.STOPPED,
        actor=actor,
        post=_post(actor, dossier, Action.HANDLE),
        today=today,
        note=reason.strip(),
    )
    return dossier


# --- branches and consultations ---------------------------------------------------------------


def branches_joined(dossier: Dossier) -> bool:
    """Is every required branch closed?"""
    return not dossier.branches.filter(required=True, status=BranchStatus.OPEN).exists()


@transaction.atomic
def close_branch(
    *, branch: Branch, actor: Any, approved: bool, note: str = "", today: dt.date | None = None
) -> bool:
    """Close one parallel branch (its appraisal or permit done); True when that closes the
    last required one, so the dossier moves on to its decision."""
    dossier = _locked(branch.dossier)
    _require(actor, Action.HANDLE, dossier)
    branch = Branch.objects.select_for_update().select_related("procedure").get(pk=branch.pk)
    if dossier.status not in (Status.ACCEPTED, Status.PROCESSING):
        raise DossierError(_("Branches are closed while the dossier is in processing."))
    if branch.status != BranchStatus.OPEN:
        raise DossierError(_("This branch is already closed."))
    branch.status = BranchStatus.APPROVED if approved else BranchStatus.REFUSED
    branch.closed_at = _now(today)
    branch.closed_by = actor
    branch.note = note.strip()
    branch.save()
    post = _post(actor, dossier, Action.HANDLE)
    _log(
        dossier,
        step=Step.BRANCH_CLOSED,
        actor=actor,
        post=post,
        from_status=dossier.status,
        today=today,
        note=f"{branch.procedure.name}: {branch.get_status_display()}. {branch.note}".strip(),
    )
    record(
        actor=actor,
        post=post,
        action="dossier.branch_closed",
        obj=dossier,
        changes={"branch": branch.procedure.code, "status": branch.status},
        unit_id=dossier.unit_id,
    )
    joined = branches_joined(dossier)
    if joined:
        _log(
            dossier,
            step=Step.BRANCHES_JOINED,
            actor=None,
            post=None,
            from_status=dossier.status,
            today=today,
        )
    return joined


@transaction.atomic
def reply_consultation(
    *,
    consultation: Consultation,
    actor: Any,
    agreed: bool,
    reply: str = "",
    today: dt.date | None = None,
) -> Consultation:
    """Record a consulted agency's reply (received through the inter-agency exchange)."""
    dossier = _locked(consultation.dossier)
    _require(actor, Action.HANDLE, dossier)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != ConsultationStatus.PENDING:
        raise DossierError(_("This consultation is already answered."))
    consultation.status = ConsultationStatus.AGREED if agreed else ConsultationStatus.OBJECTED
    consultation.replied_at = _now(today)
    consultation.reply = reply.strip()
    consultation.save()
    post = _post(actor, dossier, Action.HANDLE)
    _log(
        dossier,
        step=Step.CONSULTATION_REPLIED,
        actor=actor,
        post=post,
        from_status=dossier.status,
        today=today,
        note=f"{consultation.agency_name}: {consultation.get_status_display()}",
    )
    record(
        actor=actor,
        post=post,
        action="dossier.consultation_replied",
        obj=dossier,
        changes={"agency": consultation.agency_code, "status": consultation.status},
        unit_id=dossier.unit_id,
    )
    return consultation


@transaction.atomic
def deem_overdue_consultations(
    *, today: dt.date | None = None, dossier: Dossier | None = None
) -> int:
    """Mark every consultation still unanswered after its reply date as deemed agreed (the
    silent agency answers for its own field); the number marked."""
    day = _today(today)
    overdue = Consultation.objects.select_for_update().filter(
        status=ConsultationStatus.PENDING, reply_due__lt=day
    )
    if dossier is not None:
        overdue = overdue.filter(dossier=dossier)
    marked = 0
    for consultation in overdue.select_related("dossier").order_by("dossier_id", "id"):
        consultation.status = ConsultationStatus.DEEMED_AGREED
        consultation.replied_at = _now(today)
        consultation.save(update_fields=["status", "replied_at"])
        _log(
            consultation.dossier,
            step=Step.CONSULTATION_DEEMED,
            actor=None,
            post=None,
            from_status=consultation.dossier.status,
            today=today,
            note=consultation.agency_name,
        )
        record(
            actor=None,
            post=None,
            action="dossier.consultation_deemed",
            obj=consultation.dossier,
            changes={"agency": consultation.agency_code},
            unit_id=consultation.dossier.unit_id,
        )
        marked += 1
    return marked


# --- lateness -----------------------------------------------------------------------------


@transaction.atomic
def warn_due_dossiers(*, today: dt.date | None = None) -> int:
    """Warn the officer in charge of every running dossier due by the next working day
    (once per dossier); the number warned. Run daily (`manage.py dossiers_daily`)."""
    day = _today(today)
    due = (
        Dossier.objects.select_for_update(of=("self",))
        .filter(
            status__in=(Status.ACCEPTED, Status.PROCESSING, Status.FEES),
            deadline__gte=day,
            deadline__lte=add_working_days(day, 1),
            warned_on__isnull=True,
        )
        .select_related("procedure", "handler")
    )
    warned = 0
    for dossier in due:
        dossier.warned_on = day
        dossier.save(update_fields=["warned_on", "updated_at"])
        _log(
            dossier,
            step=Step.WARNED,
            actor=None,
            post=None,
            from_status=dossier.status,
            today=today,
            receiver=dossier.handler,
        )
        record(
            actor=None,
            post=None,
            action="dossier.warned",
            obj=dossier,
            changes={"warned_on": day, "deadline": dossier.deadline},
            unit_id=dossier.unit_id,
        )
        email = getattr(dossier.handler, "email", "")
        notify.notify_lateness(dossier, [email] if email else [])
        warned += 1
    return warned


@transaction.atomic
def issue_apology(
    *,
    dossier: Dossier,
    actor: Any,
    reason: str,
    new_date: dt.date,
    today: dt.date | None = None,
) -> Dossier:
    """Send the apology letter with a new appointment date (form 04), at least a day before
    the deadline. Allowed once: a second one is refused. The deadline itself does not
    move, so the dossier is still judged late against it."""
    dossier = _locked(dossier)
    _require(actor, Action.HANDLE, dossier)
    day = _today(today)
    if dossier.apology_count >= 1:
        raise DossierError(_("The apology letter was already sent once; it cannot be sent again."))
    if dossier.status not in OPEN_STATUSES:
        raise DossierError(_("Only an open dossier can get an apology letter."))
    if not reason.strip():
        raise DossierError(_("Give the reason for the delay."))
    if day >= dossier.deadline:
        raise DossierError(_("The apology letter must be sent at least a day before the deadline."))
    if new_date <= dossier.deadline or not is_working_day(new_date):
        raise DossierError(_("The new date must be a working day after the deadline."))
    before = dossier.appointment_date
    dossier.apology_count = 1
    dossier.apology_issued_on = day
    dossier.apology_reason = reason.strip()
    dossier.appointment_date = new_date
    dossier.save()
    post = _post(actor, dossier, Action.HANDLE)
    _log(
        dossier,
        step=Step.APOLOGY,
        actor=actor,
        post=post,
        from_status=dossier.status,
        today=today,
        note=reason.strip(),
    )
    record(
        actor=actor,
        post=post,
        action="dossier.apology",
        obj=dossier,
        changes={"appointment_date": [before, new_date]},
        unit_id=dossier.unit_id,
    )
    notify.notify_applicant(dossier, Step.APOLOGY, reason.strip())
    return dossier


def judge_timing(*, decided_on: dt.date, deadline: dt.date, supplement_requests: int) -> str:
    """Early / on time / late against the (pause-adjusted) original deadline, Decision 766:
    more than one supplement request makes a dossier late."""
    if supplement_requests > 1 or decided_on > deadline:
        return Timing.LATE
    return Timing.EARLY if decided_on < deadline else Timing.ON_TIME


# --- decision and return ---------------------------------------------------------------------


@transaction.atomic
def decide(
    *,
    dossier: Dossier,
    actor: Any,
    result: str,
    note: str = "",
    today: dt.date | None = None,
) -> Dossier:
    """Sign the decision (status 9): the permit issued or refused. The clock ends.

    Needs a post that approves; on a combined route every required branch must be closed and
    every consultation answered (or deemed agreed, which is checked here too).
    """
    dossier = _locked(dossier)
    _require(actor, Action.APPROVE, dossier)
    _check_move(dossier, Status.DECIDED)
    if result not in Result.values:
        raise DossierError(_("Say whether the result is issued or refused."))
    day = _today(today)
    if not branches_joined(dossier):
        raise DossierError(_("Some parallel branches are still open."))
    deem_overdue_consultations(today=today, dossier=dossier)
    waiting = dossier.consultations.filter(status=ConsultationStatus.PENDING).order_by("reply_due")
    if waiting.exists():
        raise DossierError(
            _("Waiting for the consulted agencies' replies until %(date)s.")
            % {"date": waiting.last().reply_due.strftime("%d/%m/%Y")}
        )
    dossier.result = result
    dossier.decided_at = _now(today)
    dossier.decided_on = day
    dossier.timing = judge_timing(
        decided_on=day,
        deadline=dossier.deadline,
        supplement_requests=dossier.supplement_requests,
    )
    dossier.working_days_used = max(
        0, working_days_between(dossier.accepted_on, day) - dossier.paused_working_days
    )
    _move(
        dossier,
        to=Status.DECIDED,
        step=Step.DECIDED,
        actor=actor,
        post=_post(actor, dossier, Action.APPROVE),
        today=today,
        note=note.strip(),
        changes={"result": result, "timing": dossier.timing},
    )
    return dossier


@transaction.atomic
def return_result(
    *,
    dossier: Dossier,
    actor: Any,
    rating: int | None = None,
    comment: str = "",
    today: dt.date | None = None,
) -> Dossier:
    """Hand the result to the applicant (status 10), with their satisfaction rating if they
    give one there."""
    dossier = _locked(dossier)
    _require(actor, Action.HANDLE, dossier)
    _check_move(dossier, Status.RETURNED)
    if rating is not None:
        _check_rating(rating)
        dossier.rating = rating
        dossier.rating_comment = comment.strip()
    dossier.returned_at = _now(today)
    _move(
        dossier,
        to=Status.RETURNED,
        step=Step.RETURNED,
        actor=actor,
        post=_post(actor, dossier, Action.HANDLE),
        today=today,
        changes={"rating": rating},
    )
    return dossier


def _check_rating(rating: Any) -> None:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DossierError(_("The rating is a whole number from 1 to 5."))


@transaction.atomic
def rate(
    *, dossier: Dossier, rating: int, comment: str = "", today: dt.date | None = None
) -> Dossier:
    """The applicant rates a returned dossier (once), from the lookup page."""
    dossier = _locked(dossier)
    if dossier.status != Status.RETURNED:
        raise DossierError(_("A dossier is rated once its result is returned."))
    if dossier.rating is not None:
        raise DossierError(_("This dossier has already been rated."))
    _check_rating(rating)
    dossier.rating = rating
    dossier.rating_comment = comment.strip()
    dossier.save(update_fields=["rating", "rating_comment", "updated_at"])
    _log(
        dossier,
        step=Step.RATED,
        actor=None,
        post=None,
        from_status=dossier.status,
        today=today,
    )
    record(
        actor=None,
        post=None,
        action="dossier.rated",
        obj=dossier,
        changes={"rating": rating},
        unit_id=dossier.unit_id,
    )
    return dossier


def find_for_applicant(*, code: str, id_number: str) -> Dossier | None:
    """The dossier with this code whose applicant has this ID number; None otherwise (a
    wrong ID number and an unknown code are the same answer)."""
    code = code.strip()
    id_number = "".join(id_number.split())
    if not code or not id_number:
        return None
    return (
        Dossier.objects.filter(Q(code=code) & Q(applicant_id_number=id_number))
        .select_related("procedure")
        .first()
    )
