"""torchworks: a reproducible PyTorch + CUDA stack with production recipes on top.

Kept import-light on purpose: `import torchworks` must not pull torch or any recipe, so the CLI
starts fast and the doctor runs even where torch is broken.
"""

__version__ = "0.1.0"
