"""Django and admin behaviours that gave a 500 on hostile input (found by tests/test_hostile_input.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from education.models import Article
from tests.education.factories import DraftArticleFactory
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

HUGE = "9" * 40


@pytest.fixture
def superuser(staff_client_for) -> Client:
    return staff_client_for(StaffFactory(is_superuser=True))


def test_date_hierarchy_with_an_overflowing_year_is_refused(superuser) -> None:
    response = superuser.get(reverse("admin:scheduling_timeblock_changelist"), {"start__year": HUGE})
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


@pytest.mark.parametrize("value", ["9999-12-31", "garbage", HUGE, "2026-03-04 10:00"])
def test_admin_add_form_ignores_initial_dates_it_cannot_show(superuser, value) -> None:
    response = superuser.get(reverse("admin:scheduling_timeblock_add"), {"start": value, "end": value})
    assert response.status_code == 200


def test_many_to_many_choice_with_an_overflowing_id_is_a_form_error(superuser) -> None:
    article = DraftArticleFactory()
    url = reverse("admin:education_article_change", args=[article.pk])
    response = superuser.post(url, {"title": "T", "slug": article.slug, "summary": "S", "body": "B", "topics": HUGE})
    assert response.status_code == 200
    assert "topics" in response.context["adminform"].form.errors
    assert Article.objects.get().title != "T"


def test_login_with_a_100k_character_username_is_refused(anon_client) -> None:
    # Admin has no login form of its own: /admin/login/ sends staff to this one (tests/clinic/test_admin_login.py).
    response = anon_client.post(reverse("clinic:login"), {"username": "x" * 100_000, "password": "whatever"})
    assert response.status_code in (200, 429)


def test_zone_select_marks_only_the_chosen_zone() -> None:
    from clinic.lib.timezones import ZoneSelect, time_zone_choices

    html = ZoneSelect(attrs={"class": "form-select"}).render("tz", "Europe/Paris", {"id": "id_tz", "required": True})
    assert html.startswith('<select class="form-select" id="id_tz" name="tz" data-zone-select required>')
    assert html.count("<option ") == len(time_zone_choices())
    assert html.count(" selected>") == 1
    assert '<option value="Europe/Paris" data-search="France" selected>Central European Time – Paris</option>' in html
    assert " selected>" not in ZoneSelect().render("tz", "Not/AZone")
    assert "<x>" not in ZoneSelect().render("tz", "<x>")  # a value that is no zone is never echoed


@pytest.mark.parametrize("user", ["2027-08-01T10:00-23:59", "\x00", HUGE])
def test_admin_autocomplete_rerendered_after_a_bad_id(superuser, user) -> None:
    response = superuser.post(reverse("admin:scheduling_provider_add"), {"user": user, "display_name": "X"})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
