from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clinic import services
from clinic.models import AccessLog, MailServerAlert, Notification, Patient, User


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

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.user_delete(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_delete(user=user)


@admin.register(Patient)
class PatientAdmin(SimpleHistoryAdmin):
    list_display = ("full_name", "user", "date_of_birth", "phone", "time_zone", "created_at")
    list_select_related = ("user",)
    list_filter = ("sex_at_birth", "time_zone")
    search_fields = ("legal_first_name", "legal_last_name", "preferred_name", "user__email", "phone")
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("kind", "to_email", "status", "attempts", "due_at", "sent_at", "failed_at", "resolved_at")
    list_select_related = ("recipient",)
    list_filter = ("status", "kind", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("idempotency_key", "recipient__email", "to_email", "message_id")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions: ClassVar = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("clinic.resend_notification")

    @admin.action(description="Send again (failed emails only; a new message)", permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        queued = sum(services.notification_resend(notification=n, by=request.user) for n in queryset)
        skipped = queryset.count() - queued
        self.message_user(request, f"{queued} email(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} skipped: only failed emails can be sent again.", messages.WARNING)


@admin.register(MailServerAlert)
class MailServerAlertAdmin(admin.ModelAdmin):
    list_display = ("first_seen_at", "last_seen_at", "step", "code", "reason", "failures", "cleared_at")
    readonly_fields: ClassVar = [f.name for f in MailServerAlert._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "patient", "action", "object_type", "object_id", "ip_address")
    list_select_related = ("user", "patient")
    list_filter = ("action", "object_type")
    search_fields = ("user__email", "patient__legal_last_name", "object_id")
    date_hierarchy = "at"
    readonly_fields: ClassVar = ["at", "user", "patient", "action", "object_type", "object_id", "ip_address"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
