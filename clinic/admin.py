from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import pluralize
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from clinic import selectors, services
from clinic.lib.admin import PatientRecordsAdminMixin
from clinic.lib.roles import STAFF_ROLES, may_manage_account
from clinic.models import AccessLog, MailServerAlert, Notification, Patient, User

EMAIL_TAKEN = "An account with this email address already exists."
PATIENT_ON_STAFF_ACCOUNT = (
    "This is a staff account. A patient record goes on the patient's own account, never on a staff login: "
    "choose or create a patient account."
)


class _UniqueEmailMixin(forms.ModelForm):
    def clean_email(self) -> str:
        # One clear message, whatever the case: the field's own check and the case-insensitive constraint each
        # reported it, one of them as "Constraint ... is violated".
        email = User.objects.normalize_email(self.cleaned_data["email"])
        owner = selectors.user_by_email(email)
        if owner is not None and owner.pk != self.instance.pk:
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email


class UserAddForm(_UniqueEmailMixin):
    """A new account has no password: its owner sets one from the emailed link."""

    class Meta:
        model = User
        fields: ClassVar = ["email", "first_name", "last_name"]


class UserChangeForm(_UniqueEmailMixin):
    class Meta:
        model = User
        fields = "__all__"  # noqa: DJ007 -- the admin's fieldsets choose what shows


class PatientAdminForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = "__all__"  # noqa: DJ007 -- the admin's fieldsets choose what shows

    def clean_user(self) -> User:
        user = self.cleaned_data["user"]
        if user.is_clinic_staff:  # patients never are staff (second factor, portal and staff area apart)
            raise forms.ValidationError(PATIENT_ON_STAFF_ACCOUNT, code="staff_account")
        return user


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Accounts. Only a superuser grants superuser or single permissions, or changes an email address; a clinic admin
    assigns the staff roles and deactivates accounts, and never edits a superuser or a clinic admin. Nobody sets
    another person's password here: the action sends them a link instead."""

    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    readonly_fields = ("last_login", "date_joined", "activated_at")
    actions = ("send_password_link", "deactivate")

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> type[forms.ModelForm]:
        kwargs["form"] = UserAddForm if obj is None else UserChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[tuple[str | None, dict[str, Any]]]:
        if obj is None:
            return [(None, {"fields": ["email", "first_name", "last_name", "groups"]})]
        access = ["is_active", "groups"]
        if request.user.is_superuser:
            access = ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]
        return [
            (None, {"fields": ["email"]}),
            ("Name", {"fields": ["first_name", "last_name"]}),
            ("Access", {"fields": access}),
            ("Dates", {"fields": ["last_login", "date_joined", "activated_at"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            fields.append("email")  # else a clinic admin points it at their own inbox and sends the reset link
        return fields

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=STAFF_ROLES).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage_account(actor=request.user, account=obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser  # deactivate instead: records point at their users

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.user_delete(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_delete(user=user)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.account_roles_saved(account=form.instance, by=request.user, created=not change)

    @admin.action(description="Email a link to set a new password")
    def send_password_link(self, request: HttpRequest, queryset: QuerySet) -> None:
        sent = services.account_send_password_link(accounts=self._manageable(request, queryset))
        self.message_user(request, f"Sent {sent} password link{pluralize(sent)}.")

    @admin.action(description="Deactivate the selected accounts")
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = services.account_deactivate(accounts=self._manageable(request, queryset))
        self.message_user(request, f"Deactivated {done} account{pluralize(done)}.")

    def _manageable(self, request: HttpRequest, queryset: QuerySet) -> list[User]:
        accounts = [a for a in queryset.prefetch_related("groups") if may_manage_account(actor=request.user, account=a)]
        if len(accounts) < len(queryset):
            self.message_user(request, "Superusers and clinic admins were left alone.", level=messages.WARNING)
        return accounts


class _DeviceAdmin(admin.ModelAdmin):
    """Second-factor devices are reset (deleted), never read: no secret key, QR code or backup code is shown."""

    list_display = ("user", "name", "confirmed", "last_used_at")
    list_select_related = ("user",)
    list_filter = ("confirmed",)
    search_fields = ("user__email",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage_account(actor=request.user, account=obj.user))


admin.site.register(TOTPDevice, _DeviceAdmin)
admin.site.register(StaticDevice, _DeviceAdmin)


@admin.register(Patient)
class PatientAdmin(PatientRecordsAdminMixin, SimpleHistoryAdmin):
    form = PatientAdminForm
    patient_field = None
    list_display = ("full_name", "user", "date_of_birth", "phone", "time_zone", "created_at")
    list_select_related = ("user",)
    list_filter = ("sex_at_birth", "time_zone")
    search_fields = ("legal_first_name", "legal_last_name", "preferred_name", "user__email", "phone")
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        """A record stays with its login: moving it to another account hands that account the patient's portal
        and emails (a staff member could point it at their own login)."""
        readonly = tuple(super().get_readonly_fields(request, obj))
        return (*readonly, "user") if obj is not None else readonly

    def save_model(self, request: HttpRequest, obj: Patient, form: Any, change: bool) -> None:
        if change:  # a history "revert" loads a whole past version, the read-only login included: keep today's
            obj.user_id = Patient.objects.values_list("user_id", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)


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
