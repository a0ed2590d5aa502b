from __future__ import annotations

from django.urls import path

from intake.views import patient, staff

app_name = "intake"

urlpatterns = [
    path("portal/screening/", patient.home, name="home"),
    path("portal/screening/start/", patient.start, name="start"),
    path("portal/screening/step/<slug:slug>/", patient.step, name="step"),
    path("portal/screening/review/", patient.review, name="review"),
    path("portal/screening/submit/", patient.submit, name="submit"),
    path("portal/screening/answers/<int:pk>/", patient.answers, name="answers"),
    path("staff/screenings/", staff.queue, name="staff-queue"),
    path("staff/screenings/<int:pk>/", staff.detail, name="staff-detail"),
    path("staff/screenings/<int:pk>/decide/", staff.decide, name="staff-decide"),
    path("staff/screenings/<int:pk>/blood-pressure/", staff.record_reading, name="staff-reading"),
    path("staff/screening-alerts/<int:pk>/", staff.alert_open, name="staff-alert"),
    path("staff/screening-alerts/<int:pk>/acknowledge/", staff.acknowledge, name="staff-alert-acknowledge"),
]
