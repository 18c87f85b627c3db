"""Follow-up questions: the rules on the answer, the bank's follow-ups (schema and validation), the
drill asking one and storing its answer linked to the main one, and what the store does with it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from redrill.banks import Question, load_bank
from redrill.errors import InputError
from redrill.follow_up_questions import (
    BANK,
    MEASURE_RESULT,
    NO_RESULT,
    OWN_POINT_MISSING,
    WE_NOT_I,
    YOUR_PART,
    as_question,
    follow_up_id,
    is_story_question,
    pick_follow_up,
    says_number_or_outcome,
    we_without_i,
)

if TYPE_CHECKING:
    from redrill.model_answer import ModelAnswer
    from redrill.pipeline import AttemptReport

STORY = Question(
    id="failure-story",
    text="Tell me about a time something you owned did not work out.",
    tags=("behavioral", "star"),
    follow_ups=("What would you do differently now?", "Who else did it affect?"),
)
HOBBY = Question(id="life-outside-work", text="What do you like to do when you are not working?", tags=("general",))

# Twenty-odd words each: long enough for the rules on the answer.
WE_ONLY = (
    "The billing job failed on a Friday night. We looked at the logs, we rolled the release back, we wrote a "
    "fix and we shipped it on Monday, and the customers were fine."
)
WITH_I = (
    "The billing job failed on a Friday night. I looked at the logs, I rolled the release back, we wrote a fix "
    "together and I shipped it on Monday morning to everyone."
)
NO_OUTCOME = (
    "The billing job was flaky for a while and it bothered people. I looked at the logs, talked to the team about "
    "it and read the code of the retry loop carefully."
)
WITH_NUMBER = NO_OUTCOME + " Failures went from nine a week to none."
NO_POINTS: dict[str, dict[str, list[str]]] = {"talking_points": {"covered": [], "missing": []}}


def test_story_questions_by_tag_or_wording():
    assert is_story_question(STORY)
    assert is_story_question(Question(id="x", text="Describe a time you failed."))
    assert is_story_question(Question(id="x", text="Walk me through your hardest bug."))
    assert not is_story_question(HOBBY)


def test_we_without_i_looks_at_the_action_part():
    assert we_without_i(WE_ONLY)
    assert not we_without_i(WITH_I)
    # "we" only in the situation (first quarter) and "I" in the action: not a we-answer
    assert not we_without_i("We had a big outage. " + WITH_I)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (NO_OUTCOME, False),
        (WITH_NUMBER, True),
        (NO_OUTCOME + " It cut the pages by half.", True),
        (NO_OUTCOME + " As a result nobody was paged again.", True),
        (NO_OUTCOME + " In the end it shipped.", True),
        (NO_OUTCOME + " Latency dropped 40%.", True),
        ("No one called me about it one day.", False),  # "one" is not a number here
    ],
)
def test_numbers_and_outcomes(text, expected):
    assert says_number_or_outcome(text) is expected


def test_own_missing_point_comes_first():
    metrics = {"talking_points": {"covered": ["the situation"], "missing": ["rolled back within an hour"]}}
    follow = pick_follow_up(STORY, WE_ONLY, metrics, own_points=["Rolled back within an hour"])
    assert follow is not None
    assert follow.reason == OWN_POINT_MISSING and follow.point == "Rolled back within an hour"
    assert follow.text == "Tell me more about this part of the story: Rolled back within an hour."
    q = as_question(STORY, follow)
    assert q.id == "failure-story/follow-up" and q.talking_points == ("Rolled back within an hour",)
    assert q.target_seconds == (20.0, 60.0)


def test_a_bank_point_missing_is_not_an_own_point():
    metrics = {"talking_points": {"covered": [], "missing": ["what went wrong"]}}
    follow = pick_follow_up(STORY, WITH_NUMBER, metrics, own_points=["rolled back within an hour"])
    assert follow is not None and follow.reason == BANK


def test_we_but_no_i_asks_for_your_part():
    follow = pick_follow_up(STORY, WE_ONLY, NO_POINTS)
    assert follow is not None and (follow.text, follow.reason) == (YOUR_PART, WE_NOT_I)


def test_no_number_or_outcome_asks_how_it_was_measured():
    follow = pick_follow_up(STORY, NO_OUTCOME, NO_POINTS)
    assert follow is not None and (follow.text, follow.reason) == (MEASURE_RESULT, NO_RESULT)


def test_rules_on_the_answer_apply_to_story_questions_with_enough_words():
    assert pick_follow_up(HOBBY, NO_OUTCOME, NO_POINTS) is None  # not a story, no bank follow-ups
    short = pick_follow_up(STORY, "We fixed it.", NO_POINTS)
    assert short is not None and short.reason == BANK


def test_bank_follow_ups_are_asked_in_turn():
    first = pick_follow_up(STORY, WITH_NUMBER, NO_POINTS)
    assert first is not None and first.text == "What would you do differently now?" and first.reason == BANK
    second = pick_follow_up(STORY, WITH_NUMBER, NO_POINTS, asked_before=[first.text])
    assert second is not None and second.text == "Who else did it affect?"
    # all asked: the one asked longest ago comes round again
    third = pick_follow_up(STORY, WITH_NUMBER, NO_POINTS, asked_before=[first.text, second.text])
    assert third is not None and third.text == first.text


# --- the bank schema ---------------------------------------------------------------------------------


def test_bank_follow_ups_load(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(
        "name: B\nquestions:\n  - id: q\n    text: Tell me about a time.\n    follow_ups:\n"
        "      - What  would you\n        do differently?\n"
    )
    q = load_bank(path).questions[0]
    assert q.follow_ups == ("What would you do differently?",)


def test_bank_follow_ups_are_validated_with_file_line_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: B\nquestions:\n"
        "  - id: a\n    text: Q\n    follow_ups: What next?\n"
        "  - id: b\n    text: Q2\n    follow_ups:\n      - ''\n      - 12\n      -\n"
        "  - id: c\n    text: Q3\n    follow_ups: [a, b, c, d, e, f]\n"
        "  - id: d\n    text: Q4\n    follow_ups: [" + "x" * 301 + "]\n"
    )
    with pytest.raises(InputError) as err:
        load_bank(path)
    text = str(err.value)
    assert f"{path}:5: questions[0].follow_ups: must be a list of questions" in text
    assert f"{path}:9: questions[1].follow_ups[0]: is empty" in text
    assert f"{path}:10: questions[1].follow_ups[1]: must be a question (text), not number" in text
    assert f"{path}:11: questions[1].follow_ups[2]: must be a question (text), not nothing" in text
    assert f"{path}:14: questions[2].follow_ups: has 6 follow-ups; keep at most 5" in text
    assert f"{path}:17: questions[3].follow_ups[0]: is 301 characters" in text


def test_shipped_banks_carry_follow_ups():
    from redrill.banks import load_catalog

    catalog = load_catalog()
    with_follow_ups = [q for q in catalog.questions.values() if q.follow_ups]
    assert len(with_follow_ups) >= 10
    assert all(f.strip() and len(f) <= 300 for q in with_follow_ups for f in q.follow_ups)


# --- the drill asks one (fakes) ------------------------------------------------------------------------


class FakeCoach:
    """Scripted follow-ups and model answers, with a history of calls; the methods are
    :class:`redrill.coaching.StoreCoach`'s, signature for signature."""

    def __init__(self, follow: Question | None = None, model: ModelAnswer | None = None):
        self.follow, self.model = follow, model
        self.links: list[tuple[int, int]] = []
        self.asked: list[tuple[str, int]] = []
        self.better: list[tuple[str, int | None]] = []

    def follow_up(self, question: Question, report: AttemptReport) -> Question | None:
        self.asked.append((question.id, report.attempt_id))
        return self.follow

    def why(self, follow: Question) -> str:
        return "a reason"

    def link(self, follow_up_attempt_id: int, main_attempt_id: int) -> None:
        self.links.append((follow_up_attempt_id, main_attempt_id))

    def better_answer(self, question: Question, attempt_id: int | None) -> ModelAnswer | None:
        self.better.append((question.id, attempt_id))
        return self.model


