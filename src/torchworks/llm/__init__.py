"""The shared LLM layer: load a causal LM, generate text, batch generation across requests.

- `load.load_causal_lm` gives a `LoadedLM` (HF model + tokenizer) from a local folder or the
  embedded SmolLM2-135M-Instruct (converted once into the model registry, never downloaded).
- `generate.generate` / `generate.stream` decode one prompt with a KV cache (greedy or sampling).
- `engine.DecodeEngine` + `batching.ContinuousBatcher` run many sequences in one padded batch
  whose rows (slots) are joined and left between decode steps.
"""
