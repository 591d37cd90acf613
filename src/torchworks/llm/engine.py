"""Slot bookkeeping and the prefill / decode steps over a `FastLlama` and its static KV cache.

A slot is one row of the KV cache. `allocate` hands out a free row, `prefill` writes a prompt
into it, `decode` advances any set of rows by one token each (the rows may be in any order and
change from step to step: that is what continuous batching needs), `release` frees the row.

Eager decode attends only to the filled part of the cache: one sequence reads and writes its row
as plain slices (no mask, no gather); several read up to the longest one, masked per row. With
`compile_decode=True` the decode step runs every slot over the
whole cache: shapes never change, so `torch.compile` builds it once (gpt-fast's recipe), and
rows with no sequence are computed and ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from torchworks.llm.llama import FastLlama


class DecodeEngine:
    """Not thread-safe: one thread drives it (the serving scheduler guarantees this)."""

    def __init__(self, model: FastLlama, *, slots: int = 1, max_seq: int = 1024,
                 cache_dtype: torch.dtype | None = None, compile_decode: bool = False) -> None:
        self.model = model
        model.setup_cache(slots, max_seq, cache_dtype)
        self.cache_dtype = cache_dtype
        self.slots = slots
        self.max_seq = model.max_seq
        self.device = model.tok_embeddings.weight.device
        self.lengths = [0] * slots  # tokens held in each slot's cache
        self._free = list(range(slots - 1, -1, -1))  # pop() hands out the lowest row first
        self._all_rows = torch.arange(slots, device=self.device)
        self._step = torch.compile(self._static_step, fullgraph=True, dynamic=False) \
            if compile_decode else None

    @property
    def free_slots(self) -> int:
        return len(self._free)

    def allocate(self) -> int:
        if not self._free:
            raise RuntimeError(f"all {self.slots} cache slots are in use")
        return self._free.pop()

    def grow(self, slots: int) -> None:
        """Hold `slots` rows, keeping every live row's cache: the scheduler may run more
        sequences than the engine was sized for (`torchworks serve --max-running`). The
        compiled step is built for one shape, so a compiled engine refuses."""
        if slots <= self.slots:
            return
        if self._step is not None:
            raise RuntimeError(f"a compiled engine keeps its {self.slots} slots")
        old = [(layer.attention.k_cache, layer.attention.v_cache) for layer in self.model.layers]
        self.model.setup_cache(slots, self.max_seq, self.cache_dtype)
        for layer, (keys, values) in zip(self.model.layers, old, strict=True):
            layer.attention.k_cache[:self.slots] = keys
            layer.attention.v_cache[:self.slots] = values
        self._free = sorted([*self._free, *range(self.slots, slots)], reverse=True)
        self.lengths += [0] * (slots - self.slots)
        self._all_rows = torch.arange(slots, device=self.device)
        self.slots = slots

    def release(self, slot: int) -> None:
        self.lengths[slot] = 0
        self._free.append(slot)
        self._free.sort(reverse=True)

    @torch.inference_mode()
    def prefill(self, slot: int, ids: Sequence[int], *, every_position: bool = False
                ) -> torch.Tensor:
        """Write the prompt `ids` into `slot` from position 0; logits [vocab] for what follows
        (or [len(ids), vocab], one row per position, with `every_position`)."""
        n = len(ids)
        if not 0 < n < self.max_seq:
            raise ValueError(f"prompt of {n} tokens does not fit the cache of {self.max_seq}")
        tokens = torch.tensor([list(ids)], dtype=torch.long, device=self.device)
        positions = torch.arange(n, device=self.device)[None]
        rows = torch.tensor([slot], device=self.device)
        logits = self.model(tokens, positions, rows, n, last_only=not every_position,
                            at=(slot, 0))
        self.lengths[slot] = n
        return logits[0]

    @torch.inference_mode()
    def decode(self, slots: Sequence[int], tokens: Sequence[int]) -> torch.Tensor:
        """Append tokens[i] to slots[i]; logits [len(slots), vocab] for each next token."""
        for slot in slots:
            if self.lengths[slot] >= self.max_seq:
                raise ValueError(f"slot {slot} is full ({self.max_seq} tokens)")
        if self._step is not None:
            logits = self._compiled_decode(slots, tokens)
        else:
            lengths = [self.lengths[s] for s in slots]
            positions = torch.tensor([[n] for n in lengths], device=self.device)
            token_ids = torch.tensor([[t] for t in tokens], dtype=torch.long, device=self.device)
            if len(slots) == 1:
                logits = self.model(token_ids, positions, self._all_rows[slots[0]:slots[0] + 1],
                                    lengths[0] + 1, at=(slots[0], lengths[0]))
            else:
                every_row = list(slots) == list(range(self.slots))
                rows = self._all_rows if every_row else \
                    torch.tensor(list(slots), device=self.device)
                logits = self.model(token_ids, positions, rows, max(lengths) + 1, every_row)
        for slot in slots:
            self.lengths[slot] += 1
        return logits

    def _compiled_decode(self, slots: Sequence[int], tokens: Sequence[int]) -> torch.Tensor:
        # Rows outside `slots` (free, or prefilled but not decoding this step) write their last
        # cache position, which is masked until their own sequence overwrites it.
        token_ids = torch.zeros(self.slots, 1, dtype=torch.long, device=self.device)
        positions = torch.full((self.slots, 1), self.max_seq - 1, device=self.device)
        index = torch.tensor(list(slots), device=self.device)
        token_ids[index, 0] = torch.tensor(list(tokens), device=self.device)
        positions[index, 0] = torch.tensor([self.lengths[s] for s in slots], device=self.device)
        assert self._step is not None
        return self._step(token_ids, positions)[index]

    def _static_step(self, tokens: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        return self.model(tokens, positions, self._all_rows, self.max_seq, True)


class EngineStepper:
    """One sequence at a time in one slot (default 0) that the caller reserves for it: the
    `Stepper` through which generate() and the benchmark drive every engine variant."""

    def __init__(self, engine: DecodeEngine, slot: int = 0) -> None:
        self.engine = engine
        self.slot = slot

    def prefill(self, ids: Sequence[int]) -> torch.Tensor:
        return self.engine.prefill(self.slot, ids)

    def decode(self, token: int) -> torch.Tensor:
        return self.engine.decode([self.slot], [token])[0]

    def score(self, ids: Sequence[int]) -> torch.Tensor:
        return self.engine.prefill(self.slot, ids, every_position=True)
