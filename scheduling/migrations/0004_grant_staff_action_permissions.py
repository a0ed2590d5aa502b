"""Grant each scheduling staff action's own permission to the roles. See docs/roles.md.

Until now every staff action checked ``change_appointment``, so a nurse could cancel. The actions now check
``mark_appointment``, ``reschedule_appointment``, ``cancel_appointment``, ``add_appointment`` (book by phone) and, for
blocking time, ``add_timeblock`` (any provider) or ``block_own_time`` (one's own calendar). ``change_appointment``
stays as it was: it only edits staff notes in Django admin now.
"""

from __future__ import annotations

from django.db import migrations

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE, grant_operation

MARK = "scheduling.mark_appointment"
RESCHEDULE_CANCEL = ["scheduling.reschedule_appointment", "scheduling.cancel_appointment"]

# Only what is new: front desk and clinic admin have add_appointment and add_timeblock from 0002 already (and a
# reverse migration must not take those back).
MATRIX = {
    FRONT_DESK: [MARK, *RESCHEDULE_CANCEL],
    NURSE: [MARK],
    CLINICIAN: [MARK, "scheduling.add_appointment", *RESCHEDULE_CANCEL, "scheduling.block_own_time"],
    CLINIC_ADMIN: [MARK, *RESCHEDULE_CANCEL, "scheduling.block_own_time"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_staff_action_permissions"),
    ]

    operations = [grant_operation(MATRIX)]
