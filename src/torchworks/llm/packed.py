"""Weight layouts for batch-1 decoding: input-major fp32, and weight-only int8 / int4 linears
over torch's packed CPU kernels (built in seconds, no compile).

Batch-1 decoding reads every weight once per token, so its speed is weight bytes over memory
bandwidth: int8 weights read 4x fewer bytes than fp32, int4 8x. Only the weights are
quantized; activations stay floating point (bf16 into the kernel, which accumulates in fp32),
so nothing is quantized at run time from the data (that is what made int8-dynamic change
tokens). Kernels: `aten::_weight_int8pack_mm` (per-output-channel int8) and
`aten::_weight_int4pack_mm_for_cpu` (groups of 32 along the input, scale and zero point per
group: the same scheme as GGUF's Q4_1, so the embedded model's Q4_1 weights, dequantized to
fp32 by the loader, are recovered exactly up to bf16 scales). Both ship with torch's CPU build
(AVX-512 and AVX2 code paths): int8 since torch 2.3, the `_for_cpu` int4 pair since 2.6
(pytorch/pytorch#139611 split it from the CUDA one); `missing_kernel` says when one is absent.
"""

from __future__ import annotations

import torch
from torch import nn

INT4_GROUP = 32
INT4_N_BLOCK = 16  # the int4 packing's output rows must be a multiple of this
COMPUTE_DTYPE = torch.bfloat16  # the kernels' fast activation dtype on CPU
KERNELS = {"int8": "_weight_int8pack_mm", "int4": "_weight_int4pack_mm_for_cpu"}


def missing_kernel(kind: str) -> str | None:
    """The aten op this torch lacks for `kind` ("int8" / "int4"), or None."""
    op = KERNELS[kind]
    return None if hasattr(torch.ops.aten, op) else f"this torch has no aten::{op}"


class Int8WeightLinear(nn.Module):
    """y = x W^T (+ b) with W stored as int8 rows and one scale per output channel."""

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        weight = linear.weight.detach().float()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        scale = weight.abs().amax(dim=1).clamp(min=1e-12) / 127
        quantized = torch.round(weight / scale[:, None]).clamp(-127, 127).to(torch.int8)
        self.register_buffer("weight_int8", quantized.contiguous())
        self.register_buffer("scales", scale.to(COMPUTE_DTYPE))
        self.register_buffer("bias", None if linear.bias is None else linear.bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.in_features).to(COMPUTE_DTYPE)
        out = torch.ops.aten._weight_int8pack_mm(flat, self.weight_int8, self.scales)
        out = out.to(x.dtype).view(*x.shape[:-1], self.out_features)
        return out if self.bias is None else out + self.bias


