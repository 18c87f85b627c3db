"""The menu after an answer (continue, discard, play, retry, next, quit), the stop after questions
nobody answered, and both against the real store: a discarded attempt leaves history, medians and
the schedule as they were; a continued one is one attempt with both halves."""

from __future__ import annotations

import numpy as np
import pytest

from redrill.menu import MENU, MenuChoice, Step
from test_drill import (
    Q1,
    Q2,
    RATE,
    FakeMicrophone,
    FakeSpeaker,
    FakeUI,
    Log,
    WordsTranscriber,
    answer,
    kinds,
    make,
    silence,
    timed,
    tone,
)


def choose_events(log):
    return [(e[1], "".join(e[2])) for e in kinds(log, "choose")]


def test_menu_after_a_silence_ending_offers_continue_and_discard_first():
    ui = FakeUI(None, choices=["n"])
    drill, log, *_ = make([Q1], [answer(2.0)], [2.0], interactive=True, ui=ui)
    drill.run()
    assert choose_events(log) == [("n", "crpdnq")]


def test_menu_after_a_key_press_has_no_continue():
    ui = FakeUI(None, choices=["n"], stop_after_polls=20)
    drill, log, *_ = make([Q1], [tone(30.0)], [2.0], interactive=True, ui=ui)
    drill.run()
    assert ("recorded", "stopped") in log
    assert choose_events(log) == [("n", "rpdnq")]


def test_continue_makes_one_attempt_of_both_halves():
    ui = FakeUI(None, choices=["c", "n"])
    first, second = answer(2.0), answer(3.0)
    drill, log, _ui, _mic, practice = make([Q1], [first, second], [2.4, 5.9], interactive=True, ui=ui)
    result = drill.run()
    saves = kinds(log, "save")
    assert [s[2] for s in saves] == [1, 2]
    # The stored answer: the first half (2 s + air), a short gap, then the second half (3 s + air).
    assert saves[1][3] == pytest.approx(saves[0][3] + 0.5 + 3.4, abs=0.05)
    assert ("withdraw", 1) in log, "the first half's attempt must be undone"
    assert list(practice.saved) == [2]
    assert [r.attempt_id for r in result.reports] == [2] and result.continued == [2]
    # The second recording knows the answer so far counts towards the target and the cap.
    (_, cap1, carried1), (_, cap2, carried2) = ui.started
    assert carried1 == 0.0 and carried2 == pytest.approx(saves[0][3] + 0.5, abs=0.01)
    assert cap2 == pytest.approx(cap1 - carried2, abs=0.01)
    # Both halves are audio of the answer, in order: the stored samples begin with the first half.
    stored = practice.saved[2]
    n1 = int(saves[0][3] * RATE)
    assert np.abs(stored[:n1]).max() > 0.1 and np.abs(stored[n1 : n1 + int(0.5 * RATE)]).max() == 0.0
    assert choose_events(log) == [("c", "crpdnq"), ("n", "crpdnq")]


def test_continue_with_nothing_more_said_keeps_the_answer():
    ui = FakeUI(None, choices=["c", "n"])
    drill, log, _ui, _mic, practice = make([Q1], [answer(2.0), silence(6.0)], [2.0], interactive=True, ui=ui)
    result = drill.run()
    assert list(practice.saved) == [1] and kinds(log, "withdraw") == []
    assert [r.attempt_id for r in result.reports] == [1]
    assert any("Nothing more was heard" in m for m in ui.messages)
    assert result.no_speech == []  # the question was answered


def test_discard_takes_the_attempt_back_and_the_menu_goes_on():
    ui = FakeUI(None, choices=["d", "n"])
    drill, log, _ui, _mic, practice = make([Q1, Q2], [answer(), answer()], [2.0, 2.0], interactive=True, ui=ui)
    ui.choices.append("q")
    result = drill.run()
    assert ("withdraw", 1) in log and 1 not in practice.saved
    assert result.discarded == [1] and [r.attempt_id for r in result.reports] == [2]
    # Nothing left to continue, play or discard once it is gone.
    assert choose_events(log)[:2] == [("d", "crpdnq"), ("n", "rnq")]
    assert any("Discarded attempt #1" in m for m in ui.messages)


def test_a_new_choice_is_one_entry_in_the_menu():
    heard = []

    def explain(drill, ans):
        heard.append(ans.attempt_id)
        return Step.MENU

    extra = MenuChoice("x", "explain the question", offered=lambda drill, ans: ans.stored, act=explain)
    ui = FakeUI(None, choices=["x", "n"])
    drill, log, *_ = make([Q1], [answer()], [2.0], interactive=True, ui=ui)
    drill.menu_choices.insert(len(MENU) - 2, extra)
    drill.run()
    assert heard == [1]
    assert choose_events(log) == [("x", "crpdxnq"), ("n", "crpdxnq")]


