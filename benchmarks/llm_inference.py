"""LLM inference, every variant side by side in one process, interleaved: batch-1 decode speed
and TTFT at each thread count, against llama.cpp on the same GGUF when it is installed, with the
bandwidth bound measured in the same run; then generated tokens/s through the real server.

    PYTHONPATH=src .venv/bin/python benchmarks/llm_inference.py --threads 1,2 --rounds 3 \\
        --variants eager-fp32,int8-packed,int4-g32,onnx --server-variants none

Batch 1: one prompt, `--new-tokens` generated with EOS ignored (fixed length). Each round runs
every (threads, variant) once, in turn, so drift in machine load hits all rows alike; the table
shows medians over rounds. TTFT is prompt-in to first token; tok/s is decode after it. "same"
is how many of the greedy tokens equal eager-fp32's. The bound is weight bytes read per step
over the bandwidth of a large copy measured at that thread count (gpt-fast's roofline).
llama.cpp rows (`make llama-cpp` installs llama-cpp-python; never in CI) run the shipped Q4_1
GGUF and the f32 / q8_0 files llama.cpp requantizes from it. `hf` is transformers' own forward.
Server: `--concurrency` closed-loop clients through `POST /v1/llm/generate`.

`--isa avx2` times both sides as on a CPU without AVX-512 (or AMX), on one that has it: our
kernels built for AVX2 + FMA ($TORCHWORKS_KERNEL_ISA), torch's dispatch held to AVX2
($ATEN_CPU_CAPABILITY) and llama.cpp from the AVX2 copy `scripts/llama_cpp_avx2.sh` builds
(`--llama-cpp-dir`); the script re-executes itself with those set, and refuses to run if
llama.cpp still reports AVX-512.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _llama_cpp
import httpx
import torch
from _llama_cpp import LlamaCppModel, llama_cpp_files

from torchworks.env import cpu as cpu_env
from torchworks.export.llm.build import build_variant
from torchworks.llm.generate import generate
from torchworks.llm.kernels import native
from torchworks.llm.load import LoadedLM, embedded_gguf_path, load_causal_lm
from torchworks.llm.onnx_runtime import OnnxLM, OnnxStepper
from torchworks.llm.roofline import copy_bandwidth_gbs, decode_weight_bytes
from torchworks.llm.sampling import SamplingParams
from torchworks.llm.service import llm_spec
from torchworks.llm.stepper import HFStepper
from torchworks.llm.threads import configure_threads, default_threads
from torchworks.llm.variants import VARIANTS, unavailable_reason
from torchworks.serving.local import local_server

PROMPT = ("A reconfigurable solar collector comprises a telescoping base with a fixed tube and a "
          "mounting post, a removable support pole, and a panel array that moves from a deployed "
          "horizontal position to a collapsed vertical position. In one embodiment the array")
# Each of ours against llama.cpp at equal precision (int4-g32 is Q4_1's own scheme).
PEERS = {"eager-fp32": "llama.cpp f32", "fp32-kernel": "llama.cpp f32", "q8_0": "llama.cpp q8_0",
         "onnx": "llama.cpp f32", "hf": "llama.cpp f32",
         "compile-static": "llama.cpp f32", "int8-packed": "llama.cpp q8_0",
         "int8-weight": "llama.cpp q8_0", "int8-dynamic": "llama.cpp q8_0",
         "int4-g32": "llama.cpp q4_1"}


@dataclass
class Cell:
    """One (variant, threads) pair: a measurement per round."""

    ttft_ms: list[float] = field(default_factory=list)
    tokens_per_s: list[float] = field(default_factory=list)
    cpu_ms_per_token: list[float] = field(default_factory=list)  # whole run's process CPU
    same: int = 0


def cpu_features() -> str:
    """The doctor's CPU probe (the answer variant availability uses) and torch's dispatch."""
    capability = getattr(torch.backends.cpu, "get_cpu_capability", lambda: "?")()
    return f"{cpu_env.cpu_features().describe()}; torch dispatch {capability}"


def hold_to_isa(isa: str, llama_dir: Path) -> None:
    """Re-execute this script with our kernels, torch and llama.cpp held to `isa` (no-op for
    native, or once the environment says so)."""
    if isa == "native" or os.environ.get(native.ISA_ENV) == isa:
        return
    native.isa_flags(isa)  # a CPU without it: a clear error, not an illegal instruction
    if not (llama_dir / "llama_cpp").is_dir():
        print(f"  no AVX2 llama.cpp in {llama_dir} (scripts/llama_cpp_avx2.sh builds it): "
              "its rows are left out")
    path = os.pathsep.join(p for p in (str(llama_dir.resolve()), os.environ.get("PYTHONPATH"))
                           if p)
    env = {**os.environ, native.ISA_ENV: isa, "ATEN_CPU_CAPABILITY": isa, "PYTHONPATH": path}
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def llama_cpp_isa() -> str:
    """llama.cpp's own account of the CPU features it was built with."""
    import llama_cpp

    return llama_cpp.llama_print_system_info().decode().strip()


