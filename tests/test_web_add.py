"""The Library's "Add from URL" in a real browser: fetch a page from a local
site, rebuild, ask, and see the new source cited with a link to its page."""

import threading
from http.server import ThreadingHTTPServer

import pytest

from conftest import make_library
from test_add import Site
from test_fetch import ARTICLE
from test_web import ask, page  # noqa: F401  (the page fixture)
from webapp import App

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    httpd.pages = {"/hydrogen": (200, "text/html; charset=utf-8", ARTICLE)}
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    root = make_library(tmp_path_factory.mktemp("web-add"), embedder)
    app = App(root, extra_env={"SETU_ALLOW_PRIVATE": "1"})  # the site is on 127.0.0.1
    yield app
    app.stop()


def test_add_from_url_then_rebuild_then_the_answer_cites_the_page(page, app, site):  # noqa: F811
    page.get_by_role("tab", name="Library").click()
    page.fill("#add-url textarea", f"{site}/hydrogen")
    page.click("#add-url-run")
    page.wait_for_selector("#library-status :text('added')", timeout=30000)
    saved = list((app.root / "sources").glob("India-and-Japan*.md"))
    assert len(saved) == 1 and f"{site}/hydrogen" in saved[0].read_text(encoding="utf-8")
    page.click("#rebuild")
    page.wait_for_selector("#library-status :text('Index updated')", timeout=60000)
    page.get_by_role("tab", name="Chat").click()
    bot = ask(page, "Where will the green hydrogen fund build its plants?")
    assert "Gujarat" in bot.inner_text()
    card = page.locator("#evidence .setu-card").first
    assert "The Setu Gazette" in card.inner_text()
    link = card.locator("a.setu-url")
    assert link.get_attribute("href") == f"{site}/hydrogen" and link.get_attribute("target") == "_blank"
