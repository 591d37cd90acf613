"""`POST /v1/patents/check` and `POST /v1/patents/draft` on a real server."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from torchworks.recipes.patents.draft.openai_server import RunningServer, serve_app
from torchworks.recipes.patents.service_claims import check_service, draft_service
from torchworks.service_catalog import load_service
from torchworks.serving.app import ServerConfig, create_app

DISCLOSURE = ("A foldable solar panel assembly has a rigid frame with a central hinge. Two "
              "photovoltaic panels fold onto each other. A charge controller on the frame "
              "feeds a battery pack. The battery pack slides into the frame.")


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    specs = [check_service(), draft_service()]
    running = serve_app(create_app(specs, ServerConfig()), lifespan="on")
    deadline = time.monotonic() + 60  # the models load in the background after start-up
    while httpx.get(f"{running.url}/readyz", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "the server did not become ready in 60 s"
        time.sleep(0.1)
    yield running
    running.stop()


def test_both_services_are_in_the_catalog() -> None:
    assert load_service("patents-check").route == "patents/check"
    assert load_service("patents-draft").route == "patents/draft"


def test_check_endpoint_reports_findings_with_fixes(server: RunningServer) -> None:
    claims = ("1. A lamp comprising a base.\n2. The lamp of claim 3, wherein the glass shade is "
              "red.")
    response = httpx.post(f"{server.url}/v1/patents/check", json={"claims": claims}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    rules = {(f["claim"], f["rule"]) for f in body["findings"]}
    assert {(2, "dependency-missing"), (2, "antecedent-basis")} <= rules
    assert body["errors"] >= 2 and all(f["fix"] for f in body["findings"])
    assert "2. [dependent]" in body["report"]
    assert body["claims"] == [{"number": 1, "kind": "independent", "parents": []},
                              {"number": 2, "kind": "dependent", "parents": [3]}]
    bad = httpx.post(f"{server.url}/v1/patents/check", json={"claims": ""}, timeout=30)
    assert bad.status_code == 422 and "claims" in bad.text


def test_check_endpoint_refuses_a_claim_flood_with_422_naming_the_limit(
        server: RunningServer) -> None:
    from torchworks.recipes.patents.service_claims import MAX_CLAIMS

    flood = "1. A lamp comprising a base.\n" + "\n".join(
        f"{n}. The lamp of claim {n - 1}." for n in range(2, MAX_CLAIMS + 2))
    began = time.monotonic()
    refused = httpx.post(f"{server.url}/v1/patents/check", json={"claims": flood}, timeout=30)
    assert refused.status_code == 422, refused.text
    assert f"{MAX_CLAIMS + 1} claims" in refused.text and f"limit is {MAX_CLAIMS}" in refused.text
    assert time.monotonic() - began < 10
    at_limit = flood.rsplit("\n", 1)[0]  # exactly MAX_CLAIMS claims: checked
    answered = httpx.post(f"{server.url}/v1/patents/check", json={"claims": at_limit},
                          timeout=30)
    assert answered.status_code == 200 and len(answered.json()["claims"]) == MAX_CLAIMS
    after = httpx.post(f"{server.url}/v1/patents/check", timeout=30,
                       json={"claims": "1. A lamp comprising a base."})
    assert after.status_code == 200 and after.json()["errors"] == 0  # the service still serves


def test_draft_endpoint_answers_the_pipelines_claim_set_strictly_checked(
        server: RunningServer) -> None:
    from torchworks.recipes.patents.draft.pipeline import draft_claims

    response = httpx.post(f"{server.url}/v1/patents/draft", timeout=30,
                          json={"disclosure": DISCLOSURE, "dependents": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["claims"] == draft_claims(DISCLOSURE).text  # the same pipeline as the CLI
    assert body["claims"].startswith("1. A foldable solar panel assembly comprising:")
    assert body["errors"] == 0 and "demo model" in body["note"]
    checked = httpx.post(f"{server.url}/v1/patents/check", json={"claims": body["claims"]},
                         timeout=30).json()
    assert checked["errors"] == 0, checked["report"]
    kinds = [c["kind"] for c in checked["claims"]]
    assert kinds[0] == "independent" and kinds.count("dependent") >= 1


def test_draft_endpoint_rejects_a_dependents_count_out_of_range(server: RunningServer) -> None:
    response = httpx.post(f"{server.url}/v1/patents/draft", timeout=30,
                          json={"disclosure": DISCLOSURE, "dependents": 21})
    assert response.status_code == 422 and "dependents" in response.text


def test_a_disclosure_with_nothing_to_claim_fails_alone_with_what_to_write(
        server: RunningServer) -> None:
    response = httpx.post(f"{server.url}/v1/patents/draft", timeout=30,
                          json={"disclosure": "Imaging with ultra short echo times is improved."})
    assert response.status_code == 422 and "names no parts" in response.text
    good = httpx.post(f"{server.url}/v1/patents/draft", timeout=30,
                      json={"disclosure": DISCLOSURE})
    assert good.status_code == 200
