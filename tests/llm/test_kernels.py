"""The native decode kernels: compiled here with the real system compiler, checked against
torch on shapes that fit no block or thread split, in both the SIMD and the plain-C build; a
missing or failing compiler makes the variants unavailable with a reason, never a traceback."""

from __future__ import annotations

import contextlib
import platform
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from torchworks.env import cpu as cpu_env
from torchworks.errors import ConfigError, DependencyError
from torchworks.llm.kernels import native
from torchworks.llm.kernels.linears import KernelLinear, Q8Linear, Q8OutputHead, kernel_linears

X86 = platform.machine().lower() in ("x86_64", "amd64")
PLAIN = ("-march=x86-64",)  # baseline x86-64 (SSE2): the plain-C branch
AVX2 = ("-mavx2", "-mfma")  # the AVX2 branch, where this CPU also has AVX-512
SHAPES = [(1, 576, 960), (3, 100, 77), (2, 64, 33), (5, 96, 130), (1, 32, 3)]  # m, k, n


def _builds() -> list[native.Kernels]:
    """This CPU's build, then (x86) the AVX2 one where the CPU has AVX2, then plain C."""
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler here")
    builds = [native.load()]
    if X86 and "avx2" in cpu_env.cpu_features().flags and builds[0].isa.startswith("avx512"):
        builds.append(native.load(AVX2))
    return [*builds, *([native.load(PLAIN)] if X86 else [])]


