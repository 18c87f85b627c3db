"""`redrill answer`, `transcribe --pending` and `rescore` as a user runs them."""

from __future__ import annotations

import json
import re
import sqlite3
import time

import pytest

SPEC_METRICS = {
    "duration_s",
    "speech_s",
    "words",
    "wpm",
    "filled_pause_count",
    "filler_count",
    "fillers_per_min",
    "fillers",
    "long_pauses",
    "restarts",
    "hedges",
    "repeated_phrases",
    "target_s",
    "over_target_s",
    "under_target_s",
    "talking_points",
    "ramble_score",
}


def whisper_json(words, path):
    """An openai-whisper style transcript with word timestamps: words = [(word, start, end), ...]."""
    segment = {
        "id": 0,
        "start": words[0][1],
        "end": words[-1][2],
        "text": " ".join(w for w, _, _ in words),
        "words": [{"word": f" {w}", "start": s, "end": e, "probability": 0.9} for w, s, e in words],
    }
    path.write_text(json.dumps({"text": segment["text"], "segments": [segment], "language": "en"}))
    return path


def timed(text, start=0.0, step=0.4, pause_after=None):
    """Words of `text` spoken every `step` s; an extra pause after word index `pause_after`."""
    out, t = [], start
    for i, word in enumerate(text.split()):
        out.append((word, round(t, 2), round(t + step * 0.8, 2)))
        t += step
        if pause_after is not None and i == pause_after[0]:
            t += pause_after[1]
    return out


def attempts(home):
    db = sqlite3.connect(home / "redrill.db")
    try:
        return db.execute(
            "SELECT id, question_id, source, status, audio_path, metrics_json FROM attempts ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def test_transcript_json_report(cli, tmp_path, redrill_home):
    words = timed(
        "um so the the outage happened because I skipped the dry run and uh I rolled it back", pause_after=(6, 3.0)
    )
    result = cli("answer", "failure-story", "--transcript", whisper_json(words, tmp_path / "t.json"), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) >= {"attempt_id", "question_id", "metrics", "history", "feedback"}
    assert set(report["metrics"]) >= SPEC_METRICS
    m = report["metrics"]
    assert m["filled_pause_count"] == 2 and m["fillers"] == {"um": 1, "uh": 1}
    assert m["restarts"] == 1
    assert [round(p["length_s"], 1) for p in m["long_pauses"]] == [3.1]
    assert m["duration_s"] == pytest.approx(words[-1][2] - words[0][1])
    assert report["history"]["attempts_before"] == 0
    assert 1 <= len(report["feedback"]) <= 4 and report["feedback"][-1].startswith("Went well")
    [(attempt_id, qid, source, status, audio, _)] = attempts(redrill_home)
    assert (attempt_id, qid, source, status, audio) == (
        report["attempt_id"],
        "failure-story",
        "transcript",
        "scored",
        None,
    )


def test_typed_text_has_no_invented_timings(cli, tmp_path):
    result = cli(
        "answer", "failure-story", "--text", "Basically I broke billing, you know, and I rolled it back.", "--json"
    )
    assert result.exit_code == 0, result.output
    m = json.loads(result.output)["metrics"]
    for key in ("duration_s", "speech_s", "wpm", "fillers_per_min", "over_target_s", "under_target_s", "long_pauses"):
        assert m[key] is None, key
    assert m["filler_count"] == 2
    text_file = tmp_path / "answer.txt"
    text_file.write_text("I rolled it back within an hour and added a reconciliation test.")
    assert cli("answer", "failure-story", "--text-file", text_file).exit_code == 0


def test_improving_series_is_reported_as_improving(cli):
    rambling = "um so basically like the the thing is uh you know at the end of the day I guess we kind of um failed and uh at the end of the day I I think maybe it was fine"
    reports = []
    better = "So basically we failed a billing migration, and I guess I rolled it back and, um, added a test."
    for text in (rambling, better, "We failed a billing migration; I rolled it back and added a test."):
        result = cli("answer", "failure-story", "--text", text, "--json")
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.output))
    last = reports[-1]
    assert last["history"]["attempts_before"] == 2
    assert last["history"]["scope"] == "this question"
    assert last["history"]["change"]["ramble_score"]["vs_median"] == "better"
    assert (
        reports[0]["metrics"]["ramble_score"] > reports[1]["metrics"]["ramble_score"] > last["metrics"]["ramble_score"]
    )


