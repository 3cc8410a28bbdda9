"""Leaders' pages and files: the dashboard of a district or ward, its heat map (PNG overlay,
GeoTIFF), its tables (CSV, GeoPackage) and its trend chart (SVG, PNG).

Signed-in people with a post that may view the unit get them; anyone else gets a 404 (the
unit's existence is nobody else's business), anonymous visitors the sign-in page. Filters
are read by `forms.DashboardForm`: a bad value is a 400 with its message. The views only
parse, call `services` / `heat` / `charts` / `exports`, and answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from gis.models import AdminUnit, UnitLevel
from gis.services import units_feature_collection
from reports.models import Category, CategoryGroup, Status
from urbanmgmt import policy
from urbanmgmt.leaders import charts, exports, heat, services
from urbanmgmt.leaders.forms import COMPARE_CHOICES, DashboardForm, Filters, first_error
from urbanmgmt.leaders.services import (
    FIGURES,
    STAFF_COLUMNS,
    Frame,
    LeadersError,
    format_number,
    format_value,
)

TABLES = ("wards", "departments", "staff", "trend")


class BadRequest(Exception):
    """A request the views answer with a 400 and this message."""


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _file(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-cache"
    return response


def _check_official(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not policy.is_official(request.user):
        raise Http404
    return None


def _frame(request: HttpRequest, code: str) -> Frame:
    frame = services.frame_for(request.user, code)
    if frame is None:
        raise Http404(_("There is no district or ward with this code that you may view."))
    return frame


def _frame_from_query(request: HttpRequest) -> Frame:
    code = request.GET.get("unit", "").strip()
    if not code:
        raise BadRequest(_("Give the district's or ward's code: ?unit=…"))
    return _frame(request, code[:16])


def _filters(request: HttpRequest) -> Filters:
    form = DashboardForm(request.GET)
    if not form.is_valid():
        raise BadRequest(first_error(form))
    return Filters.from_form(form)


def _spec(request: HttpRequest, frame: Frame, filters: Filters) -> heat.HeatSpec:
    try:
        return heat.spec_for(
            request.user,
            frame,
            period=filters.period,
            earlier=filters.earlier,
            category=filters.category,
            group=filters.group,
            statuses=filters.statuses,
            cell=filters.cell,
            bandwidth=filters.bandwidth,
        )
    except LeadersError as exc:
        raise BadRequest(str(exc)) from exc


def _data_view(view):
    """Sign-in, unit and filters for the file endpoints; 400 with a message on bad input."""

    def wrapped(request: HttpRequest) -> HttpResponse:
        if (refused := _check_official(request)) is not None:
            return refused
        try:
            frame = _frame_from_query(request)
            return view(request, frame, _filters(request))
        except BadRequest as exc:
            return _text(str(exc), 400)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_safe(wrapped)


# --- pages --------------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The districts and wards the person leads; straight to the one if there is one."""
    if (refused := _check_official(request)) is not None:
        return refused
    units = services.viewable_units(request.user)
    if len(units) == 1:
        return redirect("leaders:dashboard", code=units[0].code)
    return render(request, "leaders/index.html", {"units": units})


def _queue_link(spot: Any, filters: Filters, today: dt.date) -> str:
    """The officials' queue of the reports inside a hot spot (its box, the same filters)."""
    west, south, east, north = spot.bbox_lonlat
    pairs: list[tuple[str, Any]] = [("bbox", f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}")]
    if filters.category is not None:
        pairs.append(("category", filters.category.code))
    pairs += [("status", s) for s in filters.statuses]
    days = (today - filters.period.start).days + 1
    if 1 <= days <= 3650:
        pairs.append(("days", days))
    older = (today - filters.period.end).days
    if 1 <= older <= 3650:
        pairs.append(("older", older))
    return reverse("reports:queue") + "?" + urlencode(pairs)


def _legend(legend: dict[str, Any]) -> dict[str, Any]:
    stops = ", ".join(
        "rgba({}, {}, {}, {:.2f}) {:.0f}%".format(
            int(s["color"][1:3], 16),
            int(s["color"][3:5], 16),
            int(s["color"][5:7], 16),
            max(s["opacity"], 0.08),
            100 * (s["value"] - legend["min"]) / ((legend["max"] - legend["min"]) or 1),
        )
        for s in legend["stops"]
    )
    middle = (legend["min"] + legend["max"]) / 2
    return {
        "gradient": f"linear-gradient(to right, {stops})",
        "min": format_number(float(legend["min"])),
        "middle": format_number(float(middle)),
        "max": format_number(float(legend["max"])),
        "difference": legend["kind"] == "difference",
    }


def _heat_context(frame: Frame, filters: Filters, spec: heat.HeatSpec) -> dict[str, Any]:
    state = heat.state_for_page(spec)
    query = filters.query(unit=frame.unit.code)
    entry = state.entry
    today = timezone.localdate()
    spots = []
    if entry is not None:
        for spot in entry.hot_spots:
            spots.append(
                {
                    "rank": spot.rank,
                    "count": spot.count,
                    "count_int": round(spot.count),
                    "count_text": format_number(spot.count, 0),
                    "center": spot.center_lonlat,
                    "polygon": [[lat, lon] for lon, lat in spot.polygon_lonlat],
                    "url": _queue_link(spot, filters, today),
                }
            )
    return {
        "state": state,
        "entry": entry,
        "spots": spots,
        "legend": _legend(entry.legend) if entry else None,
        "computed_at": timezone.localtime(entry.computed_at) if entry else None,
        "age": _age_text(timezone.now() - entry.computed_at) if entry else "",
        "png_url": f"{reverse('leaders:heatmap-png')}?{query}",
        "tif_url": f"{reverse('leaders:heatmap-tif')}?{query}",
        "status_url": f"{reverse('leaders:heatmap-json')}?{query}",
        "map": {
            "overlay": (
                {
                    "url": f"{reverse('leaders:heatmap-png')}?{query}&v={entry.as_of:.0f}",
                    "bounds": entry.bounds,
                }
                if entry
                else None
            ),
            "pending": entry is None,
            "status_url": f"{reverse('leaders:heatmap-json')}?{query}",
            "spots": spots,
        },
    }


def _age_text(age: dt.timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return _("just now")
    if minutes < 120:
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}


def _table(rows: list[services.Row]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        cells = []
        for figure in FIGURES:
            value = row.value(figure)
            text = (
                row.inter_agency_text
                if figure.key == "inter_agency_share"
                else format_value(figure, value)
            )
            cells.append({"text": text, "sort": "" if value is None else value})
        out.append({"row": row, "cells": cells})
    return out


def _staff_table(rows: list[services.StaffRow]) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "cells": [
                {
                    "text": format_number(getattr(row, key)),
                    "sort": "" if getattr(row, key) is None else getattr(row, key),
                }
                for key, _label in STAFF_COLUMNS
            ],
        }
        for row in rows
    ]


