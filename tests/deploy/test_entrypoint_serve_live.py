"""The entrypoint's serve mode in front of the real `torchworks serve` (no stand-in): it starts
with the mounted key file, answers the health check, enforces the keys, and drains on SIGTERM."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import httpx

from torchworks.serving.auth import new_key
from torchworks.serving.local import free_port, wait_ready


def test_serve_mode_runs_the_real_server_with_keys_and_stops_on_sigterm(entrypoint):
    entrypoint.remove("torchworks")
    key, line = new_key("*")
    keys = entrypoint.root / "api_keys"
    keys.write_text(line + "\n")
    port = free_port()
    env = {"PATH": f"{Path(sys.executable).parent}:{entrypoint.bin}",
           "TORCHWORKS_API_KEY_FILE": str(keys), "SERVE_PORT": str(port)}
    server = entrypoint.start("serve", "--services", "toy-echo", env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, alive=lambda: server.poll() is None, timeout_s=60)

        assert entrypoint.run("health", env=env).returncode == 0
        assert httpx.post(f"{base}/v1/toy/echo", json={"x": 1.5}).status_code == 401
        answer = httpx.post(f"{base}/v1/toy/echo", json={"x": 1.5},
                            headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200 and answer.json() == {"x": 1.5}
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    # uvicorn drains, then re-raises the signal it caught: a clean shutdown ends in -SIGTERM
    assert server.returncode in (0, -signal.SIGTERM), stderr
    assert "Application shutdown complete" in stderr
