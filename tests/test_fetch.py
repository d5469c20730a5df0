"""setu.fetch against a real HTTP server on 127.0.0.1 (a free port).

The server is on a loopback address, so tests that need an answer pass
``allow_private=True``; the refusal tests pass False and must be refused
before any connection. No request goes anywhere but 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

import setu.fetch
from setu.fetch import FetchError, Fetched, Page, address_problem, extract_html, fetch, file_name, to_markdown
from setu.load import SUFFIXES, load

from pdfs import make_pdf

PARAGRAPHS = [
    "India and Japan agreed on Tuesday to build a joint fund for green hydrogen plants along the western coast of "
    "Gujarat, with the first electrolysers expected to run before the end of the decade.",
    "Officials in New Delhi said the fund would pool public money from both governments with loans from Japanese "
    "banks, and that Indian firms would make most of the equipment under licence.",
    "The agreement follows two years of talks between the ministries of power and trade, and builds on the "
    "industrial competitiveness partnership the two prime ministers announced in Tokyo.",
    "Analysts in Osaka noted that Japanese utilities need steady supplies of ammonia and hydrogen to meet their "
    "own targets, which makes Indian production a natural fit for long-term contracts.",
]
ARTICLE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>India and Japan plan a green hydrogen fund | The Setu Gazette</title>
<meta property="og:title" content="India and Japan plan a green hydrogen fund">
<meta property="og:site_name" content="The Setu Gazette">
<meta name="author" content="Asha Raman">
<meta property="article:published_time" content="2025-03-14T09:00:00+05:30">
</head><body>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience. Accept all</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li><li><a href="/sport">Sport scores</a></li></ul></nav>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/x">Celebrity wedding photos stun fans</a></li></ul></aside>
<main><article>
<h1>India and Japan plan a green hydrogen fund</h1>
<p class="byline">By Asha Raman, <time datetime="2025-03-14">14 March 2025</time></p>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article></main>
<footer><p>Copyright 2025 Setu Gazette Media. Terms of service. Privacy policy.</p></footer>
</body></html>""".encode()
NOT_ARTICLE = ["cookies", "Accept all", "Sport scores", "World news", "Celebrity wedding", "Most read", "Copyright",
               "Terms of service"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)


