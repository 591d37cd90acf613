"""The checker as it judges a draft: stricter than on an attorney's own text.

On top of every rule of `claims.check`, a drafted claim set must:
- use only words the disclosure uses (claim boilerplate aside): a term the disclosure never
  mentions is an invented element (error "draft-unsupported-term");
- be one sentence per claim, ending with a period (error "draft-not-one-sentence");
- have no two claims alike (error "draft-duplicate-claim");
- hold nothing that is not claim language: commentary ("This claim describes ...", "Note:")
  or prompt text (error "draft-not-claim-language");
- have no broken phrase: an element cut after its preposition, a doubled word, two sentences
  run together, or a sentence garbled by a cut in the wrong place (`garbled.py`: an item that
  is a sentence, "between" without its "and", an element introduced twice) (error
  "draft-broken-phrase"), nor an element cut after its article or adjective ("and an inner;",
  "movable in a radial;": `cut_element`);
- give each independent claim a transitional phrase after its preamble, or the "wherein" /
  "in which" of a claim in that form, or a formula ("A compound of formula (I), wherein R is
  ..."): a claim 1 that is only prose after its subject ("A histone deacetylase nucleic acid
  sequences ... as well as methods ...") is no claim (error "draft-no-transition"), and a
  transition after what is left of a clause ("..., while comprising:", "A recording plate
  more comprising:") is none either (error "draft-broken-transition");
- introduce each element with "a/an" once in a claim, whatever follows the second one ("an
  articulating joint assembly; ...; an articulating joint assembly that couples ...": error
  "draft-element-twice", `twice.py`).
A draft with errors is repaired (the claim dropped or rebuilt) before anyone sees it.
"""

from __future__ import annotations

import functools
import re

from torchworks.recipes.patents.claims.check import check_text
from torchworks.recipes.patents.claims.findings import Finding, Report, sort_findings
from torchworks.recipes.patents.claims.parse import build_claim
from torchworks.recipes.patents.draft.chunk import parts_of_speech
from torchworks.recipes.patents.draft.garbled import garbled
from torchworks.recipes.patents.draft.misplaced import CONNECTIVES
from torchworks.recipes.patents.draft.twice import introduced_twice

