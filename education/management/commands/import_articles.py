"""Turn plain-text blog posts into draft articles: `import_articles PATH [PATH ...] [--dry-run] [--force]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from education.imports import ImportReport, import_file


class Command(BaseCommand):
    help = (
        "Import plain-text articles as drafts, stripping site chrome; prints what was kept, stripped, repaired "
        "and marked for review. A draft edited in admin since its import is kept unless --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Text files (UTF-8) to import.")
        parser.add_argument("--dry-run", action="store_true", help="Show the result without saving anything.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace drafts edited in admin since their import (never published ones).",
        )
        parser.add_argument("--quiet-kept", action="store_true", help="Do not list every kept block.")

    def handle(self, *args: Any, paths: list[str], dry_run: bool = False, force: bool = False, **options: Any) -> None:
        failures = 0
        seen: dict[str, str] = {}  # identity -> the file that had it in this run
        for raw in paths:
            path = Path(raw)
            if not path.is_file():
                self.stderr.write(self.style.ERROR(f"{raw}: no such file. Nothing was created."))
                failures += 1
                continue
            data = path.read_bytes()
            probe = import_file(name=raw, data=data, dry_run=True)
            if probe.identity and probe.identity in seen:
                self.stderr.write(
                    self.style.WARNING(
                        f"{raw}: skipped: the same post as {seen[probe.identity]} (same title or address)"
                    )
                )
                continue
            report = probe if dry_run or probe.error else import_file(name=raw, data=data, force=force)
            if report.identity:
                seen[report.identity] = raw
            failures += bool(report.error)
            self._print(report, verbose=not options["quiet_kept"])
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        if failures:
            raise CommandError(f"{failures} of {len(paths)} files could not be imported.")

    def _print(self, report: ImportReport, *, verbose: bool) -> None:
        style = self.style.ERROR if report.error else self.style.SUCCESS
        lines = report.lines(verbose=verbose)
        self.stdout.write(style(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
