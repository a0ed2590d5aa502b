"""A newcomer's first commands on a fresh clone (no var/ yet) work, and say nothing alarming."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PARTS = ["clinic", "education", "intake", "scheduling", "templates", "manage.py"]


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clone = tmp_path_factory.mktemp("clone")
    for part in PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, clone / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, clone / part)
    assert not (clone / "var").exists()
    return clone


def run(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The defaults a newcomer gets: SQLite under var/, no Redis, a real (filesystem) Celery broker.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}}
    env.update(DJANGO_DEBUG="true", EMAIL_URL="consolemail://", PYTHONPATH=str(clone))
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=clone, env=env, capture_output=True, text=True, timeout=300
    )


def test_migrate_works_without_var(fresh_clone: Path) -> None:
    result = run(fresh_clone, "migrate", "--noinput")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (fresh_clone / "var" / "db.sqlite3").is_file()


def test_seed_demo_queues_without_a_broker_warning(fresh_clone: Path) -> None:
    result = run(fresh_clone, "seed_demo")
    assert result.returncode == 0, result.stderr[-2000:]
    output = result.stdout + result.stderr
    assert "Broker unavailable" not in output
    assert "WARNING" not in output, "nothing alarming (kombu warned of a broker URL without a host name)"
    assert list((fresh_clone / "var" / "celery" / "queue").iterdir()), "the demo's emails wait in the queue"


def test_the_worker_prints_emails_as_info_not_as_warnings() -> None:
    """`make run` shows the console backend's emails in the worker's log: each line was tagged WARNING/MainProcess."""
    from clinic.celery import app

    assert app.conf.worker_redirect_stdouts_level == "INFO"
