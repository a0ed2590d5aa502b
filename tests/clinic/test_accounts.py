from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from tests.factories import PASSWORD, PatientFactory, UserFactory

User = get_user_model()

SIGN_UP = {
    "email": "Jo.Smith@Example.com",
    "password1": "correct-horse-battery-9",
    "password2": "correct-horse-battery-9",
    "legal_first_name": "Joanna",
    "legal_last_name": "Smith",
    "preferred_name": "Jo",
    "date_of_birth": "1980-01-02",
    "sex_at_birth": "female",
    "phone": "617 555 0100",
    "time_zone": "America/Chicago",
}


@pytest.mark.django_db
class TestEmailIsCaseInsensitive:
    def test_stored_lower_case(self) -> None:
        user = User.objects.create_user("Mixed.Case@Example.COM", PASSWORD)
        assert user.email == "mixed.case@example.com"

    def test_second_account_with_other_case_is_refused_by_the_database(self) -> None:
        User.objects.create_user("same@example.com", PASSWORD)
        user = User(email="SAME@example.com")
        with pytest.raises(IntegrityError):
            user.save()

    def test_login_with_any_case(self, client: Client) -> None:
        UserFactory(email="casey@example.com")
        response = client.post(reverse("clinic:login"), {"username": "CASEY@Example.com", "password": PASSWORD})
        assert response.status_code == 302
        assert "_auth_user_id" in client.session


