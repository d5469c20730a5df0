"""The answerer on libraries it was never tuned for: a small library on an
unrelated subject, and two sources that disagree about one fact."""

import pytest

from conftest import DATA, index_copy_of
from setu.answer import ask, to_json
from setu.build import build
from setu.config import load_settings
from setu.index import open_index


@pytest.fixture(scope="module")
def bees(tmp_path_factory, embedder):
    return index_copy_of(DATA / "unrelated", tmp_path_factory.mktemp("bees"), embedder)


@pytest.mark.parametrize("question, expected", [
    ("When did Slovenia protect the Carniolan bee?", "2002"),
    ("What is the Carniolan honey bee?", "subspecies of the western honey bee"),
    ("Which day is World Bee Day?", "20 May"),
    ("Whose birthday does World Bee Day mark?", "Anton Janša"),
    ("How many painted panels does the museum in Radovljica hold?", "600"),
    ("How old is the oldest painted hive panel?", "1758"),
])
def test_a_library_on_another_subject_is_answered(bees, embedder, question, expected):
    answer = ask(question, bees, embedder)
    assert not answer.abstained and expected in answer.text, answer.text


@pytest.mark.parametrize("question", [
    "How do I reverse a linked list in Python?",
    "When did India and Japan sign their peace treaty?",
    "How many painted panels did the museum hold in 1950?",
    "Who founded the Museum of Apiculture in Radovljica?",
])
def test_what_that_library_does_not_say_is_declined(bees, embedder, question):
    answer = ask(question, bees, embedder)
    assert answer.abstained, answer.text


def test_two_sources_that_give_different_figures_are_both_shown_and_flagged(tmp_path, embedder):
    from setu.render import evidence_html

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "city-report.md").write_text(
        "# City report\n\nThe Lotus Bridge over the Mula river in Pune opened to traffic in 2019.\n")
    (tmp_path / "src" / "press-note.md").write_text(
        "# Press note\n\nThe Lotus Bridge over the Mula river in Pune opened to traffic in 2021, two years late.\n")
    settings = load_settings(sources=tmp_path / "src", index=tmp_path / "index")
    build(settings, embedder=embedder)
    index = open_index(settings.index)
    data = to_json(ask("When did the Lotus Bridge in Pune open?", index, embedder))
    assert "2019" in data["answer"] and "2021" in data["answer"]
    assert data["disagreements"] == [[1, 2]] and "The sources differ here" in data["answer"]
    card = evidence_html(data, tmp_path / "src")
    assert card.count("Another source in the library gives a different figure") == 2
