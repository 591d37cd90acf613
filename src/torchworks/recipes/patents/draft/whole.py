"""Claim 1 as the disclosure's own statement of the invention, whole.

An abstract's first sentence is often an attorney's claim 1 in prose: "The invention relates to
a device for storage of holders, comprising at least one tier, each tier comprising ...",
"Disclosed are derivatives according to formula (I), wherein R represents ...", "A process
for producing a strip, in which a melt is introduced ...". Cut into listed items, such a
sentence loses its structure ("each tier comprising", "wherein R represents") and its
relations; kept whole, with the document's words removed ("the invention relates to", "is
disclosed"), the subject named as the claims name it and the articles rewritten for antecedent
basis, it is the claim. A summary often states it after a preface or an object sentence
("To that end, the present invention provides a device ...", "According to one embodiment, a
motor control apparatus may have: ..."), or only after its objects and advantages, or states
a device and then its method; so every sentence that opens with the invention is a candidate
(a sentence naming a device and its method, "... and a method for manufacturing the same", is
none), a statement continuing another ("The method may further include ...") is left out, and
of the clean ones the claim carrying most of the disclosure is kept. The builder's claim is
kept when this one says less (`pipeline.py` compares them) or when no sentence opens with the
invention itself. Which sentences are statements is `stated.py`'s job.
"""

from __future__ import annotations

import re
from dataclasses import replace

from torchworks.recipes.patents.draft.articles import rewrite
from torchworks.recipes.patents.draft.builder import Claim, dependents_of
from torchworks.recipes.patents.draft.chunk import article, lemma, phrases
from torchworks.recipes.patents.draft.disclosure import Disclosure, element_name
from torchworks.recipes.patents.draft.following import following_clauses
from torchworks.recipes.patents.draft.garbled import repaired
from torchworks.recipes.patents.draft.mend import mended_claim
from torchworks.recipes.patents.draft.stated import (
    LISTING,
    NOT_A_TAIL,
    part_opening,
    parts_stated_next,
    stated_sentence,
    stated_sentences,
    two_inventions,
)
from torchworks.recipes.patents.draft.statement import JUDGING
from torchworks.recipes.patents.draft.strict import check_draft
from torchworks.recipes.patents.draft.subject import is_method
from torchworks.recipes.patents.draft.wording import (
    capital,
    connect,
    is_part,
    preamble_of,
    without_self_praise,
)

_STEPS = re.compile(r"^(?:the |a number of |a plurality of )?(?:following )?steps(?: of)?\s*:?\s*",
                    re.IGNORECASE)  # "comprises the following steps: (a) ..."
WORDS = 220  # a claim past this says more than claim 1 should (granted claims 1: ~150 words)



def _one_invention(phrase: str) -> str:
    """"derivatives" -> "a derivative", "A novel modified polymer" -> "a modified polymer",
    "a VCO circuit" as written: the preamble in the sentence's words, one invention."""
    words = [w for w in phrase.split()[1:] if w.lower() not in JUDGING]
    head = words[-1]
    if head.islower() and lemma(head, "NOUN") != head:
        words[-1] = lemma(head, "NOUN")
    name = " ".join(words)
    return ("an " if article(name.lower()).startswith("an ") else "a ") + name


def whole_claims(disclosure: Disclosure, dependents: int) -> list[Claim]:
    """Claim 1 in a statement's own words and the dependents that add what it lacks ([] when
    no statement makes a clean claim). Of the statements the disclosure makes (every sentence
    `stated_sentences` takes; a first sentence opening with a part when none of the first four
    is one), the claim that carries most of the disclosure (`coverage`) is kept, leaving out
    statements that continue another ("The method may further include ...": a dependent's
    content) and those the strict check faults once mended (`mend.py`)."""
    best: tuple[int, list[Claim]] | None = None
    statements = stated_sentences(disclosure)
    early = statements and statements[0][0].start < 4  # what `whole_claim` alone would take
    for stated in statements + ([] if early else [None]):
        chain: set[str] = set()
        text, read = whole_claim(disclosure, chain, stated) if stated else _part_first(
            disclosure, chain)
        if not text or _continues(text):
            continue
        text = mended_claim(repaired(without_self_praise(text)), disclosure)
        claims = _with_dependents(disclosure, text, chain, read, dependents)
        report = check_draft([c.text for c in claims], disclosure.vocabulary,
                             disclosure.modifiers)
        if any(f.severity == "error" and not f.index for f in report.findings):
            continue  # claim 1 itself is faulted, alone or as its dependents read it
        carried = coverage(claims[0].text, disclosure)
        if best is None or carried > best[0]:
            best = (carried, claims)
    return best[1] if best else []


