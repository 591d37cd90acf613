"""Sampling settings and the one function that turns a row of logits into the next token."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from torchworks.errors import ConfigError


@dataclass(frozen=True)
class SamplingParams:
    """How to pick tokens. temperature 0 means greedy (deterministic, the gate's mode)."""

    max_new_tokens: int = 128
    temperature: float = 0.0
    top_p: float = 1.0
    repetition_penalty: float = 1.0  # > 1 discourages tokens already in prompt or output (CTRL)
    stop: tuple[str, ...] = field(default_factory=tuple)  # generation ends before any of these
    seed: int | None = None  # fixes sampling for reproducible output

    def __post_init__(self) -> None:
        problems = []
        if self.max_new_tokens < 1:
            problems.append(f"max_new_tokens must be >= 1 (got {self.max_new_tokens})")
        if self.temperature < 0:
            problems.append(f"temperature must be >= 0 (got {self.temperature})")
        if not 0 < self.top_p <= 1:
            problems.append(f"top_p must be in (0, 1] (got {self.top_p})")
        if self.repetition_penalty <= 0:
            problems.append(f"repetition_penalty must be > 0 (got {self.repetition_penalty})")
        if any(not s for s in self.stop):
            problems.append("stop strings must be non-empty")
        if problems:
            raise ConfigError("invalid sampling settings: " + "; ".join(problems),
                              fix="use temperature >= 0, 0 < top_p <= 1, max_new_tokens >= 1")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0


def pick_token(
    logits: torch.Tensor,
    params: SamplingParams,
    seen: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
) -> int:
    """Choose the next token from `logits` [vocab] (any float dtype; computed in fp32).

    `seen` holds the ids (int64, any order, repeats allowed) the repetition penalty applies to.
    """
    logits = logits.float()
    if params.repetition_penalty != 1.0 and seen is not None and seen.numel():
        logits = logits.clone()
        ids = seen.unique()
        scores = logits[ids]
        penalty = params.repetition_penalty
        logits[ids] = torch.where(scores > 0, scores / penalty, scores * penalty)
    if params.greedy:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits / params.temperature, dim=-1)
    if params.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs
        sorted_probs[before >= params.top_p] = 0.0  # keeps the smallest set reaching top_p
        probs = torch.zeros_like(probs).scatter_(0, order, sorted_probs)
    return int(torch.multinomial(probs, 1, generator=generator))
