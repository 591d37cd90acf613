"""Antecedent basis: every "the X" / "said X" needs an earlier "a X" in its claim chain.

The chain of a claim is the claim itself plus every claim it depends on (MPEP 2173.05(e)).
A reference has basis when some earlier mention in the chain holds all its words (compared by
stem, so plurals and "a plurality of panels" / "said panel" match, and "said mounting post"
finds "a telescoping mounting post"), or, for an act, when the chain names the act with its
verb ("measuring the voltage ... the measurement", "heating the plate ... the heating").

How sure the rule can be that the drafter erred (the severity of each lapse) is decided in
`basis_grading`, whose docstring holds the policy pattern by pattern.
"""

from __future__ import annotations

from torchworks.recipes.patents.claims.basis_exceptions import (
    acted_modifier,
    part_of,
    spelled_differently,
)
from torchworks.recipes.patents.claims.basis_grading import INTRODUCING, Lapse, grade
from torchworks.recipes.patents.claims.chain import (
    ChainTerms,
    claim_mentions,
    claim_words,
    walk_chains,
)
from torchworks.recipes.patents.claims.findings import Finding
from torchworks.recipes.patents.claims.lexicon import (
    EXEMPT_ALONE,
    EXEMPT_FIRST,
    INDEFINITE,
    ING_ED_NOUNS,
    ORDINALS,
)
from torchworks.recipes.patents.claims.memo import Memo
from torchworks.recipes.patents.claims.parse import Claim, ClaimSet
from torchworks.recipes.patents.claims.terms import Mention
from torchworks.recipes.patents.claims.wordforms import (
    act_stem,
    participle,
    phrase_stems,
    stem,
    trimmed,
)


def antecedent_basis(claim_set: ClaimSet) -> list[Finding]:
    lapses: list[Lapse] = []
    introduced, nouns = _introductions_anywhere(claim_set)
    chain = ChainTerms()
    open_lapses, add = chain.notes, chain.add
    for claim in walk_chains(claim_set, chain):
        reported: set[tuple[str, ...]] = set()
        mentions = claim_mentions(claim_set, claim)
        words = claim_words(claim_set, claim)
        body_from = preamble_end(claim)
        last_introduced = {m.stem_set: k for k, m in enumerate(mentions)
                           if m.determiner in INTRODUCING and not m.proper}  # `introduces`
        for index, mention in enumerate(mentions):
            key = mention.head  # `basis_grading.head_key`
            open_lapse = open_lapses.get(key)
            if open_lapse is not None:
                open_lapse.reused = True
            if mention.definite and mention.stems not in reported \
                    and not _exempt(mention, introduced) \
                    and (not _has_basis(mention, chain, words) or (
                        last_introduced.get(mention.stem_set, -1) > index
                        and not _exact_basis(mention, chain))):
                reported.add(mention.stems)
                lapse = Lapse(claim, mention, mentions[index + 1:],
                               any(chain.has_stem(w) for w in mention.stem_set),
                               _rephrased(mention, chain, words),
                               _sharing_head(mention, chain), body_from,
                               spelled_differently(mention, chain)
                               or acted_modifier(mention, chain), part_of(mention, chain),
                               _glued_verb(mention, chain, nouns))
                lapses.append(lapse)
                chain.note(key, lapse)
            add(mention)
        chain.add_words(w for _, w in words)
    return [grade(lapse, introduced) for lapse in lapses]


# A dependent claim's preamble ("The method according to one or more of the previous claims,")
# is this short; a reference further in cites a claim from inside the body.
_PREAMBLE_CHARS = 150


def preamble_end(claim: Claim) -> int:
    """Where a dependent claim's body starts: after its reference, when the reference is in
    the preamble ("The lamp of claim 1, ..."); 0 otherwise."""
    at = claim.text.find(claim.reference) if claim.reference else -1
    return at + len(claim.reference) if 0 <= at <= _PREAMBLE_CHARS else 0


def _rephrased(mention: Mention, chain: ChainTerms,
               words: tuple[tuple[int, str], ...]) -> bool:
    """Every word of the term's head is in the chain, in other combinations or as another
    form of the same verb ("the switch operation portion" after "a switch operating
    portion", "the casting roll surface" after "casting rolls ... a peripheral surface")."""
    head = trimmed(mention.words)[-1]
    if len(phrase_stems(head)) < 2:
        return False
    acts = {w for at, w in words if at < mention.start} | set(chain.words)

    def acted(word: str) -> bool:  # "operation" -> "oper", "operating" -> "operat": they meet
        act = act_stem(word)
        return len(act) >= 4 and any(a.startswith(act) or act.startswith(a) for a in acts
                                     if len(a) >= 4)
    return all(chain.has_stem(stem(part)) or acted(part)
               for w in head for part in w.split("-") if part)


