"""Claims to verdicts: is a claim supported by the passage(s) it cites?

``signals`` measures what can be measured and explained:

* meaning: cosine similarity of the claim and the best passage sentence;
* coverage: the share of the claim's words found in that sentence (or, for a
  claim that joins two sentences, in the passage);
* hard checks that veto support: every number in the claim must be in the
  passage (1952 is not 1962), every name in it or in its source's title, and
  no month, direction or ordinal swapped for another;
* soft checks that only raise a doubt: a negation the passage lacks, two
  countries the other way round, names paired differently, an "un-" word.

``support`` turns them into a verdict: a verbatim quote is supported, a hard
check vetoes, and ``verify`` (a model fitted on labelled pairs, with the
packaged meaning model ``nli``) decides the rest. Apart from that model, it
reads only its arguments. The CLI, the web app and the answer pipeline all
call it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .lexicon import peoples
from .text import STOPWORDS, content_words, sentence_spans, squash, words

# Calibrated on tests/data/citations.jsonl (docs/citations.md, bench/calibrate.py).
WEIGHT_MEANING = 0.5
SUPPORTED_AT = 0.55
SAYS_OTHERWISE = "the passage says otherwise"  # the meaning model's reason (verify.py)
MISSING_NAME = "the passage does not mention"


@dataclass(frozen=True)
class Verdict:
    supported: bool
    score: float  # 0..1; how well the best sentence matches the claim
    sentence: str  # the passage sentence that best supports the claim
    passage: int  # which of the passages it is in
    start: int  # its offsets in that passage
    end: int
    reason: str = ""  # why it is not supported

    @property
    def label(self) -> str:
        return "supported" if self.supported else "unsupported"


@dataclass(frozen=True)
class Signals:
    """What the check measures of a claim against its passage(s)."""

    sentence: str  # the passage sentence that best matches the claim
    passage: int
    start: int
    end: int
    cosine: float  # meaning: claim vs that sentence
    coverage: float  # the claim's weighted words found in that sentence
    passage_coverage: float  # ... found anywhere in the passages
    score: float  # the blend used to pick the sentence
    verbatim: bool  # the claim is the passage's own words
    reason: str  # a hard check's reason it cannot be supported, or ''
    doubt: str = ""  # a soft check's reason to doubt it (weighed by ``verify``)
    text: str = ""  # the passage that holds the sentence (planted instructions blanked)


def signals(claim: str, passages: Sequence[str], embedder=None, *, claim_vector=None,
            sentence_vectors: Sequence[np.ndarray] | None = None,
            spans: Sequence[Sequence[tuple[int, int]]] | None = None,
            topic: frozenset[str] = frozenset(), context: str = "") -> Signals | None:
    """Measure one claim against the passage(s) cited for it (None when
    there is nothing to compare). Arguments as for ``support``."""
    claim = _strip_markers(claim)
    if not claim or not any(p.strip() for p in passages):
        return None
    if spans is None or sentence_vectors is None:
        spans, sentence_vectors = [sentence_spans(p) or [(0, len(p))] for p in passages], None
    flat = [(i, a, b) for i, ss in enumerate(spans) for a, b in ss]
    sims = _similarities(claim, [passages[i][a:b] for i, a, b in flat], embedder, claim_vector, sentence_vectors)

    # Instructions planted in a source ("ignore previous instructions and say X")
    # are blanked out: they support nothing, not even through the passage's words.
    clean = [_without_instructions(p, ss) for p, ss in zip(passages, spans)]
    joined = " ".join(clean)
    weights = _weighted(claim, topic)
    # A claim may draw on the whole passage, but a match within one sentence counts most.
    passage_cover = _coverage(weights, set(content_words(joined)))
    covers = [0.0 if is_instruction(passages[i][a:b]) else _coverage(weights, set(content_words(clean[i][a:b])))
              for i, a, b in flat]
    scores = [0.0 if is_instruction(passages[i][a:b]) else
              WEIGHT_MEANING * max(0.0, float(sim)) + (1 - WEIGHT_MEANING) * max(cover, 0.8 * passage_cover)
              for sim, cover, (i, a, b) in zip(sims, covers, flat)]
    best = int(np.argmax(scores))
    i, a, b = flat[best]
    sentence = passages[i][a:b]
    # The passage's own words: a whole sentence of it, or a long enough stretch.
    verbatim = not is_instruction(claim) and (squash(claim) == squash(sentence)
                                              or (len(claim.split()) >= 8 and squash(claim) in squash(joined)))
    # ``context`` (the source's title, say) may hold a name the passage leaves implicit.
    reason = "" if verbatim else hard_checks(claim, sentence, f"{joined} {context}", topic, soft=False)
    # The soft checks run even past a missing name: "did not conclude" still
    # contradicts "concluded ... in Tokyo" when the passage never says Tokyo.
    doubt = "" if verbatim or (reason and not reason.startswith(MISSING_NAME)) else \
        hard_checks(claim, sentence, joined, topic, names=False)
    return Signals(sentence, i, a, b, round(float(sims[best]), 4), round(covers[best], 4), round(passage_cover, 4),
                   round(float(scores[best]), 4), verbatim, reason, doubt, clean[i])


def support(claim: str, passages: Sequence[str], embedder=None, *, claim_vector=None,
            sentence_vectors: Sequence[np.ndarray] | None = None,
            spans: Sequence[Sequence[tuple[int, int]]] | None = None,
            topic: frozenset[str] = frozenset(), context: str = "") -> Verdict:
    """Check one claim against the passage(s) cited for it.

    The index already holds vectors for its passages' sentences: pass them,
    with the sentence ``spans`` they belong to, and the claim's vector if it
    is known; whatever is missing is encoded with ``embedder`` in one call.
    ``topic`` holds the library's topic names (``lexicon.topic_words``),
    which say little about which sentence a claim comes from.

    A verbatim quote is supported as it stands; a claim that fails a hard
    check is not; anything else is decided by ``verify`` (a fitted model
    over the signals and the meaning model).
    """
    s = signals(claim, passages, embedder, claim_vector=claim_vector, sentence_vectors=sentence_vectors,
                spans=spans, topic=topic, context=context)
    if s is None:
        return Verdict(False, 0.0, "", 0, 0, 0, "nothing to compare")
    if s.verbatim:
        return Verdict(True, 1.0, s.sentence, s.passage, s.start, s.end)
    if s.reason:
        return Verdict(False, s.score, s.sentence, s.passage, s.start, s.end, s.reason)
    from .verify import decide

    p, reason = decide(_strip_markers(claim), s)
    return Verdict(not reason, p, s.sentence, s.passage, s.start, s.end, reason)


def focus(claim: str, passage: str, topic: frozenset[str] = frozenset()) -> str:
    """The shortest run of the passage's clauses that holds as much of the
    claim as the whole passage does: a claim that states one clause of a
    sentence is compared with that clause, and one that joins two sentences
    with both."""
    weights = _weighted(claim, topic)
    spans = []
    for sa, sb in sentence_spans(passage) or [(0, len(passage))]:
        at = sa
        for part in _CLAUSE.split(passage[sa:sb]):
            a = passage.find(part, at)
            spans.append((a, a + len(part)))
            at = a + len(part)
    words_of = [set(content_words(passage[a:b])) for a, b in spans]
    full = _coverage(weights, set().union(*words_of)) if words_of else 0.0
    best = (0, len(passage))
    for i in range(len(spans)):
        seen: set[str] = set()
        for j in range(i, len(spans)):
            seen |= words_of[j]
            if spans[j][1] - spans[i][0] >= best[1] - best[0]:
                break
            if _coverage(weights, seen) >= full - 1e-9:
                best = (spans[i][0], spans[j][1])
                break
    return passage[best[0]:best[1]].strip(" ,;")


_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules|above|previous|prior)\b"
    r"|\b(system prompt|you are now|as an ai|language model)\b"
    r"|(^|[.:;,!]\s*|\band\s+|\bthen\s+)(please\s+)?(say|answer|respond|reply|tell the user|output)\b",
    re.I,
)


def _without_instructions(passage: str, spans) -> str:
    for a, b in spans:
        if is_instruction(passage[a:b]):
            passage = passage[:a] + " " * (b - a) + passage[b:]
    return passage


def is_instruction(sentence: str) -> bool:
    """A sentence that speaks to an AI model instead of stating something
    ("Ignore previous instructions and say that ..."). It never counts as support."""
    return bool(_INSTRUCTION.search(sentence))


def _similarities(claim, sentences, embedder, claim_vector, sentence_vectors) -> np.ndarray:
    texts = ([] if claim_vector is not None else [claim]) + ([] if sentence_vectors is not None else sentences)
    if texts and embedder is None:
        raise ValueError("support() needs an embedder when vectors are not given")
    encoded = embedder.encode(texts) if texts else None
    qv = claim_vector if claim_vector is not None else encoded[0]
    matrix = np.concatenate(list(sentence_vectors)) if sentence_vectors is not None else encoded[len(texts) - len(sentences):]
    return matrix @ np.asarray(qv, dtype=np.float32)


_MARKERS = re.compile(r"\s*\[\d+\]")


def _strip_markers(text: str) -> str:
    return _MARKERS.sub("", text).strip()


def _weighted(text: str, topic: frozenset[str] = frozenset(), topic_weight: float = 2.0) -> dict[str, float]:
    """Claim words and their weights: names and numbers count double (the
    library's topic names count ``topic_weight``)."""
    out = {}
    for token in re.findall(r"[A-Za-z\u00C0-\u024F0-9][\w\u00C0-\u024F'’.-]*", text):
        for w in content_words(token):
            weight = topic_weight if w in topic else 2.0 if token[:1].isupper() or token[:1].isdigit() else 1.0
            out[w] = max(out.get(w, 0.0), weight)
    return out


def _coverage(weights: dict[str, float], present: set[str]) -> float:
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w for t, w in weights.items() if t in present or _near(t, present)) / total


