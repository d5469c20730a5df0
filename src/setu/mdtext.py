"""Markdown to plain text, with its front matter and footnotes.

The text a reader would see is what gets split, embedded and quoted: no
``#``, ``**`` or ``[^3]`` in a quote. Each footnote marker is kept as a note
at the offset just after the text it follows, so that a quoted sentence
still carries its references. Parsing is markdown-it-py's, with the
front-matter and footnote plugins of mdit-py-plugins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .types import Reference

_URL = re.compile(r"https?://[^\s<>)\]]+")
# Blocks of their own: each starts a new line (list items, table cells) or a
# new paragraph (paragraphs, headings, code).
_PARAGRAPH_CLOSE = {"paragraph_close", "heading_close", "fence", "code_block", "html_block", "hr"}


@dataclass(frozen=True)
class Parsed:
    text: str
    meta: dict  # front matter, keys lower-cased, values as strings
    references: tuple[Reference, ...]
    notes: tuple[tuple[int, int], ...]  # (offset, index into references)
    headings: tuple[str, ...]
    unused: tuple[str, ...]  # footnote labels defined but never marked
    front_matter: bool


def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    return MarkdownIt("commonmark").use(front_matter_plugin).use(footnote_plugin)


def split_reference(content: str) -> Reference:
    """'Publisher, "Title", 2016-11-11, https://...' -> label and URL."""
    urls = _URL.findall(content)
    url = urls[-1].rstrip(".,;") if urls else ""
    label = content.replace(urls[-1], "") if urls else content
    return Reference(" ".join(label.split()).strip(" ,;"), url)


def parse(source_text: str) -> Parsed:
    env: dict = {}
    tokens = _parser().parse(source_text, env)
    meta: dict[str, str] = {}
    front = False
    out = ""
    marks: list[tuple[int, int]] = []  # (offset, footnote id)
    headings: list[str] = []
    definitions: dict[int, tuple[str, str]] = {}  # footnote id -> (label, content)
    in_footnote: int | None = None
    in_heading = False

    def end_block(sep: str) -> str:
        body = out.rstrip(" \t\n")
        return body + sep if body else ""

    for tok in tokens:
        if tok.type == "front_matter":
            front, meta = True, _front_matter(tok.content)
        elif tok.type == "footnote_open":
            in_footnote = tok.meta["id"]
            definitions[in_footnote] = (tok.meta.get("label", str(in_footnote)), "")
        elif tok.type == "footnote_close":
            in_footnote = None
        elif tok.type == "inline" and in_footnote is not None:
            label, content = definitions[in_footnote]
            definitions[in_footnote] = (label, (content + " " + tok.content).strip())
        elif tok.type == "heading_open":
            in_heading = True
        elif tok.type == "inline":
            start = len(out)
            for child in tok.children or []:
                if child.type in ("text", "code_inline", "html_inline"):  # raw HTML stays as text: quoted, never run
                    out += child.content
                elif child.type == "softbreak":
                    out += " "
                elif child.type == "hardbreak":
                    out += "\n"
                elif child.type == "footnote_ref":
                    marks.append((len(out.rstrip()), child.meta["id"]))
            if in_heading:
                headings.append(out[start:].strip())
                in_heading = False
            out = end_block("\n")
        elif tok.type in ("fence", "code_block", "html_block") and in_footnote is None:
            out += tok.content
        if tok.type in _PARAGRAPH_CLOSE and in_footnote is None:
            out = end_block("\n\n")
    text = out.rstrip()
    order = sorted(definitions)
    index = {fid: i for i, fid in enumerate(order)}
    references = tuple(split_reference(definitions[fid][1]) for fid in order)
    notes = tuple((min(at, len(text)), index[fid]) for at, fid in marks if fid in index)
    unused = tuple(label[1:] for label, fid in env.get("footnotes", {}).get("refs", {}).items() if fid == -1)
    return Parsed(text, meta, references, notes, tuple(headings), unused, front)


def _front_matter(content: str) -> dict[str, str]:
    import yaml

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):  # not YAML: read "key: value" lines
        data = {}
        for line in content.split("\n"):
            key, sep, value = line.partition(":")
            if sep and key.strip() and not key.startswith((" ", "\t", "-")):
                data[key] = value.strip().strip("\"'")
    return {str(k).strip().lower(): _as_text(v) for k, v in data.items() if v is not None}


def _as_text(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_as_text(v) for v in value)
    return str(value).strip()
