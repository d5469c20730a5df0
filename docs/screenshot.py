"""Regenerate docs/screenshot.png and docs/screenshot-phone.png from the real app (needs a built index):

    .venv/bin/python docs/screenshot.py
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

from webapp import CHROMIUM, CHROMIUM_ARGS, App  # noqa: E402

QUESTION = "When did the civil nuclear agreement enter into force?"



def shoot(page, path: Path, settle_ms: int) -> None:
    """Ask the question, open its first citation, and save the screen."""
    page.goto(app.url, wait_until="domcontentloaded")
    page.fill("#question textarea", QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_selector("#evidence .setu-card")
    page.locator("a.cite-ref").first.click()
    page.wait_for_timeout(settle_ms)
    page.screenshot(path=str(path))


app = App(ROOT)
try:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        shoot(browser.new_page(viewport={"width": 1280, "height": 760}), ROOT / "docs" / "screenshot.png", 600)
        shoot(browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True),
              ROOT / "docs" / "screenshot-phone.png", 900)
        browser.close()
finally:
    app.stop()