def runners(lm: LoadedLM, names: list[str], workdir: Path, max_seq: int,
            with_llama_cpp: bool) -> tuple[dict[str, Any], dict[str, float], dict[str, float]]:
    """name -> object with .run(ids, n) -> (ttft_s, tok/s, tokens); build seconds; step bytes."""
    found: dict[str, Any] = {}
    build_s: dict[str, float] = {}
    step_bytes: dict[str, float] = {}
    for name in names:
        started = time.perf_counter()
        if name == "hf":
            stepper: Any = HFStepper(lm.model)
        else:
            stepper = build_variant(lm, VARIANTS[name], workdir, max_seq=max_seq).stepper
        found[name] = TorchworksRunner(lm, stepper)
        found[name].run(PROMPT, 4)  # warm-up: allocations, ORT's first-run work
        build_s[name] = time.perf_counter() - started
        engine = getattr(stepper, "engine", None)
        step_bytes[name] = float(decode_weight_bytes(engine.model)) if engine is not None else \
            float((stepper.model.folder / "model.onnx").stat().st_size) \
            if hasattr(stepper, "model") and hasattr(stepper.model, "folder") else float("nan")
    if with_llama_cpp:
        for kind, path in llama_cpp_files(embedded_gguf_path(), workdir).items():
            started = time.perf_counter()
            found[f"llama.cpp {kind}"] = LlamaCppModel(path, max_seq)
            build_s[f"llama.cpp {kind}"] = time.perf_counter() - started
            step_bytes[f"llama.cpp {kind}"] = float(path.stat().st_size)
    return found, build_s, step_bytes


class TorchworksRunner:
    """Any Stepper. torch reads its thread count per call; an ORT session fixes it when built,
    so the ONNX session is rebuilt when `threads` changes."""

    def __init__(self, lm: LoadedLM, stepper: Any) -> None:
        self.lm, self.stepper = lm, stepper
        self.threads = 0

    def run(self, prompt: str, new_tokens: int) -> tuple[float, float, list[int]]:
        if isinstance(self.stepper, OnnxStepper) and self.threads \
                and self.stepper.model.threads != self.threads:
            self.stepper = OnnxStepper(OnnxLM(self.stepper.model.folder, threads=self.threads))
        fixed = SamplingParams(max_new_tokens=new_tokens, ignore_eos=True)
        result = generate(self.lm, prompt, fixed, stepper=self.stepper)
        return result.ttft_s, result.tokens_per_s, result.token_ids


def through_server(lm: LoadedLM, name: str, levels: list[int], new_tokens: int,
                   max_seq: int) -> dict[int, float]:
    """Generated tokens/s at each concurrency level (closed loop, one request per client)."""
    spec = llm_spec(name="bench", model_path=lm.path, variant_name=name,
                    max_running=max(levels), max_context=max_seq)
    found = {}
    with local_server([spec]) as url, httpx.Client(base_url=url, timeout=3600) as client:
        body = {"prompt": PROMPT, "max_new_tokens": new_tokens, "stream": False}
        client.post("/v1/llm/generate", json={**body, "max_new_tokens": 2})
        for level in levels:
            def one(_: int) -> int:
                answer = client.post("/v1/llm/generate", json=body)
                answer.raise_for_status()
                return int(answer.json()["generated_tokens"])

            started = time.perf_counter()
            with ThreadPoolExecutor(level) as pool:
                tokens = sum(pool.map(one, range(level)))
            found[level] = tokens / (time.perf_counter() - started)
    return found


