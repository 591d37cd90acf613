"""Claim sets with one defect put in on purpose: the checker's recall is measured on them.

Each `Defect` is a real claim set (as text) with one change a drafter could make by mistake,
and the claims where the checker should report it:

- `dependency-*`: a dependent claim made to refer to a later claim, a missing claim or itself;
- `antecedent-*`: an element's introduction removed, either its "a" turned into "the"
  (`antecedent-article`) or the whole "a X ..." element deleted (`antecedent-dropped`), while
  the claim or its dependents still say "the/said X";
- `numbering-duplicate`: a claim given the number of the claim before it; `numbering-gap`: a
  number skipped (every claim from one on renumbered, references kept);
- `multiple-on-multiple`: two dependent claims rewritten as multiple dependent claims, the
  second of them on the first (35 USC 112(e));
- `transition-removed`: the transitional phrase right after an independent claim's preamble
  deleted ("A lamp comprising: a base" -> "A lamp: a base");
- `element-twice`: an element the chain already introduced ("a microcontroller" in claim 1)
  introduced again in a dependent claim ("..., further comprising a microcontroller").

Defects are drawn deterministically from a seed, so a benchmark run is reproducible.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from torchworks.recipes.patents.claims.parse import (
    TRANSITIONS,
    Claim,
    ClaimSet,
    parse_claim_list,
)
from torchworks.recipes.patents.claims.terms import mentions

# defect kind -> the finding rules that count as catching it
EXPECTED_RULES = {
    "dependency-later": ("dependency-later", "dependency-missing"),
    "dependency-missing": ("dependency-missing",),
    "dependency-self": ("dependency-self",),
    "antecedent-article": ("antecedent-basis",),
    "antecedent-dropped": ("antecedent-basis",),
    "numbering-duplicate": ("numbering-duplicate",),
    "numbering-gap": ("numbering-gap",),
    "multiple-on-multiple": ("multiple-dependency-chain",),
    "transition-removed": ("transition-missing",),
    "element-twice": ("element-reintroduced",),
}


@dataclass(frozen=True)
class Defect:
    kind: str
    source: str  # the claim set it was made from
    text: str  # the whole claim set, one numbered claim per line
    claims: tuple[int, ...]  # where a finding must appear to count as caught
    note: str  # what was changed, for reports


def claim_set_text(claims: list[tuple[int, str]]) -> str:
    return "\n".join(f"{number}. {text}" for number, text in claims) + "\n"


def make_defects(source: str, claim_texts: list[str], rng: random.Random,
                 per_kind: int = 2) -> list[Defect]:
    """Up to `per_kind` defects of each kind from one real claim set."""
    claim_set = parse_claim_list(claim_texts)
    pairs = [(c.number, c.text) for c in claim_set.claims]
    defects: list[Defect] = []
    for make in (_dependency_later, _dependency_missing, _dependency_self, _antecedent_article,
                 _antecedent_dropped, _duplicate, _gap, _multiple_on_multiple,
                 _transition_removed, _element_twice):
        candidates = make(claim_set, pairs)
        rng.shuffle(candidates)
        defects.extend(Defect(kind=kind, source=source, text=claim_set_text(changed),
                              claims=where, note=note)
                       for kind, changed, where, note in candidates[:per_kind])
    return defects


Candidate = tuple[str, list[tuple[int, str]], tuple[int, ...], str]


def _replace(pairs: list[tuple[int, str]], number: int, text: str) -> list[tuple[int, str]]:
    return [(n, text if n == number else t) for n, t in pairs]


def _retarget(claim: Claim, target: int) -> str:
    parent = claim.parents[0]
    return re.sub(rf"(\bclaims?\s+){parent}\b", rf"\g<1>{target}", claim.text, count=1)


def _single_dependents(claim_set: ClaimSet) -> list[Claim]:
    return [c for c in claim_set.claims if len(c.parents) == 1]


def _dependency_later(claim_set: ClaimSet, pairs: list[tuple[int, str]]) -> list[Candidate]:
    last = max((c.number for c in claim_set.claims), default=0)
    return [("dependency-later", _replace(pairs, c.number, _retarget(c, c.number + 1)),
             (c.number,), f"claim {c.number} now refers to claim {c.number + 1}")
            for c in _single_dependents(claim_set) if c.number < last]


def _dependency_missing(claim_set: ClaimSet, pairs: list[tuple[int, str]]) -> list[Candidate]:
    absent = max((c.number for c in claim_set.claims), default=0) + 7
    return [("dependency-missing", _replace(pairs, c.number, _retarget(c, absent)),
             (c.number,), f"claim {c.number} now refers to claim {absent}")
            for c in _single_dependents(claim_set)]


def _dependency_self(claim_set: ClaimSet, pairs: list[tuple[int, str]]) -> list[Candidate]:
    return [("dependency-self", _replace(pairs, c.number, _retarget(c, c.number)),
             (c.number,), f"claim {c.number} now refers to itself")
            for c in _single_dependents(claim_set)]


def _duplicate(claim_set: ClaimSet, pairs: list[tuple[int, str]]) -> list[Candidate]:
    out = []
    for index in range(1, len(pairs)):
        number = pairs[index][0]
        changed = [(pairs[index - 1][0] if i == index else n, t) for i, (n, t) in enumerate(pairs)]
        out.append(("numbering-duplicate", changed, (pairs[index - 1][0],),
                    f"claim {number} renumbered {pairs[index - 1][0]}"))
    return out


def _referenced(claim_set: ClaimSet, claim: Claim, stems: tuple[str, ...], after: int) -> list[int]:
    """Claims of `claim`'s family that say "the/said <stems>" after offset `after` in `claim`."""
    where = []
    if any(m.definite and m.stems == stems and m.start > after for m in mentions(claim.text)):
        where.append(claim.number)
    for other in claim_set.descendants(claim):
        if any(m.definite and m.stems == stems for m in mentions(other.text)):
            where.append(other.number)
    return where


