"""Any text to verdicts: every sentence of a draft, a note or another
chatbot's answer, checked against the library.

* A sentence with markers (``[2]`` or ``[^2]``) is checked against the whole
  source its marker names, resolved through the text's own reference list
  (``[^2]: sources/briefs/trade.md``, a title, or a URL).
* A sentence without markers is checked against the whole library.

Each gets one verdict:

``supported``     a library sentence says it (the evidence is that sentence);
``contradicted``  a passage about the same thing says otherwise: another
                  number, date, name or relation (the reason says what);
``not_found``     nothing in the library addresses it;
``miscited``      its cited source does not say it, another source does.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from . import cite
from .errors import InputError
from .lexicon import topic_words
from .retrieve import retrieve
from .text import sentence_spans, squash
from .textreport import Checked, Evidence, TextReport

SEARCH_K = 6  # library passages looked at for an uncited sentence
VERIFY_TOP = 3  # of those, how many go to the (costlier) meaning check
ABOUT_AT = 0.5  # the share of a claim's words a passage must hold to be "about the same thing"
NAMED_AT = 0.75  # ... and to show that a name the passage lacks was put in place of the one it has
CLOSER_BY = 0.1  # a passage this much closer that says otherwise outweighs a farther one that agrees

_REFDEF = re.compile(r"^\s*\[\^?(\w+)\]:?\s+(.+?)\s*$")
_MARKER = re.compile(r"\[\^?(\w{1,6})\]")
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_LIST_HEAD = re.compile(r"^(?:#+\s*)?(?:sources|references|notes|bibliography|citations|works cited)\s*:?\s*$", re.I)
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.+?)\s*$")
_LOOKS_LIKE_REFERENCE = re.compile(r"https?://|\w\.(?:md|pdf|txt|html?)\b", re.I)


# --- reading a text -------------------------------------------------------------

def split_text(text: str, skipped: list | None = None) -> tuple[list[tuple[str, tuple[str, ...]]], dict[str, str]]:
    """The text's sentences with the reference labels each carries, and its
    reference list (label -> what the definition names). Pieces that are not
    English sentences are left out, and added to ``skipped`` when given."""
    text = _FRONT.sub("", text.replace("\r\n", "\n").lstrip("\ufeff"))
    references, body = {}, []
    in_list = False  # after a "Sources:" line, "[1] …" and "1. …" lines define references
    for line in text.split("\n"):
        stripped = line.strip()
        if _LIST_HEAD.match(stripped):
            in_list = True
            body.append("")
            continue
        m = _REFDEF.match(line) or (_NUMBERED.match(line) if in_list else None)
        if m and (in_list or line.lstrip().startswith("[^") or ":" in line[: line.find("]") + 2]
                  or _LOOKS_LIKE_REFERENCE.search(m.group(2))):
            references[m.group(1)] = m.group(2)
            continue
        if not stripped:
            in_list = False
        if stripped.startswith("#") or stripped.startswith("|") or stripped in ("---", "***"):
            body.append("")  # a heading or a table row is not a claim
            continue
        stripped = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", stripped)
        stripped = _LINK.sub(r"\1", stripped).replace("**", "").replace("__", "")
        body.append(stripped)
    # A paragraph of one short line with no closing stop is a title, not a claim.
    paragraphs = [p for p in re.split(r"\n\s*\n", "\n".join(body))]
    plain = "\n\n".join("" if "\n" not in p.strip() and len(p.split()) <= 14 and re.search(r"[A-Za-z]{2,}", p)
                        and not re.search(r"[.!?:;\]\"”’)]$", p.strip()) else p for p in paragraphs)
    # "claim.[^1] Next" : a marker after the full stop moves before it, so the sentence ends there.
    plain = re.sub(r"([.!?])((?:\[\^?\w{1,6}\])+)", r"\2\1", plain)
    out: list[tuple[str, tuple[str, ...]]] = []
    for a, b in sentence_spans(plain, soft_newlines=True):
        piece = plain[a:b]
        lead = re.match(r"^(?:\s*\[\^?\w{1,6}\])+", piece)
        if lead and out:  # markers after the full stop belong to the sentence before
            prev, labels = out[-1]
            out[-1] = (prev, labels + tuple(_MARKER.findall(lead.group())))
            piece = piece[lead.end():]
        labels = tuple(dict.fromkeys(_MARKER.findall(piece)))
        clean = squash(_MARKER.sub("", piece))
        clean = re.sub(r"\s+([.,;:!?])", r"\1", clean)
        if len(re.findall(r"[A-Za-z]{2,}", clean)) >= 3:
            out.append((clean, labels))
        elif skipped is not None and re.search(r"\w{2,}", clean):
            skipped.append(clean)
    return out, references


def resolve(target: str, index) -> str:
    """The library source a reference names: a file, a URL or a title; '' if none."""
    target = target.strip().strip("<>").strip()
    sources = {p.source: p for p in index.passages}
    low = target.lower()
    for source in sources:
        name = Path(source).name.lower()
        if source.lower() in low or (len(name) > 4 and name in low):
            return source
    for source, p in sources.items():
        url = p.about("url")
        if url and url.rstrip("/").lower() in low:
            return source
    best, best_len = "", 0
    for source, p in sources.items():
        title = p.title.lower().strip()
        if len(title) >= 8 and (title in low or (len(low) >= 12 and low.strip(' ."”“') in title)) and len(title) > best_len:
            best, best_len = source, len(title)
    return best


# --- checking -----------------------------------------------------------------

def check_text(text: str, index, embedder, name: str = "text") -> TextReport:
    """Check every sentence of a plain-text or Markdown ``text``."""
    skipped: list[str] = []
    sentences, definitions = split_text(text, skipped)
    if not sentences:
        why = " (Setu checks English text)" if skipped else ""
        raise InputError(f"{name}: no sentences to check{why}")
    references = {label: resolve(target, index) for label, target in definitions.items()}
    footnotes = set(re.findall(r"\[\^(\w{1,6})\]", text))  # shown in reasons as written: [^1], not [1]
    topic = topic_words(index)
    vectors = embedder.encode([s for s, _ in sentences])
    out = []
    for (sentence, labels), vector in zip(sentences, vectors):
        cited = [references.get(label, "") for label in labels]
        if labels:
            shown = tuple(f"^{label}" if label in footnotes else label for label in labels)
            out.append(_check_cited(sentence, shown, cited, vector, index, embedder, topic))
        else:
            out.append(_check_library(sentence, vector, index, embedder, topic))
    return TextReport(name, tuple(out), references, tuple(skipped))


def _check_cited(sentence, labels, cited, vector, index, embedder, topic) -> Checked:
    sources = [s for s in dict.fromkeys(cited) if s]
    unknown = [label for label, s in zip(labels, cited) if not s]
    if sources:
        rows = [r for r, p in enumerate(index.passages) if p.source in sources]
        verdict, row = _best_of(sentence, rows, vector, index, embedder, topic)
        if verdict.supported:
            return Checked(sentence, "supported", "", (_evidence(index, row, verdict),), labels)
    elsewhere = _check_library(sentence, vector, index, embedder, topic, exclude=set(sources))
    named = ", ".join(f"[{label}]" for label in labels)
    why = (f"{named} names no source in the library" if not sources
           else f"{named} ({', '.join(Path(s).name for s in sources)}) does not say this")
    if unknown and sources:
        why += f"; [{unknown[0]}] names no source in the library"
    if elsewhere.verdict == "supported":
        other = elsewhere.evidence[0]
        return Checked(sentence, "miscited", f"{why}; {other.title or other.source} does", elsewhere.evidence, labels)
    if elsewhere.verdict == "contradicted":
        return Checked(sentence, "contradicted", f"{why}; {elsewhere.reason}", elsewhere.evidence, labels)
    return Checked(sentence, "not_found", why, elsewhere.evidence, labels)


def _best_of(sentence, rows, vector, index, embedder, topic, keep: int = 3):
    """The support verdict of the sentence against the best few of ``rows``."""
    best_sentence = [float(np.max(index.sentence_vector_rows(r) @ vector)) if index.passages[r].sentences else -1.0
                     for r in rows]
    top = [rows[i] for i in np.argsort(best_sentence)[::-1][:keep]]
    verdict = _support(sentence, top, vector, index, embedder, topic)
    return verdict, top[verdict.passage]


def _support(sentence, rows, vector, index, embedder, topic):
    passages = [index.passages[r] for r in rows]
    return cite.support(sentence, [p.text for p in passages], embedder, claim_vector=vector,
                        sentence_vectors=[index.sentence_vector_rows(r) for r in rows],
                        spans=[[(a - p.start, b - p.start) for a, b in p.sentences] for p in passages],
                        topic=topic, context=_context(index, passages))


def _signals(sentence, row, vector, index, topic):
    p = index.passages[row]
    return cite.signals(sentence, [p.text], claim_vector=vector, sentence_vectors=[index.sentence_vector_rows(row)],
                        spans=[[(a - p.start, b - p.start) for a, b in p.sentences]], topic=topic,
                        context=_context(index, [p]))


def _context(index, passages) -> str:
    """The titles of the passages' sources: a name the passage leaves
    implicit is often in its source's title."""
    return " ".join(dict.fromkeys(p.title for p in passages))


