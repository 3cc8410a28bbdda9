from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    """Administrative dossiers (hồ sơ), permits and their deadlines."""

    name = "dossiers"
    verbose_name = _("Administrative dossiers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dossiers.figures import count_dossiers_by_unit
        from gis.figures import register_unit_figure

        register_unit_figure("dossiers", _("Dossiers (12 months)"), count_dossiers_by_unit)
