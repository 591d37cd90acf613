"""Input pipeline speed: DataLoader with 0, 2, 4 workers (pinned or not) vs in-memory indexing.

    .venv/bin/python benchmarks/dataloader.py [--batch-size 256] [--epochs 2] [--threads 1]

Every variant yields the same batches of the offline MNIST images (the engine's
ResumableSampler order); "index tensors" is what the MNIST recipe does: the whole split is a
tensor and a batch is one gather. Samples/s and the ratio to the 0-worker DataLoader.
Pinned memory only matters when batches are then copied to a GPU; without CUDA it is skipped.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable, Iterable

import torch
from torch.utils.data import DataLoader, TensorDataset

from torchworks.engine.sampler import ResumableSampler, seeded_generator
from torchworks.recipes.vision.data import load_offline_subset


def measure(batches: Callable[[], Iterable[tuple[torch.Tensor, torch.Tensor]]], epochs: int,
            device: torch.device) -> float:
    seen = 0
    started = time.perf_counter()
    for _ in range(epochs):
        for xb, _yb in batches():
            xb = xb.to(device, non_blocking=True)
            seen += len(xb)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return seen / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    data = load_offline_subset()
    dataset = TensorDataset(data.train_x, data.train_y)
    print(f"machine: {platform.node()}, {torch.get_num_threads()} CPU threads, device {device}, "
          f"torch {torch.__version__}, python {sys.version.split()[0]}")
    print(f"{len(dataset)} images, batch {args.batch_size}, {args.epochs} epochs per variant\n")

    def loader(workers: int, pin: bool) -> Callable[[], DataLoader]:
        def make() -> DataLoader:
            return DataLoader(dataset, batch_size=args.batch_size,
                              sampler=ResumableSampler(len(dataset), seed=0), num_workers=workers,
                              pin_memory=pin, generator=seeded_generator(0),
                              persistent_workers=False)
        return make

    def indexed() -> Iterable[tuple[torch.Tensor, torch.Tensor]]:
        for idx in ResumableSampler(len(dataset), seed=0).batches(args.batch_size):
            yield data.train_x[idx], data.train_y[idx]

    pins = (False, True) if device.type == "cuda" else (False,)
    rows = [(f"DataLoader, {w} workers{', pinned' if pin else ''}", loader(w, pin))
            for w in (0, 2, 4) for pin in pins]
    rows.append(("index tensors (the MNIST recipe)", indexed))
    print(f"{'variant':36s} {'samples/s':>10s} {'ratio':>7s}")
    baseline = None
    for name, batches in rows:
        rate = measure(batches, args.epochs, device)
        baseline = baseline or rate
        print(f"{name:36s} {rate:10.0f} {rate / baseline:6.2f}x")


if __name__ == "__main__":
    main()
