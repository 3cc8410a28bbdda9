from django.urls import path

from urbanmgmt.leaders import heat, views

app_name = "leaders"

# Report changes stamp their ward for the heat maps' freshness (see heat.mark_changed).
heat.connect_signals()

urlpatterns = [
    path("leaders/", views.index, name="index"),
    path("leaders/heatmap.png", views.heatmap_png, name="heatmap-png"),
    path("leaders/heatmap.tif", views.heatmap_tif, name="heatmap-tif"),
    path("leaders/heatmap.json", views.heatmap_json, name="heatmap-json"),
    path("leaders/figures.csv", views.table_csv, name="figures-csv"),
    path("leaders/wards.gpkg", views.wards_gpkg, name="wards-gpkg"),
    path("leaders/trend.png", views.trend_png, name="trend-png"),
    path("leaders/trend.svg", views.trend_svg, name="trend-svg"),
    path("leaders/<str:code>/", views.dashboard, name="dashboard"),
]
