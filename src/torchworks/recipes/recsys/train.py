"""`torchworks train rec`: two-tower, DIN or SASRec on a prepared dataset, on the shared engine.

Reads top to bottom: set up (devices, DDP, seed, data, model or warm start), the loop (batches
from a resumable sampler, autocast, clipping, step), per-epoch validation, atomic checkpoints
(`best.pt` by valid NDCG@10, or AUC for DIN), the metrics CSV and a curves PNG.

- Exact resume (`--resume`): model, optimizer, RNG and the sampler position come back.
- Warm start (`--init-from CKPT`): a new data window prepared with `--vocab-from` the old one
  has larger vocabularies; the old rows are copied, new ids start from fresh init.
- DDP: run under `torchrun`; each rank takes its share of every global batch.
- Weight EMA (`ema_decay`): validation, `best.pt` and serving use the averaged weights; the
  checkpoint keeps the raw ones too (`train_model`), so a resume continues both exactly.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from torchworks.atomic import write_json
from torchworks.engine.checkpoint import CheckpointDir, build_state, load_checkpoint, restore_state
from torchworks.engine.compile import maybe_compile, unwrap_model
from torchworks.engine.distributed import (
    all_reduce_sum,
    barrier,
    cleanup_distributed,
    init_distributed,
    wrap_ddp,
)
from torchworks.engine.ema import WeightEMA
from torchworks.engine.metrics import MetricsLogger
from torchworks.engine.plots import plot_curves
from torchworks.engine.precision import resolve_precision
from torchworks.engine.progress import progress_bar
from torchworks.engine.resume import describe_resume, resume_checkpoint
from torchworks.engine.rundir import claim_run_dir
from torchworks.engine.sampler import ResumableSampler
from torchworks.engine.schedule import lr_factor
from torchworks.engine.seed import seed_everything
from torchworks.errors import ConfigError, DataError
from torchworks.recipes.recsys.config import RecTrainConfig
from torchworks.recipes.recsys.data import RecDataset, eval_view, load_dataset, train_items
from torchworks.recipes.recsys.evaluate import auc, full_ranking, gauc
from torchworks.recipes.recsys.models.growth import load_grown
from torchworks.recipes.recsys.split import VALID
from torchworks.recipes.recsys.tasks import (
    SEQUENTIAL,
    ModelScorer,
    ModelSettings,
    build_model,
    din_scores,
    eval_impressions,
    make_examples,
)
from torchworks.recipes.recsys.vocab import fingerprints

# run folder identity (engine.rundir): what a resumed run may change, and what a run writes
RUN_HARMLESS = frozenset({"out", "resume", "overwrite", "threads", "device", "compile", "amp",
                          "deterministic", "keep_last", "max_steps", "eval_users"})
RUN_OUTPUTS = ("metrics.csv", "summary.json", "curves.png")


@dataclass
class TrainSummary:
    model: str
    steps: int
    epochs: int
    train_seconds: float
    samples_per_second: float
    device: str
    precision: str
    valid: dict[str, float]
    grown_rows: dict[str, int]
    checkpoint: str


class _LossStep(torch.nn.Module):
    """The model's loss as `forward`, so DDP's gradient hooks and torch.compile see the step."""

    def __init__(self, model: torch.nn.Module, cfg: RecTrainConfig) -> None:
        super().__init__()
        self.model = model
        self.cfg = cfg

    def forward(self, *batch: torch.Tensor) -> torch.Tensor:
        if self.cfg.model in SEQUENTIAL:
            return self.model.loss(*batch, loss=self.cfg.loss, negatives=self.cfg.negatives,
                                   mask_seen=self.cfg.mask_seen)
        if self.cfg.model == "two-tower":
            return self.model.loss(*batch, softmax=self.cfg.softmax)
        return self.model.loss(*batch)


def lr_at(cfg: RecTrainConfig, step: int, total_steps: int) -> float:
    """The learning rate for optimizer step `step` (0-based) of `total_steps`.

    A function of the step alone, so an exact resume needs no scheduler state: the step
    counter the checkpoint already restores gives the same rate back."""
    return cfg.lr * lr_factor(step, cfg.lr_schedule, total_steps, cfg.warmup_steps)


def settings_of(cfg: RecTrainConfig) -> ModelSettings:
    return ModelSettings(
        cfg.model,
        cfg.dim,
        cfg.blocks,
        cfg.heads,
        cfg.max_len,
        cfg.dropout,
        cfg.temperature,
        cfg.activation,
        cfg.wide,
    )


def history_len_of(settings: ModelSettings, history_len: int) -> int:
    return settings.max_len if settings.kind in SEQUENTIAL else history_len


def prepare_model(model: torch.nn.Module, ds: RecDataset) -> None:
    """Item metadata the towers read (category per item; logQ counts for two-tower)."""
    if hasattr(model, "item_category"):
        model.item_category.copy_(torch.from_numpy(ds.item_category))
    if hasattr(model, "set_item_stats"):
        counts = torch.from_numpy(np.bincount(train_items(ds), minlength=ds.num_items))
        model.set_item_stats(torch.from_numpy(ds.item_category), counts)


def validate(
    model: torch.nn.Module,
    cfg: RecTrainConfig,
    ds: RecDataset,
    device: torch.device,
    split: int = VALID,
) -> dict[str, float]:
    """Valid-split quality: NDCG/HR@10 (full ranking) or AUC/GAUC for DIN."""
    view = eval_view(ds, split)
    if cfg.eval_users and len(view.users) > cfg.eval_users:
        view.users = np.random.default_rng(cfg.seed).choice(
            view.users, cfg.eval_users, replace=False
        )
    model = unwrap_model(model)
    was_training = model.training
    if cfg.model == "din":
        imp = eval_impressions(
            view, ds.num_items, cfg.history_len, cfg.ctr_negatives, seed=cfg.seed
        )
        scores = din_scores(model, imp, device)
        result = {"auc": auc(imp.labels, scores), "gauc": gauc(imp.users, imp.labels, scores)}
    else:
        scorer = ModelScorer(
            model, cfg.model, history_len_of(settings_of(cfg), cfg.history_len), device
        )
        result = full_ranking(scorer, view, ks=(10,)).metrics
    model.train(was_training)
    return result


def train(cfg: RecTrainConfig) -> TrainSummary:
    if cfg.threads > 0:
        torch.set_num_threads(cfg.threads)
    info = init_distributed(cfg.device)
    device = info.device
    if cfg.batch_size % info.world_size:
        raise ConfigError(
            f"batch_size {cfg.batch_size} does not split over {info.world_size} ranks",
            fix=f"use a multiple of {info.world_size}",
        )
    seed_everything(cfg.seed + info.rank, deterministic=cfg.deterministic)
    precision = resolve_precision(cfg.amp, device)
    ds = load_dataset(cfg.data)
    settings = settings_of(cfg)
    model = build_model(settings, ds.num_users, ds.num_items, ds.num_categories)
    grown: dict[str, int] = {}
    if cfg.init_from is not None:
        grown = load_grown(model, load_checkpoint(cfg.init_from)["model"])
    prepare_model(model, ds)
    model.to(device)
    examples = make_examples(settings, ds, cfg.history_len, cfg.ctr_negatives, cfg.seed,
                             cfg.window_stride)
    if examples.num_examples == 0:
        raise DataError(
            f"{cfg.data} has no training examples for {cfg.model}",
            fix="prepare more data (users need at least 2 train interactions)",
        )
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    scaler = precision.grad_scaler()
    sampler = ResumableSampler(
        examples.num_examples,
        shuffle=True,
        seed=cfg.seed,
        rank=info.rank,
        world_size=info.world_size,
    )
    metric = "auc" if cfg.model == "din" else "NDCG@10"
    ckpts = CheckpointDir(
        cfg.out / "checkpoints", keep_last=cfg.keep_last, best_metric=metric, best_mode="max"
    )
    step, start_epoch = 0, 0
    claim_run_dir(cfg.out, config=dataclasses.asdict(cfg), resume=cfg.resume,
                  overwrite=cfg.overwrite, harmless=RUN_HARMLESS, outputs=RUN_OUTPUTS,
                  write=info.is_main, barrier=lambda: barrier(info))
    resumed = (resume_checkpoint(ckpts, map_location=device, tidy=info.is_main)
               if cfg.resume else None)
    if resumed is not None:
        if info.is_main:
            print(f"torchworks: {describe_resume(resumed)}")
        position = restore_state(resumed.state, model, optimizer, scaler=scaler)
        step, start_epoch = position.step, position.epoch
        sampler.load_state_dict(position.sampler)
        if "train_model" in resumed.state:  # an EMA run: "model" holds the averaged weights
            model.load_state_dict(resumed.state["train_model"])
    ema = WeightEMA(model, cfg.ema_decay) if cfg.ema_decay > 0 else None
    if ema is not None and resumed is not None and "train_model" in resumed.state:
        ema.module.load_state_dict(resumed.state["model"])
    kept = ema.module if ema is not None else model  # what is validated, saved and served
    loss_step = maybe_compile(
        wrap_ddp(_LossStep(model, cfg), info), enabled=cfg.compile, device=device
    )
    per_rank = cfg.batch_size // info.world_size
    total_steps = sampler.num_batches(per_rank) * cfg.epochs  # max_steps stops, never rescales
    extra = {
        "settings": dataclasses.asdict(settings),
        "history_len": cfg.history_len,
        "num_users": ds.num_users,
        "num_items": ds.num_items,
        "num_categories": ds.num_categories,
        "data": str(cfg.data),
        "vocab_fingerprints": fingerprints(ds.users, ds.items),  # export/bundle compare ids
    }
    valid: dict[str, float] = {}
    samples, seconds = 0, 0.0
    stopped = False
    logger = MetricsLogger(
        cfg.out / "metrics.csv", enabled=info.is_main, resume_from_step=step if cfg.resume else None
    )
    for epoch in range(start_epoch, cfg.epochs):
        sampler.set_epoch(epoch)
        bar = progress_bar(
            examples.num_examples,
            f"{cfg.model} epoch {epoch + 1}/{cfg.epochs}",
            enabled=info.is_main,
            initial=sampler.consumed * info.world_size,
        )
        loss_sum = torch.zeros(2, dtype=torch.float64)
        started = time.perf_counter()
        loss_step.train()
        for idx in sampler.batches(per_rank):
            batch = examples.batch(idx, device)
            with precision.autocast():
                loss = loss_step(*batch)
            optimizer.zero_grad(set_to_none=True)
            for group in optimizer.param_groups:
                group["lr"] = lr_at(cfg, step, total_steps)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
            else:
                loss.backward()
            if cfg.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            if scaler is not None:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            if ema is not None:
                ema.update(model)
            step += 1
            loss_sum += torch.stack(
                [
                    loss.detach().double().cpu() * len(idx),
                    torch.tensor(len(idx), dtype=torch.float64),
                ]
            )
            bar.update(len(idx) * info.world_size)
            if step % 20 == 0:
                bar.set_postfix(loss=f"{float(loss_sum[0] / loss_sum[1]):.4f}")
            if cfg.max_steps and step >= cfg.max_steps:
                stopped = True
                break
        bar.close()
        seconds += time.perf_counter() - started
        totals = all_reduce_sum(loss_sum, info)
        samples += int(totals[1])
        values = {"train/loss": float(totals[0] / max(totals[1], 1)), "time/train_s": seconds}
        last = stopped or epoch + 1 == cfg.epochs
        if info.is_main and (last or (epoch + 1) % cfg.eval_every == 0):
            valid = validate(kept, cfg, ds, device)
            values.update({f"eval/{k}": v for k, v in valid.items()})
        logger.log(step, epoch + 1, values)
        if info.is_main:
            state = build_state(
                kept,
                optimizer,
                scaler=scaler,
                step=step,
                epoch=epoch + (0 if stopped else 1),
                sampler=sampler.state_dict(),
                metrics=valid,
                extra=extra,
            )
            if ema is not None:
                state["train_model"] = unwrap_model(model).state_dict()
            ckpts.save(state)
        if stopped:
            break
    logger.close()
    summary = TrainSummary(
        cfg.model,
        step,
        cfg.epochs,
        seconds,
        samples / max(seconds, 1e-9),
        str(device),
        precision.name,
        valid,
        grown,
        str(ckpts.latest()),
    )
    if info.is_main:
        plot_curves(cfg.out / "metrics.csv", cfg.out / "curves.png")
        write_json(cfg.out / "summary.json", dataclasses.asdict(summary))
    cleanup_distributed(info)
    return summary


@dataclass
class TrainedModel:
    model: torch.nn.Module
    settings: ModelSettings
    history_len: int  # items of recent history the model reads (max_len for SASRec)
    num_users: int
    num_items: int
    vocab_fingerprints: dict[str, str] | None = None  # None: a checkpoint from before them


def load_trained(checkpoint: str | Path, device: torch.device | None = None) -> TrainedModel:
    """Rebuild a trained model from its checkpoint (vocabulary sizes come from the checkpoint)."""
    state = load_checkpoint(checkpoint)
    extra = state["extra"]
    settings = ModelSettings(**extra["settings"])
    model = build_model(settings, extra["num_users"], extra["num_items"], extra["num_categories"])
    model.load_state_dict(state["model"])
    model.to(device or torch.device("cpu")).eval()
    return TrainedModel(
        model,
        settings,
        history_len_of(settings, int(extra["history_len"])),
        int(extra["num_users"]),
        int(extra["num_items"]),
        extra.get("vocab_fingerprints"),
    )
