"""Demo data for education: the shipped articles, reviewed by the demo clinician."""

from __future__ import annotations

from typing import TextIO

from django.db import transaction

from clinic.models import User
from education.models import Article
from education.shipped_articles import load_all


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    results = load_all()
    created = sum(result.action == "created" for _, result in results)
    reviewer = User.objects.filter(groups__name="Clinician").order_by("pk").first()
    if reviewer is not None:
        Article.objects.filter(origin__startswith="content/", reviewed_by__isnull=True).update(reviewed_by=reviewer)
    stdout.write(f"Education: {len(results)} articles ({created} new).")
