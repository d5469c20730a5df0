"""A URL to a file for the sources folder, fetched as if every URL were
hostile: http and https only, every address of the host checked, the
connection made to the address that was checked, redirects, time and size
bounded. Web pages are reduced to their article with trafilatura."""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from urllib.parse import quote, urljoin, urlsplit

from .errors import SetuError
from .library import safe_name

USER_AGENT = "Setu/0.1 (+source fetcher)"
ACCEPT = "text/html, application/xhtml+xml, application/pdf, text/plain;q=0.9, text/markdown;q=0.9"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CONTENT_KINDS = {"text/html": "html", "application/xhtml+xml": "html", "application/pdf": "pdf", "text/plain": "txt",
                 "text/markdown": "txt"}
FILE_SUFFIXES = {"html": ".md", "pdf": ".pdf", "txt": ".txt"}  # each one a suffix load.SUFFIXES reads
CHUNK_BYTES = 64 * 1024
URL_SAFE = "/%:@!$&'()*+,;=~"  # kept as they are in a path or query; anything else is percent-encoded
ALLOW_HINT = "(set SETU_ALLOW_PRIVATE=1 to allow private addresses)"
# Checked in this order, so 169.254.169.254 is called link-local rather than private.
ADDRESS_RULES = (("is_unspecified", "an unspecified"), ("is_loopback", "a loopback"), ("is_link_local", "a link-local"),
                 ("is_multicast", "a multicast"), ("is_private", "a private"), ("is_reserved", "a reserved"))
# Refused even with SETU_ALLOW_PRIVATE=1, which opens loopback and private networks only.
ALWAYS_REFUSED = frozenset({"an unspecified address", "a link-local address", "a multicast address", "a reserved address"})
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv6 addresses carrying an IPv4 address in their last 32 bits
NETWORK_REASONS = ((ConnectionRefusedError, "connection refused"), (ConnectionResetError, "the server closed the connection"),
                   (http.client.IncompleteRead, "the connection closed before the whole body arrived"),
                   (http.client.HTTPException, "the server's answer is not valid HTTP"))


class FetchError(SetuError):
    """A URL that cannot be fetched, and why."""
    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


@dataclass(frozen=True)
class Fetched:
    url: str  # the URL asked for
    final_url: str  # after redirects
    kind: str  # "html", "pdf" or "txt"
    body: bytes  # raw bytes as received, at most max_bytes
    fetched: str  # UTC time, ISO 8601: "2026-11-29T23:10:00Z"
    content_type: str


@dataclass(frozen=True)
class Page:
    """An HTML page reduced to its article."""
    title: str
    author: str
    publisher: str  # the site's name
    date: str
    text: str  # the main text, as Markdown paragraphs


def address_problem(ip: str) -> str | None:
    """Why Setu must not connect to ``ip`` ("a link-local address"), or None
    for a public address. An IPv4 address inside an IPv6 one is judged as IPv4."""
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in NAT64 else None)
        if inner is not None:
            return address_problem(str(inner))
    for attribute, name in ADDRESS_RULES:
        if getattr(address, attribute):
            return f"{name} address"
    return None if address.is_global else "not a public address"  # e.g. 100.64.0.0/10, shared by carriers


def _resolve(url: str, host: str, port: int, allow_private: bool) -> list[tuple[str, int]]:
    """Every (address, port) of ``host``, each one checked."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(url, f"cannot resolve host {host}") from None
    addresses = list(dict.fromkeys(sockaddr[:2] for *_, sockaddr in infos))
    for ip, _ in addresses:
        problem = address_problem(ip)
        if problem in ALWAYS_REFUSED:  # the cloud metadata address is link-local: never, whatever the setting
            raise FetchError(url, f"refused: {ip} is {problem}")
        if problem and not allow_private:
            raise FetchError(url, f"refused: {ip} is {problem} {ALLOW_HINT}")
    return addresses


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the addresses already checked: the host is not looked up again."""
    def __init__(self, host, port, addresses, read_timeout, **options):
        super().__init__(host, port, **options)
        self.addresses, self.read_timeout = addresses, read_timeout

    def connect(self):
        for number, address in enumerate(self.addresses, start=1):
            try:
                self.sock = socket.create_connection(address, self.timeout)  # a numeric address: no DNS
                break
            except OSError:
                if number == len(self.addresses):
                    raise
        self.sock.settimeout(self.read_timeout)


