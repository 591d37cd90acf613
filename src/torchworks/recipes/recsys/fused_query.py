"""Serving a z-fused ensemble (what `rec eval CKPT CKPT ... --ease-weight W` ranks) with one search.

Why: z-fusion is affine per user. Member m's z-score of item i is (q_m.v_m(i) - mu_m) / sigma_m
over the user's candidates, so the fused score sum_m w_m z_m(i) equals
[w_1/sigma_1 q_1 | ... | w_M/sigma_M q_M] . [v_1(i) | ... | v_M(i)] - sum_m w_m mu_m/sigma_m:
the neural members are ONE concatenated item index (exact, bf16, int8 or IVF search unchanged)
queried once with a per-user scaled query. The mu terms are one constant per user, added back to
the returned scores so the service returns the very scores `fusion.FusedScorer` computes.

sigma_m and mu_m come from moments, not from the member's score row. Over the candidates C
(real items minus the banned set H: the whole history and the request's recent items)
    sum_C s = q.S - sum_H q.v_h        sum_C s^2 = q^T G q - sum_H (q.v_h)^2
with S and G the sum and Gram matrix of the member's real item vectors, computed once at load.
That is the exact sigma (float64) at O(d^2 + |H| d) per user and member instead of an O(N d)
score row, and it is what is served: the item covariance alone (sigma^2 ~ q^T Cov(V) q over the
whole catalogue, no history term) changed the top-10 order of 40.5% of ML-100K validation users
and the top-10 set of 9.7% (382 and 91 of 943; 5 SASRec seeds + EASE 0.1; NDCG@10 0.1550 vs
0.1542, within seed noise), so the service would no longer serve the ranking that was validated,
while the history term costs ~6% of a batch (100k items, batch 256, 5 x 64-d members, 100
banned items per user: one gather of |H| concatenated rows). The exact form served 0 differing
top-10 lists against `rec eval`'s FusedScorer (`benchmarks/rec_fused_check.py`).

EASE's part is the sum of B's rows over the user's history (H, as `baselines.EASE` reads the
whole history), added to the score matrix before the top-K at weight w_E / sigma_E (its exact
sigma over the candidates, from that dense row). B is a dense item x item matrix, so EASE is
allowed up to EASE_MAX_ITEMS items (`check_ease_size`).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from torchworks.atomic import atomic_path, write_json
from torchworks.errors import ConfigError, DataError
from torchworks.recipes.recsys.tasks import SEQUENTIAL
from torchworks.recipes.recsys.train import TrainedModel
from torchworks.recipes.recsys.vocab import NUM_RESERVED

FUSION_FILE = "fusion.json"
EASE_FILE = "ease.npy"
FORMAT = "torchworks.rec_fusion"
# B is [N, N] float32: 10,000 items = 400 MB, its float64 inverse at export ~1 CPU-minute, and
# each served batch adds a [batch, N] dense row block; past that, EASE is an offline model.
EASE_MAX_ITEMS = 10_000
MIN_SIGMA = 1e-12  # a constant row (no history for EASE) prefers nothing, as FusedScorer says


@dataclass
class FusionSpec:
    """fusion.json: which checkpoints of the bundle are fused and how (only z is affine)."""

    members: list[str]  # checkpoint files in the bundle; index columns follow this order
    weights: list[float]  # one per member: fractions of the whole, with ease_weight summing to 1
    ease_weight: float = 0.0
    how: str = "z"

    def save(self, directory: Path) -> None:
        write_json(directory / FUSION_FILE, {"format": FORMAT, **asdict(self)})

    @classmethod
    def load(cls, directory: Path) -> FusionSpec | None:
        """The bundle's fusion spec, or None for a one-model bundle (no fusion.json)."""
        path = directory / FUSION_FILE
        if not path.is_file():
            return None
        try:
            raw = json.loads(path.read_text())
            if raw.pop("format") != FORMAT:
                raise ValueError("not a torchworks fusion spec")
            spec = cls(**raw)
        except (ValueError, TypeError, KeyError) as exc:
            raise DataError(f"{path} is unreadable: {exc}",
                            fix="export the bundle again with `torchworks rec export`") from exc
        return spec


def check_fusion(how: str, ease_weight: float, index_kind: str) -> None:
    """Refuse, before any work, a fusion the served search cannot reproduce (the weight itself
    is checked by `fusion.blend_weights`)."""
    if how != "z":
        raise ConfigError(
            f"--fusion {how} cannot be served: only z-fusion is affine per user, so only it "
            "folds into one item-index search",
            fix="export with --fusion z (rank fusion stays an offline `rec eval` figure)",
        )
    if ease_weight > 0 and index_kind != "exact":
        raise ConfigError(
            f"EASE's dense part cannot be added to a {index_kind} index's candidates",
            fix="serve EASE with --index exact, or drop --ease-weight",
        )


def check_ease_size(num_items: int) -> None:
    if num_items > EASE_MAX_ITEMS:
        raise ConfigError(
            f"EASE needs a dense {num_items} x {num_items} item matrix; serving allows it up "
            f"to {EASE_MAX_ITEMS:,} items (EASE_MAX_ITEMS)",
            fix="drop --ease-weight and serve the neural members alone (their fusion has no "
            "size limit), or keep EASE as an offline `rec eval` blend",
        )


def user_vectors(member: TrainedModel, users: torch.Tensor, history: torch.Tensor) -> torch.Tensor:
    """The member's query [B, dim] from the stored windows (cut to its own history length)."""
    history = history[:, history.shape[1] - member.history_len :]
    if member.settings.kind in SEQUENTIAL:
        return member.model.user_vector(history)
    return member.model.user_tower(users, history)


