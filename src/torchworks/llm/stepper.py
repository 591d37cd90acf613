"""A Stepper runs one sequence's forward passes: prefill the prompt, then one token at a time.

It hides where the KV cache lives (transformers' DynamicCache here, a slot of the static cache
in `engine.py`, ORT buffers in the ONNX variant), so `generate.py` and the benchmark drive every
variant with the same loop.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, Protocol

import torch


class Stepper(Protocol):
    """prefill/decode return logits [vocab] for the next token (any float dtype); score
    returns logits [len(ids), vocab] for every position of a fresh sequence (perplexity)."""

    def prefill(self, ids: Sequence[int]) -> torch.Tensor: ...

    def decode(self, token: int) -> torch.Tensor: ...

    def score(self, ids: Sequence[int]) -> torch.Tensor: ...


class HFStepper:
    """Any transformers causal LM, with its own KV cache.

    transformers 5.x calls the cache `cache` and warns on every use of the old name
    `past_key_values`; older releases know only the old name, so the name is read off the
    model's forward signature once."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.device = next(model.parameters()).device
        self._past: Any = None
        forward = inspect.signature(model.forward).parameters
        self._cache_name = "cache" if "cache" in forward else "past_key_values"

    @torch.inference_mode()
    def prefill(self, ids: Sequence[int]) -> torch.Tensor:
        input_ids = torch.tensor([list(ids)], dtype=torch.long, device=self.device)
        out = self.model(input_ids=input_ids, use_cache=True, logits_to_keep=1)
        self._past = out[self._cache_name]
        return out.logits[0, -1]

    @torch.inference_mode()
    def decode(self, token: int) -> torch.Tensor:
        input_ids = torch.tensor([[token]], dtype=torch.long, device=self.device)
        out = self.model(input_ids=input_ids, use_cache=True, **{self._cache_name: self._past})
        self._past = out[self._cache_name]
        return out.logits[0, -1]

    @torch.inference_mode()
    def score(self, ids: Sequence[int]) -> torch.Tensor:
        input_ids = torch.tensor([list(ids)], dtype=torch.long, device=self.device)
        return self.model(input_ids=input_ids).logits[0]
