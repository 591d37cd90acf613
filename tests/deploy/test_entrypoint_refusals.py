"""Every refusal of docker/entrypoint.sh: exit 2, a message naming what is missing and a fix,
and nothing exec'd (no server ever starts listening without its secret)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

needs_ssh_keygen = pytest.mark.skipif(shutil.which("ssh-keygen") is None,
                                      reason="ssh-keygen (openssh-client) is not installed")


def _file(root: Path, name: str, text: str) -> str:
    path = root / name
    path.write_text(text)
    return str(path)


def _public_key(root: Path) -> str:
    key = root / "client_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return str(key.with_suffix(".pub"))


Setup = Callable[[Path], dict[str, str]]

# mode, what is missing or wrong -> environment, words the refusal must contain
REFUSALS: list[tuple[str, str, Setup, str]] = [
    ("jupyter", "no token, no hash", lambda r: {},
     "neither JUPYTER_TOKEN nor JUPYTER_PASSWORD_HASH is set"),
    ("jupyter", "empty token", lambda r: {"JUPYTER_TOKEN": ""},
     "JUPYTER_TOKEN is set but empty"),
    ("jupyter", "short token", lambda r: {"JUPYTER_TOKEN": "hunter2"},
     "JUPYTER_TOKEN has 7 characters"),
    ("jupyter", "plain password as hash", lambda r: {"JUPYTER_PASSWORD_HASH": "s3cret-password"},
     "JUPYTER_PASSWORD_HASH is not a Jupyter password hash"),
    ("jupyter", "token file missing", lambda r: {"JUPYTER_TOKEN_FILE": str(r / "nope")},
     "is not a readable file"),
    ("jupyter", "token file empty", lambda r: {"JUPYTER_TOKEN_FILE": _file(r, "tok", "\n")},
     "is empty"),
    ("ssh", "no authorized_keys", lambda r: {"SSH_AUTHORIZED_KEYS": str(r / "absent")},
     "no authorized_keys at"),
    ("ssh", "private key mounted", lambda r: {"SSH_AUTHORIZED_KEYS": _file(
        r, "id", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n")},
     "holds a private key"),
    ("ssh", "no key lines", lambda r: {"SSH_AUTHORIZED_KEYS": _file(r, "ak", "# nobody yet\n")},
     "holds no public key lines"),
    ("serve", "no API key file", lambda r: {"TORCHWORKS_API_KEY_FILE": str(r / "absent")},
     "no API key file at"),
    ("serve", "key file without keys", lambda r: {
        "TORCHWORKS_API_KEY_FILE": _file(r, "keys", "# no keys yet\n\n")},
     "holds no keys"),
    ("serve", "key file is a directory", lambda r: {"TORCHWORKS_API_KEY_FILE": str(r)},
     "is not a readable file"),
    ("serve", "open mode off loopback", lambda r: {
        "TORCHWORKS_SERVE_OPEN": "1", "TORCHWORKS_HOST": "0.0.0.0"},
     "allowed on loopback only"),
]


@pytest.mark.parametrize(("mode", "case", "setup", "message"), REFUSALS,
                         ids=[f"{m}: {c}" for m, c, _, _ in REFUSALS])
def test_refuses_without_its_secret(entrypoint, mode, case, setup, message):
    run = entrypoint.run(mode, env=setup(entrypoint.root))
    assert run.returncode == 2
    assert f"refusing to start {mode}: " in run.stderr
    assert message in run.stderr
    assert "  fix: " in run.stderr
    assert run.argv is None, f"{mode} exec'd {run.argv} despite: {case}"


def test_jupyter_refusal_says_how_to_make_a_token_and_a_hash(entrypoint):
    stderr = entrypoint.run("jupyter").stderr
    assert "secrets.token_urlsafe(32)" in stderr
    assert "from jupyter_server.auth import passwd; print(passwd())" in stderr


@needs_ssh_keygen
def test_ssh_refuses_when_the_host_key_directory_cannot_be_made(entrypoint):
    blocker = entrypoint.root / "a-file"
    blocker.write_text("")
    env = {"SSH_AUTHORIZED_KEYS": _public_key(entrypoint.root),
           "SSH_STATE_DIR": str(blocker / "ssh")}
    run = entrypoint.run("ssh", env=env)
    assert run.returncode == 2
    assert "host key directory" in run.stderr and "is not writable" in run.stderr
    assert run.argv is None


@needs_ssh_keygen
def test_ssh_refuses_when_sshd_is_absent(entrypoint):
    entrypoint.remove("sshd")
    run = entrypoint.run("ssh", env={"SSH_AUTHORIZED_KEYS": _public_key(entrypoint.root)})
    assert run.returncode == 2
    assert "sshd is not installed" in run.stderr


def test_unknown_mode_lists_the_modes(entrypoint):
    run = entrypoint.run("notebook")
    assert run.returncode == 2
    assert "unknown mode 'notebook'" in run.stderr
    for mode in ("jupyter", "ssh", "serve", "train", "torchrun", "doctor", "shell"):
        assert f"    {mode} " in run.stderr
    assert run.argv is None


def test_help_lists_the_modes_and_succeeds(entrypoint):
    run = entrypoint.run("help")
    assert run.returncode == 0
    assert "jupyter" in run.stdout and "serve" in run.stdout
