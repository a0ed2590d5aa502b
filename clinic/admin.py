from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clinic.lib.admin import PatientRecordsAdminMixin
from clinic.models import AccessLog, Notification, Patient, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")


@admin.register(Patient)
class PatientAdmin(PatientRecordsAdminMixin, SimpleHistoryAdmin):
    patient_field = None
    list_display = ("full_name", "user", "date_of_birth", "phone", "time_zone", "created_at")
    list_select_related = ("user",)
    list_filter = ("sex_at_birth", "time_zone")
    search_fields = ("legal_first_name", "legal_last_name", "preferred_name", "user__email", "phone")
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("kind", "recipient", "to_email", "status", "attempts", "due_at", "sent_at", "last_error")
    list_select_related = ("recipient",)
    list_filter = ("status", "kind")
    search_fields = ("idempotency_key", "recipient__email", "to_email")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(PatientRecordsAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user", "patient", "action", "object_type", "object_id", "page", "ip_address")
    list_select_related = ("user", "patient")
    list_filter = ("action", "object_type", "page")
    search_fields = ("user__email", "patient__legal_last_name", "object_id")
    date_hierarchy = "at"
    readonly_fields: ClassVar = ["at", "user", "patient", "action", "object_type", "object_id", "page", "ip_address"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
