from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Citizen violation reports: filed from a phone, routed by location, reviewed on a map."""

    name = "reports"
    verbose_name = _("Citizen reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gis.figures import register_unit_figure
        from reports import publish

        publish.register()
        register_unit_figure("reports", _("Citizen reports"), publish.count_reports_by_unit)
