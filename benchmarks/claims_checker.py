"""Claim checker quality and speed on real granted US claims, today's code beside this tree's.

    .venv/bin/python benchmarks/claims_checker.py [--before before=405290d,issue15=804222c]
        [--seed 0] [--timing 1000,8000,50000] [--lapse-chains 250,500,1000,2000]
        [--show errors,warnings,misses]
        [--profile N] [--digest] [--fresh] [--unseen]

The cases are built once, in this process, with this tree's defect planter
(`torchworks.recipes.patents.claims.defects`); each checker (the variants named by --before:
NAME=REV, a git revision of this repository checked out into a temporary folder, or NAME=PATH,
a source tree; then "after": this tree) scores the same cases in a subprocess of its own with
that tree first on PYTHONPATH (`--score`), so all are measured on identical input. The default
variants are the checker before issue 15 (405290d) and after its first session (804222c).
Data:

- held-out and tune parts of `benchmarks/data/granted_claims` (granted 2005-2013; the rules were
  tuned on "tune"; "heldout" has been read and counts as seen), the fresh part (granted
  2013-2018, a second source, only with --fresh: read once and now seen), the unseen part
  (grant XML and BRS dumps, granted 2002-2021, a third source, only with --unseen: measured
  once at the end), and the shared sample `../shared/data/patents` (claims.jsonl: granted
  or published claims; patents.jsonl also holds pre-grant applications).

Figures per data set: error findings per clean claim (claim-level errors on the sets as
granted), warnings per clean claim without and with the description, planted defects found /
found at error level by kind (a defect counts when the planted set has a finding of the
expected rule at an expected claim that the clean set does not have), and the time to check
and render N claims (real claims repeated, references shifted) on one core. Errors are split
into real lapses in the granted text (`lapses.tsv`: each one read and judged by a reviewer, with
its reason) and false errors (all others), so "false errors per clean claim" is the checker's
own mistake rate and "real lapses caught" shows no real lapse was hidden to get it down.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from _claims_timing import LAPSE_KINDS, flood_lines, lapse_chain_lines, time_sizes, timing_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "granted_claims"
SHARED = ROOT.parent / "shared" / "data" / "patents"
SETS = (("heldout", DATA / "heldout.jsonl.gz"), ("tune", DATA / "tune.jsonl.gz"),
        ("shared-claims", SHARED / "claims.jsonl"), ("shared-patents", SHARED / "patents.jsonl"))
FRESH = ("fresh", DATA / "fresh.jsonl.gz")  # read once, now seen: only with --fresh
UNSEEN = ("unseen", DATA / "unseen.jsonl.gz")  # the unseen part: only with --unseen
LAPSES = DATA / "lapses.tsv"  # reviewed real lapses in the granted text (see README.md there)
TIME_LIMIT_S = 120.0  # a variant still running a timing size past this is reported as ">"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="before=405290d,issue15=804222c",
                        help="NAME=REV or NAME=PATH, comma-separated: checkers to compare with")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-kind", type=int, default=2, help="defects of each kind per set")
    parser.add_argument("--timing", type=_counts, default="1000,8000,50000",
                        help="claim counts to time")
    parser.add_argument("--lapse-chains", type=_counts, default="250,500,1000,2000",
                        help="chain lengths to time on chains full of antecedent lapses")
    parser.add_argument("--show", default=None,
                        help="errors, warnings and/or misses (comma-separated): print the after "
                             "variant's errors / 40 held-out warnings / planted defects missed")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="only profile (cProfile) checking and rendering N real claims")
    parser.add_argument("--digest", action="store_true",
                        help="only print the sha256 of every case's rendered report (a check "
                             "that a speed change left results identical)")
    parser.add_argument("--fresh", action="store_true",
                        help="also measure the fresh part (read once, now seen)")
    parser.add_argument("--unseen", action="store_true",
                        help="also measure the unseen part (run once, at the end)")
    parser.add_argument("--score", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.score:
        return _score(args.score)
    if args.digest:
        return _digest(args)
    if args.profile:
        return _profile(args.profile)
    print(f"machine: {platform.machine()} {platform.processor() or ''} | python "
          f"{platform.python_version()} | load {os.getloadavg()[0]:.2f} | seed {args.seed} | "
          f"{args.per_kind} defects/kind/set | one core per variant (subprocess)")
    cases = _build_cases(args)
    sizes, lapse_sizes = args.timing, args.lapse_chains
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.json"
        real = timing_text(_records(DATA / "tune.jsonl.gz"), max(sizes, default=0))
        path.write_text(json.dumps({"cases": cases, "timing": real,
                                    "sizes": sizes, "lapse_sizes": lapse_sizes}))
        variants = [(name, _source(where, Path(tmp) / name)) for name, where in
                    (item.split("=", 1) for item in args.before.split(",") if item)]
        variants.append(("after", ROOT / "src"))
        results = {name: _run(src, path, args.show if name == "after" else None)
                   for name, src in variants}
    _print_tables(cases, results)
    return 0


def _source(where: str, into: Path) -> Path:
    """A source tree: `where` itself if it is a folder, else git revision `where`'s src/."""
    if Path(where).is_dir():
        return Path(where)
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", where, "src"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def _profile(claims: int) -> int:
    """The hot spots of checking and rendering `claims` real claims, by own time."""
    import cProfile
    import pstats

    from torchworks.recipes.patents.claims.check import check_text
    from torchworks.recipes.patents.claims.render import to_text

    text = timing_text(_records(DATA / "tune.jsonl.gz"), claims)
    profiler = cProfile.Profile()
    profiler.runcall(lambda: to_text(check_text(text)))
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    return 0


