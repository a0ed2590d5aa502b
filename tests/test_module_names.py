"""Module names that say what they hold: no module beside a folder of the same name (``content.py`` beside
``content/``), and no two modules of an app whose names differ only by a suffix (``importer.py`` beside
``imports.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["clinic", "education", "intake", "scheduling"]


def _stem_root(name: str) -> str:
    return re.sub(r"(?:er|ers|s|ing|ion|ions)$", "", name)


@pytest.mark.parametrize("app", APPS)
def test_no_module_shares_its_name_with_a_folder(app: str) -> None:
    for module in (ROOT / app).rglob("*.py"):
        twin = module.with_suffix("")
        assert not twin.is_dir(), f"{module.relative_to(ROOT)} sits beside the folder {twin.name}/"


@pytest.mark.parametrize("app", APPS)
def test_no_two_modules_differ_only_by_a_suffix(app: str) -> None:
    for folder in [ROOT / app, *(p for p in (ROOT / app).rglob("*") if p.is_dir())]:
        stems: dict[str, str] = {}
        for module in sorted(folder.glob("*.py")):
            if module.stem.startswith("_") or module.parent.name == "migrations":
                continue
            root = _stem_root(module.stem)
            assert root not in stems, f"{folder.relative_to(ROOT)}: {stems.get(root)}.py and {module.name} read alike"
            stems[root] = module.stem
