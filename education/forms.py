from __future__ import annotations

from django import forms

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
