"""API keys and request limits on a real server: every bad request is a 4xx and it keeps serving."""

from __future__ import annotations

import time

import pytest

from torchworks.errors import ConfigError
from torchworks.serving import toy
from torchworks.serving.auth import KeyRing, new_key

GOOD = {"features": [0.25] * 64}


@pytest.fixture
def keys(tmp_path):
    mlp_key, mlp_line = new_key("toy-mlp")
    echo_key, echo_line = new_key("toy-echo")
    admin_key, admin_line = new_key("*,admin", "ops")
    path = tmp_path / "keys.txt"
    path.write_text(f"# torchworks API keys\n{mlp_line}\n{echo_line}\n{admin_line}\n")
    assert mlp_key not in path.read_text()  # only hashes are stored
    return {"mlp": mlp_key, "echo": echo_key, "admin": admin_key, "ring": KeyRing.from_file(path)}


def test_keys_gate_models_and_management(serve, keys):
    server = serve([toy.mlp_spec(hidden=32), toy.echo_spec()], api_keys=keys["ring"])
    c = server.client

    def bearer(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[name]}"}

    missing = c.post("/v1/toy/mlp", json=GOOD)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert c.post("/v1/toy/mlp", json=GOOD, headers={"X-API-Key": "tw_guess"}).status_code == 401
    assert c.post("/v1/toy/mlp", json=GOOD, headers=bearer("mlp")).status_code == 200
    assert c.post("/v1/toy/mlp", json=GOOD, headers={"X-API-Key": keys["mlp"]}).status_code == 200
    forbidden = c.post("/v1/toy/mlp", json=GOOD, headers=bearer("echo"))
    assert forbidden.status_code == 403 and "toy-mlp" in forbidden.text
    assert c.post("/v1/toy/echo", json={"x": 1}, headers=bearer("echo")).status_code == 200
    assert c.post("/v1/models/toy-mlp/load", headers=bearer("mlp")).status_code == 403
    assert c.post("/v1/models/toy-mlp/load", headers=bearer("admin")).status_code == 200
    assert c.get("/healthz").status_code == 200 and c.get("/metrics").status_code == 200


def test_key_file_problems_are_reported_at_start(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text("plaintext-key *\nsha256:" + "0" * 64 + " Bad/Scope\n")
    with pytest.raises(ConfigError) as info:
        KeyRing.from_file(path)
    assert "line 1" in info.value.message and "line 2" in info.value.message


BAD_REQUESTS = [
    (b'{"features": [1, 2', {}, 400, "JSON decode error"),
    (b'{"features": "many"}', {}, 422, "body.features"),
    (b'{"features": [1, "two"]}', {}, 422, "body.features.1"),
    (b"{}", {}, 422, "body.features: Field required"),
    (b'{"features": "\xff\xfe\xfa"}', {}, 400, ""),
    (b"x" * (64 * 1024 + 1), {}, 413, "larger than the server's limit"),
    (b'{"features": [1]}', {"content-type": "text/plain"}, 415, "application/json"),
]


def test_bad_requests_get_4xx_and_the_server_keeps_serving(serve):
    server = serve([toy.mlp_spec(hidden=32)], max_body_bytes=64 * 1024)
    for body, headers, status, says in BAD_REQUESTS:
        response = server.client.post("/v1/toy/mlp", content=body,
                                      headers={"content-type": "application/json", **headers})
        assert response.status_code == status, (body[:40], response.text)
        assert says in response.text
        assert server.client.post("/v1/toy/mlp", json=GOOD).status_code == 200
    # 413 and 415 are answered by middleware before a route runs, so they are not counted
    assert server.metric("torchworks_requests_total", model="toy-mlp", outcome="invalid") == 4


def test_chunked_body_over_the_limit_is_cut_off(serve):
    server = serve([toy.mlp_spec(hidden=32)], max_body_bytes=1024)

    def chunks():
        for _ in range(100):
            yield b"[" * 100

    response = server.client.post("/v1/toy/mlp", content=chunks(),
                                  headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert server.client.post("/v1/toy/mlp", json=GOOD).status_code == 200


def test_management_names_are_validated_not_used_as_paths(serve, tmp_path):
    (tmp_path / "index.html").write_text("<h1>workbench</h1>")
    server = serve([toy.mlp_spec(hidden=32)], static_dir=tmp_path)
    assert server.client.post("/v1/models/..%2F..%2Fetc/load").status_code in (404, 405, 422)
    assert server.client.post("/v1/models/Nope/load").status_code == 422
    assert server.client.post("/v1/models/other/load").status_code == 404
    assert server.client.get("/docs").status_code == 200
    assert "/v1/toy/mlp" in server.client.get("/openapi.json").json()["paths"]
    assert "workbench" in server.client.get("/").text  # a static page mounts at "/"
    assert server.client.post("/v1/toy/mlp", json=GOOD).status_code == 200


def test_a_request_that_outlives_its_timeout_gets_504_and_is_never_run(serve):
    spec = toy.mlp_spec(hidden=32, max_batch_size=8, max_queue_delay_ms=1000, timeout_s=0.05)
    server = serve([spec])
    batches = server.metric("torchworks_batch_size_count", model="toy-mlp")
    response = server.client.post("/v1/toy/mlp", json=GOOD)  # waits 1 s for batch-mates
    assert response.status_code == 504 and "0.05 s" in response.text
    assert server.metric("torchworks_requests_total", model="toy-mlp", outcome="timeout") == 1
    time.sleep(1.2)
    assert server.metric("torchworks_batch_size_count", model="toy-mlp") == batches