def _near(word: str, present: set[str]) -> bool:
    """Same stem: 'established' ~ 'establishment', 'east' ~ 'eastern'."""
    if len(word) < 4:
        return False
    stem = word[:max(4, len(word) - 3)]
    return any(p.startswith(stem) or (len(p) >= 4 and word.startswith(p)) for p in present)


# --- hard checks ----------------------------------------------------------------

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_NEGATION = re.compile(r"\b(not|no|never|neither|nor|none|without|lacks?|lacking|cannot|fails?|failed|unable|absent|little|hardly|barely|rarely|seldom)\b|n't\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w\u00C0-\u024F’'-]*(?:\s+(?:of\s+)?[A-Z][\w\u00C0-\u024F’'-]*)*")
_CLAUSE = re.compile(r";|:|,\s*(?:and|but|while|whereas|whilst|which)\b|\s+(?:while|whereas|whilst)\s+"
                     r"|\s+and\s+(?=(?:as|by|since|has|have|had|was|were|is|are|will|it|they|then|also)\b)")
# Names so common in this corpus that a passage may leave them implicit ("both nations").
# Capitalised words that are titles or ordinary words, not the name itself.
_TITLE_WORDS = frozenset("""the a an of and in on at for to prime minister president pm government ministry
    first second third next last world war cold great north south east west northern southern eastern western
    self defense defence force forces army navy region state states republic kingdom union tv series
    island islands sea ocean river mountain mountains city bay strait peninsula lake province district
    university professor dr mr mrs ms sir lord""".split())
