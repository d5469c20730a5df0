import json
import os
import shutil
import subprocess
import sys

from click.testing import CliRunner

from conftest import SEED
from setu.cli import main


def _seed(tmp_path):
    shutil.copy(SEED, tmp_path / "sources" / SEED.name)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_index_prints_a_summary_and_ask_json_has_the_documented_shape(tmp_path, embedder):
    _seed(tmp_path)
    result = run("index", "--quiet")
    assert result.exit_code == 0, result.output
    assert "1 added, 0 updated, 0 removed, 0 failed" in result.output and "passages" in result.output

    result = run("ask", "--json", "When were diplomatic relations established?", "What is a good pasta recipe?")
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    first, second = map(json.loads, lines)
    assert set(first) >= {"question", "answer", "abstained", "citations"}
    assert first["abstained"] is False and "1952" in first["answer"] and "[1]" in first["answer"]
    c = first["citations"][0]
    assert set(c) >= {"n", "source", "title", "page", "passage", "quote", "score"}
    assert c["n"] == 1 and c["source"] == f"{tmp_path}/sources/{SEED.name}" and c["page"] is None
    assert c["quote"] in c["passage"] and c["quote"] in SEED.read_text(encoding="utf-8")
    assert isinstance(c["score"], float) and c["title"].startswith("India-Japan")
    assert second["abstained"] is True and second["citations"] == []


def test_source_paths_are_shown_as_given(tmp_path, embedder):
    _seed(tmp_path)
    assert run("index", "--quiet", "--sources", "sources", "--index", "idx").exit_code == 0
    out = json.loads(run("ask", "--json", "--index", "idx", "Which year did Japan give its first yen loan?").output)
    assert out["citations"][0]["source"] == f"sources/{SEED.name}"


def test_human_output_lists_numbered_sources(tmp_path, embedder):
    _seed(tmp_path)
    run("index", "--quiet")
    out = run("ask", "Where did Muji open its first Indian store?").output
    assert "Mumbai" in out and "Sources:" in out and "[1] India-Japan: The need for a more proactive partnership — " in out


def test_failures_are_named_and_set_the_exit_status(tmp_path, embedder):
    _seed(tmp_path)
    (tmp_path / "sources" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj")
    result = CliRunner().invoke(main, ["index", "--quiet"])
    assert result.exit_code == 1
    assert f"{tmp_path}/sources/broken.pdf: damaged or truncated PDF" in result.output
    assert "1 added" in result.output and "1 failed" in result.output


def test_asking_without_an_index_explains_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["ask", "anything"])
    assert result.exit_code == 2 and "run `setu index`" in result.output


def test_config_shows_the_settings_in_force(tmp_path, monkeypatch):
    monkeypatch.setenv("SETU_CHUNK_WORDS", "55")
    out = run("config", "--index", "elsewhere").output
    assert "chunk_words    55" in out and "index          elsewhere" in out and "model          all-MiniLM-L6-v2" in out


def test_several_questions_in_one_call_print_one_json_line_each(tmp_path, embedder):
    _seed(tmp_path)
    run("index", "--quiet")
    proc = subprocess.run([sys.executable, "-m", "setu.cli", "ask", "--json", "yen loans?", "trade surplus?", "anime?"],
                          capture_output=True, text=True, env=os.environ.copy(), check=True)
    assert len(proc.stdout.strip().splitlines()) == 3
    assert proc.stderr.strip() == ""  # nothing but the answers, and no loading noise
    assert all(json.loads(line)["question"] for line in proc.stdout.splitlines())


def test_a_pdf_quote_is_cited_at_its_own_page(tmp_path, embedder):
    from pdfs import make_pdf

    make_pdf(tmp_path / "sources" / "brief.pdf",
             [["India and Japan meet every year for a summit.", "The meetings cover trade."],
              ["The Shinkansen project links Mumbai and Ahmedabad by high-speed rail."]], title="Rail brief")
    assert run("index", "--quiet").exit_code == 0
    out = json.loads(run("ask", "--json", "Which cities does the Shinkansen project link?").output)
    c = out["citations"][0]
    assert "Shinkansen" in c["quote"] and c["page"] == 2 and c["title"] == "Rail brief"
    assert "p. 2" in run("ask", "Which cities does the Shinkansen project link?").output