class Handler(BaseHTTPRequestHandler):
    """The routes the tests fetch; ``self.server`` carries the PDF bytes and a stop event."""

    def log_message(self, *args):  # keep pytest's output clean
        pass

    def do_GET(self):
        port = self.server.server_address[1]
        path = self.path
        try:
            if path == "/article":
                self.reply(200, "text/html; charset=utf-8", ARTICLE)
            elif path == "/paper.pdf":
                self.reply(200, "application/pdf", self.server.pdf)
            elif path == "/notes.txt":
                self.reply(200, "text/plain; charset=utf-8", "Notes on the India–Japan summit.\n".encode())
            elif path == "/headers":
                self.reply(200, "text/plain", "".join(f"{k}: {v}\n" for k, v in self.headers.items()).encode())
            elif path in REDIRECTS:
                self.redirect(REDIRECTS[path].format(port=port))
            elif path == "/big":  # 50 kB with no Content-Length: the end is the connection closing
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                for _ in range(10):
                    self.wfile.write(b"x" * 5000)
            elif path == "/big-declared":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(10**9))
                self.end_headers()
                self.wfile.write(b"x" * 100)
            elif path == "/big-chunked":
                self.protocol_version = "HTTP/1.1"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for _ in range(10):
                    self.wfile.write(b"1388\r\n" + b"y" * 5000 + b"\r\n")  # 0x1388 = 5000
                self.wfile.write(b"0\r\n\r\n")
                self.close_connection = True
            elif path == "/image.png":
                self.reply(200, "image/png", PNG)
            elif path == "/fake.pdf":
                self.reply(200, "application/pdf", ARTICLE)
            elif path == "/stall":
                self.server.stop.wait(5)
                self.reply(200, "text/plain", b"too late")
            elif path == "/error":
                self.reply(500, "text/plain", b"boom")
            else:
                self.reply(404, "text/plain", b"not here")
        except (BrokenPipeError, ConnectionResetError):  # the client stopped reading, as it should
            pass

    def reply(self, status: int, content_type: str, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


REDIRECTS = {
    "/r1": "r2",  # relative
    "/r2": "http://127.0.0.1:{port}/article",  # absolute
    "/loop": "/loop",
    "/to-localhost": "http://127.0.0.1:{port}/article",
    "/to-ftp": "ftp://example.com/x",
    "/to-file": "file:///etc/passwd",
    "/to-metadata": "http://169.254.169.254/latest/meta-data/",
    "/to-ipv6-loopback": "http://[::1]:{port}/article",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    pdf = make_pdf(tmp_path_factory.mktemp("pdf") / "paper.pdf", [["India Japan paper, page one."], ["Page two."]])
    httpd.pdf, httpd.stop = pdf.read_bytes(), threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.stop.set()
    httpd.shutdown()
    httpd.server_close()


def get(url: str, **options) -> Fetched:
    return fetch(url, **{"max_bytes": 1_000_000, "allow_private": True, **options})


def refused(url: str, **options) -> str:
    with pytest.raises(FetchError) as caught:
        get(url, **options)
    assert str(caught.value).startswith(f"{url}: ")
    return caught.value.reason


# --- what comes back ----------------------------------------------------------------

def test_article_is_html_with_only_its_main_text(server):
    page = get(f"{server}/article")
    assert (page.kind, page.final_url, page.body) == ("html", f"{server}/article", ARTICLE)
    assert page.content_type == "text/html; charset=utf-8"
    assert page.fetched.endswith("Z") and len(page.fetched) == len("2026-11-29T23:10:00Z")
    article = extract_html(page.body, page.url)
    for paragraph in PARAGRAPHS:
        assert paragraph in article.text
    for boilerplate in NOT_ARTICLE:
        assert boilerplate not in article.text
    assert article.title == "India and Japan plan a green hydrogen fund"
    assert (article.author, article.publisher, article.date) == ("Asha Raman", "The Setu Gazette", "2025-03-14")


def test_markdown_front_matter_reads_back_in_yaml_and_the_loader(server, tmp_path):
    page = get(f"{server}/article")
    article = extract_html(page.body, page.url)
    text = to_markdown(article, page.final_url, page.fetched)
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {"title": article.title, "author": "Asha Raman", "publisher": "The Setu Gazette",
                     "date": "2025-03-14", "url": f"{server}/article", "fetched": page.fetched}
    assert text.count(f"# {article.title}\n") == 1
    path = tmp_path / file_name(article.title, page.final_url, page.kind)
    path.write_text(text, encoding="utf-8")
    doc = load(path, path.name)
    assert doc.title == article.title and PARAGRAPHS[2] in doc.text
    assert dict(doc.meta)["url"] == f"{server}/article"


def test_title_heading_is_added_when_the_text_has_none():
    text = to_markdown(Page("Notes", "", "", "", "First paragraph."), "http://x.test/", "2026-01-01T00:00:00Z")
    assert text.endswith("---\n\n# Notes\n\nFirst paragraph.\n")


def test_front_matter_survives_hostile_values():
    nasty = 'He said "yes": ---\nurl: http://evil\n\u2028# {x} \\ \x00 \x1b[31m'
    text = to_markdown(Page(nasty, nasty, "", "", "Body."), "http://example.com/a?b=\"c\"", "2026-01-01T00:00:00Z")
    front = yaml.safe_load(text.split("\n---\n")[0].removeprefix("---\n"))
    assert set(front) == {"title", "author", "publisher", "date", "url", "fetched"}
    assert front["url"] == 'http://example.com/a?b="c"'
    assert "\n" not in front["title"] and "\x00" not in front["title"] and front["title"].startswith('He said "yes"')


@pytest.mark.parametrize("html", [b"<html><head><title>Only a title</title></head><body><img src=a.png></body></html>",
                                  b"<html><body><script>var article = 'not text';</script><div></div></body></html>"])
def test_page_without_article_text_is_refused(html):
    with pytest.raises(FetchError) as caught:
        extract_html(html, "http://example.com/empty")
    assert str(caught.value) == "http://example.com/empty: no article text found in the page"


def test_pdf_and_text(server):
    pdf = get(f"{server}/paper.pdf")
    assert pdf.kind == "pdf" and pdf.body.startswith(b"%PDF") and pdf.content_type == "application/pdf"
    notes = get(f"{server}/notes.txt")
    assert notes.kind == "txt" and notes.body.decode() == "Notes on the India–Japan summit.\n"


def test_only_plain_headers_are_sent_and_host_is_the_name(server):
    sent = dict(line.split(": ", 1) for line in get(f"{server}/headers").body.decode().splitlines())
    assert sent["User-Agent"] == "Setu/0.1 (+source fetcher)"
    assert sent["Accept-Encoding"] == "identity"
    assert sent["Host"] == server.removeprefix("http://")
    assert not {"Cookie", "Authorization"} & set(sent)


def test_connection_goes_to_the_address_checked(server, monkeypatch):
    """A host name is looked up once; the connection uses that answer."""
    real, lookups = socket.getaddrinfo, []

    def dns(host, *args, **kwargs):  # the outside world, faked at its seam: this name is 127.0.0.1
        lookups.append(host)
        return real("127.0.0.1" if host == "setu-test.invalid" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    port = server.rsplit(":", 1)[1]
    sent = get(f"http://setu-test.invalid:{port}/headers").body.decode()
    assert f"Host: setu-test.invalid:{port}\n" in sent
    assert lookups.count("setu-test.invalid") == 1


# --- redirects ----------------------------------------------------------------------

def test_redirect_chain_relative_and_absolute(server):
    page = get(f"{server}/r1")
    assert page.url == f"{server}/r1" and page.final_url == f"{server}/article" and page.kind == "html"


def test_redirect_loop_stops(server):
    assert refused(f"{server}/loop") == "too many redirects (more than 5)"
    assert refused(f"{server}/loop", max_redirects=2) == "too many redirects (more than 2)"


def test_redirect_to_localhost_is_refused(server):
    reason = refused(f"{server}/to-localhost", allow_private=False)
    assert reason.startswith("refused: 127.0.0.1 is a loopback address (set SETU_ALLOW_PRIVATE=1")


def test_every_redirect_is_checked_again(server, monkeypatch):
    """With the test server counted as public, where its redirects lead is still checked."""
    monkeypatch.setattr(setu.fetch, "address_problem", lambda ip, real=address_problem: None if ip == "127.0.0.1"
                        else real(ip))
    assert get(f"{server}/r1", allow_private=False).final_url == f"{server}/article"
    start = time.monotonic()
    reason = refused(f"{server}/to-metadata", allow_private=False)
    assert reason.startswith("refused: 169.254.169.254 is a link-local address")
    assert reason.endswith("(after a redirect to http://169.254.169.254/latest/meta-data/)")
    assert refused(f"{server}/to-ipv6-loopback", allow_private=False).startswith("refused: ::1 is a loopback address")
    assert time.monotonic() - start < 1
    assert refused(f"{server}/to-ftp").startswith("only http and https URLs can be added (after a redirect")
    assert refused(f"{server}/to-file").startswith("only http and https URLs can be added")


# --- refused before connecting ------------------------------------------------------

@pytest.mark.parametrize("url, address", [
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://[::1]:{port}/article", "::1 is a loopback address"),
    ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
    ("http://127.0.0.1:{port}/article", "127.0.0.1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]:{port}/article", "::ffff:127.0.0.1 is a loopback address"),
])
def test_private_addresses_are_refused_at_once(server, url, address):
    url = url.format(port=server.rsplit(":", 1)[1])
    start = time.monotonic()
    message = refused(url, allow_private=False)
    assert message.startswith(f"refused: {address}")
    assert time.monotonic() - start < 0.5
    if "link-local" in address or "unspecified" in address:  # never allowed, not even with SETU_ALLOW_PRIVATE=1
        assert "SETU_ALLOW_PRIVATE" not in message
        assert refused(url, allow_private=True) == f"refused: {address}"
    else:
        assert message.endswith("(set SETU_ALLOW_PRIVATE=1 to allow private addresses)")


@pytest.mark.parametrize("url, reason", [
    ("ftp://example.com/x", "only http and https URLs can be added"),
    ("file:///etc/passwd", "only http and https URLs can be added"),
    ("javascript:alert(1)", "only http and https URLs can be added"),
    ("http://user:pw@127.0.0.1/", "URLs with credentials are not accepted"),
    ("http:///no-host", "no valid host name and port in http:///no-host"),
    ("http://127.0.0.1:99999/", "no valid host name and port in http://127.0.0.1:99999/"),
])
def test_bad_urls_are_refused(url, reason):
    assert refused(url) == reason


@pytest.mark.parametrize("ip", ["10.0.0.1", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "::1",
                                "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1", "0.0.0.0", "::",
                                "fc00::1", "ff02::1", "100.64.0.1", "2002:7f00:1::", "64:ff9b::a9fe:a9fe"])
def test_address_check_refuses(ip):
    assert address_problem(ip)


@pytest.mark.parametrize("ip", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"])
def test_address_check_allows_public(ip):
    assert address_problem(ip) is None


def test_address_check_names_the_kind():
    assert address_problem("169.254.169.254") == "a link-local address"
    assert address_problem("::ffff:127.0.0.1") == "a loopback address"
    assert address_problem("10.0.0.1") == "a private address"
    assert address_problem("224.0.0.1") == "a multicast address"


# --- size, type, time and status ----------------------------------------------------

@pytest.mark.parametrize("path", ["/big", "/big-declared", "/big-chunked"])
def test_size_cap(server, path):
    assert refused(f"{server}{path}", max_bytes=10_000) == "larger than the 0.01 MB limit (SETU_MAX_FILE_MB)"


def test_unsupported_and_fake_types(server):
    assert refused(f"{server}/image.png") == "unsupported content type image/png: Setu reads HTML pages, PDFs and plain text"
    assert refused(f"{server}/fake.pdf") == "the server said PDF but sent something else"


def test_stalled_server_times_out(server):
    start = time.monotonic()
    assert refused(f"{server}/stall", read_timeout=0.5) == "timed out after 0.5 s waiting for the server"
    assert time.monotonic() - start < 3


def test_error_statuses(server):
    assert refused(f"{server}/missing") == "the server answered 404 Not Found"
    assert refused(f"{server}/error") == "the server answered 500 Internal Server Error"


def test_network_failures_have_clear_reasons(server):
    with socket.socket() as spare:  # a port nothing listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    assert refused(f"http://127.0.0.1:{port}/") == "connection refused"
    assert refused(server.replace("http://", "https://") + "/article").startswith("TLS error: ")


# --- file names -----------------------------------------------------------------------

@pytest.mark.parametrize("title, url, kind, expected", [
    ("India and Japan plan a green hydrogen fund", "http://x.test/a", "html",
     "India-and-Japan-plan-a-green-hydrogen-fund.md"),
    ("../../etc/passwd", "http://x.test/a", "txt", "etc-passwd.txt"),
    ("", "https://www.mea.gov.in/bilateral/japan.htm", "html", "www-mea-gov-in-bilateral-japan-htm.md"),
    ("???", "https://example.com/", "pdf", "example-com.pdf"),
    ("", "", "txt", "page.txt"),
])
def test_file_name(title, url, kind, expected):
    assert file_name(title, url, kind) == expected


@pytest.mark.parametrize("title", ["a/b\\c", "\x00\x1f", "..", " ", "日本とインド", "x" * 500, "con:name?*<>|"])
def test_file_name_is_always_safe(title):
    name = file_name(title, "http://example.com/some/page", "pdf")
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert name.endswith(".pdf") and "." + name.rsplit(".", 1)[1] in SUFFIXES and len(name) <= 120
