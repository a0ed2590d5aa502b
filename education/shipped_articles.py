"""The articles shipped with the app: Markdown files with front matter in education/content/."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from education import services

CONTENT_DIR = Path(__file__).resolve().parent / "content"
# Every work the articles cite, once, by key; an article's front matter lists the keys it cites.
REFERENCES_FILE = CONTENT_DIR / "references.toml"

# (slug, name, description); the order here is the order on the index page.
TOPICS = [
    ("about-ketamine", "About ketamine", "What ketamine is, where it came from, and how it acts in the brain."),
    ("conditions", "Conditions we treat", "Depression, anxiety, PTSD and chronic pain: what the research shows."),
    ("your-treatment", "Your treatment", "What happens before, during and after an infusion."),
    ("safety", "Safety and risks", "Side effects, risks, and why we screen before treatment."),
    ("options-and-costs", "Options and costs", "Esketamine, off-label use, insurance and paying for care."),
    ("getting-started", "Getting started", "How to prepare for your first consultation."),
]


class ContentError(ValueError):
    pass


@dataclass
class ContentFile:
    name: str
    title: str
    slug: str
    summary: str
    body: str
    topics: list[str] = field(default_factory=list)
    sources: list[services.SourceData] = field(default_factory=list)
    required_before_treatment: bool = False


def parse_content(name: str, text: str) -> ContentFile:
    """Parse a '---' front matter block (key: value lines, and '  - ' list items) then Markdown."""
    if not text.startswith("---\n"):
        raise ContentError(f"{name}: missing front matter")
    head, _, body = text[4:].partition("\n---\n")
    meta: dict[str, str | list[str]] = {}
    key = ""
    for line in head.splitlines():
        if line.startswith("  - ") and key:
            meta.setdefault(key, [])
            meta[key].append(line[4:].strip())  # type: ignore[union-attr]
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            if value:
                meta[key] = value
    try:
        sources = [_source(item) for item in meta.get("sources", [])]
        return ContentFile(
            name=name,
            title=str(meta["title"]),
            slug=str(meta["slug"]),
            summary=str(meta.get("summary", "")),
            body=body.strip() + "\n",
            topics=[t.strip() for t in str(meta.get("topics", "")).split(",") if t.strip()],
            sources=sources,
            required_before_treatment=str(meta.get("required_before_treatment", "false")).lower() == "true",
        )
    except (KeyError, ValueError) as exc:
        raise ContentError(f"{name}: bad front matter ({exc})") from exc


def _source(key: str) -> services.SourceData:
    try:
        return references()[key]
    except KeyError:
        raise KeyError(f"unknown reference {key!r}; add it to {REFERENCES_FILE.name}") from None


@cache
def references() -> dict[str, services.SourceData]:
    """The cited works in references.toml, by key."""
    with REFERENCES_FILE.open("rb") as fh:
        data = tomllib.load(fh)
    return {
        key: services.SourceData(
            title=entry["title"],
            authors=entry.get("authors", ""),
            publisher=entry["publisher"],
            year=entry["year"],
            doi=entry.get("doi", ""),
            pmid=str(entry.get("pmid", "")),
            url=entry.get("url", ""),
        )
        for key, entry in data.items()
    }


def content_files() -> list[ContentFile]:
    return [parse_content(p.name, p.read_text(encoding="utf-8")) for p in sorted(CONTENT_DIR.glob("*.md"))]


def load_all() -> list[tuple[ContentFile, services.LoadResult]]:
    """Load every shipped article; safe to run again (see services.article_load)."""
    topics = {
        slug: services.topic_ensure(name=name, slug=slug, description=description, order=i)
        for i, (slug, name, description) in enumerate(TOPICS)
    }
    results = []
    for item in content_files():
        unknown = set(item.topics) - set(topics)
        if unknown:
            raise ContentError(f"{item.name}: unknown topics {sorted(unknown)}")
        result = services.article_load(
            origin=f"content/{item.name}",
            title=item.title,
            slug=item.slug,
            summary=item.summary,
            body=item.body,
            topics=[topics[slug] for slug in item.topics],
            sources=item.sources,
            required_before_treatment=item.required_before_treatment,
        )
        results.append((item, result))
    return results
