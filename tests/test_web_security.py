"""The web app under hostile uploads, with SETU_AUTH or --read-only, and under load during a rebuild."""

import json
import threading
import time

import pytest

from conftest import ROOT, SEED, make_library
from pdfs import encrypt_pdf, make_pdf
from webapp import App

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("guarded")
    make_library(root, embedder)
    app = App(root, extra_env={"SETU_AUTH": "editor:correct-horse", "SETU_MAX_FILE_MB": "1"})
    yield app
    app.stop()


def openmake_library(browser, app, name):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(app.url, wait_until="domcontentloaded")
    page.get_by_role("tab", name="Library").click()
    return page


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def upload(page, name, data: bytes, mime="text/plain"):
    page.set_input_files("#upload input[type=file]", files=[{"name": name, "mimeType": mime, "buffer": data}])


def status_text(page, needle, timeout=15000):
    page.wait_for_selector(f"#library-status :text('{needle}')", timeout=timeout)
    return page.locator("#library-status").inner_text()


def sign_in(page, user="editor", password="correct-horse"):
    page.locator("#auth-user textarea, #auth-user input").first.fill(user)
    page.locator("#auth-password textarea, #auth-password input").first.fill(password)


def test_library_writes_need_the_password(browser, guarded):
    page = openmake_library(browser, guarded, "auth")
    page.click("#rebuild")
    assert "Sign in first" in status_text(page, "Sign in first")
    upload(page, "sneaky.md", b"# Sneaky\n\nAn unauthorised note.")
    status_text(page, "Sign in first")
    assert not (guarded.root / "sources" / "sneaky.md").exists()
    sign_in(page, password="wrong")
    page.click("#rebuild")
    status_text(page, "Sign in first")
    sign_in(page)
    page.click("#rebuild")
    assert "up to date" in status_text(page, "Index up to date", timeout=60000)
    shot(page, "library_signed_in")
    page.close()


def test_hostile_and_bad_uploads_are_refused_or_sanitised(browser, guarded, tmp_path):
    page = openmake_library(browser, guarded, "uploads")
    sign_in(page)
    upload(page, "../../escape.md", b"# Escape\n\nA note that tried to leave the folder.")
    status_text(page, "added")
    assert (guarded.root / "sources" / "escape.md").exists() and not (guarded.root.parent / "escape.md").exists()

    good = make_pdf(tmp_path / "g.pdf", [["Some text."]])
    upload(page, "locked.pdf", encrypt_pdf(good, tmp_path / "e.pdf").read_bytes(), "application/pdf")
    assert "locked.pdf: encrypted PDF, no password given" in status_text(page, "encrypted")
    upload(page, "big.txt", b"words " * 200_000, "text/plain")  # 1.2 MB, over the 1 MB limit
    assert "over the 1 MB limit" in status_text(page, "limit")
    upload(page, "table.xlsx", b"PK\x03\x04 not really a spreadsheet", "application/octet-stream")
    # Gradio itself refuses a type the upload box does not accept, with a notice.
    page.get_by_text("Invalid file type: table.xlsx").wait_for(timeout=15000)
    shot(page, "upload_wrong_type")
    shot(page, "uploads_refused")
    assert sorted(p.name for p in (guarded.root / "sources").iterdir()) == ["escape.md", SEED.name]
    page.close()


def test_read_only_hides_the_write_actions(browser, tmp_path, embedder):
    make_library(tmp_path, embedder)
    app = App(tmp_path, args=("--read-only", "--host", "0.0.0.0"))
    try:
        page = openmake_library(browser, app, "read_only")
        page.wait_for_selector("#sources-table")
        assert "read-only" in page.locator("body").inner_text()
        assert page.locator("#upload, #rebuild, #remove, #add-url, #add-url-run, #restore").count() == 0
        shot(page, "read_only")
        page.close()
    finally:
        app.stop()


def test_32_clients_during_a_rebuild_get_answers_from_one_generation_each(tmp_path, embedder):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import load

    from setu.index import current_generation

    make_library(tmp_path, embedder)
    old = current_generation(tmp_path / "index")
    ids = {old.name: {json.loads(line)["id"] for line in (old / "passages.jsonl").open()}}
    app = App(tmp_path)
    try:
        for i in range(8):
            (tmp_path / "sources" / f"extra{i}.md").write_text(
                " ".join(f"Note {j}: Japanese investment in Indian ports grew in year {2000 + j}." for j in range(60)))

        def rebuild():
            time.sleep(1.0)
            from setu.config import load_settings
            from setu.build import build
            build(load_settings(sources=tmp_path / "sources", index=tmp_path / "index"), embedder=embedder)

        worker = threading.Thread(target=rebuild)
        worker.start()
        result = load.run(app.url, clients=32, seconds=8)
        worker.join()
        new = current_generation(tmp_path / "index")
        ids[new.name] = {json.loads(line)["id"] for line in (new / "passages.jsonl").open()}
        assert new.name != old.name
        assert result.errors == [] and len(result.answers) > 50
        generations = {a["generation"] for a in result.answers}
        assert generations <= {old.name, new.name}
        for answer in result.answers:
            assert {c["passage_id"] for c in answer["citations"]} <= ids[answer["generation"]]
    finally:
        app.stop()


def test_an_unreachable_language_model_gives_a_visible_notice_and_the_extractive_answer(browser, tmp_path, embedder):
    make_library(tmp_path, embedder)
    app = App(tmp_path, extra_env={"SETU_LLM_URL": "http://127.0.0.1:9/v1", "SETU_LLM_MODEL": "any"})
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(app.url, wait_until="domcontentloaded")
        page.fill("#question textarea", "When did India and Japan establish diplomatic relations?")
        page.keyboard.press("Enter")
        page.wait_for_selector("#evidence .setu-card", timeout=30000)
        message = page.locator('[data-testid="bot"]').last.inner_text()
        assert "could not be reached" in message and "extractive answer" in message and "1952" in message
        shot(page, "llm_down_notice")
        page.close()
    finally:
        app.stop()