class Moments:
    """Every member's item-vector sum and Gram matrix (over real items, once at load): each
    user's candidate score mean and std per member, without a score row."""

    def __init__(self, item_vectors: torch.Tensor, dims: list[int]) -> None:
        self.vectors = item_vectors.float().contiguous()  # [N, sum dims], the index's rows
        self.dims = torch.tensor(dims)
        real = self.vectors[NUM_RESERVED:].double()
        bounds = np.cumsum([0, *dims])
        self.total, self.count = real.sum(0), len(real)
        self.grams = [real[:, lo:hi].T @ real[:, lo:hi] for lo, hi in itertools.pairwise(bounds)]
        # [sum dims, members]: sums each member's columns of an elementwise product
        self.segments = torch.eye(len(dims)).repeat_interleave(self.dims, dim=0)

    def banned_scores(
        self, queries: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor
    ) -> torch.Tensor:
        """[pairs, members] float64: each member's score of each banned (row, item) pair, from
        one gather of the concatenated vectors (the cost is |H| x sum dims per batch)."""
        if bool((self.dims == self.dims[0]).all()):  # equal dims: one batched dot, ~2x faster
            shape = (len(rows), len(self.dims), int(self.dims[0]))
            both = queries[rows].view(shape), self.vectors[cols].view(shape)
            return torch.einsum("pmd,pmd->pm", *both).double()
        return ((queries[rows] * self.vectors[cols]) @ self.segments).double()

    def mean_std(
        self, queries: torch.Tensor, rows: torch.Tensor, banned: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, members] score mean and std over the real items minus the banned pairs (unique;
        `banned` from `banned_scores`). Float64: the second moment minus the squared mean
        cancels."""
        q = queries.double()
        b, members = len(q), len(self.grams)
        n = (self.count - torch.bincount(rows, minlength=b)).clamp(min=1).double()[:, None]
        first = (q * self.total) @ self.segments.double()
        parts = q.split(self.dims.tolist(), dim=1)
        second = torch.stack([((p @ g) * p).sum(1) for p, g in zip(parts, self.grams,
                                                                    strict=True)], 1)
        zeros = q.new_zeros(b, members)
        mean = (first - zeros.index_add(0, rows, banned)) / n
        second = (second - zeros.index_add(0, rows, banned.square())) / n
        return mean, (second - mean.square()).clamp(min=0).sqrt()


def _inverse(sigma: torch.Tensor) -> torch.Tensor:
    return torch.where(sigma > MIN_SIGMA, 1 / sigma.clamp(min=MIN_SIGMA), 0.0)


class FusedQuery:
    """Per batch: the scaled concatenated query, EASE's dense block and the per-user constant."""

    def __init__(
        self,
        members: list[TrainedModel],
        spec: FusionSpec,
        item_vectors: torch.Tensor,
        ease: torch.Tensor | None,
    ) -> None:
        self.members, self.spec, self.ease = members, spec, ease
        self.weights = torch.tensor(spec.weights, dtype=torch.float64)
        self.moments = Moments(item_vectors, [m.settings.dim for m in members])

    def encode(
        self, users: torch.Tensor, history: torch.Tensor, rows: np.ndarray, cols: np.ndarray
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """(query [B, sum dims] fp32, EASE's part [B, N] or None, constant [B]) such that
        query . item + EASE part + constant is the fused z-score of every candidate; (rows,
        cols) are the banned pairs, unique, rows ascending."""
        rows_t, cols_t = torch.from_numpy(rows), torch.from_numpy(cols)
        query = torch.cat([user_vectors(m, users, history).float() for m in self.members], 1)
        banned = self.moments.banned_scores(query, rows_t, cols_t)
        mean, std = self.moments.mean_std(query, rows_t, banned)
        scale = self.weights * _inverse(std)  # [B, members]
        shift = -(scale * mean).sum(1)
        query = query * scale.float().repeat_interleave(self.moments.dims, dim=1)
        extra = None
        if self.ease is not None and self.spec.ease_weight > 0:
            extra, ease_shift = self._ease(len(users), rows_t, cols_t)
            shift += ease_shift
        return query, extra, shift.float()

    def _ease(
        self, batch: int, rows: torch.Tensor, cols: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """EASE's weighted row block over the banned items (the history) and its constant."""
        assert self.ease is not None
        n = self.ease.shape[0]
        history = torch.sparse_coo_tensor(  # (rows, cols) are unique and sorted: coalesced
            torch.stack([rows, cols]), torch.ones(len(cols)), (batch, n), is_coalesced=True,
            check_invariants=False,
        )
        scores = (history @ self.ease).double()
        banned = scores[rows, cols]
        zeros = scores.new_zeros(batch)
        real = scores[:, NUM_RESERVED:]
        count = (n - NUM_RESERVED - zeros.index_add(0, rows, torch.ones_like(banned))).clamp(min=1)
        mean = (real.sum(1) - zeros.index_add(0, rows, banned)) / count
        second = (real.square().sum(1) - zeros.index_add(0, rows, banned.square())) / count
        scale = self.spec.ease_weight * _inverse((second - mean.square()).clamp(min=0).sqrt())
        return (scores * scale[:, None]).float(), -scale * mean


def save_ease(directory: Path, weights: torch.Tensor) -> None:
    with atomic_path(directory / EASE_FILE) as tmp, tmp.open("wb") as handle:
        np.save(handle, weights.float().numpy())
