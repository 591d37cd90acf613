"""Mending a drafted claim 1 the strict check faults, before anything is rebuilt.

A statement taken whole or a list the builder made is usually right but for one fault, and a
rebuild from the element list loses more than the fault costs (tuned on
benchmarks/data/granted_claims/tune.jsonl.gz: making these faults errors without mending cost
R-L and added garbled drafts). Two faults are mended here:
- an element cut before its noun ("between a forward surface and an inner;"): completed to the
  end of its noun phrase in the disclosure's sentence ("an inner liner"; "the inner liner", or
  no item of its own, when the claim introduces it already), else its item cut back to before
  the cut element (keeping its element and relations), else dropped when two items stay;
- no transitional phrase after the preamble: "A modulator for modulating a signal using
  derivative filters and accumulators" lists its parts after "using" ("..., comprising:
  derivative filters and accumulators"); "A fiber, a core, and a cladding" lists them after a
  comma; "An apparatus that processes pictures" / "A fiber produced so as to have ..." say
  what the subject does or is ("An apparatus, wherein the apparatus processes pictures"), but
  not where it only says the document presents it ("A system provided whereby ...").
- "one of" one singular thing ("disposed on an outer surface of one of the first transfer
  member;": the relation was cut before its "and"): completed from the disclosure's sentence
  ("... one of the first transfer member and the second transfer member"), else made plural
  where the disclosure has the plural ("at least one of said windows").
The document's words left in an item ("a slider ... is described;", "a system provided in
which ...") are dropped.
What is mended is kept only when the strict check then finds no error in it.
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.claims.parse import COMMA_LIST
from torchworks.recipes.patents.draft.chunk import FUNCTION, article, parts_of_speech, phrases
from torchworks.recipes.patents.draft.disclosure import Disclosure
from torchworks.recipes.patents.draft.garbled import garbled, open_one_of
from torchworks.recipes.patents.draft.strict import check_draft, cut_element, no_transition
from torchworks.recipes.patents.draft.wording import presents_only

# "for modulating a signal ... using derivative filters": the purpose, then the parts
_USING = re.compile(r"(?P<purpose>\s+for\s[^,;:]*?)?,?\s+(?:using|utilizing|employing)\s+")
_WITH = re.compile(r",?\s+with\s+(?=(?:an?|one|two|three|at least|a plurality of)\s)")
# the document's words left in an item: "an air-bearing surface is described;"
_SAID_OF_IT = re.compile(r"\s+(?:is|are) (?:described|disclosed|presented|proposed)(?=\s*[;.])")
# the document presenting an element before saying what it has: "a charge system provided in
# which the system has ..." is "a charge system in which the system has ..."
_PRESENTED = re.compile(r"\s+(?:(?:is|are)\s+)?(?:provided|disclosed|described|presented|"
                        r"proposed)(?=\s+(?:whereby|wherein|in which|such that|so that)\b)")
_RELATIVE = re.compile(r",?\s+(?:that|which)\s+(?=\w)")
_PARTICIPLE = re.compile(r",?\s+(?P<verb>[a-z]+ed)\b")


def mended_claim(text: str, disclosure: Disclosure) -> str:
    """`text` mended so the strict check finds no error in it; `text` itself when it has none
    or the mending does not clear them all."""
    if not _errors(text, disclosure):
        return text
    head, colon, body = _SAID_OF_IT.sub("", text).partition(": ")
    said = head + colon + _PRESENTED.sub("", body)  # an item's, not the preamble's
    mended = with_transition(complete_cut(completed_one_of(said, disclosure),
                                          disclosure.sentences, disclosure.modifiers))
    return mended if mended != text and not _errors(mended, disclosure) else text


def _errors(text: str, disclosure: Disclosure) -> bool:
    return any(f.severity == "error" for f in check_draft(
        [text], disclosure.vocabulary, disclosure.modifiers).findings)


def complete_cut(text: str, sentences: list[str],
                 modifiers: frozenset[str] = frozenset()) -> str:
    """Each element cut before its noun completed as a disclosure sentence has it ("and an
    inner;" -> "and an inner liner;"), referring back where the claim introduces that element
    already ("the inner liner", or no item of its own); else the item cut back to before the
    cut element, keeping the element it names and the relations before the cut, or dropped
    when two items stay; `text` unchanged when none can be done."""
    for _ in range(3):  # at most three cut elements
        cut = cut_element(text, modifiers)
        if not cut:
            return text
        fragment = text[cut.start():cut.end()].strip()
        rest = _completion(fragment, sentences)
        if rest:
            text = _completed(text, cut.start(), cut.end(), rest)
            continue
        shorter = _cut_back(text, cut.start()) or _without_item(text, cut.start())
        if shorter == text:
            return text
        text = shorter
    return text


def completed_one_of(text: str, disclosure: Disclosure) -> str:
    """Each "one of the X" left without its other things completed as a disclosure sentence
    has it ("one of the first member" -> "one of the first member and the second member",
    "the" where the claim introduces that one already, else "a"), else with X made plural
    when the disclosure uses the plural; `text` unchanged when neither can be done."""
    for _ in range(3):
        fragment = open_one_of(text)
        if not fragment:
            return text
        at = text.find(fragment) + len(fragment)
        name = fragment.split(" ", 3)[3]  # "one of the" / "one of said"
        rest = _other_things(name, disclosure.sentences, text[:at])
        plural = "" if rest else _plural(name, disclosure.sentences)
        if not rest and not plural:
            return text
        text = f"{text[:at]}{rest}{text[at:]}" if rest else \
            f"{text[:at - len(name)]}{plural}{text[at:]}"
    return text


def _other_things(name: str, sentences: list[str], before: str) -> str:
    """" and the second member": what a sentence lists after "one of the <name>", with the
    claim's article (`before`: the claim up to there), or ""."""
    pattern = re.compile(rf"\bof\s+(?:the|said)\s+{re.escape(name)}\s+(?P<conj>and|or)\s+"
                         rf"(?=(?:the|said|a|an)\s)", re.IGNORECASE)
    for sentence in sentences:
        hit = pattern.search(sentence)
        other = next((p for p in phrases(sentence) if hit and p.start >= hit.end() and re.fullmatch(
            r"(?:(?:the|said)\s+)?", sentence[hit.end():p.start], re.IGNORECASE)), None)
        if other:
            introduced = re.search(rf"(?<![\w-])(?:an?|the|said)\s+{re.escape(other.name)}"
                                   rf"(?![\w-])", before, re.IGNORECASE)
            said = f"the {other.name}" if introduced else article(other.name)
            return f" {hit['conj'].lower()} {said}"
    return ""


def _plural(name: str, sentences: list[str]) -> str:
    """`name` with its head plural, when a disclosure sentence says "one of the/said ...
    <plural>" ("at least one of said windows"); ""."""
    from lemminflect import getInflection

    *modifiers, head = name.split()
    for form in getInflection(head.lower(), tag="NNS"):
        chosen = re.compile(rf"\bone\s+of\s+(?:the|said)\s+(?:[\w-]+\s+){{0,3}}?{form}\b",
                            re.IGNORECASE)
        if form != head.lower() and any(chosen.search(s) for s in sentences):
            return " ".join([*modifiers, form])
    return ""


def _completed(text: str, start: int, end: int, rest: str) -> str:
    """`text` with the cut element at start:end completed by `rest`; when the claim introduces
    the completed element elsewhere ("a front panel" listed, "a front;" cut), the cut one is
    that element: its item dropped when it is the whole item, else referred to with "the" (the
    later introduction becomes "the" when the cut one comes first)."""
    fragment = text[start:end].strip()
    determiner, _, words = fragment.partition(" ")
    name = f"{words} {rest}" if determiner.lower() in ("a", "an") else ""
    completed = text[:end].rstrip() + " " + rest + text[end:]
    if not name:
        return completed
    again = re.compile(rf"(?<![\w-])(?:an?|the|said)\s+{re.escape(name)}(?![\w-])", re.IGNORECASE)
    after = start + len(fragment) + 1 + len(rest)
    before_hit = again.search(completed, 0, start)
    later_hit = again.search(completed, after)
    if not before_hit and not later_hit:
        return completed
    whole_item = re.search(r"(?::|;)\s+(?:and\s+)?$", text[:start])
    if whole_item and re.match(r"\s*(?:[;.]|$)", completed[after:]):
        dropped = _without_item(text, start)
        if dropped != text:
            return dropped
    if before_hit:
        return f"{completed[:start]}the {name}{completed[after:]}"
    later = completed[later_hit.start():later_hit.end()].split(" ", 1)[1]
    return f"{completed[:later_hit.start()]}the {later}{completed[later_hit.end():]}"


# Where an item can be cut back to: before its last clause ("..., and", "that", "wherein") or
# the phrase holding the cut element ("located between ...", "in ...").
_BACK = re.compile(r",?\s+(?:(?:and|or|that|which|wherein|where|whereby)\s+|(?=[a-z]+ed\s)|"
                   r"(?=(?:of|in|on|to|from|with|for|at|by|into|onto|between|through|via|"
                   r"within|along|around|across|over|under|above|below)\s))")


def _cut_back(text: str, at: int) -> str:
    """`text` with the item holding offset `at` cut back to the last point before it where
    what is left ends on a complete noun phrase ("a sensor mounted on a rail, and a front;" ->
    "a sensor mounted on a rail;"): the item keeps its element and what the disclosure says of
    it before the cut. "" when the cut starts its item or no such point is found."""
    head, colon, _body = text.partition(": ")
    if not colon or at < len(head) + 2:
        return ""
    starts = [len(head) + 2] + [m.end() for m in re.finditer(r";\s+(?:and\s+)?", text)
                                if len(head) + 2 < m.end() <= at]
    item_start = max(starts)
    item = text[item_start:at]
    ends = [m.start() for m in _BACK.finditer(item)]
    for end in reversed(ends):
        kept = item[:end].rstrip(" ,")
        found = phrases(kept)
        if not found or found[-1].end != len(kept) or garbled(kept) or found[0].start != 0:
            continue
        tail = re.match(r"[^;.]*", text[at:])  # the cut element, up to its item's end
        return text[:item_start] + kept + text[at + tail.end():]
    return ""


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
    if participle and "VERB" in parts_of_speech(participle["verb"]) and not presents_only(
            rest):
        verb = "are" if subject.head.endswith("s") and not subject.head.endswith("ss") else "is"
        return f"{head}, wherein the {name} {verb} {rest[participle.start('verb'):]}"
    return text
