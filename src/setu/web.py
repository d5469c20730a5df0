"""The web chat (Gradio 6): a Chat tab with evidence cards, a Check tab, a
Library tab for sources, and the `/ask` API. A thin face on the same
functions as the CLI; heavy imports happen only when serving."""

import hmac
import html
import ipaddress
import json
import re
import sys
from pathlib import Path

from .answer import to_json
from .check import check, read_inputs_text
from .config import Settings
from .embed import embedder_for
from .engine import Engine
from .errors import ConfigError, InputError, SetuError, SourceError
from .add import add_url, library_urls
from .library import REMOVED, add_file, inventory, remove_file, removed_files, resolve_served, restore_file
from .lexicon import describe
from .render import (CSS, EMPTY, HEAD, answer_markdown, conversation_as_markdown, evidence_panel, library_line_html,
                     report_html, source_link, source_page, text_report_html)
from .textcheck import check_text, split_text
from .textreport import as_markdown

EXAMPLES = [
    "When did India and Japan establish diplomatic relations?",
    "When did the civil nuclear agreement enter into force?",
    "What is JIMEX?",
    "Which Japanese retailers opened stores in India?",
]
TABLE_HEADERS = ["Title", "File", "Type", "Pages", "Passages", "References", "Indexed", "Status"]
_MARKER_END = re.compile(r"\[\d+\]")
_ANSWER_JSON = re.compile(r"\s*(\{|\[\s*\{)")  # an answer's JSON (or a list of them), as `setu check` reads it
MAX_CHECK_CHARS = 30_000  # about 5,000 words: a long article, checked in well under a minute


