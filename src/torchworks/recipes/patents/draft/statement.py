"""Where a disclosure states its invention in claim form, and what is not an element at all.

Summaries and abstracts usually say what the invention is in one sentence: "there is provided
a method of milking an animal comprising the steps of directing milk ..., checking ... and
counting ...", "A dual mode cooling system includes a heat exchanger for ... and a condenser
in communication with ...". Such a statement is the attorney's own first cut of claim 1, so it
is read whole: its preamble ("a method of milking an animal") and its listed items, each with
the modifiers the disclosure gives it. A disclosure may state several (a method, then "a milk
metering apparatus comprising ..."): each can become an independent claim.

Sentences about the prior art, a problem, an object or an advantage ("it is an object ... to
provide a cork extractor which is inexpensive and has an attractive design") describe no part
of the invention: their noun phrases are not elements.

Steps for a method come from the statement's gerunds, or from passive sentences made active
("a workpiece is heated and pressed by a vessel" -> "heating and pressing a workpiece by a
vessel"). A dependent's "wherein" body must state something of its element with its own
verb (`finite_body`): prose gives "the engine including a head", a claim "the engine includes
a head".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from torchworks.recipes.patents.draft.chunk import (
    DETERMINERS,
    lemma,
    parts_of_speech,
    phrases,
    verb_like,
)

# A sentence about something other than the invention's parts.
_PROBLEM = re.compile(
    r"\b(?:prior art|related art|conventional(?:ly)?|known (?:devices?|systems?|methods?|"
    r"apparatus)|problems?|disadvantages?|drawbacks?|defects?|shortcomings?|deficienc(?:y|ies)|"
    r"(?:an|the|another|further|main|primary) (?:object|objective|aim)s?|objects? of|"
    r"objectives? of|to overcome|to solve|"
    r"to eliminate)\b", re.IGNORECASE)
# Adjectives that judge rather than describe: "an attractive design" is no element.
JUDGING = frozenset({
    "attractive", "novel", "conventional", "improved", "simple", "efficient", "inexpensive",
    "economical", "reliable", "convenient", "excellent", "superior", "better", "advantageous",
    "valuable", "useful", "desirable", "great", "good", "high-quality", "effective",
})
_KEYWORD = (r"(?:comprising|comprises|comprise|including|includes|include|having|has|"
            r"consisting of|consists of|(?:is|are) (?:provided|formed|equipped) with)")
_STATED = re.compile(
    r"(?P<tail>(?:\s*,?\s+(?:for|of|with|without|in|on|to|at|by|between|and|from|which|that|"
    r"(?:mounted|arranged|disposed|located|installed|placed)\b|"
    r"capable of|adapted to|configured to|suitable for|used (?:in|for))"
    r"\b[^;:.]{0,220}?)?)\s*,?\s+(?:which\s+|that\s+)?(?P<kw>" + _KEYWORD + r")\b"
    r"(?:\s+(?:the\s+)?steps?\s+of\b)?\s*:?\s*", re.IGNORECASE)
_INTRODUCED = re.compile(r"\b(?:there is provided|provides?|provided(?: is)?|providing|"
                         r"relates to|is directed to|concerns|discloses?|disclosed (?:is|are)|"
                         r"may include|according to which)\s+$", re.IGNORECASE)
_LEAD = re.compile(r"^(?:(?:according to|in accordance with|in|with)[^,]{0,120},\s*)",
                   re.IGNORECASE)
_ASIDE = re.compile(r"\s+\([A-Z][A-Za-z0-9-]{1,10}\)|"
                    r"\s+(?:of|according to) the present invention\b")
# "An embodiment of a probe cover dispenser comprising ...": the dispenser is stated.
_EMBODIMENT = re.compile(r"^(?:an?|one|another)\s+(?:exemplary\s+)?embodiment\s+of\s+"
                         r"(?=(?:a|an)\s)", re.IGNORECASE)
# "a device, preferably a relay, connectable to ...; the relay being ...": the item is the
# relay (what the statement goes on to name), not an optional word in a claim.
_PREFERRED = re.compile(r"\b(?:a|an)\s+[\w-]+(?:\s[\w-]+){0,2},\s+preferably\s+((?:a|an)\s[^,;]+),",
                        re.IGNORECASE)
_CHARACTERISED = re.compile(r",?\s*\b(?:characteri[sz]ed in that|characteri[sz]ed by)\b\s*",
                            re.IGNORECASE)
_ITEM_START = re.compile(r"^(?:(?:" + "|".join(sorted(DETERMINERS, key=len, reverse=True)) +
                         r"|one|four|five|six|\d+|at least (?:one|two|a|an)|means)\b|\w+ing\b)",
                         re.IGNORECASE)
_SUBORDINATE = re.compile(r"^(?:while|when|after|before|once|if|during|in|upon|as|since|"
                          r"where)\b\s*([^,]{0,160}),\s*", re.IGNORECASE)
# "a resistor which is connected to ...": the relative word is no part of what is acted on
_PASSIVE = re.compile(r"^(?P<np>(?:a|an|the|said|each|one or more|a plurality of)\s[^,;]{1,80}?)"
                      r"(?:\s(?:which|that))?\s(?:is|are)\s(?:then\s|first\s|subsequently\s|also\s)?"
                      r"(?P<verb>[a-z]+ed)(?P<more>(?:\sand\s[a-z]+ed)?)\b(?P<rest>[^;]*)$",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    """"<preamble> comprising <items>" as one sentence of the disclosure writes it."""

    preamble: str  # "a method of milking an animal" (with its article)
    head: str  # "method" (lemma of the preamble phrase's head)
    items: tuple[str, ...]  # "directing milk collected from ... into a metering chamber ..."
    sentence: int
    method: bool


def problem_sentence(sentence: str) -> bool:
    """About the prior art, a problem, an object or an advantage, and stating no invention.
    A problem named only as the purpose before a comma ("In order to solve the above problem,
    the device of the invention is a device including ...") leaves the sentence about the
    invention."""
    said = _PURPOSE.sub("", sentence.strip())
    return bool(_PROBLEM.search(said)) and not _SOLVED.search(said) and not statements_in(
        sentence, 0)


def objective_sentence(sentence: str) -> bool:
    """"It is an object of the invention to provide ...", "An aim of the present disclosure is
    ...": what the invention is for, which a claim cannot be built from (its parts are what the
    inventors hope for, not what they made)."""
    return bool(_OBJECTIVE.search(sentence))


_OBJECTIVE = re.compile(r"\b(?:objects?|objectives?|aims?|purposes?|goals?)\s+of\s+(?:the|this)\s+"
                        r"(?:present\s+)?(?:invention|disclosure)\b|^it is (?:an?|the)\s+"
                        r"(?:\w+\s+)?(?:object|objective|aim|goal)\b", re.IGNORECASE)


# "problems ... may be at least partially addressed in an apparatus ... by determining ...":
# the sentence says how the invention solves them.
_SOLVED = re.compile(r"\b(?:addressed|solved|overcome|remedied|alleviated)\s+(?:in|by|with|"
                     r"through)\s+(?:an?\s|\w+ing\b)", re.IGNORECASE)


_PURPOSE = re.compile(r"^(?:in order )?to (?:solve|overcome|address|eliminate|achieve|attain)\s"
                      r"[^,]{1,100},\s*(?=\S)", re.IGNORECASE)


def statements(sentences: list[str]) -> list[Statement]:
    return [s for index, sentence in enumerate(sentences) for s in statements_in(sentence, index)]


def statements_in(sentence: str, index: int) -> list[Statement]:
    """Each "a X [for ...] comprising/including/having ..." of the sentence whose X opens the
    sentence or is introduced by "provides", "there is provided", "relates to"."""
    text = _EMBODIMENT.sub("", _LEAD.sub("", sentence.strip().rstrip(".")))
    text = _ASIDE.sub("", text)  # "A light emitting diode (LED) of the present invention has"
    bare = not re.match(r"(?:a|an|the|said)\s", text, re.IGNORECASE)
    if bare:  # "Shoe structure comprising ...": read it as "A shoe structure comprising ..."
        text = "A " + text[:1].lower() + text[1:]
    found: list[Statement] = []
    for position, phrase in enumerate(phrases(text)):
        opening = position == 0 and not text[:phrase.start].strip()
        if not (opening or _INTRODUCED.search(text[:phrase.start])):
            continue
        if phrase.determiner not in ("a", "an") and not opening:
            continue
        match = _STATED.match(text, phrase.end)
        if not match or re.search(r"\b(?:is|are|was|were)\b|,\s+(?:the|said)\s[^,]*$",
                                  match["tail"]):  # "..., the nozzle having": the nozzle's
            continue
        if re.search(r",\s*(?:which|that)\s+\w+s\s", match["tail"]):
            continue  # "a circuit, which provides advantages ..., including ...": what is
            # listed is the relative clause's (the advantages), not the circuit's
        body = _PREFERRED.sub(r"\1", _CHARACTERISED.sub(", wherein ", text[match.end():]))
        method = phrase.head in ("method", "methods", "process", "processes")
        items = _items(body, method)
        if _claim_like(items, method):
            preamble = " ".join(w for w in f"{text[phrase.start:phrase.end]}{match['tail']}"
                                .split() if w.lower() not in JUDGING)  # no "an improved X"
            first, _, rest = preamble.partition(" ")
            if first.lower() in ("a", "an") and rest:  # "a novel element" -> "an element"
                preamble = ("an " if rest[:1].lower() in "aeiou" else "a ") + rest
            found.append(Statement(preamble, lemma(phrase.head, "NOUN"), tuple(items), index,
                                   method))
        break  # one statement per sentence: the rest of it is the body
    return found


def _claim_like(items: list[str], method: bool) -> bool:
    """Items an attorney could keep: each opens as an element ("a", "two", "means") or, in a
    method, a step (a gerund); none is a sentence of its own ("..., is envisaged")."""
    if not items or (len(items) < 2 and len(items[0].split()) < 4):
        return False
    opening = _STEP if method else _ELEMENT
    return all(opening.match(i) and not FINITE.search(_RELATIVE.split(i)[0]) and not
               _HAS.search(_RELATIVE.split(i)[0]) for i in items) and not any(
        re.search(r"\bi\.\s?e\b|\be\.g\b", i) for i in items)


_RELATIVE = re.compile(r"\b(?:which|that|wherein|where|whereby|when|while|such that|so that)\b")
_STEP = re.compile(r"(?:\w+ly\s+)?\w+ing\b", re.IGNORECASE)
# "A first wheel having an apparatus ... has the following structure": an item with its own
# "has" is a sentence about what follows, not a part.
_HAS = re.compile(r"(?<!,)\s(?:has|have|comprises|includes|contains)\s")
_ELEMENT = re.compile(r"(?:a|an|the|said|each|every|one|two|three|four|at least|means|"
                      r"\w+ing)\b", re.IGNORECASE)
_ENUMERATION = re.compile(r"^\(?(?:[a-h]|i{1,3}|iv|v|\d)\)\s+")  # "(a) a portion", "b) passing"
# A clause with its own finite verb is a sentence, not an item ("a layer is formed").
FINITE = re.compile(r"(?<!\bthat)(?<!\bwhich)(?<!\bwherein)(?<!\bwhere)(?<!\bwhen)"
                     r"(?<!\bwhile)\s(?:is|are|was|were)\s(?!(?:\w+\s)?(?:to|by|in|with|from)\b)")


# A verb whose one object is two things, the second not yet named ("a spoke connecting the
# ring and the boss"): its "and the" goes on the item.
_JOINS = re.compile(r"\b(?:inter)?(?:connect|join|link|bridg)(?:s|es|ed|ing|e)?\s+(?:the|said)\s"
                    r"(?!.*\band\b)", re.IGNORECASE)


def _items(body: str, method: bool, limit: int = 12) -> list[str]:
    """The listed items: split at commas, semicolons and "and", a piece that does not open
    like an item ("at least partially made of ...") staying with the item before it, and so
    a "the" after the "and" of a "wherein" clause ("wherein the member and the core are
    coupled": one clause, not an item "the core coupled"), and a "the" after the "and" of a
    joining verb ("connecting the ring and the boss"); in a method, a piece that does not
    open with a gerund stays with the step before it."""
    pieces = re.split(r"(\s*;\s*(?:and\s+)?|\s*,\s*(?:and\s+|or\s+)?|\s+and\s+(?=(?:a|an|the|"
                      r"said|one|two|at least)\s)|(?<!ing)\s+and\s+(?=\w+ing\s))",
                      body.strip(" ,;"))  # "a housing and two parts", not "heating and pressing"
    items: list[str] = []
    previous = ""
    for piece, separator in zip(pieces[::2], [*pieces[1::2], ""], strict=True):
        piece = _ENUMERATION.sub("", piece.strip().removesuffix(":").strip())
        if not piece:
            continue
        in_wherein = bool(items and "and" in previous and re.search(r"\bwherein\b", items[-1]))
        continues = not (_STEP.match(piece) if method else _ITEM_START.match(piece)) or (
            not method and ("," in previous or in_wherein) and re.match(
                r"(?:the|said)\s", piece, re.I)) or bool(
            items and "and" in previous and re.search(r"\bbetween\b(?!.*\band\b)", items[-1])) or (
            items and "and" in previous and re.match(r"(?:the|said)\s", piece, re.I) and bool(
                _JOINS.search(items[-1])))  # "a spoke connecting the ring and the boss"
        if items and (continues or piece.lower().startswith(
                ("wherein", "whereby", "which", "that"))):
            items[-1] += (" and " if "and" in previous else ", ") + piece
        else:
            items.append(piece)
        previous = separator
    return [_concise(i.strip(" ,")) for i in items[:limit] if len(i.split()) >= 2]


_SIDE_CLAUSE = re.compile(r",?\s+(?:which|while|where|whereby|thereby|so that|so as to|such that|"
                          r"in order to|for example|e\.g\.)\s", re.IGNORECASE)


def _concise(item: str, words: int = 70) -> str:
    """A dense item keeps its head and essential modifiers: past `words` words it ends before
    its first side clause ("..., which longitudinal paths each define ... while ...")."""
    if len(item.split()) <= words:
        return item
    cut = next((m.start() for m in _SIDE_CLAUSE.finditer(item)
                if len(item[:m.start()].split()) >= 4), None)
    return item[:cut].rstrip(" ,") if cut else item


def passive_steps(sentence: str) -> list[str]:
    """"A workpiece is heated and pressed by the vessel" -> "heating and pressing a workpiece
    by the vessel": each clause of the sentence in the passive, as a step."""
    from lemminflect import getInflection

    steps = []
    text = _SUBORDINATE.sub(lambda m: m.group(1) + "; ", sentence.strip().rstrip("."))
    for clause in re.split(r";\s*|,\s*and\s+|,\s*(?:whereupon|whereafter|after which)\s+", text):
        match = _PASSIVE.match(clause.strip())
        if not match:
            continue
        verbs = [match["verb"]] + ([match["more"].split()[-1]] if match["more"] else [])
        gerunds = []
        for verb in verbs:
            base = lemma(verb, "VERB")
            forms = getInflection(base, tag="VBG") if "VERB" in parts_of_speech(verb) else ()
            if not forms or base in ("be", "have", "provide", "dispose", "arrange", "disclose",
                                     "describe", "present", "propose", "show"):
                break
            gerunds.append(forms[0])
        if len(gerunds) != len(verbs):
            continue
        step = f"{' and '.join(gerunds)} {match['np']}{match['rest']}".strip(" ,")
        if 4 <= len(step.split()) <= 35:
            steps.append(step)
    return steps


_AS_FINITE = {"having": "has", "including": "includes", "comprising": "comprises",
              "containing": "contains", "defining": "defines", "being": "is"}
_SINGULAR = {"are": "is", "have": "has", "were": "was"}
_VERB_AFTER = re.compile(r"(?:is|are|was|were|has|have|can|may|will|must|does|do)$")


def finite_body(body: str) -> str:
    """A "wherein" body as a statement about its element: "the engine including a head" ->
    "the engine includes a head", "the injector provided for" -> "the injector is provided
    for", "the condenser are" -> "the condenser is"; "" when it does not state anything
    ("the belly pan for reducing drag", "... is disclosed")."""
    if not body.startswith("wherein ") or re.search(r"\b(?:is|are) (?:disclosed|described)\b",
                                                       body):
        return "" if body.startswith("wherein ") else body
    clause = re.sub(r"\b(?:preferably|desirably|advantageously|typically),?\s", "",
                    body.removeprefix("wherein "))
    if re.search(r"\b(?:state of the art|prior art|described in|is considered)\b", clause):
        return ""  # background, not a feature
    found = phrases(clause)
    if not found or found[0].start != 0:
        return body if found else ""
    head, after = found[0], clause[found[0].end:].lstrip()
    verb, _, rest = after.partition(" ")
    plural = head.head.endswith("s") and not head.head.endswith("ss") and lemma(
        head.head, "NOUN") != head.head
    lower = verb.lower()
    if lower in _AS_FINITE:
        verb = _AS_FINITE[lower]
    elif lower.endswith("ed") and "VERB" in parts_of_speech(lower):
        verb = f"is {verb}"
    elif not (_VERB_AFTER.match(lower) or (lower.endswith("s") and verb_like(lower))
              or (plural and verb_like(lower))):
        return ""
    first, _, more = verb.partition(" ")
    if plural and first in ("is", "has"):
        first = {"is": "are", "has": "have"}[first]
    elif not plural and first in _SINGULAR:
        first = _SINGULAR[first]
    elif not plural and not first.endswith("s") and not _VERB_AFTER.match(first):
        return ""  # "the layer form ...": no agreement to be had
    verb = " ".join(w for w in (first, more) if w)
    return f"wherein {clause[:head.end]} {verb} {rest}".rstrip()