def _introductions(claim_set: ClaimSet):
    """(claim, mention, claims referring to it) for multi-word "a/an X" referred to later,
    where X's words appear nowhere earlier in the chain (so removing it is a real defect)."""
    for claim in claim_set.claims:
        before = " ".join(a.text.lower() for a in claim_set.ancestors(claim))
        for mention in mentions(claim.text):
            if mention.determiner not in ("a", "an") or len(mention.words) < 2:
                continue
            phrase = mention.phrase
            if phrase in before or phrase in claim.text[:mention.start].lower():
                continue
            where = _referenced(claim_set, claim, mention.stems, mention.end)
            if where:
                yield claim, mention, where


def _antecedent_article(claim_set: ClaimSet, pairs: list[tuple[int, str]]) -> list[Candidate]:
    out = []
    for claim, mention, where in _introductions(claim_set):
        head = claim.text[:mention.start]
        article = re.search(r"\b(an?)\s+$", head, re.IGNORECASE)
        if not article:
            continue
        text = head[:article.start()] + "the " + claim.text[mention.start:]
        out.append(("antecedent-article", _replace(pairs, claim.number, text),
                    (claim.number, *where), f"claim {claim.number}: 'a {mention.phrase}' -> "
                    f"'the {mention.phrase}'"))
    return out


def _antecedent_dropped(claim_set: ClaimSet, pairs: list[tuple[int, str]]) -> list[Candidate]:
    """Delete a whole ';'-separated element that introduces a term used later."""
    out = []
    for claim, mention, where in _introductions(claim_set):
        start = claim.text.rfind(";", 0, mention.start) + 1
        colon = claim.text.rfind(":", 0, mention.start) + 1
        start = max(start, colon)
        end = claim.text.find(";", mention.end)
        if start == 0 or end < 0 or not re.match(r"\s*(?:and\s+)?an?\s*$",
                                                  claim.text[start:mention.start]):
            continue
        text = claim.text[:start] + claim.text[end + 1:]
        remaining = [n for n in where if n != claim.number or mention.stems in
                     {m.stems for m in mentions(text) if m.definite}]
        if remaining:
            out.append(("antecedent-dropped", _replace(pairs, claim.number, text),
                        tuple(remaining), f"claim {claim.number}: element "
                        f"'{claim.text[start:end].strip()[:60]}' deleted"))
    return out


