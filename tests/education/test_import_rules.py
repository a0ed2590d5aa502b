"""The importer keeps an admin's edits, identifies a post by what it is, keeps provenance, gives a sound
outline, strips the chrome of link farms and repairs or marks damaged words. Each rule on a small fixture."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from education import post_parser, services
from education.imports import import_file
from education.models import Article, Source
from education.text_repair import review_marks
from tests.education.factories import DraftArticleFactory

SEEDS = Path(__file__).resolve().parent / "seeds"
COMPILATION = SEEDS / "002_3e9c81e5ca080e2f.txt"


def parse(text: str) -> post_parser.ParsedArticle:
    return post_parser.parse_bytes(text.encode())


def headings(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith("#")]


POST = """Sleep and Mood | Sunrise Wellness
Posted by Sam Lee
March 3, 2021

Sleep and Mood

People often ask how sleep and mood are linked. Poor sleep can make low mood worse.

Simple habits

Keep the same wake-up time every day, and limit screens before bed.
"""


# --- An admin's edit wins ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reimport_keeps_an_admin_edit_and_says_so_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_text(POST)
    call_command("import_articles", str(path))
    article = Article.objects.get()
    article.body += "\nOur clinic's own paragraph."
    article.save()  # as admin saves it: no change reason
    path.write_text(POST.replace("limit screens", "avoid screens"))
    report = import_file(name=str(path), data=path.read_bytes())
    assert report.result.action == "kept"
    assert "changed upstream, your edits kept" in report.lines()[0]
    article.refresh_from_db()
    assert "Our clinic's own paragraph." in article.body
    assert "avoid screens" not in article.body

    forced = import_file(name=str(path), data=path.read_bytes(), force=True)
    assert forced.result.action == "updated"
    article.refresh_from_db()
    assert "avoid screens" in article.body
    assert "Our clinic's own paragraph." not in article.body
    assert article.history.filter(body__contains="Our clinic's own paragraph.").exists()  # history keeps it


@pytest.mark.django_db
def test_an_unedited_draft_follows_its_file(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_text(POST)
    import_file(name=str(path), data=path.read_bytes())
    assert import_file(name=str(path), data=path.read_bytes()).result.action == "unchanged"
    path.write_text(POST.replace("limit screens", "avoid screens"))
    assert import_file(name=str(path), data=path.read_bytes()).result.action == "updated"
    assert "avoid screens" in Article.objects.get().body


@pytest.mark.django_db
def test_force_never_touches_a_published_article(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_text(POST)
    article = import_file(name=str(path), data=path.read_bytes()).result.article
    services.article_publish(article=article)
    path.write_text(POST.replace("limit screens", "avoid screens"))
    assert import_file(name=str(path), data=path.read_bytes(), force=True).result.action == "skipped"
    assert "avoid screens" not in Article.objects.get().body


@pytest.mark.django_db
def test_five_seeds_imported_twice_with_an_admin_edit_between(tmp_path: Path) -> None:
    paths = [str(p) for p in sorted(SEEDS.glob("*.txt"))]
    call_command("import_articles", *paths, "--quiet-kept")
    edited = Article.objects.get(title="How Does Ketamine Affect The Brain")
    edited.body = edited.body.replace("## Of mice and men", "## Studies in mice")
    edited.save()
    call_command("import_articles", *paths, "--quiet-kept")
    edited.refresh_from_db()
    assert "## Studies in mice" in edited.body
    assert Article.objects.count() == 5
    # An upstream change to the edited post keeps the edit too.
    changed = tmp_path / "002.txt"
    changed.write_bytes(COMPILATION.read_bytes().replace(b"Of mice and men", b"Of mice and people"))
    assert import_file(name=str(changed), data=changed.read_bytes()).result.action == "kept"
    edited.refresh_from_db()
    assert "## Studies in mice" in edited.body


# --- Identity: not the bare file name ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_file_name_in_two_folders_is_two_posts(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "post.txt").write_text(POST)
    (tmp_path / "b" / "post.txt").write_text(POST.replace("Sleep and Mood", "Eating and Mood"))
    call_command("import_articles", str(tmp_path / "a" / "post.txt"), str(tmp_path / "b" / "post.txt"))
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Eating and Mood", "Sleep and Mood"]
    assert sorted(Source.objects.values_list("imported_from", flat=True)) == [
        str(tmp_path / "a" / "post.txt"),
        str(tmp_path / "b" / "post.txt"),
    ]


@pytest.mark.django_db
def test_a_renamed_file_updates_the_same_post(tmp_path: Path) -> None:
    (tmp_path / "old-name.txt").write_text(POST)
    (tmp_path / "new-name.txt").write_text(POST.replace("limit screens", "avoid screens"))
    import_file(name="old-name.txt", data=(tmp_path / "old-name.txt").read_bytes())
    report = import_file(name="new-name.txt", data=(tmp_path / "new-name.txt").read_bytes())
    assert report.result.action == "updated"
    assert Article.objects.count() == 1
    assert Article.objects.get().origin == "import:title:sleep-and-mood"


@pytest.mark.django_db
def test_a_source_address_identifies_the_post_even_when_its_title_changes() -> None:
    first = "Original: https://www.example.org/blog/sleep/\n" + POST
    second = first.replace("Sleep and Mood", "Sleep, Mood and You")
    import_file(name="one.txt", data=first.encode())
    import_file(name="two.txt", data=second.encode())
    article = Article.objects.get()
    assert article.origin == "import:url:example.org/blog/sleep"
    assert article.title == "Sleep, Mood and You"
    assert article.sources.get().url == "https://www.example.org/blog/sleep/"


@pytest.mark.django_db
def test_two_files_of_the_same_post_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(POST)
    (tmp_path / "b.txt").write_text(POST)
    call_command("import_articles", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert Article.objects.count() == 1
    assert "the same post as" in capsys.readouterr().err


# --- Provenance -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_provenance_is_kept_on_the_source_record() -> None:
    text = "Source: https://sunrise.example/sleep\n" + POST
    import_file(name="post.txt", data=text.encode())
    source = Source.objects.get()
    assert source.byline == "Sam Lee"
    assert source.publisher == "Sunrise Wellness"
    assert source.published_on == datetime.date(2021, 3, 3)
    assert source.url == "https://sunrise.example/sleep"
    assert source.imported_from == "post.txt"
    assert "sunrise.example" not in Article.objects.get().body


def test_provenance_from_a_writer_line_a_copyright_line_and_a_clinic_sentence() -> None:
    parsed = parse(
        "A Guide to Rest\nWriter's picture: Ann KimAnn Kim\n\nRest matters a great deal for recovery.\n\n"
        "At Lakeside Pain Clinic, we are here for you. Call us today.\n"
        "© 2023 Lakeside Pain Clinic. All rights reserved.\n"
    )
    assert parsed.provenance.author == "Ann Kim"
    assert parsed.provenance.publisher == "Lakeside Pain Clinic"
    assert "2023" not in parsed.body


def test_a_byline_inside_the_text_is_not_the_author() -> None:
    parsed = parse(
        "A Guide to Rest\n\nRest matters a great deal.\n\nNew Findings On Sleep\nJane Porter\n"
        "Learn about our editorial policies.\n\nA quoted article says sleep helps.\n"
    )
    assert "Jane Porter" not in parsed.body
    assert ("byline", "Jane Porter") in parsed.stripped
    assert parsed.provenance.author == ""


# --- A sound outline --------------------------------------------------------------------------------------------


def test_heading_levels_are_sound() -> None:
    parsed = parse(
        "Title\n\nIntro text that is long enough.\n\nThe Basics\nWhat It Is\nText about what it is.\n\n"
        "Its History\nText about its history.\n\nThe Science\nIn the Brain\nText about the brain.\n\n"
        "In the Body\nText about the body.\n"
    )
    assert headings(parsed.body) == [
        "## The Basics",
        "### What It Is",
        "### Its History",  # a sibling of "What It Is", not a new section at ##
        "## The Science",
        "### In the Brain",
        "### In the Body",
    ]


def test_no_subheading_without_a_section_and_no_empty_headings() -> None:
    parsed = parse(
        "Title\n\nIntro text that is long enough.\n\nFirst Part\nSecond Part\nThird Part\n"
        "Text under the third part.\n\nFourth Part\nText under the fourth part.\n"
    )
    assert headings(parsed.body) == ["## Third Part", "## Fourth Part"]
    assert {("empty heading", "First Part"), ("empty heading", "Second Part")} <= set(parsed.stripped)


# --- The chrome of a link farm ----------------------------------------------------------------------------------

LINK_FARM = """How Sleep Works
May 2, 2022

