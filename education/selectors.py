"""Reads for education. Public reads only ever see published articles."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from typing import Any, Literal

from django.db import connection
from django.db.models import BooleanField, Case, Count, IntegerField, Prefetch, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Concat, Length, Lower, Replace
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clinic.models import Patient
from education.models import Article, ArticleAcknowledgement, Topic
from education.search import ParsedQuery, parse_query

MAX_QUERY_LENGTH = 200
TOPIC_PREVIEW_SIZE = 4
# Markers that cannot occur in article text; replaced by <mark> after the snippet is escaped.
_START, _STOP = "\u2063\u2063[[", "]]\u2063\u2063"


def published_articles() -> QuerySet[Article]:
    return Article.objects.filter(status=Article.Status.PUBLISHED)


def topics_with_articles() -> QuerySet[Topic]:
    """Topics that have published articles, each with its first few articles in ``preview``."""
    preview = published_articles().order_by("title")
    return (
        Topic.objects.annotate(article_count=Count("articles", filter=Q(articles__status=Article.Status.PUBLISHED)))
        .filter(article_count__gt=0)
        .prefetch_related(Prefetch("articles", queryset=preview[:TOPIC_PREVIEW_SIZE], to_attr="preview"))
        .order_by("order", "name")
    )


def topic_get(*, slug: str) -> Topic:
    return get_object_or_404(Topic, slug=slug)


def topic_articles(*, topic: Topic) -> QuerySet[Article]:
    return published_articles().filter(topics=topic).order_by("title")


def article_get_published(*, slug: str) -> Article:
    articles = published_articles().select_related("reviewed_by").prefetch_related("sources", "topics")
    return get_object_or_404(articles, slug=slug)


def article_related(*, article: Article, limit: int = 3) -> list[Article]:
    topic_ids = [t.pk for t in article.topics.all()]
    related = (
        published_articles()
        .filter(topics__in=topic_ids)
        .exclude(pk=article.pk)
        .annotate(shared=Count("topics", filter=Q(topics__in=topic_ids)))
        .order_by("-shared", "title")
    )
    return list(related[:limit])


def clean_query(raw: str | None) -> str:
    # Control characters (a NUL above all, which PostgreSQL refuses in text) never belong in a search.
    printable = "".join(ch if ch.isprintable() else " " for ch in (raw or "")[: MAX_QUERY_LENGTH * 4])
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def article_search(*, query: str) -> QuerySet[Article]:
    """Published articles matching the query, best first, each with a ``rank``.

    The synonym table (``education.search``) applies to both backends. PostgreSQL ranks with full-text search
    and marks matches with SearchHeadline (``snippet_raw``); elsewhere a match in the title ranks above one in
    the summary, which ranks above one in the body, and the snippet is made in Python.
    """
    parsed = parse_query(clean_query(query))
    if not parsed.concepts:
        return published_articles().none()
    if connection.vendor == "postgresql":
        return _search_postgres(parsed)
    return _search_plain(parsed)


# A concept found in the title outranks any number (up to MAX_CONCEPTS) found only in summaries, and so on.
_FIELD_WEIGHTS = (("title", 10_000), ("summary", 100), ("body", 1))


def _search_plain(parsed: ParsedQuery) -> QuerySet[Article]:
    articles = published_articles()
    rank: Any = Value(0)
    mentions: Any = Value(0)
    for concept in parsed.concepts:
        found = {field: _any_phrase(field, concept.phrases) for field, _ in _FIELD_WEIGHTS}
        anywhere = found["title"] | found["summary"] | found["body"]
        if concept.exclude:
            articles = articles.exclude(anywhere)
            continue
        articles = articles.filter(anywhere)
        whens = [When(found[field], then=Value(weight)) for field, weight in _FIELD_WEIGHTS]
        rank += Case(*whens, default=Value(0), output_field=IntegerField())
        for phrase in concept.phrases:
            mentions += _count_in_body(phrase)
    return articles.annotate(rank=rank, mentions=mentions).order_by("-rank", "-mentions", "title")


def _any_phrase(field: str, phrases: tuple[str, ...]) -> Q:
    condition = Q()
    for phrase in phrases:
        condition |= Q(**{f"{field}__icontains": phrase})
    return condition


def _count_in_body(phrase: str) -> Any:
    """How often the phrase occurs in the body: the length the body loses when every occurrence is removed."""
    body = Lower("body")
    removed = Length(body) - Length(Replace(body, Value(phrase), Value("")))
    return removed / Value(len(phrase))


def _search_postgres(parsed: ParsedQuery) -> QuerySet[Article]:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector

    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )
    # The words the synonym table did not recognise keep the websearch syntax ("quotes", -not, or); each
    # recognised phrase becomes "any of its synonyms", as phrases.
    parts = []
    if re.search(r"\w", parsed.remainder):
        parts.append(SearchQuery(parsed.remainder, search_type="websearch", config="english"))
    for concept in parsed.synonyms:
        parts.append(
            reduce(operator.or_, (SearchQuery(p, search_type="phrase", config="english") for p in concept.phrases))
        )
    search_query = reduce(operator.and_, parts)
    return (
        published_articles()
        .annotate(document=vector)
        .filter(document=search_query)
        .annotate(rank=SearchRank(vector, search_query))
        .annotate(
            snippet_raw=SearchHeadline(
                Concat("summary", Value("\n\n"), "body", output_field=TextField()),
                search_query,
                config="english",
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .order_by("-rank", "title")
    )


def search_snippet(article: Article, query: str) -> SafeString:
    """The article's snippet with matches in <mark>, escaped so article text can never inject HTML."""
    raw = getattr(article, "snippet_raw", None)
    if raw is None:
        phrases = parse_query(clean_query(query)).highlights
        marked = escape(_fallback_snippet(article, phrases))
        if phrases:
            # A match is marked to the end of its word: "driv" (the stem of "driving") marks "drive".
            pattern = "|".join(re.escape(escape(phrase)) for phrase in phrases)
            marked = re.sub(rf"((?:{pattern})\w*)", r"<mark>\1</mark>", marked, flags=re.IGNORECASE)
        return mark_safe(marked)  # noqa: S308 - built from escaped text and our own tags
    marked = escape(_plain(raw)).replace(escape(_START), "<mark>").replace(escape(_STOP), "</mark>")
    return mark_safe(marked)  # noqa: S308 - escaped above; only our own markers became tags


