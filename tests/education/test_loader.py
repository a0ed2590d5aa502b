from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from education import shipped_articles
from education.demo import seed
from education.models import Article, Source, Topic

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
        assert all(s.title and s.publisher for s in item.sources), item.name
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


def test_demo_seed_loads_articles_and_sets_reviewer(clinician) -> None:
    out = io.StringIO()
    seed(stdout=out)
    seed(stdout=out)
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() >= 10
    assert not Article.objects.filter(reviewed_by__isnull=True).exists()
    assert "Education:" in out.getvalue()


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
