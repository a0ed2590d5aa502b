"""Public education pages (no login) and the patient's required-reading checklist."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from clinic.decorators import patient_required
from clinic.selectors import patient_for_user
from education import selectors, services

ARTICLES_PER_PAGE = 12
TOPICS_PER_PAGE = 6


def _page(request: HttpRequest, items: QuerySet, per_page: int) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.topics_with_articles(), TOPICS_PER_PAGE)
    return render(request, "education/article_list.html", {"page": page})


@require_GET
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = selectors.topic_get(slug=slug)
    page = _page(request, selectors.topic_articles(topic=topic), ARTICLES_PER_PAGE)
    return render(request, "education/topic_detail.html", {"topic": topic, "page": page})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = selectors.clean_query(request.GET.get("q"))
    page = _page(request, selectors.article_search(query=query), ARTICLES_PER_PAGE)
    results = [(article, selectors.search_snippet(article, query)) for article in page]
    context = {"query": query, "page": page, "results": results}
    template = "education/partials/search_results.html" if request.htmx else "education/search.html"
    return render(request, template, context)


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get_published(slug=slug)
    related = selectors.article_related(article=article)
    return render(request, "education/article_detail.html", {"article": article, "related": related})


@patient_required
@require_GET
def required_reading(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    items = selectors.required_reading_status(patient)
    return render(request, "education/required_reading.html", {"required_reading": items})


@patient_required
@require_POST
def acknowledge(request: HttpRequest, slug: str) -> HttpResponse:
    patient = patient_for_user(request.user)
    article = selectors.article_get_published(slug=slug)
    try:
        services.article_acknowledge(patient=patient, article=article)
    except services.ArticleNotRequired:
        raise Http404("This article is not on the required reading list.") from None
    messages.success(request, f"Thank you. You have confirmed reading “{article.title}”.")
    return redirect("education:required-reading")
