"""Fixtures for the deployment tests. `entrypoint` runs docker/entrypoint.sh outside a
container, as the image would, and records what it execs.

The only fakes are the programs the entrypoint `exec`s into (jupyter, sshd, torchworks,
torchrun): each is a small script that writes its argv, environment and PID and exits with
$STANDIN_EXIT (default 0). Everything else is real: bash, coreutils, grep, ssh-keygen, python3.
PATH holds only those, so a system jupyter or sshd can never stand in by accident.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "docker" / "entrypoint.sh"
STANDINS = ("jupyter", "sshd", "torchworks", "torchrun")
REAL_TOOLS = ("bash", "env", "sed", "grep", "tr", "id", "mkdir", "chmod", "install", "cat",
              "ln", "readlink", "ssh-keygen", "sleep")

STANDIN = """#!/bin/bash
printf '%s\\0' "${0##*/}" "$@" > "$STANDIN_RECORD.argv"
env -0 > "$STANDIN_RECORD.env"
echo $$ > "$STANDIN_RECORD.pid"
exit "${STANDIN_EXIT:-0}"
"""


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    pid: int
    argv: list[str] | None  # what the stand-in was exec'd with; None if nothing was exec'd
    env: dict[str, str] | None
    standin_pid: int | None


class Harness:
    """A temp HOME, a PATH of real tools plus stand-ins, and a clean environment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.home.mkdir()
        self.bin = root / "bin"
        self.bin.mkdir()
        self.record = root / "record"
        for tool in REAL_TOOLS:
            found = shutil.which(tool)
            if found:
                (self.bin / tool).symlink_to(found)
        # The real interpreter (a pyenv shim or venv link may not run from another directory).
        (self.bin / "python3").symlink_to(os.path.realpath(sys.executable))
        for name in STANDINS:
            self.add_standin(name)
        self.base_env = {
            "PATH": str(self.bin),
            "HOME": str(self.home),
            "TORCHWORKS_RUN_DIR": str(root / "run"),
            "SSH_STATE_DIR": str(root / "ssh-state"),
            "STANDIN_RECORD": str(self.record),
        }

    def add_standin(self, name: str) -> None:
        path = self.bin / name
        path.write_text(STANDIN)
        path.chmod(0o755)

    def remove(self, name: str) -> None:
        (self.bin / name).unlink()

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        for suffix in (".argv", ".env", ".pid"):
            self.record.with_suffix(suffix).unlink(missing_ok=True)
        return subprocess.Popen([str(ENTRYPOINT), *args], env={**self.base_env, **(env or {})},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=self.root)

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 30) -> Run:
        proc = self.start(*args, env=env)
        stdout, stderr = proc.communicate(timeout=timeout)
        argv_file = Path(f"{self.record}.argv")
        argv = env_map = standin_pid = None
        if argv_file.exists():
            argv = argv_file.read_text().split("\0")[:-1]
            pairs = Path(f"{self.record}.env").read_text().split("\0")[:-1]
            env_map = dict(pair.split("=", 1) for pair in pairs)
            standin_pid = int(Path(f"{self.record}.pid").read_text())
        return Run(proc.returncode, stdout, stderr, proc.pid, argv, env_map, standin_pid)


@pytest.fixture
def entrypoint(tmp_path: Path) -> Harness:
    return Harness(tmp_path)
