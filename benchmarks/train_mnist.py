"""MNIST training speed: the same model and data, variants side by side, plus time to accuracy.

    .venv/bin/python benchmarks/train_mnist.py                    # CPU: eager vs compiled
    .venv/bin/python benchmarks/train_mnist.py --batch-size 4096   # on a GPU: + AMP, AMP+compile
    .venv/bin/python benchmarks/train_mnist.py --skip-throughput --target 0.98

Part 1 times optimizer steps (forward, backward, AdamW) on the offline images kept on the
device, after warm-up steps that also absorb compilation; samples/s per variant and the ratio
to eager fp32. Part 2 trains the recipe with configs/fast.yaml and reports the training time
(evaluation excluded) until the test split first reaches --target.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from torchworks.config import load_yaml
from torchworks.engine.compile import maybe_compile
from torchworks.engine.metrics import read_metrics
from torchworks.engine.precision import resolve_precision
from torchworks.engine.step import backward, optimizer_step
from torchworks.env.device import resolve_device
from torchworks.recipes import vision
from torchworks.recipes.vision.config import MnistConfig
from torchworks.recipes.vision.data import load_offline_subset
from torchworks.recipes.vision.models import build_model
from torchworks.recipes.vision.train import train

FAST_CONFIG = Path(vision.__file__).parent / "configs" / "fast.yaml"


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
    started = time.perf_counter()
    for i in range(args.warmup, args.warmup + args.steps):
        step(i)
    _sync(device)
    seconds = time.perf_counter() - started
    return Timing(variant, args.steps * args.batch_size / seconds, warm)


def time_to_target(target: float, threads: int) -> None:
    cfg = load_yaml(MnistConfig, FAST_CONFIG, {"progress": False, "threads": threads,
                                                "out": tempfile.mkdtemp(prefix="bench-mnist-")})
    wall = time.perf_counter()
    summary = train(cfg)
    wall = time.perf_counter() - wall
    rows = read_metrics(cfg.out / "metrics.csv")
    accuracy = {epoch: v for _, epoch, name, v in rows if name == "test/accuracy"}
    seconds = {epoch: v for _, epoch, name, v in rows if name == "time/train_seconds"}
    reached = next((e for e in sorted(accuracy) if accuracy[e] >= target), None)
    print(f"\ntime to {target:.1%} test accuracy ({FAST_CONFIG.name}: {cfg.model} CNN width "
          f"{cfg.width}, {cfg.epochs} epochs, batch {cfg.batch_size}, {summary.data_source}, "
          f"{summary.train_samples} train / {summary.test_samples} test images)")
    for epoch in sorted(accuracy):
        mark = "  <- target" if epoch == reached else ""
        print(f"  epoch {epoch + 1:2d}  test accuracy {accuracy[epoch]:.4f}  "
              f"train seconds {seconds[epoch]:6.1f}{mark}")
    if reached is None:
        print(f"  target not reached; final {summary.test_accuracy:.4f}")
    else:
        print(f"  reached in {seconds[reached]:.1f} s of training "
              f"(whole run incl. evaluation and start-up: {wall:.1f} s)")


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
    parser.add_argument("--target", type=float, default=0.98, help="test accuracy to time")
    parser.add_argument("--skip-target", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor()
    print(f"machine: {platform.node()} {name or platform.machine()}, device {device}, "
          f"torch {torch.__version__}, python {sys.version.split()[0]}, "
          f"{torch.get_num_threads()} CPU threads")
    if not args.skip_throughput:
        data = load_offline_subset()
        x, y = data.train_x.to(device), data.train_y.to(device)
        print(f"\nthroughput: {args.model} CNN (width {args.width}), batch {args.batch_size}, "
              f"{args.steps} timed steps after {args.warmup} warm-up steps")
        print(f"  {'variant':30s} {'samples/s':>10s} {'ratio':>7s} {'warm-up s':>10s}")
        baseline = None
        for variant in variants(device, args.skip_compile):
            timing = time_variant(variant, x, y, args, device)
            baseline = baseline or timing.samples_per_second
            print(f"  {variant.name:30s} {timing.samples_per_second:10.0f} "
                  f"{timing.samples_per_second / baseline:6.2f}x {timing.warmup_seconds:10.1f}")
    if not args.skip_target:
        time_to_target(args.target, args.threads)


if __name__ == "__main__":
    main()
