from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from education import shipped_articles
from education.demo import seed
from education.models import Article, Source, Topic
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_shipped_content_meets_the_brief() -> None:
    files = shipped_articles.content_files()
    assert len(files) >= 10
    assert len(shipped_articles.TOPICS) >= 6
    assert {t for f in files for t in f.topics} == {slug for slug, _, _ in shipped_articles.TOPICS}
    required = {f.slug for f in files if f.required_before_treatment}
    assert required == {"what-happens-at-an-infusion", "after-your-infusion", "side-effects-and-risks"}
    for item in files:
        assert item.sources, item.name
        assert "not medical advice" in item.body.strip().splitlines()[-1], item.name
        assert item.summary, item.name
        assert "cure" not in item.body.lower().replace("not a cure", "").replace("promise a cure", ""), item.name


def test_load_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_education")
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == len(shipped_articles.content_files())
    counts = (Article.objects.count(), Topic.objects.count(), Source.objects.count(), Article.history.count())
    assert "0 skipped" in capsys.readouterr().out
    call_command("load_education")
    assert (Article.objects.count(), Topic.objects.count(), Source.objects.count(), Article.history.count()) == counts
    assert f"{len(shipped_articles.content_files())} unchanged" in capsys.readouterr().out


def test_load_never_overwrites_an_admin_edit(monkeypatch: pytest.MonkeyPatch) -> None:
    call_command("load_education")
    edited = Article.objects.get(slug="after-your-infusion")
    edited.body += "\n\nOur clinic also offers a quiet room."
    edited.save()
    untouched = Article.objects.get(slug="what-is-ketamine")
    original = shipped_articles.content_files

    def changed_files() -> list[shipped_articles.ContentFile]:
        files = original()
        for item in files:
            item.body += "\nNew paragraph from the app.\n"
        return files

    monkeypatch.setattr(shipped_articles, "content_files", changed_files)
    out = io.StringIO()
    call_command("load_education", stdout=out)
    edited.refresh_from_db()
    untouched.refresh_from_db()
    assert "quiet room" in edited.body
    assert "New paragraph from the app." not in edited.body
    assert "New paragraph from the app." in untouched.body  # an unedited article follows the shipped file
    assert "skipped  after-your-infusion (edited in admin since it was loaded)" in out.getvalue()


def test_unpublished_article_stays_unpublished_on_reload() -> None:
    call_command("load_education")
    Article.objects.filter(slug="chronic-pain").update(status=Article.Status.DRAFT)
    call_command("load_education")
    assert Article.objects.get(slug="chronic-pain").status == Article.Status.DRAFT


def test_demo_seed_loads_articles_without_inventing_a_review(clinician) -> None:
    out = io.StringIO()
    seed(stdout=out)
    seed(stdout=out)
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() >= 10
    # A demo clinician exists, but nobody reviewed the shipped text: no reviewer is filled in.
    assert not Article.objects.filter(reviewed_by__isnull=False).exists()
    assert "Education:" in out.getvalue()


# Evidence ----------------------------------------------------------------------------------------

# The five marketing posts the first drafts were written from: never a source of a shipped article.
SEED_PUBLISHERS = ("Florida Medical Pain Management", "Handoo", "Mindscape", "Unattributed web compilation")


def test_every_source_is_a_full_citation() -> None:
    for key, source in shipped_articles.references().items():
        assert source.authors and source.title and source.publisher and source.year, key
        assert source.doi or source.pmid or source.url, f"{key} has no DOI, PMID or URL"
        assert not any(name in f"{source.authors} {source.publisher}" for name in SEED_PUBLISHERS), key
        # The same validators as admin, so a typo in a DOI or PMID fails here rather than on a patient's page.
        Source(article=Article(), **source.__dict__).full_clean(exclude=["article"])


def test_articles_cite_only_known_references_and_every_reference_is_cited() -> None:
    cited = set()
    for item in shipped_articles.content_files():
        cited |= {s.title for s in item.sources}
    assert cited == {s.title for s in shipped_articles.references().values()}


def test_unknown_reference_key_is_a_content_error() -> None:
    text = "---\ntitle: T\nslug: t\nsources:\n  - no-such-paper\n---\nBody.\n"
    with pytest.raises(shipped_articles.ContentError, match="no-such-paper"):
        shipped_articles.parse_content("x.md", text)


def test_invalid_doi_is_rejected_by_the_source_validators() -> None:
    with pytest.raises(ValidationError, match="DOI"):
        Source(article=Article(), title="T", doi="https://doi.org/10.1/x").full_clean(exclude=["article"])


