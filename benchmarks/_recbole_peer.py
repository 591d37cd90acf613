"""RecBole's SASRec on a MovieLens ratings file, evaluated with each user's history masked.

Runs inside RecBole's own venv (not the project's: RecBole 1.2.1 wants numpy < 2), started by
`rec_recbole.py`, and prints one JSON line. Split: RecBole's leave-one-out (`LS:
valid_and_test`, `order: TO`); its timestamp sort is stable, so ties keep file order, as ours
do. RecBole's own full ranking does not mask seen items for sequential models, so next to its
own NDCG@10 this prints the test NDCG@10 with every item the user rated before the test item
set to -inf, the protocol `torchworks rec eval` uses. Epochs: early stopping on RecBole's
validation NDCG@10 (the test item is not looked at until the end).

Speed: importing RecBole's models runs `torch.autograd.set_detect_anomaly(True)` (a debugging
line at the top of its SINE model's module, executed by `get_model` for every model), which
records a traceback per forward op and checks every gradient in backward: ~1.55x the CPU of a
SASRec step, with identical arithmetic. It is switched off again after the import. The rest of an
epoch is RecBole's design: every prefix of every sequence is its own example (~97k windows of
up to 50 items on ML-100K, loss at the last position only), ~40x our token work per epoch;
evaluation (943 users) is ~1% of an epoch. `--time-budget-s` stops before the next training
epoch once the budget is spent and reports the best (masked validation) checkpoint's test.

Two things RecBole 1.2.1 needs that this venv does not have are stood in for: tensorboard
(its trainer logs scalars to a SummaryWriter; here a writer that drops them) and torch's old
`torch.load` default (its best-checkpoint reload predates `weights_only=True`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import types
from pathlib import Path

os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")


class _OutOfTime(Exception):
    """Raised before a training epoch once --time-budget-s is spent."""


class _NoWriter:
    def __init__(self, *args, **kwargs) -> None:
        pass

    def __getattr__(self, name: str):  # add_scalar, add_hparams, close, ...
        return lambda *args, **kwargs: None


def _stand_in_tensorboard() -> None:
    """recbole.utils imports `torch.utils.tensorboard.SummaryWriter` at import time, which
    needs the tensorboard package; a module holding the dropping writer takes its place."""
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        stand_in = types.ModuleType("torch.utils.tensorboard")
        stand_in.SummaryWriter = _NoWriter
        sys.modules["torch.utils.tensorboard"] = stand_in


def write_atomic_file(ratings: Path, folder: Path) -> None:
    """u.data (tab) or ratings.dat (::) -> RecBole's `<name>.inter`. The timestamp column is
    written as each row's rank by (timestamp, file line): RecBole keeps float fields as float32,
    which cannot tell apart Unix times less than ~64 s apart, so raw times would tie (and
    reorder) where ours do not; ranks are exact and give RecBole our order."""
    folder.mkdir(parents=True)
    rows = [line.replace("::", "\t").split()[:4] for line in ratings.read_text().splitlines()]
    rows = [r for r in rows if r]
    order = sorted(range(len(rows)), key=lambda n: (int(rows[n][3]), n))
    rank = {n: position for position, n in enumerate(order)}
    lines = ["user_id:token\titem_id:token\trating:float\ttimestamp:float"]
    lines += [f"{u}\t{i}\t{r}\t{rank[n]}" for n, (u, i, r, _) in enumerate(rows)]
    (folder / f"{folder.name}.inter").write_text("\n".join(lines) + "\n")


def seen_items(dataset) -> dict[int, list[int]]:
    """Each user's items in time order (RecBole ids)."""
    uid, iid = dataset.uid_field, dataset.iid_field
    users, items = dataset.inter_feat[uid].numpy(), dataset.inter_feat[iid].numpy()
    per_user: dict[int, list[int]] = {}
    for u, i in zip(users.tolist(), items.tolist(), strict=True):
        per_user.setdefault(u, []).append(i)
    return per_user


def masked_ndcg(model, data, dataset, per_user: dict[int, list[int]], later: dict[int, int],
                k: int = 10) -> tuple[float, dict[str, str]]:
    """NDCG@k on `data` (valid or test) with every item the user rated before the target
    masked: all the user's items except the target and, for validation, the test item
    (`later`, user -> its test item). ML has one rating per user and item, so that is exactly
    the history. Also returns each user's target as RecBole tokens, to check the split."""
    import numpy as np
    import torch

    uid, iid = dataset.uid_field, dataset.iid_field
    gains, targets_by_user = [], {}
    model.eval()
    with torch.no_grad():
        for batch in data:
            interaction = batch[0]
            scores = model.full_sort_predict(interaction).view(len(interaction), -1)
            scores[:, 0] = float("-inf")
            targets = interaction[iid].tolist()
            for row, (u, target) in enumerate(zip(interaction[uid].tolist(), targets, strict=True)):
                target_score = scores[row, target].item()
                history = [i for i in per_user[u] if i != target and i != later.get(u)]
                scores[row, history] = float("-inf")
                rank = int((scores[row] > target_score).sum())
                gains.append(1.0 / np.log2(rank + 2) if rank < k else 0.0)
                targets_by_user[u] = target
    tokens = {str(dataset.id2token(uid, u)): str(dataset.id2token(iid, t))
              for u, t in targets_by_user.items()}
    return float(np.mean(gains)), tokens


