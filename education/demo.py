"""Demo data for education: the shipped articles, reviewed by the demo clinician."""

from __future__ import annotations

from typing import TextIO

from django.db import transaction

from clinic.models import User
from education.content import load_all
from education.models import Article


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    results = load_all()
    created = sum(result.action == "created" for _, result in results)
    reviewer = User.objects.filter(groups__name="Clinician").order_by("pk").first()
    if reviewer is not None:
        # Saved one by one so that the history records it (with a reason, so a reload still counts the article
        # as unedited); otherwise an admin's next save would show the reviewer as that admin's change.
        for article in Article.objects.filter(origin__startswith="content/", reviewed_by__isnull=True):
            article.reviewed_by = reviewer
            article._change_reason = "Demo reviewer"
            article.save(update_fields=["reviewed_by"])
    stdout.write(f"Education: {len(results)} articles ({created} new).")
