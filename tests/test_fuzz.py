"""Fuzzing the three places where outside data enters: bank files, transcripts, and scoring.

The properties are the contract a user relies on:

* any bytes in a bank file give a :class:`Bank` or an :class:`InputError` (a clean message), never
  another exception, a hang, or a memory blow-up;
* any JSON-like structure (or any bytes) given as a Whisper transcript gives a :class:`Transcript`
  or an :class:`InputError`;
* any transcript the importer accepts (and any transcript redrill's own transcriber could store,
  with odd audio lengths and speech regions) scores to metrics whose every number is finite, whose
  ramble score is in [0, 100], and which serialise as strict JSON (no NaN/Infinity in the DB).

Bounded for the test budget: each property runs a couple of hundred examples, no deadline.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from redrill.banks import BANK_KEYS, QUESTION_KEYS, Bank, load_bank
from redrill.errors import InputError, NoSpeechError
from redrill.scoring import Metrics, ScoringSettings, score
from redrill.transcript import Transcript, Word, load_transcript_file, parse_whisper_json

# REDRILL_FUZZ_EXAMPLES=5000 for a longer hunt; the default keeps the whole file to seconds.
FUZZ = settings(
    max_examples=int(os.environ.get("REDRILL_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

_scratch = tempfile.TemporaryDirectory(prefix="redrill-fuzz-")
SCRATCH = Path(_scratch.name)


def write(name: str, data: bytes) -> Path:
    path = SCRATCH / name
    path.write_bytes(data)
    return path


# --- strategies -------------------------------------------------------------------------------

weird_floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, -1.0, 1e308, -1e-300, math.nan, math.inf, -math.inf]
)
scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | weird_floats | st.text(max_size=30)
)

BANK_WORDS = sorted(BANK_KEYS | QUESTION_KEYS) + ["extra", "Name", "questions ", "1"]
bank_keys = st.sampled_from(BANK_WORDS) | st.text(max_size=8)


def yamlish(keys):
    """Nested mappings/lists/scalars whose keys are mostly the ones the schema knows."""
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=25,
    )


def bank_shaped():
    """Mostly-valid banks with one or more things wrong: the schema's own edge."""
    question = st.fixed_dictionaries(
        {},
        optional={
            "id": st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True) | scalars,
            "text": st.text(max_size=40) | scalars,
            "tags": st.lists(st.text(max_size=8) | scalars, max_size=3) | scalars,
            "target_seconds": st.lists(st.integers(-10, 5000) | weird_floats | scalars, max_size=3) | scalars,
            "talking_points": st.lists(st.text(max_size=20) | scalars, max_size=3) | scalars,
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "name": st.text(max_size=20) | scalars,
            "description": scalars,
            "questions": st.lists(question | scalars, max_size=5) | scalars,
        },
    )


def valid_bank():
    """Banks the schema accepts, with every optional field in play (text may be any Unicode)."""
    nonblank = st.text(min_size=1, max_size=40).filter(lambda t: t.strip())
    question = st.fixed_dictionaries(
        {"id": st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True), "text": nonblank},
        optional={
            "tags": st.lists(st.text(max_size=8), max_size=3),
            "target_seconds": st.tuples(st.integers(1, 1800), st.integers(0, 1800))
            .map(lambda t: [t[0], t[0] + t[1]])
            .filter(lambda t: t[1] <= 3600),
            "talking_points": st.lists(nonblank, max_size=3),
        },
    )
    return st.fixed_dictionaries(
        {"name": nonblank, "questions": st.lists(question, max_size=5, unique_by=lambda q: q["id"])},
        optional={"description": st.text(max_size=30)},
    )


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=None)


TRANSCRIPT_KEYS = st.sampled_from(
    ["segments", "words", "word", "text", "start", "end", "probability", "id", "language"]
)


