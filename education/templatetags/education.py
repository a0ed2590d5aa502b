from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from clinic.lib.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Markdown rendered and cleaned with the project's allow-list."""
    return render_markdown(text)
