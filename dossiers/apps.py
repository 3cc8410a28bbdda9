from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    """Administrative dossiers (hồ sơ), permits and their deadlines."""

    name = "dossiers"
    verbose_name = _("Administrative dossiers")
    default_auto_field = "django.db.models.BigAutoField"
