"""How the chunk size was chosen: quality on tests/data/qa.jsonl for several
passage sizes and overlaps, with the shipped answer settings.

    .venv/bin/python bench/tune.py
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from setu import evaluate
from setu.config import load_settings
from setu.embed import embedder_for
from setu.build import build
from setu.index import open_index
from setu.retrieve import retrieve

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    items = evaluate.read_items(ROOT / "tests" / "data" / "qa.jsonl")
    answerable = [i for i in items if i.kind == "answerable"]
    embedder = embedder_for("all-MiniLM-L6-v2")
    vectors = embedder.encode([i.question for i in answerable])
    work = Path(tempfile.mkdtemp())
    print("| words | overlap | passages | recall@1 | recall@5 | MRR@10 | answer accuracy | citation hit | abstained (on-topic) |")
    print("|---|---|---|---|---|---|---|---|---|")
    try:
        for words in (20, 40, 60, 80, 120, 160):
            for overlap in (0, 1, 2):
                settings = load_settings(sources=ROOT / "sources", index=work / f"i{words}-{overlap}",
                                         chunk_words=words, chunk_overlap=overlap)
                build(settings, embedder=embedder)
                index = open_index(settings.index)
                ranks = []
                for item, qv in zip(answerable, vectors):
                    hits = retrieve(index, qv, item.question, k=10)
                    ranks.append(next((r for r, h in enumerate(hits, 1) if item.support in h.passage.text), None))
                summary, _ = evaluate.run(items, index, embedder)
                n = len(ranks)
                print(f"| {words} | {overlap} | {len(index.passages)} | {sum(r == 1 for r in ranks) / n:.3f} "
                      f"| {sum(bool(r and r <= 5) for r in ranks) / n:.3f} | {sum(1 / r for r in ranks if r) / n:.3f} "
                      f"| {summary['answer_accuracy']:.3f} | {summary['citation_hit_rate']:.3f} "
                      f"| {summary['abstained_on_answerable']:.3f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
