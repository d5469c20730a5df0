"""Shared fixtures. Every test runs with SETU_* paths in a temporary folder;
the model is the real packaged all-MiniLM-L6-v2, loaded once per session."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SEED = ROOT / "sources" / "india-japan-proactive-partnership.md"
sys.path.insert(0, str(Path(__file__).parent))  # for tests/pdfs.py

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Point Setu at empty temporary folders, never at the repository's own."""
    monkeypatch.setenv("SETU_SOURCES", str(tmp_path / "sources"))
    monkeypatch.setenv("SETU_INDEX", str(tmp_path / "index"))
    for name in ("SETU_MODEL", "SETU_CHUNK_WORDS", "SETU_CHUNK_OVERLAP", "SETU_MAX_FILE_MB"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "sources").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def embedder():
    from setu.embed import embedder_for

    return embedder_for("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, embedder):
    """The real seed article, indexed once for the whole session."""
    from setu.config import load_settings
    from setu.build import build
    from setu.index import open_index

    root = tmp_path_factory.mktemp("seed")
    (root / "sources").mkdir()
    shutil.copy(SEED, root / "sources" / SEED.name)
    settings = load_settings(sources=root / "sources", index=root / "index")
    build(settings, embedder=embedder)
    return open_index(settings.index)


def make_library(root: Path, embedder, extra: dict[str, str] | None = None) -> Path:
    """``root/sources`` with the seed article (and ``extra`` files), indexed into ``root/index``."""
    from setu.build import build
    from setu.config import load_settings

    (root / "sources").mkdir(exist_ok=True)
    shutil.copy(SEED, root / "sources" / SEED.name)
    for name, text in (extra or {}).items():
        (root / "sources" / name).write_text(text, encoding="utf-8")
    build(load_settings(sources=root / "sources", index=root / "index"), embedder=embedder)
    return root


def wait_for_output(proc, needle: str, timeout: float = 120) -> bool:
    """Read a subprocess's stderr until ``needle`` appears (False if it ends first)."""
    import time

    seen, deadline = "", time.time() + timeout
    while time.time() < deadline:
        chunk = os.read(proc.stderr.fileno(), 4096).decode(errors="replace")
        if not chunk:
            return False
        seen += chunk
        if needle in seen:
            return True
    return False


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Debian's Chromium, driven by Playwright, writing nothing into the home folder."""
    from playwright.sync_api import sync_playwright

    from webapp import CHROMIUM, CHROMIUM_ARGS

    home = tmp_path_factory.mktemp("chromium-home")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                    env={"XDG_CONFIG_HOME": str(home), "XDG_CACHE_HOME": str(home), "HOME": str(home)})
        yield browser
        browser.close()


def settings_for(tmp_path: Path, **overrides):
    from setu.config import load_settings

    return load_settings(sources=tmp_path / "sources", index=tmp_path / "index", **overrides)


def index_copy_of(folder: Path, root: Path, embedder):
    """A copy of ``folder`` as ``root/sources``, indexed into ``root/index`` and opened."""
    from setu.build import build
    from setu.config import load_settings
    from setu.index import open_index

    shutil.copytree(folder, root / "sources")
    settings = load_settings(sources=root / "sources", index=root / "index")
    build(settings, embedder=embedder)
    return open_index(settings.index)


@pytest.fixture(scope="session")
def library_index(tmp_path_factory, embedder):
    """The whole starter library as shipped in sources/ (seed article and briefs), indexed once."""
    return index_copy_of(ROOT / "sources", tmp_path_factory.mktemp("library"), embedder)
