"""Draft a claim set from an invention disclosure: the content read from the disclosure, the
form guaranteed, the result checked strictly before anyone sees it.

Steps, each visible below: (1) analyse the disclosure (`disclosure.py`: subject, elements,
relations, optional features; deterministic); (2) build claim 1 and the dependents from that
analysis in the disclosure's own words (`builder.py`); (3) optionally let the LLM backend
rephrase claim 1, kept only if the rewrite passes the strict check and names the same
elements (a small model rarely earns it; a large one behind the openai backend may);
(4) the strict draft check (`strict.py`); (5) repair: claim 1 is mended where one fault can be
(`mend.py`: an element cut before its noun, a missing transition), else loses the bare items the
disclosure does not ground as parts (`garbled.py`); a claim 1 with errors is rebuilt
without its relations, a dependent with errors is dropped (with its own dependents) and the
rest renumbered; (6) optionally an abstract. The model never decides what is claimed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from torchworks.errors import DataError, TorchworksError
from torchworks.recipes.patents.claims.findings import Finding, Report
from torchworks.recipes.patents.claims.rules_structure import ABSTRACT_MAX_WORDS
from torchworks.recipes.patents.draft.backends import Backend, GenerateParams, Message
from torchworks.recipes.patents.draft.builder import Claim, build
from torchworks.recipes.patents.draft.disclosure import Disclosure, analyse
from torchworks.recipes.patents.draft.garbled import garbled, grounded_only, ungrounded_items
from torchworks.recipes.patents.draft.mend import mended_claim
from torchworks.recipes.patents.draft.statement import objective_sentence
from torchworks.recipes.patents.draft.strict import check_draft
from torchworks.recipes.patents.draft.whole import coverage, whole_claims

SYSTEM = ("You are a US patent attorney. You write patent claims: one sentence each, every "
          "element introduced with 'a' or 'an' before it is referred to with 'the'.")
DEMO_MODEL_NOTE = (
    "Claims are built from the disclosure's own words; no model rewrote them (the embedded "
    "SmolLM2-135M is a small demo model, used only when asked: --polish). For a large model, "
    "run it behind an OpenAI-compatible server (vLLM, SGLang, TensorRT-LLM) and start "
    "`torchworks serve` with TORCHWORKS_DRAFT_BASE_URL=<its /v1 URL> and "
    "TORCHWORKS_DRAFT_MODEL=<its name>, or draft with `torchworks patents draft --backend "
    "openai --base-url URL --polish`.")
# The statement whole replaces the listed claim 1 only when it carries a fifth more of the
# disclosure (tuned on benchmarks/data/granted_claims/tune.jsonl.gz): the listed form reads
# better when both say the same.
WHOLE_MARGIN = 1.2
_PARENT = re.compile(r"\bof claim (\d+)\b")

Emit = Callable[[str, str], None]  # (event, text): "claim", "status", "token"


@dataclass
class DraftConfig:
    dependents: int = 4  # dependent claims at most
    elements: int = 10  # elements of claim 1 at most (tuned on granted_claims/tune.jsonl.gz)
    polish: bool = False  # let the backend rephrase claim 1 under the strict check
    abstract: bool = False
    max_new_tokens: int = 160  # per model call (polish, abstract)


@dataclass
class DraftResult:
    claims: list[str]  # claim texts without numbers; claim N is claims[N - 1]
    report: Report  # the strict check of the claims shown
    subject: str
    key_terms: list[str]  # the disclosure's elements, in order of first mention
    abstract: str
    seconds: float
    polished: bool = False  # claim 1 is the model's rewrite
    dropped: list[str] = field(default_factory=list)  # claims removed by the repair, why

    @property
    def text(self) -> str:
        return claims_text(self.claims)

    @property
    def findings(self) -> list[Finding]:
        return self.report.findings


def claims_text(claims: list[str]) -> str:
    return "\n".join(f"{n}. {text}" for n, text in enumerate(claims, start=1))


def draft_claims(disclosure: str, backend: Backend | None = None,
                 config: DraftConfig | None = None, emit: Emit | None = None,
                 title: str = "") -> DraftResult:
    config = config or DraftConfig()
    began = time.perf_counter()
    say = emit or (lambda _event, _text: None)
    analysis = analyse(disclosure, title)
    if analysis.sentences and all(map(objective_sentence, analysis.sentences)):
        raise DataError(
            "the disclosure only states what the invention is for ('It is an object of the "
            "invention to ...'), not what it is",
            fix="describe its parts and how they work, e.g. 'The lamp has a base, an arm hinged "
                "to the base and a shade held by the arm.'")
    say("status", f"subject: {analysis.subject}; elements: {', '.join(analysis.elements[:8])}")
    built = build(analysis, config.dependents, config.elements)
    orphans: set[int] = set()
    fallbacks = [("from the parts and relations", {"stated": False}),
                 ("without relations", {"stated": False, "plain": True}), ("", {})]
    for how, variant in fallbacks:
        first_errors = [f for f in check_draft([built[0].text], analysis.vocabulary,
                                               analysis.modifiers).findings
                        if f.severity == "error"]
        mended = mended_claim(built[0].text, analysis) if first_errors else ""
        if mended and mended != built[0].text:
            say("status", f"claim 1 mended: {first_errors[0].message}")
            built[0] = Claim(mended, None, built[0].introduces)
            break
        trimmed = _without_faulty_items(built[0].text, first_errors, analysis)
        if trimmed:
            say("status", f"claim 1 without the item it faulted: {first_errors[0].message}")
            gone = {n for n in built[0].introduces if n not in trimmed.lower()}
            orphans = {i for i, c in enumerate(built) if i and any(  # about a dropped item
                f"the {n}" in c.text.lower() for n in gone)}
            built[0] = Claim(trimmed, None, built[0].introduces - gone)
            break
        if not first_errors or not how:
            break
        say("status", f"claim 1 rebuilt {how}: {first_errors[0].message}")
        built = build(analysis, config.dependents, config.elements, **variant)
    whole = whole_claims(analysis, config.dependents)
    carries_more = whole and coverage(whole[0].text, analysis) > WHOLE_MARGIN * coverage(
        built[0].text, analysis)
    if whole and (carries_more or _listed_poorly(built[0].text, analysis)) and not any(
            f.severity == "error" for f in check_draft([whole[0].text],
                                                       analysis.vocabulary,
                                                       analysis.modifiers).findings):
        say("status", "claim 1 is the disclosure's statement of the invention, whole")
        built = whole + [c for c in built[1:] if c.parent is None and  # the other kind's
                         _method_claim(c.text) != _method_claim(whole[0].text)]
        orphans = set()
    built[0], orphans = _grounded_first(built, analysis, orphans, say)
    polished = False
    if config.polish and backend is not None:
        built[0], polished = _polish(built[0], analysis, backend, config, say)
    claims, dropped, report = _repair(built, analysis, orphans)
    for number, text in enumerate(claims, start=1):
        say("claim", f"{number}. {text}")
    if dropped:  # numbers and references changed: check what is shown
        report = check_draft(claims, analysis.vocabulary, analysis.modifiers)
    abstract = _abstract(analysis, backend, config, say) if config.abstract else ""
    return DraftResult(claims=claims, report=report, subject=analysis.subject,
                       key_terms=analysis.elements, abstract=abstract,
                       seconds=time.perf_counter() - began, polished=polished, dropped=dropped)


def _grounded_first(built: list[Claim], analysis: Disclosure, orphans: set[int], say: Emit
                    ) -> tuple[Claim, set[int]]:
    """Claim 1 without the bare items the disclosure does not ground as parts ("a front
    side", "a filling": `garbled.ungrounded_items`), and the dependents about them marked
    as orphans (dropped by the repair)."""
    first = built[0]
    kept = grounded_only(first.text, analysis.sentences)
    if kept == first.text:
        return first, orphans
    say("status", "claim 1 without items the disclosure does not ground: "
        f"{', '.join(ungrounded_items(first.text, analysis.sentences))}")
    gone = {n for n in first.introduces if n not in kept.lower()}
    orphans = orphans | {i for i, c in enumerate(built) if i and any(
        f"the {n}" in c.text.lower() for n in gone)}
    return Claim(kept, None, first.introduces - gone), orphans


def _listed_poorly(text: str, analysis: Disclosure) -> bool:
    """The listed claim 1 keeps two items the disclosure does not ground as parts (one the
    repair could not drop), or is garbled: a clean statement of the invention is the better
    claim 1 then, whatever it carries (tuned on granted_claims/tune.jsonl.gz: with one such
    item the list is still the better claim more often than not)."""
    return len(ungrounded_items(text, analysis.sentences)) >= 2 or bool(garbled(text))


def _method_claim(text: str) -> bool:
    return bool(re.match(r"an?\s(?:[\w-]+\s){0,3}?(?:method|process)\b", text, re.IGNORECASE))


def _without_faulty_items(text: str, errors: list[Finding], analysis: Disclosure,
                          rounds: int = 3) -> str:
    """Claim 1 without the listed items (or "wherein" clauses) that hold what the strict check
    faulted ("an underlying idea that is, instead of ..."), item after item for up to
    `rounds` faults, when what is left is clean and still lists two items; "" otherwise (the
    claim is rebuilt instead)."""
    head, colon, body = text.partition(" comprising: ")
    if not errors or not colon:
        return ""

    def faulted(piece: str) -> bool:  # the words as found, without the ";" they end on
        return any(f.words.strip(" ;.,") and f.words.strip(" ;.,") in piece for f in errors)

    kept = []
    for item in re.split(r";\s+(?:and\s+)?", body.rstrip(".")):
        first, *clauses = re.split(r",\s+(?:and\s+)?(?=wherein\b)", item)
        if not faulted(first):  # a faulted item goes with the clauses about it
            kept.append(", ".join([first, *(c for c in clauses if not faulted(c))]).replace(
                ", wherein", ", and wherein").replace(", and wherein", ", wherein", 1))
    if len(kept) < 2:
        return ""
    trimmed = f"{head}{colon}{'; '.join(kept[:-1])}; and {kept[-1]}."
    left = [f for f in check_draft([trimmed], analysis.vocabulary, analysis.modifiers
                                   ).findings
            if f.severity == "error"]
    if left and rounds > 1:  # the next faulted item ("..., as discussed above; a container")
        return _without_faulty_items(trimmed, left, analysis, rounds - 1)
    return "" if left else trimmed


def _repair(built: list[Claim], analysis: Disclosure, orphans: set[int]
            ) -> tuple[list[str], list[str], Report]:
    """Drop every dependent the strict check finds an error in (or that is about an item
    claim 1 lost: `orphans`, indexes), and the claims that hang on it; renumber what stays
    (references included). Returns the kept texts, what was dropped and why, and the check
    of the set as built."""
    texts = [c.text for c in built]
    report = check_draft(texts, analysis.vocabulary, analysis.modifiers)
    bad = {f.index for f in report.findings if f.severity == "error" and f.index} | orphans
    dropped: list[str] = []
    keep: dict[int, int] = {}  # old number -> new number
    for old, claim in enumerate(built, start=1):
        if old - 1 in bad or (claim.parent and claim.parent not in keep):
            reason = next((f.message for f in report.for_index(old - 1)
                           if f.severity == "error"), "about an item claim 1 lost"
                          if old - 1 in orphans else "depends on a dropped claim")
            dropped.append(f"{claim.text} ({reason})")
            continue
        keep[old] = len(keep) + 1
    claims = []
    for old in keep:
        text = built[old - 1].text
        claims.append(_PARENT.sub(lambda m: f"of claim {keep[int(m.group(1))]}", text, count=1))
    return claims, dropped, report


def _polish(claim: Claim, analysis: Disclosure, backend: Backend, config: DraftConfig,
            say: Emit) -> tuple[Claim, bool]:
    """The model's rephrasing of claim 1, kept only when it is strictly clean and still names
    every element the built claim names."""
    say("status", "asking the model to rephrase claim 1")
    messages: list[Message] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": (
            f"Rewrite this patent claim so it reads well. Keep every element and use only "
            f"these words' terms; one sentence ending with a period; give only the claim.\n\n"
            f"{claim.text}")}]
    try:
        raw = backend.generate(messages, GenerateParams(max_new_tokens=config.max_new_tokens))
    except TorchworksError as exc:  # the built claim stands; the model is only a polish
        say("status", f"claim 1 kept as built: the model did not answer ({exc})")
        return claim, False
    text = " ".join(raw.replace("**", "").split())
    text = re.sub(r"^(?:claim\s*)?1\s*[.:)]\s*", "", text, flags=re.IGNORECASE)
    if not text.endswith("."):
        return claim, False
    names_kept = all(name.lower() in text.lower() for name in claim.introduces)
    errors = [f for f in check_draft([text], analysis.vocabulary, analysis.modifiers
                                     ).findings
              if f.severity == "error"]
    if names_kept and not errors:
        return Claim(text, None, claim.introduces), True
    return claim, False


def _abstract(analysis: Disclosure, backend: Backend | None, config: DraftConfig,
              say: Emit) -> str:
    """The model's abstract when a backend is given and it stays within the disclosure's
    words; else the disclosure's own first sentences, at most 150 words."""
    fallback = " ".join(" ".join(analysis.sentences[:3]).split()[:ABSTRACT_MAX_WORDS])
    if backend is None:
        return _whole_sentences(fallback)
    say("status", "writing the abstract")
    raw = backend.generate([{"role": "system", "content": SYSTEM}, {"role": "user", "content": (
        f"Invention disclosure:\n{' '.join(analysis.sentences[:8])}\n\nWrite the abstract of a "
        f"patent for this {analysis.subject} in at most 100 words. Give only the abstract.")}],
        GenerateParams(max_new_tokens=min(200, 2 * config.max_new_tokens)))
    text = _whole_sentences(" ".join(raw.replace("**", "").split()[:ABSTRACT_MAX_WORDS]))
    words = {w.lower().strip(".,;:()") for w in text.split()}
    invented = [w for w in words if w.isalpha() and len(w) > 3 and w not in analysis.vocabulary]
    return text if len(text.split()) >= 5 and len(invented) <= 2 else _whole_sentences(fallback)


def _whole_sentences(text: str) -> str:
    end = text.rfind(".")
    return text[: end + 1] if end > 0 else text