def _text_of(content) -> str:
    """Chat content as plain text (the browser may send a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(_text_of(part) for part in content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return str(content or "")


def check_pasted_text(text: str, index, sources_dir: Path) -> tuple[str, str]:
    """Plain text or Markdown checked against the library: the annotated HTML
    for the Check tab and the Markdown report to download."""
    report = check_text(text, index, embedder_for(index.model), "pasted text")
    data = report.to_json()
    wanted = {e["passage"] for s in data["sentences"] for e in s["evidence"]}
    passages = {p.id: p for p in index.passages if p.id in wanted}
    for s in data["sentences"]:
        for e in s["evidence"]:
            e["href"] = source_link(e["source"], sources_dir, e["page"], e["start"], e["end"])
            p = passages.get(e["passage"])
            if p is not None and p.start <= e["start"] <= e["end"] <= p.end:  # the quote inside its passage
                e["context"], e["at"] = p.text, (e["start"] - p.start, e["end"] - p.start)
    markdown = as_markdown(report, link=lambda e: e.url or _library_path(e.source, sources_dir))
    return text_report_html(data, paragraph_sizes(text)), markdown


def paragraph_sizes(text: str) -> list[int]:
    """How many checked sentences each paragraph of ``text`` holds, split as
    ``check_text`` splits it (the page falls back to one paragraph if the
    counts disagree)."""
    return [n for n in (len(split_text(part)[0]) for part in re.split(r"\n[ \t]*\n", text)) if n]


def _library_path(source: str, sources_dir: Path) -> str:
    """A source as a path under the sources folder (``sources/briefs/x.md``)."""
    try:
        return (Path(sources_dir.name) / Path(source).resolve().relative_to(sources_dir.resolve())).as_posix()
    except ValueError:
        return source


def build_ui(engine: Engine, read_only: bool = False):
    import gradio as gr

    settings = engine.settings
    sources_dir = settings.sources
    credentials = settings.credentials()

    # --- chat -----------------------------------------------------------------

    def respond(message, history, answers):
        question = (message or "").strip()
        if not question:
            yield history, "", answers, gr.update(), gr.update()
            return
        earlier = tuple(_text_of(m["content"]) for m in history if m.get("role") == "user")
        history = [*history, {"role": "user", "content": question}]
        message_index = len(history)
        shown: list[str] = []
        data = None
        try:
            for event in engine.stream(question, earlier):
                if event["type"] == "statement" and event["statement"].verdict == "supported":
                    # A generated sentence appears only once the support check has accepted it.
                    shown.append(event["statement"].text)
                    partial = answer_markdown({"answer": " ".join(shown) + " …", "citations": []}, message_index)
                    yield [*history, {"role": "assistant", "content": partial}], "", answers, gr.update(), gr.update()
                elif event["type"] == "notice":
                    gr.Warning(event["text"])
                elif event["type"] == "answer":
                    data = to_json(event["answer"])
        except SetuError as e:
            yield [*history, {"role": "assistant", "content": f"⚠️ {e}"}], "", answers, gr.update(), gr.update()
            return
        answers = {**answers, str(message_index): data}
        if data["mode"] == "extractive":  # stream the quoted answer one cited sentence at a time
            text = data["answer"]
            for m in list(_MARKER_END.finditer(text))[:-1]:
                partial = answer_markdown({**data, "answer": text[: m.end()], "statements": []}, message_index)
                yield [*history, {"role": "assistant", "content": partial}], "", answers, gr.update(), gr.update()
        final = [*history, {"role": "assistant", "content": answer_markdown(data, message_index)}]
        yield final, "", answers, evidence_panel(answers, sources_dir), pick_choices(answers)

    def new_chat():
        return [], {}, EMPTY, "", gr.update(choices=[], value=None)

    def export(answers):
        if not answers:
            gr.Warning("Ask something first: there is nothing to export yet.")
            return gr.update(visible=False)
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="setu-export-"))
        path = folder / "setu-conversation.md"
        path.write_text(conversation_as_markdown(answers), encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    def api_ask(question: str) -> dict:
        """Answer one question; the same JSON object as `setu ask --json`."""
        try:
            return to_json(engine.ask(question))
        except SetuError as e:
            return {"question": question, "answer": "", "abstained": True, "citations": [], "error": str(e)}

    def api_check_text(text: str, name: str) -> dict:
        """Check a text against the library; the same JSON object as `setu check --json`."""
        try:
            index = engine.index
            return check_text(text, index, embedder_for(index.model), name or "text").to_json()
        except SetuError as e:
            return {"input": name, "error": str(e)}

    # --- check ----------------------------------------------------------------

    def pick_choices(answers):
        return gr.update(choices=[(a["question"], k) for k, a in sorted(answers.items(), key=lambda kv: int(kv[0]))])

    def picked(key, answers):
        return json.dumps(answers[key], ensure_ascii=False, indent=1) if key in answers else gr.update()

    def run_check(text):
        """An answer's JSON is checked against its own citations; any other
        text sentence by sentence against the library, with a Markdown report."""
        no_file = gr.update(value=None, visible=False)
        text = text or ""
        try:
            if not text.strip():
                raise InputError("Paste some text to check first, or pick an answer from this chat.")
            if len(text) > MAX_CHECK_CHARS:
                raise InputError(f"The text is {len(text):,} characters long; check at most {MAX_CHECK_CHARS:,} "
                                 "at a time (or use `setu check` on the command line).")
            index = engine.index
            if _ANSWER_JSON.match(text):
                items = read_inputs_text(text)
                return "".join(report_html(check(item, embedder_for(index.model), index).to_json(), item)
                               for item in items), no_file
            page, markdown = check_pasted_text(text, index, sources_dir)
        except SetuError as e:
            return f'<div class="setu-claim setu-claim-unsupported">{html.escape(str(e))}</div>', no_file
        import tempfile

        path = Path(tempfile.mkdtemp(prefix="setu-check-")) / "check-report.md"
        path.write_text(markdown, encoding="utf-8")
        return page, gr.update(value=str(path), visible=True)

    # --- library --------------------------------------------------------------

    def describe_library():
        try:
            index = engine.index
        except SetuError:
            return library_line_html("no index yet; add sources in the Library tab and rebuild", "")
        updated = max((e.indexed_at for e in inventory(settings) if e.indexed_at), default="")[:10]
        return library_line_html(describe(index), updated)

    def library_rows():
        return [[e.title, e.file, e.kind, e.pages or "", e.passages, e.references or "",
                 e.indexed_at[:16].replace("T", " "), e.status]
                for e in inventory(settings)]

    def library_choices():
        return gr.update(choices=[e.file for e in inventory(settings) if not e.status.startswith("deleted")], value=None)

    def allowed(user, password) -> bool:
        if credentials is None:
            return True
        return hmac.compare_digest(f"{user}:{password}".encode(), f"{credentials[0]}:{credentials[1]}".encode())

    denied = "✗ Sign in first: the user name or password is wrong (the server's SETU_AUTH)."

    def upload(files, user="", password=""):
        if not allowed(user, password):
            return denied, library_rows(), library_choices(), None
        lines = []
        for f in files or []:
            path = Path(f if isinstance(f, str) else f.name)
            original = getattr(f, "orig_name", None) or path.name
            try:
                saved = add_file(settings, path, original)
                lines.append(f"- added **{saved.name}**")
            except SourceError as e:
                lines.append(f"- ✗ {e}")
        if any(line.startswith("- added") for line in lines):
            lines.append("\nPress **Rebuild index** to make new files searchable.")
        return "\n".join(lines), library_rows(), library_choices(), None

    def add_from_url(text, user="", password=""):
        if not allowed(user, password):
            return denied, library_rows(), library_choices()
        urls = [u for u in (text or "").split() if u.strip()]
        if not urls:
            return "Paste one or more URLs (http or https), one per line.", library_rows(), library_choices()
        lines, known = [], library_urls(settings)
        for url in urls:
            try:
                result = add_url(settings, url, known)
                known[result.url] = result.path
                lines.append(f"- {result.status} **{result.path.name}** from {url}")
            except SetuError as e:
                lines.append(f"- ✗ {e}")
        if any(not line.startswith("- ✗") and " unchanged " not in line for line in lines):
            lines.append("\nPress **Rebuild index** to make them searchable.")
        return "\n".join(lines), library_rows(), library_choices()

    def ask_to_remove(rel):
        if not rel:
            return "Choose a file to remove.", gr.update(visible=False)
        return (f"Remove **{rel}**? It moves to `{REMOVED}/` and can be restored below. "
                "Press **Yes, remove it** to go on."), gr.update(visible=True)

    def remove(rel, user="", password=""):
        hidden = gr.update(visible=False)
        if not allowed(user, password):
            return denied, library_rows(), library_choices(), hidden, restore_choices()
        if not rel:
            return "Choose a file to remove.", library_rows(), library_choices(), hidden, restore_choices()
        try:
            remove_file(settings, rel)
            message = (f"Removed **{rel}** (kept in `{REMOVED}/`, restore it below). "
                       "Press **Rebuild index** to drop it from the answers.")
        except SourceError as e:
            message = f"✗ {e}"
        return message, library_rows(), library_choices(), hidden, restore_choices()

    def restore(rel, user="", password=""):
        if not allowed(user, password):
            return denied, library_rows(), library_choices(), restore_choices()
        if not rel:
            return "Choose a removed file to restore.", library_rows(), library_choices(), restore_choices()
        try:
            back = restore_file(settings, rel)
            message = f"Restored **{back.relative_to(settings.sources).as_posix()}**. Press **Rebuild index** to search it again."
        except SourceError as e:
            message = f"✗ {e}"
        return message, library_rows(), library_choices(), restore_choices()

    def restore_choices():
        return gr.update(choices=removed_files(settings), value=None)

    def rebuild(user="", password="", progress=gr.Progress()):
        if not allowed(user, password):
            return denied, library_rows(), library_choices()
        progress(0, desc="starting")
        try:
            report = engine.rebuild(progress=lambda fraction, what: progress(fraction, desc=what))
        except SetuError as e:
            return f"✗ {e}", library_rows(), library_choices()
        state = "updated" if report.changed else "up to date"
        if report.failed:
            state += f" ({len(report.failed)} file(s) could not be indexed, listed below)"
        lines = [f"**Index {state}:** {report.summary()}"]
        lines += [f"- ✗ `{source}`: {why}" for source, why in report.failed]
        lines += [f"- `{source}`: {why}" for source, why in report.skipped]
        return "\n".join(lines), library_rows(), library_choices()

    with gr.Blocks(title="Setu — India–Japan relations, with sources") as ui:
        answers = gr.State({})
        gr.Markdown("## Setu\nAnswers about India–Japan relations, quoted from the sources and cited. "
                    "Click a [number] to see the passage behind it.")
        library_line = gr.HTML(elem_id="library-line")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        # No built-in copy buttons: they copy the message's HTML. "Copy with sources" gives Markdown.
                        chat = gr.Chatbot(elem_id="chat", height=480, show_label=False, feedback_options=None,
                                          buttons=[], placeholder="Ask a question about India–Japan relations.")
                        question = gr.Textbox(elem_id="question", show_label=False, lines=1,
                                              placeholder="Ask about India–Japan relations… (Enter to send)")
                        with gr.Row():
                            ask_btn = gr.Button("Ask", variant="primary", elem_id="ask")
                            new_btn = gr.Button("New chat", elem_id="new-chat")
                            export_btn = gr.Button("Export conversation", elem_id="export")
                        exported = gr.File(label="Conversation (Markdown)", visible=False, elem_id="export-file")
                        examples = gr.Examples(EXAMPLES, inputs=question, label="Try (click to ask)")
                    with gr.Column(scale=2):
                        evidence = gr.HTML(EMPTY, elem_id="evidence")
            with gr.Tab("Check", id="check"):
                gr.Markdown("Check any text against the library: a draft, notes or another chatbot's answer. "
                            "Each sentence is marked **supported**, **contradicted**, **not found** or **miscited** "
                            "(its [1] or [^1] names a source that does not say it); click a sentence to see the "
                            "evidence. To check an answer's own citations, pick it from this chat or paste the JSON "
                            "that `setu ask --json` prints.")
                pick = gr.Dropdown(choices=[], label="An answer from this chat", elem_id="check-pick")
                pasted = gr.Textbox(label="Text to check (plain text or Markdown; or an answer's JSON)",
                                    elem_id="check-input", lines=8, max_lines=30,
                                    placeholder="Paste a paragraph or a whole draft, e.g.\n\nIndia and Japan "
                                                "established diplomatic relations in 1952. Japan's first yen loan "
                                                "to India came in 1958.")
                check_btn = gr.Button("Check", variant="primary", elem_id="check-run")
                report = gr.HTML(elem_id="check-report")
                download = gr.DownloadButton("Download the report (Markdown)", visible=False, elem_id="check-download")
            with gr.Tab("Library", id="library"):
                note = (" This server is read-only: sources cannot be changed here." if read_only else
                        f" Add PDF, TXT, MD or HTML files (up to {settings.max_file_mb:g} MB each), then rebuild the index.")
                gr.Markdown(f"Sources live in `{sources_dir.as_posix()}/`.{note}")
                table = gr.Dataframe(headers=TABLE_HEADERS, value=library_rows, interactive=False, elem_id="sources-table",
                                     wrap=True, column_widths=["22%", "20%", "6%", "6%", "8%", "8%", "10%", "20%"])
                if not read_only:
                    signin = []
                    if credentials is not None:
                        with gr.Row():
                            signin = [gr.Textbox(label="User", elem_id="auth-user"),
                                      gr.Textbox(label="Password", type="password", elem_id="auth-password")]
                    with gr.Row():
                        files = gr.File(file_count="multiple", file_types=[".pdf", ".txt", ".md", ".html", ".htm"],
                                        label="Add sources", elem_id="upload")
                        with gr.Column():
                            to_remove = gr.Dropdown(choices=[], label="Remove a source", elem_id="remove-choice")
                            remove_btn = gr.Button("Remove…", elem_id="remove")
                            confirm_btn = gr.Button("Yes, remove it", variant="stop", visible=False, elem_id="remove-confirm")
                            to_restore = gr.Dropdown(choices=[], label="Restore a removed source", elem_id="restore-choice")
                            restore_btn = gr.Button("Restore", elem_id="restore")
                            rebuild_btn = gr.Button("Rebuild index", variant="primary", elem_id="rebuild")
                    with gr.Row():
                        url_box = gr.Textbox(label="Add from URL (web pages, PDFs, plain text; one per line)",
                                             lines=2, elem_id="add-url", scale=4,
                                             placeholder="https://www.mea.gov.in/…")
                        add_url_btn = gr.Button("Add from URL", elem_id="add-url-run", scale=1)
                    status = gr.Markdown(elem_id="library-status")

        private = {"api_visibility": "private"}
        submit = dict(fn=respond, inputs=[question, chat, answers], outputs=[chat, question, answers, evidence, pick])
        question.submit(**submit, **private)
        ask_btn.click(**submit, **private)
        examples.load_input_event.then(**submit, **private)  # an example is asked, not only typed in
        new_btn.click(new_chat, None, [chat, answers, evidence, question, pick], **private)
        chat.clear(new_chat, None, [chat, answers, evidence, question, pick], **private)  # the bin empties the cards too
        export_btn.click(export, [answers], [exported], **private)
        pick.change(picked, [pick, answers], [pasted], **private)
        check_btn.click(run_check, [pasted], [report, download], **private)
        if not read_only:
            files.upload(upload, [files, *signin], [status, table, to_remove, files], **private)
            remove_btn.click(ask_to_remove, [to_remove], [status, confirm_btn], **private)
            confirm_btn.click(remove, [to_remove, *signin], [status, table, to_remove, confirm_btn, to_restore], **private)
            restore_btn.click(restore, [to_restore, *signin], [status, table, to_remove, to_restore], **private)
            add_url_btn.click(add_from_url, [url_box, *signin], [status, table, to_remove], **private)
            rebuild_btn.click(rebuild, signin, [status, table, to_remove], **private).then(
                describe_library, None, [library_line], **private)
            ui.load(library_choices, None, [to_remove], **private)
            ui.load(restore_choices, None, [to_restore], **private)
        ui.load(describe_library, None, [library_line], **private)
        gr.api(api_ask, api_name="ask", queue=False, concurrency_limit=None)
        gr.api(api_check_text, api_name="check_text", queue=False, concurrency_limit=None)
    return ui


def check_exposure(host: str, settings: Settings, read_only: bool) -> None:
    """Refuse to listen beyond this machine with an unprotected Library."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback and not read_only and settings.credentials() is None:
        raise ConfigError(
            f"refusing to listen on {host}: anyone who can reach it could upload, remove and rebuild sources. "
            "Set SETU_AUTH=user:password to protect the Library tab, or add --read-only to hide its write "
            "actions (or bind to 127.0.0.1)."
        )


