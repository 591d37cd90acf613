"""`torchworks serve` and `torchworks bench serve` as a user runs them, in a real subprocess."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading

import httpx
import pytest

from torchworks.cli import main
from torchworks.errors import TorchworksError
from torchworks.serving.local import free_port, wait_ready


@pytest.fixture
def server_process():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "torchworks", "serve", "--port", str(port), "--services",
         "toy-gen,toy-echo", "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, alive=lambda: process.poll() is None, timeout_s=60)
    except TorchworksError as exc:
        process.kill()
        raise AssertionError(f"{exc}: {process.communicate()[1]}") from None
    yield process, url
    if process.poll() is None:
        process.kill()
        process.wait()


def test_bench_serve_then_sigterm_drains_in_flight_streams(server_process, tmp_path, capsys):
    process, url = server_process
    png = tmp_path / "hist.png"
    code = main(["bench", "serve", "--url", f"{url}/v1/toy/echo", "--body", '{"x": 2}',
                 "--requests", "40", "--concurrency", "4", "--png", str(png)])
    out = capsys.readouterr().out
    assert code == 0 and "40 ok" in out and "P99" in out and png.is_file()

    events: list[dict] = []
    streaming = threading.Event()

    def long_stream() -> None:
        with httpx.stream("POST", f"{url}/v1/toy/generate", timeout=60,
                          json={"prompt": "drain", "max_new_tokens": 600}) as response:
            for line in response.iter_lines():
                if line.startswith("data: {"):
                    events.append(json.loads(line[6:]))
                    streaming.set()

    reader = threading.Thread(target=long_stream)
    reader.start()
    assert streaming.wait(30)
    process.send_signal(signal.SIGTERM)
    reader.join(60)
    assert process.wait(60) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal when done
    assert events[-1]["finish_reason"] == "length" and events[-1]["generated_tokens"] == 600
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/healthz")


def test_bench_refuses_remote_targets(capsys):
    assert main(["bench", "serve", "--url", "http://192.0.2.10:8000/v1/x"]) == 2
    assert "only 127.0.0.1" in capsys.readouterr().err


def test_new_api_key_prints_the_key_and_its_hashed_line(capsys, tmp_path):
    assert main(["serve", "--new-api-key", "toy-echo,admin"]) == 0
    out = capsys.readouterr().out
    key = out.split("): ")[1].split()[0]
    line = out.strip().splitlines()[-1]
    assert key.startswith("tw_") and line.startswith("sha256:") and key not in line
    from torchworks.serving.auth import KeyRing

    (tmp_path / "keys").write_text(line + "\n")
    assert KeyRing.from_file(tmp_path / "keys").check(key).scopes == {"toy-echo", "admin"}


def test_unknown_service_is_one_line_error(capsys):
    assert main(["serve", "--services", "nope"]) == 2
    assert "unknown service 'nope'" in capsys.readouterr().err
