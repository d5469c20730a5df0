"""What the library itself says about its words: which are generic (found in
most passages, so they tell passages apart no better than "the"), and which
names are aliases of each other (an acronym defined in parentheses).

Nothing here is a word list of one corpus: both are derived from the index,
so the same rules hold on any library.
"""

from __future__ import annotations

import re
from .text import content_words

# A word found in at least half of the passages is generic for the library
# ("india" and "japan" in a library about India and Japan).
GENERIC_SHARE = 0.5
GENERIC_MIN_PASSAGES = 5
# Small words an acronym may skip: "Ministry of External Affairs (MEA)".
_JOINERS = frozenset("of and the for on in to de du la".split())
_DEFINED = re.compile(r"\(([A-Z][A-Za-z0-9&+-]{1,11})\)")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&+-]*[A-Z0-9]\b")


_CACHE: dict[tuple[str, str], object] = {}  # (generation folder, what) -> derived once per index


def _cached(index, what: str, make):
    key = (str(getattr(index, "path", id(index))), what)
    if key not in _CACHE:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = make()
    return _CACHE[key]


def generic_words(index) -> frozenset[str]:
    """Words in at least ``GENERIC_SHARE`` of the index's passages."""
    def make():
        floor = max(GENERIC_MIN_PASSAGES, GENERIC_SHARE * len(index.passages))
        return frozenset(w for w, df in index.df.items() if df >= floor)
    return _cached(index, "generic", make)


def aliases(index) -> dict[str, str]:
    """Acronym -> its expansion, and expansion (lower-cased) -> acronym, for
    every acronym the library defines in parentheses after its full name."""
    return _cached(index, "aliases", lambda: _aliases_of(p.text for p in index.passages))


def _aliases_of(texts) -> dict[str, str]:
    found: dict[str, str] = {}
    for text in texts:
        for m in _DEFINED.finditer(text):
            acronym = m.group(1)
            expansion = _expansion(text[: m.start()].rstrip(), acronym)
            if expansion:
                found.setdefault(acronym, expansion)
                found.setdefault(expansion.lower(), acronym)
    return found


def _expansion(before: str, acronym: str) -> str:
    """The words just before "(ACR)" whose initials spell the acronym (joiners
    and the acronym's lower-case letters may be skipped)."""
    letters = [c for c in acronym if c.isupper() or c.isdigit()]
    tokens = re.findall(r"[\w'’&-]+", before)[-(len(acronym) + 6):]
    # Walk back from the end, matching initials to the acronym's capitals.
    k, start = len(letters) - 1, None
    for i in range(len(tokens) - 1, -1, -1):
        if k < 0:
            break
        word = tokens[i]
        parts = [p for p in word.split("-") if p]
        initials = [p[0].upper() for p in parts]
        if word.lower() in _JOINERS:
            continue
        if initials and initials[-1] == letters[k]:
            # a hyphenated word may give several letters ("Japan-India" -> JI)
            j = len(initials) - 1
            while j >= 0 and k >= 0 and initials[j] == letters[k]:
                j, k = j - 1, k - 1
            start = i
        else:
            return ""
    if k >= 0 or start is None:
        return ""
    words = tokens[start:]
    if not words[0][:1].isupper():
        return ""
    return " ".join(words)


def expand(question: str, index) -> str:
    """The question with the other name of every aliased name it uses added:
    "What is CEPA?" also searches for "Comprehensive Economic Partnership
    Agreement", and the full name also searches for the acronym."""
    table = aliases(index)
    if not table:
        return question
    extra = []
    for acronym in _ACRONYM.findall(question):
        if acronym in table and table[acronym].lower() not in question.lower():
            extra.append(table[acronym])
    lowered = " ".join(content_words(question))
    for key, acronym in table.items():
        if key.isupper() or acronym in question:
            continue
        key_words = " ".join(content_words(key))
        if key_words and f" {key_words} " in f" {lowered} ":
            extra.append(acronym)
    return f"{question} ({'; '.join(dict.fromkeys(extra))})" if extra else question


def year_span(index) -> tuple[int, int] | None:
    """The years the library speaks of, from its text: (earliest, latest),
    leaving out the outer 2% of mentions at each end (a stray old date, a
    target year far ahead)."""
    def make():
        import re

        years = sorted(int(y) for p in index.passages for y in re.findall(r"\b(1[5-9]\d\d|20\d\d)\b", p.text))
        if not years:
            return None
        return years[int(0.02 * (len(years) - 1))], years[int(0.98 * (len(years) - 1))]
    return _cached(index, "years", make)


def describe(index) -> str:
    """One line on what the library holds: "35 sources, 1952–2025"."""
    n = len({p.source for p in index.passages})
    span = year_span(index)
    return f"{n} source{'s' if n != 1 else ''}" + (f", {span[0]}–{span[1]}" if span and span[0] != span[1] else "")


def peoples() -> dict[str, str]:
    """Each country and the words for its people -> the country
    ('japanese' -> 'japan'), from ``peoples.json`` (world knowledge)."""
    global _PEOPLES
    if _PEOPLES is None:
        import json
        from pathlib import Path

        data = json.loads(Path(__file__).with_name("peoples.json").read_text(encoding="utf-8"))
        _PEOPLES = {w: country for country, names in data.items() if not country.startswith("_")
                    for w in (country, *names)}
    return _PEOPLES


_PEOPLES: dict[str, str] | None = None


def topic_words(index) -> frozenset[str]:
    """The library's topic names: its generic words, with the words for the
    peoples of any country among them ("india" brings "indian")."""
    def make():
        generic = generic_words(index)
        return frozenset(generic | {w for w, country in peoples().items() if country in generic})
    return _cached(index, "topic", make)