FOLLOW = Question(id="q-one/follow-up", text="What was your part in that, personally?", target_seconds=(20.0, 60.0))


def test_spoken_follow_up_is_asked_like_the_question_and_linked():
    from test_drill import Q1, answer, kinds, make

    coach = FakeCoach(follow=FOLLOW)
    drill, log, _ui, _mic, _practice = make([Q1], [answer(2.0), answer(1.5)], [2.0, 1.5], coach=coach, follow_ups=True)
    result = drill.run()
    assert [e[1] for e in kinds(log, "say")] == [Q1.text, FOLLOW.text]  # read aloud like the question
    assert [(e[1], e[2]) for e in kinds(log, "save")] == [("q-one", 1), ("q-one/follow-up", 2)]
    assert [e[2] for e in kinds(log, "record")] == [120.0, 120.0]
    assert coach.asked == [("q-one", 1)] and coach.links == [(2, 1)]
    assert [r.attempt_id for r in result.reports] == [1]  # the follow-up is not a main answer
    assert [(main, done.attempt_id) for main, done in result.follow_ups] == [(1, 2)]


def test_typed_follow_up():
    from test_drill import Q1, FakeUI, make

    ui = FakeUI(None, texts=["We fixed it.", "I wrote the fix."])
    coach = FakeCoach(follow=FOLLOW)
    drill, log, ui, _mic, _practice = make([Q1], ui=ui, coach=coach, follow_ups=True, text_mode=True)
    result = drill.run()
    assert [e[1:3] for e in log if e[0] == "score_text"] == [
        ("q-one", "We fixed it."),
        ("q-one/follow-up", "I wrote the fix."),
    ]
    assert coach.links == [(2, 1)] and len(result.follow_ups) == 1


