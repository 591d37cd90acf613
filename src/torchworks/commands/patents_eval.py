"""`torchworks patents eval --data data.jsonl --method M [--limit N]`: ROUGE as one JSON line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from torchworks.recipes.patents.summarize.methods import DEFAULT_METHOD, METHODS
from torchworks.recipes.patents.text.inputs import DEFAULT_MAX_FILE_MB


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="ROUGE-1/2/L of a summarization method against each record's abstract",
        description="Summarize every record of a JSON-lines file (BigPatent layout: "
                    "'description' and 'abstract', optional 'claims', 'id', 'title') and print "
                    "one JSON object: rouge1, rouge2, rougeL (F1 %, stemmed), docs, "
                    "docs_per_second, words_per_summary. The time is the summarizer's alone: "
                    "the method is built and run once on the first record before the clock "
                    "starts, so imports and model loading are not counted.",
    )
    parser.add_argument("--data", type=Path, required=True, help="JSON-lines file with abstracts")
    parser.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD,
                        help="summarization method (default: %(default)s)")
    parser.add_argument("--model", type=Path, default=None,
                        help="local seq2seq folder for --method abstractive")
    parser.add_argument("--limit", type=int, default=None, help="only the first N records")
    parser.add_argument("--words", type=int, default=150,
                        help="word budget per summary (default: %(default)s)")
    parser.add_argument("--max-file-mb", type=float, default=DEFAULT_MAX_FILE_MB,
                        help="refuse a larger --data file (default: %(default)s MiB)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.errors import ConfigError, DataError
    from torchworks.recipes.patents.summarize.evaluate import evaluate
    from torchworks.recipes.patents.summarize.methods import build_summarizer, summarize_checked
    from torchworks.recipes.patents.text.inputs import check_input
    from torchworks.recipes.patents.text.readers import BadDocument, read_patents

    if args.limit is not None and args.limit < 1:
        raise ConfigError("--limit must be at least 1")
    check_input(args.data, args.max_file_mb)  # before any model is loaded
    patents = []
    for doc in read_patents(args.data, args.max_file_mb):
        if args.limit is not None and len(patents) >= args.limit:
            break
        if isinstance(doc, BadDocument):
            if "not valid JSON" in doc.error:  # a broken file, not one bad record
                raise DataError(f"{doc.source}: {doc.error}",
                                fix="fix that line (one JSON object per line), then rerun")
            print(f"torchworks: skipped {doc.id}: {doc.error}", file=sys.stderr)
            continue
        patents.append(doc)
    summarizer = build_summarizer(args.method, words=args.words, model=args.model,
                                  device=args.device)
    if patents:  # warm-up: lazy imports and first-call costs stay out of the timing
        summarize_checked(summarizer, patents[:1])
    result = evaluate(args.method, lambda batch: summarize_checked(summarizer, batch), patents)
    print(json.dumps(result.to_dict()))
    return 0
