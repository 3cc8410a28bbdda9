"""Read side of reports: the filters shared by the public map and the officials' queue.

Filters arrive as query parameters (bbox, ward, category, status, days, overdue, near) and
are read by one form, so a bad value gets the same clear 400 everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib.gis.geos import Point, Polygon
from django.db.models import Count, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.models import Category, Report, Status, is_overdue

PAGE_SIZE = 50
MAP_LIMIT = 3000


class ReportFilterForm(forms.Form):
    bbox = forms.CharField(required=False)
    ward = forms.CharField(required=False, max_length=16, label=gettext_lazy("Ward"))
    category = forms.CharField(required=False, max_length=50, label=gettext_lazy("Category"))
    status = forms.MultipleChoiceField(
        required=False, choices=Status.choices, label=gettext_lazy("Status")
    )
    days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label=gettext_lazy("Filed in the last (days)")
    )
    older = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label=gettext_lazy("Older than (days)")
    )
    overdue = forms.BooleanField(required=False, label=gettext_lazy("Overdue only"))
    near = forms.CharField(required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and hasattr(data, "getlist"):
            # "All" in a status select sends status= : no filter, not an unknown status.
            data = data.copy()
            data.setlist("status", [v for v in data.getlist("status") if v])
        super().__init__(data, *args, **kwargs)

    def clean_bbox(self) -> tuple[float, float, float, float] | None:
        return _numbers(
            self.cleaned_data["bbox"], 4, _("bbox must be minlon,minlat,maxlon,maxlat.")
        )

    def clean_near(self) -> Point | None:
        values = _numbers(self.cleaned_data["near"], 2, _("near must be lon,lat."))
        return Point(*values, srid=4326) if values else None

    def clean(self) -> dict:
        data = super().clean()
        box = data.get("bbox")
        if box and not (-180 <= box[0] < box[2] <= 180 and -90 <= box[1] < box[3] <= 90):
            self.add_error("bbox", _("bbox must be minlon,minlat,maxlon,maxlat."))
        code = data.get("category")
        if code and not Category.objects.filter(code=code).exists():
            self.add_error("category", _("Unknown category “%(code)s”.") % {"code": code})
        return data


def _numbers(text: str, count: int, message: str) -> tuple[float, ...] | None:
    if not text:
        return None
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise forms.ValidationError(message) from None
    if len(values) != count or any(v != v or v in (float("inf"), float("-inf")) for v in values):
        raise forms.ValidationError(message)
    return values


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        prefix = "" if field == "__all__" else f"{field}: "
        return f"{prefix}{errors[0]}"
    return _("Invalid request.")


@dataclass(frozen=True)
class Filters:
    bbox: tuple[float, float, float, float] | None = None
    ward: str = ""
    category: str = ""
    statuses: tuple[str, ...] = ()
    days: int | None = None
    older: int | None = None
    overdue: bool = False
    near: Point | None = None
    page: int = 1

    @classmethod
    def from_form(cls, form: ReportFilterForm) -> Filters:
        data = form.cleaned_data
        return cls(
            bbox=data.get("bbox"),
            ward=data.get("ward") or "",
            category=data.get("category") or "",
            statuses=tuple(data.get("status") or ()),
            days=data.get("days"),
            older=data.get("older"),
            overdue=bool(data.get("overdue")),
            near=data.get("near"),
            page=data.get("page") or 1,
        )

    def apply(self, reports: QuerySet[Report], *, spatial: bool = True) -> QuerySet[Report]:
        if spatial and self.bbox:
            box = Polygon.from_bbox(self.bbox)
            box.srid = 4326
            reports = reports.filter(location__intersects=box)
        if self.ward:
            reports = reports.filter(ward__code=self.ward)
        if self.category:
            # A subquery, not a join on the code: PostgreSQL then knows the category's id
            # before it scans and can use it in an index (report_status_category_unit).
            category = Category.objects.filter(code=self.category).values("id")[:1]
            reports = reports.filter(category_id=Subquery(category))
        if self.statuses:
            reports = reports.filter(status__in=self.statuses)
        if self.days:
            reports = reports.filter(created_at__gte=timezone.now() - dt.timedelta(days=self.days))
        if self.older:
            reports = reports.filter(created_at__lt=timezone.now() - dt.timedelta(days=self.older))
        if self.overdue:
            reports = reports.overdue()
        return reports


def counts_by_ward(reports: QuerySet[Report]) -> list[dict]:
    return list(
        reports.order_by()
        .values("ward__code", "ward__name")
        .annotate(n=Count("id"))
        .order_by("ward__code")
    )


def map_features(reports: QuerySet[Report], *, limit: int = MAP_LIMIT) -> dict:
    """The reports as a small GeoJSON FeatureCollection of points with public fields only."""
    rows = list(
        reports.order_by("-created_at", "-id").values_list(
            "tracking_code", "location", "status", "category__code", "created_at", "due_date"
        )[: limit + 1]
    )
    today = timezone.localdate()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(loc.x, 6), round(loc.y, 6)]},
            "properties": {
                "code": code,
                "status": status,
                "status_label": str(Status(status).label),
                "category": category,
                "date": timezone.localtime(created).date().isoformat(),
                "overdue": is_overdue(status, due, today),
            },
        }
        for code, loc, status, category, created, due in rows[:limit]
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}
