"""Service name -> the recipe function that returns its ServiceSpec ("module:function").

This is the one place where the serving layer meets recipes: `torchworks serve --services a,b`
looks names up here, so `torchworks.serving` itself never imports a recipe.
"""

from __future__ import annotations

import importlib
from typing import Any

from torchworks.errors import ConfigError

SERVICES: dict[str, str] = {
    "toy-mlp": "torchworks.serving.toy:mlp_spec",
    "toy-echo": "torchworks.serving.toy:echo_spec",
    "toy-gen": "torchworks.serving.toy:gru_spec",
    "llm": "torchworks.llm.service:llm_spec",
    "patents-summarize": "torchworks.recipes.patents.service_summarize:summarize_service",
    "patents-check": "torchworks.recipes.patents.service_claims:check_service",
    "patents-draft": "torchworks.recipes.patents.service_claims:draft_service",
    "rec-recommend": "torchworks.recipes.recsys.service:spec",
}


def load_service(name: str) -> Any:
    """Import and call the spec factory registered under `name`."""
    if name not in SERVICES:
        known = ", ".join(sorted(SERVICES)) or "(none registered)"
        raise ConfigError(f"unknown service '{name}'", fix=f"choose from: {known}")
    module_name, _, function = SERVICES[name].partition(":")
    return getattr(importlib.import_module(module_name), function)()