def test_no_follow_up_when_off_or_when_the_coach_has_none():
    from test_drill import Q1, answer, kinds, make

    coach = FakeCoach(follow=FOLLOW)
    drill, log, *_ = make([Q1], [answer()], [2.0], coach=coach, follow_ups=False)
    drill.run()
    assert coach.asked == [] and len(kinds(log, "record")) == 1
    coach = FakeCoach(follow=None)
    drill, log, *_ = make([Q1], [answer()], [2.0], coach=coach, follow_ups=True)
    result = drill.run()
    assert coach.asked == [("q-one", 1)] and len(kinds(log, "record")) == 1 and result.follow_ups == []


def test_silence_after_a_follow_up_neither_counts_as_unanswered_nor_ends_the_session():
    from test_drill import Q1, Q2, answer, kinds, make, silence

    coach = FakeCoach(follow=FOLLOW)
    drill, log, *_ = make(
        [Q1, Q2], [answer(), silence(5.0), answer(), silence(5.0)], [2.0, 2.0], coach=coach, follow_ups=True
    )
    result = drill.run()
    assert [e[1] for e in kinds(log, "question")] == ["q-one", "q-two"]
    assert result.follow_ups == [] and "q-one/follow-up" in result.no_speech
    assert drill._unanswered == 0


def test_mock_mode_has_no_menu():
    from test_drill import Q1, Q2, FakeUI, answer, make

    ui = FakeUI(None)  # no scripted choices: any menu would fail
    drill, log, *_ = make([Q1, Q2], [answer(), answer()], [2.0, 2.0], interactive=True, ui=ui, menu=False)
    result = drill.run()
    assert len(result.reports) == 2 and not [e for e in log if e[0] == "choose"]


# --- the store: linked, not scheduled, forgotten together ---------------------------------------------


T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def test_follow_up_answers_have_history_but_no_schedule(tmp_path):
    from redrill import pipeline
    from redrill.config import Config
    from redrill.forget import forget_attempts
    from redrill.paths import Paths
    from redrill.selection import queue
    from redrill.store import Store, follow_up_links, follow_ups_of, link_follow_up

    store = Store(tmp_path / "redrill.db")
    paths = Paths(tmp_path)
    attempts = pipeline.AttemptPipeline(store, Config(), paths=paths)
    main = attempts.score_text(STORY, WE_ONLY, now=T0)
    asked = pick_follow_up(STORY, WE_ONLY, NO_POINTS)
    assert asked is not None
    follow = as_question(STORY, asked)
    done = attempts.score_text(follow, "I rolled it back myself within the hour.", now=T0 + timedelta(minutes=1))
    link_follow_up(store, done.attempt_id, main.attempt_id)
    assert follow_up_links(store) == {done.attempt_id: main.attempt_id}
    assert follow_ups_of(store, [main.attempt_id]) == [done.attempt_id]
    # one review, for the main question; the follow-up has no schedule state and is not queued
    assert [r[1] for r in store.reviews()] == ["failure-story"]
    assert store.get_state(follow_up_id("failure-story")) is None
    assert [e.question_id for e in queue(store, __import__("redrill.banks").banks.load_catalog(), now=T0)] == [
        "failure-story"
    ]
    # forgetting the answer forgets the follow-up answered after it
    gone = forget_attempts(store, paths, [main.attempt_id])
    assert gone.attempts == 2 and store.attempts() == []
    store.close()


def test_the_coach_asks_about_the_users_own_missing_point(tmp_path):
    from redrill import pipeline
    from redrill.coaching import StoreCoach, session_catalog
    from redrill.config import Config
    from redrill.paths import Paths
    from redrill.schedule import flag_question
    from redrill.store import Store

    store = Store(tmp_path / "redrill.db")
    flag_question(
        store, "failure-story", STORY.text, now=T0, rating="bombed", wish_i_said=["rolled back within an hour"]
    )
    report = pipeline.AttemptPipeline(store, Config()).score_text(STORY, WITH_NUMBER, now=T0)
    catalog = session_catalog(__import__("redrill.banks").banks.load_catalog())
    coach = StoreCoach(store, catalog, Paths(tmp_path), follow_ups=True)
    follow = coach.follow_up(STORY, report)
    assert follow is not None
    assert follow.text == "Tell me more about this part of the story: rolled back within an hour."
    assert coach.why(follow) == "you did not make one of your own points"
    assert catalog.questions["failure-story/follow-up"] is follow  # spoken answers are scored against it
    store.close()
