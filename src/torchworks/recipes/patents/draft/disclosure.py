"""What a disclosure says, deterministically: subject, elements, relations, optional features.

A small model cannot be trusted with the content of a claim, so the content comes from here:
- subject: the head noun phrase of the title or the first sentence that names the invention
  ("a bicycle lock", not "a fingerprint"), skipping document words ("the present invention");
- elements: the noun phrases the disclosure introduces (named as `naming.py` says), in order
  of first mention, with how often they recur;
- relations and features: read from each sentence by `relations.py`;
- process: whether the disclosure describes steps, for a method claim.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from torchworks.recipes.patents.draft.chunk import (
    DEFINITE,
    FUNCTION,
    modifiers_of,
    phrases,
    quantity,
    words_of,
)
from torchworks.recipes.patents.draft.naming import canonical, element_name, is_subject
from torchworks.recipes.patents.draft.relations import (
    RANGE,
    Feature,
    Relation,
    feature_in,
    relations_in,
)
from torchworks.recipes.patents.draft.statement import Statement, problem_sentence, statements
from torchworks.recipes.patents.draft.subject import stated_subject, subject_of
from torchworks.recipes.patents.draft.wording import without_self_praise

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(])|\n\s*\n")
_PROCESS = re.compile(r"\b(?:method|process|steps?)\b", re.IGNORECASE)
_REFERENCE_NUMERAL = re.compile(r"(?<=[A-Za-z])\s+\(?\d{1,4}[a-z]?\)?(?=[\s,.;:)])")
_NUMERAL_GROUP = re.compile(r"(?<=[A-Za-z])\s+\((?:\d{1,4}[a-z]?'?)(?:\s*(?:,|-|and|to)\s*"
                            r"\d{1,4}[a-z]?'?)+\)")  # "wing tips (7, 8)"
_INTRO = re.compile(r"^(?:abstract(?: of (?:the )?disclosure)?|summary(?: of the invention)?|"
                    r"technical field|field of the invention)[:.\s]+", re.IGNORECASE)
# A heading's words left before the first sentence ("OF THE PRESENT INVENTION The present
# invention relates to ...", what is left of "SUMMARY OF THE PRESENT INVENTION"): capitals.
_HEADING = re.compile(r"^(?:[A-Z]{2,}\s+){0,5}(?:INVENTION|DISCLOSURE)[:.]?\s+(?=[A-Z][a-z])")

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
                 for r in relations_in(s, i, elements, subject)]
    features = [f for i, s in enumerate(sentences)
                if i not in aside and (f := feature_in(s, i, elements, subject))]
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
            RANGE.match("1 " + after.lstrip()) or re.match(r"\s*(?:μ|µ|nm|ps|dB|°)", after):
        return match.group()
    return ""


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
