from __future__ import annotations

from django import forms

from education import services
from education.models import Article

MAX_UPLOAD_BYTES = 2_000_000


class ArticleImportForm(forms.Form):
    file = forms.FileField(label="Text file (.txt, UTF-8)", help_text="An old blog post saved as plain text.")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".txt"):
            raise forms.ValidationError("Please upload a .txt file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 -- the admin's fieldsets choose what shows

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        # The stored status, not the instance's: a history revert brings a past version's status along.
        if services.article_is_published(pk=self.instance.pk):
            try:
                services.ensure_publishable_text(body)
            except services.ArticleHasReviewMarks as exc:
                raise forms.ValidationError(
                    "This article is published, so its text cannot carry the importer's [[check: ...]] marks "
                    f"({len(exc.marks)} found). Resolve them, or unpublish it first.",
                    code="review_marks",
                ) from exc
        return body
