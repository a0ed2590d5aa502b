"""Import text files as draft articles: parse (pure), then one service call per file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.text import slugify

from education import post_parser, services

MAX_ORIGIN = 200


@dataclass
class ImportReport:
    name: str
    parsed: post_parser.ParsedArticle | None
    result: services.LoadResult | None
    error: str = ""
    identity: str = ""

    def lines(self, *, verbose: bool = True) -> list[str]:
        if self.error:
            return [f"{self.name}: ERROR {self.error} Nothing was created."]
        parsed = self.parsed
        action = self.result.action if self.result else "would import"
        reason = f" ({self.result.reason})" if self.result and self.result.reason else ""
        out = [f"{self.name}: {action}{reason}: {parsed.title!r}"]
        found = parsed.provenance
        given = [f"{label} {value}" for label, value in _provenance_fields(found) if value]
        out.append(f"  source: {', '.join(given) if given else 'the text names no author, site, date or address'}")
        headings = sum(1 for line in parsed.body.splitlines() if line.startswith("#"))
        out.append(f"  kept {len(parsed.kept)} blocks, {headings} of them headings")
        if verbose:
            out += [f"    + {text[:90]}" for text in parsed.kept]
        out.append(f"  stripped {len(parsed.stripped)} lines")
        out += [f"    - [{reason}] {line[:90]}" for reason, line in parsed.stripped]
        out.append(f"  repaired {len(parsed.repairs)} words")
        out += [f"    ~ {repair}" for repair in parsed.repairs]
        if parsed.marks:
            out.append(
                f"  marked {len(parsed.marks)} places [[check: ...]] for the reviewer (publishing waits for them)"
            )
            out += [f"    ? {mark[:110]}" for mark in parsed.marks]
        return out


def _provenance_fields(found: post_parser.Provenance) -> list[tuple[str, object]]:
    return [("by", found.author), ("site", found.publisher), ("dated", found.published_on), ("at", found.url)]


def identity_of(parsed: post_parser.ParsedArticle) -> str:
    """What makes two imports the same post: its address when the text gives one, else its normalised title.
    Never the file name: /a/post.txt and /b/post.txt are different posts."""
    if parsed.provenance.url:
        parts = urlsplit(parsed.provenance.url)
        host = parts.netloc.lower().removeprefix("www.")
        key = f"import:url:{host}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")
    else:
        key = f"import:title:{slugify(parsed.title)}"
    if len(key) > MAX_ORIGIN:  # still unique, and still readable at the start
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        key = f"{key[: MAX_ORIGIN - 17]}~{digest}"
    return key


def import_file(*, name: str, data: bytes, dry_run: bool = False, force: bool = False) -> ImportReport:
    """Parse one file and, unless dry_run, create or update its draft. Never raises on bad input."""
    try:
        parsed = post_parser.parse_bytes(data)
    except post_parser.ArticleImportError as exc:
        return ImportReport(name, None, None, str(exc))
    identity = identity_of(parsed)
    if dry_run:
        return ImportReport(name, parsed, None, identity=identity)
    found = parsed.provenance
    source = services.ImportedSource(
        title=parsed.title,
        content_hash=hashlib.sha256(data).hexdigest(),
        publisher=found.publisher,
        url=found.url,
        byline=found.author,
        published_on=found.published_on,
        imported_from=name,
    )
    result = services.article_import(
        identity=identity, title=parsed.title[:200], body=parsed.body, source=source, force=force
    )
    return ImportReport(name, parsed, result, identity=identity)
