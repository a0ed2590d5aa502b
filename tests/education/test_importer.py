from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from education import post_parser
from education.imports import import_file
from education.models import Article

# Copies of ../shared/seeds, the five source articles, so the suite runs from any checkout.
SEEDS = Path(__file__).resolve().parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
EXPECTED_TITLES = {
    "000": "Ketamine's Effect on the Brain",
    "001": "Why Does Ketamine Therapy Work?",
    "002": "How Does Ketamine Affect The Brain",
    "003": "Ketamine's Emerging Role in Transforming Mental Health Care",
    "004": "Understanding Ketamine for Treating Depression",
}
CHROME = re.compile(
    r"\(\d{3}\)\s*\d{3}-\d{4}|SCHEDULE A CONSULTATION|Request An Appointment|Recommended Reading|You May Like|"
    r"Also Check|Don.t Miss|Read Also|top of page|bottom of page|What would you like to find|Wednesday, May|"
    r"コメント|いいね|@mindscape|alt\.text|Our Treatment Services|Epidural Injection|Click here|contact us today|"
    r"Popular Articles|More articles|4\.96/5|Writer.s picture|\| Dr\.",
    re.IGNORECASE,
)
MOJIBAKE = re.compile(r"â|Ã|Â|\ufffd")

# A hand-made post of another (fictional) clinic: wrapped lines, indented bullets, real mojibake.
MOJI_APOSTROPHE = "\u2019".encode().decode("cp1252")  # a curly apostrophe decoded as cp1252
DASH = "\u2013"
HANDMADE = f"""Skip to content
Home
Menu
Sleep and Mood: What Patients Ask Us {DASH} Sunrise Wellness of Ohio
Posted by Sunrise Team
March 3, 2021

Sleep and Mood: What Patients Ask Us

People often ask how sleep and mood are linked. Poor sleep can make low mood
worse, and low mood can make sleep worse.

Simple habits that help
    • Keep the same wake-up time every day.
    • Limit screens in the hour before bed.
- Avoid caffeine after noon.

Read Also: Ten Foods That Boost Your Brain
CALL NOW: 555-201-3344
We donâ{MOJI_APOSTROPHE[1:]}t promise a cure, but talking with a clinician helps.

BOOK YOUR VISIT TODAY
About the author: Sam Lee has written for our blog since 2019.
Follow us on Instagram
@sunrisewellness

3 Comments
Jane D.
Great post!
Reply
"""


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_each_seed_parses_cleanly(path: Path) -> None:
    parsed = post_parser.parse_bytes(path.read_bytes())
    assert parsed.title == EXPECTED_TITLES[path.name[:3]]
    assert CHROME.search(parsed.body) is None, CHROME.search(parsed.body)
    assert MOJIBAKE.search(parsed.body) is None, MOJIBAKE.search(parsed.body)
    assert MOJIBAKE.search(parsed.title) is None
    assert re.search(r"^## \S", parsed.body, re.MULTILINE), "headings were lost"
    assert len(parsed.body) > 2000
    assert parsed.stripped, "expected some chrome to be reported as stripped"


def test_seed_lists_survive() -> None:
    parsed = post_parser.parse_bytes((SEEDS / "004_450c516cb0f41dc0.txt").read_bytes())
    assert "## Potential Side Effects of Ketamine" in parsed.body
    assert "- Dissociation: Feeling detached" in parsed.body
    assert "- Blood Pressure Increases:" in parsed.body
    bullets = post_parser.parse_bytes((SEEDS / "002_3e9c81e5ca080e2f.txt").read_bytes())
    assert "- Phase 1:" in bullets.body  # indented "•" bullets


def test_seed_mojibake_is_repaired_to_quotes() -> None:
    parsed = post_parser.parse_bytes((SEEDS / "002_3e9c81e5ca080e2f.txt").read_bytes())
    assert "ketamine's Point A" in parsed.body or "ketamine\u2019s Point A" in parsed.body