def whisper_shaped():
    """Whisper-like JSON: segments with words whose fields are anything at all."""
    word = st.fixed_dictionaries(
        {},
        optional={
            "word": st.text(max_size=12) | scalars,
            "text": scalars,
            "start": weird_floats | scalars,
            "end": weird_floats | scalars,
            "probability": weird_floats | scalars,
        },
    )
    segment = st.fixed_dictionaries(
        {}, optional={"text": scalars, "words": st.lists(word | scalars, max_size=6) | scalars, "start": scalars}
    )
    segments = st.lists(segment | scalars, max_size=5)
    return segments | st.fixed_dictionaries({}, optional={"segments": segments | scalars, "text": scalars})


VOCAB = (
    "um uh umm er hmm like you know I mean sort of kind of basically actually so well the the I I "
    "we shipped migration billing rolled back test team customer deadline, result. impact; — - ... "
    "don't it's 42 3.5 UM Uh, like, Like"
).split()
word_text = st.sampled_from(VOCAB) | st.text(min_size=1, max_size=10)


@st.composite
def timed_words(draw):
    """Words with timings: either plausible (sorted, overlapping a little, zero-length, huge gaps)
    or arbitrary (negative, NaN, infinite, out of order) for the importer to sort out."""
    n = draw(st.integers(min_value=0, max_value=40))
    texts = [draw(word_text) for _ in range(n)]
    if draw(st.booleans()):
        t = draw(st.floats(min_value=0, max_value=1e6))
        out = []
        for text in texts:
            t += draw(st.floats(min_value=-0.5, max_value=30.0) | st.sampled_from([0.0, 1e-9, 2.0, 600.0]))
            t = max(t, 0.0)
            length = draw(st.floats(min_value=0.0, max_value=3.0) | st.just(0.0))
            out.append({"word": text, "start": t, "end": t + length, "probability": draw(weird_floats | st.none())})
        return out
    return [
        {
            "word": text,
            "start": draw(weird_floats | st.integers(-5, 10**9)),
            "end": draw(weird_floats | st.integers(-5, 10**9)),
        }
        for text in texts
    ]


targets = st.tuples(st.floats(min_value=1, max_value=3600), st.floats(min_value=1, max_value=3600))
points = st.lists(
    st.text(max_size=40) | st.sampled_from(["rolled back within an hour", "added a test", "the the the", "um"]),
    max_size=5,
)


# --- properties -------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=3000) | st.text(max_size=3000).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_any_bytes_in_a_bank_file_load_or_give_input_error(data):
    try:
        bank = load_bank(write("bank.yaml", data))
    except InputError as err:
        assert err.problems and all("bank.yaml" in str(p) for p in err.problems)
    else:
        assert isinstance(bank, Bank)


@pytest.mark.slow
@FUZZ
@given(yamlish(bank_keys) | bank_shaped() | valid_bank())
def test_any_yaml_structure_as_a_bank_loads_or_gives_input_error(data):
    text = dump(data)
    try:
        bank = load_bank(write("bank.yaml", text.encode("utf-8")))
    except InputError as err:
        for problem in err.problems:
            assert problem.file.endswith("bank.yaml") and problem.message
            assert problem.line is None or 1 <= problem.line <= text.count("\n") + 1
    else:
        assert isinstance(bank, Bank) and bank.name.strip()
        for q in bank.questions:
            assert q.text.strip() and 0 < q.target_seconds[0] <= q.target_seconds[1] <= 3600


@FUZZ
@given(whisper_shaped() | yamlish(TRANSCRIPT_KEYS))
def test_any_json_structure_as_a_transcript_parses_or_gives_input_error(data):
    try:
        transcript = parse_whisper_json(data, origin="t.json")
    except InputError as err:
        assert err.problems and all(p.file == "t.json" for p in err.problems)
        return
    assert isinstance(transcript, Transcript) and transcript.timed
    starts = []
    for w in transcript.words:
        assert w.start is not None and w.end is not None
        assert w.text and math.isfinite(w.start) and math.isfinite(w.end) and 0 <= w.start <= w.end
        assert w.probability is None or math.isfinite(w.probability)
        starts.append(w.start)
    assert starts == sorted(starts)


