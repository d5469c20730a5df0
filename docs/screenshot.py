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

app = App(ROOT)
try:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 760})
        page.goto(app.url, wait_until="domcontentloaded")
        page.fill("#question textarea", QUESTION)
        page.keyboard.press("Enter")
        page.wait_for_selector("#evidence .setu-card")
        page.locator("a.cite-ref").first.click()
        page.wait_for_timeout(600)
        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        phone.goto(app.url, wait_until="domcontentloaded")
        phone.fill("#question textarea", QUESTION)
        phone.keyboard.press("Enter")
        phone.wait_for_selector("#evidence .setu-card")
        phone.locator("a.cite-ref").first.click()
        phone.wait_for_timeout(900)
        phone.screenshot(path=str(ROOT / "docs" / "screenshot-phone.png"))
        browser.close()
finally:
    app.stop()