def test_two_unanswered_questions_stop_and_ask():
    ui = FakeUI(None, choices=["q"])
    drill, log, *_ = make([Q1, Q2, Q1], [silence(6.0), silence(6.0), answer()], [2.0], interactive=True, ui=ui)
    result = drill.run()
    assert result.no_speech == ["q-one", "q-two"] and result.asked == 2
    assert choose_events(log) == [("q", "gq")]
    assert kinds(log, "save") == []


def test_two_unanswered_questions_go_on_when_asked_to():
    ui = FakeUI(None, choices=["g", "n"])
    drill, _log, *_ = make([Q1, Q2, Q1], [silence(6.0), silence(6.0), answer()], [2.0], interactive=True, ui=ui)
    result = drill.run()
    assert result.asked == 3 and [r.attempt_id for r in result.reports] == [1]


def test_two_unanswered_questions_end_a_script_run():
    drill, _log, ui, *_ = make([Q1, Q2, Q1], [silence(6.0), silence(6.0), answer()], [2.0])
    result = drill.run()
    assert result.asked == 2
    assert any("Nothing was heard for 2 questions in a row" in m and "Stopping" in m for m in ui.messages)


def test_an_answer_between_resets_the_count():
    ui = FakeUI(None, choices=["n", "n"])
    signals = [silence(6.0), answer(), silence(6.0), answer()]
    drill, _log, *_ = make([Q1, Q2, Q1, Q2], signals, [2.0, 2.0], interactive=True, ui=ui)
    result = drill.run()
    assert result.asked == 4 and len(result.reports) == 2


# --- the real store -----------------------------------------------------------------------------


@pytest.fixture
def real(redrill_home):
    from redrill.banks import load_catalog
    from redrill.config import Config
    from redrill.paths import Paths
    from redrill.store import open_store

    paths = Paths(redrill_home).ensure()
    store = open_store(paths)
    catalog = load_catalog(paths.banks, [])
    yield store, catalog, paths, Config()
    store.close()


def snapshot(cli, store, question_id):
    """What the user sees of their practice (history, progress, the queue) and what the next
    attempt at the question is compared with (its earlier scored attempts and their medians)."""
    import json

    from redrill.scoring.comparison import compare

    seen = {name: json.loads(cli(name, "--json").output) for name in ("history", "progress", "queue")}
    earlier = [m for *_, m in store.scored_metrics(question_id)]
    medians = compare(earlier[-1], earlier).median if earlier else None
    reviews = store.reviews()
    return seen, earlier, medians, store.get_state(question_id), reviews


def drill_real(store, catalog, paths, config, question, signals, choices, words):
    from redrill.drill import Drill, StorePractice

    log = Log()
    practice = StorePractice(store, catalog, paths, config)
    drill = Drill(
        [question],
        speaker=FakeSpeaker(log),
        practice=practice,
        ui=FakeUI(log, choices=choices),
        recorder=FakeMicrophone(log, signals),
        transcriber_factory=lambda: WordsTranscriber(timed(words)),
        interactive=True,
    )
    return drill.run(), practice


def test_discard_leaves_history_medians_and_schedule_as_before(real, cli):
    store, catalog, paths, config = real
    question = catalog.get("tell-me-about-yourself")
    for text in ("I lead a team that builds billing systems, um, for shops.", "I build billing systems for shops."):
        assert cli("answer", question.id, "--text", text).exit_code == 0
    assert cli("flag", question.id).exit_code == 0  # due now: in the queue
    before = snapshot(cli, store, question.id)
    assert before[0]["queue"] and len(before[1]) == 2  # the test's own premise
    result, _ = drill_real(
        store, catalog, paths, config, question, [answer(3.0)], ["d", "q"], "I am an engineer who led the billing work"
    )
    assert result.discarded == [3] and result.reports == []
    assert snapshot(cli, store, question.id) == before
    # The recording stays until the session ends, then it is removed.
    assert list(paths.recordings.glob("*.ogg")) == []


def test_continue_stores_one_attempt_with_both_halves(real):
    from redrill.sound.audiofile import load_audio

    store, catalog, paths, config = real
    question = catalog.get("tell-me-about-yourself")
    result, _ = drill_real(
        store,
        catalog,
        paths,
        config,
        question,
        [answer(2.0), answer(3.0)],
        ["c", "q"],
        "I am an engineer who led the billing work",
    )
    attempts = store.attempts()
    assert len(attempts) == 1 and attempts[0].status == "scored"
    assert [r.attempt_id for r in result.reports] == [attempts[0].id]
    audio = load_audio(paths.home / attempts[0].audio_path).samples
    assert len(audio) / RATE == pytest.approx(2.4 + 0.5 + 3.4, abs=0.05)
    # Only the combined recording is left once the session is over.
    assert [p.name for p in paths.recordings.glob("*.ogg")] == [attempts[0].audio_path.split("/")[-1]]
    reviews = store.db.execute("SELECT attempt_id FROM reviews").fetchall()
    assert [r[0] for r in reviews] == [attempts[0].id]
