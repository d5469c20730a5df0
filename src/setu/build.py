"""Sources to a saved index: an incremental, atomic rebuild.

A rebuild writes a new generation beside the live one (see `index.py` for
the layout) and then swaps ``CURRENT``, so an interrupted rebuild leaves the
previous index whole. Unchanged files are taken from the previous generation
without being read or embedded again; the model is only loaded when
something must be embedded. A file lock keeps two rebuilds apart.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .chunk import chunk
from .config import Settings
from .errors import IndexBusy, SetuError, SourceError
from .index import FORMAT_VERSION, _passage_to_json, _read_generation, current_generation
from .load import load
from .text import content_words
from .types import Document, Passage

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class BuildReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    failed: tuple[tuple[str, str], ...] = ()  # (source, reason)
    skipped: tuple[tuple[str, str], ...] = ()  # (source, why): duplicates, hidden files
    passages: int = 0
    seconds: float = 0.0
    generation: str = ""
    rebuilt: bool = False  # settings changed, so everything was embedded again

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.failed)} failed, {self.unchanged} unchanged; {self.passages} passages; {self.seconds:.1f} s"
        )


@contextmanager
def locked(index_dir: Path, wait: bool = True):
    """Hold the index lock: two `setu index` runs never write at once."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise IndexBusy(f"another `setu index` is updating {index_dir}/") from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def fingerprint(settings: Settings) -> dict:
    """What the passages and vectors depend on; any change means a full rebuild."""
    return {"format": FORMAT_VERSION, "model": settings.model, **settings.chunking()}


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class _Found:
    rel: str  # path inside the sources folder, '/'-separated
    path: Path
    size: int
    mtime_ns: int


