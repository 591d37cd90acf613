"""Claim sets from plain text: numbered claims in any common style -> `Claim` objects and a tree.

Accepted numbering: "1. A ...", "1 . A ..." (USPTO full text), "1) A ...",
"Claim 1: A ...", "Claim 1. A ...". A claim may run over many lines; a new claim starts at the
beginning of a line, or mid-line after a sentence end when its number is the next one expected
(so "... of claim 2. The ..." stays inside its claim). An "Abstract" heading anywhere in the
text starts the abstract, which runs to the next claims heading or claim 1.

Parsing never raises: text with no numbered claim gives an empty `ClaimSet`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from torchworks.recipes.patents.claims.references import find_references

_LINE_START = re.compile(
    r"^[ \t]*(?:claim[ \t]+(\d{1,5})[ \t]*[.:)\-]?|(\d{1,5})[ \t]?[.)])"
    r"[ \t]*(?=[A-Za-z\"'(\u201c])",
    re.IGNORECASE | re.MULTILINE,
)
# The sentence end is matched, not looked behind for, so the scan skips to each '.' or ';'.
_MID_LINE = re.compile(r"[.;][ \t]+(\d{1,5})[ \t]?[.)][ \t]+(?=[A-Z])")
_ABSTRACT = re.compile(r"^[ \t]*abstract(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:disclosure|invention))?"
                       r"[ \t]*[:.]?[ \t]*", re.IGNORECASE | re.MULTILINE)
_CLAIMS_HEADING = re.compile(r"^[ \t]*(?:what is claimed is|claims|we claim|i claim|"
                             r"the invention claimed is)\b[^\n]*$", re.IGNORECASE | re.MULTILINE)

# Longest first so "consisting essentially of" wins over "consisting of".
TRANSITIONS = (
    "consisting essentially of", "consists essentially of", "consisting of", "consists of",
    "comprising", "comprises", "comprised of", "which comprises", "including", "includes",
    "containing", "contains", "having", "has", "composed of", "characterized in that",
    "characterised in that", "characterized by", "characterised by",
    "wherein the improvement comprises", "the improvement comprising", "the improvement comprises",
    "the improvement which comprises", "the improvement consisting of",
)
# Not inside a hyphenated word ("water-containing materials" has no transition). The
# lookahead for the phrases' first letters lets the scan skip other characters quickly.
_TRANSITION = re.compile(r"(?=[" + "".join(sorted({t[0] for t in TRANSITIONS})) + r"])(?<![-\w])("
                         + "|".join(re.escape(t) for t in TRANSITIONS) + r")\b[:,]?",
                         re.IGNORECASE)


@dataclass
class Claim:
    """One claim. `text` is the claim without its number; offsets below index into it."""

    number: int
    text: str
    parents: list[int] = field(default_factory=list)  # claims it depends on (its first reference)
    cited: list[int] = field(default_factory=list)  # every claim it refers to, in text order
    reference: str = ""  # the words that name the parents ("claim 1", "claims 1 or 2")
    alternative: bool = False  # a multiple dependency written in the alternative ("or", "any")
    preamble: str = ""
    transition: str = ""  # "" when the claim has none
    elements: list[str] = field(default_factory=list)
    line: int = 1  # line of the input where the claim starts (1-based)
    index: int = 0  # position in the claim set (0-based)

    @property
    def dependent(self) -> bool:
        return bool(self.parents)

    @property
    def kind(self) -> str:
        return "dependent" if self.parents else "independent"

    @property
    def multiple(self) -> bool:
        return len(self.parents) > 1


@dataclass
class ClaimSet:
    """Claims in input order. Treat as read-only once built: the tree walks are memoized."""

    claims: list[Claim] = field(default_factory=list)
    abstract: str = ""
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def by_number(self) -> dict[int, Claim]:
        """Number -> claim; with duplicated numbers the first claim wins."""
        if "table" not in self._memo:
            table: dict[int, Claim] = {}
            for claim in self.claims:
                table.setdefault(claim.number, claim)
            self._memo["table"] = table
        return self._memo["table"]

    def ancestors(self, claim: Claim) -> list[Claim]:
        """Every claim `claim` depends on, directly or not, in claim-number order.

        Only references to earlier claims are followed (a reference forward or to itself is a
        finding of its own), so the walk always ends, even on cyclic input. This lists the
        whole chain: rules that visit every claim use `walk()` instead, which is linear.
        """
        memo = self._memo.setdefault("ancestors", {})
        key = id(claim)
        if key not in memo:
            table = self.by_number()
            seen: set[int] = set()
            stack = [p for p in claim.parents if p < claim.number]
            while stack:
                number = stack.pop()
                if number in seen or number not in table:
                    continue
                seen.add(number)
                done = memo.get(id(table[number]))
                if done is not None:
                    seen.update(c.number for c in done)
                else:
                    stack.extend(p for p in table[number].parents if p < number)
            memo[key] = [table[n] for n in sorted(seen)]
        return memo[key]

    def primary_parent(self, claim: Claim) -> Claim | None:
        """The first existing earlier claim `claim` refers to: its parent in `walk()`'s tree."""
        table = self.by_number()
        return next((table[p] for p in claim.parents if p < claim.number and p in table), None)

    def walk(self) -> list[tuple[bool, Claim]]:
        """(entering?, claim) events of a depth-first walk of the dependency tree, each claim
        entered once, its dependents inside its enter/leave pair, in claim-set order.

        A rule that keeps what a chain introduced pushes a claim's terms on enter and pops them
        on leave: every claim then sees exactly its chain (through its primary parent; a
        multiple dependent claim adds `extra_ancestors`) in time linear in the claim set, where
        rebuilding each claim's chain from `ancestors` is quadratic on long chains.
        """
        if "walk" not in self._memo:
            kids: dict[int, list[Claim]] = {id(c): [] for c in self.claims}
            roots: list[Claim] = []
            for claim in self.claims:
                parent = self.primary_parent(claim)
                (kids[id(parent)] if parent is not None else roots).append(claim)
            events: list[tuple[bool, Claim]] = []
            stack: list[tuple[bool, Claim]] = [(True, c) for c in reversed(roots)]
            while stack:  # iterative: chains may be thousands of claims deep
                entering, claim = stack.pop()
                events.append((entering, claim))
                if entering:
                    stack.append((False, claim))
                    stack.extend((True, c) for c in reversed(kids[id(claim)]))
            self._memo["walk"] = events
        return self._memo["walk"]

    def extra_ancestors(self, claim: Claim) -> list[Claim]:
        """Ancestors of a multiple dependent claim that its primary parent's chain lacks."""
        if not claim.multiple:
            return []
        parent = self.primary_parent(claim)
        if parent is None:
            return []
        on_chain = {id(c) for c in self.ancestors(parent)} | {id(parent)}
        return [c for c in self.ancestors(claim) if id(c) not in on_chain]

    def descendants(self, claim: Claim) -> list[Claim]:
        """Every claim that depends on `claim`, directly or not (quadratic: for tools only)."""
        memo = self._memo.get("descendants")
        if memo is None:
            memo = {id(c): [] for c in self.claims}
            for other in self.claims:
                for ancestor in self.ancestors(other):
                    memo[id(ancestor)].append(other)
            self._memo["descendants"] = memo
        return memo.get(id(claim), [])

    def children(self, number: int) -> list[Claim]:
        """The claims that refer to claim `number` as one of their parents."""
        if "children" not in self._memo:
            table: dict[int, list[Claim]] = {}
            for claim in self.claims:
                for parent in dict.fromkeys(claim.parents):
                    table.setdefault(parent, []).append(claim)
            self._memo["children"] = table
        return self._memo["children"].get(number, [])

    def roots(self) -> list[Claim]:
        """Independent claims, and dependents whose parents are all absent or not earlier."""
        return [c for c in self.claims if self.primary_parent(c) is None]


