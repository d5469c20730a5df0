"""The starter library keeps its promise: every brief has front matter, every
footnote is defined and used, every definition names a publisher, a date and
a URL, and every sentence of a brief carries its reference."""

import re
from collections import Counter
from pathlib import Path

import pytest

from setu.mdtext import parse
from setu.text import sentence_spans

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = sorted((ROOT / "sources" / "briefs").glob("*.md"))
STRANDS = {"history", "diplomacy", "trade", "infrastructure", "defence", "indo-pacific", "nuclear-climate",
           "science-digital", "people-culture"}
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)(-\d\d){0,2}\b")
_LEFT_MARKER = re.compile(r"\[\^[^\]\s]+\]")


def problems(text: str) -> list[str]:
    """What is wrong with one brief, in words a writer can act on."""
    parsed = parse(text)
    out = []
    if not parsed.front_matter:
        out.append("no front matter")
    for key in ("title", "author", "as_of", "summary"):
        if parsed.front_matter and not parsed.meta.get(key):
            out.append(f"front matter has no {key}")
    for m in _LEFT_MARKER.finditer(parsed.text):
        out.append(f"marker {m.group()} has no definition")
    out += [f"footnote [^{label}] is defined but never used" for label in parsed.unused]
    for ref in parsed.references:
        publisher = ref.label.split(",")[0].strip()
        if not publisher or publisher.startswith('"'):
            out.append(f"reference {ref.label!r} names no publisher")
        if not _YEAR.search(ref.label):
            out.append(f"reference {ref.label!r} gives no date")
        if not ref.url.startswith(("http://", "https://")):
            out.append(f"reference {ref.label!r} has no http(s) URL")
    headings = set(parsed.headings)
    marked = sorted(at for at, _ in parsed.notes)
    for a, b in sentence_spans(parsed.text):
        sentence = parsed.text[a:b]
        if sentence in headings:
            continue
        if not any(a < at <= b for at in marked):
            out.append(f"sentence without a reference: {sentence[:80]!r}")
    return out


def test_the_starter_library_covers_every_strand():
    strands = Counter(parse(p.read_text(encoding="utf-8")).meta.get("strand") for p in BRIEFS)
    assert len(BRIEFS) >= 30
    assert {s for s, n in strands.items() if n >= 2} >= STRANDS, strands
    assert strands["timeline"] >= 1


def test_the_timeline_holds_at_least_80_dated_events():
    timeline = [p for p in BRIEFS if parse(p.read_text(encoding="utf-8")).meta.get("strand") == "timeline"]
    parsed = parse(timeline[0].read_text(encoding="utf-8"))
    headings = set(parsed.headings)
    dated = [parsed.text[a:b] for a, b in sentence_spans(parsed.text)
             if parsed.text[a:b] not in headings and _YEAR.search(parsed.text[a:b])]
    assert len(dated) >= 80


@pytest.mark.parametrize("brief", BRIEFS, ids=lambda p: p.name)
def test_each_brief_is_referenced(brief):
    assert problems(brief.read_text(encoding="utf-8")) == []
    assert parse(brief.read_text(encoding="utf-8")).meta["author"] == "Setu editors"


GOOD = """---
title: "A brief"
author: Setu editors
as_of: 2025-11-30
summary: "One line."
---
# A brief

The first loan came in 1958.[^1] Nothing else here.[^1]

[^1]: JICA, "History of yen loans", 2008-01-01, https://www.jica.go.jp/history
"""


def test_a_good_brief_passes_and_each_fault_is_named():
    assert problems(GOOD) == []
    assert problems(GOOD.split("# A brief", 1)[1]) == ["no front matter"] or "no front matter" in problems(
        GOOD.split("# A brief", 1)[1])
    assert "front matter has no summary" in problems(GOOD.replace('summary: "One line."\n', ""))
    assert "marker [^2] has no definition" in problems(GOOD.replace("in 1958.[^1]", "in 1958.[^2]"))
    unused = GOOD + '[^9]: JICA, "Other", 2009-01-01, https://www.jica.go.jp/x\n'
    assert "footnote [^9] is defined but never used" in problems(unused)
    assert any("names no publisher" in p for p in problems(GOOD.replace("[^1]: JICA, ", "[^1]: ")))
    assert any("gives no date" in p for p in problems(GOOD.replace("2008-01-01, ", "")))
    assert any("no http(s) URL" in p for p in problems(GOOD.replace("https://www.jica.go.jp/history", "ftp://x")))
    assert any("without a reference" in p for p in problems(GOOD.replace("in 1958.[^1]", "in 1958.")))
