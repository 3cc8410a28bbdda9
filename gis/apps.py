from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpatialConfig(AppConfig):
    """The spatial foundation. `django.contrib.gis` owns the label `gis`, so ours is `spatial`."""

    name = "gis"
    label = "spatial"
    verbose_name = _("Spatial foundation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gis import layers, publish, tile_views
        from urbanmgmt.fastpath import register_fast_path

        layers.register_core_kinds()
        publish.register_core_layers()
        register_fast_path("/tiles/", tile_views.fast_tile, prefix=True)
