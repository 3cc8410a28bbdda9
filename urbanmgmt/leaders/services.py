"""Leaders' figures for a district or a ward and a period, read through the access policy.

Dossiers: received, finished early / on time / late, the Decision 766 on-time rate, average
processing days and the inter-agency share, from `dossiers.figures.dossier_figures` (per
ward, per department and in all). Reports: received, resolved, median resolution time and
overdue, in the same shape, from one grouped query each (the reports app has no such
figures). Both per month for the trend, and each officer's open and overdue cases with
their median time.

Scope goes through `policy.scope`. Figures and heat maps are about places, so they keep to
the reports and dossiers located in the units the person may view (`unit_field="ward"`) and,
for a post tied to a department, routed to that department: a ward leader's figures hold
their ward's cases, whoever handles them (a permit the district or the city decides, a drain
the district's department clears), never another ward's; the district leader's hold every
case in the district, so the share of permits that went the inter-agency route (decided by
the city) is there. Staff progress is about people: the officers of the posts the person
may view, and their cases by the handling unit (`unit_field="unit"`), as their queues hold
them, so a ward leader sees the ward's officers and not the district's.

Everything here only reads: one query per table (never per ward, month or officer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Aggregate, Count, DurationField, F, FloatField, Q, QuerySet
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.figures import Figures, dossier_figures
from dossiers.models import FINISHED_STATUSES, Dossier, Timing
from dossiers.models import OPEN_STATUSES as DOSSIER_OPEN
from gis.models import BASE_LEVELS, AdminUnit, UnitLevel
from reports.models import OPEN_STATUSES as REPORT_OPEN
from reports.models import Category, Report, Status
from urbanmgmt import policy
from urbanmgmt.models import Department, Post, Role

#: Levels a dashboard is drawn for: a district framed with its wards, or one ward.
DASHBOARD_LEVELS = (UnitLevel.DISTRICT, *BASE_LEVELS)
HANDLING_ROLES = (Role.OFFICER, Role.DEPUTY_HEAD, Role.HEAD)
DAY = dt.timedelta(days=1)


class LeadersError(ValueError):
    """A request the dashboard cannot answer (the message is for the person asking)."""


# --- periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole local days from `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_before(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.end + DAY, dt.time.min))

    def months(self) -> list[Period]:
        """The calendar months it touches, each cut to the period."""
        months, first = [], self.start.replace(day=1)
        while first <= self.end:
            following = (first + dt.timedelta(days=32)).replace(day=1)
            months.append(Period(max(first, self.start), min(following - DAY, self.end)))
            first = following
        return months


# --- the frame: a district with its wards, or a ward ---------------------------------------


@dataclass(frozen=True)
class Frame:
    """The unit a dashboard is about and the wards its figures are split by."""

    unit: AdminUnit
    wards: tuple[AdminUnit, ...]

    @property
    def ward_ids(self) -> list[int]:
        return [ward.id for ward in self.wards]

    @property
    def unit_ids(self) -> list[int]:
        """The unit and the wards: where the officers of its posts sit."""
        return sorted({self.unit.id, *self.ward_ids})


def current_units() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.valid_on().defer("geom", "geom_3857")


def frame_for(user: Any, code: str) -> Frame | None:
    """The district or ward with this code today, if the person may view it (else None:
    the caller answers 404, whether the unit does not exist or is out of scope)."""
    unit = (
        AdminUnit.objects.valid_on()
        .filter(code=code, level__in=DASHBOARD_LEVELS)
        .defer("geom_3857")
        .select_related("parent")
        .defer("parent__geom", "parent__geom_3857")
        .first()
    )
    if unit is None or not policy.can(user, policy.Action.VIEW, unit.id):
        return None
    if unit.level == UnitLevel.DISTRICT:
        wards = tuple(current_units().filter(parent=unit).base_units().order_by("code"))
    else:
        wards = (unit,)
    return Frame(unit=unit, wards=wards)


def viewable_units(user: Any) -> list[AdminUnit]:
    """The districts and wards the person may view, for the index: those of their posts, and
    a city post's districts."""
    if policy.is_superuser(user):
        units = current_units().filter(level=UnitLevel.DISTRICT)
    else:
        ids = {post.unit_id for post in policy.posts(user)}
        units = current_units().filter(
            Q(id__in=ids, level__in=DASHBOARD_LEVELS)
            | Q(parent_id__in=ids, level=UnitLevel.DISTRICT)
        )
    return [u for u in units.order_by("code") if policy.can(user, policy.Action.VIEW, u.id)]


