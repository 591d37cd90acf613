"""Noun-phrase chunking of disclosure prose with a shipped lexicon (lemminflect), no model.

Disclosures are ordinary prose, not claim language, so the checker's "words between function
words" is not enough: "the motor retracts a pin" must end the phrase at the verb, while "the
housing" and "the spring" are nouns. Each word is looked up in lemminflect's lexicon (parts of
speech a word can have); a word the lexicon does not know is taken as a noun (technical terms:
"microcontroller"). A phrase runs over adjectives and nouns and ends at a word that can only be
a verb, an adverb or a function word, or at a word that can be a verb and is followed by a
determiner ("a motor drives a pin"). Deterministic and about 20 µs a word.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

DETERMINERS = ("a", "an", "the", "said", "each", "every", "another", "one or more",
               "at least one", "a plurality of", "two", "three", "plural", "multiple", "several")
DEFINITE = frozenset({"the", "said"})
FUNCTION = frozenset({
    "of", "in", "on", "to", "from", "with", "for", "at", "by", "into", "onto", "upon",
    "between", "among", "through", "over", "under", "within", "without", "about", "above",
    "below", "across", "along", "around", "after", "before", "during", "against", "toward",
    "towards", "via", "per", "than", "as", "like", "near", "beyond", "behind", "beneath",
    "beside", "inside", "outside", "throughout", "until", "unless", "whether", "while",
    "and", "or", "but", "nor", "so", "then", "thus", "thereby", "therein", "thereon",
    "thereof", "wherein", "whereby", "where", "when", "which", "that", "who", "whom",
    "whose", "what", "such", "if", "because", "since", "though", "is", "are", "was", "were",
    "be", "being", "been", "has", "have", "had", "having", "do", "does", "did", "can",
    "could", "may", "might", "must", "shall", "should", "will", "would", "not", "also",
    "further", "only", "still", "it", "its", "they", "them", "their", "this", "these",
    "those", "he", "she", "his", "her", "we", "our", "us", "you", "your", "i", "there",
    "here", "a", "an", "the", "said", "each", "every", "another", "one", "any", "some",
    "all", "both", "either", "no",
})
# Heads that name the document, not the invention ("the present invention relates to ...").
META = frozenset({
    "invention", "inventions", "disclosure", "embodiment", "embodiments", "application",
    "applications", "example", "examples", "aspect", "aspects", "field", "art",
    "background", "summary", "description", "figure", "figures", "fig", "object", "objects",
    "purpose", "present", "technique", "techniques", "approach", "way", "use",
})
# Heads that say only what kind of thing the invention is: a subject alone ("a system") is
# no subject, but "a dispatch system" is.
GENERIC = frozenset({
    "method", "methods", "system", "systems", "apparatus", "apparatuses", "device",
    "devices", "process", "processes", "arrangement", "arrangements", "assembly",
    "assemblies",
})
# Heads too abstract to be an element of a claim on their own.
ABSTRACT = frozenset({
    "result", "results", "manner", "number", "amount", "need", "problem", "problems",
    "advantage", "advantages", "benefit", "benefits", "effect", "effects", "opportunity",
    "case", "time", "change", "changes", "following", "first", "second", "third", "other",
    "same", "plurality", "variety",
})
# Heads naming a measured property or a quality of a thing, not a part of it ("a peak flow
# rate", "a seal depth", "a strip temperature", "a detection accuracy"): a claim says what
# value it has ("wherein ... of at least 2500 ml/s"), never lists it as an element. "area"
# and "volume" name a region too ("a display area"), so only a measured kind of them counts
# ("surface area").
QUANTITY = frozenset({
    "rate", "rates", "depth", "depths", "pressure", "pressures", "temperature", "temperatures",
    "ratio", "ratios", "cycle", "cycles", "speed", "speeds", "velocity", "velocities",
    "length", "width", "height", "thickness", "diameter", "density", "viscosity", "frequency",
    "frequencies", "voltage", "voltages", "current", "currents", "resistance", "capacity",
    "capacitance", "inductance", "power", "energy", "force", "forces", "torque", "strength",
    "humidity", "intensity", "amplitude", "magnitude", "efficiency", "percentage",
    "proportion", "concentration", "distance", "angle", "duration", "size", "property",
    "properties", "characteristic", "characteristics", "accuracy", "precision", "reliability",
    "stability", "performance", "durability",
})
MEASURED_REGION = frozenset({"surface area", "cross-sectional area", "contact area",
                             "internal volume", "flow volume", "water volume", "fill volume"})
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|\d+(?:[.,]\d+)*%?|[^\sA-Za-z0-9]")


def quantity(name: str) -> bool:
    """"peak flow rate", "seal depth", "larger surface area": a measured property of a part,
    not a part. A claim gives it a value in the disclosure's words ("wherein the toilet has a
    peak flow rate of at least about 2500 ml/s"); listed bare as an element, it claims nothing."""
    words = name.split()
    return bool(words) and (words[-1] in QUANTITY or " ".join(words[-2:]) in MEASURED_REGION)


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class Phrase:
    """A noun phrase: its determiner ("" when bare) and words, with character offsets."""

    determiner: str
    words: tuple[str, ...]  # lower case
    start: int  # offset of the determiner (or the first word)
    end: int  # offset after the last word
    first: int  # index of the first noun word in the sentence's word list
    last: int  # index of the last noun word

    @property
    def name(self) -> str:
        return " ".join(self.words)

    @property
    def head(self) -> str:
        return self.words[-1]


