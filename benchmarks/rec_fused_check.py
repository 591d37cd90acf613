"""The served fused ensemble against `rec eval`'s fused figure, on the validation item only.

    PYTHONPATH=src .venv/bin/python benchmarks/rec_fused_check.py RUN0/checkpoints/best.pt \
        ... RUN4/checkpoints/best.pt --data data/ml100k --ease-weight 0.1 --work /tmp/check

Exports a fused bundle whose histories stop at the train split (`rec export --history-split
train`: the model input, the masked items and EASE are what `rec eval --split valid` reads;
the test item is never read), asks `RecPredictor` (the `/v1/rec/recommend` predictor) for every
validation user's top 10 by user id, and prints its NDCG@10 and HR@10 next to `rec eval`'s fused
row (`compare(..., split=VALID)`), plus how many users' served top 10 differ from `rec eval`'s.
Then the sigma question (fused_query.py): the same served search with each neural member's
sigma and mean from the item covariance over the whole catalogue (no history term) instead of
the exact moments over the user's candidates, and how many users' top 10 that changes.

Measured (MovieLens-100K u.data, md5 6e47046882bad158b0efbb84cd5cb987, `rec prepare`
leave-last-out; SASRec seeds 0-4 of `sasrec-ml100k.yaml`, `--threads 1`; validation item only):
rec eval fused NDCG@10 0.1542, HR@10 0.2757 (`torchworks rec eval RUN{0..4}/checkpoints/best.pt
--split valid --ease-weight 0.1` prints the same); served 0.1542 / 0.2757, 0 of 943 top-10
lists differ from rec eval's; served items never in the history. Covariance sigma: 0.1550 /
0.2768, but 382 users' (40.5%) top-10 order and 91 users' (9.7%) top-10 set change: the exact
sigma is served (fused_query.py). Singles 0.1358 0.1349 0.1304 0.1367 0.1368.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from torchworks.recipes.recsys.baselines import EASE
from torchworks.recipes.recsys.compare import compare
from torchworks.recipes.recsys.data import eval_view, load_dataset
from torchworks.recipes.recsys.export import export_bundle
from torchworks.recipes.recsys.fusion import FusedScorer, blend_weights
from torchworks.recipes.recsys.index import SearchOptions
from torchworks.recipes.recsys.service import RecommendRequest, RecPredictor
from torchworks.recipes.recsys.split import TRAIN, VALID
from torchworks.recipes.recsys.tasks import ModelScorer
from torchworks.recipes.recsys.train import load_trained
from torchworks.recipes.recsys.vocab import NUM_RESERVED


class CatalogueMoments:
    """A member's moments over every real item: sigma^2 = q^T Cov(V) q, no history term."""

    def __init__(self, exact) -> None:
        self.exact, self.dims = exact, exact.dims

    def banned_scores(self, queries, rows, cols):
        return self.exact.banned_scores(queries, rows[:0], cols[:0])

    def mean_std(self, queries, rows, banned):
        return self.exact.mean_std(queries, rows[:0], banned)


def served_top(predictor: RecPredictor, users: np.ndarray, k: int = 10) -> np.ndarray:
    keys = predictor.users.keys
    out = []
    for start in range(0, len(users), 256):
        batch = [RecommendRequest(user_id=keys[u - NUM_RESERVED], k=k)
                 for u in users[start : start + 256]]
        for answer in predictor.predict(batch):
            out.append(predictor.items.encode([i["item_id"] for i in answer.items]))
    return np.stack(out)


def ndcg_hr(top: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """One target per user (leave-last-out): NDCG@k = 1/log2(rank + 2) at its rank, HR@k."""
    hit = top == targets[:, None]
    rank = hit.argmax(1)
    found = hit.any(1)
    return float(np.where(found, 1 / np.log2(rank + 2), 0).mean()), float(found.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", type=Path, nargs="+")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--ease-weight", type=float, default=0.1)
    parser.add_argument("--work", type=Path, required=True, help="where the bundle is written")
    args = parser.parse_args()
    torch.set_num_threads(1)
    bundle = args.work / "bundle-valid"
    export_bundle(args.checkpoints, args.data, bundle, onnx=False,
                  index=SearchOptions(precision="fp32"), ease_weight=args.ease_weight,
                  history_split=TRAIN)
    ds = load_dataset(args.data)
    view = eval_view(ds, VALID)
    assert (view.targets.lengths()[view.users] == 1).all()
    targets = view.targets.items[view.targets.offsets[view.users]]
    predictor = RecPredictor(bundle)
    served = served_top(predictor, view.users)
    seen_ok = all(not np.isin(row, predictor.seen.of(int(u))).any()
                  for row, u in zip(served, view.users, strict=True))
    evaluated = compare(args.checkpoints, args.data, VALID, ease_weight=args.ease_weight)
    members = []
    for path in args.checkpoints:
        m = load_trained(path)
        members.append(ModelScorer(m.model, m.settings.kind, m.history_len, torch.device("cpu")))
    members.append(EASE(view.history, ds.num_items))
    scorer = FusedScorer(members, blend_weights(len(args.checkpoints), args.ease_weight))
    reference = scorer.score(view.users, view.history).topk(10, dim=1).indices.numpy()
    assert predictor.fused is not None
    predictor.fused.moments = CatalogueMoments(predictor.fused.moments)
    catalogue = served_top(predictor, view.users)

    def differ(a: np.ndarray, b: np.ndarray) -> str:
        lists = int((a != b).any(1).sum())
        sets = sum(set(x) != set(y) for x, y in zip(a.tolist(), b.tolist(), strict=True))
        return f"{lists} lists ({lists / len(a):.1%}), {sets} sets ({sets / len(a):.1%})"

    print(f"{len(args.checkpoints)} members + EASE {args.ease_weight}, {len(view.users)} "
          f"validation users, histories through train (test item not read)")
    print(f"rec eval fused (valid)            NDCG@10 {evaluated.metrics['fused']['NDCG@10']:.4f} "
          f"HR@10 {evaluated.metrics['fused']['HR@10']:.4f}")
    print("served, exact sigma (shipped)     NDCG@10 {:.4f} HR@10 {:.4f}".format(
        *ndcg_hr(served, targets)))
    print("served, covariance sigma          NDCG@10 {:.4f} HR@10 {:.4f}".format(
        *ndcg_hr(catalogue, targets)))
    print(f"served items outside every user's history: {seen_ok}")
    print(f"top-10 differing, served exact vs rec eval's FusedScorer: {differ(served, reference)}")
    print(f"top-10 differing, covariance vs exact sigma:              {differ(catalogue, served)}")


if __name__ == "__main__":
    main()