# --- scoping ------------------------------------------------------------------------------


def scoped_reports(user: Any, *, handled: bool = False) -> QuerySet[Report]:
    """The reports the person may view: located in their units (for figures and heat maps),
    or with `handled`, handled by them (as in their queue)."""
    return policy.scope(
        user,
        Report.objects.all(),
        unit_field="unit" if handled else "ward",
        department_field="department",
    )


def scoped_dossiers(user: Any, *, handled: bool = False) -> QuerySet[Dossier]:
    return policy.scope(
        user,
        Dossier.objects.all(),
        unit_field="unit" if handled else "ward",
        department_field="department",
    )


def reports_of_kind(
    reports: QuerySet[Report], *, category: Category | None = None, group: str = ""
) -> QuerySet[Report]:
    if category is not None:
        return reports.filter(category_id=category.pk)
    if group:
        return reports.filter(category__group=group)
    return reports


# --- report figures -----------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's continuous median (interpolated between the two middle values)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


@dataclass(frozen=True)
class ReportFigures:
    """Reports of one group (a ward, a department) or of everything, for a period.

    `received`: filed in the period. `resolved`: resolved in it; `median_days` is the median
    of their time from filing to resolution (calendar days). `open_at_end`: still open at
    the period's end; `overdue`: those of them past their due date then (for a period
    ending today, the queue's "overdue" reports).
    """

    key: int | None
    received: int
    resolved: int
    median_days: float | None
    open_at_end: int
    overdue: int


def _report_aggregates(period: Period) -> dict[str, Any]:
    start_at, end_before = period.start_at, period.end_before
    resolved = Q(status=Status.RESOLVED, closed_at__gte=start_at, closed_at__lt=end_before)
    open_at_end = Q(created_at__lt=end_before) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=end_before)
    )
    return {
        "received": Count("id", filter=Q(created_at__gte=start_at, created_at__lt=end_before)),
        "resolved": Count("id", filter=resolved),
        "median": Median(
            F("closed_at") - F("created_at"), filter=resolved, output_field=DurationField()
        ),
        "open_at_end": Count("id", filter=open_at_end),
        "overdue": Count("id", filter=open_at_end & Q(due_date__lt=period.end)),
    }


def _in_play(reports: QuerySet[Report], period: Period) -> QuerySet[Report]:
    """Reports that matter to the period: filed before its end, not closed before it."""
    return reports.filter(created_at__lt=period.end_before).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=period.start_at)
    )


def _days(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 1)


def report_figures(
    reports: QuerySet[Report], period: Period, *, by: str | None = None
) -> list[ReportFigures]:
    """Figures of `reports` (already scoped and filtered) for `period`, in one query.

    `by` groups them by a column ("ward_id", "department_id", "assignee_id"); without it
    there is one row, key None.
    """
    rows = _in_play(reports.order_by(), period)
    aggregates = _report_aggregates(period)
    if by is None:
        results = [{"key": None, **rows.aggregate(**aggregates)}]
    else:
        results = [
            {"key": row.pop(by), **row}
            for row in rows.values(by).annotate(**aggregates).order_by(by)
        ]
    return [
        ReportFigures(
            key=row["key"],
            received=row["received"],
            resolved=row["resolved"],
            median_days=_days(row["median"]),
            open_at_end=row["open_at_end"],
            overdue=row["overdue"],
        )
        for row in results
    ]


