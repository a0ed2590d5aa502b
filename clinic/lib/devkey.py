"""The secret key of a development checkout: random, made on first run, kept in ``var/``.

A published constant would let anyone mint signed links (set-password, manage-appointment) on any
deployment left in debug mode. Production never comes here: it must set ``DJANGO_SECRET_KEY``.
Pure Python, because settings import it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FILE_NAME = "secret_key"


def dev_secret_key(var_dir: Path) -> str:
    """This checkout's own key, read from ``var_dir/secret_key``, created there (mode 0600) on first use."""
    path = var_dir / FILE_NAME
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = ""
    if len(key) >= 50:
        return key
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL: when two processes start at once (web and worker), the second reads the first one's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        written = path.read_text(encoding="utf-8").strip()
        if len(written) >= 50:
            return written
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)  # a truncated or hand-edited file: replace it
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key
