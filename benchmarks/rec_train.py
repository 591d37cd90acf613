"""Training throughput (samples/s) of the recommendation models: eager vs torch.compile, and
fp32 vs AMP where a GPU is present, side by side on the same synthetic data.

    .venv/bin/python benchmarks/rec_train.py [--models sasrec,two-tower,din --steps 20]

Each variant runs `--warmup` steps (compilation happens there and is reported separately),
then `--steps` timed optimizer steps of the same loss the recipe trains. On a CPU, AMP is
skipped: bf16 autocast on CPU is correct but not a speed feature (see engine/precision.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import torch


def build(kind: str, batch: int, max_len: int):
    from torchworks.recipes.recsys.config import SynthConfig
    from torchworks.recipes.recsys.data import build_dataset
    from torchworks.recipes.recsys.readers import BadRows, LogTable
    from torchworks.recipes.recsys.synth import generate
    from torchworks.recipes.recsys.tasks import ModelSettings, build_model, make_examples
    from torchworks.recipes.recsys.train import prepare_model

    ds, _ = build_dataset(
        LogTable(generate(SynthConfig(users=1500, items=3500)), BadRows(), "s", "s")
    )
    settings = ModelSettings(kind, max_len=max_len)
    model = build_model(settings, ds.num_users, ds.num_items, ds.num_categories)
    prepare_model(model, ds)
    examples = make_examples(settings, ds, history_len=50, negatives=4, seed=0)
    return model, examples, batch


def run_variant(
    kind: str, compiled: bool, amp: str, args: argparse.Namespace
) -> tuple[float, float]:
    from torchworks.engine.compile import maybe_compile
    from torchworks.engine.precision import resolve_precision
    from torchworks.env.device import resolve_device

    device = resolve_device(args.device)
    torch.manual_seed(0)
    batch = args.batch_sasrec if kind == "sasrec" else args.batch
    model, examples, batch = build(kind, batch, args.max_len)
    model.to(device).train()
    precision = resolve_precision(amp, device)

    step_fn = maybe_compile(_Loss(model), enabled=compiled, device=device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    idx = torch.arange(min(batch, examples.num_examples))
    data = examples.batch(idx, device)

    def step() -> None:
        with precision.autocast():
            loss = step_fn(*data)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    started = time.perf_counter()
    for _ in range(args.warmup):
        step()
    _sync(device)
    warmup = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(args.steps):
        step()
    _sync(device)
    return len(idx) * args.steps / (time.perf_counter() - started), warmup


class _Loss(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        return self.model.loss(*tensors)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="sasrec,two-tower,din")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1024, help="two-tower / DIN clicks per step")
    parser.add_argument("--batch-sasrec", type=int, default=128)
    parser.add_argument("--max-len", type=int, default=50)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-compile", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gpu = torch.cuda.is_available() and args.device != "cpu"
    variants = [(False, "off")] + ([] if args.no_compile else [(True, "off")])
    if gpu:
        variants += [(False, "auto")] + ([] if args.no_compile else [(True, "auto")])
    print(
        f"machine: {platform.machine()} {os.cpu_count()} CPUs, torch {torch.__version__}, "
        f"{'GPU ' + torch.cuda.get_device_name() if gpu else 'no GPU (AMP rows are GPU-only)'}, "
        f"{args.threads} threads, {args.steps} timed steps; shared CPU: timings are noisy"
    )
    print(
        f"{'model':10s} {'variant':18s} {'samples/s':>10s} {'warm-up s':>10s} {'x eager fp32':>13s}"
    )
    for kind in args.models.split(","):
        base = None
        for compiled, amp in variants:
            name = f"{'compiled' if compiled else 'eager'} {'fp32' if amp == 'off' else 'amp'}"
            try:
                rate, warm = run_variant(kind, compiled, amp, args)
            except Exception as exc:  # a compiler failure is a result to print, not a crash
                print(f"{kind:10s} {name:18s} failed: {type(exc).__name__}: {str(exc)[:80]}")
                continue
            base = base or rate
            print(
                f"{kind:10s} {name:18s} {rate:10.0f} {warm:10.1f} {rate / base:13.2f}", flush=True
            )


if __name__ == "__main__":
    main()