def _choropleth(frame: Frame, ward_rows: list[services.Row], figure: str) -> dict[str, Any]:
    collection = units_feature_collection(AdminUnit.objects.filter(id__in=frame.ward_ids))
    values = {row.code: {f.key: row.value(f) for f in FIGURES if f.on_map} for row in ward_rows}
    texts = {
        row.code: {f.key: format_value(f, row.value(f)) for f in FIGURES if f.on_map}
        for row in ward_rows
    }
    return {
        "wards": collection,
        "values": values,
        "texts": texts,
        "figures": [
            {"key": f.key, "label": str(f.label), "tone": f.tone, "kind": f.kind}
            for f in FIGURES
            if f.on_map
        ],
        "selected": figure,
        "no_value": _("no value"),
    }


def _valid_filters(request: HttpRequest) -> tuple[Filters, str]:
    """The filters asked for, or the defaults and the message saying what was wrong."""
    form = DashboardForm(request.GET)
    if form.is_valid():
        return Filters.from_form(form), ""
    defaults = DashboardForm({})
    defaults.is_valid()
    return Filters.from_form(defaults), first_error(form)


@require_safe
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A district or ward: heat map, hot spots, figures per ward and department, the trend,
    the staff's progress. A bad filter shows the defaults with the message, as a 400."""
    if (refused := _check_official(request)) is not None:
        return refused
    frame = _frame(request, code)
    filters, error = _valid_filters(request)
    try:
        spec = _spec(request, frame, filters)
    except BadRequest as exc:
        error = error or str(exc)
        filters = replace(
            filters,
            cell=None,
            bandwidth=None,
            explicit={**filters.explicit, "cell": "", "bandwidth": ""},
        )
        spec = _spec(request, frame, filters)
    user, period, kind = (
        request.user,
        filters.period,
        {"category": filters.category, "group": filters.group},
    )
    tables = services.tables(user, frame, period, **kind)
    trend = services.trend(user, frame, period, filters.trend, **kind)
    staff = services.staff_progress(user, frame, period)
    heat_context = _heat_context(frame, filters, spec)
    choropleth = _choropleth(frame, tables.wards, filters.figure)
    context: dict[str, Any] = {
        "frame": frame,
        "unit": frame.unit,
        "up": _up(request, frame),
        "filters": filters,
        "error": error,
        "categories": list(Category.objects.order_by("group", "position", "code")),
        "groups": CategoryGroup.choices,
        "statuses": Status.choices,
        "compare_choices": COMPARE_CHOICES,
        "trend_choices": list(services.TRENDS.items()),
        "figures": FIGURES,
        "staff_columns": STAFF_COLUMNS,
        "spec": spec,
        "heat": heat_context,
        "ward_rows": _table(tables.wards),
        "department_rows": _table(tables.departments),
        "total": _table([tables.total])[0],
        "trend": trend,
        "trend_svg": charts.svg(trend),
        "staff_rows": _staff_table(staff),
        "query": filters.query(unit=frame.unit.code),
        "trend_query": filters.query(unit=frame.unit.code, trend=filters.trend),
        "map_config": {
            **heat_context["map"],
            "frame": _bounds(frame.unit.geom.extent),
            "choropleth": choropleth,
        },
    }
    return render(request, "leaders/dashboard.html", context, status=400 if error else 200)


