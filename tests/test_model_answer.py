"""Model answers: which of the user's own answers is offered, how a transcript is cleaned, the
drill's [h] choice and `redrill show --best`."""

from __future__ import annotations

from redrill.model_answer import RECORDING, SPOKEN, Candidate, ModelAnswer, choose_model_answer, clean_transcript
from redrill.transcript import from_text


def m(ramble, *, missing=(), covered=(), over=None):
    return {
        "ramble_score": ramble,
        "over_target_s": over,
        "talking_points": {"covered": list(covered), "missing": list(missing)},
    }


def t(text):
    return from_text(text).to_json()


def test_cleaning_removes_fillers_and_restarts_as_scoring_marks_them():
    text = "So, um, we we decided to, you know, roll back the the deploy. It took, uh, an hour. Um."
    assert clean_transcript(from_text(text)) == "So we decided to roll back the deploy. It took an hour."


def test_a_better_recording_is_played():
    cands = [
        Candidate(1, m(55), has_recording=True, transcript=t("first")),
        Candidate(2, m(30), has_recording=True, transcript=t("second")),
        Candidate(3, m(48), has_recording=True, transcript=t("now")),
    ]
    model = choose_model_answer(cands, current_id=3)
    assert model is not None
    assert (model.kind, model.attempt_id) == (RECORDING, 2)


def test_when_the_answer_just_given_is_the_best_its_cleaned_words_are_read():
    cands = [
        Candidate(1, m(55), has_recording=True, transcript=t("um the first try")),
        Candidate(
            2, m(20, missing=["rolled back within an hour"]), has_recording=True, transcript=t("So, um, I fixed it.")
        ),
    ]
    model = choose_model_answer(cands, current_id=2, own_points=["rolled back within an hour", "told the team"])
    assert model is not None
    assert model.kind == SPOKEN and model.attempt_id == 2
    assert model.cleaned == "So I fixed it."
    # the own point it missed, and the one it was never checked for; not the ones it made
    assert model.points == ("rolled back within an hour", "told the team")
    assert model.spoken_text == "So I fixed it. And make these points: rolled back within an hour; told the team."


def test_typed_answers_only_give_their_cleaned_best_words():
    cands = [
        Candidate(1, m(40), transcript=t("Uh, we shipped it.")),
        Candidate(2, m(25), transcript=t("I shipped it, um, early.")),
    ]
    model = choose_model_answer(cands, current_id=1)
    assert model is not None
    assert (model.kind, model.attempt_id, model.cleaned) == (SPOKEN, 2, "I shipped it early.")


def test_a_missing_recording_file_is_not_offered():
    cands = [
        Candidate(1, m(10), has_recording=False, transcript=t("Best words.")),
        Candidate(2, m(50), transcript=t("Now.")),
    ]
    model = choose_model_answer(cands, current_id=2)
    assert model is not None
    assert model.kind == SPOKEN and model.attempt_id == 1


def test_ties_go_to_closer_to_target_then_latest():
    cands = [
        Candidate(1, m(30, over=20.0), has_recording=True),
        Candidate(2, m(30), has_recording=True),
        Candidate(3, m(30), has_recording=True),
        Candidate(4, m(60), has_recording=True),
    ]
    model = choose_model_answer(cands, current_id=4)
    assert model is not None and model.attempt_id == 3


def test_only_points_or_nothing():
    only = choose_model_answer([], own_points=["rolled back within an hour"])
    assert only == ModelAnswer(SPOKEN, None, "", ("rolled back within an hour",))
    assert only.spoken_text == "The points you wanted to make: rolled back within an hour."
    assert choose_model_answer([]) is None


def test_drill_h_plays_the_best_recording_or_reads_the_words():
    from test_drill import Q1, FakeUI, answer, kinds, make
    from test_follow_ups import FakeCoach

    coach = FakeCoach(model=ModelAnswer(RECORDING, 7))
    ui = FakeUI(None, choices=["h", "n"])
    drill, log, *_ = make([Q1], [answer()], [2.0], interactive=True, ui=ui, coach=coach)
    drill.run()
    assert coach.better == [("q-one", 1)] and ("play", 7) in log
    assert "h" in kinds(log, "choose")[0][2]

    coach = FakeCoach(model=ModelAnswer(SPOKEN, 3, "I fixed it.", ("told the team",)))
    ui = FakeUI(None, choices=["h", "n"])
    drill, log, *_ = make([Q1], [answer()], [2.0], interactive=True, ui=ui, coach=coach)
    drill.run()
    assert [e[1] for e in kinds(log, "say")][-1] == "I fixed it. And make these points: told the team."

    coach = FakeCoach(model=None)
    ui = FakeUI(None, choices=["h", "n"])
    drill, log, ui, *_ = make([Q1], [answer()], [2.0], interactive=True, ui=ui, coach=coach)
    drill.run()
    assert any(msg.startswith("Nothing better to hear yet") for msg in ui.messages)


def test_no_h_without_a_coach():
    from test_drill import Q1, FakeUI, answer, kinds, make

    ui = FakeUI(None, choices=["n"])
    drill, log, *_ = make([Q1], [answer()], [2.0], interactive=True, ui=ui)
    drill.run()
    assert "h" not in kinds(log, "choose")[0][2]


def test_show_best(cli, redrill_home):
    from redrill.schedule import flag_question
    from redrill.store import Store, utcnow

    assert cli("show", "--best", "failure-story").exit_code == 1
    with Store(redrill_home / "redrill.db") as store:
        flag_question(
            store, "failure-story", "x", now=utcnow(), rating="shaky", wish_i_said=["added a reconciliation test"]
        )
    only_points = cli("show", "--best", "failure-story")
    assert only_points.exit_code == 0 and "+ added a reconciliation test" in only_points.output
    cli(
        "answer",
        "failure-story",
        "--text",
        "So, um, the billing release failed and I rolled it back, you know, within the hour, then I fixed what "
        "went wrong and I changed our checks afterwards.",
    )
    cli("answer", "failure-story", "--text", "Uh, I, I, um, er, honestly I don't know, um, it was, like, bad.")
    best = cli("show", "--best", "failure-story")
    assert "attempt #1" in best.output
    flat = " ".join(best.output.split())  # the console wraps long lines
    assert "So the billing release failed and I rolled it back within the hour, then I fixed" in flat
    assert "+ added a reconciliation test" in best.output
    data = __import__("json").loads(cli("show", "--best", "failure-story", "--json").output)
    assert data["model_answer"]["kind"] == "spoken" and data["model_answer"]["attempt_id"] == 1
    unknown = cli("show", "--best", "failure-storyy")
    assert unknown.exit_code == 1 and "Did you mean: failure-story" in unknown.stderr
    assert cli("show").exit_code == 2
