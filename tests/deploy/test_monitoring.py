"""deploy/monitoring: the Grafana dashboard queries only series the server really exports
(read from torchworks.serving.metrics) or dcgm-exporter's GPU series, covers what operators
watch, and the Prometheus, adapter and Grafana files agree with compose and the HPA."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from torchworks.serving.metrics import ServerMetrics

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "deploy" / "monitoring"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "torchworks-serving.json"
# NVIDIA dcgm-exporter's default counters (MiB and percent), scraped by the `dcgm` job.
DCGM = {"DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_GPU_UTIL"}
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "counter": ("_total",), "gauge": ("",)}


def exported_series() -> set[str]:
    """Every series name the server's /metrics can carry, from its real registry."""
    names = set()
    for family in ServerMetrics().registry.collect():
        names |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    return names


def queries() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"]
            for target in panel.get("targets", [])]


def metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\b(torchworks_[a-z0-9_]+|DCGM_FI_[A-Z0-9_]+)\b", expr))


def test_dashboard_queries_only_series_that_exist():
    known = exported_series() | DCGM
    unknown = {(title, name) for title, expr in queries() for name in metric_names(expr)
               if name not in known}
    assert unknown == set()


def test_every_panel_has_a_query_and_quantiles_come_from_buckets():
    dashboard = json.loads(DASHBOARD.read_text())
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["targets"] and all(t["expr"] for t in panel["targets"]), panel["title"]
    for title, expr in queries():
        for quantile in re.findall(r"histogram_quantile\(([^,]+),(.*)", expr):
            assert "_bucket{" in quantile[1] and "by (le" in quantile[1], title
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("what", "series"), [
    ("latency percentiles", "torchworks_request_duration_seconds_bucket"),
    ("throughput", "torchworks_requests_total"),
    ("queue time", "torchworks_queue_duration_seconds_bucket"),
    ("batch size", "torchworks_batch_size_bucket"),
    ("tokens/s", "torchworks_generation_tokens_total"),
    ("time to first token", "torchworks_time_to_first_token_seconds_bucket"),
    ("inter-token latency", "torchworks_inter_token_latency_seconds_bucket"),
    ("running and waiting", "torchworks_num_requests_waiting"),
    ("GPU memory", "DCGM_FI_DEV_FB_USED"),
])
def test_dashboard_covers(what, series):
    assert any(series in metric_names(expr) for _, expr in queries()), what


def test_request_latency_shows_p50_p95_p99():
    exprs = [expr for _, expr in queries() if "torchworks_request_duration_seconds_bucket" in expr]
    for quantile in ("0.5", "0.95", "0.99"):
        assert any(expr.startswith(f"histogram_quantile({quantile},") for expr in exprs)


def test_compose_prometheus_scrapes_the_serve_service():
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    target = jobs["torchworks"]["static_configs"][0]["targets"][0]
    compose = yaml.safe_load((REPO / "docker" / "compose.yaml").read_text())
    service, port = target.split(":")
    assert service in compose["services"]
    assert any(p.endswith(f":{port}") for p in compose["services"][service]["ports"])
    assert jobs["torchworks"]["metrics_path"] == "/metrics"
    assert "dcgm-exporter" in compose["services"] and "dcgm" in jobs


def test_k8s_scrape_keeps_the_annotated_serving_pods():
    config = yaml.safe_load((MONITORING / "prometheus-k8s.yml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "torchworks")
    keeps = [r for r in job["relabel_configs"] if r.get("action") == "keep"]
    assert keeps[0]["source_labels"] == ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]
    deployment = yaml.safe_load((REPO / "deploy" / "k8s" / "serve-deployment.yaml").read_text())
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"


def test_hpa_metric_is_served_by_the_adapter_rule_from_a_real_gauge():
    rules = yaml.safe_load((MONITORING / "prometheus-adapter-rules.yaml").read_text())
    exposed = {rule["name"]["as"] for rule in rules["rules"]["custom"]}
    hpa = yaml.safe_load((REPO / "deploy" / "k8s" / "serve-hpa.yaml").read_text())
    pod_metrics = {m["pods"]["metric"]["name"] for m in hpa["spec"]["metrics"]
                   if m["type"] == "Pods"}
    assert pod_metrics and pod_metrics <= exposed <= exported_series()


def test_grafana_provisioning_matches_the_compose_mounts():
    compose = yaml.safe_load((REPO / "docker" / "compose.yaml").read_text())
    mounts = dict(v.split(":")[:2] for v in compose["services"]["grafana"]["volumes"])
    provider = yaml.safe_load((MONITORING / "grafana" / "provisioning" / "dashboards"
                               / "torchworks.yaml").read_text())["providers"][0]
    dashboards_dir = next(src for src, dst in mounts.items() if dst == provider["options"]["path"])
    assert (REPO / "docker" / dashboards_dir / DASHBOARD.name).resolve() == DASHBOARD
