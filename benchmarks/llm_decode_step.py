"""Where a kernel variant's batch-1 decode step spends its time: the whole step as one native
call (kernels/step.c, output head included) against the per-layer Python loop over the same
kernels, side by side in one process, at each thread count.

    PYTHONPATH=src .venv/bin/python benchmarks/llm_decode_step.py --threads 1,2 --steps 32

Per step: wall ms (noise on a busy host: the load is printed), process CPU ms (every thread,
spinning included, so a thread count that wastes CPU shows here) and the calling thread's CPU
ms; medians over interleaved rounds, and the wall and CPU ratios of each thread count to the
first. Greedy tokens are checked equal across paths and thread counts.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from typing import Any

import torch

from torchworks.llm.load import load_causal_lm
from torchworks.llm.threads import configure_threads
from torchworks.llm.variants import engine_for

PROMPT = ("A reconfigurable solar collector comprises a telescoping base with a fixed tube and a "
          "mounting post, a removable support pole, and a panel array that moves from a deployed "
          "horizontal position to a collapsed vertical position. In one embodiment the array")


def step_times(engine: Any, prompt: list[int], steps: int) -> tuple[list[float], list[int]]:
    """(wall, process CPU, thread CPU) ms per decode step, greedy after a fresh prefill."""
    logits = engine.prefill(0, prompt)
    tokens = []
    wall = cpu = own = 0.0
    with torch.inference_mode():
        for _ in range(steps):
            tokens.append(int(logits.argmax()))
            started = (time.perf_counter(), time.process_time(), time.thread_time())
            logits = engine.decode([0], [tokens[-1]])[0]
            wall += time.perf_counter() - started[0]
            cpu += time.process_time() - started[1]
            own += time.thread_time() - started[2]
    return [1000 * t / steps for t in (wall, cpu, own)], tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="q8_0,fp32-kernel")
    parser.add_argument("--threads", default="1,2", help="comma list of thread counts")
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models-dir", default="models")
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    configure_threads(max(counts))
    lm = load_causal_lm(None, models_dir=args.models_dir)
    prompt = lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch "
          f"{torch.__version__}, threads {counts}, {len(prompt)}-token prompt, {args.steps} "
          f"steps, {args.rounds} rounds; load average {os.getloadavg()[0]:.2f}")
    for name in args.variants.split(","):
        engine = engine_for(lm, name, max_seq=512)
        paths = {"one call": engine.model.decode_step, "per-layer": None}
        times: dict[tuple[str, int], list[list[float]]] = {}
        greedy: set[tuple[int, ...]] = set()
        for _ in range(args.rounds):
            for threads in counts:
                torch.set_num_threads(threads)
                for path, step in paths.items():
                    engine.model.decode_step = step
                    measured, tokens = step_times(engine, prompt, args.steps)
                    times.setdefault((path, threads), []).append(measured)
                    greedy.add(tuple(tokens))
        engine.model.decode_step = paths["one call"]
        for path in paths:
            first = None
            for threads in counts:
                wall, cpu, own = (statistics.median(r[i] for r in times[(path, threads)])
                                  for i in range(3))
                first = first or (wall, cpu)
                print(f"{name:12s} {path:9s} {threads} thread(s): wall {wall:6.2f} ms/step "
                      f"(speed {first[0] / wall:4.2f}x of {counts[0]}), process CPU {cpu:6.2f} "
                      f"({cpu / first[1]:4.2f}x), calling thread CPU {own:6.2f}")
        print(f"{name:12s} same greedy tokens on every path and thread count: {len(greedy) == 1}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
