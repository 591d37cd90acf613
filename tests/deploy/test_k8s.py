"""deploy/k8s parsed and held to the rules: probes on /readyz and /healthz, GPU resources,
non-root, HPA and PDB aimed at the server, a CronJob for retraining, an indexed multi-node
torchrun Job whose numbers agree; and every container command accepted by the real CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
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
    """What the kubelet passes: `$(NAME)` replaced for plain `value` env vars (others are left,
    as the kubelet leaves unknown names), `$$` reduced to `$`."""
    values = {e["name"]: e["value"] for e in env if "value" in e}

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return values.get(match.group(1), match.group(0))

    return [re.sub(r"\$\$|\$\((\w+)\)", substitute, arg) for arg in args]


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


def test_retraining_cronjob_never_overlaps_and_names_each_run():
    cron = one("CronJob", "torchworks-retrain")
    assert len(cron["spec"]["schedule"].split()) == 5
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    (container,) = _containers(cron)
    run_name = next(e for e in container["env"] if e["name"] == "RUN_NAME")
    assert run_name["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.labels['job-name']"


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
    index = {"name": "JOB_COMPLETION_INDEX", "value": "0"}  # the downward API's value in pod 0
    args = expand(container["args"], [*container["env"], index])
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


def test_retraining_warm_starts_each_run_from_the_last_good_one(entrypoint):
    """The CronJob's script, run twice through the entrypoint: the first run starts fresh, the
    next warm-starts from the first run's best.pt, and the CLI accepts both commands."""
    (container,) = _containers(one("CronJob", "torchworks-retrain"))
    script = expand(container["args"], container["env"])
    root = entrypoint.root / "checkpoints"
    root.mkdir()
    env = {"RETRAIN_ROOT": str(root), "RETRAIN_DATA": "/data/window"}
    parser = build_parser()

    first = entrypoint.run(*script, env={**env, "RUN_NAME": "retrain-1"})
    assert first.returncode == 0, first.stderr
    assert first.argv[1:] == ["train", "rec", "--model", "din", "--data", "/data/window",
                              "--out", f"{root}/retrain-1"]
    parser.parse_args(first.argv[1:])
    best = root / "retrain-1" / "checkpoints" / "best.pt"  # what the trainer leaves behind
    best.parent.mkdir(parents=True)
    best.write_bytes(b"weights")
    assert (root / "current").resolve() == root / "retrain-1"

    second = entrypoint.run(*script, env={**env, "RUN_NAME": "retrain-2"})
    assert second.returncode == 0, second.stderr
    assert second.argv[-4:] == ["--out", f"{root}/retrain-2", "--init-from", str(best)]
    parser.parse_args(second.argv[1:])
    assert (root / "current").resolve() == root / "retrain-2"


def test_a_failed_retraining_run_leaves_current_alone(entrypoint):
    (container,) = _containers(one("CronJob", "torchworks-retrain"))
    root = entrypoint.root / "checkpoints"
    (root / "retrain-1").mkdir(parents=True)
    (root / "current").symlink_to("retrain-1")
    env = {"RETRAIN_ROOT": str(root), "RETRAIN_DATA": "/data/window", "RUN_NAME": "retrain-2",
           "STANDIN_EXIT": "1"}
    script = expand(container["args"], container["env"])
    assert entrypoint.run(*script, env=env).returncode == 1
    assert (root / "current").resolve() == root / "retrain-1"


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_retrain_script_passes_shellcheck(tmp_path):
    (container,) = _containers(one("CronJob", "torchworks-retrain"))
    shell, flag, script = expand(container["args"], container["env"])
    assert (shell, flag) == ("shell", "-c")
    path = tmp_path / "retrain.sh"
    path.write_text("#!/usr/bin/env bash\n" + script)
    result = subprocess.run(["shellcheck", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
