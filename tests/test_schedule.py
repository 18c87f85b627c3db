"""Scheduling: attempt -> FSRS rating, due times from a real fsrs Scheduler, weak-list exit rule.

Pure rules are tested directly; the store-facing parts use a real SQLite file. The clock is fixed.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from fixtures_attempts import review_stored
from redrill import schedule
from redrill.schedule import AGAIN, EASY, GOOD, HARD, leaves_weak_list, rate_attempt
from redrill.scoring import Coverage, Metrics
from redrill.scoring.comparison import Change, Comparison
from redrill.store import Store

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)


def metrics(ramble=15.0, duration=90.0, target=(60.0, 120.0), covered=("a", "b"), missing=()):
    """Scoring-shaped metrics for one attempt."""
    over = None if duration is None else max(0.0, duration - target[1])
    under = None if duration is None else max(0.0, target[0] - duration)
    return Metrics(
        duration_s=duration,
        target_s=target,
        over_target_s=over,
        under_target_s=under,
        fillers_per_min=1.0,
        ramble_score=ramble,
        talking_points=Coverage(tuple(covered), tuple(missing)),
    )


def worse(*names):
    return Comparison(3, "this question", change={n: Change("worse", 5.0, 0.0) for n in names})


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "redrill.db")
    yield s
    s.close()


# --- rating rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "m, comparison, expected",
    [
        (metrics(ramble=10), None, EASY),
        (metrics(ramble=10), worse("fillers_per_min"), GOOD),  # Easy needs nothing worse than median
        (metrics(ramble=10, missing=("c",), covered=("a", "b")), None, GOOD),  # Easy needs every point
        (metrics(ramble=30), None, GOOD),
        (metrics(ramble=45), None, HARD),
        (metrics(ramble=30, duration=130), None, HARD),  # outside target, not far
        (metrics(ramble=30, duration=50), None, HARD),
        (metrics(ramble=30), worse("ramble_score"), HARD),
        (metrics(ramble=30), worse("fillers_per_min", "restarts_per_100_words"), HARD),
        (metrics(ramble=30), worse("fillers_per_min"), GOOD),  # one other metric is not enough
        (metrics(ramble=60), None, AGAIN),
        (metrics(ramble=20, duration=181), None, AGAIN),  # more than 50% over the 120 s maximum
        (metrics(ramble=20, duration=29), None, AGAIN),  # more than 50% under the 60 s minimum
        (metrics(ramble=20, covered=("a",), missing=("b", "c")), None, AGAIN),  # most points missing
        (metrics(ramble=10, duration=None), None, GOOD),  # typed: length unknown, never Easy
        (metrics(ramble=10, covered=(), missing=()), None, EASY),  # no points to make
    ],
)
def test_rating_rules(m, comparison, expected):
    rated = rate_attempt(m, comparison)
    assert rated.rating == expected, rated
    assert rated.reasons


def test_rating_tolerates_missing_values():
    assert rate_attempt(Metrics()).rating == GOOD
    assert rate_attempt(Metrics.from_dict({"ramble_score": None, "talking_points": None})).rating == GOOD


# --- FSRS -----------------------------------------------------------------------------------


def test_review_is_deterministic_and_uses_learning_steps():
    card1, due1 = schedule.review(None, GOOD, NOW, question_id="q")
    card2, due2 = schedule.review(None, GOOD, NOW, question_id="q")
    assert (card1, due1) == (card2, due2)
    assert due1 == NOW + timedelta(days=1)  # Good on a new card: second learning step
    _card, due_again = schedule.review(None, AGAIN, NOW, question_id="q")
    assert due_again == NOW + timedelta(minutes=10)


def test_good_pushes_out_and_again_brings_back_sooner():
    card, due = schedule.review(None, GOOD, NOW, question_id="q")
    t = due
    card_good, due_good = schedule.review(card, GOOD, t, question_id="q")
    _card_bad, due_bad = schedule.review(card, AGAIN, t, question_id="q")
    assert due_good - t > timedelta(days=1)
    assert due_bad - t <= timedelta(minutes=10)
    # and once in review, a lapse comes back within the relearning step
    _c, due_lapse = schedule.review(card_good, AGAIN, due_good, question_id="q")
    assert due_lapse - due_good == schedule.RELEARNING_STEPS[0]


def test_intervals_are_capped():
    card, due = None, NOW
    for _ in range(12):
        card, due = schedule.review(card, EASY, due, question_id="q")
    assert card is not None
    assert due - datetime.fromisoformat(card["last_review"]) <= timedelta(days=schedule.MAXIMUM_INTERVAL_DAYS)


# --- weak-list exit -------------------------------------------------------------------------


def daily(*ms, start=NOW, step=timedelta(days=1)):
    """``(when, metrics)`` pairs, one ``step`` apart (a fixed clock)."""
    return [(start + i * step, m) for i, m in enumerate(ms)]


def test_leaves_weak_list_rule():
    good = metrics(ramble=25)
    assert not leaves_weak_list(daily(good, good))  # too few days
    assert leaves_weak_list(daily(good, good, good))
    assert leaves_weak_list(daily(metrics(ramble=80), good, good, good))  # only the last three days count
    assert not leaves_weak_list(daily(good, good, metrics(ramble=45)))  # one rambling answer
    assert not leaves_weak_list(daily(good, metrics(ramble=25, duration=140), good))  # one over target
    assert not leaves_weak_list(daily(metrics(ramble=5), metrics(ramble=35), metrics(ramble=20)))  # not steady
    assert not leaves_weak_list(daily(*[metrics(ramble=10, duration=None)] * 3))  # typed: length unknown


def test_massed_repetition_in_one_sitting_does_not_leave_the_weak_list():
    """Three identical clean answers within three minutes are one day's evidence, not three."""
    good = metrics(ramble=25)
    assert not leaves_weak_list(daily(good, good, good, step=timedelta(minutes=1)), tz=timezone.utc)
    # two sittings on two days, however many answers: still one day short
    two_days = daily(good, good, good, step=timedelta(minutes=1)) + daily(
        good, good, start=NOW + timedelta(days=1), step=timedelta(minutes=5)
    )
    assert not leaves_weak_list(two_days, tz=timezone.utc)
    assert schedule.good_days(two_days, tz=timezone.utc) == 2
    # a day counts by its last answer: a bad try then a clean one still makes a good day
    days = daily(good, good) + [(NOW + timedelta(days=2), metrics(ramble=70)), (NOW + timedelta(days=2, hours=1), good)]
    assert leaves_weak_list(days, tz=timezone.utc)
    # but the latest answer must be good
    assert not leaves_weak_list(days + [(NOW + timedelta(days=2, hours=2), metrics(ramble=70))], tz=timezone.utc)
    # calendar days in the user's zone: 23:00 and 01:00 UTC are the same day in New York
    from zoneinfo import ZoneInfo

    late = datetime(2026, 11, 21, 23, 0, tzinfo=timezone.utc)
    spread = [(late - timedelta(days=1), good), (late, good), (late + timedelta(hours=2), good)]
    assert leaves_weak_list(spread, tz=timezone.utc)
    assert not leaves_weak_list(spread, tz=ZoneInfo("America/New_York"))


