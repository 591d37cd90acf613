"""Mending a drafted claim 1 the strict check faults, before anything is rebuilt.

A statement taken whole or a list the builder made is usually right but for one fault, and a
rebuild from the element list loses more than the fault costs (tuned on
benchmarks/data/granted_claims/tune.jsonl.gz: making these faults errors without mending cost
R-L and added garbled drafts). Two faults are mended here:
- an element cut before its noun ("between a forward surface and an inner;"): completed to the
  end of its noun phrase in the disclosure's sentence ("an inner liner"), else its item is
  dropped when two items stay;
- no transitional phrase after the preamble: "A modulator for modulating a signal using
  derivative filters and accumulators" lists its parts after "using" ("..., comprising:
  derivative filters and accumulators"); "A fiber, a core, and a cladding" lists them after a
  comma; "An apparatus that processes pictures" / "A fiber produced so as to have ..." say
  what the subject does or is ("An apparatus, wherein the apparatus processes pictures").
The document's words left in an item ("a slider ... is described;") are dropped.
What is mended is kept only when the strict check then finds no error in it.
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.claims.parse import COMMA_LIST
from torchworks.recipes.patents.draft.chunk import FUNCTION, parts_of_speech, phrases
from torchworks.recipes.patents.draft.disclosure import Disclosure
from torchworks.recipes.patents.draft.strict import check_draft, cut_element, no_transition

# "for modulating a signal ... using derivative filters": the purpose, then the parts
_USING = re.compile(r"(?P<purpose>\s+for\s[^,;:]*?)?,?\s+(?:using|utilizing|employing)\s+")
_WITH = re.compile(r",?\s+with\s+(?=(?:an?|one|two|three|at least|a plurality of)\s)")
# the document's words left in an item: "an air-bearing surface is described;"
_SAID_OF_IT = re.compile(r"\s+(?:is|are) (?:described|disclosed|presented|proposed)(?=\s*[;.])")
_RELATIVE = re.compile(r",?\s+(?:that|which)\s+(?=\w)")
_PARTICIPLE = re.compile(r",?\s+(?P<verb>[a-z]+ed)\b")


def mended_claim(text: str, disclosure: Disclosure) -> str:
    """`text` mended so the strict check finds no error in it; `text` itself when it has none
    or the mending does not clear them all."""
    if not _errors(text, disclosure):
        return text
    mended = with_transition(complete_cut(_SAID_OF_IT.sub("", text), disclosure.sentences))
    return mended if mended != text and not _errors(mended, disclosure) else text


def _errors(text: str, disclosure: Disclosure) -> bool:
    return any(f.severity == "error" for f in check_draft([text], disclosure.vocabulary).findings)


def complete_cut(text: str, sentences: list[str]) -> str:
    """Each element cut before its noun completed as a disclosure sentence has it ("and an
    inner;" -> "and an inner liner;"), or the item holding it dropped when two items stay;
    `text` unchanged when neither can be done."""
    for _ in range(3):  # at most three cut elements
        cut = cut_element(text)
        if not cut:
            return text
        fragment = text[cut.start():cut.end()].strip()
        rest = _completion(fragment, sentences)
        if rest:
            text = text[:cut.end()].rstrip() + " " + rest + text[cut.end():]
            continue
        dropped = _without_item(text, cut.start())
        if dropped == text:
            return text
        text = dropped
    return text


def _completion(fragment: str, sentences: list[str]) -> str:
    """The words after `fragment` up to the end of the noun phrase a sentence continues it
    with ("liner" for "an inner" in "... and an inner liner of the combustor"), or ""."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(fragment)}(?![\w-])", re.IGNORECASE)
    for sentence in sentences:
        for hit in pattern.finditer(sentence):
            for phrase in phrases(sentence):
                if phrase.start < hit.end() < phrase.end:
                    more = sentence[hit.end():phrase.end].strip()
                    if more and re.fullmatch(r"[\w\s'-]+", more):
                        return more
    return ""


def _without_item(text: str, at: int) -> str:
    """`text` without the listed item holding offset `at`, when two items stay."""
    head, colon, body = text.partition(": ")
    if not colon or at < len(head) + 2:
        return text
    items = re.split(r";\s+(?:and\s+)?", body.rstrip("."))
    offset, kept = len(head) + 2, []
    for item in items:
        start = text.find(item, offset)
        if not start <= at < start + len(item):
            kept.append(item)
        offset = start + len(item)
    if len(kept) < 2 or len(kept) == len(items):
        return text
    return f"{head}{colon}{'; '.join(kept[:-1])}; and {kept[-1]}."


def _names_parts(text: str) -> bool:
    """`text` opens with a noun phrase ("derivative filters operating at ...", "a sensor"), not
    a verb or a function word ("using it to ...")."""
    first = text.split(" ", 1)[0].lower()
    if first in FUNCTION:
        return first in ("a", "an", "one", "two", "three", "each", "at")
    pos = parts_of_speech(first)
    return not pos or bool(pos & {"NOUN", "ADJ"})


def with_transition(text: str) -> str:
    """An independent claim with no transitional phrase given one where what follows its
    subject allows (see the module docstring); `text` unchanged otherwise."""
    if not no_transition(text):
        return text
    found = phrases(text)
    if not found or found[0].start:
        return text
    subject = found[0]
    rest = text[subject.end:]
    head = text[:subject.end]
    listed = COMMA_LIST.match(text)
    if listed:  # "A treatment system, at least one tank ..., an air supply, ..."
        return f"{text[:listed.start(1)]} comprising:{text[listed.end(1):]}"
    using = _USING.match(rest)
    if using and _names_parts(rest[using.end():]):
        return f"{head}{(using['purpose'] or '').rstrip(' ,')}, comprising: {rest[using.end():]}"
    with_parts = _WITH.match(rest)
    if with_parts:
        return f"{head} comprising: {rest[with_parts.end():]}"
    name = text[subject.start:subject.end].split(" ", 1)[1]
    relative = _RELATIVE.match(rest)
    if relative:
        return f"{head}, wherein the {name} {rest[relative.end():]}"
    participle = _PARTICIPLE.match(rest)
    if participle and "VERB" in parts_of_speech(participle["verb"]):
        verb = "are" if subject.head.endswith("s") and not subject.head.endswith("ss") else "is"
        return f"{head}, wherein the {name} {verb} {rest[participle.start('verb'):]}"
    return text
