"""Query to passages: dense (FAISS, whole passages), sentence (each passage's
best sentence) and lexical (BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

import numpy as np

from .index import Index
from .text import content_words
from .types import Hit

RRF_K = 60  # the usual constant: damps the difference between ranks 1 and 2


def retrieve(index: Index, query_vector: np.ndarray, query: str, k: int = 8, depth: int = 40) -> list[Hit]:
    """The ``k`` best passages for a query, given its unit vector and text."""
    n = len(index.passages)
    if n == 0:
        return []
    depth = min(depth, n)
    qv = np.asarray(query_vector, dtype=np.float32).reshape(1, -1)
    dense_scores, dense_rows = index.dense.search(qv, depth)
    dense_rank = {int(r): i for i, r in enumerate(dense_rows[0]) if r >= 0}
    dense_score = {int(r): float(s) for r, s in zip(dense_rows[0], dense_scores[0]) if r >= 0}

    # Passages ranked by their single best sentence: a fact stated in one
    # sentence of a longer passage is found even when the rest is about else.
    sentence_scores = index.sentence_vectors @ qv[0]
    best_sentence = np.maximum.reduceat(sentence_scores, index.sentence_rows) if len(sentence_scores) else sentence_scores
    sentence_rank = {int(r): i for i, r in enumerate(np.argsort(-best_sentence, kind="stable")[:depth])}

    lexical = lexical_scores(index, query)
    lexical_rank: dict[int, int] = {}
    if lexical is not None:
        top = np.argsort(-lexical, kind="stable")[:depth]
        lexical_rank = {int(r): i for i, r in enumerate(top) if lexical[r] > 0}

    fused: dict[int, float] = {}
    for ranks in (dense_rank, sentence_rank, lexical_rank):
        for row, rank in ranks.items():
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
    best = sorted(fused, key=lambda r: (-fused[r], r))[:k]
    hits = []
    for row in best:
        dense = dense_score.get(row)
        if dense is None:
            dense = float(index.dense.reconstruct(row) @ qv[0])
        hits.append(Hit(index.passages[row], row, fused[row], dense, float(lexical[row]) if lexical is not None else 0.0))
    return hits


def lexical_scores(index: Index, query: str) -> np.ndarray | None:
    """BM25 score of every passage, or None when no query word is indexed."""
    if index.bm25 is None:
        return None
    vocab = index.bm25.vocab_dict
    tokens = [t for t in content_words(query) if t in vocab]
    if not tokens:
        return None
    return np.asarray(index.bm25.get_scores(tokens), dtype=np.float32)
