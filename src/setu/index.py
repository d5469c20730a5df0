"""The saved index, read back: one generation of passages, FAISS vectors,
sentence vectors and BM25, held in memory to answer from.

On disk the index is a folder of plain files::

    index/
      CURRENT              name of the live generation, replaced atomically
      .lock                held while `setu index` runs
      gen-<time>-<id>/     one complete generation
        manifest.json      format version, model, dimension, chunking, one entry per source file
        passages.jsonl     the passages, with their citation fields and sentence offsets
        dense.faiss        passage vectors (inner product on unit vectors = cosine)
        sentences.npy      one vector per sentence of each passage, in passage order
        lexicon.json       document frequency of each word, for weighting query words
        bm25/              the bm25s index

`build.py` writes generations; this module only reads them.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .errors import IndexMissing
from .types import Passage

FORMAT_VERSION = 3  # 2: passages record where each PDF page starts; 3: their footnotes and source metadata


# --- reading a generation ----------------------------------------------------

@dataclass
class Index:
    """One loaded generation: everything needed to answer, held in memory."""

    path: Path
    manifest: dict
    passages: list[Passage]
    dense: object  # faiss.Index
    sentence_vectors: np.ndarray
    sentence_rows: np.ndarray  # first sentence row of each passage
    bm25: object  # bm25s.BM25
    df: dict[str, int] = field(default_factory=dict)
    _rows_by_text: dict | None = field(default=None, repr=False)
    _sentence_rows_by_text: dict | None = field(default=None, repr=False)

    @property
    def generation(self) -> str:
        return self.path.name

    @property
    def model(self) -> str:
        return self.manifest["model"]

    def sentence_vector_rows(self, row: int) -> np.ndarray:
        start = self.sentence_rows[row]
        return self.sentence_vectors[start : start + len(self.passages[row].sentences)]

    def row_of(self, passage_text: str) -> int | None:
        """The row of a passage with exactly this text, if indexed."""
        if self._rows_by_text is None:
            self._rows_by_text = {p.text: i for i, p in enumerate(self.passages)}
        return self._rows_by_text.get(passage_text)

    def vector_of_sentence(self, sentence: str) -> np.ndarray | None:
        """The stored vector of an indexed sentence with exactly this text."""
        if self._sentence_rows_by_text is None:
            self._sentence_rows_by_text = {}
            for row, p in enumerate(self.passages):
                for j in range(len(p.sentences)):
                    self._sentence_rows_by_text.setdefault(p.sentence_text(j), int(self.sentence_rows[row]) + j)
        found = self._sentence_rows_by_text.get(sentence)
        return None if found is None else self.sentence_vectors[found]

    def source_text(self, source: str) -> str | None:
        """A source's text as indexed now (whitespace collapsed), or None."""
        wanted = _same_file_key(source)
        parts = sorted((p for p in self.passages if p.source == source or _same_file_key(p.source) == wanted),
                       key=lambda p: p.start)
        if not parts:
            return None
        text = ""
        for p in parts:
            text = text[: p.start].ljust(p.start) + p.text if p.end > len(text) else text
        return " ".join(text.split())


def _same_file_key(source: str) -> str:
    try:
        return str(Path(source).resolve())
    except (OSError, ValueError):
        return source


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    return index_dir / name if name else None


def open_index(index_dir: Path) -> Index:
    """Load the live generation. Raises ``IndexMissing`` when there is none."""
    for _attempt in range(3):  # a rebuild may swap generations while we read
        gen = current_generation(index_dir)
        if gen is None:
            raise IndexMissing(f"no index in {index_dir}/ yet: run `setu index` (or `make run`) to build it")
        try:
            return _read_generation(gen)
        except FileNotFoundError:
            time.sleep(0.05)
    raise IndexMissing(f"the index in {index_dir}/ is incomplete: run `setu index` to rebuild it")


def _read_generation(gen: Path) -> Index:
    import bm25s
    import faiss

    manifest = json.loads((gen / "manifest.json").read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexMissing(f"{gen}: index format {manifest.get('format')} is not {FORMAT_VERSION}: run `setu index`")
    passages = []
    with open(gen / "passages.jsonl", encoding="utf-8") as f:
        for line in f:
            passages.append(_passage_from_json(json.loads(line)))
    dense = faiss.read_index(str(gen / "dense.faiss"))
    sentence_vectors = np.load(gen / "sentences.npy")
    counts = np.array([len(p.sentences) for p in passages], dtype=np.int64)
    rows = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else np.zeros(0, dtype=np.int64)
    bm25 = bm25s.BM25.load(str(gen / "bm25"), show_progress=False, verbosity=0) if passages else None
    df = json.loads((gen / "lexicon.json").read_text())["df"]
    return Index(gen, manifest, passages, dense, sentence_vectors, rows, bm25, df)


def _passage_to_json(p: Passage) -> dict:
    return asdict(p)


def _passage_from_json(d: dict) -> Passage:
    d = dict(d)
    d["sentences"] = tuple(tuple(s) for s in d["sentences"])
    d["page_starts"] = tuple(tuple(s) for s in d.get("page_starts", ()))
    d["notes"] = tuple(tuple(n) for n in d.get("notes", ()))
    d["meta"] = tuple(tuple(m) for m in d.get("meta", ()))
    return Passage(**d)
