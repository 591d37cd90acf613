"""`torchworks patents check CLAIMS`: check a claim set; exit 0 clean, 1 warnings, 2 errors."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="check a claim set: numbering, dependencies, antecedent basis, wording",
        description="Check a claim set (plain text with numbered claims, or a JSON line with "
                    "'claims' and 'abstract') and print every finding with its fix. Exit code "
                    "0: clean, 1: warnings, 2: errors.")
    parser.add_argument("claims", type=Path, help="text file with the claims ('-' for stdin)")
    parser.add_argument("--description", type=Path, default=None,
                        help="the description (text, USPTO XML or JSON lines): claim terms it "
                             "never uses are reported")
    parser.add_argument("--abstract", type=Path, default=None,
                        help="a text file with the abstract (else an 'Abstract' part of CLAIMS)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.recipes.patents.claims.check import check_text
    from torchworks.recipes.patents.claims.inputs import read_claims_input, read_description
    from torchworks.recipes.patents.claims.render import to_json_text, to_text

    text, abstract = read_claims_input(args.claims)
    if args.abstract is not None:
        abstract = read_description(args.abstract)
    description = read_description(args.description) if args.description else None
    report = check_text(text, description=description, abstract=abstract)
    print(to_json_text(report) if args.json else to_text(report))
    return report.exit_code()
