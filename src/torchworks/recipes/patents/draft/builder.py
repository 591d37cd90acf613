"""Claims built from a `Disclosure`: every element and every relation in the disclosure's words.

Claim 1 is "A <subject> comprising:" followed by the essential elements, each introduced once
with "a/an" and, where the disclosure relates it to others, followed by that relation
("a motor that retracts the locking pin from the notch"). Articles are rewritten as the claim
goes: the first mention of an element in the chain says "a", every later one "the", so
antecedent basis holds by construction. Dependent claims each add one thing claim 1 lacks:
an optional feature about an element already claimed ("wherein the shackle is made of
hardened steel") or an element the disclosure names but claim 1 left out ("further comprising
a fingerprint sensor that reads ..."), and depend on the claim that introduces what they refer
to. When the disclosure describes a process, a method claim follows, its steps the relations'
verbs as gerunds (`steps.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from torchworks.errors import DataError
from torchworks.recipes.patents.draft.articles import rewrite
from torchworks.recipes.patents.draft.chunk import (
    article,
    lemma,
    phrases,
    quantity,
)
from torchworks.recipes.patents.draft.disclosure import Disclosure
from torchworks.recipes.patents.draft.following import following_clauses, opening_predicate
from torchworks.recipes.patents.draft.garbled import repaired, ungrounded_items
from torchworks.recipes.patents.draft.mend import completed_one_of
from torchworks.recipes.patents.draft.naming import element_name
from torchworks.recipes.patents.draft.parts import subject_parts
from torchworks.recipes.patents.draft.relations import Relation
from torchworks.recipes.patents.draft.statement import FINITE, Statement, finite_body
from torchworks.recipes.patents.draft.steps import method_steps
from torchworks.recipes.patents.draft.subject import is_method
from torchworks.recipes.patents.draft.wording import (
    capital,
    circumstance,
    connect,
    gist,
    is_part,
    join_items,
    lower_first,
    preamble_of,
    vague,
    without_self_praise,
)

CLAIM_WORDS = 160  # claim 1's "wherein" clauses stop here (granted claims 1: median ~150 words)
# Elements the disclosure relates to nothing still join claim 1's list up to this many items
# (granted claims 1 name ~15 noun phrases; with 3, the first round's value, drafts named 10 on
# summaries and 8 on abstracts. Tuned on granted_claims/tune.jsonl.gz: 3 -> 7 raised R-L
# 41.4 -> 41.6 / 37.5 -> 37.9 and element recall 44.7 -> 47.1 / 37.1 -> 39.0, summary / abstract;
# 7 -> 8, once conditions were no bare items, element recall 47.4 -> 47.7 / 40.3 -> 40.5 at
# the same R-L: "a fastening bracket", "a second resistor"; 9 adds nothing more).
BARE_ITEMS = 8

@dataclass
class Claim:
    text: str  # without its number
    parent: int | None  # the claim it depends on (None for an independent claim)
    introduces: frozenset[str]  # elements first introduced in this claim


def build(disclosure: Disclosure, dependents: int = 4, elements: int = 5,
          plain: bool = False, stated: bool = True) -> list[Claim]:
    """The claims of `_build`, without the disclosure's self-praise ("an exemplary circuit",
    "the inventive device"): not claim language, and nothing a claim needs; an element
    introduced again where a clause refers to it ("where a valve provides") is "the", an
    item split off a "between A and B" is joined back, and a "one of the X" cut before its
    "and the Y" completed from the disclosure (`mend.completed_one_of`)."""
    return [Claim(completed_one_of(repaired(without_self_praise(c.text)), disclosure), c.parent,
                  c.introduces)
            for c in _build(disclosure, dependents, elements, plain, stated)]


def _build(disclosure: Disclosure, dependents: int = 4, elements: int = 5,
           plain: bool = False, stated: bool = True) -> list[Claim]:
    """Claim 1, up to `dependents` dependent claims, and an independent claim of the other
    kind (method or apparatus) when the disclosure describes both. Claim 1 opens with the
    disclosure's own statement of the invention when it has one (`stated`), else with the
    parts it says the subject has, then each actor with its relation; `plain` lists claim 1's
    elements without their relations (the fallback when a relation read from the prose does
    not make a clean claim)."""
    subject = disclosure.subject
    if plain:
        names = disclosure.essential(elements) or _some_elements(disclosure)
        claims = [Claim(f"{capital(preamble_of(subject))} comprising: "
                        f"{join_items([article(disclosure.form(n)) for n in names])}.", None,
                        frozenset(names))]
        return claims + dependents_of(disclosure, claims, dependents, set())
    method = is_method(subject)
    kept = _usable_statements(disclosure) if stated else []
    primary = next((s for s in kept if s.method == method), None)
    other = next((s for s in kept if s.method != method), None)
    if method:
        first = _stated_claim(primary, disclosure) if primary else _method_claim(
            disclosure, f"A {subject}")
        if first:
            claims = [first, *dependents_of(disclosure, [first], dependents, set(), "method")]
            return claims + ([_stated_claim(other, disclosure)] if other else [])
        primary, other = other, None  # no steps: the apparatus it states, if any
    chain: set[str] = set()
    used: set[Relation] = set()
    opening, in_opening = None, set()
    if primary:
        preamble, items = _stated_items(primary, disclosure, chain, used)
    else:
        preamble = preamble_of(subject)
        items = [rewrite(part, chain, disclosure) for part in subject_parts(disclosure)[:elements]]
        opening = opening_predicate(disclosure)  # "A X which scans ...": what X does
        if opening:  # its elements are claimed in its own words, not listed again
            used.update(r for r in disclosure.relations if r.sentence == opening[0])
            in_opening = {n for n in disclosure.elements
                          if re.search(rf"\b{re.escape(n)}\b", opening[1].lower())}
    label = " ".join(phrases(preamble)[0].words[-4:]) if primary and phrases(preamble) else ""
    optional = {f.sentence for f in disclosure.features}
    actors = [r.element for r in disclosure.relations
              if r.element != subject and r.sentence not in optional]
    for name in [*actors, *disclosure.essential(elements)]:
        if name in chain | in_opening or len(items) >= elements or vague(name) or (
                name not in actors and (len(items) >= BARE_ITEMS or circumstance(name) or (
                    " " not in name and not is_part(name)) or (
                    len(items) >= 3 and not _named_later(disclosure, name)))):
            continue  # past three items, a bare element must be no purpose ("a drink warm");
            # a bare "a state" carries nothing ("a rest state" does), nor does a bare "a low
            # pressure condition"
        relation = _relation_for(disclosure, name, used)
        if not relation and ungrounded_items(f": {article(name)}", disclosure.sentences):
            continue  # "a front side", "a body part" (the assembly's context): the list stays
            # one of parts, not one a thinner statement of the invention must replace
        chain.add(name)
        item = article(disclosure.form(name))
        if relation:
            used.add(relation)
            where = rewrite(relation.where, chain, disclosure, label) + " " \
                if relation.where else ""
            item += " " + where + rewrite(connect(relation.clause), chain, disclosure, label)
        items.append(item)
    if not items and not opening:
        items = [article(disclosure.form(n)) for n in _some_elements(disclosure)]
        chain.update(disclosure.elements[:3])
    head = f"{capital(preamble)} comprising: "
    if opening and items:  # what X does, in the disclosure's words, relates its parts
        items[-1] += ", " + rewrite(finite_body(f"wherein the {subject} {opening[1]}"), chain,
                                     disclosure, label)
    elif opening:  # "A X which scans ...": the sentence is the claim
        head = f"{capital(preamble)} {rewrite(connect(opening[1]), chain, disclosure, label)}"
    body = join_items(items)
    if primary or opening:  # the sentences after the statement say how its parts work
        clauses, read = following_clauses(
            disclosure, primary.sentence if primary else opening[0], chain,
            {r.sentence for r in used},
            lambda text, names: rewrite(text, names, disclosure, label),
            CLAIM_WORDS - len(body.split()))
        used.update(r for r in disclosure.relations if r.sentence in read)
        body += "".join(f", {'and ' if n or opening else ''}{c}" for n, c in enumerate(clauses))
    claims = [Claim(f"{head}{body}.", None, frozenset(chain))]
    claims += dependents_of(disclosure, claims, dependents, used, label)
    if other:
        claims.append(_stated_claim(other, disclosure))
    elif disclosure.process and (steps := _method_claim(disclosure)):
        claims.append(steps)
    return claims


def _usable_statements(disclosure: Disclosure) -> list[Statement]:
    """Statements of the invention outside optional sentences: "a X comprising ..." (the
    subject stated only in the title is still stated so), or "the <subject> comprises ...",
    that name a part ("... having a good oscillation property" names only a property)."""
    head = lemma(disclosure.subject.split()[-1], "NOUN")
    optional = {f.sentence for f in disclosure.features}
    return [s for s in disclosure.statements if s.sentence not in optional and (
        s.preamble.split()[0].lower() in ("a", "an") or s.head == head) and any(
        not quantity(found[0].name) for item in s.items if (found := phrases(item)))]


def _stated_items(statement: Statement, disclosure: Disclosure, chain: set[str],
                  used: set[Relation]) -> tuple[str, list[str]]:
    """The statement's preamble and items with the claim's own articles (what the preamble
    or an earlier item introduces is "the" after it); an item that is a bare element gets
    its relation ("a controller" -> "a controller that compares ...")."""
    preamble = statement.preamble
    if preamble.split()[0].lower() in ("the", "said"):
        preamble = preamble_of(disclosure.subject)
    found = phrases(preamble)
    for index, phrase in enumerate(found):  # what the preamble names is introduced there
        name = element_name(phrase)
        chain.add(name if index == 0 else disclosure.canonical(name))
    label = " ".join(found[0].words[-4:]) if found else ""
    items = []
    leads = [_lead(item, disclosure) for item in statement.items]
    for at, item in enumerate(statement.items):
        bare = phrases(item)
        name = disclosure.canonical(element_name(bare[0])) if len(bare) == 1 and \
            bare[0].start == 0 and bare[0].end == len(item) else ""
        relation = _relation_for(disclosure, name, used) if name else None
        if relation and set(relation.objects) & set(leads[at + 1:]):
            relation = None  # "a hopper that feeds a burr set; the burr set driven by ...":
            # a later item introduces it, so the relation waits for a dependent
        if relation and relation.sentence != statement.sentence:  # else the statement says it
            used.add(relation)
            item += " " + (relation.where + " " if relation.where else "") + connect(
                relation.clause)
        items.append(rewrite(item, chain, disclosure, label))
    return preamble, items


def _lead(item: str, disclosure: Disclosure) -> str:
    """The element an item of a statement introduces: the phrase it starts with."""
    found = phrases(item)
    return disclosure.canonical(element_name(found[0])) if found and found[0].start == 0 else ""


def _stated_claim(statement: Statement, disclosure: Disclosure) -> Claim:
    chain: set[str] = set()
    preamble, items = _stated_items(statement, disclosure, chain, set())
    transition = ", comprising: " if statement.method else " comprising: "
    return Claim(f"{capital(preamble)}{transition}{join_items(items)}.", None, frozenset(chain))


def _some_elements(disclosure: Disclosure) -> list[str]:
    """A few elements to list, or a refusal ("techniques for imaging samples": no element)."""
    if not disclosure.elements and is_method(disclosure.subject):
        raise DataError(
            f"the disclosure names no parts and no steps of the {disclosure.subject} to claim",
            fix="describe what is done and to what, e.g. 'A sample is excited by a pulse, and "
                "a signal from the sample is detected.'")
    if not disclosure.elements:
        raise DataError(
            f"the disclosure names no parts of the {disclosure.subject} to claim",
            fix="describe what it is made of, e.g. 'The lamp has a base, an arm hinged to the "
                "base and a shade held by the arm.'")
    parts = [n for n in disclosure.elements if not quantity(n)]
    return (parts or disclosure.elements)[:3]


def _relation_for(disclosure: Disclosure, name: str, used: set[Relation]) -> Relation | None:
    optional = {f.sentence for f in disclosure.features}
    for relation in disclosure.relations:
        if relation.element == name and relation not in used and relation.sentence not in \
                optional and _claimable(relation):
            return relation
    return None


def _claimable(relation: Relation) -> bool:
    """A relation a claim can carry: one clause about its element, not a sentence of its own
    ("received at the exchanger is transferred to ...", "... cannot be extracted") nor a list
    opening inside it ("comprises: forming ...") nor one relating it only to what carries
    nothing ("allows a reduction")."""
    return not (FINITE.search(relation.clause) or ":" in relation.clause
                or all(vague(o) for o in relation.objects)
                or re.search(r"\b(?:cannot|can not|inventors?)\b|, (?:a|an|the) ",
                             relation.clause))


def dependents_of(disclosure: Disclosure, claims: list[Claim], limit: int,
                used: set[Relation], label: str = "") -> list[Claim]:
    subject = disclosure.subject
    label = label or subject
    made: list[Claim] = []
    seen = {c.text.lower() for c in claims}
    stated = {" ".join(p.words[-4:]) for s in disclosure.statements
              for p in phrases(s.preamble)[:1]}

    def introduced_by(names: set[str]) -> int:
        """The latest claim in the set that introduces one of `names` (1 when none does)."""
        where = [i + 1 for i, c in enumerate(claims + made) if c.introduces & names]
        return max(where) if where else 1

    def add(body: str, refers: set[str]) -> None:
        body = finite_body(body)
        if not body:
            return  # "wherein the belly pan for reducing drag": no statement to claim
        parent = introduced_by(refers)
        chain = set().union(*(c.introduces for c in _ancestry(claims + made, parent)))
        before = set(chain)
        body = rewrite(body, chain, disclosure, label)
        said = [gist(c.text) for c in claims + made]
        new = gist(body.removeprefix("wherein ").removeprefix("further comprising "))
        if any(new in s or (len(new.split()) >= 4 and set(new.split()) <= set(s.split()))
               for s in said):
            return  # the set says it already ("the workpiece is heated" after "heating it")
        text = f"The {label} of claim {parent}, {body}."
        if text.lower() not in seen and len(made) < limit:
            seen.add(text.lower())
            made.append(Claim(text, parent, frozenset(chain - before)))

    for feature in disclosure.features:
        named = {element_name(p) for p in phrases(feature.clause)} & set(disclosure.elements)
        add(f"wherein {lower_first(feature.clause)}", named | {feature.element})
    for relation in disclosure.relations:  # what the disclosure says of a claimed element
        claimed = set().union(*(c.introduces for c in claims + made))
        if relation not in used and relation.element in claimed and relation.element != subject \
                and _claimable(relation) and not relation.where:
            used.add(relation)
            add(f"wherein the {disclosure.form(relation.element)} {relation.clause}",
                {relation.element, *relation.objects})
    for name in [] if label == "method" or is_method(subject) else disclosure.elements:
        claimed = set().union(*(c.introduces for c in claims + made))
        if name in claimed or len(made) >= limit or not _stated_beyond_subject(disclosure, name) \
                or name in stated or not is_part(name) or quantity(name):
            continue  # the apparatus a method statement names is claimed on its own
        relation = _relation_for(disclosure, name, used)
        if not relation and " " not in name and disclosure.counts[name] < 3:
            continue  # "further comprising a state": a lone word named in passing
        body = f"further comprising {article(disclosure.form(name))}"
        refers: set[str] = set()
        if relation:
            used.add(relation)
            refers = set(relation.objects)
            body += " " + (relation.where + " " if relation.where else "") + connect(
                relation.clause)
        add(body, refers)
    return made


# Heads that name no part a claim could add ("further comprising a user", "... a step").
def _stated_beyond_subject(disclosure: Disclosure, name: str) -> bool:
    """An element named only in the sentence that names the invention is its purpose ("keeps
    a drink warm"), not a part of it; one named once and related to nothing is incidental."""
    related = any(r.element == name for r in disclosure.relations)
    return _named_later(disclosure, name) and (related or disclosure.counts[name] >= 2)


def _named_later(disclosure: Disclosure, name: str) -> bool:
    """Named after the sentence that names the invention (whose other phrases say its purpose,
    "keeps a drink warm")."""
    return any(name in {element_name(p) for p in phrases(sentence)}
               for sentence in disclosure.sentences[1:])


def _ancestry(claims: list[Claim], number: int) -> list[Claim]:
    chain = []
    while number:
        claim = claims[number - 1]
        chain.append(claim)
        number = claim.parent or 0
    return chain


def _method_claim(disclosure: Disclosure, preamble: str = "") -> Claim | None:
    """A method claim of the disclosure's steps; its preamble "A method of operating a X"
    unless given."""
    chain: set[str] = set()
    steps = [rewrite(step, chain, disclosure) for step in method_steps(disclosure)]
    if len(steps) < 2:
        return None
    preamble = preamble or f"A method of operating {preamble_of(disclosure.subject)}"
    return Claim(f"{preamble}, comprising: {join_items(steps[:5])}.", None, frozenset(chain))

