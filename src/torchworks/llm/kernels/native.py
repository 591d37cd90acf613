"""Compile `gemv.c`, `q8.c`, `layers.c`, `step.c` and `pool.c` with the system C compiler on
first use, cache the library, call it by ctypes.

Why not a torch C++ extension: that build includes torch's headers and takes about a minute on
two cores; this file includes none and compiles in about a second. The library lands in the
user's cache (`torchworks.cache.cached_folder`: built under a temporary name, renamed into
place, checksummed) under a key made of the source's checksum, the compiler and its version,
the flags and this CPU's feature flags, so an edited source, another compiler or a move to
another CPU builds again instead of loading a library compiled for something else.

`-march=native` picks the code path (AVX-512 + VNNI, AVX2, or plain C, see `gemv.c`); a
compiler that refuses it is retried without. `$TORCHWORKS_KERNEL_ISA` (`avx2`, `plain`) builds a
lesser path instead, so the code a CPU without AVX-512 runs can be timed and served on one
that has it (benchmarks/llm_inference.py --isa avx2). No compiler, or a failed build, raises
`DependencyError` saying so (the variants turn that into their unavailable reason). Threads are
`pool.c`'s own (pthreads), not OpenMP: see there why.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import torch

from torchworks.cache import cached_folder, input_key
from torchworks.env import cpu as cpu_env
from torchworks.errors import ConfigError, DependencyError

SOURCES = tuple(Path(__file__).with_name(n) for n in ("gemv.c", "q8.c", "layers.c", "step.c",
                                                           "pool.c"))
LIBRARY = "libtwgemv.so"
BASE_FLAGS = ("-O3", "-std=c11", "-shared", "-fPIC", "-pthread")
NATIVE = ("-march=native",)
ISA_ENV = "TORCHWORKS_KERNEL_ISA"
# name -> (flags, the CPU flag it needs): AVX2 + FMA without AVX-512 (as on AMD Zen 2 or Intel
# before Skylake-X), and baseline x86-64 (SSE2), the plain-C branch.
ISAS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "native": (NATIVE, None), "avx2": (("-mavx2", "-mfma"), "avx2"),
    "plain": (("-march=x86-64",), None)}
COMPILE_TIMEOUT_S = 120
Q8_BLOCK = 32

_P, _I, _I64 = ctypes.c_void_p, ctypes.c_int, ctypes.c_int64
_SIGNATURES = {
    "tw_isa": ([], ctypes.c_char_p),
    "tw_q8_block": ([], _I),
    "tw_q8_rows": ([], _I),
    "tw_f32_rows": ([], _I),
    "tw_q8_pack": ([_P, _P, _I, _I, _P, _P], None),
    "tw_f32_matmul": ([_P, _I, _I, _P, _I, _P, _I], None),
    "tw_q8_quantize": ([_P, _I64, _P, _P], None),
    "tw_q8_matmul": ([_P, _I, _I, _P, _P, _I, _P, _I], _I),
    "tw_attend_decode": ([_P, _P, _P, _P, _P, _I, _I, _I, _I, _I, _P], _I),
    "tw_rmsnorm": ([_P, _P, _I, _I, ctypes.c_float, _P], None),
    "tw_silu_mul": ([_P, _I, _P], None),
    "tw_refine_rows": ([_P, _I, _I, _P, _P, _P, _I, _I, _P], None),
    "tw_decode_step": ([_P, _P, _P, _P, _P, _I, _I, _I, _P], _I),
}


def compiler() -> str:
    """The C compiler: $CC, else the first of cc / gcc / clang on PATH."""
    chosen = os.environ.get("CC") or next(
        (c for c in ("cc", "gcc", "clang") if shutil.which(c)), None)
    if not chosen or not shutil.which(chosen):
        raise DependencyError(
            f"no C compiler found ({'$CC=' + chosen if chosen else 'cc, gcc, clang'}) to build "
            "torchworks' CPU decode kernels",
            fix="install one (apt-get install gcc), or set CC; the torch variants need none")
    return chosen


def build_key(cc: str, flags: tuple[str, ...]) -> str:
    """What the library depends on: source bytes, compiler + version, flags, CPU features."""
    try:
        version = subprocess.run([cc, "--version"], capture_output=True, text=True,
                                 timeout=30).stdout.splitlines()[:1]
    except (OSError, subprocess.SubprocessError):
        version = []
    cpu = cpu_env.cpu_features()
    source = hashlib.sha256(b"".join(p.read_bytes() for p in SOURCES)).hexdigest()
    return input_key(source, shutil.which(cc), version, flags, cpu.architecture,
                     sorted(_all_cpu_flags()))


@dataclass(frozen=True)
class Kernels:
    """The loaded library: `isa` is the code path it was compiled with."""

    lib: ctypes.CDLL
    isa: str
    path: Path

    def __deepcopy__(self, memo: dict[int, object]) -> Kernels:
        """The library is loaded once per process and holds no state: a copied model (the
        weight pool's per-engine view) shares it (ctypes' function pointers cannot be copied)."""
        return self

    def f32_matmul(self, x: torch.Tensor, weight: torch.Tensor, out: torch.Tensor,
                   threads: int) -> None:
        """out[m, n] = x[m, k] @ W^T, W packed by `f32_pack` (n is out's width)."""
        m, k = x.shape
        self.lib.tw_f32_matmul(x.data_ptr(), m, k, weight.data_ptr(), out.shape[1],
                               out.data_ptr(), threads)

    def f32_pack(self, weight: torch.Tensor) -> torch.Tensor:
        """Row-major fp32 W[n, k] -> [groups, k, 16]: 16 rows interleaved (see gemv.c), the
        last group zero-padded."""
        n, k = weight.shape
        rows = self.lib.tw_f32_rows()
        padded = torch.nn.functional.pad(weight.float(), (0, 0, 0, -n % rows))
        return padded.view(-1, rows, k).transpose(1, 2).contiguous()

    def q8_matmul(self, x: torch.Tensor, weight: torch.Tensor, scales: torch.Tensor,
                  out: torch.Tensor, threads: int) -> None:
        """out[m, n] = q8(x) . W^T, W packed by `q8_pack` (n is out's width)."""
        m, k = x.shape
        if self.lib.tw_q8_matmul(x.data_ptr(), m, k, weight.data_ptr(), scales.data_ptr(),
                                 out.shape[1], out.data_ptr(), threads):
            raise MemoryError("the q8 kernel could not allocate its activation buffer")

    def q8_pack(self, q: torch.Tensor, scales: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Row-major int8 q[n, k] and scales[n, k / 32] -> the kernel's 8-row interleaved
        layout (see q8.c), the last group zero-padded."""
        n, k = q.shape
        rows = self.lib.tw_q8_rows()
        groups = -(-n // rows)
        packed = torch.empty(groups, k * rows, dtype=torch.int8)
        packed_scales = torch.empty(groups, k // Q8_BLOCK * rows)
        self.lib.tw_q8_pack(q.contiguous().data_ptr(), scales.contiguous().data_ptr(), n, k,
                            packed.data_ptr(), packed_scales.data_ptr())
        return packed, packed_scales

    def attend_decode(self, qkv: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                      k_row: torch.Tensor, v_row: torch.Tensor, heads: int, position: int,
                      out: torch.Tensor) -> None:
        """One sequence's decode attention (RoPE, cache write at `position`, GQA softmax
        attention over positions 0..position): see gemv.c. k_row/v_row: its cache row
        [kv_heads, max_seq, head_dim], contiguous fp32."""
        kv_heads, max_seq, head_dim = k_row.shape
        if self.lib.tw_attend_decode(qkv.data_ptr(), cos.data_ptr(), sin.data_ptr(),
                                     k_row.data_ptr(), v_row.data_ptr(), heads, kv_heads,
                                     head_dim, max_seq, position, out.data_ptr()):
            raise MemoryError("the attention kernel could not allocate its scores")

    def rmsnorm(self, x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
        """HF's Llama RMSNorm of contiguous fp32 rows x[..., dim]."""
        out = torch.empty_like(x)
        self.lib.tw_rmsnorm(x.data_ptr(), weight.data_ptr(), x.numel() // x.shape[-1],
                            x.shape[-1], eps, out.data_ptr())
        return out

    def silu_mul(self, gate_up: torch.Tensor) -> torch.Tensor:
        """silu(gate) * up of one contiguous fp32 row [2 hidden] (step.c)."""
        out = torch.empty(gate_up.numel() // 2)
        self.lib.tw_silu_mul(gate_up.data_ptr(), out.numel(), out.data_ptr())
        return out

    def refine_rows(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None,
                    ids: torch.Tensor, logits: torch.Tensor) -> None:
        """logits[r, ids[r]] = x[r] . weight[ids[r]] (+ bias) in fp32, in place (step.c);
        x [m, k], weight [n, k], ids [m, count] int64, logits [m, n], all contiguous."""
        m, k = x.shape
        self.lib.tw_refine_rows(x.data_ptr(), m, k, weight.data_ptr(),
                                None if bias is None else bias.data_ptr(), ids.data_ptr(),
                                ids.shape[1], logits.shape[1], logits.data_ptr())

    def q8_quantize(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (fp32, numel a multiple of 32) -> int8 values and one fp32 scale per 32."""
        flat = x.contiguous().view(-1)
        q = torch.empty(flat.numel(), dtype=torch.int8)
        scales = torch.empty(flat.numel() // Q8_BLOCK)
        self.lib.tw_q8_quantize(flat.data_ptr(), flat.numel(), q.data_ptr(), scales.data_ptr())
        return q.view(x.shape), scales


def load(march: tuple[str, ...] | None = None) -> Kernels:
    """The kernels compiled with `march`, built if needed. The default is this CPU's best, or
    the path `$TORCHWORKS_KERNEL_ISA` names (`isa_flags`)."""
    return _load(isa_flags() if march is None else march, compiler())


def isa_flags(name: str | None = None) -> tuple[str, ...]:
    """The compiler flags of code path `name` (default: `$TORCHWORKS_KERNEL_ISA`, else native).
    Refuses a path this CPU cannot run, which would die of an illegal instruction instead."""
    name = (name if name is not None else os.environ.get(ISA_ENV, "")).strip().lower() or "native"
    if name not in ISAS:
        raise ConfigError(f"unknown kernel code path {ISA_ENV}={name!r}",
                          fix=f"use one of {', '.join(ISAS)}, or unset {ISA_ENV}")
    flags, needs = ISAS[name]
    if needs and needs not in _all_cpu_flags():
        raise ConfigError(f"{ISA_ENV}={name}: this CPU has no {needs}",
                          fix=f"unset {ISA_ENV} (native picks this CPU's best path)")
    return flags


@functools.cache
def _load(march: tuple[str, ...], cc: str) -> Kernels:
    attempts = [(*BASE_FLAGS, *march), BASE_FLAGS]
    errors = []
    for flags in dict.fromkeys(attempts):
        try:
            folder = cached_folder("kernels", build_key(cc, flags),
                                   functools.partial(_compile, cc, flags))
        except _BuildFailed as exc:
            errors.append(str(exc))
            continue
        lib = ctypes.CDLL(str(folder / LIBRARY))
        for name, (args, result) in _SIGNATURES.items():
            function = getattr(lib, name)
            function.argtypes, function.restype = args, result
        return Kernels(lib, lib.tw_isa().decode(), folder / LIBRARY)
    raise DependencyError(f"building torchworks' CPU decode kernels with {cc} failed: "
                          f"{errors[-1][-600:]}",
                          fix="check the compiler works (cc --version), or set CC to one "
                          "that does; the torch variants need none")


class _BuildFailed(Exception):
    pass


def _compile(cc: str, flags: tuple[str, ...], folder: Path) -> dict[str, object]:
    command = [cc, *flags, *map(str, SOURCES), "-o", str(folder / LIBRARY), "-lm"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as exc:
        raise _BuildFailed(f"{' '.join(command)}: {exc}") from exc
    if done.returncode != 0:
        raise _BuildFailed(f"{' '.join(command)}: {done.stderr.strip()}")
    return {"command": command}


def _all_cpu_flags() -> set[str]:
    """Every flag the kernel reports (what -march=native compiles for), not just torch's."""
    try:
        return cpu_env.parse_cpuinfo(cpu_env.PROC_CPUINFO.read_text(encoding="utf-8"))[0]
    except OSError:
        return set(cpu_env.cpu_features().flags)


def unavailable_reason() -> str | None:
    """Why the kernels cannot run here (no compiler, failed build), or None."""
    try:
        load()
    except DependencyError as exc:
        return exc.message
    return None
