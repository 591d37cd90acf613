"""Claim text that reads as claim language word by word but is garbled as a sentence: what the
builder makes when prose is cut at the wrong place, and what a user would not keep.

Each pattern was found in drafts of real abstracts and summaries (the tune part of
benchmarks/data/granted_claims/) and the brief's examples:
- a listed element that is a sentence of its own ("a heat received at the heat exchanger is
  transferred to a condenser", "a housing defining a chamber is coupled to an engine");
- "between" left without its "and" ("a door movable between a closed position covering the
  aperture;" with "an open position" split into the next item);
- "one of" one singular thing ("disposed on a surface of one of the first member;", the
  sentence's "and the second member" cut off): mended from the disclosure (`mend.py`);
- a "wherein" statement continued by a purpose ("wherein the chamber is of minimum volume, and
  for moving the valve ...");
- an element introduced a second time where it is referred to ("a valve moveable ... where a
  valve provides ...": `the_for_reintroduced` repairs it);
- a "wherein" that names a thing and says nothing of it ("wherein the movable member;");
- a "wherein" whose noun phrase has no verb after it ("wherein the cells near wing tips,
  compared with ..."), and an item that is only an -ing form ("a lifting");
- a verb without its subject or a modal without its verb ("a vacuum that is not detected, can
  be obtained", "materials can, comprising", "which may comprising", "a section that
  generating", "a method ... using comprising:", "connecting a resistor which to a node");
- a relative clause left with the main verb of the sentence it was cut from ("a metering
  chamber which is repeatedly filled ... is provided with a probe": mended to ", and which is
  provided with");
- an adverb left before the relative word of its verb ("an articulating joint assembly
  rotatably that couples ...": mended to "that rotatably couples", `misplaced.py`, which also
  mends a connective before the transition: "..., while comprising:");
- a bare item the disclosure does not ground as a part (`ungrounded_items`: "a filling", "a
  front side", "a traction kite" from "a wing for a traction kite"): dropped from claim 1 by
  the pipeline while two items stay.
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.draft.chunk import ABSTRACT, Phrase, lemma, parts_of_speech, phrases
from torchworks.recipes.patents.draft.misplaced import (
    adverb_before_relative,
    after_relative,
    placed_on,
    without_connective,
)
from torchworks.recipes.patents.draft.statement import finite_body
from torchworks.recipes.patents.draft.twice import once_introduced

# Where an element's own words end and a clause about it begins.
_OPENER = (r"(?:wherein|whereby|where|when|which|that|so that|such that|while|in which|on which|"
           r"through which|by which|after|before|if|until|once|whose)")
_HEAD_OF_ITEM = re.compile(r",?\s+" + _OPENER + r"\b")
_ELEMENT = re.compile(r"(?:\(?[a-z0-9]{1,3}\)\s*)?(?:an?|the|said|at least \w+|one or more|"
                      r"a plurality of|two|three|four|each)\s", re.IGNORECASE)
_OPENS_CLAUSE = re.compile(r"(?:\(?[a-z0-9]{1,3}\)\s*)?(?:and\s+)?" + _OPENER + r"\b",
                           re.IGNORECASE)
_FINITE = re.compile(r"\s(?:is|are|was|were)\s")
_AND_FOR = re.compile(r"\bwherein\s(?P<said>[^;,]*?\b(?:is|are)\b[^;,]*),\s+and\s+(?:for|by|to)\s+"
                      r"\w+ing\b")
_SUBJECTLESS = re.compile(r",\s+(?:can|could|may|might)\s+be\b|\b(?:that|which)\s+(?!being\b)"
                          r"(?:generating|computing|sending|receiving|having|including|"
                          r"comprising|providing|using|being)\b|\b(?:using|by|via|with|for|of|to|in|"
                          r"on|and|or|that|which|an?|the)\s+comprising\b|\b(?:can|could|may|might|will|"
                          r"must|should)\s*[,.;:]|\b(?:can|could|may|might|will|must|should)\s+"
                          r"\w+ing\b|\bwhich\s+(?:to|on|into|onto|from)\s")
_SECOND_VERB = re.compile(r"(?P<before>[^;:,]*\b(?:is|are|was|were)\s[^;:,]*),\s+(?:is|are)\s+"
                          r"\w+ed\b")


def garbled(text: str) -> str:
    """The garbled words of one claim ("" when none): the first pattern that matches."""
    for find in (_item_is_sentence, _open_between, open_one_of, _and_for, _reintroduced,
                 _empty_wherein, _subjectless, _verbless_wherein, _junk_item, _relative_leftover,
                 adverb_before_relative):
        found = find(text)
        if found:
            return found
    return ""


def _items(text: str) -> list[str]:
    """The listed items after the transition's colon ("" before it is no item)."""
    _, colon, body = text.partition(": ")
    return re.split(r";\s+(?:and\s+)?", body.rstrip(".")) if colon else []


