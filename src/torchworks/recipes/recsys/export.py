"""Serving bundle: towers/rankers as TorchScript and ONNX, parity-checked, plus the item index.

A bundle directory (what `torchworks rec export` writes and `rec-recommend` serves)::

    retrieval.pt                    checkpoint of the retrieval model (two-tower or SASRec)
    user_encoder.ts / .onnx         user side: (users, history) or (history) -> [B, dim]
    item_index.pt                   item vectors [num_items, dim] (see index.py)
    fused bundles (several checkpoints or an EASE weight; fused_query.py serves them):
    retrieval-1.pt ...              the other members (retrieval.pt is the first)
    user_encoder-1.ts / .onnx ...   their user sides
    item_index.pt                   the members' item vectors side by side [num_items, sum dims]
    fusion.json                     members, weights, EASE weight, normalisation (z)
    ease.npy                        EASE's [num_items, num_items] B, with an EASE weight
    ranker.pt, ranker.ts / .onnx    optional DIN reranker: (users, history, candidates) -> logits
    user_history.npy                [num_users, history_len] int32: each user's latest items
    seen.npz                        every item each user interacted with (never recommended)
    users.vocab.json items.vocab.json categories.vocab.json item_category.npy
    parity.json                     max |exported - eager| per file, on a batch the trace never saw

ONNX uses the TorchScript-based exporter (`dynamo=False`): it handles the attention mask and
exports in seconds; the batch dimension is dynamic, the history length fixed.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from torchworks.atomic import atomic_path, write_json
from torchworks.errors import DataError, require
from torchworks.recipes.recsys.baselines import EASE
from torchworks.recipes.recsys.data import RecDataset, load_dataset
from torchworks.recipes.recsys.fused_query import (
    EASE_FILE,
    FUSION_FILE,
    FusionSpec,
    check_ease_size,
    check_fusion,
    save_ease,
)
from torchworks.recipes.recsys.fusion import blend_weights
from torchworks.recipes.recsys.index import SearchOptions, save_index
from torchworks.recipes.recsys.members import load_members
from torchworks.recipes.recsys.seen import SeenSets
from torchworks.recipes.recsys.sequences import windows
from torchworks.recipes.recsys.split import TEST
from torchworks.recipes.recsys.tasks import SEQUENTIAL
from torchworks.recipes.recsys.train import TrainedModel, load_trained
from torchworks.recipes.recsys.vocab import NUM_RESERVED

DATA_FILES = ("users.vocab.json", "items.vocab.json", "categories.vocab.json", "item_category.npy")


class UserEncoder(torch.nn.Module):
    """One signature for both retrieval models: (users [B], history [B, L]) -> [B, dim]."""

    def __init__(self, trained: TrainedModel) -> None:
        super().__init__()
        self.model = trained.model
        self.sasrec = trained.settings.kind in SEQUENTIAL

    def forward(self, users: torch.Tensor, history: torch.Tensor) -> torch.Tensor:
        if self.sasrec:
            return self.model.user_vector(history)
        return self.model.user_tower(users, history)


@dataclass
class Parity:
    file: str
    max_abs_diff: float
    ok: bool


def export_bundle(
    retrieval_ckpt: str | Path | Sequence[str | Path],
    data_dir: str | Path,
    out_dir: str | Path,
    ranker_ckpt: str | Path | None = None,
    onnx: bool = True,
    tolerance: float = 1e-4,
    index: SearchOptions | None = None,
    ease_weight: float = 0.0,
    fusion: str = "z",
    history_split: int = TEST,
) -> list[Parity]:
    """Write the bundle; raise if an exported file disagrees with eager PyTorch past `tolerance`.

    `index` is how the service searches the item vectors (exact by default; saved in the index).
    Several checkpoints, or an `ease_weight`, make a fused bundle that serves the ranking of
    `rec eval CKPT ... --ease-weight W --fusion z`; one checkpoint alone writes the plain
    bundle. The histories (model input, masked items, EASE) hold the splits up to
    `history_split`: TEST (everything) to serve, TRAIN to check the service against
    `rec eval --split valid`.
    """
    paths = [retrieval_ckpt] if isinstance(retrieval_ckpt, (str, Path)) else list(retrieval_ckpt)
    index = index or SearchOptions()
    weights = blend_weights(len(paths), ease_weight)  # a negative or NaN weight is refused
    fused = len(paths) > 1 or ease_weight > 0
    if fused:
        check_fusion(fusion, ease_weight, index.kind)
    out, data = Path(out_dir), Path(data_dir)
    for name in DATA_FILES:
        if not (data / name).is_file():
            raise DataError(
                f"{data / name} is missing", fix="pass the dataset dir the model was trained on"
            )
    ds = load_dataset(data)
    members = _members(paths, ds)
    if ease_weight > 0:
        check_ease_size(ds.num_items)
    out.mkdir(parents=True, exist_ok=True)  # nothing is written before every check passed
    _remove_fused_parts(out)
    for name in DATA_FILES:
        shutil.copy2(data / name, out / name)
    names = ["retrieval.pt", *(f"retrieval-{m}.pt" for m in range(1, len(paths)))]
    for path, name in zip(paths, names, strict=True):
        shutil.copy2(path, out / name)
    trained = members[0]
    num_users, num_items = trained.num_users, trained.num_items
    history_len = max(m.history_len for m in members)
    seqs = ds.sequences(history_split)
    history = windows(seqs, np.arange(ds.num_users), history_len)
    with atomic_path(out / "user_history.npy") as tmp, tmp.open("wb") as handle:
        np.save(handle, history.astype(np.int32))
    SeenSets.from_sequences(seqs).save(out / "seen.npz")
    with torch.no_grad():
        vectors = torch.cat([m.model.item_vectors().float() for m in members], 1)
    save_index(out / "item_index.pt", vectors, index)
    results = []
    for member, name in zip(members, names, strict=True):
        results += _export(
            UserEncoder(member).eval(),
            _examples(num_users, num_items, member.history_len, 0),
            _examples(num_users, num_items, member.history_len, 1),
            out / name.replace("retrieval", "user_encoder").removesuffix(".pt"),
            ["users", "history"],
            onnx,
            tolerance,
        )
    if fused:
        FusionSpec(names, weights[: len(members)], ease_weight, fusion).save(out)
        if ease_weight > 0:
            save_ease(out, EASE(seqs, ds.num_items).weights)
    if ranker_ckpt is not None:
        shutil.copy2(ranker_ckpt, out / "ranker.pt")
        ranker = load_trained(ranker_ckpt)
        shape = (ranker.num_users, ranker.num_items, ranker.history_len)
        results += _export(
            ranker.model,
            (*_examples(*shape, 2), _candidates(ranker.num_items, 4, 2)),
            (*_examples(*shape, 3), _candidates(ranker.num_items, 7, 3)),
            out / "ranker",
            ["users", "history", "candidates"],
            onnx,
            tolerance,
        )
    write_json(out / "parity.json", [asdict(r) for r in results])
    bad = [r for r in results if not r.ok]
    if bad:
        raise DataError(
            f"exported files disagree with PyTorch: {bad}",
            fix="report this; serve the checkpoint (retrieval.pt) instead",
        )
    return results


def _members(paths: list[str | Path], ds: RecDataset) -> list[TrainedModel]:
    """Every checkpoint as a retrieval model on `ds`'s vocabularies (members.py refuses a mix);
    DIN scores impressions, not the catalogue, so it cannot be exported for retrieval."""
    members = load_members(paths, ds)
    if any(m.settings.kind == "din" for m in members):
        raise DataError(
            "a DIN checkpoint cannot retrieve",
            fix="pass it as --ranker, with a two-tower or SASRec checkpoint for retrieval",
        )
    return members


def _remove_fused_parts(out: Path) -> None:
    """Drop a fused export's files from an earlier export into `out`: a plain bundle written
    over a fused one would otherwise load as the old ensemble (fusion.json decides)."""
    for pattern in (FUSION_FILE, EASE_FILE, "retrieval-*.pt", "user_encoder-*"):
        for path in out.glob(pattern):
            path.unlink()


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _candidates(num_items: int, batch: int, seed: int) -> torch.Tensor:
    return torch.randint(NUM_RESERVED, num_items, (batch,), generator=_gen(seed + 100))


def _examples(
    num_users: int, num_items: int, length: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch with mixed history lengths (some empty), different per seed and batch size."""
    gen, batch = _gen(seed), 4 if seed % 2 == 0 else 7
    users = torch.randint(0, num_users, (batch,), generator=gen)
    history = torch.randint(NUM_RESERVED, num_items, (batch, length), generator=gen)
    keep = torch.randint(0, length + 1, (batch, 1), generator=gen)
    history[torch.arange(length)[None, :] < length - keep] = 0
    return users, history


