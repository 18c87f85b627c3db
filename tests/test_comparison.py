"""Comparing attempts with the user's own history; feedback lines; trends."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redrill.scoring import Metrics, score
from redrill.scoring.comparison import KEY_METRICS, Comparison, compare, key_metrics, trend
from redrill.scoring.feedback import feedback
from redrill.transcript import Transcript, Word

POINTS = ["what went wrong", "rolled back the release", "what I changed afterwards"]
STORY = (
    "Last spring our payment release failed in production. I was the release owner, so the fix was mine. "
    "I rolled back the release within ten minutes and told support what customers would see. "
    "What went wrong was a migration we had never tested against real data volumes. "
    "Afterwards I changed our pipeline: every migration now runs against a copy of production first, "
    "and every release needs a rollback plan. We have shipped forty releases since without an incident."
)


def speak(text: str, *, wpm: float = 145.0, pauses: dict[int, float] | None = None) -> Transcript:
    pauses = pauses or {}
    step = 60.0 / wpm
    words, t = [], 0.0
    for i, token in enumerate(text.split()):
        words.append(Word(token, round(t, 3), round(t + 0.8 * step, 3)))
        t += step + pauses.get(i, 0.0)
    return Transcript(words=tuple(words), timed=True)


def attempt(fillers: int, long_pauses: int = 0, padding: int = 0) -> Metrics:
    """Metrics of the story told with ``fillers`` ums, some long pauses and ``padding`` extra words."""
    tokens = STORY.split()
    step = max(1, len(tokens) // (fillers + 1)) if fillers else 0
    out = []
    for i, tok in enumerate(tokens):
        out.append(tok)
        if fillers and i % step == step - 1 and sum(1 for w in out if w == "um,") < fillers:
            out.append("um,")
    out += ("and that was the whole release story from start to finish " * padding).split()
    pauses = {10 + 15 * k: 2.5 for k in range(long_pauses)}
    return score(speak(" ".join(out), pauses=pauses), target_seconds=(30, 60), talking_points=POINTS)


def metrics(**overrides) -> Metrics:
    """The story's metrics with fields overridden (given in their stored JSON form)."""
    base = score(speak(STORY), target_seconds=(30, 60), talking_points=POINTS).to_dict()
    return Metrics.from_dict({**base, **overrides})


# --------------------------------------------------------------------------------------------
# compare()


def test_improving_series_is_better_and_trends_improving():
    history = [attempt(14, 3, 9), attempt(10, 2, 7), attempt(6, 1, 5)]
    current = attempt(0)
    c = compare(current, history)
    assert c.scope == "this question"
    assert c.attempts_before == 3
    for name in (
        "ramble_score",
        "fillers_per_min",
        "fillers_per_100_words",
        "distance_from_target_s",
        "long_pauses_per_min",
    ):
        assert c.change[name].vs_median == "better", name
    assert {"ramble_score", "fillers_per_min", "long_pauses_per_min"} <= set(c.personal_best)
    assert trend([a.ramble_score for a in history] + [current.ramble_score]) == "improving"
    fb = feedback(current, c)
    assert fb.went_well.startswith("New personal best on this question for ramble score")


def test_median_best_and_delta_are_exact():
    history = [metrics(ramble_score=v) for v in (50.0, 30.0, 40.0)]
    c = compare(metrics(ramble_score=20.0), history)
    assert c.median["ramble_score"] == 40.0
    assert c.best["ramble_score"] == 30.0
    assert c.change["ramble_score"].to_json() == {"vs_median": "better", "delta": -20.0, "value": 20.0}
    assert "ramble_score" in c.personal_best
    worse = compare(metrics(ramble_score=60.0), history)
    assert worse.change["ramble_score"].vs_median == "worse"
    assert "ramble_score" not in worse.personal_best


def test_changes_inside_the_noise_margin_are_same():
    history = [metrics(ramble_score=40.0, fillers_per_min=2.0), metrics(ramble_score=44.0, fillers_per_min=2.4)]
    # median 42: margin max(10% of 42, 3) = 4.2; fillers median 2.2: margin max(0.22, 0.5) = 0.5
    c = compare(metrics(ramble_score=38.0, fillers_per_min=1.8), history)
    assert c.change["ramble_score"].vs_median == "same"
    assert c.change["fillers_per_min"].vs_median == "same"
    assert c.personal_best == ()  # 38 beats 40 by less than the 3-point floor
    c2 = compare(metrics(ramble_score=37.0, fillers_per_min=1.6), history)
    assert c2.change["ramble_score"].vs_median == "better"
    assert c2.change["fillers_per_min"].vs_median == "better"


def test_talking_points_coverage_higher_is_better():
    history = [metrics(talking_points={"covered": ["a"], "missing": ["b", "c"]})]
    c = compare(metrics(talking_points={"covered": ["a", "b", "c"], "missing": []}), history)
    assert c.change["talking_points_covered"].vs_median == "better"
    assert "talking_points_covered" in c.personal_best