@functools.cache
def parts_of_speech(word: str) -> frozenset[str]:
    """The universal POS tags the lexicon allows for `word`; empty when it does not know it."""
    from lemminflect import getAllLemmas

    return frozenset(getAllLemmas(word.lower()))


@functools.lru_cache(maxsize=65536)
def lemma(word: str, pos: str) -> str:
    from lemminflect import getLemma

    found = getLemma(word.lower(), upos=pos)
    return found[0] if found else word.lower()


def words_of(text: str) -> list[Word]:
    return [Word(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def nominal(word: str) -> bool:
    """Can `word` sit inside a noun phrase (adjective, noun, number, unknown technical term)?"""
    lower = word.lower()
    if lower in FUNCTION or not word[:1].isalnum():
        return False
    if word[:1].isdigit():
        return False  # reference numerals ("the housing 12") end the phrase
    pos = parts_of_speech(lower)
    if not pos:
        return not _unknown_adverb(lower)
    return bool(pos & {"NOUN", "ADJ", "PROPN", "NUM"})


def _unknown_adverb(lower: str) -> bool:
    """"slidably", "rotatably", "releasably": claim adverbs the lexicon lacks, read as nouns
    they ran on into the phrase ("a pin slidably" received in a slot)."""
    return len(lower) > 6 and lower.endswith(("ably", "ibly", "ally"))


def adverb(word: str) -> bool:
    """An -ly adverb ("magnetically", "releasably"), known only as one or unknown."""
    lower = word.lower()
    pos = parts_of_speech(lower)
    return lower.endswith("ly") and lower not in FUNCTION and (
        pos == {"ADV"} or (not pos and _unknown_adverb(lower)))


def _adverb_modifier(words: list[Word], k: int) -> bool:
    """"magnetically" in "a pair of magnetically attractive members", "substantially" in "a
    substantially planar surface": an adverb grading the adjective or participle after it is
    part of the noun phrase; one before a verb or a preposition ("a pin slidably received in
    a slot", "quickly retracts") ends it."""
    lower = words[k].lower
    if not adverb(lower) or k + 2 >= len(words):
        return False
    graded, noun = words[k + 1], words[k + 2]
    adjective = "ADJ" in parts_of_speech(graded.lower) and graded.lower not in FUNCTION and (
        nominal(noun.text) and _noun_capable(noun.text))
    return adjective or _participle_modifier(words, k + 1)


def verb_like(word: str) -> bool:
    pos = parts_of_speech(word.lower())
    return "VERB" in pos or "AUX" in pos


def finite_verb(word: str) -> bool:
    """"couples", "engages": a present-tense verb an adverb may lead ("rotatably couples"); a
    participle after the adverb ("slidably received") describes the element instead."""
    return word.endswith("s") and not word.endswith("ss") and verb_like(word)


# Determiners by their first word, longest first ("a plurality of" before "a").
_DETERMINERS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _determiner in sorted(DETERMINERS, key=lambda d: -d.count(" ")):
    _DETERMINERS_BY_FIRST.setdefault(_determiner.split()[0], []).append(tuple(_determiner.split()))


def _determiner_at(words: list[Word], i: int) -> tuple[str, int]:
    """The determiner starting at word i and how many words it spans ("", 0 if none)."""
    if i >= len(words):
        return "", 0
    for parts in _DETERMINERS_BY_FIRST.get(words[i].lower, ()):
        if tuple(w.lower for w in words[i:i + len(parts)]) == parts:
            return " ".join(parts), len(parts)
    return "", 0


def phrases(text: str, words: list[Word] | None = None) -> tuple[Phrase, ...]:
    """The determiner-led noun phrases of one sentence, left to right. Analysis and building
    look at the same sentences many times, so a sentence is chunked once (cached)."""
    return _phrases(text) if words is None else _chunk(words)


@functools.lru_cache(maxsize=8192)
def _phrases(text: str) -> tuple[Phrase, ...]:
    return _chunk(words_of(text))


def _chunk(words: list[Word]) -> tuple[Phrase, ...]:
    found: list[Phrase] = []
    i = 0
    while i < len(words):
        determiner, span = _determiner_at(words, i)
        if not span:
            i += 1
            continue
        j = i + span
        k = start = j + _pair_of(words, j)
        while k < len(words) and (nominal(words[k].text) or _participle_modifier(words, k)
                                  or _adverb_modifier(words, k)):
            nxt = words[k + 1].lower if k + 1 < len(words) else ""
            if k > start and verb_like(words[k].text) and (
                    _determiner_at(words, k + 1)[1] or _plural(words[k - 1].lower)
                    or (words[k].lower.endswith("s") and _noun_capable(words[k - 1].text)
                        and lemma(words[k].lower, "VERB") != words[k].lower
                        and (nxt in _VERB_PREPOSITIONS or _object_follows(words, k)))):
                break  # "a battery powers the sensor", "panels fold", "the pack slides into",
                # "the reservoir feeds water" (but "the voltage bus into": no inflected verb)
            k += 1
        # it ends on a noun-capable word ("keeps a drink warm": "drink"), but a lone word
        # after the determiner stays ("a ceramic")
        while k - j > 1 and not _noun_capable(words[k - 1].text):
            k -= 1
        if start > j and (k <= start or words[k - 1].lower in _ORDINALS):
            k = start = j + 1  # "a pair of first and second ...": only "pair" is named
        if k > j and (k - j > 1 or _noun_capable(words[j].text)
                      or len(parts_of_speech(words[j].text)) == 1):
            found.append(Phrase(determiner, tuple(w.lower for w in words[j:k]),
                                words[i].start, words[k - 1].end, j, k - 1))
            i = k
        else:
            i = j
    return tuple(found)


_ORDINALS = frozenset({"first", "second", "third"})


def _pair_of(words: list[Word], j: int) -> int:
    """2 when word j starts "pair of <noun phrase>" ("a pair of suction cups"): the pair is the
    element, named with what it pairs, not a bare "pair" that a claim cannot refer back to."""
    if j + 2 < len(words) and words[j].lower in ("pair", "pairs") and words[j + 1].lower == "of" \
            and (nominal(words[j + 2].text) or _adverb_modifier(words, j + 2)) \
            and not _determiner_at(words, j + 2)[1]:
        return 2
    return 0


_VERB_PREPOSITIONS = frozenset({"into", "onto", "through", "from", "to", "toward", "towards",
                                "against", "along", "around", "across", "over", "under"})


def _object_follows(words: list[Word], k: int) -> bool:
    """Word k, an inflected verb after a singular noun, is followed by a bare noun phrase, its
    object ("the reservoir feeds water to", "a server stores records"): a plural noun inside
    a compound ("the tool case keeps hand") is rare, a verb and its object common."""
    if k + 1 >= len(words) or _plural(words[k - 1].lower) or words[k].lower.endswith("ss") or \
            "NOUN" not in parts_of_speech(words[k - 1].text):  # "photovoltaic panels fold"
        return False
    after = words[k + 1].text  # a noun, not a participle or adjective ("cups separate")
    return "NOUN" in parts_of_speech(after) and after.lower() not in FUNCTION and not \
        after[:1].isupper() and not after.lower().endswith(("ed", "ing"))


def _plural(word: str) -> bool:
    return (word.endswith("s") and not word.endswith("ss") and _noun_capable(word)
            and lemma(word, "NOUN") != word)  # "pins", not "continuous"


# Words that open a list of parts ("a device including unit pixels"), never a modifier.
_LISTING = frozenset({"including", "comprising", "having", "containing", "consisting"})


def _participle_modifier(words: list[Word], k: int) -> bool:
    """"locking" in "a locking pin", "heated" in "a heated plate": a verb form used as an
    adjective, recognised by the noun that follows it."""
    word = words[k].lower
    return (word.endswith(("ing", "ed")) and word not in FUNCTION and word not in _LISTING
            and k + 1 < len(words)
            and ((nominal(words[k + 1].text) and _noun_capable(words[k + 1].text))
                 or _participle_modifier(words, k + 1)))  # "a modified conjugated polymer"


def _noun_capable(word: str) -> bool:
    pos = parts_of_speech(word.lower())
    return not pos or bool(pos & {"NOUN", "PROPN"})


COUNTS = frozenset({"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                     "twelve", "multiple", "several", "plural"})
_CONSONANT_SOUND = ("uni", "use", "usu", "uti", "ure", "eu", "one", "once")
_VOWEL_SOUND = ("hour", "honest", "honor", "heir")


def article(name: str) -> str:
    """"a" or "an" by sound: "an inner wall", "a user", "an hour", "an LED", "a USB port";
    a plural name takes "a plurality of" ("a plurality of media servers"), but not a pair's
    ("a pair of rails")."""
    head = name.split()[-1] if name.split() else name
    if name.split()[0] in COUNTS:  # "two connector parts" counts itself
        return name
    if name.startswith("pair of "):  # one pair, whatever it pairs
        return "a " + name
    if head.islower() and head.endswith("s") and lemma(head, "NOUN") != head:
        return "a plurality of " + name
    lower, first = name.lower(), name.split()[0] if name.split() else name
    if (first.isupper() and len(first) > 1) or re.match(r"[A-Za-z]-", first):  # "an n-type"
        vowel = first[0].upper() in "AEFHILMNORSX"
    else:
        vowel = (lower[:1] in "aeiou" and not lower.startswith(_CONSONANT_SOUND)
                 ) or lower.startswith(_VOWEL_SOUND)
    return ("an " if vowel else "a ") + name


def modifiers_of(sentences: list[str]) -> frozenset[str]:
    """Words the lexicon knows as adjective and noun ("static", "radial", "mobile") that this
    disclosure only ever puts before another noun ("a static charge"), never ends a phrase on:
    here they are adjectives, and a claim element ending on one was cut."""
    before, heads = set(), set()
    for sentence in sentences:
        for phrase in phrases(sentence):
            before.update(phrase.words[:-1])
            heads.add(phrase.words[-1])
    return frozenset(w for w in before - heads if {"ADJ", "NOUN"} <= parts_of_speech(w))