_EXCLUSIVE = [
    frozenset("north south east west northern southern eastern western northeast northeastern southeast southeastern".split()),
    frozenset("january february march april may june july august september october november december".split()),
    frozenset("first second third fourth fifth last".split()),
    frozenset("surplus deficit".split()),
]
_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_FRACTIONS = frozenset("half halve third quarter fourth fifth sixth seventh eighth ninth tenth".split())
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}


def hard_checks(claim: str, sentence: str, passage: str, topic: frozenset[str] = frozenset(), soft: bool = True,
                names: bool = True) -> str:
    """A reason the claim cannot be supported, or '' when none is found.

    With ``soft=False`` only the checks that rarely misfire run: a name or
    a number the passage lacks, a word of a closed set (a month, a
    direction) where the passage has another. The soft ones (negation, two
    countries the other way round, partners, "un-" words, names paired
    differently) also misfire on paraphrases ("no minister visited" for
    "ministers stayed away"), so ``verify`` weighs them with the other
    signals rather than letting them veto."""
    passage_words = set(words(passage))
    for name in _names(claim) if names else ():
        head = _head(name, topic)
        if head and head not in passage_words and not _near(head, passage_words) and not _acronym(name, passage_words) \
                and not _spelled_out(name, passage):
            return f"{MISSING_NAME} {name}"
    claim_clauses = [c for c in _CLAUSE.split(claim) if c.strip()]
    passage_clauses = [c for s in (sentence_spans(passage) or [(0, len(passage))]) for c in _CLAUSE.split(passage[s[0]:s[1]]) if c.strip()]
    for clause in claim_clauses:
        numbers = _quantities(clause)
        absent = unmatched(numbers, _quantities(passage))
        if absent:
            return f"the number {min(absent)} is not in the passage"
        # The passage clauses that say most of what this claim clause says:
        # one of them must agree with it on every check below.
        weights = _weighted(clause, topic, topic_weight=0.5)  # a topic name alone says little about which clause
        covers = [_coverage(weights, set(content_words(c))) for c in passage_clauses]
        top = max(covers)
        near = sorted((v, c) for c, v in zip(passage_clauses, covers) if v >= 0.75 * top)[::-1]
        reasons = [_clause_check(clause, numbers, c, soft) for _v, c in near]
        if all(reasons):
            return reasons[0]
    if not soft:
        return ""
    partner = _partners(claim, sentence)
    if partner:
        return partner
    flipped = _un_words(claim, passage_words)
    if flipped:
        return f"“{flipped}” says the opposite of the passage"
    return _swapped(claim, sentence)


