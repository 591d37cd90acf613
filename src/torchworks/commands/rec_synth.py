"""`torchworks rec synth`: write a seeded synthetic interaction log (CSV or Parquet)."""

from __future__ import annotations

import argparse
from pathlib import Path

from torchworks.config import add_arguments, from_args
from torchworks.recipes.recsys.config import SynthConfig


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="write a synthetic interaction log (Zipf items, user interests, sessions)",
        description="Write a seeded synthetic log with the columns `rec prepare` reads "
        "(user,item,timestamp,event,category). Defaults mimic MovieLens-1M's shape.",
        epilog="example: torchworks rec synth --out data/synth.csv && "
        "torchworks rec prepare data/synth.csv --out data/rec",
    )
    parser.add_argument("--out", type=Path, required=True, help="output file (.csv or .parquet)")
    add_arguments(parser, SynthConfig)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.atomic import atomic_path
    from torchworks.recipes.recsys.synth import generate

    cfg = from_args(SynthConfig, args)
    log = generate(cfg)
    with atomic_path(args.out) as tmp:
        if args.out.suffix == ".parquet":
            log.to_parquet(tmp, index=False)
        else:
            log.to_csv(tmp, index=False)
    print(
        f"{len(log)} interactions, {log['user'].nunique()} users, {log['item'].nunique()} items "
        f"-> {args.out}"
    )
    return 0
