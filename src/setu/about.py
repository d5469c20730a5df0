"""Questions about the library itself, answered from its metadata: who wrote
a source, what sources there are, what period they cover.

Each question form is a named pattern. The answer cites the source it
speaks of (its first passage), so the card shows the title, author and
publisher it was read from.
"""

from __future__ import annotations

import re

from .lexicon import year_span
from .text import content_words
from .types import Answer, Citation

WHO_WROTE = re.compile(r"\bwho (wrote|is the author of|authored|published|is the publisher of)\b"
                       r"|\b(author|writer|publisher) of (this|that|the) (article|source|brief|document|report|piece)\b",
                       re.I)
WHICH_SOURCES = re.compile(r"\b(what|which) (sources|documents|files|articles|briefs)\b"
                           r"|\blist (the|your|all) sources\b|\bwhat (is|does) (in )?the library\b", re.I)
WHAT_PERIOD = re.compile(r"\bwhat (period|years|time span|dates) (do|does) (the sources|the library|they|it) cover\b",
                         re.I)
LISTED = 12  # titles listed in full before "and N more"


def answer_about_library(question: str, index) -> Answer | None:
    """An answer from the library's metadata, or None for any other question."""
    firsts = _first_passages(index)
    if not firsts:
        return None
    if WHO_WROTE.search(question):
        return _who_wrote(question, firsts)
    if WHICH_SOURCES.search(question):
        titles = [p.title for p in firsts.values()]
        shown = "; ".join(titles[:LISTED]) + (f"; and {len(titles) - LISTED} more" if len(titles) > LISTED else "")
        return Answer(question, f"The library holds {len(titles)} sources: {shown}.", False, mode="library",
                      note="answered from the library's list of sources (see the Library tab)")
    if WHAT_PERIOD.search(question):
        span = year_span(index)
        if span is None:
            return None
        return Answer(question, f"The sources speak of the years {span[0]} to {span[1]} (from the dates in their text).",
                      False, mode="library", note="answered from the dates the sources mention")
    return None


def _first_passages(index) -> dict:
    firsts = {}
    for p in index.passages:
        if p.source not in firsts or p.start < firsts[p.source].start:
            firsts[p.source] = p
    return firsts


def _who_wrote(question: str, firsts: dict) -> Answer | None:
    """The source the question names (two or more of its title's words), or
    the only source with an author; otherwise who wrote what, by author."""
    asked = set(content_words(question))
    best = max(firsts.values(), key=lambda p: (len(asked & set(content_words(p.title))), p.source), default=None)
    with_author = [p for p in firsts.values() if p.about("author")]
    if best is not None and len(asked & set(content_words(best.title))) >= 2:
        passage = best
    elif len(with_author) == 1:
        passage = with_author[0]
    else:
        by_author: dict[str, list[str]] = {}
        for p in with_author:
            by_author.setdefault(p.about("author"), []).append(p.title)
        if not by_author:
            return None
        parts = [f"{author} wrote “{titles[0]}”" if len(titles) == 1 else f"{author} wrote {len(titles)} sources"
                 for author, titles in sorted(by_author.items(), key=lambda kv: len(kv[1]))]
        return Answer(question, "; ".join(parts) + ". Name a title to ask about one source.", False, mode="library",
                      note="answered from the sources' front matter")
    author, publisher = passage.about("author"), passage.about("publisher")
    if not author and not publisher:
        return None
    said = f"“{passage.title}” was written by {author}" if author else f"“{passage.title}”"
    if publisher:
        said += f" and published by {publisher}" if author else f" was published by {publisher}"
    a, b = passage.sentences[0]
    citation = Citation(1, passage, passage.sentence_text(0), a, b, 1.0, verdict="supported",
                        reason="read from the source's front matter")
    return Answer(question, f"{said}. [1]", False, (citation,), mode="library",
                  note="answered from the source's front matter")
