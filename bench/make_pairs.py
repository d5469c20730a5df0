"""Generate labelled claim–passage pairs from the library's own sentences.

    .venv/bin/python bench/make_pairs.py [--index index] [--per-kind 130]

Writes tests/data/pairs.jsonl. Each line is {id, claim, passage, label,
kind, origin, split}: ``label`` is "supported" or "unsupported"; ``split``
("tune" or "heldout") is fixed by a hash of the origin sentence, so every
variant of one sentence lands on the same side.

Positives: a sentence as it stands; its first clause alone. Negatives, by
systematic perturbation of a true sentence:
  number   a number or year swapped for another from the same source;
  name     a capitalised name swapped for another of the same kind from the library;
  parties  two countries swapped (who did what to whom);
  antonym  a relation or trend word reversed (rose/fell, alongside/against);
  negation "not" added to the verb, or removed;
  moved    the sentence paired with the nearest passage of another source.
Hand-written paraphrases and opposites live in tests/data/pairs_written.jsonl.
The perturbation tables here build test data; the checker never reads them.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from setu.index import open_index  # noqa: E402
from setu.verify import half_of  # noqa: E402
from setu.lexicon import peoples  # noqa: E402

ANTONYMS = [("alongside", "against"), ("increased", "decreased"), ("rose", "fell"), ("grew", "shrank"),
            ("expanded", "contracted"), ("exports", "imports"), ("exported", "imported"), ("surplus", "deficit"),
            ("largest", "smallest"), ("before", "after"), ("more", "fewer"), ("higher", "lower"),
            ("strengthened", "weakened"), ("supported", "opposed"), ("accepted", "rejected"),
            ("signed", "rejected"), ("welcomed", "condemned"), ("lifted", "imposed"), ("began", "ended"),
            ("first", "last"), ("major", "minor"), ("closer", "more distant"), ("boost", "curb"),
            ("improve", "worsen"), ("deepen", "weaken"), ("allies", "rivals"), ("lent", "borrowed"),
            ("agreed", "refused"), ("joined", "left"), ("opened", "closed"), ("rising", "falling"),
            ("growing", "shrinking"), ("strong", "weak"), ("success", "failure"), ("with", "without")]
AUX = re.compile(r"\b(is|was|were|are|has|have|had|will|can|would|could|did|does)\b(?!\s+not\b)")
NEG = re.compile(r"\b(is|was|were|are|has|have|had|will|can|would|could|did|does)\s+not\s+|\bnever\s+")
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{2,}(?: [A-Z][a-z]{2,})*")
TITLES = frozenset("prime minister ministers president foreign defence defense secretary ambassador ministry "
                   "government embassy the of and".split())
CLAUSE = re.compile(r",\s+(?:and|but|while|which|whereas)\s+|;\s+")


def sentences(index):
    """(origin id, sentence, row) for each usable indexed sentence."""
    for row, p in enumerate(index.passages):
        for j in range(len(p.sentences)):
            s = p.sentence_text(j).strip()
            n = len(s.split())
            if 8 <= n <= 45 and s[-1:] in ".!" and not s.startswith(("#", "|", "-", "*")) and "\n" not in s:
                yield f"{Path(p.source).name}:{p.sentences[j][0]}", s, row


def numbers_of(text: str) -> list[str]:
    return [m.group() for m in NUMBER.finditer(text)]


def perturb_number(s, source_text, rng):
    found = numbers_of(s)
    if not found:
        return None
    old = rng.choice(found)
    pool = sorted({n for n in numbers_of(source_text) if n != old and len(n) == len(old)})
    if not pool:
        if not old.replace(",", "").isdigit():
            return None
        value = int(old.replace(",", ""))
        new = str(value + rng.choice([-10, -3, -2, 2, 3, 10]) if 1900 <= value <= 2100 else value * 2)
    else:
        new = rng.choice(pool)
    return re.sub(rf"(?<![\w.]){re.escape(old)}(?![\w])", new, s, count=1)


def perturb_name(s, names_by_kind, rng, parties):
    found = [m for m in NAME.finditer(s) if len(m.group().split()) >= 2
             and not set(m.group().lower().split()) & TITLES and not set(m.group().lower().split()) & set(parties)]
    if not found:
        return None
    m = rng.choice(found)
    old = m.group()
    kind = kind_of(old)
    # Another name of as many words, sharing none of them (not "Prime Ministers" for "Prime Minister").
    pool = [n for n in names_by_kind.get(kind, []) if n not in s
            and not {w.lower().rstrip("s") for w in n.split()} & {w.lower().rstrip("s") for w in old.split()}]
    if not pool:
        return None
    return s[:m.start()] + rng.choice(pool) + s[m.end():]


def kind_of(name: str) -> tuple[int, str]:
    """A crude 'same kind': the number of words and the last word's ending."""
    return (len(name.split()), name.split()[-1][-2:])


