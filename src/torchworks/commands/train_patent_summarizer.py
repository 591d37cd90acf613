"""`torchworks train patent-summarizer`: fine-tune a seq2seq model on patent abstracts."""

from __future__ import annotations

import argparse

from torchworks.config import add_arguments, from_args
from torchworks.recipes.patents.summarize.finetune import SummarizerTrainConfig

EXAMPLES = """examples:
  torchworks train patent-summarizer --model ~/models/bart-base --data bigpatent-train.jsonl
  torchworks train patent-summarizer --model DIR --data train.jsonl \
      --config src/torchworks/recipes/patents/summarize/configs/finetune.yaml
  torchworks train patent-summarizer --model DIR --data train.jsonl --resume   # after a stop
  torchworks patents summarize --method abstractive --model runs/patent-summarizer/model FILE
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "patent-summarizer", help="fine-tune a seq2seq model (BART, PEGASUS, LED, T5) on "
                                  "patent abstracts",
        description="Fine-tune a local Hugging Face seq2seq model on JSON lines with "
                    "'description' and 'abstract' (BigPatent layout): AMP, gradient "
                    "checkpointing, atomic checkpoints and exact --resume.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, SummarizerTrainConfig)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.recipes.patents.summarize.finetune import train

    cfg = from_args(SummarizerTrainConfig, args)
    summary = train(cfg)
    if summary.finished:
        print(f"{summary.steps} steps in {summary.seconds:.1f}s ({summary.precision}), final "
              f"loss {summary.final_loss:.3f} -> {summary.model_dir}")
    else:
        print(f"stopped after step {summary.steps} as asked; continue with --resume "
              f"--out {cfg.out}")
    return 0
