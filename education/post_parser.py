"""Turn a plain-text blog post (copied from a clinic's old website) into a clean Markdown draft.

Pure text processing, no database. The rules are generic: they recognise the usual chrome of
marketing sites (navigation, dates, bylines, calls to action, phone numbers, link lists and related-post
titles, comments, social handles, service lists, an author's bio and disclaimer), never particular files.
They keep what the page says about where it came from (author, site, date, address) as provenance, give
the headings a sound outline, and repair or mark damaged words (education.text_repair).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from dateutil import parser as date_parser

from education.text_repair import MARK, WordRepairer, fix_encoding, vocabulary

MAX_BYTES = 2_000_000
TITLE_SEPARATORS = re.compile(r"\s+(?:\||\u2013|\u2014|-|::|»|·)\s+")
PHONE = re.compile(r"(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b")
MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_LINE = re.compile(
    rf"^(?:(?:posted|published)(?:\s+on)?\s*:?\s*)?(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?:{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+{MONTHS},?\s+\d{{4}}|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}"
    r"|\d{4}年\d{1,2}月\d{1,2}日)"
    r"(?:\s*(?:at\s*)?\d{1,2}:\d{2}\s*(?:am|pm)?)?$",
    re.IGNORECASE,
)
NAVIGATION = re.compile(
    r"^(?:top of page|bottom of page|skip to (?:main )?content|back to top|menu|home|search|"
    r"what would you like to find\??|search (?:this|our) (?:site|blog)|share this( post| article)?|"
    r"share|print|previous( post)?|next( post)?|tags?:.*|categories:.*|posted in .*|"
    r"learn about our editorial policies\.?|like|reply|いいね!?|\d+(?:\.\d+)?\s*/\s*5)$",
    re.IGNORECASE,
)
# "Writer's picture: Dhara HansaliaDhara Hansalia", "Posted by Sunrise Team", "By Jane Doe, RN".
AUTHOR_LINE = re.compile(
    r"^(?i:(?:writer's picture|written by|posted by|author|reviewed by|medically reviewed by)\s*:?\s*|by\s+)(?=[A-Z])"
    r"(?P<name>[A-Z][\w.' -]{1,80}?)(?:,\s*(?:MD|DO|PhD|RN|NP|PA-C|CRNA)\b.*)?$"
)
# A line that is only a person's name ("Ruth Williams", "Jane A. Doe"): a byline when it sits beside other
# article metadata (a date, an editorial-policy link), never on its own, since "Side Effects" looks the same.
NAME_LINE = re.compile(
    r"^(?:Dr\.? )?[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?(?: [A-Z]\.)?(?: [A-Z][a-z]+(?:[-'][A-Z][a-z]+)?){1,2}$"
)
META_LINE = re.compile(r"editorial|reviewed by|written by|posted by|updated|\bmin(?:ute)? read\b|fact.checked", re.I)
# Labels of a list of links to other posts: the titles that follow are links, not headings.
LINK_LABEL = re.compile(
    r"^(?:don't miss|do not miss|you might also (?:enjoy|like)|you may (?:also )?like|related(?: posts?| articles?|"
    r" reading)?|more articles|popular (?:articles|posts)|recent posts|recommended(?: reading| for you)?|"
    r"read (?:also|next|more)|see also|also check|trending|must read)\s*(?:…|\.\.\.|:)?$",
    re.IGNORECASE,
)
# A headline no article's own section wears ("Similar Effects On The Brain?!").
CLICKBAIT_END = re.compile(r"(?:\?!|!\?|!!)$")
# A listicle or teaser headline: a related post when it has no text of its own.
TEASER = re.compile(
    r"\b(?:\d+|three|four|five|six|seven|eight|nine|ten)\s+(?:\w+\s+)?(?:facts|things|ways|reasons|tips|signs|"
    r"secrets|myths|mistakes)\b|\byou (?:need|have|ought) to know\b|\byou won't believe\b",
    re.IGNORECASE,
)
DISCLAIMER = re.compile(r"^(?:an?\s+)?(?:important\s+|medical\s+)?disclaimer\s*[:.\u2014-]", re.IGNORECASE)
FIRST_PERSON = re.compile(r"\b(?:I|my|me|mine)\b")
SOURCE_URL = re.compile(
    r"^(?:(?:source|original(?:ly (?:published|posted)(?: (?:at|on))?)?|canonical(?: url)?|permalink|url)\s*:?\s*)?"
    r"(?P<url>https?://[^\s<>\"]+)$",
    re.IGNORECASE,
)
LABELLED_URL = re.compile(r"^(?:source|original(?:ly)?|canonical|permalink|url)\b", re.IGNORECASE)
COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-\u2013]\s*\d{4})?\s*)?(?P<name>[^.|]+?)\.?"
    r"(?:\s*(?:\||-)?\s*all rights reserved\.?)?$",
    re.IGNORECASE,
)
AT_CLINIC = re.compile(r"\b[Aa]t ((?:[A-Z][\w'&.-]*\s){1,5}[A-Z][\w'&.-]*), (?:we|our)\b")
LINK_BAIT = re.compile(
    r"^(?:recommended reading|you may like|you may also like|also check|don't miss|do not miss|read also|"
    r"read more|read next|see also|related|related reading|related article|must read|check out|"
    r"trending|popular)\b\s*(?::|…|$)",
    re.IGNORECASE,
)
CALL_TO_ACTION = re.compile(
    r"(?:schedule (?:a|an|your)\b.{0,40}\b(?:consultation|appointment|visit|call)|"
    r"book (?:a|an|your)\b.{0,30}\b(?:consultation|appointment|visit|call)|"
    r"request an appointment|contact us today|call us (?:today|now|at)|give us a call|reach out to .{0,60}today|"
    r"click here|sign up (?:today|now)|get started today|take the first step|"
    r"(?:our|other) (?:treatment )?services|our treatments include|"
    # A line sending the reader elsewhere for more: the site's boilerplate, never the article's own text.
    r"^(?:find out|learn|discover|read|see) more (?:about|on|at|here|information)\b|^for more information\b)",
    re.IGNORECASE,
)
SOCIAL = re.compile(
    r"^(?:@[\w.]+|alt\.text\.label\.\w+|(?:follow us|find us) on .*|"
    r"(?:facebook|instagram|twitter|x|linkedin|youtube|tiktok|pinterest)(?:\s*[|·/]\s*\w+)*)$",
    re.IGNORECASE,
)
COMMENTS_START = re.compile(
    r"^(?:\d+\s*(?:comments?|件のコメント|replies)|comments?(?: \(\d+\))?|leave a (?:comment|reply)|"
    r"join the discussion|what do you think\?)$",
    re.IGNORECASE,
)
AUTHOR_BIO = re.compile(r"^(?:about (?:me|the author|us)|meet the author)\b\s*[,:]", re.IGNORECASE)
SERVICE_HEADING = re.compile(r"\b(?:our|other)\s+(?:[\w-]+\s+)?services\b", re.IGNORECASE)
BULLET = re.compile(r"^(?:[-•*●▪◦\u2013·]|\d{1,2}[.)])\s+(.*)$")
NUMBERED = re.compile(r"^\d{1,2}[.)]\s+")
SENTENCE_END = (".", ",", ";", ":", "!", '"', "…")
# Reasons that make a run of headings a list of links to other posts.
BAIT = frozenset({"link list", "link bait", "related post"})
# A heading followed at once by links to other posts may be one of them ("Ketamine Vs Propofol: ..."), or a section
# the page interrupted with links: no rule can tell, so the reviewer is asked.
MAYBE_RELATED = "a related post's title? Links to other posts follow it; delete it if it is one"
# A post's headline: a comparison ("A Vs B") or a Title Case title with a subtitle ("Ketamine: What To Know").
HEADLINE = re.compile(r"\b(?:vs\.?|versus)\s|^[^:]{3,80}:\s+[A-Z0-9\"']", re.IGNORECASE)
PULL_QUOTE_MAX = 240  # characters: a pull quote is a sentence, not a paragraph


class ArticleImportError(ValueError):
    """The file cannot be imported; nothing was created."""


@dataclass
class Provenance:
    """What the page says about where it came from; kept on the article's source record."""

    author: str = ""
    publisher: str = ""
    published_on: datetime.date | None = None
    url: str = ""


