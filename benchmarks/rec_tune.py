"""Tune a recommendation config on the validation item only: variants side by side, one seed.

    PYTHONPATH=src .venv/bin/python benchmarks/rec_tune.py --ratings ml-100k/u.data \
        --config sasrec-ml100k.yaml --variant base: --variant drop5:dropout=0.5 \
        --variant long:max_len=200,dropout=0.5

Each `--variant NAME:key=value,...` overrides the shipped config (values parsed as YAML). For
every variant this prints the best validation NDCG@10 (AUC for DIN) over the evaluated epochs,
the epoch it came at and the training seconds. The test item is never looked at: pick the
winner here, then report it on the test item over seeds with `rec_quality.py`.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

import yaml

CONFIGS = Path(__file__).parents[1] / "src/torchworks/recipes/recsys/configs"


def parse_variant(text: str) -> tuple[str, dict[str, object]]:
    name, _, pairs = text.partition(":")
    overrides = {}
    for pair in filter(None, pairs.split(",")):
        key, _, value = pair.partition("=")
        overrides[key.strip()] = yaml.safe_load(value)
    return name, overrides


def best_valid(metrics_csv: Path, key: str) -> tuple[float, int]:
    """Best `eval/<key>` in the run's metrics.csv (rows: step, epoch, name, value)."""
    best, epoch = float("-inf"), 0
    with metrics_csv.open() as f:
        for row in csv.DictReader(f):
            if row["name"] == f"eval/{key}" and float(row["value"]) > best:
                best, epoch = float(row["value"]), int(row["epoch"])
    return best, epoch


def main() -> None:
    from torchworks.config import load_yaml
    from torchworks.recipes.recsys.config import RecTrainConfig
    from torchworks.recipes.recsys.data import build_dataset, save_dataset
    from torchworks.recipes.recsys.readers import read_log
    from torchworks.recipes.recsys.train import train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=Path, required=True, help="u.data or ratings.dat")
    parser.add_argument("--config", default="sasrec-ml100k.yaml")
    parser.add_argument("--variant", action="append", default=[], help="NAME:key=value,...")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    variants = [parse_variant(v) for v in args.variant or ["base:"]]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ds, report = build_dataset(read_log(args.ratings))
        data = save_dataset(ds, report, Path(tmp) / "data")
        for name, overrides in variants:
            out = Path(tmp) / name
            cfg = load_yaml(RecTrainConfig, CONFIGS / args.config,
                            {"data": data, "out": out, "seed": args.seed,
                             "threads": args.threads, "eval_users": 0, **overrides})
            key = "auc" if cfg.model == "din" else "NDCG@10"
            started = time.perf_counter()
            summary = train(cfg)
            elapsed = time.perf_counter() - started
            best, epoch = best_valid(out / "metrics.csv", key)
            rows.append((name, overrides, best, epoch, summary.train_seconds, elapsed))
            print(f"{name}: valid {key} {best:.4f} at epoch {epoch}, train "
                  f"{summary.train_seconds:.0f} s (run {elapsed:.0f} s), load "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
    print(f"\n{args.config}, seed {args.seed}, {args.threads} thread(s); validation item only")
    for name, overrides, best, epoch, train_s, _ in sorted(rows, key=lambda r: -r[2]):
        print(f"  {name:14s} {best:.4f}  epoch {epoch:3d}  train {train_s:5.0f} s  {overrides}")
    print(f"load average {os.getloadavg()[0]:.1f} (shared CPU: times are noisy)")


if __name__ == "__main__":
    main()
