"""Native CPU kernels for batch-1 decoding (fp32 and q8_0 matmuls), shipped as C source and
compiled on first use (`native.py`); `linears.py` wraps them as drop-in nn.Linear modules."""
