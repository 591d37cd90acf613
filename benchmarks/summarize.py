"""Patent summarization, every method side by side on the same documents and word budget.

    .venv/bin/python benchmarks/summarize.py [--data ../shared/data/patents/patents.jsonl]
        [--words 150] [--model DIR (adds the abstractive method)] [--device cpu] [--show 3]

Prints ROUGE-1/2/L F1 (%, stemmed) against each record's abstract, docs/s and description
words/s, and the ratio of each to TextRank's (the BigPatent paper's strongest unsupervised
baseline), plus the machine, torch version and settings. Speed includes everything after the
model is loaded (sentence splitting, first pass, embedding, selection) and is one pass over the
data in one batch. On a shared machine wall-clock rates are noisy; `words/cpu-s` (words per
second of CPU time used by this process, all threads summed) does not depend on what else
runs, and is a lower bound on the wall-clock rate of a quiet machine with that many threads.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import textwrap
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "patents" \
    / "patents.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--words", type=int, default=150)
    parser.add_argument("--model", type=Path, default=None, help="seq2seq folder: abstractive")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--show", type=int, default=0, help="print N example summaries")
    args = parser.parse_args()

    import torch

    from torchworks.recipes.patents.summarize.evaluate import evaluate
    from torchworks.recipes.patents.summarize.methods import build_summarizer, summarize_checked
    from torchworks.recipes.patents.text.readers import Patent, read_patents

    patents = [p for p in read_patents(args.data) if isinstance(p, Patent)]
    methods = ["lead", "textrank", "lexrank", "extractive"]
    if args.model is not None:
        methods.append("abstractive")
    results, outputs, cpu_seconds = {}, {}, {}
    for method in methods:
        summarizer = build_summarizer(method, words=args.words, model=args.model,
                                      device=args.device)

        def run(batch, summarizer=summarizer, method=method):
            start = time.process_time()
            outputs[method] = summarize_checked(summarizer, batch)
            cpu_seconds[method] = time.process_time() - start
            return outputs[method]

        results[method] = evaluate(method, run, patents)

    words = sum(p.word_count for p in patents)
    print(f"# {len(patents)} documents, {words:,} description words, budget {args.words} words")
    print(f"# {platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}, "
          f"torch {torch.__version__}, threads {torch.get_num_threads()}, device {args.device}")
    base = results["textrank"]
    header = (f"{'method':<12} {'R-1':>6} {'R-2':>6} {'R-L':>6} {'docs/s':>8} {'words/s':>9} "
              f"{'words/cpu-s':>11} {'words':>6} {'R-1/TR':>7} {'R-2/TR':>7} {'speed/TR':>9}")
    print(header)
    print("-" * len(header))
    for method, r in results.items():
        print(f"{method:<12} {r.rouge1:6.2f} {r.rouge2:6.2f} {r.rougeL:6.2f} "
              f"{r.docs_per_second:8.2f} {r.words_per_second:9.0f} "
              f"{words / max(cpu_seconds[method], 1e-9):11.0f} {r.words_per_summary:6.1f} "
              f"{r.rouge1 / base.rouge1:7.2f} {r.rouge2 / base.rouge2:7.2f} "
              f"{r.words_per_second / base.words_per_second:9.2f}")
    for patent, summary in list(zip(patents, outputs["extractive"], strict=True))[:args.show]:
        print(f"\n## {patent.id}: {patent.title}")
        print(textwrap.fill(f"abstract: {patent.abstract}", 100))
        print(textwrap.fill(f"extractive: {summary}", 100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
