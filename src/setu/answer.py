"""Passages to an answer: the few source sentences that answer the question,
quoted verbatim and numbered, or an honest "not in the sources".

The built-in answerer is extractive: with no reliable local language model,
quoting the sources' own sentences is the only way to say nothing they do
not say. Each candidate sentence of the retrieved passages is scored by
meaning (cosine with the question), by words (the share of the question's
weighted words it contains) and by its passage's similarity.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import replace

import numpy as np

from .cite import is_instruction, support
from .index import Index
from .lexicon import expand, generic_words
from .retrieve import retrieve
from .text import content_words, squash
from .types import Answer, Citation, Hit

NOT_FOUND = "I could not find this in the sources."

# Tuned on tests/data/qa.jsonl (see docs/tuning.md); `setu eval` re-measures them.
PASSAGES_CONSIDERED = 6
WEIGHT_LEXICAL = 0.7
WEIGHT_PASSAGE = 0.25
MAX_SENTENCES = 3
WEIGHT_CONTEXT = 0.3  # share of the previous sentence's cosine lent to a sentence that refers back to it
KEEP_WITHIN = 0.2  # further sentences must score within this of the best
TYPE_MARGIN = 0.25  # how far below the best a sentence of the asked-for kind may score
NUMBER_BONUS = 0.15  # a sentence holding the question's own number may score this much lower
ABSTAIN_BELOW = 0.6  # combined score of the best sentence


def ask(question: str, index: Index, embedder, history: tuple[str, ...] = ()) -> Answer:
    """Answer one question from the index (the embedder must match the index's
    model). ``history`` holds the user's earlier questions, oldest first."""
    t0 = time.perf_counter()
    query = expand(contextualize(question, history), index)
    qv = embedder.encode([query])[0]
    t1 = time.perf_counter()
    # A question naming a number (a year, an amount) looks further down the list for it.
    hits = retrieve(index, qv, query, k=16 if _numbers(question) else 8)
    t2 = time.perf_counter()
    answer = compose(question, qv, hits, index, query=query)
    t3 = time.perf_counter()
    timings = {"encode_ms": 1000 * (t1 - t0), "retrieve_ms": 1000 * (t2 - t1), "answer_ms": 1000 * (t3 - t2)}
    return replace(answer, timings=timings, generation=index.generation)


def compose(question: str, qv: np.ndarray, hits: list[Hit], index: Index, query: str | None = None) -> Answer:
    """Choose, quote and number the sentences that answer the question.
    ``query`` is the question as searched (with context from a follow-up)."""
    candidates = [c for c in score_sentences(query or question, qv, hits, index)
                  if is_prose(c["text"]) and squash(c["text"]) != squash(c["hit"].passage.title)]
    numbers = _numbers(question)
    if numbers and candidates:
        # A question about 2018 is answered from sentences about 2018, or not at all.
        with_numbers = [c for c in candidates if all(n in c["text"] for n in numbers)
                        and c["score"] >= ABSTAIN_BELOW - NUMBER_BONUS]
        if not with_numbers and candidates[0]["score"] >= ABSTAIN_BELOW:
            return Answer(question, f"{NOT_FOUND} They say nothing about this for {' and '.join(numbers)}.", True,
                          note=f"no retrieved sentence mentions {' and '.join(numbers)}",
                          closest=(_citation(1, candidates[0]),))
        candidates = with_numbers or candidates
    if not candidates or candidates[0]["score"] < ABSTAIN_BELOW - (NUMBER_BONUS if numbers else 0):
        return Answer(question, NOT_FOUND, True, note="Nothing in the sources is close to this question.")
    best = candidates[0]
    closest = (_citation(1, best),)
    unknown = unknown_names(question, index)
    if unknown:
        names = " or ".join(unknown)
        return Answer(question, f"{NOT_FOUND} They never mention {names}.", True,
                      note=f"the sources never mention {names}", closest=closest)
    need = needed_kind(question)
    generic = generic_words(index)
    if need:
        fitting = [c for c in candidates if c["score"] >= best["score"] - TYPE_MARGIN and fits(c["text"], need, question, generic)]
        if not fitting:
            what = _KIND_WORDS[need]
            return Answer(question, f"{NOT_FOUND} The closest passages do not give {what} for this.", True,
                          note=f"no retrieved sentence gives {what}", closest=closest)
        candidates = fitting + [c for c in candidates if c not in fitting]
        best = candidates[0]
    chosen = [best]
    for c in candidates[1:]:
        if len(chosen) == MAX_SENTENCES or c["score"] < best["score"] - KEEP_WITHIN:
            break
        if any(_same_sentence(c, o) for o in chosen) or (need and not fits(c["text"], need, question, generic)):
            continue
        chosen.append(c)
    citations = tuple(checked(_citation(n, c), c["hit"], index) for n, c in enumerate(chosen, start=1))
    text = " ".join(f"{squash(c.quote)} [{c.n}]" for c in citations)
    return Answer(question, text, False, citations)


