"""Patient education: topics, articles with their sources, and required-reading acknowledgements."""

from __future__ import annotations

import hashlib
import math
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clinic.lib.fields import NormalisedTextField
from clinic.lib.roles import CLINICIAN

WORDS_PER_MINUTE = 200
# Paths under /learn/ that are pages, not articles.
RESERVED_SLUGS = frozenset({"search", "topics", "required-reading"})


def body_version(body: str) -> str:
    """A short fingerprint of an article body; an acknowledgement is valid only for the same one."""
    normalized = "\n".join(line.rstrip() for line in (body or "").strip().replace("\r\n", "\n").split("\n"))
    return hashlib.sha256(normalized.encode()).hexdigest()[:16]


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Topics are listed from low to high.")

    class Meta:
        ordering: ClassVar = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("education:topic-detail", kwargs={"slug": self.slug})


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences; shown in lists and as the page description."
    )
    body = NormalisedTextField(help_text="Markdown. Scripts, frames and raw HTML attributes are removed when shown.")
    topics = models.ManyToManyField(Topic, related_name="articles", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was first published; publishing again keeps this date."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_articles",
        limit_choices_to={"is_staff": True, "groups__name": CLINICIAN},
        help_text="The clinician who last reviewed the medical content. Set by “Mark reviewed”.",
    )
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When a clinician should review it again. Empty means it has never been reviewed: due now.",
    )
    required_before_treatment = models.BooleanField(
        default=False, help_text="Patients must read and acknowledge it before their first treatment."
    )
    # Where the text came from ("content/<file>" for shipped articles; for imports "import:url:<address>" or
    # "import:title:<normalised title>", never the file name), and the fingerprint of what was loaded, so
    # reloading never overwrites an article edited since.
    origin = models.CharField(max_length=200, blank=True, editable=False)
    loaded_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["title"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="education_article_status"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="education_article_published_has_date",
            ),
            models.UniqueConstraint(fields=["origin"], condition=~Q(origin=""), name="education_article_origin"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("education:article-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": "This address is used by another page; please choose another slug."})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def version(self) -> str:
        return body_version(self.body)

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(len(self.body.split()) / WORDS_PER_MINUTE))

    @property
    def content_fingerprint(self) -> str:
        text = "\x1f".join([self.title, self.summary, self.body])
        return hashlib.sha256(text.encode()).hexdigest()


class Source(models.Model):
    """One cited work: a paper, a guideline, a drug label or an agency notice."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(max_length=300)
    authors = models.CharField(
        max_length=300, blank=True, help_text="As cited, for example “Anand A, Mathew SJ, Sanacora G, et al.”"
    )
    publisher = models.CharField(max_length=200, blank=True, help_text="The journal, agency or publisher.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    doi = models.CharField(
        "DOI",
        max_length=100,
        blank=True,
        validators=[RegexValidator(r"^10\.\d{4,9}/\S+$", "A DOI starts with 10. and has no https://doi.org/ prefix.")],
        help_text="For example 10.1056/NEJMoa2302399, without the https://doi.org/ prefix.",
    )
    pmid = models.CharField(
        "PMID",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{1,10}$", "A PubMed ID is digits only.")],
        help_text="PubMed ID, digits only.",
    )
    url = models.URLField("URL", max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Provenance of an imported post: what its text said about where it came from, and a fingerprint of the
    # file, so a re-import can tell whether it changed since.
    byline = models.CharField(max_length=200, blank=True, help_text="The author or byline the imported text gave.")
    published_on = models.DateField(
        "original date", null=True, blank=True, help_text="The date the imported text gave for the original."
    )
    imported_from = models.CharField(max_length=300, blank=True, help_text="The file it was imported from.")
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering: ClassVar = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher})" if self.publisher else self.title

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""


class ArticleAcknowledgement(models.Model):
    """A patient confirmed reading one version of a required article. Re-acknowledging updates the row."""

    patient = models.ForeignKey("clinic.Patient", on_delete=models.CASCADE, related_name="article_acknowledgements")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="acknowledgements")
    version = models.CharField(max_length=16, help_text="Fingerprint of the body that was acknowledged.")
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["patient", "article"], name="education_ack_one_per_patient_article"),
        ]

    def __str__(self) -> str:
        return f"{self.article} acknowledged {self.acknowledged_at:%Y-%m-%d}"
