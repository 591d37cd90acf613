"""Versions on a live server: hot swap under load, refused and broken versions, unload."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import sys
import threading
import weakref
from pathlib import Path

import pytest
import torch

from torchworks.serving import toy
from torchworks.serving.loadtest import LoadTestConfig, run_load_test
from torchworks.serving.registry import publish, set_status

HIDDEN = 64


def publish_mlp(root: Path, seed: int, hidden: int = HIDDEN) -> str:
    source = root.parent / f"weights-{seed}-{hidden}" / toy.MLP_WEIGHTS
    source.parent.mkdir(parents=True, exist_ok=True)
    torch.save(toy.build_mlp(hidden=hidden, seed=seed).state_dict(), source)
    return publish(root, "toy-mlp", source, format="torch-state-dict", precision="fp32",
                   metrics={"seed": seed}).version


def publish_broken(root: Path) -> str:
    source = root.parent / "broken" / toy.MLP_WEIGHTS
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(b"not a checkpoint")
    return publish(root, "toy-mlp", source, format="torch-state-dict", precision="fp32").version


def load_under_traffic(server, steps) -> tuple[object, list]:
    """Run a closed-loop load test while `steps` (callables) hit the management API."""
    answers: list = []
    config = LoadTestConfig(url=f"{server.url}/v1/toy/mlp", concurrency=4, requests=100_000,
                            duration_s=60, body=json.dumps({"features": [0.1] * 64}).encode())
    result_box: list = []
    runner = threading.Thread(target=lambda: result_box.append(asyncio.run(
        _until(config, server, steps, answers))))
    runner.start()
    runner.join(120)
    return result_box[0], answers


async def _until(config, server, steps, answers):
    stop = asyncio.Event()
    task = asyncio.create_task(run_load_test(config, stop))
    await asyncio.sleep(0.3)
    for step in steps:
        answers.append(await asyncio.to_thread(step))
        await asyncio.sleep(0.3)
    stop.set()
    return await task


def test_hot_swap_under_load_drops_no_request(serve, tmp_path):
    root = tmp_path / "models"
    publish_mlp(root, seed=1)
    server = serve([toy.mlp_spec(hidden=HIDDEN)], models_dir=root)
    assert server.client.get("/readyz").json()["models"] == {"toy-mlp": "1"}
    good = publish_mlp(root, seed=2)
    broken = publish_broken(root)
    rejected = publish_mlp(root, seed=3)
    set_status(root, "toy-mlp", rejected, "rejected", "accuracy 0.42 below gate 0.90")

    def load(version: str):
        return lambda: server.client.post("/v1/models/toy-mlp/load", json={"version": version})

    result, answers = load_under_traffic(server, [load(good), load(broken), load(rejected)])
    assert [a.status_code for a in answers] == [200, 500, 409]
    assert "keeps serving" in answers[1].json()["detail"]
    assert "accuracy 0.42 below gate 0.90" in answers[2].json()["detail"]
    assert result.ok > 20 and not result.errors, result.summary()
    assert set(result.versions) == {"1", "2"}
    listed = server.client.get("/v1/models").json()[0]
    assert listed["serving_version"] == "2"
    assert [v["status"] for v in listed["versions"]] == ["candidate", "candidate", "candidate",
                                                        "rejected"]
    assert server.metric("torchworks_model_loaded", model="toy-mlp", version="2") == 1
    assert server.metric("torchworks_model_loaded", model="toy-mlp", version="1") == 0


def test_failed_warm_up_leaves_the_old_version_serving(serve, tmp_path):
    root = tmp_path / "models"
    publish_mlp(root, seed=1)
    second = publish_mlp(root, seed=2)

    def load(version_dir):
        predictor = toy.load_mlp(version_dir, hidden=HIDDEN)
        if version_dir is not None and version_dir.name == second:
            predictor.in_dim = 3  # its warm-up request no longer fits the network: forward fails
        return predictor

    spec = toy.mlp_spec(hidden=HIDDEN)
    server = serve([dataclasses.replace(spec, load=load)], models_dir=root)
    assert server.client.get("/readyz").json()["models"] == {"toy-mlp": "1"}  # 2 fails: 1 serves
    response = server.client.post("/v1/models/toy-mlp/load", json={"version": second})
    assert response.status_code == 500 and "warm-up" in response.json()["detail"]
    answer = server.client.post("/v1/toy/mlp", json={"features": [0.0] * 64})
    assert answer.status_code == 200 and answer.headers["x-model-version"] == "1"


def test_generation_in_flight_finishes_on_the_old_version(serve, tmp_path):
    root = tmp_path / "models"
    for seed in (1, 2):
        path = tmp_path / f"gru{seed}" / toy.GRU_WEIGHTS
        path.parent.mkdir()
        torch.save(toy.CharGRU(hidden=64, seed=seed).state_dict(), path)
        publish(root, "toy-gen", path, format="torch-state-dict", precision="fp32",
                version=str(seed))
    server = serve([toy.gru_spec(hidden=64)], models_dir=root)
    server.client.post("/v1/models/toy-gen/load", json={"version": "1"}).raise_for_status()
    with server.client.stream("POST", "/v1/toy/generate",
                              json={"prompt": "swap", "max_new_tokens": 1500}) as stream:
        assert stream.headers["x-model-version"] == "1"
        lines = stream.iter_lines()
        next(lines)
        swapped = {}
        loader = threading.Thread(target=lambda: swapped.update(server.client.post(
            "/v1/models/toy-gen/load", json={"version": "2"}).json()))
        loader.start()
        events = [json.loads(x[6:]) for x in lines if x.startswith("data: {")]
        loader.join(60)
    assert events[-1]["finish_reason"] == "length" and events[-1]["generated_tokens"] == 1500
    assert swapped == {"name": "toy-gen", "version": "2", "previous": "1", "skipped": []}
    after = server.client.post("/v1/toy/generate", json={"prompt": "x", "stream": False})
    assert after.headers["x-model-version"] == "2"


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_load_unload_loop_does_not_grow_memory(serve, tmp_path):
    root = tmp_path / "models"
    publish_mlp(root, seed=1, hidden=2048)  # ~17 MiB of weights per loaded version
    networks: list[weakref.ref] = []

    def load(version_dir):
        predictor = toy.load_mlp(version_dir)
        networks.append(weakref.ref(predictor.model))
        return predictor

    server = serve([dataclasses.replace(toy.mlp_spec(), load=load)], models_dir=root)
    body = {"features": [0.3] * 64}

    def cycle() -> None:
        assert server.client.post("/v1/models/toy-mlp/unload").status_code == 200
        assert server.client.post("/v1/toy/mlp", json=body).status_code == 503
        assert server.client.get("/readyz").status_code == 503
        assert server.client.post("/v1/models/toy-mlp/load", json={}).status_code == 200
        assert server.client.post("/v1/toy/mlp", json=body).status_code == 200

    for _ in range(2):
        cycle()
    gc.collect()
    baseline = rss_bytes()
    for _ in range(6):
        cycle()
    gc.collect()
    assert [ref() is None for ref in networks] == [True] * 8 + [False]  # only the loaded one
    growth = rss_bytes() - baseline  # a leaked version would add ~17 MiB per cycle
    assert growth < 50 * 2**20, f"RSS grew {growth / 2**20:.1f} MiB over 6 load/unload cycles"


def test_a_server_whose_model_cannot_load_is_alive_but_not_ready(serve, tmp_path):
    root = tmp_path / "models"
    publish_broken(root)
    server = serve([toy.mlp_spec(hidden=HIDDEN)], models_dir=root)
    ready = server.client.get("/readyz")
    assert ready.status_code == 503 and "version 1" in ready.json()["load_errors"]["toy-mlp"]
    assert server.client.get("/healthz").status_code == 200
    assert server.client.post("/v1/toy/mlp", json={"features": [0.0] * 64}).status_code == 503
