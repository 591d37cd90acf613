"""What docker/entrypoint.sh execs in each mode: the exact argv, secrets kept off argv, and the
same PID as the entrypoint (exec, not a child), so tini's signals reach the real process."""

from __future__ import annotations

import http.server
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest

from torchworks.cli import build_parser
from torchworks.serving.auth import new_key

TOKEN = "c2VjcmV0LXRva2VuLWZvci10ZXN0cw"
# The shape jupyter_server.auth.passwd() prints (argon2id); its $ signs must survive intact.
ARGON2 = "argon2:$argon2id$v=19$m=10240,t=10,p=8$pQOsBIy4LUKtMKSzPvVbrA$lBe4PvLZYbXRjgN2nKpJ4Q"


def _execd(run, name):
    assert run.returncode == 0, run.stderr
    assert run.argv is not None and run.argv[0] == name
    assert run.standin_pid == run.pid, "the entrypoint must exec, not fork, its main process"
    return run.argv[1:]


def test_jupyter_with_a_token_binds_loopback_and_keeps_the_token_off_argv(entrypoint):
    run = entrypoint.run("jupyter", env={"JUPYTER_TOKEN": TOKEN})
    assert _execd(run, "jupyter") == [
        "lab", "--no-browser", "--ip=127.0.0.1", "--port=8888", "--ServerApp.root_dir=/workspace",
        "--PasswordIdentityProvider.allow_password_change=False"]
    assert run.env["JUPYTER_TOKEN"] == TOKEN


def test_jupyter_with_a_password_hash_binds_where_told_and_passes_args_through(entrypoint):
    env = {"JUPYTER_PASSWORD_HASH": ARGON2, "TORCHWORKS_HOST": "0.0.0.0", "JUPYTER_PORT": "9999"}
    run = entrypoint.run("jupyter", "--ServerApp.log_level=DEBUG", env=env)
    assert _execd(run, "jupyter") == [
        "lab", "--no-browser", "--ip=0.0.0.0", "--port=9999", "--ServerApp.root_dir=/workspace",
        "--PasswordIdentityProvider.allow_password_change=False",
        f"--PasswordIdentityProvider.hashed_password={ARGON2}", "--ServerApp.log_level=DEBUG"]
    assert "JUPYTER_TOKEN" not in run.env


def test_jupyter_reads_the_token_from_a_secret_file(entrypoint):
    token_file = entrypoint.root / "jupyter_token"
    token_file.write_text(TOKEN + "\n")
    run = entrypoint.run("jupyter", env={"JUPYTER_TOKEN_FILE": str(token_file)})
    args = _execd(run, "jupyter")
    assert run.env["JUPYTER_TOKEN"] == TOKEN
    assert not any(TOKEN in arg for arg in args)


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_ssh_is_key_only_and_makes_host_keys_once_into_the_volume(entrypoint):
    client = entrypoint.root / "client"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(client)], check=True)
    env = {"SSH_AUTHORIZED_KEYS": f"{client}.pub"}
    state = entrypoint.root / "ssh-state"

    run = entrypoint.run("ssh", env=env)
    config = state / "sshd_config"
    assert _execd(run, "sshd") == ["-D", "-e", "-f", str(config)]
    lines = set(config.read_text().splitlines())
    assert {"PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin no",
            "AuthenticationMethods publickey", "PermitEmptyPasswords no", "ListenAddress 127.0.0.1",
            "Port 2222", f"AuthorizedKeysFile {state}/authorized_keys"} <= lines
    assert (state / "authorized_keys").read_text() == client.with_suffix(".pub").read_text()
    assert (state / "authorized_keys").stat().st_mode & 0o777 == 0o600
    host_key = state / "ssh_host_ed25519_key"
    assert host_key.stat().st_mode & 0o777 == 0o600
    first = host_key.read_bytes()
    assert "generated the SSH host key" in run.stderr

    again = entrypoint.run("ssh", env=env)
    assert again.returncode == 0
    assert host_key.read_bytes() == first, "a restart must keep the host key clients trust"
    assert "generated" not in again.stderr


