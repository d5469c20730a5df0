"""The `setu` command: a thin face on the library. Errors from the library
arrive typed; only here are they turned into messages and exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .config import load_settings
from .errors import IndexBusy, SetuError

_sources = click.option("--sources", type=click.Path(path_type=Path), help="Folder of source files [env SETU_SOURCES; default sources/]")
_index = click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder [env SETU_INDEX; default index/]")


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SetuError as e:
            click.echo(f"setu: {e}", err=True)
            ctx.exit(2)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="setu")
def main():
    """Setu answers questions about India–Japan relations from your sources,
    quoting them and citing every claim."""


@main.command("index")
@_sources
@_index
@click.option("--model", help="Embedding model: a sentence-transformers name or folder [env SETU_MODEL]")
@click.option("--chunk-words", type=int, help="Target passage length in words [env SETU_CHUNK_WORDS]")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar")
def index_cmd(sources, index_dir, model, chunk_words, quiet):
    """Build or update the index from the sources folder.

    Only new and changed files are read and embedded; deleted files are
    dropped. Exits with status 1 when any file could not be indexed.

    \b
        setu index --sources sources --index index
    """
    settings = load_settings(sources=sources, index=index_dir, model=model, chunk_words=chunk_words)
    report = _build_and_report(settings, quiet)
    sys.exit(1 if report.failed else 0)


def _build_and_report(settings, quiet: bool):
    """Run an incremental build and print what changed."""
    from .build import build

    bar = None if quiet else _ProgressBar()
    try:
        try:
            report = build(settings, progress=bar, wait=False)
        except IndexBusy as e:
            click.echo(f"setu: {e}; waiting for it to finish…", err=True)
            report = build(settings, progress=bar, wait=True)
    finally:
        if bar:
            bar.close()
    if report.rebuilt:
        click.echo("Settings changed since the last build (model or chunking): everything was indexed again.")
    for source in report.added:
        click.echo(f"  + {source}")
    for source in report.updated:
        click.echo(f"  ~ {source}")
    for source in report.removed:
        click.echo(f"  - {source}")
    for source, why in report.skipped:
        click.echo(f"  = {source}: {why}")
    for source, why in report.failed:
        click.echo(f"  ! {source}: {why}", err=True)
    state = "Index updated" if report.changed else "Index up to date"
    if report.failed:
        state += f" ({len(report.failed)} file(s) could not be indexed, listed above)"
    click.echo(f"{state}: {report.summary()}")
    return report


@main.command("add")
@click.argument("urls", nargs=-1)
@_sources
@_index
@click.option("--from", "from_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read URLs from a file: one per line, or the footnote URLs of a Markdown brief")
@click.option("--refresh", is_flag=True, help="Fetch again every source that came from a URL; update those that changed")
@click.option("--no-index", is_flag=True, help="Only save the files; do not update the index")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar")
def add_cmd(urls, sources, index_dir, from_file, refresh, no_index, quiet):
    """Fetch web pages, PDFs or text files into the sources folder and index them.

    Pages are reduced to their article (no menus, footers or banners) and
    saved as Markdown with their URL, title, publisher, date and fetch time;
    PDFs and text are saved as they are. Private and loopback addresses are
    refused unless SETU_ALLOW_PRIVATE=1. Exits with status 1 when any URL failed.

    \b
        setu add https://www.mea.gov.in/some-joint-statement.htm
        setu add --from sources/briefs/trade-cepa-2011.md --no-index
        setu add --refresh
    """
    from .add import add_url, library_urls, refresh as refresh_all, urls_in
    from .fetch import FetchError

    settings = load_settings(sources=sources, index=index_dir)
    wanted = list(urls) + (urls_in(from_file) if from_file else [])
    if not wanted and not refresh:
        raise click.UsageError("give one or more URLs, --from FILE, or --refresh")
    results = refresh_all(settings) if refresh else []
    known = library_urls(settings)
    for url in wanted:
        try:
            result = add_url(settings, url, known)
            known[result.url] = result.path
            results.append(result)
        except (FetchError, SetuError) as e:
            results.append(e)
    failed = 0
    for r in results:
        if isinstance(r, SetuError):
            failed += 1
            click.echo(f"  ! {r}", err=True)
        else:
            mark = {"added": "+", "updated": "~", "unchanged": "="}[r.status]
            click.echo(f"  {mark} {r.url} -> {r.path.as_posix()} ({r.status})")
    changed = [r for r in results if not isinstance(r, SetuError) and r.status != "unchanged"]
    click.echo(f"{len(changed)} changed, {sum(1 for r in results if not isinstance(r, SetuError)) - len(changed)} "
               f"unchanged, {failed} failed")
    if changed and not no_index:
        report = _build_and_report(settings, quiet)
        failed += len(report.failed)
    sys.exit(1 if failed else 0)


class _ProgressBar:
    """Adapts the library's progress callback to a tqdm bar on stderr."""

    def __init__(self):
        self.bar = None

    def __call__(self, fraction: float, message: str):
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=100, desc="Indexing", file=sys.stderr, bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}")
        self.bar.n = round(100 * fraction)
        self.bar.set_postfix_str(message[:60])

    def close(self):
        if self.bar is not None:
            self.bar.close()


