from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from urbanmgmt import views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("", include("gis.urls")),
    path("", include("planning.urls")),
]
