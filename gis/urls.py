from django.urls import path, re_path

from gis import map_views, ogc_views, tile_views, views

app_name = "spatial"

urlpatterns = [
    path("gis/units.geojson", views.units_geojson, name="units-geojson"),
    path("api/locate", views.locate_view, name="locate"),
    # Signed numbers, so that a negative x or y gets the tile matrix's 404 message.
    re_path(
        r"^tiles/(?P<layer>[^/]+)/(?P<z>-?\d+)/(?P<x>-?\d+)/(?P<y>-?\d+)\.pbf$",
        tile_views.tile,
        name="tile",
    ),
    path("tiles/<str:layer>.json", tile_views.tilejson, name="tilejson"),
    # OGC API - Features
    path("ogc/", ogc_views.landing, name="ogc-landing"),
    path("ogc/conformance", ogc_views.conformance, name="ogc-conformance"),
    path("ogc/api", ogc_views.api_document, name="ogc-api"),
    path("ogc/collections", ogc_views.collections, name="ogc-collections"),
    path("ogc/collections/<str:collection>", ogc_views.collection, name="ogc-collection"),
    path("ogc/collections/<str:collection>/items", ogc_views.items, name="ogc-items"),
    path(
        "ogc/collections/<str:collection>/items/<str:feature_id>",
        ogc_views.item,
        name="ogc-item",
    ),
    # Map pages of administrative units
    path("map/district/<str:code>", map_views.district_map, name="district-map"),
    path("map/ward/<str:code>", map_views.ward_map, name="ward-map"),
]
