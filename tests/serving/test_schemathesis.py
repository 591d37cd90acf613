"""Issue 14: schemathesis against the live OpenAPI document: no 5xx, no schema violations.

Property-based requests generated from `/openapi.json` (valid and invalid bodies, odd
headers) against a real server on 127.0.0.1, once hosting the toy services and the management
routes, once the patent services `make run` hosts (check, draft, summarize: real recipes, no
model to download); every answer must be declared (status, content type, body schema) and none
a 5xx.
Not checked: "schema-valid data is accepted" (ST202): a service may refuse a well-typed body
for what only the model knows (a feature vector of the wrong length) with a declared 422.
Slow: a few hundred requests. `SCHEMATHESIS_EXAMPLES` raises the examples per operation.
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from torchworks.serving import toy  # noqa: E402
from torchworks.serving.local import local_server  # noqa: E402

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))


def _specs(kind: str) -> list:
    if kind == "toy":
        return [toy.echo_spec(), toy.mlp_spec(hidden=16), toy.gru_spec(hidden=16)]
    from torchworks.recipes.patents.service_claims import check_service, draft_service
    from torchworks.recipes.patents.service_summarize import summarize_service

    return [check_service(), draft_service(), summarize_service()]


@pytest.fixture(scope="module", params=["toy", "patents"])
def base_url(request):
    with local_server(_specs(request.param), timeout_s=60) as url:
        yield url


def test_every_answer_is_declared_and_none_is_a_server_error(base_url):
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures = {}
    calls = {"n": 0}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            if case.path.endswith("/unload"):
                case.path_parameters = {"name": "absent-model"}  # keep the models loaded
            calls["n"] += 1
            case.call_and_validate(base_url=base_url, excluded_checks=[positive_data_acceptance])

        try:
            run()
        except Exception as exc:  # collect every operation's failure, report them together
            failures[operation.label] = str(exc)[:2000]
    print(f"schemathesis: {calls['n']} requests over {len(list(schema.get_all_operations()))} "
          f"operations, {len(failures)} failing")
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
