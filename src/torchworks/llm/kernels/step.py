"""A whole batch-1 decode step of a kernel-variant `FastLlama` as one native call (step.c),
output head included.

Why: once the matmuls stream their weights, the Python layer loop's ~20 torch ops and ctypes
calls per layer (residual adds, SiLU * up, views, new output tensors) cost about as much as
the weights' read, and dispatching each matmul to the thread pool on its own left 2 threads
barely faster than 1. Here every pointer (packed weights, norms, caches, scratch buffers) is
laid into ctypes structures once, and a step is one call that all threads run through together
(step.c says how). The q8 head refines its top logits in fp32 inside the call, as
`Q8OutputHead` does. The arrays are rebuilt only when `setup_cache` gives the model new caches.
"""

from __future__ import annotations

import ctypes
from typing import Any

import torch
from torch import nn

from torchworks.errors import ConfigError
from torchworks.llm.kernels import native
from torchworks.llm.kernels.linears import KernelLinear, Q8Linear, Q8OutputHead
from torchworks.llm.llama import LlamaShape

_P, _I = ctypes.c_void_p, ctypes.c_int


class _Linear(ctypes.Structure):
    _fields_ = [("weight", _P), ("scales", _P), ("bias", _P)]


class _Layer(ctypes.Structure):
    _fields_ = [("attn_norm", _P), ("ffn_norm", _P), ("wqkv", _Linear), ("wo", _Linear),
                ("w13", _Linear), ("w2", _Linear), ("k_cache", _P), ("v_cache", _P)]


class _Model(ctypes.Structure):
    _fields_ = [("q8", _I), ("layers", _I), ("dim", _I), ("heads", _I), ("kv_heads", _I),
                ("head_dim", _I), ("hidden", _I), ("max_seq", _I), ("vocab", _I),
                ("refine", _I), ("eps", ctypes.c_float), ("final_norm", _P), ("head", _Linear),
                ("head_rows", _P), ("x", _P), ("h", _P), ("qkv", _P), ("att", _P),
                ("gate_up", _P), ("act", _P), ("scores", _P), ("xq", _P), ("aq", _P),
                ("xs", _P), ("as_", _P), ("xsum", _P), ("asum", _P)]


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
    head = {KernelLinear: KernelLinear, Q8Linear: Q8OutputHead}[kinds.pop()]
    if type(model.output) is not head:
        return f"its output head is a {type(model.output).__name__}, not a {head.__name__}"
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
        widest = max(s.dim, s.heads * s.head_dim)
        self.buffers = [torch.zeros(n) for n in (
            s.dim, s.dim, (s.heads + 2 * s.kv_heads) * s.head_dim, s.heads * s.head_dim,
            2 * s.hidden, s.hidden)]
        blocks = (widest // native.Q8_BLOCK, s.hidden // native.Q8_BLOCK)
        self.quantized = [torch.zeros(widest, dtype=torch.int8),
                          torch.zeros(s.hidden, dtype=torch.int8),
                          torch.zeros(blocks[0]), torch.zeros(blocks[1]),
                          torch.zeros(blocks[0], dtype=torch.int32),
                          torch.zeros(blocks[1], dtype=torch.int32)]
        self.scores = torch.zeros(0)
        self.spec = _Model(int(q8), s.layers, s.dim, s.heads, s.kv_heads, s.head_dim,
                           s.hidden, 0, s.vocab, 0, s.eps, None, _Linear(), None,
                           *(b.data_ptr() for b in self.buffers), None,
                           *(b.data_ptr() for b in self.quantized))
        self.layers = (_Layer * s.layers)()
        self.caches: tuple[Any, ...] = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> NativeDecodeStep:
        fresh = NativeDecodeStep.__new__(NativeDecodeStep)
        fresh._setup(self.s, self.q8, self.kernels)
        return fresh

    def _point_at_caches(self, model: nn.Module) -> None:
        caches = (model.norm.weight.data_ptr(), model.output, *(
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
        head = model.output
        self.spec.head = _linear(head)
        self.spec.head_rows = _ptr(head.weight) if isinstance(head, Q8OutputHead) else None
        self.spec.refine = head.REFINE if isinstance(head, Q8OutputHead) else 0
        self.scores = torch.zeros(model.s.heads * model.max_seq)
        self.spec.scores = self.scores.data_ptr()
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
        logits = torch.empty(1, s.vocab)
        self.kernels.lib.tw_decode_step(ctypes.byref(self.spec), self.layers, embedding, cos,
                                        sin, row, position, torch.get_num_threads(),
                                        logits.data_ptr())
        return logits
