"""Map pages of one district or one ward: `/map/district/<code>`, `/map/ward/<code>`.

Each page frames the unit on a folium map (Leaflet served by this app), draws its boundary
over its child units and the parcels' vector tiles from `/tiles/` (Leaflet.VectorGrid,
vendored), and lists the child units with their area and the registered figures
(`gis.figures`), with links down to each ward and up to the district.
"""

from __future__ import annotations

import json
from typing import Any

import folium
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from folium.plugins import VectorGridProtobuf

from gis.figures import compute_figures, unit_figures
from gis.maps import embed, local_map
from gis.models import BASE_LEVELS, AdminUnit, UnitLevel
from gis.publish import PublishedLayer, get_layer
from gis.services import units_feature_collection

VECTORGRID_JS = "spatial/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"
UNIT_STYLE = {"color": "#1d4ed8", "weight": 4, "fillOpacity": 0.0}
CHILD_STYLE = {"color": "#1d4ed8", "weight": 1.5, "fillColor": "#93c5fd", "fillOpacity": 0.15}
NEIGHBOUR_STYLE = {"color": "#6b7280", "weight": 1, "dashArray": "4", "fillOpacity": 0.0}
FEATURE_STYLE = {"color": "#b45309", "weight": 0.6, "fillColor": "#fcd34d", "fillOpacity": 0.35}


# --- map helpers, also used by the OGC API's HTML pages ------------------------------------


def tile_overlay(layer: PublishedLayer) -> VectorGridProtobuf:
    """The layer's vector tiles from `/tiles/` as a folium overlay, drawn by the vendored
    Leaflet.VectorGrid; below the layer's detail zoom its clusters are sized by count."""
    first = reverse("spatial:tile", kwargs={"layer": layer.name, "z": 0, "x": 0, "y": 0})
    url = first.removesuffix("0/0/0.pbf") + "{z}/{x}/{y}.pbf"
    feature_style = json.dumps({**FEATURE_STYLE, "fill": True, "radius": 4})
    styles = {layer.name: feature_style}
    if layer.overview == "clusters":
        # Points that stand for `count` features: larger for more, never huge.
        styles[layer.overview_layer_name] = (
            "function (p) { return {radius: Math.min(1 + Math.sqrt(p.count || 1) / 2, 6), "
            'fill: true, weight: 0, fillColor: "#d97706", fillOpacity: 0.55}; }'
        )
    options = (
        "{rendererFactory: L.canvas.tile, interactive: false, "
        f"minZoom: {layer.minzoom}, maxNativeZoom: {layer.maxzoom}, maxZoom: 20, "
        "vectorTileLayerStyles: {"
        + ", ".join(f"{json.dumps(name)}: {style}" for name, style in styles.items())
        + "}}"
    )
    overlay = VectorGridProtobuf(url, name=str(layer.title), options=options)
    overlay.default_js = [("vectorGrid", static(VECTORGRID_JS))]
    return overlay


def fit_to(fmap: folium.Map, bounds: tuple[float, float, float, float]) -> None:
    west, south, east, north = bounds
    fmap.fit_bounds([[south, west], [north, east]])


# --- unit pages ---------------------------------------------------------------------------


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "spatial/map/not_found.html", {"message": message}, status=404)


def _rows(units: list[AdminUnit]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each unit with its area and figures, and the totals over them."""
    figures = compute_figures([unit.id for unit in units])
    rows = [
        {
            "unit": unit,
            "area_km2": unit.area_m2 / 1e6,
            "area_ha": unit.area_m2 / 1e4,
            "figures": [figures[f.key][unit.id] for f in unit_figures()],
        }
        for unit in units
    ]
    totals = {
        "area_km2": sum(row["area_km2"] for row in rows),
        "area_ha": sum(row["area_ha"] for row in rows),
        "figures": [sum(figures[f.key].values()) for f in unit_figures()],
    }
    return rows, totals


def _unit_map(unit: AdminUnit, others: QuerySet[AdminUnit], other_style: dict) -> dict[str, str]:
    """The unit framed and outlined over `others` and the parcels' tiles."""
    fmap = local_map(prefer_canvas=True)
    shown = AdminUnit.objects.filter(Q(id=unit.id) | Q(id__in=others.values("id")))
    collection = units_feature_collection(shown)
    # The unit's outline goes on top of the others.
    collection["features"].sort(key=lambda f: f["properties"]["code"] == unit.code)
    folium.GeoJson(
        collection,
        name=_("Administrative units"),
        style_function=lambda f: (
            UNIT_STYLE if f["properties"]["code"] == unit.code else other_style
        ),
        tooltip=folium.GeoJsonTooltip(fields=["name", "code"], aliases=[_("Name"), _("Code")]),
    ).add_to(fmap)
    parcels = get_layer("parcels")
    if parcels is not None:
        tile_overlay(parcels).add_to(fmap)
    fit_to(fmap, unit.geom.extent)
    return embed(fmap)


def _current() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.valid_on().defer("geom_3857")


@require_safe
def district_map(request: HttpRequest, code: str) -> HttpResponse:
    """A district: its wards on the map and in a table with their figures."""
    district = _current().filter(level=UnitLevel.DISTRICT, code=code).first()
    if district is None:
        return _not_found(
            request, _("There is no district with the code “%(code)s” today.") % {"code": code}
        )
    children = _current().filter(parent=district).order_by("code")
    wards = list(children.defer("geom", "geom_3857"))
    rows, totals = _rows(wards)
    return render(
        request,
        "spatial/map/unit.html",
        {
            "unit": district,
            "up": None,
            "rows": rows,
            "totals": totals,
            "figures": unit_figures(),
            "child_links": True,
            "map": _unit_map(district, children, CHILD_STYLE),
        },
    )


@require_safe
def ward_map(request: HttpRequest, code: str) -> HttpResponse:
    """A ward: its boundary among its neighbours, its parcels, its figures, a link up."""
    ward = (
        _current()
        .filter(level__in=BASE_LEVELS, code=code)
        .select_related("parent")
        .defer("parent__geom", "parent__geom_3857")
        .first()
    )
    if ward is None:
        return _not_found(
            request, _("There is no ward with the code “%(code)s” today.") % {"code": code}
        )
    parent = ward.parent
    up = None
    if (
        parent is not None
        and parent.level == UnitLevel.DISTRICT
        and parent.is_valid_on(timezone.localdate())
    ):
        up = parent
    rows, _totals = _rows([ward])
    neighbours = (
        _current().filter(parent_id=ward.parent_id).exclude(id=ward.id)
        if ward.parent_id
        else AdminUnit.objects.none()
    )
    return render(
        request,
        "spatial/map/unit.html",
        {
            "unit": ward,
            "up": up,
            "rows": rows,
            "totals": None,
            "figures": unit_figures(),
            "child_links": False,
            "map": _unit_map(ward, neighbours, NEIGHBOUR_STYLE),
        },
    )
