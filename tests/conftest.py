"""Shared test set-up: markers, paths to the real sample data, GPU skipping, faked CPUs."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
PATENTS_DIR = SHARED_DATA / "patents"


def _cuda_available() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except Exception:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _cuda_available():
        return
    skip_gpu = pytest.mark.skip(reason="needs a CUDA GPU; none is visible to torch here")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)


# CPUs the suite must pass on, as /proc/cpuinfo flag sets (the relevant subset).
CPU_AVX2_ONLY = ("avx", "avx2", "fma", "f16c")  # AMD Zen 2/3, Intel Haswell..Comet Lake
CPU_AVX512_NO_BF16 = (*CPU_AVX2_ONLY, "avx512f", "avx512bw", "avx512vl", "avx512_vnni")  # Cascade
CPU_AVX512_BF16 = (*CPU_AVX512_NO_BF16, "avx512_bf16")  # AMD Zen 4/5, Intel Cooper Lake
CPU_AMX = (*CPU_AVX512_BF16, "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8")  # Sapphire R.
CPU_PROFILES = {"avx2-only": CPU_AVX2_ONLY, "avx512-no-bf16": CPU_AVX512_NO_BF16,
                "avx512-bf16": CPU_AVX512_BF16, "amx": CPU_AMX}


@pytest.fixture
def fake_cpu(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Pretend the CPU has `flags`: replaces only the probe's answer (env.cpu.cpu_features),
    so the code deciding on it runs for real. A CPU feature is the one thing that cannot be
    made to exist here."""
    from torchworks.env import cpu

    def pretend(flags: str | Sequence[str], architecture: str = "x86_64") -> Any:
        """`flags`: a name from CPU_PROFILES or the flags themselves."""
        chosen = CPU_PROFILES[flags] if isinstance(flags, str) else flags
        answer = cpu.CpuFeatures.from_flags(chosen, architecture, model="faked CPU",
                                            source="test")
        monkeypatch.setattr(cpu, "cpu_features", lambda: answer)
        return answer

    return pretend


@pytest.fixture(scope="session")
def patents_dir() -> Path:
    """The real US patent sample beside the repo (../shared/data/patents)."""
    if not PATENTS_DIR.is_dir():
        pytest.skip(f"patent sample not found at {PATENTS_DIR}")
    return PATENTS_DIR


@pytest.fixture(scope="session")
def tiny_texts(patents_dir: Path) -> list[str]:
    """Real patent text to train tiny tokenizers on."""
    rows = [json.loads(line) for line in (patents_dir / "patents.jsonl").open(encoding="utf-8")]
    return [r["description"][:4000] + " ".join(r["claims"])[:2000] for r in rows]


@pytest.fixture(scope="session")
def tiny_lm_dir(tmp_path_factory: pytest.TempPathFactory, tiny_texts: list[str]) -> Path:
    """A random-init Llama folder with a tokenizer trained on the patent sample, built once."""
    from torchworks.llm.tiny import build_tiny_lm

    return build_tiny_lm(tmp_path_factory.mktemp("tiny-llama"), tiny_texts)


@pytest.fixture(scope="session")
def tiny_lm(tiny_lm_dir: Path) -> Any:
    from torchworks.llm.load import load_causal_lm

    return load_causal_lm(tiny_lm_dir)


@pytest.fixture
def serve() -> Iterator[Callable[..., Any]]:
    """Start a real server on 127.0.0.1 hosting `specs`; hand back an httpx client once loaded."""
    import httpx

    from torchworks.serving.local import local_server

    with contextlib.ExitStack() as stack:

        def start(specs: Sequence[object], **config: object) -> httpx.Client:
            url = stack.enter_context(local_server(specs, **config))
            return stack.enter_context(httpx.Client(base_url=url, timeout=60))

        yield start


@pytest.fixture(scope="session", autouse=True)
def _own_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never read or write the user's cache (~/.cache/torchworks): one per session."""
    import os

    previous = os.environ.get("TORCHWORKS_CACHE")
    os.environ["TORCHWORKS_CACHE"] = str(tmp_path_factory.mktemp("torchworks-cache"))
    yield
    if previous is None:
        os.environ.pop("TORCHWORKS_CACHE", None)
    else:
        os.environ["TORCHWORKS_CACHE"] = previous