@pytest.mark.django_db
class TestSignUp:
    def test_creates_inactive_account_and_sends_verification(self, client: Client, on_commit) -> None:
        with on_commit(execute=True):
            response = client.post(reverse("clinic:sign-up"), SIGN_UP)
        assert response.status_code == 302
        assert response["Location"] == reverse("clinic:sign-up-done")
        patient = Patient.objects.get(user__email="jo.smith@example.com")
        assert patient.user.is_active is False
        assert patient.time_zone == "America/Chicago"
        assert len(mail.outbox) == 1
        # The typed name is not echoed: whoever typed it has not shown they own the inbox.
        assert mail.outbox[0].body.startswith("Hello,")
        assert "Jo" not in mail.outbox[0].body

    def test_verification_link_activates_once(self, client: Client, on_commit) -> None:
        with on_commit(execute=True):
            client.post(reverse("clinic:sign-up"), SIGN_UP)
        path = re.search(r"testserver(/account/verify/\S+/)", mail.outbox[0].body).group(1)
        response = client.get(path)
        assert response.status_code == 302
        assert User.objects.get(email="jo.smith@example.com").is_active
        assert Client().get(path).status_code == 400  # used links stop working

    def test_used_link_fails_even_after_the_account_is_deactivated_again(self, client: Client, on_commit) -> None:
        with on_commit(execute=True):
            client.post(reverse("clinic:sign-up"), SIGN_UP)
        path = re.search(r"testserver(/account/verify/\S+/)", mail.outbox[0].body).group(1)
        assert client.get(path).status_code == 302
        User.objects.filter(email="jo.smith@example.com").update(is_active=False)  # staff deactivate it
        response = Client().get(path)
        assert response.status_code == 400
        assert User.objects.get(email="jo.smith@example.com").is_active is False

    def test_forged_verification_link_is_refused(self, client: Client) -> None:
        response = client.get(reverse("clinic:verify-email", args=["MQ", "forged-token"]))
        assert response.status_code == 400
        assert b"no longer works" in response.content

    def test_existing_email_is_not_revealed(self, client: Client, on_commit) -> None:
        PatientFactory(user__email="jo.smith@example.com")
        with on_commit(execute=True):
            response = client.post(reverse("clinic:sign-up"), SIGN_UP)
        assert response.status_code == 302
        assert response["Location"] == reverse("clinic:sign-up-done")
        assert User.objects.filter(email__iexact="jo.smith@example.com").count() == 1
        assert mail.outbox[0].subject.startswith("Your ")
        assert "already have an account" in mail.outbox[0].body

    def test_sign_up_never_reactivates_a_deactivated_account(self, client: Client, on_commit) -> None:
        nurse = UserFactory(email="former.nurse@example.com", is_staff=True)
        User.objects.filter(pk=nurse.pk).update(is_active=False)  # deactivated by a clinic admin
        with on_commit(execute=True):
            response = client.post(reverse("clinic:sign-up"), {**SIGN_UP, "email": "Former.Nurse@example.com"})
        assert response.status_code == 302
        assert mail.outbox == []  # no link of any kind reaches a deactivated account
        nurse.refresh_from_db()
        assert nurse.is_active is False
        assert nurse.check_password(PASSWORD)  # sign-up never touches an existing account

    def test_a_verification_link_cannot_reactivate_a_deactivated_account(self, client: Client) -> None:
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        from clinic.tokens import email_verification_token

        nurse = UserFactory(is_staff=True)
        User.objects.filter(pk=nurse.pk).update(is_active=False)
        nurse.refresh_from_db()
        token = email_verification_token.make_token(nurse)  # even a valid token for its current state
        response = client.get(
            reverse("clinic:verify-email", args=[urlsafe_base64_encode(force_bytes(nurse.pk)), token])
        )
        assert response.status_code == 400
        nurse.refresh_from_db()
        assert nurse.is_active is False
        assert "_auth_user_id" not in client.session

    def test_a_pending_sign_up_gets_its_link_again_later(self, client: Client, on_commit) -> None:
        with on_commit(execute=True):
            client.post(reverse("clinic:sign-up"), SIGN_UP)
            Client().post(reverse("clinic:sign-up"), {**SIGN_UP, "preferred_name": "Visit www.evil.example"})
        assert len(mail.outbox) == 1  # the repeat within 15 minutes is throttled
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)), on_commit(execute=True):
            Client().post(reverse("clinic:sign-up"), {**SIGN_UP, "preferred_name": "Visit www.evil.example"})
        assert len(mail.outbox) == 2
        assert "/account/verify/" in mail.outbox[1].body
        assert "evil" not in mail.outbox[1].body
        assert Patient.objects.get().preferred_name == "Jo"  # the first sign-up's details stand

    def test_repeated_sign_ups_with_a_known_email_are_throttled(self, client: Client, on_commit) -> None:
        PatientFactory(user__email="jo.smith@example.com")
        with on_commit(execute=True):
            for _ in range(10):
                client.post(reverse("clinic:sign-up"), SIGN_UP)
        assert len(mail.outbox) == 1
        assert "Joanna" not in mail.outbox[0].body

    def test_known_and_new_emails_do_the_same_work(self, client: Client, on_commit, monkeypatch) -> None:
        """One password hash and one queued email on both paths, so the response time tells nothing."""
        from django.contrib.auth.hashers import MD5PasswordHasher

        from clinic.models import Notification

        calls: list[str] = []
        real = MD5PasswordHasher.encode
        monkeypatch.setattr(MD5PasswordHasher, "encode", lambda *a, **k: calls.append("hash") or real(*a, **k))
        client.post(reverse("clinic:sign-up"), SIGN_UP)
        new_path = (len(calls), Notification.objects.count())
        PatientFactory(user__email="known@example.com")
        calls.clear()
        before = Notification.objects.count()
        Client().post(reverse("clinic:sign-up"), {**SIGN_UP, "email": "known@example.com"})
        assert (len(calls), Notification.objects.count() - before) == new_path == (1, 1)

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("short-pw1", "too short"),
            ("qwerty123456", "too common"),
            ("123456789012345", "entirely numeric"),
        ],
    )
    def test_password_policy(self, client: Client, password: str, message: str) -> None:
        data = {**SIGN_UP, "password1": password, "password2": password}
        response = client.post(reverse("clinic:sign-up"), data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not User.objects.exists()

    def test_future_birth_date_and_bad_phone_are_explained(self, client: Client) -> None:
        data = {**SIGN_UP, "date_of_birth": "2999-01-01", "phone": "12"}
        response = client.post(reverse("clinic:sign-up"), data)
        content = response.content.decode()
        assert "cannot be in the future" in content
        assert "valid phone number" in content
        assert not User.objects.exists()

    def test_wrong_method(self, client: Client) -> None:
        assert client.put(reverse("clinic:sign-up")).status_code == 405


@pytest.mark.django_db
class TestLogin:
    def test_lockout_after_repeated_failures(self, client: Client, settings) -> None:
        UserFactory(email="target@example.com")
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("clinic:login"), {"username": "target@example.com", "password": "wrong-password!"})
        response = client.post(reverse("clinic:login"), {"username": "target@example.com", "password": PASSWORD})
        assert response.status_code == 429
        assert b"Too many attempts" in response.content
        assert "_auth_user_id" not in client.session

    def test_logout_is_post_only_and_invalidates_the_session(self, patient_client: Client) -> None:
        assert patient_client.get(reverse("clinic:logout")).status_code == 405
        old_key = patient_client.session.session_key
        response = patient_client.post(reverse("clinic:logout"))
        assert response.status_code == 200
        from django.contrib.sessions.models import Session

        assert not Session.objects.filter(session_key=old_key).exists()
        assert patient_client.get(reverse("clinic:profile")).status_code == 302

    def test_open_redirect_is_ignored(self, client: Client) -> None:
        user = UserFactory()
        client.force_login(user)
        response = client.get(reverse("clinic:after-login"), {"next": "https://evil.example/"})
        assert "evil" not in response["Location"]


