from django.urls import path, re_path

from gis import tile_views, views

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
]
