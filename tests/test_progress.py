"""Progress and history: pure rows from stored metrics, and the `history` / `progress` commands."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from fixtures_attempts import T0, metrics, seed
from redrill.paths import Paths
from redrill.scoring import Metrics
from redrill.scoring.metrics import distance_from_target
from redrill.store import open_store
from redrill.tracking.progress import (
    history_rows,
    question_progress,
    sparkline,
)


def test_sparkline_uses_a_fixed_scale_and_keeps_the_latest():
    assert sparkline([0, 50, 100]) == "▁▅█"
    assert sparkline([40, 41]) == "▄▄"  # a wobble does not look like a cliff
    assert sparkline(list(range(20)), width=3) == "▂▂▂"
    assert sparkline([None, 99.9]) == " █"
    assert sparkline([]) == ""


def scored(*rows):
    """(id, question, created_at, metrics) tuples as Store.scored_metrics returns them."""
    return [(i + 1, q, T0 + timedelta(days=i), Metrics.from_dict(m)) for i, (q, m) in enumerate(rows)]


def test_the_trend_word_is_the_comparison_modules():
    from redrill.scoring.comparison import trend

    scores = [70, 65, 66, 50, 45]
    rows = question_progress(scored(*(("q", metrics(100, s)) for s in scores)))
    assert rows[0].trend == trend(scores) == "improving"
    assert question_progress(scored(("q", metrics(100, 50))))[0].trend == "new"


def test_distance_from_target():
    """One rule for the distance from the target length, whoever asks (a field of the stored metrics)."""
    for duration, expected in ((150, 30), (45, 15), (90, 0), (None, None)):
        assert Metrics.from_dict(metrics(duration, 10)).distance_from_target_s == expected
        assert distance_from_target(duration, (60, 120)) == expected
    # older records without over/under: the band alone decides
    assert Metrics.from_dict({"duration_s": 130.0, "target_s": [60, 120]}).distance_from_target_s == 10
    assert distance_from_target(130.0, None) is None and distance_from_target(130.0, ["a", 1]) is None  # type: ignore[list-item]  # a damaged stored band


def test_question_progress_first_best_latest_and_weakest_first():
    data = scored(
        ("a", metrics(170, 70)),
        ("b", metrics(100, 20)),
        ("a", metrics(115, 40)),  # inside the band: best
        ("a", metrics(125, 35)),  # lower ramble score but 5 s over
        ("b", metrics(100, 30)),
        ("c", metrics(None, 90, pauses=None)),  # typed answer: no timings
    )
    rows = question_progress(data, {"a": "Question A?"})
    assert [r.question_id for r in rows] == ["c", "a", "b"]  # latest ramble 90, 35, 30
    a = rows[1]
    assert a.question_text == "Question A?" and rows[2].question_text == "b"
    assert a.attempts == 3
    assert (a.first.attempt_id, a.best.attempt_id, a.latest.attempt_id) == (1, 3, 4)
    assert a.best.distance_from_target_s == 0
    assert a.ramble_scores == (70, 40, 35)
    assert a.sparkline == "▆▄▃"
    assert a.target_s == (60.0, 120.0)
    b = rows[2]
    assert b.best.attempt_id == 2  # both in the band: the lower ramble score wins
    c = rows[0]
    assert c.best.duration_s is None and c.trend == "new" and c.latest.long_pauses is None
    assert json.loads(json.dumps(a.to_json()))["best"]["attempt_id"] == 3


def test_ties_between_equally_weak_questions_put_the_one_farther_from_target_first():
    rows = question_progress(scored(("x", metrics(130, 50)), ("y", metrics(200, 50))))
    assert [r.question_id for r in rows] == ["y", "x"]


def test_history_rows_read_unscored_attempts_too(redrill_home):
    ids = seed(redrill_home, [("a", metrics(150, 60)), ("a", None)])
    store = open_store(Paths(redrill_home))
    rows = history_rows(store.attempts(newest_first=True))
    store.close()
    assert [r.id for r in rows] == ids[::-1]
    assert rows[0].status == "recorded" and rows[0].duration_s == 33.0 and rows[0].ramble_score is None
    assert rows[1].distance_from_target_s == 30 and rows[1].long_pauses == 1


def test_history_command_table_and_json(cli, redrill_home):
    ids = seed(redrill_home, [("a", metrics(150, 60)), ("b", metrics(90, 20)), ("a", metrics(100, 30)), ("b", None)])
    result = cli("history")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index(f"\n{ids[3]} ") < out.index(f"\n{ids[0]} ")  # newest first
    assert "2:30 +30s" in out and "pending" in out and "transcribe --pending" in out
    only_a = json.loads(cli("history", "a", "--json").output)
    assert [r["id"] for r in only_a] == [ids[2], ids[0]]
    assert only_a[1]["distance_from_target_s"] == 30 and only_a[1]["created_at"].startswith("2024-03-04T09:00")
    limited = json.loads(cli("history", "--limit", "1", "--json").output)
    assert [r["id"] for r in limited] == [ids[3]]
    assert len(json.loads(cli("history", "--limit", "0", "--json").output)) == 4


def test_history_and_progress_on_an_empty_store(cli):
    assert "No attempts yet" in cli("history").output
    assert "No attempts at 'x' yet" in cli("history", "x").output
    assert "No scored attempts yet" in cli("progress").output
    assert json.loads(cli("progress", "--json").output) == []


def test_history_rejects_a_negative_limit(cli):
    result = cli("history", "--limit", "-1")
    assert result.exit_code == 2
    assert "-1 is not in the range x>=0" in result.output + (result.stderr or "")


def test_progress_command(cli, redrill_home):
    seed(
        redrill_home,
        [("a", metrics(170, 70)), ("b", metrics(100, 20)), ("a", metrics(115, 40)), ("a", metrics(125, 35))],
    )
    result = cli("progress")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    row_a = next(line for line in lines if line.startswith("a "))
    assert "2:50*→1:55→2:05*" in row_a and "▆▄▃ improving" in row_a
    assert lines.index(row_a) < lines.index(next(line for line in lines if line.startswith("b ")))
    data = json.loads(cli("progress", "--json").output)
    assert [r["question_id"] for r in data] == ["a", "b"]
    assert data[0]["question_text"] == "Text of a?" and data[0]["best"]["duration_s"] == 115


@pytest.mark.parametrize(
    "command", [["history"], ["progress"], ["--help"], ["bank", "list"], ["bank", "show", "failure-story"], ["queue"]]
)
def test_commands_do_not_import_heavy_libraries(command, redrill_home):
    """The interactive commands stay fast: no numpy, matplotlib, audio or model code."""
    import subprocess
    import sys

    seed(redrill_home, [("a", metrics(150, 60))])
    code = (
        "import sys; from redrill.cli import main\n"
        f"try:\n    main({command!r})\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('numpy', 'matplotlib', 'av', 'faster_whisper', 'ctranslate2', 'sounddevice', 'pyttsx3', 'fsrs') if m in sys.modules)\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out, out


def test_store_question_texts_are_the_latest_stored(redrill_home):
    from datetime import timedelta

    store = open_store(Paths(redrill_home))
    store.add_attempt(
        question_id="q", question_text="Old wording?", source="text", status="scored", created_at=T0 + timedelta(days=1)
    )
    store.add_attempt(question_id="q", question_text="Older wording?", source="text", status="scored", created_at=T0)
    store.add_attempt(question_id="r", question_text="R?", source="text", status="recorded", created_at=T0)
    assert store.question_texts() == {"q": "Old wording?", "r": "R?"}
    store.close()


def test_the_fast_store_path_equals_the_pure_one(practised):
    """`redrill progress` reads picked figures via SQL; the result equals summarising whole metrics."""
    from redrill.tracking.progress import figures_from_store_rows, summarise

    store = practised.store()
    try:
        texts = store.question_texts()
        slow = question_progress(store.scored_metrics(), texts)
        fast = summarise(figures_from_store_rows(store.progress_figures()), texts)
        assert [r.to_json() for r in fast] == [r.to_json() for r in slow]
        assert len(fast) == 4 and sum(r.attempts for r in fast) == 31  # the pending recording is not scored
        only = summarise(figures_from_store_rows(store.progress_figures("failure-story")), texts)
        assert [r.to_json() for r in only] == [r.to_json() for r in slow if r.question_id == "failure-story"]
    finally:
        store.close()


def test_progress_on_real_scored_answers_shows_the_improvement(practised, cli):
    data = {r["question_id"]: r for r in json.loads(cli("progress", "--json").output)}
    for question_id, ids in practised.ids.items():
        row = data[question_id]
        assert row["attempts"] == len(ids)
        assert row["first"]["attempt_id"] == ids[0] and row["latest"]["attempt_id"] == ids[-1]
        assert row["trend"] == "improving", row
        assert row["latest"]["ramble_score"] < row["first"]["ramble_score"]
        assert row["first"]["distance_from_target_s"] > 0  # the first tries rambled past the target
    typed = data["why-this-role"]
    assert typed["attempts"] == 1 and typed["trend"] == "new" and typed["best"]["duration_s"] is None