def _check_library(sentence, vector, index, embedder, topic, exclude=frozenset()) -> Checked:
    hits = [h for h in retrieve(index, vector, sentence, k=SEARCH_K + len(exclude) * 3)
            if h.passage.source not in exclude][:SEARCH_K]
    if not hits:
        return Checked(sentence, "not_found", "the library has nothing on this")
    measured = sorted(((h.row, _signals(sentence, h.row, vector, index, topic)) for h in hits),
                      key=lambda x: -x[1].score)
    # A heading is no evidence ("Indian students in Japan"); overlapping passages
    # share sentences, so each is judged once.
    measured = list({squash(s.sentence): (row, s) for row, s in reversed(measured)}.values())[::-1]
    rows = [row for row, _ in measured]  # headings included, for the joint check
    measured = [m for m in measured if not _heading(m[1].sentence)] or measured
    nearby = cite._quantities(" ".join(h.passage.text for h in hits))
    own = cite._quantities(sentence)
    # Another sentence about the same thing gives all the claim's figures: the claim joins facts.
    held = bool(own) and any(not cite.unmatched(own, cite._quantities(s.sentence)) and _about(sentence, s, topic) >= ABOUT_AT
                             and not s.reason.startswith(cite.MISSING_NAME) for _, s in measured)
    # The closest passages that pass the hard checks go to the full check (which
    # costs a call of the meaning model when the claim is not a verbatim quote).
    # A passage that says otherwise and is clearly closer to the claim than the
    # one that agrees wins: "India runs the deficit" is not supported by a
    # sentence about the deficit's size when the closest sentence says the reverse.
    verdicts, opposed = {}, None
    for row, s in [m for m in measured if not m[1].reason][:VERIFY_TOP]:
        verdicts[row] = _support(sentence, [row], vector, index, embedder, topic)
        if verdicts[row].supported and (opposed is None or s.score > opposed - CLOSER_BY):
            return Checked(sentence, "supported", "", (_evidence(index, row, verdicts[row]),))
        if verdicts[row].reason == cite.SAYS_OTHERWISE and opposed is None:
            opposed = s.score
    # A sentence may join facts from neighbouring passages of one source.
    top_source = index.passages[measured[0][0]].source
    together = sorted({row for row in rows if index.passages[row].source == top_source})
    if len(together) > 1 and opposed is None:
        verdict = _support(sentence, together[:3], vector, index, embedder, topic)
        if verdict.supported:
            return Checked(sentence, "supported", "", (_evidence(index, together[:3][verdict.passage], verdict),))
    # A passage about the same thing that says otherwise contradicts it.
    for row, s in measured:
        about = _about(sentence, s, topic)
        if about < ABOUT_AT:
            continue
        why = s.reason if _is_conflict(s.reason) else s.doubt if s.doubt and _opposed(sentence, s) else ""
        if _is_conflict(why) and (held or (not _replaced_numbers(sentence, s.sentence) and not cite.unmatched(own, nearby))):
            # Another sentence found gives all its figures, or no figure stands in
            # place of its own, which are in the passages found: it joins facts.
            why = ""
        if not why and s.reason.startswith(cite.MISSING_NAME) and about >= NAMED_AT and _replaced_names(sentence, s.sentence):
            why = s.reason  # about the same thing, with another name in its place
        if not why and row in verdicts and verdicts[row].reason == cite.SAYS_OTHERWISE:
            why = verdicts[row].reason
        if why:
            found = cite.Verdict(False, s.score, s.sentence, 0, s.start, s.end, why)
            return Checked(sentence, "contradicted", instead(sentence, s.sentence, why), (_evidence(index, row, found),))
    row, s = measured[0]
    closest = cite.Verdict(False, s.score, s.sentence, 0, s.start, s.end, "")
    return Checked(sentence, "not_found", "no library passage says this; the closest is shown",
                   (_evidence(index, row, closest),))