@pytest.mark.parametrize(
    ("slug", "needles"),
    [
        ("what-is-ketamine", ["off-label", "FDA has approved ketamine for one use"]),
        ("what-happens-at-an-infusion", ["off-label"]),
        ("side-effects-and-risks", ["off-label", "Liver injury", "Bladder damage"]),
        ("depression-and-treatment-resistant-depression", ["64 in 100", "59 in 100", "55 in 100", "prevent suicide"]),
        ("anxiety-and-ptsd", ["67 in 100", "158 veterans", "did not ease PTSD"]),
        ("chronic-pain", ["Moderate proof", "Weak proof", "Cochrane", "four hours a day", "Liver", "Bladder"]),
        ("esketamine-cost-and-insurance", ["January 2025", "at least 2 hours", "next day, after a restful sleep"]),
    ],
)
def test_corrections_from_the_clinical_review_are_in_the_text(slug: str, needles: list[str]) -> None:
    body = next(f.body for f in shipped_articles.content_files() if f.slug == slug)
    for needle in needles:
        assert needle in body, f"{slug}: {needle!r} missing"


def test_copied_marketing_phrases_are_gone() -> None:
    bodies = " ".join(f.body for f in shipped_articles.content_files())
    assert "leading cause of disability" not in bodies
    assert "works best as" not in bodies.lower()
    assert not re.search(r"helps many, but \*\*not all", bodies)


def test_missing_topics_now_have_articles() -> None:
    slugs = {f.slug for f in shipped_articles.content_files()}
    assert {
        "who-should-not-have-ketamine",
        "medicines-and-ketamine",
        "how-we-measure-progress",
        "maintenance-and-boosters",
        "other-treatment-options",
        "fda-warning-compounded-and-at-home-ketamine",
    } <= slugs


# Clinical review on load -------------------------------------------------------------------------


@time_machine.travel("2026-11-30 12:00Z", tick=False)
def test_shipped_articles_load_published_unreviewed_and_due_now() -> None:
    call_command("load_education", stdout=io.StringIO())
    articles = Article.objects.all()
    assert articles.count() == len(shipped_articles.content_files())
    for article in articles:
        assert article.status == Article.Status.PUBLISHED
        assert article.reviewed_by is None
        assert article.last_reviewed_on is None
        assert str(article.next_review_due) == "2026-11-30"


def test_new_shipped_text_clears_the_old_review(monkeypatch: pytest.MonkeyPatch) -> None:
    from education import services

    call_command("load_education", stdout=io.StringIO())
    reviewer = StaffFactory(role="Clinician")
    article = Article.objects.get(slug="chronic-pain")
    services.article_mark_reviewed(article=article, reviewer=reviewer)
    call_command("load_education", stdout=io.StringIO())
    article.refresh_from_db()
    assert article.reviewed_by == reviewer  # unchanged text keeps its review
    original = shipped_articles.content_files

    def changed_files() -> list[shipped_articles.ContentFile]:
        files = original()
        for item in files:
            item.body += "\nNew paragraph from the app.\n"
        return files

    monkeypatch.setattr(shipped_articles, "content_files", changed_files)
    call_command("load_education", stdout=io.StringIO())
    article.refresh_from_db()
    assert "New paragraph from the app." in article.body  # marking reviewed is not an admin edit
    assert article.reviewed_by is None
    assert article.last_reviewed_on is None
    assert article.history.filter(reviewed_by=reviewer).exists()


def test_load_keeps_an_admin_change_to_flags_or_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    call_command("load_education")
    article = Article.objects.get(slug="chronic-pain")
    article.required_before_treatment = True
    article.save()
    article.topics.clear()
    original = shipped_articles.content_files

    def changed_files() -> list[shipped_articles.ContentFile]:
        files = original()
        for item in files:
            item.body += "\nNew paragraph from the app.\n"
        return files

    monkeypatch.setattr(shipped_articles, "content_files", changed_files)
    call_command("load_education")
    article.refresh_from_db()
    assert article.required_before_treatment is True
    assert article.topics.count() == 0
    assert "New paragraph from the app." not in article.body


def test_a_corrected_citation_reaches_the_article_and_keeps_its_review(monkeypatch: pytest.MonkeyPatch) -> None:
    from education import services

    call_command("load_education", stdout=io.StringIO())
    reviewer = StaffFactory(role="Clinician")
    article = Article.objects.get(slug="what-is-ketamine")
    services.article_mark_reviewed(article=article, reviewer=reviewer)
    original = shipped_articles.content_files

    def corrected() -> list[shipped_articles.ContentFile]:
        files = original()
        for item in files:
            item.sources = [replace(s, url="https://example.org/newer-label") for s in item.sources]
        return files

    monkeypatch.setattr(shipped_articles, "content_files", corrected)
    out = io.StringIO()
    call_command("load_education", stdout=out)
    article.refresh_from_db()
    assert "updated  what-is-ketamine (sources only)" in out.getvalue()
    assert set(article.sources.values_list("url", flat=True)) == {"https://example.org/newer-label"}
    assert article.reviewed_by == reviewer