def _digest(args: argparse.Namespace) -> int:
    """sha256 over the rendered reports and the findings (claim, rule, severity, words,
    offset) of every case (clean sets with and without their description, and every planted
    defect), in case order."""
    import hashlib

    from torchworks.recipes.patents.claims.check import check_text
    from torchworks.recipes.patents.claims.render import to_text

    digest = hashlib.sha256()
    cases = _build_cases(args)
    for case in cases:
        reports = [check_text(case["text"])]
        if case["kind"] == "clean" and case["description"]:
            reports.append(check_text(case["text"], description=case["description"]))
        for report in reports:
            digest.update(to_text(report).encode())
            digest.update(repr([(f.claim, f.rule, f.severity, f.words, f.start)
                                for f in report.findings]).encode())
    print(f"{len(cases)} cases, report sha256 {digest.hexdigest()}")
    return 0


def _records(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _build_cases(args: argparse.Namespace) -> list[dict]:
    from torchworks.recipes.patents.claims.defects import make_defects
    from torchworks.recipes.patents.claims.parse import parse_claim_list

    cases = []
    extra = ((FRESH,) if getattr(args, "fresh", False) else ()) + (
        (UNSEEN,) if getattr(args, "unseen", False) else ())
    for name, path in (*SETS, *extra):
        rng = random.Random(args.seed)
        for record in _records(path):
            claim_set = parse_claim_list(record["claims"])
            text = "\n".join(f"{c.number}. {c.text}" for c in claim_set.claims)
            cases.append({"set": name, "kind": "clean", "id": record["id"], "text": text,
                          "description": record.get("description") or ""})
            for defect in make_defects(record["id"], record["claims"], rng, args.per_kind):
                cases.append({"set": name, "kind": defect.kind, "id": record["id"],
                              "text": defect.text, "claims": list(defect.claims),
                              "note": defect.note})
    return cases


def _run(src: Path, cases: Path, show: str | None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), OMP_NUM_THREADS="1")
    command = [sys.executable, __file__, "--score", str(cases)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"scoring with {src} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.splitlines()[-1])
    for what in (show or "").split(","):
        if what:
            _show(what, cases, result)
    return result


def _score(path: Path) -> int:
    """Child process: findings of every case with the torchworks on PYTHONPATH, then timings."""
    from torchworks.recipes.patents.claims.check import check_text

    data = json.loads(path.read_text())
    out: dict = {"findings": [], "with_description": [], "timing": {}}
    for case in data["cases"]:
        report = check_text(case["text"])
        out["findings"].append([(f.claim, f.rule, f.severity, f.words) for f in report.findings])
        if case["kind"] == "clean" and case["description"]:
            described = check_text(case["text"], description=case["description"])
            out["with_description"].append(
                [(f.claim, f.rule, f.severity, f.words) for f in described.findings])
        else:
            out["with_description"].append(None)
    sizes = data["sizes"]
    lapse_sizes = data.get("lapse_sizes", [])
    for kind, lines, kind_sizes in (
            ("real", data["timing"].split("\n"), sizes),
            ("flood", flood_lines(max(sizes, default=1)), sizes),
            *((kind, lapse_chain_lines(max(lapse_sizes), kind == "lapses-shared"), lapse_sizes)
              for kind in LAPSE_KINDS if lapse_sizes)):
        out["timing"].update(time_sizes(kind, lines, kind_sizes, TIME_LIMIT_S))
    print(json.dumps(out))
    return 0


def _lapses() -> set[tuple[str, str, int, str, str]]:
    """(set, id, claim, rule, words) of every error a reviewer judged a real lapse."""
    if not LAPSES.is_file():
        return set()
    rows = (line.split("\t") for line in LAPSES.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#"))
    return {(r[0], r[1], int(r[2]), r[3], r[4]) for r in rows}


def _summary(cases: list[dict], result: dict) -> dict:
    from torchworks.recipes.patents.claims.defects import EXPECTED_RULES

    lapses = _lapses()
    lapse_sets = collections.Counter(key[0] for key in lapses)

    sets: dict[str, dict] = collections.defaultdict(lambda: collections.Counter())
    kinds: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    clean: dict[tuple[str, str], set] = {}
    rows = zip(cases, result["findings"], result["with_description"], strict=True)
    for case, findings, described in rows:
        row = sets[case["set"]]
        if case["kind"] == "clean":
            clean[(case["set"], case["id"])] = {(f[0], f[1], f[3]) for f in findings}
            row["sets"] += 1
            row["claims"] += case["text"].count("\n") + 1
            errors = [f for f in findings if f[2] == "error" and f[0] is not None]
            row["errors"] += len(errors)
            keys = [(case["set"], case["id"], f[0], f[1], f[3]) for f in errors]
            row["lapses_caught"] += len({key for key in keys if key in lapses})
            row["false_errors"] += sum(key not in lapses for key in keys)
            row["lapses"] = lapse_sets[case["set"]]
            row["warnings"] += sum(1 for f in findings if f[2] == "warning")
            row["error_sets"] += any(f[2] == "error" and f[0] is not None for f in findings)
            if described is not None:
                row["described_claims"] += case["text"].count("\n") + 1
                row["described_warnings"] += sum(1 for f in described if f[2] == "warning")
            continue
        before = clean[(case["set"], case["id"])]
        new = [f for f in findings if (f[0], f[1], f[3]) not in before
               and f[1] in EXPECTED_RULES[case["kind"]] and f[0] in case["claims"]]
        for key in (case["kind"], "all"):
            kinds[key]["total"] += 1
            kinds[key]["found"] += bool(new)
            kinds[key]["error"] += any(f[2] == "error" for f in new)
    return {"sets": sets, "kinds": kinds}


def _print_tables(cases: list[dict], results: dict) -> None:
    summaries = {name: _summary(cases, result) for name, result in results.items()}
    names = list(results)
    order = " -> ".join(names)

    def row_of(name: str, set_name: str) -> collections.Counter:
        return summaries[name]["sets"].get(set_name) or collections.Counter()

    def per(row: collections.Counter, key: str, base: str = "claims") -> float:
        return row[key] / max(row[base], 1)
    print(f"\nclean granted claims ({order})")
    for name, _ in (UNSEEN, FRESH, *SETS):
        after = row_of("after", name)
        if not after:
            continue
        rows = [row_of(n, name) for n in names]
        print(f"  {name:<15} {after['sets']:>4} sets {after['claims']:>5} claims")
        print("    errors/claim        " + " -> ".join(f"{per(r, 'errors'):.3f}" for r in rows)
              + "   (errors: " + " -> ".join(str(r["errors"]) for r in rows) + ")")
        if after["lapses"]:
            print("    false errors/claim  " + " -> ".join(
                f"{per(r, 'false_errors'):.3f}" for r in rows) + "   (errors not in the "
                  "reviewed lapse list: " + " -> ".join(str(r["false_errors"]) for r in rows)
                  + ")")
            print("    real lapses caught  " + " -> ".join(
                f"{r['lapses_caught']}/{after['lapses']}" for r in rows)
                  + "   (reviewed lapses still reported as errors)")
        print("    sets with an error  " + " -> ".join(str(r["error_sets"]) for r in rows))
        print("    warnings/claim      " + " -> ".join(f"{per(r, 'warnings'):.2f}" for r in rows))
        print("    warnings/claim +desc " + " -> ".join(
            f"{per(r, 'described_warnings', 'described_claims'):.2f}" if r["described_claims"]
            else "n/a (no description)" for r in rows))
    print(f"\nplanted defects, all sets (found% / at-error%: {order})")
    kinds = sorted(summaries["after"]["kinds"], key=lambda k: (k == "all", k))
    for kind in kinds:
        rows = [summaries[n]["kinds"][kind] for n in names]

        def pct(row: collections.Counter, key: str) -> str:
            return f"{100 * row[key] / max(row['total'], 1):5.1f}%"
        print(f"  {kind:<22} n={rows[-1]['total']:<4} found "
              + " -> ".join(pct(r, "found") for r in rows) + "   at error "
              + " -> ".join(pct(r, "error") for r in rows))
    print(f"\ntime to check + render N claims, one core (CPU seconds, process time: check + "
          f"render; {order}); real: tune claims repeated, flood: '<n>. The lamp of claim "
          "<n-1>.'")
    print("  lapses: one chain, every claim a lapse with a new term; lapses-shared: all terms "
          "end in one head noun; (xR): time over the time at half the size (linear ~2)")
    keys = sorted({k for r in results.values() for k in r["timing"]},
                  key=lambda k: (k.split()[0], int(k.split()[1])))
    for key in keys:
        kind, size = key.split()
        cells = []
        for name in names:
            t = results[name]["timing"].get(key)
            half = results[name]["timing"].get(f"{kind} {int(size) // 2}")
            ratio = ""
            if t and half and "failed" not in t and "failed" not in half and int(size) % 2 == 0:
                ratio = f" (x{_seconds(t) / max(_seconds(half), 1e-9):.2f})"
            cells.append(f"failed: {t['failed']}" if t and "failed" in t
                         else f"{t['check_s']:.2f} + {t['render_s']:.2f}{ratio}" if t
                         else "(skipped: quadratic)")
        chars = next(r["timing"][key]["chars"] for r in results.values() if key in r["timing"])
        print(f"  {key:>18} claims ({chars / 1e6:5.2f} MB): " + "  ->  ".join(cells))
    print("\ngoals: false err/claim <= 0.02; defects found >= 97% and at error >= 85% per kind; "
          "50,000 claims < 2 s")


def _counts(text: str) -> list[int]:
    """A comma-separated list of positive claim counts ("1000,8000"), or argparse's usage error."""
    try:
        counts = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of positive counts; "
                                         "write e.g. 1000,8000")
    return counts


def _seconds(timing: dict) -> float:
    return timing["check_s"] + timing["render_s"]


def _show(what: str, path: Path, result: dict) -> None:
    cases = json.loads(path.read_text())["cases"]
    lapses = _lapses()
    rng = random.Random(15)  # the held-out sample graded in issue 15's fourth round
    warnings = []
    for case, findings in zip(cases, result["findings"], strict=True):
        if case["kind"] != "clean":
            continue
        for claim, rule, severity, words in findings:
            if what == "errors" and severity == "error" and claim is not None:
                real = (case["set"], case["id"], claim, rule, words) in lapses
                print(f"  E{'L' if real else ' '} {case['set']} {case['id']} claim {claim}: "
                      f"{rule} '{words}'")
            elif severity == "warning" and case["set"] == "heldout":
                warnings.append((case["set"], case["id"], claim, rule, words))
    if what == "warnings":
        for row in rng.sample(warnings, min(40, len(warnings))):
            print("  W", *row)
    if what == "misses":
        from torchworks.recipes.patents.claims.defects import EXPECTED_RULES
        clean = {}
        for case, findings in zip(cases, result["findings"], strict=True):
            if case["kind"] == "clean":
                clean[(case["set"], case["id"])] = {(f[0], f[1], f[3]) for f in findings}
                continue
            new = [f for f in findings if (f[0], f[1], f[3]) not in clean[(case["set"],
                                                                           case["id"])]
                   and f[1] in EXPECTED_RULES[case["kind"]] and f[0] in case["claims"]]
            if not new or not any(f[2] == "error" for f in new):
                print(f"  miss{'' if not new else '(warning)'} {case['set']} {case['id']} "
                      f"{case['kind']}: {case['note']}")


if __name__ == "__main__":
    sys.exit(main())
