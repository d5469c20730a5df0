"""Merge the per-strand question files (tests/data/broad/*.jsonl) into
tests/data/broad.jsonl with a fixed split: each question's part is decided by
a hash of its id, so adding questions never moves old ones between parts.

    .venv/bin/python bench/broad.py
"""

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def part(qid: str) -> str:
    return "heldout" if hashlib.sha256(qid.encode()).digest()[0] % 2 else "tune"


def main() -> None:
    rows = []
    for path in sorted((ROOT / "tests" / "data" / "broad").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                d["split"] = part(d["id"])
                rows.append(d)
    out = ROOT / "tests" / "data" / "broad.jsonl"
    out.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in rows), encoding="utf-8")
    for split in ("tune", "heldout"):
        sel = [d for d in rows if d["split"] == split]
        print(split, len(sel), "answerable", sum(not d.get("unanswerable") for d in sel),
              "unanswerable", sum(bool(d.get("unanswerable")) for d in sel))


if __name__ == "__main__":
    main()
