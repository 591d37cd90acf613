"""docker/compose.yaml (and the CPU override) parsed and held to the deployment rules: one
service per mode, GPU reservation, shm and resource limits, ulimits, volumes, loopback ports,
secrets from files that git never sees; and the serve service's command accepted by the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from torchworks.cli import build_parser

DOCKER = Path(__file__).resolve().parents[2] / "docker"
MODES = ("jupyter", "ssh", "serve", "train", "doctor", "shell")


@dataclass(frozen=True)
class Tagged:
    """A Compose merge tag (`!reset`, `!override`) and the value it carries."""

    tag: str
    value: Any


class ComposeLoader(yaml.SafeLoader):
    pass


def _tagged(loader: yaml.SafeLoader, node: yaml.Node) -> Tagged:
    if isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)
    return Tagged(node.tag, value)


for _tag in ("!reset", "!override"):
    ComposeLoader.add_constructor(_tag, _tagged)


def load(name: str) -> dict[str, Any]:
    return yaml.load((DOCKER / name).read_text(), Loader=ComposeLoader)


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return load("compose.yaml")["services"]


def test_one_service_per_mode_each_running_that_mode(services):
    for mode in MODES:
        service = services[mode]
        assert service["profiles"] == [mode]
        assert service["entrypoint"] == ["/usr/bin/tini", "--", "torchworks-entrypoint", mode]
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
        assert (DOCKER / service["build"]["context"] / "docker" / "Dockerfile").is_file()


@pytest.mark.parametrize("mode", MODES)
def test_gpu_shm_limits_ulimits_and_volumes(services, mode):
    service = services[mode]
    devices = service["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": "all", "capabilities": ["gpu"]}]
    assert service["shm_size"] == "8gb"
    limits = service["deploy"]["resources"]["limits"]
    assert limits["cpus"] and limits["memory"]
    assert service["ulimits"]["memlock"] == -1 and service["ulimits"]["nofile"]["hard"] >= 65536
    mounts = {volume.split(":")[1] for volume in service["volumes"]}
    assert {"/workspace/data", "/workspace/checkpoints", "/workspace/models"} <= mounts
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]


def test_every_published_port_binds_loopback_on_the_host(services):
    published = [(name, port) for name, s in services.items() for port in s.get("ports", [])]
    assert {name for name, _ in published} >= {"jupyter", "ssh", "serve"}
    assert all(port.startswith("127.0.0.1:") for _, port in published), published


def test_secrets_come_from_git_ignored_files(services):
    compose = load("compose.yaml")
    assert services["ssh"]["secrets"] == ["authorized_keys"]
    assert services["serve"]["secrets"] == ["torchworks_api_keys"]
    for secret in compose["secrets"].values():
        assert secret["file"].startswith("./secrets/")
    ignored = (DOCKER / ".gitignore").read_text().splitlines()
    assert "secrets/*" in ignored and ".env" in ignored
    # jupyter's token is passed through from the caller, never written in the file
    assert services["jupyter"]["environment"]["JUPYTER_TOKEN"] is None
    assert services["jupyter"]["environment"]["JUPYTER_PASSWORD_HASH"] is None


def test_ssh_keeps_host_keys_in_a_named_volume(services):
    assert "ssh-host-keys:/var/lib/torchworks/ssh" in services["ssh"]["volumes"]
    assert "ssh-host-keys" in load("compose.yaml")["volumes"]


def test_images_are_pinned_by_tag(services):
    for name, service in services.items():
        image = service["image"]
        tag = image.rsplit(":", 1)[-1]
        assert ":" in image and tag != "latest", f"{name}: {image}"


def test_cpu_override_removes_only_the_gpu_reservation():
    override = load("compose.cpu.yaml")["services"]
    for mode in MODES:
        resources = override[mode]["deploy"]["resources"]
        assert resources["reservations"] == Tagged("!reset", {})
        assert resources["limits"]["memory"]
    assert override["dcgm-exporter"]["profiles"].tag == "!override"


def test_serve_command_is_accepted_by_the_cli(services, entrypoint):
    keys = entrypoint.root / "api_keys"
    keys.write_text("sha256:" + "ab" * 32 + " *\n")
    env = {**services["serve"]["environment"], "TORCHWORKS_API_KEY_FILE": str(keys)}
    run = entrypoint.run(services["serve"]["entrypoint"][-1], *services["serve"]["command"],
                         env=env)
    assert run.returncode == 0, run.stderr
    args = build_parser().parse_args(run.argv[1:])
    assert args.host == "0.0.0.0" and str(args.models) == "/workspace/models"


def test_image_version_follows_the_package_version(services):
    from torchworks import __version__

    assert services["serve"]["image"] == f"torchworks:{__version__}-${{TORCHWORKS_VARIANT:-cuda}}"
    kustomization = yaml.safe_load((DOCKER.parent / "deploy" / "k8s" / "kustomization.yaml")
                                   .read_text())
    assert kustomization["images"][0]["newTag"] == f"{__version__}-cuda"
    label = f'org.opencontainers.image.version="{__version__}"'
    assert label in (DOCKER / "Dockerfile").read_text()
