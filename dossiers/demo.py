"""A year (or any span) of plausible dossiers for the demo district, written in bulk.

The demo loader and the benchmark need thousands to hundreds of thousands of dossiers with
their whole history; replaying each step through `dossiers.services` would take minutes.
This module plays the same rules (codes per agency and day, deadlines in working days, clock
pauses, one apology at most, branches and consultations on the inter-agency route, Decision
766 timing) on in-memory rows and writes them with bulk inserts. It writes demo data only:
real dossiers always go through the services.

Randomness comes from one seeded generator, so the same seed gives the same dossiers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone

from dossiers.models import (
    Agency,
    Branch,
    BranchStatus,
    Channel,
    Consultation,
    ConsultationStatus,
    DailyCounter,
    Dossier,
    HandOff,
    Procedure,
    Result,
    Status,
    Step,
    Timing,
)
from dossiers.services import judge_timing
from gis.models import AdminUnit, Parcel, UnitLevel
from urbanmgmt import policy
from urbanmgmt.models import Department
from urbanmgmt.workdays import add_working_days, is_working_day, working_days_between

# Share of each procedure among the demo's dossiers.
MIX = (("XD-NORL", 0.70), ("XD-CT", 0.12), ("LT-XD", 0.10), ("TD-TKCS", 0.04), ("TD-TKKT", 0.04))
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Thu", "Quốc", "Kim")
GIVEN = (
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
)
AGENCY_CODES = {UnitLevel.DISTRICT: "000.00.27.H29", UnitLevel.CITY: "000.00.18.H29"}
BATCH = 5000


@dataclass
class DemoSummary:
    dossiers: int = 0
    handoffs: int = 0
    branches: int = 0
    consultations: int = 0
    late: int = 0
    inter_agency: int = 0
    open: int = 0


def _chain(unit: AdminUnit) -> list[AdminUnit]:
    chain = [unit]
    while chain[-1].parent_id is not None and len(chain) < 10:
        chain.append(AdminUnit.objects.get(pk=chain[-1].parent_id))
    return chain


def _handling(ward: AdminUnit, chains: dict[int, list[AdminUnit]], level: str) -> AdminUnit:
    chain = chains[ward.pk]
    for unit in chain:
        if unit.level == level:
            return unit
    return ward if level == UnitLevel.DISTRICT else chain[-1]


class _Clock:
    """Office hours on a given day, a little later each step."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tz = timezone.get_current_timezone()

    def at(self, day: dt.date, hour: float | None = None) -> dt.datetime:
        hour = hour if hour is not None else self.rng.uniform(7.5, 16.5)
        minutes = int(hour * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.tz)


