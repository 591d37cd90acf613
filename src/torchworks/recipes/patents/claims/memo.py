"""A word-keyed cache that the interpreter reads in C: `table[word]` is a dict lookup, and
`map(table.__getitem__, words)` looks up a whole claim's tokens without a Python call per hit.
`functools.lru_cache` costs a call per lookup and evicts on a 50,000-claim vocabulary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict, Generic[K, V]):
    """`function`'s results by argument, computed on the first miss; emptied when it holds
    `limit` entries, so a service checking text forever keeps bounded memory."""

    def __init__(self, function: Callable[[K], V], limit: int = 1 << 18) -> None:
        super().__init__()
        self.function = function
        self.limit = limit

    def __missing__(self, key: K) -> V:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.function(key)
        return value
