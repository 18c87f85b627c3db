"""`redrill report`: the data behind the charts (golden), agreement with progress and export, and
the page really rendering in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import stat
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from fixtures_attempts import T0, metrics
from redrill.scoring import Metrics
from redrill.tracking.report import render_html, report_data

CHROMIUM = "/usr/bin/chromium"


def typed(*args, **kw):
    """The stored metrics of one attempt, as the store reads them."""
    return Metrics.from_dict(metrics(*args, **kw))


def test_report_data_golden():
    scored = [
        (1, "a", T0, typed(170, 70, fillers=6.0, pauses=3)),
        (2, "b", T0 + timedelta(days=1), typed(100, 20, fillers=1.0, pauses=0)),
        # nothing in the second week: the weekly view still has it, with no median
        (3, "a", T0 + timedelta(days=15), typed(115, 40, fillers=3.0, pauses=1)),
        (4, "a", T0 + timedelta(days=16, hours=3), typed(None, 35, fillers=None, pauses=None)),
    ]
    data = report_data(scored, {"a": "Question A?"}, tz=timezone.utc)
    assert data["weeks"] == [
        {"week": "2024-W10", "start": "2024-03-04", "attempts": 2, "median_ramble_score": 45.0},
        {"week": "2024-W11", "start": "2024-03-11", "attempts": 0, "median_ramble_score": None},
        {"week": "2024-W12", "start": "2024-03-18", "attempts": 2, "median_ramble_score": 37.5},
    ]
    assert data["totals"] == {
        "attempts": 4,
        "questions": 2,
        "first": "2024-03-04T09:00+00:00",
        "last": "2024-03-20T12:00+00:00",
    }
    a, b = data["questions"]  # weakest first
    assert (a["question_id"], a["question_text"], a["target_s"], a["attempts"]) == (
        "a",
        "Question A?",
        [60.0, 120.0],
        3,
    )
    assert a["points"] == [
        {
            "attempt_id": 1,
            "when": "2024-03-04T09:00+00:00",
            "duration_s": 170.0,
            "fillers_per_min": 6.0,
            "fillers": 0,
            "long_pauses": 3,
            "long_pause_total_s": None,
            "ramble_score": 70.0,
            "target_s": [60.0, 120.0],
        },
        {
            "attempt_id": 3,
            "when": "2024-03-19T09:00+00:00",
            "duration_s": 115.0,
            "fillers_per_min": 3.0,
            "fillers": 0,
            "long_pauses": 1,
            "long_pause_total_s": None,
            "ramble_score": 40.0,
            "target_s": [60.0, 120.0],
        },
        {
            "attempt_id": 4,
            "when": "2024-03-20T12:00+00:00",
            "duration_s": None,
            "fillers_per_min": None,
            "fillers": 0,
            "long_pauses": None,
            "long_pause_total_s": None,
            "ramble_score": 35.0,
            "target_s": [60.0, 120.0],
        },
    ]
    assert a["best"]["attempt_id"] == 3 and b["question_text"] == "b"
    # weeks are the user's local weeks: 23:30 UTC on Sunday is Monday in Tokyo
    late = [(1, "a", datetime(2024, 3, 10, 23, 30, tzinfo=timezone.utc), typed(100, 10))]
    assert report_data(late, tz=timezone.utc)["weeks"][0]["week"] == "2024-W10"
    assert report_data(late, tz=timezone(timedelta(hours=9)))["weeks"][0]["week"] == "2024-W11"


def test_report_data_of_nothing():
    assert report_data([]) == {
        "questions": [],
        "weeks": [],
        "totals": {"attempts": 0, "questions": 0, "first": None, "last": None},
    }


def test_report_agrees_with_progress_and_export(practised, cli):
    store = practised.store()
    try:
        data = report_data(store.scored_metrics(), store.question_texts(), tz=timezone.utc)
    finally:
        store.close()
    progress = {r["question_id"]: r for r in json.loads(cli("progress", "--json").output)}
    exported = list(csv.DictReader(io.StringIO(cli("export", "--format", "csv").output)))
    assert [q["question_id"] for q in data["questions"]] == list(progress)  # same order: weakest first
    assert sum(w["attempts"] for w in data["weeks"]) == data["totals"]["attempts"] == 31
    for q in data["questions"]:
        p = progress[q["question_id"]]
        rows = [r for r in exported if r["question_id"] == q["question_id"] and r["status"] == "scored"]
        assert q["attempts"] == p["attempts"] == len(rows)
        assert [pt["attempt_id"] for pt in q["points"]] == [int(r["id"]) for r in rows]
        for pt, row in zip(q["points"], rows):
            assert pt["ramble_score"] == float(row["ramble_score"])
            assert pt["duration_s"] == (float(row["duration_s"]) if row["duration_s"] else None)
            assert pt["long_pauses"] == (int(row["long_pause_count"]) if row["long_pause_count"] else None)
        # progress's best length is the export's smallest distance from the target band
        distances = [float(r["over_target_s"]) + float(r["under_target_s"]) for r in rows if r["duration_s"]]
        if distances:
            assert p["best"]["distance_from_target_s"] == pytest.approx(min(distances))
            assert p["best"]["duration_s"] in [float(r["duration_s"]) for r in rows]
        assert p["first"]["ramble_score"] == float(rows[0]["ramble_score"])
        assert p["latest"]["ramble_score"] == float(rows[-1]["ramble_score"])


def test_report_command_writes_a_private_self_contained_page(practised, cli, redrill_home):
    result = cli("report")
    assert result.exit_code == 0, result.output
    target = redrill_home / "exports" / f"report-{datetime.now().astimezone():%Y%m%d}.html"
    assert f"Report: {target}" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    page = target.read_text(encoding="utf-8")
    assert page.count("<svg") == 1 + 4  # the weekly view and one per question
    for external in ("<script", "<link", "@import", "src=", "url(http", "@font-face"):
        assert external not in page, external
    assert "break-before: page" in page  # one question per printed page
    assert "Tell me about a time when something you were responsible for did not work out." in page


def test_report_on_an_empty_store_is_a_clean_error(cli):
    result = cli("report")
    assert result.exit_code == 1
    assert "Error: no scored attempts yet" in result.stderr


def test_report_open_asks_the_browser_only_when_told(practised, cli, tmp_path, monkeypatch):
    opened: list[str] = []
    import webbrowser

    def open_url(url: str) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", open_url)
    out = tmp_path / "r.html"
    assert cli("report", "--out", out).exit_code == 0
    assert opened == []
    # The page is there now: replacing it without a terminal to ask takes --force (docs/faults.md, Rules).
    assert cli("report", "--out", out, "--open", "--force").exit_code == 0
    assert opened == [out.resolve().as_uri()]


def test_render_is_deterministic():
    data = report_data([(1, "a", T0, typed(100, 10)), (2, "a", T0 + timedelta(days=3), typed(90, 5))], tz=timezone.utc)
    when = datetime(2024, 5, 1, 12, 0)
    assert render_html(data, generated=when) == render_html(data, generated=when)


@pytest.mark.browser
def test_the_report_renders_in_headless_chromium(practised, cli, tmp_path):
    """Open the page in a real browser: a screenshot with charts in it, the SVGs in the DOM, and
    no console errors."""
    if not shutil.which(CHROMIUM):
        pytest.fail("headless Chromium is needed for this test: install chromium (sudo apt-get install chromium)")
    page = tmp_path / "report.html"
    assert cli("report", "--out", page).exit_code == 0
    shot = tmp_path / "shot.png"
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    run = subprocess.run(
        flags + [f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists(), run.stderr[-2000:]
    for bad in ("Uncaught", "ERROR:CONSOLE"):
        assert bad not in run.stderr, run.stderr[-2000:]
    dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert dom.count("<svg") == 5 and "Week by week" in dom

    import matplotlib.pyplot as plt
    import numpy as np

    pixels = plt.imread(shot)[:, :, :3]
    assert pixels.shape[:2] == (2000, 1280)
    not_white = (pixels < 0.95).any(axis=2).mean()
    colours = len(np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert not_white > 0.03, f"page looks blank: {not_white:.1%} non-white pixels"
    assert colours > 50, f"only {colours} colours: charts missing?"


def _tick_labels(fig, ax):
    fig.canvas.draw()  # ticks are placed when the figure is drawn
    return [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


def test_charts_are_by_attempt_with_dates_as_labels_and_sane_axes():
    """Several attempts on one day stay apart; one week of data is one week, not 2025-2029;
    count axes are whole numbers even when every count is 0."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from redrill.tracking.report import question_figure, weekly_figure

    same_day = [(i + 1, "a", T0 + timedelta(minutes=5 * i), typed(100 + i, 40 - i, pauses=0)) for i in range(4)]
    week = [(5 + i, "a", T0 + timedelta(days=1 + i), typed(95, 30, pauses=0)) for i in range(3)]
    data = report_data(same_day + week, tz=timezone.utc)
    [q] = data["questions"]
    fig = question_figure(q)
    FigureCanvasAgg(fig)
    a_len, _a_fill, a_pause, a_ramble = fig.axes[:4]
    # x is the attempt number: the four same-day attempts are at 1, 2, 3, 4, not one date
    assert list(a_ramble.get_lines()[0].get_xdata()) == [1, 2, 3, 4, 5, 6, 7]
    labels = _tick_labels(fig, a_ramble)
    assert labels and all(re.fullmatch(r"#\d+\n\d{1,2} Mar", label) for label in labels), labels
    assert "#1\n4 Mar" in labels
    # every count tick is a whole number, and all-zero counts still give a 0..1 axis
    fig.canvas.draw()
    ticks = [t for t in a_pause.get_yticks() if a_pause.get_ylim()[0] <= t <= a_pause.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks) and a_pause.get_ylim()[1] >= 1
    # lengths read as minutes:seconds on the axis, never 1:60
    fig.canvas.draw()
    assert all(re.fullmatch(r"\d+:[0-5]\d", t.get_text()) for t in a_len.get_yticklabels() if t.get_text())

    [only_week] = data["weeks"]
    assert only_week["attempts"] == 7
    wfig = weekly_figure(data["weeks"])
    FigureCanvasAgg(wfig)
    a_count = wfig.axes[0]
    assert _tick_labels(wfig, a_count) == ["4 Mar"]
    low, high = a_count.get_xlim()
    assert high - low < 2  # one slot, not years of dates
    wfig.canvas.draw()
    ticks = [t for t in a_count.get_yticks() if a_count.get_ylim()[0] <= t <= a_count.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_html_lengths_use_the_one_formatter():
    data = report_data(
        [(1, "a", T0, typed(119.5, 30)), (2, "a", T0 + timedelta(days=1), typed(1799.6, 30))], tz=timezone.utc
    )
    page = render_html(data, generated=datetime(2024, 5, 1, 12, 0))
    assert "1:60" not in page and "29:60" not in page
    assert ">2:00<" in page and ">30:00<" in page


def test_counts_in_the_report_read_as_english():
    """'1 scored attempt at 1 question', not '1 scored attempts at 1 questions' or 'attempt(s)'."""
    from redrill.tracking.report import render_html

    one = report_data([(1, "a", T0, typed(100, 30, pauses=0))], tz=timezone.utc)
    html = render_html(one, generated=T0)
    assert "1 scored attempt at 1 question," in html and "1 attempt ·" in html and "(s)" not in html
    two = report_data([(1, "a", T0, typed(100, 30)), (2, "b", T0, typed(90, 20))], tz=timezone.utc)
    assert "2 scored attempts at 2 questions," in render_html(two, generated=T0)
