"""LLM variants for the registry: build (`build.py`), judge against the reference (`gate.py`)."""
