"""Template helpers for offering times."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django import template

register = template.Library()


@register.filter
def get_form(url: str) -> dict[str, object]:
    """A slot link as a GET form (``action`` and hidden ``fields``): a time is a button, so Space chooses it too."""
    action, _, query = url.partition("?")
    return {"action": action, "fields": parse_qsl(query)}