Don't Miss

Ten Foods For A Better Brain

What Sleep Does

Sleep restores the brain and the body every night.

About Me, Dr Jo Park: I run a sleep clinic in Ohio and love my patients.

An Important Disclaimer: The information in this blog represents my opinion and is not medical advice.

Melatonin And You

Naps: Good Or Bad?!

Melatonin is a hormone that helps set the body clock.

Deep Sleep Explained
You Might Also Enjoy…
Why Cats Sleep So Much

Deep sleep is when the body repairs itself.

Dreams And Memory 5 Surprising Facts You Need To Know
How Dreams Form

Dreams form mostly during REM sleep.
"""


def test_link_lists_related_posts_bylines_and_an_orphan_disclaimer_are_stripped() -> None:
    parsed = parse(LINK_FARM)
    assert headings(parsed.body) == [
        "## What Sleep Does",  # the first heading, not the "Don't Miss" link above it
        "## Melatonin And You",
        "## Why Cats Sleep So Much",
        "## How Dreams Form",
    ]
    for chrome in ("Ten Foods", "Dr Jo Park", "Disclaimer", "Good Or Bad", "Deep Sleep Explained", "Surprising Facts"):
        assert chrome not in parsed.body, chrome
    reasons = dict((line, reason) for reason, line in parsed.stripped)
    assert reasons["Ten Foods For A Better Brain"] == "related post"
    assert reasons["Naps: Good Or Bad?!"] == "link bait"
    assert reasons["Deep Sleep Explained"] == "empty heading"
    assert reasons["Dreams And Memory 5 Surprising Facts You Need To Know"] == "related post"
    assert reasons[LINK_FARM.split("\n")[13]] == "author's disclaimer"


def test_a_third_person_disclaimer_that_is_content_stays() -> None:
    parsed = parse("Title\n\nSome text here that is long.\n\nDisclaimer: This page is general information.\n")
    assert "Disclaimer: This page is general information." in parsed.body


# --- Damaged words ----------------------------------------------------------------------------------------------


def test_known_word_boundary_losses_are_repaired() -> None:
    parsed = parse(
        "Title\n\nWe dont know and it isnt clear. The drug acts on theNMDA receptor withmany effects, "
        "and esketaminea relative of ketaminefor use in depression, says the esketamine label about ketamine.\n"
    )
    assert "We don't know and it isn't clear." in parsed.body
    assert "the NMDA receptor with many effects" in parsed.body
    assert "esketamine a relative of ketamine for use" in parsed.body
    assert {"dont -> don't", "withmany -> with many", "theNMDA -> the NMDA"} <= set(parsed.repairs)


def test_what_no_rule_can_repair_is_marked_not_guessed() -> None:
    parsed = parse("Title\n\n- Phase 1: Rapid EffectsDuring this phase the drug acts fast.\n")
    assert "EffectsDuring [[check: words run together" in parsed.body
    assert len(review_marks(parsed.body)) == 1
    assert parsed.marks


def test_ambiguous_words_are_left_alone() -> None:
    body = parse("Title\n\nIts effect is well known, and were it not so, Anand would say hyperalgesia.\n").body
    assert "Its effect is well known, and were it not so, Anand would say hyperalgesia." in body


def test_typography_is_consistent() -> None:
    moji = "\u2019".encode().decode("cp1252")  # a curly apostrophe read as cp1252
    parsed = parse(
        f"Title\n\nShe said \u201cyes\u201d and don\u2019t worry; it{moji}s fine. They work \u00e2 mostly \u00e2 well "
        'and ketamine\u00e2s role is "clear".\n'
    )
    assert re.search("[\u2018\u2019\u201c\u201d\u00e2]", parsed.body) is None, parsed.body
    assert "She said \"yes\" and don't worry; it's fine." in parsed.body
    assert "They work \u2014 mostly \u2014 well and ketamine's role" in parsed.body


# --- Marks block publishing -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_with_review_marks_cannot_be_published() -> None:
    article = DraftArticleFactory(body="Rapid EffectsDuring [[check: words run together]] the phase.")
    with pytest.raises(services.ArticleHasReviewMarks):
        services.article_publish(article=article)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


@pytest.mark.django_db
def test_admin_publish_action_explains_the_marks(staff_client_for, clinic_admin) -> None:
    article = DraftArticleFactory(body="Text [[check: words run together]] here.")
    client = staff_client_for(clinic_admin)
    response = client.post(
        reverse("admin:education_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
        follow=True,
    )
    assert "Not published until a reviewer resolves" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


# --- The compilation seed: every defect the review quoted -------------------------------------------------------


def test_the_compilation_seed_draft() -> None:
    parsed = post_parser.parse_bytes(COMPILATION.read_bytes())
    body = parsed.body
    found = headings(body)
    assert found[0] == "## What Ketamine Actually Does To Your Brain"  # not the "Don't Miss" link
    assert all(h.startswith("## ") for h in found)  # one level: no section opens with a subsection here
    for chrome in (
        "Understanding The Different Neurotransmitters",
        "Ketamine & Creatine",
        "Ruth Williams",
        "Important Disclaimer",
        "Ketamine enhanced neuroplasticity",
        "Your future with ketamine",
        "4 Critical Facts",
    ):
        assert chrome not in body, chrome
    # The issue names it a related post's title; it also heads text, so the reviewer decides.
    (versus,) = [h for h in found if "Ketamine Vs Propofol" in h]
    assert versus.startswith("## Ketamine Vs Propofol: What's The Difference [[check: a related post's title?")
    for spaced in ("CE& N ,", "Organization .", "body .", "stress .", "MDD ."):
        assert spaced not in body, spaced
    assert body.lower().count("how do you get from point a to point b?") == 1  # the repeated pull quote
    assert "Find out more about how drugs and alcohol" not in body
    for lost in ("Its beautiful", "Its very", "Were interested", "brains opiate", "brains reaction"):
        first = lost.split()[0]
        assert re.search(re.escape(first) + r" \[\[check: a lost apostrophe", body), lost
    for damaged in ("esketaminea", "ketaminefor", "theNMDA", "withmany", " dont ", " isnt "):
        assert damaged not in body, damaged
    assert "esketamine a relative of ketamine for use" in body
    assert re.search("[\u2018\u2019\u201c\u201d\u00e2]", body) is None
    assert len(review_marks(body)) == len(parsed.marks) >= 3  # EffectsDuring, EffectsIn, BaselineAfter...
    assert parsed.provenance.published_on == datetime.date(2022, 5, 25)
    assert parsed.provenance.author == ""  # an unattributed compilation: the bylines inside are quoted pieces


# --- Leftovers the tester found in the compilation draft: each rule on a fixture of its own ------------------------


def test_a_space_before_punctuation_is_removed() -> None:
    parsed = parse(
        "Title\n\nIt was published in C&EN , and listed by the World Health Organization . "
        "They may feel detached from their body . A score of .5 stays, and so does an ellipsis ...\n"
    )
    assert (
        "published in C&EN, and listed by the World Health Organization. They may feel detached from their body."
        in (parsed.body)
    )
    assert "A score of .5 stays" in parsed.body
    assert any(repair.startswith("space before punctuation") for repair in parsed.repairs)


def test_a_pull_quote_repeating_the_sentence_before_it_is_dropped() -> None:
    parsed = parse(
        'Title\n\n"We know the cells," she says, "but how do you get from A to B?\n\n'
        '"How do you get from A to B?"\n\n"A different question stays?"\n'
    )
    assert parsed.body.count("get from A to B?") == 1
    assert '"A different question stays?"' in parsed.body
    assert ("repeated pull quote", '"How do you get from A to B?"') in parsed.stripped


def test_a_line_pointing_elsewhere_for_more_is_site_boilerplate() -> None:
    parsed = parse(
        "Title\n\nKetamine can blur vision.\n\n"
        "Find out more about how drugs and alcohol can impact your health, including where to find help.\n\n"
        "Learn more about our approach on the services page.\n\nFind out more tomorrow, said nobody, in the text.\n"
    )
    assert "Find out more about how drugs" not in parsed.body
    assert "Learn more about our approach" not in parsed.body
    assert ("call to action", "Learn more about our approach on the services page.") in parsed.stripped


def test_a_versus_title_beside_related_post_links_is_marked_for_the_reviewer() -> None:
    parsed = parse(
        "Title\n\nSome text.\n\nDrug A Vs Drug B: What's The Difference\n\n"
        "Drug C & Drug D: Similar Effects On The Brain?!\n\nThe text after the links.\n"
    )
    (heading,) = [h for h in headings(parsed.body) if "Drug A Vs Drug B" in h]
    assert "[[check:" in heading and "related post" in heading
    # A versus heading with its own text and no links beside it is a section like any other.
    plain = parse("Title\n\nSome text.\n\nDrug A Vs Drug B: What Differs\n\nThe text about both.\n")
    assert "## Drug A Vs Drug B: What Differs" in headings(plain.body)
    assert review_marks(plain.body) == []


def test_lost_apostrophes_are_repaired_when_sure_and_marked_when_not() -> None:
    parsed = parse(
        "Title\n\nThe effect depends on how its taken and its not fast. Since its been a year, fine.\n\n"
        "Its beautiful work. Its very elegant, says a neuroscientist.\n\n"
        "Were interested in how these cells develop, says Hensch.\n\n"
        "The drug reaches the brains opiate receptors, and the brains reaction follows.\n"
    )
    body = parsed.body
    assert "and it's not fast. Since it's been a year" in body
    for word in ("its taken", "Its beautiful", "Its very", "Were interested", "brains opiate", "brains reaction"):
        assert re.search(re.escape(word.split()[0]) + r" \[\[check: [^\]]*apostrophe", body), (word, body)
    assert len(review_marks(body)) == 6


def test_ordinary_its_were_and_plurals_stay_unmarked() -> None:
    body = parse(
        "Title\n\nIts effect lasts for hours, and its dose is small. Were you ever told? Were the results clear?\n\n"
        "In the brains of living mice, the patients feel calm and the cells grow.\n"
    ).body
    assert review_marks(body) == []


def test_a_verb_after_that_or_this_is_not_taken_for_a_lost_possessive() -> None:
    body = parse(
        "Title\n\nThe dose is lower than the amount that produces psychotic symptoms. This causes general relief.\n"
    ).body
    assert review_marks(body) == []


def test_an_unknown_word_that_is_an_article_word_plus_s_is_marked() -> None:
    body = parse("Title\n\nHensch says so. Henschs lab studies ketamine, and ketamines effect lasts. Cats nap.\n").body
    assert "Henschs [[check: a lost apostrophe? (Hensch's)]] lab" in body
    assert "ketamines [[check: a lost apostrophe? (ketamine's)]] effect" in body
    assert len(review_marks(body)) == 2
