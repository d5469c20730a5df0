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
    from setu.index import build, open_index

    root = tmp_path_factory.mktemp("seed")
    (root / "sources").mkdir()
    shutil.copy(SEED, root / "sources" / SEED.name)
    settings = load_settings(sources=root / "sources", index=root / "index")
    build(settings, embedder=embedder)
    return open_index(settings.index)


def settings_for(tmp_path: Path, **overrides):
    from setu.config import load_settings

    return load_settings(sources=tmp_path / "sources", index=tmp_path / "index", **overrides)
