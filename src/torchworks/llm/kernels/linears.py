"""nn.Linear replacements over the native decode kernels: fp32 rows, and q8_0 (llama.cpp's
int8 blocks of 32 with q8 activations).

Decoding calls each linear with one row (or a handful, continuous batching): one ctypes call
per fused matmul (q/k/v and gate/up are already one Linear in `FastLlama`). The kernels hold the
weights in their own packed layouts and run every row count (a prompt's prefill too), so each
variant keeps one copy of its weights and prefill, decode and scoring see the same numbers.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from torchworks.llm.kernels import native


def _bias(linear: nn.Linear) -> torch.Tensor | None:
    return None if linear.bias is None else linear.bias.detach().float().clone()


class KernelLinear(nn.Module):
    """fp32 y = x W^T (+ b), W packed 16 rows interleaved for the native kernel (the only copy:
    prefill runs through it too)."""

    def __init__(self, linear: nn.Linear, kernels: native.Kernels) -> None:
        super().__init__()
        self.kernels = kernels
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.register_buffer("weight_packed", kernels.f32_pack(linear.weight.detach()))
        self.register_buffer("bias", _bias(linear))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.in_features).float().contiguous()
        out = torch.empty(flat.shape[0], self.out_features)
        self.kernels.f32_matmul(flat, self.weight_packed, out, torch.get_num_threads())
        if self.bias is not None:
            out += self.bias
        return out.view(*x.shape[:-1], self.out_features).to(x.dtype)


class Q8Linear(nn.Module):
    """y = q8(x) . q8(W)^T (+ b): W as int8 in blocks of 32 input columns with one fp32 scale
    each (absmax / 127, GGUF Q8_0's rule), x quantized the same way per call. An input width
    that is not a multiple of 32 is zero-padded (weights once, activations per call)."""

    def __init__(self, linear: nn.Linear, kernels: native.Kernels) -> None:
        super().__init__()
        self.kernels = kernels
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.padded = -(-self.in_features // native.Q8_BLOCK) * native.Q8_BLOCK
        weight = F.pad(linear.weight.detach().float(), (0, self.padded - self.in_features))
        q, scales = kernels.q8_quantize(weight.contiguous())
        q, scales = kernels.q8_pack(q, scales.view(self.out_features, -1))
        self.register_buffer("weight_q8", q)  # 8-row interleaved (kernels/q8.c)
        self.register_buffer("scales", scales)
        self.register_buffer("bias", _bias(linear))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.in_features).float()
        if self.padded != self.in_features:
            flat = F.pad(flat, (0, self.padded - self.in_features))
        flat = flat.contiguous()
        out = torch.empty(flat.shape[0], self.out_features)
        self.kernels.q8_matmul(flat, self.weight_q8, self.scales, out, torch.get_num_threads())
        if self.bias is not None:
            out += self.bias
        return out.view(*x.shape[:-1], self.out_features).to(x.dtype)


class Q8OutputHead(Q8Linear):
    """The output projection: q8 logits rank the vocabulary, then the `REFINE` largest per row
    are recomputed in fp32 from the fp32 rows (the head's own weight, which `FastLlama` keeps
    anyway for a tied embedding). Greedy and top-k/top-p read only that top, so they see fp32
    logits; the tail (perplexity's normaliser) keeps the q8 values. Measured on SmolLM2: q8
    logits alone are off by up to 0.9 and flip a greedy choice whose fp32 margin was 0.13;
    with this head the body's q8 error alone kept every token."""

    REFINE = 16

    def __init__(self, linear: nn.Linear, kernels: native.Kernels) -> None:
        super().__init__(linear, kernels)
        self.register_buffer("weight", linear.weight.detach().float())  # shared, not copied

    def decode_bytes(self) -> int:
        """Weight bytes one step reads: the q8 pass (the refined rows are a few KB)."""
        return sum(t.numel() * t.element_size() for t in (self.weight_q8, self.scales))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = super().forward(x.float())  # fp32: the refinement writes into it
        flat = logits.view(-1, self.out_features)
        top = flat.topk(min(self.REFINE, self.out_features), dim=-1).indices  # [M, R]
        rows = x.reshape(-1, self.in_features).float().contiguous()
        self.kernels.refine_rows(rows, self.weight, self.bias, top.contiguous(), flat)
        return logits.to(x.dtype)


def kernel_linears(model: nn.Module, kind: str, kernels: native.Kernels | None = None
                   ) -> nn.Module:
    """Replace every nn.Linear in place by the `kind` ("fp32" / "q8") kernel linear, the output
    head (named "output") by `Q8OutputHead` for q8. The embedding table stays as it is (a step
    reads one row of it)."""
    kernels = kernels or native.load()
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.Linear):
                full = f"{name}.{child_name}" if name else child_name
                cls = KernelLinear if kind == "fp32" else \
                    Q8OutputHead if full == "output" else Q8Linear
                setattr(module, child_name, cls(child, kernels))
    return model
