"""Claim drafting with the embedded SmolLM2-135M-Instruct (or --model DIR) on real disclosures.

    .venv/bin/python benchmarks/claims_drafting.py [--sets 4] [--dependents 4] [--model DIR]

For each disclosure (the first part of a real description from ../shared/data/patents/
patents.jsonl): draft a claim set, then report whether it parses with valid numbering and
dependencies (goal: 100%), findings per claim before and after the revision round, and
seconds per claim set on this CPU. Greedy decoding, so a rerun gives the same claims; timings
are wall-clock and noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import torch

from torchworks.recipes.patents.claims.check import check_text
from torchworks.recipes.patents.draft.backends import LocalBackend
from torchworks.recipes.patents.draft.pipeline import DraftConfig, draft_claims

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "patents"
STRUCTURE_RULES = ("numbering", "dependency", "multiple-dependency", "no-claims", "claim-empty")


def disclosures(data: Path, count: int, words: int) -> list[tuple[str, str]]:
    out = []
    for line in (data / "patents.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        text = " ".join(record.get("description", "").split()[:words])
        if len(text.split()) >= words // 2:
            out.append((record["id"], text))
        if len(out) == count:
            break
    return out


def valid_structure(text: str, expected: int) -> bool:
    report = check_text(text)
    numbers = [c.number for c in report.claim_set.claims]
    return numbers == list(range(1, expected + 1)) and not any(
        f.rule.startswith(STRUCTURE_RULES) for f in report.findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", type=int, default=4)
    parser.add_argument("--words", type=int, default=250, help="disclosure words per set")
    parser.add_argument("--dependents", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=80)
    parser.add_argument("--model", default=None, help="HF folder (default: embedded SmolLM2)")
    parser.add_argument("--show", type=int, default=1, help="print this many drafted sets")
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    backend = LocalBackend.load(args.model)
    print(f"model: {backend.name} | torch {torch.__version__} | {platform.machine()} "
          f"{torch.get_num_threads()} threads | greedy | {args.dependents} dependents, "
          f"{args.max_new_tokens} new tokens per claim")
    rows = []
    for index, (ident, text) in enumerate(disclosures(args.data, args.sets, args.words)):
        result = draft_claims(text, backend, DraftConfig(
            dependents=args.dependents, max_new_tokens=args.max_new_tokens, abstract=True))
        count = len(result.claims)
        rows.append((ident, valid_structure(result.text, count), result.findings_before / count,
                     len(result.findings) / count, result.seconds, result.revised))
        print(f"[{ident}] valid={rows[-1][1]} findings/claim {rows[-1][2]:.2f} -> "
              f"{rows[-1][3]:.2f}, {result.seconds:.1f} s", flush=True)
        if index < args.show:
            print(f"\n--- {ident}: subject '{result.subject}', terms {result.key_terms}")
            print(result.text)
            print(f"abstract ({len(result.abstract.split())} words): {result.abstract}")
            for f in result.findings:
                print(f"  claim {f.claim} {f.severity} {f.rule}: '{f.words}' -> {f.fix}")
    print(f"\n{'disclosure':<18} {'valid':>6} {'f/claim before':>15} {'f/claim after':>14} "
          f"{'s/set':>7} revised")
    for ident, valid, before, after, seconds, revised in rows:
        print(f"{ident:<18} {valid!s:>6} {before:>15.2f} {after:>14.2f} {seconds:>7.1f} "
              f"{revised}")
    n = max(len(rows), 1)
    print(f"{'all':<18} {100 * sum(r[1] for r in rows) / n:>5.0f}% "
          f"{sum(r[2] for r in rows) / n:>15.2f} {sum(r[3] for r in rows) / n:>14.2f} "
          f"{sum(r[4] for r in rows) / n:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
