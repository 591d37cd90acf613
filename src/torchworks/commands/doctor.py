"""`torchworks doctor`: diagnose this machine (or recorded facts) and say how to fix it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor", help="diagnose torch, CUDA, driver, GPUs and the container; say the fixes",
        description="Diagnose the PyTorch + CUDA environment. Exit 0 ok, 1 warnings, 2 errors.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--facts", type=Path, metavar="FILE",
                        help="diagnose facts recorded with --collect instead of this machine")
    source.add_argument("--collect", type=Path, metavar="FILE",
                        help="also write this machine's facts to FILE (attach to a bug report)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document (schema in docs/doctor.md)")
    parser.add_argument("--no-bench", dest="bench", action="store_false",
                        help="skip the matmul / bandwidth / all-reduce smoke tests")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="DataLoader workers to size /dev/shm and CPUs for "
                             "(default: one per CPU, at most 8)")
    parser.add_argument("--checkpoint-dir", default=None, metavar="DIR",
                        help="where checkpoints will go, for the free-disk check (default: runs)")
    parser.add_argument("--torch-timeout", type=float, default=60.0, metavar="SECONDS",
                        help="give up on `import torch` after this long (default: 60)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from torchworks.env.doctor import DoctorOptions, run_doctor
    from torchworks.env.report import render_text
    from torchworks.errors import ConfigError

    if args.workers is not None and args.workers < 0:
        raise ConfigError("--workers must be >= 0", fix="e.g. --workers 8")
    if args.torch_timeout <= 0:
        raise ConfigError("--torch-timeout must be > 0 seconds", fix="e.g. --torch-timeout 60")
    report = run_doctor(DoctorOptions(
        facts_file=args.facts, collect_file=args.collect, bench=args.bench,
        workers=args.workers, checkpoint_dir=args.checkpoint_dir,
        torch_timeout_s=args.torch_timeout))
    if args.collect is not None:
        print(f"torchworks doctor: facts written to {args.collect} "
              f"(diagnose anywhere with --facts {args.collect})", file=sys.stderr)
    if args.json:
        sys.stdout.write(report.to_json())
    else:
        render_text(report, Console(highlight=False))
    return report.exit_code
