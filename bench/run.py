"""`make bench`: speed and memory, measured in one run so the ratios are fair.

Prints a table, then (last line) one JSON object with every figure.
Timings on shared machines are noisy: each figure is a median, and the
targets are ratios of figures taken in the same run.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from setu.answer import ask  # noqa: E402
from setu.chunk import chunk  # noqa: E402
from setu.config import load_settings  # noqa: E402
from setu.embed import embedder_for  # noqa: E402
from setu.evaluate import read_items  # noqa: E402
from setu.build import build  # noqa: E402
from setu.index import open_index  # noqa: E402
from setu.load import load  # noqa: E402

SEED = ROOT / "sources" / "india-japan-proactive-partnership.md"


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def synthetic_corpus(folder: Path, copies: int) -> None:
    """Many distinct documents made from the seed's sentences in shuffled order."""
    from setu.text import sentence_spans

    text = load(SEED, "seed").text
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    rng = random.Random(7)
    folder.mkdir(parents=True)
    for i in range(copies):
        order = sentences[:]
        rng.shuffle(order)
        paragraphs = [" ".join(order[j:j + 5]) for j in range(0, len(order), 5)]
        (folder / f"doc{i:03}.md").write_text(f"# Document {i}\n\n" + "\n\n".join(paragraphs), encoding="utf-8")


def index_texts(sources: Path, settings) -> tuple[list[str], int]:
    """Exactly the texts a full build embeds: passages, then each file's distinct sentences."""
    texts, n_passages = [], 0
    for path in sorted(sources.iterdir()):
        doc = load(path, path.name)
        passages = chunk(doc, settings.chunk_words, settings.chunk_overlap)
        n_passages += len(passages)
        texts += [p.text for p in passages]
        texts += [doc.text[a:b] for a, b in sorted({s for p in passages for s in p.sentences})]
    return texts, n_passages


