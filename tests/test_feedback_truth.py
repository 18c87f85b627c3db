"""Every feedback sentence is true of the figures the report shows.

A property test over random (but internally consistent) metrics and histories: each line the
feedback can say is matched to the figures it states, and those figures are checked against the
metrics. A line no rule here knows fails the test, so a new kind of sentence must come with its check.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redrill.numbers import length_text
from redrill.scoring import Metrics, Pause, RepeatedPhrase, ScoringSettings
from redrill.scoring.advice import EXPLAIN, INTRO, SHORT, STORY
from redrill.scoring.comparison import KEY_METRICS, SCOPE_QUESTION, compare
from redrill.scoring.feedback import feedback
from redrill.scoring.metrics import Coverage
from redrill.scoring.ramble import ramble_score

TARGETS = [(30.0, 60.0), (30.0, 75.0), (45.0, 90.0), (60.0, 120.0), (90.0, 150.0)]
PACE_BANDS = [(130.0, 160.0), (110.0, 170.0), (140.0, 150.0)]


@st.composite
def metrics_strategy(draw, cfg: ScoringSettings | None = None) -> Metrics:
    cfg = cfg or ScoringSettings()
    timed = draw(st.booleans())
    lo, hi = draw(st.sampled_from(TARGETS))
    words = draw(st.integers(1, 500))
    filled = draw(st.integers(0, 40))
    discourse = draw(st.integers(0, 20))
    fillers = []
    if filled:
        um = draw(st.integers(0, filled))
        fillers += [(k, v) for k, v in (("um", um), ("uh", filled - um)) if v]
    if discourse:
        fillers.append(("you know", discourse))
    spoken = words + filled + discourse
    restarts = draw(st.integers(0, 25))
    hedges = draw(st.integers(0, 25))
    repeated = tuple(
        RepeatedPhrase(p, draw(st.integers(2, 6)))
        for p in draw(
            st.lists(st.sampled_from(["payment service", "at the end of the day", "the team"]), max_size=2, unique=True)
        )
    )
    n_points = draw(st.integers(0, 5))
    points = [f"point {i}" for i in range(n_points)]
    k = draw(st.integers(0, n_points))
    coverage = Coverage(tuple(points[:k]), tuple(points[k:]))
    values = dict(
        words=words,
        filled_pause_count=filled,
        filler_count=discourse,
        fillers=tuple(fillers),
        fillers_per_100_words=round(100.0 * (filled + discourse) / spoken, 2),
        restarts=restarts,
        restart_examples=("I I",) if restarts else (),
        hedges=hedges,
        hedge_examples=("maybe",) if hedges else (),
        repeated_phrases=repeated,
        target_s=(lo, hi),
        talking_points=coverage,
    )
    if timed:
        duration = draw(st.floats(5.0, 400.0, allow_nan=False).map(lambda v: round(v, 3)))
        n_pauses = draw(st.integers(0, 10))
        pauses = tuple(
            Pause(round(draw(st.floats(0.0, duration)), 3), round(draw(st.floats(cfg.long_pause_s, 9.0)), 3))
            for _ in range(n_pauses)
        )
        values.update(
            duration_s=duration,
            speech_s=duration,
            wpm=round(words / (duration / 60.0), 1),
            fillers_per_min=round((filled + discourse) / (duration / 60.0), 2),
            long_pauses=pauses,
            long_pause_total_s=round(sum(p.length_s for p in pauses), 3),
            over_target_s=round(max(0.0, duration - hi), 3),
            under_target_s=round(max(0.0, lo - duration), 3),
        )
    m = Metrics(**values)
    return Metrics(**{**values, "ramble_score": ramble_score(m, cfg)})


def _n(text: str) -> int:
    return int(text)


def check_line(line: str, m: Metrics, comparison, cfg: ScoringSettings, *, went_well: bool) -> str:
    """Assert that ``line`` is true of ``m``; return the area it is about."""
    assert m.target_s is not None, "every answer here is scored against a target length"
    lo, hi = m.target_s
    duration = m.duration_s
    pace_lo, pace_hi = cfg.pace_wpm
    fillers = m.fillers_total
    if match := re.fullmatch(r"Cut about (\d+) s: you ran (\S+) against a (\S+) maximum; .+\.", line):
        assert duration is not None and duration > hi, line
        assert match[2] == length_text(duration) and match[3] == length_text(hi), line
        assert abs(int(match[1]) - (duration - hi)) <= 2.5, line
        return "length"
    if match := re.fullmatch(r"Add about (\d+) s: you ran (.+) against a (.+) minimum; .+\.", line):
        assert duration is not None and duration < lo, line
        assert match[2] == length_text(duration) and match[3] == length_text(lo), line
        assert abs(int(match[1]) - (lo - duration)) <= 2.5, line
        return "length"
    if match := re.fullmatch(r"Right length: (.+), between the (.+) minimum and the (.+) maximum\.", line):
        assert m.within_target is True, line
        assert match[1] == length_text(duration) and match[2] == length_text(lo) and match[3] == length_text(hi)
        return "length"
    if match := re.search(r"you stayed within the (.+) maximum \((.+)\)\.$", line):
        assert duration is not None and duration <= hi, line
        assert match[1] == length_text(hi) and match[2] == length_text(duration), line
        return "length"
    if match := re.match(r"(\d+) (filled pause|filler word|filler)(s?) \(.*\), ([\d.]+) per (minute|100 words)", line):
        assert _n(match[1]) == fillers and fillers > 0, line
        assert (match[3] == "") == (fillers == 1), line  # "1 filled pause", "2 filled pauses"
        rate = m.fillers_per_min if match[5] == "minute" else m.fillers_per_100_words
        assert match[4] == f"{rate:.1f}", line
        if match[2] == "filled pause":
            assert m.filler_count == 0
        if match[2] == "filler word":
            assert m.filled_pause_count == 0
        if went_well:
            raise AssertionError(line)
        return "fillers"
    if line.endswith("no fillers at all."):
        assert fillers == 0, line
        return "fillers"
    if match := re.search(r"only (\d+) fillers? in (\d+) words\.$", line):
        assert _n(match[1]) == fillers and _n(match[2]) == m.words + fillers, line
        assert fillers * 100 / (m.words + fillers) <= 5.0 + 1e-6, line  # "only": a share coaches call fine
        return "fillers"
    if match := re.fullmatch(r"You didn't mention: (.+)\.", line):
        assert set(match[1].split("; ")) == set(m.talking_points.missing), line
        return "points"
    if match := re.search(r"you made (\d+) of (\d+) talking points\.$", line):
        assert _n(match[1]) == len(m.talking_points.covered) > 0 and _n(match[2]) == m.talking_points.total, line
        assert 2 * _n(match[1]) >= _n(match[2]), line
        return "points"
    if line == "You made the talking point.":
        assert len(m.talking_points.covered) == 1 and not m.talking_points.missing
        return "points"
    if match := re.fullmatch(r"You covered all (\d+) talking points\.", line):
        assert _n(match[1]) == len(m.talking_points.covered) and not m.talking_points.missing
        return "points"
    if match := re.match(r"(\d+) long silences? of ([\d.]+) s or more \(longest ([\d.]+) s at (.+?)\)", line):
        pauses = m.long_pauses or ()
        assert _n(match[1]) == len(pauses) > 0, line
        assert float(match[2]) == cfg.long_pause_s and all(p.length_s >= cfg.long_pause_s for p in pauses), line
        longest = max(pauses, key=lambda p: p.length_s)
        assert match[3] == f"{longest.length_s:.1f}" and match[4] == length_text(longest.at_s), line
        return "pauses"
    if line.endswith("no long silences."):
        assert m.long_pause_count == 0, line
        return "pauses"
    if match := re.search(r"only (\d+) long silences?\.$", line):
        assert _n(match[1]) == m.long_pause_count, line
        return "pauses"
    if match := re.match(r"(\d+) restarts?( \(e\.g\. .*\))?: finish", line):
        assert _n(match[1]) == m.restarts > 0, line
        return "restarts"
    if line.endswith("no restarts: your sentences ran through."):
        assert m.restarts == 0, line
        return "restarts"
    if match := re.search(r"only (\d+) restarts? in (\d+) words\.$", line):
        assert _n(match[1]) == m.restarts and _n(match[2]) == m.words, line
        return "restarts"
    if match := re.match(r'You kept coming back to "(.+)" \((\d+)×\)', line):
        top = m.repeated_phrases[0]
        assert match[1] == top.phrase and _n(match[2]) == top.count, line
        return "repetition"
    if line.endswith("you didn't keep repeating yourself."):
        assert not m.repeated_phrases, line
        return "repetition"
    if match := re.match(r"(\d+) hedges? \(", line):
        assert _n(match[1]) == m.hedges > 0, line
        return "hedges"
    if line.endswith("no hedging: you said what you did."):
        assert m.hedges == 0, line
        return "hedges"
    if match := re.search(r"only (\d+) hedges? in (\d+) words\.$", line):
        assert _n(match[1]) == m.hedges and _n(match[2]) == m.words, line
        return "hedges"
    if match := re.match(r"Pace (\d+) wpm, (above|below) the ([\d.]+)-([\d.]+) band", line):
        assert m.wpm is not None and match[1] == f"{m.wpm:.0f}", line
        assert (m.wpm > pace_hi) if match[2] == "above" else (m.wpm < pace_lo), line
        return "pace"
    if match := re.search(r"pace (\d+) wpm, inside the ([\d.]+)-([\d.]+) band\.$", line):
        assert m.wpm is not None and pace_lo <= m.wpm <= pace_hi and match[1] == f"{m.wpm:.0f}", line
        return "pace"
    labels = {k.label: k for k in KEY_METRICS}
    if match := re.fullmatch(
        r"New personal best (on this question|across all your answers) for (.+): (.+) \(previous best (.+)\)\.", line
    ):
        key = labels[match[2]]
        assert (match[1] == "on this question") == (comparison.scope == SCOPE_QUESTION)
        assert key.name in comparison.personal_best, line
        return key.name
    if match := re.fullmatch(
        r"Better (.+) than your usual (on this question|across all your answers): (.+) against a median of (.+)\.", line
    ):
        key = labels[match[1]]
        assert comparison.change[key.name].vs_median == "better", line
        return key.name
    if match := re.fullmatch(r"You put in attempt (\d+)( at this question)?: .+", line):
        assert comparison.attempts_before + 1 == int(match[1])
        return "practice"
    if line.startswith("You recorded a full attempt"):
        assert comparison.attempts_before == 0
        return "practice"
    raise AssertionError(f"a feedback line no check knows (add its check to this test): {line!r}")


_AREA_OF_METRIC = {
    "ramble_score": "overall",
    "distance_from_target_s": "length",
    "fillers_per_min": "fillers",
    "fillers_per_100_words": "fillers",
    "talking_points_covered": "points",
    "restarts_per_100_words": "restarts",
    "long_pauses_per_min": "pauses",
    "wpm_off_band": "pace",
}


@settings(max_examples=400, deadline=None)
@given(
    data=st.data(),
    pace=st.sampled_from(PACE_BANDS),
    long_pause=st.sampled_from([1.5, 2.0, 3.0]),
    kind=st.sampled_from([STORY, INTRO, SHORT, EXPLAIN]),
)
@pytest.mark.slow
def test_no_feedback_line_contradicts_a_figure(data, pace, long_pause, kind):
    cfg = ScoringSettings(pace_wpm=pace, long_pause_s=long_pause)
    m = data.draw(metrics_strategy(cfg))
    history = data.draw(st.lists(metrics_strategy(cfg), max_size=4))
    others = data.draw(st.lists(metrics_strategy(cfg), max_size=2))
    comparison = compare(m, history, fallback=history + others, pace_wpm=pace)
    fb = feedback(
        m, comparison, talking_points=[*m.talking_points.covered, *m.talking_points.missing], settings=cfg, kind=kind
    )
    assert len(fb.work_on) <= 3
    busy = {check_line(line, m, comparison, cfg, went_well=False) for line in fb.work_on}
    praised = check_line(
        fb.went_well.split(": ", 1)[1]
        if fb.went_well.startswith(("Your strongest", "Relatively best"))
        else fb.went_well,
        m,
        comparison,
        cfg,
        went_well=True,
    )
    # A went-well line never praises what the work-on list asks to fix.
    assert _AREA_OF_METRIC.get(praised, praised) not in busy, (fb.went_well, fb.work_on)


def test_over_the_maximum_is_never_praised_as_within_it():
    """The case a user caught: 2:18 against a 2:00 maximum, with the length line not among the
    three shown, was praised as "you stayed within the maximum length"."""
    cfg = ScoringSettings()
    base = Metrics(
        duration_s=138.0,
        words=460,
        wpm=200.0,
        filled_pause_count=20,
        fillers=(("um", 20),),
        fillers_per_min=8.7,
        fillers_per_100_words=5.7,
        long_pauses=tuple(Pause(10.0 * i, 4.0) for i in range(8)),
        restarts=20,
        restart_examples=("I I",),
        hedges=20,
        hedge_examples=("maybe",),
        repeated_phrases=(RepeatedPhrase("payment service", 8),),
        target_s=(60.0, 120.0),
        over_target_s=18.0,
        under_target_s=0.0,
        talking_points=Coverage((), ("a", "b")),
    )
    m = Metrics(**{**base.__dict__, "ramble_score": ramble_score(base, cfg)})
    fb = feedback(m, compare(m, []), settings=cfg)
    assert not any(line.startswith("Cut about") for line in fb.work_on)  # not among the three shown
    assert "within the" not in fb.went_well and "Right length" not in fb.went_well, fb.went_well


def test_length_advice_fits_the_kind_of_question():
    m = Metrics(duration_s=160.0, words=300, wpm=112.5, target_s=(60.0, 120.0), over_target_s=40.0, under_target_s=0.0)
    lines = {kind: feedback(m, compare(m, []), kind=kind).work_on[0] for kind in (STORY, INTRO, SHORT, EXPLAIN)}
    assert len(set(lines.values())) == 4
    assert "what you did and the result" in lines[STORY]
    assert "why this role" in lines[INTRO]
    assert "two or three sentences" in lines[SHORT]
    short = Metrics(
        duration_s=20.0, words=50, wpm=150.0, target_s=(60.0, 120.0), over_target_s=0.0, under_target_s=40.0
    )
    assert "how it turned out" in feedback(short, compare(short, []), kind=STORY).work_on[0]
    assert "a result you are proud of" in feedback(short, compare(short, []), kind=INTRO).work_on[0]


def test_kind_of_question_from_tags_and_target():
    from redrill.banks import load_catalog
    from redrill.scoring.advice import answer_kind

    catalog = load_catalog()
    kind = {qid: answer_kind(q.tags, q.target_seconds, qid) for qid, q in catalog.questions.items()}
    assert kind["tell-me-about-yourself"] == INTRO
    assert kind["failure-story"] == STORY
    assert kind["questions-for-us"] == SHORT
    assert kind["technical-debt"] == EXPLAIN


def test_one_length_formatter_never_writes_60_seconds():
    """119.5 s printed as 1:60 and 1799.6 s as 29:60 (terminal and HTML)."""
    from redrill.cli.app import fmt_seconds

    cases = {119.5: "2:00", 1799.6: "30:00", 59.6: "1:00", 59.4: "59 s", 95.4: "1:35", 3725.0: "1:02:05", 0.4: "0 s"}
    for seconds, text in cases.items():
        assert length_text(seconds) == fmt_seconds(seconds) == text, seconds
    assert length_text(None) == "-" and length_text(float("nan")) == "-"
    assert length_text(45.0, clock=True) == "0:45" and length_text(-75.0) == "-1:15"
    for tenths in range(0, 40000, 7):
        assert not re.search(r":6\d", length_text(tenths / 10)), tenths
