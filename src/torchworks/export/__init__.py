"""Model export (TorchScript, ONNX, TensorRT, quantization), parity checks and manifests; knows no recipe."""
