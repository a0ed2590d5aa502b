from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.factories import PatientFactory, StaffFactory

pytestmark = pytest.mark.django_db

LIST = reverse("clinic:staff-patient-list")


def detail(pk: int) -> str:
    return reverse("clinic:staff-patient-detail", args=[pk])


class TestPatientList:
    def test_staff_sees_patients_and_can_search(self, nurse, staff_client_for) -> None:
        PatientFactory(legal_first_name="Ada", legal_last_name="Lovelace", user__email="ada@example.com")
        PatientFactory(legal_first_name="Alan", legal_last_name="Turing")
        client = staff_client_for(nurse)
        everyone = client.get(LIST)
        assert b"Lovelace" in everyone.content and b"Turing" in everyone.content
        found = client.post(LIST, {"q": "ada@example"}, follow=True)
        assert b"Lovelace" in found.content and b"Turing" not in found.content

    def test_empty_states(self, nurse, staff_client_for) -> None:
        client = staff_client_for(nurse)
        assert b"No patients yet" in client.get(LIST).content
        assert "No patient matches" in client.post(LIST, {"q": "<script>"}, follow=True).content.decode()

    def test_htmx_gets_the_rows_partial(self, nurse, staff_client_for) -> None:
        PatientFactory(legal_last_name="Hopper")
        response = staff_client_for(nurse).post(LIST, {"q": "hop"}, HTTP_HX_REQUEST="true")
        assert b"Hopper" in response.content
        assert b"<html" not in response.content

    def test_paginated(self, nurse, staff_client_for) -> None:
        PatientFactory.create_batch(30)
        client = staff_client_for(nurse)
        assert client.get(LIST).content.count(b"<tr>") == 26  # header row + 25
        assert b"Page 2 of 2" in client.get(LIST, {"page": 2}).content
        assert client.get(LIST, {"page": "999"}).status_code == 200

    @pytest.mark.parametrize("size", [3, 30])
    def test_query_count_does_not_grow_with_rows(
        self, size: int, nurse, staff_client_for, django_assert_num_queries
    ) -> None:
        PatientFactory.create_batch(size)
        client = staff_client_for(nurse)
        with django_assert_num_queries(11):  # the patients shown go into the access log in one insert
            client.get(LIST)

    def test_anonymous_is_sent_to_login(self, anon_client: Client) -> None:
        response = anon_client.get(LIST)
        assert response.status_code == 302
        assert reverse("clinic:login") in response["Location"]

    def test_patient_gets_403(self, patient_client: Client) -> None:
        assert patient_client.get(LIST).status_code == 403

    def test_staff_without_the_permission_gets_403(self, staff_client_for) -> None:
        no_role = StaffFactory()
        assert staff_client_for(no_role).get(LIST).status_code == 403

    def test_wrong_method(self, nurse, staff_client_for) -> None:
        assert staff_client_for(nurse).put(LIST).status_code == 405


class TestPatientDetail:
    def test_staff_sees_the_record(self, patient, clinician, staff_client_for) -> None:
        response = staff_client_for(clinician).get(detail(patient.pk))
        assert patient.legal_last_name in response.content.decode()

    def test_unknown_patient_is_404(self, nurse, staff_client_for) -> None:
        assert staff_client_for(nurse).get(detail(999999)).status_code == 404

    def test_patient_cannot_open_another_patients_record(self, patient_client, other_patient) -> None:
        assert patient_client.get(detail(other_patient.pk)).status_code == 403

    def test_wrong_method(self, patient, nurse, staff_client_for) -> None:
        assert staff_client_for(nurse).delete(detail(patient.pk)).status_code == 405


def test_every_role_can_open_the_patient_directory(staff_client_for) -> None:
    for group in Group.objects.all():
        user = StaffFactory(role=group.name)
        assert staff_client_for(user).get(reverse("clinic:staff-patient-list")).status_code == 200, group.name


class TestSearchTermsStayOutOfUrls:
    """Issue 12, finding 13: a search term in a URL lands in every web server and proxy access log."""

    def test_search_is_posted_and_redirected_to_a_url_without_the_term(self, nurse, staff_client_for) -> None:
        PatientFactory(legal_last_name="Rivera")
        PatientFactory(legal_last_name="Okafor")
        client = staff_client_for(nurse)
        response = client.post(LIST, {"q": "Rivera"})
        assert response.status_code == 302
        assert "Rivera" not in response["Location"] and "search=" in response["Location"]
        page = client.get(response["Location"])
        assert b"Rivera" in page.content and b"Okafor" not in page.content
        assert b'method="post"' in page.content and b"hx-post" in page.content

    def test_htmx_search_pushes_a_url_without_the_term(self, nurse, staff_client_for) -> None:
        PatientFactory(legal_last_name="Rivera")
        response = staff_client_for(nurse).post(LIST, {"q": "rivera"}, HTTP_HX_REQUEST="true")
        assert b"Rivera" in response.content
        assert "rivera" not in response["HX-Push-Url"].lower() and "search=" in response["HX-Push-Url"]

    def test_pagination_links_carry_the_token_not_the_term(self, nurse, staff_client_for) -> None:
        PatientFactory.create_batch(30, legal_last_name="Rivera")
        client = staff_client_for(nurse)
        first = client.get(client.post(LIST, {"q": "Rivera"})["Location"])
        assert b"Rivera" in first.content and b"q=Rivera" not in first.content
        second = client.get(first.context["request"].get_full_path() + "&page=2")
        assert b"Page 2 of 2" in second.content

    def test_a_term_in_the_query_string_is_not_a_search(self, nurse, staff_client_for) -> None:
        PatientFactory(legal_last_name="Rivera")
        PatientFactory(legal_last_name="Okafor")
        assert b"Okafor" in staff_client_for(nurse).get(LIST, {"q": "Rivera"}).content

    def test_another_sessions_token_finds_nothing(self, nurse, clinician, staff_client_for) -> None:
        PatientFactory(legal_last_name="Rivera")
        PatientFactory(legal_last_name="Okafor")
        location = staff_client_for(nurse).post(LIST, {"q": "Rivera"})["Location"]
        assert b"Okafor" in staff_client_for(clinician).get(location).content

    def test_the_staff_home_search_box_posts(self, nurse, staff_client_for) -> None:
        home = staff_client_for(nurse).get(reverse("scheduling:staff-home")).content.decode()
        form = home[home.index('role="search"') - 80 : home.index('role="search"')]
        assert 'method="post"' in form

    def test_the_posted_search_logs_once_on_the_results_page(self, nurse, staff_client_for) -> None:
        from clinic.models import AccessLog

        shown = PatientFactory(legal_last_name="Rivera")
        client = staff_client_for(nurse)
        location = client.post(LIST, {"q": "Rivera"})["Location"]
        assert not AccessLog.objects.exists()  # the redirect shows nobody
        client.get(location)
        assert list(AccessLog.objects.values_list("patient_id", flat=True)) == [shown.pk]