_llm_url = click.option("--llm-url", help="OpenAI-compatible endpoint for generated answers [env SETU_LLM_URL]")
_llm_model = click.option("--llm-model", help="Model name at that endpoint [env SETU_LLM_MODEL]")


@main.command("ask")
@click.argument("questions", nargs=-1, required=True)
@_index
@_llm_url
@_llm_model
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question, one per line")
def ask_cmd(questions, index_dir, llm_url, llm_model, as_json):
    """Answer questions from the indexed sources, with cited quotes.

    Without a language model the answer quotes the sources' own sentences.
    With one (SETU_LLM_URL and SETU_LLM_MODEL, or the flags) the answer is
    written by the model and every sentence is checked before it is shown.

    \b
        setu ask "When did India and Japan establish diplomatic relations?"
        setu ask --json "first question" "second question"
        setu ask --llm-url http://127.0.0.1:11434/v1 --llm-model llama3.2 "How big is trade?"
    """
    from .answer import to_json
    from .engine import Engine

    if any(not q.strip() for q in questions):
        raise click.UsageError("a question is empty: ask something, e.g. setu ask \"When was CEPA signed?\"")
    from . import remote

    settings = load_settings(index=index_dir, llm_url=llm_url, llm_model=llm_model)
    engine = None
    for number, question in enumerate(questions, start=1):
        if len(questions) > 1 and not as_json:
            click.echo(("\n" if number > 1 else "") + click.style(f"Q{number}: {question}", bold=True))
        data, streamed = remote.ask(settings, question), False  # a running `setu serve` answers at once
        if data is None:
            from .answer import to_json
            from .engine import Engine

            engine = engine or Engine(settings)
            for event in engine.stream(question):
                if event["type"] == "notice":
                    click.echo(f"setu: {event['text']}", err=True)
                elif event["type"] == "statement" and not as_json and event["statement"].verdict == "supported":
                    click.echo(event["statement"].text + " ", nl=False)  # shown as soon as it is checked
                    streamed = True
                elif event["type"] == "answer":
                    data = to_json(event["answer"])
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            click.echo(format_answer(data, skip_text=streamed))


def format_answer(data: dict, skip_text: bool = False) -> str:
    """An answer (the JSON of `setu ask --json`) for the terminal."""
    lines = ["" if skip_text else data["answer"], ""]
    cited = data.get("citations") or data.get("closest") or []
    if cited:
        lines.append("Sources:" if data.get("citations") else "Closest evidence (does not answer the question):")
    for c in cited:
        where = ", ".join(x for x in (c["source"], f"p. {c['page']}" if c.get("page") else "") if x)
        lines.append(f"[{c['n']}] {c['title']} — {where}")
        byline = ", ".join(c[k] for k in ("author", "publisher", "date") if c.get(k))
        if byline:
            lines.append(f"    {byline}")
        if c.get("url"):
            fetched = (c.get("fetched") or "")[:10]
            lines.append(f"    {c['url']}" + (f" (fetched {fetched})" if fetched else ""))
        lines.append(f"    “{' '.join(c['quote'].split())}”")
        for ref in c.get("references") or []:
            lines.append(f"    ↳ {ref['label']}" + (f" {ref['url']}" if ref.get("url") else ""))
    rejected = [s for s in data.get("statements") or [] if s["verdict"] in ("unsupported", "uncited")]
    if rejected:
        lines += ["", "Left out, because the sources do not support them:"]
        lines += [f"  ✗ {s['text']} ({s['verdict']}: {s['reason']})" for s in rejected]
    return "\n".join(lines).rstrip() + "\n"


