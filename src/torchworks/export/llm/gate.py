"""The regression gate: is an optimized variant still the same model as the fp32 reference?

Three checks on the fixed prompt set (`prompts.py`):
- token agreement: the reference greedy-decodes `new_tokens` per prompt; the variant is then
  teacher-forced along that exact sequence *through its own decode path* (KV cache, compiled
  step, ORT session) and we count the steps where its argmax equals the reference's token.
  Teacher forcing keeps one early flip from counting every later token as a miss.
- perplexity delta: both score the held text in one forward; the variant's perplexity may rise
  by at most `max_ppl_increase_pct` percent.
- extra scorers (pluggable callables): each judges the free-running greedy text of the
  reference and of the variant on the same prompt and returns findings (the CLI plugs in the
  patent claim checker on "claims" prompts); the variant may fail at most
  `max_extra_findings` more of them than the reference did.
This module knows no recipe: scorers are just callables.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

from torchworks.export.llm.prompts import GatePrompt
from torchworks.llm.generate import chat_prompt, encode_prompt, generate
from torchworks.llm.load import LoadedLM
from torchworks.llm.sampling import SamplingParams
from torchworks.llm.stepper import Stepper


@dataclass(frozen=True)
class GateConfig:
    new_tokens: int = 32  # greedy tokens per prompt that agreement is measured on
    held_tokens: int = 256  # tokens of each held text scored for perplexity
    min_token_agreement: float = 0.90
    max_ppl_increase_pct: float = 5.0
    max_extra_findings: int = 2


@dataclass(frozen=True)
class GeneratedSample:
    """What a scorer judges: one prompt and the greedy text a model produced for it."""

    prompt: GatePrompt
    text: str


@dataclass(frozen=True)
class ScoreFinding:
    scorer: str
    subject: str  # e.g. "claim 2"
    passed: bool
    detail: str


Scorer = Callable[[GeneratedSample], list[ScoreFinding]]


@dataclass(frozen=True)
class Reference:
    """The fp32 reference's outputs, computed once and reused for every variant."""

    prompt_ids: list[list[int]]
    tokens: list[list[int]]  # greedy continuation per prompt
    held_ids: list[list[int]]
    perplexity: float
    failed_findings: int
    samples: list[GeneratedSample]


@dataclass(frozen=True)
class GateReport:
    token_agreement: float
    perplexity: float
    reference_perplexity: float
    failed_findings: int
    reference_failed_findings: int
    findings: list[ScoreFinding] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # empty when passed

    @property
    def passed(self) -> bool:
        return not self.reasons

    @property
    def ppl_increase_pct(self) -> float:
        return 100.0 * (self.perplexity / self.reference_perplexity - 1.0)

    def metrics(self) -> dict[str, float]:
        return {"token_agreement": round(self.token_agreement, 4),
                "perplexity": round(self.perplexity, 4),
                "reference_perplexity": round(self.reference_perplexity, 4),
                "ppl_increase_pct": round(self.ppl_increase_pct, 3),
                "failed_findings": float(self.failed_findings),
                "reference_failed_findings": float(self.reference_failed_findings)}


def render(lm: LoadedLM, prompt: GatePrompt) -> list[int]:
    text = chat_prompt(lm.tokenizer, prompt.text) if prompt.kind == "claims" else prompt.text
    return encode_prompt(lm.tokenizer, text)


def build_reference(lm: LoadedLM, stepper: Stepper, prompts: Sequence[GatePrompt],
                    held: Sequence[str], config: GateConfig,
                    scorers: Sequence[Scorer] = ()) -> Reference:
    prompt_ids = [render(lm, p) for p in prompts]
    greedy = SamplingParams(max_new_tokens=config.new_tokens)
    results = [generate(lm, ids, greedy, stepper=stepper) for ids in prompt_ids]
    held_ids = [encode_prompt(lm.tokenizer, t)[: config.held_tokens] for t in held]
    samples = [GeneratedSample(p, r.text) for p, r in zip(prompts, results, strict=True)]
    return Reference(
        prompt_ids=prompt_ids,
        tokens=[r.token_ids for r in results],
        held_ids=held_ids,
        perplexity=perplexity(stepper, held_ids),
        failed_findings=sum(not f.passed for f in _score(samples, scorers)),
        samples=samples,
    )


def judge(lm: LoadedLM, reference: Reference, stepper: Stepper, config: GateConfig,
          scorers: Sequence[Scorer] = ()) -> GateReport:
    """Run the variant behind `stepper` through the three checks."""
    matches = total = 0
    for ids, tokens in zip(reference.prompt_ids, reference.tokens, strict=True):
        m, n = teacher_forced_agreement(stepper, ids, tokens)
        matches, total = matches + m, total + n
    agreement = matches / total if total else 1.0
    ppl = perplexity(stepper, reference.held_ids)
    findings: list[ScoreFinding] = []
    if scorers:
        greedy = SamplingParams(max_new_tokens=config.new_tokens)
        samples = [GeneratedSample(s.prompt, generate(lm, ids, greedy, stepper=stepper).text)
                   for s, ids in zip(reference.samples, reference.prompt_ids, strict=True)]
        findings = _score(samples, scorers)
    failed = sum(not f.passed for f in findings)
    reasons = []
    if agreement < config.min_token_agreement:
        reasons.append(f"token agreement {agreement:.3f} < {config.min_token_agreement}")
    increase = 100.0 * (ppl / reference.perplexity - 1.0)
    if not math.isfinite(ppl) or increase > config.max_ppl_increase_pct:
        reasons.append(f"perplexity {ppl:.3f} is {increase:+.2f}% vs reference "
                       f"{reference.perplexity:.3f} (limit +{config.max_ppl_increase_pct}%)")
    if failed - reference.failed_findings > config.max_extra_findings:
        reasons.append(f"{failed} failed scorer findings vs {reference.failed_findings} for the "
                       f"reference (limit +{config.max_extra_findings})")
    return GateReport(agreement, ppl, reference.perplexity, failed, reference.failed_findings,
                      findings, reasons)


def teacher_forced_agreement(stepper: Stepper, prompt_ids: Sequence[int],
                             tokens: Sequence[int]) -> tuple[int, int]:
    """(steps where the variant's argmax equals the reference token, steps)."""
    if not tokens:
        return 0, 0
    logits = stepper.prefill(prompt_ids)
    matches = 0
    for i, token in enumerate(tokens):
        matches += int(torch.argmax(logits.float())) == token
        if i + 1 < len(tokens):
            logits = stepper.decode(token)
    return matches, len(tokens)


def perplexity(stepper: Stepper, texts_ids: Sequence[Sequence[int]]) -> float:
    """exp(mean next-token NLL) over all positions of all texts."""
    nll, count = 0.0, 0
    for ids in texts_ids:
        if len(ids) < 2:
            continue
        logits = stepper.score(ids).float()[:-1]
        target = torch.tensor(list(ids[1:]), device=logits.device)
        nll += float(torch.nn.functional.cross_entropy(logits, target, reduction="sum"))
        count += len(ids) - 1
    return math.exp(nll / count) if count else float("nan")


def _score(samples: Sequence[GeneratedSample], scorers: Sequence[Scorer]) -> list[ScoreFinding]:
    return [finding for sample in samples for scorer in scorers for finding in scorer(sample)]
