"""A question set to quality figures: how often Setu answers, cites and
abstains as it should. Used by `setu eval`, the tests and the benchmarks."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from .answer import ask
from .errors import InputError
from .index import Index
from .types import Answer


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    kind: str  # "answerable", "off_topic" or "unanswerable"
    expected: str = ""
    support: str = ""
    history: tuple[str, ...] = ()


def read_items(path: Path) -> list[Item]:
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            kind = "off_topic" if d.get("off_topic") else "unanswerable" if d.get("unanswerable") else "answerable"
            items.append(Item(d.get("id", str(n)), d["question"], kind, d.get("expected", ""), d.get("support", ""),
                              tuple(d.get("history", ()))))
        except (ValueError, KeyError, TypeError) as e:
            raise InputError(f"{path}:{n}: not a question record ({e})") from None
    return items


def judge(item: Item, answer: Answer) -> dict:
    """One row of the report: did this answer do what the item expects?"""
    row = {"id": item.id, "kind": item.kind, "question": item.question, "answer": answer.text,
           "abstained": answer.abstained}
    if item.kind == "answerable":
        row["correct"] = item.expected in answer.text
        row["cited_support"] = any(item.support in c.passage.text for c in answer.citations)
    else:
        row["correct"] = answer.abstained
    return row


def summarise(rows: list[dict]) -> dict:
    on = [r for r in rows if r["kind"] == "answerable"]
    off = [r for r in rows if r["kind"] == "off_topic"]
    un = [r for r in rows if r["kind"] == "unanswerable"]

    def share(rs, key):
        return round(sum(bool(r[key]) for r in rs) / len(rs), 4) if rs else None

    return {
        "answerable": len(on),
        "answer_accuracy": share(on, "correct"),
        "citation_hit_rate": share(on, "cited_support"),
        "abstained_on_answerable": share(on, "abstained"),
        "off_topic": len(off),
        "off_topic_abstained": share(off, "correct"),
        "unanswerable": len(un),
        "unanswerable_abstained": share(un, "correct"),
    }


def run(items: list[Item], index: Index, embedder, use_history: bool = True) -> tuple[dict, list[dict]]:
    rows, latencies = [], []
    for item in items:
        t0 = time.perf_counter()
        answer = ask(item.question, index, embedder, history=item.history if use_history else ())
        latencies.append(1000 * (time.perf_counter() - t0))
        rows.append(judge(item, answer))
    summary = summarise(rows)
    latencies.sort()
    summary["ask_p50_ms"] = round(latencies[len(latencies) // 2], 2) if latencies else None
    return summary, rows
