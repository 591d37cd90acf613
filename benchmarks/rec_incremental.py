"""Incremental SASRec training on a new data window with a grown vocabulary: speed and quality.

    PYTHONPATH=src .venv/bin/python benchmarks/rec_incremental.py --ratings ml-100k/u.data \
        [--cut 0.8 --first-epochs 10 --next-epochs 4]

Window 1 is every rating before the `--cut` quantile of the timestamps; window 2 is the whole
log, so it brings users and items window 1 never saw. SASRec (the shipped
`sasrec-ml100k.yaml`) trains on window 1, then warm-starts on window 2 (`init_from`: the
vocabularies are extended, old ids keep their rows, the embedding tables grow). Next to it, the
same number of epochs on window 2 from scratch. Printed per run: training samples/s (predicted
target positions per second of training), the rows grown, and the best validation NDCG@10 of
window 2 (leave-last-out; nothing here looks at the test item).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

import numpy as np
import torch

CONFIG = Path(__file__).parents[1] / "src/torchworks/recipes/recsys/configs/sasrec-ml100k.yaml"


def first_window(ratings: Path, cut: float, out: Path) -> Path:
    lines = [line for line in ratings.read_text().splitlines() if line.strip()]
    times = np.array([int(line.replace("::", "\t").split()[3]) for line in lines])
    edge = np.quantile(times, cut)
    out.write_text("\n".join(line for line, t in zip(lines, times, strict=True) if t < edge)
                   + "\n")
    return out


def best_ndcg(run: Path) -> float:
    import csv

    with (run / "metrics.csv").open() as f:
        return max(float(r["value"]) for r in csv.DictReader(f) if r["name"] == "eval/NDCG@10")


def main() -> None:
    from torchworks.config import load_yaml
    from torchworks.recipes.recsys.config import RecTrainConfig
    from torchworks.recipes.recsys.data import build_dataset, load_dataset, save_dataset
    from torchworks.recipes.recsys.readers import read_log
    from torchworks.recipes.recsys.train import train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=Path, required=True, help="u.data or ratings.dat")
    parser.add_argument("--cut", type=float, default=0.8)
    parser.add_argument("--first-epochs", type=int, default=10)
    parser.add_argument("--next-epochs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "w1-log").mkdir()
        early = first_window(args.ratings, args.cut, root / "w1-log" / args.ratings.name)
        ds1, report1 = build_dataset(read_log(early, "movielens"))
        save_dataset(ds1, report1, root / "w1")
        old = load_dataset(root / "w1")
        ds2, report2 = build_dataset(read_log(args.ratings, "movielens"), vocab_from=old)
        save_dataset(ds2, report2, root / "w2")

        def run(name: str, data: str, epochs: int, **extra: object):
            cfg = load_yaml(RecTrainConfig, CONFIG, {
                "data": root / data, "out": root / name, "epochs": epochs, "eval_every": 1,
                "threads": args.threads, "eval_users": 0, "seed": 0, **extra})
            return train(cfg)

        first = run("first", "w1", args.first_epochs)
        warm = run("warm", "w2", args.next_epochs,
                   init_from=root / "first" / "checkpoints" / "best.pt")
        cold = run("cold", "w2", args.next_epochs)
        print(f"\n{args.ratings}: window 1 = ratings before the {args.cut:.0%} time quantile "
              f"({report1.users} users, {report1.items} items); window 2 = all "
              f"({report2.new_users} new users, {report2.new_items} new items)")
        print(f"machine: {platform.machine()} {os.cpu_count()} CPUs, torch {torch.__version__}, "
              f"{args.threads} thread(s), load average {os.getloadavg()[0]:.1f} (shared CPU)")
        print(f"{'run':34s} {'epochs':>6s} {'samples/s':>10s} {'train s':>8s} "
              f"{'valid NDCG@10':>14s}  grown rows")
        for label, s, name in (("window 1, from scratch", first, "first"),
                               ("window 2, warm start (init_from)", warm, "warm"),
                               ("window 2, from scratch", cold, "cold")):
            grown = {k.split(".")[0]: v for k, v in s.grown_rows.items()} or "-"
            print(f"{label:34s} {s.epochs:6d} {s.samples_per_second:10.0f} "
                  f"{s.train_seconds:8.1f} {best_ndcg(root / name):14.4f}  {grown}")


if __name__ == "__main__":
    main()
