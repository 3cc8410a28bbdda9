from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from urbanmgmt import account_views, api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/signup/", account_views.signup, name="signup"),
    path("accounts/", account_views.account, name="account"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/me", api.me, name="api-me"),
    path("", include("gis.urls")),
    path("", include("planning.urls")),
    path("", include("reports.urls")),
    path("", include("dossiers.urls")),
    path("", include("urbanmgmt.leaders.urls")),
]
