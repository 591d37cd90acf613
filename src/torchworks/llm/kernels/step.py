"""A whole batch-1 decode step of a kernel-variant `FastLlama` as one native call (step.c).

Why: once the matmuls stream their weights, the Python layer loop's ~20 torch ops and ctypes
calls per layer (residual adds, SiLU * up, views, new output tensors) cost about as much as
the weights' read. Here every pointer (packed weights, norms, caches, scratch buffers) is laid
into ctypes structures once, and a step is one call plus the output head (kept in Python: the
q8 head refines its top logits in fp32, see `Q8OutputHead`). The arrays are rebuilt only when
`setup_cache` gives the model new caches.
"""

from __future__ import annotations

import ctypes
from typing import Any

import torch
from torch import nn

from torchworks.errors import ConfigError
from torchworks.llm.kernels import native
from torchworks.llm.kernels.linears import KernelLinear, Q8Linear
from torchworks.llm.llama import LlamaShape

_P, _I = ctypes.c_void_p, ctypes.c_int


class _Linear(ctypes.Structure):
    _fields_ = [("weight", _P), ("scales", _P), ("bias", _P)]


class _Layer(ctypes.Structure):
    _fields_ = [("attn_norm", _P), ("ffn_norm", _P), ("wqkv", _Linear), ("wo", _Linear),
                ("w13", _Linear), ("w2", _Linear), ("k_cache", _P), ("v_cache", _P)]


class _Model(ctypes.Structure):
    _fields_ = [("q8", _I), ("layers", _I), ("dim", _I), ("heads", _I), ("kv_heads", _I),
                ("head_dim", _I), ("hidden", _I), ("max_seq", _I), ("eps", ctypes.c_float),
                ("final_norm", _P), ("x", _P), ("h", _P), ("qkv", _P), ("att", _P),
                ("gate_up", _P), ("act", _P)]


def _ptr(t: torch.Tensor | None) -> int | None:
    return None if t is None else t.data_ptr()


def _linear(module: nn.Module) -> _Linear:
    if isinstance(module, Q8Linear):
        return _Linear(module.weight_q8.data_ptr(), module.scales.data_ptr(), _ptr(module.bias))
    return _Linear(module.weight_packed.data_ptr(), None, _ptr(module.bias))


def unsupported(model: nn.Module) -> str | None:
    """Why `model` (a FastLlama after `kernel_linears`) cannot take the one-call step, or None."""
    kinds = {type(m) for layer in model.layers for m in layer.modules()
             if isinstance(m, (nn.Linear, KernelLinear, Q8Linear))}
    if kinds not in ({KernelLinear}, {Q8Linear}):
        return f"its layers' linears are {sorted(k.__name__ for k in kinds)}"
    if any(isinstance(m, Q8Linear) and m.padded != m.in_features for m in model.layers.modules()):
        return "a q8 linear's input width is not a multiple of 32"
    if model.tok_embeddings.weight.dtype != torch.float32:
        return "its embedding is not fp32"
    return None


class NativeDecodeStep:
    """Callable(model, token, row, position) -> logits [1, vocab] for `FastLlama.forward`.

    A copy (the weight pool deep-copies a model for each engine over shared weights) is a
    fresh step with its own scratch buffers, pointed at its model on first call: ctypes
    structures holding pointers cannot be copied, and two engines must not share scratch."""

    def __init__(self, model: nn.Module, kernels: native.Kernels) -> None:
        self._setup(model.s, isinstance(model.layers[0].attention.wqkv, Q8Linear), kernels)

    def _setup(self, s: LlamaShape, q8: bool, kernels: native.Kernels) -> None:
        self.s, self.q8, self.kernels = s, q8, kernels
        self.buffers = [torch.zeros(n) for n in (
            s.dim, s.dim, (s.heads + 2 * s.kv_heads) * s.head_dim, s.heads * s.head_dim,
            2 * s.hidden, s.hidden)]
        self.spec = _Model(int(q8), s.layers, s.dim, s.heads, s.kv_heads, s.head_dim,
                           s.hidden, 0, s.eps, None, *(b.data_ptr() for b in self.buffers))
        self.layers = (_Layer * s.layers)()
        self.caches: tuple[int, ...] = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> NativeDecodeStep:
        fresh = NativeDecodeStep.__new__(NativeDecodeStep)
        fresh._setup(self.s, self.q8, self.kernels)
        return fresh

    def _point_at_caches(self, model: nn.Module) -> None:
        caches = (model.norm.weight.data_ptr(), *(
            t.data_ptr() for layer in model.layers
            for t in (layer.attention.k_cache, layer.attention.v_cache)))
        if caches == self.caches and self.spec.max_seq == model.max_seq:
            return
        if any(layer.attention.k_cache.dtype != torch.float32 for layer in model.layers):
            raise ConfigError("the native decode step needs an fp32 KV cache",
                              fix="set up the kernel variants' cache without a cache dtype")
        for slot, layer in zip(self.layers, model.layers, strict=True):
            a, f = layer.attention, layer.feed_forward
            slot.attn_norm = layer.attention_norm.weight.data_ptr()
            slot.ffn_norm = layer.ffn_norm.weight.data_ptr()
            slot.wqkv, slot.wo = _linear(a.wqkv), _linear(a.wo)
            slot.w13, slot.w2 = _linear(f.w13), _linear(f.w2)
            slot.k_cache, slot.v_cache = a.k_cache.data_ptr(), a.v_cache.data_ptr()
        self.spec.max_seq = model.max_seq
        self.spec.final_norm = model.norm.weight.data_ptr()
        self.caches = caches

    def __call__(self, model: nn.Module, token: int, row: int, position: int) -> torch.Tensor:
        self._point_at_caches(model)
        s = model.s
        if not (0 <= row < model.slots and 0 <= position < model.max_seq):
            raise ConfigError(f"decode step at row {row}, position {position} is outside the "
                              f"cache ({model.slots} slots x {model.max_seq} positions)",
                              fix="set up a larger cache (max_seq) or stop at its end")
        half = s.head_dim // 2
        embedding = model.tok_embeddings.weight.data_ptr() + 4 * token * s.dim
        cos = model._cos.data_ptr() + 4 * position * half
        sin = model._sin.data_ptr() + 4 * position * half
        normed = torch.empty(1, s.dim)
        if self.kernels.lib.tw_decode_step(ctypes.byref(self.spec), self.layers, embedding,
                                           cos, sin, row, position, torch.get_num_threads(),
                                           normed.data_ptr()):
            raise MemoryError("the decode step's kernels could not allocate their buffers")
        return model.output(normed)
