"""Turn plain-text blog posts into draft articles: `import_articles PATH [PATH ...] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from education.imports import import_file


class Command(BaseCommand):
    help = "Import plain-text articles as drafts, stripping site chrome; prints what was kept and stripped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Text files (UTF-8) to import.")
        parser.add_argument("--dry-run", action="store_true", help="Show the result without saving anything.")
        parser.add_argument("--quiet-kept", action="store_true", help="Do not list every kept block.")

    def handle(self, *args: Any, paths: list[str], dry_run: bool = False, **options: Any) -> None:
        failures = 0
        for raw in paths:
            path = Path(raw)
            if not path.is_file():
                self.stderr.write(self.style.ERROR(f"{raw}: no such file. Nothing was created."))
                failures += 1
                continue
            report = import_file(name=path.name, data=path.read_bytes(), dry_run=dry_run)
            failures += bool(report.error)
            style = self.style.ERROR if report.error else self.style.SUCCESS
            lines = report.lines(verbose=not options["quiet_kept"])
            self.stdout.write(style(lines[0]))
            for line in lines[1:]:
                self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        if failures:
            raise CommandError(f"{failures} of {len(paths)} files could not be imported.")
