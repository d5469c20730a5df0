"""Plain-text helpers shared by the stages: sentence spans and word tokens.

Everything here works on character offsets into the original text, so that
a sentence found here can later be quoted verbatim from its source.
"""

from __future__ import annotations

import re

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st no nos vs e.g i.e cf jr sr fig approx sec art vol pp p".split()
)

# A candidate sentence end: terminal punctuation, optional closing quotes or
# brackets, then whitespace.
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:['’][A-Za-z]+)?")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")

STOPWORDS = frozenset(
    """a an the and or but if then else of to in on at by for with from into onto over under about as is are was
    were be been being am do does did done has have had having it its it's this that these those there here
    what which who whom whose when where why how i me my we our you your he him his she her they them their
    not no nor so than too very can could would should will shall may might must also just only such both each
    any all some more most other another same own up down out off again further once between through during
    before after above below while since until against among across per via upon within without whether
    tell give say said says know like one two much many get got make made s t""".split()
)


def sentence_spans(text: str, start: int = 0, end: int | None = None, *, soft_newlines: bool = False) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences, as (start, end) offsets into ``text``.

    Blank lines always end a sentence. A single line break ends one too unless
    ``soft_newlines`` is set (PDF text, where lines wrap mid-sentence) and the
    line does not look like a heading. Leading and trailing whitespace is not
    part of any span; together the spans cover every other character.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text, start, end, soft_newlines):
        spans.extend(_split_block(text, block_start, block_end))
    return spans


def _blocks(text: str, start: int, end: int, soft_newlines: bool) -> list[tuple[int, int]]:
    """Paragraph-like stretches between hard breaks."""
    breaks = [m.span() for m in _BLANK_LINE.finditer(text, start, end)]
    if not soft_newlines:
        breaks = [m.span() for m in re.finditer(r"\n", text[start:end])]
        breaks = [(a + start, b + start) for a, b in breaks]
    else:
        # A single newline still breaks after a short line with no final
        # punctuation that is followed by a capital: a heading or a caption.
        extra = []
        for m in re.finditer(r"\n", text[start:end]):
            pos = m.start() + start
            line_start = text.rfind("\n", start, pos) + 1
            line = text[line_start:pos].strip()
            nxt = text[pos + 1 : pos + 2]
            if line and len(line) < 50 and line[-1] not in ",;-" and nxt.isupper():
                extra.append((pos, pos + 1))
        breaks = sorted(set(breaks) | set(extra))
    blocks, cursor = [], start
    for a, b in breaks:
        if a >= cursor:
            blocks.append((cursor, a))
            cursor = b
    blocks.append((cursor, end))
    return blocks


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    cursor = start
    for m in _END.finditer(text, start, end):
        cut = m.end()
        if _is_abbreviation(text, start, m.start()):
            continue
        nxt = _next_visible(text, cut, end)
        if nxt and (nxt.islower() or nxt in ",;:"):
            continue
        spans.append((cursor, cut))
        cursor = cut
    spans.append((cursor, end))
    out = []
    for a, b in spans:
        a, b = _strip(text, a, b)
        if a < b:
            out.append((a, b))
    return out


def _is_abbreviation(text: str, block_start: int, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > block_start and not text[word_start - 1].isspace() and text[word_start - 1] not in "(\"“":
        word_start -= 1
    word = text[word_start:dot].lower()
    if word in _ABBREVIATIONS:
        return True
    # Single initials ("J. Nehru") and dotted acronyms ("U.S.") do not end sentences.
    return len(word) == 1 and word.isalpha() or ("." in word and len(word) <= 5)


def _next_visible(text: str, pos: int, end: int) -> str:
    while pos < end and text[pos].isspace():
        pos += 1
    return text[pos] if pos < end else ""


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def words(text: str) -> list[str]:
    """Lower-cased word tokens, with possessives and plurals folded."""
    return [_fold(w.lower()) for w in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Word tokens without stopwords: what BM25 and overlap measures count."""
    return [w for w in words(text) if w not in _STOP_FOLDED]


def _fold(word: str) -> str:
    """'Japan's' -> 'japan', 'agreements' -> 'agreement', 'studies' -> 'study'."""
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def squash(text: str) -> str:
    """Collapse runs of whitespace, for display."""
    return " ".join(text.split())


_STOP_FOLDED = STOPWORDS | {_fold(w) for w in STOPWORDS}  # "does" folds to "doe"
