"""A question set to quality figures: how often Setu answers, cites and
abstains as it should. Used by `setu eval`, the tests and the benchmarks."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from .answer import ask
from .errors import InputError
from .index import Index
from .types import Answer

_MARKER = re.compile(r"\[(\d+)\]")
SAME_FACT = 0.5  # share of a supporting sentence's words another sentence must hold to state the same fact


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    kind: str  # "answerable", "off_topic" or "unanswerable"
    expected: tuple[str, ...] = ()  # any one of these in the answer makes it right
    support: tuple[str, ...] = ()  # sentences that hold the answer (any one will do)
    history: tuple[str, ...] = ()
    split: str = ""  # "tune" or "heldout" for sets that are split

    def holds_answer(self, text: str) -> bool:
        """Whether a passage's text holds a sentence that answers the item: a
        supporting sentence, or another sentence that gives an expected
        fragment and shares most of a supporting sentence's words (the same
        fact, stated again in another source)."""
        if any(s in text for s in self.support):
            return True
        if not self.support:
            return any(e in text for e in self.expected)
        from .text import content_words, sentence_spans

        wanted = [set(content_words(s)) for s in self.support]
        for a, b in sentence_spans(text):
            sentence = text[a:b]
            if any(e in sentence for e in self.expected):
                words = set(content_words(sentence))
                if any(w and len(w & words) >= SAME_FACT * len(w) for w in wanted):
                    return True
        return False


def _strings(value) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value if v)


def read_items(path: Path, split: str | None = None) -> list[Item]:
    """The question records of a JSON Lines file; with ``split``, only those
    of that part ("tune" or "heldout")."""
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            kind = "off_topic" if d.get("off_topic") else "unanswerable" if d.get("unanswerable") else "answerable"
            items.append(Item(d.get("id", str(n)), d["question"], kind, _strings(d.get("expected")),
                              _strings(d.get("support")), tuple(d.get("history", ())), d.get("split", "")))
        except (ValueError, KeyError, TypeError) as e:
            raise InputError(f"{path}:{n}: not a question record ({e})") from None
    if split:
        items = [i for i in items if i.split == split]
        if not items:
            raise InputError(f"{path}: no questions in the {split!r} part")
    return items


def judge(item: Item, answer: Answer) -> dict:
    """One row of the report: did this answer do what the item expects?"""
    row = {"id": item.id, "kind": item.kind, "question": item.question, "answer": answer.text,
           "abstained": answer.abstained}
    if item.kind == "answerable":
        row["correct"] = not answer.abstained and any(e in answer.text for e in item.expected)
        row["cited_support"] = any(item.holds_answer(c.passage.text) for c in answer.citations)
    else:
        row["correct"] = answer.abstained
    return row


def alce(answer: Answer, embedder, index: Index) -> tuple[list[bool], list[bool]]:
    """ALCE-style citation quality, judged by the support check.

    Recall: each cited statement is supported by its citations together.
    Precision: each citation supports its statement alone, or is needed
    (without it the others no longer do)."""
    from .check import split_claims, verdict_for

    by_n = {c.n: c.passage.text for c in answer.citations}
    recall, precision = [], []
    if answer.abstained:
        return recall, precision
    for statement in split_claims(answer.text):
        cited = [n for n in dict.fromkeys(int(m) for m in _MARKER.findall(statement)) if n in by_n]
        if not cited:
            continue
        together = verdict_for(statement, [by_n[n] for n in cited], embedder, index).supported
        recall.append(together)
        for n in cited:
            alone = verdict_for(statement, [by_n[n]], embedder, index).supported
            others = [by_n[m] for m in cited if m != n]
            needed = together and bool(others) and not verdict_for(statement, others, embedder, index).supported
            precision.append(alone or needed)
    return recall, precision


def retrieval_rank(item: Item, index: Index, embedder, k: int = 10) -> int | None:
    """1-based rank of the first passage holding the supporting sentence."""
    from .answer import contextualize
    from .retrieve import retrieve

    query = contextualize(item.question, item.history)
    hits = retrieve(index, embedder.encode([query])[0], query, k=k)
    return next((r for r, h in enumerate(hits, start=1) if item.holds_answer(h.passage.text)), None)


def summarise(rows: list[dict]) -> dict:
    on = [r for r in rows if r["kind"] == "answerable"]
    off = [r for r in rows if r["kind"] == "off_topic"]
    un = [r for r in rows if r["kind"] == "unanswerable"]

    def share(rs, key):
        return round(sum(bool(r[key]) for r in rs) / len(rs), 4) if rs else None

    unasked = off + un
    return {
        "answerable": len(on),
        "answered_right": sum(1 for r in on if r["correct"]),
        "answered_wrong": sum(1 for r in on if not r["abstained"] and not r["correct"]),
        "declined_wrongly": sum(1 for r in on if r["abstained"]),
        "not_answerable": len(unasked),
        "declined_rightly": sum(1 for r in unasked if r["abstained"]),
        "answered_unanswerable": sum(1 for r in unasked if not r["abstained"]),
        "answer_accuracy": share(on, "correct"),
        "citation_hit_rate": share(on, "cited_support"),
        "abstained_on_answerable": share(on, "abstained"),
        "off_topic": len(off),
        "off_topic_abstained": share(off, "correct"),
        "unanswerable": len(un),
        "unanswerable_abstained": share(un, "correct"),
        "wrong_on_unanswerable": round(1 - share(un, "correct"), 4) if un else None,
    }


def confusion_table(summary: dict) -> str:
    """Answered right / wrong and declined rightly / wrongly, for answerable
    and unanswerable questions alike, as a Markdown table."""
    rows = [
        ("answerable", summary["answerable"], summary["answered_right"], summary["answered_wrong"],
         summary["declined_wrongly"], 0),
        ("not answerable", summary["not_answerable"], 0, summary["answered_unanswerable"], 0,
         summary["declined_rightly"]),
    ]
    lines = ["| questions | n | answered right | answered wrong | declined wrongly | declined rightly |",
             "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def run(items: list[Item], index: Index, embedder, use_history: bool = True,
        full: bool = False) -> tuple[dict, list[dict]]:
    """Answer every item and score the answers. ``full`` adds retrieval
    ranks and ALCE citation recall and precision (what `setu eval` reports)."""
    rows, latencies, recall, precision = [], [], [], []
    embedder.encode(["warm up"])  # load the model before timing anything
    for item in items:
        t0 = time.perf_counter()
        answer = ask(item.question, index, embedder, history=item.history if use_history else ())
        latencies.append(1000 * (time.perf_counter() - t0))
        row = judge(item, answer)
        row["latency_ms"] = round(latencies[-1], 2)
        if full and item.kind == "answerable":
            row["rank"] = retrieval_rank(item, index, embedder)
            r, p = alce(answer, embedder, index)
            recall += r
            precision += p
        rows.append(row)
    summary = summarise(rows)
    latencies.sort()
    summary["ask_p50_ms"] = round(latencies[len(latencies) // 2], 2) if latencies else None
    summary["ask_p95_ms"] = round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 2) if latencies else None
    if full:
        ranks = [r.get("rank") for r in rows if r["kind"] == "answerable"]
        for k in (1, 5, 10):
            summary[f"recall@{k}"] = round(sum(1 for r in ranks if r and r <= k) / len(ranks), 4) if ranks else None
        summary["mrr@10"] = round(sum(1 / r for r in ranks if r) / len(ranks), 4) if ranks else None
        summary["citation_recall"] = round(sum(recall) / len(recall), 4) if recall else None
        summary["citation_precision"] = round(sum(precision) / len(precision), 4) if precision else None
        abstain_rows = [r for r in rows if r["kind"] != "answerable"]
        summary["abstention_accuracy"] = round(sum(r["correct"] for r in abstain_rows) / len(abstain_rows), 4) if abstain_rows else None
    return summary, rows


def write_report(summary: dict, rows: list[dict], out: Path, source: str) -> tuple[Path, Path]:
    """report.md and chart.png in ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    quality = [k for k in ("recall@1", "recall@5", "recall@10", "mrr@10", "answer_accuracy", "citation_hit_rate",
                           "citation_recall", "citation_precision", "off_topic_abstained", "unanswerable_abstained")
               if summary.get(k) is not None]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    left.barh(quality[::-1], [summary[k] for k in quality[::-1]], color="#2563eb")
    left.set_xlim(0, 1.05)
    left.set_title("Quality")
    for y, k in enumerate(quality[::-1]):
        left.text(min(summary[k], 1.0) + 0.01, y, f"{summary[k]:.3f}", va="center", fontsize=8)
    right.hist([r["latency_ms"] for r in rows], bins=20, color="#f59e0b")
    right.set_title(f"Answer latency (p50 {summary['ask_p50_ms']} ms)")
    right.set_xlabel("ms")
    fig.tight_layout()
    chart = out / "chart.png"
    fig.savefig(chart, dpi=110)
    plt.close(fig)

    lines = [f"# Setu evaluation: `{source}`", "", confusion_table(summary), "", "| measure | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in summary.items()]
    lines += ["", "![chart](chart.png)", "", "## Misses", ""]
    misses = [r for r in rows if not r["correct"] or (r["kind"] == "answerable" and not r.get("cited_support"))]
    lines += [f"- **{r['id']}** ({r['kind']}) {r['question']} → {r['answer'][:160]}" for r in misses] or ["None."]
    report = out / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report, chart
