"""Reliability: bad files, crashes mid-rebuild, two writers, hostile uploads, exposure."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, settings_for, wait_for_output
from pdfs import encrypt_pdf, make_pdf
from setu.cli import main
from setu.config import load_settings
from setu.errors import SourceError
from setu.build import build
from setu.index import open_index
from setu.library import add_file, safe_name

# file name -> a fragment of the reason Setu must give for it
EXPECTED = {
    "truncated.pdf": "damaged or truncated PDF",
    "encrypted.pdf": "encrypted PDF, no password given",
    "scanned.pdf": "no text layer",
    "zero.pdf": "file is empty",
    "empty.txt": "file is empty",
    "junk.txt": "binary data, not text",
    "minutes.odt": "unsupported file type '.odt'",
    "huge.txt": "over the 1 MB limit",
}


def make_bad_corpus(folder: Path) -> None:
    """tests/data/bad/ plus the binary files, which are made here."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in (DATA / "bad").iterdir():
        shutil.copy(f, folder / f.name)
    good = make_pdf(folder.parent / "good.pdf", [["A page of text about the Quad."], ["And a second page."]])
    (folder / "truncated.pdf").write_bytes(good.read_bytes()[:300])
    encrypt_pdf(good, folder / "encrypted.pdf")
    make_pdf(folder / "scanned.pdf", [[], []])
    (folder / "zero.pdf").write_bytes(b"")
    (folder / "junk.txt").write_bytes(os.urandom(4096))
    (folder / "latin1.txt").write_bytes("Le café de Pune sert du thé de Darjeeling depuis 1999.".encode("latin-1"))
    (folder / "utf16.txt").write_text("The Sendai–Pune sister-city link was signed in 2025.", encoding="utf-16")
    (folder / "huge.txt").write_bytes(b"words " * 250_000)  # 1.5 MB, over a 1 MB limit
    (folder / "copy-of-good.md").write_bytes((DATA / "bad" / "good.md").read_bytes())
    (folder / "outside.md").symlink_to("/etc/hostname")


@pytest.fixture
def bad_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("SETU_MAX_FILE_MB", "1")
    make_bad_corpus(tmp_path / "sources")
    return tmp_path / "sources"