def _check_port(host: str, port: int) -> None:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            raise ConfigError(f"cannot listen on {host}:{port} ({e.strerror}); is Setu already running? "
                              "Choose another port with --port") from None


def create_app(settings: Settings, read_only: bool = False):
    """The FastAPI app: Gradio at /, source files at /source/<file>, the reader at /view/<file>."""
    import gradio as gr
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import FileResponse

    engine = Engine(settings)
    engine.warm()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/source/{rel:path}")
    def source_file(rel: str):
        path = resolve_served(settings, rel)
        if path is None:
            raise HTTPException(404, "not a source file")
        # Only PDFs are shown as themselves; everything else as plain text, so
        # an HTML source cannot run script on this site.
        media = "application/pdf" if path.suffix.lower() == ".pdf" else "text/plain; charset=utf-8"
        headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"}
        return FileResponse(path, media_type=media, headers=headers, content_disposition_type="inline")

    @app.get("/view/{rel:path}")
    def source_view(rel: str, start: int | None = None, end: int | None = None):
        """A source as text for reading, opened at the quoted sentence."""
        from fastapi.responses import HTMLResponse

        from .load import load

        path = resolve_served(settings, rel)
        if path is None:
            raise HTTPException(404, "not a source file")
        try:
            doc = load(path, rel, max_bytes=int(settings.max_file_mb * 1e6))
        except SourceError as e:
            raise HTTPException(422, str(e)) from None
        # The page is inert: no script may run, nothing may load from elsewhere.
        headers = {"X-Content-Type-Options": "nosniff",
                   "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'"}
        return HTMLResponse(source_page(doc, start, end), headers=headers)

    ui = build_ui(engine, read_only=read_only)
    # Gradio turns away uploads over twice the limit before they are stored; between
    # the limit and twice it, Setu refuses them itself with the same message as `setu index`.
    return gr.mount_gradio_app(app, ui, path="/", css=CSS, head=HEAD, footer_links=[], ssr_mode=False,
                               enable_monitoring=False, show_error=True, max_file_size=f"{2 * settings.max_file_mb:g}mb")


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, read_only: bool = False) -> None:
    import uvicorn

    check_exposure(host, settings, read_only)
    _check_port(host, port)
    app = create_app(settings, read_only=read_only)
    print(f"Setu is running at http://{host}:{port}  (Ctrl+C to stop)", file=sys.stderr, flush=True)
    from . import remote

    remote.announce(settings, host, port)  # `setu ask` answers through this server while it runs
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        remote.withdraw(settings)
