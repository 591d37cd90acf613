"""deploy/k8s parsed and held to the rules: probes on /readyz and /healthz, GPU resources,
non-root, HPA and PDB aimed at the server, a CronJob for retraining, an indexed multi-node
torchrun Job whose numbers agree; and every container command accepted by the real CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from torchworks.cli import build_parser

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"


def documents() -> list[dict[str, Any]]:
    return [doc for path in sorted(K8S.glob("*.yaml")) if path.name != "kustomization.yaml"
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def one(kind: str, name: str) -> dict[str, Any]:
    (doc,) = [d for d in documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def pod_specs() -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """(workload name, pod spec, pod labels) for every Deployment, Job and CronJob."""
    found = []
    for doc in documents():
        if doc["kind"] == "CronJob":
            template = doc["spec"]["jobTemplate"]["spec"]["template"]
        elif doc["kind"] in ("Deployment", "Job"):
            template = doc["spec"]["template"]
        else:
            continue
        found.append((doc["metadata"]["name"], template["spec"], template["metadata"]["labels"]))
    return found


def expand(args: list[str], env: list[dict[str, Any]]) -> list[str]:
    """Kubernetes' $(VAR) expansion, with the downward-API index set to 0."""
    values = {e["name"]: e.get("value", "0") for e in env}
    return [re.sub(r"\$\((\w+)\)", lambda m: values[m.group(1)], a) for a in args]


def test_kustomization_lists_existing_files_and_names_the_image():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert all((K8S / name).is_file() for name in kustomization["resources"])
    assert "secret-api-keys.example.yaml" not in kustomization["resources"]
    images = {image["name"] for image in kustomization["images"]}
    for path in kustomization["resources"]:
        for doc in yaml.safe_load_all((K8S / path).read_text()):
            for container in _containers(doc):
                assert container["image"] in images


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {})
    template = spec.get("jobTemplate", {}).get("spec", spec).get("template", {})
    return template.get("spec", {}).get("containers", [])


@pytest.mark.parametrize("workload", [name for name, _, _ in pod_specs()])
def test_every_workload_is_non_root_with_requests_limits_and_gpus(workload):
    (_, spec, _), = [p for p in pod_specs() if p[0] == workload]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] >= 1000
    assert spec["automountServiceAccountToken"] is False
    for container in spec["containers"]:
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        resources = container["resources"]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory", "nvidia.com/gpu"} <= set(resources[bound])
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        shm = next(v for v in spec["volumes"] if v["name"] == mounts["/dev/shm"])
        assert shm["emptyDir"]["medium"] == "Memory"


def test_serve_probes_readyz_and_healthz_and_reads_keys_from_the_secret():
    deployment = one("Deployment", "torchworks-serve")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    env = {e["name"]: e.get("value") for e in container["env"]}
    secret_volume = next(v for v in pod["volumes"] if "secret" in v)
    assert secret_volume["secret"]["secretName"] == "torchworks-api-keys"
    mount = next(m for m in container["volumeMounts"] if m["name"] == secret_volume["name"])
    assert env["TORCHWORKS_API_KEY_FILE"].startswith(mount["mountPath"] + "/")
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert pod["terminationGracePeriodSeconds"] >= 30  # room for the server's drain


def test_service_hpa_and_pdb_all_aim_at_the_serving_pods():
    labels = one("Deployment", "torchworks-serve")["spec"]["template"]["metadata"]["labels"]
    ports = {p["name"] for c in _containers(one("Deployment", "torchworks-serve"))
             for p in c["ports"]}
    service = one("Service", "torchworks-serve")
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] in ports
    pdb = one("PodDisruptionBudget", "torchworks-serve")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    hpa = one("HorizontalPodAutoscaler", "torchworks-serve")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": "torchworks-serve"}
    assert hpa["spec"]["minReplicas"] > pdb["spec"]["minAvailable"]
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]


def test_retraining_cronjob_never_overlaps():
    cron = one("CronJob", "torchworks-retrain")
    assert len(cron["spec"]["schedule"].split()) == 5
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    (container,) = _containers(cron)
    assert container["args"][:2] == ["train", "rec"] and "--init-from" in container["args"]


def test_multinode_job_numbers_agree():
    service = one("Service", "torchworks-train")
    job = one("Job", "torchworks-train")
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["publishNotReadyAddresses"] is True
    assert service["spec"]["selector"] == {"job-name": job["metadata"]["name"]}
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["template"]["spec"]["subdomain"] == service["metadata"]["name"]
    (container,) = spec["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert spec["completions"] == spec["parallelism"] == int(env["NNODES"]["value"])
    gpus = container["resources"]["limits"]["nvidia.com/gpu"]
    assert int(env["GPUS_PER_NODE"]["value"]) == gpus
    assert env["JOB_COMPLETION_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"] == (
        "metadata.annotations['batch.kubernetes.io/job-completion-index']")
    master = f"--master-addr={job['metadata']['name']}-0.{service['metadata']['name']}"
    assert master in container["args"]


def test_multinode_command_parses_as_torchrun_then_torchworks():
    from torch.distributed.run import get_args_parser

    (container,) = _containers(one("Job", "torchworks-train"))
    args = expand(container["args"], container["env"])
    assert args[0] == "torchrun"
    launch = get_args_parser().parse_args(args[1:])
    assert (launch.nnodes, launch.node_rank, launch.module) == ("2", 0, True)
    assert launch.training_script == "torchworks"
    build_parser().parse_args(launch.training_script_args)


def test_serve_deployment_command_through_the_entrypoint_is_accepted(entrypoint):
    (container,) = _containers(one("Deployment", "torchworks-serve"))
    keys = entrypoint.root / "api_keys"
    keys.write_text("sha256:" + "cd" * 32 + " *\n")
    env = {e["name"]: e["value"] for e in container["env"]}
    env["TORCHWORKS_API_KEY_FILE"] = str(keys)  # stands for the Secret mount
    run = entrypoint.run(*container["args"], env=env)
    assert run.returncode == 0, run.stderr
    args = build_parser().parse_args(run.argv[1:])
    assert (args.host, args.port, args.api_key_file) == ("0.0.0.0", 8000, keys)


def test_retrain_command_is_accepted_once_the_rec_recipe_is_registered():
    (container,) = _containers(one("CronJob", "torchworks-retrain"))
    parser = build_parser()
    try:
        parser.parse_args(["train", "rec", "--help"])
    except SystemExit as exit_:
        if exit_.code != 0:
            pytest.skip("`torchworks train rec` is not registered yet")
    parser.parse_args(container["args"])
