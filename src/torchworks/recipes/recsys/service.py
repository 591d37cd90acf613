"""`POST /v1/rec/recommend`: user id and/or recent items -> top-K items, optional DIN rerank.

Per batch of requests: one user-encoder forward for all of them, one batched matmul top-K over
the item index (the user's known items excluded), and, when asked and the bundle has a ranker,
one DIN forward over every (request, candidate) pair of the retrieved pool. A user's stored
history (from the training data) is extended by the request's `recent_items`; unknown users
take the OOV id, unknown items are ignored.

Model versions are bundles written by `torchworks rec export`. With no version published, the
embedded default trains a small two-tower on a synthetic log in-process (seconds, once: the
bundle is kept in the user's cache), so the endpoint works out of the box; its recommendations
are for trying the API, not for users.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from pydantic import BaseModel, Field, model_validator

from torchworks.recipes.recsys.index import ItemIndex
from torchworks.recipes.recsys.sequences import left_pad
from torchworks.recipes.recsys.train import load_trained
from torchworks.recipes.recsys.vocab import NUM_RESERVED, PAD_ID, Vocab
from torchworks.serving.service import ServiceSpec

MAX_RECENT = 200
RERANK_POOL = 100


class RecommendRequest(BaseModel):
    user_id: str | None = Field(
        None, description="known user id; unknown ids use recent_items only"
    )
    recent_items: list[str] = Field(
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


class ScoredItem(BaseModel):
    item_id: str
    score: float


class RecommendResponse(BaseModel):
    items: list[ScoredItem]
    known_user: bool
    reranked: bool


class RecPredictor:
    """One bundle loaded for serving (eager PyTorch on CPU; exports are for other runtimes)."""

    def __init__(self, bundle: Path) -> None:
        self.retrieval = load_trained(bundle / "retrieval.pt")
        self.ranker = (
            load_trained(bundle / "ranker.pt") if (bundle / "ranker.pt").is_file() else None
        )
        self.users = Vocab.load(bundle / "users.vocab.json")
        self.items = Vocab.load(bundle / "items.vocab.json")
        self.index = ItemIndex.load(bundle / "item_index.pt")
        self.user_history = np.load(bundle / "user_history.npy").astype(np.int64)
        self.sasrec = self.retrieval.settings.kind == "sasrec"

    def predict(self, batch: Sequence[RecommendRequest]) -> list[RecommendResponse | Exception]:
        users = self.users.encode([r.user_id if r.user_id is not None else "" for r in batch])
        known = (users >= NUM_RESERVED) & (users < len(self.user_history))
        histories = [
            self._history(int(u) if ok else None, r.recent_items)
            for u, ok, r in zip(users, known, batch, strict=True)
        ]
        length = self.retrieval.history_len
        hist = torch.from_numpy(np.stack([left_pad(h, length) for h in histories]))
        users_t = torch.from_numpy(users)
        with torch.no_grad():
            model = self.retrieval.model
            query = model.user_vector(hist) if self.sasrec else model.user_tower(users_t, hist)
            pool = max(r.k for r in batch)
            if self.ranker is not None and any(r.rerank for r in batch):
                pool = max(pool, RERANK_POOL)
            scores, ids = self.index.search(query, pool, exclude=[h.tolist() for h in histories])
            if self.ranker is not None and any(r.rerank for r in batch):
                rerank_scores = self._rerank(users_t, histories, ids)
        out: list[RecommendResponse | Exception] = []
        for row, request in enumerate(batch):
            reranked = request.rerank and self.ranker is not None
            row_scores, row_ids = (
                (rerank_scores[row], ids[row]) if reranked else (scores[row], ids[row])
            )
            order = torch.argsort(row_scores, descending=True)[: request.k]
            names = self.items.decode(row_ids[order].tolist())
            out.append(
                RecommendResponse(
                    items=[
                        ScoredItem(item_id=n, score=float(s))
                        for n, s in zip(names, row_scores[order], strict=True)
                        if n
                    ],
                    known_user=bool(known[row]),
                    reranked=reranked,
                )
            )
        return out

    def _history(self, user: int | None, recent: list[str]) -> np.ndarray:
        stored = self.user_history[user] if user is not None else np.zeros(0, dtype=np.int64)
        fresh = self.items.encode(recent)
        fresh = fresh[fresh >= NUM_RESERVED]  # unknown items carry nothing
        seq = np.concatenate([stored[stored != PAD_ID], fresh])
        return seq[-self.retrieval.history_len :]

    def _rerank(
        self, users: torch.Tensor, histories: list[np.ndarray], ids: torch.Tensor
    ) -> torch.Tensor:
        assert self.ranker is not None
        length = self.ranker.history_len
        b, pool = ids.shape
        hist = torch.from_numpy(np.stack([left_pad(h, length) for h in histories]))
        logits = self.ranker.model(
            users.repeat_interleave(pool), hist.repeat_interleave(pool, 0), ids.reshape(-1)
        )
        return logits.view(b, pool)

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