# --- the figures of a table row -----------------------------------------------------------


@dataclass(frozen=True)
class FigureDef:
    """One column of the tables, the choropleth and the exports."""

    key: str
    label: str | Promise
    kind: str  # "count", "percent", "days"
    get: Callable[[Row], float | int | None]
    tone: str = "neutral"  # "good": more is better; "bad": more is worse (the map's colours)
    on_map: bool = True


@dataclass(frozen=True)
class Row:
    """A ward, a department or the total, with its reports' and dossiers' figures."""

    key: int | None
    code: str
    name: str
    reports: ReportFigures | None
    dossiers: Figures | None

    def value(self, figure: FigureDef) -> float | int | None:
        return figure.get(self)

    @property
    def inter_agency_text(self) -> str:
        return inter_agency_text(self.dossiers)


def _r(attr: str) -> Callable[[Row], Any]:
    return lambda row: getattr(row.reports, attr) if row.reports else 0


def _d(attr: str) -> Callable[[Row], Any]:
    return lambda row: getattr(row.dossiers, attr) if row.dossiers else 0


def _d_rate(attr: str) -> Callable[[Row], Any]:
    return lambda row: getattr(row.dossiers, attr) if row.dossiers else None


FIGURES: tuple[FigureDef, ...] = (
    FigureDef("reports_received", gettext_lazy("Reports received"), "count", _r("received")),
    FigureDef(
        "reports_resolved",
        gettext_lazy("Reports resolved"),
        "count",
        _r("resolved"),
        tone="good",
    ),
    FigureDef(
        "reports_median_days",
        gettext_lazy("Median days to resolve"),
        "days",
        lambda row: row.reports.median_days if row.reports else None,
        tone="bad",
    ),
    FigureDef(
        "reports_overdue", gettext_lazy("Reports overdue"), "count", _r("overdue"), tone="bad"
    ),
    FigureDef("dossiers_received", gettext_lazy("Dossiers received"), "count", _d("received")),
    FigureDef(
        "dossiers_early",
        gettext_lazy("Finished early"),
        "count",
        _d("early"),
        tone="good",
        on_map=False,
    ),
    FigureDef(
        "dossiers_on_time",
        gettext_lazy("Finished on time"),
        "count",
        _d("on_time"),
        tone="good",
        on_map=False,
    ),
    FigureDef("dossiers_late", gettext_lazy("Finished late"), "count", _d("late"), tone="bad"),
    FigureDef(
        "dossiers_on_time_rate",
        gettext_lazy("On-time rate (%)"),
        "percent",
        _d_rate("on_time_rate"),
        tone="good",
    ),
    FigureDef(
        "dossiers_average_days",
        gettext_lazy("Average processing (working days)"),
        "days",
        _d_rate("average_working_days"),
        tone="bad",
    ),
    FigureDef(
        "inter_agency_share",
        gettext_lazy("Permits through the inter-agency route (%)"),
        "percent",
        _d_rate("inter_agency_share"),
    ),
)


def format_value(figure: FigureDef, value: float | int | None) -> str:
    if value is None:
        return "–"
    if figure.kind == "count":
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return formats.number_format(value, 1, use_l10n=True)


def inter_agency_text(figures: Figures | None) -> str:
    """“97 of 312, 31.1%”: permits received through the inter-agency route, of all permits."""
    if figures is None or not figures.permits_received:
        return "–"
    return _("%(part)s of %(whole)s, %(share)s%%") % {
        "part": formats.number_format(figures.inter_agency, force_grouping=True),
        "whole": formats.number_format(figures.permits_received, force_grouping=True),
        "share": formats.number_format(figures.inter_agency_share, 1),
    }


@dataclass(frozen=True)
class Tables:
    wards: list[Row]
    departments: list[Row]
    total: Row


