"""Issue 14 items 3 and 9: NaN, Infinity and lone surrogates are a JSON 422 naming the field, and an
error never echoes more than a short excerpt of the input (through a real server)."""

from __future__ import annotations

import json
import time

import pytest

from torchworks.serving import toy

JSON = {"content-type": "application/json"}
CASES = [
    ("/v1/toy/echo", b'{"x": NaN}', ["body", "x"]),
    ("/v1/toy/echo", b'{"x": Infinity}', ["body", "x"]),
    ("/v1/toy/echo", b'{"x": -Infinity}', ["body", "x"]),
    ("/v1/toy/echo", b'{"x": 1e400}', ["body", "x"]),
    ("/v1/toy/echo", b'{"x": "\\ud800"}', ["body", "x"]),
    ("/v1/toy/mlp", b'{"features": [1.0, NaN]}', ["body", "features", 1]),
    ("/v1/toy/generate", b'{"prompt": "abc \\udfff"}', ["body", "prompt"]),
    ("/v1/toy/generate", b'{"prompt": "abc", "temperature": NaN}', ["body", "temperature"]),
]


@pytest.fixture
def server(serve):
    return serve([toy.echo_spec(), toy.mlp_spec(hidden=16), toy.gru_spec(hidden=16)])


@pytest.mark.parametrize(("path", "body", "loc"), CASES, ids=[c[1].decode() for c in CASES])
def test_non_finite_numbers_and_lone_surrogates_are_a_422_naming_the_field(server, path, body,
                                                                           loc):
    reply = server.client.post(path, content=body, headers=JSON)
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"] == "application/json"
    assert loc in [error["loc"] for error in reply.json()["detail"]]
    assert ".".join(str(p) for p in loc) in reply.json()["message"]


def test_an_error_echoes_only_a_short_excerpt_of_a_large_input(server):
    too_long = json.dumps({"features": [0.5] * 100_000}).encode()  # 500 KB, limit 4096 items
    many_bad = json.dumps({"features": ["not a number"] * 4000}).encode()  # 4000 errors
    assert len(too_long) > 400_000
    for body in (too_long, many_bad):
        reply = server.client.post("/v1/toy/mlp", content=body, headers=JSON)
        assert reply.status_code == 422
        assert len(reply.content) < 8_000, f"{len(reply.content)} bytes of error"
        assert "features" in reply.json()["message"]
    assert "more errors" in reply.json()["message"]
    ok = server.client.post("/v1/toy/echo", json={"x": 1.5})
    assert ok.status_code == 200 and ok.json() == {"x": 1.5}


def test_latency_is_measured_from_arrival_including_a_slow_upload(server):
    """Issue 14 item 9: the server's latency histogram counts from the request's arrival, so
    a body that takes 0.9 s to upload is a 0.9 s request, as its client saw it."""

    def slow_body():
        for part in (b'{"x":', b" 2", b".5}"):
            time.sleep(0.3)
            yield part

    before = server.metric("torchworks_request_duration_seconds_sum", model="toy-echo")
    started = time.monotonic()
    reply = server.client.post("/v1/toy/echo", content=slow_body(), headers=JSON)
    client_s = time.monotonic() - started
    assert reply.status_code == 200 and reply.json() == {"x": 2.5}
    server_s = server.metric("torchworks_request_duration_seconds_sum", model="toy-echo") - before
    assert server_s >= 0.8, f"server measured {server_s:.3f} s of a {client_s:.3f} s request"
    assert server_s <= client_s