def _q8_reference(t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """q8_0 by its definition: per 32 values, d = absmax / 127, q = round(v / d)."""
    blocks = t.reshape(*t.shape[:-1], -1, native.Q8_BLOCK)
    d = blocks.abs().amax(-1, keepdim=True) / 127
    q = torch.round(blocks * torch.where(d > 0, 1 / d, 0)).to(torch.int8)
    return q.reshape(t.shape), d.squeeze(-1)


def _dequantized(t: torch.Tensor) -> torch.Tensor:
    q, d = _q8_reference(t)
    return (q.float().view(*t.shape[:-1], -1, native.Q8_BLOCK) * d[..., None]).reshape(t.shape)


def test_the_native_build_takes_this_cpus_simd_path_and_the_baseline_build_plain_c() -> None:
    builds = _builds()
    assert builds[0].isa in ("avx512-vnni", "avx512", "avx2-vnni", "avx2", "plain-c")
    if X86:
        assert builds[-1].isa == "plain-c"
        assert builds[0].path != builds[-1].path  # flags are part of the cache key
    if len(builds) == 3:
        assert builds[1].isa == "avx2"


@pytest.mark.parametrize(("m", "k", "n"), SHAPES)
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_f32_matmul_matches_torch(m: int, k: int, n: int, threads: int) -> None:
    torch.manual_seed(m * k + n)
    x, w = torch.randn(m, k), torch.randn(n, k)
    for kernels in _builds():
        out = torch.full((m, n), float("nan"))
        kernels.f32_matmul(x, kernels.f32_pack(w), out, threads)
        torch.testing.assert_close(out, x @ w.T, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(("m", "k", "n"), [s for s in SHAPES if s[1] % native.Q8_BLOCK == 0])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_q8_matmul_is_the_q8_0_product(m: int, k: int, n: int, threads: int) -> None:
    torch.manual_seed(m * k + n)
    x, w = torch.randn(m, k), torch.randn(n, k) * 0.05
    for kernels in _builds():
        wq, ws = kernels.q8_quantize(w)
        reference_q, reference_d = _q8_reference(w)
        assert torch.equal(wq, reference_q)
        torch.testing.assert_close(ws.view(n, -1), reference_d)
        out = torch.full((m, n), float("nan"))
        kernels.q8_matmul(x, *kernels.q8_pack(wq, ws.view(n, -1)), out, threads)
        # int8 products are summed exactly per block, so only fp32 rounding separates them.
        torch.testing.assert_close(out, _dequantized(x) @ _dequantized(w).T,
                                   rtol=1e-4, atol=1e-4)
        assert float((out - x @ w.T).norm() / (x @ w.T).norm()) < 0.02  # and near fp32


@pytest.mark.parametrize(("m", "k", "n"), [(9, 96, 130), (6, 576, 77), (3, 32, 9), (17, 64, 33)])
def test_q8_matmul_of_many_rows_is_each_row_alone(m: int, k: int, n: int) -> None:
    """Several rows share each read of the weights (tiles of rows: batched decode, prefill),
    yet every row's result is bit-identical to multiplying that row by itself."""
    torch.manual_seed(m + k + n)
    x, w = torch.randn(m, k), torch.randn(n, k) * 0.05
    for kernels in _builds():
        wq, ws = kernels.q8_quantize(w)
        packed = kernels.q8_pack(wq, ws.view(n, -1))
        together = torch.full((m, n), float("nan"))
        kernels.q8_matmul(x, *packed, together, 2)
        for r in range(m):
            alone = torch.full((1, n), float("nan"))
            kernels.q8_matmul(x[r:r + 1].contiguous(), *packed, alone, 1)
            assert torch.equal(together[r:r + 1], alone), (kernels.isa, r)


def test_kernel_linears_pad_odd_widths_and_add_biases() -> None:
    kernels = _builds()[0]
    torch.manual_seed(0)
    linear = nn.Linear(40, 24, bias=True)  # 40: not a multiple of the q8 block
    with torch.inference_mode():
        for rows in (1, 3, 20):
            x = torch.randn(rows, 40)
            torch.testing.assert_close(KernelLinear(linear, kernels)(x), linear(x))
            got = Q8Linear(linear, kernels)(x)
            assert float((got - linear(x)).norm() / linear(x).norm()) < 0.02


def test_q8_head_gives_fp32_logits_where_sampling_looks() -> None:
    kernels = _builds()[0]
    torch.manual_seed(0)
    linear = nn.Linear(64, 300, bias=False)
    x = torch.randn(2, 64)
    with torch.inference_mode():
        got, exact = Q8OutputHead(linear, kernels)(x), linear(x)
    top = exact.topk(8, dim=-1).indices
    torch.testing.assert_close(got.gather(-1, top), exact.gather(-1, top))
    assert torch.equal(got.argmax(-1), exact.argmax(-1))


def test_the_cache_key_follows_the_source_and_the_flags(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler here")
    before = native.build_key(cc, native.BASE_FLAGS)
    assert native.build_key(cc, native.BASE_FLAGS) == before
    assert native.build_key(cc, (*native.BASE_FLAGS, "-O2")) != before
    edited = tmp_path / "gemv.c"
    edited.write_text(native.SOURCES[0].read_text() + "\n/* edited */\n")
    monkeypatch.setattr(native, "SOURCES", (edited, *native.SOURCES[1:]))
    assert native.build_key(cc, native.BASE_FLAGS) != before


def test_no_compiler_makes_the_kernel_variants_unavailable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_lm: Any) -> None:
    from torchworks.llm.variants import VARIANTS, engine_for, unavailable_reason

    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    with pytest.raises(DependencyError, match="no C compiler"):
        native.load()
    reason = unavailable_reason(VARIANTS["q8_0"], torch.device("cpu"))
    assert reason is not None and "no C compiler" in reason
    with pytest.raises(ConfigError, match="not available: no C compiler"):
        engine_for(tiny_lm, "fp32-kernel", max_seq=32)
    assert unavailable_reason(VARIANTS["eager-fp32"], torch.device("cpu")) is None


def test_a_failing_compiler_says_what_failed(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "cc"
    broken.write_text("#!/bin/sh\necho 'cc: fatal error: out of licences' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("CC", str(broken))
    with pytest.raises(DependencyError, match="out of licences"):
        native.load()


def test_the_environment_holds_the_kernels_to_a_lesser_code_path(
        monkeypatch: pytest.MonkeyPatch, tiny_lm: Any) -> None:
    """$TORCHWORKS_KERNEL_ISA is how a CPU without AVX-512 is timed on one with it: the variants
    then run that build, and a name this CPU cannot run is refused, not an illegal instruction."""
    from torchworks.llm.variants import engine_for

    _builds()
    monkeypatch.setenv(native.ISA_ENV, "plain")
    assert native.load().isa == "plain-c"
    engine = engine_for(tiny_lm, "q8_0", max_seq=32)
    assert engine.model.decode_step.kernels.isa == "plain-c"
    monkeypatch.setenv(native.ISA_ENV, "avx-9000")
    with pytest.raises(ConfigError, match="TORCHWORKS_KERNEL_ISA='avx-9000'"):
        native.load()
    monkeypatch.setattr(native, "_all_cpu_flags", lambda: {"sse2"})
    monkeypatch.setenv(native.ISA_ENV, "avx2")
    with pytest.raises(ConfigError, match="this CPU has no avx2"):
        native.load()


@pytest.mark.parametrize("name", ["fp32-kernel", "q8_0"])
def test_kernel_variants_decode_like_the_fp32_reference(tiny_lm: Any, name: str) -> None:
    from torchworks.llm.variants import engine_for

    _builds()
    reference, engine = engine_for(tiny_lm, "eager-fp32", max_seq=64), \
        engine_for(tiny_lm, name, max_seq=64)
    assert not any(isinstance(m, nn.Linear) for m in engine.model.modules())
    kernel_layer = KernelLinear if name == "fp32-kernel" else Q8Linear
    assert isinstance(engine.model.layers[0].feed_forward.w13, kernel_layer)
    prompt = tiny_lm.tokenizer("the cat sat on", add_special_tokens=False)["input_ids"]
    expected, got = reference.prefill(0, prompt), engine.prefill(0, prompt)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        _teacher_forced(reference, engine, expected, got, name)
    finally:
        torch.set_num_threads(threads)


def _teacher_forced(reference: Any, engine: Any, expected: torch.Tensor, got: torch.Tensor,
                    name: str) -> None:
    for _ in range(12):  # teacher-forced on the reference's greedy tokens, over two threads
        token = int(expected.argmax())
        error = float((got - expected).abs().max())
        # fp32: the same sums in another order; q8: quantization noise, a few % of the range
        assert error < (1e-4 if name == "fp32-kernel" else 0.1) * float(expected.abs().max())
        if float(expected.topk(2).values.diff().abs()) > 2 * error:  # not a near-tie
            assert int(got.argmax()) == token
        with torch.inference_mode():
            expected, got = reference.decode([0], [token])[0], engine.decode([0], [token])[0]


def test_kernel_linears_replace_every_linear() -> None:
    kernels = _builds()[0]
    model = nn.Module()
    model.block = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32))
    model.output = nn.Linear(32, 100, bias=False)
    kernel_linears(model, "q8", kernels)
    assert [type(m).__name__ for m in model.block] == ["Q8Linear", "ReLU", "Q8Linear"]
    assert isinstance(model.output, Q8OutputHead)


def test_two_callers_share_the_thread_pool_safely() -> None:
    """Two served models call the kernels from their own threads (ctypes drops the GIL)."""
    import threading

    kernels = _builds()[0]
    torch.manual_seed(0)
    w, x = torch.randn(300, 64), torch.randn(2, 64)
    expected, packed = x @ w.T, kernels.f32_pack(w)
    failures: list[float] = []

    def call() -> None:
        out = torch.empty(2, 300)
        for _ in range(200):
            kernels.f32_matmul(x, packed, out, 2)
            if not torch.allclose(out, expected, rtol=1e-4, atol=1e-4):
                failures.append(float((out - expected).abs().max()))

    callers = [threading.Thread(target=call) for _ in range(2)]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in callers) and failures == []


@pytest.mark.parametrize("hidden", [1, 7, 64, 1536])
def test_silu_mul_matches_torch(hidden: int) -> None:
    torch.manual_seed(hidden)
    gate_up = torch.randn(2 * hidden) * 4
    expected = torch.nn.functional.silu(gate_up[:hidden]) * gate_up[hidden:]
    for kernels in _builds():
        torch.testing.assert_close(kernels.silu_mul(gate_up), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["fp32", "q8"])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_the_one_call_decode_step_is_the_per_layer_path(tiny_lm: Any, kind: str,
                                                       threads: int) -> None:
    """step.c runs the same kernels in the same order as the Python layer loop, its phases
    split across 1-3 threads: the logits agree to rounding, on a cache row other than 0, in
    every build."""
    from torchworks.llm.kernels.step import NativeDecodeStep, unsupported
    from torchworks.llm.llama import FastLlama

    prompt = tiny_lm.tokenizer("the cat sat on the mat", add_special_tokens=False)["input_ids"]
    for kernels in _builds():
        model = kernel_linears(FastLlama.from_hf(tiny_lm.model), kind, kernels)
        for module in model.modules():
            if hasattr(module, "decode_kernel"):
                module.decode_kernel = kernels
        assert unsupported(model) is None
        model.setup_cache(3, 32)
        one_call = NativeDecodeStep(model, kernels)
        with torch.inference_mode(), _threads(threads):
            tokens = torch.tensor([prompt])
            model(tokens, torch.arange(len(prompt))[None], torch.tensor([2]), len(prompt),
                  at=(2, 0))
            token = prompt[-1]
            for position in range(len(prompt), len(prompt) + 4):
                args = (torch.tensor([[token]]), torch.tensor([[position]]), torch.tensor([2]),
                        position + 1)
                # the per-layer path first (it writes this position's k/v), then the one call
                # on the same cache overwrites them with its own (equal) values
                expected = model(*args, at=(2, position))
                got = one_call(model, token, 2, position)
                torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)
                token = int(expected.argmax())
        with pytest.raises(ConfigError, match="outside the cache"):
            one_call(model, token, 2, 32)