def _with_dependents(disclosure: Disclosure, text: str, chain: set[str], read: set[int],
                     dependents: int) -> list[Claim]:
    claims = [Claim(text, None, frozenset(chain))]
    used = {r for r in disclosure.relations if r.sentence in read}
    label = "method" if is_method(text.split(" ", 1)[1]) and not is_method(
        disclosure.subject) else ""  # "A method for forming interconnects" (a product title)
    return claims + [Claim(without_self_praise(c.text), c.parent, c.introduces)
                     for c in dependents_of(disclosure, claims, dependents, used, label)]


def _continues(claim: str) -> bool:
    """The preamble says the statement adds to another ("A method further comprising: ...",
    "A device also comprising: ...")."""
    preamble = re.split(r"\s+comprising\b|,|\s+(?:wherein|in which)\b", claim, maxsplit=1)[0]
    return re.search(r"\b(?:further|also|additionally|may)\b", preamble,
                     re.IGNORECASE) is not None


def whole_claim(disclosure: Disclosure, chain: set[str],
                stated: tuple[range, str] | None = None) -> tuple[str, set[int]]:
    """Claim 1 in the statement's own words ("" when the disclosure has no such sentence or it
    makes no claim) and the sentences it holds: the preamble as the subject's, "comprising:"
    where the sentence lists parts, then the sentences after it that say how the parts work,
    as "wherein" clauses. `chain` receives the elements the claim introduces. `stated` is the
    statement to claim (the first `stated_sentence` when None)."""
    stated = stated or stated_sentence(disclosure)
    if not stated:
        return _part_first(disclosure, chain)
    held, text = stated
    found = phrases(text)[0]
    rest = text[found.end:]
    if two_inventions(rest):
        return "", set()
    preamble = _one_invention(text[found.start:found.end])
    if is_method(preamble.split(" ", 1)[1]) and not is_method(disclosure.subject):
        # a method of making the titled product: "to form a nanocomposite" is no reference
        # to the invention (the method) but a thing the method makes
        disclosure = replace(disclosure, subject=preamble.split(" ", 1)[1].lower())
    listing = LISTING.match(rest)
    if listing and not NOT_A_TAIL.search(listing["tail"]):
        tail = listing["tail"].rstrip(" ,")
        body = _STEPS.sub("", rest[listing.end():], count=1)  # "comprising:" says it
        if len(body.split()) < 3:
            return "", set()
        head = f"{preamble}{tail} comprising: "
        main = re.search(r",\s+(?:includes|comprises|has|contains)\s+", body)
        if main and listing["kw"].lower() in ("having", "including", "comprising", "containing"):
            # "an image reader, having a conveying part ..., includes a noise detection part":
            # what it has is the preamble's, what it includes is the claim's list
            head = f"{preamble}{tail} {listing['kw'].lower()} {body[:main.start()]}, comprising: "
            body = body[main.end():]
        aside = re.match(r",\s*([^,;:]{3,60}),\s*", body)  # "comprises, on a substrate, an ..."
        if aside:
            head, body = f"{preamble}{tail} comprising, {aside[1]}: ", body[aside.end():]
    else:
        body = rest.strip()
        if not body or len(body.split()) < 4:
            return "", set()
        if body[:1] in ",(" or re.match(r"(?:for|of|to|with|in|on|according|wherein|in which|"
                                        r"by|represented|corresponding|having)\b", body):
            head = preamble + ("" if body[:1] in ",(" else " ")
        else:
            body = connect(re.sub(r"^(?:which|that)\s+", "", body))
            head = preamble + " "
        parts = parts_stated_next(disclosure, held[-1] + 1, found.head)
        if parts and re.match(r"(?:for|of|to|with|in|on)\b", body) and not re.search(
                r"\b(?:wherein|which|that)\b", body):
            head, body = f"{head}{body}, comprising: ", parts
            held = range(held.start, held[-1] + 2)
    while "comprising" in head and (more := parts_stated_next(
            disclosure, held[-1] + 1, found.head, further=True)):
        body, held = f"{body.rstrip(' ,;')}; {more}", range(held.start, held[-1] + 2)
    claim_words = len(head.split()) + len(body.split())
    if claim_words > WORDS:
        return "", set()
    for phrase in phrases(head)[1:]:  # what the preamble names is introduced there
        chain.add(disclosure.canonical(element_name(phrase)))
    return _with_following(disclosure, capital(head), body, held, chain)


