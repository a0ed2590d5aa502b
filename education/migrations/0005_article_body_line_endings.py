"""Store article bodies with \n line endings, so that saving an untouched admin form records no change."""

from __future__ import annotations

from django.db import migrations, models
from django.utils.text import normalize_newlines

import clinic.lib.fields


def normalise_bodies(apps, schema_editor) -> None:
    article_model = apps.get_model("education", "Article")
    for article in article_model.objects.filter(body__contains="\r").only("pk", "body"):
        # A queryset update: the text is the same to a reader, so it is no edit for the history.
        article_model.objects.filter(pk=article.pk).update(body=normalize_newlines(article.body))


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0004_article_review_due_and_source_citation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="body",
            field=clinic.lib.fields.NormalisedTextField(
                help_text="Markdown. Scripts, frames and raw HTML attributes are removed when shown."
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="published_at",
            field=models.DateTimeField(
                blank=True, help_text="When it was first published; publishing again keeps this date.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="historicalarticle",
            name="body",
            field=clinic.lib.fields.NormalisedTextField(
                help_text="Markdown. Scripts, frames and raw HTML attributes are removed when shown."
            ),
        ),
        migrations.AlterField(
            model_name="historicalarticle",
            name="published_at",
            field=models.DateTimeField(
                blank=True, help_text="When it was first published; publishing again keeps this date.", null=True
            ),
        ),
        migrations.RunPython(normalise_bodies, migrations.RunPython.noop),
    ]
