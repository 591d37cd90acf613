"""The shared LLM layer: load a causal LM, generate text, serve it with continuous batching.

- `load.load_causal_lm` gives a `LoadedLM` (HF model + tokenizer) from a local folder or the
  embedded SmolLM2-135M-Instruct (converted once into the model registry, never downloaded).
- `generate.generate` / `generate.stream` decode one prompt with a KV cache (greedy or sampling);
  `stepper=` plugs in any variant (`engine.EngineStepper`, `onnx_runtime.OnnxStepper`).
- `engine.DecodeEngine` runs `llama.FastLlama` over a slotted static KV cache; `variants` builds
  its bf16 / int8 / compiled forms; `service.llm_spec` serves it through the serving layer's
  iteration-level scheduler (one cache slot per running sequence).
"""
