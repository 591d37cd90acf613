"""Patent summarization: ours and sumy side by side on the held-out patents, same budget.

    PYTHONPATH=src .venv/bin/python benchmarks/summarize.py
        [--part heldout|heldout-rx|unseen|unseen2|unseen-all|tune | --data FILE ...]
        [--words 150] [--skip-minilm]
        [--model DIR | --tiny-abstractive] [--abstractive-docs 3] [--device cpu] [--show 3]
        [--learned off|replace|add|windows]

The default data is the held-out part (benchmarks/data/patents/README.md): 65 US patents and
applications no method was tuned on, read so often since that it counts as seen; `--part
heldout-rx` the second held-out part (41 applications of 2001/2004, added in the fourth round,
seen too); `--part unseen` the 51 grants of the sixth round, read once at its end; `--part
unseen2` the seventh round's 53 documents (41 grants, 12 applications), read once; `--part
unseen-all` both pooled (104, a re-computation over parts already read); `--part tune` the 164
documents the weights were chosen on. Prints ROUGE-1/2/L F1 (%, Porter-stemmed) against
each abstract, docs/s and description words/s, the margin of every method over the strongest
free baseline (max of lead and claim 1, per metric) with the issue's pass/fail line for the
default (>= +2 R-1, >= +2 R-2, R-L not lower), the same line for each source file and each
document kind (applications, grants) with that group's own max(lead, claim1), each with the
95 % paired-bootstrap interval of that margin (`_margin_interval`), and the ratios to
sumy's run of the same algorithm on the same sentences, plus machine, torch version and
settings.

Speed: every method is built and run once on the first two documents before the clock starts
(imports, model loading and caches stay out), then timed over all documents in one process
and one batch. On a shared machine wall-clock rates are noisy; `words/cpu-s` (description
words per CPU-second of this process, all threads summed) does not depend on what else runs.
`--tiny-abstractive` builds a random 1+1-layer BART in a temp folder and times the map-reduce
path on the `--abstractive-docs` shortest documents (speed only: its text is noise).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import textwrap
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _margin_interval import interval_line, per_document  # noqa: E402
from _patent_data import PARTS, is_application, read_part  # noqa: E402

LONG_WORDS = 8000
REPEATS = 5
PEERS = {"textrank": "sumy-textrank", "lexrank": "sumy-lexrank"}
BAR = {"rouge1": 2.0, "rouge2": 2.0, "rougeL": 0.0}  # issue 17: default over max(lead, claim1)
BASELINES = ("structure", "lead", "claim1")


def _summarizer(method: str, args: argparse.Namespace, model: Path | None):
    if method.startswith("sumy-"):
        from _sumy_peer import SumyPeer

        return SumyPeer(method.removeprefix("sumy-"), args.words)
    from torchworks.recipes.patents.summarize.methods import build_summarizer

    summarizer = build_summarizer(method, words=args.words, model=model, device=args.device)
    if method == "structure" and args.learned is not None:
        summarizer.config = replace(summarizer.config, learned=args.learned)
    return summarizer


def verdict_line(group: str, ours, lead, claim1) -> str:
    """The issue's bar for the default over max(lead, claim1), each metric on its own."""
    margin = {k: getattr(ours, k) - max(getattr(lead, k), getattr(claim1, k)) for k in BAR}
    verdict = "PASS" if all(margin[k] >= BAR[k] for k in BAR) else "FAIL"
    return (f"# {group}: default (structure) over max(lead, claim1): R-1 "
            f"{margin['rouge1']:+.2f} (need >= +2), R-2 {margin['rouge2']:+.2f} (need >= +2), "
            f"R-L {margin['rougeL']:+.2f} (need >= 0): {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(PARTS), default="heldout")
    parser.add_argument("--data", type=Path, nargs="+", default=None,
                        help="files to evaluate instead of --part (.xml, .xml.gz, .jsonl)")
    parser.add_argument("--words", type=int, default=150)
    parser.add_argument("--skip-minilm", action="store_true", help="leave out 'extractive'")
    parser.add_argument("--model", type=Path, default=None, help="seq2seq folder: abstractive")
    parser.add_argument("--tiny-abstractive", action="store_true",
                        help="time the abstractive path with a tiny random BART")
    parser.add_argument("--abstractive-docs", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--show", type=int, default=0, help="print N summaries and abstracts")
    parser.add_argument("--learned", choices=("off", "replace", "add", "windows"), default=None,
                        help="the default's learned-scorer mode instead of the shipped one "
                             "(StructureConfig.learned)")
    args = parser.parse_args()

    import torch

    from torchworks.recipes.patents.summarize.evaluate import evaluate, rouge
    from torchworks.recipes.patents.summarize.methods import summarize_checked
    from torchworks.recipes.patents.text.readers import patent_from_text

    files = args.data or list(PARTS[args.part])
    groups: dict[str, list[int]] = {}
    patents = []
    for path in files:  # one group per source file, then one per document kind
        found = read_part([path])
        groups[path.name] = list(range(len(patents), len(patents) + len(found)))
        patents.extend(found)
    for kind, wanted in (("applications", True), ("grants", False)):
        groups[kind] = [i for i, p in enumerate(patents) if is_application(p.id) == wanted]
    methods = ["structure", "lead", "claim1", "textrank", "sumy-textrank", "lexrank",
               "sumy-lexrank"] + ([] if args.skip_minilm else ["extractive"])
    model = args.model
    if args.tiny_abstractive and model is None:
        from torchworks.recipes.patents.summarize.tiny import build_tiny_bart

        model = build_tiny_bart(Path(tempfile.mkdtemp(prefix="tiny-bart-")),
                                [p.description for p in patents])
    if model is not None:
        methods.append("abstractive")
    results, outputs, cpu = {}, {}, {}
    for method in methods:
        summarizer = _summarizer(method, args, model)
        docs = (sorted(patents, key=lambda p: p.word_count)[:args.abstractive_docs]
                if method == "abstractive" else patents)
        # warm-up: two documents, or for the slow abstractive path the start of one
        warm = ([patent_from_text(" ".join(docs[0].description.split()[:300]), id="warm-up")]
                if method == "abstractive" else docs[:2])
        summarize_checked(summarizer, warm)

        def run(batch, summarizer=summarizer, method=method):
            start = time.process_time()
            outputs[method] = summarize_checked(summarizer, batch)
            cpu[method] = time.process_time() - start
            return outputs[method]

        results[method] = evaluate(method, run, docs)
        cpu[method] = sum(p.word_count for p in docs) / max(cpu[method], 1e-9)
        print(f"# done {method}", file=sys.stderr, flush=True)

    words = sum(p.word_count for p in patents)
    load = os.getloadavg()
    where = args.part if args.data is None else "--data"
    print(f"# {where} ({', '.join(f.name for f in files)}): {len(patents)} documents, "
          f"{words / len(patents):,.0f} description words each on average, budget "
          f"{args.words} words")
    learned = (args.learned or _summarizer("structure", args, None).config.learned)
    print(f"# structure: learned scorer mode {learned}")
    print(f"# {platform.platform()}, {os.cpu_count()} CPUs, load {load[0]:.1f}, python "
          f"{platform.python_version()}, torch {torch.__version__}, threads "
          f"{torch.get_num_threads()}, device {args.device}")
    free = {k: max(getattr(results["lead"], k), getattr(results["claim1"], k))
            for k in ("rouge1", "rouge2", "rougeL")}
    print(f"# free = max(lead, claim1) per metric: R-1 {free['rouge1']:.2f}, "
          f"R-2 {free['rouge2']:.2f}, R-L {free['rougeL']:.2f}")
    header = (f"{'method':<14} {'docs':>4} {'R-1':>6} {'R-2':>6} {'R-L':>6} {'docs/s':>8} "
              f"{'words/s':>9} {'words/cpu-s':>11} {'words':>6} {'dR-1/free':>9} "
              f"{'dR-2/free':>9} {'dR-L/free':>9} {'R-1/sumy':>8} {'speed/sumy':>10}")
    print(header)
    print("-" * len(header))
    for method, r in results.items():
        peer = results.get(PEERS.get(method, ""))
        versus = (f"{r.rouge1 / peer.rouge1:8.2f} {r.docs_per_second / peer.docs_per_second:10.1f}"
                  if peer else f"{'':8} {'':10}")
        print(f"{method:<14} {r.docs:4d} {r.rouge1:6.2f} {r.rouge2:6.2f} {r.rougeL:6.2f} "
              f"{r.docs_per_second:8.2f} {r.words_per_second:9.0f} {cpu[method]:11.0f} "
              f"{r.words_per_summary:6.1f} {r.rouge1 - free['rouge1']:+9.2f} "
              f"{r.rouge2 - free['rouge2']:+9.2f} {r.rougeL - free['rougeL']:+9.2f} {versus}")
    per_doc = {m: per_document(outputs[m], [p.abstract for p in patents]) for m in BASELINES}
    print(verdict_line("all", results["structure"], results["lead"], results["claim1"]))
    print(interval_line(per_doc, range(len(patents))))
    print(f"# by source file and by document kind ({', '.join(BASELINES)}: R-1 R-2 R-L)")
    for name, members in groups.items():
        if members:
            subset = {m: rouge([outputs[m][i] for i in members],
                               [patents[i].abstract for i in members]) for m in BASELINES}
            print(f"{name:<18} {len(members):3d} docs  " + "  ".join(
                f"{m} {r.rouge1:5.2f} {r.rouge2:5.2f} {r.rougeL:5.2f}" for m, r in subset.items()))
            print(verdict_line(name, *subset.values()))
            print(interval_line(per_doc, members))
    long = [p for p in patents if p.word_count >= LONG_WORDS]
    if long:  # the speed bar is for patents of typical length, ~10k words
        summarizer = _summarizer("structure", args, None)
        start = time.perf_counter()
        for _ in range(REPEATS):
            summarizer.summarize(long)
        rate = REPEATS * len(long) / (time.perf_counter() - start)
        print(f"# structure on the {len(long)} documents of >= {LONG_WORDS:,} words (avg "
              f"{sum(p.word_count for p in long) / len(long):,.0f}), {REPEATS} passes, warm: "
              f"{rate:.1f} docs/s")
    for patent, summary in list(zip(patents, outputs["structure"], strict=True))[:args.show]:
        print(f"\n## {patent.id}: {patent.title}")
        print(textwrap.fill(f"abstract: {patent.abstract}", 100))
        print(textwrap.fill(f"structure: {summary}", 100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
