"""The project explains itself: its Markdown links point at files inside the project (a clone has no
../shared), and the architecture document names modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_resolves_inside_the_project(doc: Path) -> None:
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue
        resolved = (doc.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{doc.name} links outside the project: {target}"
        assert resolved.exists(), f"{doc.name} links to a missing file: {target}"


def test_readme_links_to_the_architecture() -> None:
    assert "](docs/architecture.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_architecture_names_the_modules_of_this_tree() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for module in ("clinic/services/notifications.py", "education/post_parser.py", "scheduling/services/booking.py"):
        assert module in text
        assert (ROOT / module).exists(), module


NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}


def test_readme_counts_the_articles_and_topics_that_ship() -> None:
    from education.shipped_articles import content_files

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"(\w+) original, plain-language articles across (\w+) topics", readme)
    assert found, "the README no longer says how many articles ship"
    articles, topics = (NUMBERS[w.lower()] for w in found.groups())
    shipped = content_files()
    assert articles == len(shipped)
    assert topics == len({t for item in shipped for t in item.topics})


def test_env_example_lists_no_retired_variables() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "CLINIC_ALERT_EMAIL" not in example  # the clinic settings record's on-call recipients replaced it
