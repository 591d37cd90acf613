"""Issue 14 item 6: shutdown past the drain timeout answers 503 + Retry-After, ends streams
with a final error event, and logs what it cut (a real server on 127.0.0.1, then stopped)."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time

import httpx

from torchworks.serving import toy
from torchworks.serving.app import ServerConfig, create_app
from torchworks.serving.local import free_port, wait_ready
from torchworks.serving.shutdown import draining_server

from .test_hostile_deadline import pairs_spec


def test_requests_still_running_at_the_drain_timeout_get_an_answer(caplog):
    slow = dataclasses.replace(pairs_spec(), timeout_s=120.0, admit=None)
    app = create_app([slow, toy.gru_spec(hidden=512)], ServerConfig(drain_timeout_s=1.0))
    port = free_port()
    server = draining_server(app, host="127.0.0.1", port=port, log_level="warning")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, alive=thread.is_alive, timeout_s=60)

    replies: dict[str, object] = {}
    streaming = threading.Event()

    def unary() -> None:
        replies["unary"] = httpx.post(f"{url}/v1/pairs", json={"n": 10**6}, timeout=60)

    def stream() -> None:
        events = []
        with httpx.stream("POST", f"{url}/v1/toy/generate", timeout=60,
                          json={"prompt": "shutdown", "max_new_tokens": 8000}) as reply:
            for line in reply.iter_lines():
                if line.startswith("data: "):
                    events.append(line[len("data: "):])
                    streaming.set()
        replies["stream"] = events

    workers = [threading.Thread(target=unary), threading.Thread(target=stream)]
    for worker in workers:
        worker.start()
    assert streaming.wait(30)
    time.sleep(0.2)  # the unary request is inside its (endless) predict by now
    with caplog.at_level(logging.WARNING, logger="torchworks.serving"):
        stopped = time.monotonic()
        server.should_exit = True
        for worker in workers:
            worker.join(30)
        thread.join(30)
    assert not thread.is_alive() and time.monotonic() - stopped < 10

    unary_reply = replies["unary"]
    assert isinstance(unary_reply, httpx.Response)
    assert unary_reply.status_code == 503, unary_reply.text
    assert unary_reply.headers["retry-after"].isdigit()
    assert "shutting down" in unary_reply.json()["detail"]
    events = replies["stream"]
    assert isinstance(events, list) and len(events) > 1
    final = json.loads(events[-1])
    assert final["finish_reason"] == "shutdown" and "error" in final
    cut = [r.getMessage() for r in caplog.records if "shutdown: cut" in r.getMessage()]
    assert any("/v1/pairs" in m and "503" in m for m in cut), cut
    assert any("/v1/toy/generate" in m and "stream" in m for m in cut), cut
