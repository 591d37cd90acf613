"""Image classification (MNIST-style): IDX data, two CNNs, the `train mnist` recipe."""
