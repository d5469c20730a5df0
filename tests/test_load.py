import pytest

from pdfs import encrypt_pdf, make_pdf
from setu.errors import SourceError
from setu.load import load


def test_markdown_front_matter_gives_title_author_and_publisher(tmp_path):
    from conftest import SEED

    doc = load(SEED, "sources/seed.md")
    assert doc.title == "India-Japan: The need for a more proactive partnership"
    assert dict(doc.meta) == {"author": "Dibakar De", "publisher": "The Kootneeti"}
    assert doc.text.startswith("India-Japan: The need")  # front matter is not part of the text
    assert "1952" in doc.text and doc.pages[0].number is None


def test_pdf_pages_are_numbered_from_one_down_to_each_passage(tmp_path):
    from setu.chunk import chunk

    path = make_pdf(tmp_path / "r.pdf", [["Japan first lent yen to India in 1958."], ["Trade stood at $17.6 billion."],
                                         ["A third page mentions the Shinkansen."]], title="Report")
    doc = load(path, "sources/r.pdf")
    assert doc.title == "Report" and doc.kind == "pdf"
    assert [p.number for p in doc.pages] == [1, 2, 3]
    for page, needle in zip(doc.pages, ["1958", "17.6", "Shinkansen"]):
        assert needle in doc.text[page.start:page.end]
    by_fact = {needle: p for p in chunk(doc, chunk_words=5, overlap=0) for needle in ["1958", "17.6", "Shinkansen"] if needle in p.text}
    assert by_fact["1958"].page_start == 1 and by_fact["17.6"].page_start == 2 and by_fact["Shinkansen"].page_start == 3


def test_html_keeps_only_visible_text(tmp_path):
    path = tmp_path / "p.html"
    path.write_text("<html><head><title>Ties</title><style>p{color:red}</style></head><body>"
                    "<script>alert('x')</script><h1>Heading</h1><p>Visible &amp; kept.</p><noscript>no</noscript></body></html>")
    doc = load(path, "p.html")
    assert doc.title == "Ties"
    assert doc.text == "Heading\n\nVisible & kept."


@pytest.mark.parametrize("data, encoding", [
    ("Nehru met Kishi in Tōkyō — 1957.".encode("utf-16"), "utf-16 with BOM"),
    ("Nehru met Kishi in Tōkyō — 1957.".encode("utf-16-le"), "utf-16 without BOM"),
    ("Café in Mumbai, 2016.".encode("latin-1"), "latin-1"),
    ("\ufeffCafé in Mumbai, 2016.".encode("utf-8"), "utf-8 with BOM"),
])
def test_text_in_other_encodings_is_read(tmp_path, data, encoding):
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    text = load(path, "t.txt").text
    assert ("Kishi" in text and "Tōkyō" in text) or "Café in Mumbai" in text, encoding


def _bad(tmp_path, name, data, limit=100_000):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SourceError) as err:
        load(path, f"sources/{name}", max_bytes=limit)
    assert str(err.value).startswith(f"sources/{name}: ")
    return err.value.reason


def test_bad_files_are_refused_with_the_reason(tmp_path):
    good = make_pdf(tmp_path / "good.pdf", [["Some text here."]])
    assert "encrypted" in _bad(tmp_path, "enc.pdf", encrypt_pdf(good, tmp_path / "e.pdf").read_bytes())
    assert "truncated" in _bad(tmp_path, "cut.pdf", good.read_bytes()[:150])
    assert "no text layer" in _bad(tmp_path, "scan.pdf", make_pdf(tmp_path / "s.pdf", [[]]).read_bytes())
    assert "empty" in _bad(tmp_path, "zero.pdf", b"")
    assert "not a PDF" in _bad(tmp_path, "fake.pdf", b"hello, I am text")
    assert "empty" in _bad(tmp_path, "blank.txt", b"  \n ")
    assert "binary" in _bad(tmp_path, "junk.txt", bytes(range(256)) * 3)
    assert "unsupported file type" in _bad(tmp_path, "table.xlsx", b"PK\x03\x04")
    assert "limit" in _bad(tmp_path, "big.txt", b"a " * 1000, limit=1000)
