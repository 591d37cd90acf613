"""LLM inference, every variant side by side in one process: batch-1 speed, latency, memory,
roofline, and generated tokens/s through the real server with continuous batching.

    .venv/bin/python benchmarks/llm_inference.py                       # SmolLM2-135M, all variants
    .venv/bin/python benchmarks/llm_inference.py --new-tokens 32 --runs 2 \\
        --variants eager-fp32,bf16,int8-dynamic --server-variants eager-fp32

Batch 1: one prompt, `--new-tokens` generated with EOS ignored (fixed length), `--runs` times;
TTFT is prompt-in to first token, tokens/s is decode after the first token, P50/P95 are whole
requests. Peak memory is the process RSS high-water mark above the baseline while the variant
is built and run. Roofline (gpt-fast style): weight bytes read per decode step x steps/s,
against the bandwidth of a large tensor copy measured here. Server: `--concurrency` closed-loop
clients, each sending one request of `--new-tokens` after the other, through
`POST /v1/llm/generate` with the continuous-batching scheduler.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import torch

from torchworks.export.llm.build import build_variant
from torchworks.llm.generate import generate
from torchworks.llm.load import LoadedLM, load_causal_lm
from torchworks.llm.sampling import SamplingParams
from torchworks.llm.service import llm_spec
from torchworks.llm.variants import VARIANTS, unavailable_reason
from torchworks.serving.local import local_server

PROMPT = ("A reconfigurable solar collector comprises a telescoping base with a fixed tube and a "
          "mounting post, a removable support pole, and a panel array that moves from a deployed "
          "horizontal position to a collapsed vertical position. In one embodiment the array")


@dataclass
class Row:
    variant: str
    build_s: float
    ttft_ms: float
    tokens_per_s: float
    p50_ms: float
    p95_ms: float
    peak_mb: float
    step_bytes: float  # weight bytes read per decode step


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakRSS:
    """Samples RSS every 5 ms in a thread; `peak` is the maximum seen since start."""

    def __enter__(self) -> PeakRSS:
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def tensor_bytes(t: torch.Tensor) -> int:
    """Storage bytes, looking inside tensor subclasses (torchao's int8 weights + scales)."""
    if hasattr(t, "__tensor_flatten__") and type(t) is not torch.Tensor:
        names, _ = t.__tensor_flatten__()
        return sum(tensor_bytes(getattr(t, n)) for n in names)
    return t.numel() * t.element_size()


def decode_step_bytes(stepper: object) -> float:
    """Weights one decode step reads: everything but the embedding table (one row is read)."""
    engine = getattr(stepper, "engine", None)
    if engine is None:  # ONNX: the graph file is its weights (embedding counted twice if tied)
        folder = stepper.model.folder  # type: ignore[attr-defined]
        return float((folder / "model.onnx").stat().st_size)
    total = 0
    for name, value in engine.model.state_dict().items():
        if "tok_embeddings" in name:
            continue
        values = value if isinstance(value, tuple) else (value,)
        total += sum(tensor_bytes(v) for v in values if isinstance(v, torch.Tensor))
    return float(total)


def copy_bandwidth_gbs(mb: int = 256, trials: int = 5) -> float:
    """Best read+write bandwidth of a large tensor copy (what weight streaming can reach)."""
    src = torch.ones(mb * 2**20 // 4)
    dst = torch.empty_like(src)
    best = float("inf")
    for _ in range(trials):
        started = time.perf_counter()
        dst.copy_(src)
        best = min(best, time.perf_counter() - started)
    return 2 * src.numel() * 4 / best / 1e9


def batch1(lm: LoadedLM, name: str, args: argparse.Namespace, workdir: Path) -> Row:
    baseline = rss_mb()
    with PeakRSS() as peak:
        built = build_variant(lm, VARIANTS[name], workdir, max_seq=args.max_seq)
        fixed = SamplingParams(max_new_tokens=args.new_tokens, ignore_eos=True)
        warm = time.perf_counter()
        generate(lm, PROMPT, SamplingParams(max_new_tokens=4, ignore_eos=True),
                 stepper=built.stepper)
        build_s = built.build_s + time.perf_counter() - warm
        results = [generate(lm, PROMPT, fixed, stepper=built.stepper) for _ in range(args.runs)]
    latencies = sorted(1000 * r.elapsed_s for r in results)
    return Row(name, build_s, statistics.median(1000 * r.ttft_s for r in results),
               statistics.median(r.tokens_per_s for r in results), statistics.median(latencies),
               latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))],
               peak.peak - baseline, decode_step_bytes(built.stepper))


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="HF folder (default: embedded SmolLM2)")
    parser.add_argument("--models-dir", default="models", help="registry for the embedded model")
    parser.add_argument("--variants", default="all", help="comma list or 'all' available here")
    parser.add_argument("--server-variants", default="all",
                        help="variants also measured through the server ('none' to skip)")
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--runs", type=int, default=5, help="batch-1 repetitions per variant")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--max-seq", type=int, default=512)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    lm = load_causal_lm(args.model, models_dir=args.models_dir)
    prompt_tokens = len(lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"])
    names = list(VARIANTS) if args.variants == "all" else args.variants.split(",")
    available = [n for n in names if not unavailable_reason(VARIANTS[n], lm.device)]
    skipped = {n: unavailable_reason(VARIANTS[n], lm.device) for n in names if n not in available}
    bandwidth = copy_bandwidth_gbs()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"torch threads {torch.get_num_threads()}, "
          f"GPU: {torch.cuda.get_device_name() if torch.cuda.is_available() else 'none'}")
    print(f"torch {torch.__version__}; model {lm.name} ({lm.path}); prompt {prompt_tokens} "
          f"tokens; output {args.new_tokens} tokens (EOS ignored); {args.runs} runs; "
          f"copy bandwidth {bandwidth:.1f} GB/s")
    for name, reason in skipped.items():
        print(f"  skipped {name}: {reason}")

    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for name in available:
            rows.append(batch1(lm, name, args, Path(workdir)))
            r = rows[-1]
            print(f"  measured {name}: {r.tokens_per_s:.1f} tok/s", flush=True)
    base = next((r for r in rows if r.variant == "eager-fp32"), rows[0])
    print(f"\n{'variant':15s} {'build s':>7s} {'TTFT ms':>8s} {'tok/s':>7s} {'x fp32':>6s} "
          f"{'P50 ms':>8s} {'P95 ms':>8s} {'x fp32':>6s} {'peak MB':>8s} {'GB/s':>6s} {'%bw':>5s}")
    for r in rows:
        achieved = r.step_bytes * r.tokens_per_s / 1e9
        print(f"{r.variant:15s} {r.build_s:7.1f} {r.ttft_ms:8.1f} {r.tokens_per_s:7.1f} "
              f"{r.tokens_per_s / base.tokens_per_s:6.2f} {r.p50_ms:8.0f} {r.p95_ms:8.0f} "
              f"{base.p50_ms / r.p50_ms:6.2f} {r.peak_mb:8.0f} {achieved:6.2f} "
              f"{100 * achieved / bandwidth:5.1f}")
    best = max(rows, key=lambda r: r.tokens_per_s)
    print(f"roofline: best {best.variant} reads {best.step_bytes / 1e6:.0f} MB of weights per "
          f"step at {best.tokens_per_s:.1f} steps/s = "
          f"{best.step_bytes * best.tokens_per_s / 1e9:.2f} GB/s of {bandwidth:.1f} GB/s copy "
          f"bandwidth; bound {bandwidth * 1e9 / best.step_bytes:.0f} tok/s")

    levels = [int(c) for c in args.concurrency.split(",")]
    served = available if args.server_variants == "all" else \
        [] if args.server_variants == "none" else args.server_variants.split(",")
    server_rows = {}
    for name in served:
        server_rows[name] = through_server(lm, name, levels, args.new_tokens, args.max_seq)
        print(f"  served {name}: {server_rows[name]}", flush=True)
    if server_rows:
        print(f"\nthrough the server (generated tokens/s, closed loop, {args.new_tokens} tokens "
              "per request, continuous batching)")
        print(f"{'variant':15s} " + " ".join(f"{'c=' + str(c):>8s}" for c in levels)
              + f" {'c' + str(levels[-1]) + '/c' + str(levels[0]):>8s}")
        for name, found in server_rows.items():
            print(f"{name:15s} " + " ".join(f"{found[c]:8.1f}" for c in levels)
                  + f" {found[levels[-1]] / found[levels[0]]:8.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rows": [r.__dict__ for r in rows],
                                         "server": server_rows, "bandwidth_gbs": bandwidth},
                                        indent=2))


if __name__ == "__main__":
    main()
