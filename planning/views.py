"""The citizens' planning map and the printable planning-information sheet."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from planning import pdf
from planning.lookup import LookupFailed, lookup_parcel, parse_parcel_key
from planning.models import ZoneGroup
from planning.sheet import sheet_map

# Colours of the land-use groups, close to those of HCMC's printed plans.
GROUP_COLOURS = {
    ZoneGroup.RESIDENTIAL: "#f6c667",
    ZoneGroup.MIXED: "#e8975a",
    ZoneGroup.PUBLIC: "#ef7f7f",
    ZoneGroup.EDUCATION: "#d783c9",
    ZoneGroup.OFFICES: "#a98bd6",
    ZoneGroup.RELIGIOUS: "#b0746a",
    ZoneGroup.GREEN: "#7cc46a",
    ZoneGroup.TRANSPORT: "#c9c9c9",
    ZoneGroup.WATER: "#73c2e8",
    ZoneGroup.INFRASTRUCTURE: "#8f9bb0",
    ZoneGroup.DEFENCE: "#6f8f5e",
    ZoneGroup.OTHER: "#e3d9c6",
}


def _tiles(layer: str) -> str:
    first = reverse("spatial:tile", kwargs={"layer": layer, "z": 0, "x": 0, "y": 0})
    return first.removesuffix("0/0/0.pbf") + "{z}/{x}/{y}.pbf"


def _labels() -> dict[str, str]:
    """The words the map's script shows, in the reader's language."""
    return {
        "parcel": pgettext("planning map", "Parcel"),
        "noParcel": pgettext("planning map", "No parcel here"),
        "ward": pgettext("planning map", "Ward"),
        "district": pgettext("planning map", "District"),
        "area": pgettext("planning map", "Area"),
        "landUse": pgettext("planning map", "Current land use"),
        "zones": pgettext("planning map", "Plan zones"),
        "zone": pgettext("planning map", "Zone"),
        "share": pgettext("planning map", "Share of the parcel"),
        "floors": pgettext("planning map", "Max floors"),
        "height": pgettext("planning map", "Max height"),
        "coverage": pgettext("planning map", "Max building coverage"),
        "far": pgettext("planning map", "Max floor-area ratio"),
        "setback": pgettext("planning map", "Setback"),
        "decision": pgettext("planning map", "Decision"),
        "roads": pgettext("planning map", "Road boundaries"),
        "street": pgettext("planning map", "Street"),
        "plannedWidth": pgettext("planning map", "Planned width"),
        "reach": pgettext("planning map", "Reaches into the road boundary by"),
        "insideArea": pgettext("planning map", "Area inside the road boundary"),
        "noRoad": pgettext("planning map", "Not on a street with a recorded road boundary."),
        "noZone": pgettext("planning map", "No approved plan zone here."),
        "earlier": pgettext("planning map", "Earlier plans here"),
        "supersededBy": pgettext("planning map", "superseded by"),
        "sheet": pgettext("planning map", "Planning-information sheet"),
        "close": pgettext("planning map", "Close"),
        "loading": pgettext("planning map", "Looking up…"),
        "failed": pgettext("planning map", "The lookup failed; try again."),
        "noResults": pgettext("planning map", "Nothing found."),
        "locating": pgettext("planning map", "Finding your position…"),
        "locateFailed": pgettext("planning map", "Your position could not be found."),
        "none": pgettext("planning map", "none"),
        "unit_m": pgettext("planning map", "m"),
    }


def map_page(request: HttpRequest) -> HttpResponse:
    """The citizens' map: plan zones by land-use group, parcels, units, search and lookup."""
    config = {
        "lookup": reverse("planning:lookup"),
        "sheet": reverse("planning:sheet", kwargs={"key": "KEY"}),
        "tiles": {
            name: _tiles(name) for name in ("plan_zones", "road_boundaries", "parcels", "units")
        },
        "centre": [settings.MAP_DEFAULT_LAT, settings.MAP_DEFAULT_LON],
        "zoom": settings.MAP_DEFAULT_ZOOM,
        "basemap": getattr(settings, "PLANNING_BASEMAP_URL", ""),
        "basemapAttribution": getattr(settings, "PLANNING_BASEMAP_ATTRIBUTION", ""),
        "colours": {str(group): colour for group, colour in GROUP_COLOURS.items()},
        "labels": _labels(),
    }
    legend = [(GROUP_COLOURS[group], group.label) for group in ZoneGroup]
    return render(request, "planning/map.html", {"config": config, "legend": legend})


def _sheet_data(request: HttpRequest, key: str) -> dict:
    parsed = parse_parcel_key(key)
    if parsed is None:
        raise Http404(_("“%(value)s” is not a parcel key.") % {"value": key})
    day = timezone.localdate()
    try:
        answer = lookup_parcel(parsed, day)
    except LookupFailed as exc:
        raise Http404(str(exc)) from exc
    drawing = sheet_map(answer["parcel"]["id"], day)
    for zone in drawing.zones:
        zone["colour"] = GROUP_COLOURS.get(zone["group"], GROUP_COLOURS[ZoneGroup.OTHER])
    decisions = {}
    for item in [*answer["zones"], *answer["road_boundaries"]]:
        if item["decision"]:
            decisions[item["decision"]["number"]] = item["decision"]
    groups = {z["group"] for z in drawing.zones}
    return {
        "answer": answer,
        "parcel": answer["parcel"],
        "map": drawing,
        "decisions": list(decisions.values()),
        "issued": timezone.localtime(),
        "map_url": request.build_absolute_uri(answer["links"]["map"]),
        "font_m": drawing.side_m / 32,
        "legend": [(GROUP_COLOURS[g], g.label) for g in ZoneGroup if g in groups],
        "pdf": pdf.available(),
    }


def sheet(request: HttpRequest, key: str) -> HttpResponse:
    """The printable planning-information sheet (phiếu thông tin quy hoạch) of a parcel."""
    return render(request, "planning/sheet.html", _sheet_data(request, key))


def sheet_pdf(request: HttpRequest, key: str) -> HttpResponse:
    """The same sheet as a PDF download, made without a browser."""
    if not pdf.available():
        raise Http404(
            _("PDF sheets need the DejaVu Sans font on the server; print the page instead.")
        )
    data = _sheet_data(request, key)
    issued = data["issued"]
    body = pdf.sheet_pdf(
        data["answer"],
        data["map"],
        issued=_("Information as of %(day)s, %(time)s")
        % {"day": issued.strftime("%d/%m/%Y"), "time": issued.strftime("%H:%M")},
        map_url=data["map_url"],
        colours={str(g): c for g, c in GROUP_COLOURS.items()},
    )
    response = HttpResponse(body, content_type="application/pdf")
    filename = f"phieu-thong-tin-quy-hoach-{data['parcel']['key']}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
