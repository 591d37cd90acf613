"""recall@K of the faiss IVF index against exact search on a real (fused) bundle, and what each
serves on the validation item, per nprobe.

    PYTHONPATH=src .venv/bin/python benchmarks/rec_ivf_recall.py BUNDLE --data DATA \
        [--k 100 --nprobe 1,2,4,8,32]

BUNDLE is a validation bundle (`torchworks rec export CKPT ... --history-split train`: its
histories and masks hold the train split only), DATA the prepared dataset it was exported from;
only the validation item of each user is read (never the test item). rec_serve.py's IVF recall
is on synthetic clustered vectors; this one is on trained members' vectors side by side.
Measured on MovieLens-100K (`u.data`, md5 6e47046882bad158b0efbb84cd5cb987; leave-last-out,
validation item), a fused bundle of SASRec (sasrec-ml100k.yaml, 4 epochs) and two two-towers
(two-tower-ml100k.yaml, 6 epochs, seeds 0 and 1), 192-d, 1,682 items, nlist 43: recall@100 vs
exact 0.276 / 0.511 / 0.756 / 0.944 / 0.996 / 1.000 at nprobe 1 / 2 / 4 / 8 / 16 / 32 (the
default); NDCG@10 exact 0.0941, nprobe 4 0.0944, nprobe 2 0.0872, nprobe 1 0.0766.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np


def main() -> None:
    from torchworks.recipes.recsys.data import load_dataset
    from torchworks.recipes.recsys.index import SearchOptions
    from torchworks.recipes.recsys.service import RecommendRequest, RecPredictor
    from torchworks.recipes.recsys.split import VALID

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--nprobe", default="1,2,4,8,32")
    args = parser.parse_args()
    ds = load_dataset(args.data)
    valid = ds.split == VALID
    target = dict(zip(ds.user[valid].tolist(), ds.item[valid].tolist(), strict=True))
    exact = RecPredictor(args.bundle, SearchOptions(kind="exact"))
    users = [u for u in range(2, ds.num_users) if u in target]
    requests = [RecommendRequest(user_id=exact.users.keys[u - 2], k=args.k) for u in users]

    def served(predictor: RecPredictor) -> list[np.ndarray]:
        return [predictor.items.encode([i["item_id"] for i in a.items])
                for a in predictor.predict(requests)]

    def quality(lists: list[np.ndarray]) -> tuple[float, float]:
        hits = [np.flatnonzero(row[:10] == target[u]) for row, u in zip(lists, users, strict=True)]
        hr = sum(len(h) > 0 for h in hits) / len(users)
        ndcg = sum(1 / math.log2(h[0] + 2) for h in hits if len(h)) / len(users)
        return hr, ndcg

    truth = served(exact)
    hr, ndcg = quality(truth)
    fused = "fused" if exact.fused is not None else "single"
    print(f"{args.bundle}: {fused} bundle, {len(exact.items.keys)} items, {len(users)} users with "
          f"a validation item, index dim {exact.index.dim}")
    print(f"{'index':44s} {'recall@' + str(args.k):>10s} {'HR@10':>7s} {'NDCG@10':>8s}")
    print(f"{exact.index.describe():44s} {1.0:10.4f} {hr:7.4f} {ndcg:8.4f}")
    for nprobe in (int(n) for n in args.nprobe.split(",")):
        ivf = RecPredictor(args.bundle, SearchOptions(kind="ivf", nprobe=nprobe))
        got = served(ivf)
        found = sum(len(np.intersect1d(g, t)) for g, t in zip(got, truth, strict=True))
        hr, ndcg = quality(got)
        print(f"{ivf.index.describe():44s} {found / sum(map(len, truth)):10.4f} {hr:7.4f} "
              f"{ndcg:8.4f}")


if __name__ == "__main__":
    main()