def test_empty_history_falls_back_to_all_questions():
    others = [attempt(8), attempt(4)]
    c = compare(attempt(0), [], fallback=others)
    assert c.scope == "all questions"
    assert c.attempts_before == 2
    fb = feedback(attempt(0), c)
    assert "across all your answers" in fb.went_well


def test_no_history_at_all_still_gives_one_positive_line():
    current = attempt(12, 3, 3)
    c = compare(current, [], fallback=[])
    assert c.to_json() == {
        "attempts_before": 0,
        "scope": "none",
        "median": {},
        "best": {},
        "change": {},
        "personal_best": [],
    }
    fb = feedback(current, c)
    lines = fb.to_json()
    assert 1 <= len(fb.work_on) <= 3
    assert sum(1 for line in lines if line.startswith("Went well: ")) == 1
    assert lines[-1].startswith("Went well: ")


def test_comparison_json_shape():
    c = compare(attempt(2), [attempt(6)])
    data = c.to_json()
    assert set(data) == {"attempts_before", "scope", "median", "best", "change", "personal_best"}
    assert set(data["change"]) <= {m.name for m in KEY_METRICS}
    for change in data["change"].values():
        assert change["vs_median"] in ("better", "worse", "same")
        assert isinstance(change["delta"], float)


def test_untimed_attempts_compare_on_text_metrics_only():
    typed = metrics(
        duration_s=None, wpm=None, fillers_per_min=None, long_pauses=None, over_target_s=None, under_target_s=None
    )
    c = compare(typed, [metrics()])
    assert "fillers_per_min" not in c.change and "distance_from_target_s" not in c.change
    # a typed answer's ramble score leaves out the timing parts: not compared with a spoken one's
    assert "ramble_score" not in c.change and "fillers_per_100_words" in c.change


def test_key_metrics_are_derived_from_stored_metrics():
    m = metrics(
        over_target_s=12.0,
        under_target_s=0.0,
        duration_s=120.0,
        target_s=[60.0, 108.0],
        long_pauses=[{"at_s": 1.0, "length_s": 2.0}] * 3,
        words=200,
        restarts=5,
        wpm=175.0,
        talking_points={"covered": ["a"], "missing": ["b", "c", "d"]},
    )
    k = key_metrics(m)
    assert k["distance_from_target_s"] == 12.0
    assert k["long_pauses_per_min"] == 1.5
    assert k["restarts_per_100_words"] == 2.5
    assert k["wpm_off_band"] == 15.0
    assert k["talking_points_covered"] == 0.25


# --------------------------------------------------------------------------------------------
# trend()


@pytest.mark.parametrize(
    "values, expected",
    [
        ([], "new"),
        ([40.0], "new"),
        ([40.0, 20.0], "new"),
        ([60.0, 50.0, 42.0, 30.0], "improving"),
        ([20.0, 30.0, 45.0], "worsening"),
        ([40.0, 41.0, 39.0, 40.5], "steady"),
        ([90.0, 80.0, 40.0, 41.0, 40.0, 39.0, 40.0], "steady"),  # only the last five attempts count
    ],
)
def test_trend(values, expected):
    assert trend(values) == expected


def test_trend_higher_is_better():
    assert trend([0.2, 0.5, 0.9], lower_is_better=False, margin=0.1) == "improving"


# --------------------------------------------------------------------------------------------
# feedback()


def test_over_target_line_is_concrete():
    m = metrics(duration_s=155.0, over_target_s=35.0, under_target_s=0.0, target_s=[60.0, 120.0], ramble_score=30.0)
    fb = feedback(m, compare(m, []))
    assert "Cut about 35 s: you ran 2:35 against a 2:00 maximum; lead with your main point and drop the detours." in (
        fb.work_on
    )


def test_under_target_line():
    m = metrics(duration_s=40.0, over_target_s=0.0, under_target_s=20.0, target_s=[60.0, 120.0])
    fb = feedback(m, compare(m, []))
    assert fb.work_on[0].startswith("Add about 20 s: you ran 40 s against a 1:00 minimum")


def test_filler_line_says_how_it_compares_with_history():
    history = [metrics(fillers_per_min=v) for v in (1.8, 2.1, 2.4)]
    m = metrics(
        filled_pause_count=12,
        filler_count=0,
        fillers={"um": 8, "uh": 4},
        fillers_per_min=4.8,
        fillers_per_100_words=6.5,
    )
    fb = feedback(m, compare(m, history))
    assert (
        "12 filled pauses ('um' ×8, 'uh' ×4), 4.8 per minute, up from 2.1 in your earlier attempts: pause silently instead."
        in fb.work_on
    )


def test_missing_talking_points_line_in_question_order():
    m = metrics(talking_points={"covered": ["a"], "missing": ["what I changed afterwards", "what went wrong"]})
    fb = feedback(m, compare(m, []), talking_points=POINTS)
    assert "You didn't mention: what went wrong; what I changed afterwards." in fb.work_on


def test_work_on_is_ordered_by_impact_and_capped_at_three():
    current = attempt(20, 4, 4)
    fb = feedback(current, compare(current, [attempt(2)]))
    assert len(fb.work_on) == 3
    assert "fillers" in fb.work_on[0] or "filled pauses" in fb.work_on[0]
    assert fb.to_json()[-1] == f"Went well: {fb.went_well}"
    assert len(fb.to_json()) == 4


