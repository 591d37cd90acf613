"""Fine-tune a local seq2seq model (BART, PEGASUS, LED, T5) to write patent abstracts.

`torchworks train patent-summarizer --model DIR --data train.jsonl` reads BigPatent-style
records (`description` + `abstract`), builds the source from the sections an abstract draws on
(field, summary, background, then detailed description: the same order the extractive default
trusts, so truncation to the encoder's length keeps the informative part), and trains with:

- AMP from the shared engine (`--amp auto`: bf16 on GPUs that have it, fp16 + GradScaler on
  older ones, fp32 on CPU);
- gradient checkpointing (on by default: patents fill the encoder, and activations, not
  weights, dominate memory at 1k-4k tokens);
- atomic checkpoints every `save_every` steps holding model, optimizer, scheduler, scaler, RNG
  and the sampler's position, so `--resume` continues exactly where the run stopped;
- at the end, the model and tokenizer saved with `save_pretrained` to `<out>/model`, a folder
  `torchworks patents summarize --method abstractive --model` takes as is.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from torchworks.config import field
from torchworks.errors import ConfigError, DataError


@dataclass
class SummarizerTrainConfig:
    model: Path | None = field(None, "local Hugging Face seq2seq folder to start from")
    data: Path | None = field(None, "JSON lines with 'description' and 'abstract'")
    out: Path = field(Path("runs/patent-summarizer"), "checkpoints, metrics and the final model")
    epochs: int = field(1, "passes over the data")
    max_steps: int = field(0, "stop after this many optimizer steps (0 = run all epochs)")
    batch_size: int = field(4, "examples per optimizer step")
    lr: float = field(5e-5, "peak learning rate (AdamW)")
    warmup_steps: int = field(50, "linear warmup steps, then linear decay")
    max_source_tokens: int = field(1024, "encoder tokens per document (capped by the model)")
    max_target_tokens: int = field(256, "decoder tokens of the abstract")
    amp: Literal["auto", "off", "bf16", "fp16"] = field("auto", "mixed precision")
    gradient_checkpointing: bool = field(True, "recompute activations in backward: less memory")
    clip_norm: float = field(1.0, "gradient L2 clip (0 = off)")
    save_every: int = field(200, "optimizer steps between checkpoints")
    keep_last: int = field(2, "step checkpoints to keep")
    resume: bool = field(False, "continue from the latest checkpoint in --out")
    overwrite: bool = field(False, "replace the run already in --out instead of refusing")
    val_fraction: float = field(0.1, "share of the records held out (seeded) for validation "
                                     "loss, which picks checkpoints/best.pt")
    stop_after_steps: int = field(0, "stop (checkpointed) after this many steps, as if killed")
    device: str = field("auto", "auto, cpu, cuda, cuda:N")
    seed: int = field(0, "seed for data order, dropout and init of new weights")
    progress: bool = field(True, "show a progress bar")

    def __post_init__(self) -> None:
        problems = []
        if self.model is None or not (Path(self.model) / "config.json").is_file():
            problems.append(f"--model {self.model} is not a model folder (no config.json)")
        if self.data is None or not Path(self.data).is_file():
            problems.append(f"--data {self.data} is not a file")
        if self.batch_size < 1 or self.epochs < 1:
            problems.append("--batch-size and --epochs must be at least 1")
        if problems:
            raise ConfigError("; ".join(problems),
                              fix="torchworks train patent-summarizer --model DIR --data "
                                  "train.jsonl")


# what a resumed run may change without changing what it computes (engine.rundir)
RUN_HARMLESS = frozenset({"out", "resume", "overwrite", "progress", "device", "save_every",
                          "keep_last", "stop_after_steps", "gradient_checkpointing"})


@dataclass
class TrainSummary:
    steps: int
    finished: bool
    final_loss: float
    seconds: float
    model_dir: Path | None
    precision: str


def _examples(cfg: SummarizerTrainConfig, tokenizer, source_tokens: int):
    from torchworks.recipes.patents.text import sections as S
    from torchworks.recipes.patents.text.readers import Patent, read_patents

    # training sets (BigPatent splits) are streamed JSON lines of any size: no size limit
    patents = [p for p in read_patents(cfg.data, max_mb=float("inf")) if isinstance(p, Patent)
               and p.abstract.strip() and p.word_count > 0]
    if not patents:
        raise DataError(f"{cfg.data} holds no record with both a description and an abstract")
    sources = [p.section_text(S.FIELD, S.SUMMARY, S.BACKGROUND, S.DETAILED, S.OTHER)
               for p in patents]
    inputs = tokenizer(sources, truncation=True, max_length=source_tokens)["input_ids"]
    labels = tokenizer(text_target=[p.abstract for p in patents], truncation=True,
                       max_length=cfg.max_target_tokens)["input_ids"]
    return inputs, labels


def _batch(indices, inputs, labels, pad_id: int, device):
    import torch

    def padded(rows, value):
        width = max(len(r) for r in rows)
        return torch.tensor([r + [value] * (width - len(r)) for r in rows], device=device)

    ids = padded([inputs[i] for i in indices], pad_id)
    return {"input_ids": ids, "attention_mask": (ids != pad_id).long(),
            "labels": padded([labels[i] for i in indices], -100)}


def train(cfg: SummarizerTrainConfig) -> TrainSummary:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from torchworks.engine.checkpoint import (
        CheckpointDir,
        build_state,
        restore_state,
    )
    from torchworks.engine.metrics import MetricsLogger
    from torchworks.engine.precision import resolve_precision
    from torchworks.engine.progress import progress_bar
    from torchworks.engine.resume import describe_resume, resume_checkpoint
    from torchworks.engine.rundir import claim_run_dir
    from torchworks.engine.sampler import ResumableSampler
    from torchworks.engine.schedule import lr_schedule
    from torchworks.engine.seed import seed_everything
    from torchworks.engine.splits import holdout_split
    from torchworks.engine.step import backward, optimizer_step
    from torchworks.env.device import resolve_device
    from torchworks.recipes.patents.summarize.abstractive import max_input_tokens

    seed_everything(cfg.seed)
    device = resolve_device(cfg.device)
    precision = resolve_precision(cfg.amp, device)
    tokenizer = AutoTokenizer.from_pretrained(cfg.model, local_files_only=True)
    model = AutoModelForSeq2SeqLM.from_pretrained(cfg.model, local_files_only=True).to(device)
    if cfg.gradient_checkpointing:
        enable = getattr(model, "activation_checkpointing_enable", None)  # transformers 5
        (enable or model.gradient_checkpointing_enable)()
        model.config.use_cache = False
    model.train()
    inputs, labels = _examples(cfg, tokenizer,
                               min(cfg.max_source_tokens, max_input_tokens(model, tokenizer)))
    fit, held = holdout_split(len(inputs), cfg.val_fraction if len(inputs) > 1 else 0.0,
                              seed=cfg.seed)
    val_inputs, val_labels = [inputs[i] for i in held.tolist()], [labels[i] for i in held.tolist()]
    inputs, labels = [inputs[i] for i in fit.tolist()], [labels[i] for i in fit.tolist()]
    sampler = ResumableSampler(len(inputs), shuffle=True, seed=cfg.seed)
    total = cfg.max_steps or cfg.epochs * sampler.num_batches(cfg.batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
    scheduler = lr_schedule(optimizer, "linear", total_steps=total,
                            warmup_steps=min(cfg.warmup_steps, total // 10))
    scaler = precision.grad_scaler()
    claim_run_dir(cfg.out, config=asdict(cfg), resume=cfg.resume, overwrite=cfg.overwrite,
                  harmless=RUN_HARMLESS, outputs=("metrics.csv", "model"))
    checkpoints = CheckpointDir(cfg.out / "checkpoints", keep_last=cfg.keep_last,
                                best_metric="val_loss" if val_inputs else None)
    step, loss_value = 0, math.nan
    resumed = resume_checkpoint(checkpoints, map_location=device) if cfg.resume else None
    if resumed is not None:
        print(f"torchworks: {describe_resume(resumed)}")
        position = restore_state(resumed.state, model, optimizer,
                                 scheduler=scheduler, scaler=scaler)
        sampler.load_state_dict(position.sampler)
        step = position.step

    def val_loss() -> dict[str, float]:  # mean loss over the held-out records (no test here)
        if not val_inputs:
            return {}
        model.eval()
        with torch.no_grad(), precision.autocast():
            losses = [float(model(**_batch([i], val_inputs, val_labels, tokenizer.pad_token_id,
                                           device)).loss) for i in range(len(val_inputs))]
        model.train()
        return {"val_loss": sum(losses) / len(losses)}

    def save() -> None:
        checkpoints.save(build_state(model, optimizer, step=step, epoch=sampler.epoch,
                                     scheduler=scheduler, scaler=scaler,
                                     sampler=sampler.state_dict(),
                                     metrics={"train_loss": loss_value, **val_loss()}))

    start = time.perf_counter()
    bar = progress_bar(total=total, desc="fine-tune", unit="step", initial=step,
                       enabled=cfg.progress)
    with MetricsLogger(cfg.out / "metrics.csv", resume_from_step=step if cfg.resume else None
                       ) as log:
        while step < total:
            for indices in sampler.batches(cfg.batch_size):
                batch = _batch(indices.tolist(), inputs, labels, tokenizer.pad_token_id, device)
                with precision.autocast():
                    loss = model(**batch).loss
                backward(loss, scaler)
                optimizer_step(optimizer, model, scaler=scaler, clip_norm=cfg.clip_norm or None)
                scheduler.step()
                step += 1
                loss_value = float(loss.detach())
                log.log(step, sampler.epoch, {"train/loss": loss_value,
                                              "train/lr": scheduler.get_last_lr()[0]})
                bar.update(1)
                bar.set_postfix(loss=f"{loss_value:.3f}")
                if step % cfg.save_every == 0 or step == total or step == cfg.stop_after_steps:
                    save()
                if step == cfg.stop_after_steps and step < total:
                    bar.close()
                    return TrainSummary(step, False, loss_value, time.perf_counter() - start,
                                        None, precision.name)
                if step >= total:
                    break
    bar.close()
    model_dir = _save_model(model, tokenizer, cfg.out / "model")
    return TrainSummary(step, True, loss_value, time.perf_counter() - start, model_dir,
                        precision.name)


def _save_model(model, tokenizer, target: Path) -> Path:
    """save_pretrained into a temporary folder, then swap it in (never a half-written model)."""
    staging = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    model.config.use_cache = True
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    if target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
    return target
