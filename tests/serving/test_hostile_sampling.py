"""Issue 14 item 1: one request's sampling fields cannot fail anyone else's generation.

Through a real server: every sampling field is bounded in the schema (422 naming the field),
and if one sequence's sampling still raises (a recipe that loosened a bound), only that
sequence fails; the four requests decoding beside it finish normally.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import httpx
import pytest

from torchworks.llm.service import LLMRequest, llm_spec
from torchworks.serving import toy

HOSTILE = [
    {"temperature": 1, "top_p": 1e-300},
    {"temperature": 1e-300},
    {"temperature": 1, "repetition_penalty": 1e300},
    {"temperature": 1, "seed": 1e30},
    {"temperature": 1, "seed": 10**30},
    {"temperature": 1, "top_k": 10**15},
    {"stop": ["x" * 5000]},
]


@pytest.mark.parametrize("fields", HOSTILE, ids=lambda f: ",".join(f))
def test_out_of_range_sampling_fields_are_a_422_naming_the_field(serve, fields):
    client = serve([toy.gru_spec(hidden=32)]).client
    reply = client.post("/v1/toy/generate",
                        json={"prompt": "abc", "max_new_tokens": 4, "stream": False, **fields})
    assert reply.status_code == 422, reply.text
    culprit = next((name for name in fields if name != "temperature"), "temperature")
    assert culprit in {str(part) for error in reply.json()["detail"] for part in error["loc"]}
    assert client.post("/v1/toy/generate", json={"prompt": "abc", "max_new_tokens": 4,
                                                 "stream": False}).status_code == 200


class UnboundedSeedRequest(LLMRequest):
    """A recipe's request type that forgot the seed bound: its sampling can raise."""

    seed: int | None = None


def _stream_final(url: str, body: dict, running: threading.Event, out: list) -> None:
    with httpx.Client(timeout=120) as client, client.stream(
            "POST", f"{url}/v1/llm/generate", json={**body, "stream": True}) as reply:
        events = []
        for line in reply.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                events.append(json.loads(line[len("data: "):]))
                running.set()
        out.append((reply.status_code, events))


def test_a_sequence_whose_sampling_raises_fails_alone(serve, tiny_lm_dir: Path):
    spec = dataclasses.replace(llm_spec(name="tiny", model_path=tiny_lm_dir, max_running=8,
                                        max_context=256), request_type=UnboundedSeedRequest)
    server = serve([spec])
    client, url = server.client, server.url
    normal = {"prompt": "A method of managing crop yield", "max_new_tokens": 40,
              "temperature": 0.8, "top_p": 0.9, "seed": 7}
    results: list = []
    threads = []
    for i in range(4):
        running = threading.Event()
        thread = threading.Thread(target=_stream_final,
                                  args=(url, {**normal, "seed": i}, running, results))
        thread.start()
        assert running.wait(60), "a normal request never started decoding"
        threads.append(thread)
    hostile = client.post("/v1/llm/generate", json={**normal, "seed": 10**30, "stream": False})
    for thread in threads:
        thread.join(120)
    assert len(results) == 4
    for status, events in results:  # the batch mates first: they must not share its fate
        assert status == 200
        final = events[-1]
        assert "error" not in final, final
        assert final.get("done") and final["finish_reason"] in ("length", "stop"), final
    assert hostile.status_code == 422, hostile.text
    assert "seed" in hostile.text or "Overflow" in hostile.text
    again = client.post("/v1/llm/generate", json={**normal, "stream": False})
    assert again.status_code == 200 and again.json()["generated_tokens"] >= 1
