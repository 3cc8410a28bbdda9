"""Dossier figures per unit, department and period, for the leaders' dashboard and the API.

On-time rate (Decision 766/QĐ-TTg, indicator 2.1): the dossiers finished early or on time in
the period plus those still open within their deadline at its end, divided by all dossiers
handled in the period (finished in it, or open at its end). Deadlines already exclude the
time spent waiting for the applicant's supplement, and a dossier asked for more than one
supplement counts as late (both settled when the dossier is decided, see
`dossiers.services`). Lateness is against the original deadline, never the apology's date.

Everything is one aggregate query over the dossiers, grouped as asked: no query, and no
working-day arithmetic, per dossier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from dossiers.models import FINISHED_STATUSES, OPEN_STATUSES, Dossier, Timing
from gis.models import AdminUnit

GROUPS = {"ward": "ward_id", "unit": "unit_id", "department": "department_id"}


@dataclass(frozen=True)
class Figures:
    """The figures of one group (a ward, a handling unit, a department) or of everything."""

    key: int | None
    received: int
    finished: int
    early: int
    on_time: int
    late: int
    open_within: int
    open_overdue: int
    on_time_rate: float | None  # percent
    average_working_days: float | None
    permits_received: int
    inter_agency: int
    inter_agency_share: float | None  # percent of the permits received

    @property
    def handled(self) -> int:
        return self.finished + self.open_within + self.open_overdue

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "handled": self.handled}


def subtree_ids(unit: AdminUnit) -> list[int]:
    """The unit and every unit under it (a few queries, one per level)."""
    ids = [unit.pk]
    frontier = [unit.pk]
    for _depth in range(10):
        frontier = list(
            AdminUnit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        if not frontier:
            break
        ids.extend(frontier)
    return ids


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def dossier_figures(
    *,
    start: dt.date,
    end: dt.date,
    unit: AdminUnit | None = None,
    department_id: int | None = None,
    by: str | None = None,
    dossiers: QuerySet[Dossier] | None = None,
) -> list[Figures]:
    """Figures for the period [start, end] (dates included).

    `unit` keeps the dossiers located in it (their ward in its subtree); `department_id`
    those routed to that department; `dossiers` is the base queryset (pass one scoped by
    `urbanmgmt.policy` for a person's view). `by` groups the answer by "ward", "unit"
    (handling unit) or "department"; without it there is one row, key None.
    """
    if by is not None and by not in GROUPS:
        raise ValueError(f"by must be one of {sorted(GROUPS)}")
    if end < start:
        raise ValueError("The period ends before it starts")
    rows = (dossiers if dossiers is not None else Dossier.objects.all()).filter(
        accepted_on__isnull=False, accepted_on__lte=end
    )
    # Dossiers finished before the period have nothing to do with it.
    rows = rows.filter(Q(decided_on__isnull=True) | Q(decided_on__gte=start))
    if unit is not None:
        rows = rows.filter(ward_id__in=subtree_ids(unit))
    if department_id is not None:
        rows = rows.filter(department_id=department_id)

    finished = Q(status__in=FINISHED_STATUSES, decided_on__gte=start, decided_on__lte=end)
    # Open at the end of the period: still open now, or decided only after it.
    open_at_end = Q(status__in=OPEN_STATUSES) | Q(status__in=FINISHED_STATUSES, decided_on__gt=end)
    received = Q(accepted_on__gte=start)
    permit = Q(procedure__is_permit=True) | Q(procedure__is_combined=True)
    aggregates = {
        "received": Count("id", filter=received),
        "finished": Count("id", filter=finished),
        "early": Count("id", filter=finished & Q(timing=Timing.EARLY)),
        "on_time": Count("id", filter=finished & Q(timing=Timing.ON_TIME)),
        "late": Count("id", filter=finished & Q(timing=Timing.LATE)),
        "open_within": Count("id", filter=open_at_end & Q(deadline__gte=end)),
        "open_overdue": Count("id", filter=open_at_end & Q(deadline__lt=end)),
        "average_working_days": Avg("working_days_used", filter=finished),
        "permits_received": Count("id", filter=received & permit),
        "inter_agency": Count("id", filter=received & Q(procedure__is_combined=True)),
    }
    if by is None:
        results = [{"key": None, **rows.order_by().aggregate(**aggregates)}]
    else:
        column = GROUPS[by]
        results = [
            {"key": row.pop(column), **row}
            for row in rows.order_by().values(column).annotate(**aggregates).order_by(column)
        ]
    figures = []
    for row in results:
        handled = row["finished"] + row["open_within"] + row["open_overdue"]
        average = row["average_working_days"]
        figures.append(
            Figures(
                key=row["key"],
                received=row["received"],
                finished=row["finished"],
                early=row["early"],
                on_time=row["on_time"],
                late=row["late"],
                open_within=row["open_within"],
                open_overdue=row["open_overdue"],
                on_time_rate=_percent(row["early"] + row["on_time"] + row["open_within"], handled),
                average_working_days=round(float(average), 1) if average is not None else None,
                permits_received=row["permits_received"],
                inter_agency=row["inter_agency"],
                inter_agency_share=_percent(row["inter_agency"], row["permits_received"]),
            )
        )
    return figures


def totals(**kwargs: Any) -> Figures:
    """The figures of the whole selection, ungrouped."""
    return dossier_figures(by=None, **kwargs)[0]


def count_dossiers_by_unit(unit_ids: Sequence[int]) -> dict[int, int]:
    """Dossiers received in the last 365 days located in each unit (ward, district or city),
    for the map's unit figures: one grouped query over the wards, summed up the tree."""
    since = timezone.localdate() - dt.timedelta(days=365)
    wanted = set(unit_ids)
    counts: dict[int, int] = {}
    rows = (
        Dossier.objects.filter(accepted_on__gte=since)
        .order_by()
        .values_list("ward_id", "ward__parent_id", "ward__parent__parent_id")
        .annotate(n=Count("id"))
    )
    for ward_id, parent_id, grandparent_id, n in rows:
        for unit_id in {ward_id, parent_id, grandparent_id}:
            if unit_id in wanted:
                counts[unit_id] = counts.get(unit_id, 0) + n
    return counts
