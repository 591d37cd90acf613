"""MNIST training speed: the same model and data, variants side by side, plus time to accuracy.

    .venv/bin/python benchmarks/train_mnist.py                    # CPU: eager vs compiled
    .venv/bin/python benchmarks/train_mnist.py --batch-size 4096   # on a GPU: + AMP, AMP+compile
    .venv/bin/python benchmarks/train_mnist.py --skip-throughput --configs fast strong

Part 1 times optimizer steps (forward, backward, AdamW) on the offline images kept on the
device, after warm-up steps that also absorb compilation; samples/s per variant and the ratio
to eager fp32. Part 2 trains the recipe once per shipped config (configs/NAME.yaml) and
reports, per config: training samples/s, training seconds (evaluation excluded) until the test
split first reaches 98% and 99%, and the final test accuracy; also process CPU seconds, which
a busy machine inflates less than wall time. The run itself never sees the test split (it
selects on validation); the benchmark scores each epoch's checkpoint on the test split after
the run, only to measure. Data: the offline 5k subset (3,600 train / 400 validation / 1,000
test, the test split standing in for the official 10k test set, which is not available here).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from torchworks.config import load_yaml
from torchworks.engine.checkpoint import CheckpointDir, load_checkpoint, restore_state
from torchworks.engine.compile import maybe_compile
from torchworks.engine.distributed import init_distributed
from torchworks.engine.precision import resolve_precision
from torchworks.engine.step import backward, optimizer_step
from torchworks.env.device import resolve_device
from torchworks.recipes import vision
from torchworks.recipes.vision.config import MnistConfig
from torchworks.recipes.vision.data import load_data, load_offline_subset
from torchworks.recipes.vision.models import build_model
from torchworks.recipes.vision.train import TrainSummary, evaluate, train

CONFIGS = Path(vision.__file__).parent / "configs"


@dataclass(frozen=True)
class Variant:
    name: str
    amp: str
    compile: bool
    mode: str | None = None


@dataclass(frozen=True)
class Timing:
    variant: Variant
    samples_per_second: float
    warmup_seconds: float
    samples_per_cpu_second: float  # process CPU time: less inflated than wall on a busy machine


def variants(device: torch.device, skip_compile: bool) -> list[Variant]:
    found = [Variant("eager fp32", "off", False)]
    if not skip_compile:
        found.append(Variant("compiled fp32", "off", True))
    if device.type == "cuda":
        found.append(Variant("eager AMP", "auto", False))
        if not skip_compile:
            found += [Variant("compiled AMP", "auto", True),
                      Variant("compiled AMP + CUDA graphs", "auto", True, "reduce-overhead")]
    return found


def time_variant(variant: Variant, x: torch.Tensor, y: torch.Tensor, args: argparse.Namespace,
                 device: torch.device) -> Timing:
    torch.manual_seed(0)
    precision = resolve_precision(variant.amp, device)
    model = build_model(args.model, width=args.width).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    runner = maybe_compile(model, enabled=variant.compile, device=device, mode=variant.mode)
    scaler = precision.grad_scaler()
    order = torch.randint(0, len(x), (args.warmup + args.steps, args.batch_size), device=device)

    def step(i: int) -> None:
        idx = order[i]
        with precision.autocast():
            loss = F.cross_entropy(runner(x[idx]).float(), y[idx])
        backward(loss, scaler)
        optimizer_step(optimizer, runner, scaler=scaler)

    started = time.perf_counter()
    for i in range(args.warmup):
        step(i)
    _sync(device)
    warm = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(args.warmup, args.warmup + args.steps):
        step(i)
    _sync(device)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    samples = args.steps * args.batch_size
    return Timing(variant, samples / seconds, warm, samples / cpu)


@dataclass(frozen=True)
class TargetRun:
    config: str
    summary: TrainSummary
    curve: list[tuple[int, float, float]]  # (epoch, train seconds, test accuracy)
    cpu_seconds: float
    wall_seconds: float

    def seconds_to(self, target: float) -> float | None:
        return next((secs for _, secs, acc in self.curve if acc >= target), None)

    def cpu_seconds_to(self, target: float) -> float | None:
        """Process CPU seconds to `target`, pro rata of training time: an upper bound (the
        total includes start-up and evaluation) that a busy machine inflates far less than
        wall time."""
        seconds = self.seconds_to(target)
        if seconds is None or not self.summary.train_seconds:
            return None
        return self.cpu_seconds * seconds / self.summary.train_seconds


def time_to_target(config: str, threads: int) -> TargetRun:
    """Train configs/<config>.yaml, then score every epoch-end checkpoint on the test split."""
    path = CONFIGS / f"{config}.yaml"
    out = Path(tempfile.mkdtemp(prefix=f"bench-mnist-{config}-"))
    probe = load_yaml(MnistConfig, path)
    cfg = load_yaml(MnistConfig, path, {"progress": False, "threads": threads, "out": str(out),
                                        "keep_last": probe.epochs + 1})
    cpu, wall = time.process_time(), time.perf_counter()
    summary = train(cfg)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    test = load_data(cfg.data_dir, val_fraction=cfg.val_fraction, seed=cfg.seed)
    info = init_distributed("cpu")
    precision = resolve_precision("off", info.device)
    curve = []
    for ckpt in CheckpointDir(out / "checkpoints").steps():
        state = load_checkpoint(ckpt)
        if state["metrics"] or state["position"]["sampler"].get("consumed", 0) == 0:
            model = build_model(**state["extra"]["model"]["kwargs"])
            restore_state(state, model, restore_rng_state=False)
            result = evaluate(model, test.test_x, test.test_y, precision, info)
            curve.append((int(state["position"]["epoch"]),
                          float(state["extra"]["train_seconds"]), result.accuracy))
    shutil.rmtree(out, ignore_errors=True)
    return TargetRun(config, summary, curve, cpu, wall)


def report(runs: list[TargetRun], targets: tuple[float, ...]) -> None:
    print(f"\ntime to accuracy on the test split ({runs[0].summary.data_source}, "
          f"{runs[0].summary.train_samples} train / {runs[0].summary.val_samples} validation / "
          f"{runs[0].summary.test_samples} test images; training seconds, evaluation excluded)")
    heads = "".join(f"{f'to {t:.0%} s':>10s}{'CPU s':>7s}" for t in targets)
    print(f"  {'config':8s} {'model':>14s} {'epochs':>6s} {'samples/s':>10s}{heads} "
          f"{'final test':>10s} {'train s':>8s} {'CPU s':>7s}")
    for run in runs:
        s = run.summary
        model = f"{s.model} w{run_width(run)}" if s.model == "strong" else s.model
        cells = "".join(f"{_cell(run.seconds_to(t)):>10s}{_cell(run.cpu_seconds_to(t)):>7s}"
                        for t in targets)
        print(f"  {run.config:8s} {model:>14s} {s.epochs:6d} {s.samples_per_second:10.0f}{cells} "
              f"{s.test_accuracy:10.4f} {s.train_seconds:8.1f} {run.cpu_seconds:7.1f}")
    for run in runs:
        print(f"  {run.config}: test accuracy per epoch "
              + " ".join(f"{acc:.4f}" for _, _, acc in run.curve))


def _cell(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"


def run_width(run: TargetRun) -> int:
    return load_yaml(MnistConfig, CONFIGS / f"{run.config}.yaml").width


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--model", choices=("simple", "strong"), default="strong")
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per variant")
    parser.add_argument("--warmup", type=int, default=5,
                        help="untimed steps (compilation happens here)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    parser.add_argument("--skip-compile", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--configs", nargs="*", default=["fast", "strong"],
                        help="shipped configs to time to accuracy (configs/NAME.yaml)")
    parser.add_argument("--train-threads", type=int, default=2,
                        help="torch threads for the time-to-accuracy runs")
    parser.add_argument("--skip-target", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor()
    print(f"machine: {platform.node()} {name or platform.machine()}, device {device}, "
          f"torch {torch.__version__}, python {sys.version.split()[0]}, "
          f"{torch.get_num_threads()} CPU threads, {os.cpu_count()} cores, load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if not args.skip_throughput:
        data = load_offline_subset()
        x, y = data.train_x.to(device), data.train_y.to(device)
        print(f"\nthroughput: {args.model} CNN (width {args.width}), batch {args.batch_size}, "
              f"{args.steps} timed steps after {args.warmup} warm-up steps")
        print(f"  {'variant':30s} {'samples/s':>10s} {'ratio':>7s} {'warm-up s':>10s} "
              f"{'samples/CPU-s':>14s}")
        baseline = None
        for variant in variants(device, args.skip_compile):
            timing = time_variant(variant, x, y, args, device)
            baseline = baseline or timing.samples_per_second
            print(f"  {variant.name:30s} {timing.samples_per_second:10.0f} "
                  f"{timing.samples_per_second / baseline:6.2f}x {timing.warmup_seconds:10.1f} "
                  f"{timing.samples_per_cpu_second:14.0f}")
    if not args.skip_target and args.configs:
        runs = [time_to_target(config, args.train_threads) for config in args.configs]
        report(runs, (0.98, 0.99))
        print("  load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
