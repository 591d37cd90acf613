"""Start-up as users meet it: services load in parallel, /readyz reports each one, an idle
Ctrl-C ends the process at once, and the default services start small and quiet."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from torchworks.errors import TorchworksError
from torchworks.serving import toy
from torchworks.serving.app import ServerConfig, create_app
from torchworks.serving.local import free_port, wait_ready

NOISE = re.compile(r"warning|deprecat|failed to load|traceback|^[WE]\d{4} |it/s\]",
                   re.IGNORECASE | re.MULTILINE)


def echo_like(name: str, load) -> object:
    return dataclasses.replace(toy.echo_spec(), name=name, route=f"{name}/echo", load=load)


def test_services_load_in_parallel_and_readyz_reports_each() -> None:
    both = threading.Barrier(2, timeout=30)  # passes only if the two loads run at once
    gate = threading.Event()

    def paired(_version):
        both.wait()
        return toy.EchoPredictor()

    def gated(_version):
        assert gate.wait(60)
        return toy.EchoPredictor()

    def broken(_version):
        raise FileNotFoundError("no weights in /nowhere")

    app = create_app([echo_like("pair-a", paired), echo_like("pair-b", paired),
                      echo_like("gated", gated), echo_like("broken", broken)], ServerConfig())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    reply = client.get("/readyz")
                    states = {n: s["state"] for n, s in reply.json()["services"].items()}
                except httpx.HTTPError:
                    states = {}
                if states.get("pair-b") == "ready" and states.get("broken") == "failed":
                    break
                assert time.monotonic() < deadline, states
                time.sleep(0.05)
            body = reply.json()
            assert reply.status_code == 503 and not body["ready"] and body["loading"]
            assert states == {"pair-a": "ready", "pair-b": "ready", "gated": "loading",
                              "broken": "failed"}
            assert "no weights in /nowhere" in body["services"]["broken"]["reason"]
            assert "no weights in /nowhere" in body["load_errors"]["broken"]
            assert body["services"]["pair-a"]["load_s"] >= 0
            assert client.post("/v1/pair-a/echo", json={"x": 2}).json() == {"x": 2}
            gate.set()
            while client.get("/readyz").json()["services"]["gated"]["state"] != "ready":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            final = client.get("/readyz")
            assert final.status_code == 503 and not final.json()["loading"]  # broken stays
    finally:
        gate.set()
        server.should_exit = True
        thread.join(timeout=30)


def test_ctrl_c_on_an_idle_server_exits_within_5_s() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "torchworks", "serve", "--port", str(port), "--services",
         "toy-mlp,toy-gen,toy-echo", "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}", alive=lambda: process.poll() is None,
                   timeout_s=120)
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        code = process.wait(30)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    stderr = process.stderr.read() if process.stderr else ""
    assert code in (0, -signal.SIGINT) and took < 5.0, (code, took, stderr)
    assert "Traceback" not in stderr


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.slow
def test_default_services_start_small_quiet_and_cache_outside_the_cwd(tmp_path: Path) -> None:
    """`make run`'s command on a fresh user cache: every service ready, RSS within 1.5 GB, no
    library noise on stderr, conversions in $XDG_CACHE_HOME (not ./models), fast Ctrl-C."""
    port = free_port()
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("TORCHWORKS_MODELS", None)
    env.pop("TORCHWORKS_CACHE", None)  # the user's path: $XDG_CACHE_HOME/torchworks
    process = subprocess.Popen(
        [sys.executable, "-m", "torchworks", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--log-level", "warning"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_ready(url, alive=lambda: process.poll() is None, timeout_s=900)
        except TorchworksError as exc:
            process.kill()
            raise AssertionError(f"{exc}: {process.communicate()[1]}") from None
        services = httpx.get(f"{url}/readyz").json()["services"]
        assert {s["state"] for s in services.values()} == {"ready"} and len(services) == 5
        time.sleep(2)
        assert rss_mb(process.pid) <= 1536
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        process.wait(30)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    stderr = process.stderr.read() if process.stderr else ""
    assert took < 5.0, took
    lines = [line for line in stderr.splitlines() if not line.startswith("torchworks serve:")
             and "epoch" not in line and "de-quantizing GGUF" not in line]  # one-time builds
    assert not NOISE.search("\n".join(lines)), stderr
    assert not (tmp_path / "models").exists()
    assert sorted(p.name for p in (tmp_path / "cache" / "torchworks").iterdir()) == [
        "rec-demo-bundle", "smollm2-135m-instruct"]


def test_what_start_up_loaded_is_frozen_out_of_full_collections() -> None:
    """A full garbage collection held the GIL for 0.5 s over the ~445k objects of the default
    services (at every hot swap); objects alive after start-up are frozen, so it scans only what
    came later, and hot swaps still work."""
    import gc

    from torchworks.serving.local import local_server

    loaded: list[object] = []

    def load(_version):
        predictor = toy.EchoPredictor()
        loaded.append(predictor)
        return predictor

    with local_server([echo_like("frozen", load)]) as url:
        start_up = loaded[0]
        assert gc.get_freeze_count() > 0
        assert all(o is not start_up for o in gc.get_objects())  # frozen: not in a generation
        swap = httpx.post(f"{url}/v1/models/frozen/load", json={}, timeout=60)
        assert swap.status_code == 200, swap.text
        assert len(loaded) == 2 and any(o is loaded[1] for o in gc.get_objects())
        answer = httpx.post(f"{url}/v1/frozen/echo", json={"x": 1.5}, timeout=10)
        assert answer.status_code == 200, answer.text
    gc.unfreeze()  # the rest of the test session collects as usual
