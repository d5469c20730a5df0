"""Reading and managing the library in a real browser: the library line, an
example asked on click, Clear, Remove with confirmation and Restore."""

import pytest

from test_web import app, ask, page  # noqa: F401  (fixtures: one app for this module)

pytestmark = pytest.mark.browser


def test_the_first_screen_says_what_the_library_holds_and_links_to_it(page):  # noqa: F811
    line = page.locator("#library-line")
    line.locator("text=Library:").wait_for(timeout=15000)
    assert "2 sources" in line.inner_text() and "updated" in line.inner_text()
    line.locator("a.setu-library-link").click()
    page.wait_for_selector("#sources-table", state="visible", timeout=10000)


def test_an_example_is_asked_when_clicked(page):  # noqa: F811
    page.get_by_text("When did India and Japan establish diplomatic relations?").first.click()
    page.wait_for_selector('[data-testid="bot"]', timeout=30000)
    page.wait_for_selector("#evidence .setu-card", timeout=30000)
    assert "1952" in page.locator('[data-testid="bot"]').last.inner_text()


def test_the_badge_says_supported_by_its_source_and_explains_itself(page):  # noqa: F811
    ask(page, "When did India and Japan establish diplomatic relations?")
    badge = page.locator("#evidence .setu-card .verdict").first
    assert badge.inner_text().startswith("✓ supported by its source")
    assert "a source can be wrong" in badge.get_attribute("title")


def test_clearing_the_chat_empties_the_evidence_panel(page):  # noqa: F811
    ask(page, "Where did Muji open its first Indian outlet?")
    page.wait_for_selector("#evidence .setu-card")
    page.locator("#chat button[aria-label='Clear']").first.click()
    page.wait_for_function("() => !document.querySelector('#evidence .setu-card')", timeout=10000)
    assert page.locator('[data-testid="bot"]').count() == 0


def test_remove_asks_first_and_a_removed_source_can_be_restored(page, app):  # noqa: F811
    page.get_by_role("tab", name="Library").click()
    page.locator("#remove-choice input").click()
    page.get_by_role("option", name="festival.md").click()
    page.click("#remove")
    page.wait_for_selector("#library-status :text('Yes, remove it')", timeout=10000)
    assert (app.root / "sources" / "festival.md").exists()  # nothing happens before the confirmation
    page.click("#remove-confirm")
    page.wait_for_selector("#library-status :text('kept in')", timeout=10000)
    assert not (app.root / "sources" / "festival.md").exists()
    assert (app.root / "sources" / ".removed" / "festival.md").exists()
    page.locator("#restore-choice input").click()
    page.get_by_role("option", name="festival.md").click()
    page.click("#restore")
    page.wait_for_selector("#library-status :text('to search it again')", timeout=10000)
    assert (app.root / "sources" / "festival.md").exists()
    assert not (app.root / "sources" / ".removed" / "festival.md").exists()


