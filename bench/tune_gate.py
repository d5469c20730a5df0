"""Fit the answer gate (src/setu/gate.json) on the TUNING questions only.

Training rows are the candidate sentences Setu considers for each question:
  - tests/data/broad.jsonl, its "tune" part, over the full library (sources/);
  - tests/data/qa.jsonl, over the seed article alone (a second, smaller library).
A sentence is a positive when it is (or holds) the question's supporting
sentence; every candidate of an unanswerable question is a negative.
The held-out part of broad.jsonl is never read here.

    .venv/bin/python bench/tune_gate.py            # fit, print the threshold table, write gate.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from setu import evaluate, gate  # noqa: E402
from setu.answer import ABSTAIN_BELOW, GATE_CONSIDERED, KIND_MARGIN, _context, contextualize, is_prose, score_sentences  # noqa: E402
from setu.embed import embedder_for  # noqa: E402
from setu.index import open_index  # noqa: E402
from setu.lexicon import expand  # noqa: E402
from setu.retrieve import retrieve  # noqa: E402
from setu.text import squash  # noqa: E402

WORK = ROOT / "bench" / "results" / "gate"


def build(name: str, sources: Path) -> Path:
    index = WORK / name
    env = {**os.environ, "SETU_SOURCES": str(sources), "SETU_INDEX": str(index)}
    subprocess.run([str(ROOT / ".venv" / "bin" / "setu"), "index", "--quiet"], env=env, check=True)
    return index


def rows_for(items, index, embedder):
    """(question id, features, label, answerable) for each candidate."""
    out = []
    for item in items:
        before = len(out)
        query = expand(contextualize(item.question, item.history), index)
        qv = embedder.encode([query])[0]
        hits = retrieve(index, qv, query, k=8)
        cands = [c for c in score_sentences(query, qv, hits, index)
                 if is_prose(c["text"]) and squash(c["text"]) != squash(c["hit"].passage.title)]
        q = gate.prepare(item.question, index)
        close = bool(cands) and cands[0]["score"] >= ABSTAIN_BELOW
        for c in cands[:GATE_CONSIDERED]:
            if c["score"] < cands[0]["score"] - KIND_MARGIN or not gate.gives_kind(q, c["text"], index):
                continue
            x = gate.signals(q, c["text"], _context(c, index), c["cosine"], c["hit"].dense, index)
            label = item.kind == "answerable" and any(s in c["text"] or squash(c["text"]) in s for s in item.support)
            out.append((item.id, x, int(label), item.kind == "answerable", close))
        if len(out) == before:  # nothing passes the rules: the question is declined whatever the fit
            out.append((item.id, None, 0, item.kind == "answerable", False))
    return out


def decide(rows, w, b, t):
    """Question-level outcome of the gate at threshold t."""
    by_q: dict[str, list] = {}
    for qid, x, label, answerable, close in rows:
        p = 0.0 if x is None else 1 / (1 + np.exp(-(x @ w + b)))
        by_q.setdefault(qid, []).append((p, label, answerable, close))
    right = wrong = declined_wrongly = unans = unans_answered = n_ans = 0
    for cands in by_q.values():
        # The first candidate (in score order) that passes is the answer.
        p, label, answerable, close = next((c for c in cands if c[0] >= t), (0.0, 0, cands[0][2], cands[0][3]))
        answered = close and p >= t
        if answerable:
            n_ans += 1
            right += answered and label
            wrong += answered and not label
            declined_wrongly += not answered
        else:
            unans += 1
            unans_answered += answered
    return {"accuracy": right / max(n_ans, 1), "wrong": wrong, "false_abstention": declined_wrongly / max(n_ans, 1),
            "wrong_on_unanswerable": unans_answered / max(unans, 1)}


def main() -> None:
    from sklearn.linear_model import LogisticRegression

    WORK.mkdir(parents=True, exist_ok=True)
    seed_dir = WORK / "seed-sources"
    seed_dir.mkdir(exist_ok=True)
    (seed_dir / "seed.md").write_text((ROOT / "sources" / "india-japan-proactive-partnership.md").read_text())
    full = open_index(build("full", ROOT / "sources"))
    seed = open_index(build("seed", seed_dir))
    embedder = embedder_for(full.model)
    rows = rows_for(evaluate.read_items(ROOT / "tests" / "data" / "broad.jsonl", "tune"), full, embedder)
    rows += rows_for(evaluate.read_items(ROOT / "tests" / "data" / "qa.jsonl"), seed, embedder)
    X = np.array([r[1] for r in rows if r[1] is not None])
    y = np.array([r[2] for r in rows if r[1] is not None])
    fit = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(X, y)
    w, b = fit.coef_[0], float(fit.intercept_[0])
    print(f"{len(rows)} candidates, {int(y.sum())} positives; weights", dict(zip(gate.FEATURES, np.round(w, 3))), "bias", round(b, 3))
    # The threshold is chosen end to end: the whole answer pipeline runs on the
    # tuning questions at each threshold, and the measured outcomes decide.
    broad_tune = evaluate.read_items(ROOT / "tests" / "data" / "broad.jsonl", "tune")
    qa = evaluate.read_items(ROOT / "tests" / "data" / "qa.jsonl")
    best = None
    print("threshold  broad_acc  broad_wrong_unans  qa_acc  qa_unans_declined")
    for t in np.arange(0.10, 0.61, 0.05):
        write(w, b, float(round(t, 3)), len(rows))
        sb, _ = evaluate.run(broad_tune, full, embedder)
        sq, _ = evaluate.run(qa, seed, embedder)
        value = (sb["answer_accuracy"] + sq["answer_accuracy"] - sb["wrong_on_unanswerable"]
                 - (1 - sq["unanswerable_abstained"]) - (1 - sq["off_topic_abstained"]))
        print(f"{t:9.2f}  {sb['answer_accuracy']:9.3f}  {sb['wrong_on_unanswerable']:17.3f}  {sq['answer_accuracy']:6.3f}"
              f"  {sq['unanswerable_abstained']:6.3f}")
        if best is None or value > best[0] + 1e-9:
            best = (value, float(round(t, 3)))
    write(w, b, best[1], len(rows))
    print("threshold", best[1], "->", gate.MODEL_FILE)


def write(w, b, threshold: float, n: int) -> None:
    model = {"features": list(gate.FEATURES), "weights": [round(float(v), 5) for v in w], "bias": round(b, 5),
             "threshold": threshold,
             "fitted_on": "tests/data/broad.jsonl (tune part, full library) + tests/data/qa.jsonl (seed library)",
             "rows": n}
    gate.MODEL_FILE.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    gate.model.cache_clear()


if __name__ == "__main__":
    main()