def parse_claims(text: str) -> ClaimSet:
    """Parse a claim set (and an abstract, if headed "Abstract") from plain text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    abstract, text = _split_abstract(text)
    claims = [build_claim(number, body, line) for number, body, line in _split(text)]
    return ClaimSet(claims=_indexed(claims), abstract=abstract)


def parse_claim_list(claims: list[str], abstract: str = "") -> ClaimSet:
    """Claims already split (one string each, numbered or not, e.g. from JSON) -> ClaimSet."""
    built = []
    for index, raw in enumerate(claims, start=1):
        match = _LINE_START.match(raw)
        number = index
        if match:
            number = int(next(g for g in match.groups() if g))
            raw = raw[match.end():]
        built.append(build_claim(number, " ".join(raw.split()), index))
    return ClaimSet(claims=_indexed(built), abstract=" ".join(abstract.split()))


def _indexed(claims: list[Claim]) -> list[Claim]:
    for index, claim in enumerate(claims):
        claim.index = index
    return claims


def build_claim(number: int, text: str, line: int = 1) -> Claim:
    """Analyse one claim's text (without its number)."""
    parents, cited, reference, alternative = find_references(text, number)
    transition = _transition(text)
    if transition:
        preamble = text[:transition.start()].strip(" ,:;")
        body = text[transition.end():]
        word = transition.group(1).lower()
    else:
        preamble, body, word = _split_without_transition(text)
    return Claim(number=number, text=text, parents=parents, cited=cited, reference=reference,
                 alternative=alternative, preamble=preamble, transition=word,
                 elements=split_elements(body), line=line)