class _PinnedHTTPS(_PinnedHTTP, http.client.HTTPSConnection):
    def connect(self):
        super().connect()
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)  # SNI and certificate: the name


def fetch(url: str, *, max_bytes: int, allow_private: bool = False, connect_timeout: float = 5.0,
          read_timeout: float = 15.0, max_redirects: int = 5) -> Fetched:
    """An HTML page, a PDF or plain text from ``url``, following at most
    ``max_redirects`` redirects (each checked again) and reading at most ``max_bytes``."""
    current = url
    for hop in range(max_redirects + 1):
        try:
            location, content_type, body = _get(url, current, max_bytes, allow_private, connect_timeout, read_timeout)
        except FetchError as e:  # after a redirect, say where it led
            raise (FetchError(url, f"{e.reason} (after a redirect to {current})") if hop else e) from None
        if not location:
            return Fetched(url, current, _kind(url, content_type, body), body,
                           datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), content_type)
        current = urljoin(current, location)
    raise FetchError(url, f"too many redirects (more than {max_redirects})")


def _get(url: str, target: str, max_bytes: int, allow_private: bool, connect_timeout: float,
         read_timeout: float) -> tuple[str, str, bytes]:
    """One request: (the Location to follow, or ""; the content type; the body)."""
    parts = urlsplit(target)
    scheme = parts.scheme  # lower-cased by urlsplit
    if scheme not in ("http", "https"):
        raise FetchError(url, "only http and https URLs can be added")
    if "@" in parts.netloc:
        raise FetchError(url, "URLs with credentials are not accepted")
    try:
        host, port = parts.hostname.encode("idna").decode("ascii"), parts.port or (443 if scheme == "https" else 80)
    except (AttributeError, UnicodeError, ValueError):  # no host name, a name IDNA refuses, a port out of range
        raise FetchError(url, f"no valid host name and port in {target}") from None
    addresses = _resolve(url, host, port, allow_private)
    path = quote(parts.path or "/", safe=URL_SAFE) + (f"?{quote(parts.query, safe=URL_SAFE + '?')}" if parts.query else "")
    options = {"timeout": connect_timeout} | ({"context": ssl.create_default_context()} if scheme == "https" else {})
    conn = (_PinnedHTTPS if scheme == "https" else _PinnedHTTP)(host, port, addresses, read_timeout, **options)
    timed_out = f"could not connect within {connect_timeout:g} s"
    try:
        conn.connect()
        timed_out = f"timed out after {read_timeout:g} s waiting for the server"
        conn.putrequest("GET", path, skip_accept_encoding=True)  # Host: the name, not the address
        for name, value in (("User-Agent", USER_AGENT), ("Accept", ACCEPT), ("Accept-Encoding", "identity")):
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        if response.status in REDIRECTS and (location := (response.getheader("Location") or "").strip()):
            return location, "", b""
        return "", _clean(response.getheader("Content-Type")), _body(url, response, max_bytes)
    except (OSError, http.client.HTTPException) as e:
        raise _network_error(url, e, timed_out) from None
    finally:
        conn.close()


