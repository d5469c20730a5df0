"""`setu check`: every sentence of an answer gets a verdict, through the library and the CLI."""

import json
import shutil

from click.testing import CliRunner

from conftest import SEED, settings_for
from setu.check import check, split_claims
from setu.cli import main
from setu.build import build
from setu.index import open_index

TREATY = ("After the end of World War II, Indian PM Nehru and the then Japanese PM signed a peace treaty and "
          "formally established diplomatic relations in 1952.")
LOAN = ("In 1958, India was provided with the first of the yen loan aids by the Japanese government and as of 1986, "
        "has become the largest recipient of ODA loans from Japan.")


def answer(text, *passages, **extra):
    return {"answer": text, "citations": [{"n": i, "passage": p, **extra} for i, p in enumerate(passages, start=1)]}


def test_sentences_keep_the_markers_that_follow_them():
    assert split_claims("First claim. [1] Second claim [2][3]. Third, uncited.") == [
        "First claim. [1]", "Second claim [2][3].", "Third, uncited."]


def test_every_verdict_type(embedder):
    report = check(answer("Diplomatic relations were established in 1952. [1] "
                          "Diplomatic relations were established in 1962. [1] "
                          "Japan is an island nation.", TREATY), embedder)
    assert [c.verdict for c in report.claims] == ["supported", "unsupported", "uncited"]
    assert report.claims[0].support_sentence == TREATY and report.claims[0].support_n == 1
    assert "1962" in report.claims[1].reason
    assert report.supported_ratio == round(1 / 3, 4) and not report.ok


def test_a_claim_citing_two_passages_is_checked_against_both(embedder):
    report = check(answer("India became the largest recipient of Japanese ODA loans by 1986. [2]", TREATY, LOAN), embedder)
    assert report.claims[0].verdict == "supported" and report.claims[0].support_n == 2


def test_a_marker_with_no_citation_is_flagged(embedder):
    report = check(answer("Relations were established in 1952. [1] Trade grew fast. [4]", TREATY), embedder)
    assert report.missing == (4,)
    assert report.claims[1].verdict == "unsupported" and "[4]" in report.claims[1].reason
    assert not report.ok


def test_a_quote_that_is_no_longer_in_the_changed_source_is_stale(tmp_path, embedder):
    settings = settings_for(tmp_path)
    source = tmp_path / "sources" / "ties.md"
    source.write_text("Japan first lent India yen in 1958. Trade has grown since then.")
    build(settings, embedder=embedder)
    from setu.answer import ask, to_json
    given = to_json(ask("When did Japan first lend India yen?", open_index(settings.index), embedder))
    assert check(given, embedder, open_index(settings.index)).stale == ()

    source.write_text("Japan first lent India yen in 1959. Trade has grown since then.")  # the source changes
    build(settings, embedder=embedder)
    report = check(given, embedder, open_index(settings.index))
    assert report.stale and report.stale[0][0] == 1 and "no longer in" in report.stale[0][1]
    assert not report.ok

    source.unlink()
    build(settings, embedder=embedder)
    assert "not in the index" in check(given, embedder, open_index(settings.index)).stale[0][1]


def test_ask_json_piped_into_check_reports_every_sentence_supported(tmp_path, embedder):
    shutil.copy(SEED, tmp_path / "sources" / SEED.name)
    runner = CliRunner()
    assert runner.invoke(main, ["index", "--quiet"]).exit_code == 0
    asked = runner.invoke(main, ["ask", "--json", "How large is the trade between India and Japan?",
                                 "Where did Muji and Uniqlo open their first stores in India?"]).output
    for line in asked.splitlines():
        cited = json.loads(line)["citations"]
        assert cited and all(c["verdict"] == "supported" and c["support"] >= 0.9 for c in cited)
    result = runner.invoke(main, ["check", "--json", "-"], input=asked)
    assert result.exit_code == 0, result.output
    reports = [json.loads(line) for line in result.output.splitlines()]
    assert len(reports) == 2
    for report in reports:
        assert report["supported_ratio"] == 1.0
        assert {s["verdict"] for s in report["sentences"]} == {"supported"}


def test_check_cli_human_output_and_exit_status(tmp_path, embedder):
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(answer("Relations were established in 1962. [1]", TREATY)))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "✗ unsupported" in result.output and "the number 1962 is not in the passage" in result.output
    assert "formally established diplomatic relations in 1952" in result.output


def test_check_cli_refuses_malformed_input(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"answer": "fine"}\n{not json\n')
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2 and f"{path}:2: not JSON" in result.output
