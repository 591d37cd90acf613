"""`torchworks rec prepare`: an interaction log -> integer ids, vocabularies, split (Parquet)."""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = ("auto", "csv", "parquet", "movielens", "amazon", "taobao")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "prepare",
        help="read a log (CSV/Parquet/MovieLens/Amazon/Taobao) into a training dataset",
        description="Read an interaction log, count bad rows by reason, build ID vocabularies "
        "(growing --vocab-from an earlier dataset for incremental training), sort per "
        "user by time, split, and write Parquet + vocabularies + report.json.",
        epilog="examples:\n  torchworks rec prepare ml-1m/ratings.dat --out data/ml1m\n"
        "  torchworks rec prepare UserBehavior.csv --split time --out data/taobao\n"
        "  torchworks rec prepare week2.csv --vocab-from data/week1 --out data/week2",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("log", type=Path, help="interaction log file")
    parser.add_argument("--out", type=Path, required=True, help="dataset directory to write")
    parser.add_argument(
        "--format", default="auto", choices=FORMATS, help="log layout (default: by name)"
    )
    parser.add_argument(
        "--split",
        default="leave-last-out",
        choices=("leave-last-out", "time"),
        help="leave-last-out (per user) or a global time cut (default: leave-last-out)",
    )
    parser.add_argument(
        "--vocab-from",
        type=Path,
        default=None,
        help="grow this prepared dataset's vocabularies (ids keep their meaning)",
    )
    parser.add_argument(
        "--keep-repeats",
        action="store_true",
        help="keep repeated (user, item) pairs (default: keep the first, report the count)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.recipes.recsys.data import build_dataset, load_dataset, save_dataset
    from torchworks.recipes.recsys.readers import read_log

    log = read_log(args.log, args.format)
    old = load_dataset(args.vocab_from) if args.vocab_from else None
    ds, report = build_dataset(log, args.split, vocab_from=old, dedupe=not args.keep_repeats)
    save_dataset(ds, report, args.out)
    print(
        f"{report.rows_read} rows read ({report.layout}): {report.bad_rows} bad, "
        f"{report.repeats_merged} repeats merged; {report.users} users ({report.new_users} new), "
        f"{report.items} items ({report.new_items} new); split {report.split} "
        f"{report.split_sizes} -> {args.out}"
    )
    for reason, count in report.bad_by_reason.items():
        print(f"  bad: {count} x {reason}")
    for example in report.bad_examples:
        print(f"    e.g. {example}")
    return 0
