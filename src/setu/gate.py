"""Does this sentence answer the question? The decision between quoting a
sentence as the answer and declining.

A candidate sentence is described by a few signals, each derived from the
question, the sentence (with the sentence it continues) and the library:

- ``cosine``: meaning, the question's vector against the sentence's;
- ``coverage``: the share of the question's distinctive words the sentence
  holds, weighted by how rare each is in the library (generic words of the
  library, found in most passages, do not count);
- ``missing``: how rare the rarest question word is that the library uses
  elsewhere but this sentence lacks: a question about "Dharma Guardian" is
  not answered by a sentence about JIMEX (words the library never uses are
  likely the reader's paraphrase, and say nothing);
- ``names``: every name, acronym and number of the question is there;
- ``passage``: how close the sentence's passage is to the question.

A logistic model over these signals, fitted on the tuning half of the eval
sets by ``bench/tune_gate.py`` and stored as data in ``gate.json``, turns
them into a probability; the threshold beside it decides. Two things are
rules, not signals: the sentence must hold the question's own numbers, and
the kind of thing asked for (a date, a figure, a name, a definition).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .lexicon import aliases, generic_words
from .questions import FRAME_WORDS, kind_fits, needed_kind, question_numbers, same_stem
from .text import content_words

FEATURES = ("cosine", "coverage", "missing", "names", "passage")
MODEL_FILE = Path(__file__).with_name("gate.json")
# A name is a run of capitalised words ("Great Buddha", "Chennai-Bengaluru Industrial Corridor"), an acronym, or a number.
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9À-ɏ&+-]*[A-Za-z0-9](?:\s+[A-Z][A-Za-z0-9À-ɏ&+-]*[A-Za-z0-9])*\b"
                   r"|\b\d[\d,.]*\d\b|\b\d\b")


@dataclass(frozen=True)
class Model:
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, x: np.ndarray) -> float:
        z = float(np.dot(self.weights, x)) + self.bias
        return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=1)
def model() -> Model:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{MODEL_FILE}: fitted on features {data['features']}, not {FEATURES}")
    return Model(tuple(data["weights"]), data["bias"], data["threshold"])


@dataclass(frozen=True)
class Question:
    """What the gate needs to know about a question, worked out once."""

    text: str
    terms: dict[str, float]  # distinctive word -> weight (rarity in the library)
    known: frozenset[str]  # the terms the library uses somewhere
    names: tuple[str, ...]  # names, acronyms and numbers the question uses (not its first word)
    kind: str | None
    scale: float  # log of the library size: rarity is measured against it


def prepare(question: str, index) -> Question:
    generic = generic_words(index)
    n = max(len(index.passages), 1)
    terms = {t: math.log(1 + (n + 0.5) / (index.df.get(t, 0) + 0.5))
             for t in dict.fromkeys(content_words(question)) if t not in generic and t not in FRAME_WORDS}
    names = []
    first = len(question) - len(question.lstrip())
    for m in _NAME.finditer(question):
        name = m.group()
        if m.start() == first and not name.isupper() and not name[0].isdigit():
            name = name.partition(" ")[2]  # the question's first word is capitalised anyway
            if not name:
                continue
        words = content_words(name)
        if name[0].isdigit() or (words and not all(w in generic for w in words)):
            names.append(name)
    known = frozenset(t for t in terms if index.df.get(t, 0) > 0)
    return Question(question, terms, known, tuple(dict.fromkeys(names)), needed_kind(question), math.log(n + 1))


def _covered(term: str, present: set[str]) -> bool:
    return term in present or any(same_stem(term, p) for p in present)


def signals(q: Question, sentence: str, context: str, cosine: float, passage: float, index) -> np.ndarray:
    """The gate's inputs for one candidate sentence; ``context`` is the
    sentence it continues ("" when it stands alone)."""
    present = set(content_words(sentence)) | set(content_words(context))
    table = aliases(index)
    text = f"{context} {sentence}"
    total = sum(q.terms.values()) or 1.0
    covered, missing = 0.0, 0.0
    for term, weight in q.terms.items():
        if _covered(term, present) or _alias_present(term, text, table):
            covered += weight
        elif term in q.known:  # the library speaks of it elsewhere, not here
            missing = max(missing, weight)
    names = all(_name_present(name, text, present, table) for name in q.names)
    return np.array([cosine, covered / total if q.terms else 1.0, missing / q.scale, float(names), passage],
                    dtype=np.float64)


def gives_kind(q: Question, sentence: str, index) -> bool:
    """The sentence holds the question's numbers and the kind of thing asked
    for (a hard rule, not a signal: a sentence without a date never answers "when")."""
    if not numbers_ok(q, sentence):
        return False
    return q.kind is None or kind_fits(sentence, q.kind, q.text, generic_words(index), index.df)


def _alias_present(term: str, text: str, table: dict[str, str]) -> bool:
    other = table.get(term.upper())
    return bool(other) and all(w in set(content_words(text)) for w in content_words(other))


def _name_present(name: str, text: str, present: set[str], table: dict[str, str]) -> bool:
    if name[0].isdigit():
        return name in text
    if name in text:
        return True
    words = content_words(name)
    if words and all(_covered(w, present) for w in words):
        return True
    other = table.get(name) or table.get(name.lower())
    return bool(other) and other in text


def answers(q: Question, x: np.ndarray) -> float:
    """The probability that a sentence with these signals answers the question."""
    return model().probability(x)


def numbers_ok(q: Question, sentence: str) -> bool:
    return all(n in sentence for n in question_numbers(q.text))


def missing(q: Question, x: np.ndarray, sentence: str, context: str, index) -> str:
    """Why the closest sentence does not answer, in the question's own words:
    "The sources discuss the nuclear agreement but do not give a date for it"."""
    from .questions import KIND_WORDS

    present = set(content_words(sentence)) | set(content_words(context))
    table = aliases(index)
    text = f"{context} {sentence}"
    said, unsaid = [], []
    for word in re.findall(r"[\w'’&+-]+", q.text):
        terms = content_words(word)
        if not terms or terms[0] not in q.terms:
            continue
        ok = _covered(terms[0], present) or _alias_present(terms[0], text, table)
        (said if ok else unsaid).append(word)
    said, unsaid = list(dict.fromkeys(said)), list(dict.fromkeys(unsaid))
    subject = " ".join(said[:4])
    absent_names = [n for n in q.names if not _name_present(n, text, present, table)]
    if not subject:
        return "The closest passages do not answer this."
    if absent_names:
        return f"The sources discuss {subject}, but not in a sentence about {' and '.join(absent_names)}."
    if q.kind and not gives_kind(q, sentence, index):
        return f"The sources discuss {subject} but do not give {KIND_WORDS[q.kind]} for it."
    if unsaid:
        return f"The sources discuss {subject} but say nothing about {' or '.join(unsaid[:3])}."
    return f"The sources discuss {subject}, but no sentence answers this question."