def _gap(claim_set: ClaimSet, pairs: list[tuple[int, str]]) -> list[Candidate]:
    """Claim k and every claim after it numbered one higher (references left as they were)."""
    out = []
    for index in range(1, len(pairs)):
        changed = [(n + 1 if i >= index else n, t) for i, (n, t) in enumerate(pairs)]
        out.append(("numbering-gap", changed, (changed[index][0],),
                    f"claims from {pairs[index][0]} on numbered one higher"))
    return out


def _multiple_on_multiple(claim_set: ClaimSet, pairs: list[tuple[int, str]]) -> list[Candidate]:
    """Dependent claims a < b: a on "any one of claims 1 to a-1", b on "claim a-1 or claim a"."""
    out = []
    singles = [c for c in _single_dependents(claim_set) if c.number >= 3]
    for first in singles:
        later = next((c for c in singles if c.number > first.number), None)
        if later is None:
            continue
        a = first.number
        text_a = re.sub(rf"\bclaims?\s+{first.parents[0]}\b",
                        f"any one of claims 1 to {a - 1}", first.text, count=1)
        text_b = re.sub(rf"\bclaims?\s+{later.parents[0]}\b",
                        f"claim {a - 1} or claim {a}", later.text, count=1)
        changed = _replace(_replace(pairs, a, text_a), later.number, text_b)
        out.append(("multiple-on-multiple", changed, (later.number,),
                    f"claim {a} made multiple dependent, claim {later.number} on it"))
    return out


_AFTER_PREAMBLE = re.compile(r",?\s*\b(" + "|".join(re.escape(t) for t in TRANSITIONS) +
                             r")\b(?=\s*[:,])", re.IGNORECASE)


def _transition_removed(claim_set: ClaimSet, pairs: list[tuple[int, str]]) -> list[Candidate]:
    out = []
    for claim in claim_set.claims:
        if claim.dependent or not claim.transition:
            continue
        match = _AFTER_PREAMBLE.search(claim.text)
        if not match or match.start() > 300 or claim.text[:match.start()].count(",") > 2 \
                or match.group(1).lower() != claim.transition \
                or claim.text[:match.start()].rstrip().lower().endswith("group"):
            continue  # only the claim's own transition, not a Markush "group consisting of"
        text = claim.text[:match.start()] + claim.text[match.end():]
        out.append(("transition-removed", _replace(pairs, claim.number, text), (claim.number,),
                    f"claim {claim.number}: '{match.group(1)}' deleted"))
    return out


def _element_twice(claim_set: ClaimSet, pairs: list[tuple[int, str]]) -> list[Candidate]:
    """A dependent claim that introduces again a multi-word element of its parent claim."""
    out = []
    table = claim_set.by_number()
    for claim in _single_dependents(claim_set):
        parent = table.get(claim.parents[0])
        if parent is None or parent.number >= claim.number:
            continue
        element = next((m for m in mentions(parent.text) if m.determiner in ("a", "an")
                        and len(m.words) >= 2 and m.words[-1].isalpha()), None)
        if element is None:
            continue
        phrase = parent.text[element.start:element.end]
        article = "an" if phrase[:1].lower() in "aeiou" else "a"
        text = claim.text.rstrip(" .") + f", and further comprising {article} {phrase}."
        out.append(("element-twice", _replace(pairs, claim.number, text), (claim.number,),
                    f"claim {claim.number}: '{article} {phrase}' of claim {parent.number} "
                    "introduced again"))
    return out