@contextlib.contextmanager
def _threads(count: int) -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def test_the_kernel_variants_decode_through_the_one_call_step(tiny_lm: Any) -> None:
    from torchworks.llm.kernels.step import NativeDecodeStep
    from torchworks.llm.variants import engine_for

    _builds()
    for name in ("fp32-kernel", "q8_0"):
        assert isinstance(engine_for(tiny_lm, name, max_seq=16).model.decode_step,
                          NativeDecodeStep)


def test_two_models_decode_through_the_one_call_step_at_once(tiny_lm: Any) -> None:
    """Two served models step from their own threads, each over 2 kernel threads: their
    regions take turns on the pool and each gets the logits it gets alone."""
    import threading

    from torchworks.llm.variants import engine_for

    _builds()
    prompt = tiny_lm.tokenizer("the cat sat on", add_special_tokens=False)["input_ids"]
    engines = [engine_for(tiny_lm, name, max_seq=64) for name in ("q8_0", "fp32-kernel")]

    def greedy(engine: Any, steps: int = 24) -> list[torch.Tensor]:
        logits, out = engine.prefill(0, prompt), []
        for _ in range(steps):
            logits = engine.decode([0], [int(logits.argmax())])[0]
            out.append(logits)
        return out

    with _threads(2):
        alone = [greedy(e) for e in engines]
        together: dict[int, list[torch.Tensor]] = {}
        callers = [threading.Thread(target=lambda i=i: together.update({i: greedy(engines[i])}))
                   for i in range(2)]
        for thread in callers:
            thread.start()
        for thread in callers:
            thread.join(timeout=120)
    assert not any(t.is_alive() for t in callers)
    for i in range(2):
        assert all(torch.equal(a, b) for a, b in zip(alone[i], together[i], strict=True))


@pytest.mark.parametrize(("m", "k", "n", "count"), [(1, 576, 1000, 16), (3, 37, 50, 5)])
def test_refine_rows_is_the_fp32_product_at_the_chosen_ids(m: int, k: int, n: int,
                                                           count: int) -> None:
    torch.manual_seed(k)
    x, w, bias = torch.randn(m, k), torch.randn(n, k), torch.randn(n)
    ids = torch.stack([torch.randperm(n)[:count] for _ in range(m)])
    for kernels in _builds():
        for b in (None, bias):
            logits = torch.full((m, n), -7.0)
            kernels.refine_rows(x, w, b, ids, logits)
            expected = torch.full((m, n), -7.0)
            exact = torch.einsum("mk,mrk->mr", x, w[ids]) + (0 if b is None else b[ids])
            expected.scatter_(-1, ids, exact)
            torch.testing.assert_close(logits, expected, rtol=1e-5, atol=1e-4)
