"""`torchworks patents eval --data data.jsonl --method M [--limit N]`: ROUGE as one JSON line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from torchworks.recipes.patents.summarize.methods import METHODS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="ROUGE-1/2/L of a summarization method against each record's abstract",
        description="Summarize every record of a JSON-lines file (BigPatent layout: "
                    "'description' and 'abstract', optional 'claims', 'id', 'title') and print "
                    "one JSON object: rouge1, rouge2, rougeL (F1 %, stemmed), docs, "
                    "docs_per_second, words_per_summary.",
    )
    parser.add_argument("--data", type=Path, required=True, help="JSON-lines file with abstracts")
    parser.add_argument("--method", choices=METHODS, default="extractive")
    parser.add_argument("--model", type=Path, default=None,
                        help="local seq2seq folder for --method abstractive")
    parser.add_argument("--limit", type=int, default=None, help="only the first N records")
    parser.add_argument("--words", type=int, default=150, help="word budget per summary")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.errors import ConfigError
    from torchworks.recipes.patents.summarize.evaluate import evaluate
    from torchworks.recipes.patents.summarize.methods import build_summarizer, summarize_checked
    from torchworks.recipes.patents.text.readers import BadDocument, read_patents

    if args.limit is not None and args.limit < 1:
        raise ConfigError("--limit must be at least 1")
    patents = []
    for doc in read_patents(args.data):
        if args.limit is not None and len(patents) >= args.limit:
            break
        if isinstance(doc, BadDocument):
            print(f"torchworks: skipped {doc.id}: {doc.error}", file=sys.stderr)
            continue
        patents.append(doc)
    summarizer = build_summarizer(args.method, words=args.words, model=args.model,
                                  device=args.device)
    result = evaluate(args.method, lambda batch: summarize_checked(summarizer, batch), patents)
    print(json.dumps(result.to_dict()))
    return 0
