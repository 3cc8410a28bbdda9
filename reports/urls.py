from django.urls import path, re_path

from reports import api, open311, queue_views, views

app_name = "reports"

urlpatterns = [
    # Citizens
    path("reports/", views.public_map, name="map"),
    path("reports/map.json", views.map_points, name="map-points"),
    path("reports/new/", views.file_report, name="new"),
    path("reports/find/", views.find, name="find"),
    path("reports/photos/<int:pk>/<str:size>.jpg", views.photo, name="photo"),
    # Officials
    path("reports/queue/", queue_views.queue, name="queue"),
    path("reports/queue/points.json", queue_views.queue_points, name="queue-points"),
    path("reports/queue/<str:code>/", queue_views.detail, name="review"),
    path("reports/queue/<str:code>/<str:action>/", queue_views.act, name="act"),
    # Codes last: "new", "find" and "queue" are never codes (no 4-4 shape).
    path("reports/<str:code>/", views.track, name="track"),
    path("reports/<str:code>/me-too/", views.me_too, name="me-too"),
    # The phone's API
    path("api/reports/", api.ReportsView.as_view(), name="api-reports"),
    path("api/reports/categories/", api.CategoriesView.as_view(), name="api-categories"),
    path("api/reports/nearby/", api.NearbyView.as_view(), name="api-nearby"),
    path("api/reports/<str:code>/", api.ReportDetailView.as_view(), name="api-report"),
    path("api/reports/<str:code>/me-too/", api.MeTooView.as_view(), name="api-me-too"),
    # Open311 GeoReport v2
    re_path(
        r"^open311/v2/discovery\.(?P<fmt>json|xml)$", open311.discovery, name="open311-discovery"
    ),
    re_path(r"^open311/v2/services\.(?P<fmt>json|xml)$", open311.services, name="open311-services"),
    re_path(
        r"^open311/v2/services/(?P<code>[^/]+)\.(?P<fmt>json|xml)$",
        open311.service_definition,
        name="open311-service",
    ),
    re_path(r"^open311/v2/requests\.(?P<fmt>json|xml)$", open311.requests, name="open311-requests"),
    re_path(
        r"^open311/v2/requests/(?P<request_id>[^/]+)\.(?P<fmt>json|xml)$",
        open311.request_detail,
        name="open311-request",
    ),
    path("open311/v2/", open311.discovery, {"fmt": "json"}, name="open311"),
]
