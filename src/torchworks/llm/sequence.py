"""One sequence being generated: token choice, incremental text, stop conditions.

Shared by single-prompt generation (`generate.py`) and the continuous batcher, so both stop and
stream text identically. The text is decoded incrementally (`detokenize.py`), so a token costs
the same at the end of a long output as at its start. Text comes out in pieces that are safe to
show: a piece never ends in the middle of a multi-byte character (the tokenizer's U+FFFD
placeholder), and text that could be the start of a stop string is held back until it is clear
it is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from torchworks.llm.detokenize import REPLACEMENT_CHAR, IncrementalDetokenizer
from torchworks.llm.sampling import SamplingParams, pick_token


class SequenceState:
    """Holds one request's prompt ids, generated ids, released text and finish reason.

    finish_reason is None while running, then "stop" (EOS token or stop string) or "length"
    (max_new_tokens reached); callers may also set "cancelled" or "timeout".
    """

    def __init__(
        self,
        tokenizer: Any,
        prompt_ids: Sequence[int],
        params: SamplingParams,
        eos_ids: Sequence[int] = (),
    ) -> None:
        self.tokenizer = tokenizer
        self.prompt_ids = list(prompt_ids)
        self.params = params
        self.eos_ids = frozenset() if params.ignore_eos else frozenset(eos_ids)
        self.generated: list[int] = []
        self.finish_reason: str | None = None
        self._detokenizer = IncrementalDetokenizer(tokenizer)
        self._text = ""  # decoded text of `generated`, stop-truncated once finished
        self._released = 0  # characters of _text already handed out
        self._holdback = max((len(s) for s in params.stop), default=1) - 1
        self._generator: torch.Generator | None = None
        if params.seed is not None:
            self._generator = torch.Generator().manual_seed(params.seed)

    @property
    def finished(self) -> bool:
        return self.finish_reason is not None

    @property
    def text(self) -> str:
        return self._text

    def choose(self, logits: torch.Tensor) -> int:
        """Pick the next token from this sequence's logits row [vocab]."""
        seen = None
        if self.params.repetition_penalty != 1.0:
            seen = torch.tensor(self.prompt_ids + self.generated, dtype=torch.long)
            seen = seen.to(logits.device)
        return pick_token(logits, self.params, seen, self._generator)

    def append(self, token: int) -> str:
        """Record `token`; return the text newly safe to release ("" if none yet)."""
        if self.finished:
            return ""
        if token in self.eos_ids:
            self.finish_reason = "stop"
            self._text += self._detokenizer.flush()
            return self._release(final=True)
        self.generated.append(token)
        self._text += self._detokenizer.push([token])
        if len(self.generated) >= self.params.max_new_tokens:
            self._text += self._detokenizer.flush()
        for stop in self.params.stop:
            at = self._text.find(stop, max(0, self._released - len(stop)))
            if at >= 0:
                self._text = self._text[:at]
                self.finish_reason = "stop"
                return self._release(final=True)
        if len(self.generated) >= self.params.max_new_tokens:
            self.finish_reason = "length"
            return self._release(final=True)
        return self._release(final=False)

    def finish(self, reason: str) -> str:
        """End the sequence from outside (cancelled, timeout); returns any held-back text."""
        if self.finished:
            return ""
        self.finish_reason = reason
        self._text += self._detokenizer.flush()
        return self._release(final=True)

    def _release(self, *, final: bool) -> str:
        end = len(self._text)
        if not final:
            end -= self._holdback
            while end > self._released and self._text[end - 1] == REPLACEMENT_CHAR:
                end -= 1
        if end <= self._released:
            return ""
        piece = self._text[self._released:end]
        self._released = end
        return piece
