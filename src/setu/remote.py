"""A running `setu serve` answers for the command line too: loading the
model takes seconds, asking a warm server takes milliseconds.

The server announces itself in ``index/SERVER.json`` (address, process,
language-model settings); `setu ask` uses it when it serves the same index
with the same settings, and answers locally otherwise. Only the standard
library is imported here, so this path loads neither torch nor gradio.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

FILE = "SERVER.json"


def _path(index_dir: Path) -> Path:
    return Path(index_dir) / FILE


def announce(settings, host: str, port: int) -> Path:
    """Record where this process serves the index (written beside, then swapped)."""
    reach = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    record = {"url": f"http://{reach}:{port}", "pid": os.getpid(), "llm_url": settings.llm_url,
              "llm_model": settings.llm_model}
    path = _path(settings.index)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{FILE}.{os.getpid()}")
    tmp.write_text(json.dumps(record))
    os.replace(tmp, path)
    return path


def withdraw(settings) -> None:
    """Remove the record, if it is this process's own."""
    path = _path(settings.index)
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _server(settings) -> dict | None:
    """The record of a live server of this index, or None."""
    path = _path(settings.index)
    try:
        record = json.loads(path.read_text())
        os.kill(int(record["pid"]), 0)  # is the process alive?
    except ProcessLookupError:  # a server that died without cleaning up
        path.unlink(missing_ok=True)
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record


def _call(record: dict, api: str, args: list, timeout: float):
    body = json.dumps({"data": args}).encode()
    request = urllib.request.Request(f"{record['url']}/gradio_api/run/{api}", data=body,
                                     headers={"Content-Type": "application/json"})
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy
    try:
        with direct.open(request, timeout=timeout) as response:
            return json.loads(response.read())["data"][0]
    except (OSError, ValueError, KeyError, IndexError, urllib.error.URLError):
        return None


def ask(settings, question: str, timeout: float = 60.0) -> dict | None:
    """The server's answer (the JSON of `setu ask --json`), or None when no
    live server serves this index with these settings."""
    record = _server(settings)
    if record is None:
        return None
    if (record.get("llm_url") or "", record.get("llm_model") or "") != (settings.llm_url, settings.llm_model):
        return None
    data = _call(record, "ask", [question], timeout)
    return data if isinstance(data, dict) and "answer" in data and not data.get("error") else None


def check_text(settings, text: str, name: str, timeout: float = 300.0) -> dict | None:
    """The server's report on a text (the JSON of `setu check --json`, or
    ``{"error": …}`` when the text cannot be checked), or None when no live
    server serves this index. A language model plays no part in checking."""
    record = _server(settings)
    if record is None:
        return None
    data = _call(record, "check_text", [text, name], timeout)
    return data if isinstance(data, dict) and ("sentences" in data or "error" in data) else None
