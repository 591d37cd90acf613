"""RecBole's SASRec on a MovieLens ratings file, evaluated with each user's history masked.

Runs inside RecBole's own venv (not the project's: RecBole 1.2.1 wants numpy < 2), started by
`rec_recbole.py`, and prints one JSON line. Split: RecBole's leave-one-out (`LS:
valid_and_test`, `order: TO`); its timestamp sort is stable, so ties keep file order, as ours
do. RecBole's own full ranking does not mask seen items for sequential models, so next to its
own NDCG@10 this prints the test NDCG@10 with every item the user rated before the test item
set to -inf, the protocol `torchworks rec eval` uses. Epochs: early stopping on RecBole's
validation NDCG@10 (the test item is not looked at until the end).

Two things RecBole 1.2.1 needs that this venv does not have are stood in for: tensorboard
(its trainer logs scalars to a SummaryWriter; here a writer that drops them) and torch's old
`torch.load` default (its best-checkpoint reload predates `weights_only=True`).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")


class _NoWriter:
    def __getattr__(self, name: str):  # add_scalar, add_hparams, close, ...
        return lambda *args, **kwargs: None


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
    parser.add_argument("--progress", type=Path, default=None,
                        help="append one JSON line per epoch (masked valid and test NDCG@10)")
    args = parser.parse_args()

    import torch
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
        trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
        per_user, later = seen_items(dataset), test_targets(test_data, dataset)
        started = time.perf_counter()
        epochs_done = []

        def masked_valid_epoch(valid_data, show_progress=False):
            """Early stopping and the kept checkpoint follow the masked validation NDCG@10,
            the protocol ours is selected by; the test figure is only logged."""
            own_valid = trainer.evaluate(valid_data, load_best_model=False, show_progress=False)
            valid, _ = masked_ndcg(trainer.model, valid_data, dataset, per_user, later)
            test, _ = masked_ndcg(trainer.model, test_data, dataset, per_user, {})
            epochs_done.append(valid)
            if args.progress:
                with args.progress.open("a") as log:
                    log.write(json.dumps({
                        "epoch": len(epochs_done), "s": round(time.perf_counter() - started),
                        "valid_ndcg10_masked": valid, "test_ndcg10_masked": test,
                        "valid_ndcg10_unmasked": float(own_valid["ndcg@10"]),
                        "load": os.getloadavg()[0]}) + "\n")
            return valid, {"ndcg@10": valid}

        trainer._valid_epoch = masked_valid_epoch
        best_valid, _ = trainer.fit(train_data, valid_data, saved=True, show_progress=False)
        train_s = time.perf_counter() - started
        own = trainer.evaluate(test_data, load_best_model=True, show_progress=False)
        masked, test_items = masked_ndcg(trainer.model, test_data, dataset, per_user, {})
    print(
        json.dumps(
            {
                "seed": args.seed,
                "max_epochs": args.epochs,
                "epochs_run": len(epochs_done),
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
