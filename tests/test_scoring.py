"""Scoring one answer: exact counts on hand-written transcripts, plus property tests."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redrill.errors import NoSpeechError
from redrill.scoring import JSON_KEYS, Metrics, ScoringSettings, ramble_components, ramble_score, score, stem
from redrill.transcript import Transcript, Word, from_text, parse_whisper_json


def timed(*words: tuple[str, float, float], **kw) -> Transcript:
    """A timed transcript from (text, start, end) triples."""
    return Transcript(words=tuple(Word(t, s, e) for t, s, e in words), timed=True, **kw)


def whisper(*segments: list[tuple[str, float, float]]) -> Transcript:
    """Parse openai-whisper style JSON (segments with word timestamps, leading spaces)."""
    data = {
        "text": "",
        "segments": [
            {
                "id": i,
                "start": seg[0][1],
                "end": seg[-1][2],
                "text": "".join(f" {w}" for w, _, _ in seg),
                "words": [{"word": f" {w}", "start": s, "end": e, "probability": 0.9} for w, s, e in seg],
            }
            for i, seg in enumerate(segments)
        ],
        "language": "en",
    }
    return parse_whisper_json(data)


def speak(text: str, *, wpm: float = 140.0, start: float = 0.0, pauses: dict[int, float] | None = None) -> Transcript:
    """Timed transcript of ``text``: each token takes 60/wpm s (80 % voiced); extra silence after token i."""
    pauses = pauses or {}
    step = 60.0 / wpm
    words, t = [], start
    for i, token in enumerate(text.split()):
        words.append(Word(token, round(t, 3), round(t + 0.8 * step, 3)))
        t += step + pauses.get(i, 0.0)
    return Transcript(words=tuple(words), timed=True)


def text_metrics(text: str, **kw) -> dict:
    return score(from_text(text), **kw).to_dict()


# --------------------------------------------------------------------------------------------
# Fillers


def test_filled_pauses_any_case_punctuation_and_elongation():
    m = text_metrics("UM… Um, uh- ummm hmm, HM, er, erm, ah, mm, uhh, uhm it works")
    assert m["filled_pause_count"] == 12
    assert m["fillers"] == {"um": 4, "hmm": 2, "uh": 2, "ah": 1, "er": 1, "erm": 1, "mm": 1}
    assert m["filler_count"] == 0
    assert m["words"] == 2  # "it works"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("You know, it broke. It was, you know, bad, you know.", {"you know": 3}),
        ("I mean, it was fine.", {"i mean": 1}),
        ("It was sort of done and kind of slow.", {"sort of": 1, "kind of": 1}),
        ("It was kinda slow and sorta done.", {"kind of": 1, "sort of": 1}),
        ("Basically we actually literally shipped.", {"basically": 1, "actually": 1, "literally": 1}),
        ("So, like, we shipped it.", {"like": 1}),
        ("It was like, really late.", {"like": 1}),
        ("I was like no way.", {"like": 1}),
        ("We had like 20 servers.", {"like": 1}),
        ("Um like we tried.", {"um": 1, "like": 1}),
    ],
)
def test_discourse_fillers(text, expected):
    m = text_metrics(text)
    assert m["fillers"] == expected
    filled = sum(v for k, v in expected.items() if k == "um")
    assert m["filler_count"] == sum(expected.values()) - filled


@pytest.mark.parametrize(
    "text",
    [
        "I like Python.",
        "I would like to learn Go.",
        "She likes it and liked it.",
        "He ran like a cheetah.",
        "It looks like rain.",
        "Something like that.",
        "It felt like forever.",
        "Just like before.",
        "Like I said, it worked.",
        "Like most teams, we shipped late.",
        "That's what it's like.",
        "It was like a maze.",
    ],
)
def test_like_as_verb_or_comparison_is_not_a_filler(text):
    m = text_metrics(text)
    assert m["filler_count"] == 0, m["fillers"]


@pytest.mark.parametrize(
    "text",
    [
        "What kind of tests did you write?",
        "It was a kind of cache.",
        "This sort of thing happens.",
        "The same kind of bug came back.",
        "Do you know the answer?",
        "You know how it is.",
        "If you know Kafka, it is easy.",
        "What I mean is simple.",
        "I mean it.",
    ],
)
def test_literal_uses_are_not_fillers(text):
    assert text_metrics(text)["filler_count"] == 0


def test_words_exclude_fillers():
    m = text_metrics("Um, so, you know, we basically rolled it back.")
    # so we rolled it back = 5 words; um (filled), you know, basically (discourse)
    assert m["words"] == 5
    assert m["filled_pause_count"] == 1
    assert m["filler_count"] == 2
    assert m["fillers_per_100_words"] == pytest.approx(100 * 3 / 9, abs=0.01)  # 3 fillers in 9 spoken tokens


def test_i_mean_mid_clause_is_a_self_correction_not_a_filler():
    m = text_metrics("We used Postgres, I mean MySQL, for the queue.")
    assert m["filler_count"] == 0
    assert m["restarts"] == 1
    assert m["restart_examples"] == ["Postgres, I mean MySQL,"]


# --------------------------------------------------------------------------------------------
# Restarts, hedges, repetition


def test_restarts_repeats_stutters_and_cut_offs():
    m = text_metrics(
        "I I went to the the store and we-we bought w-water. I also, I also paid. "
        "We went to, we went to the park. The deploy wh- what broke?"
    )
    assert m["restarts"] == 7
    assert m["restart_examples"] == ["I I", "the the", "we-we", "w-water.", "I also, I also"]  # first five


def test_restart_across_a_filled_pause_and_runs_count_once():
    m = text_metrics("I, um, I think the the the cache failed.")
    assert m["restarts"] == 2
    assert m["restart_examples"] == ["I, um, I", "the the the"]


def test_legit_doubles_are_not_restarts():
    m = text_metrics("He said that that was right. She had had enough. It was very very slow. We went. We went home.")
    assert m["restarts"] == 0


def test_self_corrections():
    m = text_metrics(
        "We shipped on Tuesday, sorry, Wednesday. It was the cache, no wait, the database. "
        "It was fast, or rather fast enough. I'm sorry to say it."
    )
    assert m["restarts"] == 3
    assert m["restart_examples"] == ["Tuesday, sorry, Wednesday.", "cache, no wait, the", "fast, or rather fast"]


def test_hedges():
    m = text_metrics("I guess it was probably fine, maybe. I think so. I'm not sure. Perhaps. I suppose, kind of.")
    assert m["hedges"] == 7
    assert m["hedge_examples"] == ["i guess", "probably", "maybe", "i think", "i'm not sure", "perhaps", "i suppose"]
    assert m["fillers"] == {"kind of": 1}  # a filler, not also a hedge


def test_stock_phrases_count_when_said_twice():
    m = text_metrics("At the end of the day we fixed it. It was hard. At the end of the day it worked.")
    assert m["repeated_phrases"] == [{"phrase": "at the end of the day", "count": 2}]


def test_repetition_reports_the_maximal_phrase_only():
    m = text_metrics(
        "We need to fix the build pipeline. Then we need to fix the build pipeline again. And we need to fix the build pipeline."
    )
    assert m["repeated_phrases"] == [{"phrase": "we need to fix the build pipeline", "count": 3}]


def test_bigram_thresholds_and_stopword_only_phrases():
    twice = text_metrics("The payment service broke. Later the payment service recovered.")
    assert twice["repeated_phrases"] == []
    thrice = text_metrics("The payment service broke. The payment service paged me. We moved the payment service.")
    assert thrice["repeated_phrases"] == [{"phrase": "the payment service", "count": 3}]
    stop = text_metrics("And then it was. And then it was. And then it was.")
    assert stop["repeated_phrases"] == []


def test_question_and_talking_point_words_are_not_repetition():
    text = "Technical debt was high. We paid the technical debt. Technical debt hurt us."
    assert text_metrics(text)["repeated_phrases"] == [{"phrase": "technical debt", "count": 3}]
    assert text_metrics(text, question_text="How do you handle technical debt?")["repeated_phrases"] == []
    assert text_metrics(text, talking_points=["how we paid down technical debt"])["repeated_phrases"] == []


# --------------------------------------------------------------------------------------------
# Talking points


def test_talking_points_tolerate_case_punctuation_and_word_forms():
    m = text_metrics(
        "The FAILING tests were ignored... so I Rolled Back the release. Later our team wrote a post-mortem.",
        talking_points=["failed tests", "roll back the release", "what I changed afterwards", "write the postmortem"],
    )
    assert m["talking_points"] == {
        "covered": ["failed tests", "roll back the release", "write the postmortem"],
        "missing": ["what I changed afterwards"],
    }


def test_talking_point_needs_most_of_its_content_words():
    points = ["what went wrong and my part in it"]  # content stems: go, wrong, part -> 2 of 3 needed
    assert text_metrics("Everything went wrong.", talking_points=points)["talking_points"]["covered"] == points
    assert text_metrics("It went fine.", talking_points=points)["talking_points"]["missing"] == points


def test_stemmer():
    assert {stem(w) for w in ("failed", "failing", "fails", "fail")} == {"fail"}
    assert stem("tests") == stem("test")
    assert stem("rolled") == stem("roll")
    assert stem("tried") == stem("try") == stem("tries")
    assert stem("made") == stem("making") == stem("make")
    assert stem("changes") == stem("changed") == stem("change")


# --------------------------------------------------------------------------------------------
# Timing


def test_long_pauses_exact_from_whisper_json():
    t = whisper(
        [("So", 0.5, 0.8), ("um,", 0.9, 1.2), ("we", 3.5, 3.7), ("rolled", 3.8, 4.1), ("back.", 4.1, 4.5)],
        [("Then", 6.5, 6.8), ("I", 6.9, 7.0), ("fixed", 7.0, 7.4), ("it.", 7.4, 7.6)],
    )
    m = score(t, target_seconds=(10, 20)).to_dict()
    assert m["long_pauses"] == [{"at_s": 1.2, "length_s": 2.3}, {"at_s": 4.5, "length_s": 2.0}]
    assert m["long_pause_total_s"] == pytest.approx(4.3)
    assert m["duration_s"] == pytest.approx(7.1)
    assert m["under_target_s"] == pytest.approx(2.9)
    assert m["over_target_s"] == 0.0
    assert m["words"] == 8
    assert m["wpm"] == pytest.approx(8 / 7.1 * 60, abs=0.05)
    assert m["fillers_per_min"] == pytest.approx(1 / 7.1 * 60, abs=0.01)
    # word spans joined across gaps under 0.3 s: 0.5-1.2, 3.5-4.5, 6.5-7.6
    assert m["speech_s"] == pytest.approx(0.7 + 1.0 + 1.1)
    assert m["audio_s"] is None


def test_long_pause_threshold_is_a_setting():
    t = timed(("a", 0.0, 0.5), ("b", 2.0, 2.5), ("c", 5.0, 5.5))
    assert [p["length_s"] for p in score(t).to_dict()["long_pauses"]] == [2.5]
    loose = score(t, settings=ScoringSettings(long_pause_s=1.5)).to_dict()
    assert [p["length_s"] for p in loose["long_pauses"]] == [1.5, 2.5]


def test_vad_silences_count_once_and_catch_what_word_timings_miss():
    words = (
        ("So", 0.5, 0.8),
        ("um,", 0.9, 1.2),
        ("we", 3.5, 3.7),
        ("rolled", 3.8, 4.1),
        ("back.", 4.1, 6.0),
        ("Then", 6.1, 6.4),
        ("done.", 6.5, 7.0),
    )
    # VAD: the speaker stopped at 4.0 and resumed at 6.1 (Whisper stretched "back." over the silence).
    t = timed(*words, audio_seconds=8.0, speech=((0.4, 1.3), (3.4, 4.0), (6.1, 7.1)))
    m = score(t).to_dict()
    assert m["long_pauses"] == [
        {"at_s": 1.3, "length_s": 2.1},  # word gap 1.2-3.5 and VAD gap 1.3-3.4: one silence, timed by the audio (VAD)
        {"at_s": 4.0, "length_s": 2.1},  # only VAD sees this one
    ]
    assert m["long_pause_total_s"] == pytest.approx(4.2)
    assert m["audio_s"] == 8.0
    # speech from VAD, clipped to the answer (0.5-7.0): 0.8 + 0.6 + 0.9
    assert m["speech_s"] == pytest.approx(2.3)


def test_a_word_gap_where_the_audio_has_speech_is_not_a_pause():
    """The recognizer dropped "umm, a vendor" (3.6-4.6 s): the words have a 2.1 s gap, but the
    voice-activity detector hears speech in most of it, so no pause is reported; the same gap with
    silent audio is one."""
    words = (("because", 1.8, 2.4), ("of", 2.4, 3.0), ("all.", 3.0, 3.6), ("I'm", 5.7, 6.5), ("done.", 6.6, 7.0))
    dropped = timed(*words, audio_seconds=8.0, speech=((0.5, 4.6), (5.5, 7.1)))
    assert score(dropped).to_dict()["long_pauses"] == []
    silent = timed(*words, audio_seconds=8.0, speech=((0.5, 3.7), (5.6, 7.1)))
    assert [p["at_s"] for p in score(silent).to_dict()["long_pauses"]] == [3.6]


def test_duration_and_target_exact():
    t = timed(("First", 1.0, 1.4), ("last.", 150.0, 156.0))
    m = score(t, target_seconds=(60, 120)).to_dict()
    assert m["duration_s"] == 155.0
    assert m["over_target_s"] == 35.0
    assert m["under_target_s"] == 0.0
    assert m["target_s"] == [60.0, 120.0]
    short = score(timed(("Hi", 0.0, 0.5), ("there.", 40.0, 45.0)), target_seconds=(60, 120)).to_dict()
    assert short["under_target_s"] == 15.0 and short["over_target_s"] == 0.0


def test_untimed_text_has_no_timing_metrics():
    m = score(from_text("Um, we rolled back the release, you know, and it worked."), target_seconds=(60, 120)).to_dict()
    for key in (
        "duration_s",
        "audio_s",
        "speech_s",
        "wpm",
        "fillers_per_min",
        "long_pauses",
        "long_pause_total_s",
        "over_target_s",
        "under_target_s",
    ):
        assert m[key] is None, key
    assert m["fillers_per_100_words"] is not None
    assert m["target_s"] == [60.0, 120.0]
    parts = ramble_components(Metrics.from_dict(m))
    assert parts["over_target"] is None and parts["long_pauses"] is None and parts["pace"] is None
    assert 0.0 <= m["ramble_score"] <= 100.0


def test_untimed_ramble_score_is_renormalised_over_text_components():
    m = score(
        from_text("Um uh um, like, we, you know, kind of did it, I guess."), talking_points=["rolled back"]
    ).to_dict()
    parts = ramble_components(Metrics.from_dict(m))
    w = ScoringSettings().weights
    used = {
        "fillers": w.fillers,
        "restarts": w.restarts,
        "repetition": w.repetition,
        "hedges": w.hedges,
        "missing_points": w.missing_points,
    }
    weighted = 0.0
    for name, wt in used.items():
        part = parts[name]
        assert part is not None, name  # every text component is measured without timings
        weighted += wt * part
    expected = 100 * weighted / sum(used.values())
    assert m["ramble_score"] == pytest.approx(expected, abs=0.05)


def test_no_words_raises():
    with pytest.raises(NoSpeechError):
        score(from_text("  ... — "))


# --------------------------------------------------------------------------------------------
# Ramble score and the JSON form

POINTS = ["what went wrong", "rolled back the release", "what I changed afterwards"]
CONCISE = (
    "Last spring our payment release failed in production. I was the release owner, so the fix was mine. "
    "I rolled back the release within ten minutes and told support what customers would see. "
    "What went wrong was a migration we had never tested against real data volumes. "
    "Afterwards I changed our pipeline: every migration now runs against a copy of production first, "
    "and every release needs a rollback plan. We have shipped forty releases since without an incident."
)
RAMBLING = (
    "So, um, basically, last spring, you know, we had this, um, this release, the the payment release, and it "
    "kind of failed. I think it was, uh, I think it was the migration, maybe, probably the migration. At the end "
    "of the day it, um, it was my release. So, like, I was like, okay, we need to do something, you know, we need "
    "to do something fast. Um, and, uh, I guess we, we sort of tried to fix forward first, which, honestly, "
    "uh, took a while, like, a long while, and then, um, at the end of the day, we, uh, we, you know, went back. "
    "And, um, basically the, the team was kind of stressed, and I was kind of stressed, and it was, uh, it was "
    "literally a mess, you know, a real mess. And then, um, I think, I think we talked about it, maybe, and, uh, "
    "yeah. So that's basically, um, that's basically what happened, I guess, at the end of the day."
)


def test_rambling_answer_scores_clearly_worse_than_concise():
    concise = score(speak(CONCISE, wpm=145), target_seconds=(30, 60), talking_points=POINTS)
    rambling = score(
        speak(RAMBLING, wpm=150, pauses={12: 2.5, 40: 3.0, 90: 2.2}),
        target_seconds=(30, 60),
        talking_points=POINTS,
    )
    assert concise.over_target_s == 0.0 and concise.under_target_s == 0.0
    assert concise.talking_points.missing == ()
    assert rambling.over_target_s is not None and rambling.over_target_s > 10
    assert rambling.long_pauses is not None and len(rambling.long_pauses) == 3
    assert rambling.ramble_score >= concise.ramble_score + 20
    assert concise.ramble_score < 15


def test_json_has_exactly_the_documented_keys_and_round_trips():
    m = score(speak(RAMBLING, pauses={5: 2.5}), talking_points=POINTS, question_text="Tell me about a failure.")
    data = m.to_dict()
    assert list(data) == list(JSON_KEYS)
    assert Metrics.from_dict(json.loads(json.dumps(data))) == m
    assert ramble_score(Metrics.from_dict(data)) == m.ramble_score


# --------------------------------------------------------------------------------------------
# Properties

VOCAB = [
    "um",
    "Uh,",
    "UMM…",
    "like",
    "like,",
    "you",
    "know",
    "I",
    "mean",
    "kind",
    "of",
    "sort",
    "we",
    "we-we",
    "the",
    "release",
    "failed.",
    "tests",
    "rolled",
    "back",
    "wh-",
    "—",
    "...",
    "sorry,",
    "at",
    "end",
    "day",
    "maybe",
    "it's",
    "was",
    "20",
    "technical",
    "debt",
    "—like",
    "I'm",
    "not",
    "sure",
    "ÉCOLE",
    "naïve",
    "'quoted'",
    "?",
]
_word = st.one_of(st.sampled_from(VOCAB), st.text(min_size=1, max_size=8))
_time = st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False)


@st.composite
def transcripts(draw):
    texts = draw(st.lists(_word, min_size=1, max_size=60))
    timed_ = draw(st.booleans())
    words = []
    if timed_:
        t = draw(st.floats(min_value=0, max_value=100))
        for text in texts:
            t += draw(st.floats(min_value=-0.5, max_value=8.0))
            length = draw(st.floats(min_value=-0.2, max_value=2.0))
            words.append(Word(text, max(0.0, t), max(0.0, t + length)))
    else:
        words = [Word(text) for text in texts]
    speech = draw(st.none() | st.lists(st.tuples(_time, _time), max_size=6).map(tuple))
    audio = draw(st.none() | _time)
    return Transcript(words=tuple(words), timed=timed_, audio_seconds=audio, speech=speech)


def _numbers(value):
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)


@settings(max_examples=300, deadline=None)
@given(
    transcripts(),
    st.tuples(st.floats(min_value=1, max_value=600), st.floats(min_value=1, max_value=600)),
    st.lists(st.sampled_from(POINTS + ["", "x", "tests!"]), max_size=4),
)
def test_every_metric_is_finite_and_ramble_in_range(transcript, target, points):
    try:
        m = score(transcript, target_seconds=target, talking_points=points, question_text="technical debt")
    except NoSpeechError:
        assert not any(any(ch.isalnum() for ch in w.text) for w in transcript.words)
        return
    data = m.to_dict()
    json.dumps(data, allow_nan=False)
    assert all(math.isfinite(v) for v in _numbers(data))
    assert 0.0 <= data["ramble_score"] <= 100.0
    if not transcript.timed:
        assert data["duration_s"] is None and data["wpm"] is None and data["long_pauses"] is None
    for pause in data["long_pauses"] or ():
        assert pause["length_s"] >= 2.0 - 1e-3
    assert Metrics.from_dict(data) == m


def test_a_restart_right_after_a_restart_is_found_and_its_copy_not_repeated():
    """ "it depends" ×3 was reported on a script that says it twice: the abandoned copy of the
    second restart counted, because the search went on past the kept copy of the first."""
    from redrill.scoring import score
    from redrill.transcript import from_text

    m = score(from_text("It, it depends, it depends on the load, and it depends on the team."))
    assert m.restarts == 2
    assert m.restart_examples == ("It, it", "it depends, it depends")
    assert not any(r.phrase.startswith("it depends") and r.count >= 3 for r in m.repeated_phrases)
    # a run stays one restart
    assert score(from_text("the the the plan worked")).restarts == 1