class Int8OutputHead(Int8WeightLinear):
    """The output projection: as exact as int8 weights allow where sampling looks, at 4-bit
    cost. A coarse pass over an int4 copy ranks the vocabulary (torch's int8 kernel is compute
    bound on a head this wide: 6.5 ms a step for SmolLM2's 49152 x 576 against 2.5 ms for the
    int4 one, which also reads half the bytes), then the `REFINE` largest logits per row are
    recomputed in fp32 from the int8 rows. Greedy and top-k/top-p read only that top, so they
    see the int8 answer; the tail (perplexity's normaliser) keeps the coarse values. The
    kernels' bf16 logits alone would also tie near-equal logits (24.283 and 24.155 both become
    24.25) and flip greedy choices. Without the int4 kernel (or with inputs not a multiple of
    its group, or outputs not a multiple of 16) the int8 kernel ranks."""

    REFINE = 16

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__(linear)
        scale = linear.weight.detach().float().abs().amax(dim=1).clamp(min=1e-12) / 127
        self.register_buffer("scales_fp32", scale)  # the same scales, unrounded
        fits = linear.in_features % INT4_GROUP == 0 and linear.out_features % INT4_N_BLOCK == 0
        self.coarse = Int4WeightLinear(linear) if fits and not missing_kernel("int4") else None

    def decode_bytes(self) -> int:
        """Weight bytes one step reads: the ranking pass (the refined rows are a few KB)."""
        ranker = self.coarse if self.coarse is not None else self
        names = ("weight_int4", "scales_zeros") if self.coarse is not None else \
            ("weight_int8", "scales")
        return sum(getattr(ranker, n).numel() * getattr(ranker, n).element_size() for n in names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.coarse(x) if self.coarse is not None else super().forward(x)
        flat = logits.view(-1, self.out_features)
        top = flat.topk(min(self.REFINE, self.out_features), dim=-1).indices  # [M, R]
        rows = self.weight_int8[top].float() * self.scales_fp32[top][..., None]  # [M, R, K]
        exact = torch.einsum("mk,mrk->mr", x.reshape(-1, self.in_features).float(), rows)
        if self.bias is not None:
            exact = exact + self.bias[top]
        flat.scatter_(-1, top, exact.to(flat.dtype))
        return logits


class Int4WeightLinear(nn.Module):
    """y = x W^T (+ b) with W in asymmetric 4-bit groups of `INT4_GROUP` input columns:
    w = q * scale + min per group, q in 0..15 (GGUF Q4_1's formula)."""

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        weight = linear.weight.detach().float()
        n, k = weight.shape
        if k % INT4_GROUP:
            raise ValueError(f"in_features {k} is not a multiple of {INT4_GROUP}")
        self.in_features, self.out_features = k, n
        groups = weight.view(n, k // INT4_GROUP, INT4_GROUP)
        low, high = groups.amin(dim=-1), groups.amax(dim=-1)
        scale = ((high - low) / 15).clamp(min=1e-12)
        q = torch.round((groups - low[..., None]) / scale[..., None]).clamp(0, 15)
        packed = torch.ops.aten._convert_weight_to_int4pack_for_cpu(
            q.to(torch.int32).view(n, k).contiguous(), 1)
        # The kernel computes (q - 8) * scale + zero, so zero = min + 8 * scale; [K/32, N, 2].
        scales_zeros = torch.stack([scale, low + 8 * scale], dim=-1).transpose(0, 1)
        self.register_buffer("weight_int4", packed)
        self.register_buffer("scales_zeros", scales_zeros.contiguous().to(COMPUTE_DTYPE))
        self.register_buffer("bias", None if linear.bias is None else linear.bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.in_features).to(COMPUTE_DTYPE)
        out = torch.ops.aten._weight_int4pack_mm_for_cpu(flat, self.weight_int4, INT4_GROUP,
                                                         self.scales_zeros)
        out = out.to(x.dtype).view(*x.shape[:-1], self.out_features)
        return out if self.bias is None else out + self.bias


class TransposedLinear(nn.Module):
    """An fp32 nn.Linear with its weight stored input-major ([in, out]), computed as x @ W^T.
    Same numbers; MKL streams a [K, N] matrix for a single row of x markedly faster than the
    [N, K] one nn.Linear keeps (the 49152-row output head: 23 ms against 36 ms here, and
    +20-25% whole-step decode tok/s on SmolLM2 at 1 thread, same tokens)."""

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.register_buffer("weight_t", linear.weight.detach().t().contiguous())
        self.register_buffer("bias", None if linear.bias is None else linear.bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.matmul(x, self.weight_t)
        return out if self.bias is None else out + self.bias


def transpose_linears(model: nn.Module) -> nn.Module:
    """Replace every nn.Linear in place by its TransposedLinear (eager fp32 decoding)."""
    for module in list(model.modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.Linear):
                setattr(module, child_name, TransposedLinear(child))
    return model


def pack_linears(model: nn.Module, body: str, head: str = "int8") -> nn.Module:
    """Replace every nn.Linear in place: `head` ("int8") for the output projection named
    "output", `body` ("int8" / "int4") for the rest. The embedding table stays as it is
    (a step reads one row of it)."""
    kinds = {"int8": Int8WeightLinear, "int4": Int4WeightLinear}
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.Linear):
                full = f"{name}.{child_name}" if name else child_name
                cls = Int8OutputHead if full == "output" and head == "int8" else \
                    kinds[head if full == "output" else body]
                setattr(module, child_name, cls(child))
    return model
