"""Writes for education: publishing, loading and importing articles, acknowledging required reading."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from clinic.models import Patient
from education.models import Article, ArticleAcknowledgement, Source, Topic


class ArticleNotRequired(Exception):
    """Only published required articles can be acknowledged."""


@transaction.atomic
def article_publish(*, article: Article) -> bool:
    """Publish a draft. Returns False when it was already published (conditional update)."""
    updated = Article.objects.filter(pk=article.pk, status=Article.Status.DRAFT).update(
        status=Article.Status.PUBLISHED, published_at=timezone.now(), updated_at=timezone.now()
    )
    if updated:
        article.refresh_from_db()
        _snapshot(article, "Published")
    return bool(updated)


@transaction.atomic
def article_unpublish(*, article: Article) -> bool:
    """Withdraw a published article to draft. Returns False when it was not published."""
    updated = Article.objects.filter(pk=article.pk, status=Article.Status.PUBLISHED).update(
        status=Article.Status.DRAFT, updated_at=timezone.now()
    )
    if updated:
        article.refresh_from_db()
        _snapshot(article, "Unpublished")
    return bool(updated)


def _snapshot(article: Article, reason: str) -> None:
    # Queryset updates bypass simple-history; record the status change explicitly.
    _set_change_reason(article, reason)
    article.save(update_fields=["updated_at"])


def _set_change_reason(article: Article, reason: str) -> None:
    """The history row's reason column is short; a long file name must not fail the save."""
    limit = article.history.model._meta.get_field("history_change_reason").max_length
    article._change_reason = reason if len(reason) <= limit else reason[: limit - 1] + "…"


@transaction.atomic
def article_acknowledge(*, patient: Patient, article: Article) -> ArticleAcknowledgement:
    """Record that the patient read this version of a required article (again, if it changed)."""
    if not (article.required_before_treatment and article.is_published):
        raise ArticleNotRequired(article.pk)
    ack, _ = ArticleAcknowledgement.objects.update_or_create(
        patient=patient,
        article=article,
        defaults={"version": article.version, "acknowledged_at": timezone.now()},
    )
    return ack


@dataclass(frozen=True)
class SourceData:
    title: str
    publisher: str = ""
    url: str = ""


@dataclass
class LoadResult:
    article: Article | None
    action: str  # "created", "updated", "unchanged", "skipped"
    reason: str = ""


def topic_ensure(*, name: str, slug: str = "", description: str = "", order: int = 0) -> Topic:
    topic = Topic.objects.filter(slug=slug or slugify(name)).first()
    if topic is None:
        topic = Topic.objects.create(name=name, slug=slug or slugify(name), description=description, order=order)
    return topic


@transaction.atomic
def article_load(
    *,
    origin: str,
    title: str,
    slug: str,
    summary: str,
    body: str,
    topics: Iterable[Topic] = (),
    sources: Iterable[SourceData] = (),
    required_before_treatment: bool = False,
    publish: bool = True,
    last_reviewed_on: object = None,
) -> LoadResult:
    """Create or refresh a shipped article. An article changed in admin since it was loaded is left alone."""
    article = Article.objects.select_for_update().filter(origin=origin).first()
    if article is None and Article.objects.filter(slug=slug).exists():
        return LoadResult(None, "skipped", f"another article already uses the slug {slug!r}")
    if article is not None and _edited_since_load(article):
        return LoadResult(article, "skipped", "edited in admin since it was loaded")
    action = "created" if article is None else "updated"
    article = article or Article(origin=origin, slug=slug)
    new = (title, summary, body.strip())
    if action == "updated" and (article.title, article.summary, article.body) == new:
        return LoadResult(article, "unchanged")
    article.title, article.summary, article.body = new
    article.required_before_treatment = required_before_treatment
    article.last_reviewed_on = last_reviewed_on or article.last_reviewed_on
    if publish and article.status == Article.Status.DRAFT and action == "created":
        article.status, article.published_at = Article.Status.PUBLISHED, timezone.now()
    article.loaded_fingerprint = article.content_fingerprint
    _set_change_reason(article, f"Loaded from {origin}")
    article.save()
    article.topics.set(list(topics))
    _replace_sources(article, sources)
    return LoadResult(article, action)


def _edited_since_load(article: Article) -> bool:
    # Every save made by these services carries a change reason; a save without one came from admin
    # (or the shell), even if it only changed topics, the reviewer or the required flag.
    if article.content_fingerprint != article.loaded_fingerprint:
        return True
    return article.history.filter(Q(history_change_reason__isnull=True) | Q(history_change_reason="")).exists()


def _replace_sources(article: Article, sources: Iterable[SourceData]) -> None:
    article.sources.all().delete()
    Source.objects.bulk_create(
        Source(article=article, title=s.title, publisher=s.publisher, url=s.url, order=i) for i, s in enumerate(sources)
    )


@transaction.atomic
def article_import(*, origin: str, title: str, body: str, source: SourceData) -> LoadResult:
    """Create or update the draft made from an imported file. Never publishes and never touches a
    published article."""
    article = Article.objects.select_for_update().filter(origin=origin).first()
    if article is not None and article.is_published:
        return LoadResult(article, "skipped", "already published; unpublish it to re-import")
    if article is not None and (article.title, article.body) == (title, body):
        return LoadResult(article, "unchanged")
    action = "updated" if article else "created"
    if article is None:
        article = Article(origin=origin, slug=_unique_slug(title))
    article.title, article.body = title, body
    article.summary = article.summary or _first_sentences(body)
    article.loaded_fingerprint = ""
    _set_change_reason(article, f"Imported from {origin}")
    article.save()
    _replace_sources(article, [source])
    return LoadResult(article, action)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:180] or "imported-article"
    slug, n = base, 2
    while Article.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _first_sentences(body: str, limit: int = 280) -> str:
    for block in body.split("\n\n"):
        block = block.strip()
        if block and not block.startswith(("#", "-", "*")):
            return block if len(block) <= limit else block[: limit - 1].rsplit(" ", 1)[0] + "…"
    return ""