def test_first_attempt_at_a_question_compares_with_all_questions(cli):
    assert cli("answer", "failure-story", "--text", "I shipped a bug and fixed it the same day.").exit_code == 0
    result = cli("answer", "tight-deadline", "--text", "We had two days, so I cut scope to the core flow.", "--json")
    history = json.loads(result.output)["history"]
    assert history["attempts_before"] == 1 and history["scope"] == "all questions"


def test_no_words_is_not_stored(cli, tmp_path, redrill_home):
    result = cli("answer", "failure-story", "--text", "   ")
    assert result.exit_code == 1 and "no speech" in result.stderr.lower()
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"text": "", "segments": []}))
    result = cli("answer", "failure-story", "--transcript", empty)
    assert result.exit_code == 1 and "no speech" in result.stderr.lower()
    assert attempts(redrill_home) == []


@pytest.mark.parametrize(
    "content, words",
    [
        ('{"segments": [', "not valid JSON"),
        ('{"text": "hi"}', "segments: missing"),
        ('{"segments": [{"words": [{"word": "hi", "start": -1, "end": 0.5}]}]}', "negative time"),
        ('{"segments": [{"words": [{"word": "hi", "start": NaN, "end": 0.5}]}]}', "finite"),
        ('{"segments": [{"words": [{"word": "hi"}]}]}', "start and end must be numbers"),
        (
            '{"segments": [{"words": [{"word": "a", "start": 5, "end": 6}, {"word": "b", "start": 1, "end": 2}]}]}',
            "out of order",
        ),
        ('{"segments": [{"text": "no words here", "start": 0, "end": 1}]}', "--word_timestamps True"),
    ],
)
def test_bad_transcripts_name_the_file_and_problem(cli, tmp_path, redrill_home, content, words):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = cli("answer", "failure-story", "--transcript", bad)
    assert result.exit_code == 1
    assert str(bad) in result.stderr and words in result.stderr
    assert "Traceback" not in result.stderr
    assert attempts(redrill_home) == []


def test_unknown_question_suggests_ids(cli):
    result = cli("answer", "failure-stroy", "--text", "hello")
    assert result.exit_code == 1 and "Did you mean: failure-story" in result.stderr


def test_exactly_one_input_is_required(cli):
    assert cli("answer", "failure-story").exit_code == 2
    assert cli("answer", "failure-story", "--text", "a", "--text-file", "b").exit_code == 2


def test_rescore_recomputes_from_stored_transcripts(cli, redrill_home):
    cli("answer", "failure-story", "--text", "um I I failed and uh fixed it")
    db = sqlite3.connect(redrill_home / "redrill.db")
    db.execute("UPDATE attempts SET metrics_json = '{\"ramble_score\": 0}'")
    db.commit()
    db.close()
    result = cli("rescore")
    assert result.exit_code == 0 and "Rescored 1 attempt" in result.output
    metrics = json.loads(attempts(redrill_home)[0][5])
    assert metrics["filled_pause_count"] == 2 and metrics["restarts"] == 1


# --- audio: the real faster-whisper path on the random-weight model -------------------------

FAST = "beam_size: 1\nmax_tokens_per_window: 20\n"


@pytest.fixture
def answer_wav(tmp_path):
    from fixtures_model import speech_wav

    return speech_wav("I rolled the migration back within an hour and then added a reconciliation test.", tmp_path)


