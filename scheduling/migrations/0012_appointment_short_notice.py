"""Phone bookings inside the online minimum notice (issue 11): the ``book_short_notice`` permission, granted to the
roles that book by phone (see docs/roles.md), and ``Appointment.short_notice``, which records that a booking used it.

The clinic admin gets it too: they set each type's minimum notice in admin, so withholding the override would only
push them to lower the notice for every patient online.
"""

from __future__ import annotations

from django.db import migrations, models

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, grant_operation

SHORT_NOTICE = "scheduling.book_short_notice"
MATRIX = {FRONT_DESK: [SHORT_NOTICE], CLINICIAN: [SHORT_NOTICE], CLINIC_ADMIN: [SHORT_NOTICE]}
HELP = (
    "Booked by phone inside the type's online minimum notice, by a staff member allowed to (Booked by). Moving the "
    "appointment clears it; the history keeps it."
)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0011_busy_time_index_by_start"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="appointment",
            options={
                "ordering": ["start", "pk"],
                "permissions": [
                    ("mark_appointment", "Can mark an appointment arrived, completed or no-show"),
                    ("reschedule_appointment", "Can move an appointment to another time"),
                    ("cancel_appointment", "Can cancel an appointment"),
                    ("book_short_notice", "Can book by phone inside the online minimum notice"),
                ],
            },
        ),
        migrations.AddField(
            model_name="appointment",
            name="short_notice",
            field=models.BooleanField(default=False, editable=False, help_text=HELP),
        ),
        migrations.AddField(
            model_name="historicalappointment",
            name="short_notice",
            field=models.BooleanField(default=False, editable=False, help_text=HELP),
        ),
        grant_operation(MATRIX),
    ]
