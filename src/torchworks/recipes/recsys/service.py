"""`POST /v1/rec/recommend`: user id and/or recent items -> top-K items, optional DIN rerank.

Per batch of requests: one user-encoder forward for all of them, one masked top-K over the item
index (see index.py: every item the user ever interacted with, from the bundle's seen sets, plus
the request's `recent_items`, is set to -inf inside the score matrix before the top-K); a fused
bundle (several checkpoints, EASE) runs each member's encoder and still one search, over the
members' item vectors side by side (fused_query.py: its scores are `rec eval`'s fused ones), and,
when asked and the bundle has a ranker, one DIN forward over every (request, candidate) pair of
the retrieved pool. Results leave the tensors with one `.tolist()` per batch and become plain
dicts (`predict`), or, for the server, each answer's JSON built with no per-item object at all
(`predict_json`). User and item ids are strings or integers, as the log had
them (`123` and `"123"` are the same user); unknown users take the OOV id, unknown items are
ignored.

Model versions are bundles written by `torchworks rec export`, checked for consistency at load
(bundle.py): a bundle whose parts disagree is refused and the previous version keeps serving.
With no version published, the embedded default trains a small two-tower on a synthetic log
in-process (seconds, once: the bundle is kept in the user's cache), so the endpoint works out
of the box; its recommendations are for trying the API, not for users.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from pydantic import BaseModel, Field, StrictInt, model_validator
from pydantic_core import to_json
from typing_extensions import TypedDict

from torchworks.recipes.recsys.bundle import load_bundle
from torchworks.recipes.recsys.fused_query import FusedQuery, user_vectors
from torchworks.recipes.recsys.index import NEG_INF, SearchOptions
from torchworks.recipes.recsys.vocab import NUM_RESERVED
from torchworks.serving.service import EncodedJson, ServiceSpec

MAX_RECENT = 200
RERANK_POOL = 100
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')  # what JSON must escape in a string
_FIRST_ITEM, _NEXT_ITEM, _SCORE = '{"item_id":"', '},{"item_id":"', '","score":'
_TAILS = {
    (known, reranked): f'],"known_user":{json.dumps(known)},"reranked":{json.dumps(reranked)}}}'
    .encode()
    for known in (False, True)
    for reranked in (False, True)
}


class RecommendRequest(BaseModel):
    user_id: str | StrictInt | None = Field(
        None, description="known user id (string or integer, as in the log); unknown ids use "
        "recent_items only"
    )
    recent_items: list[str | StrictInt] = Field(
        default_factory=list,
        max_length=MAX_RECENT,
        description="item ids the user just interacted with, oldest first",
    )
    k: int = Field(10, ge=1, le=1000, description="how many items to return")
    rerank: bool = Field(
        False, description="rerank the retrieved pool with DIN (if the model has one)"
    )

    @model_validator(mode="after")
    def _needs_someone(self) -> RecommendRequest:
        if self.user_id is None and not self.recent_items:
            raise ValueError("give user_id, recent_items, or both")
        return self


class ScoredItem(TypedDict):
    item_id: str
    score: float


class RecommendResponse(BaseModel):
    items: list[ScoredItem] = Field(
        description="best first; never an item the user already interacted with"
    )
    known_user: bool
    reranked: bool


class RecPredictor:
    """One bundle loaded for serving (eager PyTorch on CPU; exports are for other runtimes)."""

    def __init__(self, bundle: Path, options: SearchOptions | None = None) -> None:
        parts = load_bundle(Path(bundle), options)
        self.retrieval, self.ranker = parts.retrieval, parts.ranker
        self.users, self.items, self.index = parts.users, parts.items, parts.index
        self.user_history, self.seen = parts.user_history, parts.seen
        self.fused = None if parts.fusion is None else FusedQuery(
            parts.members, parts.fusion, self.index.vectors, parts.ease
        )
        self._names = [""] * NUM_RESERVED + self.items.keys  # id -> item id, one list lookup
        # id -> item id as it goes inside a JSON string (the same str unless it needs escapes)
        self._json_names = [
            json.dumps(n, ensure_ascii=False)[1:-1] if _NEEDS_ESCAPE.search(n) else n
            for n in self._names
        ]

    def predict(self, batch: Sequence[RecommendRequest]) -> list[RecommendResponse | Exception]:
        names = self._names
        return [
            RecommendResponse.model_construct(
                items=[{"item_id": names[i], "score": s} for s, i in zip(scores, ids, strict=True)],
                known_user=known,
                reranked=reranked,
            )
            for scores, ids, known, reranked in self._answers(batch)
        ]

    def predict_json(self, batch: Sequence[RecommendRequest]) -> list[EncodedJson | Exception]:
        """The answers of `predict` as JSON bodies (what the server sends), each built by a
        few C-level list operations: the scores of a row formatted by one pydantic-core call,
        interleaved with the escaped item names by slice assignment, one join. Building 100
        item dicts per answer and serializing them again cost ~2.5x this (measured at top-100,
        batch 32)."""
        names = self._json_names
        out: list[EncodedJson | Exception] = []
        for scores, ids, known, reranked in self._answers(batch):
            tail = _TAILS[known, reranked]
            if not ids:
                out.append(EncodedJson(b'{"items":[' + tail))
                continue
            parts = [_NEXT_ITEM, None, _SCORE, None] * len(ids)
            parts[0] = _FIRST_ITEM
            parts[1::4] = map(names.__getitem__, ids)
            parts[3::4] = to_json(scores).decode()[1:-1].split(",")
            out.append(EncodedJson(('{"items":[' + "".join(parts) + "}").encode() + tail))
        return out

    def _answers(
        self, batch: Sequence[RecommendRequest]
    ) -> list[tuple[list[float], list[int], bool, bool]]:
        """Per request: scores and item ids best first (only real items), known user, reranked."""
        users = self.users.encode([r.user_id if r.user_id is not None else "" for r in batch])
        known = users >= NUM_RESERVED
        hist, recent = self._histories(users, batch)
        rows, cols = self._banned(users, known, recent)
        rerank = self.ranker is not None and any(r.rerank for r in batch)
        pool = max(max(r.k for r in batch), RERANK_POOL if rerank else 0)
        with torch.no_grad():
            users_t = torch.from_numpy(users)
            hist_t = torch.from_numpy(hist)
            if self.fused is None:
                query = user_vectors(self.retrieval, users_t, hist_t)
                scores, ids = self.index.search(query, pool, (rows, cols))
            else:
                query, extra, shift = self.fused.encode(users_t, hist_t, rows, cols)
                scores, ids = self.index.search(query, pool, (rows, cols), extra)
                scores += shift[:, None]  # the fused z-scores (-inf slots stay -inf)
            ranked = self._rerank(users_t, hist, scores, ids) if rerank else None
        plain = self._rows(scores, ids)
        again = self._rows(*ranked) if ranked is not None else plain
        out = []
        for row, request in enumerate(batch):
            reranked = request.rerank and ranked is not None
            row_scores, row_ids, found = (part[row] for part in (again if reranked else plain))
            take = min(request.k, found)  # -inf slots (nothing left to return) sort last
            out.append((row_scores[:take], row_ids[:take], bool(known[row]), reranked))
        return out

    @staticmethod
    def _rows(scores: torch.Tensor, ids: torch.Tensor) -> tuple[list, list, list]:
        """Python lists of each row's scores, ids and count of real (finite) slots: one
        `.tolist()` per tensor, no per-item conversions."""
        found = (scores != NEG_INF).sum(1)
        return scores.tolist(), ids.tolist(), found.tolist()

    def _histories(
        self, users: np.ndarray, batch: Sequence[RecommendRequest]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """[B, history_len] model input (stored window + recent items) and each row's recent ids."""
        hist = self.user_history[users]
        recent = [self._encode_recent(r.recent_items) for r in batch]
        length = hist.shape[1]
        for row, fresh in enumerate(recent):
            if len(fresh):
                stored = hist[row][hist[row] > 0]
                seq = np.concatenate([stored, fresh])[-length:]
                hist[row] = 0
                hist[row, length - len(seq) :] = seq
        return hist, recent

    def _encode_recent(self, keys: list[str | int]) -> np.ndarray:
        if not keys:
            return np.zeros(0, dtype=np.int64)
        ids = self.items.encode(keys)
        return ids[ids >= NUM_RESERVED]  # unknown items carry nothing

    def _banned(
        self, users: np.ndarray, known: np.ndarray, recent: list[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(row, item) pairs never to return: the whole seen set of each user + recent items;
        unique (a fused bundle's moments count each once), rows ascending."""
        rows, cols = self.seen.pairs(np.where(known, users, 0))
        lengths = [len(r) for r in recent]
        if sum(lengths):
            rows = np.concatenate([rows, np.repeat(np.arange(len(recent)), lengths)])
            cols = np.concatenate([cols, *recent])
            width = len(self._names)
            keys = np.unique(rows * width + cols)
            rows, cols = keys // width, keys % width
        return rows, cols

    def _rerank(
        self, users: torch.Tensor, hist: np.ndarray, scores: torch.Tensor, ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """DIN logits for the retrieved pool, best first; items retrieval left out stay out."""
        assert self.ranker is not None
        length = self.ranker.history_len
        window = np.zeros((len(hist), length), dtype=np.int64)
        take = min(length, hist.shape[1])
        window[:, length - take :] = hist[:, hist.shape[1] - take :]
        b, pool = ids.shape
        empty = scores == NEG_INF  # nothing left there: its id may be a padding row of the index
        logits = self.ranker.model(
            users.repeat_interleave(pool),
            torch.from_numpy(window).repeat_interleave(pool, 0),
            ids.masked_fill(empty, 0).reshape(-1),
        ).view(b, pool)
        logits = logits.float().masked_fill(empty, NEG_INF)
        top, order = logits.topk(pool, dim=1)
        return top, ids.gather(1, order)

    def warmup_request(self) -> RecommendRequest:
        return RecommendRequest(
            recent_items=self.items.keys[:3], k=5, rerank=self.ranker is not None
        )

    def close(self) -> None:
        self.index = None  # type: ignore[assignment]


def load(version_dir: Path | None) -> RecPredictor:
    if version_dir is not None:
        return RecPredictor(Path(version_dir))
    return RecPredictor(cached_demo_bundle())


def cached_demo_bundle() -> Path:
    """The embedded default's bundle, trained once per user into the cache (torchworks.cache),
    keyed by the torch version and this recipe's code: a change to either trains it anew."""
    import hashlib
    import shutil

    from torchworks.cache import cached_folder, input_key

    code = hashlib.sha256()
    for source in sorted(Path(__file__).parent.rglob("*.py")):
        code.update(source.read_bytes())

    def build(folder: Path) -> dict[str, object]:
        with tempfile.TemporaryDirectory(prefix="torchworks-rec-demo-") as tmp:
            shutil.copytree(demo_bundle(Path(tmp)), folder, dirs_exist_ok=True)
        return {"built_by": "torchworks.recipes.recsys.service.demo_bundle"}

    return cached_folder("rec-demo-bundle", input_key(torch.__version__, code.hexdigest()), build)


def demo_bundle(work: Path, users: int = 300, items: int = 400, epochs: int = 3) -> Path:
    """Train a small two-tower on a synthetic log and export it: the embedded default."""
    from torchworks.recipes.recsys.config import RecTrainConfig
    from torchworks.recipes.recsys.data import build_dataset, save_dataset
    from torchworks.recipes.recsys.export import export_bundle
    from torchworks.recipes.recsys.readers import BadRows, LogTable
    from torchworks.recipes.recsys.synth import SynthConfig, generate
    from torchworks.recipes.recsys.train import train

    log = generate(SynthConfig(users=users, items=items, topics=10, mean_length=20))
    ds, report = build_dataset(LogTable(log, BadRows(), "synthetic", "synthetic"))
    save_dataset(ds, report, work / "data")
    cfg = RecTrainConfig(
        model="two-tower",
        data=work / "data",
        out=work / "run",
        epochs=epochs,
        batch_size=256,
        lr=3e-3,
        dim=32,
        device="cpu",
        amp="off",
        eval_every=epochs,
    )
    summary = train(cfg)
    export_bundle(summary.checkpoint, work / "data", work / "bundle", onnx=False)
    return work / "bundle"


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="rec-recommend",
        route="rec/recommend",
        request_type=RecommendRequest,
        response_type=RecommendResponse,
        load=load,
        max_batch_size=64,
        max_queue_delay_ms=2.0,
        timeout_s=10.0,
        description="top-K items for a user and/or recent items: two-tower or SASRec retrieval "
        "over an exact item index, optional DIN rerank",
    )