NOT_SAID = "the passage does not say this"


def _heading(sentence: str) -> bool:
    """A short line with no closing stop: a heading or a caption, not a statement."""
    text = sentence.strip()
    return "\n" not in text and len(text.split()) <= 12 and not re.search(r"[.!?:;\"”’)]$", text)


DOUBT_AT = 0.9  # p(violation) at which the meaning model confirms a soft check's doubt


def _opposed(sentence: str, s) -> bool:
    """The meaning model agrees that the claim goes against the passage (a
    soft check alone misfires on paraphrases, so it does not decide)."""
    from . import nli, verify

    return nli.available() and verify.violation(sentence, s) >= DOUBT_AT


_CONFLICTS = ("for something else", "is not in the passage", "does not match")


def _is_conflict(reason: str) -> bool:
    """A hard check that shows the passage gives another number, date or
    month (a missing name alone only shows that it does not say this)."""
    return any(c in reason for c in _CONFLICTS)


def _about(sentence: str, s, topic) -> float:
    """The share of the claim's words, other than its numbers, that the
    passage's best sentence holds: is the passage about the same thing?"""
    weights = cite._weighted(re.sub(r"\d[\d,.]*", " ", sentence), topic)
    present = set(cite.content_words(s.sentence))
    return cite._coverage(weights, present)


