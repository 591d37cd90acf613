"""Prefill cost (the compute part of time-to-first-token) of the kernel variants on each code
path, side by side in one process: the served path's prefill (`DecodeEngine.prefill`, the
prompt's tokens through every matmul as one batch of rows) of the 47-token benchmark prompt.

    PYTHONPATH=src .venv/bin/python benchmarks/llm_prefill.py --isa native,avx2 --threads 1,2

Per (code path, variant, threads): process CPU ms (less sensitive to a busy host than wall
time) and wall ms, medians over interleaved rounds, and the greedy next token, which must be
the same everywhere. `--isa avx2` builds our kernels as on a CPU without AVX-512
($TORCHWORKS_KERNEL_ISA); torch's own ops keep this CPU's dispatch.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from typing import Any

import torch
from llm_decode_step import PROMPT

from torchworks.llm.kernels import native
from torchworks.llm.load import load_causal_lm
from torchworks.llm.threads import configure_threads
from torchworks.llm.variants import engine_for


def prefill_ms(engine: Any, ids: list[int]) -> tuple[float, float, int]:
    """(process CPU ms, wall ms, greedy next token) of one prefill from position 0."""
    started = (time.process_time(), time.perf_counter())
    logits = engine.prefill(0, ids)
    return (1000 * (time.process_time() - started[0]),
            1000 * (time.perf_counter() - started[1]), int(logits.argmax()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--isa", default="native,avx2", help=f"comma list of {list(native.ISAS)}")
    parser.add_argument("--variants", default="fp32-kernel,q8_0")
    parser.add_argument("--threads", default="1,2", help="comma list of thread counts")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--models-dir", default="models")
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    configure_threads(max(counts))
    lm = load_causal_lm(None, models_dir=args.models_dir)
    ids = lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    engines, built = {}, {}
    for isa in args.isa.split(","):
        os.environ[native.ISA_ENV] = isa
        built[isa] = native.load().isa
        for name in args.variants.split(","):
            engines[(isa, name)] = engine_for(lm, name, max_seq=512)
            engines[(isa, name)].prefill(0, ids)  # warm-up
    os.environ.pop(native.ISA_ENV)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch "
          f"{torch.__version__}; {len(ids)}-token prompt, {args.rounds} rounds; load average "
          f"{os.getloadavg()[0]:.2f}")
    found: dict[tuple[str, str, int], list[tuple[float, float, int]]] = {}
    for _ in range(args.rounds):
        for threads in counts:
            torch.set_num_threads(threads)
            for (isa, name), engine in engines.items():
                found.setdefault((isa, name, threads), []).append(prefill_ms(engine, ids))
    for (isa, name, threads), rows in found.items():
        cpu, wall = (statistics.median(r[i] for r in rows) for i in range(2))
        print(f"{isa:7s} ({built[isa]:11s}) {name:12s} {threads} thread(s): prefill CPU "
              f"{cpu:7.1f} ms, wall {wall:7.1f} ms, next token {rows[-1][2]}")
    tokens = {r[2] for rows in found.values() for r in rows}
    print(f"same next token everywhere: {len(tokens) == 1}; load average at the end "
          f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
