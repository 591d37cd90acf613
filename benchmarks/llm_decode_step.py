"""Where a kernel variant's batch-1 decode step spends its CPU: the whole step as one native
call (kernels/step.c) against the per-layer Python loop over the same kernels, side by side in
one process, plus the output head alone. CPU time of this thread (time.thread_time) per step,
so a loaded machine's waiting is not counted; medians over interleaved rounds.

    PYTHONPATH=src .venv/bin/python benchmarks/llm_decode_step.py --threads 1 --steps 32
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from typing import Any

import torch

from torchworks.llm.load import load_causal_lm
from torchworks.llm.threads import configure_threads
from torchworks.llm.variants import engine_for

PROMPT = "A reconfigurable solar collector comprises a telescoping base with a fixed tube"


def step_ms(engine: Any, prompt: list[int], steps: int) -> float:
    """CPU ms of this thread per decode step, greedy, after a fresh prefill."""
    logits = engine.prefill(0, prompt)
    spent = 0.0
    with torch.inference_mode():
        for _ in range(steps):
            token = int(logits.argmax())
            started = time.thread_time()
            logits = engine.decode([0], [token])[0]
            spent += time.thread_time() - started
    return 1000 * spent / steps


def head_ms(model: Any, steps: int) -> float:
    x = torch.randn(1, model.s.dim)
    with torch.inference_mode():
        started = time.thread_time()
        for _ in range(steps):
            model.output(model.norm(x))
    return 1000 * (time.thread_time() - started) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="q8_0,fp32-kernel")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models-dir", default="models")
    args = parser.parse_args()
    configure_threads(args.threads)
    lm = load_causal_lm(None, models_dir=args.models_dir)
    prompt = lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    print(f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{args.threads} thread(s), {len(prompt)}-token prompt, {args.steps} steps, "
          f"{args.rounds} rounds")
    for name in args.variants.split(","):
        engine = engine_for(lm, name, max_seq=256)
        one_call = engine.model.decode_step
        times: dict[str, list[float]] = {"per-layer": [], "one call": [], "head": []}
        for _ in range(args.rounds):
            engine.model.decode_step = None
            times["per-layer"].append(step_ms(engine, prompt, args.steps))
            engine.model.decode_step = one_call
            times["one call"].append(step_ms(engine, prompt, args.steps))
            times["head"].append(head_ms(engine.model, args.steps))
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{name:12s} CPU ms/step: per-layer {med['per-layer']:.2f}, one call "
              f"{med['one call']:.2f} ({med['per-layer'] / med['one call']:.2f}x), "
              f"of which the output head {med['head']:.2f}")


if __name__ == "__main__":
    main()
