"""What a question asks for, and whether a sentence gives it.

Each kind of question is a named rule: a pattern that recognises the
question, and a test a sentence must pass to answer it. The patterns are
English question forms, not words of any one library.
"""

from __future__ import annotations

import re

from .text import content_words

# --- kinds of question: pattern that asks, and what the answer must hold ------

ASKS = {
    "number": re.compile(r"\b(how (many|much|large|big|high|long)|what (percentage|percent|share|proportion|amount|"
                         r"number|figure|sum|value|stake|size)|how many)\b", re.I),
    "year": re.compile(r"^\W*(and |so |but )?when\b|\b(what|which|on what|in what) (year|date|day|month|decade|century)\b"
                       r"|\bsince when\b", re.I),
    "person": re.compile(r"^\s*(who|whom|whose)\b|\b(which|what) (person|leader|prime minister|minister|author|"
                         r"official|ambassador|monk|scholar|president)\b", re.I),
    # "What is the Quad?", "What was the Eight-fold Initiative?", "What does FOIP stand for?": a short name, no figures.
    "definition": re.compile(r"^\W*what (is|are|was|were) (an? |the )?(?P<term>[A-Za-z'’&+-]+(\s+[A-Za-z'’&+-]+){0,5})\s*\??\s*$"
                             r"|^\W*what does (the abbreviation |the acronym )?(?P<term2>[A-Za-z'’&+-]+(\s+[A-Za-z'’&+-]+){0,5}) "
                             r"(mean|stand for)\s*\??\s*$", re.I),
}
KIND_WORDS = {"number": "a figure", "year": "a date", "person": "a name", "definition": "a definition"}

# What a sentence must hold for each kind.
FIGURE = re.compile(r"[$₹¥€£]?\d[\d,.]*%?")
FIGURE_WORDS = re.compile(r"\b(hundreds?|thousands?|millions?|billions?|trillions?|dozens?|percent|lakhs?|crores?|"
                          r"half|third|quarter|double|twice)\b", re.I)
YEAR_ONLY = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
DATE = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(January|February|March|April|May|June|July|August|September|"
                  r"October|November|December|century|decade|era|period|since|ancient)\b", re.I)
DEFINES = r"\s*(\([^)]*\)\s*)?(,\s*)?(is|are|was|were|refers to|means|stands for|began as|,? an?\b|,? the\b)"
ROLES = ("prime minister", "pm", "president", "ambassador", "minister", "founder", "chairman", "ceo", "leader",
         "emperor", "king", "queen", "head", "monk", "chief")
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zÀ-ɏ]+")
# Numbers a question names: years, amounts and ordinals ("the 16th summit").
NUMBER_IN_QUESTION = re.compile(r"\b\d+(?:st|nd|rd|th)\b|\b\d[\d,.]*\d\b|\b\d\b")


def needed_kind(question: str) -> str | None:
    """'number', 'year', 'person' or 'definition' when the question asks for one."""
    for kind, pattern in ASKS.items():
        if pattern.search(question):
            return kind
    return None


def question_numbers(question: str) -> list[str]:
    return NUMBER_IN_QUESTION.findall(question)


def defined_term(question: str) -> str:
    m = ASKS["definition"].search(question)
    return ((m.group("term") or m.group("term2") or "") if m else "").strip()


def kind_fits(sentence: str, kind: str, question: str, generic: frozenset[str] = frozenset(),
              known=None) -> bool:
    """Whether a sentence holds the kind of thing asked for: a figure that is
    not just a year, a date, a name in the role asked about, or a sentence
    that says what the asked-about term is (not one that only mentions it)."""
    if any(n not in sentence for n in question_numbers(question)):
        return False
    if kind == "number":
        counted = _counted(question) - generic
        words = set(content_words(sentence))
        return has_figure(sentence) and (not counted or near_any(counted, words))
    if kind == "year":
        return bool(DATE.search(sentence))
    if kind == "definition":
        return defines(sentence, defined_term(question))
    return names_someone(sentence, question, known)


def defines(sentence: str, term: str) -> bool:
    """'The Quad is an informal grouping …', 'JIMEX, the naval exercise …'."""
    if not term:
        return False
    words = [re.escape(w) for w in re.findall(r"[\w'’&+-]+", term) if w.lower() not in ("the", "a", "an")]
    if not words:
        return False
    name = r"\W+(?:\w+\W+){0,2}?".join(words)
    subject = re.match(rf"\W*(?:\S+\s+){{0,4}}?{name}\b", sentence, re.I)  # the sentence is about it: "The Quad, …, is"
    purpose = re.search(rf"\b(launched|set up|established|created|formed|founded|started)\s+(an?\s+|the\s+)?"
                        rf"(?:\S+\s+){{0,2}}?{name}\w*\s+(to|for|as|that|which)\b", sentence, re.I)  # "launched X to …"
    return bool(subject or purpose or re.search(rf"\b{name}\w*{DEFINES}", sentence, re.I)
                or re.search(rf"\b(called|known as|named)\s+(the\s+)?{name}", sentence, re.I)
                or re.search(rf"[A-Z][\w-]*(\s+[\w-]+){{1,8}}\s*\(\s*{name}\s*\)", sentence))


