import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

from conftest import SEED, settings_for, wait_for_output
from pdfs import make_pdf
from setu.errors import IndexBusy
from setu.build import build, locked
from setu.index import open_index
from setu.retrieve import retrieve

QUERIES = ["When were diplomatic relations established?", "Japanese retail stores in India",
           "defence technology and artificial intelligence", "yen loans", "anime and J-pop"]


class Spy:
    """The real embedder, recording which texts it was asked to embed."""

    def __init__(self, real):
        self.real, self.texts, self._model = real, [], None

    def encode(self, texts, **kw):
        self.texts.extend(texts)
        return self.real.encode(texts, **kw)

    @property
    def dim(self):
        return self.real.dim


def test_faiss_hits_equal_brute_force_cosine(seed_index, embedder):
    n = len(seed_index.passages)
    vectors = seed_index.dense.reconstruct_n(0, n)
    fresh = embedder.encode([p.text for p in seed_index.passages])
    assert np.allclose(vectors, fresh, atol=1e-4)  # the stored vectors are the passages' own
    for query in QUERIES:
        q = embedder.encode([query])[0]
        scores, rows = seed_index.dense.search(q[None], 10)
        brute = fresh @ q
        expected = np.argsort(-brute, kind="stable")[:10]
        assert list(rows[0]) == list(expected)
        assert np.allclose(scores[0], brute[expected], atol=1e-4)


def test_saved_index_loads_back_with_the_same_hits(seed_index, embedder, tmp_path):
    copy = tmp_path / "copied-index"
    shutil.copytree(seed_index.path.parent, copy)
    loaded = open_index(copy)
    assert loaded.manifest["dimension"] == 384 and loaded.manifest["model"] == "all-MiniLM-L6-v2"
    for query in QUERIES:
        q = embedder.encode([query])[0]
        a = [(h.passage, round(h.score, 6)) for h in retrieve(seed_index, q, query)]
        b = [(h.passage, round(h.score, 6)) for h in retrieve(loaded, q, query)]
        assert a == b and a


def test_hybrid_retrieval_finds_a_rare_exact_word(seed_index, embedder):
    query = "Ryōhin Keikaku"
    hits = retrieve(seed_index, embedder.encode([query])[0], query, k=3)
    assert "Ryōhin Keikaku" in hits[0].passage.text and hits[0].lexical > 0


