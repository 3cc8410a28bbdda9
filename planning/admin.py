from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gis.admin import LocalMapAdmin
from planning.models import PlanDecision, PlanZone, RoadBoundary, ZoneType
from urbanmgmt.admin import ScopedAdminMixin


@admin.register(PlanDecision)
class PlanDecisionAdmin(ScopedAdminMixin, LocalMapAdmin):
    scope_unit_field = None
    list_display = ("number", "title", "decided_on", "kind", "scale_label", "status", "valid_to")
    list_filter = ("status", "kind")
    search_fields = ("number", "title", "authority")
    raw_id_fields = ("superseded_by",)

    @admin.display(description=_("scale"), ordering="scale")
    def scale_label(self, decision: PlanDecision) -> str:
        return decision.scale_label


@admin.register(PlanZone)
class PlanZoneAdmin(ScopedAdminMixin, LocalMapAdmin):
    scope_unit_field = None
    list_display = (
        "zone_id",
        "code",
        "function_name",
        "max_floors",
        "max_height_m",
        "max_coverage_pct",
        "max_far",
        "decision",
        "area_m2",
    )
    list_filter = ("code", "decision")
    search_fields = ("zone_id", "code", "function_name")
    raw_id_fields = ("decision",)
    readonly_fields = ("area_m2",)
    list_select_related = ("decision",)


@admin.register(RoadBoundary)
class RoadBoundaryAdmin(ScopedAdminMixin, LocalMapAdmin):
    scope_unit_field = None
    list_display = ("street_name", "planned_width_m", "decision")
    search_fields = ("street_name", "street_search")
    raw_id_fields = ("decision",)
    list_select_related = ("decision",)


@admin.register(ZoneType)
class ZoneTypeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = None
    list_display = ("code", "name", "group")
    list_filter = ("group",)
    search_fields = ("code", "name")
