from conftest import SEED
from setu.chunk import chunk
from setu.load import load
from setu.text import sentence_spans
from setu.types import Document, Page


def spans_text(text, **kw):
    return [text[a:b] for a, b in sentence_spans(text, **kw)]


def test_sentences_split_on_punctuation_but_not_abbreviations_or_decimals():
    text = "Dr. Mathew Joseph wrote it. Trade was $17.6 billion in 2019! Was it? Yes, e.g. for Japan."
    assert spans_text(text) == ["Dr. Mathew Joseph wrote it.", "Trade was $17.6 billion in 2019!", "Was it?",
                                "Yes, e.g. for Japan."]


def test_headings_and_lines_are_their_own_sentences_but_wrapped_text_is_joined():
    text = "A Heading\n\nFirst sentence runs\nonto a second line. Next one.\nShort Caption\nBody again."
    assert spans_text(text, soft_newlines=True) == [
        "A Heading", "First sentence runs\nonto a second line.", "Next one.", "Short Caption", "Body again."]
    assert spans_text("Line one\nLine two") == ["Line one", "Line two"]


def _doc(text, pages=None):
    return Document("s/x.txt", "X", "txt", text, pages or (Page(None, 0, len(text)),))


def test_passages_cover_the_text_with_nothing_lost_and_quote_it_verbatim():
    doc = load(SEED, "sources/seed.md")
    passages = chunk(doc, chunk_words=40, overlap=1)
    covered = [False] * len(doc.text)
    for p in passages:
        assert p.text == doc.text[p.start:p.end]
        for a, b in p.sentences:
            assert p.start <= a < b <= p.end
            for i in range(a, b):
                covered[i] = True
    lost = "".join(ch for ch, c in zip(doc.text, covered) if not c)
    assert lost.strip() == "", f"text not in any passage: {lost.strip()[:80]!r}"


def test_neighbouring_passages_share_the_overlap_sentence_and_respect_the_size():
    doc = load(SEED, "sources/seed.md")
    passages = chunk(doc, chunk_words=40, overlap=1)
    for before, after in zip(passages, passages[1:]):
        if len(before.sentences) > 1:
            assert before.sentences[-1] == after.sentences[0]
        else:  # a single long sentence cannot be repeated without repeating the passage
            assert before.sentences[-1][1] <= after.sentences[0][0]
    sizes = sorted(len(p.text.split()) for p in passages)
    assert 40 <= sizes[len(sizes) // 2] <= 90


def test_text_without_punctuation_is_still_cut_into_bounded_passages():
    text = " ".join(f"word{i}" for i in range(1000))
    passages = chunk(_doc(text), chunk_words=50, overlap=0)
    assert len(passages) >= 10
    assert max(len(p.text.split()) for p in passages) <= 100
    assert " ".join(p.text for p in passages).split() == text.split()


def test_passages_know_their_pages():
    text = "One on page one. Two on page one.\n\nThree on page two. Four on page two."
    pages = (Page(1, 0, 33), Page(2, 35, len(text)))
    passages = chunk(_doc(text, pages), chunk_words=8, overlap=0)
    assert [(p.page_start, p.page_end, p.text[:5]) for p in passages] == [(1, 1, "One o"), (2, 2, "Three")]
    spanning = chunk(_doc(text, pages), chunk_words=100, overlap=0)
    assert [(p.page_start, p.page_end) for p in spanning] == [(1, 2)]
