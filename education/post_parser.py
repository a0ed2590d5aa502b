"""Turn a plain-text blog post (copied from a clinic's old website) into a clean Markdown draft.

Pure text processing, no database. The rules are generic: they recognise the usual chrome of
marketing sites (navigation, dates, calls to action, phone numbers, link bait, comments, social
handles, service lists), never particular files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import ftfy

MAX_BYTES = 2_000_000
TITLE_SEPARATORS = re.compile(r"\s+(?:\||\u2013|\u2014|-|::|»|·)\s+")
PHONE = re.compile(r"(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b")
MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_LINE = re.compile(
    rf"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?:{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+{MONTHS},?\s+\d{{4}}|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}"
    r"|\d{4}年\d{1,2}月\d{1,2}日)"
    r"(?:\s*(?:at\s*)?\d{1,2}:\d{2}\s*(?:am|pm)?)?$",
    re.IGNORECASE,
)
NAVIGATION = re.compile(
    r"^(?:top of page|bottom of page|skip to (?:main )?content|back to top|menu|home|search|"
    r"what would you like to find\??|search (?:this|our) (?:site|blog)|share this( post| article)?|"
    r"share|print|previous( post)?|next( post)?|tags?:.*|categories:.*|posted in .*|"
    r"learn about our editorial policies\.?|more articles|popular articles|related posts?|"
    r"recent posts|you might also enjoy…?\.?|like|reply|いいね!?|\d+(?:\.\d+)?\s*/\s*5|"
    r"(?:writer's picture|written by|posted by|author)\s*:?.*|by [A-Z][\w.]+(?: [A-Z][\w.]+){0,3})$",
    re.IGNORECASE,
)
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
    r"(?:our|other) (?:treatment )?services|our treatments include)",
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
SENTENCE_END = (".", ",", ";", ":", "!", "”", '"', "…")
# Lone "â" left when the two continuation bytes of a UTF-8 quote were lost, e.g. "ketamineâs".
LOST_APOSTROPHE = re.compile(r"(?<=[A-Za-z])â(?=(?:s|t|d|m|ll|re|ve)\b)")
LOST_QUOTE = re.compile(r"â(?=[\sA-Z,.;:!?]|$)|(?<=\s)â")


class ArticleImportError(ValueError):
    """The file cannot be imported; nothing was created."""


@dataclass
class ParsedArticle:
    title: str
    body: str
    kept: list[str] = field(default_factory=list)
    stripped: list[tuple[str, str]] = field(default_factory=list)  # (reason, line)


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


def repair(text: str) -> str:
    """Fix mojibake (ftfy), then quotes whose bytes were lost, and normalise whitespace."""
    text = ftfy.fix_text(text, normalization="NFC")
    text = LOST_APOSTROPHE.sub("\u2019", text)
    text = LOST_QUOTE.sub('"', text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")


def _key(line: str) -> str:
    return line.strip().replace("\u2019", "'").replace("\u2018", "'")


def chrome_reason(line: str) -> str | None:
    """Why a line is site chrome or marketing, or None when it is content."""
    key = _key(line)
    bullet = BULLET.match(key)
    if bullet and not NUMBERED.match(key):
        key = bullet.group(1).strip()
    if NAVIGATION.match(key):
        return "navigation"
    if DATE_LINE.match(key):
        return "date"
    if LINK_BAIT.match(key):
        return "link bait"
    if SOCIAL.match(key):
        return "social"
    if AUTHOR_BIO.match(key):
        return "author bio"
    if PHONE.search(key):
        return "phone number"
    if CALL_TO_ACTION.search(key):
        return "call to action"
    letters = [ch for ch in key if ch.isalpha()]
    if len(key.split()) <= 8 and len(letters) > 4 and key.upper() == key:
        return "call to action"  # SHOUTED BUTTON TEXT
    if len(key) < 80 and key.endswith(("...", "…")):
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


def _title_from(line: str) -> str:
    parts = TITLE_SEPARATORS.split(line.strip())
    return parts[0].strip() if parts else line.strip()


def _escape_markdown(text: str) -> str:
    text = re.sub(r"^([#>+=]|\d+[.)])", r"\\\1", text)
    return text.replace("<", "&lt;")


def parse(text: str) -> ParsedArticle:
    """Split the text into title, headings, paragraphs and lists; drop the chrome."""
    text = repair(text)
    lines = [(len(raw) - len(raw.lstrip()), raw.strip()) for raw in text.split("\n")]
    result = ParsedArticle(title="", body="")
    for i, (_, line) in enumerate(lines):
        if not line:
            continue
        if COMMENTS_START.match(_key(line)):
            rest = [ln for _, ln in lines[i:] if ln]
            result.stripped.append(("comments", f"{line} (+{len(rest) - 1} lines)"))
            lines = lines[:i]
            break
    title_index = None
    for i, (_, line) in enumerate(lines):
        if line and not chrome_reason(line):
            result.title = _title_from(line)
            title_index = i
            break
        if line:
            result.stripped.append((chrome_reason(line) or "before title", line))
    if title_index is None or not result.title:
        raise ArticleImportError("No article text was found in the file.")
    # The rest, with the indentation of each line (indented "•" lines are list items).
    remaining = [(indent, line) for indent, line in lines[title_index + 1 :] if line]
    blocks: list[tuple[str, str]] = []  # (kind, text): heading, para, bullet
    skip_section = False
    for i, (_, line) in enumerate(remaining):
        if _key(line) == _key(result.title) and not blocks:
            result.stripped.append(("repeated title", line))
            continue
        next_line = remaining[i + 1][1] if i + 1 < len(remaining) else None
        bullet = BULLET.match(line)
        heading = is_heading(line, next_line) and not (bullet and not NUMBERED.match(line))
        if heading and SERVICE_HEADING.search(line):
            skip_section = True
            result.stripped.append(("service list", line))
            continue
        if heading and skip_section:
            skip_section = False
        if skip_section:
            result.stripped.append(("service list", line))
            continue
        reason = chrome_reason(line)
        if reason:
            result.stripped.append((reason, line))
            continue
        if heading:
            blocks.append(("heading", line))
        elif bullet and not NUMBERED.match(line):
            blocks.append(("bullet", bullet.group(1).strip()))
        elif blocks and blocks[-1][0] == "para" and not blocks[-1][1].endswith(SENTENCE_END) and line[0].islower():
            blocks[-1] = ("para", f"{blocks[-1][1]} {line}")  # a paragraph wrapped over lines
        else:
            blocks.append(("para", line))
    blocks = _drop_empty_sections(blocks, result)
    result.body = _to_markdown(blocks)
    result.kept = [text for _, text in blocks]
    if not result.body.strip():
        raise ArticleImportError("Nothing but site chrome was found in the file.")
    return result


def _drop_empty_sections(blocks: list[tuple[str, str]], result: ParsedArticle) -> list[tuple[str, str]]:
    """A heading left with no text under it (its call to action was stripped) goes too."""
    kept: list[tuple[str, str]] = []
    for i, block in enumerate(blocks):
        following = blocks[i + 1][0] if i + 1 < len(blocks) else None
        if block[0] == "heading" and following in (None, "heading") and (following is None or _is_last(blocks, i)):
            result.stripped.append(("empty section", block[1]))
            continue
        kept.append(block)
    return kept


def _is_last(blocks: list[tuple[str, str]], i: int) -> bool:
    return all(kind == "heading" for kind, _ in blocks[i:])


def _to_markdown(blocks: list[tuple[str, str]]) -> str:
    out: list[str] = []
    previous = None
    for kind, text in blocks:
        if kind == "heading":
            # Two headings in a row: the second is a subheading of the first.
            level = "###" if previous == "heading" else "##"
            out.append(f"{level} {text.replace('<', '&lt;')}")
        elif kind == "bullet":
            if previous == "bullet":
                out[-1] += f"\n- {_escape_markdown(text)}"
                previous = kind
                continue
            out.append(f"- {_escape_markdown(text)}")
        else:
            out.append(_escape_markdown(text))
        previous = kind
    return "\n\n".join(out) + "\n"


def parse_bytes(data: bytes) -> ParsedArticle:
    return parse(decode(data))
