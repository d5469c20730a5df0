"""Quality floors on the eval set (tests/data/qa.jsonl), with the real model and index."""

from pathlib import Path

import pytest

from conftest import DATA
from setu import evaluate
from setu.answer import NOT_FOUND, ask, contextualize
from setu.questions import needed_kind


@pytest.fixture(scope="module")
def results(seed_index, embedder):
    return evaluate.run(evaluate.read_items(DATA / "qa.jsonl"), seed_index, embedder)


def test_the_eval_set_is_big_enough_and_well_formed():
    items = evaluate.read_items(DATA / "qa.jsonl")
    on = [i for i in items if i.kind == "answerable"]
    assert len(on) >= 40 and sum(i.kind == "off_topic" for i in items) >= 8
    source = (Path(__file__).parents[1] / "sources" / "india-japan-proactive-partnership.md").read_text()
    for item in on:
        assert item.support and all(s in source for s in item.support), item.id
        assert any(e in s for e in item.expected for s in item.support), item.id


def test_answers_contain_the_expected_fragment(results):
    summary, rows = results
    misses = [(r["id"], r["answer"][:80]) for r in rows if r["kind"] == "answerable" and not r["correct"]]
    assert summary["answer_accuracy"] >= 0.90, misses


def test_a_citation_holds_the_supporting_sentence(results):
    summary, rows = results
    assert summary["citation_hit_rate"] >= 0.95, [r["id"] for r in rows if r["kind"] == "answerable" and not r["cited_support"]]


def test_every_off_topic_question_abstains(results):
    summary, rows = results
    assert summary["off_topic_abstained"] == 1.0, [r["question"] for r in rows if r["kind"] == "off_topic" and not r["correct"]]


def test_few_answerable_questions_abstain(results):
    summary, _ = results
    assert summary["abstained_on_answerable"] <= 0.05


def test_on_topic_questions_the_sources_cannot_answer_are_declined(results):
    summary, rows = results
    assert summary["unanswerable_abstained"] == 1.0, [r["question"] for r in rows if r["kind"] == "unanswerable" and not r["correct"]]


def test_answers_quote_sentences_verbatim_and_cite_them_in_order(seed_index, embedder):
    answer = ask("How large is trade between India and Japan?", seed_index, embedder)
    assert not answer.abstained and 1 <= len(answer.citations) <= 3
    for n, c in enumerate(answer.citations, start=1):
        assert c.n == n and f"[{n}]" in answer.text
        assert c.quote in c.passage.text
        assert " ".join(c.quote.split()) in answer.text


def test_a_near_miss_is_declined_with_the_closest_evidence(seed_index, embedder):
    answer = ask("How much foreign direct investment did Japan put into India in 2020?", seed_index, embedder)
    assert answer.abstained and answer.text.startswith(NOT_FOUND)
    assert answer.citations == () and len(answer.closest) == 1
    assert "nothing about this for 2020" in answer.text


def test_a_question_about_something_never_mentioned_says_so(seed_index, embedder):
    answer = ask("When did Japan first join the Malabar naval exercise?", seed_index, embedder)
    assert answer.abstained and "Malabar" in answer.text


def test_follow_ups_are_answered_in_context(seed_index, embedder):
    items = evaluate.read_items(DATA / "followups.jsonl")
    alone, _ = evaluate.run(items, seed_index, embedder, use_history=False)
    in_context, rows = evaluate.run(items, seed_index, embedder, use_history=True)
    assert in_context["answer_accuracy"] >= 0.9, [r["id"] for r in rows if not r["correct"]]
    assert in_context["answer_accuracy"] > alone["answer_accuracy"]


def test_follow_up_detection():
    history = ("How much did Japan invest in India?",)
    assert contextualize("And what about trade?", history) == "How much did Japan invest in India? And what about trade?"
    assert contextualize("When was the peace treaty signed with Japan?", history) == "When was the peace treaty signed with Japan?"
    assert contextualize("And what about trade?", ()) == "And what about trade?"
    assert needed_kind("How many students?") == "number" and needed_kind("When did it open?") == "year"
    assert needed_kind("What is the JSDF?") == "definition" and needed_kind("Who signed the treaty?") == "person"
    assert needed_kind("Why did Japan freeze its loans?") is None