@pytest.mark.django_db
class TestPasswordReset:
    def test_same_answer_for_known_and_unknown_emails(self, client: Client, on_commit) -> None:
        UserFactory(email="known@example.com")
        with on_commit(execute=True):
            known = client.post(reverse("clinic:password-reset"), {"email": "known@example.com"})
            unknown = client.post(reverse("clinic:password-reset"), {"email": "nobody@example.com"})
        assert known.status_code == unknown.status_code == 302
        assert known["Location"] == unknown["Location"]
        strip_csrf = lambda html: re.sub(rb"[\w-]{64}", b"", html)  # noqa: E731 - per-request token
        assert strip_csrf(client.get(known["Location"]).content) == strip_csrf(client.get(unknown["Location"]).content)
        assert [m.to for m in mail.outbox] == [["known@example.com"]]

    def test_reset_link_sets_a_new_password(self, client: Client, on_commit) -> None:
        user = UserFactory(email="known@example.com")
        with on_commit(execute=True):
            client.post(reverse("clinic:password-reset"), {"email": "known@example.com"})
        path = re.search(r"testserver(/account/password/reset/\S+/)", mail.outbox[0].body).group(1)
        form_url = client.get(path)["Location"]  # Django swaps the token for a session marker
        new = "a-brand-new-passphrase-5"
        response = client.post(form_url, {"new_password1": new, "new_password2": new})
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.check_password(new)

    def test_repeated_requests_are_throttled(self, client: Client, on_commit) -> None:
        UserFactory(email="known@example.com")
        with on_commit(execute=True):
            for _ in range(3):
                client.post(reverse("clinic:password-reset"), {"email": "known@example.com"})
        assert len(mail.outbox) == 1


@pytest.mark.django_db
class TestIdleTimeout:
    def test_patient_logged_out_after_30_idle_minutes(self, patient_client: Client) -> None:
        assert patient_client.get(reverse("clinic:profile")).status_code == 200
        session = patient_client.session
        session["last_activity_at"] = time.time() - 31 * 60
        session.save()
        response = patient_client.get(reverse("clinic:profile"))
        assert response.status_code == 302
        assert reverse("clinic:login") in response["Location"]
        assert "_auth_user_id" not in patient_client.session

    def test_patient_active_within_30_minutes_stays(self, patient_client: Client) -> None:
        patient_client.get(reverse("clinic:profile"))
        session = patient_client.session
        session["last_activity_at"] = time.time() - 20 * 60
        session.save()
        assert patient_client.get(reverse("clinic:profile")).status_code == 200

    def test_staff_logged_out_after_15_idle_minutes(self, nurse, staff_client_for) -> None:
        client = staff_client_for(nurse)
        assert client.get(reverse("clinic:staff-patient-list")).status_code == 200
        session = client.session
        session["last_activity_at"] = time.time() - 16 * 60
        session.save()
        assert client.get(reverse("clinic:staff-patient-list")).status_code == 302
        assert "_auth_user_id" not in client.session

    def test_absolute_limit_of_12_hours(self, patient_client: Client) -> None:
        patient_client.get(reverse("clinic:profile"))
        session = patient_client.session
        session["auth_started_at"] = time.time() - 12 * 3600 - 60
        session.save()
        assert patient_client.get(reverse("clinic:profile")).status_code == 302