def _body(url: str, response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    """The body of the last answer, read in chunks and never past ``max_bytes``."""
    if not 200 <= response.status < 300:  # the server's own reason phrase is not repeated
        phrase = next((s.phrase for s in HTTPStatus if s.value == response.status), "")
        raise FetchError(url, f"the server answered {response.status} {phrase}".strip())
    too_big = FetchError(url, f"larger than the {max_bytes / 1e6:g} MB limit (SETU_MAX_FILE_MB)")
    if response.length is not None and response.length > max_bytes:  # the Content-Length, if any
        raise too_big
    chunks, size = [], 0
    while chunk := response.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _network_error(url: str, error: Exception, timed_out: str) -> FetchError:
    """A low-level failure, as a reason a person can act on."""
    if isinstance(error, TimeoutError):
        return FetchError(url, timed_out)
    if isinstance(error, ssl.SSLError):
        detail = str(getattr(error, "verify_message", None) or error.reason or error)  # "WRONG_VERSION_NUMBER"
        return FetchError(url, f"TLS error: {detail.replace('_', ' ').lower()}")
    reason = next((reason for kind, reason in NETWORK_REASONS if isinstance(error, kind)), None)
    return FetchError(url, reason or f"network error: {getattr(error, 'strerror', None) or error}")


def _kind(url: str, content_type: str, body: bytes) -> str:
    """"html", "pdf" or "txt": the declared type, checked against the bytes."""
    mime = content_type.split(";")[0].strip().lower()
    declared = CONTENT_KINDS.get(mime)
    if body.lstrip().startswith(b"%PDF"):
        return "pdf"
    if declared == "pdf":
        raise FetchError(url, "the server said PDF but sent something else")
    if b"<!doctype html" in body[:1024].lower() or b"<html" in body[:1024].lower():
        return "html"
    if declared is None:
        raise FetchError(url, f"unsupported content type {mime or '(none)'}: Setu reads HTML pages, PDFs and plain text")
    return declared  # text that is really binary is refused by the loader, like any source file


def extract_html(body: bytes, url: str) -> Page:
    """The article of a page, without menus, sidebars, footers or cookie
    banners, with its title, author, publisher (site name) and date."""
    import trafilatura  # loaded only when a page is added

    html = trafilatura.utils.decode_file(body)  # UTF-8, else the encoding charset_normalizer finds
    meta = trafilatura.extract_metadata(html, default_url=url)
    text = trafilatura.extract(html, url=url, output_format="markdown", include_comments=False,
                               include_tables=True, include_images=False, include_links=False)
    if not text or not text.strip():
        raise FetchError(url, "no article text found in the page")
    return Page(title=_clean(meta.title), author=_clean(meta.author), publisher=_clean(meta.sitename),
                date=_clean(meta.date), text=text.strip())


def _clean(value: str | None) -> str:
    """One line of printable text: no control characters, no line breaks."""
    return " ".join("".join(ch for ch in value or "" if ch.isprintable() or ch.isspace()).split())


def to_markdown(page: Page, url: str, fetched: str) -> str:
    """A Markdown source: front matter (each value a JSON string, which YAML
    reads as a double-quoted string), the title as a heading, then the text."""
    fields = {**{key: getattr(page, key) for key in ("title", "author", "publisher", "date")}, "url": url, "fetched": fetched}
    front = "\n".join(f"{key}: {json.dumps(_clean(value), ensure_ascii=False)}" for key, value in fields.items())
    title, text = _clean(page.title), page.text.strip()
    heading = f"# {title}\n\n" if title and text.split("\n", 1)[0].lstrip("# ") != title else ""  # not twice
    return f"---\n{front}\n---\n\n{heading}{text}\n"


def file_name(title: str, url: str, kind: str) -> str:
    """A safe file name from the title, else from the URL's host and path."""
    suffix, parts = FILE_SUFFIXES[kind], urlsplit(url)
    for candidate in (title, f"{parts.hostname or ''} {parts.path}"):
        candidate = re.sub(r"[\\/.\s]+", " ", candidate).strip()
        if re.search(r"\w", candidate):
            return safe_name(f"{candidate[:100]}{suffix}")
    return f"page{suffix}"
