from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.utils.translation import gettext_lazy as _

from gis.models import AdminUnit, LandUseType, LayerImport, Parcel
from gis.widgets import LocalMapWidget
from urbanmgmt.admin import ScopedAdminMixin


class LocalMapAdmin(GISModelAdmin):
    gis_widget = LocalMapWidget
    gis_widget_kwargs = {"attrs": {"map_width": 800, "map_height": 500}}


@admin.register(AdminUnit)
class AdminUnitAdmin(ScopedAdminMixin, LocalMapAdmin):
    scope_unit_field = "id"
    list_display = ("code", "name", "level", "parent", "valid_from", "valid_to", "area_km2")
    list_filter = ("level",)
    search_fields = ("code", "name", "search_name")
    raw_id_fields = ("parent",)
    filter_horizontal = ("predecessors",)
    readonly_fields = ("area_m2",)
    list_select_related = ("parent",)

    @admin.display(description=_("area (km²)"), ordering="area_m2")
    def area_km2(self, unit: AdminUnit) -> str:
        return f"{unit.area_m2 / 1e6:.2f}"


@admin.register(Parcel)
class ParcelAdmin(ScopedAdminMixin, LocalMapAdmin):
    scope_unit_field = "ward"
    list_display = ("__str__", "ward", "sheet_no", "parcel_no", "land_use", "address", "area_m2")
    list_filter = ("land_use",)
    search_fields = ("address", "address_search", "ward__code")
    raw_id_fields = ("ward",)
    readonly_fields = ("area_m2",)
    list_select_related = ("ward",)
    show_full_result_count = False  # no exact COUNT(*) over a million parcels


@admin.register(LandUseType)
class LandUseTypeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = None
    list_display = ("code", "name", "group")
    search_fields = ("code", "name")


@admin.register(LayerImport)
class LayerImportAdmin(admin.ModelAdmin):
    list_display = (
        "finished_at",
        "kind",
        "source",
        "read",
        "created",
        "updated",
        "repaired",
        "refused",
        "seconds",
    )
    list_filter = ("kind",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
