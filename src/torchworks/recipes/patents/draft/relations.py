"""What a sentence of a disclosure relates, and what it offers as optional: relations, features.

- relations: "<element> <verb words> <element> [<preposition> <element>]" read from one
  sentence ("a motor that retracts a locking pin from a notch in the shackle"), kept as the
  disclosure's own words, for claim 1's items;
- features: sentences marked optional ("may", "can", "in one embodiment", "preferably"),
  materials ("made of"), and ranges (numbers with units), each with its modal made definite,
  for dependent claims.
Both read a sentence whose elements `disclosure.analyse` has already found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from torchworks.recipes.patents.draft.chunk import (
    FUNCTION,
    Phrase,
    adverb,
    finite_verb,
    lemma,
    phrases,
    quantity,
    verb_like,
    words_of,
)
from torchworks.recipes.patents.draft.clause import CARRIED_WORDS, before_purpose, clause_end
from torchworks.recipes.patents.draft.naming import canonical, element_name, is_subject

_OPTIONAL = re.compile(r"\b(?:may|can|could|might|optionally|preferably|alternatively|"
                       r"in (?:one|some|another|other|certain) (?:embodiments?|examples?|"
                       r"implementations?)|for example|e\.g\.|such as)\b", re.IGNORECASE)
_MATERIAL = re.compile(r"\b(?:made|formed|manufactured|molded|moulded|constructed) (?:of|from)\b",
                       re.IGNORECASE)
RANGE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|mm|cm|m|kg|g|mg|ml|l|v|mv|a|ma|w|kw|hz|khz|mhz|"
                   r"ghz|s|ms|°c|°f|degrees|percent|bits?|bytes?|inch(?:es)?|psi|kpa|mpa|rpm|"
                   r"nm|μm|µm)\b", re.IGNORECASE)
_MODAL = re.compile(r"\b(?:may|can|could|might)\s+(?:also\s+|optionally\s+|further\s+)?"
                    r"(be|have|include|comprise|\w+)\b", re.IGNORECASE)
_LEADING_OPTIONAL = re.compile(r"^(?:(?:optionally|preferably|alternatively|additionally|"
                               r"further|also|in (?:one|some|another|other|certain) "
                               r"(?:embodiments?|examples?|implementations?)|for example),?\s+)+",
                               re.IGNORECASE)


@dataclass(frozen=True)
class Relation:
    """One sentence's link from an element to others, in the disclosure's words."""

    element: str  # the element doing or having something
    clause: str  # what follows it, e.g. "retracts a locking pin from a notch in the shackle"
    objects: tuple[str, ...]  # the elements the clause names, in order
    sentence: int
    where: str = ""  # a phrase placing the element, e.g. "on the lock body"


@dataclass(frozen=True)
class Feature:
    """An optional detail for a dependent claim: the clause with its modal made definite."""

    element: str  # the element it is about
    clause: str  # "the shackle is made of hardened steel"
    kind: str  # "optional" | "material" | "range"
    sentence: int



def relations_in(sentence: str, index: int, elements: list[str], subject: str) -> list[Relation]:
    """"<element> [<preposition> <element>] [that|which] <verb> ... <element>": the element,
    where it is, and the clause after it up to the end of the clause (a comma, ';' or a
    conjunction that starts another clause). "A sensor on the body reads ..." is the sensor's
    relation, placed "on the body"."""
    found = []
    words = words_of(sentence)
    sentence_phrases = phrases(sentence, words)
    for position, phrase in enumerate(sentence_phrases):
        name = canonical(element_name(phrase), elements)
        if name not in elements and not is_subject(name, subject):
            continue
        before = words[phrase.first - 1 - len(phrase.determiner.split())].lower \
            if phrase.first > len(phrase.determiner.split()) else ""
        after = phrase.last + 1
        if before in _GOVERNING and after < len(words) and words[after].lower in (
                "is", "are", "being", *_FACT_VERBS) and not (position and _preposition_between(
                sentence, sentence_phrases[position - 1], phrase)):
            continue  # "gas released from the vessel is poured": the vessel is not poured
        if after < len(words) and words[after].lower in ("that", "which"):
            after += 1
        lead = after  # "the joint assembly rotatably couples the links": the adverb leads
        if after + 1 < len(words) and adverb(words[after].text) and finite_verb(
                words[after + 1].lower):
            after += 1
        if after >= len(words) or not verb_like(words[after].text) or _OPTIONAL.match(
                words[after].lower):
            continue
        following = [p for p in sentence_phrases[position + 1:]
                     if canonical(element_name(p), elements) in elements]
        if not following:
            continue
        owner, where = phrase, ""
        if position and _preposition_between(sentence, sentence_phrases[position - 1], phrase):
            owner = sentence_phrases[position - 1]
            where = sentence[owner.end:phrase.end].strip()
            name = canonical(element_name(owner), elements)
            if name not in elements and not is_subject(name, subject):
                continue
        start = words[lead].start
        end = clause_end(sentence, start, following)
        if len(sentence[start:end].split()) > CARRIED_WORDS:
            end = before_purpose(sentence, start, end)
        clause = sentence[start:end].strip(" ,;.")
        objects = tuple(canonical(element_name(p), elements) for p in following if p.end <= end)
        if objects and len(clause.split()) <= CARRIED_WORDS and not (
                lead < after and quantity(name) and all(map(quantity, objects))):
            element = subject if is_subject(name, subject) else name
            found.append(Relation(element, clause, objects, index, where))
    return found


# A word before a phrase that makes it an object, not the subject of what follows.
_GOVERNING = FUNCTION - {"and", "or", "that", "which", "where", "when", "while", "then", "thus",
                         "wherein", "whereby", "also", "further", "if", "because", "since"}


def _preposition_between(sentence: str, left: Phrase, right: Phrase) -> bool:
    between = sentence[left.end:right.start].strip().lower()
    return between in ("on", "in", "at", "inside", "within", "near", "under", "over", "above",
                       "below", "behind", "beside", "along", "of")


_FACT_VERBS = frozenset({"is", "are", "has", "have", "includes", "include", "comprises",
                         "comprise", "contains", "contain"})


def feature_in(sentence: str, index: int, elements: list[str], subject: str) -> Feature | None:
    kind = ("optional" if _OPTIONAL.search(sentence) else "material"
            if _MATERIAL.search(sentence) else "range" if RANGE.search(sentence) else "")
    if not kind:
        return None
    named = [p for p in phrases(sentence) if canonical(element_name(p), elements) in elements
             or is_subject(element_name(p), subject)]
    if not named:
        return None
    first = named[0]
    element = canonical(element_name(first), elements)
    start, head = _owner(sentence, first)
    clause = sentence[start:].rstrip(" .;")
    clause = _MODAL.sub(lambda m: _definite_verb(m.group(1), head), clause, count=1)
    after = clause[first.end - start:].split()[:1]
    if not after or not (after[0].lower() in _FACT_VERBS or (
            after[0].lower().endswith("s") and verb_like(after[0]))):
        return None  # "the poppet valve being controlled, and ...": no statement to claim
    clause = re.sub(r"^(?:a|an|the|said|each)\s", "the ", clause, flags=re.IGNORECASE)
    if len(clause.split()) > 30 or len(clause.split()) < 4:
        return None
    return Feature(subject if is_subject(element, subject) else element, clause, kind, index)


_OWNED_BY = re.compile(r"^(?P<head>(?:(?:one|each|some|portions?|parts?|an?|the)\s+)?"
                      r"[A-Za-z-]+(?:\s+[A-Za-z-]+){0,3}?)\s+(?:\w+ed\s+)?(?:of|from|in|on|at|"
                      r"within|inside|near|along)\s*$", re.IGNORECASE)
_CLAUSE_WORD = re.compile(r"[,;:]|\b(?:is|are|was|were|has|have|can|may|could|might|will|"
                          r"which|that|when|if|while|where)\b", re.IGNORECASE)


_LEADING_PLACE = re.compile(r"^(?:prior to|after|before|during|in|at|for|with|upon|once|"
                            r"subsequently|then)\b[^,]{0,60},\s*", re.IGNORECASE)


def _owner(sentence: str, first: Phrase) -> tuple[int, str]:
    """Where the feature's statement starts and the head its verb agrees with: the sentence's
    own subject when the element sits inside it ("Milk samples removed from the metering
    chamber can be analysed": the samples are analysed, not the chamber), else the element."""
    prefix = sentence[:first.start]
    lead = _LEADING_OPTIONAL.sub("", _LEADING_PLACE.sub("", prefix.lstrip()))
    owned = _OWNED_BY.match(lead.rstrip()) if lead.strip() else None
    if owned and not _CLAUSE_WORD.search(lead):
        return len(prefix) - len(lead), owned["head"].split()[-1].lower()
    return first.start, first.head


def _definite_verb(verb: str, head: str) -> str:
    """"may be" -> "is", "can include" -> "includes": the claim states it as a fact."""
    plural = head.endswith("s") and not head.endswith("ss")
    if verb.lower() == "be":
        return "are" if plural else "is"
    if verb.lower() == "have":
        return "have" if plural else "has"
    base = lemma(verb, "VERB")
    if plural:
        return base
    return base + ("es" if base.endswith(("s", "sh", "ch", "x", "z")) else "s")
