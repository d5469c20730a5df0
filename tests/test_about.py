"""Questions about the library itself are answered from its metadata."""

from setu.answer import ask, to_json


def test_who_wrote_a_source_named_by_its_title(library_index, embedder):
    answer = to_json(ask("Who wrote The need for a more proactive partnership?", library_index, embedder))
    assert not answer["abstained"] and answer["mode"] == "library"
    assert "Dibakar De" in answer["answer"] and "The Kootneeti" in answer["answer"]
    cited = answer["citations"][0]
    assert cited["author"] == "Dibakar De" and cited["source"].endswith("india-japan-proactive-partnership.md")


def test_who_wrote_without_a_title_says_who_wrote_what(library_index, embedder):
    answer = ask("Who wrote this article?", library_index, embedder)
    assert "Dibakar De wrote “India-Japan: The need for a more proactive partnership”" in answer.text
    assert "Setu editors wrote 34 sources" in answer.text


def test_what_sources_and_what_period(library_index, embedder):
    listing = ask("What sources are there?", library_index, embedder)
    assert listing.text.startswith("The library holds 35 sources:") and "and 23 more" in listing.text
    period = ask("What period do the sources cover?", library_index, embedder)
    assert "to 2025" in period.text


def test_other_questions_are_not_taken_for_library_questions(library_index, embedder):
    answer = ask("Who signed the 1952 peace treaty?", library_index, embedder)
    assert answer.mode == "extractive"
