"""Django admin for providers, types, availability and (read-mostly) appointments.

Appointments are booked, moved and cancelled through the staff screens, which call the services (slot
checks, emails, reminders). Admin may edit staff notes only, so it can never bypass those rules.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clinic.lib.admin import PatientRecordsAdminMixin
from scheduling.models import (
    CLINICAL_VALUES_PERM,
    Appointment,
    AppointmentType,
    AvailabilityException,
    ClinicClosure,
    InfusionChair,
    InfusionCourse,
    InfusionHours,
    InfusionSession,
    InfusionSettings,
    NurseDuty,
    OutcomeMeasure,
    Protocol,
    Provider,
    ReminderSettings,
    TimeBlock,
    VitalSignReading,
    WeeklyHours,
)


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0
    ordering = ("weekday", "start_time")


class AvailabilityExceptionInline(admin.TabularInline):
    model = AvailabilityException
    extra = 0
    ordering = ("-date",)
    fields = ("date", "kind", "start_time", "end_time", "note")


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("display_name", "credentials", "user", "active", "type_names")
    list_filter = ("active", "appointment_types")
    search_fields = ("display_name", "credentials", "user__email", "user__last_name")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    filter_horizontal = ("appointment_types",)
    inlines = (WeeklyHoursInline, AvailabilityExceptionInline)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("appointment_types")

    @admin.display(description="Offers")
    def type_names(self, obj: Provider) -> str:
        return ", ".join(t.name for t in obj.appointment_types.all()) or "-"


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "duration",
        "slot_interval",
        "location_kind",
        "minimum_notice",
        "change_cutoff",
        "requires_screening",
        "active",
        "display_order",
    )
    list_editable = ("active", "display_order")
    list_filter = ("active", "location_kind", "requires_screening")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", "price", "active", "display_order")}),
        ("Time", {"fields": ("duration", "slot_interval", "buffer_before", "buffer_after", "location_kind")}),
        ("Booking rules", {"fields": ("minimum_notice", "booking_horizon", "change_cutoff", "requires_screening")}),
    )


@admin.register(WeeklyHours)
class WeeklyHoursAdmin(admin.ModelAdmin):
    list_display = ("provider", "weekday", "start_time", "end_time")
    list_filter = ("weekday", "provider")
    list_select_related = ("provider",)
    search_fields = ("provider__display_name",)


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(admin.ModelAdmin):
    list_display = ("date", "provider", "kind", "start_time", "end_time", "note")
    list_filter = ("kind", "provider")
    list_select_related = ("provider",)
    search_fields = ("provider__display_name", "note")
    date_hierarchy = "date"


@admin.register(ClinicClosure)
class ClinicClosureAdmin(admin.ModelAdmin):
    list_display = ("start_date", "end_date", "reason")
    search_fields = ("reason",)
    date_hierarchy = "start_date"


@admin.register(TimeBlock)
class TimeBlockAdmin(admin.ModelAdmin):
    list_display = ("start", "end", "provider", "reason", "created_by")
    list_filter = ("provider",)
    list_select_related = ("provider", "created_by")
    search_fields = ("provider__display_name", "reason")
    date_hierarchy = "start"
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: TimeBlock, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    """One row: the reminder schedule the periodic scan reads."""

    list_display = ("__str__", "first_reminder_hours", "second_reminder_hours")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not ReminderSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        ReminderSettings.load()  # so the row, with its defaults, is there to edit
        return super().changelist_view(request, extra_context)


@admin.register(Appointment)
class AppointmentAdmin(PatientRecordsAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "start",
        "end",
        "patient",
        "provider",
        "appointment_type",
        "status",
        "arrived_at",
        "booked_by",
        "short_notice",
    )
    list_filter = ("status", "short_notice", "provider", "appointment_type", ("start", admin.DateFieldListFilter))
    list_select_related = ("patient", "provider", "appointment_type", "booked_by")
    search_fields = ("patient__legal_last_name", "patient__legal_first_name", "patient__user__email", "pk")
    date_hierarchy = "start"
    ordering = ("-start",)
    readonly_fields = (
        "patient",
        "provider",
        "appointment_type",
        "start",
        "end",
        "blocked_start",
        "blocked_end",
        "status",
        "arrived_at",
        "booked_by",
        "short_notice",
        "cancelled_by",
        "cancelled_at",
        "cancel_reason",
        "idempotency_key",
        "scheduled_at",
        "created_at",
        "updated_at",
    )

    def save_model(self, request: HttpRequest, obj: Appointment, form: Any, change: bool) -> None:
        obj.save(update_fields=["staff_notes", "updated_at"])  # the only editable field here

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # bookings go through the booking screens: slot checks, emails, reminders

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cancel instead; history is kept


# ---- Infusion courses ----------------------------------------------------------------------------------------
# Courses and sessions are created, scheduled and documented on the staff screens, which apply the rules (the
# gate, the dose cap, capacity). Admin edits the room's setup (chairs, hours, staffing, settings, protocols) and
# reads courses, sessions and vitals with their history.


@admin.register(InfusionChair)
class InfusionChairAdmin(admin.ModelAdmin):
    list_display = ("name", "room", "active", "display_order")
    list_editable = ("active", "display_order")


@admin.register(InfusionHours)
class InfusionHoursAdmin(admin.ModelAdmin):
    list_display = ("__str__", "weekday", "start_time", "end_time")
    list_filter = ("weekday",)


@admin.register(NurseDuty)
class NurseDutyAdmin(admin.ModelAdmin):
    list_display = ("date", "nurses")
    date_hierarchy = "date"


@admin.register(InfusionSettings)
class InfusionSettingsAdmin(admin.ModelAdmin):
    fieldsets = (
        ("Nurse capacity", {"fields": ("sessions_per_nurse", "nurses_on_duty")}),
        (
            "Pre-infusion hold (clinic defaults, not medical advice)",
            {
                "fields": (
                    ("hold_systolic", "hold_systolic_source"),
                    ("hold_diastolic", "hold_diastolic_source"),
                    ("hold_heart_rate", "hold_heart_rate_source"),
                    ("hold_spo2", "hold_spo2_source"),
                )
            },
        ),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not InfusionSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Protocol)
class ProtocolAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "indications", "planned_sessions", "mg_per_kg", "max_dose_mg", "usable")
    list_filter = ("kind", "active")
    prepopulated_fields: ClassVar = {"slug": ("name",)}

    @admin.display(boolean=True, description="Ready to use")
    def usable(self, obj: Protocol) -> bool:
        return obj.is_usable


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Read-only, with the model's history."""


class ReadOnlyRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only, for append-only records that keep no history (a history page would have nothing to show)."""


class ClinicalValuesAdminMixin:
    """Vitals, doses and scores: only for those who may see them on the staff pages too (docs/roles.md)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and request.user.has_perm(CLINICAL_VALUES_PERM)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and request.user.has_perm(CLINICAL_VALUES_PERM)


class InfusionSessionInline(admin.TabularInline):
    model = InfusionSession
    extra = 0
    fields = ("number", "chair", "start", "status")  # no dose: the course page in admin shows no clinical value
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InfusionCourse)
class InfusionCourseAdmin(PatientRecordsAdminMixin, ReadOnlyAdmin):
    list_display = ("pk", "patient", "protocol", "indication", "status", "created_at")
    list_filter = ("status", "protocol", "indication")
    list_select_related = ("patient", "protocol")
    inlines = (InfusionSessionInline,)


class VitalSignReadingInline(admin.TabularInline):
    model = VitalSignReading
    extra = 0
    can_delete = False
    readonly_fields = (
        "taken_at",
        "phase",
        "systolic",
        "diastolic",
        "heart_rate",
        "spo2",
        "respiratory_rate",
        "hold",
        "taken_by",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _CoursePatientMixin(PatientRecordsAdminMixin):
    """The patient of a row that belongs to a course (``course_path``: how to reach the course from the row)."""

    course_path = "course"

    def _course(self, obj: Any) -> InfusionCourse:
        for name in self.course_path.split("__"):
            obj = getattr(obj, name)
        return obj

    def _patient_of(self, obj: Any) -> Any:
        return self._course(obj).patient

    def _patient_id_of(self, obj: Any) -> int:
        return self._course(obj).patient_id


@admin.register(InfusionSession)
class InfusionSessionAdmin(ClinicalValuesAdminMixin, _CoursePatientMixin, ReadOnlyAdmin):
    list_display = ("pk", "course", "number", "chair", "start", "status")
    list_filter = ("status", "chair")
    list_select_related = ("course", "chair")
    date_hierarchy = "start"
    inlines = (VitalSignReadingInline,)


@admin.register(VitalSignReading)
class VitalSignReadingAdmin(ClinicalValuesAdminMixin, _CoursePatientMixin, ReadOnlyRecordAdmin):
    course_path = "session__course"
    list_display = ("session", "phase", "taken_at", "systolic", "diastolic", "heart_rate", "spo2", "hold")
    list_filter = ("phase", "hold")
    list_select_related = ("session__course",)


@admin.register(OutcomeMeasure)
class OutcomeMeasureAdmin(ClinicalValuesAdminMixin, _CoursePatientMixin, ReadOnlyRecordAdmin):
    list_display = ("course", "instrument", "when", "total", "taken_at")
    list_filter = ("instrument",)
