"""One damaged row must not take the user's history down with it.

A row can be damaged by a disk error, a sync tool, a hand edit with the sqlite3 shell or an older
bug: metrics that are not JSON, NaN inside JSON, a date that is not a date, a transcript cut short,
a debrief's lists or a schedule card that no longer parse. Each used to end history, show, export,
report, progress and new answers in a traceback while doctor said the database was fine.

Now the damaged field is isolated: the row is shown marked as damaged, left out of figures with a
warning, exported as far as it can be; doctor finds every damaged row, and ``doctor --repair``
repairs what can be rebuilt (metrics from the transcript, a date from its neighbours) after keeping
a copy of the database, so nothing is lost.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from redrill import doctor

DEBRIEF = """\
interview: {company: Acme, role: Backend engineer, date: 2026-11-20}
went_well: [clear intro]
questions:
  - id: failure-story
    rating: bombed
    wish_i_said: [rolled back within an hour]
"""
ANSWERS = [
    ("failure-story", "I broke billing and rolled it back within an hour."),
    ("failure-story", "Um, I broke billing, uh, and I rolled it back and added a test."),
    ("tight-deadline", "We had two days, so I cut scope to the core flow and shipped it."),
    ("failure-story", "The billing migration failed; I rolled back, told customers, added tests."),
    ("tight-deadline", "I listed what had to ship, cut the rest, and we made the date."),
]
# (table, id, column, damaged value, what doctor names)
DAMAGE = [
    ("attempts", 1, "transcript_json", '{"version": 1, "words": [{"word": "I"', "transcript_json: not valid JSON"),
    ("attempts", 2, "metrics_json", '{"words": 12, "wpm": 140.0', "metrics_json: not valid JSON"),
    ("attempts", 3, "metrics_json", '{"words": 12, "ramble_score": NaN}', "metrics_json: not valid JSON"),
    ("attempts", 4, "created_at", "last tuesday", "created_at: 'last tuesday' is not a date"),
    ("interviews", 1, "went_well", "[clear intro", "went_well: not valid JSON"),
    ("question_flags", 1, "wish_i_said", "rolled back", "wish_i_said: not valid JSON"),
    ("question_state", "failure-story", "card", '{"due": ', "card: not valid JSON"),
    (
        "reviews",
        1,
        "reviewed_at",
        "2026-13-45T00:00:00+00:00",
        "reviewed_at: '2026-13-45T00:00:00+00:00' is not a date",
    ),
]


@pytest.fixture
def damaged(cli, redrill_home, tmp_path):
    """A data home with a debrief, five typed answers, and one damaged field in each kind of row."""
    debrief = tmp_path / "debrief.yaml"
    debrief.write_text(DEBRIEF)
    assert cli("debrief", "--from", debrief).exit_code == 0
    for question_id, text in ANSWERS:
        result = cli("answer", question_id, "--text", text)
        assert result.exit_code == 0, result.stderr
    db = sqlite3.connect(redrill_home / "redrill.db")
    try:
        originals = {}
        for table, row_id, column, value, _ in DAMAGE:
            key = "question_id" if table == "question_state" else "id"
            originals[(table, row_id, column)] = db.execute(
                f"SELECT {column} FROM {table} WHERE {key} = ?", (row_id,)
            ).fetchone()[0]
            db.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (value, row_id))
        db.commit()
    finally:
        db.close()
    return originals


def ok(result, *, warned: bool = True):
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out
    assert result.exit_code == 0, out
    if warned:
        assert "damaged" in result.stderr and "redrill doctor" in result.stderr, result.stderr
    return result


def test_history_shows_every_attempt_and_marks_the_damaged_ones(cli, damaged):
    result = ok(cli("history"))
    assert result.stdout.count("damaged") >= 3, result.stdout
    rows = json.loads(ok(cli("history", "--json")).stdout)
    assert sorted(r["id"] for r in rows) == [1, 2, 3, 4, 5]
    by_id = {r["id"]: r for r in rows}
    assert by_id[5]["ramble_score"] is not None and not by_id[5].get("damaged")
    assert by_id[2]["damaged"] == ["metrics_json: not valid JSON"]
    assert by_id[4]["damaged"] == ["created_at: 'last tuesday' is not a date"]


@pytest.mark.parametrize("attempt_id", [1, 2, 3, 4, 5])
def test_show_shows_what_is_left_of_each_attempt(cli, damaged, attempt_id):
    result = ok(cli("show", attempt_id), warned=attempt_id != 5)
    assert f"#{attempt_id}" in result.stdout
    if attempt_id != 5:
        assert "damaged" in result.stdout + result.stderr
    data = json.loads(ok(cli("show", attempt_id, "--json"), warned=attempt_id != 5).stdout)
    assert data["attempt"]["id"] == attempt_id


def test_export_keeps_every_row_as_far_as_it_can(cli, damaged, tmp_path):
    out = tmp_path / "attempts.csv"
    ok(cli("export", "--format", "csv", "--out", out))
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert sorted(int(r["id"]) for r in rows) == [1, 2, 3, 4, 5]
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[2]["ramble_score"] == "" and by_id[2]["damaged"] == "metrics_json: not valid JSON"
    assert by_id[4]["created_at"] == "" and "created_at" in by_id[4]["damaged"]
    assert by_id[5]["damaged"] == "" and by_id[5]["ramble_score"] != ""
    assert by_id[1]["ramble_score"] != ""  # its transcript is damaged, its metrics are not
    out_json = tmp_path / "attempts.json"
    ok(cli("export", "--format", "json", "--out", out_json))
    data = json.loads(out_json.read_text())["attempts"]
    assert sorted(a["id"] for a in data) == [1, 2, 3, 4, 5]
    first = next(a for a in data if a["id"] == 1)
    assert first["transcript"] is None and first["damaged"] == ["transcript_json: not valid JSON"]


@pytest.mark.slow
def test_report_progress_queue_and_debriefs_skip_damage_with_a_warning(cli, damaged, tmp_path):
    report = tmp_path / "report.html"
    ok(cli("report", "--out", report))
    assert report.stat().st_size > 1000
    result = ok(cli("progress"))
    assert "failure-story" in result.stdout and "tight-deadline" in result.stdout
    progress = json.loads(ok(cli("progress", "--json")).stdout)
    assert {q["question_id"] for q in progress} == {"failure-story", "tight-deadline"}
    ok(cli("queue"))
    ok(cli("interviews"))
    result = ok(cli("followup", "1", "--out", tmp_path / "note.txt"))
    assert "Acme" in result.stdout


def test_new_answers_and_drills_still_work_and_leave_damage_out(cli, damaged):
    result = ok(cli("answer", "failure-story", "--text", "I rolled back and wrote a postmortem.", "--json"))
    report = json.loads(result.stdout)
    assert report["attempt_id"] == 6 and report["metrics"]["words"] > 0
    ok(cli("drill", "--text", "--no-tts", "--question", "tight-deadline", input="I cut scope and shipped.\n\n"))
    ok(cli("rescore"))


def test_doctor_finds_every_damaged_row_and_repair_rebuilds_without_losing_anything(
    cli, damaged, redrill_home, monkeypatch
):
    monkeypatch.setattr(doctor, "CHECKS", [doctor.check_database])
    result = cli("doctor")
    assert result.exit_code == 1 and "Traceback" not in result.stdout + result.stderr
    out = result.stdout
    assert "FAIL stored data: 8 damaged field(s) in 8 row(s)" in out, out
    for table, row_id, _column, _value, named in DAMAGE:
        assert f"{table} {row_id}: {named}" in out, (table, row_id, named, out)
    assert "fix: redrill doctor --repair" in out

    result = cli("doctor", "--repair")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, result.stdout + result.stderr
    backups = list(redrill_home.glob("redrill.db.repair-backup-*"))
    assert len(backups) == 1, "no copy of the database was kept before repairing"
    saved = sqlite3.connect(backups[0])
    try:  # the copy holds the damaged values exactly as they were
        for table, row_id, column, value, _ in DAMAGE:
            key = "question_id" if table == "question_state" else "id"
            assert saved.execute(f"SELECT {column} FROM {table} WHERE {key} = ?", (row_id,)).fetchone()[0] == value
    finally:
        saved.close()
    assert "metrics of attempt 2 recomputed from its transcript" in result.stdout, result.stdout
    assert "metrics of attempt 3 recomputed from its transcript" in result.stdout
    assert "date of attempt 4 set to" in result.stdout

    result = cli("doctor")
    assert result.exit_code == 0, result.stdout
    assert "stored data" not in result.stdout or "ok   stored data" in result.stdout
    history = json.loads(ok(cli("history", "--json"), warned=False).stdout)
    assert [r["id"] for r in history if r["ramble_score"] is not None] == [5, 4, 3, 2, 1]
    assert not any(r.get("damaged") for r in history)


def test_a_damaged_attempt_in_a_large_history_costs_progress_nothing(cli, damaged, redrill_home):
    """The check that keeps progress fast (SQL picks the figures) must skip damage, not die on it."""
    from redrill.store import Store

    store = Store(redrill_home / "redrill.db")
    try:
        rows = store.progress_figures()
        assert [r[0] for r in rows] == [1, 5]  # 2 and 3: metrics damaged, 4: date damaged
        assert {(t, i) for t, i, _ in store.damage} >= {("attempts", 2), ("attempts", 3), ("attempts", 4)}
    finally:
        store.close()


def test_damage_is_never_written_back(cli, damaged, redrill_home):
    """Reading damaged rows changes nothing; a new answer leaves the old damage for doctor to show."""
    before = Path(redrill_home / "redrill.db").read_bytes()
    for args in (("history",), ("show", "2"), ("progress",), ("queue",), ("interviews",)):
        ok(cli(*args))
    db = sqlite3.connect(redrill_home / "redrill.db")
    try:
        assert db.execute("SELECT metrics_json FROM attempts WHERE id = 2").fetchone()[0] == DAMAGE[1][3]
    finally:
        db.close()
    assert before  # the file itself may differ (WAL checkpoints); its rows may not
