"""docs/roles.md's permission tables are what the data migrations grant: each ✓ is granted, each blank is not.

The role walk (tests/test_role_walk.py) proves the action tables against the views; this proves the permission tables
against the roles, so the two tables of an app cannot drift apart without a test failing.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from tests.role_walk import ROLES_DOC, STAFF_COLUMNS

PERMISSION_TABLE = re.compile(
    r"^\| Permission \|(?P<header>.*)\|\s*\n\|[-:| ]+\|\s*\n(?P<rows>(?:\|.*\|\s*\n?)+)", re.M
)


def documented_grants() -> list[tuple[str, str, bool]]:
    """``(role, app_label.codename, granted)`` for every permission named in a row of a permission table."""
    found = []
    for table in PERMISSION_TABLE.finditer(ROLES_DOC.read_text(encoding="utf-8")):
        header = tuple(cell.strip() for cell in table.group("header").split("|"))
        assert header == STAFF_COLUMNS, header
        for line in table.group("rows").strip().splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            named = re.findall(r"`([\w.]+)`", cells[0].split(":")[0])
            app = ""
            for name in named:
                if "." in name:
                    app, name = name.split(".")
                for role, mark in zip(STAFF_COLUMNS, cells[1:], strict=True):
                    found.append((role, f"{app}.{name}", mark == "✓"))
    return found


GRANTS = documented_grants()


def test_the_tables_were_read() -> None:
    assert any(perm == "scheduling.reschedule_appointment" for _, perm, _ in GRANTS)
    assert len({perm for _, perm, _ in GRANTS}) > 20


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "perm", "granted"), GRANTS, ids=[f"{r}:{p}" for r, p, _ in GRANTS])
def test_roles_md_matches_the_grants(role: str, perm: str, granted: bool) -> None:
    app_label, codename = perm.split(".")
    has = Group.objects.filter(
        name=role, permissions__content_type__app_label=app_label, permissions__codename=codename
    ).exists()
    assert has == granted, f"roles.md says {role} {'has' if granted else 'lacks'} {perm}; the migrations disagree"
