"""Model export (TorchScript, ONNX, TensorRT, quantization), parity checks, manifests.

Knows no recipe: a checkpoint names its own model factory.
"""
