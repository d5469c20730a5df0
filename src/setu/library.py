"""The sources folder as a library: what is in it, what is indexed, adding
and removing files. Used by the web app's Library tab."""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import SourceError
from .build import scan, sha256_of
from .index import current_generation
from .load import SUFFIXES, kind_of, load, sidecar_of


@dataclass(frozen=True)
class Entry:
    file: str  # path inside the sources folder
    title: str
    kind: str
    pages: int | None
    passages: int
    indexed_at: str
    status: str  # "indexed", "failed: <why>", "changed since indexing", "not indexed yet", "deleted; rebuild to drop it"
    references: int = 0  # footnotes the source cites


def inventory(settings: Settings) -> list[Entry]:
    gen = current_generation(settings.index)
    manifest = {}
    if gen is not None:
        try:
            manifest = json.loads((gen / "manifest.json").read_text())
        except (OSError, ValueError):
            manifest = {}
    files, failed = manifest.get("files", {}), manifest.get("failed", {})
    skipped = manifest.get("skipped", {})
    found, scan_failed, _ = scan(settings.sources) if settings.sources.is_dir() else ([], [], [])
    entries, seen = [], set()
    for f in found:
        seen.add(f.rel)
        info = files.get(f.rel)
        kind = SUFFIXES.get(Path(f.rel).suffix.lower(), Path(f.rel).suffix.lstrip(".") or "?")
        if f.rel in failed and (failed[f.rel].get("size"), failed[f.rel].get("mtime_ns")) == (f.size, f.mtime_ns):
            why = failed[f.rel]["reason"]
            kept = " (the previously indexed version is still searchable)" if info else ""
            status = f"failed: {why}{kept}"
        elif info is None:
            status = f"skipped: {skipped[f.rel]}" if f.rel in skipped else "not indexed yet"
        elif (info.get("size"), info.get("mtime_ns")) != (f.size, f.mtime_ns):
            status = "changed since indexing"
        else:
            status = "indexed"
        info = info or {}
        entries.append(Entry(f.rel, info.get("title", ""), info.get("kind", kind), info.get("pages"),
                             info.get("passages", 0), info.get("indexed_at", ""), status, info.get("references", 0)))
    for shown, why in scan_failed:
        rel = shown.split("/", 1)[-1] if "/" in shown else shown
        seen.add(rel)
        entries.append(Entry(rel, "", "?", None, 0, "", f"failed: {why}"))
    for rel, info in files.items():
        if rel not in seen:
            entries.append(Entry(rel, info.get("title", ""), info.get("kind", ""), info.get("pages"),
                                 info.get("passages", 0), info.get("indexed_at", ""), "deleted; rebuild to drop it",
                                 info.get("references", 0)))
    return sorted(entries, key=lambda e: e.file)


_UNSAFE = re.compile(r"[^\w.-]+")


def safe_name(name: str) -> str:
    """A plain file name: no folders, no control characters, no leading dots."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = re.sub(r"-{2,}", "-", _UNSAFE.sub("-", stem)).strip(".-")[:100] or "upload"
    suffix = _UNSAFE.sub("", suffix).lower()[:10]
    return f"{stem}.{suffix}" if suffix else stem


def add_file(settings: Settings, upload: Path, original_name: str) -> Path:
    """Copy an uploaded file into the sources folder under a safe, new name.

    The file is read with the same loader `setu index` uses, so an upload is
    refused with the same message the command line would give (wrong type,
    over the size limit, encrypted or damaged PDF, binary data...); a file
    whose content is already in the library is refused too. Nothing already
    in the folder is ever overwritten."""
    name = safe_name(original_name)
    max_bytes = int(settings.max_file_mb * 1e6)
    load(upload, name, max_bytes=max_bytes, kind=kind_of(Path(name)))  # raises SourceError with the reason
    digest = sha256_of(upload)
    for existing in settings.sources.rglob("*") if settings.sources.is_dir() else []:
        if existing.is_file() and not existing.name.startswith(".") and sha256_of(existing) == digest:
            raise SourceError(name, f"same content as {existing.relative_to(settings.sources).as_posix()}, already in the library")
    settings.sources.mkdir(parents=True, exist_ok=True)
    suffix = Path(name).suffix
    target = settings.sources / name
    n = 2
    while target.exists():
        target = settings.sources / f"{Path(name).stem}-{n}{suffix}"
        n += 1
    tmp = settings.sources / f".upload-{target.name}"
    shutil.copyfile(upload, tmp)
    os.replace(tmp, target)
    return target


REMOVED = ".removed"  # hidden from the index; a removed source waits here to be restored


def remove_file(settings: Settings, rel: str) -> Path:
    """Move a source file (only ever one inside the sources folder) into
    ``sources/.removed/``, where `restore_file` can bring it back."""
    root = settings.sources.resolve()
    target = (settings.sources / rel)
    if not target.resolve().is_relative_to(root) and not target.is_symlink():
        raise SourceError(rel, "not inside the sources folder")
    if not (target.is_file() or target.is_symlink()) or rel.startswith(f"{REMOVED}/"):
        raise SourceError(rel, "no such file in the sources folder")
    return _move(target, _free(settings.sources / REMOVED / rel))


def removed_files(settings: Settings) -> list[str]:
    """Removed sources that can be restored, as paths inside ``.removed/``."""
    folder = settings.sources / REMOVED
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not p.name.startswith("."))


def restore_file(settings: Settings, rel: str) -> Path:
    """Put a removed source back where it was (beside it, if that name is taken)."""
    folder = (settings.sources / REMOVED).resolve()
    kept = (folder / rel).resolve()
    if not kept.is_relative_to(folder) or not kept.is_file():
        raise SourceError(rel, "no such removed source")
    return _move(kept, _free(settings.sources / rel))


def _move(source: Path, target: Path) -> Path:
    """Move a file, and the sidecar that records where it was fetched from."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    if sidecar_of(source).exists():
        os.replace(sidecar_of(source), sidecar_of(target))
    return target


def _free(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``… if it is taken."""
    n, candidate = 2, path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def resolve_served(settings: Settings, rel: str) -> Path | None:
    """The file behind a /source/ URL, or None unless it is a readable source
    inside the sources folder (no '..', no links that lead outside)."""
    root = settings.sources.resolve()
    try:
        target = (root / rel).resolve()
    except (OSError, ValueError):
        return None
    if not target.is_relative_to(root) or not target.is_file() or target.suffix.lower() not in SUFFIXES:
        return None
    return target
