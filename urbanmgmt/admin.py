"""The admin site, filtered through the access policy like every other way in."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from urbanmgmt import policy
from urbanmgmt.accounts import sync_staff_flag
from urbanmgmt.audit import changed_fields, record
from urbanmgmt.models import AuditEntry, CalendarDay, Department, Post


class ScopedAdminMixin:
    """Lists only what the person's posts cover; edits only where they may configure.

    `scope_unit_field` names the object's administrative unit ("id" when the object is a
    unit); None leaves the model unscoped (reference data such as land-use codes). Every
    save and delete writes an audit row.
    """

    scope_unit_field: str | None = "ward"
    audit_action_prefix: str = ""

    def _unit_id(self, obj: Model) -> int | None:
        if self.scope_unit_field == "id":
            return obj.pk
        return getattr(obj, f"{self.scope_unit_field}_id", None)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if self.scope_unit_field is None:
            return queryset
        return policy.scope(request.user, queryset, unit_field=self.scope_unit_field)

    def _may_configure(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None or self.scope_unit_field is None:
            return True
        return policy.can(request.user, policy.Action.CONFIGURE, self._unit_id(obj))

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        return allowed and self._may_configure(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return allowed and self._may_configure(request, obj)

    def _action(self, obj: Model, verb: str) -> str:
        return f"{self.audit_action_prefix or obj._meta.model_name}.{verb}"

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        before = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        unit_id = self._unit_id(obj) if self.scope_unit_field else None
        record(
            actor=request.user,
            post=policy.acting_post(request.user, unit_id, policy.Action.CONFIGURE),
            action=self._action(obj, "change" if change else "create"),
            obj=obj,
            unit_id=unit_id,
            changes=changed_fields(before, obj),
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        unit_id = self._unit_id(obj) if self.scope_unit_field else None
        record(
            actor=request.user,
            post=policy.acting_post(request.user, unit_id, policy.Action.CONFIGURE),
            action=self._action(obj, "delete"),
            obj=obj,
            unit_id=unit_id,
        )
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Department)
class DepartmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = "unit"
    list_display = ("code", "name", "unit")
    search_fields = ("code", "name", "unit__name")
    raw_id_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(Post)
class PostAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = "unit"
    list_display = ("user", "role", "unit", "department", "active")
    list_filter = ("role", "active")
    search_fields = ("user__username", "user__first_name", "unit__name", "unit__code")
    raw_id_fields = ("user", "unit", "department")
    list_select_related = ("user", "unit", "department")

    def save_model(self, request: HttpRequest, obj: Post, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        sync_staff_flag(obj.user)


@admin.register(CalendarDay)
class CalendarDayAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = None
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log cannot be edited or deleted through the app."""

    list_display = ("at", "actor", "post", "action", "object_type", "object_repr", "unit")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "object_repr", "actor__username")
    list_select_related = ("actor", "post", "unit")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return policy.scope(request.user, queryset, unit_field="unit")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}


admin.site.site_header = _("urbanmgmt administration")
admin.site.site_title = _("urbanmgmt administration")
