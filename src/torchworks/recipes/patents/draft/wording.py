"""How a built claim is worded: clauses turned into modifiers ("has a notch" -> "having a
notch"), the preamble's article, the items' joins, gerunds for method steps, and the words a
claim does without (self-praise, non-parts). Pure string work, no disclosure reading.
"""

from __future__ import annotations

import functools
import re

from torchworks.recipes.patents.draft.chunk import (
    article,
    lemma,
    parts_of_speech,
    phrases,
    words_of,
)

_STATIVE = frozenset({
    "be", "have", "contain", "include", "comprise", "consist", "satisfy", "represent",
    "correspond", "belong", "exist",
})


_CONNECTORS = {"has": "having", "have": "having", "includes": "including", "include":
               "including", "comprises": "comprising", "comprise": "comprising",
               "contains": "containing", "contain": "containing"}


# Self-praise and the document pointing at itself ("a disclosed system", "the aforementioned
# valve"): a claim names the thing, not where the document shows it.
_JUDGED = re.compile(r"\b(a|an|the|said|A|An|The) (?:presently )?(?:exemplary|inventive|disclosed|"
                     r"described|proposed|aforementioned|aforesaid|above-described|"
                     r"above-mentioned) (\w)")


# The document presenting the invention ("A system is provided whereby ...", "A method
# disclosed in which ..."): the verb says nothing the subject is or does ("provided with a
# housing" does: it has one; "provided and configured to ..." says what it is configured to).
_PRESENTING = re.compile(r"^,?\s*(?:(?:is|are)\s+)?(?:herein\s+)?(?:provided|disclosed|"
                         r"described|presented|proposed|shown|contemplated|illustrated)"
                         r"(?=\s+(?:whereby|wherein|where|in which|such that|so that)\b|"
                         r"\s*[,.;]|$)",
                         re.IGNORECASE)


def presents_only(rest: str) -> bool:
    """What follows the invention's name only says the document presents it."""
    return bool(_PRESENTING.match(rest))


def without_self_praise(text: str) -> str:
    """"an exemplary circuit" -> "a circuit", "the inventive device" -> "the device", "a
    disclosed information system" -> "an information system"."""
    return _JUDGED.sub(_unjudged, text)


def _unjudged(match: re.Match) -> str:
    word, next_letter = match.group(1), match.group(2)
    if word.lower() in ("a", "an"):  # "an exemplary circuit" -> "a circuit"
        word = word[0] + ("n" if next_letter.lower() in "aeiou" else "")
    return f"{word} {next_letter}"


def connect(clause: str) -> str:
    """The clause as a modifier: "has a notch" -> "having a notch", "is connected to" ->
    "connected to", "retracts a pin" -> "that retracts a pin"."""
    first, _, rest = clause.partition(" ")
    lower = first.lower()
    if lower in _CONNECTORS:
        return f"{_CONNECTORS[lower]} {rest}"
    if lower in ("is", "are", "be") and rest.split()[:1] and rest.split()[0].endswith("ed"):
        return rest
    if lower.endswith(("ed", "ing")) or _irregular_participle(lower) or lower in _PLACES:
        return clause  # already modifies: "a client dispatched to", "an agent built by the
        # system", "a holder near the hinge" (not "a holder that near the hinge")
    return f"that {clause}"


@functools.lru_cache(maxsize=4096)
def _irregular_participle(word: str) -> bool:
    """"built", "held", "driven": a past participle that is not also its verb's base form
    ("cut", "set" stay verbs: "a blade that cut ..." is not guessed)."""
    from lemminflect import getInflection, getLemma

    verbs = getLemma(word, upos="VERB")
    return bool(verbs) and word in getInflection(verbs[0], "VBN") and word not in getInflection(
        verbs[0], "VB")


# Prepositions of place the lexicon also knows as verbs ("to near"): a clause opening with
# one says where, not what the element does.
_PLACES = frozenset({"near", "above", "below", "beneath", "beside", "behind", "within",
                     "inside", "outside", "along", "alongside", "adjacent", "opposite"})

