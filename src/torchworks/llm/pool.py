"""One copy of a model's weights for every service that serves it: a keyed, refcounted pool.

Services that serve the same model (two `llm` services on the embedded SmolLM2-135M, say) each held
the Hugging Face model and the engine's re-laid-out copy of it (2 x 540 MB fp32 per service).
The pool loads a (folder, variant) once: it builds the variant's `FastLlama` weights, ties the
output projection back to the embedding when the checkpoint ties them, and drops the Hugging
Face module's weights (only its tokenizer and configs are used after the copy). Every lease
gets its own `DecodeEngine` over a *view* of those weights: new modules, the same parameter
tensors, its own KV cache and slots. Inference only reads the weights, so the engines of two
services may run forwards at the same time from their scheduler threads.

When the last lease on an entry is released (its services unloaded or swapped out), the pool
forgets the entry and its memory goes with it.
"""

from __future__ import annotations

import copy
import itertools
import threading
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from torchworks.llm.engine import DecodeEngine
from torchworks.llm.llama import FastLlama
from torchworks.llm.load import LoadedLM, load_causal_lm
from torchworks.llm.variants import engine_for, variant

PoolKey = tuple[str, str]  # (resolved folder or "embedded", variant name)


@dataclass
class _Entry:
    lm: LoadedLM  # tokenizer and configs; the HF module's weights are on the meta device
    model: FastLlama  # the variant's weights; its own KV cache is never used
    cache_dtype: torch.dtype
    users: int = 0


class WeightLease:
    """One user's hold on a pool entry; `release` exactly once (close() of the user)."""

    def __init__(self, pool: ModelPool, key: PoolKey, entry: _Entry) -> None:
        self._pool = pool
        self.key = key
        self.lm = entry.lm
        self._entry: _Entry | None = entry

    def engine(self, *, slots: int, max_seq: int) -> DecodeEngine:
        """A new engine (own KV cache of `slots` x `max_seq`) over the shared weights."""
        entry = self._entry
        if entry is None:
            raise RuntimeError("this lease was released")
        model = entry.model
        shared = {id(t): t for t in itertools.chain(model.parameters(), model.buffers())}
        view = copy.deepcopy(model, shared)  # new modules and cache slots, the same weights
        return DecodeEngine(view, slots=slots, max_seq=max_seq, cache_dtype=entry.cache_dtype,
                            compile_decode=variant(self.key[1]).compile)

    def release(self) -> None:
        if self._entry is not None:
            self._entry = None
            self._pool._release(self.key)


class ModelPool:
    """Entries keyed by (folder, variant); builds of one key are serialized, of others not."""

    def __init__(self) -> None:
        self._entries: dict[PoolKey, _Entry] = {}
        self._lock = threading.Lock()
        self._building: dict[PoolKey, threading.Lock] = {}

    def acquire(self, folder: Path | None, variant_name: str) -> WeightLease:
        """A lease on the weights of `folder` (None: the embedded default) as `variant_name`,
        loading them unless another user holds them already."""
        variant(variant_name)  # unknown names fail before any loading
        key = (str(Path(folder).resolve()) if folder is not None else "embedded", variant_name)
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                entry = self._entries.get(key)
            if entry is None:
                entry = _build(folder, variant_name)
            with self._lock:
                entry = self._entries.setdefault(key, entry)
                entry.users += 1
        return WeightLease(self, key, entry)

    def users(self, key: PoolKey) -> int:
        """How many leases hold `key` now (0: not loaded)."""
        with self._lock:
            entry = self._entries.get(key)
            return entry.users if entry else 0

    def weights(self, key: PoolKey) -> FastLlama | None:
        """The shared weights held under `key`, if any (for stats and tests)."""
        with self._lock:
            entry = self._entries.get(key)
            return entry.model if entry else None

    def _release(self, key: PoolKey) -> None:
        with self._lock:
            entry = self._entries[key]
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]


def _build(folder: Path | None, variant_name: str) -> _Entry:
    lm = load_causal_lm(folder)
    model = engine_for(lm, variant_name, slots=1, max_seq=1).model
    _tie_output(model)
    cache = model.layers[0].attention.k_cache if len(model.layers) else None
    cache_dtype = cache.dtype if cache is not None else model.tok_embeddings.weight.dtype
    lm.model.to("meta")  # the engine holds the weights now; keep the configs, free the rest
    return _Entry(lm, model, cache_dtype)


def _tie_output(model: FastLlama) -> None:
    """Make the output projection the embedding matrix again when they hold the same values
    (tied checkpoints such as SmolLM2): the engine's state-dict copy had untied them."""
    output, embedding = model.output, model.tok_embeddings
    plain = (type(output) is nn.Linear and type(embedding) is nn.Embedding
             and type(output.weight.data) is torch.Tensor)
    if plain and output.weight.shape == embedding.weight.shape \
            and output.weight.dtype == embedding.weight.dtype \
            and torch.equal(output.weight, embedding.weight):
        output.weight = embedding.weight


POOL = ModelPool()  # the process's pool: every service in one server shares it
