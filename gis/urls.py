from django.urls import path

from gis import views

app_name = "spatial"

urlpatterns = [
    path("gis/units.geojson", views.units_geojson, name="units-geojson"),
    path("api/locate", views.locate_view, name="locate"),
]
