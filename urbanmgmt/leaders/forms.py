"""The dashboard's filters, read from the query string by one form for the page and every
export, so a bad value gets the same clear 400 with a message everywhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.models import Category, CategoryGroup, Status
from urbanmgmt.leaders.services import FIGURES, TRENDS, Period

MAX_PERIOD_DAYS = 5 * 366
EARLIEST = dt.date(2000, 1, 1)
# Cell sizes and bandwidths a person may ask for (gis.heat's own limits, in metres).
MIN_CELL, MAX_CELL = 5.0, 1000.0
MIN_BANDWIDTH, MAX_BANDWIDTH = 50.0, 5000.0


COMPARE_CHOICES = [
    ("", gettext_lazy("Nothing")),
    ("previous", gettext_lazy("The period just before")),
    ("year", gettext_lazy("The same period a year before")),
]


def default_period(today: dt.date | None = None) -> Period:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return Period(dt.date(year, month, 1), today)


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class DashboardForm(forms.Form):
    start = forms.DateField(required=False, label=gettext_lazy("From"))
    end = forms.DateField(required=False, label=gettext_lazy("To"))
    compare = forms.ChoiceField(
        required=False, choices=COMPARE_CHOICES, label=gettext_lazy("Compare with")
    )
    category = forms.CharField(required=False, max_length=50, label=gettext_lazy("Category"))
    group = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("All")), *CategoryGroup.choices],
        label=gettext_lazy("Group of categories"),
    )
    status = forms.MultipleChoiceField(
        required=False, choices=Status.choices, label=gettext_lazy("Status")
    )
    cell = forms.FloatField(
        required=False,
        min_value=MIN_CELL,
        max_value=MAX_CELL,
        label=gettext_lazy("Cell size (m)"),
    )
    bandwidth = forms.FloatField(
        required=False,
        min_value=MIN_BANDWIDTH,
        max_value=MAX_BANDWIDTH,
        label=gettext_lazy("Bandwidth (m)"),
    )
    figure = forms.ChoiceField(
        required=False,
        choices=[(f.key, f.label) for f in FIGURES if f.on_map],
        label=gettext_lazy("Colour the wards by"),
    )
    trend = forms.ChoiceField(
        required=False,
        choices=[(key, label) for key, label in TRENDS.items()],
        label=gettext_lazy("Trend of"),
    )

    def __init__(self, data=None, *args, today: dt.date | None = None, **kwargs):
        if data is not None and hasattr(data, "getlist"):
            # An "All" option sends status= : no filter, not an unknown status.
            data = data.copy()
            data.setlist("status", [v for v in data.getlist("status") if v])
        self.today = today or timezone.localdate()
        super().__init__(data, *args, **kwargs)

    def clean_category(self) -> Category | None:
        code = self.cleaned_data["category"]
        if not code:
            return None
        found = Category.objects.filter(code=code).first()
        if found is None:
            raise forms.ValidationError(_("Unknown category “%(code)s”.") % {"code": code})
        return found

    def clean(self) -> dict:
        data = super().clean()
        if data.get("category") and data.get("group"):
            self.add_error("group", _("Choose a category or a group of categories, not both."))
        end = data.get("end") or self.today
        start = data.get("start") or default_period(end).start
        if "start" in data and "end" in data:
            if end < start:
                self.add_error("end", _("The period ends before it starts."))
            elif start < EARLIEST:
                self.add_error(
                    "start", _("The period may not start before %(date)s.") % {"date": "2000-01-01"}
                )
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("end", _("The period may be at most five years long."))
        data["period"] = Period(start, end)
        cell, bandwidth = data.get("cell"), data.get("bandwidth")
        if cell is not None and bandwidth is not None and bandwidth < 2 * cell:
            self.add_error("bandwidth", _("The bandwidth must be at least twice the cell size."))
        return data


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: the period (and one to compare it with), the reports' kind
    and status for the heat map, its grid, the figure of the ward map and the trend."""

    period: Period
    earlier: Period | None = None
    compare: str = ""
    category: Category | None = None
    group: str = ""
    statuses: tuple[str, ...] = ()
    cell: float | None = None
    bandwidth: float | None = None
    figure: str = "reports_received"
    trend: str = "reports"
    explicit: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: DashboardForm) -> Filters:
        data = form.cleaned_data
        period: Period = data["period"]
        compare = data.get("compare") or ""
        earlier = None
        if compare == "previous":
            before = period.start - dt.timedelta(days=1)
            earlier = Period(before - (period.end - period.start), before)
        elif compare == "year":
            earlier = Period(_year_before(period.start), _year_before(period.end))
        statuses = tuple(sorted(data.get("status") or ()))
        category = data.get("category")
        explicit = {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "compare": compare,
            "category": category.code if category else "",
            "group": data.get("group") or "",
            "cell": _number(data.get("cell")),
            "bandwidth": _number(data.get("bandwidth")),
        }
        return cls(
            period=period,
            earlier=earlier,
            compare=compare,
            category=category,
            group=data.get("group") or "",
            statuses=statuses,
            cell=data.get("cell"),
            bandwidth=data.get("bandwidth"),
            figure=data.get("figure") or "reports_received",
            trend=data.get("trend") or "reports",
            explicit=explicit,
        )

    def query(self, **extra: str) -> str:
        """The filters as a query string (for the exports and the overlay's URL)."""
        pairs = [(k, v) for k, v in self.explicit.items() if v]
        pairs += [("status", s) for s in self.statuses]
        pairs += [(k, v) for k, v in extra.items() if v]
        return urlencode(pairs)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def first_error(form: forms.Form) -> str:
    """The first error, prefixed by its field's label, for a 400's message."""
    for name, errors in form.errors.items():
        if name == "__all__":
            return str(errors[0])
        label = form.fields[name].label if name in form.fields else name
        return f"{label}: {errors[0]}"
    return _("Invalid request.")
