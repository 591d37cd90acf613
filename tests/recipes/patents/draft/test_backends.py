"""The OpenAI backend against a real OpenAI-compatible server on 127.0.0.1 (the local model
behind it): same text as in-process, streaming, keys, retries."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from torchworks.errors import DependencyError, TorchworksError
from torchworks.recipes.patents.draft.backends import GenerateParams, LocalBackend, OpenAIBackend
from torchworks.recipes.patents.draft.openai_server import RunningServer, start_server
from torchworks.recipes.patents.draft.pipeline import DraftConfig, draft_claims

TEXT = "A lamp has a base, a shade and a bulb. The shade is mounted on the base over the bulb."
MESSAGES = [{"role": "user", "content": "Write claim 1 for a lamp."}]


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> LocalBackend:
    from torchworks.llm.tiny import build_tiny_lm

    return LocalBackend.load(str(build_tiny_lm(tmp_path_factory.mktemp("tiny") / "lm",
                                               [TEXT] * 20)))


@pytest.fixture(scope="module")
def server(local: LocalBackend) -> Iterator[RunningServer]:
    running = start_server(local, api_key="sekret", model_name="tiny")
    yield running
    running.stop()


def test_server_answers_what_the_local_model_writes(local: LocalBackend,
                                                    server: RunningServer) -> None:
    remote = OpenAIBackend(server.url, api_key="sekret", model="tiny", timeout_s=30)
    params = GenerateParams(max_new_tokens=12)
    expected = local.generate(MESSAGES, params)
    assert expected
    assert remote.generate(MESSAGES, params) == expected
    pieces = list(remote.stream(MESSAGES, params))
    assert len(pieces) > 1 and "".join(pieces) == expected
    assert remote.count_tokens("four") == 1 and local.count_tokens(TEXT) > 5


def test_wrong_key_is_a_clear_error(server: RunningServer) -> None:
    with pytest.raises(TorchworksError, match="401"):
        OpenAIBackend(server.url, api_key="wrong", retries=0).generate(MESSAGES,
                                                                       GenerateParams())


def test_unreachable_server_is_retried_then_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = OpenAIBackend(f"http://127.0.0.1:{port}/v1", retries=2, backoff_s=0.01,
                            timeout_s=2)
    with pytest.raises(DependencyError, match="cannot reach"):
        backend.generate(MESSAGES, GenerateParams())


def test_drafting_through_the_openai_backend(server: RunningServer) -> None:
    remote = OpenAIBackend(server.url, api_key="sekret", model="tiny")
    result = draft_claims(TEXT, remote, DraftConfig(dependents=2, max_new_tokens=10,
                                                    polish=True, abstract=True))
    assert result.text.startswith("1. A lamp comprising")
    assert result.report.errors == 0  # a tiny model's rewrite never replaces a clean claim
    assert result.abstract and len(result.abstract.split()) <= 150


def test_the_draft_service_uses_the_model_its_environment_names(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from torchworks.recipes.patents.service_claims import draft_service

    monkeypatch.setenv("TORCHWORKS_DRAFT_BASE_URL", server.url)
    monkeypatch.setenv("TORCHWORKS_DRAFT_MODEL", "tiny")
    monkeypatch.setenv("OPENAI_API_KEY", "sekret")
    predictor = draft_service().load(None)
    answer = predictor.predict([predictor.warmup_request().model_copy(
        update={"disclosure": TEXT})])[0]
    assert f"tiny at {server.url}" in answer.note
    assert answer.claims.startswith("1. A lamp comprising") and answer.errors == 0
    monkeypatch.delenv("TORCHWORKS_DRAFT_BASE_URL")
    plain = draft_service().load(None).predict([predictor.warmup_request()])[0]
    assert "small demo model" in plain.note and not plain.polished
