"""The MNIST recipe, top to bottom: set-up, train loop, evaluation, outputs.

Features: two CNNs (simple, strong), IDX data or the offline 5k subset, tensor augmentation,
AMP policy, torch.compile switch, gradient accumulation and clipping, warmup + cosine LR,
exact resume (model, optimizer, scheduler, scaler, RNG, data position), keep-last-N + best
checkpoints, DDP under torchrun (gloo on CPU, NCCL on GPU), progress bars, CSV/TensorBoard
metrics, curves and confusion-matrix PNGs.

Trade-offs: data stays in memory on the training device and batches are gathered by index
(no DataLoader): for 28x28 images this is several times faster than worker processes, and it
makes the data position a single integer. Exact (bitwise) resume holds on one process with
`--deterministic`; under DDP each rank's augmentation RNG is not checkpointed, so a resumed DDP
run continues correctly but not bit for bit.

Splits: `val_fraction` of the training images is held out (seeded, per class) as the
validation split; it is scored every epoch and picks `best.pt`. The test split is scored once,
on the final model, for metrics.json (and by `--eval-only`), so test figures stay unbiased.

Run folders: `--out` records its run in run.json (engine.rundir); a fresh run refuses a folder
holding another run unless `--overwrite`, and `--resume` refuses a changed config (keys in
HARMLESS_KEYS may change). `--resume` continues from the newest intact checkpoint (or
`--resume-from PATH`) and says which step it continues from.

Outputs under `--out`: run.json, metrics.json, metrics.csv, checkpoints/, curves.png,
confusion_matrix.png (and tensorboard/ when tensorboard is installed).
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from torchworks import atomic
from torchworks.engine.checkpoint import CheckpointDir, build_state, load_checkpoint, restore_state
from torchworks.engine.compile import maybe_compile
from torchworks.engine.distributed import (
    DistInfo,
    all_reduce_sum,
    barrier,
    cleanup_distributed,
    init_distributed,
    no_sync_unless,
    wrap_ddp,
)
from torchworks.engine.metrics import MetricsLogger, confusion_matrix
from torchworks.engine.oom import explain_oom
from torchworks.engine.plots import plot_confusion_matrix, plot_curves
from torchworks.engine.precision import Precision, resolve_precision
from torchworks.engine.progress import progress_bar
from torchworks.engine.resume import describe_resume, resume_checkpoint, warn
from torchworks.engine.rundir import claim_run_dir
from torchworks.engine.sampler import ResumableSampler
from torchworks.engine.schedule import lr_schedule
from torchworks.engine.seed import seed_everything
from torchworks.engine.step import backward, is_update_step, optimizer_step
from torchworks.errors import ConfigError, DataError
from torchworks.recipes.vision.augment import AffineAugment
from torchworks.recipes.vision.config import MnistConfig
from torchworks.recipes.vision.data import check_labels, load_data, load_test_set
from torchworks.recipes.vision.models import build_model

MODEL_FACTORY = "torchworks.recipes.vision.models:build_model"
# settings a resumed run may change: they do not alter what the run computes
HARMLESS_KEYS = frozenset({
    "out", "resume", "resume_from", "overwrite", "progress", "threads", "device", "compile",
    "amp", "deterministic", "log_every", "checkpoint_every", "keep_last", "stop_after_steps",
    "eval_only", "checkpoint", "test_dir", "test_limit", "eval_batch_size"})
RUN_OUTPUTS = ("metrics.csv", "metrics.json", "curves.png", "confusion_matrix.png", "tensorboard")


@dataclass(frozen=True)
class EvalResult:
    loss: float
    accuracy: float
    samples: int
    confusion: torch.Tensor  # [classes, classes], row = true class


@dataclass(frozen=True)
class TrainSummary:
    """What metrics.json holds; `finished` is False when --stop-after-steps cut the run short.

    test_* score the final model on the test split; val_* the same model on the validation
    split; best_* say which checkpoint (best.pt) validation picked.
    """

    test_accuracy: float
    test_loss: float
    epochs: int
    steps: int
    train_seconds: float
    samples_per_second: float
    device: str
    precision: str
    compiled: bool
    model: str
    world_size: int
    data_source: str
    train_samples: int
    test_samples: int
    finished: bool = True
    val_accuracy: float | None = None
    val_loss: float | None = None
    val_samples: int = 0
    best_step: int | None = None
    best_val_accuracy: float | None = None
    best_test_accuracy: float | None = None


def train(cfg: MnistConfig) -> TrainSummary:
    """Train (or resume) per `cfg`; every rank calls this, rank 0 writes the outputs."""
    info = init_distributed(cfg.device)
    try:
        with explain_oom(batch_size=cfg.batch_size, device=info.device, accumulate=cfg.grad_accum):
            return _train(cfg, info)
    finally:
        cleanup_distributed(info)


def _train(cfg: MnistConfig, info: DistInfo) -> TrainSummary:
    # ---- set-up: seeds, precision, data on the device, model, optimizer, schedule
    micro_batch = _micro_batch(cfg, info)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed, deterministic=cfg.deterministic)
    precision = resolve_precision(cfg.amp, info.device)
    data = load_data(cfg.data_dir, train_limit=cfg.train_limit, test_limit=cfg.test_limit,
                     val_fraction=cfg.val_fraction, num_classes=cfg.num_classes, seed=cfg.seed)
    train_x, train_y = data.train_x.to(info.device), data.train_y.to(info.device)
    model_kwargs = {"name": cfg.model, "num_classes": cfg.num_classes, "width": cfg.width}
    model = build_model(**model_kwargs).to(info.device)
    optimizer = _optimizer(cfg, model)
    sampler = ResumableSampler(len(train_x), shuffle=True, seed=cfg.seed, rank=info.rank,
                               world_size=info.world_size)
    full_batches = sampler.num_batches(micro_batch, drop_last=True)
    micro_per_epoch = full_batches - full_batches % cfg.grad_accum  # whole accumulation windows
    steps_per_epoch = micro_per_epoch // cfg.grad_accum
    if steps_per_epoch == 0:
        raise ConfigError(f"batch_size {cfg.batch_size} is larger than the {len(train_x)} "
                          "training images", fix="lower --batch-size or raise --train-limit")
    total_steps = steps_per_epoch * cfg.epochs
    scheduler = lr_schedule(optimizer, cfg.schedule, total_steps=total_steps,
                            warmup_steps=min(cfg.warmup_steps, total_steps // 2))
    scaler = precision.grad_scaler()
    augment = AffineAugment() if cfg.augment else None

    # ---- the run folder, then resume: weights, optimizer, schedule, scaler, RNG, data position
    claim_run_dir(cfg.out, config=_plain(dataclasses.asdict(cfg)), resume=cfg.resume,
                  overwrite=cfg.overwrite, harmless=HARMLESS_KEYS, outputs=RUN_OUTPUTS,
                  write=info.is_main, barrier=lambda: barrier(info))
    has_val = data.val_x is not None
    if not has_val and info.is_main:
        warn("val_fraction 0: no validation split, so no best.pt is kept")
    ckpts = CheckpointDir(cfg.out / "checkpoints", keep_last=cfg.keep_last,
                          best_metric="val_accuracy" if has_val else None, best_mode="max")
    step, start_epoch, elapsed = 0, 0, 0.0
    window = torch.zeros(3, dtype=torch.float64, device=info.device)  # loss sum, correct, count
    if cfg.resume:
        resumed = resume_checkpoint(ckpts, chosen=cfg.resume_from, map_location=info.device,
                                    log=warn if info.is_main else lambda _: None,
                                    tidy=info.is_main)
        if resumed is None:
            raise ConfigError(f"--resume: no checkpoint in {ckpts.directory}",
                              fix="drop --resume to start fresh, or point --out at the earlier run")
        state = resumed.state
        position = restore_state(state, model, optimizer, scheduler=scheduler, scaler=scaler)
        sampler.load_state_dict(position.sampler)
        step, start_epoch = position.step, position.epoch
        elapsed = float(state["extra"].get("train_seconds", 0.0))
        if info.is_main:  # the partial train-metric window is rank 0's; others start at zero
            window = state["extra"]["train_window"].to(info.device)
            print(f"torchworks: {describe_resume(resumed)}", file=sys.stderr, flush=True)

    train_model = maybe_compile(wrap_ddp(model, info), enabled=cfg.compile, device=info.device)
    extra = {"config": _plain(dataclasses.asdict(cfg)), "data_source": data.source,
             "model": {"factory": MODEL_FACTORY, "kwargs": model_kwargs,
                       "input_shape": [1, *data.train_x.shape[1:]], "input_range": [0.0, 1.0],
                       "classes": [str(c) for c in range(data.num_classes)]}}

    def save(epoch_done: int, metrics: dict[str, float]) -> None:
        if not info.is_main:
            return
        run_state = {"train_seconds": elapsed, "train_window": window.cpu()}
        ckpts.save(build_state(model, optimizer, step=step, epoch=epoch_done, scheduler=scheduler,
                               scaler=scaler, sampler=sampler.state_dict(), metrics=metrics,
                               extra={**extra, **run_state}))

    # ---- train loop
    log = MetricsLogger(cfg.out / "metrics.csv", tensorboard_dir=cfg.out / "tensorboard",
                        enabled=info.is_main, resume_from_step=step if cfg.resume else None)
    stopped = False
    with log:
        for epoch in range(start_epoch, cfg.epochs):
            sampler.set_epoch(epoch)
            done = sampler.consumed // micro_batch
            bar = progress_bar(total=micro_per_epoch * micro_batch * info.world_size,
                               desc=f"epoch {epoch + 1}/{cfg.epochs}",
                               enabled=info.is_main and cfg.progress,
                               initial=done * micro_batch * info.world_size)
            train_model.train()
            started = time.perf_counter()
            for micro, idx in enumerate(itertools.islice(sampler.batches(micro_batch),
                                                         micro_per_epoch - done), start=done):
                xb, yb = train_x[idx], train_y[idx]
                if augment is not None:
                    xb = augment(xb)
                update = is_update_step(micro, cfg.grad_accum)
                with no_sync_unless(train_model, update):  # all-reduce grads on updates only
                    with precision.autocast():
                        logits = train_model(xb)
                        loss = F.cross_entropy(logits.float(), yb,
                                               label_smoothing=cfg.label_smoothing)
                    backward(loss / cfg.grad_accum, scaler)
                window += torch.stack([loss.detach().double() * len(yb),
                                       (logits.argmax(1) == yb).sum().double(),
                                       torch.tensor(float(len(yb)), device=info.device,
                                                    dtype=torch.float64)])
                bar.update(len(yb) * info.world_size)
                if not update:
                    continue
                optimizer_step(optimizer, train_model, scaler=scaler,
                               clip_norm=cfg.clip_norm or None)
                scheduler.step()
                step += 1
                if step % cfg.log_every == 0:
                    totals = all_reduce_sum(window, info)
                    log.log(step, epoch, {"train/loss": totals[0] / totals[2],
                                          "train/accuracy": totals[1] / totals[2],
                                          "train/lr": scheduler.get_last_lr()[0]})
                    bar.set_postfix(loss=f"{float(totals[0] / totals[2]):.4f}")
                    window.zero_()
                if cfg.stop_after_steps and step >= cfg.stop_after_steps:
                    stopped = True
                if stopped or (cfg.checkpoint_every and step % cfg.checkpoint_every == 0):
                    elapsed += time.perf_counter() - started
                    started = time.perf_counter()
                    save(epoch, {})
                if stopped:
                    break
            elapsed += time.perf_counter() - started
            bar.close()
            if stopped:
                break
            values: dict[str, float] = {"time/train_seconds": elapsed}
            if has_val:  # validation, never test, is what epochs are judged (and best.pt picked) on
                result = evaluate(train_model, data.val_x, data.val_y, precision, info,
                                  batch_size=cfg.eval_batch_size, num_classes=cfg.num_classes)
                values.update({"val/loss": result.loss, "val/accuracy": result.accuracy})
            log.log(step, epoch, values)
            sampler.set_epoch(epoch + 1)
            save(epoch + 1, {"val_accuracy": result.accuracy, "val_loss": result.loss}
                 if has_val else {})

        # ---- outputs: the test split, scored once on the final model; metrics.json, plots
        final = evaluate(train_model, data.test_x, data.test_y, precision, info,
                         batch_size=cfg.eval_batch_size, num_classes=cfg.num_classes)
        val = (evaluate(train_model, data.val_x, data.val_y, precision, info,
                        batch_size=cfg.eval_batch_size, num_classes=cfg.num_classes)
               if has_val and not stopped else None)
        if not stopped:
            log.log(step, cfg.epochs - 1, {"test/loss": final.loss,
                                           "test/accuracy": final.accuracy})
        best = _score_best(ckpts, model_kwargs, data.test_x, data.test_y, precision, info,
                           cfg) if has_val and not stopped else {}
    summary = TrainSummary(
        test_accuracy=final.accuracy, test_loss=final.loss, epochs=cfg.epochs, steps=step,
        train_seconds=round(elapsed, 3),
        samples_per_second=round(step * cfg.batch_size / elapsed, 1) if elapsed else 0.0,
        device=str(info.device), precision=precision.name, compiled=cfg.compile, model=cfg.model,
        world_size=info.world_size, data_source=data.source, train_samples=len(data.train_x),
        test_samples=final.samples, finished=not stopped,
        val_accuracy=val.accuracy if val else None, val_loss=val.loss if val else None,
        val_samples=val.samples if val else 0, **best)
    if info.is_main and not stopped:
        write_outputs(cfg.out, summary, final)
    return summary


def evaluate(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, precision: Precision,
             info: DistInfo, *, batch_size: int = 500, num_classes: int = 10) -> EvalResult:
    """Loss, accuracy and confusion matrix over (x, y), sharded across ranks and summed."""
    model.eval()
    sampler = ResumableSampler(len(x), shuffle=False, rank=info.rank, world_size=info.world_size,
                               pad=False)
    totals = torch.zeros(2, dtype=torch.float64, device=info.device)  # loss sum, count
    counts = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=info.device)
    with torch.no_grad():
        for idx in sampler.batches(batch_size):
            xb, yb = x[idx].to(info.device), y[idx].to(info.device)
            with precision.autocast():
                logits = model(xb).float()
            totals[0] += F.cross_entropy(logits, yb, reduction="sum").double()
            totals[1] += len(yb)
            counts += confusion_matrix(logits.argmax(1), yb, num_classes)
    totals = all_reduce_sum(totals, info)
    counts = all_reduce_sum(counts, info).long().cpu()
    correct = float(counts.diagonal().sum())
    return EvalResult(loss=float(totals[0] / totals[1]), accuracy=correct / float(totals[1]),
                      samples=int(totals[1]), confusion=counts)


def evaluate_checkpoint(cfg: MnistConfig) -> EvalResult:
    """--eval-only: rebuild the model from the checkpoint and score it on a test set alone.

    The test set is `--test-dir` (or `--data-dir`): only its t10k-* files are read; without
    either, the offline subset's test split.
    """
    assert cfg.checkpoint is not None  # MnistConfig validation guarantees it
    info = init_distributed(cfg.device)
    try:
        state = load_checkpoint(cfg.checkpoint, map_location=info.device)
        spec = state["extra"].get("model")
        if not spec or spec.get("factory") != MODEL_FACTORY:
            raise ConfigError(f"{cfg.checkpoint} was not written by the MNIST recipe",
                              fix="pass a checkpoint from `torchworks train mnist --out DIR`")
        model = build_model(**spec["kwargs"]).to(info.device)
        restore_state(state, model, restore_rng_state=False)
        classes = int(spec["kwargs"].get("num_classes", 10))
        data = load_test_set(cfg.test_dir or cfg.data_dir, num_classes=classes,
                             limit=cfg.test_limit, seed=cfg.seed)
        check_labels(data.y, classes, f"{data.source} (for a {classes}-class checkpoint)")
        expected = list(spec.get("input_shape", [1, *data.x.shape[1:]]))[1:]
        if list(data.x.shape[1:]) != expected:
            raise DataError(f"{data.source}: images are {list(data.x.shape[1:])} but "
                            f"{cfg.checkpoint} takes {expected}",
                            fix="score the checkpoint on images of the size it was trained on")
        result = evaluate(model, data.x, data.y, resolve_precision(cfg.amp, info.device),
                          info, batch_size=cfg.eval_batch_size, num_classes=classes)
        if info.is_main:
            atomic.write_json(cfg.out / "eval.json", {
                "checkpoint": str(cfg.checkpoint), "test_accuracy": result.accuracy,
                "test_loss": result.loss, "test_samples": result.samples,
                "data_source": data.source})
            plot_confusion_matrix(result.confusion, spec["classes"],
                                  cfg.out / "confusion_matrix.png")
        return result
    finally:
        cleanup_distributed(info)


def write_outputs(out: Path, summary: TrainSummary, final: EvalResult) -> None:
    atomic.write_json(out / "metrics.json", dataclasses.asdict(summary))
    plot_curves(out / "metrics.csv", out / "curves.png")
    plot_confusion_matrix(final.confusion, [str(c) for c in range(final.confusion.shape[0])],
                          out / "confusion_matrix.png",
                          title=f"test accuracy {final.accuracy:.2%} ({final.samples} images)")


def _score_best(ckpts: CheckpointDir, model_kwargs: dict[str, Any], x: torch.Tensor,
                y: torch.Tensor, precision: Precision, info: DistInfo,
                cfg: MnistConfig) -> dict[str, Any]:
    """best.pt (picked on validation) scored on the test split too, for the final report."""
    barrier(info)  # rank 0 wrote best.pt
    if not ckpts.best_path.is_file():
        return {}
    state = load_checkpoint(ckpts.best_path, map_location=info.device)
    model = build_model(**model_kwargs).to(info.device)
    restore_state(state, model, restore_rng_state=False)
    scored = evaluate(model, x, y, precision, info, batch_size=cfg.eval_batch_size,
                      num_classes=cfg.num_classes)
    return {"best_step": int(state["position"]["step"]),
            "best_val_accuracy": state["metrics"].get("val_accuracy"),
            "best_test_accuracy": scored.accuracy}


def _micro_batch(cfg: MnistConfig, info: DistInfo) -> int:
    """Per-rank, per-micro-step batch: global batch / (world size x accumulation)."""
    parts = info.world_size * cfg.grad_accum
    if cfg.batch_size % parts:
        raise ConfigError(f"batch_size {cfg.batch_size} is not divisible by world size "
                          f"{info.world_size} x grad_accum {cfg.grad_accum}",
                          fix=f"use a multiple of {parts}")
    return cfg.batch_size // parts


def _optimizer(cfg: MnistConfig, model: torch.nn.Module) -> torch.optim.Optimizer:
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9, nesterov=True,
                               weight_decay=cfg.weight_decay)
    return torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Config values as weights_only-safe primitives (paths become strings)."""
    return {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}
