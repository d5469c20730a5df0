"""`setu add` against a real HTTP server on 127.0.0.1: pages, PDFs, refusals,
refreshes, and answers that cite the page they came from."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from pdfs import make_pdf
from setu.cli import main
from test_fetch import ARTICLE, NOT_ARTICLE, PARAGRAPHS


class Site(BaseHTTPRequestHandler):
    """Serves ``self.server.pages``: path -> (status, content type, body); tests change it."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        status, kind, body = self.server.pages.get(self.path, (404, "text/plain", b"not here"))
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", body.decode())
            body = b""
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def site(tmp_path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    pdf = make_pdf(tmp_path / "made.pdf", [["The Kanazawa Accord on tidal power was signed by India and Japan in 2031."],
                                           ["It covers two pilot plants."]])
    httpd.pages = {
        "/article": (200, "text/html; charset=utf-8", ARTICLE),
        "/report.pdf": (200, "application/pdf", pdf.read_bytes()),
        "/old": (302, "text/plain", b"/article"),
        "/to-metadata": (302, "text/plain", b"http://169.254.169.254/latest/meta-data/"),
        "/to-loopback": (302, "text/plain", f"{base}/article".encode()),
        "/image.png": (200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(100)),
        "/error": (500, "text/plain", b"boom"),
        "/big": (200, "text/plain", b"x" * 3_000_000),
    }
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base, httpd.pages
    httpd.shutdown()
    httpd.server_close()


def run(*args, env=None):
    """The CLI with private addresses allowed (the test server is on 127.0.0.1);
    ``all`` holds what it printed on both streams."""
    result = CliRunner().invoke(main, list(args), env={"SETU_ALLOW_PRIVATE": "1", **(env or {})})
    result.all = result.stdout + result.stderr
    return result


def test_a_page_is_saved_as_its_article_with_where_it_came_from(site, isolated):
    base, _ = site
    result = run("add", f"{base}/article", "--no-index")
    assert result.exit_code == 0, result.output
    saved = list((isolated / "sources").glob("*.md"))
    assert len(saved) == 1 and "(added)" in result.output
    text = saved[0].read_text(encoding="utf-8")
    front = text.split("---")[1]
    for key in ("url:", "fetched:", "title:", "publisher:", "date:"):
        assert key in front
    assert f'url: "{base}/article"' in front and "The Setu Gazette" in front
    assert all(p in text for p in PARAGRAPHS)
    assert not any(junk in text for junk in NOT_ARTICLE)


def test_adding_the_same_url_again_refreshes_it_and_a_changed_page_is_updated(site, isolated):
    base, pages = site
    assert run("add", f"{base}/article", "--no-index").exit_code == 0
    again = run("add", f"{base}/article", "--no-index")
    assert again.exit_code == 0 and "(unchanged)" in again.output
    assert len(list((isolated / "sources").glob("*.md"))) == 1
    changed = ARTICLE.replace(PARAGRAPHS[0].encode(), b"India and Japan dropped the hydrogen fund on Friday and chose solar "
                              b"farms in Rajasthan instead, officials said.")
    pages["/article"] = (200, "text/html; charset=utf-8", changed)
    refreshed = run("add", "--refresh", "--no-index")
    assert refreshed.exit_code == 0 and "(updated)" in refreshed.output and "1 changed" in refreshed.output
    saved = list((isolated / "sources").glob("*.md"))
    assert len(saved) == 1 and "solar farms in Rajasthan" in saved[0].read_text(encoding="utf-8")


def test_an_added_pdf_is_indexed_and_cited_with_its_url(site, isolated, embedder):
    base, _ = site
    result = run("add", f"{base}/report.pdf")
    assert result.exit_code == 0, result.output
    assert "Index updated" in result.output
    saved = isolated / "sources" / "report.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    assert json.loads((isolated / "sources" / ".report.pdf.source.json").read_text())["url"] == f"{base}/report.pdf"
    answer = run("ask", "--json", "When was the Kanazawa Accord on tidal power signed?")
    data = json.loads(answer.output.strip().splitlines()[-1])
    assert not data["abstained"] and "2031" in data["answer"]
    cited = data["citations"][0]
    assert cited["url"] == f"{base}/report.pdf" and cited["fetched"].endswith("Z") and cited["page"] == 1


def test_a_page_reached_through_a_redirect_is_added(site, isolated):
    base, _ = site
    result = run("add", f"{base}/old", "--no-index")
    assert result.exit_code == 0, result.output
    assert all(p in list((isolated / "sources").glob("*.md"))[0].read_text(encoding="utf-8") for p in PARAGRAPHS)


@pytest.mark.parametrize("path, reason", [
    ("/to-metadata", "169.254.169.254 is a link-local address"),
    ("/image.png", "unsupported content type image/png"),
    ("/error", "500 Internal Server Error"),
    ("/missing", "404 Not Found"),
    ("/big", "larger than the 1 MB limit"),
])
def test_each_failure_is_named_nothing_is_saved_and_the_index_is_kept(site, isolated, path, reason):
    base, _ = site
    (isolated / "sources" / "kept.md").write_text("# Kept\n\nThe Kanazawa Accord was signed in 2031.\n")
    assert run("index", "--quiet").exit_code == 0
    before = sorted(p.name for p in (isolated / "sources").iterdir())
    result = run("add", f"{base}/article", f"{base}{path}", env={"SETU_MAX_FILE_MB": "1"})
    assert result.exit_code == 1
    assert f"{base}{path}: " in result.all and reason in result.all
    after = sorted(p.name for p in (isolated / "sources").iterdir())
    assert len(after) == len(before) + 1  # the good URL only
    answer = json.loads(run("ask", "--json", "When was the Kanazawa Accord signed?").output.strip().splitlines()[-1])
    assert "2031" in answer["answer"]


def test_loopback_is_refused_unless_private_addresses_are_allowed(site, isolated):
    base, _ = site
    direct = run("add", f"{base}/article", "--no-index", env={"SETU_ALLOW_PRIVATE": "0"})
    assert direct.exit_code == 1 and "127.0.0.1 is a loopback address" in direct.all
    assert "SETU_ALLOW_PRIVATE=1" in direct.all
    assert not list((isolated / "sources").iterdir())
    shown = CliRunner().invoke(main, ["config"], env={"SETU_ALLOW_PRIVATE": "1"})
    assert "allow_private" in shown.output and "True" in shown.output


def test_urls_come_from_a_list_or_from_a_briefs_footnotes(site, isolated, tmp_path):
    base, _ = site
    brief = tmp_path / "brief.md"
    brief.write_text(f"---\ntitle: x\n---\nA fact.[^1] Another.[^2]\n\n[^1]: Gazette, \"A\", 2025-01-01, {base}/article\n"
                     f"[^2]: Lab, \"B\", 2025-01-02, {base}/report.pdf\n")
    result = run("add", "--from", str(brief), "--no-index")
    assert result.exit_code == 0, result.output
    assert "2 changed, 0 unchanged, 0 failed" in result.output
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{base}/article\n\n{base}/missing\n")
    second = run("add", "--from", str(listing), "--no-index")
    assert second.exit_code == 1 and "(unchanged)" in second.all and "404" in second.all
