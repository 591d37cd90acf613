"""`torchworks rec export`: a serving bundle (TorchScript + ONNX, parity-checked, item index)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export retrieval (+ DIN ranker) to TorchScript/ONNX with parity checks",
        description="Write a bundle that `torchworks serve --services rec-recommend` loads: the "
        "user encoder and optional DIN ranker as TorchScript and ONNX (each checked "
        "against eager PyTorch), the item index and the vocabularies.",
        epilog="examples:\n  torchworks rec export runs/tt/checkpoints/best.pt --data data/rec "
        "--ranker runs/din/checkpoints/best.pt --out bundles/rec --publish models\n"
        "  torchworks rec export runs/s0/checkpoints/best.pt runs/s1/checkpoints/best.pt "
        "--data data/rec --ease-weight 0.1 --out bundles/fused   # serves the fused ranking",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "checkpoint", type=Path, nargs="+",
        help="two-tower or SASRec checkpoint(s) (retrieval); several are served fused, the "
        "ranking `rec eval` gives them",
    )
    parser.add_argument("--data", type=Path, required=True, help="the prepared dataset dir")
    parser.add_argument("--ranker", type=Path, default=None, help="DIN checkpoint for reranking")
    parser.add_argument("--out", type=Path, required=True, help="bundle directory to write")
    parser.add_argument("--no-onnx", action="store_true", help="TorchScript only")
    parser.add_argument(
        "--index",
        choices=["exact", "ivf"],
        default="exact",
        help="how the service searches items: exact (bf16 where the CPU has native bf16), or "
        "an approximate faiss IVF index for catalogues of millions (needs faiss-cpu)",
    )
    parser.add_argument(
        "--nprobe", type=int, default=32, help="ivf: cells scanned per query (recall vs speed)"
    )
    parser.add_argument(
        "--ease-weight", type=float, default=0.0,
        help="fuse EASE in at this weight, as `rec eval --ease-weight` (0 = off; catalogues up "
        "to 10,000 items)",
    )
    parser.add_argument(
        "--fusion", default="z", choices=("z", "rrf"),
        help="normalisation of a fused bundle; only z folds into one search (rrf is refused)",
    )
    parser.add_argument(
        "--history-split", default="test", choices=("train", "valid", "test"),
        help="the histories (model input, masked items, EASE) hold the splits up to this one: "
        "test = everything (serving); train = what `rec eval --split valid` sees, to check "
        "the service against it",
    )
    parser.add_argument(
        "--publish",
        type=Path,
        default=None,
        help="also publish the bundle as a new version under this model registry root",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.recipes.recsys.export import export_bundle
    from torchworks.recipes.recsys.index import SearchOptions
    from torchworks.recipes.recsys.split import TEST, TRAIN, VALID

    splits = {"train": TRAIN, "valid": VALID, "test": TEST}
    results = export_bundle(
        args.checkpoint,
        args.data,
        args.out,
        ranker_ckpt=args.ranker,
        onnx=not args.no_onnx,
        index=SearchOptions(kind=args.index, nprobe=args.nprobe),
        ease_weight=args.ease_weight,
        fusion=args.fusion,
        history_split=splits[args.history_split],
    )
    for r in results:
        print(
            f"{r.file:20s} max |diff| vs PyTorch {r.max_abs_diff:.2e}  {'ok' if r.ok else 'FAIL'}"
        )
    if args.publish is not None:
        from torchworks.serving.registry import publish

        info = publish(
            args.publish,
            "rec-recommend",
            args.out,
            format="torchworks-rec-bundle",
            precision="fp32",
        )
        print(f"published {info}")
    print(f"bundle -> {args.out}")
    return 0
