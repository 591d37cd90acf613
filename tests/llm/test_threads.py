"""One thread count for every runtime, with a default that never oversubscribes a busy host."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from torchworks.llm import threads


def test_default_leaves_cores_other_processes_keep_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (6.0, 6.0, 6.0))  # a host busy elsewhere
    assert threads.default_threads() == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (0.1, 0.1, 0.1))  # an idle host
    assert threads.default_threads() == 2


def test_explicit_count_wins_and_is_applied_to_torch() -> None:
    before = torch.get_num_threads()
    try:
        assert threads.configure_threads(1) == 1
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_onnx_runtime_sessions_honour_the_thread_count(tiny_lm: object, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from torchworks.export.llm.build import build_variant
    from torchworks.llm.onnx_runtime import OnnxLM
    from torchworks.llm.variants import VARIANTS

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        built = build_variant(tiny_lm, VARIANTS["onnx"], tmp_path)  # type: ignore[arg-type]
        session = built.stepper.model.session  # type: ignore[attr-defined]
        assert session.get_session_options().intra_op_num_threads == 1
        assert built.folder is not None
        two = OnnxLM(built.folder, threads=2).session
        assert two.get_session_options().intra_op_num_threads == 2
    finally:
        torch.set_num_threads(before)