def _item_is_sentence(text: str) -> str:
    """An item that opens as an element and holds its own "is/are" before any clause word:
    "a heat received at the heat exchanger is transferred to a condenser"."""
    for item in _items(text):
        if _OPENS_CLAUSE.match(item) or not _ELEMENT.match(item):
            continue
        head = _HEAD_OF_ITEM.split(item)[0]
        verb = _FINITE.search(head)
        if verb and not re.search(r"\b(?:being|having)\b", head[:verb.start()]):
            return head[:verb.end() + 20].strip()
    return ""


def _open_between(text: str) -> str:
    """"between" one singular thing with no "and" of its own after it in the item (a nested
    "between A and B" has its own): the second thing was split into an item of its own
    ("movable between a closed position covering the aperture")."""
    for item in _items(text) or [text]:
        for match in re.finditer(r"\bbetween\s+(?=(?:an?|the|said)\s)", item):
            after = item[match.end():]
            found = phrases(after)
            if not found or found[0].start:
                continue
            head = found[0].head
            plural = head.endswith("s") and not head.endswith("ss") and lemma(head, "NOUN") != head
            betweens = len(re.findall(r"\bbetween\b", item[match.start():]))
            if not plural and len(re.findall(r"\band\b", after)) < betweens:
                return item[match.start():match.start() + 60].strip()
    return ""


# "one of the first member", "each of the inner cylinder": a choice among things, of one
_ONE_OF = re.compile(r"\b(?:one|each|either|any|both|all)\s+of\s+(?=(?:the|said)\s)")


_COLLECTIVE = frozenset({"plurality", "group", "set", "number", "pair", "series", "array",
                         "multiplicity", "list", "combination"})


def open_one_of(text: str) -> str:
    """"one of" (or "each of") a singular thing with no "and"/"or" after it in its item: the
    other things were cut off ("an outer surface of one of the first transfer member")."""
    for item in _items(text) or [text]:
        for match in _ONE_OF.finditer(item):
            after = item[match.end():]
            found = phrases(after)
            if not found or found[0].start or found[0].head in _COLLECTIVE:
                continue  # "one of the plurality of terminals": its things are plural
            head = found[0].head
            plural = head.endswith("s") and not head.endswith("ss") and lemma(head, "NOUN") != head
            if not plural and not re.search(r"\b(?:and|or)\b", after):
                return item[match.start():match.end() + found[0].end].strip()
    return ""