def _up(request: HttpRequest, frame: Frame) -> AdminUnit | None:
    """The district above a ward, when the person may view its dashboard too."""
    parent = frame.unit.parent
    if (
        frame.unit.level == UnitLevel.DISTRICT
        or parent is None
        or parent.level != UnitLevel.DISTRICT
        or not policy.can(request.user, policy.Action.VIEW, parent.id)
    ):
        return None
    return parent


def _bounds(extent: tuple[float, float, float, float]) -> list[list[float]]:
    west, south, east, north = extent
    return [[south, west], [north, east]]


# --- the heat map's files -----------------------------------------------------------------


@_data_view
def heatmap_png(request: HttpRequest, frame: Frame, filters: Filters) -> HttpResponse:
    """The coloured surface for the map (transparent where nothing is)."""
    entry = heat.entry_for_download(_spec(request, frame, filters))
    if entry is None:
        return _text(_("The heat map is being computed; try again in a minute."), 503)
    response = HttpResponse(entry.png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response


@_data_view
def heatmap_tif(request: HttpRequest, frame: Frame, filters: Filters) -> HttpResponse:
    """The surface as a GeoTIFF: band 1 the density (reports per km², or its change),
    band 2 the reports in each cell; UTM 48N (EPSG:32648), which QGIS places by itself."""
    entry = heat.entry_for_download(_spec(request, frame, filters))
    if entry is None:
        return _text(_("The heat map is being computed; try again in a minute."), 503)
    name = f"heatmap-{frame.unit.code}-{filters.period.start}-{filters.period.end}.tif"
    response = _file(entry.tif, "image/tiff", name)
    response["Last-Modified"] = entry.computed_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@_data_view
def heatmap_json(request: HttpRequest, frame: Frame, filters: Filters) -> HttpResponse:
    """Whether the surface is ready and how fresh it is (the page polls it while waiting)."""
    spec = _spec(request, frame, filters)
    state = heat.state_for_page(spec, may_compute=False)
    entry = state.entry
    body: dict[str, Any] = {"ready": entry is not None, "stale": state.stale}
    if entry is not None:
        body.update(
            {
                "computed_at": entry.computed_at.isoformat(),
                "seconds": round(entry.seconds, 3),
                "reports": entry.points,
                "kind": entry.kind,
                "cell_size_m": entry.cell_size,
                "bandwidth_m": entry.bandwidth,
                "bounds": entry.bounds,
                "legend": entry.legend,
                "hot_spots": [
                    {"rank": s.rank, "count": s.count, "bbox": s.bbox_lonlat}
                    for s in entry.hot_spots
                ],
            }
        )
    return JsonResponse(body)


# --- tables and chart ---------------------------------------------------------------------


@_data_view
def table_csv(request: HttpRequest, frame: Frame, filters: Filters) -> HttpResponse:
    """?table=wards (default), departments, staff or trend, as CSV."""
    table = request.GET.get("table", "wards")
    if table not in TABLES:
        raise BadRequest(_("table must be one of: %(tables)s.") % {"tables": ", ".join(TABLES)})
    user, period = request.user, filters.period
    kind = {"category": filters.category, "group": filters.group}
    if table == "staff":
        body = exports.staff_csv(services.staff_progress(user, frame, period))
    elif table == "trend":
        body = exports.trend_csv(services.trend(user, frame, period, filters.trend, **kind))
    else:
        tables = services.tables(user, frame, period, **kind)
        rows = tables.wards if table == "wards" else tables.departments
        body = exports.table_csv([*rows, tables.total], period)
    name = f"{table}-{frame.unit.code}-{period.start}-{period.end}.csv"
    return _file(body, "text/csv; charset=utf-8", name)


@_data_view
def wards_gpkg(request: HttpRequest, frame: Frame, filters: Filters) -> HttpResponse:
    """The wards with their figures as a GeoPackage layer (EPSG:4326)."""
    tables = services.tables(
        request.user, frame, filters.period, category=filters.category, group=filters.group
    )
    body = exports.wards_geopackage(tables.wards, filters.period)
    name = f"wards-{frame.unit.code}-{filters.period.start}-{filters.period.end}.gpkg"
    return _file(body, "application/geopackage+sqlite3", name)


def _trend(request: HttpRequest, frame: Frame, filters: Filters) -> services.Trend:
    return services.trend(
        request.user,
        frame,
        filters.period,
        filters.trend,
        category=filters.category,
        group=filters.group,
    )


@_data_view
def trend_png(request: HttpRequest, frame: Frame, filters: Filters) -> HttpResponse:
    body = charts.png(_trend(request, frame, filters))
    name = (
        f"trend-{filters.trend}-{frame.unit.code}-{filters.period.start}-{filters.period.end}.png"
    )
    return _file(body, "image/png", name)


@_data_view
def trend_svg(request: HttpRequest, frame: Frame, filters: Filters) -> HttpResponse:
    body = charts.svg(_trend(request, frame, filters)).encode()
    name = (
        f"trend-{filters.trend}-{frame.unit.code}-{filters.period.start}-{filters.period.end}.svg"
    )
    return _file(body, "image/svg+xml", name)
