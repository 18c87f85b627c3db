"""`redrill show` and scoring.annotate: the transcript marked exactly as scoring counted it, and the
numbers agreeing with history and export."""

from __future__ import annotations

import json

import pytest

from redrill.scoring import annotate, score
from redrill.transcript import Transcript, Word, from_text

TEXTS = [
    "So um I think we, we decided to, you know, migrate the data. I like pizza, like, a lot.",
    "I went to the- the office and uh, basically, I mean the lab, sort of fixed it.",
    "We we we shipped it. You know the answer. Uh. Um, right.",
    "Plain answer with no fillers at all.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_annotate_marks_what_score_counts(text):
    transcript = from_text(text)
    tokens = annotate(transcript)
    metrics = score(transcript).to_dict()
    assert " ".join(t.text for t in tokens) == " ".join(text.split())
    assert sum(t.kind == "filled_pause" for t in tokens) == metrics["filled_pause_count"]
    filler_words = sum(
        len(name.split()) * n
        for name, n in metrics["fillers"].items()
        if name not in ("um", "uh", "er", "ah", "hmm", "erm")
    )
    assert sum(t.kind == "filler" for t in tokens) == filler_words
    if any(t.kind == "restart" for t in tokens):
        assert metrics["restarts"] > 0


def test_annotate_examples_and_timings():
    kinds = [(t.text, t.kind) for t in annotate(from_text(TEXTS[0]))]
    assert ("um", "filled_pause") in kinds and ("know,", "filler") in kinds
    assert kinds[4] == ("we,", "restart") and kinds[5] == ("we", "word")
    assert ("like", "word") in kinds and ("like,", "filler") in kinds  # "I like pizza" is a verb
    timed = Transcript(words=(Word("Hello", 0.0, 0.4), Word("um,", 0.5, 0.8), Word("world.", 3.5, 4.0)), timed=True)
    assert [(t.kind, t.start) for t in annotate(timed)] == [("word", 0.0), ("filled_pause", 0.5), ("word", 3.5)]
    assert annotate(from_text("")) == []


def test_show_json_agrees_with_export_and_history(practised, cli):
    ids = practised.ids["failure-story"]
    exported = {r["id"]: r for r in json.loads(cli("export", "--format", "json").output)["attempts"]}
    history = {r["id"]: r for r in json.loads(cli("history", "--limit", "0", "--json").output)}
    for n, attempt_id in enumerate(ids):
        view = json.loads(cli("show", attempt_id, "--json").output)
        metrics = view["report"]["metrics"]
        assert view["attempt"] == exported[attempt_id]
        assert metrics == exported[attempt_id]["metrics"]
        assert history[attempt_id]["ramble_score"] == metrics["ramble_score"]
        assert history[attempt_id]["duration_s"] == metrics["duration_s"]
        tokens = view["tokens"]
        assert (
            sum(t["kind"] == "long_pause" for t in tokens)
            == len(metrics["long_pauses"])
            == history[attempt_id]["long_pauses"]
        )
        assert sum(t["kind"] == "filled_pause" for t in tokens) == metrics["filled_pause_count"]
        # the comparison is recomputed from the attempts at this question made before this one
        if n:
            assert view["report"]["history"]["scope"] == "this question"
            assert view["report"]["history"]["attempts_before"] == n


def test_show_recomputes_the_report_the_attempt_got(practised, cli):
    """The report `show` rebuilds equals the one the attempt got when it was scored."""
    for report in practised.reports[:-1]:
        view = json.loads(cli("show", report.attempt_id, "--json").output)
        assert view["report"]["history"] == report.comparison.to_json()
        assert view["report"]["feedback"] == report.feedback.to_json()


def test_show_marks_pauses_points_and_comparison(practised, cli):
    first, later = practised.ids["failure-story"][0], practised.ids["failure-story"][5]
    out = cli("show", later).output
    assert "Attempt #" in out and "[3." in out and "✓" in out and "✗" in out
    assert "Key:" in out and "[long pause]" in out
    assert "earlier attempts on this question" in out
    assert "First attempt" not in out
    first_out = cli("show", first).output
    assert "First attempt" in first_out or "all your questions" in first_out


def test_show_typed_answer_has_no_pause_markers(practised, cli):
    view = json.loads(cli("show", practised.typed_id, "--json").output)
    assert not any(t["kind"] == "long_pause" for t in view["tokens"])
    assert all(t["start"] is None for t in view["tokens"])


def test_show_errors(practised, cli):
    result = cli("show", practised.pending_id)
    assert result.exit_code == 1
    assert (
        f"attempt #{practised.pending_id} is recorded, not scored yet; run `redrill transcribe {practised.pending_id}`"
        in result.stderr
    )
    result = cli("show", 9999)
    assert result.exit_code == 1 and "no attempt #9999" in result.stderr
