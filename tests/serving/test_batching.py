"""Dynamic batching against a real server: grouping, per-item failure, batch-level fallback."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence

import httpx
import torch

from torchworks.serving import toy
from torchworks.serving.batching import Batcher, default_torch_threads
from torchworks.serving.metrics import ServerMetrics


def post_concurrently(url: str, bodies: list[dict]) -> list[httpx.Response]:
    async def go() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=30) as client:
            return await asyncio.gather(*(client.post(url, json=b) for b in bodies))
    return asyncio.run(go())


def test_concurrent_requests_run_in_shared_batches(serve):
    server = serve([toy.mlp_spec(max_batch_size=16, max_queue_delay_ms=200, hidden=64)])
    batches_before = server.metric("torchworks_batch_size_count", model="toy-mlp")
    responses = post_concurrently(f"{server.url}/v1/toy/mlp",
                                  [{"features": [float(i)] * 64} for i in range(16)])
    assert [r.status_code for r in responses] == [200] * 16
    batches = server.metric("torchworks_batch_size_count", model="toy-mlp") - batches_before
    items = server.metric("torchworks_batch_size_sum", model="toy-mlp") - 1  # minus warm-up
    assert items == 16
    assert batches <= 4, f"16 concurrent requests took {batches} model calls"


def test_batched_answers_match_one_by_one_answers(serve):
    server = serve([toy.mlp_spec(max_batch_size=8, max_queue_delay_ms=100, hidden=64)])
    bodies = [{"features": [((i * 7 + j) % 11) / 11 for j in range(64)]} for i in range(8)]
    together = post_concurrently(f"{server.url}/v1/toy/mlp", bodies)
    alone = [server.client.post("/v1/toy/mlp", json=b) for b in bodies]
    for a, b in zip(together, alone, strict=True):
        assert a.json()["label"] == b.json()["label"]
        assert torch.allclose(torch.tensor(a.json()["scores"]), torch.tensor(b.json()["scores"]),
                              atol=1e-5)


def test_one_bad_item_fails_only_its_own_request(serve):
    server = serve([toy.mlp_spec(max_batch_size=8, max_queue_delay_ms=200, hidden=64)])
    bodies = [{"features": [0.5] * 64} for _ in range(8)]
    bodies[3] = {"features": [0.5] * 3}
    responses = post_concurrently(f"{server.url}/v1/toy/mlp", bodies)
    codes = [r.status_code for r in responses]
    assert codes == [200, 200, 200, 422, 200, 200, 200, 200]
    assert "features: expected 64 values, got 3" in responses[3].text
    assert server.metric("torchworks_batch_size_count", model="toy-mlp") <= 3  # warm-up + 1-2
    assert server.metric("torchworks_requests_total", model="toy-mlp", outcome="invalid") == 1
    assert server.metric("torchworks_requests_total", model="toy-mlp", outcome="success") == 7


class StackingPredictor:
    """Stacks the batch into one tensor, so one ragged input makes the whole call raise."""

    def __init__(self) -> None:
        self.model = toy.build_mlp(in_dim=4, hidden=8)

    def predict(self, batch: Sequence[toy.MLPRequest]) -> list[toy.MLPResponse]:
        with torch.inference_mode():
            scores = self.model(torch.tensor([r.features for r in batch]))
        return [toy.MLPResponse(label=int(row.argmax()), scores=row.tolist()) for row in scores]


def test_a_batch_that_raises_is_retried_item_by_item():
    async def go() -> list[object]:
        batcher = Batcher(StackingPredictor(), model="m", version="1", max_batch_size=8,
                          max_queue_delay_ms=100, metrics=ServerMetrics())
        batcher.start()
        requests = [toy.MLPRequest(features=[1.0, 2.0, 3.0, 4.0]) for _ in range(4)]
        requests[2] = toy.MLPRequest(features=[1.0])
        results = await asyncio.gather(*(batcher.submit(r) for r in requests),
                                       return_exceptions=True)
        await batcher.aclose()
        return results

    results = asyncio.run(go())
    assert [type(r).__name__ for r in results] == ["MLPResponse", "MLPResponse",
                                                   "RuntimeError", "MLPResponse"]


def test_model_threads_default_to_half_the_cores_at_least_one():
    """Several model threads run at once: each gets half the cores, so two of them (or one and
    the event loop) do not oversubscribe a small host."""
    assert [default_torch_threads(n) for n in (1, 2, 3, 16)] == [1, 1, 1, 8]
    assert 1 <= default_torch_threads() <= max(1, (os.cpu_count() or 1) // 2)
