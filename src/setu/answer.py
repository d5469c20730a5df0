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
from . import gate
from .about import answer_about_library
from .chunk import CITED_META
from .index import Index
from .lexicon import describe, expand, topic_words
from .questions import question_numbers
from .retrieve import retrieve
from .text import content_words, squash
from .types import Answer, Citation, Hit

NOT_FOUND = "I could not find this in the sources."

# Tuned on tests/data/qa.jsonl (see docs/tuning.md); `setu eval` re-measures them.
PASSAGES_CONSIDERED = 6
WEIGHT_LEXICAL = 0.7
WEIGHT_PASSAGE = 0.25
MAX_SENTENCES = 3
GATE_CONSIDERED = 20  # candidates the gate looks at, best-scored first
KIND_MARGIN = 0.35  # how far below the best a sentence may score and still be the answer
OVERVIEW_SENTENCES = 4
SAME_FACT_OVERLAP = 0.6  # word overlap (Jaccard) above which two sentences say the same thing
OVERVIEW = re.compile(r"^\W*(summari[sz]e|give (me )?an? (overview|summary|introduction)|(an? )?(overview|summary) of|"
                      r"tell me about|describe|what do (the sources|you) (say|know) about)\b", re.I)
# A sentence that opens by leaning on the one before it.
LEANS_BACK = re.compile(r"^\W*(moreover|furthermore|however|also|additionally|besides|thus|hence|therefore|as such|"
                        r"this|these|that|those|such|it|its|they|their|he|she|his|her|in addition|in turn|"
                        r"historically|similarly|likewise|meanwhile|still|yet|then|other|another)\b", re.I)
WEIGHT_CONTEXT = 0.3  # share of the previous sentence's cosine lent to a sentence that refers back to it
KEEP_WITHIN = 0.2  # further sentences must score within this of the best
KEEP_COVERAGE = 0.3  # … and hold nearly as much of the question's distinctive words
COVERAGE = gate.FEATURES.index("coverage")
ABSTAIN_BELOW = 0.6  # combined score of the best sentence: below it, nothing in the library is close


def ask(question: str, index: Index, embedder, history: tuple[str, ...] = ()) -> Answer:
    """Answer one question from the index (the embedder must match the index's
    model). ``history`` holds the user's earlier questions, oldest first."""
    t0 = time.perf_counter()
    about = answer_about_library(question, index)  # "Who wrote …?", "What sources are there?"
    if about is not None:
        return replace(about, generation=index.generation)
    query = expand(contextualize(question, history), index)
    qv = embedder.encode([query])[0]
    t1 = time.perf_counter()
    # A question naming a number (a year, an amount) looks further down the list for it.
    hits = retrieve(index, qv, query, k=16 if question_numbers(question) else 8)
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
    if not candidates or candidates[0]["score"] < ABSTAIN_BELOW:
        return Answer(question, NOT_FOUND, True, note=nothing_close(index))
    unknown = unknown_names(question, index)
    if unknown:
        names = " or ".join(unknown)
        return Answer(question, f"{NOT_FOUND} They never mention {names}.", True,
                      note=f"the sources never mention {names}", closest=(_citation(1, candidates[0]),))
    numbers = question_numbers(question)
    if numbers and not any(all(n in c["text"] for n in numbers) for c in candidates):
        return Answer(question, f"{NOT_FOUND} They say nothing about this for {' and '.join(numbers)}.", True,
                      note=f"no retrieved sentence mentions {' and '.join(numbers)}",
                      closest=(_citation(1, candidates[0]),))
    if OVERVIEW.search(question):
        return _overview(question, candidates, index)
    q = gate.prepare(question, index)
    judged = []
    for c in candidates[:GATE_CONSIDERED]:
        if c["score"] < candidates[0]["score"] - KIND_MARGIN:
            break
        x = gate.signals(q, c["text"], _context(c, index), c["cosine"], c["hit"].dense, index)
        judged.append({**c, "p": gate.answers(q, x), "x": x, "fits": gate.gives_kind(q, c["text"], index)})
    passing = [c for c in judged if c["fits"] and c["p"] >= gate.model().threshold]
    if not passing:
        closest = judged[0]
        why = gate.missing(q, closest["x"], closest["text"], _context(closest, index), index)
        return Answer(question, f"{NOT_FOUND} {why}", True, note=why, closest=(_citation(1, closest),))
    best, judged = passing[0], passing
    chosen = [best]
    rival = _disagreeing(best, judged)
    if rival is not None:
        chosen.append(rival)  # another source gives another figure for the same fact: both are shown
    for c in judged[1:]:
        if len(chosen) == MAX_SENTENCES:
            break
        if c["score"] < best["score"] - KEEP_WITHIN or not adds_fact(c, chosen):
            continue
        if c["x"][COVERAGE] < best["x"][COVERAGE] - KEEP_COVERAGE:  # about less of what was asked
            continue
        chosen.append(c)
    return _quoted(question, chosen, index)


