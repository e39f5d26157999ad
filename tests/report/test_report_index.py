from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from smoke.report.render import STATIC, render_index, render_report
from tests.report.helpers import Elements
from tests.report.synthetic import make_synthetic_run


def _nights(reports: Path) -> list[str]:
    first = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    ids = []
    # the payments scenario breaks on the fourth night and stays broken
    for night in range(6):
        started = first + timedelta(days=night)
        run_id = started.strftime("%Y%m%d-%H%M%S")
        failing = ["payments"] if night >= 3 else []
        if night == 1:
            failing = ["tickets"]  # a one-night blip, fixed the next night
        make_synthetic_run(
            reports / run_id,
            steps=32,
            run_id=run_id,
            started=started,
            failing=failing,
            flaky=False,
            failures=0,
        )
        if night % 2 == 0:
            render_report(reports / run_id)
        ids.append(run_id)
    return ids


def test_index_lists_runs_newest_first_with_a_trend_chart(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ids = _nights(reports)
    # directory order and mtimes must not decide the order: the run's own start time does
    os.utime(reports / ids[0] / "results.json", (2_000_000_000, 2_000_000_000))
    (reports / "latest").symlink_to(ids[-1])
    (reports / "not-a-run").mkdir()
    (reports / "README.md").write_text("reports live here\n")

    path = render_index(reports)
    assert path == reports / "index.html"
    text = path.read_text(encoding="utf-8")
    doc = Elements(text)
    listed = [row["data-run"] for row in doc.find("tr") if "data-run" in row]
    assert listed == ids[::-1]
    # rendered runs link their report, the others their results
    assert f'href="{ids[0]}/report.html"' in text and f'href="{ids[1]}/results.json"' in text

    assert "<svg" in text and "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert len(doc.find("g", class_="bar")) == 6
    assert len(doc.find("rect", class_="seg-failed")) == 4  # night 1 and nights 3 to 5
    assert not doc.find("link") and not doc.find("script")
    assert (STATIC / "report.css").read_text(encoding="utf-8") in text

    # the regression's first night is named
    assert "Failing in the latest run" in text
    failing = text[text.index("Failing in the latest run") : text.index("Trend, oldest to newest")]
    assert "Pay a bill on every card processor" in failing and f">{ids[3]}</a>" in failing
    assert "Open and edit a ticket" not in failing
    history = text[text.index("Each scenario across runs") :]
    first_row = history[history.index("<tbody>") : history.index("</tr>", history.index("<tbody>"))]
    assert "Pay a bill on every card processor" in first_row
    assert first_row.count("cell-failed") == 3 and first_row.count("cell-passed") == 3


def test_index_of_an_empty_folder(tmp_path: Path) -> None:
    text = render_index(tmp_path).read_text(encoding="utf-8")
    assert "Runs (0)" in text and "No runs yet." in text


def test_index_survives_a_broken_run(tmp_path: Path) -> None:
    (tmp_path / "20261126-020000").mkdir()
    (tmp_path / "20261126-020000" / "results.json").write_text("{not json")
    text = render_index(tmp_path).read_text(encoding="utf-8")
    assert "results.json could not be read" in text
