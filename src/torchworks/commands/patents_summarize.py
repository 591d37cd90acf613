"""`torchworks patents summarize FILE... [--input data.jsonl --output out.jsonl]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from torchworks.recipes.patents.summarize.methods import DEFAULT_METHOD, METHODS
from torchworks.recipes.patents.text.inputs import DEFAULT_MAX_FILE_MB


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "summarize",
        help="summarize patents (USPTO XML, JSON lines or plain text)",
        description="Summarize each patent in the given files. A bad, empty or oversized "
                    "document gets its own error line and the others still complete "
                    "(exit code 1 when any failed).",
    )
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help=".xml (USPTO, any layout since 2001), .jsonl or plain-text files")
    parser.add_argument("--input", type=Path, action="append", default=[],
                        help="a JSON-lines file with 'description' (and optional 'id', "
                             "'claims', 'title') per line; may repeat")
    parser.add_argument("--output", type=Path, default=None,
                        help="write {id, summary} or {id, error} JSON lines here "
                             "(default: print the summaries)")
    parser.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD,
                        help="structure (default: summary section, claim 1 and title, no "
                             "model), extractive (MiniLM), lead, claim1, textrank, lexrank, "
                             "or abstractive with --model (default: %(default)s)")
    parser.add_argument("--model", type=Path, default=None,
                        help="local Hugging Face seq2seq folder for --method abstractive")
    parser.add_argument("--words", type=int, default=150,
                        help="word budget per summary (default: %(default)s, the US limit "
                             "for an abstract)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N")
    parser.add_argument("--compile", action="store_true",
                        help="torch.compile the abstractive model (GPU: faster after warm-up)")
    parser.add_argument("--batch-docs", type=int, default=16,
                        help="documents summarized together (sentences batched across them)")
    parser.add_argument("--max-doc-words", type=int, default=None,
                        help="refuse documents longer than this (default 200,000 words)")
    parser.add_argument("--max-file-mb", type=float, default=DEFAULT_MAX_FILE_MB,
                        help="refuse input files larger than this many MiB, before reading "
                             "them (default: %(default)s)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from torchworks import atomic
    from torchworks.errors import ConfigError
    from torchworks.recipes.patents.summarize.methods import (
        MAX_DOC_WORDS,
        build_summarizer,
        summarize_checked,
    )
    from torchworks.recipes.patents.text.inputs import check_input
    from torchworks.recipes.patents.text.readers import BadDocument, read_patents

    paths = [*args.files, *args.input]
    if not paths:
        raise ConfigError("no input given", fix="pass FILE... or --input data.jsonl")
    if args.batch_docs < 1:
        raise ConfigError("--batch-docs must be at least 1")
    if args.max_file_mb <= 0:
        raise ConfigError("--max-file-mb must be positive")
    for path in paths:  # every input is checked before a model is loaded
        check_input(path, args.max_file_mb)
    if args.model is not None and not args.model.is_dir():
        raise ConfigError(f"--model {args.model} is not a folder",
                          fix="pass a local Hugging Face seq2seq folder (config.json inside)")
    max_words = args.max_doc_words or MAX_DOC_WORDS
    summarizer = build_summarizer(args.method, words=args.words, model=args.model,
                                  device=args.device, compile=args.compile)
    documents = [doc for path in paths for doc in read_patents(path, args.max_file_mb)]
    rows: list[dict[str, str]] = []
    failed = 0
    with tqdm(total=len(documents), desc=f"summarize ({args.method})", unit="doc",
              file=sys.stderr, disable=None) as progress:
        for start in range(0, len(documents), args.batch_docs):
            batch = documents[start:start + args.batch_docs]
            patents = [d for d in batch if not isinstance(d, BadDocument)]
            answers = iter(summarize_checked(summarizer, patents, max_words))
            for doc in batch:
                answer = doc.error if isinstance(doc, BadDocument) else next(answers)
                if isinstance(doc, BadDocument) or isinstance(answer, Exception):
                    failed += 1
                    message = str(answer).replace("\n  fix:", "; fix:")
                    rows.append({"id": doc.id, "error": message})
                    print(f"torchworks: {doc.id}: {message}", file=sys.stderr)
                else:
                    rows.append({"id": doc.id, "summary": answer})
            progress.update(len(batch))
    if args.output is not None:
        atomic.write_text(args.output, "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                               for r in rows))
        print(f"wrote {len(rows) - failed} summaries ({failed} failed) to {args.output}",
              file=sys.stderr)
    else:
        for row in rows:
            if "summary" in row:
                print(f"# {row['id']}\n{row['summary']}\n")
    return 1 if failed else 0

