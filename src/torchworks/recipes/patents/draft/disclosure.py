"""What a disclosure says, deterministically: subject, elements, relations, optional features.

A small model cannot be trusted with the content of a claim, so the content comes from here:
- subject: the head noun phrase of the title or the first sentence that names the invention
  ("a bicycle lock", not "a fingerprint"), skipping document words ("the present invention");
- elements: the noun phrases the disclosure introduces, in order of first mention, with how
  often they recur;
- relations: "<element> <verb words> <element> [<preposition> <element>]" read from one
  sentence ("a motor that retracts a locking pin from a notch in the shackle"), kept as the
  disclosure's own words;
- features: sentences marked optional ("may", "can", "in one embodiment", "preferably"),
  materials ("made of"), and ranges (numbers with units), for dependent claims;
- process: whether the disclosure describes steps, for a method claim.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from torchworks.recipes.patents.draft.chunk import (
    ABSTRACT,
    DEFINITE,
    FUNCTION,
    GENERIC,
    META,
    Phrase,
    adverb,
    finite_verb,
    lemma,
    modifiers_of,
    phrases,
    quantity,
    verb_like,
    words_of,
)
from torchworks.recipes.patents.draft.clause import before_purpose, clause_end
from torchworks.recipes.patents.draft.statement import (
    JUDGING,
    Statement,
    problem_sentence,
    statements,
)
from torchworks.recipes.patents.draft.subject import stated_subject, subject_of
from torchworks.recipes.patents.draft.wording import without_self_praise

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(])|\n\s*\n")
_OPTIONAL = re.compile(r"\b(?:may|can|could|might|optionally|preferably|alternatively|"
                       r"in (?:one|some|another|other|certain) (?:embodiments?|examples?|"
                       r"implementations?)|for example|e\.g\.|such as)\b", re.IGNORECASE)
_MATERIAL = re.compile(r"\b(?:made|formed|manufactured|molded|moulded|constructed) (?:of|from)\b",
                       re.IGNORECASE)
_RANGE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|mm|cm|m|kg|g|mg|ml|l|v|mv|a|ma|w|kw|hz|khz|mhz|"
                    r"ghz|s|ms|°c|°f|degrees|percent|bits?|bytes?|inch(?:es)?|psi|kpa|mpa|rpm|"
                    r"nm|μm|µm)\b", re.IGNORECASE)
_PROCESS = re.compile(r"\b(?:method|process|steps?)\b", re.IGNORECASE)
_MODAL = re.compile(r"\b(?:may|can|could|might)\s+(?:also\s+|optionally\s+|further\s+)?"
                    r"(be|have|include|comprise|\w+)\b", re.IGNORECASE)
_LEADING_OPTIONAL = re.compile(r"^(?:(?:optionally|preferably|alternatively|additionally|"
                               r"further|also|in (?:one|some|another|other|certain) "
                               r"(?:embodiments?|examples?|implementations?)|for example),?\s+)+",
                               re.IGNORECASE)
_REFERENCE_NUMERAL = re.compile(r"(?<=[A-Za-z])\s+\(?\d{1,4}[a-z]?\)?(?=[\s,.;:)])")
_NUMERAL_GROUP = re.compile(r"(?<=[A-Za-z])\s+\((?:\d{1,4}[a-z]?'?)(?:\s*(?:,|-|and|to)\s*"
                            r"\d{1,4}[a-z]?'?)+\)")  # "wing tips (7, 8)"
_INTRO = re.compile(r"^(?:abstract(?: of (?:the )?disclosure)?|summary(?: of the invention)?|"
                    r"technical field|field of the invention)[:.\s]+", re.IGNORECASE)
# A heading's words left before the first sentence ("OF THE PRESENT INVENTION The present
# invention relates to ...", what is left of "SUMMARY OF THE PRESENT INVENTION"): capitals.
_HEADING = re.compile(r"^(?:[A-Z]{2,}\s+){0,5}(?:INVENTION|DISCLOSURE)[:.]?\s+(?=[A-Z][a-z])")


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


@dataclass
class Disclosure:
    subject: str  # "bicycle lock" (no article)
    elements: list[str]  # noun phrases in order of first mention, subject excluded
    counts: Counter[str]
    relations: list[Relation]
    features: list[Feature]
    process: bool  # the disclosure describes a method
    sentences: list[str]
    vocabulary: frozenset[str] = field(default_factory=frozenset)  # lower-case words used
    forms: dict[str, str] = field(default_factory=dict)  # element -> as first written ("USB port")
    statements: list[Statement] = field(default_factory=list)  # "a X comprising ..." as stated
    aside: frozenset[int] = frozenset()  # sentences about problems, objects, advantages
    modifiers: frozenset[str] = frozenset()  # adjective-nouns only ever before a noun here

    def form(self, name: str) -> str:
        return self.forms.get(name, name)

    def canonical(self, name: str) -> str:
        """"battery" after "a rechargeable battery" is that battery."""
        return canonical(name, self.elements)

    def essential(self, limit: int = 5) -> list[str]:
        """Elements for claim 1: those named outside optional sentences, most recurrent first
        among the earliest, at most `limit`, kept in the order the disclosure names them. A
        measured property ("a seal depth") is no element, however often it recurs."""
        optional = {f.sentence for f in self.features}
        named: list[str] = []
        for index, sentence in enumerate(self.sentences):
            if index in optional or index in self.aside:
                continue
            for phrase in phrases(sentence):
                name = element_name(phrase)
                if name in self.elements and name not in named and not quantity(name):
                    named.append(name)
        ranked = sorted(named, key=lambda n: (-self.counts[n], named.index(n)))[:limit]
        return [n for n in named if n in ranked]


def analyse(text: str, title: str = "", set_aside: bool = True) -> Disclosure:
    """Read a disclosure (plain text; an optional title helps find the subject). Sentences
    about the prior art, problems or objects name no elements (`set_aside`)."""
    text = _NUMERAL_GROUP.sub("", _HEADING.sub("", _INTRO.sub("", " ".join(text.split()))))
    original, text = text, without_self_praise(text)  # "a disclosed system" is the system
    text = _REFERENCE_NUMERAL.sub(_numeral, text)
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if len(s.split()) >= 3]
    subject = stated_subject(sentences, title) or subject_of(title, sentences)
    counts: Counter[str] = Counter()
    elements: list[str] = []
    forms: dict[str, str] = {}
    document: set[str] = set()  # the document's features, aspects, objects (not parts)
    aside = frozenset(i for i, s in enumerate(sentences) if set_aside and problem_sentence(s))
    for index, sentence in enumerate(sentences):
        if index in aside:
            continue
        for phrase in phrases(sentence):
            name = element_name(phrase)
            if _OF_THE_INVENTION.match(sentence, phrase.end) and \
                    phrase.words[-1] in _DOCUMENT_HEADS:
                document.add(name)  # "according to a first feature of the present invention"
            if not name or name == subject or is_subject(name, subject) or (
                    f" {name} " in f" {subject} ") or name in document:
                continue
            counts[name] += 1
            if name not in elements:
                elements.append(name)
                written = sentence[phrase.start:phrase.end].split()[-len(name.split()):]
                if any(w.isupper() and len(w) > 1 for w in written):
                    forms[name] = " ".join(written)
    elements = [e for e in elements if e not in document]  # "with the first feature, ..."
    if not elements and aside:  # all of it reads as background: better that than nothing
        return analyse(text, title, set_aside=False)
    elements = _merge_variants(elements, counts)
    sentences = [_resolved(s, elements, sentences[:i]) for i, s in enumerate(sentences)]
    relations = [r for i, s in enumerate(sentences) if i not in aside
                 for r in _relations(s, i, elements, subject)]
    features = [f for i, s in enumerate(sentences)
                if i not in aside and (f := _feature(s, i, elements, subject))]
    vocabulary = frozenset(w.lower for w in words_of(f"{title} {original}")  # all it uses
                           if w.text[:1].isalpha())
    return Disclosure(subject=subject, elements=elements, counts=counts, relations=relations,
                      features=features, process=bool(_PROCESS.search(text[:2000])),
                      sentences=sentences, vocabulary=vocabulary, forms=forms,
                      statements=statements(sentences), aside=aside,
                      modifiers=modifiers_of(sentences))


# "a first feature of the present invention", "an aspect of the invention": the document's
# parts, not the invention's ("a locking feature" alone may well be one).
_OF_THE_INVENTION = re.compile(r"\s+of\s+(?:the\s+)?(?:present\s+)?invention\b", re.IGNORECASE)
_DOCUMENT_HEADS = frozenset({"feature", "features", "aspect", "aspects", "object", "objects",
                             "objective", "objectives", "advantage", "advantages", "mode",
                             "modes", "embodiment", "embodiments"})


def _numeral(match: re.Match) -> str:
    """A reference numeral follows a noun ("the housing 12"); a number after a function word
    or before a unit or decimals is a quantity ("in 1550 nm", "than 0.210 dB/km", "the number
    2 or 3")."""
    before = match.string[:match.start()].split()[-1:]
    after = match.string[match.end():match.end() + 12]
    if (before and before[0].lower() in FUNCTION | {"number", "numbers"}) or re.match(
            r"[.,]\d|\s+(?:or|to)\s+\d", after) or \
            _RANGE.match("1 " + after.lstrip()) or re.match(r"\s*(?:μ|µ|nm|ps|dB|°)", after):
        return match.group()
    return ""


def canonical(name: str, elements: list[str]) -> str:
    if not name or name in elements:
        return name
    return next((e for e in elements if e.endswith(" " + name)), name)


def _resolved(sentence: str, elements: list[str], before: list[str]) -> str:
    """The sentence with a short reference that could mean several elements ("the module"
    after "a translation module and a parsing module. The parsing module ...") written as the
    one the sentences `before` named last, as a reader takes it: else a claim built from it
    refers back to whichever was named first. "The voltage of the output" says itself which."""
    out, last = [], 0
    for phrase in phrases(sentence):
        name = element_name(phrase)
        specified = re.match(r"\s+of\b", sentence[phrase.end:])  # "the voltage of the output"
        candidates = [e for e in elements if e.endswith(" " + name)] if name and \
            name not in elements and phrase.determiner in DEFINITE and not specified else []
        target = _named_last(candidates, elements, before) if len(candidates) > 1 else ""
        if target:
            out += [sentence[last:phrase.start], f"{phrase.determiner} {target}"]
            last = phrase.end
    return "".join(out) + sentence[last:] if out else sentence


def _named_last(candidates: list[str], elements: list[str], before: list[str]) -> str:
    for sentence in reversed(before):
        named = [canonical(element_name(p), elements) for p in phrases(sentence)]
        hits = [n for n in reversed(named) if n in candidates]
        if hits:
            return hits[0]
    return ""


def element_name(phrase: Phrase) -> str:
    pair = phrase.words[:2] in (("pair", "of"), ("pairs", "of")) and len(phrase.words) > 2
    words = [w for w in phrase.words[2 * pair:] if w not in ("first", "second", "third")]
    if not words or words[-1] in META or words[-1] in ABSTRACT or len(words) > 5 or (
            words[0] in JUDGING) or _DOCUMENT_WORDS & set(words[:-1]):
        return ""  # "invention concerns amide derivatives": the document speaking, no part
    if len(words) == 1 and words[0] in GENERIC:
        return ""
    if pair:  # "a pair of gripping members": the pair, with what it pairs
        return "pair of " + " ".join(phrase.words[2:][-3:])
    named = phrase.words[1:] if phrase.words[0] in _COUNTS and len(phrase.words) > 1 else \
        phrase.words  # "the two connector parts" are the "two connector parts"
    kept = list(named[-4:])
    if len(named) > 4 and named[-5].endswith("ly") and len(kept) > 1:
        kept = kept[1:]  # "normally closed first pressure switch": what the cut adverb
        # graded goes with it ("first pressure switch", not "closed first pressure switch")
    return " ".join(kept)


_DOCUMENT_WORDS = frozenset({"invention", "inventions", "disclosure", "presently"})
_COUNTS = frozenset({"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                     "twelve", "multiple", "several", "plural"})


def is_subject(name: str, subject: str) -> bool:
    """"the lock" refers back to "a bicycle lock": the subject's head alone is the subject."""
    return subject.endswith(" " + name) or name == subject.split()[-1]


def _merge_variants(elements: list[str], counts: Counter[str]) -> list[str]:
    """"pin" and "locking pin": the short form is a reference to the long one when the long
    one ends with it and came first; its count moves to the long one."""
    kept: list[str] = []
    for name in elements:
        longer = next((k for k in kept if k.endswith(" " + name)), None)
        if longer:
            counts[longer] += counts.pop(name)
        else:
            kept.append(name)
    return kept


def _relations(sentence: str, index: int, elements: list[str], subject: str) -> list[Relation]:
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
        if len(sentence[start:end].split()) > 20:
            end = before_purpose(sentence, start, end)
        clause = sentence[start:end].strip(" ,;.")
        objects = tuple(canonical(element_name(p), elements) for p in following if p.end <= end)
        if objects and len(clause.split()) <= 20 and not (
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


def _feature(sentence: str, index: int, elements: list[str], subject: str) -> Feature | None:
    kind = ("optional" if _OPTIONAL.search(sentence) else "material"
            if _MATERIAL.search(sentence) else "range" if _RANGE.search(sentence) else "")
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


def is_definite(determiner: str) -> bool:
    return determiner in DEFINITE
