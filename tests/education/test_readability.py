"""Every shipped article reads at or below US grade 8, by both the SMOG index and the Flesch-Kincaid grade.

What "body text" means here, and why:

- The Markdown is rendered with the project's own renderer, then reduced to plain text, because a patient reads the
  rendered page, not the asterisks and hashes.
- Headings are left out. They are short labels without sentence punctuation; counted, they would glue onto the next
  sentence and make it look longer than anyone reads it.
- Each paragraph and each list item counts as its own sentence (a full stop is added when it has none), because a
  reader takes a bullet as one unit.
- The title, the summary and the source list are left out: the title and summary are short labels, and the sources
  (in the front matter, shown under the article) are citations for checking, not prose for the patient.
- The closing disclaimer is kept: every patient reads it.

textstat is pinned to 0.7.3 (later versions download NLTK data at run time), so the grades are reproducible.
"""

from __future__ import annotations

import html
import re

import pytest
import textstat

from clinic.lib.markdown import render_markdown
from education import shipped_articles

MAX_GRADE = 8.0


def body_text(markdown: str) -> str:
    rendered = str(render_markdown(markdown))
    rendered = re.sub(r"<h[1-6][^>]*>.*?</h[1-6]>", " ", rendered, flags=re.S)
    sentences = []
    for _tag, inner in re.findall(r"<(p|li)\b[^>]*>(.*?)</\1>", rendered, flags=re.S):
        inner = re.sub(r"<(ul|ol)\b.*", "", inner, flags=re.S)  # a nested list is read as its own items
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split())
        if text:
            sentences.append(text if text[-1] in ".!?:" else f"{text}.")
    return " ".join(sentences)


def test_body_text_drops_markup_headings_and_counts_bullets_as_sentences() -> None:
    text = body_text("## A heading\n\nSome **bold** words.\n\n- first item\n- second item\n")
    assert text == "Some bold words. first item. second item."


@pytest.mark.parametrize("item", shipped_articles.content_files(), ids=lambda item: item.slug)
def test_article_reads_at_grade_8_or_below(item: shipped_articles.ContentFile) -> None:
    text = body_text(item.body)
    assert textstat.sentence_count(text) >= 30, "SMOG needs a sample of about 30 sentences to mean anything"
    smog = textstat.smog_index(text)
    fk = textstat.flesch_kincaid_grade(text)
    assert smog <= MAX_GRADE, f"{item.name}: SMOG {smog}"
    assert fk <= MAX_GRADE, f"{item.name}: Flesch-Kincaid {fk}"
