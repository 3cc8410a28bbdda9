from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    """Land-use plans and the "what is planned here?" lookup."""

    name = "planning"
    verbose_name = _("Land-use planning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from planning import api, layers, publish, signals
        from urbanmgmt.fastpath import register_async_fast_path, register_fast_path

        layers.register_kinds()
        publish.register_layers()
        signals.connect()
        register_fast_path("/api/planning/lookup", api.fast_lookup)
        register_async_fast_path("/api/planning/lookup", api.fast_lookup_async)