@FUZZ
@given(st.binary(max_size=2000) | whisper_shaped().map(lambda d: json.dumps(d).encode()))
def test_any_bytes_as_a_transcript_file_parse_or_give_input_error(data):
    try:
        transcript = load_transcript_file(write("t.json", data))
    except InputError as err:
        assert err.problems and all(p.file.endswith("t.json") for p in err.problems)
    else:
        assert isinstance(transcript, Transcript)


def assert_strict_numbers(value, where="metrics"):
    """Every number finite; serialisable as strict JSON."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, (int, float)):
        assert math.isfinite(value), f"{where} = {value}"
    elif isinstance(value, dict):
        for k, v in value.items():
            assert_strict_numbers(v, f"{where}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            assert_strict_numbers(v, f"{where}[{i}]")
    else:
        raise AssertionError(f"{where} has a {type(value).__name__}")


def check_metrics(metrics: Metrics) -> dict:
    data = metrics.to_dict()
    assert_strict_numbers(data)
    json.dumps(data, allow_nan=False)
    assert 0 <= metrics.ramble_score <= 100
    assert metrics.words >= 0 and metrics.filler_count >= 0 and metrics.filled_pause_count >= 0
    for key in (
        "duration_s",
        "speech_s",
        "wpm",
        "fillers_per_min",
        "over_target_s",
        "under_target_s",
        "long_pause_total_s",
    ):
        assert data[key] is None or data[key] >= 0, (key, data[key])
    assert Metrics.from_dict(json.loads(json.dumps(data))).to_dict() == data
    return data


@pytest.mark.slow
@FUZZ
@given(timed_words(), targets, points, st.text(max_size=60), st.floats(min_value=0.2, max_value=10))
def test_any_imported_transcript_scores_to_finite_metrics(words, target, talking_points, question, long_pause):
    try:
        transcript = parse_whisper_json({"segments": [{"words": words}]}, origin="t.json")
    except InputError:
        return  # refused at the door: nothing reaches scoring
    try:
        metrics = score(
            transcript,
            target_seconds=target,
            talking_points=talking_points,
            question_text=question,
            settings=ScoringSettings(long_pause_s=long_pause),
        )
    except NoSpeechError:  # a clean "no speech" error, only when nothing in it is a word
        assert not any(ch.isalnum() for w in transcript.words for ch in w.text), transcript.words
        return
    check_metrics(metrics)


@FUZZ
@given(
    st.lists(st.tuples(word_text, weird_floats | st.none(), weird_floats | st.none()), max_size=30),
    weird_floats | st.none(),
    st.none() | st.lists(st.tuples(weird_floats, weird_floats), max_size=6),
    targets,
    points,
)
def test_any_stored_transcript_scores_to_finite_metrics(words, audio_seconds, speech, target, talking_points):
    """What ``rescore`` reads back from the database, or a transcriber bug, may hold anything: the
    scorer must still give strict numbers."""
    timed = all(s is not None and e is not None for _, s, e in words)
    transcript = Transcript(
        words=tuple(Word(t, s, e) for t, s, e in words),
        timed=timed,
        audio_seconds=audio_seconds,
        speech=None if speech is None else tuple(speech),
    )
    try:
        metrics = score(transcript, target_seconds=target, talking_points=talking_points)
    except NoSpeechError:
        return
    check_metrics(metrics)


@FUZZ
@given(st.text(max_size=400), targets, points)
def test_any_typed_answer_scores_without_timing_figures(text, target, talking_points):
    from redrill.transcript import from_text

    try:
        metrics = score(from_text(text), target_seconds=target, talking_points=talking_points)
    except NoSpeechError:
        assume(False)
        return
    data = check_metrics(metrics)
    assert data["duration_s"] is None and data["wpm"] is None and data["long_pauses"] is None


def teardown_module(module) -> None:
    _scratch.cleanup()