def repaired(text: str) -> str:
    """What can be mended without losing a part: a relative clause left with its main verb
    ("a chamber which is filled ... is provided with" -> "..., and which is provided with"),
    an element introduced again where it is
    referred to ("where a valve provides" -> "where the valve provides"), an item split off
    its "between A and B", an item's "is" before its participle ("a channel is configured
    to"), a relative word before the transition ("A dispenser, which comprising:") or a
    connective ("..., while comprising:" -> "..., comprising:"), an adverb before its
    relative word ("rotatably that couples" -> "that rotatably couples"), a placing participle
    without its "on" ("disposed at least one of" -> "disposed on ..."), a parenthesis that
    only says what is preferred ("(preferably parallel to each other)"), and an element
    introduced twice (`twice.once_introduced`: the bare item dropped, else "the")."""
    text = _TRANSITION.sub(" comprising:", text)
    text = placed_on(after_relative(without_connective(text)))
    text = _PREFERRED.sub("", text)
    text = _LEFTOVER.sub(lambda m: f"{m['clause']}, and which {m['verb']}", text)
    return once_introduced(_participle_items(joined_between(the_for_reintroduced(text))))


def _participle_items(text: str) -> str:
    """An item that is a sentence only by its "is" before a participle ("a channel is
    configured to distribute ...") is the element with its participle ("a channel configured
    to distribute ...")."""
    for item in _items(text):
        sentence = _item_is_sentence(f"x: {item}")
        verb = re.search(r"\s(?:is|are)\s(?=\w+ed\b)", sentence)
        if verb:
            head = _HEAD_OF_ITEM.split(item)[0]
            at = text.find(head) + head.find(verb.group())
            text = text[:at] + " " + text[at + len(verb.group()):]
    return text


_TRANSITION = re.compile(r",?\s+(?:which|that)\s+(?:may\s+|can\s+)?comprising:")
_PREFERRED = re.compile(r"\s*\((?:preferably|typically|e\.g\.,?|for example,?)\s[^()]*\)")


def joined_between(text: str) -> str:
    """The repair of `_open_between`: the item after one left at "between a closed position
    ..." is its other end, joined back with "and"."""
    head, colon, _body = text.partition(": ")
    items = _items(text)
    if not colon or len(items) < 2:
        return text
    merged = [items[0]]
    for item in items[1:]:
        if _open_between(merged[-1]) and _ELEMENT.match(item) and not _OPENS_CLAUSE.match(item):
            merged[-1] += " and " + item
        else:
            merged.append(item)
    if len(merged) == len(items):
        return text
    listed = merged[0] if len(merged) == 1 else "; ".join(merged[:-1]) + "; and " + merged[-1]
    return f"{head}{colon}{listed}."


def _and_for(text: str) -> str:
    """"wherein the chamber is of minimum volume, and for moving the valve": a statement
    joined to a purpose, unless the statement has its own "for" to be parallel to."""
    match = _AND_FOR.search(text)
    return match.group() if match and not re.search(r"\bfor\b", match["said"]) else ""


def _reintroduced(text: str) -> str:
    """"a valve ... where a valve provides": the same element introduced twice, the second
    time where a clause refers to it."""
    found = _reintroduction(text)
    return text[found.start:found.end] if found else ""


def _reintroduction(text: str) -> Phrase | None:
    seen: set[tuple[str, ...]] = set()
    for phrase in phrases(text):
        if phrase.determiner not in ("a", "an"):
            continue
        before = text[:phrase.start].rstrip().rsplit(" ", 1)[-1].lower()
        again = any(w[:len(phrase.words)] == phrase.words for w in seen)  # "a valve moveable"
        if again and before in ("where", "wherein", "when", "whereby", "while", "which", "that"):
            return phrase
        seen.add(phrase.words)
    return None


def the_for_reintroduced(text: str) -> str:
    """The repair of `_reintroduced`: the second "a valve" refers to the first, "the valve"."""
    while found := _reintroduction(text):
        article = len(found.determiner)
        text = f"{text[:found.start]}{'T' if text[found.start].isupper() else 't'}he" \
               f"{text[found.start + article:]}"
    return text


def _empty_wherein(text: str) -> str:
    """"..., wherein the movable member; and ...": a "wherein" naming one thing, saying
    nothing of it."""
    for match in re.finditer(r"\bwherein\s+(?P<said>[^;,.]+)(?=[;.]|$)", text):
        found = phrases(match["said"])
        if len(found) == 1 and found[0].start == 0 and found[0].end == len(match["said"]):
            return match.group()
    return ""


