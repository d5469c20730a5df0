"""A checked text as records, and as reports: the verdict of each sentence
with its evidence, for the terminal, for Markdown, and to and from JSON (a
running server sends the JSON). Nothing heavy is imported here, so the
command line can print a server's report without loading the library."""

from __future__ import annotations

from dataclasses import dataclass, field

VERDICTS = ("supported", "contradicted", "not_found", "miscited")


@dataclass(frozen=True)
class Evidence:
    source: str
    title: str
    page: int | None
    passage: str  # passage id
    quote: str  # the library sentence
    start: int  # the quote's offsets in its source
    end: int
    url: str = ""

    def to_json(self) -> dict:
        return {"source": self.source, "title": self.title, "page": self.page, "passage": self.passage,
                "quote": self.quote, "start": self.start, "end": self.end, "url": self.url}


@dataclass(frozen=True)
class Checked:
    text: str  # the sentence as written, markers removed
    verdict: str
    reason: str
    evidence: tuple[Evidence, ...] = ()
    cites: tuple[str, ...] = ()  # the reference labels it carries

    def to_json(self) -> dict:
        return {"text": self.text, "verdict": self.verdict, "reason": self.reason, "cites": list(self.cites),
                "evidence": [e.to_json() for e in self.evidence]}


@dataclass(frozen=True)
class TextReport:
    name: str
    sentences: tuple[Checked, ...]
    references: dict = field(default_factory=dict)  # label -> the source it resolved to ('' when none)
    skipped: tuple[str, ...] = ()  # pieces of text that are not English sentences, left unchecked

    @property
    def summary(self) -> dict[str, int]:
        return {v: sum(s.verdict == v for s in self.sentences) for v in VERDICTS}

    @property
    def ok(self) -> bool:
        return all(s.verdict == "supported" for s in self.sentences)

    def to_json(self) -> dict:
        return {"input": self.name, "sentences": [s.to_json() for s in self.sentences], "summary": self.summary,
                "references": self.references, "not_checked": list(self.skipped)}

    @classmethod
    def from_json(cls, data: dict) -> "TextReport":
        """The report back from its JSON (a running server's answer)."""
        sentences = tuple(Checked(s["text"], s["verdict"], s["reason"], tuple(Evidence(**e) for e in s["evidence"]),
                                  tuple(s.get("cites", ()))) for s in data["sentences"])
        return cls(data["input"], sentences, dict(data.get("references", {})), tuple(data.get("not_checked", ())))


# --- reports --------------------------------------------------------------------

MARK = {"supported": "✓", "contradicted": "✗", "not_found": "?", "miscited": "!"}


def summary_line(counts: dict[str, int]) -> str:
    """'12 sentences: 7 supported, 2 contradicted, 3 not found'."""
    total = sum(counts.values())
    said = ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in counts.items() if n)
    return f"{total} sentence{'' if total == 1 else 's'}: {said}"


def as_terminal(report: TextReport, color: bool = False) -> str:
    paint = {"supported": "32", "contradicted": "31", "not_found": "33", "miscited": "35"}
    lines = []
    for i, s in enumerate(report.sentences, start=1):
        tag = f"{MARK[s.verdict]} {s.verdict}"
        if color:
            tag = f"\033[{paint[s.verdict]}m{tag}\033[0m"
        lines.append(f"{i:>3}. {tag}: {s.text}")
        if s.reason:
            lines.append(f"       {s.reason}")
        for e in s.evidence[:1]:
            quote = f"\033[1m{e.quote}\033[0m" if color else f"“{e.quote}”"
            where = e.source + (f", page {e.page}" if e.page else "")
            label = "evidence" if s.verdict != "not_found" else "closest"
            lines.append(f"       {label}: {quote} ({where})")
    lines.append(summary_line(report.summary))
    if report.skipped:
        lines.append(f"not checked ({len(report.skipped)}, not English sentences): " + "; ".join(
            p[:60] for p in report.skipped[:3]) + ("…" if len(report.skipped) > 3 else ""))
    return "\n".join(lines)


def as_markdown(report: TextReport, link=None) -> str:
    """A Markdown report; ``link(evidence)`` gives the address of a source
    (by default its file path, or its URL when it was fetched)."""
    link = link or (lambda e: e.url or e.source)
    lines = [f"# Citation check: {report.name}", "", f"{summary_line(report.summary)}.", ""]
    if report.skipped:
        lines[-1:-1] = [f"Not checked ({len(report.skipped)}, not English sentences): "
                        + "; ".join(f"“{p[:80]}”" for p in report.skipped), ""]
    for i, s in enumerate(report.sentences, start=1):
        lines.append(f"{i}. **{s.verdict.replace('_', ' ')}** {MARK[s.verdict]}: {s.text}")
        if s.reason:
            lines.append(f"   - {s.reason}")
        for e in s.evidence[:1]:
            where = f"[{e.title or e.source}]({link(e)})" + (f", page {e.page}" if e.page else "")
            label = "Evidence" if s.verdict != "not_found" else "Closest passage"
            lines.append(f"   - {label}: “{e.quote}” ({where})")
    return "\n".join(lines) + "\n"
