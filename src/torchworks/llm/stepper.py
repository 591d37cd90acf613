"""A Stepper runs one sequence's forward passes: prefill the prompt, then one token at a time.

It hides where the KV cache lives (transformers' DynamicCache here, a slot of the static cache
in `engine.py`, ORT buffers in the ONNX variant), so `generate.py` and the benchmark drive every
variant with the same loop.
"""

from __future__ import annotations

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
    """Any transformers causal LM, with its own KV cache (`past_key_values`)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.device = next(model.parameters()).device
        self._past: Any = None

    @torch.inference_mode()
    def prefill(self, ids: Sequence[int]) -> torch.Tensor:
        input_ids = torch.tensor([list(ids)], dtype=torch.long, device=self.device)
        out = self.model(input_ids=input_ids, use_cache=True, logits_to_keep=1)
        self._past = out.past_key_values
        return out.logits[0, -1]

    @torch.inference_mode()
    def decode(self, token: int) -> torch.Tensor:
        input_ids = torch.tensor([[token]], dtype=torch.long, device=self.device)
        out = self.model(input_ids=input_ids, past_key_values=self._past, use_cache=True)
        self._past = out.past_key_values
        return out.logits[0, -1]

    @torch.inference_mode()
    def score(self, ids: Sequence[int]) -> torch.Tensor:
        input_ids = torch.tensor([list(ids)], dtype=torch.long, device=self.device)
        return self.model(input_ids=input_ids).logits[0]
