"""Issue 14 items 5 and 8: loading a large version never stalls the event loop (the checksum is
computed in a worker thread), and a load without a version falls back past a corrupt newest
one, saying which versions it skipped (through a real server on 127.0.0.1)."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import httpx

from torchworks.serving import toy
from torchworks.serving.registry import compute_checksum

from .test_hot_swap import HIDDEN, publish_mlp

PROBE_BYTES = 64 << 20  # sparse padding: read and hashed in full, but no disk used


def test_hashing_a_large_version_does_not_stall_health_checks(serve, tmp_path: Path):
    root = tmp_path / "models"
    version = publish_mlp(root, seed=1)
    big = root / "toy-mlp" / version / "padding.bin"
    with big.open("wb") as handle:  # sized so hashing takes ~0.6 s on this machine
        handle.truncate(PROBE_BYTES)
    started = time.perf_counter()
    compute_checksum(big.parent)
    size = int(PROBE_BYTES * 0.6 / (time.perf_counter() - started))
    size = min(max(size, PROBE_BYTES), 4 << 30)
    for _ in range(3):  # the machine's speed changes under load: grow until hashing is slow
        with big.open("wb") as handle:
            handle.truncate(size)
        started = time.perf_counter()
        checksum = compute_checksum(big.parent)  # published before the padding: new checksum
        hash_s = time.perf_counter() - started
        if hash_s > 0.3 or size >= 4 << 30:
            break
        size = min(size * 2, 4 << 30)
    data = json.loads((big.parent / "manifest.json").read_text())
    data["checksum"] = checksum
    (big.parent / "manifest.json").write_text(json.dumps(data))

    server = serve([toy.mlp_spec(hidden=HIDDEN)], models_dir=root)
    assert server.client.get("/readyz").status_code == 200
    done = threading.Event()
    answer: dict[str, object] = {}

    def load() -> None:
        answer["reply"] = httpx.post(f"{server.url}/v1/models/toy-mlp/load",
                                     json={"version": version}, timeout=120)
        done.set()

    loader = threading.Thread(target=load)
    loader.start()
    worst = 0.0
    polls = 0
    while not done.is_set():
        asked = time.perf_counter()
        assert server.client.get("/healthz").status_code == 200
        worst = max(worst, time.perf_counter() - asked)
        polls += 1
        time.sleep(0.01)
    loader.join()
    assert answer["reply"].status_code == 200  # type: ignore[union-attr]
    assert hash_s > 0.3, f"hashing took only {hash_s:.2f} s: nothing to show"
    assert worst < max(0.25, hash_s / 3), (f"/healthz took {worst:.2f} s while a {hash_s:.2f} s "
                                           f"checksum ran ({polls} polls)")


def test_load_without_a_version_skips_a_corrupt_newest_and_says_so(serve, tmp_path: Path,
                                                                   caplog):
    root = tmp_path / "models"
    good = publish_mlp(root, seed=1)
    corrupt = publish_mlp(root, seed=2)
    weights = root / "toy-mlp" / corrupt / toy.MLP_WEIGHTS
    weights.write_bytes(weights.read_bytes()[:-10])  # truncated after publishing
    with caplog.at_level(logging.WARNING, logger="torchworks.serving"):
        server = serve([toy.mlp_spec(hidden=HIDDEN)], models_dir=root)
    assert server.client.get("/readyz").json()["models"] == {"toy-mlp": good}
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert f"version {corrupt}" in logged and "checksum" in logged

    reply = server.client.post("/v1/models/toy-mlp/load", json={})
    assert reply.status_code == 200, reply.text
    assert reply.json()["version"] == good
    assert any(f"version {corrupt}" in line for line in reply.json()["skipped"])
    asked = server.client.post("/v1/models/toy-mlp/load", json={"version": corrupt})
    assert asked.status_code == 409 and "checksum" in asked.text  # asked by number: refused