# --- with the store -------------------------------------------------------------------------


def attempt(store, qid, m, at):
    return store.add_attempt(
        question_id=qid, question_text="Q?", source="text", status="scored", metrics=m, created_at=at
    )


def review_attempt(store, qid, m, at, comparison=None):
    aid = attempt(store, qid, m, at)
    return review_stored(store, qid, aid, m, at, comparison)


def test_record_attempt_review_stores_card_due_and_log(store):
    result = review_attempt(store, "failure-story", metrics(ramble=30), NOW)
    state = store.get_state("failure-story")
    assert result.rating.rating == GOOD
    assert state.due == NOW + timedelta(days=1) == result.due
    assert state.card["last_review"].startswith("2026-11-21T09:00")
    [(_id, qid, aid, rating, at, due)] = store.reviews()
    assert (qid, rating, at, due) == ("failure-story", GOOD, NOW, state.due)
    assert aid is not None


def test_good_attempt_pushes_due_out_bad_one_brings_it_back(store):
    review_attempt(store, "q", metrics(ramble=30), NOW)
    t1 = NOW + timedelta(days=1)
    review_attempt(store, "q", metrics(ramble=30), t1)
    due_after_good = store.get_state("q").due
    assert due_after_good - t1 > timedelta(days=1)
    t2 = due_after_good
    review_attempt(store, "q", metrics(ramble=75), t2)
    due_after_bad = store.get_state("q").due
    assert due_after_bad - t2 < timedelta(hours=1)
    assert [r[3] for r in store.reviews("q")] == [GOOD, GOOD, AGAIN]


