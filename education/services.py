"""Writes for education: publishing, loading and importing articles, acknowledging required reading."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from clinic.lib.roles import CLINICIAN
from clinic.models import Patient, User
from education.models import Article, ArticleAcknowledgement, Source, Topic
from education.text_repair import review_marks

# How long a clinical review holds before the article is due again (months). Clinics commonly review patient
# leaflets yearly, and sooner when the evidence or a drug label changes.
REVIEW_INTERVAL_MONTHS = 12


class ArticleNotRequired(Exception):
    """Only published required articles can be acknowledged."""


class ArticleHasReviewMarks(Exception):
    """The text still holds [[check: ...]] marks the importer left for a reviewer; it cannot be published."""

    def __init__(self, marks: list[str]) -> None:
        super().__init__(f"{len(marks)} review mark(s) left: {'; '.join(marks)}")
        self.marks = marks


class ReviewerNotClinician(Exception):
    """Only a clinician can be recorded as an article's clinical reviewer."""


def ensure_publishable_text(body: str) -> None:
    """The one rule for text patients may read: no [[check: ...]] marks left for a reviewer. Publishing a draft
    and editing (or reverting) a published article both ask it. Raises ArticleHasReviewMarks."""
    marks = review_marks(body)
    if marks:
        raise ArticleHasReviewMarks(marks)


# Fields only the services set (publishing, "Mark reviewed", the loaders): an admin save, a history revert
# included, never changes them.
SERVICE_OWNED_FIELDS = (
    "status",
    "published_at",
    "reviewed_by",
    "last_reviewed_on",
    "next_review_due",
    "origin",
    "loaded_fingerprint",
)


def article_keep_service_fields(*, article: Article) -> None:
    """Put back today's values of SERVICE_OWNED_FIELDS on an article about to be saved from admin (a history
    revert loads a whole past version, read-only fields included)."""
    if article.pk is None:
        return
    current = (
        Article.objects.filter(pk=article.pk)
        .values(*(f"{f}_id" if f == "reviewed_by" else f for f in SERVICE_OWNED_FIELDS))
        .first()
    )
    if current is None:
        return
    for field, value in current.items():
        setattr(article, field, value)


def article_is_published(*, pk: int | None) -> bool:
    return pk is not None and Article.objects.filter(pk=pk, status=Article.Status.PUBLISHED).exists()


@transaction.atomic
def article_publish(*, article: Article) -> bool:
    """Publish a draft. Returns False when it was already published (conditional update). Raises
    ArticleHasReviewMarks while the text still holds marks the importer left for a reviewer.

    ``published_at`` is the first publication: republishing a withdrawn article keeps it."""
    ensure_publishable_text(article.body)
    now = timezone.now()
    updated = Article.objects.filter(pk=article.pk, status=Article.Status.DRAFT).update(
        status=Article.Status.PUBLISHED, published_at=Coalesce("published_at", Value(now)), updated_at=now
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


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; the 29th to 31st fall back to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def article_mark_reviewed(*, article: Article, reviewer: User, today: datetime.date | None = None) -> Article:
    """Record that ``reviewer`` (a clinician) reviewed the article today; the next review falls due
    REVIEW_INTERVAL_MONTHS later."""
    if not (reviewer.is_active and reviewer.is_staff and reviewer.groups.filter(name=CLINICIAN).exists()):
        raise ReviewerNotClinician(reviewer.pk)
    today = today or timezone.localdate()
    article.reviewed_by = reviewer
    article.last_reviewed_on = today
    article.next_review_due = add_months(today, REVIEW_INTERVAL_MONTHS)
    # A change reason marks this save as the app's own, so the loader does not mistake it for an admin edit.
    article._change_reason = "Marked reviewed"
    article.save(update_fields=["reviewed_by", "last_reviewed_on", "next_review_due"])
    return article


@dataclass(frozen=True)
class SourceData:
    title: str
    publisher: str = ""
    url: str = ""
    authors: str = ""
    year: int | None = None
    doi: str = ""
    pmid: str = ""


@dataclass
class LoadResult:
    article: Article | None
    action: str  # "created", "updated", "unchanged", "skipped", "kept" (an import: the admin's edits won)
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
) -> LoadResult:
    """Create or refresh a shipped article. An article changed in admin since it was loaded is left alone.

    Shipped text has had no clinical review at this clinic: a new or changed article records no reviewer and
    falls due for review at once.
    """
    sources = list(sources)
    article = Article.objects.select_for_update().filter(origin=origin).first()
    if article is None and Article.objects.filter(slug=slug).exists():
        return LoadResult(None, "skipped", f"another article already uses the slug {slug!r}")
    if article is not None and _edited_since_load(article):
        return LoadResult(article, "skipped", "edited in admin since it was loaded")
    action = "created" if article is None else "updated"
    article = article or Article(origin=origin, slug=slug)
    new = (title, summary, body.strip())
    if action == "updated" and (article.title, article.summary, article.body) == new:
        if _source_rows(article.sources.all()) == _source_rows(sources):
            return LoadResult(article, "unchanged")
        # Only the citations changed (a corrected DOI, a newer label): the reviewed text stays as it is.
        _replace_sources(article, sources)
        return LoadResult(article, "updated", "sources only")
    article.title, article.summary, article.body = new
    article.required_before_treatment = required_before_treatment
    # A review covers the text that was reviewed; new shipped text starts unreviewed (the history keeps the old one).
    article.reviewed_by, article.last_reviewed_on, article.next_review_due = None, None, timezone.localdate()
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