def test_manifest_records_format_model_chunking_and_hashes(seed_index):
    m = seed_index.manifest
    assert {"format", "model", "dimension", "chunk_words", "chunk_overlap", "files"} <= set(m)
    entry = m["files"][SEED.name]
    import hashlib
    assert entry["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert entry["passages"] == len(seed_index.passages)


def _write(tmp_path, name, text):
    path = tmp_path / "sources" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_incremental_rebuild_after_add_change_and_delete(tmp_path, embedder):
    settings = settings_for(tmp_path)
    _write(tmp_path, "a.md", "# Alpha\n\nThe Alpha fact: Kyoto and Varanasi signed a partner-city pact in 2014.")
    _write(tmp_path, "b.txt", "Bravo notes. Japan funds the Delhi Metro through yen loans.")
    first = build(settings, embedder=embedder)
    assert len(first.added) == 2 and not first.failed

    _write(tmp_path, "c.html", "<p>Charlie page. The Shinkansen line links Mumbai and Ahmedabad.</p>")
    changed = _write(tmp_path, "b.txt", "Bravo notes, revised. Japan lends India money for its metro rail.")
    (tmp_path / "sources" / "a.md").unlink()
    spy = Spy(embedder)
    report = build(settings, embedder=spy)
    assert report.added == (f"{tmp_path}/sources/c.html",)
    assert report.updated == (f"{tmp_path}/sources/b.txt",)
    assert report.removed == (f"{tmp_path}/sources/a.md",)
    assert spy.texts and all("Alpha" not in t for t in spy.texts)  # nothing unchanged or deleted re-embedded

    index = open_index(settings.index)
    texts = " ".join(p.text for p in index.passages)
    assert "Shinkansen" in texts and "revised" in texts and "Kyoto" not in texts and "Delhi Metro" not in texts
    assert set(index.manifest["files"]) == {"b.txt", "c.html"}
    assert index.dense.ntotal == len(index.passages)
    assert index.sentence_vectors.shape[0] == sum(len(p.sentences) for p in index.passages)

    # Untouched files are taken over without being read or embedded again.
    os.utime(changed, None)
    spy = Spy(embedder)
    again = build(settings, embedder=spy)
    assert not again.changed and spy.texts == []
    q = embedder.encode(["high-speed rail between Mumbai and Ahmedabad"])[0]
    assert "Shinkansen" in retrieve(open_index(settings.index), q, "Mumbai Ahmedabad rail", k=1)[0].passage.text


def test_kept_passages_keep_their_vectors(tmp_path, embedder):
    settings = settings_for(tmp_path)
    _write(tmp_path, "a.md", "The first file talks about Buddhism reaching Japan from Korea.")
    build(settings, embedder=embedder)
    before = open_index(settings.index)
    _write(tmp_path, "b.md", "The second file is about the Quad and maritime security.")
    build(settings, embedder=embedder)
    after = open_index(settings.index)
    row = next(i for i, p in enumerate(after.passages) if "Buddhism" in p.text)
    assert np.allclose(after.dense.reconstruct(row), before.dense.reconstruct(0))
    assert np.allclose(after.sentence_vector_rows(row), before.sentence_vector_rows(0))


def test_a_run_with_nothing_changed_does_not_load_the_model(tmp_path, embedder):
    settings = settings_for(tmp_path)
    _write(tmp_path, "a.md", "One small source about India and Japan.")
    build(settings, embedder=embedder)
    code = ("import sys; from setu.config import load_settings; from setu.build import build; "
            "r = build(load_settings()); print(r.changed, 'sentence_transformers' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def test_changing_the_model_or_chunking_rebuilds_everything(tmp_path, embedder):
    _write(tmp_path, "a.md", "Alpha. " * 30)
    _write(tmp_path, "b.md", "Bravo. " * 30)
    build(settings_for(tmp_path), embedder=embedder)
    spy = Spy(embedder)
    report = build(settings_for(tmp_path, chunk_words=20), embedder=spy)
    assert report.rebuilt and len(report.added) == 2
    assert any("Alpha" in t for t in spy.texts) and any("Bravo" in t for t in spy.texts)
    assert open_index(tmp_path / "index").manifest["chunk_words"] == 20


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path, embedder):
    settings = settings_for(tmp_path)
    _write(tmp_path, "good.md", "Japan became the largest ODA lender to India.")
    (tmp_path / "sources" / "empty.txt").write_bytes(b"")
    (tmp_path / "sources" / "cut.pdf").write_bytes(make_pdf(tmp_path / "x.pdf", [["text"]]).read_bytes()[:120])
    (tmp_path / "sources" / "notes.docx").write_bytes(b"PK\x03\x04")
    report = build(settings, embedder=embedder)
    failed = dict(report.failed)
    assert set(failed) == {f"{tmp_path}/sources/{n}" for n in ("empty.txt", "cut.pdf", "notes.docx")}
    assert "empty" in failed[f"{tmp_path}/sources/empty.txt"]
    assert report.added == (f"{tmp_path}/sources/good.md",)
    assert "ODA" in open_index(settings.index).passages[0].text


def test_a_file_that_breaks_keeps_its_previous_passages(tmp_path, embedder):
    settings = settings_for(tmp_path)
    pdf = make_pdf(tmp_path / "sources" / "r.pdf", [["The Shinkansen deal was signed in 2015."]])
    build(settings, embedder=embedder)
    pdf.write_bytes(pdf.read_bytes()[:100])  # the file is damaged afterwards
    report = build(settings, embedder=embedder)
    assert [s for s, _ in report.failed] == [f"{tmp_path}/sources/r.pdf"]
    assert "Shinkansen" in open_index(settings.index).passages[0].text
    assert open_index(settings.index).manifest["failed"]["r.pdf"]["kept_previous"] is True


def test_a_second_writer_is_refused_while_the_lock_is_held(tmp_path, embedder):
    settings = settings_for(tmp_path)
    _write(tmp_path, "a.md", "Some text.")
    with locked(settings.index):
        with pytest.raises(IndexBusy):
            build(settings, embedder=embedder, wait=False)


def test_an_interrupted_rebuild_leaves_the_old_index_usable(tmp_path, embedder):
    settings = settings_for(tmp_path)
    _write(tmp_path, "first.md", "The first source says the Indian National Army fought beside Japan.")
    build(settings, embedder=embedder)
    before = open_index(settings.index)
    # Enough new text that embedding takes a few seconds, then kill it mid-way.
    for i in range(30):
        _write(tmp_path, f"bulk{i}.md", " ".join(f"Sentence {j} of bulk file {i} about trade and culture." for j in range(60)))
    env = {**os.environ, "SETU_SOURCES": str(settings.sources), "SETU_INDEX": str(settings.index)}
    proc = subprocess.Popen([sys.executable, "-m", "setu.cli", "index"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert wait_for_output(proc, "embedded "), "the rebuild never reached the embedding stage"
    assert proc.poll() is None, "the rebuild finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    after = open_index(settings.index)
    assert after.generation == before.generation
    assert [p.text for p in after.passages] == [p.text for p in before.passages]
    from setu.answer import ask
    assert not ask("Who fought beside Japan?", after, embedder).abstained

    report = build(settings, embedder=embedder)
    assert len(report.added) == 30 and not report.failed
    leftovers = [p.name for p in settings.index.iterdir() if p.name.startswith(".tmp") or p.name.startswith(".CURRENT")]
    generations = [p.name for p in settings.index.iterdir() if p.name.startswith("gen-")]
    assert leftovers == [] and len(generations) == 1
