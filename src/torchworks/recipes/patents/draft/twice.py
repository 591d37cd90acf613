"""An element introduced twice with "a/an" in one claim, found and mended.

"...; an articulating joint assembly; a probe caddie; an articulating joint assembly that
rotatably couples the first transfer member to the second transfer member; ..." (a drafted
claim 1 of a summary): which of the two does a later "the articulating joint assembly" mean?
An attorney writes each element's "a" once. The builder lists an element the disclosure's
statement names bare and then again with the relation another sentence gives it, or repeats
the preamble's subject as an item, so the strict check faults any second "a/an X" of the same
noun phrase in one claim, whatever follows it (error "draft-element-twice"), and the builder
mends it before anyone sees it: a listed item that only names the element again is dropped
(the introduction carrying the relation stays), else the later introduction, with its own
relation, becomes a closing "wherein the X ..." clause, or refers back to the first ("the X").

As in the claim checker (`claims/rules_introduction.py`), a lone generic noun claims
introduce many times ("a portion of the arm ... a portion of the base") and a head that is a
participle are no element; "a plurality of X" is not an "a X"; and what follows "than" is a
second thing of the kind, the one compared against ("a density value of a read image from
the first part is higher than a density value of a read image from the second part", as
granted claims write it).
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.claims.rules_introduction import GENERIC
from torchworks.recipes.patents.claims.terms import Mention, mentions
from torchworks.recipes.patents.claims.wordforms import participle
from torchworks.recipes.patents.draft.statement import finite_body

_ARTICLE = re.compile(r"(?<![\w-])(?P<article>an?)\s+$", re.IGNORECASE)
# "... higher than a density value of a read image": the phrase compared against, to its end
_COMPARED = re.compile(r"(?<![\w-])than\s+(?:that of\s+)?an?\s[^,;:()]*$", re.IGNORECASE)
_ITEM_BREAK = re.compile(r";\s+(?:and\s+)?")


def introduced_twice(text: str) -> tuple[Mention, Mention] | None:
    """The first pair of "a/an" introductions of the same noun phrase in `text` (one claim),
    the earlier first; None when every element is introduced once."""
    seen: dict[tuple[str, ...], Mention] = {}
    for mention in mentions(text):
        if not _introduces(text, mention):
            continue
        if mention.words in seen:
            return seen[mention.words], mention
        seen[mention.words] = mention
    return None


def _introduces(text: str, mention: Mention) -> bool:
    before = text[max(0, mention.start - 12):mention.start]
    if mention.proper or not _ARTICLE.search(before) or _COMPARED.search(
            text[max(0, mention.start - 120):mention.start]):
        return False
    last = mention.words[-1]
    return not ((len(mention.words) == 1 and last in GENERIC) or participle(last)
                or len(last) < 3)


def once_introduced(text: str) -> str:
    """`text` with each element introduced once: a bare listed item naming an element the
    claim introduces elsewhere dropped (the later one when both are bare), else the later
    "a X" made "the X"; unchanged where the bare item is the only one ("A lamp comprising: a
    lamp." is no claim to mend: the strict check faults it)."""
    for _ in range(8):  # a claim repeats few elements
        pair = introduced_twice(text)
        if not pair:
            return text
        first, second = pair
        spans = _item_spans(text)
        bare = _bare_item(text, spans, second)
        if bare is None and not _referred_between(text, first, second):
            bare = _bare_item(text, spans, first)  # the first goes unless "the X" needs it
        mended = (_as_wherein(text, spans, second) or _referring_back(text, second)) \
            if bare is None else _without_item(text, spans, bare)
        if not mended or mended == text:
            return text
        text = mended
    return text


def _item_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each listed item after the transition's colon."""
    head, colon, _body = text.partition(": ")
    if not colon:
        return []
    spans, start = [], len(head) + 2
    end_of_body = len(text.rstrip().rstrip("."))
    for match in _ITEM_BREAK.finditer(text, start):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, end_of_body))
    return spans


def _bare_item(text: str, spans: list[tuple[int, int]], mention: Mention) -> int | None:
    """The index of the listed item that is only "a/an <mention>", or None."""
    for at, (start, end) in enumerate(spans):
        if start <= mention.start < end:
            name = re.escape(text[mention.start:mention.end])
            return at if re.fullmatch(rf"an?\s+{name}", text[start:end], re.IGNORECASE) else None
    return None


def _without_item(text: str, spans: list[tuple[int, int]], at: int) -> str:
    """`text` without listed item `at`, or "" when it is the only one."""
    kept = [text[s:e] for n, (s, e) in enumerate(spans) if n != at]
    if not kept:
        return ""
    listed = kept[0] if len(kept) == 1 else "; ".join(kept[:-1]) + "; and " + kept[-1]
    return f"{text[:spans[0][0]]}{listed}."


def _as_wherein(text: str, spans: list[tuple[int, int]], mention: Mention) -> str:
    """`text` with the listed item that introduces `mention` again, with a relation of its
    own, moved to a closing "wherein" clause ("...; a spring that biases the pin; ..." ->
    "..., wherein the spring biases the pin."): an item opening with "the" is no item; "" when
    that item is not one of the list's first ones or its relation states nothing."""
    at = next((n for n, (s, e) in enumerate(spans) if s <= mention.start < e), None)
    if at is None or at == len(spans) - 1 or not re.fullmatch(
            r"an?\s+", text[spans[at][0]:mention.start], re.IGNORECASE):
        return ""
    rest = re.sub(r"^(?:that|which)\s+", "", text[mention.end:spans[at][1]].strip())
    body = finite_body(f"wherein the {text[mention.start:mention.end]} {rest}")
    if not rest or not body:
        return ""
    listed = _without_item(text, spans, at).removesuffix(".")
    joined = f", and {body.removeprefix('wherein ')}" if re.search(
        r"\bwherein\b", text[spans[-1][0]:]) else f", {body}"
    return f"{listed}{joined}."


def _referred_between(text: str, first: Mention, second: Mention) -> bool:
    """The claim says "the X" between the two introductions: the first one is its antecedent
    and stays."""
    name = re.escape(text[first.start:first.end])
    return bool(re.search(rf"(?<![\w-])(?:the|said)\s+{name}(?![\w-])",
                          text[first.end:second.start], re.IGNORECASE))


def _referring_back(text: str, mention: Mention) -> str:
    """`text` with the "a/an" before `mention` made "the"."""
    before = text[:mention.start]
    article = _ARTICLE.search(before)
    word = "The" if article["article"][0].isupper() else "the"
    return f"{before[:article.start()]}{word} {text[mention.start:]}"
