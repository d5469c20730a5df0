"""The Check tab on pasted text: each sentence coloured by its verdict, its
evidence on a click or Enter, and the Markdown report to download; in a real
browser on the starter library, and the page's HTML without one."""

import os
from pathlib import Path

import pytest

from test_web import ARTIFACTS, page  # noqa: F401  (the page fixture, on this module's app)
from webapp import App

TRUE = "In 1958 Japan extended its first yen loan to India."
FALSE = "India and Japan established diplomatic relations in 1962."
ABSENT = "India and Japan co-host a chess olympiad every year in Kyoto."
TEXT = f"{TRUE} {FALSE}\n\n{ABSENT}\n"


@pytest.fixture(scope="module")
def app(library_index):
    """The app on the session's starter library itself (checking changes nothing in it)."""
    root = library_index.path.parent.parent  # <root>/index/<generation>
    app = App(root)
    yield app
    app.stop()


@pytest.mark.browser
def test_pasted_text_is_marked_sentence_by_sentence_with_evidence_and_a_report(page):  # noqa: F811
    page.get_by_role("tab", name="Check").click()
    page.fill("#check-input textarea", TEXT)
    page.click("#check-run")
    page.wait_for_selector("#check-report .setu-s", timeout=60000)
    report = page.locator("#check-report")

    def sentence(text):
        return report.locator(".setu-s", has_text=text)

    assert "setu-s-supported" in sentence(TRUE).get_attribute("class")
    assert "setu-s-contradicted" in sentence(FALSE).get_attribute("class")
    assert "setu-s-not_found" in sentence(ABSENT).get_attribute("class")
    assert "3 sentences: 1 supported, 1 contradicted, 1 not found" in report.inner_text()
    assert report.locator(".setu-annotated p").count() == 2  # the paragraph break is kept
    assert report.locator(".setu-ev:not([hidden])").inner_text().startswith("Click a sentence")

    sentence(FALSE).click()
    shown = report.locator(".setu-ev:not([hidden])")
    assert shown.count() == 1
    assert "✗ contradicted" in shown.inner_text() and "1952" in shown.locator("mark").inner_text()
    assert "the sources say 1952, not 1962" in shown.inner_text()
    href = shown.locator("a", has_text="open source at the quote").get_attribute("href")
    assert href.startswith("/view/") and "start=" in href and href.endswith("#quote")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "check_text_contradicted_evidence.png"), full_page=True)

    sentence(ABSENT).focus()  # from the keyboard: Enter on a sentence shows its evidence too
    page.keyboard.press("Enter")
    shown = report.locator(".setu-ev:not([hidden])")
    assert "? not found" in shown.inner_text() and "Closest passage" in shown.inner_text()
    assert "Said in the library" not in shown.inner_text()
    assert sentence(ABSENT).get_attribute("aria-pressed") == "true"
    assert sentence(FALSE).get_attribute("aria-pressed") == "false"

    with page.expect_download() as download:
        page.click("#check-download")
    assert download.value.suggested_filename == "check-report.md"
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert "**contradicted**" in markdown and FALSE in markdown
    assert "Closest passage" in markdown and "sources/briefs/" in markdown


def test_the_check_page_is_escaped_and_says_closest_not_support(library_index):
    from setu.render import text_report_html
    from setu.web import check_pasted_text, paragraph_sizes

    sources = Path(os.path.commonpath([p.source for p in library_index.passages]))
    page, markdown = check_pasted_text(TEXT, library_index, sources)
    assert page.count('class="setu-s ') == 3 and page.count("<p>") == 2
    assert '<mark>On 28 April 1952, India and Japan established diplomatic relations' in page
    assert "/view/briefs/" in page and "Closest passage" in page
    assert markdown.startswith("# Citation check: pasted text") and "3 sentences: 1 supported" in markdown
    assert paragraph_sizes("# A heading\n\nOne sentence here is long. Another one here too.\n\n[^1]: x.md\n") == [2]

    hostile = '<img src=x onerror="alert(1)"> is claimed here by someone.'
    report = {"summary": {"supported": 0, "contradicted": 0, "not_found": 1, "miscited": 0},
              "sentences": [{"text": hostile, "verdict": "not_found", "reason": "<b>why</b>", "cites": [],
                             "evidence": [{"source": "<s>.md", "title": "<script>x</script>", "page": None,
                                           "quote": "<i>q</i>", "start": 0, "end": 8, "url": "",
                                           "context": "<i>q</i> and <u>more</u>", "at": (0, 8)}]}]}
    html = text_report_html(report, [1])
    assert "<img" not in html and "<script>" not in html and "<b>" not in html and "<u>" not in html
    assert "<mark>&lt;i&gt;q&lt;/i&gt;</mark> and &lt;u&gt;more" in html
    assert "1 sentence: 1 not found" in html and "Closest passage" in html
