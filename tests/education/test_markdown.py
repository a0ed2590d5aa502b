from __future__ import annotations

import pytest

from clinic.lib.markdown import render_markdown

ATTACKS = [
    "<script>alert('x')</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)">hi</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"></svg>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_dangerous_markup_is_removed(attack: str) -> None:
    html = render_markdown(f"Hello\n\n{attack}\n\nBye").lower()
    for bad in ("<script", "javascript:", "onerror", "onclick", "onload", "<iframe", "data:text", "<style", "alert"):
        assert bad not in html, (attack, html)
    assert "hello" in html
    assert "bye" in html


def test_markdown_features_survive_and_links_get_rel() -> None:
    html = render_markdown("## Title\n\n- one\n- two\n\n**bold** [site](https://example.org)")
    assert "<h2>Title</h2>" in html
    assert "<li>one</li>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">site</a>' in html


def test_empty_text() -> None:
    assert render_markdown("") == ""
