""""wherein" clauses for claim 1 from the sentences that follow the disclosure's statement.

An abstract is often a compressed claim 1: a first sentence that states the invention ("A
razor includes a handle and a detachable blade cartridge.") and a few sentences that say how
the stated parts work together ("The end of the handle has a pivot ..."). An attorney keeps
those sentences as the claim's "wherein" clauses, in the disclosure's own words, so they are
read here: a sentence qualifies when it opens with an element claim 1 already names (or
something placed on one: "locking arms are provided on the side walls"), states something of
it with its own verb, and is neither optional ("may"), background, nor an advantage ("Thus,
it is possible to ..."). The builder rewrites the articles; claim 1 stays within a word budget
so it does not swallow a long summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from torchworks.recipes.patents.draft.chunk import lemma, phrases
from torchworks.recipes.patents.draft.disclosure import Disclosure, element_name
from torchworks.recipes.patents.draft.statement import finite_body
from torchworks.recipes.patents.draft.wording import presents_only

# Sentences that give a result, an advantage or a use, not a part or how it works.
_CONSEQUENCE = re.compile(
    r"^(?:thus|therefore|accordingly|hence|consequently|as a result|in this way|in this manner|"
    r"by (?:doing )?(?:this|these|such)|with (?:this|such|the above)|this|these|it|there|"
    r"such|also|further|furthermore|moreover|in addition|additionally|finally|lastly|"
    r"according to|in (?:one|another|a further|some|the)|an? (?:\w+ )?(?:method|process|kit|"
    r"system|apparatus)\b)", re.IGNORECASE)
_NOT_STRUCTURE = re.compile(
    r"\b(?:advantage|advantageous|possible|enabl|allow(?:s|ing)? (?:the )?user|easily|"
    r"inexpensive|cost|efficient|desired|desirable|reduc(?:e|es|ed|ing) (?:the )?(?:cost|"
    r"size|weight)|invention|embodiment|disclosed|described|provides? (?:an?|the) (?:\w+ )?"
    r"(?:advantage|benefit)|i\.e\.|e\.g\.|etc\b|such as|or the like)", re.IGNORECASE)

Rewrite = Callable[[str, set[str]], str]


def following_clauses(disclosure: Disclosure, after: int, chain: set[str], skip: set[int],
                      rewrite: Rewrite, budget: int) -> tuple[list[str], set[int]]:
    """The "wherein ..." clauses (articles rewritten by `rewrite` against `chain`, which
    grows) from the sentences after sentence `after` (those in `skip`, whose relation claim 1
    already carries, passed over), at most `budget` words in all, and the
    indexes of the sentences used. A sentence about other things is passed over; it stops at
    a result, an advantage, an option or background: past it the disclosure has moved on.
    Of two or more such sentences the last is left to a dependent claim: claim 1 should not
    hold every detail."""
    candidates = _candidates(disclosure, after, set(chain), skip, rewrite, budget)
    keep = candidates[:max(1, len(candidates) - 1)]  # the last stays for a dependent
    clauses = _candidates(disclosure, after, chain, skip, rewrite, budget,
                          only={i for i, _ in keep})
    return [c for _, c in clauses], {i for i, _ in keep}


def _candidates(disclosure: Disclosure, after: int, chain: set[str], skip: set[int],
                rewrite: Rewrite, budget: int, only: set[int] | None = None
                ) -> list[tuple[int, str]]:
    """(sentence index, rewritten clause) for each qualifying sentence (of `only`, if given)."""
    optional = {f.sentence for f in disclosure.features}
    clauses: list[tuple[int, str]] = []
    for index in range(after + 1, len(disclosure.sentences)):
        if only is not None and index not in only:
            continue
        if index in skip:
            continue
        sentence = disclosure.sentences[index].strip().rstrip(".;")
        if index in disclosure.aside or index in optional or _CONSEQUENCE.match(sentence) \
                or _NOT_STRUCTURE.search(sentence) or ":" in sentence:
            break
        if not _about_claimed(sentence, disclosure, chain):
            continue
        if _restates(sentence, disclosure, chain):
            continue  # "The element includes the substrate, the IDT ...": said already
        body = finite_body("wherein " + sentence[:1].lower() + sentence[1:])
        words = len(body.split())
        if not body or words > 45 or words > budget:
            break
        clauses.append((index, rewrite(body, chain)))
        budget -= words
    return clauses


def _restates(sentence: str, disclosure: Disclosure, chain: set[str]) -> bool:
    """Most elements the sentence names are claimed already."""
    names = {disclosure.canonical(element_name(p)) for p in phrases(sentence)} - {""}
    return len(names) >= 3 and len(names & chain) >= 0.6 * len(names)


def _about_claimed(sentence: str, disclosure: Disclosure, chain: set[str]) -> bool:
    """The sentence opens with a noun phrase for an element, and it or an element in the
    rest of its first clause is one claim 1 already names."""
    found = phrases(sentence)
    if not found or found[0].start != 0:
        return False
    first = disclosure.canonical(element_name(found[0]))
    if first in chain:
        return True
    clause = re.split(r"[,;]", sentence)[0]
    return bool(first) and any(disclosure.canonical(element_name(p)) in chain
                               for p in phrases(clause)[1:])


def opening_predicate(disclosure: Disclosure) -> tuple[int, str] | None:
    """The first sentence that opens with the invention itself and says what it does or is
    ("A printing plate making apparatus which scans a recording medium by light beam ...",
    "An optical fiber is produced so as to have ..."): its index and what follows the
    invention's name ("scans a recording medium ...", articles not yet rewritten). None when
    neither of the first two sentences does."""
    for index, sentence in enumerate(disclosure.sentences[:2]):
        if index in disclosure.aside or _NOT_STRUCTURE.search(sentence):
            continue
        found = phrases(sentence)
        if not found or found[0].start != 0 or found[0].determiner not in ("a", "an"):
            continue
        name = element_name(found[0]) or " ".join(found[0].words)
        if lemma(found[0].head, "NOUN") != lemma(disclosure.subject.split()[-1], "NOUN") \
                and name != disclosure.subject:
            continue
        rest = re.sub(r"^,?\s*(?:which|that)\s+", "", sentence[found[0].end:].strip())
        rest = rest.rstrip(" .;")
        if presents_only(rest):  # "A system is provided whereby ...": nothing it does
            continue
        if finite_body(f"wherein the {name} {rest}") and 5 <= len(rest.split()) <= 130:
            return index, rest
    return None
