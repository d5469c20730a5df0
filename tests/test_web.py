"""The real web app, driven by Debian's Chromium through Playwright."""

import json
import urllib.request

import pytest

from conftest import ROOT, SEED, make_library
from webapp import App

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"

HOSTILE = """# Festival notes

The Kolkata Bridge Festival of 2031 is organised by the Indo-Japanese Lantern Guild. <img src=x onerror="window.__pwned='img'"> <script>window.__pwned='script'</script> <a href="javascript:window.__pwned='link'">open</a> <b onmouseover="window.__pwned='hover'">bold</b>
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    root = make_library(tmp_path_factory.mktemp("web"), embedder, {"festival.md": HOSTILE})
    app = App(root)
    yield app
    app.stop()


@pytest.fixture
def page(app, browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    outside = []

    def guard(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", guard)
    page.goto(app.url, wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea")
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert outside == [], f"the page tried to reach outside: {outside}"


def ask(page, question, answers_before=None):
    count = page.locator('[data-testid="bot"]').count() if answers_before is None else answers_before
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"bot\"]').length > n", arg=count, timeout=30000)
    # The cards arrive with the last streamed piece.
    page.wait_for_function("() => !document.querySelector('#question textarea').disabled", timeout=30000)
    page.wait_for_timeout(300)
    return page.locator('[data-testid="bot"]').last


def test_examples_show_on_first_load(page):
    assert page.get_by_text("When did India and Japan establish diplomatic relations?").count() >= 1


def test_a_question_gets_an_answer_with_citation_links_and_cards(page):
    bot = ask(page, "When did India and Japan establish diplomatic relations?")
    assert "1952" in bot.inner_text()
    assert bot.locator("a.cite-ref").first.inner_text() == "[1]"
    page.wait_for_selector("#evidence .setu-card")
    card = page.locator("#evidence .setu-card").first
    assert "India-Japan: The need for a more proactive partnership" in card.inner_text()


def test_clicking_a_citation_shows_the_highlighted_passage(page):
    bot = ask(page, "Where did Muji open its first Indian outlet?")
    bot.locator("a.cite-ref").first.click()
    focused = page.locator(".setu-card.setu-focus")
    focused.wait_for(timeout=5000)
    mark = focused.locator("mark")
    assert "Mumbai" in mark.inner_text() and "Muji" in mark.inner_text()
    assert focused.locator(".setu-passage").inner_text().startswith(focused.locator(".setu-passage").inner_text()[:20])
    assert mark.is_visible()


def test_a_follow_up_is_answered_in_context(page):
    ask(page, "When did Japan give India its first yen loan?")
    bot = ask(page, "And since when has India been the biggest recipient of those loans?")
    assert "1986" in bot.inner_text()


def test_an_earlier_answer_shows_its_own_cards_when_clicked(page):
    ask(page, "When did India and Japan establish diplomatic relations?")
    ask(page, "Where did Uniqlo open its first store in India?")
    assert "New Delhi" in page.locator("#evidence").inner_text()
    link = page.locator('[data-testid="bot"]').first.locator("a.cite-ref").first
    card_id = link.get_attribute("href")
    link.click()
    page.wait_for_selector(f"{card_id}.setu-focus", timeout=5000)
    assert "1952" in page.locator("#evidence").inner_text()
    assert "New Delhi" not in page.locator("#evidence").inner_text()  # the later answer's cards are hidden
    page.locator('[data-testid="bot"]').last.click()
    assert "New Delhi" in page.locator("#evidence").inner_text()


def test_new_chat_clears_the_conversation(page):
    ask(page, "What is the JSDF?")
    page.click("#new-chat")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"]').length === 0", timeout=5000)
    assert page.locator("#evidence .setu-card").count() == 0


def test_a_source_with_hostile_html_renders_inert(page):
    ask(page, "Who organises the Kolkata Bridge Festival?")
    page.wait_for_selector("#evidence .setu-card")
    passage = page.locator("#evidence .setu-passage").first
    assert "<img src=x onerror=" in passage.inner_text() and "<script>" in passage.inner_text()
    passage.hover()
    page.locator("#evidence .setu-card").first.click()
    assert page.locator("#evidence img, #evidence script, #evidence b, [data-testid='bot'] img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_source_files_are_served_and_nothing_else(app):
    with urllib.request.urlopen(f"{app.url}/source/{SEED.name}") as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
        assert b"Dibakar De" in r.read()
    with urllib.request.urlopen(f"{app.url}/source/festival.md") as r:
        assert r.headers["Content-Type"].startswith("text/plain")  # never served as HTML
    for attempt in ["..%2Fapp.log", "%2E%2E/app.log", "..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "missing.md"]:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{app.url}/source/{attempt}")
        assert err.value.code == 404, attempt


def test_upload_rebuild_and_ask_about_the_new_source(page, app, tmp_path):
    new = tmp_path / "Setu test: tea-ceremony notes.md"
    new.write_text("# Tea notes\n\nThe Darjeeling–Uji tea exchange began in 2029 under the Green Leaf Accord.\n")
    page.get_by_role("tab", name="Library").click()
    page.set_input_files("#upload input[type=file]", str(new))
    page.wait_for_selector("#library-status :text('added')", timeout=15000)
    assert (app.root / "sources" / "Setu-test-tea-ceremony-notes.md").exists()
    page.click("#rebuild")
    page.wait_for_selector("#library-status :text('Index updated')", timeout=60000)
    assert "1 added" in page.locator("#library-status").inner_text()
    assert "Setu-test-tea-ceremony-notes.md" in page.locator("#sources-table").inner_text()
    page.get_by_role("tab", name="Chat").click()
    bot = ask(page, "When did the Darjeeling–Uji tea exchange begin?")
    assert "2029" in bot.inner_text()
    assert "Setu-test-tea-ceremony-notes.md" in page.locator("#evidence .setu-card").first.inner_text()


def test_ask_api_returns_the_cli_json(app, tmp_path):
    import os

    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    from gradio_client import Client

    client = Client(app.url, analytics_enabled=False, verbose=False, download_files=str(tmp_path))
    out = client.predict("When did India and Japan establish diplomatic relations?", api_name="/ask")
    assert set(out) >= {"question", "answer", "abstained", "citations"}
    assert "1952" in out["answer"] and out["citations"][0]["n"] == 1
    assert out["citations"][0]["quote"] in out["citations"][0]["passage"]
    json.dumps(out)
    off = client.predict("How do I bake sourdough bread?", api_name="/ask")
    assert off["abstained"] is True and off["citations"] == []


def test_cards_show_the_support_verdict(page):
    ask(page, "When did India and Japan establish diplomatic relations?")
    verdict = page.locator("#evidence .setu-card .verdict").first
    assert verdict.inner_text().startswith("✓ supported")


def test_check_tab_reports_each_claim_with_its_verdict(page):
    ask(page, "Where did Muji open its first Indian outlet?")
    page.get_by_role("tab", name="Check").click()
    page.locator("#check-pick input").click()
    page.get_by_role("option").first.click()
    page.wait_for_function("() => document.querySelector('#check-input textarea').value.includes('citations')", timeout=5000)
    page.click("#check-run")
    page.wait_for_selector("#check-report .setu-claim", timeout=15000)
    assert "100% of sentences supported" in page.locator("#check-report").inner_text()
    assert "Mumbai" in page.locator("#check-report mark").first.inner_text()

    wrong = {"answer": "Muji opened its first Indian outlet in Mumbai in 2019. [1]",
             "citations": [{"n": 1, "passage": "In the retail sector, Muji of Ryōhin Keikaku opened its first Indian "
                            "outlet in Mumbai in August 2016, and Fast Retailing opened its first Uniqlo store in "
                            "New Delhi in October 2019."}]}
    page.fill("#check-input textarea", json.dumps(wrong))
    page.click("#check-run")
    page.wait_for_selector("#check-report .setu-claim-unsupported", timeout=15000)
    assert "for something else" in page.locator("#check-report").inner_text()
