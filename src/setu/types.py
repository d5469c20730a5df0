"""The records that flow between the stages. All are frozen: a stage returns
new records rather than changing the ones it was given."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """One page of a document, as offsets into ``Document.text``.

    ``number`` is 1-based for PDFs and ``None`` for formats without pages.
    """

    number: int | None
    start: int
    end: int


@dataclass(frozen=True)
class Reference:
    """A footnote of a source: what it cites and where a reader can open it."""

    label: str  # e.g. 'Ministry of External Affairs (India), "Joint Statement", 2016-11-11'
    url: str  # "" when the footnote gives none


@dataclass(frozen=True)
class Document:
    """A source file turned into text."""

    source: str  # path as given to `setu index`, e.g. "sources/report.pdf"
    title: str
    kind: str  # "pdf", "txt", "md" or "html"
    text: str
    pages: tuple[Page, ...]
    wrapped: bool = False  # single line breaks are soft (PDFs, hard-wrapped text)
    meta: tuple[tuple[str, str], ...] = ()  # e.g. (("author", "..."), ("publisher", "..."))
    references: tuple[Reference, ...] = ()  # the footnotes, in order of definition
    notes: tuple[tuple[int, int], ...] = ()  # (offset just after the marked text, index into references)


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences, born with everything needed to cite it."""

    id: str  # "<source>#<n>"
    source: str
    title: str
    page_start: int | None
    page_end: int | None
    start: int  # offsets into the document text
    end: int
    text: str  # == document.text[start:end]
    sentences: tuple[tuple[int, int], ...]  # sentence offsets into the document text
    page_starts: tuple[tuple[int, int], ...] = ()  # (offset, page number) of each PDF page the passage touches
    notes: tuple[tuple[int, str, str], ...] = ()  # (offset, label, url) of each footnote marker inside the passage
    meta: tuple[tuple[str, str], ...] = ()  # the source's author, publisher, date, url and fetch time, where known

    def about(self, key: str) -> str:
        return dict(self.meta).get(key, "")

    def references_for(self, start: int, end: int) -> tuple[Reference, ...]:
        """The footnotes marked on the text between two offsets (a quoted
        sentence): a marker belongs to the sentence it follows."""
        seen = dict.fromkeys(Reference(label, url) for at, label, url in self.notes if start < at <= end)
        return tuple(seen)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding a character of the passage (None for formats without pages)."""
        page = self.page_start
        for start, number in self.page_starts:
            if start <= offset:
                page = number
        return page

    def sentence_text(self, i: int) -> str:
        a, b = self.sentences[i]
        return self.text[a - self.start : b - self.start]


@dataclass(frozen=True)
class Hit:
    """A passage found for a query, with the scores that found it."""

    passage: Passage
    row: int  # the passage's row in the index
    score: float  # fused score (higher is better)
    dense: float  # cosine similarity of query and passage
    lexical: float  # BM25 score (0 when the passage has none of the query words)


@dataclass(frozen=True)
class Citation:
    """One quoted sentence and the passage it comes from."""

    n: int
    passage: Passage
    quote: str  # verbatim from the source
    quote_start: int  # offsets into the document text
    quote_end: int
    score: float  # how well the sentence answers the question (retrieval score)
    verdict: str = ""  # "supported" or "unsupported", set by the support check
    support: float | None = None  # the support check's score, 0..1
    reason: str = ""  # why the check found no support


@dataclass(frozen=True)
class Statement:
    """One sentence of a generated answer, as the support check judged it."""

    text: str  # with its [n] markers
    citations: tuple[int, ...]
    verdict: str  # "supported", "unsupported", "uncited" or "abstain" (the model said it found nothing)
    score: float
    reason: str = ""


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # with [n] markers
    abstained: bool
    citations: tuple[Citation, ...] = ()
    note: str = ""  # why Setu abstained, when it did
    closest: tuple[Citation, ...] = ()  # when abstaining on topic: the nearest evidence, not an answer
    generation: str = ""  # the index generation the answer came from
    statements: tuple[Statement, ...] = ()  # a generated answer's sentences, each with its verdict
    mode: str = "extractive"  # or "generated" (written by a language model, then checked)
    notice: str = ""  # e.g. why the language model could not be used
    disagreements: tuple[tuple[int, int], ...] = ()  # citation numbers of sources that give different figures for one fact
    timings: dict = field(default_factory=dict, compare=False)
