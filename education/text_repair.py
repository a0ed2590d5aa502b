"""Repair the damage a copied web page carries in its words: mojibake, lost bytes, mixed typography.

Pure text processing, no database, used by the post parser. Two kinds of change:

- a repair, where a general rule knows the answer (a contraction that lost its apostrophe, "dont"; a short
  function word glued to the next word, "withmany"; an acronym glued to an article, "theNMDA"; the lone "â" a
  curly quote leaves when its other two bytes are lost). Every repair is reported.
- a review mark, ``[[check: ...]]`` written into the text, where it cannot know (two long words run together,
  "EffectsDuring"; mojibake no rule undoes). A draft with a mark cannot be published until a reviewer resolves it.

Typography comes out one way: straight quotes and apostrophes (as ftfy leaves them), an em dash for a dash.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import ftfy

MARK = "[[check: {}]]"
MARK_RE = re.compile(r"\[\[check: ([^\]]*)\]\]")

# The lone "â" (E2) left when the two continuation bytes of a UTF-8 punctuation mark were lost.
LOST_DASH = re.compile(r"(?<=\s)â(?=\s)")  # " â " stood for a dash
LOST_APOSTROPHE = re.compile(r"(?<=[A-Za-z])â(?=(?:s|t|d|m|ll|re|ve)\b)")  # "ketamineâs"
LOST_QUOTE = re.compile(r"â(?=[\sA-Z,.;:!?]|$)|(?<=\s)â|^â", re.MULTILINE)  # "âWe know,â he said"
CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"'})
UNREPAIRED_BYTES = re.compile(r"[ÃÂâ\ufffd]\S*")

# Contractions that lost their apostrophe, with where it goes. Only forms that are not English words
# themselves ("its", "were", "well", "ill", "shell" are left alone: no rule can tell).
CONTRACTIONS = {
    word: len(word) - len(suffix)
    for suffix, words in {
        "t": "dont doesnt didnt isnt arent wasnt werent hasnt havent hadnt couldnt shouldnt wouldnt mustnt neednt "
        "cant wont aint",
        "re": "youre theyre",
        "ve": "youve theyve weve whove couldve shouldve wouldve",
        "ll": "youll theyll",
        "s": "whats thats theres heres whos wheres",
    }.items()
    for word in words.split()
}
# A space the copy left before punctuation ("Organization .", "CE& N ,"); never before a decimal (" .5") or an
# ellipsis (" ...").
SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<=[\w)\]\"'%])[ \t]+([,.;:!?])(?=\s|$|[\"')])")
# Lost apostrophes that are English words too ("its", "were", "brains"): repaired only where the next word settles
# it, else marked. "its" before a determiner, "not" or "been" can only be "it's".
ITS_SURE = re.compile(r"\b([Ii])ts(?= (?:a|an|the|not|been|being|no|never|gone|got|going)\b)")
# "its" before an adverb, a predicate word or a participle is usually "it's", though "its very existence" and "its
# known effects" are possessives.
ITS_UNSURE = re.compile(
    r"\b[Ii]ts(?= (?:very|so|really|quite|too|just|still|also|only|always|important|possible|likely|unlikely|clear|"
    r"true|hard|easy|okay|worth|time|taken|given|done|made|seen|shown|known|become)\b)"
)
SENTENCE_START = r"(?:^|(?<=[.!?] )|(?<=[.!?][\"'] )|(?<=^[\"'])|(?<= [\"']))"
# A sentence of four words or fewer that opens with "Its" has no verb unless it is "It's" ("Its beautiful work.").
ITS_SHORT_SENTENCE = re.compile(SENTENCE_START + r"Its(?= (?:\S+ ){0,2}\S+[.!?](?:\s|$))")
# "Were" opening a sentence asks a question ("Were you...?", "Were the results...?"); before any other lower-case
# word it is usually a lost "We're" ("Were interested in...").
WERE_START = re.compile(SENTENCE_START + r"Were(?= ([a-z]+)\b)")
_SUBJECTS = (
    "you they we there the these those this that any all some a an it he she i most many both such your their "
    "our his her its my other others each every no none either neither"
)
WERE_SUBJECTS = frozenset(_SUBJECTS.split())
# "the brains opiate receptors", "the brains reaction": a plural before a noun, where a possessive ("brain's",
# "brains'") lost its apostrophe. The noun is told by its ending, or an adjective-like word before a plural noun.
LOST_POSSESSIVE = re.compile(
    r"\b(?:the|a|an|each|every|your|his|her|our|their) ([a-z]{2,}[^s\W]s)(?= ([a-z]{3,})\b(?: ([a-z]+))?)"
)
NOUN_ENDING = re.compile(r"(?:tion|sion|ment|ness|ity|ance|ence|ship|ure|ism|ogy)$")
# "Henschs lab", "ketamines effect": a word no dictionary knows, which is a word of the article plus "s".
UNKNOWN_PLURAL = re.compile(r"\b([A-Za-z][a-z]{3,}[^s\W])s(?= [A-Za-z])")
ADJECTIVE_ENDING = re.compile(r"(?:ate|al|ic|ive|ous|ar|ary)$")
APOSTROPHE = "a lost apostrophe? ({})"
# Closed-class words: when one of them is glued to a word ("withmany", "itmay", "ketaminefor"), the join is a
# lost space or a lost dash, never a compound.
_FUNCTION_WORDS = (
    "a an the of to in on at by for with from into onto as or and but nor so if is are was were be been it its "
    "this that these those not no may can will would could should has have had do does did than then also very "
    "more most such which who what when where how their they them our we you your he she his her there here all "
    "any each many much some"
)
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
WORD = re.compile(r"\b[A-Za-z]+\b")
GLUED_ACRONYM = re.compile(r"\b([a-z]{1,5})([A-Z]{2,}s?)\b")  # "theNMDA"
CAMEL_JOIN = re.compile(r"\b([A-Z]?[a-z]{2,})([A-Z][a-z]+)\b")  # "EffectsDuring", "EffectsIn"
# How common (in the dictionary's corpus) both halves of a long run-together word must be before it is marked;
# rarer halves are usually a prefix and a stem ("hyper" + "algesia", "jumps" + "tarting").
COMMON = 500


@cache
def _dictionary() -> Callable[[str], int]:
    from spellchecker import SpellChecker  # 160,000 English words; loaded once, when first needed

    words = SpellChecker(language="en", distance=1).word_frequency
    return lambda word: words[word]  # how often the word occurs in the dictionary's corpus; 0 when unknown


@dataclass
class Repaired:
    text: str
    repairs: list[str] = field(default_factory=list)  # "dont -> don't"
    marks: list[str] = field(default_factory=list)  # what a reviewer must decide


def fix_encoding(text: str) -> str:
    """Mojibake (ftfy), then the quotes and dashes whose bytes were lost; one style of quotes."""
    text = ftfy.fix_text(text, normalization="NFC")
    text = LOST_DASH.sub("\u2014", text)
    text = LOST_APOSTROPHE.sub("'", text)
    text = LOST_QUOTE.sub('"', text)
    return text.translate(CURLY).replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")


def vocabulary(texts: list[str]) -> Counter[str]:
    """How often each word occurs in the article: a word the article uses elsewhere is a word."""
    return Counter(word.lower() for text in texts for word in WORD.findall(text))


class WordRepairer:
    def __init__(self, vocab: Counter[str]) -> None:
        self.vocab = vocab
        self.in_dictionary = _dictionary()

    def known(self, word: str) -> bool:
        return self.in_dictionary(word) > 0 or self.vocab[word] > 1

    def repair(self, text: str) -> Repaired:
        result = Repaired(text)
        text = self._punctuation(text, result)
        text = WORD.sub(lambda m: self._contraction(m.group(0), result), text)
        text = self._apostrophes(text, result)
        text = GLUED_ACRONYM.sub(lambda m: self._acronym(m, result), text)
        text = WORD.sub(lambda m: self._glued(m.group(0), result), text)
        text = CAMEL_JOIN.sub(lambda m: self._camel(m, result), text)
        text = UNREPAIRED_BYTES.sub(lambda m: self._mark(m.group(0), "garbled characters", result), text)
        result.text = text
        return result

    def _punctuation(self, text: str, result: Repaired) -> str:
        fixed = SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
        if fixed != text:
            count = len(SPACE_BEFORE_PUNCTUATION.findall(text))
            result.repairs.append(f"space before punctuation removed ({count})")
        return fixed

    def _apostrophes(self, text: str, result: Repaired) -> str:
        def sure(match: re.Match[str]) -> str:
            result.repairs.append(f"{match.group(0)} -> {match.group(1)}t's")
            return f"{match.group(1)}t's"

        text = ITS_SURE.sub(sure, text)
        its = APOSTROPHE.format("it's / its")
        text = ITS_UNSURE.sub(lambda m: self._mark(m.group(0), its, result), text)
        text = ITS_SHORT_SENTENCE.sub(lambda m: self._mark(m.group(0), its, result), text)

        def were(match: re.Match[str]) -> str:
            if match.group(1) in WERE_SUBJECTS:
                return match.group(0)
            return self._mark(match.group(0), APOSTROPHE.format("we're / were"), result)

        text = WERE_START.sub(were, text)
        text = UNKNOWN_PLURAL.sub(lambda m: self._unknown_plural(m, result), text)
        return LOST_POSSESSIVE.sub(lambda m: self._possessive(m, result), text)

    def _unknown_plural(self, match: re.Match[str], result: Repaired) -> str:
        word, stem = match.group(0), match.group(1).lower()
        if self.in_dictionary(word.lower()) or not self.vocab[stem]:
            return word
        return self._mark(word, APOSTROPHE.format(f"{match.group(1)}'s"), result)

    def _possessive(self, match: re.Match[str], result: Repaired) -> str:
        plural, after, then = match.group(1), match.group(2), match.group(3) or ""
        nounish = NOUN_ENDING.search(after) or (ADJECTIVE_ENDING.search(after) and then.endswith("s"))
        if after in FUNCTION_WORDS or not nounish or not self.known(plural[:-1]):
            return match.group(0)
        head = match.group(0)[: -len(plural)]
        note = APOSTROPHE.format(f"{plural[:-1]}'s / {plural}'")
        return head + self._mark(plural, note, result)

    def _contraction(self, word: str, result: Repaired) -> str:
        at = CONTRACTIONS.get(word.lower())
        if at is None or (word.isupper() and len(word) > 1):
            return word
        fixed = f"{word[:at]}'{word[at:]}"
        result.repairs.append(f"{word} -> {fixed}")
        return fixed

    def _acronym(self, match: re.Match[str], result: Repaired) -> str:
        if match.group(1) not in FUNCTION_WORDS:
            return match.group(0)
        fixed = f"{match.group(1)} {match.group(2)}"
        result.repairs.append(f"{match.group(0)} -> {fixed}")
        return fixed

    def _glued(self, word: str, result: Repaired) -> str:
        lower = word.lower()
        # Lower case only: a capitalised unknown word is usually a name ("Anand" is not "An and").
        if len(word) < 4 or not word.islower() or self.known(lower):
            return word
        splits = [
            (lower[:i], lower[i:])
            for i in range(1, len(lower))
            if (lower[:i] in FUNCTION_WORDS or lower[i:] in FUNCTION_WORDS)
            and self._part(lower[:i])
            and self._part(lower[i:])
        ]
        if len(splits) == 1:
            cut = len(splits[0][0])
            fixed = f"{word[:cut]} {word[cut:]}"
            result.repairs.append(f"{word} -> {fixed}")
            return fixed
        common = [
            i
            for i in range(5, len(lower) - 4)
            if min(self.in_dictionary(lower[:i]), self.in_dictionary(lower[i:])) >= COMMON
        ]
        if common:  # two common words: a lost space, or a compound the dictionary lacks; a reviewer decides
            return self._mark(word, f"two words run together? ({word[: common[0]]} {word[common[0] :]})", result)
        return word

    def _part(self, part: str) -> bool:
        # The other half of a function word: a word this article uses elsewhere, or a common English word.
        if part in FUNCTION_WORDS:
            return True
        return len(part) >= 3 and (self.vocab[part] > 0 or self.in_dictionary(part) >= COMMON)

    def _camel(self, match: re.Match[str], result: Repaired) -> str:
        word, left, right = match.group(0), match.group(1).lower(), match.group(2).lower()
        if (
            self.known(word.lower())
            or not (self.in_dictionary(left) or self.vocab[left])
            or not self.in_dictionary(right)
        ):
            return word
        return self._mark(word, "words run together; a line break or punctuation was lost", result)

    def _mark(self, text: str, note: str, result: Repaired) -> str:
        result.marks.append(f"{text}: {note}")
        return f"{text} {MARK.format(note)}"


def review_marks(text: str) -> list[str]:
    """The review marks still in a text; a draft with any cannot be published."""
    return MARK_RE.findall(text or "")