def test_copy_with_sources_and_cite_put_markdown_on_the_clipboard(page, app):  # noqa: F811
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app.url)
    assert page.locator("#chat [aria-label*='opy']").count() == 0  # no built-in copy of the message's HTML
    ask(page, "Where did Muji open its first Indian outlet?")
    page.locator("#evidence .setu-answer:not([hidden]) button.setu-copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "Mumbai" in copied and "[1]" in copied and "\nSources:\n[1] “India-Japan: The need for a more proactive partnership”" in copied
    assert "Dibakar De" in copied and "The Kootneeti" in copied and "    > " in copied
    assert "<" not in copied
    page.locator("#evidence .setu-answer:not([hidden]) button.setu-cite").first.click()
    page.wait_for_timeout(300)
    cited = page.evaluate("navigator.clipboard.readText()")
    assert cited.startswith("“India-Japan: The need for a more proactive partnership”, Dibakar De, The Kootneeti")
    assert "<" not in cited


def test_export_conversation_downloads_markdown(page):  # noqa: F811
    import urllib.request

    ask(page, "When did India and Japan establish diplomatic relations?")
    ask(page, "Where did Muji open its first Indian outlet?")
    page.click("#export")
    link = page.locator("#export-file a").first
    link.wait_for(timeout=15000)
    href = link.get_attribute("href")
    text = urllib.request.urlopen(href if href.startswith("http") else page.url.rstrip("/") + href).read().decode()
    assert text.startswith("# Setu: conversation")
    assert "## When did India and Japan establish diplomatic relations?" in text and "## Where did Muji" in text
    assert text.count("Sources:") == 2 and "<" not in text


def test_the_command_line_answers_through_a_running_server_without_loading_the_model(app):  # noqa: F811
    import json
    import os
    import subprocess
    import sys

    assert (app.root / "index" / "SERVER.json").exists()
    env = {**os.environ, "SETU_INDEX": str(app.root / "index"), "SETU_SOURCES": str(app.root / "sources")}
    probe = ("import sys, json; from setu.cli import main\n"
             "try:\n    main(['ask', '--json', 'Where did Muji open its first Indian outlet?'])\n"
             "except SystemExit:\n    pass\n"
             "print(json.dumps(sorted(m for m in ('torch', 'gradio', 'sentence_transformers', 'faiss') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    answer_line, loaded_line = out.stdout.strip().splitlines()[-2:]
    assert json.loads(loaded_line) == []  # the server answered: nothing heavy was imported
    answer = json.loads(answer_line)
    assert "Mumbai" in answer["answer"] and answer["citations"][0]["quote"] in answer["citations"][0]["passage"]


def test_setu_check_also_goes_through_a_running_server_and_reports_the_same(app, tmp_path):  # noqa: F811
    import json
    import os
    import subprocess
    import sys

    note = tmp_path / "note.md"
    note.write_text("Muji opened its first Indian outlet in Mumbai in August 2016. "
                    "Uniqlo opened its first Indian store in New Delhi in October 2021.\n", encoding="utf-8")
    env = {**os.environ, "SETU_INDEX": str(app.root / "index"), "SETU_SOURCES": str(app.root / "sources")}
    probe = ("import sys, json; from setu.cli import main\n"
             f"try:\n    main(['check', '--json', {str(note)!r}])\n"
             "except SystemExit as e:\n    print(json.dumps(e.code))\n"
             "print(json.dumps(sorted(m for m in ('torch', 'gradio', 'sentence_transformers', 'faiss', 'onnxruntime')"
             " if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300)
    report_line, code_line, loaded_line = out.stdout.strip().splitlines()[-3:]
    assert json.loads(loaded_line) == []  # the server checked: neither the model nor the meaning model was loaded here
    assert json.loads(code_line) == 1  # a contradicted sentence
    report = json.loads(report_line)
    assert [s["verdict"] for s in report["sentences"]] == ["supported", "contradicted"]
    assert "2019" in report["sentences"][1]["reason"] and report["sentences"][0]["evidence"][0]["quote"]


def test_open_source_shows_the_document_as_text_at_the_quoted_sentence(page, app):  # noqa: F811
    ask(page, "What share of trade does Japan account for?")
    card = page.locator("#evidence .setu-answer:not([hidden]) .setu-card").first
    quote = card.locator("mark").first.inner_text()
    href = card.locator("a", has_text="open source").get_attribute("href")
    assert href.startswith("/view/") and href.endswith("#quote")
    page.goto(app.url + href, wait_until="load")
    mark = page.locator("mark#quote")
    assert " ".join(mark.inner_text().split()) == " ".join(quote.split())
    assert page.locator("h1").inner_text() == "India-Japan: The need for a more proactive partnership"
    assert "Dibakar De · The Kootneeti" in page.locator(".by").first.inner_text()
    assert "title:" not in page.locator("body").inner_text() and "---" not in page.locator("body").inner_text()
    box, height = mark.bounding_box(), page.viewport_size["height"]
    assert box is not None and 0 <= box["y"] < height  # the page opened on the quote


@pytest.fixture
def phone(app, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
               else route.abort())
    page.goto(app.url, wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea")
    yield page
    from test_web import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone.png"))
    context.close()


def test_at_phone_width_the_library_reads_by_row_and_evidence_leads_back(phone):
    phone.get_by_role("tab", name="Library").click()
    phone.wait_for_selector("#sources-table th", timeout=15000)
    widths = phone.eval_on_selector_all(
        "#sources-table th", "ths => ths.filter(t => t.offsetParent !== null).map(t => t.getBoundingClientRect().width)")
    assert widths and min(widths) >= 48, widths  # no header broken one letter per line
    page_width = phone.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 400
    phone.get_by_role("tab", name="Chat").click()
    bot = ask(phone, "Where did Muji open its first Indian outlet?")
    link = bot.locator("a.cite-ref").first
    link.click()
    card = phone.locator(".setu-card.setu-focus")
    card.wait_for(timeout=10000)
    phone.wait_for_timeout(800)
    card_box = card.bounding_box()
    assert card_box is not None and 844 * 0.4 < card_box["y"] < 844  # a drawer over the lower half, on screen
    link_box = link.bounding_box()
    assert link_box is not None and 0 <= link_box["y"] < card_box["y"]  # the answer's [1] stays in view above it
    phone.screenshot(path=str(__import__("test_web").ARTIFACTS / "phone-drawer.png"))
    back = card.locator("button.setu-back")
    assert back.is_visible()
    back.click()
    phone.wait_for_timeout(800)
    assert not phone.locator("#evidence.setu-drawer-open").count()
    box = link.bounding_box()
    assert box is not None and 0 <= box["y"] < 844  # back at the answer


def test_the_chat_works_from_the_keyboard_with_visible_focus(page):  # noqa: F811
    page.locator("body").click(position={"x": 5, "y": 5})
    for _ in range(40):  # Tab through the page until the question box has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.closest('#question') !== null"):
            break
    else:
        pytest.fail("the question box cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus can be seen
    page.keyboard.type("Where did Muji open its first Indian outlet?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#evidence .setu-card", timeout=30000)
    link = page.locator('[data-testid="bot"] a.cite-ref').last
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".setu-card.setu-focus", timeout=10000)
