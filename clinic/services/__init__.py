"""Writes that mean something in the domain. Views, forms, admin actions and tasks call these."""

from __future__ import annotations

from clinic.services.access import access_log_record, access_log_record_list
from clinic.services.accounts import (
    account_deactivate,
    account_roles_saved,
    account_send_password_link,
    email_verify,
    password_reset_request,
    patient_profile_update,
    patient_register,
    patient_sign_up,
    staff_backup_codes_generate,
    staff_totp_confirm,
    staff_totp_device_for_enrolment,
    user_delete,
)
from clinic.services.notifications import (
    SendOutcome,
    notification_enqueue,
    notification_resend,
    notification_resolve,
    notification_send,
    notifications_cancel,
    notifications_cancel_for_user,
    notifications_send_due,
)

__all__ = [
    "SendOutcome",
    "access_log_record",
    "access_log_record_list",
    "account_deactivate",
    "account_roles_saved",
    "account_send_password_link",
    "email_verify",
    "notification_enqueue",
    "notification_resend",
    "notification_resolve",
    "notification_send",
    "notifications_cancel",
    "notifications_cancel_for_user",
    "notifications_send_due",
    "password_reset_request",
    "patient_profile_update",
    "patient_register",
    "patient_sign_up",
    "staff_backup_codes_generate",
    "staff_totp_confirm",
    "staff_totp_device_for_enrolment",
    "user_delete",
]
