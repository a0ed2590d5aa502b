"""Demo data for education: the shipped articles, published and due for their first clinical review.

No reviewer is filled in: a review is recorded only when a clinician marks an article reviewed in admin, so
the demo shows the review queue as a new clinic would see it.
"""

from __future__ import annotations

from typing import TextIO

from django.db import transaction

from education.shipped_articles import load_all


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    results = load_all()
    created = sum(result.action == "created" for _, result in results)
    stdout.write(f"Education: {len(results)} articles ({created} new).")
