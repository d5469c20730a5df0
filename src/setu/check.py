"""Answers to reports: every sentence of an answer, what it cites, and
whether the cited passages support it. Used by `setu check`, the web app's
Check tab, `setu eval` and the answer pipeline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import topic_words
from .cite import Verdict, support
from .errors import InputError
from .text import sentence_spans

_MARKER = re.compile(r"\[(\d+)\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d+\])+")


@dataclass(frozen=True)
class Claim:
    text: str  # the sentence, markers included
    citations: tuple[int, ...]
    verdict: str  # "supported", "unsupported" or "uncited"
    score: float
    reason: str = ""
    support_n: int | None = None  # the citation holding the best sentence
    support_sentence: str = ""
    support_start: int = 0  # offsets of that sentence in that citation's passage
    support_end: int = 0


@dataclass(frozen=True)
class Report:
    claims: tuple[Claim, ...]
    missing: tuple[int, ...] = ()  # markers that point at no citation
    stale: tuple[tuple[int, str], ...] = ()  # citations whose text is no longer in their source

    @property
    def supported_ratio(self) -> float:
        return round(sum(c.verdict == "supported" for c in self.claims) / len(self.claims), 4) if self.claims else 1.0

    @property
    def ok(self) -> bool:
        """No cited sentence is unsupported, no marker dangles, nothing is stale."""
        return not self.missing and not self.stale and all(c.verdict != "unsupported" for c in self.claims)

    def to_json(self) -> dict:
        return {
            "sentences": [
                {"text": c.text, "citations": list(c.citations), "verdict": c.verdict, "score": c.score,
                 "reason": c.reason, "support": {"n": c.support_n, "sentence": c.support_sentence,
                                                 "start": c.support_start, "end": c.support_end}}
                for c in self.claims
            ],
            "supported_ratio": self.supported_ratio,
            "missing_markers": list(self.missing),
            "stale": [{"n": n, "reason": why} for n, why in self.stale],
        }


def split_claims(answer: str) -> list[str]:
    """The answer's sentences, each keeping the [n] markers that follow it."""
    pieces = [answer[a:b] for a, b in sentence_spans(answer)]
    out: list[str] = []
    for piece in pieces:
        lead = _LEADING_MARKERS.match(piece)
        if lead and out:
            out[-1] = f"{out[-1]} {lead.group().strip()}"
            piece = piece[lead.end():].strip()
        if piece:
            out.append(piece)
    return out


def parse(answer: dict) -> tuple[str, dict[int, dict]]:
    """Validate the input shape: {"answer": str, "citations": [{"n", "passage", ...}]}."""
    if not isinstance(answer, dict) or not isinstance(answer.get("answer"), str):
        raise InputError('each input must be a JSON object with an "answer" string')
    citations = {}
    for c in answer.get("citations") or []:
        if not isinstance(c, dict) or not isinstance(c.get("n"), int) or not isinstance(c.get("passage"), str):
            raise InputError('each citation needs an integer "n" and a "passage" string')
        citations[c["n"]] = c
    return answer["answer"], citations


def check(answer: dict, embedder=None, index=None) -> Report:
    """Check every sentence of an answer against the passages it cites.

    With ``index``, vectors already in the index are reused, and citations
    that name a source are compared with that source as it is indexed now.
    """
    text, citations = parse(answer)
    claims, missing = [], []
    for sentence in split_claims(text):
        numbers = tuple(dict.fromkeys(int(n) for n in _MARKER.findall(sentence)))
        missing += [n for n in numbers if n not in citations and n not in missing]
        cited = [n for n in numbers if n in citations]
        if not numbers:
            claims.append(Claim(sentence, (), "uncited", 0.0, "no citation"))
            continue
        if not cited:
            claims.append(Claim(sentence, numbers, "unsupported", 0.0, f"cites [{numbers[0]}], which is not in the list"))
            continue
        verdict = verdict_for(sentence, [citations[n]["passage"] for n in cited], embedder, index)
        claims.append(Claim(sentence, numbers, verdict.label, verdict.score, verdict.reason, cited[verdict.passage],
                            verdict.sentence, verdict.start, verdict.end))
    stale = tuple((n, why) for n, c in sorted(citations.items()) if (why := staleness(c, index)))
    return Report(tuple(claims), tuple(missing), stale)


def verdict_for(claim: str, passages: list[str], embedder, index=None) -> Verdict:
    """``support``, with the index's vectors when it holds these passages."""
    kwargs = {}
    if index is not None:
        kwargs["topic"] = topic_words(index)
        rows = [index.row_of(p) for p in passages]
        if all(r is not None for r in rows):
            kwargs["sentence_vectors"] = [index.sentence_vector_rows(r) for r in rows]
            kwargs["spans"] = [[(a - index.passages[r].start, b - index.passages[r].start)
                                for a, b in index.passages[r].sentences] for r in rows]
        vector = index.vector_of_sentence(_MARKER.sub("", claim).strip())
        if vector is not None:
            kwargs["claim_vector"] = vector
    return support(claim, passages, embedder, **kwargs)


def staleness(citation: dict, index) -> str:
    """Why a citation's passage or quote is no longer in its source, or ''."""
    source = citation.get("source")
    if not source or index is None:
        return ""
    text = index.source_text(source)
    if text is None:
        return f"{source} is not in the index any more"
    for field in ("quote", "passage"):
        value = citation.get(field)
        if value and " ".join(value.split()) not in text:
            return f"the {field} is no longer in {source} as it is indexed now"
    return ""


def read_inputs_text(raw: str, path: str = "input") -> list[dict]:
    import json

    raw = (raw or "").strip()
    if not raw:
        raise InputError(f"{path}: no input")
    try:
        data = json.loads(raw)
        return data if isinstance(data, list) else [data]
    except ValueError:
        pass
    out = []
    for n, line in enumerate(raw.splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError as e:
                raise InputError(f"{path}:{n}: not JSON ({e.msg})") from None
    return out