def _part_first(disclosure: Disclosure, chain: set[str]) -> tuple[str, set[int]]:
    """Claim 1 from a first sentence that opens with a part ("A drive unit which operates
    ... is connected to a stopping unit ..."): the part is the claim's first element and the
    sentence says of it what the disclosure says, "comprising: a drive unit, wherein the drive
    unit which operates ... is connected to ..."."""
    opening = part_opening(disclosure)
    if not opening:
        return "", set()
    held, text = opening
    found = phrases(text)[0]
    name = disclosure.canonical(element_name(found))
    rest = text[found.end:].strip(" ,")
    if found.determiner not in ("a", "an") or name not in disclosure.elements or not is_part(
            name) or name.split()[-1] in ("method", "process") or rest.startswith("of ") or len(
            rest.split()) < 4 or not re.search(r"\b(?:is|are|has|have)\b|\b\w+s\s+(?:a|an|the)\b",
                                                rest):
        return "", set()
    written = text[found.start:found.end].split(" ", 1)[1]
    chain.add(name)
    head = (f"{capital(preamble_of(disclosure.subject))} comprising: {article(written)}, "
            f"wherein the {written} ")
    if len(head.split()) + len(rest.split()) > WORDS:
        return "", set()
    return _with_following(disclosure, head, rest, held, chain)


def _with_following(disclosure: Disclosure, head: str, body: str, held: range,
                    chain: set[str]) -> tuple[str, set[int]]:
    """The head, the body with its articles rewritten, and the "wherein" clauses of the
    sentences after `held`; and the sentences it holds."""
    def reword(clause: str, names: set[str]) -> str:
        return rewrite(clause, names, disclosure)

    claim_words = len(head.split()) + len(body.split())
    text = head + reword(body, chain)
    chain.update(n for n in disclosure.elements  # named bare: "processes pictures of tags"
                 if re.search(rf"\b{re.escape(n)}\b", text, re.IGNORECASE))
    clauses, read = following_clauses(disclosure, held[-1], chain, set(), reword,
                                      WORDS - claim_words)
    text += "".join(f", {'and ' if n else ''}{c}" for n, c in enumerate(clauses))
    return text.rstrip(" ,;") + ".", read | set(held)


def coverage(claim: str, disclosure: Disclosure) -> int:
    """How much of what the disclosure says, in its order, the claim carries: the longest
    common subsequence of their words (articles aside, so "a"/"the" rewriting does not
    count). Of two clean drafts of claim 1 the one that carries more is kept."""
    said = _words(" ".join(s for i, s in enumerate(disclosure.sentences)
                          if i not in disclosure.aside))
    at: dict[str, int] = {}  # word -> bit mask of its positions in `said`
    for j, word in enumerate(said):
        at[word] = at.get(word, 0) | 1 << j
    full = (1 << len(said)) - 1
    row = full  # bit-parallel LCS (Hyyrö 2004): the zero bits of `row` count the matches
    for word in _words(claim):
        matched = row & at.get(word, 0)
        row = ((row + matched) | (row - matched)) & full
    return len(said) - row.bit_count()


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _ARTICLES]


_ARTICLES = frozenset({"a", "an", "the", "said", "plurality", "of"})
