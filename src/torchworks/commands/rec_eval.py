"""`torchworks rec eval`: a trained model beside the baselines on the same split; prints JSON."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="full-ranking HR/NDCG/Recall@10,20 (or AUC/GAUC for DIN) next to baselines",
        description="Evaluate a checkpoint on the test (or valid) split with full ranking over all "
        "items, excluding each user's history; popularity, item-kNN and recency-weighted "
        "item-kNN (logistic regression for DIN) are computed on the same split and users.",
        epilog="examples:\n  torchworks rec eval runs/sasrec/checkpoints/best.pt --data data/rec\n"
        "  torchworks rec eval runs/s0/checkpoints/best.pt runs/s1/checkpoints/best.pt "
        "--data data/rec --ease-weight 0.1   # fused",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "checkpoint", type=Path, nargs="+",
        help="checkpoint(s) from `torchworks train rec`; several are fused (score average)",
    )
    parser.add_argument("--data", type=Path, required=True, help="the prepared dataset dir")
    parser.add_argument("--split", default="test", choices=("valid", "test"))
    parser.add_argument(
        "--max-users", type=int, default=0, help="evaluate a seeded sample (0 = all)"
    )
    parser.add_argument(
        "--knn-weight", type=float, default=0.0,
        help="blend the recency item-kNN into the fused scores at this weight (0 = off)",
    )
    parser.add_argument(
        "--ease-weight", type=float, default=0.0,
        help="blend EASE (closed-form item-item model) in at this weight (0 = off)",
    )
    parser.add_argument(
        "--fusion", default="z", choices=("z", "rrf"),
        help="how each member's scores are normalised before averaging (z-score or rank)",
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from torchworks.atomic import write_json
    from torchworks.recipes.recsys.compare import compare
    from torchworks.recipes.recsys.split import TEST, VALID

    result = compare(
        args.checkpoint, args.data, TEST if args.split == "test" else VALID, args.max_users,
        knn_weight=args.knn_weight, ease_weight=args.ease_weight, fusion=args.fusion,
    )
    payload = dataclasses.asdict(result)
    print(json.dumps(payload, indent=2, sort_keys=True))
    if args.out is not None:
        write_json(args.out, payload)
    return 0
