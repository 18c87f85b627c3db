"""How the answer sounded: pitch, loudness and pace variation, trailing sentences, first-word delay.

Pure, like the rest of scoring: the pitch and intensity *frames* of the recording (measured by
Praat in :mod:`redrill.sound.prosody`, the only place that touches audio; anything shaped like
:class:`PitchFrames` will do) and the transcript's word timings go in, the
:class:`~redrill.scoring.metrics.Voice` figures come out. Plain Python over a few thousand frames
(about 50 a second), a few milliseconds for a two-minute answer, so it runs at the end of an answer
without touching the latency budget.

* :func:`voice_figures` measures one answer;
* :func:`compare_voice` sets its figures against the user's own earlier answers (median and the
  personal band, the middle half of their earlier values);
* :func:`voice_point` picks at most one thing about the voice worth saying, phrased from the figure
  it states.

Definitions, norms and their sources are in ``docs/metrics.md`` ("How it sounded").
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from redrill.numbers import number
from redrill.scoring.margins import Directed
from redrill.scoring.metrics import Metrics, PaceStretch, Trailing, Voice
from redrill.transcript import Transcript

__all__ = [
    "VOICE_FIGURE",
    "VOICE_FIGURES",
    "PitchFrames",
    "VoiceChange",
    "VoiceFigure",
    "VoiceSettings",
    "compare_voice",
    "personal_band",
    "voice_figures",
    "voice_point",
]


@dataclass(frozen=True)
class VoiceSettings:
    """Thresholds of the voice figures; the defaults follow the norms in ``docs/metrics.md``."""

    # Pitch is read inside the words (and this much either side): a hum or a breath in a pause is
    # not the voice.
    word_margin_s: float = 0.05
    # Less voiced speech than this: no pitch figures (a spread of a second of vowels means little).
    min_voiced_s: float = 2.0
    # Pitch spread (10th-90th percentile of voiced frames) under this reads as flat.
    flat_range_st: float = 4.0
    # A spread this much under the user's usual band is named even above the norm.
    flatter_than_usual_st: float = 1.0
    # A sentence trails off when its last ``trailing_tail_s`` (its last two or three words) are
    # this much quieter than the typical word of the rest of it.
    trailing_drop_db: float = 4.0
    trailing_tail_s: float = 0.8
    min_sentence_words: int = 5
    # Words further apart than this start a new sentence even without punctuation.
    sentence_gap_s: float = 1.0
    # Feedback names trailing off when at least this many sentences, and this share, trail off.
    trailing_min_count: int = 2
    trailing_min_share: float = 0.2
    # Local pace is measured over consecutive windows of this length.
    pace_window_s: float = 10.0
    # A window this much faster (slower) than the answer's own median window is a burst (drag).
    burst_ratio: float = 1.25
    drag_ratio: float = 0.75
    # Feedback names a burst only when it is also this fast (where coaches call speech too fast).
    burst_named_wpm: float = 180.0
    # A first word later than this (after the question ended) reads as a stall.
    slow_start_s: float = 3.0


class PitchFrames(Protocol):
    """Frames of one piece of an answer: times (s, on the answer's timeline), F0 in Hz (0 =
    unvoiced), intensity in dB (None: nothing to measure), and the step between frames."""

    @property
    def start_s(self) -> float: ...
    @property
    def times(self) -> Sequence[float]: ...
    @property
    def f0_hz(self) -> Sequence[float]: ...
    @property
    def db(self) -> Sequence[float | None]: ...
    @property
    def step_s(self) -> float: ...


@dataclass(frozen=True)
class Track:
    """The frames of a whole answer on one timeline (see :func:`merged`)."""

    times: tuple[float, ...] = ()
    f0_hz: tuple[float, ...] = ()
    db: tuple[float | None, ...] = ()
    step_s: float = 0.02


def _percentiles(values: Sequence[float], points: Sequence[float]) -> list[float]:
    """Linear-interpolation percentiles (numpy's default method) of sorted ``values``."""
    n = len(values)
    out = []
    for p in points:
        k = (n - 1) * p / 100.0
        lo = math.floor(k)
        hi = min(lo + 1, n - 1)
        out.append(values[lo] + (values[hi] - values[lo]) * (k - lo))
    return out


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


@dataclass(frozen=True)
class TimedWord:
    """A transcript word whose times are known numbers (the figures below do arithmetic on them)."""

    text: str
    start: float
    end: float


def _inside(t: float, spans: Sequence[tuple[float, float]]) -> bool:
    """Whether ``t`` falls in one of the (sorted, mostly disjoint) ``spans``."""
    i = bisect.bisect_right(spans, (t, math.inf)) - 1
    return any(a <= t <= b for a, b in spans[max(0, i - 1) : i + 2])


def _sentences(words: Sequence[TimedWord], gap_s: float) -> list[list[TimedWord]]:
    """Timed words split into sentences at . ? ! or at a silence of ``gap_s`` or more."""
    out: list[list[TimedWord]] = []
    current: list[TimedWord] = []
    for w in words:
        if current and w.start - current[-1].end >= gap_s:
            out.append(current)
            current = []
        current.append(w)
        if w.text.strip().rstrip("\"')»”’").endswith((".", "?", "!")):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def merged(pieces: Iterable[PitchFrames]) -> Track:
    """The frames of an answer's pieces on one timeline."""
    ordered = sorted(pieces, key=lambda p: p.start_s)
    if not ordered:
        return Track()
    return Track(
        tuple(t for p in ordered for t in p.times),
        tuple(v for p in ordered for v in p.f0_hz),
        tuple(v for p in ordered for v in p.db),
        ordered[0].step_s,
    )


def voice_figures(
    pieces: Iterable[PitchFrames],
    transcript: Transcript,
    *,
    lead_s: float | None = 0.0,
    settings: VoiceSettings = VoiceSettings(),
) -> Voice:
    """The voice figures of one answer from its pieces' frames and the transcript's word timings.

    ``lead_s`` is the silence the recorder cut before the stored audio (0 for an imported file;
    None when unknown, which leaves the delay before the first word unmeasured).
    """
    frames = merged(pieces)
    times, f0, db = frames.times, frames.f0_hz, frames.db
    words = [
        TimedWord(w.text, start, end)
        for w in transcript.words
        if (start := number(w.start)) is not None and (end := number(w.end)) is not None and end >= start
        if w.text.strip()
    ]

    # Pitch: semitones around the speaker's median over voiced frames inside the words (without
    # words, all of them). Octave errors of the tracker are rare outliers; the 10th-90th percentile
    # spread is robust to them.
    if words:
        spans = [(w.start - settings.word_margin_s, w.end + settings.word_margin_s) for w in words]
        inside = [_inside(t, spans) for t in times]
        voiced = sorted(v for v, ok in zip(f0, inside) if ok and v > 0)
    else:
        voiced = sorted(v for v in f0 if v > 0)
    voiced_s = len(voiced) * frames.step_s
    median_f0 = pitch_range = pitch_sd = None
    if voiced and voiced_s >= settings.min_voiced_s:
        median_f0 = statistics.median(voiced)
        st = [12.0 * math.log2(v / median_f0) for v in voiced]  # sorted, as ``voiced`` is
        p10, p90 = _percentiles(st, (10, 90))
        pitch_range = p90 - p10
        pitch_sd = statistics.pstdev(min(12.0, max(-12.0, s)) for s in st)

    # Loudness of each word: the 90th percentile of its frames (its stressed peak, robust to a
    # misplaced word edge that reaches into the silence beside it).
    levels: list[float | None] = []
    for w in words:
        lo = bisect.bisect_left(times, w.start)
        hi = bisect.bisect_left(times, max(w.end, w.start + frames.step_s))
        span = sorted(v for v in db[lo:hi] if v is not None)
        levels.append(_percentiles(span, (90,))[0] if span else None)
    measured = [v for v in levels if v is not None]
    loudness_sd = statistics.pstdev(measured) if len(measured) >= 5 else None

    # Trailing sentences: the loudest moment of the sentence's last stretch (``trailing_tail_s``)
    # against the median word of the rest of it. A stretch of time rather than a count of words:
    # "thirty percent" may be one word ("30%") or two, and the fall is in the sound, not the text.
    level_of = {id(w): lv for w, lv in zip(words, levels)}
    trailing: list[Trailing] = []
    n_sentences = 0
    for sentence in _sentences(words, settings.sentence_gap_s):
        if sum(level_of[id(w)] is not None for w in sentence) < settings.min_sentence_words:
            continue
        n_sentences += 1
        end = sentence[-1].end
        cut = end - settings.trailing_tail_s
        body = [lv for w in sentence if w.start < cut and (lv := level_of[id(w)]) is not None]
        lo, hi = bisect.bisect_left(times, cut), bisect.bisect_right(times, end)
        tail = sorted(v for v in db[lo:hi] if v is not None)
        if len(body) < 3 or not tail:
            continue
        drop = statistics.median(body) - _percentiles(tail, (90,))[0]
        if drop >= settings.trailing_drop_db:
            last = [w for w in sentence if w.end > cut]
            said = " ".join(w.text.strip() for w in last)
            trailing.append(Trailing(round(last[0].start, 2), round(drop, 1), said))

    # Pace across the answer: words per minute in consecutive windows; a short last window joins
    # the one before it.
    pace_cv = None
    bursts: list[PaceStretch] = []
    drags: list[PaceStretch] = []
    if words:
        t0, t1 = words[0].start, words[-1].end
        n_win = int((t1 - t0) // settings.pace_window_s)
        if n_win >= 2:
            edges = [t0 + i * settings.pace_window_s for i in range(n_win)] + [t1 + 1e-6]
            mids = sorted((w.start + w.end) / 2 for w in words)
            rates = []
            for a, b in zip(edges, edges[1:]):
                n = bisect.bisect_left(mids, b) - bisect.bisect_left(mids, a)
                rates.append((a, b, 60.0 * n / (b - a)))
            values = [r for _, _, r in rates]
            mean = statistics.fmean(values)
            if mean > 0:
                pace_cv = 100.0 * statistics.pstdev(values) / mean
                med = statistics.median(values)
                for a, b, r in rates:
                    stretch = PaceStretch(round(a, 1), round(min(b, t1), 1), round(r))
                    if r >= settings.burst_ratio * med:
                        bursts.append(stretch)
                    elif r <= settings.drag_ratio * med:
                        drags.append(stretch)

    first = None
    if words and lead_s is not None:
        first = max(0.0, words[0].start) + max(0.0, lead_s)
    return Voice(
        voiced_s=round(voiced_s, 2),
        median_f0_hz=_round(median_f0, 1),
        pitch_range_st=_round(pitch_range),
        pitch_sd_st=_round(pitch_sd),
        loudness_sd_db=_round(loudness_sd),
        sentences=n_sentences,
        trailing=tuple(trailing),
        trailing_share=_round(len(trailing) / n_sentences, 3) if n_sentences else None,
        pace_cv=_round(pace_cv, 1),
        bursts=tuple(bursts),
        drags=tuple(drags),
        first_word_delay_s=_round(first),
        lead_s=None if lead_s is None else round(max(0.0, lead_s), 3),
    )


# --- against the user's own voice -----------------------------------------------------------------


@dataclass(frozen=True)
class VoiceFigure(Directed):
    """A voice figure compared across attempts: its label, unit, direction and noise margin (see
    :class:`Directed`)."""

    name: str
    label: str
    unit: str
    fmt: str
    higher_is_better: bool
    rel_margin: float
    abs_margin: float

    def show(self, value: float | None) -> str:
        """``4.2 semitones``, ``25%``, ``14%``, ``1.4 s``; ``-`` when unknown."""
        if value is None:
            return "-"
        text = format(value, self.fmt)
        if self.unit == "%":
            return text + "%"
        return f"{text} {self.unit}" if self.unit else text

    def show_band(self, band: tuple[float, float]) -> str:
        """``3.8-5.0 semitones``, ``10-20%``."""
        lo, hi = band
        return f"{format(lo, self.fmt).rstrip('%')}-{self.show(hi)}"


VOICE_FIGURES: tuple[VoiceFigure, ...] = (
    VoiceFigure("pitch_range_st", "pitch spread", "semitones", ".1f", True, 0.10, 0.5),
    VoiceFigure("loudness_sd_db", "loudness variation", "dB", ".1f", True, 0.10, 0.5),
    VoiceFigure("trailing_share", "sentences trailing off", "", ".0%", False, 0.0, 0.10),
    VoiceFigure("pace_cv", "pace variation", "%", ".0f", False, 0.10, 5.0),
    VoiceFigure("first_word_delay_s", "delay before the first word", "s", ".1f", False, 0.10, 0.5),
)
VOICE_FIGURE = {f.name: f for f in VOICE_FIGURES}


def figure(m: Metrics, name: str) -> float | None:
    """One voice figure of an attempt (None when it has none: typed, imported or not yet rescored)."""
    return None if m.voice is None else number(getattr(m.voice, name, None))


def personal_band(values: Iterable[float | None], *, min_attempts: int = 3) -> tuple[float, float] | None:
    """The user's usual range of a figure: the middle half (25th-75th percentile) of earlier values.

    None with fewer than ``min_attempts`` earlier values.
    """
    known = sorted(v for v in values if v is not None)
    if len(known) < min_attempts:
        return None
    lo, hi = _percentiles(known, (25, 75))
    return (round(lo, 3), round(hi, 3))


@dataclass(frozen=True)
class VoiceChange:
    """One voice figure of this attempt against the user's earlier ones."""

    name: str
    value: float
    median: float | None = None
    band: tuple[float, float] | None = None  # the user's usual range (middle half)
    vs_median: str | None = None  # "better" | "worse" | "same"; None with no earlier values
    earlier: int = 0  # earlier attempts that have the figure

    def to_json(self) -> dict:
        return {
            "value": self.value,
            "median": self.median,
            "band": None if self.band is None else list(self.band),
            "vs_median": self.vs_median,
            "earlier": self.earlier,
        }


def compare_voice(current: Metrics, earlier: Sequence[Metrics]) -> dict[str, VoiceChange]:
    """This attempt's voice figures against the user's earlier attempts (any question: the voice
    is the speaker's, not the question's). Figures it does not have are left out."""
    out: dict[str, VoiceChange] = {}
    for fig in VOICE_FIGURES:
        value = figure(current, fig.name)
        if value is None:
            continue
        before = [v for v in (figure(m, fig.name) for m in earlier) if v is not None]
        if not before:
            out[fig.name] = VoiceChange(fig.name, value)
            continue
        med = statistics.median(before)
        verdict = fig.verdict(value, med)
        out[fig.name] = VoiceChange(fig.name, value, round(med, 3), personal_band(before), verdict, len(before))
    return out


# --- feedback -------------------------------------------------------------------------------------


def _mmss(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def voice_point(
    metrics: Metrics,
    changes: Mapping[str, VoiceChange] | None = None,
    settings: VoiceSettings = VoiceSettings(),
) -> tuple[float, str] | None:
    """At most one thing about the voice worth saying, with its impact (on the scale of the other
    feedback lines), or None when nothing matters.

    Candidates: a flat pitch (under the norm, or well under the user's own band), sentences trailing
    off, a burst of speed where coaches call speech too fast, a long silence before the first word.
    """
    voice = metrics.voice
    if voice is None:
        return None
    changes = changes or {}
    candidates: list[tuple[float, str]] = []

    spread = voice.pitch_range_st
    if spread is not None:
        band = changes["pitch_range_st"].band if "pitch_range_st" in changes else None
        below_band = band is not None and spread <= band[0] - settings.flatter_than_usual_st
        if spread < settings.flat_range_st:
            usual = f" (your usual {band[0]:.1f}-{band[1]:.1f})" if band is not None and band[0] > spread else ""
            candidates.append(
                (
                    10.0 + 4.0 * min(1.0, (settings.flat_range_st - spread) / 2.0),
                    f"Your pitch stayed within {spread:.1f} semitones for most of the answer{usual}: stress the "
                    "result and the numbers, and let your voice rise and fall with them.",
                )
            )
        elif below_band and band is not None:
            candidates.append(
                (
                    8.0,
                    f"Your pitch stayed within {spread:.1f} semitones for most of the answer, flatter than your "
                    f"usual {band[0]:.1f}-{band[1]:.1f}: stress the result and the numbers.",
                )
            )

    n, sentences = len(voice.trailing), voice.sentences
    if sentences and n >= settings.trailing_min_count and n / sentences >= settings.trailing_min_share:
        first = voice.trailing[0]
        candidates.append(
            (
                8.0 + 4.0 * min(1.0, n / sentences),
                f'{n} of {sentences} sentences trailed off (e.g. "{first.words}", {first.drop_db:.0f} dB quieter '
                f"at {_mmss(first.at_s)}): keep your voice up to the last word.",
            )
        )

    fast = [b for b in voice.bursts if b.wpm >= settings.burst_named_wpm]
    if fast:
        top = max(fast, key=lambda b: b.wpm)
        candidates.append(
            (
                7.0,
                f"You sped up to {top.wpm:.0f} wpm at {_mmss(top.start_s)}-{_mmss(top.end_s)}: when you reach the "
                "part you know best, slow down and let it land.",
            )
        )

    delay = voice.first_word_delay_s
    if delay is not None and delay >= settings.slow_start_s:
        candidates.append(
            (
                6.0,
                f"{delay:.1f} s of silence before your first word: open with a one-line answer, then think "
                "while you give the detail.",
            )
        )
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])
