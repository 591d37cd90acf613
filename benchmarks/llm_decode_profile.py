"""Where one batch-1 decode step of the LLM spends its time: weight matmuls vs everything else.

    PYTHONPATH=src .venv/bin/python benchmarks/llm_decode_profile.py --threads 1,2 \\
        --variant eager-fp32

Runs `--steps` profiled decode steps (torch.profiler, CPU) after a prompt prefill and a warm-up,
then prints per step: wall time, the weight matmuls' share (aten::linear / addmm / mm and the
packed int8/int4 kernels), the count of the other ops, the top ops by self time, and the
bandwidth bound: weight bytes read per step over the bandwidth of a large copy measured in the
same run.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import torch
from torch.profiler import ProfilerActivity, profile

from torchworks.llm.engine import EngineStepper
from torchworks.llm.load import load_causal_lm
from torchworks.llm.roofline import copy_bandwidth_gbs, decode_weight_bytes
from torchworks.llm.variants import engine_for

MATMUL_OPS = ("aten::addmm", "aten::mm", "aten::linear", "aten::_weight_int8pack_mm",
              "aten::_weight_int4pack_mm_for_cpu", "aten::matmul")
PROMPT = ("A reconfigurable solar collector comprises a telescoping base with a fixed tube and a "
          "mounting post, a removable support pole, and a panel array that moves")


def profile_steps(stepper: EngineStepper, ids: list[int],
                  steps: int) -> tuple[float, dict[str, list[float]]]:
    token = int(stepper.prefill(ids).argmax())
    for _ in range(4):
        token = int(stepper.decode(token).argmax())
    started = time.perf_counter()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            token = int(stepper.decode(token).argmax())
    wall = (time.perf_counter() - started) / steps
    by_op: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for event in prof.key_averages():
        by_op[event.key][0] += event.self_cpu_time_total / steps / 1000  # ms per step
        by_op[event.key][1] += event.count / steps
    return wall, by_op


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models-dir", default="models")
    parser.add_argument("--variant", default="eager-fp32")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--steps", type=int, default=16)
    args = parser.parse_args()
    lm = load_causal_lm(None, models_dir=args.models_dir)
    engine = engine_for(lm, args.variant, max_seq=512)
    stepper = EngineStepper(engine)
    ids = lm.tokenizer(PROMPT)["input_ids"]
    weight_bytes = decode_weight_bytes(engine.model)
    print(f"torch {torch.__version__}; variant {args.variant}; weights read per step "
          f"{weight_bytes / 1e6:.0f} MB")
    for threads in (int(t) for t in args.threads.split(",")):
        torch.set_num_threads(threads)
        bandwidth = copy_bandwidth_gbs()
        wall, by_op = profile_steps(stepper, ids, args.steps)
        total = sum(v[0] for v in by_op.values())
        matmul = sum(v[0] for k, v in by_op.items() if k in MATMUL_OPS)
        others = sum(v[1] for k, v in by_op.items() if k not in MATMUL_OPS)
        bound_ms = weight_bytes / (bandwidth * 1e9) * 1000
        print(f"\nthreads {threads}: step {1000 * wall:.1f} ms wall ({1 / wall:.1f} tok/s), "
              f"profiled self CPU {total:.1f} ms: weight matmuls {matmul:.1f} ms, "
              f"{others:.0f} other ops {total - matmul:.1f} ms; copy bandwidth "
              f"{bandwidth:.1f} GB/s -> bound {bound_ms:.1f} ms/step "
              f"({1000 / bound_ms:.0f} tok/s), step = {1000 * wall / bound_ms:.1f}x bound")
        for name, (ms, count) in sorted(by_op.items(), key=lambda kv: -kv[1][0])[:12]:
            print(f"  {name:40s} {ms:7.2f} ms  {count:6.0f} calls")


if __name__ == "__main__":
    main()
