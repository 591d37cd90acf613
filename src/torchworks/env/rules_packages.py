"""Rules about Python packages that must move in lockstep with torch."""

from __future__ import annotations

from torchworks.env.facts import Facts
from torchworks.env.findings import Finding, Severity
from torchworks.env.tables import TORCHVISION_FOR_TORCH
from torchworks.env.wheels import version_tuple


def _major_minor(version: str) -> str:
    parts = version_tuple(version)
    return f"{parts[0]}.{parts[1]}" if len(parts) >= 2 else version


def _local_tag(version: str) -> str:
    """'2.9.1+cu128' -> 'cu128'; no tag (plain PyPI) -> ''."""
    return version.partition("+")[2]


def expected_torchvision(torch_version: str) -> str | None:
    """torchvision major.minor for a torch release: the table, then torchvision's rule
    (0.<minor + 15> for torch 2.x) for releases newer than the table."""
    mm = _major_minor(torch_version)
    if mm in TORCHVISION_FOR_TORCH:
        return TORCHVISION_FOR_TORCH[mm]
    parts = version_tuple(torch_version)
    return f"0.{parts[1] + 15}" if len(parts) >= 2 and parts[0] == 2 else None


def companions(facts: Facts) -> list[Finding]:
    """torchvision/torchaudio built for another torch fail with undefined symbols or
    'operator torchvision::nms does not exist'."""
    versions = facts.packages.versions
    torch_version = versions.get("torch")
    if not torch_version:
        return []
    wanted = {"torchvision": expected_torchvision(torch_version),
              "torchaudio": _major_minor(torch_version)}
    findings = []
    for name, expected in wanted.items():
        have = versions.get(name)
        if have is None or expected is None:
            continue
        tags = (_local_tag(torch_version), _local_tag(have))
        if _major_minor(have) == expected and (tags[0] == tags[1] or "" in tags):
            findings.append(Finding(f"packages.{name}_ok", Severity.OK,
                                    f"{name} {have} matches torch {torch_version}",
                                    "built against this torch"))
            continue
        index = f" --index-url https://download.pytorch.org/whl/{tags[0]}" if tags[0] else ""
        findings.append(Finding(
            f"packages.{name}_mismatch", Severity.ERROR,
            f"{name} {have} with torch {torch_version} (expected {name} {expected}.x"
            f"{' +' + tags[0] if tags[0] else ''})",
            f"{name} is compiled against one torch release and build: a mismatch fails at "
            "import or with 'operator ... does not exist'",
            f"pip install '{name}=={expected}.*'{index}"))
    return findings


def onnxruntime_flavours(facts: Facts) -> list[Finding]:
    """onnxruntime and onnxruntime-gpu install the same `onnxruntime` module over each other."""
    versions = facts.packages.versions
    if "onnxruntime" not in versions or "onnxruntime-gpu" not in versions:
        return []
    keep = "onnxruntime-gpu" if facts.nvml.gpus else "onnxruntime"
    return [Finding("packages.onnxruntime_conflict", Severity.WARN,
                    f"both onnxruntime {versions['onnxruntime']} and onnxruntime-gpu "
                    f"{versions['onnxruntime-gpu']} are installed",
                    "they overwrite each other's files: which execution providers exist depends "
                    "on install order, and CUDAExecutionProvider may silently be missing",
                    f"pip uninstall -y onnxruntime onnxruntime-gpu && pip install {keep}")]