def _source_rows(sources: Iterable[Source | SourceData]) -> list[tuple[object, ...]]:
    return [(s.title, s.authors, s.publisher, s.year, s.doi, s.pmid, s.url) for s in sources]


def _replace_sources(article: Article, sources: Iterable[SourceData]) -> None:
    article.sources.all().delete()
    Source.objects.bulk_create(
        Source(
            article=article,
            title=s.title,
            authors=s.authors,
            publisher=s.publisher,
            year=s.year,
            doi=s.doi,
            pmid=s.pmid,
            url=s.url,
            order=i,
        )
        for i, s in enumerate(sources)
    )


@dataclass(frozen=True)
class ImportedSource:
    """Where an imported post came from, as its text said, and a hash of the file to tell changes."""

    title: str
    content_hash: str
    publisher: str = ""
    url: str = ""
    byline: str = ""
    published_on: datetime.date | None = None
    imported_from: str = ""


@transaction.atomic
def article_import(*, identity: str, title: str, body: str, source: ImportedSource, force: bool = False) -> LoadResult:
    """Create or update the draft made from an imported post, found by ``identity`` (its source address or
    normalised title, never the file name). Never publishes and never touches a published article. A draft
    edited in admin since its import is kept, unless ``force``: the report says "changed upstream, your edits
    kept". The file's hash only tells whether it changed since the last import."""
    article = Article.objects.select_for_update().filter(origin=identity).first()
    if article is not None and article.is_published:
        return LoadResult(article, "skipped", "already published; unpublish it to re-import")
    last = article.sources.filter(content_hash=source.content_hash).exists() if article else False
    if article is not None and last and not force:
        return LoadResult(article, "unchanged")
    if article is not None and not force and _edited_since_load(article):
        return LoadResult(article, "kept", "changed upstream, your edits kept; --force replaces them")
    action = "updated" if article else "created"
    if article is None:
        article = Article(origin=identity, slug=_unique_slug(title))
    article.title, article.body = title, body
    article.summary = _first_sentences(body)  # an unedited draft's summary was the importer's too
    article.loaded_fingerprint = article.content_fingerprint
    _set_change_reason(article, f"Imported from {source.imported_from or identity}")
    article.save()
    article.sources.all().delete()
    Source.objects.create(
        article=article,
        title=source.title[:300],
        publisher=source.publisher[:200],
        url=source.url[:500],
        byline=source.byline[:200],
        published_on=source.published_on,
        imported_from=source.imported_from[:300],
        content_hash=source.content_hash,
    )
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
