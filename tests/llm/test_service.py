"""The LLM through a real server on 127.0.0.1: continuous batching, SSE, same answers as solo."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from torchworks.llm.generate import generate
from torchworks.llm.load import LoadedLM
from torchworks.llm.sampling import SamplingParams
from torchworks.llm.service import llm_spec

PROMPTS = ["A method of managing crop yield", "A telescoping base comprising",
           "The system of claim 1, wherein the panel", "A support pole", "Solar energy",
           "An apparatus for shading crops comprising an array"]


def test_concurrent_requests_get_their_solo_greedy_text(serve, tiny_lm_dir: Path,
                                                         tiny_lm: LoadedLM) -> None:
    client = serve([llm_spec(name="tiny", model_path=tiny_lm_dir, max_running=4,
                             max_context=128)])

    def ask(prompt: str) -> dict:
        r = client.post("/v1/llm/generate",
                        json={"prompt": prompt, "max_new_tokens": 10, "stream": False})
        assert r.status_code == 200, r.text
        return r.json()

    with ThreadPoolExecutor(len(PROMPTS)) as pool:  # more requests than running slots
        answers = list(pool.map(ask, PROMPTS))
    for prompt, answer in zip(PROMPTS, answers, strict=True):
        solo = generate(tiny_lm, prompt, SamplingParams(max_new_tokens=10))
        assert answer["text"] == solo.text
        assert answer["generated_tokens"] == len(solo.token_ids) + (solo.finish_reason == "stop")
    sizes = {}
    for line in client.get("/metrics").text.splitlines():
        for part in ("sum", "count"):
            if line.startswith(f"torchworks_batch_size_{part}{{") and 'model="tiny"' in line:
                sizes[part] = float(line.rsplit(" ", 1)[1])
    assert sizes["sum"] / sizes["count"] > 1.5, "decode steps should batch several sequences"


def test_streaming_sends_tokens_then_a_final_event(serve, tiny_lm_dir: Path) -> None:
    client = serve([llm_spec(name="tiny", model_path=tiny_lm_dir, max_running=2,
                             max_context=128)])
    events = []
    with client.stream("POST", "/v1/llm/generate",
                       json={"prompt": PROMPTS[0], "max_new_tokens": 8, "chat": True}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                events.append(json.loads(line[6:]))
    final = events[-1]
    assert final["done"] and final["finish_reason"] in ("length", "stop")
    assert "".join(e["text"] for e in events[:-1]) == final["text"]


def test_prompt_longer_than_the_context_is_a_422(serve, tiny_lm_dir: Path) -> None:
    client = serve([llm_spec(name="tiny", model_path=tiny_lm_dir, max_context=32)])
    r = client.post("/v1/llm/generate", json={"prompt": "solar panel " * 100, "stream": False})
    assert r.status_code == 422 and "context" in r.text