def _citation(n: int, c: dict) -> Citation:
    hit: Hit = c["hit"]
    a, b = c["span"]
    return Citation(n, hit.passage, c["text"], a, b, round(c["score"], 4))


def checked(citation: Citation, hit: Hit, index: Index) -> Citation:
    """The citation with the support check's verdict, computed from vectors
    already in the index (no model call)."""
    p = hit.passage
    vectors = index.sentence_vector_rows(hit.row)
    j = p.sentences.index((citation.quote_start, citation.quote_end))
    verdict = support(squash(citation.quote), [p.text], claim_vector=vectors[j], sentence_vectors=[vectors],
                      spans=[[(a - p.start, b - p.start) for a, b in p.sentences]])
    return replace(citation, verdict=verdict.label, support=verdict.score, reason=verdict.reason)


# --- follow-up questions ------------------------------------------------------

_FOLLOW_UP = re.compile(
    r"^\W*(and|but|also|so|then|what about|how about|what else|why|how come)\b"
    r"|\b(it|its|that|this|those|these|they|them|their|he|his|she|her|him|there|then|the same)\b",
    re.I,
)


def contextualize(question: str, history: tuple[str, ...]) -> str:
    """The text to search for. A follow-up that leans on the previous question
    ("And what about trade?", "When did that happen?") is searched together
    with that question; a self-contained one is searched alone."""
    if not history:
        return question
    if _FOLLOW_UP.search(question) or len(content_words(question)) <= 2:
        return f"{history[-1]} {question}"
    return question


# --- what kind of answer a question wants -------------------------------------

_KIND_WORDS = {"number": "a figure", "year": "a date", "person": "a name"}
_NUMBER_Q = re.compile(r"\b(how (many|much|large|big|high|long)|what (percentage|share|proportion|amount|number|figure|sum|value)|how many)\b", re.I)
_YEAR_Q = re.compile(r"^\W*(and |so |but )?when\b|\b(what|which) (year|date|decade|century)\b|\bsince when\b", re.I)
_PERSON_Q = re.compile(r"^\s*(who|whom|whose)\b|\b(which|what) (person|leader|prime minister|minister|author|official|ambassador)\b", re.I)
_NUMBER = re.compile(r"\d|\b(hundreds?|thousands?|millions?|billions?|trillions?|dozens?|percent|lakhs?|crores?)\b", re.I)
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(January|February|March|April|May|June|July|August|September|October|November|December|century|decade|era|period|since|ancient|after|before|during)\b", re.I)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zÀ-ɏ]+")


def needed_kind(question: str) -> str | None:
    """'number', 'year' or 'person' when the question asks for one, else None."""
    if _NUMBER_Q.search(question):
        return "number"
    if _YEAR_Q.search(question):
        return "year"
    if _PERSON_Q.search(question):
        return "person"
    return None


def fits(sentence: str, kind: str, question: str, generic: frozenset[str] = frozenset()) -> bool:
    """Whether a sentence holds the kind of thing asked for: a figure that is
    not just a year, a date, or a name in the role the question asks about."""
    if any(n not in sentence for n in _numbers(question)):
        return False
    if kind == "number":
        counted = _counted(question) - generic
        words = set(content_words(sentence))
        return _has_figure(sentence) and (not counted or bool(counted & words) or _near_any(counted, words))
    if kind == "year":
        return bool(_YEAR.search(sentence))
    return _names_someone(sentence, question)