@dataclass
class ParsedArticle:
    title: str
    body: str
    kept: list[str] = field(default_factory=list)
    stripped: list[tuple[str, str]] = field(default_factory=list)  # (reason, line)
    provenance: Provenance = field(default_factory=Provenance)
    repairs: list[str] = field(default_factory=list)  # "dont -> don't"
    marks: list[str] = field(default_factory=list)  # left in the text as [[check: ...]] for the reviewer


@dataclass
class _Block:
    kind: str  # heading, para, bullet, chrome
    text: str
    reason: str = ""  # why a chrome block was stripped
    parent: bool = False  # a heading whose first content is a subheading


def decode(data: bytes) -> str:
    """Bytes to text, refusing anything that is not a non-empty UTF-8 text file."""
    if not data.strip():
        raise ArticleImportError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ArticleImportError("The file is larger than 2 MB; is it really a text article?")
    if b"\x00" in data[:8192]:
        raise ArticleImportError("The file looks binary, not plain text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleImportError(
            f"The file is not UTF-8 text (bad byte at position {exc.start}); save it as UTF-8 and try again."
        ) from None
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    if controls > max(10, len(text) // 100):
        raise ArticleImportError("The file looks binary, not plain text.")
    return text


def _key(line: str) -> str:
    return line.strip()


def chrome_reason(line: str) -> str | None:
    """Why a line is site chrome or marketing, or None when it is content."""
    key = _key(line)
    bullet = BULLET.match(key)
    if bullet and not NUMBERED.match(key):
        key = bullet.group(1).strip()
    if SOURCE_URL.match(key) and LABELLED_URL.match(key):
        return "source URL"
    if AUTHOR_LINE.match(key):
        return "byline"
    if NAVIGATION.match(key):
        return "navigation"
    if DATE_LINE.match(key):
        return "date"
    if LINK_LABEL.match(key):
        return "link list"
    if LINK_BAIT.match(key):
        return "link bait"
    if SOCIAL.match(key):
        return "social"
    if AUTHOR_BIO.match(key):
        return "author bio"
    if COPYRIGHT.match(key):
        return "copyright"
    if PHONE.search(key):
        return "phone number"
    if CALL_TO_ACTION.search(key):
        return "call to action"
    letters = [ch for ch in key if ch.isalpha()]
    if len(key.split()) <= 8 and len(letters) > 4 and key.upper() == key:
        return "call to action"  # SHOUTED BUTTON TEXT
    if len(key) < 80 and key.endswith(("...", "…")):
        return "link bait"
    if len(key) < 120 and CLICKBAIT_END.search(key):
        return "link bait"
    return None


def is_heading(line: str, next_line: str | None) -> bool:
    text = _key(line)
    words = text.split()
    if not words or len(text) > 140 or text.endswith(SENTENCE_END):
        return False
    capitalized = sum(1 for word in words if word[0].isupper() or not word[0].isalpha())
    if len(words) > 14 and capitalized < 0.8 * len(words):  # a long line is a heading only In Title Case
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    return next_line is not None


def _split_title(line: str) -> tuple[str, str]:
    """'Post title | Site name' -> ('Post title', 'Site name')."""
    parts = [part.strip() for part in TITLE_SEPARATORS.split(line.strip())]
    if len(parts) > 1 and parts[0]:
        return parts[0], parts[-1]
    return line.strip(), ""


def _escape_markdown(text: str) -> str:
    text = re.sub(r"^([#>+=]|\d+[.)])", r"\\\1", text)
    return text.replace("<", "&lt;")


def parse(text: str) -> ParsedArticle:
    """Split the text into title, headings, paragraphs and lists; drop the chrome; keep the provenance;
    repair or mark damaged words."""
    text = fix_encoding(text)
    lines = [(len(raw) - len(raw.lstrip()), raw.strip()) for raw in text.split("\n")]
    result = ParsedArticle(title="", body="")
    for i, (_, line) in enumerate(lines):
        if line and COMMENTS_START.match(_key(line)):
            rest = [ln for _, ln in lines[i:] if ln]
            result.stripped.append(("comments", f"{line} (+{len(rest) - 1} lines)"))
            lines = lines[:i]
            break
    header: list[_Block] = []  # chrome before the title
    title_index = None
    for i, (_, line) in enumerate(lines):
        if not line:
            continue
        reason = chrome_reason(line) or ("source URL" if SOURCE_URL.match(line) else None)
        if not reason:
            result.title, result.provenance.publisher = _split_title(line)
            title_index = i
            break
        header.append(_Block("chrome", line, reason))
    if title_index is None or not result.title:
        raise ArticleImportError("No article text was found in the file.")
    blocks = header + _blocks(result.title, [(indent, ln) for indent, ln in lines[title_index + 1 :] if ln])
    _find_bylines(blocks)
    _drop_repeated_quotes(blocks)
    _find_disclaimers(blocks)
    _sort_heading_runs(blocks)
    _keep_provenance(blocks, result.provenance)
    kept = [block for block in blocks if block.kind != "chrome"]
    result.stripped = [*result.stripped, *((b.reason, b.text) for b in blocks if b.kind == "chrome")]
    repairer = WordRepairer(vocabulary([block.text for block in kept]))
    for block in kept:
        repaired = repairer.repair(block.text)
        block.text = repaired.text
        result.repairs += repaired.repairs
        result.marks += repaired.marks
        if block.kind == "heading" and block.reason == "maybe related":
            result.marks.append(f"{block.text}: {MAYBE_RELATED}")
            block.text = f"{block.text} {MARK.format(MAYBE_RELATED)}"
    result.body = _to_markdown(kept)
    result.kept = [block.text for block in kept]
    if not result.body.strip():
        raise ArticleImportError("Nothing but site chrome was found in the file.")
    return result


def _blocks(title: str, remaining: list[tuple[int, str]]) -> list[_Block]:
    """Each line after the title as a heading, paragraph, list item or chrome (with the reason)."""
    blocks: list[_Block] = []
    skip_section = False
    for i, (_, line) in enumerate(remaining):
        if _key(line) == _key(title) and not any(b.kind != "chrome" for b in blocks):
            blocks.append(_Block("chrome", line, "repeated title"))
            continue
        next_line = remaining[i + 1][1] if i + 1 < len(remaining) else None
        bullet = BULLET.match(line)
        heading = is_heading(line, next_line) and not (bullet and not NUMBERED.match(line))
        if heading and SERVICE_HEADING.search(line):
            skip_section = True
            blocks.append(_Block("chrome", line, "service list"))
            continue
        if heading and skip_section:
            skip_section = False
        if skip_section:
            blocks.append(_Block("chrome", line, "service list"))
            continue
        reason = chrome_reason(line)
        if reason:
            blocks.append(_Block("chrome", line, reason))
        elif heading:
            blocks.append(_Block("heading", line))
        elif bullet and not NUMBERED.match(line):
            blocks.append(_Block("bullet", bullet.group(1).strip()))
        elif blocks and blocks[-1].kind == "para" and not blocks[-1].text.endswith(SENTENCE_END) and line[0].islower():
            blocks[-1].text = f"{blocks[-1].text} {line}"  # a paragraph wrapped over lines
        else:
            blocks.append(_Block("para", line))
    return blocks


def _find_bylines(blocks: list[_Block]) -> None:
    """A line that is only a name, beside a date or an editorial note, is a byline, not a heading."""
    for i, block in enumerate(blocks):
        if block.kind not in ("heading", "para") or not NAME_LINE.match(block.text):
            continue
        neighbours = [blocks[j] for j in (i - 1, i + 1) if 0 <= j < len(blocks)]
        if any(n.kind == "chrome" and (n.reason in ("date", "byline") or META_LINE.search(n.text)) for n in neighbours):
            block.kind, block.reason = "chrome", "byline"


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _drop_repeated_quotes(blocks: list[_Block]) -> None:
    """A pull quote repeats, as its own paragraph, the sentence just before it: keep it once."""
    previous = None
    for block in blocks:
        if block.kind == "chrome":
            continue
        if block.kind == "para" and previous is not None and previous.kind == "para":
            text, before = _normalised(block.text), _normalised(previous.text)
            if text and len(block.text) <= PULL_QUOTE_MAX and (before == text or before.endswith(f" {text}")):
                block.kind, block.reason = "chrome", "repeated pull quote"
                continue
        previous = block


def _find_disclaimers(blocks: list[_Block]) -> None:
    """An author's own disclaimer ("my opinion", or right after their removed bio) goes with the bio; the
    clinic's articles carry the clinic's disclaimer."""
    for i, block in enumerate(blocks):
        if block.kind != "para" or not DISCLAIMER.match(block.text):
            continue
        after_bio = i > 0 and blocks[i - 1].kind == "chrome" and blocks[i - 1].reason == "author bio"
        if after_bio or FIRST_PERSON.search(block.text):
            block.kind, block.reason = "chrome", "author's disclaimer"


def _sort_heading_runs(blocks: list[_Block]) -> None:
    """Headings with no text between them: only the last heads the text that follows. The others are related
    posts (when the run holds a link list), empty headings, or, for exactly two adjacent headings, a section
    that opens with a subsection."""
    i = 0
    while i < len(blocks):
        if blocks[i].kind not in ("heading", "chrome"):
            i += 1
            continue
        end = i
        while end < len(blocks) and blocks[end].kind in ("heading", "chrome"):
            end += 1
        run = blocks[i:end]
        headings = [b for b in run if b.kind == "heading"]
        if end == len(blocks):  # nothing follows: every heading here is empty
            for heading in headings:
                heading.kind, heading.reason = "chrome", "empty section"
        elif headings:
            *before, last = headings
            teasers = [h for h in before if TEASER.search(h.text)]
            for heading in teasers:
                heading.reason = "related post"
            bait = any(b.kind == "chrome" and b.reason in BAIT for b in run) or teasers
            adjacent = len(before) == 1 and run.index(last) == run.index(before[0]) + 1
            links_follow = any(b.kind == "chrome" and b.reason in BAIT for b in run[run.index(last) + 1 :])
            if links_follow and HEADLINE.search(last.text):
                last.reason = "maybe related"
            if not bait and adjacent:
                before[0].parent = True
            else:
                for heading in before:
                    seen = run[: run.index(heading)]
                    after_link = any(b.kind == "chrome" and b.reason in BAIT for b in seen)
                    heading.kind = "chrome"
                    heading.reason = heading.reason or ("related post" if after_link else "empty heading")
        i = end


def _keep_provenance(blocks: list[_Block], provenance: Provenance) -> None:
    """Author, site, original date and address, when the page gives them. Dates and name-only bylines count
    only above the first text: further down they belong to a quoted piece."""
    first_text = next((i for i, b in enumerate(blocks) if b.kind in ("para", "bullet")), len(blocks))
    for i, block in enumerate(blocks):
        if block.kind != "chrome":
            continue
        key = _key(BULLET.sub(r"\1", block.text))
        author = AUTHOR_LINE.match(key)
        if block.reason == "byline" and not provenance.author and (author or i < first_text):
            name = author.group("name").strip() if author else key
            half = len(name) // 2
            provenance.author = name[:half] if name[:half] == name[half:] else name  # "Ann LeeAnn Lee"
        elif block.reason == "date" and i < first_text and provenance.published_on is None:
            provenance.published_on = _date(key)
        elif block.reason == "source URL" or (i < first_text and SOURCE_URL.match(key)):
            block.kind, block.reason = "chrome", "source URL"
            provenance.url = provenance.url or SOURCE_URL.match(key).group("url").rstrip(".,)")
        elif block.reason == "copyright" and not provenance.publisher:
            provenance.publisher = COPYRIGHT.match(key).group("name").strip()
    if not provenance.publisher:
        for block in blocks:
            found = AT_CLINIC.search(block.text) if block.kind == "chrome" else None
            if found:
                provenance.publisher = found.group(1)
                break


def _date(text: str) -> datetime.date | None:
    text = re.sub(r"^(?:posted|published)(?:\s+on)?\s*:?\s*", "", text, flags=re.IGNORECASE)
    try:
        return date_parser.parse(text, fuzzy=True, default=datetime.datetime(2000, 1, 1)).date()  # noqa: DTZ001 - a calendar date
    except (ValueError, OverflowError):
        return None


def _to_markdown(blocks: list[_Block]) -> str:
    """Headings get a sound outline: ## for sections, ### only under a section that opens with a subsection,
    and every later heading at that level until the next such section."""
    out: list[str] = []
    previous = None
    nested = False
    for block in blocks:
        if block.kind == "heading":
            if block.parent:
                level, nested = "##", True
            else:
                level = "###" if nested else "##"
            out.append(f"{level} {block.text.replace('<', '&lt;')}")
        elif block.kind == "bullet":
            if previous == "bullet":
                out[-1] += f"\n- {_escape_markdown(block.text)}"
                previous = block.kind
                continue
            out.append(f"- {_escape_markdown(block.text)}")
        else:
            out.append(_escape_markdown(block.text))
        previous = block.kind
    return "\n\n".join(out) + "\n"


def parse_bytes(data: bytes) -> ParsedArticle:
    return parse(decode(data))
