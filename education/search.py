"""What a patient types, turned into what to look for. Pure Python: the synonym table and the parts of a query,
used by both search backends in ``education.selectors`` (full-text search on PostgreSQL, plain matching elsewhere).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

MAX_CONCEPTS = 10

# What patients type (lower case; a space also matches a hyphen) → the words the articles use. The typed phrase
# is always looked for too. Keep the right-hand side to wording that appears in the articles or their sources.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "bp": ("blood pressure",),
    "high bp": ("blood pressure", "hypertension"),
    "high blood pressure": ("blood pressure", "hypertension"),
    "hypertension": ("blood pressure",),
    "side effect": ("side-effect", "adverse effect"),
    "side effects": ("side effect", "side-effect", "adverse effect"),
    "spravato": ("esketamine",),
}

# Words that the plain backend skips: websearch syntax ("or") and words too common to narrow anything.
_SKIP = frozenset({"or", "and", "the", "a", "an", "of", "to"})


@dataclass(frozen=True)
class Concept:
    """One thing the article must mention: any one of ``phrases`` (lower case). ``exclude`` means must not."""

    phrases: tuple[str, ...]
    exclude: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    synonyms: tuple[Concept, ...]  # what the synonym table recognised
    rest: tuple[Concept, ...]  # the other words (and their stem) and "quoted phrases"; -word excludes
    remainder: str  # the query without the recognised phrases, for a full-text parser with its own syntax

    @property
    def concepts(self) -> tuple[Concept, ...]:
        return (self.synonyms + self.rest)[:MAX_CONCEPTS]

    @property
    def highlights(self) -> list[str]:
        """Every phrase worth marking in a snippet, longest first so that a phrase wins over its words."""
        phrases = {p for c in self.concepts if not c.exclude for p in c.phrases}
        return sorted(phrases, key=lambda p: (-len(p), p))


def light_stem(word: str) -> str:
    """A rough English stem, so that matching by substring finds "drive" for "driving" or "cost" for "costs".

    The full-text backend stems properly; this only needs to shorten a word to a prefix its other forms share.
    """
    for suffix, keep in (("ing", 4), ("ies", 4), ("ied", 4), ("ed", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: -len(suffix)]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) >= 5:
        return word[:-1]
    return word


@cache
def _synonym_pattern() -> re.Pattern[str]:
    keys = sorted(SYNONYMS, key=len, reverse=True)  # "high blood pressure" before "bp"
    alternatives = "|".join(r"[\s-]+".join(map(re.escape, key.split())) for key in keys)
    # Not inside a word, not a websearch exclusion (-bp) and not inside a "quoted phrase".
    return re.compile(rf'(?<![\w"-])(?:{alternatives})(?![\w"-])', re.IGNORECASE)


def _key(found: str) -> str:
    return " ".join(re.split(r"[\s-]+", found.lower()))


def parse_query(query: str) -> ParsedQuery:
    synonyms: list[Concept] = []
    for match in _synonym_pattern().finditer(query):
        key = _key(match.group())
        concept = Concept((key, *SYNONYMS[key]))
        if concept not in synonyms:
            synonyms.append(concept)
    remainder = " ".join(_synonym_pattern().sub(" ", query).split())
    rest: list[Concept] = []
    for exclude, phrase, word in re.findall(r'(-?)(?:"([^"]+)"|([^\s"]+))', remainder):
        text = " ".join((phrase or word).lower().split()).strip("'\"")
        if text and text not in _SKIP and re.search(r"\w", text):
            stem = light_stem(text) if " " not in text else text
            concept = Concept((text, stem) if stem != text else (text,), exclude=bool(exclude))
            if concept not in rest:
                rest.append(concept)
    return ParsedQuery(tuple(synonyms), tuple(rest), remainder)