def tables(
    user: Any,
    frame: Frame,
    period: Period,
    *,
    category: Category | None = None,
    group: str = "",
) -> Tables:
    """Figures per ward, per department and in all (7 queries whatever the size).

    Reports keep to `category` or `group` when one is given; dossiers have no categories.
    """
    reports = reports_of_kind(
        scoped_reports(user).filter(ward_id__in=frame.ward_ids), category=category, group=group
    )
    dossiers = scoped_dossiers(user).filter(ward_id__in=frame.ward_ids)

    def dossiers_by(by: str | None) -> dict[int | None, Figures]:
        figures = dossier_figures(start=period.start, end=period.end, by=by, dossiers=dossiers)
        return {f.key: f for f in figures}

    def reports_by(by: str | None) -> dict[int | None, ReportFigures]:
        return {f.key: f for f in report_figures(reports, period, by=by)}

    by_ward_d, by_ward_r = dossiers_by("ward"), reports_by("ward_id")
    ward_rows = [
        Row(w.id, w.code, w.name, by_ward_r.get(w.id), by_ward_d.get(w.id)) for w in frame.wards
    ]
    by_dept_d, by_dept_r = dossiers_by("department"), reports_by("department_id")
    keys = set(by_dept_d) | set(by_dept_r)
    names = {
        d.id: (d.code, d.name)
        for d in Department.objects.filter(id__in=[k for k in keys if k is not None])
    }
    department_rows = sorted(
        (
            Row(
                key,
                names.get(key, ("", ""))[0] if key is not None else "",
                names.get(key, ("", ""))[1] if key is not None else _("Ward offices"),
                by_dept_r.get(key),
                by_dept_d.get(key),
            )
            for key in keys
        ),
        key=lambda row: (row.key is None, row.code),
    )
    total = Row(
        None,
        frame.unit.code,
        str(_("Total")),
        report_figures(reports, period)[0],
        dossiers_by(None)[None],
    )
    return Tables(wards=ward_rows, departments=department_rows, total=total)


# --- monthly trend ------------------------------------------------------------------------

TRENDS: dict[str, str | Promise] = {
    "reports": gettext_lazy("Reports"),
    "dossiers": gettext_lazy("Dossiers"),
    "on_time": gettext_lazy("On-time rate"),
}


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str
    values: list[float | None]


@dataclass(frozen=True)
class Trend:
    key: str
    title: str
    unit: str
    months: list[Period]
    series: list[Series]

    @property
    def labels(self) -> list[str]:
        return [month.start.strftime("%m/%Y") for month in self.months]


def _dossier_month_aggregates(month: Period, i: int) -> dict[str, Any]:
    """The aggregates of `dossiers.figures.dossier_figures` for one month, as FILTERs
    (the same definitions; tests hold the two equal)."""
    start, end = month.start, month.end
    in_play = Q(accepted_on__isnull=False, accepted_on__lte=end) & (
        Q(decided_on__isnull=True) | Q(decided_on__gte=start)
    )
    finished = in_play & Q(status__in=FINISHED_STATUSES, decided_on__gte=start, decided_on__lte=end)
    open_at_end = in_play & (
        Q(status__in=DOSSIER_OPEN) | Q(status__in=FINISHED_STATUSES, decided_on__gt=end)
    )
    return {
        f"received_{i}": Count("id", filter=in_play & Q(accepted_on__gte=start)),
        f"finished_{i}": Count("id", filter=finished),
        f"good_{i}": Count("id", filter=finished & Q(timing__in=[Timing.EARLY, Timing.ON_TIME])),
        f"late_{i}": Count("id", filter=finished & Q(timing=Timing.LATE)),
        f"within_{i}": Count("id", filter=open_at_end & Q(deadline__gte=end)),
        f"overdue_{i}": Count("id", filter=open_at_end & Q(deadline__lt=end)),
    }


