"""Import the Hugging Face libraries the way torchworks uses them: offline, quiet, no torchao.

transformers imports torchao as soon as it is installed (its torchao quantizer module runs
`from torchao... import` at import time), and torchao's import loads native extensions that
do not fit every install (a CPython 3.10 binary in its wheel, a CUDA-only kernel on a CPU
torch) and registers enums through a torch API that torch now deprecates: every `patents`
command and the server printed those lines without ever using torchao. torchworks never
loads torchao-quantized Hugging Face checkpoints, so transformers is imported with torchao out
of its sight; torchao itself is imported only where a quantized variant is built
(`llm.variants`), and then it says what it has to say.

Loading progress bars and info logs of transformers are turned off around loads
(`quiet_loading`), not globally.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from types import ModuleType

from torchworks.errors import require

_lock = threading.Lock()
_quiet_lock = threading.Lock()
_quiet = {"loads": 0, "level": 0, "bars": True}  # quiet_loading's state, under _quiet_lock


def transformers() -> ModuleType:
    """`transformers`, with its model code imported and torchao not (see the module doc)."""
    with _lock:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        module = require("transformers", "nlp")
        if "transformers.modeling_utils" not in sys.modules:
            with _torchao_hidden():
                # modeling_utils pulls in the quantizers; transformers caches the answer of its
                # torchao probe, so later imports of its other modules stay quiet too.
                require("transformers.modeling_utils", "nlp")
        return module


def sentence_transformers() -> ModuleType:
    """`sentence_transformers`, imported on top of `transformers()`."""
    transformers()
    return require("sentence_transformers", "nlp")


@contextlib.contextmanager
def quiet_loading() -> Iterator[None]:
    """Silence transformers' per-load progress bars and info logs for the duration.

    The switches are process-wide and services load in parallel threads, so the first load
    in turns them off and the last one out restores them (not each load on its own)."""
    logging = transformers().utils.logging
    with _quiet_lock:
        if not _quiet["loads"]:
            _quiet["level"] = logging.get_verbosity()
            _quiet["bars"] = logging.is_progress_bar_enabled()
            logging.set_verbosity_error()
            logging.disable_progress_bar()
        _quiet["loads"] += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet["loads"] -= 1
            if not _quiet["loads"]:
                logging.set_verbosity(_quiet["level"])
                if _quiet["bars"]:
                    logging.enable_progress_bar()


@contextlib.contextmanager
def _torchao_hidden() -> Iterator[None]:
    """`importlib.util.find_spec("torchao")` answers None while this runs (a None entry in
    sys.modules means "not importable"), unless torchao was already imported on purpose."""
    if "torchao" in sys.modules:
        yield
        return
    sys.modules["torchao"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if sys.modules.get("torchao", ...) is None:
            del sys.modules["torchao"]