@main.command("check")
@click.argument("files", type=str, nargs=-1, required=True)
@_index
@click.option("--json", "as_json", is_flag=True, help="One JSON report per input, one per line")
@click.option("--format", "fmt", type=click.Choice(["text", "md"]), default="text",
              help="md: a Markdown report with links to the sources (text and Markdown inputs)")
@click.option("--strict", is_flag=True, help="Also fail when a sentence cites nothing or is not found")
def check_cmd(files, index_dir, as_json, fmt, strict):
    """Check every sentence of a text, or of an answer, against the library.

    A plain-text or Markdown FILE (an essay, a briefing note, another
    chatbot's answer): each sentence is supported, contradicted, not_found,
    or miscited. Sentences with [n] or [^n] markers are checked against the
    source their reference names (a library file, title or URL); the others
    against the whole library. A JSON FILE in the shape `setu ask --json`
    prints is checked against its own citations. '-' reads standard input
    (JSON when it starts with '{'). Exits with status 1 when a sentence is
    contradicted or miscited (or, with --strict, not found or uncited).

    \b
        setu check essay.md
        setu check --format md essay.md > report.md
        setu ask --json "When were relations established?" | setu check -
    """
    from . import remote
    from .errors import IndexMissing, InputError

    settings = load_settings(index=index_dir)
    raw = {file: _read_text(file) for file in files}
    loaded: dict = {}

    def library():
        """The index and its model, loaded on first need (a running server spares both)."""
        if not loaded:
            from .embed import embedder_for
            from .index import open_index

            try:
                index = open_index(settings.index)
                loaded.update(index=index, embedder=embedder_for(index.model))
            except IndexMissing:
                loaded.update(index=None, embedder=embedder_for(settings.model))
        return loaded["index"], loaded["embedder"]

    all_ok, failed = True, False
    for file, text in raw.items():
        name = "standard input" if file == "-" else file
        if text.lstrip().startswith(("{", "[{")):
            index, embedder = library()
            all_ok &= _check_answers(text, name, embedder, index, as_json, strict)
            continue
        from .textreport import TextReport, as_markdown, as_terminal

        data = remote.check_text(settings, text, name)  # a running `setu serve` checks at once
        try:
            if data is not None and data.get("error"):
                raise InputError(data["error"])
            if data is not None:
                report = TextReport.from_json(data)
            else:
                index, embedder = library()
                if index is None:
                    raise IndexMissing(f"{name}: checking a text needs an index; run `setu index` first")
                from .textcheck import check_text

                report = check_text(text, index, embedder, name)
        except InputError as e:  # one unreadable input does not stop the others
            click.echo(f"setu: {e}", err=True)
            failed = True
            continue
        if len(raw) > 1 and not as_json and fmt != "md":
            click.echo(click.style(f"== {name}", bold=True))
        bad = {"contradicted", "miscited"} | ({"not_found"} if strict else set())
        all_ok &= not any(s.verdict in bad for s in report.sentences)
        if as_json:
            click.echo(json.dumps(report.to_json(), ensure_ascii=False))
        elif fmt == "md":
            click.echo(as_markdown(report), nl=False)
        else:
            click.echo(as_terminal(report, color=sys.stdout.isatty()))
    sys.exit(2 if failed else 0 if all_ok else 1)


