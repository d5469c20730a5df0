"""Many users at once: N clients ask questions through `/ask` for T seconds.

    .venv/bin/python bench/load.py http://127.0.0.1:7860 --clients 32 --seconds 20

Each client is a thread with its own HTTP connection, posting to
/gradio_api/run/ask (the endpoint behind `/ask`). Prints throughput,
p50/p95/p99 latency and errors, and keeps every answer's index generation
and cited passage ids so a caller can check that no answer mixes two
generations.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from dataclasses import dataclass, field

import httpx

QUESTIONS = [
    "When did India and Japan establish diplomatic relations?",
    "How large is the bilateral trade between the two countries?",
    "Which Japanese retailers opened stores in India?",
    "What is the Cool Japan initiative?",
    "When did India become the largest recipient of Japanese ODA loans?",
    "How do I bake sourdough bread?",
]


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self, clients: int) -> dict:
        lat = sorted(self.latencies_ms)

        def pct(q):
            return round(lat[min(len(lat) - 1, int(q * (len(lat) - 1)))], 1) if lat else None

        return {"clients": clients, "requests": len(lat), "errors": len(self.errors),
                "rps": round(len(lat) / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": round(statistics.median(lat), 1) if lat else None,
                "p95_ms": pct(0.95), "p99_ms": pct(0.99)}


def run(url: str, clients: int = 32, seconds: float = 10.0, questions=QUESTIONS) -> Result:
    result, lock = Result(), threading.Lock()
    deadline = time.perf_counter() + seconds
    endpoint = url.rstrip("/") + "/gradio_api/run/ask"

    def client(k: int):
        with httpx.Client(timeout=30) as http:
            i = k
            while time.perf_counter() < deadline:
                question = questions[i % len(questions)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = http.post(endpoint, json={"data": [question]})
                    ms = 1000 * (time.perf_counter() - t0)
                    body = r.json() if r.status_code == 200 else None
                    answer = body["data"][0] if body else None
                    problem = None if answer and "error" not in answer else f"HTTP {r.status_code}: {r.text[:120]}"
                except (httpx.HTTPError, ValueError, KeyError, IndexError) as e:
                    ms, answer, problem = 1000 * (time.perf_counter() - t0), None, f"{type(e).__name__}: {e}"
                with lock:
                    if problem:
                        result.errors.append(problem)
                    else:
                        result.latencies_ms.append(ms)
                        result.answers.append(answer)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    result = run(args.url, args.clients, args.seconds)
    summary = result.summary(args.clients)
    for key, value in summary.items():
        print(f"{key:10} {value}")
    for error in result.errors[:5]:
        print("error:", error)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
