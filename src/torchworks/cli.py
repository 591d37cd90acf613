"""The one CLI: `torchworks VERB ...`.

Each verb is a module in `torchworks.commands` with `register(subparsers)`; verbs that group
recipes (`train mnist`, `export onnx`) list the modules that add their sub-verbs. Command
modules import nothing heavy at module level, so `--help` stays fast. Errors a user can fix
become one line and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from torchworks import __version__
from torchworks.errors import TorchworksError

# verb -> module that registers it
VERBS: dict[str, str] = {
    "doctor": "torchworks.commands.doctor",
    "serve": "torchworks.commands.serve",
}

# group verb -> (help, modules that each register one sub-verb under it); empty groups are absent
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "train": ("train a recipe on the shared engine", ("torchworks.commands.train_mnist",
                                                           "torchworks.commands.train_rec",
                                                           "torchworks.commands.train_patent_summarizer")),
    "export": ("export a trained model (TorchScript, ONNX, LLM variants)", (
        "torchworks.commands.export_model",
        "torchworks.commands.export_triton",
        "torchworks.commands.export_llm",
    )),
    "predict": ("run an exported model on inputs", ("torchworks.commands.predict_mnist",)),
    "bench": ("measure speed (load tests, micro-benchmarks)", (
        "torchworks.commands.bench_serve",
    )),
    "patents": ("patent summarization, claim checking and drafting", (
        "torchworks.commands.patents_summarize",
        "torchworks.commands.patents_eval",
        "torchworks.commands.patents_check",
        "torchworks.commands.patents_draft",
    )),
    "rec": ("e-commerce recommendation: data, evaluation", (
        "torchworks.commands.rec_synth",
        "torchworks.commands.rec_prepare",
        "torchworks.commands.rec_eval",
        "torchworks.commands.rec_export",
    )),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="torchworks",
        description="A reproducible PyTorch + CUDA stack: diagnose, train, optimize, serve.",
    )
    parser.add_argument("--version", action="version", version=f"torchworks {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True)
    for module in VERBS.values():
        importlib.import_module(module).register(verbs)
    for verb, (help_text, modules) in GROUPS.items():
        if not modules:
            continue
        group = verbs.add_parser(verb, help=help_text, description=help_text)
        sub = group.add_subparsers(dest="target", metavar="TARGET", required=True)
        for module in modules:
            importlib.import_module(module).register(sub)
    return parser


def _never_fail_to_print() -> None:
    """Under a non-UTF-8 locale (LANG=C with coercion off, a latin-1 terminal) printing '·',
    '✓' or a patent's curly quotes raised UnicodeEncodeError after the work was done; such
    characters now print as '?' instead (the doctor above all must report on broken hosts)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf16", "utf32") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> int:
    _never_fail_to_print()
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except TorchworksError as exc:
        print(f"torchworks: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("torchworks: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