def test_audio_answer_is_stored_transcribed_and_scored(cli, redrill_home, whisper_model_dir, answer_wav):
    (redrill_home / "config.yaml").write_text(FAST)
    result = cli("answer", "failure-story", "--audio", answer_wav, "--model", whisper_model_dir, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    [(attempt_id, _, source, status, audio_path, metrics)] = attempts(redrill_home)
    assert (attempt_id, source, status) == (report["attempt_id"], "audio_file", "scored")
    stored = redrill_home / audio_path
    assert stored.suffix == ".ogg" and stored.read_bytes()[:4] == b"OggS"
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert json.loads(metrics)["audio_s"] == pytest.approx(report["metrics"]["audio_s"])
    assert report["metrics"]["words"] > 0


def test_without_a_model_the_answer_is_kept_and_finished_later(
    cli, redrill_home, whisper_model_dir, answer_wav, monkeypatch
):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # even when allowed online, answering must not go to the network
    (redrill_home / "config.yaml").write_text(FAST + "model: base.en\n")  # named, and never pulled
    started = time.monotonic()
    result = cli("answer", "failure-story", "--audio", answer_wav)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert "base.en" in result.stderr and "redrill model pull" in result.stderr and "--model" in result.stderr
    assert "redrill transcribe --pending" in result.stderr
    [(attempt_id, _, _, status, audio_path, _)] = attempts(redrill_home)
    assert status == "recorded" and (redrill_home / audio_path).exists()
    pending = cli("transcribe", "--pending", "--model", whisper_model_dir)
    assert pending.exit_code == 0, pending.output
    assert f"#{attempt_id} failure-story" in pending.output
    assert attempts(redrill_home)[0][3] == "scored"
    assert "Nothing pending" in cli("transcribe", "--pending", "--model", whisper_model_dir).output


def test_bad_audio_files_are_clean_errors(cli, tmp_path, redrill_home):
    for name, content in (("empty.wav", b""), ("notes.mp3", b"these are not audio bytes" * 50)):
        bad = tmp_path / name
        bad.write_bytes(content)
        result = cli("answer", "failure-story", "--audio", bad)
        assert result.exit_code == 1, name
        assert str(bad) in result.stderr and "Traceback" not in result.stderr
    assert attempts(redrill_home) == []


def test_report_ends_with_the_review_line_and_the_queue_shows_it(cli):
    """Spaced re-drilling made visible: the rating and when the question comes back."""
    result = cli(
        "answer", "failure-story", "--text", "I shipped a migration that locked a table, rolled it back and fixed it."
    )
    assert result.exit_code == 0, result.output
    review_line = next(line for line in result.output.splitlines() if line.startswith("Review: "))
    assert re.fullmatch(
        r"Review: (Again|Hard|Good|Easy) - back (in \d+ minutes|later today at \d\d:\d\d|tomorrow)", review_line
    )
    data = json.loads(cli("queue", "--json").output)
    [entry] = [e for e in data if e["question_id"] == "failure-story"]
    assert "Review: " + entry["review"] == review_line
    assert "Check yourself" in result.output and "☐ the situation and what was at stake" in result.output


def test_show_gives_the_verdict_the_answer_got_with_the_users_settings_and_points(cli, tmp_path, redrill_home):
    """`show` rebuilt the comparison without the user's pace band, scoring settings and talking
    points; with a pace band of 100-120 and a point of their own it must say what `answer` said."""
    (redrill_home / "config.yaml").write_text("pace_wpm: [100, 120]\nlong_pause_seconds: 3\n")
    assert cli("flag", "failure-story", "--wish", "rolled back within the hour").exit_code == 0
    texts = [
        "the release broke checkout so I rolled back within the hour and told the team what happened "
        "and then I added a size check to the migration script so it cannot happen again next time",
        "the migration locked the orders table and checkout stopped so I rolled it back quickly "
        "and wrote up what we learned and added a check that measures the table size first",
    ]
    reports = []
    for i, text in enumerate(texts):
        words = timed(text, step=0.3, pause_after=(5, 2.5))  # about 200 wpm: above the user's band
        result = cli("answer", "failure-story", "--transcript", whisper_json(words, tmp_path / f"t{i}.json"), "--json")
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.output))
    first, second = reports
    assert first["metrics"]["talking_points"]["covered"] == ["rolled back within the hour"]
    assert second["metrics"]["talking_points"]["missing"] == ["rolled back within the hour"]
    assert first["metrics"]["long_pauses"] == []  # 2.7 s is under the user's 3 s threshold
    assert any("above the 100-120 band" in line for line in second["feedback"])
    for report in reports:
        view = json.loads(cli("show", report["attempt_id"], "--json").output)["report"]
        assert view["feedback"] == report["feedback"]
        assert view["history"] == report["history"]
        assert view["metrics"] == report["metrics"]
