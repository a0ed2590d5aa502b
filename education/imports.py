"""Import text files as draft articles: parse (pure), then one service call per file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from education import post_parser, services


@dataclass
class ImportReport:
    name: str
    parsed: post_parser.ParsedArticle | None
    result: services.LoadResult | None
    error: str = ""

    def lines(self, *, verbose: bool = True) -> list[str]:
        if self.error:
            return [f"{self.name}: ERROR {self.error} Nothing was created."]
        parsed = self.parsed
        action = self.result.action if self.result else "would import"
        reason = f" ({self.result.reason})" if self.result and self.result.reason else ""
        out = [f"{self.name}: {action}{reason}: {parsed.title!r}"]
        headings = sum(1 for line in parsed.body.splitlines() if line.startswith("#"))
        out.append(f"  kept {len(parsed.kept)} blocks, {headings} of them headings")
        if verbose:
            out += [f"    + {text[:90]}" for text in parsed.kept]
        out.append(f"  stripped {len(parsed.stripped)} lines")
        out += [f"    - [{reason}] {line[:90]}" for reason, line in parsed.stripped]
        return out


def import_file(*, name: str, data: bytes, dry_run: bool = False) -> ImportReport:
    """Parse one file and, unless dry_run, create or update its draft. Never raises on bad input."""
    base = PurePath(name).name
    try:
        parsed = post_parser.parse_bytes(data)
    except post_parser.ArticleImportError as exc:
        return ImportReport(base, None, None, str(exc))
    if dry_run:
        return ImportReport(base, parsed, None)
    source = services.SourceData(title=parsed.title, publisher=f"Imported file {base}")
    result = services.article_import(
        origin=f"import/{base}"[:200], title=parsed.title[:200], body=parsed.body, source=source
    )
    return ImportReport(base, parsed, result)