def _transition(text: str) -> re.Match[str] | None:
    """The transitional phrase right after the preamble: the last one before the first ':'
    (the body starts there), else the first one in the claim. "A vacuum cleaner: a housing
    having ..." has none: 'having' is inside the body."""
    colon = text.find(":")
    if colon < 0:
        found = _TRANSITION.search(text)
        listed = COMMA_LIST.match(text)
        # "A treatment system, at least one tank ..., an air supply, ...": the elements follow
        # the preamble's comma, so a 'having' further on describes one of them
        return None if found and listed and found.start() > listed.end(1) else found
    for found in reversed(list(_TRANSITION.finditer(text, 0, colon + 1))):
        between = text[found.end():colon].split()
        if found.group(1).lower() not in _WEAK or not between or found.group(0)[-1] == "," or (
                len(between) <= 6 and not _ELEMENT_LIST.match(text, colon + 1)):
            return found
        # "A cleaner for dust having a filter and a motor casing: ..." and "A VCO circuit
        # having low jitter: a first stage; ..." - 'having' describes the subject and the
        # elements follow the colon; an earlier "comprising;" may still be the transition
    return None


# A preamble, a comma and a list of elements with no transition between them.
COMMA_LIST = re.compile(r"(?:an?|one)\s+[^,;:]{1,80}(,)\s+(?:a|an|at\s+least\s+one|one\s+or\s+"
                        r"more|a\s+plurality\s+of)\s[^,;:]{1,120},\s+(?:and\s+)?(?:an?|at\s+least)\s",
                        re.IGNORECASE)
# Elements after a colon: "a first stage; ...", "(a) a lanyard ...; ...", "forming ...; ...".
_ELEMENT_LIST = re.compile(r"\s*(?:\(?[a-z0-9]{1,3}[.)]\s*(?:a|an|at\s+least|one\s+or\s+more|"
                           r"two|three|first|[a-z]+ing)\b|(?:a|an|at\s+least|one\s+or\s+more|"
                           r"two|three|first|[a-z]+ing|[a-z]+\s+means)\b[^;:]*;)",
                           re.IGNORECASE)


# Transitions that also describe the preamble's subject ("a cup having a handle, ...").
_WEAK = frozenset({"having", "has", "including", "includes", "containing", "contains"})


