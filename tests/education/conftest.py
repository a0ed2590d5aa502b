from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.fixture
def require_postgres(db) -> None:
    """PostgreSQL-only tests skip with a message elsewhere, but fail under CI=true."""
    if connection.vendor == "postgresql":
        return
    message = "needs PostgreSQL: set DATABASE_URL=postgres://... to run it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
