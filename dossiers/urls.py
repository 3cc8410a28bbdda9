from django.urls import path

from dossiers import open_data, views

app_name = "dossiers"

urlpatterns = [
    path("dossiers/", views.home, name="home"),
    path("dossiers/new/", views.submit_online, name="submit"),
    path("dossiers/lookup/", views.lookup, name="lookup"),
    path("dossiers/rate/", views.rate, name="rate"),
    path("dossiers/parcel", views.parcel_lookup, name="parcel"),
    path("dossiers/<int:pk>/", views.mine, name="mine"),
    path("dossiers/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("dossiers/<int:pk>/<slug:action>/", views.applicant_act, name="applicant-act"),
    path("dossiers/<int:pk>/documents/<int:document_id>/", views.document, name="document"),
    path("office/dossiers/", views.queue, name="queue"),
    path("office/dossiers/queue.geojson", views.queue_json, name="queue-json"),
    path("office/dossiers/counter/", views.counter_intake, name="counter"),
    path("office/dossiers/<int:pk>/", views.detail, name="detail"),
    path("office/dossiers/<int:pk>/<slug:action>/", views.act, name="act"),
    path("open-data/permits.csv", open_data.permits_csv, name="permits-csv"),
    path("open-data/permits.geojson", open_data.permits_geojson, name="permits-geojson"),
]