def _report_month_aggregates(month: Period, i: int) -> dict[str, Any]:
    start_at, end_before = month.start_at, month.end_before
    open_at_end = Q(created_at__lt=end_before) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=end_before)
    )
    return {
        f"received_{i}": Count("id", filter=Q(created_at__gte=start_at, created_at__lt=end_before)),
        f"resolved_{i}": Count(
            "id",
            filter=Q(status=Status.RESOLVED, closed_at__gte=start_at, closed_at__lt=end_before),
        ),
        f"overdue_{i}": Count("id", filter=open_at_end & Q(due_date__lt=month.end)),
    }


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def trend(
    user: Any,
    frame: Frame,
    period: Period,
    key: str = "reports",
    *,
    category: Category | None = None,
    group: str = "",
) -> Trend:
    """The period month by month (one query): reports, dossiers or the on-time rate."""
    months = period.months()
    if key == "reports":
        reports = reports_of_kind(
            scoped_reports(user).filter(ward_id__in=frame.ward_ids),
            category=category,
            group=group,
        )
        aggregates: dict[str, Any] = {}
        for i, month in enumerate(months):
            aggregates.update(_report_month_aggregates(month, i))
        row = _in_play(reports.order_by(), period).aggregate(**aggregates)
        series = [
            Series(
                "received",
                _("Received"),
                "#1d4ed8",
                [row[f"received_{i}"] for i in range(len(months))],
            ),
            Series(
                "resolved",
                _("Resolved"),
                "#15803d",
                [row[f"resolved_{i}"] for i in range(len(months))],
            ),
            Series(
                "overdue",
                _("Overdue at the month's end"),
                "#b91c1c",
                [row[f"overdue_{i}"] for i in range(len(months))],
            ),
        ]
        return Trend(key, _("Reports per month"), _("reports"), months, series)
    if key not in ("dossiers", "on_time"):
        raise LeadersError(_("Unknown trend “%(key)s”.") % {"key": key})
    dossiers = scoped_dossiers(user).filter(ward_id__in=frame.ward_ids)
    aggregates = {}
    for i, month in enumerate(months):
        aggregates.update(_dossier_month_aggregates(month, i))
    row = (
        dossiers.order_by()
        .filter(accepted_on__isnull=False, accepted_on__lte=period.end)
        .filter(Q(decided_on__isnull=True) | Q(decided_on__gte=period.start))
        .aggregate(**aggregates)
    )
    n = range(len(months))
    if key == "dossiers":
        series = [
            Series("received", _("Received"), "#1d4ed8", [row[f"received_{i}"] for i in n]),
            Series("finished", _("Finished"), "#15803d", [row[f"finished_{i}"] for i in n]),
            Series("late", _("Finished late"), "#b91c1c", [row[f"late_{i}"] for i in n]),
        ]
        return Trend(key, _("Dossiers per month"), _("dossiers"), months, series)
    rates = []
    for i in n:
        handled = row[f"finished_{i}"] + row[f"within_{i}"] + row[f"overdue_{i}"]
        rates.append(_rate(row[f"good_{i}"] + row[f"within_{i}"], handled))
    series = [Series("on_time_rate", _("On-time rate"), "#15803d", rates)]
    return Trend(key, _("On-time rate per month (Decision 766)"), "%", months, series)