def test_clean_first_attempt_praises_something_true():
    current = attempt(0)
    fb = feedback(current, compare(current, []))
    assert fb.work_on == ()
    assert fb.went_well == "Right length: 32 s, between the 30 s minimum and the 1:00 maximum."


def test_went_well_prefers_an_improvement_over_history():
    history = [metrics(fillers_per_min=v, filled_pause_count=6) for v in (4.0, 5.0, 6.0)]
    m = metrics(fillers_per_min=1.0, filled_pause_count=1)
    fb = feedback(m, compare(m, history))
    assert fb.went_well.startswith("New personal best on this question for fillers per minute: 1.0 (previous best 4.0)")


def test_went_well_is_honest_when_nothing_went_well():
    m = metrics(
        duration_s=200.0,
        over_target_s=80.0,
        under_target_s=0.0,
        target_s=[60.0, 120.0],
        wpm=200.0,
        filled_pause_count=30,
        fillers={"um": 30},
        fillers_per_min=9.0,
        fillers_per_100_words=12.0,
        restarts=12,
        restart_examples=["I I"],
        words=300,
        hedges=2,
        hedge_examples=["maybe"],
        talking_points={"covered": [], "missing": ["a", "b"]},
        long_pauses=[{"at_s": 10.0 * i, "length_s": 3.0} for i in range(10)],
        repeated_phrases=[{"phrase": "payment service", "count": 6}],
    )
    fb = feedback(m, compare(m, []))
    assert len(fb.work_on) == 3
    assert fb.went_well == "Your strongest point: only 2 hedges in 300 words."
    m = dataclasses.replace(m, hedges=4)
    assert feedback(m, compare(m, [])).went_well == "Relatively best this time: only 4 hedges in 300 words."
    # Nothing is good news: the practice is praised, never a bad figure.
    m = dataclasses.replace(m, hedges=20)
    assert feedback(m, compare(m, [])).went_well.startswith("You recorded a full attempt")


# --------------------------------------------------------------------------------------------
# Robustness (speed: scripts/bench_scoring.py)


_value = st.one_of(
    st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 500), st.text(max_size=3), st.booleans()
)
_metric_dict = st.fixed_dictionaries(
    {},
    optional={
        "ramble_score": _value,
        "over_target_s": _value,
        "under_target_s": _value,
        "duration_s": _value,
        "fillers_per_min": _value,
        "fillers_per_100_words": _value,
        "words": st.integers(0, 500),
        "restarts": st.integers(0, 50),
        "wpm": _value,
        "long_pauses": st.none()
        | st.lists(st.fixed_dictionaries({"at_s": st.floats(0, 300), "length_s": st.floats(2, 9)}), max_size=4),
        "talking_points": st.fixed_dictionaries(
            {
                "covered": st.lists(st.sampled_from("abc"), max_size=3),
                "missing": st.lists(st.sampled_from("def"), max_size=3),
            }
        ),
    },
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(_metric_dict, st.lists(_metric_dict, max_size=8), st.lists(_metric_dict, max_size=4))
def test_compare_and_feedback_never_fail_on_odd_records(current, history, fallback):
    # Odd stored records reach scoring through the store's one conversion, Metrics.from_dict.
    current = metrics(**current)
    history = [Metrics.from_dict(h) for h in history]
    fallback = [Metrics.from_dict(f) for f in fallback]
    c = compare(current, history, fallback=fallback)
    assert isinstance(c, Comparison)
    assert c.scope == ("this question" if history else "all questions" if fallback else "none")
    fb = feedback(current, c)
    assert len(fb.work_on) <= 3
    assert fb.went_well
    assert sum(1 for line in fb.to_json() if line.startswith("Went well: ")) == 1


def test_typed_answer_ramble_is_compared_only_with_typed_answers():
    """A typed answer's ramble score has no timing parts: comparing it with spoken answers'
    medians called a typed answer 'better' for leaving out length, pauses and pace."""
    spoken = [metrics(ramble_score=v) for v in (60.0, 62.0, 64.0)]
    typed = dataclasses.replace(
        metrics(ramble_score=20.0),
        duration_s=None,
        wpm=None,
        fillers_per_min=None,
        long_pauses=None,
        over_target_s=None,
        under_target_s=None,
    )
    assert not typed.timed
    result = compare(typed, spoken)
    assert "ramble_score" not in result.change and "ramble_score" not in result.median
    assert "ramble_score" not in result.personal_best
    # figures a typed answer has are still compared (fillers per 100 words)
    assert "fillers_per_100_words" in result.change
    # with typed answers before it, its ramble score is compared with theirs
    earlier_typed = [dataclasses.replace(typed, ramble_score=v) for v in (40.0, 42.0)]
    assert compare(typed, [*spoken, *earlier_typed]).median["ramble_score"] == 41.0
    # and a spoken answer is not compared with typed ones
    assert compare(spoken[0], [*spoken[1:], *earlier_typed]).median["ramble_score"] == 63.0
