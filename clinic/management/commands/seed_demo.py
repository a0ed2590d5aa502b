"""Create or refresh the demo clinic and print its logins. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic import demo


class Command(BaseCommand):
    help = "Create or refresh the demo clinic (users, and each app's demo data) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off. Never on a real clinic's database."
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a published password; use --force outside DEBUG.")
        self._print_logins(demo.seed_all(stdout=self.stdout))

    def _print_logins(self, logins: list[demo.Login]) -> None:
        self.stdout.write(self.style.SUCCESS("\nDemo clinic ready. Log in at /account/login/ with:"))
        self.stdout.write(f"  password for every demo login: {demo.DEMO_PASSWORD}")
        for login in logins:
            line = f"  {login.role:<13} {login.email:<30}"
            if login.backup_codes:
                line += f"   backup codes: {' '.join(login.backup_codes)}"
            self.stdout.write(line)
        self.stdout.write("Staff pass the second factor with one backup code each time (each code works once).\n")
