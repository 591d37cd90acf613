"""The model registry on disk: `models/<name>/<version>/` with a `manifest.json`.

Versions are positive integers, as in Triton's model repository, and the highest version whose
manifest is not `rejected` is the one served by default. A manifest records how the files were
made (format, precision), what they scored (metrics), a checksum over every other file in the
version directory, and the verdict of a quality gate: `status` is "candidate" (not judged),
"approved" or "rejected", with `status_reason`. A rejected version is refused with its reason,
and a version whose files no longer match its checksum is refused too.

Names and versions come from HTTP requests, so they are validated against a strict pattern
and never joined onto a path before that; nothing here follows a user string outside the root.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from torchworks import atomic
from torchworks.checksum import MANIFEST, compute_checksum
from torchworks.errors import ConfigError, DataError, TorchworksError

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
VERSION_PATTERN = re.compile(r"^[1-9][0-9]{0,8}$")
Status = Literal["candidate", "approved", "rejected"]


class VersionRefused(TorchworksError):
    """A version exists but must not serve: rejected by a gate, or corrupt."""


@dataclass(frozen=True)
class Manifest:
    format: str  # "torch-state-dict", "torchscript", "onnx", "hf-folder", "gguf", ...
    precision: str  # "fp32", "bf16", "int8-weight-only", ...
    checksum: str  # "sha256:<hex>" over the version's other files (see compute_checksum)
    metrics: dict[str, float] = field(default_factory=dict)
    status: Status = "candidate"
    status_reason: str = ""
    inputs: list[dict[str, object]] = field(default_factory=list)  # optional tensor I/O specs
    outputs: list[dict[str, object]] = field(default_factory=list)  # (used by Triton export)
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def read(cls, version_dir: Path) -> Manifest:
        path = version_dir / MANIFEST
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataError(f"{path} is missing",
                            fix="publish with torchworks.serving.registry.publish") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"{path} is not valid JSON: {exc}") from None
        known = {f.name for f in dataclasses.fields(cls)}
        missing = {"format", "precision", "checksum"} - set(raw)
        if not isinstance(raw, dict) or missing:
            raise DataError(f"{path} lacks {', '.join(sorted(missing)) or 'an object'}")
        manifest = cls(**{k: v for k, v in raw.items() if k in known})
        if manifest.status not in ("candidate", "approved", "rejected"):
            raise DataError(f"{path}: status '{manifest.status}' is not candidate, approved or "
                            "rejected")
        return manifest

    def write(self, version_dir: Path) -> None:
        atomic.write_json(version_dir / MANIFEST, dataclasses.asdict(self))


@dataclass(frozen=True)
class VersionInfo:
    name: str
    version: str
    path: Path
    manifest: Manifest


def validate_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise ConfigError(f"model name {name!r} is not valid",
                          fix="use 1-64 characters: lowercase letters, digits, '-', '_'")
    return name


def validate_version(version: str) -> str:
    if not VERSION_PATTERN.fullmatch(version):
        raise ConfigError(f"model version {version!r} is not valid",
                          fix="versions are positive integers such as 1, 2, 3")
    return version


class ModelStore:
    """Read access to one models directory (the layout is the contract; no index file)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def versions(self, name: str) -> list[VersionInfo]:
        """All versions of `name` with a readable manifest, lowest first."""
        base = self.root / validate_name(name)
        if not base.is_dir():
            return []
        found = []
        for child in base.iterdir():
            if VERSION_PATTERN.fullmatch(child.name) and (child / MANIFEST).is_file():
                found.append(VersionInfo(name, child.name, child, Manifest.read(child)))
        return sorted(found, key=lambda info: int(info.version))

    def resolve(self, name: str, version: str | None = None,
                skipped: list[str] | None = None) -> VersionInfo:
        """The version to serve, verified: the one asked for, or else the newest that is not
        rejected and whose files match its checksum. Newer versions passed over on the way
        are appended to `skipped` (one line each, with the reason).

        Reads every file of the version (the checksum): call it from a worker thread, not the
        event loop (0.5 GB takes seconds)."""
        versions = self.versions(name)
        if version is not None:
            validate_version(version)
            matches = [v for v in versions if v.version == version]
            if not matches:
                have = ", ".join(v.version for v in versions) or "none"
                raise VersionRefused(f"model '{name}' has no version {version} (have: {have})")
            self._verify(matches[0])
            return matches[0]
        usable = [v for v in versions if v.manifest.status != "rejected"]
        if not usable:
            raise VersionRefused(f"model '{name}' has no servable version under {self.root}",
                                 fix=f"publish one into {self.root / name}/<version>/")
        refusals = []
        for info in reversed(usable):
            try:
                self._verify(info)
            except VersionRefused as exc:
                refusals.append(exc.message)
                continue
            if skipped is not None:
                skipped.extend(refusals)
            return info
        raise VersionRefused(f"no version of '{name}' passes its checksum:\n  - "
                             + "\n  - ".join(refusals),
                             fix="re-publish a version; their files were changed or truncated")

    def _verify(self, info: VersionInfo) -> None:
        if info.manifest.status == "rejected":
            raise VersionRefused(
                f"model '{info.name}' version {info.version} was rejected by its quality gate: "
                f"{info.manifest.status_reason or 'no reason recorded'}",
                fix="serve an approved version, or re-run the gate after fixing the model")
        actual = compute_checksum(info.path)
        if actual != info.manifest.checksum:
            raise VersionRefused(
                f"model '{info.name}' version {info.version}: files do not match the manifest "
                f"checksum ({actual[:19]}... != {info.manifest.checksum[:19]}...)",
                fix="re-publish the version; its files were changed or truncated")


def publish(root: Path, name: str, source: Path, *, format: str, precision: str,
            metrics: dict[str, float] | None = None, status: Status = "candidate",
            status_reason: str = "", version: str | None = None,
            inputs: list[dict[str, object]] | None = None,
            outputs: list[dict[str, object]] | None = None,
            extra: dict[str, object] | None = None) -> VersionInfo:
    """Copy `source` (a file or folder) into `root/<name>/<version>/` with its manifest.

    The version directory appears atomically (built under a temporary name, then renamed), so a
    server scanning the registry never sees a half-copied version.
    """
    base = Path(root) / validate_name(name)
    base.mkdir(parents=True, exist_ok=True)
    existing = [int(p.name) for p in base.iterdir() if VERSION_PATTERN.fullmatch(p.name)]
    version = validate_version(version) if version else str(max(existing, default=0) + 1)
    final = base / version
    if final.exists():
        raise ConfigError(f"{final} already exists", fix="publish under a new version number")
    staging = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=base))
    try:
        source = Path(source)
        if source.is_dir():
            shutil.copytree(source, staging, dirs_exist_ok=True)
        else:
            shutil.copy2(source, staging / source.name)
        (staging / MANIFEST).unlink(missing_ok=True)
        manifest = Manifest(format=format, precision=precision,
                            checksum=compute_checksum(staging), metrics=dict(metrics or {}),
                            status=status, status_reason=status_reason,
                            inputs=list(inputs or []), outputs=list(outputs or []),
                            extra=dict(extra or {}))
        manifest.write(staging)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return VersionInfo(name, version, final, manifest)


def set_status(root: Path, name: str, version: str, status: Status, reason: str = "") -> Manifest:
    """Record a quality gate's verdict on a version (atomic rewrite of its manifest)."""
    path = Path(root) / validate_name(name) / validate_version(version)
    manifest = dataclasses.replace(Manifest.read(path), status=status, status_reason=reason)
    manifest.write(path)
    return manifest
