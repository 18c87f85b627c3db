"""Mock interviews and warm-ups: the scorecard (per answer, overall, against earlier mocks), the
typed path end to end through the CLI, and what `progress` and the report show."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from redrill.mock import MockAnswer, against_previous, scorecard, warmup_picks

JOBS = Path(__file__).parent / "jobs"


def metrics(ramble, *, duration=None, over=None, under=None, fillers=0, wpm=None, covered=1, missing=1, pauses=None):
    return {
        "ramble_score": ramble,
        "duration_s": duration,
        "over_target_s": over,
        "under_target_s": under,
        "target_s": [60.0, 120.0],
        "filled_pause_count": fillers,
        "filler_count": 0,
        "fillers_per_min": None if duration is None else round(fillers / (duration / 60), 2),
        "wpm": wpm,
        "long_pauses": pauses,
        "talking_points": {"covered": ["a"] * covered, "missing": ["b"] * missing},
    }


def compared(vs):
    return {"scope": "this question", "attempts_before": 3, "change": {"ramble_score": {"vs_median": vs}}}


def test_scorecard_per_answer_and_overall():
    answers = [
        MockAnswer(
            "tell-me-about-yourself",
            "Tell me about yourself.",
            1,
            metrics(20, duration=90, fillers=3, wpm=150, pauses=[]),
            compared("better"),
        ),
        MockAnswer(
            "failure-story",
            "A failure?",
            2,
            metrics(40, duration=150, over=30, fillers=6, covered=2, missing=2, pauses=[{"at_s": 3, "length_s": 2.5}]),
            {"scope": "all questions", "change": {}},
            follow_up_text="How did you measure the result?",
            follow_up_attempt_id=3,
            follow_up_metrics=metrics(30, duration=25),
        ),
        MockAnswer("conflict", "Conflict?", None),  # silence
        MockAnswer("why-us", "Why us?", 4),  # saved, not scored yet
    ]
    card = scorecard("prep:acme", answers, previous_scores=[55.0, None, 62.0]).to_json()
    rows = card["answers"]
    assert [r["number"] for r in rows] == [1, 2, 3, 4]
    one, two, three, four = rows
    assert one["within_target"] is True and one["vs_usual"] == "better" and one["points_covered"] == 1
    assert two["within_target"] is False and two["long_pauses"] == 1 and two["vs_usual"] is None  # first time
    assert two["follow_up"] == {
        "question": "How did you measure the result?",
        "attempt_id": 3,
        "duration_s": 25,
        "ramble_score": 30,
    }
    assert three["attempt_id"] is None and not three["scored"]
    assert four["attempt_id"] == 4 and not four["scored"]
    o = card["overall"]
    assert (o["questions"], o["answered"], o["scored"]) == (4, 3, 2)
    assert o["score"] == 70.0 and o["mean_ramble_score"] == 30.0  # 100 - mean(20, 40); follow-ups not averaged in
    assert (o["within_target"], o["timed"]) == (1, 2)
    assert o["speaking_s"] == 240.0 and o["fillers_per_min"] == 2.25  # 9 fillers in 4 minutes
    assert o["points_covered_share"] == 0.5 and o["first_answer_score"] == 80.0 and o["follow_ups"] == 1
    assert card["previous"] == {
        "mocks_before": 3,
        "last_score": 62.0,
        "best_score": 62.0,
        "change": "better",
        "delta": 8.0,
        "new_best": True,
    }


def test_against_previous_mocks():
    assert against_previous(70.0, []) == {"mocks_before": 0, "last_score": None, "best_score": None, "change": None}
    same = against_previous(71.0, [80.0, 70.0])
    assert same["change"] == "same" and same["delta"] == 1.0 and not same["new_best"] and same["best_score"] == 80.0
    assert against_previous(60.0, [70.0])["change"] == "worse"
    assert against_previous(None, [70.0])["change"] is None


def test_warmup_picks_the_opener_and_the_two_weakest():
    ids = ["opener", "a", "b", "c", "d"]
    recent: dict[str, Sequence[float]] = {"a": [20, 25], "b": [70, 60, 50, 45], "c": [55], "d": [10]}
    # b's latest three average 51.7, c 55: both weaker than a and d
    assert warmup_picks(ids, recent, opener_id="opener") == ["opener", "c", "b"]
    # never practised counts as weakest; ties keep the set's order
    assert warmup_picks(["opener", "x", "y", "a"], recent, opener_id="opener") == ["opener", "x", "y"]
    assert warmup_picks(["a", "d"], recent, opener_id=None) == ["a", "d"]


# --- the commands, typed (the spoken path is in test_practice_e2e.py) ---------------------------------

ANSWERS = [
    "I build payment systems. For eight years I have worked on backend services in Python and Go, most recently "
    "on a ledger that moves money for millions of customers.",
    "We disagreed about a retry loop in review and we talked it through, we looked at the traces together, we "
    "agreed to add a test and we merged the change after that without any more trouble.",
    "I wrote the benchmark myself and showed that the retries doubled the load on the database.",
    "Um, we picked the queue, you know, because it was simpler to run and it cut latency by forty percent.",
]


def typed(*answers):
    return "".join(a + "\n\n" for a in answers)


@pytest.mark.slow
def test_mock_typed_end_to_end_with_a_follow_up(cli, redrill_home):
    assert cli("prep", JOBS / "backend-engineer.txt", "--name", "acme", "--yes").exit_code == 0
    result = cli("mock", "--text", "--count", "3", "--follow-ups", "--no-tts", input=typed(*ANSWERS))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Mock interview: 3 questions from the prep set acme" in out
    assert out.count("Feedback comes at the end") == 4  # three answers and one follow-up, no report between
    assert "What was your part in that, personally?" in out  # "we" and never "I" in the second answer
    assert "you said 'we'" not in out  # the reason would be feedback
    assert "Mock interview #1 · prep set acme · 3 questions, 3 answered" in out
    assert "Overall: score" in out and "Your first mock interview" in out
    assert "Attempt #" not in out  # no drill report at all

    import sqlite3

    db = sqlite3.connect(redrill_home / "redrill.db")
    try:
        rows = db.execute("SELECT id, question_id, follow_up_of FROM attempts ORDER BY id").fetchall()
        card = json.loads(db.execute("SELECT scorecard FROM mock_interviews").fetchone()[0])
    finally:
        db.close()
    assert [r[1] for r in rows] == [
        "tell-me-about-yourself",
        "code-review-disagreement",
        "code-review-disagreement/follow-up",
        "design-tradeoff",
    ]
    assert rows[2][2] == rows[1][0]  # the follow-up answer is linked to the answer it followed
    assert card["source"] == "prep:acme" and card["overall"]["answered"] == 3
    assert card["answers"][1]["follow_up"]["question"] == "What was your part in that, personally?"

    # A second mock is compared with the first; progress and the report list both.
    again = cli("mock", "--text", "--count", "2", "--no-tts", "--json", input=typed(ANSWERS[0], ANSWERS[2]))
    data = json.loads(again.stdout)
    assert data["mock_id"] == 2 and data["previous"]["mocks_before"] == 1 and data["previous"]["delta"] is not None
    progress = cli("progress")
    assert "Practice interviews" in progress.output and "prep set acme" in progress.output
    report = cli("report", "--out", redrill_home / "r.html")
    assert report.exit_code == 0
    page = (redrill_home / "r.html").read_text()
    assert "<h2>Practice interviews</h2>" in page and "prep set acme" in page


def test_mock_sources_and_errors(cli):
    none = cli("mock", "--text")
    assert none.exit_code == 1 and "nothing to base a mock interview on yet" in none.stderr
    both = cli("mock", "--text", "--weak", "--from-bank", "general")
    assert both.exit_code == 2 and "choose one of --prep, --weak and --from-bank" in both.stderr
    nobank = cli("mock", "--text", "--from-bank", "generall")
    assert nobank.exit_code == 1 and "no bank called 'generall'" in nobank.stderr
    empty = cli("mock", "--text", "--weak")
    assert empty.exit_code == 1 and "your weak list is empty" in empty.stderr
    bank = cli("mock", "--text", "--from-bank", "general", "--count", "1", "--no-tts", input=typed(ANSWERS[0]))
    assert bank.exit_code == 0 and "questions from the bank general" in bank.output
    silent = cli("mock", "--text", "--from-bank", "general", "--count", "1", "--no-tts", input="")
    assert "No answer was given, so no scorecard was saved." in silent.output


def test_mock_from_the_weak_list(cli, tmp_path):
    debrief = tmp_path / "d.yaml"
    debrief.write_text(
        "interview: {company: Acme}\nwent_well: [intro]\nquestions:\n  - id: failure-story\n    rating: bombed\n"
        "  - id: why-this-role\n    rating: shaky\n"
    )
    assert cli("debrief", "--from", debrief).exit_code == 0
    result = cli("mock", "--text", "--weak", "--no-tts", input=typed(ANSWERS[1], ANSWERS[0]))
    assert result.exit_code == 0, result.output
    assert "2 questions from the weak list" in result.output and "2 answered" in result.output


def test_warmup_typed_short_feedback(cli):
    cli("prep", JOBS / "product-manager.txt", "--name", "pm", "--yes")
    # Practised, and still weak; never practised counts as weaker still (as in the drill order).
    cli("answer", "product-vision", "--text", "Um, like, I guess, um, vision.")
    result = cli("warmup", "--text", "--no-tts", input=typed(*ANSWERS[:3]))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Warm-up: the opener and the 2 weakest of your prep set pm" in out
    assert "Question 1/3 (tell-me-about-yourself" in out
    # (the set ranks product-you-launched just above working-with-engineering with Snowball stems)
    assert "Question 2/3 (surprising-experiment" in out and "Question 3/3 (product-you-launched" in out
    assert "Warm-up done: 3 of 3 answered" in out
    assert "Against your" not in out and "•" in out  # one line of figures and a note, no full report


def test_warmup_without_a_prep_set_uses_what_you_practised(cli):
    cli("answer", "failure-story", "--text", "Um, like, I guess, um, it failed.")
    result = cli("warmup", "--text", "--no-tts", input=typed(*ANSWERS[:2]))
    assert result.exit_code == 0, result.output
    assert "of your questions you practised" in result.output
    assert "Question 2/2 (failure-story" in result.output


@pytest.mark.parametrize("command", ["mock", "warmup", "prep"])
def test_help(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output