def _subjectless(text: str) -> str:
    """A verb with no subject or a modal with no verb ("..., can be obtained", "materials
    can, comprising", "which may comprising"), or a second "is ...ed" after a clause that
    has its verb ("wherein the vacuum is not detected, is obtained by ...")."""
    match = _SUBJECTLESS.search(text) or _SECOND_VERB.search(text)
    return match.group().strip() if match else ""


def _verbless_wherein(text: str) -> str:
    """A "wherein" clause whose opening noun phrase is followed by no verb ("wherein the cells
    near wing tips, compared with that of ..."): it says nothing of what it names."""
    for match in re.finditer(r"\bwherein\s+(?P<said>[^;]+?)(?=,?\s+(?:and\s+)?wherein\b|;|\.$|$)",
                             text):
        said = match["said"]
        found = phrases(said)
        if found and found[0].start == 0 and not finite_body(f"wherein {said}") and not (
                _ANY_VERB.search(said)):
            return match.group()[:60]
    return ""


_ANY_VERB = re.compile(r"\b(?:is|are|was|were|has|have|had|can|could|may|might|will|would|must|"
                       r"shall|should|does|do)\b|\b(?:which|that)\s+(?!of\b)\w+")


# "a metering chamber which is repeatedly filled and emptied ... is provided with a probe": the
# disclosure's sentence cut after its subject's relative clause, its main verb left behind.
_LEFTOVER = re.compile(r"(?P<clause>\b(?:which|that)\s+(?:is|are)\s+(?:(?!\b(?:which|that|where|"
                       r"wherein|when|while)\b)[^;,:])*?[a-z])(?<!\band)(?<!\bor)(?<!\bbut)\s+(?P<verb>(?:is|are)\s+\w+ed\b)")


def _relative_leftover(text: str) -> str:
    """A "which is ..." clause followed by a second "is ...ed" with no subject of its own."""
    match = _LEFTOVER.search(text)
    return match.group()[-60:] if match else ""


def _junk_item(text: str) -> str:
    """An item that is only a verb's -ing form with an article ("a lifting"): no part."""
    for item in _items(text):
        bare = re.fullmatch(r"(?:an?|the)\s+(?:[\w-]+\s+)?(?P<head>\w+ing)", item)
        if bare and parts_of_speech(bare["head"]) == {"VERB"}:
            return item
    return ""


# A bare listed item: an article and a name, no relation or clause ("a filling", "a front side").
_BARE = re.compile(r"(?:a plurality of|at least one|an?|one)\s+(?P<name>[\w-]+(?:\s+[\w-]+){0,3})")
# Words before a mention that make it context, not a part: "for a traction kite", "in a motor
# vehicle", "the number of filling", "such as a film".
_CONTEXT = frozenset({"of", "for", "than", "as", "per", "like", "about", "without", "whether"})
# Heads that name a part only with what they belong to ("a front side" of what?).
_RELATIONAL = frozenset({"side", "sides", "end", "ends", "part", "parts", "portion", "portions",
                         "region", "area", "pair", "pairs", "degree", "point", "direction",
                         "position", "surface", "level", "amount", "value", "way", "manner"})
# Words that only place a relational head ("a front side", "a distal end"): still no owner.
_POSITIONAL = frozenset({"front", "rear", "back", "top", "bottom", "upper", "lower", "inner",
                         "outer", "distal", "proximal", "other", "one", "first", "second", "body"})
# Heads that name a quality or a quantity, never a part ("a slight burden", "an integer").
_QUALITY = frozenset({"difference", "burden", "ability", "characteristic", "characteristics",
                      "integer", "formula", "basis", "movement", "preparation", "analysis",
                      "property", "properties", "quantity", "extent"})


