"""Start the real web app in a subprocess on a free port, for browser and API tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    def __init__(self, root: Path, extra_env: dict | None = None, args: tuple = ()):
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = root / "app.log"
        env = {**os.environ, "SETU_SOURCES": str(root / "sources"), "SETU_INDEX": str(root / "index"),
               "GRADIO_TEMP_DIR": str(root / "gradio-tmp"), "NO_PROXY": "127.0.0.1,localhost", **(extra_env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "setu.cli", "serve", "--port", str(self.port), *args],
                                     env=env, stdout=open(self.log, "w"), stderr=subprocess.STDOUT, cwd=root)
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited early:\n{self.log.read_text()}")
            try:
                if urllib.request.urlopen(f"{self.url}/gradio_api/info", timeout=2).status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the app did not start in time:\n{self.log.read_text()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
