"""Files to text: one ``Document`` per source file, with 1-based PDF pages.

Every failure is a ``SourceError`` that names the file and the reason.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

from .errors import SourceError
from .types import Document, Page

SUFFIXES = {".pdf": "pdf", ".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def kind_of(path: Path) -> str | None:
    return SUFFIXES.get(path.suffix.lower())


def load(path: Path, source: str, *, max_bytes: int | None = None, kind: str | None = None) -> Document:
    """Read one file. ``source`` is the name it is cited by; ``kind`` overrides
    the type the file's own suffix gives (for uploads kept under a temporary name)."""
    kind = kind or kind_of(path)
    if kind is None:
        known = ", ".join(sorted(set(SUFFIXES)))
        raise SourceError(source, f"unsupported file type {Path(source).suffix or path.suffix or '(none)'!r}; Setu reads {known}")
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise SourceError(source, f"file is {size / 1e6:.3g} MB, over the {max_bytes / 1e6:g} MB limit (SETU_MAX_FILE_MB)")
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(source, f"cannot read file: {e.strerror or e}") from None
    if not data.strip():
        raise SourceError(source, "file is empty")
    doc = {"pdf": _pdf, "txt": _txt, "md": _markdown, "html": _html}[kind](data, source)
    if not doc.text.strip():
        raise SourceError(source, "no text found in the file")
    origin = read_sidecar(path)
    if origin:
        doc = replace(doc, meta=tuple(sorted({**dict(doc.meta), **origin}.items())))
    return doc


def sidecar_of(path: Path) -> Path:
    """Where the URL and fetch time of a file fetched from the web are kept:
    a hidden JSON file beside it (`.report.pdf.source.json`)."""
    return path.with_name(f".{path.name}.source.json")


def read_sidecar(path: Path) -> dict[str, str]:
    try:
        data = json.loads(sidecar_of(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: str(data[k]) for k in ("url", "fetched") if isinstance(data, dict) and data.get(k)}


# --- plain text -------------------------------------------------------------

_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def decode(data: bytes, source: str) -> str:
    """Bytes to text: UTF-8, UTF-16/32 with a byte-order mark or by their
    zero bytes, else Windows-1252/Latin-1. Binary data is refused."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decoded(data, encoding, source)
    if b"\x00" in data[:4096]:
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        half = min(len(data), 4096) / 2
        if odd > 0.3 * half and even < 0.05 * half:
            return _decoded(data, "utf-16-le", source)
        if even > 0.3 * half and odd < 0.05 * half:
            return _decoded(data, "utf-16-be", source)
        raise SourceError(source, "binary data, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace") if _cp1252_ok(data) else data.decode("latin-1")
    return _checked(text, source)


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _decoded(data: bytes, encoding: str, source: str) -> str:
    try:
        return _checked(data.decode(encoding), source)
    except UnicodeDecodeError:
        raise SourceError(source, f"looks like {encoding.upper()} but does not decode as it") from None


def _checked(text: str, source: str) -> str:
    sample = text[:20000]
    control = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f" or 0x7F <= ord(c) < 0xA0)
    if sample and control / len(sample) > 0.05:
        raise SourceError(source, "binary data, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_wrapped(text: str) -> bool:
    """Hard-wrapped text (lines cut at a fixed width) has soft line breaks."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 5:
        return False
    lengths = sorted(len(line) for line in lines)
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    open_ended = sum(1 for line in lines if line[-1].islower() or line[-1] in ",;-")
    return p90 <= 100 and open_ended / len(lines) >= 0.4


def _title_from_text(text: str, source: str) -> str:
    """A Markdown heading, or a short first line without a full stop; else the
    file name ("india-japan-notes.txt" -> "india japan notes")."""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        heading = line.startswith("#")
        line = line.lstrip("#").strip()
        if line and len(line) <= 120 and (heading or not line.endswith((".", "!", "?", ".”", '."'))):
            return line
        break
    return re.sub(r"[-_]+", " ", Path(source).stem).strip() or Path(source).name


def _single_page(source: str, title: str, kind: str, text: str, meta=()) -> Document:
    return Document(source=source, title=title, kind=kind, text=text, pages=(Page(None, 0, len(text)),),
                    wrapped=looks_wrapped(text), meta=tuple(meta))


def _txt(data: bytes, source: str) -> Document:
    text = decode(data, source)
    return _single_page(source, _title_from_text(text, source), "txt", text)


# --- Markdown ---------------------------------------------------------------

def _markdown(data: bytes, source: str) -> Document:
    """Markdown as a reader sees it: no markup and no footnote markers in the
    text. Front matter supplies the title, author, publisher and dates; each
    footnote marker is kept as a note on the sentence it follows."""
    from .mdtext import parse

    parsed = parse(decode(data, source))
    meta = dict(parsed.meta)
    title = meta.pop("title", "") or (parsed.headings[0] if parsed.headings else "") \
        or _title_from_text(parsed.text, source)
    text = parsed.text
    return Document(source=source, title=title, kind="md", text=text, pages=(Page(None, 0, len(text)),),
                    meta=tuple(sorted(meta.items())), references=parsed.references, notes=parsed.notes)


# --- HTML -------------------------------------------------------------------

_BLOCK_TAGS = frozenset("p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer blockquote pre title hr dd dt".split())
_HIDDEN_TAGS = frozenset("script style noscript template head svg iframe object".split())


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.hidden = 0
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        elif tag in _HIDDEN_TAGS:
            self.hidden += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in _HIDDEN_TAGS and self.hidden:
            self.hidden -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        elif not self.hidden:
            self.parts.append(data)


def _html(data: bytes, source: str) -> Document:
    """Only the text a reader sees: no tags, scripts, styles or head."""
    parser = _Visible()
    parser.feed(decode(data, source))
    parser.close()
    raw = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    title = " ".join("".join(parser.title).split()) or _title_from_text(text, source)
    return _single_page(source, title, "html", text)


# --- PDF --------------------------------------------------------------------

def _pdf(data: bytes, source: str) -> Document:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise SourceError(source, "not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceError(source, "encrypted PDF, no password given")
        texts = [(page.extract_text() or "") for page in reader.pages]
    except SourceError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise SourceError(source, f"damaged or truncated PDF ({e})") from None
    except Exception as e:  # pypdf raises many kinds on malformed files
        if "crypt" in str(e).lower():
            raise SourceError(source, f"encrypted PDF that cannot be opened ({e})") from None
        raise SourceError(source, f"damaged or truncated PDF ({type(e).__name__}: {e})") from None
    if not any(t.strip() for t in texts):
        raise SourceError(source, f"no text layer in {len(texts)} page(s) (a scanned PDF needs OCR first)")
    pages, parts, offset = [], [], 0
    for number, page_text in enumerate(texts, start=1):
        page_text = page_text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        pages.append(Page(number, offset, offset + len(page_text)))
        parts.append(page_text)
        offset += len(page_text) + 2
    text = "\n\n".join(parts)
    info = reader.metadata or {}
    title = str(info.get("/Title") or "").strip() or _title_from_text(text, source)
    meta = [(k, str(info.get(f"/{k.title()}")).strip()) for k in ("author",) if info.get(f"/{k.title()}")]
    return Document(source=source, title=title, kind="pdf", text=text, pages=tuple(pages), wrapped=True, meta=tuple(meta))