_NO_PART = frozenset({"step", "steps", "feature", "features", "occurrence", "user", "users",
                      "person", "operator", "occupant", "direction", "position", "state", "given",
                      "time", "manner", "way", "need", "level", "degree", "range", "kind", "type",
                      "relative", "natural", "upper", "side", "sides", "area", "region",
                      "vicinity", "value", "configuration", "data", "axis", "turns", "amount"})
# Heads that carry nothing a claim could hold, whatever relation follows ("a provision of the
# mechanism having ...", "a plurality of types"), and words that name an act or a quality, a
# part only with a word before them ("a reduction gear", "a cooling operation", not "a
# reduction;").
_VAGUE_HEADS = frozenset({"types", "kinds", "teaching", "teachings", "utilization", "provision",
                          "provisions", "price", "prices", "cost", "costs"})  # "a low price"
_VAGUE_ALONE = frozenset({"operation", "operations", "objective", "objectives", "instance",
                          "instances", "treatment", "reduction", "procedure", "completion",
                          "usage", "implementation", "utility", "function"})


def vague(name: str) -> bool:
    """An element that names nothing a claim could hold ("a utilization", "a provision of")."""
    return name in _VAGUE_ALONE or name.split()[-1] in _VAGUE_HEADS


# Heads that name when something holds, not a thing: listed alone ("a low pressure condition;
# and a high pressure condition") such an item claims nothing; inside a relation ("operable to
# open responsive to a low pressure condition") it says when. A state stays: granted claims
# list "a rest state" and "a deployed state" as what a part takes.
_CIRCUMSTANCES = frozenset({"condition", "conditions", "situation", "situations",
                            "circumstance", "circumstances"})


def circumstance(name: str) -> bool:
    """"a low pressure condition": when something holds, not a part."""
    return name.split()[-1] in _CIRCUMSTANCES


def is_part(name: str) -> bool:
    """"further comprising a natural", "... an operative position relative", "... a plurality
    of following features", "a plurality of types", "a reduction": no part. The head must be
    a noun naming a thing."""
    head = name.split()[-1]
    pos = parts_of_speech(head)
    return head not in _NO_PART and name.split()[0] not in ("following", "respective") and (
        not pos or bool(pos & {"NOUN", "PROPN"})) and not head.endswith("ed") and not vague(name)


@functools.lru_cache(maxsize=4096)
def gist(text: str) -> str:
    """Words without articles, for "does the set already say this?"."""
    return " ".join(lemma(w, "VERB") for w in re.findall(r"[a-z0-9-]+", text.lower())
                    if w not in ("a", "an", "the", "said", "that", "is", "are"))


def gerund(verb: str) -> str:
    """"retracts" -> "retracting": lemminflect's inflection of the verb's lemma."""
    from lemminflect import getInflection

    if not re.fullmatch(r"[a-z]+", verb.lower()) or verb.lower().endswith(("ed", "ing")):
        return ""
    base = lemma(verb, "VERB")
    if base in _STATIVE:
        return ""
    forms = getInflection(base, tag="VBG")
    return forms[0] if forms else ""


def preamble_of(subject: str) -> str:
    """"a system for routing contact records": one thing, whatever its purpose's plural. A
    "the" inside the subject ("method of enhancing the tonal characteristics of images") has
    nothing before it to refer to in claim 1: the preamble introduces it ("... enhancing
    tonal characteristics ...", "... for cleaning a filter")."""
    core = re.split(r" (?:for|of|to|with|in|on) ", subject)[0]
    introduced = article(core)
    if not introduced.startswith(("a ", "an ")) or introduced.startswith("a plurality of "):
        introduced = ("an " if core[:1].lower() in "aeiou" else "a ") + core  # one invention
    return introduced.split(" ", 1)[0] + " " + _introducing(subject)


def _introducing(subject: str) -> str:
    for phrase in reversed(phrases(subject)):
        if phrase.determiner.lower() == "the" and phrase.start:
            head = phrase.words[-1]
            plural = head.endswith("s") and lemma(head, "NOUN") != head
            named = subject[phrase.start + 4:phrase.end]
            subject = subject[:phrase.start] + (named if plural else article(named)) + \
                subject[phrase.end:]
    return subject


def join_items(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    words = words_of(text)
    if words and not words[0].text.isupper():
        return text[:1].lower() + text[1:]
    return text
