"""The last step of the support check: given what ``cite.signals`` measured
of a claim and its best passage sentence, is the claim supported?

A claim must first be close enough to the passage: its similarity score
(``cite.signals``: cosine with the best sentence blended with the share of
the claim's words found there) must reach ``min_score``, the calibrated
``cite.SUPPORTED_AT``. Then a logistic model over two features decides: the meaning model's log-odds that the claim contradicts the sentence
(``nli.violation``, read against the clauses of the sentence that hold
the claim: ``cite.focus``), and whether a soft check doubts it (a negation or an
order of parties that differs). Its weights and threshold live in ``verify.json``,
fitted by ``bench/tune_check.py`` on the tuning half of the generated pairs
(tests/data/pairs.jsonl) and the hand-written ones; the held-out half is
only ever measured.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from .cite import SAYS_OTHERWISE, focus

FEATURES = ("violation", "doubt")
CONTRADICTS_AT = 0.98  # p(violation) at which the reason says the passage says otherwise


@lru_cache(maxsize=1)
def model() -> dict:
    return json.loads((Path(__file__).with_name("verify.json")).read_text(encoding="utf-8"))


def violation(claim: str, s) -> float:
    """p(the claim goes against the clauses of its passage that hold it); 0.5 without the model."""
    from . import nli

    return float(nli.violation([(claim, focus(claim, s.text))])[0]) if nli.available() else 0.5


def features(claim: str, s) -> dict[str, float]:
    p = min(max(violation(claim, s), 1e-4), 1 - 1e-4)
    return {"cosine": s.cosine, "coverage": s.coverage, "passage_coverage": s.passage_coverage,
            "violation": math.log(p / (1 - p)),  # log-odds: 0.99 and 0.9 differ as much as 0.9 and 0.5
            "doubt": 1.0 if s.doubt else 0.0}


def half_of(key: str) -> str:
    """The half of the labelled pairs a pair belongs to ("tune" or "heldout"),
    fixed by a hash of the sentence it came from (or of its id)."""
    import hashlib

    return "tune" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def close_enough(s, m: dict | None = None) -> bool:
    m = m or model()
    return s.score >= m["min_score"]


def probability(values: dict[str, float], m: dict | None = None) -> float:
    m = m or model()
    z = m["intercept"] + sum(w * (values[f] - mu) / sd for f, w, mu, sd in
                             zip(m["features"], m["weights"], m["mean"], m["scale"]))
    return 1.0 / (1.0 + math.exp(-z))


def decide(claim: str, s) -> tuple[float, str]:
    """(probability of support, reason it is not supported or '')."""
    if not close_enough(s):
        return 0.0, "the passage does not say this"
    values = features(claim, s)
    p = round(probability(values), 4)
    if p >= model()["threshold"]:
        return p, ""
    if s.doubt:
        return p, s.doubt
    if values["violation"] >= math.log(CONTRADICTS_AT / (1 - CONTRADICTS_AT)) and s.coverage >= 0.5:
        return p, SAYS_OTHERWISE
    return p, "the passage does not say this"