def test_bad_files_are_named_with_reasons_and_everything_else_is_indexed(tmp_path, bad_sources, embedder):
    # Something was indexed before the bad files arrived: it must not be lost.
    (tmp_path / "earlier").mkdir()
    for name in os.listdir(bad_sources):
        shutil.move(str(bad_sources / name), tmp_path / "earlier" / name)
    (bad_sources / "kept.md").write_text("The Delhi Metro was built with Japanese yen loans.")
    assert CliRunner().invoke(main, ["index", "--quiet"]).exit_code == 0
    for name in os.listdir(tmp_path / "earlier"):
        shutil.move(str(tmp_path / "earlier" / name), bad_sources / name)

    result = CliRunner().invoke(main, ["index", "--quiet"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for name, reason in EXPECTED.items():
        line = next((l for l in lines if l.startswith(f"  ! {bad_sources}/{name}: ")), "")
        assert reason in line, (name, line)
    assert f"{bad_sources}/outside.md: symbolic link to a file outside the sources folder" in result.output
    assert f"{bad_sources}/good.md: same content as {bad_sources}/copy-of-good.md; indexed once" in result.output \
        or f"{bad_sources}/copy-of-good.md: same content as {bad_sources}/good.md; indexed once" in result.output

    index = open_index(bad_sources.parent / "index")
    text = " ".join(p.text for p in index.passages)
    assert "Delhi Metro" in text  # indexed before, not lost
    assert "café de Pune" in text and "Sendai–Pune" in text  # other encodings are read, not refused
    assert text.count("Chennai–Nagoya") == 1  # the duplicate is indexed once
    assert set(index.manifest["files"]) == {"kept.md", "latin1.txt", "utf16.txt", "good.md"} or \
        set(index.manifest["files"]) == {"kept.md", "latin1.txt", "utf16.txt", "copy-of-good.md"}


def test_uploads_of_the_same_files_give_the_same_messages(tmp_path, bad_sources):
    target = tmp_path / "library"
    target.mkdir()
    settings = load_settings(sources=target)
    for name, reason in EXPECTED.items():
        with pytest.raises(SourceError) as err:
            add_file(settings, bad_sources / name, name)
        assert reason in err.value.reason, name
    assert add_file(settings, bad_sources / "good.md", "good.md").name == "good.md"
    with pytest.raises(SourceError, match="same content as good.md"):
        add_file(settings, bad_sources / "copy-of-good.md", "copy-of-good.md")
    assert add_file(settings, bad_sources / "latin1.txt", "latin1.txt").exists()
    assert sorted(os.listdir(target)) == ["good.md", "latin1.txt"]  # refused files leave nothing behind


@pytest.mark.parametrize("name, saved", [
    ("../../etc/evil.md", "evil.md"),
    ("/absolute/path/notes.md", "notes.md"),
    ("bad\x00name\x1b[31m.md", "badname-31m.md"),
    ("..\\..\\windows.txt", "windows.txt"),
    ("...", "upload"),
])
def test_upload_names_are_sanitised(tmp_path, name, saved):
    assert safe_name(name) == saved
    source = tmp_path / "in.md"
    source.write_text("A fine note about India and Japan.")
    if saved.endswith((".md", ".txt")):
        path = add_file(settings_for(tmp_path), source, name)
        assert path.parent == tmp_path / "sources" and path.name == saved


def _env(tmp_path):
    return {**os.environ, "SETU_SOURCES": str(tmp_path / "sources"), "SETU_INDEX": str(tmp_path / "index")}


@pytest.mark.parametrize("stage", ["reading", "embedded", "saving"])
def test_a_rebuild_killed_at_any_stage_leaves_a_usable_index(tmp_path, embedder, stage):
    settings = settings_for(tmp_path)
    (tmp_path / "sources" / "first.md").write_text("The Indian National Army fought beside Japan in the war.")
    build(settings, embedder=embedder)
    before = open_index(settings.index)
    for i in range(15):  # about 1,300 texts to embed: a few seconds, in steps of 512
        (tmp_path / "sources" / f"bulk{i}.md").write_text(
            " ".join(f"Sentence {j} of bulk file {i} is about ports, rail and trade." for j in range(70)))
    proc = subprocess.Popen([sys.executable, "-m", "setu.cli", "index"], env=_env(tmp_path),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert wait_for_output(proc, stage), f"never reached {stage}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    after = open_index(settings.index)  # whole and loadable, whatever the moment of the kill
    if after.generation == before.generation:
        assert [p.text for p in after.passages] == [p.text for p in before.passages]
    else:  # the kill came after the swap: the new generation is complete
        assert len(after.manifest["files"]) == 16
    asked = subprocess.run([sys.executable, "-m", "setu.cli", "ask", "--json", "Who fought beside Japan?"],
                           env=_env(tmp_path), capture_output=True, text=True)
    assert asked.returncode == 0 and '"abstained": false' in asked.stdout

    report = build(settings, embedder=embedder)
    assert not report.failed
    assert len(open_index(settings.index).manifest["files"]) == 16
    names = sorted(p.name for p in settings.index.iterdir())
    assert [n for n in names if n.startswith((".tmp", ".CURRENT"))] == []
    assert len([n for n in names if n.startswith("gen-")]) == 1


def test_two_index_runs_at_once_wait_for_each_other(tmp_path, embedder):
    for i in range(12):
        (tmp_path / "sources" / f"f{i}.md").write_text(" ".join(f"Fact {j} about file {i} and Japan." for j in range(40)))
    procs = [subprocess.Popen([sys.executable, "-m", "setu.cli", "index", "--quiet"], env=_env(tmp_path),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert any("waiting for it to finish" in err for _out, err in outputs)
    assert any("12 added" in out for out, _err in outputs) and any("up to date" in out for out, _err in outputs)
    index = open_index(tmp_path / "index")
    assert len(index.manifest["files"]) == 12 and index.dense.ntotal == len(index.passages)
    assert len([p for p in (tmp_path / "index").iterdir() if p.name.startswith("gen-")]) == 1


def test_serving_beyond_this_machine_needs_auth_or_read_only(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "refusing to listen on 0.0.0.0" in result.output and "SETU_AUTH" in result.output and "--read-only" in result.output
    from setu.web import check_exposure
    check_exposure("127.0.0.1", load_settings(), read_only=False)
    check_exposure("::1", load_settings(), read_only=False)
    check_exposure("0.0.0.0", load_settings(), read_only=True)
    os.environ["SETU_AUTH"] = "admin:s3cret"
    try:
        check_exposure("0.0.0.0", load_settings(), read_only=False)
    finally:
        del os.environ["SETU_AUTH"]
