"""Calibrate the support check on tests/data/citations.jsonl: prints each
pair's score and verdict, then accuracy and precision on "supported" for a
range of thresholds.

    .venv/bin/python bench/calibrate.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from setu import cite
from setu.embed import embedder_for

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    pairs = [json.loads(line) for line in (ROOT / "tests" / "data" / "citations.jsonl").read_text().splitlines() if line.strip()]
    embedder = embedder_for("all-MiniLM-L6-v2")
    rows = []
    for p in pairs:
        v = cite.support(p["claim"], [p["passage"]], embedder)
        rows.append((p, v))
    verbose = "-v" in sys.argv
    if verbose:
        for p, v in sorted(rows, key=lambda r: r[1].score):
            mark = "ok " if v.supported == p["supported"] else "BAD"
            print(f"{mark} {v.score:.3f} {p['kind']:13} {str(p['supported'])[0]} {v.reason[:45]:45} {p['claim'][:70]}")
    print("| threshold | accuracy | precision (supported) | recall (supported) |")
    print("|---|---|---|---|")
    for t in [0.5, 0.55, 0.58, 0.6, 0.62, 0.64, 0.66, 0.68, 0.7, 0.75]:
        tp = fp = tn = fn = 0
        for p, v in rows:
            said = (not v.reason or v.reason == "the passage does not say this") and v.score >= t
            if said and p["supported"]:
                tp += 1
            elif said:
                fp += 1
            elif p["supported"]:
                fn += 1
            else:
                tn += 1
        print(f"| {t} | {(tp + tn) / len(rows):.3f} | {tp / max(tp + fp, 1):.3f} | {tp / max(tp + fn, 1):.3f} |")
    correct = sum(v.supported == p["supported"] for p, v in rows)
    tp = sum(v.supported and p["supported"] for p, v in rows)
    said = sum(v.supported for p, v in rows)
    print(f"shipped threshold {cite.SUPPORTED_AT}: accuracy {correct / len(rows):.3f}, "
          f"precision on supported {tp / max(said, 1):.3f} ({tp}/{said})")


if __name__ == "__main__":
    main()
