"""`torchworks export llm` end to end: versions in the registry, served or refused by verdict."""

from __future__ import annotations

from pathlib import Path

from torchworks.cli import main
from torchworks.export.llm.config import KNOWN_VARIANTS
from torchworks.llm.service import llm_spec
from torchworks.llm.variants import VARIANTS
from torchworks.serving.registry import ModelStore

QUICK = ["--prompts", "2", "--new-tokens", "6", "--held-tokens", "48", "--speed-tokens", "4",
         "--max-seq", "512", "--no-claim-checker"]


def test_cli_knows_every_variant() -> None:
    assert tuple(VARIANTS) == KNOWN_VARIANTS


def test_export_publishes_gated_versions_and_the_server_honours_them(
        tiny_lm_dir: Path, tmp_path: Path, patents_dir: Path, serve, capsys) -> None:
    models = tmp_path / "models"
    common = ["export", "llm", "--model", str(tiny_lm_dir), "--name", "tiny",
              "--models-dir", str(models), "--patents-dir", str(patents_dir), *QUICK]
    assert main([*common, "--variants", "eager-fp32,onnx,fp16"]) == 0
    out = capsys.readouterr().out
    assert "fp16             skipped" in out and "needs a CUDA GPU" in out
    assert main([*common, "--variants", "onnx", "--min-token-agreement", "1.01"]) == 0

    store = ModelStore(models)
    versions = {v.version: v.manifest for v in store.versions("tiny")}
    assert [versions[v].extra["variant"] for v in ("1", "2", "3")] == ["eager-fp32", "onnx",
                                                                       "onnx"]
    assert versions["2"].status == "approved" and versions["2"].format == "onnx"
    assert versions["2"].metrics["token_agreement"] == 1.0
    assert versions["2"].extra["source_checksum"].startswith("sha256:")
    assert versions["3"].status == "rejected"
    assert "token agreement 1.000 < 1.01" in versions["3"].status_reason

    client = serve([llm_spec(name="tiny", max_context=128)], models_dir=models)
    served = client.post("/v1/llm/generate",
                         json={"prompt": "A solar panel", "max_new_tokens": 4, "stream": False})
    assert served.status_code == 200 and served.headers["X-Model-Version"] == "2"
    refused = client.post("/v1/models/tiny/load", json={"version": "3"})
    assert refused.status_code == 409 and "token agreement" in refused.text


def test_bf16_on_a_cpu_without_native_bf16_is_skipped_with_the_reason(
        tiny_lm_dir: Path, tmp_path: Path, patents_dir: Path, fake_cpu, capsys) -> None:
    """The AVX2-only CI CPU of issue 13: only the probe's answer is faked; the pipeline, the
    reference run and the registry are real."""
    fake_cpu("avx2-only")
    models = tmp_path / "models"
    assert main(["export", "llm", "--model", str(tiny_lm_dir), "--name", "tiny",
                 "--models-dir", str(models), "--patents-dir", str(patents_dir), *QUICK,
                 "--variants", "bf16"]) == 0
    out = capsys.readouterr().out
    assert "bf16: skipped (this CPU has no fast bf16 (needs AVX512-BF16 or AMX-BF16; it has " \
           "AVX2)" in out
    assert "bf16             skipped" in out
    assert not list(models.glob("tiny/*/manifest.json")), "nothing published for a refused variant"
