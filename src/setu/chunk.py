"""Text to passages: runs of whole sentences, with overlap between neighbours.

Each passage is born with its citation: source, title, page(s), character
offsets and the offsets of the sentences inside it.
"""

from __future__ import annotations

from bisect import bisect_right

from .text import sentence_spans
from .types import Document, Passage

CITED_META = ("author", "publisher", "date", "url", "fetched")  # what a citation shows of its source


def chunk(doc: Document, chunk_words: int = 80, overlap: int = 1) -> list[Passage]:
    """Group the document's sentences into passages of about ``chunk_words``
    words; each passage repeats the last ``overlap`` sentences of the one
    before it. Together the passages cover all of the text."""
    spans = _bounded(doc.text, sentence_spans(doc.text, soft_newlines=doc.wrapped), 2 * chunk_words)
    if not spans:
        return []
    sizes = [len(doc.text[a:b].split()) for a, b in spans]
    groups: list[tuple[int, int]] = []  # [first, last) sentence indices
    first = 0
    while first < len(spans):
        last, words = first, 0
        while last < len(spans) and (words < chunk_words or last == first):
            words += sizes[last]
            last += 1
        rest = sum(sizes[last:])
        if 0 < rest < chunk_words // 4:  # fold a small tail into this passage
            last = len(spans)
        groups.append((first, last))
        if last == len(spans):
            break
        first = max(last - overlap, first + 1)
    page_starts = [p.start for p in doc.pages]
    meta = tuple((k, v) for k, v in doc.meta if k in CITED_META and v)
    passages = []
    for i, (first, last) in enumerate(groups):
        start, end = spans[first][0], spans[last - 1][1]
        passages.append(
            Passage(
                id=f"{doc.source}#{i}",
                source=doc.source,
                title=doc.title,
                page_start=_page(doc, page_starts, start),
                page_end=_page(doc, page_starts, end - 1),
                start=start,
                end=end,
                text=doc.text[start:end],
                sentences=tuple(spans[first:last]),
                page_starts=tuple((max(pg.start, start), pg.number) for pg in doc.pages
                                  if pg.number is not None and pg.start < end and pg.end >= start),
                notes=tuple((at, doc.references[i].label, doc.references[i].url)
                            for at, i in doc.notes if start < at <= end),
                meta=meta,
            )
        )
    return passages


def _page(doc: Document, page_starts: list[int], offset: int) -> int | None:
    return doc.pages[max(bisect_right(page_starts, offset) - 1, 0)].number


def _bounded(text: str, spans: list[tuple[int, int]], max_words: int) -> list[tuple[int, int]]:
    """Cut sentences longer than ``max_words`` at word boundaries, so that text
    without punctuation still makes passages of a sensible size."""
    out = []
    for a, b in spans:
        piece = text[a:b]
        if len(piece.split()) <= max_words:
            out.append((a, b))
            continue
        cuts, count, in_word = [], 0, False
        for j, ch in enumerate(piece):
            if ch.isspace():
                if in_word:
                    count += 1
                    if count % max_words == 0:
                        cuts.append(j)
                in_word = False
            else:
                in_word = True
        bounds = [0, *cuts, len(piece)]
        for x, y in zip(bounds, bounds[1:]):
            seg = piece[x:y]
            lead = len(seg) - len(seg.lstrip())
            seg_end = y - (len(seg) - len(seg.rstrip()))
            if a + x + lead < a + seg_end:
                out.append((a + x + lead, a + seg_end))
    return out