def perturb_parties(s, parties):
    if re.search(r"\b(?:India|Japan)n?(?:ese)?[-–]", s):
        return None  # "Japan-India Joint Committee" reads the same either way
    found = list(dict.fromkeys(w for w in re.findall(r"[A-Z][a-z]+", s) if w.lower() in parties))
    countries = [w for w in found if parties[w.lower()] == w.lower()]
    if len(countries) < 2 or re.search(rf"{countries[0]}\s+and\s+{countries[1]}|{countries[1]}\s+and\s+{countries[0]}", s):
        return None
    a, b = countries[:2]
    if re.search(rf"\b(?:{a}|{b})\b.{{0,12}}\b(?:{a}|{b})\b", s):
        return None  # listed together ("Japan, India, Australia"; "in Japan and in India"): order means nothing
    # Only where direction matters: "Japan lent to India", "investment by Japan in India".
    if not re.search(rf"\b(?:to|from|by|into|in|for|against|over)\s+(?:the\s+)?(?:{a}|{b})\b", s):
        return None
    return re.sub(rf"\b({a}|{b})\b", lambda m: b if m.group() == a else a, s)


def perturb_antonym(s, rng):
    options = []
    for x, y in ANTONYMS:
        for old, new in ((x, y), (y, x)):
            if re.search(rf"\b{old}\b", s):
                options.append((old, new))
    if not options:
        return None
    old, new = rng.choice(options)
    return re.sub(rf"\b{old}\b", new, s, count=1)


def perturb_negation(s):
    if NEG.search(s):
        return NEG.sub(lambda m: (m.group(1) + " ") if m.group(1) else "", s, count=1)
    m = AUX.search(s)
    if not m:
        return None
    return s[:m.end()] + " not" + s[m.end():]


def first_clause(s):
    parts = CLAUSE.split(s, maxsplit=1)
    if len(parts) < 2 or len(parts[0].split()) < 6:
        return None
    return parts[0].rstrip(" ,;") + "."


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=str(ROOT / "index"))
    ap.add_argument("--per-kind", type=int, default=130)
    ap.add_argument("--out", default=str(ROOT / "tests" / "data" / "pairs.jsonl"))
    args = ap.parse_args()
    rng = random.Random(20261130)
    index = open_index(Path(args.index))
    parties = peoples()
    by_source: dict[str, str] = {}
    for p in index.passages:
        by_source[p.source] = by_source.get(p.source, "") + " " + p.text
    names = sorted({m.group() for p in index.passages for m in NAME.finditer(p.text)
                    if m.group().lower() not in parties})
    names_by_kind: dict = {}
    for n in names:
        names_by_kind.setdefault(kind_of(n), []).append(n)
    pool = list(sentences(index))
    rng.shuffle(pool)
    made: dict[str, list] = {k: [] for k in ("verbatim", "clause", "number", "name", "parties", "antonym", "negation", "moved")}
    seen = set()
    for origin, s, row in pool:
        passage = index.passages[row]
        tries = {
            "verbatim": lambda: s,
            "clause": lambda: first_clause(s),
            "number": lambda: perturb_number(s, by_source[passage.source], rng),
            "name": lambda: perturb_name(s, names_by_kind, rng, parties),
            "parties": lambda: perturb_parties(s, parties),
            "antonym": lambda: perturb_antonym(s, rng),
            "negation": lambda: perturb_negation(s),
        }
        # One or two variants per sentence keeps the set spread over the library.
        kinds = [k for k in tries if len(made[k]) < args.per_kind]
        rng.shuffle(kinds)
        taken = 0
        for kind in kinds:
            if taken >= 2:
                break
            claim = tries[kind]()
            if not claim or claim in seen or (kind not in ("verbatim", "clause") and claim == s):
                continue
            seen.add(claim)
            label = "supported" if kind in ("verbatim", "clause") else "unsupported"
            made[kind].append({"claim": claim, "passage": passage.text, "label": label, "kind": kind, "origin": origin})
            taken += 1
        if len(made["moved"]) < args.per_kind and rng.random() < 0.4:
            # The nearest passage from another source, which does not hold the sentence.
            start = index.sentence_rows[row] + passage.sentences.index(next(x for x in passage.sentences if passage.text[x[0] - passage.start:x[1] - passage.start].strip() == s))
            v = index.sentence_vectors[start]
            _, rows = index.dense.search(np.asarray(v, dtype=np.float32).reshape(1, -1), 10)
            # Near, but not one that restates the same fact (briefs repeat some facts).
            other = next((int(r) for r in rows[0] if r >= 0 and index.passages[int(r)].source != passage.source
                          and float(np.max(index.sentence_vector_rows(int(r)) @ v)) < 0.75), None)
            if other is not None:
                made["moved"].append({"claim": s, "passage": index.passages[other].text, "label": "unsupported",
                                      "kind": "moved", "origin": origin})
    out = []
    for kind, rows in made.items():
        for i, r in enumerate(rows):
            out.append({"id": f"g-{kind}-{i:03d}", **r, "split": half_of(r["origin"])})
    Path(args.out).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    counts = {k: len(v) for k, v in made.items()}
    print(f"{len(out)} pairs -> {args.out}: {counts}; heldout {sum(r['split'] == 'heldout' for r in out)}")


if __name__ == "__main__":
    main()