def _read_text(file: str) -> str:
    """A file's text (or standard input's): UTF-8, with or without a byte-order mark, or UTF-16 with one."""
    from .errors import InputError

    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as e:
        raise InputError(f"{file}: cannot read ({e.strerror})") from None
    name = "standard input" if file == "-" else file
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: not a text file (it holds binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text; save it as UTF-8 and try again") from None


def _check_answers(raw: str, name: str, embedder, index, as_json: bool, strict: bool) -> bool:
    from .check import check, read_inputs_text

    if index is None:
        click.echo("setu: no index, so sources cannot be compared for staleness", err=True)
    ok = True
    for item in read_inputs_text(raw, name):
        report = check(item, embedder, index)
        ok &= report.ok and not (strict and any(c.verdict == "uncited" for c in report.claims))
        if as_json:
            click.echo(json.dumps(report.to_json(), ensure_ascii=False))
        else:
            click.echo(format_report(report, item))
    return ok


_MARKS = {"supported": ("✓", "green"), "unsupported": ("✗", "red"), "uncited": ("?", "yellow")}


def format_report(report, item) -> str:
    from .check import parse

    _text, citations = parse(item)
    lines = []
    for claim in report.claims:
        mark, colour = _MARKS[claim.verdict]
        head = click.style(f"{mark} {claim.verdict}", fg=colour, bold=True)
        lines.append(f"{head} ({claim.score:.2f})  {claim.text}")
        if claim.reason and claim.verdict != "uncited":
            lines.append(f"    why: {claim.reason}")
        if claim.support_n is not None:
            c = citations[claim.support_n]
            passage = c["passage"]
            before, mid, after = (passage[: claim.support_start], passage[claim.support_start : claim.support_end],
                                  passage[claim.support_end :])
            where = c.get("source") or "passage"
            shown = [" ".join(before.split()), click.style(" ".join(mid.split()), bold=True, reverse=True),
                     " ".join(after.split())]
            lines.append(f"    [{claim.support_n}] {where}: " + " ".join(part for part in shown if part))
    for n in report.missing:
        lines.append(click.style(f"✗ [{n}] points at no citation", fg="red", bold=True))
    for n, why in report.stale:
        lines.append(click.style(f"✗ [{n}] stale: {why}", fg="red", bold=True))
    lines.append(f"{report.supported_ratio:.0%} of sentences supported")
    return "\n".join(lines) + "\n"


@main.command("eval")
@click.argument("qa_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_index
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write report.md and chart.png here")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object")
@click.option("--split", type=click.Choice(["tune", "heldout"]), help="Only the questions of this part of a split set")
def eval_cmd(qa_file, index_dir, out, as_json, split):
    """Run a question set and report retrieval, answer, citation and abstention quality.

    Each line of QA_FILE is {"question", "expected", "support"} for an answerable
    question, or {"question", "off_topic": true} / {"question", "unanswerable": true}.

    \b
        setu eval tests/data/qa.jsonl --out eval-report
        setu eval tests/data/broad.jsonl --split heldout
    """
    from . import evaluate
    from .embed import embedder_for
    from .index import open_index

    settings = load_settings(index=index_dir)
    index = open_index(settings.index)
    summary, rows = evaluate.run(evaluate.read_items(qa_file, split), index, embedder_for(index.model), full=True)
    if out:
        report, chart = evaluate.write_report(summary, rows, out, str(qa_file))
        click.echo(f"Wrote {report} and {chart}", err=True)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(evaluate.confusion_table(summary) + "\n")
        for key, value in summary.items():
            click.echo(f"{key:24} {value}")


@main.command("serve")
@_sources
@_index
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7860, show_default=True, type=int)
@click.option("--read-only", is_flag=True, help="Hide the Library's upload, remove and rebuild actions")
@_llm_url
@_llm_model
def serve_cmd(sources, index_dir, host, port, read_only, llm_url, llm_model):
    """Start the web chat. Binding to anything but 127.0.0.1 needs SETU_AUTH
    (user:password for the Library's write actions) or --read-only.

    \b
        setu serve --port 7860
        SETU_AUTH=admin:long-secret setu serve --host 0.0.0.0
    """
    from .web import serve

    settings = load_settings(sources=sources, index=index_dir, llm_url=llm_url, llm_model=llm_model)
    serve(settings, host=host, port=port, read_only=read_only)


@main.command("config")
@_sources
@_index
def config_cmd(sources, index_dir):
    """Show the settings in force and the state of the index.

    \b
        setu config
    """
    from .index import current_generation

    settings = load_settings(sources=sources, index=index_dir)
    for key, value in settings.shown().items():
        click.echo(f"{key:14} {value}")
    gen = current_generation(settings.index)
    click.echo(f"{'generation':14} {gen.name if gen else '(none: run `setu index`)'}")


if __name__ == "__main__":
    main()
