"""Text of a growing token sequence, decoded incrementally: O(new tokens) per step, not O(all).

Decoding the whole output after every token (what we did) is quadratic in output length.
Decoding only the new token is wrong for byte-level and SentencePiece tokenizers: a character
may span tokens, and a token's leading space depends on what precedes it. So, as vLLM and TGI
do, we decode a short window twice, with and without the new tokens, starting a few tokens
back (`_prefix`), and keep the difference; while the window ends in an incomplete character
(U+FFFD) nothing is emitted and the window grows until the character completes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

REPLACEMENT_CHAR = "\ufffd"
MAX_PENDING = 8  # tokens held for an incomplete character before U+FFFD is let through


class IncrementalDetokenizer:
    """Feed ids with `push`; `text` is the decoded text of everything complete so far."""

    def __init__(self, tokenizer: Any, *, skip_special_tokens: bool = True) -> None:
        self.tokenizer = tokenizer
        self.skip_special_tokens = skip_special_tokens
        self.ids: list[int] = []
        self.text = ""
        self._prefix = 0  # window start: context that fixes the new tokens' leading space
        self._read = 0  # ids up to here are in `text`

    def push(self, ids: Sequence[int]) -> str:
        """Append `ids`; return the text they complete ("" while a character is incomplete)."""
        self.ids.extend(ids)
        return self._advance(final=False)

    def flush(self) -> str:
        """Text of any held tokens, even if it ends in an incomplete character."""
        return self._advance(final=True)

    def _advance(self, *, final: bool) -> str:
        if self._read == len(self.ids):
            return ""
        before = self._decode(self.ids[self._prefix:self._read])
        after = self._decode(self.ids[self._prefix:])
        pending = len(self.ids) - self._read
        if not final and after.endswith(REPLACEMENT_CHAR) and pending < MAX_PENDING:
            return ""
        if after.startswith(before):
            new = after[len(before):]
        else:  # the tokenizer rewrote the window's start: settle against a full decode
            full = self._decode(self.ids)
            new = full[len(self.text):] if full.startswith(self.text) else after[len(before):]
        self._prefix, self._read = self._read, len(self.ids)
        self.text += new
        return new

    def _decode(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(list(ids), skip_special_tokens=self.skip_special_tokens)
