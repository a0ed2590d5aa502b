from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from education.models import ArticleAcknowledgement
from education.shipped_articles import load_all
from tests.factories import PASSWORD, PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_searches_opens_an_article_and_sees_sources(page: Page, live_server) -> None:
    load_all()
    page.goto(live_server.url)
    page.get_by_role("link", name="Learn", exact=True).click()
    expect(page.get_by_role("heading", name="Learn about ketamine treatment")).to_be_visible()

    page.get_by_label("Search articles").fill("blood pressure")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile(r"articles? found for “blood pressure”"))).to_be_visible()
    expect(page.locator(".search-snippet mark").first).to_be_visible()

    page.get_by_role("link", name="Why we screen blood pressure and substance history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why we screen blood pressure and substance history")
    sources = page.get_by_role("region", name="Sources")
    expect(sources).to_contain_text(
        "Consensus guidelines on the use of intravenous ketamine infusions for chronic pain"
    )
    expect(sources.get_by_role("link", name="10.1097/AAP.0000000000000808")).to_have_attribute(
        "href", "https://doi.org/10.1097/AAP.0000000000000808"
    )
    expect(sources).not_to_contain_text("Florida Medical Pain Management")
    expect(page.get_by_role("heading", name="Talk with us about whether treatment suits you")).to_be_visible()
    assert (
        page.locator("link[rel=canonical]")
        .get_attribute("href")
        .endswith("/learn/why-we-screen-blood-pressure-and-substance-history/")
    )


def test_patient_acknowledges_required_reading(page: Page, live_server) -> None:
    load_all()
    patient = PatientFactory(user__email="reader@example.com")
    page.goto(f"{live_server.url}/learn/required-reading/")
    page.get_by_label("Email").fill("reader@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Required reading before treatment")).to_be_visible()
    expect(page.get_by_text("Not read yet")).to_have_count(3)

    for title in ("After your infusion", "Side effects and risks", "What happens at an infusion"):
        # The visible words start the button's name; the hidden title tells which article it is.
        page.get_by_role("button", name=re.compile(rf"^I have read it\W+{title}$")).click()
        expect(page.get_by_text(f"You have confirmed reading “{title}”")).to_be_visible()

    expect(page.get_by_text("Not read yet")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^I have read"))).to_have_count(0)
    assert ArticleAcknowledgement.objects.filter(patient=patient).count() == 3
