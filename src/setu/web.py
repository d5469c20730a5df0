"""The web chat (Gradio 6): Chat tab with evidence cards, Library tab for
sources, and the `/ask` API. A thin face on the same functions as the CLI."""


import html
import json
import sys
from pathlib import Path

from .answer import to_json
from .config import Settings
from .engine import Engine
from .errors import SetuError, SourceError
from .library import add_file, inventory, remove_file, resolve_served
from .check import check, read_inputs_text
from .embed import embedder_for
from .render import CSS, EMPTY, HEAD, answer_markdown, evidence_panel, report_html

EXAMPLES = [
    "When did India and Japan establish diplomatic relations?",
    "How large is the bilateral trade between the two countries?",
    "Which Japanese retailers opened stores in India?",
    "Why does Japan look to India for technology cooperation?",
]
TABLE_HEADERS = ["Title", "File", "Type", "Pages", "Passages", "Indexed", "Status"]


def _text_of(content) -> str:
    """Chat content as plain text (the browser may send a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(_text_of(part) for part in content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return str(content or "")


def build_ui(engine: Engine):
    import gradio as gr

    settings = engine.settings
    sources_dir = settings.sources

    def respond(message, history, answers):
        question = (message or "").strip()
        if not question:
            yield history, "", answers, gr.update(), gr.update()
            return
        earlier = tuple(_text_of(m["content"]) for m in history if m.get("role") == "user")
        history = [*history, {"role": "user", "content": question}]
        try:
            data = to_json(engine.ask(question, earlier))
        except SetuError as e:
            yield [*history, {"role": "assistant", "content": f"⚠️ {e}"}], "", answers, gr.update(), gr.update()
            return
        message_index = len(history)
        answers = {**answers, str(message_index): data}
        # Stream the answer a sentence (one citation) at a time.
        text = data["answer"]
        cuts = [m.end() for m in __import__("re").finditer(r"\[\d+\]", text)] or [len(text)]
        if cuts[-1] != len(text):
            cuts.append(len(text))
        for cut in cuts[:-1]:
            partial = answer_markdown({**data, "answer": text[:cut]}, message_index)
            yield [*history, {"role": "assistant", "content": partial}], "", answers, gr.update(), gr.update()
        final = [*history, {"role": "assistant", "content": answer_markdown(data, message_index)}]
        yield final, "", answers, evidence_panel(answers, sources_dir), pick_choices(answers)

    def new_chat():
        return [], {}, EMPTY, "", gr.update(choices=[], value=None)

    def pick_choices(answers):
        return gr.update(choices=[(a["question"], k) for k, a in sorted(answers.items(), key=lambda kv: int(kv[0]))])

    def picked(key, answers):
        if key in answers:
            return json.dumps(answers[key], ensure_ascii=False, indent=1)
        return gr.update()

    def run_check(text):
        try:
            items = read_inputs_text(text)
            index = engine.index
            return "".join(report_html(check(item, embedder_for(index.model), index).to_json(), item) for item in items)
        except SetuError as e:
            return f'<div class="setu-claim setu-claim-unsupported">{html.escape(str(e))}</div>'

    def api_ask(question: str) -> dict:
        """Answer one question; the same JSON object as `setu ask --json`."""
        try:
            return to_json(engine.ask(question))
        except SetuError as e:
            return {"question": question, "answer": "", "abstained": True, "citations": [], "error": str(e)}

    def library_rows():
        return [[e.title, e.file, e.kind, e.pages or "", e.passages, e.indexed_at[:16].replace("T", " "), e.status]
                for e in inventory(settings)]

    def library_choices():
        return gr.update(choices=[e.file for e in inventory(settings) if not e.status.startswith("deleted")], value=None)

    def upload(files):
        lines = []
        for f in files or []:
            path = Path(f if isinstance(f, str) else f.name)
            original = getattr(f, "orig_name", None) or path.name
            try:
                saved = add_file(settings, path, original)
                lines.append(f"- added **{saved.name}**")
            except SourceError as e:
                lines.append(f"- ✗ {e}")
        if lines:
            lines.append("\nPress **Rebuild index** to make new files searchable.")
        return "\n".join(lines), library_rows(), library_choices(), None

    def remove(rel):
        if not rel:
            return "Choose a file to remove.", library_rows(), library_choices()
        try:
            remove_file(settings, rel)
            message = f"Removed **{rel}**. Press **Rebuild index** to drop it from the answers."
        except SourceError as e:
            message = f"✗ {e}"
        return message, library_rows(), library_choices()

    def rebuild(progress=gr.Progress()):
        progress(0, desc="starting")
        try:
            report = engine.rebuild(progress=lambda fraction, what: progress(fraction, desc=what))
        except SetuError as e:
            return f"✗ {e}", library_rows(), library_choices()
        lines = [f"**Index {'updated' if report.changed else 'up to date'}:** {report.summary()}"]
        lines += [f"- ✗ `{source}`: {why}" for source, why in report.failed]
        lines += [f"- `{source}`: {why}" for source, why in report.skipped]
        return "\n".join(lines), library_rows(), library_choices()

    with gr.Blocks(title="Setu — India–Japan relations, with sources") as ui:
        answers = gr.State({})
        gr.Markdown("## Setu\nAnswers about India–Japan relations, quoted from the sources and cited. "
                    "Click a [number] to see the passage behind it.")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(elem_id="chat", height=480, show_label=False, feedback_options=None,
                                          placeholder="Ask a question about India–Japan relations.")
                        question = gr.Textbox(elem_id="question", show_label=False, lines=1,
                                              placeholder="Ask about India–Japan relations… (Enter to send)")
                        with gr.Row():
                            ask_btn = gr.Button("Ask", variant="primary", elem_id="ask")
                            new_btn = gr.Button("New chat", elem_id="new-chat")
                        gr.Examples(EXAMPLES, inputs=question, label="Try")
                    with gr.Column(scale=2):
                        evidence = gr.HTML(EMPTY, elem_id="evidence")
            with gr.Tab("Check", id="check"):
                gr.Markdown("Check an answer's citations: is each claim supported by the passage it cites? "
                            "Paste JSON in the shape `setu ask --json` prints, or pick an answer from this chat.")
                pick = gr.Dropdown(choices=[], label="An answer from this chat", elem_id="check-pick")
                pasted = gr.Code(language="json", label="Answer JSON", elem_id="check-input", lines=8)
                check_btn = gr.Button("Check citations", variant="primary", elem_id="check-run")
                report = gr.HTML(elem_id="check-report")
            with gr.Tab("Library", id="library"):
                gr.Markdown(f"Sources live in `{sources_dir.as_posix()}/`. Add PDF, TXT, MD or HTML files (up to "
                            f"{settings.max_file_mb:g} MB each), then rebuild the index.")
                table = gr.Dataframe(headers=TABLE_HEADERS, value=library_rows, interactive=False, elem_id="sources-table", wrap=True,
                                     column_widths=["24%", "22%", "6%", "6%", "8%", "12%", "22%"])
                with gr.Row():
                    files = gr.File(file_count="multiple", file_types=[".pdf", ".txt", ".md", ".html", ".htm"],
                                    label="Add sources", elem_id="upload")
                    with gr.Column():
                        to_remove = gr.Dropdown(choices=[], label="Remove a source", elem_id="remove-choice")
                        remove_btn = gr.Button("Remove", elem_id="remove")
                        rebuild_btn = gr.Button("Rebuild index", variant="primary", elem_id="rebuild")
                status = gr.Markdown(elem_id="library-status")

        submit = dict(fn=respond, inputs=[question, chat, answers], outputs=[chat, question, answers, evidence, pick],
                      api_visibility="private")
        question.submit(**submit)
        ask_btn.click(**submit)
        new_btn.click(new_chat, None, [chat, answers, evidence, question, pick], api_visibility="private")
        pick.change(picked, [pick, answers], [pasted], api_visibility="private")
        check_btn.click(run_check, [pasted], [report], api_visibility="private")
        files.upload(upload, [files], [status, table, to_remove, files], api_visibility="private")
        remove_btn.click(remove, [to_remove], [status, table, to_remove], api_visibility="private")
        rebuild_btn.click(rebuild, None, [status, table, to_remove], api_visibility="private")
        ui.load(library_choices, None, [to_remove], api_visibility="private")
        gr.api(api_ask, api_name="ask", queue=False, concurrency_limit=None)
    return ui


def create_app(settings: Settings):
    """The FastAPI app: Gradio at /, source files at /source/<file>."""
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

    ui = build_ui(engine)
    return gr.mount_gradio_app(app, ui, path="/", css=CSS, head=HEAD, footer_links=[], ssr_mode=False,
                               enable_monitoring=False, show_error=True, max_file_size=f"{settings.max_file_mb:g}mb")


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    app = create_app(settings)
    print(f"Setu is running at http://{host}:{port}  (Ctrl+C to stop)", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