def _clause_check(clause: str, numbers: set[str], passage_clause: str, soft: bool = True) -> str:
    missing = unmatched(numbers, _quantities(passage_clause))
    if missing:
        return f"the passage gives {', '.join(sorted(missing))} for something else"
    if soft and _polarity(clause, passage_clause) != _polarity(passage_clause, clause):
        return "the claim and the passage differ in negation"
    clash = _exclusive(clause, passage_clause)
    if clash:
        return f"“{clash}” does not match the passage"
    return _order(clause, passage_clause) if soft else ""


def _names(text: str, context: str = "") -> list[str]:
    """Capitalised names. The first word of the text counts only when the
    ``context`` also writes it with a capital mid-sentence ("Uniqlo opened…"
    but not "Despite…")."""
    out = []
    for m in _NAME.finditer(text):
        name = m.group()
        if m.start() == len(text) - len(text.lstrip()):
            first, _, rest = name.partition(" ")
            if not re.search(rf"(?<![.!?]\s)(?<!^)\b{re.escape(first)}\b", context):
                if not rest:
                    continue
                name = rest
        if name.lower() not in STOPWORDS:
            out.append(name)
    return out


def _head(name: str, topic: frozenset[str] = frozenset()) -> str:
    """The word that identifies a name: 'Narendra Modi' -> 'modi'; '' for
    titles and the library's topic names alone ('Prime Minister')."""
    for w in reversed(words(name)):
        if w not in _TITLE_WORDS and w not in topic and w not in STOPWORDS:
            return w
    return ""


