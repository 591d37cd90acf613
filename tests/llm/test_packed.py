"""Weight layouts for decoding: int8 / int4 close to the float layer, int4 holds Q4_1 exactly,
the input-major fp32 layout computes the same thing."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from torchworks.llm.packed import (
    INT4_GROUP,
    Int4WeightLinear,
    Int8OutputHead,
    Int8WeightLinear,
    TransposedLinear,
    missing_kernel,
    pack_linears,
    transpose_linears,
)


def _relative_error(got: torch.Tensor, expected: torch.Tensor) -> float:
    return float((got - expected).norm() / expected.norm())


@pytest.mark.parametrize("kind", ["int8", "int4"])
def test_packed_linear_is_close_to_the_float_layer(kind: str) -> None:
    if missing_kernel(kind):
        pytest.skip(missing_kernel(kind))
    torch.manual_seed(0)
    linear = nn.Linear(128, 96, bias=True)
    x = torch.randn(3, 5, 128)
    packed = Int8WeightLinear(linear) if kind == "int8" else Int4WeightLinear(linear)
    with torch.inference_mode():
        got, expected = packed(x), linear(x)
    assert got.shape == expected.shape and got.dtype == torch.float32
    # int8 per channel: well under 1%; 4-bit groups of 32 on gaussian weights: a few percent.
    assert _relative_error(got, expected) < (0.01 if kind == "int8" else 0.08)


def test_int4_groups_hold_q4_1_weights_exactly() -> None:
    """Weights already on a Q4_1 grid (w = d * q + m per 32 inputs, q in 0..15, the GGUF's
    own quantization) come back as the same grid: only the kernel's bf16 scales round."""
    if missing_kernel("int4"):
        pytest.skip(missing_kernel("int4"))
    torch.manual_seed(0)
    n, k = 64, 4 * INT4_GROUP
    q = torch.randint(0, 16, (n, k // INT4_GROUP, INT4_GROUP)).float()
    q[..., 0], q[..., 1] = 0, 15  # llama.cpp's quantizer puts each block's min at 0, max at 15
    d = torch.rand(n, k // INT4_GROUP, 1) * 0.01 + 0.001
    m = -torch.rand(n, k // INT4_GROUP, 1) * 0.05
    linear = nn.Linear(k, n, bias=False)
    linear.weight.data = (q * d + m).view(n, k)
    x = torch.randn(4, k)
    with torch.inference_mode():
        got = Int4WeightLinear(linear)(x)
        on_grid = x @ linear.weight.T
    assert _relative_error(got, on_grid) < 0.01


def test_pack_linears_replaces_every_linear_and_keeps_the_head_int8() -> None:
    if missing_kernel("int4") or missing_kernel("int8"):
        pytest.skip("this torch lacks a packed kernel")
    model = nn.Module()
    model.block = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32))
    model.output = nn.Linear(32, 100, bias=False)
    pack_linears(model, body="int4")
    assert not any(isinstance(m, nn.Linear) for m in model.modules())
    assert isinstance(model.block[0], Int4WeightLinear)
    assert isinstance(model.output, Int8WeightLinear)


def test_transposed_linear_computes_what_the_linear_does() -> None:
    torch.manual_seed(0)
    linear = nn.Linear(48, 80, bias=True)
    x = torch.randn(2, 3, 48)
    with torch.inference_mode():
        torch.testing.assert_close(TransposedLinear(linear)(x), linear(x))
    model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    transpose_linears(model)
    assert [type(m).__name__ for m in model] == ["TransposedLinear", "ReLU", "TransposedLinear"]


@pytest.mark.parametrize(("name", "layer"), [("int8-packed", Int8WeightLinear),
                                             ("int4-g32", Int4WeightLinear)])
def test_packed_variants_run_the_packed_kernels(tiny_lm: object, name: str,
                                                layer: type) -> None:
    from torchworks.llm.variants import engine_for

    if missing_kernel("int8") or missing_kernel("int4"):
        pytest.skip("this torch lacks a packed kernel")
    model = engine_for(tiny_lm, name, max_seq=32).model  # type: ignore[arg-type]
    assert isinstance(model.layers[0].feed_forward.w13, layer)
    assert isinstance(model.output, Int8WeightLinear)


def test_int8_head_keeps_near_ties_apart() -> None:
    """Logits 24.01 and 24.05 are one bf16 value (24.0); the head recomputes its top rows in
    fp32, so greedy decoding still sees which is larger."""
    if missing_kernel("int8"):
        pytest.skip(missing_kernel("int8"))
    torch.manual_seed(0)
    linear = nn.Linear(64, 300, bias=False)
    x = torch.randn(1, 64)
    with torch.no_grad():
        linear.weight.mul_(0.01)
        direction = torch.randn(64)
        base = direction * (24.01 / float(x[0] @ direction))
        linear.weight[7] = base
        linear.weight[200] = base * (24.05 / 24.01)  # proportional rows: same int8 codes
    with torch.inference_mode():
        exact = linear(x)[0]
        plain = Int8WeightLinear(linear)(x)[0]
        refined = Int8OutputHead(linear)(x)[0]
    assert int(exact.argmax()) == 200
    assert float(plain[200]) == float(plain[7])  # bf16 logits: a tie, argmax would say 7
    assert int(refined.argmax()) == 200
    assert abs(float(refined[200] - refined[7]) - 0.04) < 0.01


def test_head_ranks_with_int4_and_refines_the_top_from_int8() -> None:
    """The wide head's coarse pass is int4 (fewer bytes, the faster kernel); the logits that
    sampling reads are the int8 rows' fp32 products, and a step is counted at the int4 bytes."""
    if missing_kernel("int8") or missing_kernel("int4"):
        pytest.skip("this torch lacks a packed kernel")
    from torchworks.llm.roofline import decode_weight_bytes

    torch.manual_seed(0)
    linear = nn.Linear(64, 320, bias=False)
    x = torch.randn(2, 64)
    head = Int8OutputHead(linear)
    assert isinstance(head.coarse, Int4WeightLinear)
    with torch.inference_mode():
        got = head(x)
        int8_exact = x @ (head.weight_int8.float() * head.scales_fp32[:, None]).T
    top = int8_exact.topk(4, dim=-1).indices
    torch.testing.assert_close(got.gather(-1, top), int8_exact.gather(-1, top))
    assert torch.equal(got.argmax(-1), int8_exact.argmax(-1))
    model = nn.Module()
    model.output = head
    assert decode_weight_bytes(model) == head.decode_bytes() < head.weight_int8.numel()