def print_table(cells: dict[tuple[str, int], Cell], thread_counts: list[int],
                build_s: dict[str, float], step_bytes: dict[str, float],
                bandwidth: dict[int, list[float]], new_tokens: int) -> None:
    names = list(dict.fromkeys(name for name, _ in cells))
    for threads in thread_counts:
        bw = max(bandwidth[threads])

        def speed(name: str, t: int = threads) -> float:
            cell = cells.get((name, t))
            return statistics.median(cell.tokens_per_s) if cell and cell.tokens_per_s else 0.0

        def ratio(name: str, peer: str) -> float:
            return speed(name) / speed(peer) if speed(peer) else float("nan")

        print(f"\n{threads} thread(s): copy bandwidth {bw:.1f} GB/s (best of the rounds)")
        print(f"{'variant':18s} {'build s':>7s} {'TTFT ms':>8s} {'tok/s':>7s} {'rounds':>17s} "
              f"{'cpu ms':>6s} "
              f"{'x fp32':>6s} {'x peer':>6s} {'x q8_0':>6s} {'MB/step':>7s} {'bound':>6s} "
              f"{'%bound':>6s} {'same':>6s}")
        for name in names:
            cell = cells[(name, threads)]
            tps = speed(name)
            bound = bw * 1e9 / step_bytes[name] if step_bytes[name] == step_bytes[name] else 0.0
            rounds = "/".join(f"{v:.1f}" for v in cell.tokens_per_s)
            fp32 = speed("eager-fp32")
            print(f"{name:18s} {build_s[name]:7.1f} {statistics.median(cell.ttft_ms):8.1f} "
                  f"{tps:7.1f} {rounds:>17s} {min(cell.cpu_ms_per_token):6.1f} "
                  f"{tps / fp32 if fp32 else float('nan'):6.2f} "
                  f"{ratio(name, PEERS.get(name, name)):6.2f} "
                  f"{ratio(name, 'llama.cpp q8_0'):6.2f} {step_bytes[name] / 1e6:7.0f} "
                  f"{bound:6.1f} {100 * tps / bound if bound else float('nan'):6.1f} "
                  f"{cell.same:>3d}/{new_tokens}")
        if speed("llama.cpp f32"):
            quantized = [n for n in ("q8_0", "int8-packed", "int4-g32") if speed(n)]
            best = max(quantized, key=speed, default=None)
            fp32 = max([n for n in ("eager-fp32", "fp32-kernel") if speed(n)], key=speed,
                       default=None)
            targets = [f"{fp32} / llama.cpp f32 = {ratio(fp32, 'llama.cpp f32'):.2f} "
                       f"(needs >= {1 / 1.2:.2f})"] if fp32 else []
            if best:
                targets.append(f"best approved int8-or-smaller ({best}) / llama.cpp q8_0 = "
                               f"{ratio(best, 'llama.cpp q8_0'):.2f} (needs >= 1.00)")
            print("targets: " + ("; ".join(targets) or "no fp32 or int8 variant of ours ran"))
    print("cpu ms: process CPU per generated token, prompt included (best round; less "
          "sensitive to a busy host than wall time, though spinning OpenMP threads count); "
          "x peer: against llama.cpp at equal precision (fp32 rows: f32, int8: q8_0, int4-g32: "
          "q4_1); x q8_0: against llama.cpp q8_0; bound: tok/s if a step cost only reading its "
          "weights once at copy bandwidth; same: leading greedy tokens equal to eager-fp32's")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="HF folder (default: embedded SmolLM2)")
    parser.add_argument("--models-dir", default="models", help="registry for the embedded model")
    parser.add_argument("--variants", default="eager-fp32,int8-packed,int4-g32,onnx,hf",
                        help="comma list ('hf': transformers' own forward) or 'all'")
    parser.add_argument("--server-variants", default="none",
                        help="variants also measured through the server ('none' to skip)")
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--max-seq", type=int, default=512)
    parser.add_argument("--threads", default="1,2",
                        help=f"comma list of thread counts (0: the default, {default_threads()} "
                        "here now)")
    parser.add_argument("--no-llama-cpp", action="store_true", help="skip llama.cpp rows")
    parser.add_argument("--isa", choices=("native", "avx2"), default="native",
                        help="code path of both sides: this CPU's best, or AVX2 as on a CPU "
                        "without AVX-512/AMX")
    parser.add_argument("--llama-cpp-dir", type=Path, default=Path(".llama-avx2"),
                        help="with --isa avx2: the AVX2 llama-cpp-python copy "
                        "(scripts/llama_cpp_avx2.sh)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    hold_to_isa(args.isa, args.llama_cpp_dir)
    thread_counts = [int(t) or default_threads() for t in args.threads.split(",")]
    configure_threads(thread_counts[0])
    lm = load_causal_lm(args.model, models_dir=args.models_dir)
    prompt_tokens = len(lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"])
    names = [*VARIANTS, "hf"] if args.variants == "all" else args.variants.split(",")
    skipped = {n: unavailable_reason(VARIANTS[n], lm.device) for n in names if n != "hf"}
    available = [n for n in names if not skipped.get(n)]
    llama_cpp = not args.no_llama_cpp and args.model is None and _llama_cpp.installed()
    if llama_cpp and args.isa != "native" and "AVX512 = 1" in llama_cpp_isa():
        raise SystemExit(f"--isa {args.isa}: the llama.cpp found ({llama_cpp_isa()}) uses "
                         f"AVX-512; build the AVX2 copy (scripts/llama_cpp_avx2.sh) or pass "
                         "--no-llama-cpp")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {cpu_features()}")
    print(f"torch {torch.__version__}; model {lm.name} ({lm.path}); prompt {prompt_tokens} "
          f"tokens; {args.new_tokens} new tokens, greedy, EOS ignored; {args.rounds} rounds; "
          f"threads {thread_counts}; llama.cpp "
          f"{'side by side' if llama_cpp else 'not installed (make llama-cpp)'}")
    kernels = "unavailable" if native.unavailable_reason() else native.load().isa
    print(f"code path: {args.isa}; our kernels {kernels}, torch dispatch "
          f"{getattr(torch.backends.cpu, 'get_cpu_capability', lambda: '?')()}"
          + (f"; llama.cpp {llama_cpp_isa()}" if llama_cpp else ""))
    for name, reason in skipped.items():
        if reason:
            print(f"  skipped {name}: {reason}")

    with tempfile.TemporaryDirectory() as workdir:
        models, build_s, step_bytes = runners(lm, available, Path(workdir), args.max_seq,
                                              llama_cpp)
        cells = {(n, t): Cell() for t in thread_counts for n in models}
        bandwidth: dict[int, list[float]] = {t: [] for t in thread_counts}
        ids = lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
        reference: dict[int, list[int]] = {}
        for round_no in range(args.rounds):
            for threads in thread_counts:
                configure_threads(threads)
                bandwidth[threads].append(copy_bandwidth_gbs())
                for name, model in models.items():
                    model.threads = threads
                    cell = cells[(name, threads)]
                    cpu = time.process_time()
                    ttft, tps, tokens = model.run(PROMPT if name[:5] != "llama" else ids,
                                                  args.new_tokens)
                    cell.cpu_ms_per_token.append(
                        1000 * (time.process_time() - cpu) / max(1, len(tokens)))
                    cell.ttft_ms.append(1000 * ttft)
                    cell.tokens_per_s.append(tps)
                    if name == "eager-fp32":
                        reference[threads] = tokens
                    ref = reference.get(threads, tokens)
                    cell.same = next((i for i, (a, b) in enumerate(zip(ref, tokens, strict=False))
                                      if a != b), min(len(ref), len(tokens)))
            print(f"  round {round_no + 1}/{args.rounds} done; load average "
                  f"{os.getloadavg()[0]:.2f}", flush=True)
    print_table(cells, thread_counts, build_s, step_bytes, bandwidth, args.new_tokens)

    levels = [int(c) for c in args.concurrency.split(",")]
    served = [] if args.server_variants == "none" else args.server_variants.split(",")
    server_rows = {}
    configure_threads(thread_counts[0])
    for name in served:
        server_rows[name] = through_server(lm, name, levels, args.new_tokens, args.max_seq)
    if server_rows:
        print(f"\nthrough the server, {thread_counts[0]} thread(s) (generated tokens/s, closed "
              f"loop, {args.new_tokens} tokens per request, continuous batching)")
        print(f"{'variant':15s} " + " ".join(f"{'c=' + str(c):>8s}" for c in levels))
        for name, found in server_rows.items():
            print(f"{name:15s} " + " ".join(f"{found[c]:8.1f}" for c in levels))
    if args.json:
        args.json.write_text(json.dumps({
            "cells": {f"{n}@{t}": c.__dict__ for (n, t), c in cells.items()},
            "bandwidth_gbs": bandwidth, "server": server_rows}, indent=2))


if __name__ == "__main__":
    main()