def ungrounded_items(text: str, sentences: list[str]) -> list[str]:
    """The bare items of a claim's list that the disclosure does not ground as parts: a
    relational head with nothing it belongs to ("a front side", "a plurality of pairs"), an
    abstract head ("a degree"), or a name the disclosure only uses as context or modifier
    ("a traction kite" from "a wing for a traction kite", "a filling" from "the number of
    filling and emptying cycles", "an outboard" from "an outboard bin"). Why: such items pass
    every word-level check, yet no attorney would keep them as elements."""
    junk = []
    for item in _items(text):
        bare = _BARE.fullmatch(item)
        if not bare:
            continue
        words = _item_name(item, bare)
        relational = words[-1] in _RELATIONAL and all(w in _POSITIONAL for w in words[:-1])
        if relational or words[-1] in _QUALITY | ABSTRACT or not any(
                _as_part(sentence, words, bare.group().startswith("a plurality"))
                for sentence in sentences):
            junk.append(item)
    return junk


def _item_name(item: str, bare: re.Match) -> tuple[str, ...]:
    """The words of a bare item's noun phrase: "a second electrode thereon" names a "second
    electrode" (a trailing "thereon" places it, it is no part of its name)."""
    found = phrases(item)
    if found and found[0].start == 0:
        return found[0].words
    return tuple(bare["name"].lower().split())


def _as_part(sentence: str, words: tuple[str, ...], plural: bool = False) -> bool:
    """`sentence` names `words` as a thing of its own: a noun phrase ending on them, not
    after a context word, not followed by "of" (its head is elsewhere) nor by "and" with a
    bare modifier ("the outboard and center bin supports")."""
    if plural:  # "a plurality of relays": "relays" is no determiner-led phrase of its own
        name = re.escape(" ".join(words))
        return any(not _context(sentence[:m.start()]) for m in re.finditer(
            rf"\b{name}\b(?! of\b)", sentence, re.IGNORECASE))
    for phrase in phrases(sentence):
        if phrase.words[-len(words):] != words:
            continue
        after = sentence[phrase.end:].lower().split()[:2]
        modifier = after[:1] in (["and"], ["or"]) and after[1:] and after[1] not in (
            _DETERMINERS) and bool(parts_of_speech(after[1]) & {"NOUN", "ADJ"})
        if not _context(sentence[:phrase.start]) and after[:1] != ["of"] and not modifier:
            return True
    return False


def _context(before: str) -> bool:
    """The words before a mention make it context ("for a kite", "the part of a vehicle"),
    unless "of" only links a verb or a count to it ("consists of", "a plurality of")."""
    last = before.lower().split()[-2:]
    return bool(last) and last[-1] in _CONTEXT and not (last[-1] == "of" and last[:1] and
                                                         last[0] in _OF_OBJECT)


_OF_OBJECT = frozenset({"consists", "consisting", "composed", "made", "plurality", "formed",
                        "number", "pair", "set", "array", "series", "group", "comprised"})
_DETERMINERS = frozenset({"a", "an", "the", "said", "one", "each", "at", "two", "three"})


def grounded_only(text: str, sentences: list[str]) -> str:
    """`text` without its ungrounded bare items (`ungrounded_items`), when at least two items
    stay; `text` itself otherwise (the repair must not leave a claim of one part). An item
    the claim refers to again ("a distal end" ... "at the distal end") stays: dropping it
    would leave "the distal end" without antecedent."""
    head, colon, _body = text.partition(": ")
    items = _items(text)
    junk = {item for item in ungrounded_items(text, sentences) if not re.search(
        rf"\b(?:the|said) {re.escape(' '.join(_item_name(item, _BARE.fullmatch(item))))}\b",
        text, re.IGNORECASE)}
    kept = [item for item in items if item not in junk]
    if not junk or len(kept) < 2:
        return text
    return f"{head}{colon}{'; '.join(kept[:-1])}; and {kept[-1]}."
