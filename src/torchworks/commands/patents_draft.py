"""`torchworks patents draft DISCLOSURE`: draft a checked claim set with a local or remote LLM."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "draft", help="draft a claim set from an invention disclosure, strictly checked",
        description="Draft claim 1 and dependent claims from a disclosure: its subject, "
                    "elements and their relations read from the text and claimed in its own "
                    "words, strictly checked (every term supported, one sentence per claim, no "
                    "duplicates) and repaired. The LLM is used only for --polish and "
                    "--abstract; no model is loaded otherwise.")
    parser.add_argument("disclosure", type=Path, help="the disclosure (text, XML or JSON lines)")
    parser.add_argument("--title", default="",
                        help="the invention's title (helps find its subject)")
    parser.add_argument("--backend", choices=("local", "openai"), default="local",
                        help="the LLM for --polish and --abstract (default: local)")
    parser.add_argument("--model", default=None,
                        help="local: a HF model folder (default: embedded SmolLM2-135M-Instruct);"
                             " openai: the model name the server serves")
    parser.add_argument("--base-url", default=None, help="openai: e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--api-key", default=None,
                        help="openai: bearer key (default: $OPENAI_API_KEY)")
    parser.add_argument("--timeout", type=float, default=60.0, help="openai: seconds per request")
    parser.add_argument("--dependents", type=int, default=4,
                        help="dependent claims at most (default: 4)")
    parser.add_argument("--max-new-tokens", type=int, default=160,
                        help="tokens per model call (default: 160)")
    parser.add_argument("--polish", action="store_true",
                        help="let the LLM rephrase claim 1 (kept only if it passes the strict "
                             "check with the same elements)")
    parser.add_argument("--abstract", action="store_true", help="also write an abstract")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from torchworks.errors import ConfigError
    from torchworks.recipes.patents.claims.inputs import read_description
    from torchworks.recipes.patents.claims.render import to_json, to_text
    from torchworks.recipes.patents.draft.pipeline import (
        DEMO_MODEL_NOTE,
        DraftConfig,
        draft_claims,
    )

    if args.dependents < 0 or args.max_new_tokens < 1:
        raise ConfigError("--dependents must be >= 0 and --max-new-tokens >= 1")
    disclosure = read_description(args.disclosure)
    # the claims come from the disclosure alone: a model is loaded only to polish or abstract
    backend = _backend(args) if args.polish or args.abstract else None
    config = DraftConfig(dependents=args.dependents, max_new_tokens=args.max_new_tokens,
                         polish=args.polish, abstract=args.abstract)
    result = draft_claims(disclosure, backend, config, emit=None if args.json else _progress,
                          title=args.title)
    if args.json:
        print(json.dumps({"claims": result.text, "subject": result.subject,
                          "abstract": result.abstract, "polished": result.polished,
                          "dropped": result.dropped, "seconds": round(result.seconds, 3),
                          "check": to_json(result.report)}, indent=2, ensure_ascii=False))
        return 0
    print(result.text)
    if result.abstract:
        print(f"\nAbstract ({len(result.abstract.split())} words):\n{result.abstract}")
    for dropped in result.dropped:
        print(f"dropped by the strict check: {dropped}", file=sys.stderr)
    print(f"\nFindings (strict draft check; {result.seconds:.2f} s"
          f"{'; claim 1 rephrased by the model' if result.polished else ''}):")
    print(to_text(result.report))
    if backend is None or backend.name.startswith("local"):
        print(f"\nNote: {DEMO_MODEL_NOTE}", file=sys.stderr)
    return 0


def _backend(args: argparse.Namespace) -> Any:
    from torchworks.errors import ConfigError
    from torchworks.recipes.patents.draft.backends import LocalBackend, OpenAIBackend

    if args.backend == "local":
        return LocalBackend.load(args.model)
    if not args.base_url:
        raise ConfigError("--backend openai needs --base-url",
                          fix="e.g. --base-url http://127.0.0.1:8000/v1")
    return OpenAIBackend(args.base_url, args.api_key or os.environ.get("OPENAI_API_KEY", ""),
                         args.model or "default", timeout_s=args.timeout)


def _progress(event: str, text: str) -> None:
    if event in ("status", "claim"):
        print(f"[{event}] {text}", file=sys.stderr, flush=True)
