"""Browser tests: pytest-playwright driving Debian's Chromium against the live server.

Mark them ``pytest.mark.django_db(transaction=True)``: the live server needs committed data. Each
test starts from a flushed database, so the staff roles that data migrations made are restored first.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; the ORM calls in these tests are
# still plain synchronous code, so Django's async guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"Chromium is required under CI but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(reason=f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _staff_roles(transactional_db: None) -> None:
    """Re-create the role groups from every migration that declares a role ``MATRIX``."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType
    from django.db.migrations.loader import MigrationLoader

    from clinic.lib.roles import assign

    ContentType.objects.clear_cache()  # the flush removed the rows the cache still points at
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    for migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values():
        matrix = getattr(sys.modules[migration.__module__], "MATRIX", None)
        if matrix:
            assign(apps, matrix)