def has_figure(sentence: str) -> bool:
    """A count, amount or share: years ("in 1958") do not answer "how many"."""
    for m in FIGURE.finditer(sentence):
        token = m.group()
        if not YEAR_ONLY.fullmatch(token.rstrip(".,")) or token[0] in "$₹¥€£":
            return True
    return bool(FIGURE_WORDS.search(sentence))


def _owner(word: str) -> str:
    """'Japan's', 'Japanese' and 'Japan' -> 'japan': a possessive or adjective
    before a role, folded to a stem that a country and its adjective share."""
    w = word.lower().replace("’", "'").removesuffix("'s")
    return w[:5] if len(w) >= 4 and w[:1].isalpha() else ""


def names_someone(sentence: str, question: str, known=None) -> bool:
    """For "who" questions. With a role ("Japan's prime minister"), the
    sentence must name a person next to that role ("Prime Minister Kishi",
    "its ambassador to India, Hiroshi Hirabayashi"), of the same owner when
    both say whose; otherwise it must name someone new, and do what the
    question asks ("Who founded …?" needs a sentence about founding) when
    the library uses that verb at all (else the reader's word is a
    paraphrase that cannot be checked)."""
    q = question.lower()
    role = next((r for r in ROLES if re.search(rf"\b{r}\b", q)), None)
    asked_words = set(content_words(question))
    if role:
        asked = re.search(rf"\b([A-Z][\w’']+)\s+{role}\b", question, re.I)
        owner = _owner(asked.group(1)) if asked and asked.group(1)[0].isupper() else ""
        pattern = (rf"(?:([\w’']+)\s+)?(?:the\s+(?:then\s+)?)?\b{role}\b(?:\s+(?:of|to|in|for)\s+[\w’'-]+)?,?\s+"
                   rf"([A-Z][\w.-]+(?:\s+[A-Z][\w.-]+)*)")
        for m in re.finditer(pattern, sentence, re.I):
            if not m.group(2)[0].isupper() or set(content_words(m.group(2))) <= asked_words:
                continue
            before = m.group(1) or ""
            said = _owner(before) if before[:1].isupper() else ""
            if not owner or not said or said == owner:
                return True
        return False
    verbs = content_words(re.sub(r"^\W*(who|whom|whose)\b", "", question, flags=re.I))[:1]
    new_name = any(content_words(w) and content_words(w)[0] not in asked_words for w in _CAPITALISED.findall(sentence))
    return new_name and (not verbs or near_any(set(verbs), set(content_words(sentence))))


def near_any(wanted: set[str], present: set[str]) -> bool:
    """Shared stems: 'funds' ~ 'funded', 'sign' ~ 'signed'."""
    return any(same_stem(w, p) for w in wanted for p in present)


def same_stem(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return (len(short) >= 4 and long.startswith(short)) or (len(short) >= 5 and a[:5] == b[:5])


# Words that frame a question rather than name its subject: "What does the
# abbreviation FOIP stand for?", "What name does the article use …?".
FRAME_WORDS = frozenset("""abbreviation acronym stand mean meaning name named called term word article author source
    sources text say said according describe described kind type example""".split())


_AUXILIARY = frozenset("has have had did does do is are was were will would can could of in on at to for".split())


def _counted(question: str) -> set[str]:
    """What a figure question counts: "how many Indian students studied …" ->
    {indian, student}; "how big is the Japanese economy" -> {japanese, economy}."""
    m = re.search(r"\bhow many\s+((?:[\w’'-]+\s+){0,2}[\w’'-]+)", question, re.I)
    if m:  # the thing counted is the last word before the verb: "how many Indian students study" -> student
        kept = []
        for word in m.group(1).split():
            if word.lower() in _AUXILIARY:
                break
            kept.append(word)
        head = content_words(" ".join(kept))
        return set(head[-1:]) if len(kept) < 3 else set(head[-2:])
    m = re.search(r"\bhow (?:big|large|high|long)\s+(?:is|are|was|were)\s+(?:the\s+)?((?:[\w’'-]+\s+){0,2}[\w’'-]+)",
                  question, re.I)
    return set(content_words(m.group(1))) if m else set()
