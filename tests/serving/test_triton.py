"""Triton model-repository export of registered ONNX / TorchScript versions."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from torchworks.errors import DataError
from torchworks.serving.registry import publish, set_status
from torchworks.serving.triton import export_to_triton


def linear_onnx(path, seed: int):
    rng = np.random.default_rng(seed)
    weight = numpy_helper.from_array(rng.normal(size=(4, 3)).astype(np.float32), "weight")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["features", "weight"], ["scores"])], "linear",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", 3])],
        [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def test_onnx_versions_become_a_triton_repository(tmp_path):
    root = tmp_path / "models"
    for seed in (1, 2, 3):
        publish(root, "ranker", linear_onnx(tmp_path / f"m{seed}.onnx", seed), format="onnx",
                precision="fp32")
    set_status(root, "ranker", "3", "rejected", "parity check failed")
    result = export_to_triton(root, "ranker", tmp_path / "repo", max_batch_size=16,
                              max_queue_delay_ms=2, version_policy="all")
    assert result.versions == ["1", "2"] and "parity check failed" in result.skipped[0]
    config = (tmp_path / "repo" / "ranker" / "config.pbtxt").read_text()
    for expected in ('platform: "onnxruntime_onnx"', "max_batch_size: 16",
                     "version_policy: { all { } }", 'name: "features"', "data_type: TYPE_FP32",
                     "dims: [ 4 ]", "dims: [ 3 ]",
                     "preferred_batch_size: [ 4, 8, 16 ]", "max_queue_delay_microseconds: 2000"):
        assert expected in config, expected
    assert not (tmp_path / "repo" / "ranker" / "3").exists()
    import onnxruntime

    session = onnxruntime.InferenceSession(str(tmp_path / "repo/ranker/2/model.onnx"))
    out = session.run(None, {"features": np.ones((2, 4), np.float32)})[0]
    assert out.shape == (2, 3)


def test_torchscript_needs_io_specs_in_the_manifest(tmp_path):
    module = torch.jit.script(torch.nn.Linear(4, 2))
    module.save(str(tmp_path / "model.pt"))
    root = tmp_path / "models"
    publish(root, "bare", tmp_path / "model.pt", format="torchscript", precision="fp32")
    with pytest.raises(DataError, match="inputs/outputs"):
        export_to_triton(root, "bare", tmp_path / "repo")
    publish(root, "typed", tmp_path / "model.pt", format="torchscript", precision="fp32",
            inputs=[{"name": "INPUT__0", "dtype": "float32", "shape": [4]}],
            outputs=[{"name": "OUTPUT__0", "dtype": "float32", "shape": [2]}])
    result = export_to_triton(root, "typed", tmp_path / "repo")
    assert 'platform: "pytorch_libtorch"' in result.config
    assert "version_policy: { latest { num_versions: 1 } }" in result.config
    assert (tmp_path / "repo" / "typed" / "1" / "model.pt").is_file()