def _numbers(question: str) -> list[str]:
    return re.findall(r"\b\d[\d,.]*\d\b|\b\d\b", question)


def _has_figure(sentence: str) -> bool:
    """A count, amount or share: years ("in 1958") do not answer "how many"."""
    for m in re.finditer(r"[$₹¥€£]?\d[\d,.]*%?", sentence):
        token = m.group()
        if not re.fullmatch(r"(1[0-9]{3}|20[0-9]{2})", token.rstrip(".,")) or token[0] in "$₹¥€£":
            return True
    return bool(re.search(r"\b(hundreds?|thousands?|millions?|billions?|trillions?|dozens?|percent|lakhs?|crores?)\b",
                          sentence, re.I))


_ROLES = ("prime minister", "pm", "president", "ambassador", "minister", "founder", "chairman", "ceo", "leader",
          "emperor", "king", "queen", "head")


def _owner(word: str) -> str:
    """'Japan's', 'Japanese' and 'Japan' -> 'japan': a possessive or adjective
    before a role, folded to a stem that the country and its adjective share."""
    w = word.lower().replace("’", "'").removesuffix("'s")
    return w[:5] if len(w) >= 4 and w[:1].isalpha() else ""


def _names_someone(sentence: str, question: str) -> bool:
    """For "who" questions. With a role ("Japan's prime minister"), the
    sentence must name a person in that role, of that country; otherwise
    it must name someone new doing what the question asks ("Who founded …?"
    needs a sentence about founding)."""
    q = question.lower()
    role = next((r for r in _ROLES if re.search(rf"\b{r}\b", q)), None)
    if role:
        asked = re.search(rf"\b([A-Z][\w’']+)\s+{role}\b", question, re.I)
        owner = _owner(asked.group(1)) if asked and asked.group(1)[0].isupper() else ""
        pattern = rf"(?:([\w’']+)\s+)?(?:the\s+(?:then\s+)?)?\b{role}\b\s+([A-Z][\w-]+)"
        for m in re.finditer(pattern, sentence, re.I):
            if not m.group(2)[0].isupper():
                continue
            before = m.group(1) or ""
            said = _owner(before) if before[:1].isupper() else ""
            if not owner or not said or said == owner:
                return True
        return False
    asked = set(content_words(question))
    verbs = [w for w in content_words(re.sub(r"^\W*(who|whom|whose)\b", "", question, flags=re.I))[:1]]
    new_name = any(content_words(w) and content_words(w)[0] not in asked for w in _NAME.findall(sentence))
    return new_name and (not verbs or _near_any(set(verbs), set(content_words(sentence))))


def _near_any(wanted: set[str], present: set[str]) -> bool:
    """Shared stems: 'funds' ~ 'funded', 'founded' !~ 'found' is fine to miss."""
    return any(w[:5] == p[:5] and len(w) >= 4 and len(p) >= 4 for w in wanted for p in present) or bool(wanted & present)


def _counted(question: str) -> set[str]:
    """What a figure question is about: "how many Indian students" -> {student};
    "how big is the Japanese economy" -> {economy}."""
    m = re.search(r"\bhow (?:many|much)\s+((?:[\w’'-]+\s+){0,2}[\w’'-]+)", question, re.I) or re.search(
        r"\bhow (?:big|large|high|long)\s+(?:is|are|was|were)\s+(?:the\s+)?((?:[\w’'-]+\s+){0,2}[\w’'-]+)", question, re.I)
    return set(content_words(m.group(1))) if m else set()


def unknown_names(question: str, index: Index) -> list[str]:
    """Capitalised words of the question (names, acronyms) that no passage contains."""
    out = []
    for m in re.finditer(r"\b[A-Z][A-Za-zÀ-ɏ]+\b", question):
        if m.start() == len(question) - len(question.lstrip()):
            continue  # the question's first word
        words = content_words(m.group())
        if words and all(w not in index.df for w in words) and m.group() not in out:
            out.append(m.group())
    return out


