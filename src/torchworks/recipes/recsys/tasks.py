"""What each model trains on and how it is judged: examples, batches, losses, scorers.

- SASRec: windows of `max_len + 1` items covering each whole train sequence; inputs are all
  but the newest item of a window, targets all but the oldest (every position is a target).
- Two-tower and DIN: one example per train interaction: (user, the `history_len` items before
  it, the item). DIN adds `negatives` uniformly drawn items per impression as non-clicks.
Histories are cut from the (user, time)-sorted log with index arithmetic, no Python loops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from torchworks.errors import ConfigError
from torchworks.recipes.recsys.data import EvalView, RecDataset
from torchworks.recipes.recsys.models.din import DIN, DINConfig
from torchworks.recipes.recsys.models.gru4rec import GRU4Rec, GRU4RecConfig
from torchworks.recipes.recsys.models.sasrec import SASRec, SASRecConfig
from torchworks.recipes.recsys.models.two_tower import TwoTower, TwoTowerConfig
from torchworks.recipes.recsys.sequences import Sequences, windows
from torchworks.recipes.recsys.split import TRAIN
from torchworks.recipes.recsys.vocab import NUM_RESERVED, PAD_ID

MODELS = ("two-tower", "din", "sasrec", "gru4rec")
SEQUENTIAL = ("sasrec", "gru4rec")  # next-item models: windows, next_item losses, user_vector


@dataclass
class ModelSettings:
    """The shape-defining settings a checkpoint records to rebuild its model."""

    kind: str
    dim: int = 64
    blocks: int = 2
    heads: int = 1
    max_len: int = 200
    dropout: float = 0.2
    temperature: float = 0.05
    activation: str = "dice"
    wide: bool = False  # DIN: add per-user/item/category biases (older checkpoints: off)


def build_model(
    s: ModelSettings, num_users: int, num_items: int, num_categories: int
) -> torch.nn.Module:
    if s.kind == "sasrec":
        return SASRec(SASRecConfig(num_items, s.dim, s.blocks, s.heads, s.max_len, s.dropout))
    if s.kind == "gru4rec":
        return GRU4Rec(GRU4RecConfig(num_items, s.dim, s.blocks, s.dropout))
    if s.kind == "two-tower":
        return TwoTower(
            TwoTowerConfig(
                num_users, num_items, num_categories, s.dim, 2 * s.dim, s.temperature, s.dropout
            )
        )
    return DIN(DINConfig(num_users, num_items, num_categories, dim=s.dim, activation=s.activation,
                         wide=s.wide))


def history_windows(
    items: np.ndarray, starts: np.ndarray, positions: np.ndarray, length: int
) -> np.ndarray:
    """[N, length]: the `length` items before `positions` and at or after `starts`, left-padded."""
    idx = positions[:, None] - length + np.arange(length)[None, :]
    valid = idx >= starts[:, None]
    return np.where(valid, items[np.clip(idx, 0, None)], PAD_ID)


class SequenceExamples:
    """SASRec examples: every train sequence cut into windows of `max_len + 1` items.

    Windows end at the newest item and every `stride` items before it (default `max_len`), and
    a window's targets are its last `stride` positions, so each train item but a user's first
    is a target exactly once per epoch (only the last `max_len + 1` items would leave 60% of
    MovieLens-100K's interactions unseen at max_len 50). With `stride < max_len` windows
    overlap and every target but a user's first `max_len - stride` reads at least
    `max_len - stride` earlier items, nearer the full window evaluation reads, for
    `max_len / stride` times the work an epoch. A batch is trimmed to its longest window: left
    padding costs nothing, and positions count from the newest item, so trimming does not
    change what the model sees.
    """

    def __init__(self, ds: RecDataset, max_len: int, stride: int = 0) -> None:
        self.stride = stride or max_len
        if not 0 < self.stride <= max_len:
            raise ConfigError(f"window stride {stride} is not in 1..max_len ({max_len})",
                              fix="set window_stride to 0 (= max_len) or a value up to max_len")
        train = ds.sequences(TRAIN)
        lengths = train.lengths()
        per_user = np.where(lengths >= 2, -(-(lengths - 1) // self.stride), 0)
        self.users = np.repeat(np.arange(len(lengths)), per_user)
        back = np.arange(len(self.users)) - np.repeat(np.cumsum(per_user) - per_user, per_user)
        ends = train.offsets[self.users] + lengths[self.users] - back * self.stride
        self.seqs = history_windows(train.items, train.offsets[self.users], ends, max_len + 1)
        self.num_examples = len(self.users)

    def batch(self, idx: torch.Tensor, device: torch.device) -> tuple[torch.Tensor, ...]:
        seq = self.seqs[idx.numpy()]
        width = max(int((seq > PAD_ID).sum(1).max()), 2)
        seq = torch.from_numpy(np.ascontiguousarray(seq[:, -width:])).to(device)
        inputs, targets = seq[:, :-1], seq[:, 1:].clone()
        targets[inputs == PAD_ID] = PAD_ID  # a user's first item: nothing to predict it from
        if targets.shape[1] > self.stride:  # earlier positions are another window's targets
            targets[:, : -self.stride] = PAD_ID
        return inputs, targets


class PairExamples:
    """(user, history, item[, label]) per train interaction; DIN gets sampled non-clicks too."""

    def __init__(self, ds: RecDataset, history_len: int, negatives: int = 0, seed: int = 0) -> None:
        train = ds.split == TRAIN
        self.user, self.item = ds.user[train], ds.item[train]
        self.starts = ds.sequences(TRAIN).offsets[self.user]
        self.positions = np.arange(len(self.item))
        self.history_len = history_len
        self.negatives = negatives
        self.num_items = ds.num_items
        self.seed = seed
        self.num_examples = len(self.item)

    def arrays(self, idx: np.ndarray, draw: int = 0) -> tuple[np.ndarray, ...]:
        """users, histories, candidates, labels for examples `idx` (+ their sampled negatives)."""
        hist = history_windows(self.item, self.starts[idx], self.positions[idx], self.history_len)
        users, cands, labels = self.user[idx], self.item[idx], np.ones(len(idx), dtype=np.float32)
        if self.negatives:
            rng = np.random.default_rng([self.seed, draw])
            neg = rng.integers(NUM_RESERVED, self.num_items, (len(idx), self.negatives))
            k = self.negatives + 1
            users, hist = np.repeat(users, k), np.repeat(hist, k, axis=0)
            cands = np.concatenate([cands[:, None], neg], 1).ravel()
            labels = np.tile(np.eye(1, k, dtype=np.float32).ravel(), len(idx))
        return users, hist, cands, labels

    def batch(self, idx: torch.Tensor, device: torch.device) -> tuple[torch.Tensor, ...]:
        users, hist, cands, labels = self.arrays(idx.numpy(), draw=int(idx[0]))
        out = (users, hist, cands, labels) if self.negatives else (users, hist, cands)
        return tuple(torch.from_numpy(np.ascontiguousarray(a)).to(device) for a in out)


def make_examples(s: ModelSettings, ds: RecDataset, history_len: int, negatives: int, seed: int,
                  stride: int = 0):
    if s.kind in SEQUENTIAL:
        return SequenceExamples(ds, s.max_len, stride)
    return PairExamples(ds, history_len, negatives if s.kind == "din" else 0, seed)


class ModelScorer:
    """Full-ranking scores from a sequential model or two-tower: user vector @ every item vector."""

    def __init__(
        self,
        model: torch.nn.Module,
        kind: str,
        history_len: int,
        device: torch.device,
        name: str | None = None,
    ) -> None:
        self.name = name or kind
        self.model = model.eval()
        self.kind = kind
        self.history_len = history_len
        self.device = device
        with torch.no_grad():
            self.items = model.item_vectors().float()

    def user_vectors(self, users: np.ndarray, history: Sequences) -> torch.Tensor:
        hist = torch.from_numpy(windows(history, users, self.history_len)).to(self.device)
        with torch.no_grad():
            if self.kind in SEQUENTIAL:
                return self.model.user_vector(hist).float()
            users_t = torch.from_numpy(np.asarray(users, dtype=np.int64)).to(self.device)
            return self.model.user_tower(users_t, hist).float()

    def score(self, users: np.ndarray, history: Sequences) -> torch.Tensor:
        return self.user_vectors(users, history) @ self.items.T


@dataclass
class Impressions:
    """Held-out CTR impressions: one click (the target) and `negatives` non-clicks per user."""

    users: np.ndarray
    history: np.ndarray  # [N, history_len]
    candidates: np.ndarray
    labels: np.ndarray


def eval_impressions(
    view: EvalView, num_items: int, history_len: int, negatives: int, seed: int = 0
) -> Impressions:
    users = view.users
    targets = view.targets.items[view.targets.offsets[users]]  # first target per user
    hist = windows(view.history, users, history_len)
    rng = np.random.default_rng([seed, 7])
    neg = rng.integers(NUM_RESERVED, num_items, (len(users), negatives))
    k = negatives + 1
    return Impressions(
        np.repeat(users, k),
        np.repeat(hist, k, axis=0),
        np.concatenate([targets[:, None], neg], 1).ravel(),
        np.tile(np.eye(1, k, dtype=np.float32).ravel(), len(users)),
    )


def din_scores(
    model: DIN, imp: Impressions, device: torch.device, batch_size: int = 4096
) -> np.ndarray:
    model.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(imp.users), batch_size):
            sl = slice(s, s + batch_size)
            args = (
                torch.from_numpy(a[sl]).to(device) for a in (imp.users, imp.history, imp.candidates)
            )
            out.append(model(*args).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)
