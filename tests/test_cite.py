"""The support check on the labelled pairs in tests/data/citations.jsonl, and on each kind of error."""

import json

import pytest

from conftest import DATA
from setu.cite import support
from setu.lexicon import topic_words

PASSAGE = ("In the retail sector, Muji of Ryōhin Keikaku opened its first Indian outlet in Mumbai in August 2016, "
           "and Fast Retailing opened its first Uniqlo store in New Delhi in October 2019.")
TREATY = ("After the end of World War II, Indian PM Nehru and the then Japanese PM signed a peace treaty and "
          "formally established diplomatic relations in 1952.")


@pytest.fixture(scope="module")
def labelled(embedder, seed_index):
    """The pairs come from the seed article, so the check knows that library's topic names."""
    pairs = [json.loads(line) for line in (DATA / "citations.jsonl").read_text().splitlines() if line.strip()]
    topic = topic_words(seed_index)
    return [(p, support(p["claim"], [p["passage"]], embedder, topic=topic)) for p in pairs]


def test_the_labelled_set_is_big_and_balanced():
    pairs = [json.loads(line) for line in (DATA / "citations.jsonl").read_text().splitlines() if line.strip()]
    assert len(pairs) >= 60
    assert 0.4 <= sum(p["supported"] for p in pairs) / len(pairs) <= 0.6
    kinds = {p["kind"] for p in pairs if not p["supported"]}
    assert {"number", "entity", "negation", "wrong_passage"} <= kinds


def test_accuracy_and_precision_on_supported_meet_the_targets(labelled):
    correct = sum(v.supported == p["supported"] for p, v in labelled)
    said = [p for p, v in labelled if v.supported]
    wrong = [p["claim"] for p in said if not p["supported"]]
    # 0.957 when the check was calibrated on this set; since it is fitted on the generated
    # pairs instead, 0.90 (63/70): it rejects some loose paraphrases (docs/checking.md).
    assert correct / len(labelled) >= 0.9
    assert (len(said) - len(wrong)) / len(said) >= 0.95, wrong


@pytest.mark.parametrize("claim, supported, why", [
    ("Muji opened its first Indian outlet in Mumbai in August 2016.", True, ""),
    ("Muji opened its first Indian outlet in Mumbai in August 2019.", False, "for something else"),
    ("Uniqlo opened its first Indian store in Mumbai.", False, "does not put"),
    ("Uniqlo opened its first Indian store in Bengaluru.", False, "does not mention Bengaluru"),
    ("Muji never opened an outlet in Mumbai.", False, "negation"),
])
def test_each_kind_of_error_is_caught(embedder, claim, supported, why):
    verdict = support(claim, [PASSAGE], embedder)
    assert verdict.supported is supported, verdict
    assert why in verdict.reason


def test_numbers_must_match_exactly(embedder):
    assert support("Diplomatic relations were formally established in 1952.", [TREATY], embedder).supported
    wrong = support("Diplomatic relations were formally established in 1962.", [TREATY], embedder)
    assert not wrong.supported and "1962" in wrong.reason


def test_a_claim_on_the_right_topic_but_not_in_the_passage_is_unsupported(embedder):
    verdict = support("Japan and India signed a civil nuclear agreement in 2016.", [PASSAGE], embedder)
    assert not verdict.supported


def test_the_best_sentence_and_its_offsets_are_returned(embedder):
    passage = "Japan lends India money. " + TREATY + " Trade grew later."
    verdict = support("India and Japan set up diplomatic relations in 1952.", [passage], embedder)
    assert verdict.supported and verdict.sentence == TREATY
    assert passage[verdict.start:verdict.end] == TREATY


def test_stored_vectors_give_the_same_verdict_as_encoding(embedder):
    from setu.text import sentence_spans

    claim = "Fast Retailing opened the first Uniqlo store in New Delhi in October 2019."
    spans = sentence_spans(PASSAGE)
    vectors = embedder.encode([PASSAGE[a:b] for a, b in spans])
    fresh = support(claim, [PASSAGE], embedder)
    stored = support(claim, [PASSAGE], claim_vector=embedder.encode([claim])[0], sentence_vectors=[vectors], spans=[spans])
    assert fresh == stored and fresh.supported
