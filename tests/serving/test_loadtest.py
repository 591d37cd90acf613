"""The load generator against a real server: closed and open loop, percentiles, PNG, loopback."""

from __future__ import annotations

import asyncio

import pytest

from torchworks.errors import ConfigError
from torchworks.serving import toy
from torchworks.serving.loadtest import LoadTestConfig, check_loopback, run_load_test


def test_closed_and_open_loop_report_percentiles_and_a_histogram(serve, tmp_path):
    server = serve([toy.echo_spec()])
    url = f"{server.url}/v1/toy/echo"
    closed = asyncio.run(run_load_test(LoadTestConfig(url=url, body=b'{"x": 1}',
                                                      concurrency=4, requests=60)))
    assert (closed.sent, closed.ok, sum(closed.errors.values())) == (60, 60, 0)
    assert 0 < closed.percentile(50) <= closed.percentile(95) <= closed.percentile(99)
    assert closed.throughput > 0 and closed.versions == {"embedded": 60}
    png = closed.plot(tmp_path / "latency.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "P95" in closed.summary()

    opened = asyncio.run(run_load_test(LoadTestConfig(url=url, body=b'{"x": 1}', rate=100,
                                                      requests=30)))
    assert opened.ok == 30 and opened.duration_s >= 0.29  # 30 requests at 100/s take 0.29 s+


def test_errors_are_counted_by_status(serve):
    server = serve([toy.echo_spec()])
    result = asyncio.run(run_load_test(LoadTestConfig(url=f"{server.url}/v1/toy/echo",
                                                      body=b'{"x": "NaNa"}', requests=10)))
    assert result.ok == 0 and result.errors == {"HTTP 422": 10}


@pytest.mark.parametrize("url", ["http://10.0.0.7:8000/v1/x", "http://example.com/",
                                 "http://0.0.0.0:8000/", "ftp://127.0.0.1/"])
def test_only_loopback_targets_are_accepted(url):
    with pytest.raises(ConfigError):
        check_loopback(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/v1/x", "http://[::1]:80/",
                                 "http://localhost:9/", "http://127.3.2.1/"])
def test_loopback_targets_pass(url):
    check_loopback(url)
