"""Sampling settings and the one function that turns a row of logits into the next token."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from torchworks.errors import ConfigError
from torchworks.serving.sampling import SamplingParams as ServingParams
from torchworks.serving.sampling import sample


@dataclass(frozen=True)
class SamplingParams:
    """How to pick tokens. temperature 0 means greedy (deterministic, the gate's mode)."""

    max_new_tokens: int = 128
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0  # keep the k most likely tokens; 0 keeps all
    repetition_penalty: float = 1.0  # > 1 discourages tokens already in prompt or output (CTRL)
    stop: tuple[str, ...] = field(default_factory=tuple)  # generation ends before any of these
    seed: int | None = None  # fixes sampling for reproducible output
    ignore_eos: bool = False  # run to max_new_tokens regardless (fixed-length benchmarks)

    def __post_init__(self) -> None:
        problems = []
        if self.max_new_tokens < 1:
            problems.append(f"max_new_tokens must be >= 1 (got {self.max_new_tokens})")
        if self.temperature < 0:
            problems.append(f"temperature must be >= 0 (got {self.temperature})")
        if self.top_k < 0:
            problems.append(f"top_k must be >= 0 (got {self.top_k})")
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
    Penalty, temperature, top-k and top-p all go through the serving scheduler's sampler, so a
    prompt generated here and through the server picks tokens the same way.
    """
    row = ServingParams(params.temperature, params.top_k, params.top_p,
                        params.repetition_penalty)
    return sample(logits[None], [row], [generator], None if seen is None else [seen])[0]