def test_flagged_question_leaves_weak_list_after_good_answers_on_three_days(store):
    schedule.flag_question(store, "q", "Q?", now=NOW, rating="bombed", wish_i_said=["point one"])
    assert store.get_state("q").weak and store.get_state("q").due == NOW
    t = NOW
    # the bombed-question case: three identical answers within three minutes, in one sitting
    for i in range(3):
        t += timedelta(minutes=1)
        result = review_attempt(store, "q", metrics(ramble=25), t)
        assert result.weak and not result.left_weak_list, i
    assert store.get_state("q").weak
    assert schedule.review_line(result, t, tz=timezone.utc).endswith("weak list: good answers on 1 of 3 days")
    for ramble in (30, 28):
        t += timedelta(days=1)
        result = review_attempt(store, "q", metrics(ramble=ramble), t)
    assert result.left_weak_list and not result.weak
    assert " - off the weak list; back " in schedule.review_line(result, t, tz=timezone.utc)
    state = store.get_state("q")
    assert not state.weak and state.due is not None  # still scheduled, like any practised question


def test_attempts_before_a_new_flag_do_not_count_for_the_exit(store):
    t = NOW
    for _ in range(3):
        review_attempt(store, "q", metrics(ramble=20), t)
        t += timedelta(hours=1)
    schedule.flag_question(store, "q", "Q?", now=t, rating="shaky")
    t += timedelta(hours=1)
    result = review_attempt(store, "q", metrics(ramble=20), t)
    assert result.weak and store.get_state("q").weak


def test_mastered_question_is_not_rescheduled(store):
    schedule.flag_question(store, "q", "Q?", now=NOW, rating="bombed")
    schedule.mark_mastered(store, "q", now=NOW)
    state = store.get_state("q")
    assert (state.weak, state.mastered, state.due) == (False, True, None)
    review_attempt(store, "q", metrics(ramble=70), NOW + timedelta(hours=1))
    assert store.get_state("q").due is None
    schedule.flag_question(store, "q", "Q?", now=NOW + timedelta(hours=2), rating="shaky")
    state = store.get_state("q")
    assert (state.weak, state.mastered, state.due) == (True, False, NOW + timedelta(hours=2))


def test_flag_merges_personal_talking_points_without_repeats(store):
    schedule.flag_question(store, "q", "Q?", now=NOW, rating="bombed", wish_i_said=["Rolled back fast", "added a test"])
    schedule.flag_question(
        store, "q", "Q?", now=NOW, rating="ok", wish_i_said=["rolled back fast", "told the customer"]
    )
    assert store.get_state("q").talking_points == ["Rolled back fast", "added a test", "told the customer"]
    assert [f.rating for f in store.flags(question_id="q")] == ["bombed", "ok"]


def test_scored_text_answer_goes_through_the_real_pipeline(store):
    """The attempt pipeline plans and stores the review of a typed answer, and reports it."""
    from redrill.banks import load_catalog
    from redrill.config import Config
    from redrill.pipeline import AttemptPipeline

    question = load_catalog().get("failure-story")
    schedule.flag_question(
        store, question.id, question.text, now=NOW, rating="bombed", wish_i_said=["rolled back within an hour"]
    )
    report = AttemptPipeline(store, Config()).score_text(
        question, "Um, so, I, like, I don't know, it was a thing and stuff. " * 3, now=NOW + timedelta(minutes=5)
    )
    state = store.get_state(question.id)
    [(_id, _q, aid, rating, _at, due)] = store.reviews(question.id)
    assert aid == report.attempt_id
    assert report.review is not None and state is not None
    assert rating == rate_attempt(report.metrics, report.comparison).rating == report.review.rating.rating == AGAIN
    assert state.due == due == NOW + timedelta(minutes=15)
    assert state.weak


# --- robustness -----------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
)
_metrics = st.fixed_dictionaries(
    {},
    optional={
        "ramble_score": _value,
        "duration_s": _value,
        "over_target_s": _value,
        "under_target_s": _value,
        "target_s": st.one_of(_value, st.lists(_value, max_size=3)),
        "talking_points": st.one_of(
            _value,
            st.fixed_dictionaries(
                {},
                optional={
                    "covered": st.lists(st.text(max_size=3), max_size=4),
                    "missing": st.lists(st.text(max_size=3), max_size=4),
                },
            ),
        ),
    },
)


@settings(max_examples=200, deadline=None)
@given(_metrics, st.lists(_metrics, max_size=5))
def test_rating_and_exit_rule_accept_any_metrics(m, history):
    """Old or partial metrics (rescored, typed, older versions) never crash the scheduler."""
    m, history = Metrics.from_dict(m), [Metrics.from_dict(h) for h in history]
    assert rate_attempt(m, worse("ramble_score")).rating in (AGAIN, HARD, GOOD, EASY)
    assert leaves_weak_list(daily(*history, m)) in (True, False)
