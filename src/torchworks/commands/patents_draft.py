"""`torchworks patents draft DISCLOSURE`: draft a checked claim set with a local or remote LLM."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "draft", help="draft a claim set from an invention disclosure, checked and revised",
        description="Draft an independent claim and dependent claims from a disclosure with an "
                    "LLM, repair numbering and dependencies, check them, revise once with the "
                    "findings, and print the claims and the remaining findings.")
    parser.add_argument("disclosure", type=Path, help="the disclosure (text, XML or JSON lines)")
    parser.add_argument("--backend", choices=("local", "openai"), default="local")
    parser.add_argument("--model", default=None,
                        help="local: a HF model folder (default: embedded SmolLM2-135M-Instruct);"
                             " openai: the model name the server serves")
    parser.add_argument("--base-url", default=None, help="openai: e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--api-key", default=None,
                        help="openai: bearer key (default: $OPENAI_API_KEY)")
    parser.add_argument("--timeout", type=float, default=60.0, help="openai: seconds per request")
    parser.add_argument("--dependents", type=int, default=4, help="dependent claims to draft")
    parser.add_argument("--max-new-tokens", type=int, default=120, help="tokens per claim")
    parser.add_argument("--no-revise", action="store_true", help="skip the revision round")
    parser.add_argument("--abstract", action="store_true", help="also write an abstract")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from torchworks.errors import ConfigError
    from torchworks.recipes.patents.claims.inputs import read_description
    from torchworks.recipes.patents.claims.render import to_json, to_text
    from torchworks.recipes.patents.draft.backends import LocalBackend, OpenAIBackend
    from torchworks.recipes.patents.draft.pipeline import DraftConfig, draft_claims

    if args.dependents < 0 or args.max_new_tokens < 1:
        raise ConfigError("--dependents must be >= 0 and --max-new-tokens >= 1")
    disclosure = read_description(args.disclosure)
    if args.backend == "openai":
        if not args.base_url:
            raise ConfigError("--backend openai needs --base-url",
                              fix="e.g. --base-url http://127.0.0.1:8000/v1")
        backend = OpenAIBackend(args.base_url, args.api_key or os.environ.get(
            "OPENAI_API_KEY", ""), args.model or "default", timeout_s=args.timeout)
    else:
        backend = LocalBackend.load(args.model)
    config = DraftConfig(dependents=args.dependents, max_new_tokens=args.max_new_tokens,
                         revise=not args.no_revise, abstract=args.abstract)
    result = draft_claims(disclosure, backend, config,
                          emit=None if args.json else _progress)
    if args.json:
        print(json.dumps({"claims": result.text, "abstract": result.abstract,
                          "findings_before_revision": result.findings_before,
                          "revised": result.revised, "seconds": round(result.seconds, 2),
                          "check": to_json(result.report)}, indent=2, ensure_ascii=False))
        return 0
    print(result.text)
    if result.abstract:
        print(f"\nAbstract ({len(result.abstract.split())} words):\n{result.abstract}")
    print(f"\nFindings ({result.findings_before} before revision, {len(result.findings)} "
          f"after; revised claims: {result.revised or 'none'}; {result.seconds:.1f} s):")
    print(to_text(result.report))
    return 0


def _progress(event: str, text: str) -> None:
    if event in ("status", "claim"):
        print(f"[{event}] {text}", file=sys.stderr, flush=True)
