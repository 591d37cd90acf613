"""Where a check request's tail comes from when the LLM decodes in the same server process.

Run: .venv/bin/python benchmarks/serve_contention.py [--seconds 5] [--rounds 2]

One process, as `torchworks serve` runs it: the default LLM (SmolLM2-135M) decodes 16
sequences step after step in its own thread, optionally the summarizer works through USPTO
documents in another, and this thread runs the patents checker on real granted claim sets, one
request at a time, timing each. Variants, interleaved round by round so the machine's other
load falls on all of them alike:

- alone: the checker and nothing else;
- llm t=N: the LLM decoding with N torch intra-op threads;
- +switch 1ms: the same with `sys.setswitchinterval(0.001)` (CPython's default is 5 ms: a
  thread that asks for the GIL waits that long before the holder must let go);
- +summarize: a second Python-bound service thread.

Printed per variant: check P50/P99 ms, and the LLM's decode steps per second.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time

import torch
from _serving import environment
from _soak_traffic import claim_text, granted, uspto_documents

from torchworks.service_catalog import load_service


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


class Background(threading.Thread):
    """Calls `work()` in a loop until stopped, counting calls."""

    def __init__(self, work, threads: int) -> None:
        super().__init__(daemon=True)
        self.work, self.threads, self.calls = work, threads, 0
        self.stop = threading.Event()

    def run(self) -> None:
        torch.set_num_threads(self.threads)  # per thread, as serving.batching.model_thread does
        while not self.stop.is_set():
            self.work()
            self.calls += 1


def llm_stepper(llm):
    """One decode step for 16 sequences per call; prompts prefilled again every 200 steps."""
    state = {"states": [], "step": 0}

    def step() -> None:
        if state["step"] % 200 == 0:
            for s in state["states"]:
                llm.release(s)
            prompts = [llm.encode(llm.warmup_request()) for _ in range(16)]
            state["states"], _ = llm.prefill(prompts)
        llm.decode(state["states"], [42] * len(state["states"]))
        state["step"] += 1
    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per variant and round")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    llm = load_service("llm").load(None)
    check = load_service("patents-check").load(None)
    summarize_spec = load_service("patents-summarize")
    summarizer = summarize_spec.load(None)
    checks = [
        check.warmup_request().model_copy(update={"claims": claim_text(p["claims"])})
        for p in granted() if len(p["claims"]) <= 40]
    documents = [summarize_spec.request_type(text=d, words=100) for d in uspto_documents()]
    step = llm_stepper(llm)
    variants = [("alone", None, False, 0.005), ("llm t=2", 2, False, 0.005),
                ("llm t=1", 1, False, 0.005), ("llm t=2 +switch 1ms", 2, False, 0.001),
                ("llm t=1 +switch 1ms", 1, False, 0.001),
                ("llm t=1 +summarize", 1, True, 0.005),
                ("llm t=1 +summarize +switch 1ms", 1, True, 0.001)]
    results: dict[str, dict[str, list[float]]] = {v[0]: {"check": [], "steps": []}
                                                  for v in variants}
    for _ in range(args.rounds):
        for name, llm_threads, with_summarize, switch in variants:
            sys.setswitchinterval(switch)
            workers = []
            if llm_threads:
                workers.append(Background(step, llm_threads))
            if with_summarize:
                workers.append(Background(
                    lambda: summarizer.predict([random.choice(documents)]), 1))
            for w in workers:
                w.start()
            began = time.perf_counter()
            while time.perf_counter() - began < args.seconds:
                t = time.perf_counter()
                check.predict([random.choice(checks)])
                results[name]["check"].append(time.perf_counter() - t)
                time.sleep(0.01)
            elapsed = time.perf_counter() - began
            for w in workers:
                w.stop.set()
            for w in workers:
                w.join()
            if llm_threads:
                results[name]["steps"].append(workers[0].calls / elapsed)
    sys.setswitchinterval(0.005)
    print(environment())
    print(f"{args.rounds} rounds x {args.seconds:.0f} s per variant; check on "
          f"{len(checks)} granted claim sets (held-out split), one request at a time")
    base = percentile(results["alone"]["check"], .5)
    print(f"{'variant':<32} {'n':>5} {'check P50 ms':>13} {'P99 ms':>8} {'P50 x alone':>12} "
          f"{'LLM steps/s':>12}")
    for name, *_ in variants:
        values, steps = results[name]["check"], results[name]["steps"]
        print(f"{name:<32} {len(values):>5} {percentile(values, .5) * 1e3:>13.1f} "
              f"{percentile(values, .99) * 1e3:>8.1f} {percentile(values, .5) / base:>12.2f} "
              f"{(sum(steps) / len(steps)) if steps else float('nan'):>12.1f}")


if __name__ == "__main__":
    main()