def test_serve_passes_the_secret_key_file_and_the_cli_accepts_the_command(entrypoint):
    _key, line = new_key("*", "ops")
    keys = entrypoint.root / "api_keys"
    keys.write_text(f"# torchworks API keys\n{line}\n")
    env = {"TORCHWORKS_API_KEY_FILE": str(keys), "TORCHWORKS_HOST": "0.0.0.0"}
    run = entrypoint.run("serve", "--models", "/workspace/models", env=env)
    args = _execd(run, "torchworks")
    assert args == ["serve", "--host", "0.0.0.0", "--port", "8000", "--api-key-file", str(keys),
                    "--models", "/workspace/models"]
    parsed = build_parser().parse_args(args)
    assert str(parsed.api_key_file) == str(keys) and parsed.port == 8000


def test_serve_runs_open_only_when_asked_and_on_loopback(entrypoint):
    run = entrypoint.run("serve", env={"TORCHWORKS_SERVE_OPEN": "1"})
    assert _execd(run, "torchworks") == ["serve", "--host", "127.0.0.1", "--port", "8000"]
    assert "WITHOUT API keys" in run.stderr


@pytest.mark.parametrize(("mode", "args", "program", "expected"), [
    ("train", ["mnist", "--epochs", "1"], "torchworks", ["train", "mnist", "--epochs", "1"]),
    ("doctor", ["--json"], "torchworks", ["doctor", "--json"]),
    ("torchrun", ["--nproc-per-node=2", "-m", "torchworks", "train", "mnist"], "torchrun",
     ["--nproc-per-node=2", "-m", "torchworks", "train", "mnist"]),
])
def test_pass_through_modes(entrypoint, mode, args, program, expected):
    assert _execd(entrypoint.run(mode, *args), program) == expected


def test_shell_runs_a_command_in_bash(entrypoint):
    run = entrypoint.run("shell", "-c", "echo from-the-shell $$")
    assert run.returncode == 0
    assert run.stdout.split() == ["from-the-shell", str(run.pid)]


def test_sigterm_reaches_the_served_process(entrypoint):
    """The process tini signals is the entrypoint's PID; after exec that is the server."""
    trap = entrypoint.bin / "torchworks"
    trap.write_text('#!/bin/bash\ntrap \'echo drained > "$STANDIN_RECORD.term"; exit 0\' TERM\n'
                    'echo $$ > "$STANDIN_RECORD.pid"\nwhile true; do sleep 0.05; done\n')
    proc = entrypoint.start("serve", env={"TORCHWORKS_SERVE_OPEN": "1"})
    pid_file = entrypoint.root / "record.pid"
    deadline = time.monotonic() + 20
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert int(pid_file.read_text()) == proc.pid
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    proc.communicate()
    assert (entrypoint.root / "record.term").read_text().strip() == "drained"


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (500, False)])
def test_health_in_serve_mode_asks_healthz(entrypoint, status, healthy):
    handler = type("Handler", (_Health,), {"status": status})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run_dir = entrypoint.root / "run"
        run_dir.mkdir()
        (run_dir / "mode").write_text(f"serve 0.0.0.0 {server.server_address[1]}\n")
        run = entrypoint.run("health")
        assert (run.returncode == 0) is healthy
        assert run.argv is None, "serve mode must not run the doctor"
    finally:
        server.shutdown()


@pytest.mark.parametrize(("doctor_exit", "health_exit"), [(0, 0), (1, 0), (2, 1)])
def test_health_elsewhere_is_the_doctor_failing_only_on_errors(entrypoint, doctor_exit,
                                                               health_exit):
    run = entrypoint.run("health", env={"STANDIN_EXIT": str(doctor_exit)})
    assert run.returncode == health_exit
    assert run.argv == ["torchworks", "doctor", "--json", "--no-bench"]
