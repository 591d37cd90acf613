"""Checkpoints: weights_only-safe, exact continuation, keep-last-N + best, and SIGKILL safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from torchworks.engine.checkpoint import (
    CHECKPOINT_FORMAT,
    CheckpointDir,
    build_state,
    load_checkpoint,
    restore_state,
    save_checkpoint,
)
from torchworks.engine.schedule import lr_schedule
from torchworks.errors import DataError


def _setup(seed: int = 0) -> tuple[torch.nn.Module, torch.optim.Optimizer, object]:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Dropout(0.3), torch.nn.Linear(8, 2))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    return model, optimizer, lr_schedule(optimizer, "cosine", total_steps=20, warmup_steps=3)


def _train(model, optimizer, scheduler, steps: int) -> None:
    for _ in range(steps):
        x = torch.randn(4, 5)  # draws from the global RNG, as augmentation would
        loss = model(x).pow(2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        scheduler.step()


def test_save_restore_continues_bitwise(tmp_path: Path) -> None:
    model, optimizer, scheduler = _setup()
    _train(model, optimizer, scheduler, 10)
    expected = [p.detach().clone() for p in model.parameters()]

    model, optimizer, scheduler = _setup()
    _train(model, optimizer, scheduler, 4)
    save_checkpoint(tmp_path / "c.pt", build_state(model, optimizer, step=4, epoch=0,
                                                   scheduler=scheduler))
    _train(model, optimizer, scheduler, 3)  # work lost to the "crash"

    model, optimizer, scheduler = _setup(seed=99)
    position = restore_state(load_checkpoint(tmp_path / "c.pt"), model, optimizer,
                             scheduler=scheduler)
    assert position.step == 4
    _train(model, optimizer, scheduler, 6)
    for got, want in zip(model.parameters(), expected, strict=True):
        assert torch.equal(got, want)


def test_checkpoint_has_versioned_keys_and_loads_weights_only(tmp_path: Path) -> None:
    model, optimizer, scheduler = _setup()
    save_checkpoint(tmp_path / "c.pt", build_state(model, optimizer, step=1, epoch=0,
                                                   scheduler=scheduler, metrics={"loss": 0.5},
                                                   extra={"config": {"lr": 0.01}}))
    state = torch.load(tmp_path / "c.pt", weights_only=True)
    assert state["format"] == CHECKPOINT_FORMAT and state["version"] == 1
    assert {"model", "optimizer", "scheduler", "scaler", "rng", "position", "metrics",
            "extra"} <= set(state)


def test_keep_last_n_and_best(tmp_path: Path) -> None:
    model, optimizer, _ = _setup()
    ckpts = CheckpointDir(tmp_path, keep_last=2, best_metric="acc", best_mode="max")
    for step, acc in [(1, 0.5), (2, 0.9), (3, 0.7), (4, 0.8)]:
        ckpts.save(build_state(model, optimizer, step=step, epoch=0, metrics={"acc": acc}))
    assert [p.name for p in ckpts.steps()] == ["step-00000003.pt", "step-00000004.pt"]
    assert load_checkpoint(ckpts.best_path)["position"]["step"] == 2


def test_torn_or_foreign_files_give_a_clear_error(tmp_path: Path) -> None:
    torn = tmp_path / "torn.pt"
    model, optimizer, _ = _setup()
    save_checkpoint(torn, build_state(model, optimizer, step=1, epoch=0))
    torn.write_bytes(torn.read_bytes()[:200])
    with pytest.raises(DataError, match=r"torn\.pt"):
        load_checkpoint(torn)
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(2)}, foreign)
    with pytest.raises(DataError, match="not a torchworks checkpoint"):
        load_checkpoint(foreign)
    with pytest.raises(DataError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pt")


WRITER = textwrap.dedent("""
    import sys
    import torch
    from torchworks.engine.checkpoint import CheckpointDir, build_state

    torch.set_num_threads(1)
    ckpts = CheckpointDir(sys.argv[1], keep_last=3, best_metric="loss")
    big = torch.nn.Module()
    big.weight = torch.nn.Parameter(torch.empty(64 << 20))  # 256 MiB: the write takes a while
    print("writing", flush=True)
    ckpts.save(build_state(big, None, step=2, epoch=0, metrics={"loss": 0.1}))
    print("finished", flush=True)
""")


def test_sigkill_during_write_leaves_previous_checkpoint_loadable(tmp_path: Path) -> None:
    model, optimizer, _ = _setup()
    ckpts = CheckpointDir(tmp_path, keep_last=3, best_metric="loss")
    ckpts.save(build_state(model, optimizer, step=1, epoch=0, metrics={"loss": 1.0}))
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        deadline = time.monotonic() + 60
        while not any(p.suffix == ".tmp" and p.stat().st_size > 0 for p in tmp_path.iterdir()):
            assert proc.poll() is None, "the writer finished before it could be killed"
            assert time.monotonic() < deadline, "no temp file appeared"
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    leftovers = [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    assert leftovers, "killed after the rename: the write was not interrupted"
    # the interrupted write did not replace anything; the last good checkpoint resumes
    assert ckpts.latest() == tmp_path / "step-00000001.pt"
    state = load_checkpoint(ckpts.latest())
    fresh, _, _ = _setup(seed=5)
    restore_state(state, fresh, restore_rng_state=False)
    for got, want in zip(fresh.parameters(), model.parameters(), strict=True):
        assert torch.equal(got, want)
    assert load_checkpoint(ckpts.best_path)["position"]["step"] == 1
