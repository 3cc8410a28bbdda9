from django.urls import path

from planning import api, views

app_name = "planning"

urlpatterns = [
    path("api/planning/lookup", api.LookupView.as_view(), name="lookup"),
    path("planning/", views.map_page, name="map"),
    path("planning/sheet/<str:key>/", views.sheet, name="sheet"),
    path("planning/sheet/<str:key>/pdf", views.sheet_pdf, name="sheet-pdf"),
]