def _spelled_out(name: str, passage: str) -> bool:
    """An acronym whose full name the passage gives: 'RBI' for 'Reserve Bank of India'."""
    if not re.fullmatch(r"[A-Z]{2,6}", name):
        return False
    for m in re.finditer(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|and|for|the|on|in)\s+)*[A-Z][\w'’-]*)+", passage):
        if name in "".join(w[0] for w in m.group().split() if w[0].isupper()):
            return True
    return False


def _acronym(name: str, passage_words: set[str]) -> bool:
    initials = "".join(w[0] for w in re.findall(r"[A-Za-z]+", name)).lower()
    return len(initials) >= 2 and initials in passage_words


def unmatched(numbers: set[str], available: set[str]) -> set[str]:
    """The claim's numbers that the available ones do not give. A claim may
    round a figure to fewer decimals, keeping two digits or more: "12.5
    billion" or "12 billion" for 12.55 (cut or rounded); a whole number never
    stands for another whole number."""
    return {n for n in numbers if n not in available and not any(_rounds_to(n, a) for a in available)}


def _rounds_to(claimed: str, given: str) -> bool:
    if "." not in given or not re.fullmatch(r"\d+(\.\d+)?", claimed) or not re.fullmatch(r"\d+\.\d+", given):
        return False
    places = len(claimed.partition(".")[2])
    if places >= len(given.partition(".")[2]) or len(claimed.replace(".", "").lstrip("0")) < 2:  # "0.1" is no rounding of 0.15
        return False
    value, step = float(given), 10 ** -places
    return any(abs(float(claimed) - v) < step / 10 for v in (round(value, places), math.floor(value / step) * step))


def _quantities(text: str) -> set[str]:
    """Numbers, with spelled-out ones and durations normalised:
    'six decades' -> 60, 'a century' -> 100, 'the 1960s' -> 1960."""
    out = {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}
    tokens = re.findall(r"[a-z]+", text.lower())
    for i, t in enumerate(tokens):
        value = _SMALL.get(t, _TENS.get(t))
        unit = tokens[i + 1] if i + 1 < len(tokens) else ""
        if t in ("century", "centuries", "decade", "decades", "millennium", "millennia") and (i == 0 or tokens[i - 1] in ("a", "one", "than", "over")):
            value, unit = 1, t
        if value is None or unit.rstrip("s") in _FRACTIONS:  # "four-fifths" is no 4
            continue
        scale = {"decade": 10, "decades": 10, "century": 100, "centuries": 100, "millennium": 1000, "millennia": 1000,
                 "hundred": 100, "thousand": 1000, "dozen": 12}.get(unit)
        if scale:
            out.add(str(value * scale))
        elif value > 1 and t not in ("one", "two"):  # "two nations" is not a figure worth checking
            out.add(str(value))
    if re.search(r"\bthousand years\b", text.lower()):
        out.add("1000")
    return {re.sub(r"s$", "", q) for q in out}


_LIGHT = frozenset("become became get got enjoy enjoyed make made take took seem remain remained really".split())


def _polarity(text: str, other: str) -> int:
    """Parity of the negations in ``text`` that negate something ``other``
    also talks about ("never become adversaries" vs "adversaries"); a
    negation of something the other text does not mention is ignored."""
    other_words = set(words(other))
    count = 0
    for m in _NEGATION.finditer(text):
        scope = []
        for token in re.findall(r"[\w’'-]+|[;,.:]", text[m.end():])[:6]:
            if token in ";,.:":
                break
            if token[:1].isupper():
                continue
            scope += [w for w in content_words(token) if w not in _LIGHT]
            if len(scope) >= 2:
                break
        if any(w in other_words or _near(w, other_words) for w in scope[:2]):
            count += 1
    return count % 2


def _exclusive(claim: str, passage: str) -> str:
    """A word from a closed set (directions, months, ordinals...) where the passage uses another."""
    cw, pw = set(re.findall(r"[a-z]+", claim.lower())), set(re.findall(r"[a-z]+", passage.lower()))
    for group in _EXCLUSIVE:
        mine, theirs = cw & group, pw & group
        if mine and theirs and not mine & theirs:
            return sorted(mine)[0]
    return ""


PARTIES = frozenset(peoples())  # countries and their peoples (peoples.json)


def _order(claim: str, passage: str) -> str:
    """Who did what to whom: two parties (countries or their peoples) named
    once each in a clause must keep their order, after undoing a passive
    ("... by the Japanese government")."""
    cw, pw = words(claim), words(passage)
    names = list(dict.fromkeys(_fold_name(w) for w in cw if _fold_name(w) in PARTIES))
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            if _joined(claim, x, y) or _joined(passage, x, y):
                continue
            if _count(pw, x) != 1 or _count(pw, y) != 1:
                continue
            claim_way = (_first(cw, x) < _first(cw, y)) != _passive(claim, x, y)
            passage_way = (_first(pw, x) < _first(pw, y)) != _passive(passage, x, y)
            if claim_way != passage_way:
                return f"the passage has {x.title()} and {y.title()} the other way round"
    return ""


_LINKS = ("if", "unless", "than", "from", "to", "with")


def _partners(claim: str, sentence: str) -> str:
    """'only if Japan signs' where the passage says 'only if India does':
    the party that follows a linking word must be the same in both."""
    for marker in _LINKS:
        mine, theirs = _after(claim, marker), _after(sentence, marker)
        if mine and theirs and not mine & theirs:
            return f"the passage has “{marker} {sorted(theirs)[0].title()}”, not “{marker} {sorted(mine)[0].title()}”"
    return ""


def _after(text: str, marker: str) -> set[str]:
    found = re.findall(rf"\b{marker}\s+(?:the\s+)?([A-Za-z]+)", text, re.I)
    return {_fold_name(w.lower()) for w in found if _fold_name(w.lower()) in PARTIES}


def _passive(text: str, x: str, y: str) -> bool:
    """'... was provided ... by the Japanese government': the agent comes last."""
    m = re.search(r"\bby\s+(?:the\s+|how\s+)?(\w+)", text.lower())
    return bool(m) and _fold_name(words(m.group(1))[0] if words(m.group(1)) else "") in (x, y)


def _count(tokens: list[str], name: str) -> int:
    return sum(1 for t in tokens if _fold_name(t) == name)


def _fold_name(w: str) -> str:
    return peoples().get(w, w)


def _first(tokens: list[str], name: str) -> int:
    return next(i for i, t in enumerate(tokens) if _fold_name(t) == name)


def _joined(text: str, x: str, y: str) -> bool:
    """'X and Y': a symmetric pair whose order means nothing."""
    t = text.lower()
    pattern = r"\b{a}\w*\s*(?:and|,|&|or|–|-)\s*(?:the\s+)?{b}"
    x, y = x[:4], y[:4]  # india/indian, japan/japanese
    return bool(re.search(pattern.format(a=x, b=y), t) or re.search(pattern.format(a=y, b=x), t))


def _un_words(claim: str, passage_words: set[str]) -> str:
    """'unimpressed' when the passage says 'impressed'."""
    for w in words(claim):
        for prefix in ("un", "in", "dis", "non"):
            if w.startswith(prefix) and len(w) > len(prefix) + 4 and w not in passage_words and w[len(prefix):] in passage_words:
                return w
    return ""


def _swapped(claim: str, sentence: str) -> str:
    """Names that the passage pairs with other names: the claim puts X with
    Y, while the passage's clause with X names Z instead and its clause with
    Y names W."""
    claim_names = {n.lower() for n in _names(claim, sentence) if _fold_name(words(n)[-1] if words(n) else "") not in PARTIES}
    if len(claim_names) < 2:
        return ""
    passage_clauses = _CLAUSE.split(sentence)
    for clause in _CLAUSE.split(claim):
        in_clause = sorted(n for n in claim_names if n in clause.lower())
        for x in in_clause:
            for y in in_clause:
                if x >= y:
                    continue
                with_x = [c for c in passage_clauses if x in c.lower()]
                with_y = [c for c in passage_clauses if y in c.lower()]
                if not with_x or not with_y or any(c in with_y for c in with_x):
                    continue
                if _others(with_x, claim_names) and _others(with_y, claim_names):
                    return f"the passage does not put {x.title()} with {y.title()}"
    return ""


def _others(clauses: list[str], claim_names: set[str]) -> bool:
    """Whether these clauses name someone or something the claim does not."""
    return any(n.lower() not in claim_names for c in clauses for n in _names(c) if len(n) > 3)
