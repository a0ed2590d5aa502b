from __future__ import annotations

from django.urls import path

from scheduling.views import (
    booking,
    courses,
    kiosk,
    manage,
    portal,
    portal_checkin,
    portal_courses,
    sessions,
    staff,
    staff_booking,
    staff_reschedule,
)

app_name = "scheduling"

urlpatterns = [
    # Booking, open to visitors and patients
    path("book/", booking.book_start, name="book-start"),
    path("book/booked/", booking.book_done_visitor, name="book-done-visitor"),
    path("book/booked/<int:pk>/", booking.book_done, name="book-done"),
    path("book/<slug:type_slug>/", booking.book_pick, name="book-pick"),
    path("book/<slug:type_slug>/details/", booking.book_details, name="book-details"),
    path("book/<slug:type_slug>/confirm/", booking.book_confirm, name="book-confirm"),
    # The patient's portal
    path("portal/", portal.portal_home, name="portal-home"),
    path("portal/appointments/", portal.appointment_list, name="my-appointments"),
    path("portal/appointments/<int:pk>/", portal.appointment_detail, name="appointment-detail"),
    path("portal/appointments/<int:pk>/calendar.ics", portal.appointment_calendar, name="appointment-calendar"),
    path("portal/appointments/<int:pk>/cancel/", portal.appointment_cancel, name="appointment-cancel"),
    path("portal/appointments/<int:pk>/reschedule/", portal.appointment_reschedule, name="appointment-reschedule"),
    path(
        "portal/appointments/<int:pk>/reschedule/confirm/",
        portal.appointment_reschedule_confirm,
        name="appointment-reschedule-confirm",
    ),
    path("portal/course/", portal_courses.my_course_latest, name="my-course-latest"),
    path("portal/courses/<int:pk>/", portal_courses.my_course, name="my-course"),
    path("portal/sessions/<int:pk>/check-in/", portal_checkin.session_checkin, name="session-checkin"),
    path("portal/sessions/<int:pk>/move/", portal_courses.my_session_move, name="my-session-move"),
    path(
        "portal/sessions/<int:pk>/check-in/safety/",
        portal_checkin.session_checkin_safety,
        name="session-checkin-safety",
    ),
    # Kiosk mode on a clinic tablet, started by staff for one patient
    path("kiosk/", kiosk.kiosk, name="kiosk"),
    path("kiosk/safety/", kiosk.kiosk_safety, name="kiosk-safety"),
    # The signed link from emails, no login
    path("manage/<str:token>/", manage.manage, name="manage"),
    path("manage/<str:token>/cancel/", manage.manage_cancel, name="manage-cancel"),
    path("manage/<str:token>/reschedule/", manage.manage_reschedule, name="manage-reschedule"),
    path("manage/<str:token>/reschedule/confirm/", manage.manage_reschedule_confirm, name="manage-reschedule-confirm"),
    # Staff
    path("staff/", staff.staff_home, name="staff-home"),
    path("staff/calendar/", staff.calendar, name="staff-calendar"),
    path("staff/appointments/<int:pk>/", staff.appointment_detail, name="staff-appointment-detail"),
    path("staff/appointments/<int:pk>/mark/", staff.appointment_mark, name="staff-appointment-mark"),
    path("staff/appointments/<int:pk>/cancel/", staff.appointment_cancel, name="staff-appointment-cancel"),
    path(
        "staff/appointments/<int:pk>/reschedule/",
        staff_reschedule.reschedule_pick,
        name="staff-appointment-reschedule",
    ),
    path(
        "staff/appointments/<int:pk>/reschedule/confirm/",
        staff_reschedule.reschedule_confirm,
        name="staff-appointment-reschedule-confirm",
    ),
    path("staff/block-time/", staff.block_time, name="staff-block-time"),
    path("staff/blocks/<int:pk>/remove/", staff.block_remove, name="staff-block-remove"),
    path("staff/book/", staff_booking.book_find, name="staff-book"),
    path("staff/book/new-patient/", staff_booking.book_new_patient, name="staff-book-new-patient"),
    path("staff/book/<int:patient_pk>/", staff_booking.book_pick, name="staff-book-pick"),
    path("staff/book/<int:patient_pk>/confirm/", staff_booking.book_confirm, name="staff-book-confirm"),
    # Infusion courses (staff)
    path("staff/courses/", courses.course_list, name="staff-course-list"),
    path("staff/courses/export.csv", courses.course_list_export, name="staff-course-list-export"),
    path("staff/courses/new/<int:patient_pk>/", courses.course_new, name="staff-course-new"),
    path("staff/courses/<int:pk>/", courses.course_detail, name="staff-course-detail"),
    path("staff/courses/<int:pk>/export.csv", courses.course_export, name="staff-course-export"),
    path("staff/courses/<int:pk>/plan/", courses.course_plan, name="staff-course-plan"),
    path("staff/courses/<int:pk>/stop/", courses.course_stop, name="staff-course-stop"),
    path("staff/infusions/board/", sessions.chair_board, name="staff-chair-board"),
    path("staff/infusions/sessions/<int:pk>/", sessions.session_detail, name="staff-session-detail"),
    path("staff/infusions/sessions/<int:pk>/kiosk/", kiosk.kiosk_start, name="staff-session-kiosk"),
    path("staff/infusions/sessions/<int:pk>/move/", courses.session_move, name="staff-session-move"),
    path("staff/infusions/sessions/<int:pk>/<slug:step>/", sessions.session_step, name="staff-session-step"),
]