def _workday_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A working day after `start` and not after `end` (or `end` itself)."""
    span = working_days_between(start, end)
    if span <= 0:
        return end
    return add_working_days(start, rng.randint(1, span))


def generate(
    *,
    wards: list[AdminUnit],
    start: dt.date,
    end: dt.date,
    count: int,
    seed: int = 765,
    handler: Any = None,
    leader: Any = None,
    progress: bool = False,
) -> DemoSummary:
    """Write `count` dossiers accepted between `start` and `end` (the demo's "today" is `end`)
    on parcels of `wards`, with their control sheets, branches and consultations."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    clock = _Clock(rng)
    procedures = {
        p.code: p
        for p in Procedure.objects.prefetch_related("branches__component", "consultations")
    }
    codes = [code for code, _share in MIX]
    weights = [share for _code, share in MIX]
    chains = {ward.pk: _chain(ward) for ward in wards}
    parcels = list(
        Parcel.objects.filter(ward__in=wards)
        .annotate(point=PointOnSurface("geom"))
        .order_by("?")
        .values_list("id", "ward_id", "address", "point", "area_m2")[: max(count, 1)]
    )
    if not parcels:
        raise ValueError("The wards have no parcels")
    ward_by_id = {w.pk: w for w in wards}
    may: dict[tuple[int, str, int, int | None], bool] = {}

    def acting(user: Any, action: str, unit: AdminUnit, department: Department | None) -> Any:
        """`user` if their posts let them take `action` there (else the line has no sender)."""
        if user is None:
            return None
        key = (user.pk, action, unit.pk, department.pk if department else None)
        if key not in may:
            may[key] = policy.can(user, action, unit.pk, department.pk if department else None)
        return user if may[key] else None

    posts: dict[tuple[int, str, int, int | None], Any] = {}

    def post_of(user: Any, action: str, unit: AdminUnit, department: Department | None) -> Any:
        """The post under which `user` acts there, for the control sheet."""
        if user is None:
            return None
        key = (user.pk, action, unit.pk, department.pk if department else None)
        if key not in posts:
            posts[key] = policy.acting_post(
                user, unit.pk, action, department.pk if department else None
            )
        return posts[key]

    units: dict[str, dict[int, tuple[AdminUnit, Department | None, str]]] = defaultdict(dict)

    def office(procedure: Procedure, ward: AdminUnit) -> tuple[AdminUnit, Department | None, str]:
        found = units[procedure.code].get(ward.pk)
        if found is None:
            unit = _handling(ward, chains, procedure.handling_level)
            department = None
            if procedure.department_code:
                department, _ = Department.objects.get_or_create(
                    unit=unit,
                    code=procedure.department_code,
                    defaults={
                        "name": {"QLDT": "Phòng Quản lý đô thị", "SXD": "Sở Xây dựng"}.get(
                            procedure.department_code, procedure.department_code
                        )
                    },
                )
            agency = Agency.objects.filter(unit=unit).first()
            if agency is None:
                agency = Agency.objects.create(
                    code=AGENCY_CODES.get(unit.level, unit.code),
                    name=f"Bộ phận một cửa – {unit.name}",
                    unit=unit,
                )
            found = (unit, department, agency.code)
            units[procedure.code][ward.pk] = found
        return found

    days = []
    day = start
    while day <= end:
        if is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    accepted_days = sorted(rng.choice(days) for _ in range(count))
    # Numbers already given on those days (real dossiers, an earlier run) are not reused.
    counters: dict[tuple[str, dt.date], int] = defaultdict(int)
    for agency_code, day_, last in DailyCounter.objects.filter(
        day__gte=start, day__lte=end
    ).values_list("agency_code", "day", "last"):
        counters[(agency_code, day_)] = last
    summary = DemoSummary()
    pending: list[tuple] = []

    for i, accepted_on in enumerate(accepted_days):
        procedure = procedures[rng.choices(codes, weights)[0]]
        parcel_id, ward_id, address, point, area = parcels[i % len(parcels)]
        ward = ward_by_id[ward_id]
        unit, department, agency_code = office(procedure, ward)
        counters[(agency_code, accepted_on)] += 1
        code = f"{agency_code}-{accepted_on:%y%m%d}-{counters[(agency_code, accepted_on)]:04d}"
        variants: dict[str, str] = {}
        for target in [procedure, *[b.component for b in procedure.branches.all()]]:
            if target.deadline_variants:
                variants[target.code] = rng.choice(target.variant_codes())
        branch_rows = []
        if procedure.is_combined:
            for item in procedure.branches.all():
                component = item.component
                due = add_working_days(
                    accepted_on, component.days_for(variants.get(component.code, ""))
                )
                branch_rows.append(
                    {"procedure": component, "required": item.required, "deadline": due}
                )
            deadline = max(b["deadline"] for b in branch_rows)
        else:
            deadline = add_working_days(
                accepted_on, procedure.days_for(variants.get(procedure.code, ""))
            )
        allowed = working_days_between(accepted_on, deadline)
        # How long it really takes: mostly well within the deadline, a few over it.
        late_case = rng.random() < 0.06
        if late_case:
            needed = allowed + rng.randint(1, 8)
        elif rng.random() < 0.2:
            needed = allowed  # decided on the last day
        else:
            needed = max(1, int(allowed * rng.uniform(0.45, 1.0)))
        supplements = 0
        roll = rng.random()
        if roll < 0.015:
            supplements = 2
        elif roll < 0.16:
            supplements = 1
        floors = (
            rng.choice((2, 3, 3, 4, 4, 4, 5, 5, 6, 7, 9))
            if procedure.is_permit or procedure.is_combined
            else None
        )
        footprint = Decimal(str(round(float(area) * rng.uniform(0.6, 0.95), 1))) if floors else None
        submitted = add_working_days(accepted_on, -rng.randint(0, 2))
        channel = Channel.ONLINE if submitted != accepted_on else Channel.COUNTER
        dossier = Dossier(
            code=code,
            procedure=procedure,
            variants=variants,
            channel=channel,
            status=Status.ACCEPTED,
            applicant_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            applicant_id_number=f"079{rng.choice('0123')}{rng.randint(40, 99)}{rng.randint(0, 999999):06d}",
            applicant_phone=f"09{rng.randint(0, 99_999_999):08d}",
            applicant_address=address or "",
            parcel_id=parcel_id,
            location=Point(point.x, point.y, srid=4326),
            address=address or "",
            ward=ward,
            unit=unit,
            department=department,
            agency_code=agency_code,
            handler=acting(handler, policy.Action.HANDLE, unit, department),
            submitted_at=clock.at(submitted),
            accepted_at=clock.at(accepted_on),
            accepted_on=accepted_on,
            deadline=deadline,
            appointment_date=deadline,
            floors=floors,
            height_m=Decimal(str(round(floors * 3.6 + 1.2, 1))) if floors else None,
            footprint_m2=footprint,
            gross_floor_area_m2=(footprint * floors) if floors else None,
            setback_m=Decimal(str(rng.choice((0, 1.5, 2, 2.4, 3)))) if floors else None,
            description="",
        )
        lines: list[dict] = [
            {
                "step": Step.SUBMITTED,
                "at": dossier.submitted_at,
                "from": Status.DRAFT,
                "to": Status.SUBMITTED,
            },
            {
                "step": Step.ACCEPTED,
                "at": dossier.accepted_at,
                "from": Status.SUBMITTED,
                "to": Status.ACCEPTED,
            },
        ]
        routed = add_working_days(accepted_on, 1)
        status = Status.ACCEPTED
        if routed <= end:
            lines.append(
                {
                    "step": Step.ROUTED,
                    "at": clock.at(routed),
                    "from": status,
                    "to": Status.PROCESSING,
                    "receiver": True,
                }
            )
            status = Status.PROCESSING
        # Supplements pause the clock: the deadline moves on by the days waited.
        cursor = routed
        paused_total = 0
        for _n in range(supplements):
            asked = add_working_days(cursor, rng.randint(1, 4))
            if asked > end or asked >= dossier.deadline:
                break
            back = add_working_days(asked, rng.randint(2, 10))
            lines.append(
                {
                    "step": Step.SUPPLEMENT_REQUESTED,
                    "at": clock.at(asked),
                    "from": status,
                    "to": Status.SUPPLEMENT,
                    "note": "Bổ sung bản vẽ kết cấu móng",
                }
            )
            dossier.supplement_requests += 1
            if back > end:
                dossier.paused_since = asked
                status = Status.SUPPLEMENT
                break
            lost = working_days_between(asked, back)
            paused_total += lost
            dossier.deadline = add_working_days(dossier.deadline, lost)
            dossier.appointment_date = dossier.deadline
            lines.append(
                {
                    "step": Step.SUPPLEMENT_RECEIVED,
                    "at": clock.at(back),
                    "from": Status.SUPPLEMENT,
                    "to": Status.PROCESSING,
                }
            )
            status = Status.PROCESSING
            cursor = back
        dossier.paused_working_days = paused_total
        # Decided after its last step, whatever the draw said.
        decided_on = max(
            add_working_days(accepted_on, needed + paused_total), add_working_days(cursor, 1)
        )
        if late_case and rng.random() < 0.6:
            apology_day = add_working_days(dossier.deadline, -1)
            if accepted_on < apology_day <= end:
                dossier.apology_count = 1
                dossier.apology_issued_on = apology_day
                dossier.apology_reason = "Chờ ý kiến của cơ quan phối hợp"
                dossier.appointment_date = add_working_days(dossier.deadline, rng.randint(5, 10))
                lines.append(
                    {
                        "step": Step.APOLOGY,
                        "at": clock.at(apology_day),
                        "from": status,
                        "to": status,
                        "note": dossier.apology_reason,
                    }
                )
        consultation_rows = []
        for template in procedure.consultations.all():
            due = add_working_days(accepted_on, template.reply_days)
            replied = rng.random() < 0.8
            reply_day = add_working_days(accepted_on, rng.randint(2, template.reply_days))
            row = {"template": template, "requested_on": accepted_on, "reply_due": due}
            if replied and reply_day <= end:
                row.update(status=ConsultationStatus.AGREED, replied_at=clock.at(reply_day))
                lines.append(
                    {
                        "step": Step.CONSULTATION_REPLIED,
                        "at": row["replied_at"],
                        "from": status,
                        "to": status,
                        "note": f"{template.agency_name}: đồng ý",
                    }
                )
            elif due < end:
                deemed = add_working_days(due, 1)
                row.update(
                    status=ConsultationStatus.DEEMED_AGREED, replied_at=clock.at(deemed, 7.0)
                )
                lines.append(
                    {
                        "step": Step.CONSULTATION_DEEMED,
                        "at": row["replied_at"],
                        "from": status,
                        "to": status,
                        "note": template.agency_name,
                        "system": True,
                    }
                )
            consultation_rows.append(row)
        finished = status == Status.PROCESSING and decided_on <= end
        for row in branch_rows:
            close_day = min(
                decided_on,
                add_working_days(accepted_on, max(1, int(needed * rng.uniform(0.5, 1.0)))),
            )
            if finished or (close_day <= end and rng.random() < 0.5):
                row.update(status=BranchStatus.APPROVED, closed_at=clock.at(close_day))
                lines.append(
                    {
                        "step": Step.BRANCH_CLOSED,
                        "at": row["closed_at"],
                        "from": status,
                        "to": status,
                        "note": f"{row['procedure'].name}: đạt",
                    }
                )
        if finished:
            dossier.decided_on = decided_on
            dossier.decided_at = clock.at(decided_on, 16.0)
            dossier.result = Result.ISSUED if rng.random() < 0.93 else Result.REFUSED
            dossier.timing = judge_timing(
                decided_on=decided_on,
                deadline=dossier.deadline,
                supplement_requests=dossier.supplement_requests,
            )
            dossier.working_days_used = max(
                0, working_days_between(accepted_on, decided_on) - paused_total
            )
            lines.append(
                {
                    "step": Step.DECIDED,
                    "at": dossier.decided_at,
                    "from": status,
                    "to": Status.DECIDED,
                    "leader": True,
                }
            )
            status = Status.DECIDED
            returned = add_working_days(decided_on, rng.randint(1, 4))
            if returned <= end:
                dossier.returned_at = clock.at(returned)
                dossier.rating = (
                    rng.choices((5, 4, 3, 2, 1), (55, 30, 10, 3, 2))[0]
                    if rng.random() < 0.7
                    else None
                )
                lines.append(
                    {
                        "step": Step.RETURNED,
                        "at": dossier.returned_at,
                        "from": status,
                        "to": Status.RETURNED,
                    }
                )
                status = Status.RETURNED
            summary.late += dossier.timing == Timing.LATE
        elif status == Status.PROCESSING and rng.random() < 0.03:
            lines.append(
                {
                    "step": Step.WITHDRAWN,
                    "at": clock.at(min(end, add_working_days(accepted_on, 2))),
                    "from": status,
                    "to": Status.WITHDRAWN,
                    "note": "Người nộp rút hồ sơ",
                }
            )
            status = Status.WITHDRAWN
        dossier.status = status
        summary.open += status in (
            Status.ACCEPTED,
            Status.PROCESSING,
            Status.SUPPLEMENT,
            Status.FEES,
        )
        summary.inter_agency += procedure.is_combined
        chief = acting(leader, policy.Action.APPROVE, unit, department)
        people = (
            dossier.handler,
            chief,
            post_of(dossier.handler, policy.Action.HANDLE, unit, department),
            post_of(chief, policy.Action.APPROVE, unit, department),
        )
        pending.append((dossier, lines, branch_rows, consultation_rows, people))
        if len(pending) >= BATCH:
            _write(pending, summary)
            pending = []
            if progress:
                print(f"  {summary.dossiers} dossiers…", flush=True)
    _write(pending, summary)
    _bump_counters(counters)
    return summary


def _write(pending: list, summary: DemoSummary) -> None:
    if not pending:
        return
    with transaction.atomic():
        dossiers = Dossier.objects.bulk_create([row[0] for row in pending], batch_size=2000)
        handoffs, branches, consultations = [], [], []
        for dossier, (_d, lines, branch_rows, consultation_rows, people) in zip(
            dossiers, pending, strict=True
        ):
            handler, leader, handler_post, leader_post = people
            for line in _in_order(lines):
                sender = None if line.get("system") else (leader if line.get("leader") else handler)
                if line["step"] == Step.SUBMITTED and dossier.channel == Channel.ONLINE:
                    sender = None
                handoffs.append(
                    HandOff(
                        dossier=dossier,
                        at=line["at"],
                        step=line["step"],
                        from_status=line["from"],
                        to_status=line["to"],
                        sender=sender,
                        sender_name=_name(sender),
                        sender_post=(
                            None
                            if sender is None
                            else (leader_post if sender is leader else handler_post)
                        ),
                        receiver=handler if line.get("receiver") else None,
                        receiver_name=_name(handler) if line.get("receiver") else "",
                        timing=_line_timing(line["at"].date(), dossier)
                        if line["step"] != Step.SUBMITTED
                        else "",
                        note=line.get("note", ""),
                    )
                )
            for row in branch_rows:
                branches.append(
                    Branch(
                        dossier=dossier,
                        procedure=row["procedure"],
                        required=row["required"],
                        deadline=row["deadline"],
                        status=row.get("status", BranchStatus.OPEN),
                        closed_at=row.get("closed_at"),
                        closed_by=handler if row.get("closed_at") else None,
                    )
                )
            for row in consultation_rows:
                template = row["template"]
                consultations.append(
                    Consultation(
                        dossier=dossier,
                        agency_code=template.agency_code,
                        agency_name=template.agency_name,
                        field=template.field,
                        requested_on=row["requested_on"],
                        reply_due=row["reply_due"],
                        status=row.get("status", ConsultationStatus.PENDING),
                        replied_at=row.get("replied_at"),
                    )
                )
        HandOff.objects.bulk_create(handoffs, batch_size=5000)
        Branch.objects.bulk_create(branches, batch_size=5000)
        Consultation.objects.bulk_create(consultations, batch_size=5000)
    summary.dossiers += len(dossiers)
    summary.handoffs += len(handoffs)
    summary.branches += len(branches)
    summary.consultations += len(consultations)


def _in_order(lines: list[dict]) -> list[dict]:
    """The lines by time, each at least a minute after the one before, with the statuses of
    the lines that only record something (a reply, an apology) taken from the running one."""
    ordered = sorted(lines, key=lambda line: line["at"])
    running = None
    previous = None
    for line in ordered:
        if previous is not None and line["at"] <= previous:
            line["at"] = previous + dt.timedelta(minutes=1)
        previous = line["at"]
        if line["from"] == line["to"] and running is not None:
            line["from"] = line["to"] = running
        elif running is not None:
            line["from"] = running
        running = line["to"]
    return ordered


def _name(user: Any) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username())[:200]


def _line_timing(day: dt.date, dossier: Dossier) -> str:
    if day < dossier.deadline:
        return Timing.EARLY
    return Timing.ON_TIME if day == dossier.deadline else Timing.LATE


def _bump_counters(counters: dict[tuple[str, dt.date], int]) -> None:
    """Later real acceptances on these days continue after the demo's numbers."""
    if not counters:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            """INSERT INTO dossiers_dailycounter (agency_code, day, last) VALUES (%s, %s, %s)
               ON CONFLICT (agency_code, day) DO UPDATE
               SET last = GREATEST(dossiers_dailycounter.last, EXCLUDED.last)""",
            [(agency, day, last) for (agency, day), last in counters.items()],
        )