def _fallback_snippet(article: Article, terms: list[str], width: int = 220) -> str:
    summary = article.summary
    if summary and any(term in summary.lower() for term in terms):
        return _plain(summary)
    body = _plain(article.body)
    positions = [body.lower().find(term) for term in terms if term in body.lower()]
    if not positions:
        return _plain(summary or body[:width])
    start = max(0, min(positions) - width // 3)
    if start:
        start = body.find(" ", start) + 1 or start  # begin on a whole word
    snippet = body[start : start + width].replace("\n", " ")
    return ("… " if start else "") + snippet.strip() + " …"


def _plain(text: str) -> str:
    """Drop Markdown punctuation so a snippet reads as prose."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"(^|\s)[#>*_`-]+\s*|[*_`]+", r"\1", text)


# Clinical review ---------------------------------------------------------------------------------


def review_due_condition(today: date | None = None) -> Q:
    """The one rule for "review due": never reviewed (no date) or the next review date has come."""
    return Q(next_review_due__isnull=True) | Q(next_review_due__lte=today or timezone.localdate())


def articles_with_review_state(queryset: QuerySet[Article], today: date | None = None) -> QuerySet[Article]:
    """``queryset`` with ``review_due`` (bool) on each article."""
    return queryset.annotate(
        review_due=Case(When(review_due_condition(today), then=Value(True)), default=False, output_field=BooleanField())
    )


def articles_review_due(today: date | None = None) -> QuerySet[Article]:
    return Article.objects.filter(review_due_condition(today)).order_by("next_review_due", "title")


# Required reading --------------------------------------------------------------------------------

ReadingState = Literal["pending", "acknowledged", "outdated"]


@dataclass(frozen=True)
class RequiredReading:
    article: Article
    state: ReadingState
    acknowledged_at: datetime | None

    @property
    def done(self) -> bool:
        return self.state == "acknowledged"


def required_articles() -> QuerySet[Article]:
    return published_articles().filter(required_before_treatment=True).order_by("title")


def required_reading_status(patient: Patient) -> list[RequiredReading]:
    """Each published required article with the patient's state: pending, acknowledged or outdated
    (acknowledged, but the body has changed since). Two queries."""
    acks = {a.article_id: a for a in ArticleAcknowledgement.objects.filter(patient=patient)}
    items = []
    for article in required_articles():
        ack = acks.get(article.pk)
        if ack is None:
            items.append(RequiredReading(article, "pending", None))
        else:
            state: ReadingState = "acknowledged" if ack.version == article.version else "outdated"
            items.append(RequiredReading(article, state, ack.acknowledged_at))
    return items


def required_reading_complete(patient: Patient) -> bool:
    return all(item.done for item in required_reading_status(patient))