BOILERPLATE = frozenset({
    "a", "an", "the", "said", "of", "claim", "claims", "comprising", "comprises",
    "comprise", "wherein", "further", "and", "or", "to", "in", "on", "at", "by", "for",
    "with", "from", "that", "which", "is", "are", "be", "being", "having", "including",
    "plurality", "one", "more", "least", "each", "method", "apparatus", "system", "device",
    "step", "steps", "operating", "whereby", "configured", "first", "second", "third",
})
_COMMENTARY = re.compile(r"\b(?:this (?:claim|invention|disclosure)|the invention|note:|"
                         r"disclosure:|claim \d+ (?:describes|is)|as described|i am|here is|"
                         r"sure[,!]|in summary|dependent claim|embodiments?|exemplary|inventive|"
                         r"(?:a|an|the|said) (?:disclosed|described|proposed|aforementioned|"
                         r"aforesaid|above-described)|(?:provided|disclosed|described|presented|"
                         r"proposed) (?:whereby|wherein|in which|such that|so that)|"
                         r"present invention|or the like|etc\b|e\.g\.|i\.e\.|for example|"
                         r"we|you|users? (?:only )?(?:have|has|need|needs) to|it is possible|"
                         r"would|shall|thus,|advantageously|preferably|typically|"
                         r"as discussed|(?:mentioned|discussed|described) above|above-mentioned|"
                         r"co-?pending|incorporated (?:herein )?by reference|application ser|"
                         r"(?:is|are) (?:described|disclosed|presented|proposed)(?=\s*[;.]))"
                         r"(?![\w-])", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*(?:'[A-Za-z]+)?")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
# A phrase cut short ("... arranged between the collar.", "... withdrawn through."), a doubled
# word ("the the"), or two sentences run together ("the housing Preferably the valve").
_DANGLING = re.compile(r"(?:(?<=\s)|^)(\w+\s+)?(?:of|in|on|to|from|with|for|at|by|into|onto|"
                       r"between|through|via|and|or|the|a|an|said|that|which|than|as|least)"
                       r"\s*[.;]")
# "a via;" and "the AN;" are nouns, not a phrase cut short
_NOUN_BEFORE = frozenset({"a", "an", "the", "said", "each", "first", "second", "third"})
# A word that needs its complement, left without one ("ignites the mixture sufficient.",
# "a position relative.", "... is larger."), or a verb left without its object ("... has.").
_NO_COMPLEMENT = re.compile(r"\b(?:sufficient|sufficiently|relative|capable|able|adjacent|due|"
                            r"prior|according|compared|dimensioned|configured|adapted|such|so|"
                            r"(?<!or )(?:more|less|greater|larger|smaller|higher|lower)|rather|"
                            r"has|have|is|"
                            r"are|was|were|be|been|its|their|whose|thereby|if|when|whether|"
                            r"because|until|where|while)\s*[.;,]", re.IGNORECASE)
_REPEATED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)
_RUN_ON = re.compile(r"[a-z,]\s+(?:Preferably|Optionally|Alternatively|Typically|Thus|However|"
                     r"Further|Moreover|The|This|These|It|In)\s")


def check_draft(claims: list[str], disclosure_words: frozenset[str],
                modifiers: frozenset[str] = frozenset()) -> Report:
    """The full checker plus the draft rules; claims are texts without numbers. `modifiers`:
    words the disclosure only ever puts before a noun (`Disclosure.modifiers`), so a claim
    ending an element on one ("a static;") has cut it (`cut_element`)."""
    report = check_text("\n".join(f"{n}. {c}" for n, c in enumerate(claims, start=1)))
    disclosure_words = disclosure_words | _lemmas(disclosure_words)
    extra: list[Finding] = []
    seen: dict[str, int] = {}
    for number, text in enumerate(claims, start=1):
        extra += _claim_findings(number, text, disclosure_words, modifiers)
        independent = not re.search(r"\bof claim \d+", text)
        if independent and no_transition(text):
            extra.append(_finding(number, "draft-no-transition", " ".join(text.split()[:6]),
                                  f"claim {number} has no transitional phrase after its "
                                  "preamble", "list the elements after 'comprising:'"))
        elif independent and (left := broken_transition(text)):
            extra.append(_finding(number, "draft-broken-transition", left,
                                  f"claim {number}'s transition follows '{left}', what is left "
                                  "of a clause", "end the preamble on its subject or clause: "
                                  "'..., comprising:'"))
        if twice := introduced_twice(text):
            name = text[twice[1].start:twice[1].end]
            extra.append(_finding(number, "draft-element-twice", name,
                                  f"claim {number} introduces '{name}' twice with 'a'",
                                  f"introduce it once; refer back with 'the {name}'"))
        key = " ".join(re.sub(r"of claim \d+", "", text.lower()).split())
        if key in seen:
            extra.append(_finding(number, "draft-duplicate-claim", text[:60],
                                  f"claim {number} repeats claim {seen[key]}",
                                  "drop it or claim a different feature"))
        seen.setdefault(key, number)
    return Report(report.claim_set, sort_findings(report.findings + extra))


def _claim_findings(number: int, text: str, disclosure_words: frozenset[str],
                    modifiers: frozenset[str]) -> list[Finding]:
    found = []
    unsupported = sorted({w for w in (m.group().lower() for m in _WORD.finditer(text))
                          if w not in BOILERPLATE and not _supported(w, disclosure_words)})
    if unsupported:
        found.append(_finding(number, "draft-unsupported-term", ", ".join(unsupported[:5]),
                              f"claim {number} uses words the disclosure never does: "
                              f"{', '.join(unsupported[:5])}",
                              "claim only what the disclosure describes"))
    if not text.rstrip().endswith(".") or _SENTENCE_BREAK.search(text.rstrip(" .")):
        found.append(_finding(number, "draft-not-one-sentence", text[-40:],
                              f"claim {number} is not one sentence ending with a period",
                              "one sentence per claim, ending with '.'"))
    cut = next((m for m in _DANGLING.finditer(text) if not m.group(1) or m.group(1).strip()
                not in _NOUN_BEFORE), None) or _REPEATED.search(text) or _RUN_ON.search(text) \
        or _NO_COMPLEMENT.search(text) or _verbless_clause(text) or _unbalanced(text) \
        or cut_element(text, modifiers)
    if cut:
        found.append(_finding(number, "draft-broken-phrase", cut.group().strip(),
                              f"claim {number} has a broken phrase ('{cut.group().strip()}')",
                              "end each element on its noun; one article; one sentence"))
    elif mess := garbled(text):
        found.append(_finding(number, "draft-broken-phrase", mess,
                              f"claim {number} is garbled ('{mess}')",
                              "one element per item, each clause with its own subject and verb"))
    commentary = _COMMENTARY.search(text)
    if commentary:
        found.append(_finding(number, "draft-not-claim-language", commentary.group(),
                              f"claim {number} holds text that is not claim language",
                              "remove the commentary"))
    return found


@functools.lru_cache(maxsize=64)
def _lemmas(words: frozenset[str]) -> frozenset[str]:
    """Every lemma of every word ("batches" -> "batch"), so an inflection the builder made of
    the disclosure's own word ("batching") counts as the disclosure's."""
    from lemminflect import getAllLemmas

    return frozenset(lemma for word in words for forms in getAllLemmas(word).values()
                     for lemma in forms)


def _supported(word: str, disclosure_words: frozenset[str]) -> bool:
    """A word, its lemma, or a simple inflection of one the disclosure uses ("pins" for
    "pin", "dealer's" for "dealer")."""
    if word in disclosure_words or word.removesuffix("'s") in disclosure_words:
        return True
    if _lemmas(frozenset({word})) & disclosure_words:
        return True
    for suffix in ("s", "es", "ed", "d", "ing"):
        if word.endswith(suffix) and word[: -len(suffix)] in disclosure_words:
            return True
        if word + suffix in disclosure_words:
            return True
    return all(_supported(part, disclosure_words) for part in word.split("-")) if "-" in word \
        else False


# An element cut after its article or an adjective: "an inner;", "in a radial;", "a digital;"
_CUT = re.compile(r"(?<![\w-])(?P<det>a|an|the|said|each|one|two|three|of|in|on|to|from|"
                  r"with|for|at|by|into|onto|between|through|via|within)\s+"
                  r"(?P<mods>(?:[\w-]+\s+){0,3}?)(?P<last>[\w-]+)\s*(?=[;.]|,\s+and\b|$)",
                  re.IGNORECASE)
# Words that only modify a noun in claims, though the lexicon also knows them as nouns
_MODIFIER_ONLY = frozenset({"radial", "axial", "lateral", "longitudinal", "upper", "lower",
                            "front", "rear", "distal", "proximal", "first", "second", "third",
                            "inner", "outer", "forward", "rearward", "upward", "downward"})
# First halves of compound adjectives: "high-speed", "low-voltage", "long-term"
_DEGREE = frozenset({"high", "low", "long", "short", "wide", "narrow", "small", "large"})
# Adjectives that stand for their noun in claim language ("the same", "the other")
_PRONOMINAL = frozenset({"same", "other", "whole", "former", "latter"})


def cut_element(text: str, modifiers: frozenset[str] = frozenset()) -> re.Match | None:
    """A noun phrase with no noun: its determiner or preposition followed only by adjectives up
    to ";", "." or ", and" ("between a forward surface ... and an inner;", "movable in a
    radial;"): the element was cut before its head ("an inner liner"). A word the lexicon also
    knows as a noun ("static", "radial") is such an adjective when the disclosure only uses it
    before a noun (`modifiers`: "a static charge", never "the static"). A bare "and" ends no
    phrase: "a first and a second arm" shares its noun."""
    def modifier(word: str) -> bool:
        word = word.lower()
        if word in _PRONOMINAL:
            return False
        pos = parts_of_speech(word)
        first, _, second = word.partition("-")
        if second and not pos:  # "high-speed", "low-voltage": a compound adjective
            return first in _DEGREE and "NOUN" in parts_of_speech(second)
        return word in _MODIFIER_ONLY or word in modifiers or (
            "ADJ" in pos and not pos & {"NOUN", "VERB"})

    for start in re.finditer(r"(?<![\w-])\w", text):  # overlapping: "a dome and an inner;"
        match = _CUT.match(text, start.start())
        if match and all(modifier(w) for w in [*match["mods"].split(), match["last"]]):
            return match
    return None


# A claim whose subject is followed by its own finite verb ("A charge in a chamber is placed
# along a tube"): a sentence about the thing, not a claim to it.
_SENTENCE_CLAIM = re.compile(r"(?:a|an)\s(?:(?!\b(?:that|which|where|wherein|when|if|"
                             r"comprising|including|having|being|whereby)\b)[^,;:()])*?\s"
                             r"(?:is|are)\s+(?:\w+ly\s+)?\w+ed\b", re.IGNORECASE)


def no_transition(text: str) -> bool:
    """An independent claim with no transitional phrase after its preamble and not in the
    "wherein" / "in which" / formula forms: its subject followed by prose."""
    if build_claim(1, text).transition:
        return False
    if _SENTENCE_CLAIM.match(text):
        return True  # "A main charge in a chamber is placed ... where ...": a sentence
    return not re.search(r",?\s+(?:wherein|in which|where|characterized)\b|\bformula\b", text,
                         re.IGNORECASE)


# The preamble's last words when they leave a clause open before the transition: a connective
# ("while", "and", "more": `misplaced.CONNECTIVES`) or a word that needs what follows it.
_OPEN_END = CONNECTIVES | {"which", "that", "being", "is", "are", "of", "to", "for", "with",
                           "by", "in", "on", "the", "a", "an", "said"}


def broken_transition(text: str) -> str:
    """The preamble's last word when it leaves a clause open before the transition ("...
    volumes, while" comprising:), or ""."""
    claim = build_claim(1, text)
    if not claim.transition:
        return ""
    last = claim.preamble.rstrip(" ,").rsplit(" ", 1)[-1]
    return last if last.lower() in _OPEN_END else ""


def _unbalanced(text: str) -> re.Match | None:
    """A parenthesis opened and not closed ("neighboring (i."): a phrase cut in two."""
    depth = 0
    for match in re.finditer(r"[()]", text):
        if re.search(r"(?:^|[\s:;,])[a-z]{1,2}$|(?:^|[\s:;,])(?:i{1,3}|iv|vi{0,3}|\d{1,2})$",
                     text[max(0, match.start() - 4):match.start()]) and match.group() == ")" \
                and not depth:
            continue  # an enumeration: "comprises a) heating ..., b) passing ..."
        depth += 1 if match.group() == "(" else -1
        if depth < 0:
            return match
    return re.search(r"\([^()]*$", text) if depth else None


def _verbless_clause(text: str) -> re.Match | None:
    """A "when/if/while/whereby ..." that ends the claim on a bare noun phrase, saying nothing
    of it ("detects a condition when the high side power transistor.")."""
    from torchworks.recipes.patents.draft.chunk import phrases, verb_like

    match = re.search(r"\b(?:when|if|while|whereby|until|unless)\s+(?P<tail>[^,;]+?)\.?$",
                      text.rstrip())
    if not match:
        return None
    found = phrases(match["tail"])
    whole = len(found) == 1 and found[0].start == 0 and found[0].end == len(match["tail"])
    last = match["tail"].split()[-1]
    return match if whole and not (last.endswith("s") and verb_like(last)) else None


def _finding(number: int, rule: str, words: str, message: str, fix: str) -> Finding:
    return Finding(claim=number, rule=rule, severity="error", words=words, message=message,
                   fix=fix, index=number - 1)
