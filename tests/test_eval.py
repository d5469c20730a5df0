"""`setu eval` on the eval set, with the floors CI holds."""

import json
import shutil

from click.testing import CliRunner

from conftest import DATA, SEED
from setu.cli import main


def test_setu_eval_reports_every_measure_and_meets_the_floors(tmp_path, embedder):
    shutil.copy(SEED, tmp_path / "sources" / SEED.name)
    runner = CliRunner()
    assert runner.invoke(main, ["index", "--quiet"]).exit_code == 0
    result = runner.invoke(main, ["eval", str(DATA / "qa.jsonl"), "--out", str(tmp_path / "report"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["recall@5"] >= 0.95 and summary["mrr@10"] >= 0.7
    assert summary["answer_accuracy"] >= 0.90
    assert summary["citation_recall"] >= 0.95 and summary["citation_precision"] >= 0.95
    assert summary["off_topic_abstained"] == 1.0 and summary["abstained_on_answerable"] <= 0.05
    assert summary["ask_p50_ms"] > 0
    report = (tmp_path / "report" / "report.md").read_text()
    assert "| answer_accuracy |" in report and "chart.png" in report
    assert (tmp_path / "report" / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
