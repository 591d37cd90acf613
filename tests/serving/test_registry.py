"""The on-disk registry: versions, manifests, gate verdicts, checksums, name validation."""

from __future__ import annotations

import json

import pytest

from torchworks.errors import ConfigError
from torchworks.serving.registry import ModelStore, VersionRefused, publish, set_status


@pytest.fixture
def weights(tmp_path):
    path = tmp_path / "src" / "weights.bin"
    path.parent.mkdir()
    path.write_bytes(b"\x00\x01" * 1000)
    return path


def test_publish_numbers_versions_and_records_a_manifest(tmp_path, weights):
    root = tmp_path / "models"
    first = publish(root, "clf", weights, format="torch-state-dict", precision="fp32",
                    metrics={"accuracy": 0.91})
    second = publish(root, "clf", weights, format="torch-state-dict", precision="bf16")
    assert (first.version, second.version) == ("1", "2")
    manifest = json.loads((root / "clf" / "2" / "manifest.json").read_text())
    assert manifest["precision"] == "bf16" and manifest["checksum"].startswith("sha256:")
    assert manifest["status"] == "candidate"
    assert ModelStore(root).resolve("clf").version == "2"
    assert not [p for p in (root / "clf").iterdir() if p.name.startswith(".")]


def test_a_rejected_version_is_refused_with_the_gate_reason(tmp_path, weights):
    root = tmp_path / "models"
    publish(root, "clf", weights, format="onnx", precision="fp32")
    publish(root, "clf", weights, format="onnx", precision="int8")
    set_status(root, "clf", "2", "rejected", "token agreement 0.61 < 0.95")
    store = ModelStore(root)
    assert store.resolve("clf").version == "1"  # the default skips rejected versions
    with pytest.raises(VersionRefused, match=r"token agreement 0\.61 < 0\.95"):
        store.resolve("clf", "2")


def test_changed_files_fail_the_checksum(tmp_path, weights):
    root = tmp_path / "models"
    info = publish(root, "clf", weights, format="onnx", precision="fp32")
    (info.path / "weights.bin").write_bytes(b"tampered")
    with pytest.raises(VersionRefused, match="checksum"):
        ModelStore(root).resolve("clf", "1")


@pytest.mark.parametrize("name", ["../etc", "A", "", "a/b", "x" * 65, "clf\n"])
def test_names_that_could_escape_the_root_are_refused(tmp_path, name):
    with pytest.raises(ConfigError):
        ModelStore(tmp_path).versions(name)


@pytest.mark.parametrize("version", ["0", "01", "1/../2", "latest", "-1"])
def test_versions_must_be_positive_integers(tmp_path, weights, version):
    publish(tmp_path, "clf", weights, format="onnx", precision="fp32")
    with pytest.raises(ConfigError):
        ModelStore(tmp_path).resolve("clf", version)
