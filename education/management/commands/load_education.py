"""Load the articles shipped in education/content/. Safe to run again; never overwrites admin edits."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from education.shipped_articles import ContentError, load_all


class Command(BaseCommand):
    help = "Load the shipped patient-education articles (idempotent; articles edited in admin are kept)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = load_all()
        except ContentError as exc:
            raise CommandError(str(exc)) from exc
        for item, result in results:
            reason = f" ({result.reason})" if result.reason else ""
            self.stdout.write(f"{result.action:>9}  {item.slug}{reason}")
        counts = {
            action: sum(r.action == action for _, r in results)
            for action in ("created", "updated", "unchanged", "skipped")
        }
        self.stdout.write(self.style.SUCCESS(", ".join(f"{n} {action}" for action, n in counts.items())))
