"""Next-token choice from logits, per sequence, for the continuous-batching scheduler.

Each row of the logits belongs to a different request with its own temperature / top-k / top-p
and its own seeded generator, so a seeded request samples the same tokens whether it shares the
step with 0 or 30 other sequences. Greedy rows (temperature 0) are one argmax for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class SamplingParams:
    temperature: float = 0.0
    top_k: int = 0
    top_p: float = 1.0
    repetition_penalty: float = 1.0  # > 1 discourages ids already seen (CTRL); 1 is off


def make_generator(seed: int | None, device: torch.device) -> torch.Generator | None:
    if seed is None:
        return None
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator


def penalize_repetition(row: torch.Tensor, seen: torch.Tensor | Sequence[int],
                        penalty: float) -> torch.Tensor:
    """CTRL-style penalty (Keskar et al. 2019, as in transformers): every id in `seen` gets
    its logit divided by `penalty` if positive, multiplied if negative, so penalty > 1 makes it
    less likely whatever its sign. row: [vocab] float; `seen` ids in any order, repeats allowed
    (each id is penalized once). Returns a new tensor; `row` is left untouched."""
    if penalty == 1.0:
        return row
    ids = torch.as_tensor(seen, dtype=torch.long, device=row.device).unique()
    if not ids.numel():
        return row
    row = row.clone()
    scores = row[ids]
    row[ids] = torch.where(scores > 0, scores / penalty, scores * penalty)
    return row


class SamplingError(ValueError):
    """One row's parameters gave no valid distribution (e.g. every logit overflowed)."""


def sample(logits: torch.Tensor, params: Sequence[SamplingParams],
           generators: Sequence[torch.Generator | None],
           seen: Sequence[torch.Tensor | Sequence[int]] | None = None) -> list[int]:
    """logits: [batch, vocab] for the next position; returns one token id per row.

    `seen[i]` are the ids row i's repetition penalty applies to (needed only for rows whose
    penalty is not 1.0; without it the penalty is skipped). Raises the first row's error."""
    tokens = sample_each(logits, params, generators, seen)
    for token in tokens:
        if isinstance(token, Exception):
            raise token
    return tokens  # type: ignore[return-value]


def sample_each(logits: torch.Tensor, params: Sequence[SamplingParams],
                generators: Sequence[torch.Generator | None],
                seen: Sequence[torch.Tensor | Sequence[int]] | None = None
                ) -> list[int | Exception]:
    """As `sample`, but a row whose sampling raises gets its exception in place of a token:
    the scheduler fails that one sequence and its batch mates still get their tokens. Each
    row draws only from its own generator, so a failing row never shifts another's seed."""
    if logits.dim() != 2 or logits.shape[0] != len(params):
        raise ValueError(f"expected logits [{len(params)}, vocab], got {tuple(logits.shape)}")
    logits = logits.float()
    tokens: list[int | Exception] = list(logits.argmax(dim=-1).tolist())
    for row, (p, generator) in enumerate(zip(params, generators, strict=True)):
        if p.temperature == 0 and (seen is None or p.repetition_penalty == 1.0):
            continue  # the batched argmax above is this row's answer
        try:
            scores = logits[row]
            if seen is not None and p.repetition_penalty != 1.0:
                scores = penalize_repetition(scores, seen[row], p.repetition_penalty)
            if p.temperature > 0:
                tokens[row] = _sample_row(scores, p, generator)
            else:
                tokens[row] = int(scores.argmax().item())
        except Exception as exc:
            tokens[row] = exc
    return tokens


def _sample_row(row: torch.Tensor, p: SamplingParams, generator: torch.Generator | None) -> int:
    row = row / p.temperature
    if 0 < p.top_k < row.numel():
        kth = torch.topk(row, p.top_k).values[-1]
        row = row.masked_fill(row < kth, float("-inf"))
    probs = torch.softmax(row, dim=-1)
    if p.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True, stable=True)
        # keep the smallest prefix whose mass reaches top_p (the first token always stays)
        outside = sorted_probs.cumsum(0) - sorted_probs >= p.top_p
        outside[0] = False
        sorted_probs = sorted_probs.masked_fill(outside, 0.0)
        probs = torch.zeros_like(probs).scatter(0, order, sorted_probs)
    try:
        return int(torch.multinomial(probs, 1, generator=generator).item())
    except RuntimeError as exc:  # inf/nan logits (a model fault or unbounded parameters)
        raise SamplingError(f"no valid token distribution with temperature={p.temperature}, "
                            f"top_k={p.top_k}, top_p={p.top_p}, repetition_penalty="
                            f"{p.repetition_penalty}: {exc}") from None
