"""Continuous batching for generation through a real server: SSE, joins, seeds, stops, timeouts."""

from __future__ import annotations

import json
import threading
import time

import httpx

from torchworks.serving import toy


def sse(response: httpx.Response):
    for line in response.iter_lines():
        if line.startswith("data: ") and line != "data: [DONE]":
            yield json.loads(line[len("data: "):])


def generate(server, **body) -> dict:
    response = server.client.post("/v1/toy/generate", json={"stream": False, **body})
    assert response.status_code == 200, response.text
    return response.json()


def test_tokens_stream_as_server_sent_events(serve):
    server = serve([toy.gru_spec(hidden=64)])
    with server.client.stream("POST", "/v1/toy/generate",
                              json={"prompt": "The invention", "max_new_tokens": 12}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = list(sse(response))
    tokens, final = events[:-1], events[-1]
    assert len(tokens) == 12 and final["done"] and final["finish_reason"] == "length"
    assert "".join(e["text"] for e in tokens) == final["text"]
    assert final["prompt_tokens"] == len("The invention") and final["generated_tokens"] == 12
    assert final == {**generate(server, prompt="The invention", max_new_tokens=12)}


def test_a_late_request_joins_the_running_batch_and_leaves_first(serve):
    server = serve([toy.gru_spec(hidden=128)])
    alone = generate(server, prompt="late", max_new_tokens=20)
    long_events: list[dict] = []
    first_running = threading.Event()
    stop_reading = threading.Event()

    def long_request() -> None:
        with httpx.Client(timeout=60) as client, client.stream(
                "POST", f"{server.url}/v1/toy/generate",
                json={"prompt": "early", "max_new_tokens": 8000}) as response:
            for event in sse(response):
                long_events.append(event)
                if len(long_events) == 5:
                    first_running.set()
                if stop_reading.is_set():
                    return  # leaving the stream disconnects: the server cancels the sequence

    reader = threading.Thread(target=long_request)
    reader.start()
    assert first_running.wait(30)
    late = generate(server, prompt="late", max_new_tokens=20)
    still_running = not any(e.get("done") for e in long_events)
    stop_reading.set()
    reader.join(30)
    assert still_running, "the late request waited for the long one to finish"
    assert late["text"] == alone["text"], "joining a running batch changed the greedy output"
    steps = server.metric("torchworks_batch_size_count", model="toy-gen")
    sequences = server.metric("torchworks_batch_size_sum", model="toy-gen")
    assert sequences > steps, "no decode step ever held two sequences"
    deadline = time.monotonic() + 10
    while server.metric("torchworks_requests_total", model="toy-gen", outcome="cancelled") < 1:
        assert time.monotonic() < deadline, "disconnected stream was not cancelled"
        time.sleep(0.05)
    assert server.metric("torchworks_num_requests_running", model="toy-gen") == 0
    assert server.metric("torchworks_time_to_first_token_seconds_count", model="toy-gen") >= 3


def test_seeded_sampling_is_reproducible_inside_a_crowded_batch(serve):
    server = serve([toy.gru_spec(hidden=64)])
    body = {"prompt": "seed", "max_new_tokens": 30, "temperature": 1.0, "top_p": 0.9,
            "top_k": 20, "seed": 1234}
    alone = generate(server, **body)["text"]
    results: list[str] = []

    def one(seed: int) -> None:
        results.append(generate(server, **{**body, "seed": seed})["text"])

    threads = [threading.Thread(target=one, args=(s,)) for s in (1234, 1, 2, 1234)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(alone) == 2
    assert len(set(results)) >= 2


def test_stop_string_ends_generation_before_it(serve):
    server = serve([toy.gru_spec(hidden=64)])
    full = generate(server, prompt="stop here", max_new_tokens=40)["text"]
    stop = full[10:13]
    cut = generate(server, prompt="stop here", max_new_tokens=40, stop=[stop])
    assert cut["finish_reason"] == "stop"
    assert cut["text"] == full[:full.find(stop)]


def test_repetition_penalty_makes_greedy_output_less_repetitive(serve):
    server = serve([toy.gru_spec(hidden=64)])
    body = {"prompt": "The invention", "max_new_tokens": 40}
    plain = generate(server, **body)["text"]
    penalized = generate(server, **body, repetition_penalty=1.5)["text"]
    assert penalized == generate(server, **body, repetition_penalty=1.5)["text"]  # still greedy
    assert len(set(penalized)) > len(set(plain)) + 10  # the random GRU loops without it
    bad = server.client.post("/v1/toy/generate", json={**body, "repetition_penalty": 0})
    assert bad.status_code == 422 and "repetition_penalty" in bad.text


def test_timeouts_and_bad_prompts_answer_clearly(serve):
    server = serve([toy.gru_spec(hidden=64, timeout_s=0.3)])
    started = time.monotonic()
    response = server.client.post("/v1/toy/generate",
                                   json={"prompt": "x", "max_new_tokens": 8000, "stream": False})
    assert response.status_code == 504 and time.monotonic() - started < 10
    with server.client.stream("POST", "/v1/toy/generate",
                              json={"prompt": "x", "max_new_tokens": 8000}) as streamed:
        assert list(sse(streamed))[-1]["finish_reason"] == "timeout"
    bad = server.client.post("/v1/toy/generate", json={"prompt": "caf\u00e9"})
    assert bad.status_code == 422 and "prompt" in bad.text
    assert server.client.get("/healthz").status_code == 200


def test_a_request_arriving_while_finished_states_are_released_is_not_lost():
    import asyncio

    from torchworks.serving.continuous import Scheduler
    from torchworks.serving.generation import GenerationRequest, GenerationResult
    from torchworks.serving.metrics import ServerMetrics

    async def last(stream) -> GenerationResult:
        async for event in stream.events():
            if isinstance(event, GenerationResult):
                return event
        raise AssertionError("no result")

    async def go() -> list[str]:
        scheduler = Scheduler(toy.load_gru(None, hidden=32), name="g", version="1",
                              metrics=ServerMetrics(), max_running=4, max_waiting=8,
                              max_prefill_batch=4, timeout_s=30)
        scheduler.start()
        reasons = []
        for _ in range(20):  # each new request lands while the previous state is released
            request = GenerationRequest(prompt="again", max_new_tokens=2)
            result = await asyncio.wait_for(last(scheduler.submit(request)), 5)
            reasons.append(result.finish_reason)
        await scheduler.aclose()
        return reasons

    assert asyncio.run(go()) == ["length"] * 20
