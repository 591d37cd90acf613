"""Issue 14 item 2 (the serving part): no request holds a service's only worker thread past
its own deadline, and a service can refuse work too large for it (a 422 before it queues).

The service here does what the claim checker did on 8,000 claims: pure-Python work that grows
faster than its input (a quadratic loop), in the version's single thread.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from pydantic import BaseModel, Field

from torchworks.serving.service import ServiceSpec

TIMEOUT_S = 1.0


class PairsRequest(BaseModel):
    n: int = Field(ge=1, le=10**7, description="items; the work is n*n")


class PairsResponse(BaseModel):
    pairs: int


class QuadraticPredictor:
    """Counts ordered pairs (i, j) with i < j the slow way: O(n^2) Python bytecode."""

    def predict(self, batch: Sequence[PairsRequest]) -> list[PairsResponse]:
        answers = []
        for request in batch:
            count = 0
            for i in range(request.n):
                for _ in range(i):
                    count += 1
            answers.append(PairsResponse(pairs=count))
        return answers

    def warmup_request(self) -> PairsRequest:
        return PairsRequest(n=2)

    def close(self) -> None:
        return None


def refuse_huge(request: BaseModel) -> None:
    if request.n > 10**6:  # type: ignore[attr-defined]
        raise ValueError(f"n: {request.n} items is more than this service takes (10^6)")


def pairs_spec() -> ServiceSpec:
    return ServiceSpec(name="pairs", route="pairs", request_type=PairsRequest,
                       response_type=PairsResponse, load=lambda _dir: QuadraticPredictor(),
                       max_batch_size=4, max_queue_delay_ms=20.0, timeout_s=TIMEOUT_S,
                       admit=refuse_huge)


def test_a_request_past_its_deadline_stops_holding_the_worker(serve):
    server = serve([pairs_spec()])
    c = server.client
    assert c.post("/v1/pairs", json={"n": 10}).json() == {"pairs": 45}
    started = time.monotonic()
    hostile = c.post("/v1/pairs", json={"n": 200_000})  # ~2e10 steps: hours of CPU
    assert hostile.status_code == 504
    assert time.monotonic() - started < TIMEOUT_S + 1.0
    # The worker thread is free again: small requests are answered at once, not 504.
    for n in (5, 50, 500):
        started = time.monotonic()
        reply = c.post("/v1/pairs", json={"n": n})
        assert reply.status_code == 200, reply.text
        assert reply.json() == {"pairs": n * (n - 1) // 2}
        assert time.monotonic() - started < TIMEOUT_S


def test_a_service_refuses_work_too_large_for_it_with_a_422(serve):
    server = serve([pairs_spec()])
    reply = server.client.post("/v1/pairs", json={"n": 5_000_000})
    assert reply.status_code == 422 and "10^6" in reply.text
    assert server.client.post("/v1/pairs", json={"n": 3}).json() == {"pairs": 3}