_TERMINAL = re.compile(r"[.!?][\"'”’)\]]*$")


def is_prose(sentence: str) -> bool:
    """A sentence that makes a statement, not a heading, caption, reference
    entry, or instruction aimed at a language model."""
    if is_instruction(sentence):
        return False
    if _TERMINAL.search(sentence.strip()):
        return True
    words = sentence.split()
    capitalised = sum(1 for w in words if w[:1].isupper())
    return len(words) >= 8 and capitalised / len(words) < 0.4


def score_sentences(question: str, qv: np.ndarray, hits: list[Hit], index: Index) -> list[dict]:
    """Every sentence of the top passages, best first, with its scores."""
    weights = _query_weights(question, index)
    total = sum(weights.values()) or 1.0
    out, seen = [], set()
    numbers = _numbers(question)
    considered = hits[:PASSAGES_CONSIDERED] + [
        h for h in hits[PASSAGES_CONSIDERED:] if numbers and all(n in h.passage.text for n in numbers)]
    for hit in considered:
        vectors = index.sentence_vector_rows(hit.row)
        cosines = vectors @ qv
        for j, span in enumerate(hit.passage.sentences):
            key = (hit.passage.source, span)
            if key in seen:
                continue
            seen.add(key)
            words = set(content_words(hit.passage.sentence_text(j)))
            lexical = sum(w for t, w in weights.items() if t in words) / total
            score = float(cosines[j]) + WEIGHT_LEXICAL * lexical + WEIGHT_PASSAGE * hit.dense
            if j and _ANAPHOR.match(hit.passage.sentence_text(j)):
                # "This could be attributed to ...": the sentence before says what "this" is.
                score += WEIGHT_CONTEXT * max(float(cosines[j - 1]), 0.0)
            out.append({"hit": hit, "span": span, "text": hit.passage.sentence_text(j), "score": score,
                        "cosine": float(cosines[j]), "lexical": lexical})
    out.sort(key=lambda c: -c["score"])
    return out


_ANAPHOR = re.compile(r"(this|that|these|those|it|its|they|their|such|thus|hence|therefore|here)\b", re.I)


def _query_weights(question: str, index: Index) -> dict[str, float]:
    """Inverse document frequency of each distinct question word."""
    n = max(len(index.passages), 1)
    return {t: math.log(1 + (n + 0.5) / (index.df.get(t, 0) + 0.5)) for t in set(content_words(question))}


def _same_sentence(a: dict, b: dict) -> bool:
    return a["hit"].passage.source == b["hit"].passage.source and a["span"] == b["span"]


_MARKER = re.compile(r"\[(\d+)\]")


def markers(text: str) -> list[int]:
    """The citation numbers used in a text, in order of appearance."""
    return [int(m) for m in _MARKER.findall(text)]


def to_json(answer: Answer) -> dict:
    """The shape `setu ask --json` prints and the web API returns."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "note": answer.note,
        "citations": _citations_json(answer.citations),
        "closest": _citations_json(answer.closest),
        "generation": answer.generation,
        "mode": answer.mode,
        "notice": answer.notice,
        "statements": [{"text": s.text, "citations": list(s.citations), "verdict": s.verdict, "score": s.score,
                        "reason": s.reason} for s in answer.statements],
    }


def _citations_json(citations) -> list[dict]:
    return [
        {
            "n": c.n,
            "source": c.passage.source,
            "title": c.passage.title,
            "page": c.passage.page_at(c.quote_start),
            "passage": c.passage.text,
            "quote": c.quote,
            "score": c.score,
            "verdict": c.verdict,
            "support": c.support,
            "passage_id": c.passage.id,
            "start": c.quote_start,
            "end": c.quote_end,
            "references": [{"label": r.label, "url": r.url}
                           for r in c.passage.references_for(c.quote_start, c.quote_end)],
        }
        for c in citations
    ]
