"""Issue 14 item 10: /docs works offline, and the OpenAPI document tells the truth about what
the server sends (error bodies, 400, SSE, 405 with Allow), through a real server."""

from __future__ import annotations

import re
from pathlib import Path

from torchworks.serving import toy

JSON = {"content-type": "application/json"}


def test_docs_pages_load_every_asset_from_this_server(serve, tmp_path: Path):
    (tmp_path / "index.html").write_text("<h1>workbench</h1>")
    server = serve([toy.echo_spec()], static_dir=tmp_path)
    for page in ("/docs", "/redoc"):
        html = server.client.get(page)
        assert html.status_code == 200 and "text/html" in html.headers["content-type"]
        assets = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', html.text)
        assert assets, html.text
        for asset in assets:
            assert asset.startswith("/"), f"{page} loads {asset} from outside the server"
            reply = server.client.get(asset)
            assert reply.status_code == 200 and len(reply.content) > 1000, asset
    assert server.client.get("/").text == "<h1>workbench</h1>"


def test_openapi_declares_what_the_server_sends(serve, tmp_path: Path):
    from torchworks.serving.docs import ErrorBody

    (tmp_path / "index.html").write_text("<h1>workbench</h1>")
    server = serve([toy.echo_spec(), toy.gru_spec(hidden=16)], static_dir=tmp_path)
    c = server.client
    doc = c.get("/openapi.json").json()
    generate = doc["paths"]["/v1/toy/generate"]["post"]["responses"]
    assert set(generate["200"]["content"]) == {"application/json", "text/event-stream"}
    echo = doc["paths"]["/v1/toy/echo"]["post"]["responses"]
    for status in ("400", "413", "415", "422", "503", "504"):
        assert status in echo and "ErrorBody" in str(echo[status]), status

    sent = {
        "400": c.post("/v1/toy/echo", content=b"{not json", headers=JSON),
        "415": c.post("/v1/toy/echo", content=b"x", headers={"content-type": "text/plain"}),
        "422": c.post("/v1/toy/echo", json={"x": "abc"}),
        "422 guard": c.post("/v1/toy/echo", content=b'{"x": NaN}', headers=JSON),
        "422 prompt": c.post("/v1/toy/generate", json={"prompt": ""}),
        "404": c.post("/v1/models/nope/load", json={}),
    }
    for name, reply in sent.items():
        assert reply.status_code == int(name.split()[0]), (name, reply.text)
        ErrorBody.model_validate(reply.json())  # the declared error body, field for field

    for path in ("/v1/toy/echo", "/v1/toy/generate", "/v1/models/toy-echo/unload"):
        wrong = c.get(path)
        assert wrong.status_code == 405, (path, wrong.status_code)
        assert wrong.headers["allow"] == "POST"
