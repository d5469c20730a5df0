"""The starter library answers what readers ask: floors on the held-out half
of tests/data/broad.jsonl, which no rule, weight or threshold was tuned on."""

import json
from collections import Counter

import pytest

from conftest import DATA
from setu import evaluate
from setu.answer import ask, to_json

STRANDS = {"history", "diplomacy", "trade", "infrastructure", "defence", "indo-pacific", "nuclear-climate",
           "science-digital", "people-culture"}


def test_the_broad_set_is_big_split_and_spread_over_every_strand():
    rows = [json.loads(line) for line in (DATA / "broad.jsonl").read_text(encoding="utf-8").splitlines()]
    answerable = [r for r in rows if not r.get("unanswerable")]
    assert len(answerable) >= 150 and len(rows) - len(answerable) >= 50
    assert {r["split"] for r in rows} == {"tune", "heldout"}
    assert Counter(r["split"] for r in rows)["heldout"] >= 0.4 * len(rows)
    per_strand = Counter(r["strand"] for r in answerable)
    assert set(per_strand) == STRANDS and min(per_strand.values()) >= 10


@pytest.fixture(scope="module")
def heldout(library_index, embedder):
    items = evaluate.read_items(DATA / "broad.jsonl", "heldout")
    return evaluate.run(items, library_index, embedder, full=True)


def test_retrieval_finds_the_answer_in_the_top_five_on_the_heldout_half(heldout):
    summary, rows = heldout
    assert summary["recall@5"] >= 0.90, [r["id"] for r in rows if r["kind"] == "answerable" and not r.get("rank")]


def test_answers_are_right_on_the_heldout_half(heldout):
    summary, rows = heldout
    misses = [(r["id"], r["answer"][:70]) for r in rows if r["kind"] == "answerable" and not r["correct"]]
    assert summary["answer_accuracy"] >= 0.80, misses


def test_a_brief_quote_carries_its_references(library_index, embedder):
    answer = to_json(ask("When did the India-Japan civil nuclear agreement enter into force?", library_index, embedder))
    assert not answer["abstained"]
    refs = [r for c in answer["citations"] for r in c["references"]]
    assert refs and all(r["url"].startswith(("http://", "https://")) and r["label"] for r in refs)
    for c in answer["citations"]:
        assert "[^" not in c["quote"] and "[^" not in c["passage"]


def test_the_evidence_card_lists_the_quotes_references_as_links_opening_in_a_new_tab(library_index, embedder):
    import html
    from pathlib import Path

    from setu.render import evidence_html

    answer = to_json(ask("When did the India-Japan civil nuclear agreement enter into force?", library_index, embedder))
    card = evidence_html(answer, Path(library_index.path).parent.parent / "sources")
    refs = answer["citations"][0]["references"]
    assert refs and '<div class="setu-refs">References:' in card
    for r in refs:
        assert f'href="{html.escape(r["url"])}" target="_blank" rel="noopener noreferrer"' in card
