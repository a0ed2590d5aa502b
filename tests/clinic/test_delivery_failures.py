"""Emails that failed for good are visible to staff until resolved; "send again"; a mail server alert; deleting a
user keeps their emails on record and cancels what was not sent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic import services
from clinic.models import MailServerAlert, Notification
from tests.conftest import verified_client
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME = reverse("scheduling:staff-home")


def _failed(user=None, key: str = "f1", kind: str = "scheduling/confirmation") -> Notification:
    user = user or PatientFactory().user
    return Notification.objects.create(
        kind=kind,
        idempotency_key=key,
        recipient=user,
        to_email=user.email,
        status=Notification.Status.FAILED,
        failed_at=timezone.now(),
        attempts=3,
        message_id="<old@clinic.example>",
        last_error="rcpt 550",
    )


def _section(page: str) -> str:
    """The staff home page's email delivery section."""
    return page[page.index('id="outbox-title"') : page.index("</section>", page.index('id="outbox-title"'))]


def _resolve_url(notification: Notification) -> str:
    return reverse("clinic:staff-notification-resolve", args=[notification.pk])


# --- The staff home page ----------------------------------------------------------------------------


def test_front_desk_sees_who_did_not_get_which_email_and_nothing_clinical(front_desk) -> None:
    patient = PatientFactory(legal_first_name="Avery", legal_last_name="Quinn")
    _failed(patient.user)
    content = _section(verified_client(front_desk).get(HOME).content.decode())
    assert "1 email could not be delivered" in content
    assert "Avery Quinn" in content and patient.user.email in content
    assert "Confirmation" in content
    assert "Mark resolved" in content
    assert "ketamine" not in content.lower() and "infusion" not in content.lower()


def test_staff_without_the_permission_see_no_delivery_section(nurse, clinician) -> None:
    _failed()
    for user in (nurse, clinician):
        content = verified_client(user).get(HOME).content.decode()
        assert "Email delivery" not in content


def test_a_resolved_email_leaves_the_page(front_desk) -> None:
    notification = _failed()
    client = verified_client(front_desk)
    response = client.post(_resolve_url(notification))
    assert response.status_code == 302 and response["Location"] == HOME
    notification.refresh_from_db()
    assert notification.resolved_by == front_desk and notification.resolved_at is not None
    content = client.get(HOME).content.decode()
    assert "could not be delivered" not in content
    assert "All emails are being delivered" in content


def test_resolving_twice_says_so_and_changes_nothing(front_desk, clinic_admin) -> None:
    notification = _failed()
    verified_client(front_desk).post(_resolve_url(notification))
    response = verified_client(clinic_admin).post(_resolve_url(notification), follow=True)
    assert "already resolved" in response.content.decode()
    notification.refresh_from_db()
    assert notification.resolved_by == front_desk


def test_resolve_needs_its_own_permission_login_post_and_a_failed_email(
    front_desk, nurse, anon_client, patient_client
) -> None:
    notification = _failed()
    assert verified_client(nurse).post(_resolve_url(notification)).status_code == 403
    assert patient_client.post(_resolve_url(notification)).status_code == 403
    assert anon_client.post(_resolve_url(notification))["Location"].startswith(reverse("clinic:login"))
    desk = verified_client(front_desk)
    assert desk.get(_resolve_url(notification)).status_code == 405
    sent = Notification.objects.create(
        kind="clinic/set_password",
        idempotency_key="sent",
        to_email="a@example.com",
        status="sent",
        sent_at=timezone.now(),
    )
    assert desk.post(_resolve_url(sent)).status_code == 404
    assert desk.post(reverse("clinic:staff-notification-resolve", args=[999999])).status_code == 404
    # A user who may see failures but not resolve them gets no button.
    front_desk.groups.first().permissions.remove(Permission.objects.get(codename="resolve_notification"))
    assert (
        "Mark resolved"
        not in verified_client(UserFactory._meta.model.objects.get(pk=front_desk.pk)).get(HOME).content.decode()
    )


def test_the_home_page_query_count_does_not_grow_with_failed_emails(front_desk) -> None:
    client = verified_client(front_desk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        return len(captured)

    _failed(key="one")
    few = queries()
    for n in range(15):
        _failed(key=f"more-{n}", user=UserFactory() if n % 2 else None)
    assert queries() == few


def test_the_mail_server_alert_shows_once_for_all_emails(front_desk) -> None:
    MailServerAlert.objects.create(step="connect", reason="ConnectionRefusedError", failures=12)
    content = verified_client(front_desk).get(HOME).content.decode()
    assert content.count("The mail server is refusing our emails") == 1
    assert "we could not reach it (ConnectionRefusedError)" in content
    alert = MailServerAlert.objects.get()
    alert.step, alert.code = "auth", 535
    assert alert.problem == "it answered 535 when we signed in"
    assert "All emails are being delivered" not in content


# --- Send again (admin) -----------------------------------------------------------------------------


def test_send_again_makes_a_new_message_resets_attempts_and_records_who(clinic_admin, on_commit) -> None:
    notification = _failed(kind="clinic/set_password")
    with on_commit(execute=True):
        assert services.notification_resend(notification=notification, by=clinic_admin)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert notification.message_id != "<old@clinic.example>"
    assert notification.resent_by == clinic_admin and notification.resent_at is not None
    assert mail.outbox[0].extra_headers["Message-ID"] == notification.message_id
    assert not services.notification_resend(notification=notification, by=clinic_admin), "only failed emails"


def test_admin_lists_by_status_and_sends_again(clinic_admin, front_desk, on_commit) -> None:
    failed = _failed(kind="clinic/set_password")
    changelist = reverse("admin:clinic_notification_changelist")
    admin = verified_client(clinic_admin)
    page = admin.get(changelist + "?status__exact=failed")
    assert page.status_code == 200 and failed.to_email in page.content.decode()
    with on_commit(execute=True):
        response = admin.post(changelist, {"action": "send_again", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.resent_by) == (Notification.Status.SENT, clinic_admin)
    # The front desk may look but not send again: the action is not offered.
    again = _failed(key="f2")
    verified_client(front_desk).post(changelist, {"action": "send_again", "_selected_action": [again.pk]})
    again.refresh_from_db()
    assert again.status == Notification.Status.FAILED


# --- Deleting a user --------------------------------------------------------------------------------


def test_deleting_a_user_keeps_their_emails_and_cancels_the_unsent(clinic_admin) -> None:
    user = PatientFactory().user
    failed = _failed(user)
    pending = services.notification_enqueue(kind="clinic/set_password", idempotency_key="pending", recipient=user)
    alert = services.notification_enqueue(kind="clinic/set_password", idempotency_key="other", recipient=UserFactory())
    address = user.email
    user.patient.delete()
    services.user_delete(user=user)
    failed.refresh_from_db()
    pending.refresh_from_db()
    assert (failed.recipient, failed.to_email, failed.status) == (None, address, Notification.Status.FAILED)
    assert (pending.recipient, pending.status) == (None, Notification.Status.CANCELLED)
    assert Notification.objects.get(pk=alert.pk).status == Notification.Status.PENDING
    assert services.notifications_send_due() == 1  # only the other user's email


def test_admin_delete_goes_through_the_service(clinic_admin, settings) -> None:
    user = UserFactory()
    pending = services.notification_enqueue(kind="clinic/set_password", idempotency_key="p", recipient=user)
    clinic_admin.is_superuser = True
    clinic_admin.save()
    response = verified_client(clinic_admin).post(reverse("admin:clinic_user_delete", args=[user.pk]), {"post": "yes"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.recipient, pending.status) == (None, Notification.Status.CANCELLED)