def _disagreeing(best: dict, judged: list[dict]) -> dict | None:
    """A sentence of another source about the same fact as ``best`` (most of
    its words) that gives a different figure or date."""
    facts = set(_FIGURE.findall(best["text"]))
    words = set(content_words(_FIGURE.sub(" ", best["text"])))
    if not facts or not words:
        return None
    for c in judged:
        if c["hit"].passage.source == best["hit"].passage.source:
            continue
        theirs = set(_FIGURE.findall(c["text"]))
        other = set(content_words(_FIGURE.sub(" ", c["text"])))
        same_fact = len(words & other) / len(words | other) >= SAME_FACT_DIFFERENT_FIGURE
        if same_fact and theirs and not (theirs & facts):
            return c
    return None


_FIGURE = re.compile(r"\d[\d,.]*\d|\d")
SAME_FACT_DIFFERENT_FIGURE = 0.5  # word overlap (Jaccard, figures aside) of two sentences about one fact


def _quoted(question: str, chosen: list[dict], index: Index) -> Answer:
    """Number and quote the chosen sentences: grouped by source (the best
    source first), in their order within it, each sentence that leans on
    the one before it preceded by that sentence."""
    with_context = []
    for c in chosen:
        before = _before(c, index)
        if before is not None and not any(_same_sentence(before, o) for o in chosen + with_context):
            with_context.append(before)
        with_context.append(c)
    order = {s: i for i, s in enumerate(dict.fromkeys(c["hit"].passage.source for c in chosen))}
    with_context.sort(key=lambda c: (order[c["hit"].passage.source], c["span"][0]))
    citations = tuple(checked(_citation(n, c), c["hit"], index) for n, c in enumerate(with_context, start=1))
    text = " ".join(f"{squash(c.quote)} [{c.n}]" for c in citations)
    rival = _disagreeing(chosen[0], chosen[1:]) if len(chosen) > 1 else None
    pairs = ()
    if rival is not None:
        n_of = {(c.passage.source, c.quote_start): c.n for c in citations}
        a = n_of[(chosen[0]["hit"].passage.source, chosen[0]["span"][0])]
        b = n_of[(rival["hit"].passage.source, rival["span"][0])]
        pairs = ((min(a, b), max(a, b)),)
        text += f" The sources differ here: [{pairs[0][0]}] and [{pairs[0][1]}] give different figures."
    return Answer(question, text, False, citations, disagreements=pairs)


def _overview(question: str, candidates: list[dict], index: Index) -> Answer:
    """A few sentences that cover different aspects, each from a different
    passage, none of which leans on a sentence left out."""
    chosen, passages = [], set()
    for c in candidates:
        if len(chosen) == OVERVIEW_SENTENCES:
            break
        if c["hit"].passage.id in passages or LEANS_BACK.match(c["text"]) or not adds_fact(c, chosen, strict=False):
            continue
        chosen.append(c)
        passages.add(c["hit"].passage.id)
    return _quoted(question, chosen, index)


def nothing_close(index: Index) -> str:
    """A decline that says what the library holds and how to add to it."""
    return (f"Nothing in the sources is close to this question. The library holds {describe(index)}: "
            "see the Library tab for the list, and add a source there or with `setu add URL`.")


def adds_fact(c: dict, chosen: list[dict], strict: bool = True) -> bool:
    """Whether a sentence says something the chosen ones do not: not the same
    sentence, not nearly the same words, and (``strict``) a name or figure
    of its own."""
    words = set(content_words(c["text"]))
    for o in chosen:
        if _same_sentence(c, o):
            return False
        other = set(content_words(o["text"]))
        if words and len(words & other) / len(words | other) > SAME_FACT_OVERLAP:
            return False
    if not strict or not chosen:
        return True
    facts = set(_FACT.findall(c["text"])) - set().union(*(_FACT.findall(o["text"]) for o in chosen))
    return bool(facts)


_FACT = re.compile(r"\b[A-Z][\w-]+|\d[\d,.]*")


def _before(c: dict, index: Index) -> dict | None:
    """The sentence a candidate leans on ("Moreover, …", "This …"), if any:
    the one before it in its passage, or the last one of the passage before."""
    if not LEANS_BACK.match(c["text"]):
        return None
    hit, span = c["hit"], c["span"]
    j = hit.passage.sentences.index(span)
    if j:
        return {**c, "span": hit.passage.sentences[j - 1], "text": hit.passage.sentence_text(j - 1)}
    if hit.row == 0 or index.passages[hit.row - 1].source != hit.passage.source:
        return None
    prev = index.passages[hit.row - 1]
    k = max((i for i, (a, b) in enumerate(prev.sentences) if b <= span[0]), default=None)
    if k is None:
        return None
    return {**c, "hit": replace(hit, passage=prev, row=hit.row - 1), "span": prev.sentences[k], "text": prev.sentence_text(k)}


def _context(c: dict, index: Index) -> str:
    before = _before(c, index)
    return before["text"] if before else ""


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
                      topic=topic_words(index),
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
    numbers = question_numbers(question)
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
        "disagreements": [list(pair) for pair in answer.disagreements],
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
            **{key: c.passage.about(key) for key in CITED_META},
        }
        for c in citations
    ]
