"""Quality on real data: SASRec, two-tower and DIN against the simple baselines, over seeds.

    PYTHONPATH=src .venv/bin/python benchmarks/rec_quality.py --ratings ml-100k/u.data \
        [--seeds 0,1,2 --models sasrec,two-tower,din]

MovieLens-100K is not shipped (2 MB); a public copy: tule2236/Item-based-CF-with-PySpark
@9687bc4ec90fa735451556937d66428c650e1c0a:ml-100k/u.data, minus its 3 rows for user 0 (a
course's addition; what remains is the original 100,000 ratings, 1,979,173 bytes).

Protocol: leave-last-out per user (valid = second newest item, test = newest), full ranking
over every item with the user's whole history masked. Each model trains with its shipped
config; epochs and the checkpoint kept (best.pt) are chosen on the validation item only, and
every figure printed is on the test item, which nothing was tuned on. The baselines
(popularity, item-kNN, recency-weighted item-kNN; logistic regression for DIN) are fitted on
the same history. Prints mean and spread (min..max) over seeds.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np

CONFIGS = {
    "sasrec": "sasrec-ml100k.yaml",
    "two-tower": "two-tower-ml100k.yaml",
    "din": "din-ml100k.yaml",
}


def run(model: str, data: Path, out: Path, seed: int, threads: int) -> dict[str, dict[str, float]]:
    from torchworks.config import load_yaml
    from torchworks.recipes.recsys.compare import compare
    from torchworks.recipes.recsys.config import RecTrainConfig
    from torchworks.recipes.recsys.train import train

    config = Path(__file__).parents[1] / "src/torchworks/recipes/recsys/configs" / CONFIGS[model]
    overrides = {"data": data, "out": out, "seed": seed, "threads": threads, "eval_users": 0}
    cfg = load_yaml(RecTrainConfig, config, overrides)
    train(cfg)
    return compare(out / "checkpoints" / "best.pt", data, seed=seed).metrics


def main() -> None:
    from torchworks.recipes.recsys.data import build_dataset, save_dataset
    from torchworks.recipes.recsys.readers import read_log

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=Path, required=True, help="u.data or ratings.dat")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--models", default="sasrec,two-tower,din")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        ds, report = build_dataset(read_log(args.ratings))
        data = save_dataset(ds, report, Path(tmp) / "data")
        print(f"{args.ratings}: {report.users} users, {report.items} items, {report.split_sizes}")
        for model in args.models.split(","):
            runs = Path(tmp) / model
            per_seed = [run(model, data, runs / str(s), s, args.threads) for s in seeds]
            key = "auc" if model == "din" else "NDCG@10"
            print(f"\n{model} (test item, {key}), seeds {seeds}:")
            for method in per_seed[0]:
                values = np.array([m[method][key] for m in per_seed])
                print(
                    f"  {method:26s} mean {values.mean():.4f}  min..max "
                    f"{values.min():.4f}..{values.max():.4f}"
                )
            base = [m for m in per_seed[0] if m != model]
            for other in base:
                ratio = np.mean([m[model][key] / m[other][key] for m in per_seed])
                print(f"  {model}/{other}: {ratio:.2f}x")
    print(f"load average {os.getloadavg()[0]:.1f} (shared CPU)")


if __name__ == "__main__":
    main()