def instead(claim: str, sentence: str, why: str) -> str:
    """What the sources say instead: 'the sources say 1952, not 1962'."""
    numbers = _replaced_numbers(claim, sentence)
    if numbers:
        return f"the sources say {', '.join(sorted(numbers[1]))}, not {', '.join(sorted(numbers[0]))}"
    names = _replaced_names(claim, sentence) if why.startswith(cite.MISSING_NAME) or "does not put" in why else None
    if names:
        return f"the sources say {names[1]}, not {names[0]}"
    return why


def _replaced_numbers(claim: str, sentence: str):
    """(the claim's numbers, the sentence's numbers in their place), or None:
    a year for a year, a figure for a figure."""
    mine, theirs = cite._quantities(claim), cite._quantities(sentence)
    lost = mine - theirs
    given = {q for q in theirs - mine if any(len(q) == len(x) for x in lost)}
    return (lost, given) if lost and given else None


def _replaced_names(claim: str, sentence: str):
    """(a name of the claim, the sentence's name in its place), or None."""
    mine = {n.lower() for n in cite._names(claim, sentence)}
    theirs = {n.lower() for n in cite._names(sentence, claim)}
    a = [n for n in cite._names(claim, sentence) if n.lower() not in theirs and not any(n.lower() in t for t in theirs)]
    b = [n for n in cite._names(sentence, claim) if n.lower() not in mine and not any(n.lower() in t for t in mine)]
    return (a[0], b[0]) if a and b else None


def _evidence(index, row: int, verdict) -> Evidence:
    p = index.passages[row]
    start, end = p.start + verdict.start, p.start + verdict.end
    return Evidence(p.source, p.title, p.page_at(start), p.id, squash(verdict.sentence), start, end, p.about("url"))