def split_elements(body: str) -> list[str]:
    """The body's elements: parts separated by ';' (and a leading 'and'), else the whole body."""
    parts = [p.strip(" \t\n,:") for p in body.split(";")]
    parts = [(_LEADING_AND.sub("", p) if p[:1] in "aAoO" else p).rstrip(".").strip()
             for p in parts]
    return [p for p in parts if p]


_LEADING_AND = re.compile(r"^(?:and|or)\s+", re.IGNORECASE)


def _split_without_transition(text: str) -> tuple[str, str, str]:
    """A claim without a transitional phrase: preamble up to ':' or ', wherein', if any."""
    for marker in (":", ", wherein", " wherein"):
        at = text.find(marker)
        if at > 0:
            return text[:at].strip(" ,"), text[at + len(marker):], ""
    return text.strip(" ."), "", ""


def _split_abstract(text: str) -> tuple[str, str]:
    match = _ABSTRACT.search(text)
    if not match:
        return "", text
    rest = text[match.end():]
    end = len(rest)
    for pattern in (_CLAIMS_HEADING, _LINE_START):
        following = pattern.search(rest)
        if following and following.start() < end and (
                pattern is _CLAIMS_HEADING or _first_number(following) == 1):
            end = following.start()
    abstract = " ".join(rest[:end].split())
    return abstract, text[:match.start()] + "\n" + rest[end:]


def _first_number(match: re.Match[str]) -> int:
    return int(next(g for g in match.groups() if g))


def count_claims(text: str, stop_after: int | None = None) -> int:
    """How many claims `parse_claims(text)` builds, found without building them, so that a
    cap on one request's claims is checked before the work. With `stop_after`, counting stops
    once more than that many are certain: the answer is exact up to `stop_after`, and
    `stop_after + 1` means at least that many (an 8,000-claim flood costs 1,001 matches)."""
    text = _split_abstract(text.replace("\r\n", "\n").replace("\r", "\n"))[1]
    if stop_after is not None:  # line starts alone are a lower bound: mid-line ones only add
        starts = 0
        for match in _LINE_START.finditer(text):
            starts += not _after_claim_word(text, match.start())
            if starts > stop_after:
                return starts
    return len(_claim_starts(text))


def _split(text: str) -> list[tuple[int, str, int]]:
    """(number, body, line) for each claim start found, in text order."""
    found = _claim_starts(text)
    claims = []
    line, counted = 1, 0
    for index, (start, body, number) in enumerate(found):
        end = found[index + 1][0] if index + 1 < len(found) else len(text)
        line += text.count("\n", counted, start)  # counted once, in order: linear in the text
        counted = start
        claims.append((number, " ".join(text[body:end].split()), line))
    return claims


def _claim_starts(text: str) -> list[tuple[int, int, int]]:
    """(start offset, body offset, number) of each claim, in text order."""
    starts: list[tuple[int, int, int]] = []
    for match in _LINE_START.finditer(text):
        if not _after_claim_word(text, match.start()):
            starts.append((match.start(), match.end(), _first_number(match)))
    if not starts:
        return []
    found: list[tuple[int, int, int]] = []
    for index, (start, body, number) in enumerate(starts):
        found.append((start, body, number))
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        expected = number + 1
        for inner in _MID_LINE.finditer(text, body, end):
            if int(inner.group(1)) == expected:
                found.append((inner.start(1), inner.end(), expected))
                expected += 1
    found.sort()
    return found


def _after_claim_word(text: str, at: int) -> bool:
    """True for "... of claim" + newline + "2. The": a wrapped reference, not a new claim."""
    window = text[max(0, at - 12):at]
    if window.isascii() and "claim" not in window.lower():
        return False  # a cheap test before the pattern, which needs the word
    return bool(_CLAIM_WORD_BEFORE.search(text, max(0, at - 12), at))


_CLAIM_WORD_BEFORE = re.compile(r"\bclaims?\s*$", re.IGNORECASE)
