"""The procedure catalogue and the receiving agencies are data, edited here (audited).

Dossiers themselves are not edited in the admin: every change of a dossier goes through
`dossiers.services` (status machine, control sheet), from the officers' pages.
"""

from django.contrib import admin

from dossiers.models import Agency, Procedure, ProcedureBranch, ProcedureConsultation
from urbanmgmt.admin import ScopedAdminMixin


class BranchInline(admin.TabularInline):
    model = ProcedureBranch
    fk_name = "combined"
    extra = 0


class ConsultationInline(admin.TabularInline):
    model = ProcedureConsultation
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = None
    list_display = (
        "code",
        "name",
        "agency",
        "handling_level",
        "deadline_days",
        "deadline_unit",
        "fee_vnd",
        "fully_online",
        "is_permit",
        "is_combined",
        "active",
    )
    list_filter = ("handling_level", "is_permit", "is_combined", "active")
    search_fields = ("code", "name", "agency")
    inlines = (BranchInline, ConsultationInline)


@admin.register(Agency)
class AgencyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = "unit"
    list_display = ("code", "name", "unit")
    search_fields = ("code", "name")
    raw_id_fields = ("unit",)
    list_select_related = ("unit",)
