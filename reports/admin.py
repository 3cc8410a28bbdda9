"""Report categories are data: the district edits them here (every change audited).

Reports themselves are handled in the review queue, through the workflow services, never
edited in the admin.
"""

from django.contrib import admin

from reports.models import Category
from urbanmgmt.admin import ScopedAdminMixin


@admin.register(Category)
class CategoryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = None
    audit_action_prefix = "report_category"
    list_display = (
        "code",
        "name",
        "name_en",
        "group",
        "responsible_level",
        "department_code",
        "target_days",
        "duplicate_radius_m",
        "active",
    )
    list_filter = ("group", "responsible_level", "active")
    list_editable = ("target_days", "duplicate_radius_m", "active")
    search_fields = ("code", "name", "name_en")
    ordering = ("group", "position", "code")
