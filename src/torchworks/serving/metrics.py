"""Prometheus metrics for the server, labelled by `model` and `version`.

Names follow the words users already know: Triton's request success/failure counts and queue /
compute durations (`nv_inference_*`), vLLM's generation metrics (`vllm:time_to_first_token_seconds`,
`vllm:inter_token_latency_seconds`, `vllm:num_requests_running`, `vllm:prompt_tokens_total`, ...),
under one `torchworks_` prefix. Every app has its own `CollectorRegistry`, so several servers
(tests, benchmarks) can live in one process.

`outcome` on `torchworks_requests_total` is one of: success, invalid (422), rejected (queue full,
503), timeout (504), cancelled (client went away), error (500).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75,
                   1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
TOKEN_GAP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3,
                     0.5, 1.0, 2.5)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
LABELS = ("model", "version")


@dataclass
class ServerMetrics:
    """All series of one server; `render()` is the /metrics body."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    # Labelled children by label values: `.labels()` costs ~10 us of Python per call, paid
    # on every request otherwise.
    _children: dict[tuple[str, ...], Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter("torchworks_requests", "Requests answered, by outcome",
                                (*LABELS, "outcome"), registry=r)
        self.request_latency = Histogram(
            "torchworks_request_duration_seconds",
            "Arrival of the request to its last byte written (2xx answers)", LABELS,
            buckets=LATENCY_BUCKETS, registry=r)
        self.queue_time = Histogram("torchworks_queue_duration_seconds",
                                    "Time a request waited before its batch or prefill ran",
                                    LABELS, buckets=LATENCY_BUCKETS, registry=r)
        self.compute_time = Histogram("torchworks_compute_duration_seconds",
                                      "Time one batch spent in the model", LABELS,
                                      buckets=LATENCY_BUCKETS, registry=r)
        self.batch_size = Histogram("torchworks_batch_size",
                                    "Requests per model call (per decode step for generation)",
                                    LABELS, buckets=BATCH_BUCKETS, registry=r)
        self.ttft = Histogram("torchworks_time_to_first_token_seconds",
                              "Arrival to first generated token", LABELS,
                              buckets=LATENCY_BUCKETS, registry=r)
        self.inter_token = Histogram("torchworks_inter_token_latency_seconds",
                                     "Gap between consecutive tokens of one sequence", LABELS,
                                     buckets=TOKEN_GAP_BUCKETS, registry=r)
        self.running = Gauge("torchworks_num_requests_running",
                             "Sequences in the running decode batch", LABELS, registry=r)
        self.waiting = Gauge("torchworks_num_requests_waiting",
                             "Requests queued and not yet in a batch or running", LABELS,
                             registry=r)
        self.prompt_tokens = Counter("torchworks_prompt_tokens", "Prompt tokens prefilled",
                                     LABELS, registry=r)
        self.generation_tokens = Counter("torchworks_generation_tokens", "Tokens generated",
                                         LABELS, registry=r)
        self.model_loaded = Gauge("torchworks_model_loaded",
                                  "1 for the version that takes traffic", LABELS, registry=r)
        self.model_loads = Counter("torchworks_model_loads", "Version load attempts by outcome",
                                   (*LABELS, "outcome"), registry=r)

    def count(self, model: str, version: str, outcome: str) -> None:
        self._child("requests", model, version, outcome).inc()

    def latency(self, model: str, version: str) -> Any:
        """The request-latency histogram of one model version (`.observe(seconds)`)."""
        return self._child("request_latency", model, version)

    def _child(self, metric: str, *values: str) -> Any:
        key = (metric, *values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = getattr(self, metric).labels(*values)
        return child

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