# --- staff progress -----------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    """One officer: their open and overdue cases today, and their median time over the
    period (reports: calendar days from filing to resolution; dossiers: working days)."""

    user_id: int
    name: str
    posts: str
    reports_open: int = 0
    reports_overdue: int = 0
    reports_resolved: int = 0
    reports_median_days: float | None = None
    dossiers_open: int = 0
    dossiers_overdue: int = 0
    dossiers_finished: int = 0
    dossiers_median_days: float | None = None

    @property
    def open(self) -> int:
        return self.reports_open + self.dossiers_open

    @property
    def overdue(self) -> int:
        return self.reports_overdue + self.dossiers_overdue


STAFF_COLUMNS: tuple[tuple[str, str | Promise], ...] = (
    ("reports_open", gettext_lazy("Reports open")),
    ("reports_overdue", gettext_lazy("Reports overdue")),
    ("reports_resolved", gettext_lazy("Reports resolved")),
    ("reports_median_days", gettext_lazy("Median days (reports)")),
    ("dossiers_open", gettext_lazy("Dossiers open")),
    ("dossiers_overdue", gettext_lazy("Dossiers overdue")),
    ("dossiers_finished", gettext_lazy("Dossiers finished")),
    ("dossiers_median_days", gettext_lazy("Median working days (dossiers)")),
)


def _display_name(user: Any) -> str:
    return user.get_full_name() or user.username


def staff_progress(
    user: Any, frame: Frame, period: Period, *, today: dt.date | None = None
) -> list[StaffRow]:
    """The officers who handle the frame's cases, for the person's posts (4 queries).

    The officers are those holding a handling post (officer, deputy head, head) on the unit
    or its wards that the person may view, plus anyone who still has cases in the person's
    scope (someone who moved on keeps their open cases on the list). Most overdue first.
    """
    today = today or timezone.localdate()
    posts = list(
        policy.scope(
            user,
            Post.objects.filter(active=True, role__in=HANDLING_ROLES, unit_id__in=frame.unit_ids),
            unit_field="unit",
            department_field="department",
        )
        .select_related("unit", "department")
        .defer("unit__geom", "unit__geom_3857")
        .order_by("unit__code", "role")
    )
    titles: dict[int, list[str]] = {}
    for post in posts:
        titles.setdefault(post.user_id, []).append(str(post))

    start_at, end_before = period.start_at, period.end_before
    report_open = Q(status__in=REPORT_OPEN)
    resolved = Q(status=Status.RESOLVED, closed_at__gte=start_at, closed_at__lt=end_before)
    by_assignee = {
        row["assignee_id"]: row
        for row in scoped_reports(user, handled=True)
        .filter(ward_id__in=frame.ward_ids, assignee__isnull=False)
        .filter(report_open | resolved)
        .order_by()
        .values("assignee_id")
        .annotate(
            open=Count("id", filter=report_open),
            overdue=Count("id", filter=report_open & Q(due_date__lt=today)),
            resolved=Count("id", filter=resolved),
            median=Median(
                F("closed_at") - F("created_at"), filter=resolved, output_field=DurationField()
            ),
        )
    }
    dossier_open = Q(status__in=DOSSIER_OPEN)
    finished = Q(
        status__in=FINISHED_STATUSES, decided_on__gte=period.start, decided_on__lte=period.end
    )
    by_handler = {
        row["handler_id"]: row
        for row in scoped_dossiers(user, handled=True)
        .filter(ward_id__in=frame.ward_ids, handler__isnull=False)
        .filter(dossier_open | finished)
        .order_by()
        .values("handler_id")
        .annotate(
            open=Count("id", filter=dossier_open),
            overdue=Count("id", filter=dossier_open & Q(deadline__lt=today)),
            finished=Count("id", filter=finished),
            median=Median("working_days_used", filter=finished, output_field=FloatField()),
        )
    }
    ids = set(titles) | set(by_assignee) | set(by_handler)
    people = (
        get_user_model()
        .objects.filter(id__in=ids)
        .only("id", "username", "first_name", "last_name")
    )
    rows = []
    for person in people:
        r, d = by_assignee.get(person.id, {}), by_handler.get(person.id, {})
        median_d = d.get("median")
        rows.append(
            StaffRow(
                user_id=person.id,
                name=_display_name(person),
                posts="; ".join(titles.get(person.id, [])) or _("no post here now"),
                reports_open=r.get("open", 0),
                reports_overdue=r.get("overdue", 0),
                reports_resolved=r.get("resolved", 0),
                reports_median_days=_days(r.get("median")),
                dossiers_open=d.get("open", 0),
                dossiers_overdue=d.get("overdue", 0),
                dossiers_finished=d.get("finished", 0),
                dossiers_median_days=None if median_d is None else round(float(median_d), 1),
            )
        )
    rows.sort(key=lambda row: (-row.overdue, -row.open, row.name))
    return rows


def format_number(value: float | int | None, decimals: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return formats.number_format(value, decimals, use_l10n=True)
