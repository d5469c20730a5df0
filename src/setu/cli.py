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

        setu index --sources sources --index index
    """
    from .index import build

    settings = load_settings(sources=sources, index=index_dir, model=model, chunk_words=chunk_words)
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
    click.echo(("Index updated: " if report.changed else "Index up to date: ") + report.summary())
    sys.exit(1 if report.failed else 0)


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


@main.command("ask")
@click.argument("questions", nargs=-1, required=True)
@_index
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question, one per line")
def ask_cmd(questions, index_dir, as_json):
    """Answer questions from the indexed sources, with cited quotes.

        setu ask "When did India and Japan establish diplomatic relations?"
        setu ask --json "first question" "second question"
    """
    from .answer import ask, to_json
    from .embed import embedder_for
    from .index import open_index

    settings = load_settings(index=index_dir)
    index = open_index(settings.index)
    embedder = embedder_for(index.model)
    for question in questions:
        answer = ask(question, index, embedder)
        if as_json:
            click.echo(json.dumps(to_json(answer), ensure_ascii=False))
        else:
            click.echo(format_answer(answer))


def format_answer(answer) -> str:
    lines = [answer.text, ""]
    cited = answer.citations or answer.closest
    if cited:
        lines.append("Sources:" if answer.citations else "Closest evidence (does not answer the question):")
    for c in cited:
        where = ", ".join(x for x in (c.passage.source, c.passage.page_label) if x)
        lines.append(f"[{c.n}] {c.passage.title} — {where}")
        lines.append(f"    “{' '.join(c.quote.split())}”")
    return "\n".join(lines).rstrip() + "\n"


@main.command("serve")
@_sources
@_index
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7860, show_default=True, type=int)
def serve_cmd(sources, index_dir, host, port):
    """Start the web chat.

        setu serve --port 7860
    """
    from .web import serve

    serve(load_settings(sources=sources, index=index_dir), host=host, port=port)


@main.command("config")
@_sources
@_index
def config_cmd(sources, index_dir):
    """Show the settings in force and the state of the index.

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
