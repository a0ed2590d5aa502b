"""Staff patient searches keep the typed term out of every URL, so it never reaches a web server's access log.

The search form is POSTed. The term is kept in the session under a short random token, and the results page's
URL (the redirect after the POST, pagination links, the address htmx pushes) carries only ``?search=<token>``.
An unknown or expired token shows the page without a search.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from clinic.forms import PatientSearchForm

SESSION_KEY = "staff_searches"
KEEP = 20  # the session remembers this many recent searches


@dataclass(frozen=True)
class StaffSearch:
    query: str  # the term, "" for none
    token: str  # names the term in this session, "" for none

    def url(self, base: str) -> str:
        return f"{base}?{urlencode({'search': self.token})}" if self.token else base


def staff_search(request: HttpRequest) -> StaffSearch:
    """The search a request asks for: typed into a POSTed form, or named by ``?search=`` on a GET."""
    searches: dict[str, str] = request.session.get(SESSION_KEY, {})
    if request.method == "POST":
        form = PatientSearchForm(request.POST)
        query = form.cleaned_data["q"].strip() if form.is_valid() else ""
        if not query:
            return StaffSearch("", "")
        token = next((t for t, q in searches.items() if q == query), "") or secrets.token_urlsafe(6)
        searches.pop(token, None)
        searches[token] = query  # most recent last
        request.session[SESSION_KEY] = dict(list(searches.items())[-KEEP:])
        return StaffSearch(query, token)
    token = request.GET.get("search", "")
    query = searches.get(token, "")
    return StaffSearch(query, token if query else "")


def search_redirect(request: HttpRequest, search: StaffSearch, *, base_url: str) -> HttpResponse | None:
    """A POST from a plain form goes to the results' URL (so a reload never re-posts), before any patient is
    read or logged; None for a GET or an htmx POST, which are answered in place."""
    if request.method == "POST" and not request.htmx:
        return redirect(search.url(base_url))
    return None


def search_response(
    request: HttpRequest, search: StaffSearch, *, base_url: str, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """htmx gets the partial, with the token's URL pushed to the address bar; a GET renders the page."""
    response = render(request, partial if request.htmx else template, {**context, "search": search.token})
    if request.method == "POST":
        response["HX-Push-Url"] = search.url(base_url)
    return response
