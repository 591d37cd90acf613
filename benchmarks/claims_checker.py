"""Claim checker quality on real US claims: false alarms on granted sets, recall on defects.

    .venv/bin/python benchmarks/claims_checker.py [--data ../shared/data/patents] [--seed 0]

Two figures, side by side for each input file:
- error-level findings per claim on the real claim sets as published (goal <= 0.05: these
  claims were examined; `claims.jsonl` holds granted/published claims, `patents.jsonl` also
  pre-grant applications);
- share of inserted defects found (goal >= 95%): from every real set, claim sets with one defect
  each (wrong dependency number, dropped antecedent, duplicated number; see
  `torchworks.recipes.patents.claims.defects`). A defect counts as found when the corrupted set
  has a finding of the expected rule, at an expected claim, that the clean set did not have;
  "found as error" also requires error severity.
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import random
import sys
import time
from pathlib import Path

from torchworks.recipes.patents.claims.check import check, check_text
from torchworks.recipes.patents.claims.defects import EXPECTED_RULES, claim_set_text, make_defects
from torchworks.recipes.patents.claims.parse import parse_claim_list

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "patents"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-kind", type=int, default=3, help="defects of each kind per set")
    parser.add_argument("--show", action="store_true", help="print every error on real claims")
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} | python "
          f"{platform.python_version()} | seed {args.seed} | {args.per_kind} defects/kind/set")
    rows = []
    misses = []
    for name in ("claims.jsonl", "patents.jsonl"):
        path = args.data / name
        if not path.is_file():
            continue
        records = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        rows.append(_evaluate(name, records, args, misses))
    print()
    print(f"{'file':<15} {'sets':>5} {'claims':>7} {'errors':>7} {'err/claim':>10} "
          f"{'defects':>8} {'found':>7} {'found%':>7} {'as err%':>8} {'ms/set':>7}")
    for row in rows:
        print(f"{row['file']:<15} {row['sets']:>5} {row['claims']:>7} {row['errors']:>7} "
              f"{row['errors'] / max(row['claims'], 1):>10.3f} {row['defects']:>8} "
              f"{row['found']:>7} {100 * row['found'] / max(row['defects'], 1):>6.1f}% "
              f"{100 * row['as_error'] / max(row['defects'], 1):>7.1f}% {row['ms']:>7.1f}")
    by_kind: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for row in rows:
        for kind, (found, total) in row["kinds"].items():
            by_kind[kind][0] += found
            by_kind[kind][1] += total
    print("\nrecall by defect kind (all files):")
    for kind, (found, total) in sorted(by_kind.items()):
        print(f"  {kind:<22} {found:>4}/{total:<4} {100 * found / max(total, 1):6.1f}%")
    for miss in misses[:20]:
        print("  missed:", miss)
    print("\ngoals: err/claim <= 0.05 on real claims; found% >= 95")
    return 0


def _evaluate(name: str, records: list[dict], args: argparse.Namespace,
              misses: list[str]) -> dict:
    rng = random.Random(args.seed)
    claims = errors = defects = found = as_error = 0
    kinds: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    began = time.perf_counter()
    checks = 0
    for record in records:
        claim_set = parse_claim_list(record["claims"], record.get("abstract", ""))
        pairs = [(c.number, c.text) for c in claim_set.claims]
        clean = check_text(claim_set_text(pairs))
        checks += 1
        claims += len(claim_set.claims)
        real = check(claim_set)
        errors += sum(1 for f in real.findings if f.severity == "error" and f.claim is not None)
        if args.show:
            for f in real.findings:
                if f.severity == "error":
                    print(f"  {name} {record['id']} claim {f.claim}: {f.rule} '{f.words}'")
        before = {(f.claim, f.rule, f.words) for f in clean.findings}
        for defect in make_defects(record["id"], record["claims"], rng, args.per_kind):
            report = check_text(defect.text)
            checks += 1
            new = [f for f in report.findings if (f.claim, f.rule, f.words) not in before
                   and f.rule in EXPECTED_RULES[defect.kind] and f.claim in defect.claims]
            defects += 1
            kinds[defect.kind][1] += 1
            if new:
                found += 1
                kinds[defect.kind][0] += 1
                as_error += any(f.severity == "error" for f in new)
            else:
                misses.append(f"{record['id']} {defect.kind}: {defect.note}")
    ms = 1000 * (time.perf_counter() - began) / max(checks, 1)
    return {"file": name, "sets": len(records), "claims": claims, "errors": errors,
            "defects": defects, "found": found, "as_error": as_error, "kinds": dict(kinds),
            "ms": ms}


if __name__ == "__main__":
    sys.exit(main())
