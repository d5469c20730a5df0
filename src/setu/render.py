"""Answers to HTML for the web app. Every string that comes from a source
(title, passage, quote, file name) is escaped here, so a source holding
HTML or script shows as text and never runs."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import quote as url_quote

from .textreport import summary_line

_MARKER = re.compile(r"\[(\d+)\]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def answer_markdown(answer: dict, message: int = 0) -> str:
    """The chat message: escaped answer text with [n] as links to the cards
    (``message`` is the message's place in the chat, so a click on an older
    answer finds that answer's cards)."""
    text = answer["answer"]
    out, cursor = [], 0
    known = {c["n"] for c in answer.get("citations", [])}
    for m in _MARKER.finditer(text):
        out.append(_plain(text[cursor : m.start()]))
        n = int(m.group(1))
        if n in known:
            out.append(f'<a href="#cite-{message}-{n}" class="cite-ref">[{n}]</a>')
        else:
            out.append(_plain(m.group()))
        cursor = m.end()
    out.append(_plain(text[cursor:]))
    body = "".join(out)
    if answer.get("notice"):
        body = f"⚠️ *{_plain(answer['notice'])}*\n\n{body}"
    rejected = [s for s in answer.get("statements", []) if s.get("verdict") in ("unsupported", "uncited")]
    if rejected:
        items = "".join(f"<li>{html.escape(_MARKER.sub('', s['text']).strip())} <em>({html.escape(s['verdict'])}"
                        f"{': ' + html.escape(s['reason']) if s.get('reason') else ''})</em></li>" for s in rejected)
        body += (f"\n\n<details class=\"setu-rejected\"><summary>Left out: {len(rejected)} sentence(s) the sources "
                 f"do not support</summary><ul>{items}</ul></details>")
    return body


def _plain(text: str) -> str:
    """Text shown literally inside a Markdown message."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def highlighted(passage: str, quote: str) -> str:
    """The passage with the quoted sentence marked; split first, then escape,
    so that escaping cannot shift the offsets."""
    i = passage.find(quote) if quote else -1
    if i < 0:
        return html.escape(passage)
    before, mid, after = passage[:i], passage[i : i + len(quote)], passage[i + len(quote) :]
    return f"{html.escape(before)}<mark>{html.escape(mid)}</mark>{html.escape(after)}"


def marked(text: str, start: int, end: int) -> str:
    """``text`` escaped, with ``text[start:end]`` in a <mark> (split first, then escape)."""
    return f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"


def source_link(source: str, sources_dir: Path, page: int | None, start: int | None = None,
                end: int | None = None) -> str | None:
    """The URL that shows a source: a PDF opens at its page; anything else in
    the viewer, scrolled to the quoted sentence. None for a file outside the
    sources folder."""
    try:
        rel = Path(source).resolve().relative_to(Path(sources_dir).resolve())
    except ValueError:
        return None
    if rel.suffix.lower() == ".pdf" or start is None:
        url = "/source/" + url_quote(rel.as_posix())
        return f"{url}#page={page}" if page else url
    return f"/view/{url_quote(rel.as_posix())}?start={int(start)}&end={int(end)}#quote"


def source_page(doc, start: int | None, end: int | None) -> str:
    """A source rendered as text for reading: its front matter as a header,
    its paragraphs escaped, the quoted sentence marked (the page opens on it)."""
    meta = dict(doc.meta)
    text = doc.text
    if start is None or not (0 <= start < end <= len(text)):
        start = end = None
    head = [f"<h1>{html.escape(doc.title)}</h1>"]
    byline = " · ".join(html.escape(meta[k]) for k in ("author", "publisher", "date", "as_of") if meta.get(k))
    if byline:
        head.append(f'<p class="by">{byline}</p>')
    if meta.get("url", "").startswith(("http://", "https://")):
        head.append(f'<p class="by"><a href="{html.escape(meta["url"])}" rel="noopener noreferrer">'
                    f'{html.escape(meta["url"])}</a></p>')
    if meta.get("summary"):
        head.append(f'<p class="summary">{html.escape(meta["summary"])}</p>')
    if start is None:
        body = html.escape(text)
    else:
        body = (html.escape(text[:start]) + f'<mark id="quote">{html.escape(text[start:end])}</mark>'
                + html.escape(text[end:]))
    paragraphs = "".join(f"<p>{part}</p>" for part in body.split("\n\n") if part.strip())
    refs = "".join(f'<li><a href="{html.escape(r.url)}" rel="noopener noreferrer">{html.escape(r.label)}</a></li>'
                   if r.url.startswith(("http://", "https://")) else f"<li>{html.escape(r.label)}</li>"
                   for r in doc.references)
    refs_html = f"<h2>References</h2><ol>{refs}</ol>" if refs else ""
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(doc.title)}</title>'
            f"<style>{VIEWER_CSS}</style></head><body>{''.join(head)}<hr>{paragraphs}{refs_html}</body></html>")


VIEWER_CSS = """body { max-width: 46em; margin: 2em auto; padding: 0 1em; font: 17px/1.6 system-ui, sans-serif; color: #1f2937; }
p { white-space: pre-wrap; } .by { color: #4b5563; margin: 0.2em 0; } .summary { font-style: italic; }
mark { background: #fde68a; padding: 0 2px; scroll-margin-top: 40vh; } a { color: #2563eb; }"""


EMPTY = '<div class="setu-empty">Ask a question: the passages behind the answer appear here.</div>'


def evidence_panel(answers: dict[str, dict], sources_dir: Path) -> str:
    """The cards of every answer in the chat; only the latest is shown until
    the user clicks an earlier answer (handled in the page, see HEAD)."""
    if not answers:
        return EMPTY
    latest = max(answers, key=int)
    return "".join(evidence_html(answers[k], sources_dir, int(k), hidden=k != latest) for k in sorted(answers, key=int))


def evidence_html(answer: dict, sources_dir: Path, message: int = 0, hidden: bool = False) -> str:
    """One card per citation: title, file, page, verdict, and the passage."""
    shown = " hidden" if hidden else ""
    cards = answer.get("citations") or answer.get("closest") or []
    if not cards:
        note = answer.get("note") or "No sources cited."
        return f'<div class="setu-answer setu-empty" data-msg="{message}"{shown}>{html.escape(note)}</div>'
    heading = "Sources" if answer.get("citations") else "Closest evidence (it does not answer the question)"
    parts = [f'<div class="setu-answer" data-msg="{message}"{shown}><h3>{html.escape(heading)}</h3>']
    if answer.get("citations"):
        parts.append(_copy_button("Copy with sources", answer_as_markdown(answer), "setu-copy"))
    rivals: dict[int, list[int]] = {}
    for a, b in answer.get("disagreements") or []:
        rivals.setdefault(int(a), []).append(int(b))
        rivals.setdefault(int(b), []).append(int(a))
    for c in cards:
        link = source_link(c["source"], sources_dir, c.get("page"), c.get("start"), c.get("end"))
        meta = [html.escape(c["source"])]
        if c.get("page"):
            meta.append(f"p. {int(c['page'])}")
        verdict = c.get("verdict")
        if verdict and answer.get("citations"):
            # An extractive quote is supported by construction; say so rather than show a perfect score.
            verbatim = answer.get("mode", "extractive") == "extractive" and verdict == "supported"
            meta.append(_verdict_badge(verdict, None if verbatim else c.get("support"), " (verbatim quote)" if verbatim else ""))
        if link:
            meta.append(f'<a href="{html.escape(link)}" target="_blank" rel="noopener">open source</a>')
        meta.append(_copy_button("Cite", reference_text(c), "setu-cite"))
        parts.append(
            f'<div class="setu-card" id="cite-{message}-{int(c["n"])}">'
            f'<div class="setu-card-title"><span class="setu-n">[{int(c["n"])}]</span> {html.escape(c["title"])}</div>'
            f'{byline_html(c)}'
            f'{disagreement_html(rivals.get(int(c["n"]), []))}'
            f'<div class="setu-card-meta">{" · ".join(meta)}</div>'
            f'<blockquote class="setu-passage">{highlighted(c["passage"], c["quote"])}</blockquote>'
            f'{references_html(c.get("references") or [])}'
            '<button type="button" class="setu-back">↑ Back to the answer</button>'
            "</div>"
        )
    parts.append("</div>")
    return "".join(parts)


def reference_text(c: dict) -> str:
    """One citation as a plain reference: title, author, publisher, date,
    page, and the URL or file."""
    parts = [f"“{c['title']}”" if c.get("title") else "", c.get("author", ""), c.get("publisher", ""),
             c.get("date", ""), f"p. {int(c['page'])}" if c.get("page") else "",
             c.get("url") or c.get("source", "")]
    return ", ".join(p for p in parts if p) + "."


def answer_as_markdown(data: dict, heading: str = "") -> str:
    """An answer that travels: the text with its [n] markers, then a numbered
    reference list with each quoted sentence. Plain Markdown, no HTML."""
    lines = [heading] if heading else []
    lines += [data.get("answer", "").strip(), ""]
    cited = data.get("citations") or []
    if cited:
        lines.append("Sources:")
        for c in cited:
            lines.append(f"[{int(c['n'])}] {reference_text(c)}")
            lines.append(f"    > {' '.join(c['quote'].split())}")
            lines += [f"    - {r['label']}" + (f" <{r['url']}>" if r.get("url") else "") for r in c.get("references") or []]
    return "\n".join(lines).rstrip() + "\n"


def conversation_as_markdown(answers: dict[str, dict]) -> str:
    """The whole chat, question by question, each answer with its sources."""
    parts = ["# Setu: conversation", ""]
    for _key, data in sorted(answers.items(), key=lambda kv: int(kv[0])):
        parts.append(answer_as_markdown(data, heading=f"## {data.get('question', '')}"))
    return "\n".join(parts)


def _copy_button(label: str, text: str, css: str) -> str:
    return (f'<button type="button" class="{css}" data-copy="{html.escape(text, quote=True)}">'
            f"{html.escape(label)}</button>")


def library_line_html(description: str, updated: str) -> str:
    """The first screen's line on what the library holds, linking to the Library tab."""
    when = f", updated {html.escape(updated)}" if updated else ""
    return (f'<div class="setu-library-line">Library: {html.escape(description)}{when} · '
            f'<a href="#library" class="setu-library-link">see the sources</a></div>')


def disagreement_html(others: list[int]) -> str:
    """A card's note that another cited source gives a different figure."""
    if not others:
        return ""
    which = ", ".join(f"[{n}]" for n in others)
    return f'<div class="setu-disagree">⚠ Another source in the library gives a different figure: see {which}.</div>'


def byline_html(c: dict) -> str:
    """Author, publisher and date of the cited source, and the page it was
    fetched from (with when), where the source records them."""
    said = [html.escape(c[k]) for k in ("author", "publisher", "date") if c.get(k)]
    url = c.get("url") or ""
    if url.startswith(("http://", "https://")):
        when = f" (fetched {html.escape(c['fetched'][:10])})" if c.get("fetched") else ""
        said.append(f'<a class="setu-url" href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">'
                    f'{html.escape(url)}</a>{when}')
    return f'<div class="setu-card-meta setu-byline">{" · ".join(said)}</div>' if said else ""


def references_html(references: list[dict]) -> str:
    """The quoted sentence's footnotes, each a link that opens in a new tab."""
    if not references:
        return ""
    items = []
    for r in references:
        label = html.escape(r.get("label") or r.get("url") or "")
        url = r.get("url") or ""
        if url.startswith(("http://", "https://")):
            items.append(f'<li><a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">{label}</a></li>')
        else:
            items.append(f"<li>{label}</li>")
    return f'<div class="setu-refs">References:<ol>{"".join(items)}</ol></div>'


BADGES = {"supported": "✓ supported by its source", "unsupported": "✗ not supported by its source", "uncited": "? uncited"}
BADGE_HELP = {
    "supported": "The quoted source says this. That is not a proof that it is true: a source can be wrong, "
                 "so check who wrote it and when.",
    "unsupported": "The cited passage does not say this.",
    "uncited": "This sentence cites no source.",
}


def _verdict_badge(verdict: str, score, suffix: str = "") -> str:
    label = BADGES.get(verdict, verdict)
    # A score is shown only beside "supported": beside a rejection it reads like confidence.
    score_text = f" {float(score):.2f}" if isinstance(score, (int, float)) and verdict == "supported" else ""
    tip = html.escape(BADGE_HELP.get(verdict, ""), quote=True)
    return (f'<span class="verdict verdict-{html.escape(verdict)}" title="{tip}">'
            f'{html.escape(label + suffix)}{score_text}</span>')


def report_html(report: dict, answer: dict) -> str:
    """A `setu check` report: each claim, its verdict, and the cited passage
    with the supporting sentence highlighted."""
    citations = {c.get("n"): c for c in answer.get("citations") or [] if isinstance(c, dict)}
    ratio = report["supported_ratio"]
    parts = [f'<div class="setu-report"><p class="setu-report-summary">{ratio:.0%} of sentences supported</p>']
    for s in report["sentences"]:
        parts.append(f'<div class="setu-claim setu-claim-{html.escape(s["verdict"])}">')
        parts.append(f'<div>{_verdict_badge(s["verdict"], s["score"] if s["verdict"] != "uncited" else None)} '
                     f'{html.escape(s["text"])}</div>')
        if s.get("reason") and s["verdict"] != "supported":
            parts.append(f'<div class="setu-card-meta">why: {html.escape(s["reason"])}</div>')
        n = s["support"].get("n")
        if n in citations:
            c = citations[n]
            passage, start, end = c["passage"], s["support"]["start"], s["support"]["end"]
            shown = marked(passage, start, end)
            where = html.escape(str(c.get("source") or "passage"))
            parts.append(f'<div class="setu-card-meta">[{int(n)}] {where}</div><blockquote class="setu-passage">{shown}</blockquote>')
        parts.append("</div>")
    for n in report.get("missing_markers", []):
        parts.append(f'<div class="setu-claim setu-claim-unsupported">✗ [{int(n)}] points at no citation</div>')
    for item in report.get("stale", []):
        parts.append(f'<div class="setu-claim setu-claim-unsupported">✗ [{int(item["n"])}] stale: {html.escape(item["reason"])}</div>')
    parts.append("</div>")
    return "".join(parts)


TEXT_BADGES = {"supported": "✓ supported", "contradicted": "✗ contradicted", "not_found": "? not found",
               "miscited": "! miscited"}
TEXT_HELP = {
    "supported": "A sentence in the library says this. That is not a proof that it is true: a source can be wrong, "
                 "so check who wrote it and when.",
    "contradicted": "A library passage about the same thing says otherwise.",
    "not_found": "Nothing in the library says this. The closest passage is shown; it is not support.",
    "miscited": "The source it cites does not say this; another source in the library does.",
}
EVIDENCE_LABEL = {"supported": "Said in the library", "contradicted": "The library says otherwise",
                  "miscited": "Said in another source", "not_found": "Closest passage (it does not say this)"}


def text_report_html(report: dict, paragraphs: list[int] | None = None) -> str:
    """A checked text (``TextReport.to_json()``), annotated in place: each
    sentence coloured by its verdict and focusable; clicking it (or Enter)
    shows its evidence beside the text (see HEAD). ``paragraphs`` gives how
    many sentences each paragraph holds. Each evidence may carry ``href`` (the
    source viewer at the quote) and ``context`` / ``at`` (its passage and the
    quote's offsets in it)."""
    sentences = report["sentences"]
    sizes = paragraphs if paragraphs and sum(paragraphs) == len(sentences) else [len(sentences)]
    text, i = [], 0
    for size in sizes:
        text.append("<p>" + " ".join(_sentence_span(s, n) for n, s in enumerate(sentences[i : i + size], start=i)) + "</p>")
        i += size
    legend = "".join(f'<span class="setu-key setu-key-{v}" title="{html.escape(TEXT_HELP[v])}">{html.escape(label)}</span>'
                     for v, label in TEXT_BADGES.items())
    details = ['<div class="setu-ev" data-i="">Click a sentence (or Tab to it and press Enter) to see its evidence.</div>']
    details += [_sentence_evidence(s, n, len(sentences)) for n, s in enumerate(sentences)]
    summary = html.escape(summary_line(report["summary"]))
    return (f'<div class="setu-textcheck"><p class="setu-report-summary">{summary}</p>'
            f'<div class="setu-legend">{legend}</div><div class="setu-textcheck-body">'
            f'<div class="setu-annotated">{"".join(text)}</div>'
            f'<div class="setu-ev-panel" aria-live="polite">{"".join(details)}</div></div></div>')


def _sentence_span(s: dict, n: int) -> str:
    """One checked sentence in the text, coloured by its verdict; a click or Enter picks it."""
    verdict = html.escape(s["verdict"])
    return (f'<span class="setu-s setu-s-{verdict}" tabindex="0" role="button" aria-pressed="false" data-i="{n}" '
            f'title="{html.escape(TEXT_BADGES.get(s["verdict"], s["verdict"]))}">{html.escape(s["text"])}</span>')


def _sentence_evidence(s: dict, n: int, total: int) -> str:
    """What is shown when sentence ``n`` is picked: verdict, why, and the evidence."""
    verdict = s["verdict"]
    parts = [f'<div class="setu-ev" data-i="{n}" hidden>',
             f'<div><span class="verdict verdict-{html.escape(verdict)}" '
             f'title="{html.escape(TEXT_HELP.get(verdict, ""))}">{html.escape(TEXT_BADGES.get(verdict, verdict))}</span> '
             f'<span class="setu-card-meta">sentence {n + 1} of {total}</span></div>',
             f'<p class="setu-ev-claim">{html.escape(s["text"])}</p>']
    if s.get("reason"):
        parts.append(f'<div class="setu-card-meta">why: {html.escape(s["reason"])}</div>')
    if not s.get("evidence"):
        parts.append('<div class="setu-card-meta">The library has nothing on this.</div>')
    for e in s.get("evidence") or []:
        meta = [html.escape(e["source"])]
        if e.get("page"):
            meta.append(f"p. {int(e['page'])}")
        if e.get("href"):
            meta.append(f'<a href="{html.escape(e["href"])}" target="_blank" rel="noopener">'
                        "open source at the quote</a>")
        shown = marked(e["context"], *e["at"]) if e.get("context") else f'<mark>{html.escape(e["quote"])}</mark>'
        parts.append(f'<div class="setu-card setu-ev-{html.escape(verdict)}">'
                     f'<div class="setu-ev-label">{html.escape(EVIDENCE_LABEL.get(verdict, "Evidence"))}</div>'
                     f'<div class="setu-card-title">{html.escape(e.get("title") or e["source"])}</div>'
                     f'<div class="setu-card-meta">{" · ".join(meta)}</div>'
                     f'<blockquote class="setu-passage">{shown}</blockquote></div>')
    parts.append("</div>")
    return "".join(parts)


CSS = """
.setu-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 0 0 10px 0; }
.setu-card.setu-focus { outline: 3px solid #f59e0b; }
.setu-card-title { font-weight: 600; }
.setu-n { color: #2563eb; margin-right: 4px; }
.setu-card-meta { font-size: 0.85em; opacity: 0.8; margin: 4px 0; }
.setu-refs { font-size: 0.85em; margin: 4px 0; }
.setu-disagree { font-size: 0.85em; margin: 4px 0; color: #b45309; }
.setu-copy, .setu-cite { font-size: 0.8em; border: 1px solid #cbd5e1; border-radius: 4px; padding: 1px 6px; background: transparent; cursor: pointer; }
.setu-copy { margin: 0 0 6px 0; }
.setu-back { display: none; font-size: 0.8em; margin-top: 6px; border: 1px solid #cbd5e1; border-radius: 4px; background: transparent; }
@media (max-width: 640px) {
  .setu-back { display: inline-block; }
  /* Evidence beside the answer: a drawer over the lower half of the screen, opened by a [n], closed by Back. */
  #evidence.setu-drawer-open { position: fixed; left: 0; right: 0; bottom: 0; max-height: 55vh; overflow-y: auto;
    z-index: 50; background: var(--background-fill-primary, #fff); border-top: 2px solid #2563eb; padding: 8px 10px;
    box-shadow: 0 -4px 16px rgba(0, 0, 0, 0.15); }
  /* The Library on a phone: title, file and status; the counts and dates wait for a wider screen. */
  #sources-table th:nth-child(n+3):nth-child(-n+7), #sources-table td:nth-child(n+3):nth-child(-n+7) { display: none; }
  #sources-table th, #sources-table td { min-width: 6em; word-break: normal; overflow-wrap: anywhere; }
}
:focus-visible { outline: 3px solid #2563eb !important; outline-offset: 2px; }
.setu-refs ol { margin: 2px 0 0 1.2em; padding: 0; }
.setu-passage { white-space: pre-wrap; margin: 6px 0 0 0; font-size: 0.92em; border-left: 3px solid #cbd5e1; padding-left: 8px; }
.setu-passage mark { background: #fde68a; color: inherit; padding: 0 1px; }
.verdict-supported { color: #15803d; font-weight: 600; }
.verdict-unsupported { color: #b91c1c; font-weight: 600; }
.setu-empty { opacity: 0.7; padding: 8px; }
.setu-claim { border-left: 4px solid #94a3b8; padding: 6px 10px; margin: 8px 0; }
.setu-claim-supported { border-left-color: #16a34a; }
.setu-claim-unsupported { border-left-color: #dc2626; }
.setu-claim-uncited { border-left-color: #ca8a04; }
.verdict-uncited { color: #a16207; font-weight: 600; }
.setu-report-summary { font-weight: 600; }
a.cite-ref { text-decoration: none; font-weight: 600; }
/* The Check tab's annotated text: one colour per verdict, the evidence beside it. */
.setu-textcheck-body { display: grid; grid-template-columns: 3fr 2fr; gap: 16px; align-items: start; }
@media (max-width: 800px) { .setu-textcheck-body { grid-template-columns: 1fr; } }
.setu-annotated p { line-height: 1.9; margin: 0 0 0.8em 0; }
.setu-s, .setu-key { border-bottom: 2px solid; border-radius: 3px; padding: 1px 2px; cursor: pointer; }
.setu-key { cursor: help; font-size: 0.85em; margin-right: 10px; }
.setu-legend { margin: 0 0 10px 0; }
.setu-s-supported, .setu-key-supported { background: rgba(22, 163, 74, 0.16); border-color: #16a34a; }
.setu-s-contradicted, .setu-key-contradicted { background: rgba(220, 38, 38, 0.16); border-color: #dc2626; }
.setu-s-not_found, .setu-key-not_found { background: rgba(217, 119, 6, 0.18); border-color: #d97706; }
.setu-s-miscited, .setu-key-miscited { background: rgba(147, 51, 234, 0.16); border-color: #9333ea; }
.setu-s.setu-s-on { outline: 2px solid #2563eb; }
.setu-ev-panel { position: sticky; top: 8px; }
.setu-ev-claim { font-style: italic; margin: 6px 0; }
.setu-ev-label { font-size: 0.85em; font-weight: 600; margin-bottom: 2px; }
.setu-ev-not_found { border-style: dashed; }
.verdict-contradicted { color: #b91c1c; font-weight: 600; }
.verdict-not_found { color: #b45309; font-weight: 600; }
.verdict-miscited { color: #7e22ce; font-weight: 600; }
"""

# Clicking [n] in the chat brings card n into view (a plain link would only change the URL hash).
HEAD = """
<script>
function setuShow(msg) {
  document.querySelectorAll(".setu-answer").forEach(function (group) {
    group.hidden = group.dataset.msg !== msg;
  });
}
document.addEventListener("click", function (event) {
  if (!event.target.closest) return;
  const copy = event.target.closest("button.setu-copy, button.setu-cite");
  if (copy) {  // plain text to the clipboard: an answer with its sources, or one reference
    event.preventDefault();
    event.stopPropagation();
    navigator.clipboard.writeText(copy.dataset.copy).then(function () {
      const label = copy.textContent;
      copy.textContent = "Copied";
      setTimeout(function () { copy.textContent = label; }, 1500);
    });
    return;
  }
  const toLibrary = event.target.closest("a.setu-library-link");
  if (toLibrary) {  // the first screen's library line opens the Library tab
    event.preventDefault();
    const tab = Array.from(document.querySelectorAll('[role="tab"]')).find(function (t) { return t.textContent.trim() === "Library"; });
    if (tab) tab.click();
    return;
  }
  const link = event.target.closest("a.cite-ref");
  const message = event.target.closest('[data-testid="bot"]');
  if (!link) {
    // A click anywhere on an earlier answer shows that answer's cards.
    const first = message && message.querySelector("a.cite-ref");
    if (first) setuShow(first.getAttribute("href").split("-")[1]);
    return;
  }
  event.preventDefault();
  const id = link.getAttribute("href").slice(1);  // cite-<message>-<n>
  setuShow(id.split("-")[1]);
  const card = document.getElementById(id);
  if (!card) return;
  document.querySelectorAll(".setu-card.setu-focus").forEach(function (c) { c.classList.remove("setu-focus"); });
  card.classList.add("setu-focus");
  window.setuCameFrom = link;  // "Back to the answer" returns here
  const panel = document.getElementById("evidence");
  if (panel && window.matchMedia("(max-width: 640px)").matches) {
    // On a phone the cards open as a drawer over the lower half; the answer moves to the upper half.
    panel.classList.add("setu-drawer-open");
    link.scrollIntoView({block: "start"});
    window.scrollBy(0, -16);
    panel.scrollTop = card.offsetTop - panel.offsetTop - 8;
    return;
  }
  card.scrollIntoView({behavior: "smooth", block: "center"});
}, true);
// The Check tab: a checked sentence, clicked or given Enter, shows its evidence beside the text.
function setuPick(sentence) {
  const box = sentence.closest(".setu-textcheck");
  if (!box) return;
  box.querySelectorAll(".setu-s.setu-s-on").forEach(function (s) {
    s.classList.remove("setu-s-on");
    s.setAttribute("aria-pressed", "false");
  });
  sentence.classList.add("setu-s-on");
  sentence.setAttribute("aria-pressed", "true");
  box.querySelectorAll(".setu-ev").forEach(function (e) { e.hidden = e.dataset.i !== sentence.dataset.i; });
  const shown = box.querySelector('.setu-ev[data-i="' + sentence.dataset.i + '"]');
  if (shown && window.matchMedia("(max-width: 800px)").matches) shown.scrollIntoView({behavior: "smooth", block: "nearest"});
}
document.addEventListener("click", function (event) {
  const sentence = event.target.closest && event.target.closest(".setu-s");
  if (sentence) setuPick(sentence);
}, true);
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter" && event.key !== " ") return;
  const sentence = event.target.closest && event.target.closest(".setu-s");
  if (!sentence) return;
  event.preventDefault();
  setuPick(sentence);
}, true);
document.addEventListener("click", function (event) {
  const back = event.target.closest && event.target.closest("button.setu-back");
  if (!back) return;
  event.preventDefault();
  const panel = document.getElementById("evidence");
  if (panel) panel.classList.remove("setu-drawer-open");
  const to = window.setuCameFrom || document.querySelector('[data-testid="bot"]:last-of-type');
  if (to) to.scrollIntoView({behavior: "smooth", block: "center"});
}, true);
</script>
"""