def scan(sources: Path) -> tuple[list[_Found], list[tuple[str, str]], list[tuple[str, str]]]:
    """Files under the sources folder: (found, failed, skipped)."""
    if not sources.is_dir():
        raise SetuError(f"sources folder {sources}/ does not exist")
    root = sources.resolve()
    found, failed, skipped = [], [], []
    for dirpath, dirnames, filenames in os.walk(sources, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(sources).as_posix()
            shown = _shown(sources, rel)
            if name.startswith("."):
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    failed.append((shown, "symbolic link to a file outside the sources folder; not followed"))
                    continue
            try:
                st = path.stat()
            except OSError as e:
                failed.append((shown, f"cannot read file: {e.strerror}"))
                continue
            found.append(_Found(rel, path, st.st_size, st.st_mtime_ns))
    return found, failed, skipped


def _shown(sources: Path, rel: str) -> str:
    """A source's name as given to `setu index`: the sources folder plus the file."""
    return (sources / rel).as_posix()


def build(settings: Settings, *, embedder=None, progress: Progress | None = None, wait: bool = True) -> BuildReport:
    """Bring the index up to date with the sources folder (see module docstring)."""
    with locked(settings.index, wait=wait):
        return _build(settings, embedder, progress or (lambda _f, _m: None))


def _build(settings: Settings, embedder, progress: Progress) -> BuildReport:
    t0 = time.perf_counter()
    index_dir = settings.index
    _remove_strays(index_dir)
    old_gen = current_generation(index_dir)
    old = _old_manifest(old_gen)
    fp = fingerprint(settings)
    same_settings = old is not None and all(old.get(k) == v for k, v in fp.items())
    old_files = old["files"] if same_settings else {}
    old_failed = old.get("failed", {}) if same_settings else {}

    found, failed, skipped = scan(settings.sources)
    max_bytes = int(settings.max_file_mb * 1e6)

    # Decide, per file, whether it can be kept as it is.
    keep, todo, hashes = {}, [], {}
    for f in found:
        prev = old_files.get(f.rel) or old_failed.get(f.rel)
        if prev and prev.get("size") == f.size and prev.get("mtime_ns") == f.mtime_ns:
            hashes[f.rel] = prev["sha256"]
        elif f.size > max_bytes:
            hashes[f.rel] = f"size:{f.size}:{f.mtime_ns}"  # too big to be worth hashing
        else:
            hashes[f.rel] = sha256_of(f.path)
        if f.rel in old_files and old_files[f.rel]["sha256"] == hashes[f.rel]:
            keep[f.rel] = f
        elif f.rel in old_failed and old_failed[f.rel]["sha256"] == hashes[f.rel]:
            failed.append((_shown(settings.sources, f.rel), old_failed[f.rel]["reason"]))
        else:
            todo.append(f)
    present = {f.rel for f in found}
    removed = sorted(rel for rel in old_files if rel not in present)
    failed_now = {_rel_of(settings.sources, s) for s, _ in failed}

    if old is not None and same_settings and not todo and not removed and _stats_match(old, found, hashes):
        n = sum(v["passages"] for v in old_files.values())
        return BuildReport(unchanged=len(keep), failed=tuple(failed), passages=n,
                           seconds=time.perf_counter() - t0, generation=old_gen.name)

    # Read and chunk what is new or changed.
    docs: dict[str, tuple[_Found, Document, list[Passage]]] = {}
    seen_hashes = {old_files[rel]["sha256"]: rel for rel in keep}
    for i, f in enumerate(todo):
        shown = _shown(settings.sources, f.rel)
        progress(0.5 * i / max(len(todo), 1), f"reading {f.rel}")
        if hashes[f.rel] in seen_hashes:
            skipped.append((shown, f"same content as {_shown(settings.sources, seen_hashes[hashes[f.rel]])}; indexed once"))
            continue
        try:
            doc = load(f.path, shown, max_bytes=max_bytes)
            passages = chunk(doc, settings.chunk_words, settings.chunk_overlap)
            if not passages:
                raise SourceError(shown, "no sentences found in the text")
        except SourceError as e:
            failed.append((shown, e.reason))
            failed_now.add(f.rel)
            continue
        seen_hashes[hashes[f.rel]] = f.rel
        docs[f.rel] = (f, doc, passages)

    # A file that was indexed before and now fails keeps its previous passages.
    for rel in failed_now:
        if rel in old_files and rel not in keep:
            keep[rel] = None

    # Embed only the new passages, and their sentences, in one pass.
    new_texts, sentence_spans = [], []
    for _f, doc, passages in docs.values():
        for p in passages:
            new_texts.append(p.text)
        spans = sorted({s for p in passages for s in p.sentences})
        sentence_spans.append(spans)
        new_texts.extend(doc.text[a:b] for a, b in spans)
    if new_texts:
        progress(0.5, f"embedding {len(new_texts)} texts")
        if embedder is None:
            from .embed import embedder_for

            embedder = embedder_for(settings.model)
        vectors = embedder.encode(new_texts, progress=lambda done, total: progress(
            0.5 + 0.4 * done / total, f"embedded {done}/{total} passages and sentences"))
    else:
        vectors = np.zeros((0, 0), dtype=np.float32)

    # Assemble the new generation: kept files from the old one, new ones from above.
    old_index = _read_generation(old_gen) if keep and old_gen else None
    by_rel: dict[str, list[int]] = {}
    if old_index is not None:
        for row, p in enumerate(old_index.passages):
            by_rel.setdefault(_rel_of(settings.sources, p.source, old), []).append(row)

    all_passages: list[Passage] = []
    dense_parts, sentence_parts = [], []
    files_entry: dict[str, dict] = {}
    cursor = 0
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    doc_vectors = {}
    for rel, (f, doc, passages) in docs.items():
        n_p = len(passages)
        spans = sentence_spans[len(doc_vectors)]
        p_vecs = vectors[cursor : cursor + n_p]
        s_vecs = vectors[cursor + n_p : cursor + n_p + len(spans)]
        cursor += n_p + len(spans)
        where = {s: i for i, s in enumerate(spans)}
        rows = [where[s] for p in passages for s in p.sentences]
        doc_vectors[rel] = (p_vecs, s_vecs[rows] if rows else s_vecs[:0])

    for rel in sorted(set(keep) | set(docs)):
        shown = _shown(settings.sources, rel)
        if rel in docs:
            f, doc, passages = docs[rel]
            p_vecs, s_vecs = doc_vectors[rel]
            entry = {"sha256": hashes[rel], "size": f.size, "mtime_ns": f.mtime_ns, "title": doc.title,
                     "kind": doc.kind, "pages": sum(1 for p in doc.pages if p.number is not None) or None,
                     "meta": dict(doc.meta), "references": len(doc.references), "indexed_at": now}
        else:
            rows = by_rel.get(rel, [])
            passages = [replace(old_index.passages[r], source=shown, id=f"{shown}#{k}") for k, r in enumerate(rows)]
            p_vecs = old_index.dense.reconstruct_n(rows[0], len(rows)) if rows else np.zeros((0, 1), np.float32)
            s_vecs = np.concatenate([old_index.sentence_vector_rows(r) for r in rows]) if rows else None
            entry = dict(old_files[rel])
            f = keep[rel]
            if f is not None:  # unchanged file, perhaps touched: remember its new stat
                entry.update(size=f.size, mtime_ns=f.mtime_ns)
        entry["passages"] = len(passages)
        files_entry[rel] = entry
        all_passages.extend(passages)
        dense_parts.append(p_vecs)
        if s_vecs is not None:
            sentence_parts.append(s_vecs)

    dim = _dim(dense_parts, embedder, old)
    failed_entry = {}
    for shown, reason in failed:
        rel = _rel_of(settings.sources, shown)
        fnd = next((f for f in found if f.rel == rel), None)
        failed_entry[rel] = {"reason": reason, "sha256": hashes.get(rel, ""), "size": fnd.size if fnd else 0,
                             "mtime_ns": fnd.mtime_ns if fnd else 0, "kept_previous": rel in old_files}
    manifest = {
        **fp,
        "dimension": dim,
        "sources_dir": settings.sources.as_posix(),
        "built_at": now,
        "files": files_entry,
        "failed": failed_entry,
        "skipped": {_rel_of(settings.sources, s): why for s, why in skipped},
    }
    progress(0.9, "saving")
    gen_name = _write_generation(index_dir, manifest, all_passages, dense_parts, sentence_parts, dim)
    _swap(index_dir, gen_name)
    if old_gen is not None and old_gen.name != gen_name:
        shutil.rmtree(old_gen, ignore_errors=True)
    progress(1.0, "done")
    added = tuple(_shown(settings.sources, r) for r in docs if r not in old_files)
    updated = tuple(_shown(settings.sources, r) for r in docs if r in old_files)
    return BuildReport(
        added=added, updated=updated, removed=tuple(_shown(settings.sources, r) for r in removed),
        unchanged=sum(1 for r, f in keep.items() if f is not None), failed=tuple(failed), skipped=tuple(skipped),
        passages=len(all_passages), seconds=time.perf_counter() - t0, generation=gen_name,
        rebuilt=old is not None and not same_settings,
    )


def _stats_match(old: dict, found: list[_Found], hashes: dict) -> bool:
    """True when no file's stat changed either (so the manifest needs no update)."""
    entries = {**old.get("failed", {}), **old["files"]}
    return all(
        f.rel in entries and entries[f.rel].get("size") == f.size and entries[f.rel].get("mtime_ns") == f.mtime_ns
        for f in found
    ) and set(old.get("failed", {})) <= {f.rel for f in found}


def _rel_of(sources: Path, shown: str, manifest: dict | None = None) -> str:
    base = (manifest or {}).get("sources_dir", sources.as_posix())
    prefix = base.rstrip("/") + "/"
    if shown.startswith(prefix):
        return shown[len(prefix):]
    own = sources.as_posix().rstrip("/") + "/"
    return shown[len(own):] if shown.startswith(own) else shown


def _dim(parts: list[np.ndarray], embedder, old: dict | None) -> int:
    for part in parts:
        if part.ndim == 2 and part.shape[0]:
            return int(part.shape[1])
    if embedder is not None and embedder._model is not None:
        return embedder.dim
    return int(old["dimension"]) if old else 384


def _old_manifest(gen: Path | None) -> dict | None:
    if gen is None:
        return None
    try:
        manifest = json.loads((gen / "manifest.json").read_text())
    except (OSError, ValueError):
        return None  # unreadable: rebuild everything
    return manifest if isinstance(manifest.get("files"), dict) else None


def _write_generation(index_dir, manifest, passages, dense_parts, sentence_parts, dim) -> str:
    import bm25s
    import faiss

    name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir(parents=True)
    with open(tmp / "passages.jsonl", "w", encoding="utf-8") as f:
        for p in passages:
            f.write(json.dumps(_passage_to_json(p), ensure_ascii=False) + "\n")
    dense = faiss.IndexFlatIP(dim)
    vectors = [p for p in dense_parts if p.ndim == 2 and p.shape[0]]
    if vectors:
        dense.add(np.ascontiguousarray(np.concatenate(vectors), dtype=np.float32))
    faiss.write_index(dense, str(tmp / "dense.faiss"))
    sentences = [s for s in sentence_parts if s.shape[0]]
    np.save(tmp / "sentences.npy", np.concatenate(sentences).astype(np.float32) if sentences else np.zeros((0, dim), np.float32))
    tokens = [content_words(p.text) for p in passages]
    df = Counter(t for toks in tokens for t in set(toks))
    (tmp / "lexicon.json").write_text(json.dumps({"passages": len(passages), "df": df}, ensure_ascii=False))
    if passages:
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
        bm25.save(str(tmp / "bm25"), show_progress=False)
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    _fsync_tree(tmp)
    os.rename(tmp, index_dir / name)
    return name


def _swap(index_dir: Path, gen_name: str) -> None:
    pointer = index_dir / f".CURRENT.{uuid.uuid4().hex[:8]}"
    with open(pointer, "w") as f:
        f.write(gen_name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(pointer, index_dir / "CURRENT")
    _fsync_dir(index_dir)


def _remove_strays(index_dir: Path) -> None:
    """Delete what an interrupted run left behind (only called under the lock)."""
    live = current_generation(index_dir)
    for child in index_dir.iterdir():
        stray_dir = child.name.startswith((".tmp-gen-", "gen-")) and child != live
        if stray_dir and child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(".CURRENT."):
            child.unlink(missing_ok=True)


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