def _export(
    module: torch.nn.Module,
    trace_inputs: tuple[torch.Tensor, ...],
    check_inputs: tuple[torch.Tensor, ...],
    stem: Path,
    names: list[str],
    onnx: bool,
    tolerance: float = 1e-4,
) -> list[Parity]:
    module.eval()
    with torch.no_grad():
        expected = module(*check_inputs).numpy()
        traced = torch.jit.trace(module, trace_inputs)
    with atomic_path(stem.with_suffix(".ts")) as tmp:
        traced.save(str(tmp))
    loaded = torch.jit.load(str(stem.with_suffix(".ts")))
    with torch.no_grad():
        diff = float(np.abs(loaded(*check_inputs).numpy() - expected).max())
    results = [Parity(stem.with_suffix(".ts").name, diff, diff <= tolerance)]
    if onnx:
        ort = require("onnxruntime", "export")
        require("onnx", "export")
        with atomic_path(stem.with_suffix(".onnx")) as tmp:
            torch.onnx.export(
                module,
                trace_inputs,
                str(tmp),
                input_names=names,
                output_names=["output"],
                dynamic_axes={n: {0: "batch"} for n in [*names, "output"]},
                dynamo=False,
            )
        module.eval()  # the exporter restores the mode the module had before; keep eval for checks
        session = ort.InferenceSession(
            str(stem.with_suffix(".onnx")), providers=["CPUExecutionProvider"]
        )
        feed = {n: t.numpy() for n, t in zip(names, check_inputs, strict=True)}
        # an input the graph does not read (SASRec ignores user ids) is pruned from the ONNX graph
        got = session.run(None, {i.name: feed[i.name] for i in session.get_inputs()})[0]
        diff = float(np.abs(got - expected).max())
        results.append(Parity(stem.with_suffix(".onnx").name, diff, diff <= tolerance))
    return results