@pytest.mark.django_db
def test_sign_ups_from_one_address_are_limited(settings) -> None:
    settings.SIGN_UP_RATE_LIMIT = (3, 3600)
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(3):
        assert client.post(reverse("clinic:sign-up"), {**SIGN_UP, "email": f"new{n}@example.com"}).status_code == 302
    refused = client.post(reverse("clinic:sign-up"), {**SIGN_UP, "email": "one.more@example.com"})
    assert refused.status_code == 429
    assert "Too many sign-ups from your connection" in refused.content.decode()
    assert not User.objects.filter(email="one.more@example.com").exists()
    elsewhere = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("clinic:sign-up"), {**SIGN_UP, "email": "b@example.com"}
    )
    assert elsewhere.status_code == 302  # a limit per connection, not for everyone


@pytest.mark.django_db
class TestDeactivationClosesLinks:
    """Deactivating an account in admin closes every link already emailed to it."""

    def _deactivate(self, staff_client_for, clinic_admin, user) -> str:
        response = staff_client_for(clinic_admin).post(
            reverse("admin:clinic_user_changelist"),
            {"action": "deactivate", "_selected_action": [user.pk]},
            follow=True,
        )
        return response.content.decode()

    def test_a_pending_sign_up_deactivated_in_admin_is_closed_for_good(
        self, client: Client, on_commit, staff_client_for, clinic_admin
    ) -> None:
        with on_commit(execute=True):
            client.post(reverse("clinic:sign-up"), SIGN_UP)
        path = re.search(r"testserver(/account/verify/\S+/)", mail.outbox[0].body).group(1)
        user = User.objects.get(email="jo.smith@example.com")

        page = self._deactivate(staff_client_for, clinic_admin, user)

        assert "Deactivated 1 account" in page
        assert Client().get(path).status_code == 400
        user.refresh_from_db()
        assert user.is_active is False
        # Signing up again with the same email does not send a fresh link either.
        with on_commit(execute=True):
            Client().post(reverse("clinic:sign-up"), SIGN_UP)
        assert not any("/account/verify/" in m.body for m in mail.outbox[1:])

    def test_a_reset_link_sent_before_deactivation_stops_working(
        self, client: Client, on_commit, staff_client_for, clinic_admin
    ) -> None:
        user = UserFactory(email="known@example.com")
        with on_commit(execute=True):
            client.post(reverse("clinic:password-reset"), {"email": "known@example.com"})
        path = re.search(r"testserver(/account/password/reset/\S+/)", mail.outbox[0].body).group(1)

        self._deactivate(staff_client_for, clinic_admin, user)

        response = Client().get(path, follow=True)
        assert response.context["validlink"] is False
        user.refresh_from_db()
        user.is_active = True  # reactivated later: the old link stays dead
        user.save()
        assert Client().get(path, follow=True).context["validlink"] is False

    def test_a_set_password_link_for_a_new_account_stops_working_once_deactivated(
        self, on_commit, staff_client_for, clinic_admin
    ) -> None:
        from django.contrib.auth.models import Group

        from clinic.lib.roles import NURSE

        with on_commit(execute=True):
            staff_client_for(clinic_admin).post(
                reverse("admin:clinic_user_add"),
                {
                    "email": "nell@example.com",
                    "first_name": "Nell",
                    "last_name": "Ng",
                    "groups": [Group.objects.get(name=NURSE).pk],
                },
            )
        path = re.search(r"testserver(/account/password/reset/\S+/)", mail.outbox[-1].body).group(1)
        assert Client().get(path, follow=True).context["validlink"] is True
        self._deactivate(staff_client_for, clinic_admin, User.objects.get(email="nell@example.com"))
        assert Client().get(path, follow=True).context["validlink"] is False
