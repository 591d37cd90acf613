"""Text of a growing token sequence, decoded incrementally: O(new tokens) per step, not O(all).

Decoding the whole output after every token (what we did) is quadratic in output length.
Decoding only the new token is wrong for byte-level and SentencePiece tokenizers: a character
may span tokens, and a token's leading space depends on what precedes it. So, as vLLM and TGI
do, we decode a short window twice, with and without the new tokens, starting a few tokens
back (`_prefix`), and keep the difference; while the window ends in an incomplete character
(U+FFFD) nothing is emitted and the window grows until the character completes.
"""

from __future__ import annotations

from collections import OrderedDict
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

    def pending_text(self) -> str:
        """What the held tokens decode to now (ends in U+FFFD), without consuming them."""
        if self._read == len(self.ids):
            return ""
        before = self._decode(self.ids[self._prefix:self._read])
        return self._decode(self.ids[self._prefix:])[len(before):]

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


class GrowingListDecoder:
    """`detokenize(token_ids)` for a caller that passes the same list object, grown by a token,
    at every step (the serving scheduler does, for each running sequence): each such list gets
    an IncrementalDetokenizer, so a step decodes a short window instead of the whole output.
    Returns what a full decode returns (a trailing incomplete character included). Anything
    else (a new list, a tuple, a list that shrank or changed) is decoded in full."""

    def __init__(self, tokenizer: Any, capacity: int = 512) -> None:
        self.tokenizer = tokenizer
        self.capacity = capacity
        self._entries: OrderedDict[int, tuple[list[int], IncrementalDetokenizer]] = OrderedDict()

    def __call__(self, token_ids: Sequence[int]) -> str:
        if not isinstance(token_ids, list):
            return self.tokenizer.decode(list(token_ids), skip_special_tokens=True)
        key = id(token_ids)
        entry = self._entries.get(key)
        known = len(entry[1].ids) if entry is not None else 0
        if entry is None or entry[0] is not token_ids or len(token_ids) < known \
                or (known and token_ids[known - 1] != entry[1].ids[known - 1]):
            entry = (token_ids, IncrementalDetokenizer(self.tokenizer))
            known = 0
            self._entries[key] = entry
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        self._entries.move_to_end(key)
        detokenizer = entry[1]
        detokenizer.push(token_ids[known:])
        return detokenizer.text + detokenizer.pending_text()
