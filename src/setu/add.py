"""URLs to source files: fetch (safely, see ``fetch``), keep where the text
came from, save into the sources folder, refresh what changed.

A web page becomes Markdown with front matter (url, fetched, title,
publisher, date); a PDF or plain text file is saved as it is, with its URL
and fetch time in a hidden sidecar (``load.sidecar_of``) that the loader reads.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import SetuError, SourceError
from .fetch import FetchError, Fetched, extract_html, fetch, file_name, to_markdown
from .load import SUFFIXES, load, read_sidecar, sidecar_of

_URL_LINE = re.compile(r"^\s*(https?://\S+)\s*$")
_FOOTNOTE_URL = re.compile(r"^\[\^[^\]]+\]:.*?(https?://\S+)\s*$", re.M)
_FETCHED_LINE = re.compile(r'^fetched: .*$', re.M)


@dataclass(frozen=True)
class Added:
    url: str
    path: Path  # the file in the sources folder
    status: str  # "added", "updated" or "unchanged"


def add_url(settings: Settings, url: str, known: dict[str, Path] | None = None) -> Added:
    """Fetch one URL into the sources folder. A URL already in the library
    is refreshed in place, never added twice; nothing is written unless the
    fetched file reads as a source (the loader's own checks)."""
    url = url.strip()
    known = library_urls(settings) if known is None else known
    got = fetch(url, max_bytes=int(settings.max_file_mb * 1e6), allow_private=settings.allow_private)
    if got.kind == "html":
        page = extract_html(got.body, got.final_url)
        data = to_markdown(page, url, got.fetched).encode("utf-8")
        name = file_name(page.title, got.final_url, "html")
    else:
        data = got.body
        name = file_name(_title_of(got), got.final_url, got.kind)
    existing = known.get(url)
    if existing is not None and existing.exists():
        if _same(existing, data, got):
            return Added(url, existing, "unchanged")
        target, status = existing, "updated"
    else:
        target, status = _free_name(settings.sources, name), "added"
    _check_readable(url, data, target.name)
    settings.sources.mkdir(parents=True, exist_ok=True)
    _write(target, data)
    if got.kind != "html":
        _write(sidecar_of(target), json.dumps({"url": url, "fetched": got.fetched}).encode())
    return Added(url, target, status)


def refresh(settings: Settings) -> list[Added | FetchError | SourceError]:
    """Fetch again every source that came from a URL: each result says
    whether its text changed."""
    known = library_urls(settings)
    results = []
    for url in known:
        try:
            results.append(add_url(settings, url, known))
        except (FetchError, SourceError) as e:
            results.append(e)
    return results


def library_urls(settings: Settings) -> dict[str, Path]:
    """URL -> file, for every source fetched from the web: Markdown front
    matter with a `url`, or a sidecar beside a PDF or text file."""
    found: dict[str, Path] = {}
    if not settings.sources.is_dir():
        return found
    for path in sorted(settings.sources.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or path.suffix.lower() not in SUFFIXES:
            continue
        url = read_sidecar(path).get("url") or (_front_matter_url(path) if path.suffix.lower() in (".md", ".markdown") else "")
        if url:
            found.setdefault(url, path)
    return found


def urls_in(path: Path) -> list[str]:
    """URLs to add, from a file: one per line, or, for a Markdown brief, the
    URLs of its footnote definitions."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SetuError(f"{path}: cannot read the list of URLs ({e})") from None
    urls = [m.group(1) for m in _FOOTNOTE_URL.finditer(text)] or [
        m.group(1) for line in text.splitlines() if (m := _URL_LINE.match(line))]
    if not urls:
        raise SetuError(f"{path}: no URLs found (one per line, or footnotes of a Markdown brief)")
    return list(dict.fromkeys(u.rstrip(".,;") for u in urls))


def _front_matter_url(path: Path) -> str:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return ""
    if not head.startswith("---"):
        return ""
    block = head.split("\n---", 1)[0]
    m = re.search(r'^url:\s*"?([^"\n]+)"?\s*$', block, re.M)
    return m.group(1).strip() if m else ""


def _title_of(got: Fetched) -> str:
    """A name for a PDF or text file: the last part of its URL path."""
    tail = got.final_url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"\.(pdf|txt|text|md)$", "", tail, flags=re.I)


def _same(existing: Path, data: bytes, got: Fetched) -> bool:
    """Whether a refresh brought nothing new (the fetch time aside)."""
    try:
        old = existing.read_bytes()
    except OSError:
        return False
    if got.kind == "html":
        strip = lambda b: _FETCHED_LINE.sub("", b.decode("utf-8", errors="replace"))  # noqa: E731
        return strip(old) == strip(data)
    return old == data


def _check_readable(url: str, data: bytes, name: str) -> None:
    """The same checks `setu index` makes, before anything is saved."""
    suffix = Path(name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as f:
        f.write(data)
    try:
        load(Path(f.name), name)
    except SourceError as e:
        raise FetchError(url, e.reason) from None
    finally:
        os.unlink(f.name)


def _free_name(folder: Path, name: str) -> Path:
    target, n = folder / name, 2
    while target.exists():
        target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    return target


def _write(target: Path, data: bytes) -> None:
    """Write beside, then swap: a crash never leaves half a file."""
    tmp = target.with_name(f".{target.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