def noop_reindex_s(env: dict) -> float:
    """Median wall time of `setu index` in a new process when nothing changed."""
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "setu.cli", "index", "--quiet"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        runs.append(time.perf_counter() - t0)
    return round(statistics.median(runs), 3)


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024, 1)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="setu-bench-"))
    results: dict[str, float] = {}
    try:
        embedder = embedder_for("all-MiniLM-L6-v2")
        embedder.encode(["warm up"])

        # 1. Indexing throughput against the raw cost of embedding the same texts.
        corpus = work / "corpus"
        synthetic_corpus(corpus, copies=12)
        settings = load_settings(sources=corpus, index=work / "corpus-index")
        texts, n_passages = index_texts(corpus, settings)
        encode_runs, index_runs = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            embedder.model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
            encode_runs.append(time.perf_counter() - t0)
            shutil.rmtree(settings.index, ignore_errors=True)
            t0 = time.perf_counter()
            report = build(settings, embedder=embedder)
            index_runs.append(time.perf_counter() - t0)
            assert report.passages == n_passages, (report.passages, n_passages)
        results["corpus_passages"] = n_passages
        results["encode_passages_per_s"] = round(n_passages / statistics.median(encode_runs), 1)
        results["index_passages_per_s"] = round(n_passages / statistics.median(index_runs), 1)

        # 2. A re-index with nothing changed, as a user runs it (a new process).
        env = {**os.environ, "SETU_SOURCES": str(corpus), "SETU_INDEX": str(settings.index)}
        results["noop_reindex_s"] = noop_reindex_s(env)

        # 3. Answer latency, warm and in-process, on the full starter library (the seed article and the briefs).
        seed_sources = work / "sources"
        shutil.copytree(ROOT / "sources", seed_sources)
        seed_settings = load_settings(sources=seed_sources, index=work / "index")
        build(seed_settings, embedder=embedder)
        index = open_index(seed_settings.index)
        results["library_passages"] = len(index.passages)
        env = {**os.environ, "SETU_SOURCES": str(seed_sources), "SETU_INDEX": str(seed_settings.index)}
        results["library_noop_reindex_s"] = noop_reindex_s(env)
        questions = [item.question for name in ("broad.jsonl", "qa.jsonl")
                     for item in read_items(ROOT / "tests" / "data" / name)]
        random.Random(3).shuffle(questions)
        questions = questions[:200]
        for q in questions[:20]:
            ask(q, index, embedder)
        encode_ms, ask_ms = [], []
        for q in questions:  # interleaved, so both see the same machine load
            t0 = time.perf_counter()
            embedder.encode([q])
            encode_ms.append(1000 * (time.perf_counter() - t0))
            t0 = time.perf_counter()
            ask(q, index, embedder)
            ask_ms.append(1000 * (time.perf_counter() - t0))
        results["encode_p50_ms"] = round(statistics.median(encode_ms), 2)
        results["ask_p50_ms"] = round(statistics.median(ask_ms), 2)
        results["ask_p95_ms"] = round(pct(ask_ms, 95), 2)

        # 3b. Checking Setu's own answers (verbatim quotes: no meaning model), next to encoding the claim once;
        # and a paraphrased claim against its passage, which pays one call of the meaning model.
        from setu import nli
        from setu.answer import to_json
        from setu.check import split_claims, verdict_for

        own = []
        for q in questions[:60]:
            data = to_json(ask(q, index, embedder))
            passages = {c["n"]: c["passage"] for c in data["citations"]}
            for sentence in split_claims(data["answer"]):
                ns = [int(n) for n in re.findall(r"\[(\d+)\]", sentence) if int(n) in passages]
                if ns:
                    own.append((sentence, [passages[n] for n in ns]))
        check_ms, encode2_ms = [], []
        for claim, passages in (own * 4)[:200]:
            t0 = time.perf_counter()
            embedder.encode([claim])
            encode2_ms.append(1000 * (time.perf_counter() - t0))
            t0 = time.perf_counter()
            verdict_for(claim, passages, embedder, index)
            check_ms.append(1000 * (time.perf_counter() - t0))
        results["check_p50_ms"] = round(statistics.median(check_ms), 2)
        results["check_encode_p50_ms"] = round(statistics.median(encode2_ms), 2)

        pairs = []
        for line in (ROOT / "tests" / "data" / "citations.jsonl").read_text().splitlines():
            pair = json.loads(line)
            first = pair["passage"].split(". ")[0]
            passage = next((p.text for p in index.passages if first in p.text), None)
            if passage:
                pairs.append((pair["claim"], passage))
        claim_ms = []
        for claim, passage in pairs:
            nli._cache.clear()  # no claim is checked twice: every call pays the model
            t0 = time.perf_counter()
            verdict_for(claim, [passage], embedder, index)
            claim_ms.append(1000 * (time.perf_counter() - t0))
        results["check_claim_p50_ms"] = round(statistics.median(claim_ms), 2)
        nli_ms = []
        for claim, passage in pairs[:30]:
            nli._cache.clear()
            t0 = time.perf_counter()
            nli.violation([(claim, passage)])
            nli_ms.append(1000 * (time.perf_counter() - t0))
        results["nli_pair_p50_ms"] = round(statistics.median(nli_ms), 2)

        # 3b'. Checking a written text against the whole library, per sentence, next to ask_p50_ms.
        from setu.textcheck import check_text, split_text

        written = [s for s, _ in split_text((ROOT / "tests" / "data" / "claims.md").read_text())[0]]
        text_ms = []
        for sentence in written:
            nli._cache.clear()
            t0 = time.perf_counter()
            check_text(sentence, index, embedder)
            text_ms.append(1000 * (time.perf_counter() - t0))
        results["check_text_p50_ms"] = round(statistics.median(text_ms), 2)

        # 3c. Generated answers from the local llama.cpp server (SmolLM2-135M), next to ask_p50_ms.
        from llmservers import LlamaServer

        from setu.generate import stream
        from setu.llm import LLM
        server = LlamaServer(work / "llama.log")
        try:
            llm = LLM(server.url, "smollm2", timeout=60)

            class Timed:
                """The same client, noting when the first piece of each reply arrives."""

                def __init__(self):
                    self.first = None

                def stream(self, messages):
                    for piece in llm.stream(messages):
                        if self.first is None:
                            self.first = time.perf_counter()
                        yield piece

            list(stream(questions[0], index, embedder, llm))  # warm up
            first_ms, answer_ms = [], []
            for q in questions[:12]:
                timed = Timed()
                t0 = time.perf_counter()
                for _event in stream(q, index, embedder, timed):
                    pass
                if timed.first is not None:  # off-topic questions never reach the model
                    answer_ms.append(1000 * (time.perf_counter() - t0))
                    first_ms.append(1000 * (timed.first - t0))
            results["llm_first_token_ms"] = round(statistics.median(first_ms), 1)
            results["llm_answer_ms"] = round(statistics.median(answer_ms), 1)
        finally:
            server.stop()

        # 4. The web app: memory once warm, and /ask through gradio_client.
        from webapp import App

        app = App(work, extra_env={"SETU_SOURCES": str(seed_sources), "SETU_INDEX": str(seed_settings.index)})
        try:
            from gradio_client import Client

            # Plain http on loopback: ssl_verify=False only skips loading the CA bundle on every request.
            client = Client(app.url, analytics_enabled=False, verbose=False, download_files=str(work / "dl"),
                            ssl_verify=False)
            for q in questions[:10]:
                client.predict(q, api_name="/ask")
            http_ms = []
            for q in questions[:100]:
                t0 = time.perf_counter()
                client.predict(q, api_name="/ask")
                http_ms.append(1000 * (time.perf_counter() - t0))
            results["http_ask_p50_ms"] = round(statistics.median(http_ms), 2)

            # 4b. The command line in a new process, with this server running (it answers through it),
            # next to a new process that only imports sentence-transformers.
            cli_s, import_s = [], []
            for q in questions[:5]:
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "setu.cli", "ask", q], env=env, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                cli_s.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-c", "import sentence_transformers"], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                import_s.append(time.perf_counter() - t0)
            results["cli_ask_wall_s"] = round(statistics.median(cli_s), 3)
            results["st_import_s"] = round(statistics.median(import_s), 3)
            results["serve_rss_mb"] = _rss_mb(app.proc.pid)  # after answering, before any check
            # 4c. `setu check` of one paraphrased claim in a new process, through the same server.
            seed_claims = [json.loads(line)["claim"] for line in
                           (ROOT / "tests" / "data" / "citations.jsonl").read_text().splitlines() if line.strip()]
            check_s = []
            for i, claim in enumerate(seed_claims[:5]):
                note = work / f"claim-{i}.txt"
                note.write_text(claim + "\n")
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "setu.cli", "check", str(note)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # exit 1 on a contradiction
                check_s.append(time.perf_counter() - t0)
            results["cli_check_wall_s"] = round(statistics.median(check_s), 3)
            results["serve_rss_checked_mb"] = _rss_mb(app.proc.pid)  # the meaning model is loaded now
            urllib.request.urlopen(app.url + "/gradio_api/info").read()

            # 5. Many users: 32 clients for 15 s.
            sys.path.insert(0, str(ROOT / "bench"))
            import load

            loaded = load.run(app.url, clients=32, seconds=15).summary(32)
            results["load_rps"] = loaded["rps"]
            results["load_p95_ms"] = loaded["p95_ms"]
            results["load_errors"] = loaded["errors"]
        finally:
            app.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    targets = [
        ("ask_p50_ms <= 2 x encode_p50_ms", results["ask_p50_ms"] <= 2 * results["encode_p50_ms"]),
        ("index >= 0.8 x encode passages/s", results["index_passages_per_s"] >= 0.8 * results["encode_passages_per_s"]),
        ("noop_reindex_s < 1", results["noop_reindex_s"] < 1),
        ("library_noop_reindex_s < 1", results["library_noop_reindex_s"] < 1),
        ("serve_rss_mb < 1000", results["serve_rss_mb"] < 1000),
        ("serve_rss_checked_mb < 1500", results["serve_rss_checked_mb"] < 1500),
        ("http_ask_p50_ms <= ask_p50_ms + 50", results["http_ask_p50_ms"] <= results["ask_p50_ms"] + 50),
        ("check_p50_ms <= 1.15 x encoding the claim once", results["check_p50_ms"] <= 1.15 * results["check_encode_p50_ms"]),
        # One uncited sentence against the library: a search like `ask`, plus the meaning model
        # on the closest passages (about one call at the median).
        ("check_text_p50_ms <= ask_p50_ms + 2 x nli_pair_p50_ms",
         results["check_text_p50_ms"] <= results["ask_p50_ms"] + 2 * results["nli_pair_p50_ms"]),
        ("load_errors == 0 at 32 clients", results["load_errors"] == 0),
        ("cli_ask_wall_s <= 0.3 x st_import_s", results["cli_ask_wall_s"] <= 0.3 * results["st_import_s"]),
        # Checking a claim from the command line costs about one `setu ask` (the meaning model's call on top).
        ("cli_check_wall_s <= 1.5 x cli_ask_wall_s", results["cli_check_wall_s"] <= 1.5 * results["cli_ask_wall_s"]),
    ]
    print(f"{'measure':28} value")
    for key, value in results.items():
        print(f"{key:28} {value}")
    print()
    for name, ok in targets:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=1))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
