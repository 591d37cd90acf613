"""Issue 14 item 4: cross-site pages cannot drive the server; serve flags are checked up front.

Through a real server with no key file (the local default): a cross-site "simple" request, a
foreign Origin and a DNS-rebinding Host are refused, and the model keeps serving.
"""

from __future__ import annotations

import time

from torchworks.cli import main
from torchworks.serving import toy

JSON = {"content-type": "application/json"}


def test_cross_site_requests_cannot_reach_admin_or_model_routes(serve):
    server = serve([toy.echo_spec()])
    c = server.client
    host = server.url.removeprefix("http://")
    unload = "/v1/models/toy-echo/unload"

    simple = c.post(unload, content=b"{}", headers={"content-type": "text/plain"})
    assert simple.status_code == 415 and "application/json" in simple.json()["detail"]
    foreign = c.post(unload, content=b"{}", headers={**JSON, "origin": "http://evil.example"})
    assert foreign.status_code == 403 and "cross-origin" in foreign.json()["detail"]
    bodiless = c.post(unload, headers={"origin": "null"})
    assert bodiless.status_code == 403
    rebound = c.post(unload, content=b"{}", headers={**JSON, "host": "evil.example:8000",
                                                     "origin": "http://evil.example:8000"})
    assert rebound.status_code == 403 and "Host" in rebound.json()["detail"]
    assert c.get("/v1/models", headers={"host": "rebind.example"}).status_code == 403
    form = c.post("/v1/toy/echo", content=b"x=1",
                  headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415
    assert c.get("/readyz").status_code == 200  # nothing above unloaded the model
    assert c.post("/v1/toy/echo", json={"x": 3.0}).json() == {"x": 3.0}

    same_origin = c.post(unload, json={}, headers={"origin": f"http://{host}"})
    assert same_origin.status_code == 200
    assert c.get("/readyz").status_code == 503
    assert c.post("/v1/models/toy-echo/load").status_code == 200  # curl -X POST: no type


def test_serve_refuses_bad_flags_before_binding(capsys):
    cases = [
        (["--port", "99999"], ["--port 99999"]),
        (["--host", "0.0.0.0"], ["--insecure-no-auth", "--api-key-file"]),
        (["--port", "0", "--timeout-s", "nan", "--max-batch-size", "0", "--drain-timeout-s",
          "-1", "--models", "/nonexistent/models", "--services", "toy-echo,nope"],
         ["--port 0", "--timeout-s nan", "--max-batch-size 0", "--drain-timeout-s -1.0",
          "--models /nonexistent/models", "unknown service 'nope'"]),
    ]
    for flags, expected in cases:
        started = time.monotonic()
        code = main(["serve", "--services", "toy-echo", *flags])
        err = capsys.readouterr().err
        assert code == 2, err
        assert time.monotonic() - started < 10
        assert "Traceback" not in err
        for text in expected:
            assert text in err, (text, err)