def _sharing_head(mention: Mention, chain: ChainTerms) -> Mention | None:
    heads = frozenset(phrase_stems(version[-1:])[-1] for version in trimmed(mention.words))
    return chain.sharing(heads) if any(chain.has_stem(h) for h in heads) else None


def _introductions_anywhere(claim_set: ClaimSet) -> tuple[dict[frozenset[str], int],
                                                            frozenset[str]]:
    """Term -> first claim introducing it (a claim outside a chain may be the one that does),
    and the stems of the last words of those terms (words the claims use as nouns)."""
    first: dict[frozenset[str], int] = {}
    nouns: set[str] = set()
    for claim in claim_set.claims:
        for mention in claim_mentions(claim_set, claim):
            if mention.determiner in ("a", "an"):
                first.setdefault(mention.head, claim.number)
                if mention.stems:
                    nouns.add(mention.stems[-1])
    return first, frozenset(nouns)


# What follows a verb but not a noun phrase's head: its object or complement.
_AFTER_VERB = frozenset({"the", "said", "a", "an", "on", "onto", "upon", "through", "with",
                         "by", "from", "into", "in", "at", "against", "across", "over",
                         "under", "toward", "towards", "along", "around", "within"})


def _glued_verb(mention: Mention, chain: ChainTerms, nouns: frozenset[str]) -> bool:
    """"the first wavelength range impinge on", "the first electrode coating the
    protrusions": the term without its last word has basis, the word after it is what
    follows a verb, and no claim introduces the last word as a noun."""
    head = trimmed(mention.words)[-1]
    after = mention.followed_by
    if len(head) < 2 or not (after in _AFTER_VERB or (after.endswith("ly") and len(after) > 4)):
        return False
    rest = head[:-1]
    if stem(head[-1]) in nouns or all(w in ORDINALS for w in rest):
        return False
    return chain.covers(frozenset(phrase_stems(rest)))


def _has_basis(mention: Mention, chain: ChainTerms,
               words: tuple[tuple[int, str], ...]) -> bool:
    """An earlier mention holds all its words, or (for an act) the chain or the claim before
    it names the act with a verb."""
    covers = chain.covers
    for wanted in mention.versions:
        if covers(wanted):
            return True
    last = mention.words[-1]
    if last in ("step", "steps", "act", "operation", "process", "procedure") \
            and len(mention.words) > 1:
        last = mention.words[-2]  # "the adhering step" after "adhering the film"
    if not _act_noun(last):
        return False
    act = act_stem(last)
    return act in chain.words or any(w == act for at, w in words if at < mention.start)


def _exact_basis(mention: Mention, chain: ChainTerms) -> bool:
    """An earlier mention that ends with the term's words ("bulky holders" for "the holders",
    "an elastic section" for "the section"). "the ferroelectric film" finds basis in "a
    ferroelectric seed film" only loosely, and when the claim introduces "a ferroelectric
    film" later, the reference came before its introduction."""
    for version in trimmed(mention.words):
        wanted = phrase_stems(version)
        n = len(wanted)
        rarest = min(wanted, key=lambda w: len(chain.by_stem.get(w, ())))
        for candidate in chain.by_stem.get(rarest, ()):
            earlier = chain.latest[candidate][1].words  # "an upper side facing the device"
            if any(phrase_stems(cut)[-n:] == wanted for cut in trimmed(earlier)):
                return True
    return False


def _act_noun(word: str) -> bool:
    """A noun that can name an act: "measurement", "rotation", "heating", "removal"."""
    return word not in ING_ED_NOUNS and (
        word.endswith(("ment", "tion", "sion", "ing", "al", "ance", "ure", "ed"))
        or participle(word))


def _exempt(mention: Mention, introduced: dict[frozenset[str], int]) -> bool:
    """Formulas, unique things, names; a name only when no claim introduces it with "a" ("the
    Internet"; not "the Context Response message" after "a Context Response message")."""
    exempt_words, participles = _EXEMPT_WORDS[mention.words]
    return (exempt_words or (mention.proper and mention.head not in introduced)
            or mention.followed_by == "thereof"
            or (participles and _before_quantifier(mention)))


def _exempt_words(words: tuple[str, ...]) -> tuple[bool, bool]:
    """What `_exempt` decides from the words alone: (a formula or unique thing, every word a
    participle)."""
    return (words[0] in EXEMPT_FIRST or (words[-1] in EXEMPT_ALONE and all(
                w in ORDINALS for w in words[:-1]))
            or all(w in ORDINALS for w in words) or len(words[-1]) < 2,
            all(participle(w) for w in words))


_EXEMPT_WORDS: Memo[tuple[str, ...], tuple[bool, bool]] = Memo(_exempt_words)


def _before_quantifier(mention: Mention) -> bool:
    """"the identified one or more computers": participles modifying a quantified term."""
    return mention.followed_by in INDEFINITE or mention.followed_by in ("at", "plurality")