def test_targets(test_data, dataset) -> dict[int, int]:
    uid, iid = dataset.uid_field, dataset.iid_field
    later: dict[int, int] = {}
    for batch in test_data:
        interaction = batch[0]
        later.update(zip(interaction[uid].tolist(), interaction[iid].tolist(), strict=True))
    return later


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--stopping-step", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=2048)
    parser.add_argument("--time-budget-s", type=float, default=0.0,
                        help="start no training epoch after this many seconds (0 = no limit)")
    parser.add_argument("--progress", type=Path, default=None,
                        help="append one JSON line per epoch (masked validation NDCG@10)")
    args = parser.parse_args()

    import torch

    _stand_in_tensorboard()
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.trainer import trainer as trainer_module
    from recbole.utils import get_model, get_trainer, init_logger, init_seed

    torch.set_num_threads(args.threads)
    trainer_module.get_tensorboard = lambda logger: _NoWriter()
    with tempfile.TemporaryDirectory() as tmp:
        write_atomic_file(args.ratings, Path(tmp) / "ml")
        config = Config(
            model="SASRec",
            dataset="ml",
            config_dict={
                "data_path": tmp,
                "checkpoint_dir": str(Path(tmp) / "saved"),
                "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
                "eval_args": {
                    "split": {"LS": "valid_and_test"},
                    "order": "TO",
                    "group_by": "user",
                    "mode": "full",
                },
                "train_neg_sample_args": None,  # SASRec's default CE loss over all items
                "loss_type": "CE",
                "MAX_ITEM_LIST_LENGTH": 50,
                "learning_rate": args.lr,
                "train_batch_size": args.batch_size,
                "metrics": ["NDCG", "Hit"],
                "topk": [10],
                "valid_metric": "NDCG@10",
                "epochs": args.epochs,
                "stopping_step": args.stopping_step,
                "seed": args.seed,
                "reproducibility": True,
                "use_gpu": False,
                "device": "cpu",
                "worker": 0,
                "show_progress": False,
                "save_dataset": False,
                "save_dataloaders": False,
                "log_wandb": False,
            },
        )
        os.chdir(tmp)  # RecBole's logger writes a log/ folder beside the working directory
        init_logger(config)  # its per-epoch lines go to stderr
        init_seed(config["seed"], config["reproducibility"])
        dataset = create_dataset(config)
        train_data, valid_data, test_data = data_preparation(config, dataset)
        model = get_model(config["model"])(config, train_data._dataset).to(config["device"])
        torch.autograd.set_detect_anomaly(False)  # see the docstring: RecBole's import sets it
        trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
        per_user, later = seen_items(dataset), test_targets(test_data, dataset)
        started = time.perf_counter()
        epochs_done = []

        def masked_valid_epoch(valid_data, show_progress=False):
            """Early stopping and the kept checkpoint follow the masked validation NDCG@10,
            the protocol ours is selected by; the test item is read once, at the end."""
            valid, _ = masked_ndcg(trainer.model, valid_data, dataset, per_user, later)
            epochs_done.append(valid)
            if args.progress:
                with args.progress.open("a") as log:
                    log.write(json.dumps({
                        "epoch": len(epochs_done), "s": round(time.perf_counter() - started),
                        "valid_ndcg10_masked": valid, "load": os.getloadavg()[0]}) + "\n")
            return valid, {"ndcg@10": valid}

        train_epoch = trainer._train_epoch

        def budgeted_train_epoch(*a, **kw):
            if args.time_budget_s and time.perf_counter() - started > args.time_budget_s:
                raise _OutOfTime
            return train_epoch(*a, **kw)

        trainer._valid_epoch = masked_valid_epoch
        trainer._train_epoch = budgeted_train_epoch
        stopped = "early stopping or max epochs"
        try:
            trainer.fit(train_data, valid_data, saved=True, show_progress=False)
        except _OutOfTime:
            stopped = f"time budget {args.time_budget_s:.0f} s"
        best_valid = max(epochs_done)
        train_s = time.perf_counter() - started
        own = trainer.evaluate(test_data, load_best_model=True, show_progress=False)
        masked, test_items = masked_ndcg(trainer.model, test_data, dataset, per_user, {})
    print(
        json.dumps(
            {
                "seed": args.seed,
                "max_epochs": args.epochs,
                "epochs_run": len(epochs_done),
                "stopped": stopped,
                "best_epoch": epochs_done.index(best_valid) + 1,
                "valid_curve": [round(v, 4) for v in epochs_done],
                "lr": args.lr,
                "batch_size": args.batch_size,
                "best_valid_ndcg10_masked": float(best_valid),
                "test_ndcg10_unmasked": float(own["ndcg@10"]),
                "test_ndcg10_masked": masked,
                "train_s": train_s,
                "test_items": test_items,
            }
        )
    )


if __name__ == "__main__":
    main()
