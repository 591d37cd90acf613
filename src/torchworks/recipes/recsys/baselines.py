"""Baselines printed next to every model, built from the same history the model is judged on.

- `Popularity`: item interaction counts.
- `ItemKNN`: cosine item-item similarity from co-occurrence in users' histories (top
  `neighbours` per item kept), a user's score = sum of similarities to the history items.
- `ItemKNN(recency_decay=d)`: the same, history item at age a (0 = newest) weighted d**a; on
  MovieLens this doubles NDCG of the plain version, because what one watched last predicts next.
- `EASE`: Steck's (2019) closed-form item-item regression, B = argmin |X - XB|^2 + lam |B|^2
  with diag(B) = 0, solved with one [num_items, num_items] inverse (1,682 items: a fraction of
  a second). It ignores order; blended with SASRec (`fusion.py`) it adds what the user likes
  overall to what comes next, which the recency kNN, itself sequential, adds less of.
- `logistic_ctr`: logistic regression on one-hot user, item and item category, the CTR baseline
  for DIN (same impressions).
"""

from __future__ import annotations

import numpy as np
import torch

from torchworks.recipes.recsys.sequences import Sequences


class Popularity:
    name = "popularity"

    def __init__(self, history: Sequences, num_items: int) -> None:
        counts = np.bincount(history.items, minlength=num_items).astype(np.float32)
        self._scores = torch.from_numpy(counts)

    def score(self, users: np.ndarray, history: Sequences) -> torch.Tensor:
        return self._scores.expand(len(users), -1)


class ItemKNN:
    def __init__(
        self,
        history: Sequences,
        num_items: int,
        neighbours: int = 100,
        recency_decay: float | None = None,
    ) -> None:
        self.name = "item-knn" if recency_decay is None else f"item-knn-recency({recency_decay:g})"
        self.num_items = num_items
        self.recency_decay = recency_decay
        self.similarity = _cosine_topk(history, num_items, neighbours)

    def score(self, users: np.ndarray, history: Sequences) -> torch.Tensor:
        from scipy import sparse

        rows, cols, weights = [], [], []
        for row, user in enumerate(users):
            seq = history.of(int(user))
            if not len(seq):
                continue
            age = np.arange(len(seq) - 1, -1, -1)
            rows.append(np.full(len(seq), row))
            cols.append(seq)
            weights.append(
                np.ones(len(seq)) if self.recency_decay is None else self.recency_decay**age
            )
        if not rows:
            return torch.zeros(len(users), self.num_items)
        w = sparse.csr_matrix(
            (np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(users), self.num_items),
        )
        return torch.from_numpy((w @ self.similarity).toarray().astype(np.float32))


class EASE:
    name = "ease"

    def __init__(self, history: Sequences, num_items: int, lam: float = 300.0) -> None:
        x = _user_item_matrix(history, num_items).toarray().astype(np.float64)
        gram = x.T @ x + lam * np.eye(num_items)
        inverse = np.linalg.inv(gram)
        weights = -inverse / np.diag(inverse)[None, :]
        np.fill_diagonal(weights, 0.0)
        self.weights = torch.from_numpy(weights.astype(np.float32))
        self.num_items = num_items

    def score(self, users: np.ndarray, history: Sequences) -> torch.Tensor:
        rows = _user_item_matrix(history, self.num_items, users).toarray()
        return torch.from_numpy(rows) @ self.weights


def _user_item_matrix(history: Sequences, num_items: int, users: np.ndarray | None = None):
    """Sparse binary float32 [len(users), num_items] (all users when None); repeats count once."""
    from scipy import sparse

    users = np.arange(len(history.offsets) - 1) if users is None else np.asarray(users)
    starts, ends = history.offsets[users], history.offsets[users + 1]
    counts = ends - starts
    first = np.repeat(np.cumsum(counts) - counts, counts)
    cols = history.items[np.repeat(starts, counts) + np.arange(counts.sum()) - first]
    x = sparse.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (np.repeat(np.arange(len(users)), counts), cols)),
        shape=(len(users), num_items),
    )
    x.data[:] = 1.0  # a repeated item counts once
    return x


def _cosine_topk(history: Sequences, num_items: int, neighbours: int, chunk: int = 512):
    """Sparse [num_items, num_items] cosine similarity, each row cut to its top `neighbours`."""
    from scipy import sparse

    x = _user_item_matrix(history, num_items)
    xt = x.T.tocsr()
    norms = np.sqrt(np.asarray(x.sum(axis=0)).ravel()) + 1e-6
    blocks = []
    for start in range(0, num_items, chunk):
        stop = min(start + chunk, num_items)
        co = (xt[start:stop] @ x).toarray()
        co /= norms[start:stop, None] * norms[None, :]
        co[np.arange(stop - start), np.arange(start, stop)] = 0.0
        k = min(neighbours, num_items - 1)
        keep = np.argpartition(-co, k, axis=1)[:, :k]
        values = np.take_along_axis(co, keep, axis=1)
        blocks.append(
            sparse.csr_matrix(
                (values.ravel(), (np.repeat(np.arange(stop - start), k), keep.ravel())),
                shape=(stop - start, num_items),
            )
        )
    return sparse.vstack(blocks).tocsr()


def logistic_ctr(
    train_features: np.ndarray,
    train_labels: np.ndarray,
    test_features: np.ndarray,
    cardinalities: list[int],
) -> np.ndarray:
    """Click probabilities for `test_features` from LR on one-hot columns ([N, F] int ids)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    offsets = np.concatenate([[0], np.cumsum(cardinalities)[:-1]])

    def one_hot(features: np.ndarray):
        n, f = features.shape
        cols = (features + offsets[None, :]).ravel()
        return sparse.csr_matrix(
            (np.ones(n * f), (np.repeat(np.arange(n), f), cols)), shape=(n, int(sum(cardinalities)))
        )

    model = LogisticRegression(C=1.0, max_iter=200, solver="liblinear")
    model.fit(one_hot(train_features), train_labels)
    return model.predict_proba(one_hot(test_features))[:, 1]