def test_handmade_file() -> None:
    parsed = post_parser.parse_bytes(HANDMADE.encode())
    assert parsed.title == "Sleep and Mood: What Patients Ask Us"
    body = parsed.body
    assert "Poor sleep can make low mood worse, and low mood can make sleep worse." in body  # rejoined
    assert "## Simple habits that help" in body
    assert "- Keep the same wake-up time every day.\n- Limit screens" in body
    assert "- Avoid caffeine after noon." in body
    assert "We don't promise a cure" in body or "We don\u2019t promise a cure" in body
    chrome_lines = ["Skip to content", "Menu", "Sunrise Team", "March 3", "Read Also", "555-201", "BOOK YOUR"]
    chrome_lines += [
        "Sam Lee",
        "Instagram",
        "@sunrise",
        "Comments",
        "Jane",
        "Great post",
        "Reply",
        "Sunrise Wellness of Ohio",
    ]
    for chrome in chrome_lines:
        assert chrome not in body, chrome
    assert body.count("Sleep and Mood") == 0  # the repeated title is not in the body
    reasons = {reason for reason, _ in parsed.stripped}
    expected = {"navigation", "date", "link bait", "phone number", "call to action", "social", "comments", "author bio"}
    assert expected <= reasons


def test_markup_in_text_is_not_passed_through() -> None:
    parsed = post_parser.parse_bytes(b"A title\n\nText with <script>alert(1)</script> inside it, quite long.\n")
    assert "<script>" not in parsed.body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("Caf\u00e9 article\n\nSome text here.".encode("latin-1"), "not UTF-8"),
        (b"top of page\nHome\nMenu\n", "No article text"),
    ],
)
def test_bad_files_give_a_clear_error_and_create_nothing(db, data: bytes, message: str) -> None:
    report = import_file(name="bad.txt", data=data)
    assert message in report.error
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_command_imports_seeds_as_drafts_once(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(p) for p in SEED_FILES]
    call_command("import_articles", *paths)
    assert Article.objects.count() == 5
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.DRAFT}
    assert sorted(Article.objects.values_list("title", flat=True)) == sorted(EXPECTED_TITLES.values())
    for article in Article.objects.prefetch_related("sources"):
        [source] = article.sources.all()
        assert source.imported_from in paths
        assert len(source.content_hash) == 64
        assert article.origin.startswith("import:title:")
    out = capsys.readouterr().out
    assert "stripped" in out
    assert "[call to action] SCHEDULE A CONSULTATION" in out
    call_command("import_articles", *paths)
    assert Article.objects.count() == 5
    assert "unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_reimport_updates_the_same_draft(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_text("My post\n\nFirst version of a long enough paragraph.\n")
    call_command("import_articles", str(path))
    path.write_text("My post\n\nSecond version of a long enough paragraph.\n")
    call_command("import_articles", str(path))
    article = Article.objects.get()
    assert "Second version" in article.body
    assert article.sources.count() == 1


@pytest.mark.django_db
def test_reimport_never_touches_a_published_article(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_text("My post\n\nFirst version of a long enough paragraph.\n")
    call_command("import_articles", str(path))
    Article.objects.update(status=Article.Status.PUBLISHED, published_at=timezone.now(), body="Edited and published.")
    path.write_text("My post\n\nSecond version of a long enough paragraph.\n")
    call_command("import_articles", str(path))
    assert Article.objects.get().body == "Edited and published."


@pytest.mark.django_db
def test_dry_run_saves_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_articles", str(SEED_FILES[0]), "--dry-run")
    assert Article.objects.count() == 0
    out = capsys.readouterr().out
    assert "would import" in out
    assert "Dry run" in out


@pytest.mark.django_db
def test_command_fails_clearly_on_bad_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="2 of 2 files"):
        call_command("import_articles", str(empty), str(tmp_path / "missing.txt"))
    assert Article.objects.count() == 0


def test_all_five_seeds_are_here() -> None:
    # An empty folder would silently skip every parametrised seed test above.
    assert len(SEED_FILES) == 5
