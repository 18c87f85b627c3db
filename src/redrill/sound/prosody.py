"""How the answer sounded: pitch, loudness and pace variation, trailing sentences, first-word delay.

Two steps, so the expensive part can run while the answer is still being spoken:

* :func:`analyse_chunk` (pure, per chunk of audio): Praat's pitch tracker (autocorrelation method,
  through praat-parselmouth) and Praat's intensity contour, sampled every :data:`FRAME_S` seconds
  on the answer's timeline. Chunks cut anywhere (the streaming transcriber cuts in pauses) give the
  same frames as the whole answer, apart from the few frames at a cut.
* :func:`combine` (cheap, pure): the chunks' frames plus the transcript's word timings become a
  :class:`Voice`: pitch spread in semitones over voiced speech, loudness variation across words,
  sentences whose last words fall away in loudness, pace bursts and drags, and the delay before
  the first word.

:class:`VoiceStream` collects chunk analyses handed over by the streaming transcriber and fills in
whatever the final answer has beyond them. :func:`analyse` does both steps on a whole recording
(``rescore`` and imported audio). Definitions, norms and sources are in ``docs/metrics.md``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from redrill.sound import SAMPLE_RATE

__all__ = [
    "FRAME_S",
    "ChunkVoice",
    "Voice",
    "VoiceSettings",
    "VoiceStream",
    "analyse",
    "analyse_chunk",
    "combine",
    "personal_band",
    "voice_feedback",
]

# 20 ms frames: enough for spread statistics over whole answers, and half the cost of Praat's
# default 10 ms step (the pitch tracker is most of the cost).
FRAME_S = 0.02
# The pitch and loudness strip of the HTML report keeps one value per TRACK_STEP_S.
TRACK_STEP_S = 0.25


@dataclass(frozen=True)
class VoiceSettings:
    """Thresholds of the voice figures; the defaults follow ``docs/metrics.md``."""

    # Praat's pitch search range: 75-500 Hz covers low male to high female speaking voices.
    pitch_floor_hz: float = 75.0
    pitch_ceiling_hz: float = 500.0
    # Pitch spread (10th-90th percentile of voiced frames) under this reads as flat (monotone).
    flat_range_st: float = 4.0
    # A sentence trails off when its last words are this much quieter than the rest of it.
    trailing_drop_db: float = 6.0
    trailing_words: int = 2  # how many last words make "the end of the sentence"
    min_sentence_words: int = 5
    # Words further apart than this start a new sentence even without punctuation.
    sentence_gap_s: float = 1.0
    # Pace windows: local pace is measured over windows of this length.
    pace_window_s: float = 10.0
    # A window this much faster (slower) than the answer's own median pace is a burst (drag).
    burst_ratio: float = 1.25
    drag_ratio: float = 0.75
    # A first word later than this reads as a stall before answering.
    slow_start_s: float = 3.0
    min_voiced_s: float = 2.0  # less voiced speech than this: no pitch figures


@dataclass(frozen=True)
class ChunkVoice:
    """Frames of one chunk: times (s, answer timeline), F0 in Hz (0 = unvoiced), intensity in dB."""

    start_s: float
    end_s: float
    times: tuple[float, ...]
    f0_hz: tuple[float, ...]
    db: tuple[float, ...]


def analyse_chunk(
    samples, offset_s: float = 0.0, *, settings: VoiceSettings = VoiceSettings(), rate: int = SAMPLE_RATE
) -> ChunkVoice:
    """Pitch and intensity frames of one chunk of 16 kHz mono audio starting at ``offset_s``.

    Pure: no I/O, no state. Chunks shorter than Praat's analysis window give no frames.
    """
    import numpy as np
    import parselmouth

    audio = np.asarray(samples, dtype=np.float64).reshape(-1)
    start, end = float(offset_s), float(offset_s) + len(audio) / rate
    # Praat needs three periods of the pitch floor for one pitch frame.
    if len(audio) < int(3.5 / settings.pitch_floor_hz * rate) or not np.any(audio):
        return ChunkVoice(start, end, (), (), ())
    sound = parselmouth.Sound(audio, sampling_frequency=rate)
    pitch = sound.to_pitch_ac(
        time_step=FRAME_S, pitch_floor=settings.pitch_floor_hz, pitch_ceiling=settings.pitch_ceiling_hz
    )
    times = np.asarray(pitch.xs(), dtype=np.float64)
    f0 = np.nan_to_num(np.asarray(pitch.selected_array["frequency"], dtype=np.float64))
    try:
        intensity = sound.to_intensity(minimum_pitch=100.0, time_step=FRAME_S, subtract_mean=False)
        ixs = np.asarray(intensity.xs(), dtype=np.float64)
        ivals = np.asarray(intensity.values, dtype=np.float64).reshape(-1)
        db = np.interp(times, ixs, ivals) if len(ixs) else np.full(len(times), -math.inf)
    except parselmouth.PraatError:  # too short for the intensity window
        db = np.full(len(times), -math.inf)
    db = np.where(np.isfinite(db), db, -100.0)
    return ChunkVoice(
        start,
        end,
        tuple(np.round(times + start, 4).tolist()),
        tuple(np.round(f0, 2).tolist()),
        tuple(np.round(db, 2).tolist()),
    )


@dataclass(frozen=True)
class Voice:
    """The voice figures of one answer (None where the answer is too short to measure them)."""

    median_f0_hz: float | None
    pitch_range_st: float | None  # 10th-90th percentile spread of voiced pitch, semitones
    pitch_sd_st: float | None
    loudness_sd_db: float | None  # spread of word loudness
    sentences: int
    trailing: tuple[dict, ...]  # {"at_s", "drop_db", "words"}
    trailing_share: float | None
    pace_cv: float | None  # spread of local pace, % of the mean
    bursts: tuple[dict, ...]  # {"start_s", "end_s", "wpm"}
    drags: tuple[dict, ...]
    first_word_delay_s: float | None
    lead_trimmed_s: float = 0.0
    track: dict = field(default_factory=dict, compare=False)

    def to_json(self) -> dict:
        """Plain JSON (stored in the attempt's metrics under ``voice``)."""
        return {
            "median_f0_hz": self.median_f0_hz,
            "pitch_range_st": self.pitch_range_st,
            "pitch_sd_st": self.pitch_sd_st,
            "loudness_sd_db": self.loudness_sd_db,
            "sentences": self.sentences,
            "trailing": [dict(t) for t in self.trailing],
            "trailing_share": self.trailing_share,
            "pace_cv": self.pace_cv,
            "bursts": [dict(b) for b in self.bursts],
            "drags": [dict(d) for d in self.drags],
            "first_word_delay_s": self.first_word_delay_s,
            "lead_trimmed_s": self.lead_trimmed_s,
            "track": dict(self.track),
        }


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def _sentences(words: Sequence[Any], gap_s: float) -> list[list[Any]]:
    """Timed words split into sentences at . ? ! or at a silence of ``gap_s`` or more."""
    out: list[list[Any]] = []
    current: list[Any] = []
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


def combine(
    chunks: Iterable[ChunkVoice],
    transcript,
    *,
    lead_trimmed_s: float = 0.0,
    settings: VoiceSettings = VoiceSettings(),
) -> Voice:
    """The voice figures of an answer from its chunks' frames and the transcript's word timings.

    ``lead_trimmed_s`` is silence the recorder cut before the stored audio (added to the delay
    before the first word). Cost: a few sorts over ~50 frames a second, milliseconds per minute.
    """
    import numpy as np

    chunk_list = sorted(chunks, key=lambda c: c.start_s)
    times = np.array([t for c in chunk_list for t in c.times], dtype=np.float64)
    f0 = np.array([v for c in chunk_list for v in c.f0_hz], dtype=np.float64)
    db = np.array([v for c in chunk_list for v in c.db], dtype=np.float64)
    words = [w for w in transcript.words if w.start is not None and w.end is not None and w.end >= w.start]

    # Pitch: semitones around the speaker's median, over voiced frames. Octave errors of the
    # tracker are rare outliers; the 10th-90th percentile spread is robust to them.
    voiced = f0 > 0
    median_f0 = pitch_range = pitch_sd = None
    st_all = np.full(len(f0), np.nan)
    if voiced.sum() * FRAME_S >= settings.min_voiced_s:
        median_f0 = float(np.median(f0[voiced]))
        st_all[voiced] = 12.0 * np.log2(f0[voiced] / median_f0)
        st = st_all[voiced]
        p10, p90 = np.percentile(st, [10, 90])
        pitch_range = float(p90 - p10)
        clipped = np.clip(st, -12.0, 12.0)
        pitch_sd = float(np.std(clipped))

    # Loudness of each word: the 90th percentile of its frames (its stressed peak, robust to a
    # misplaced word edge that reaches into the silence beside it).
    levels: list[float | None] = []
    for w in words:
        lo, hi = np.searchsorted(times, [w.start, max(w.end, w.start + FRAME_S)])
        span = db[lo:hi]
        span = span[span > -100.0]
        levels.append(float(np.percentile(span, 90)) if len(span) else None)
    measured = [v for v in levels if v is not None]
    loudness_sd = float(statistics.pstdev(measured)) if len(measured) >= 5 else None

    # Trailing sentences: the last words against the median word of the rest of the sentence.
    level_of = {id(w): lv for w, lv in zip(words, levels)}
    trailing: list[dict] = []
    n_sentences = 0
    for sentence in _sentences(words, settings.sentence_gap_s):
        lv = [level_of[id(w)] for w in sentence]
        if len(sentence) < settings.min_sentence_words or sum(v is not None for v in lv) < settings.min_sentence_words:
            continue
        n_sentences += 1
        k = settings.trailing_words
        body = [v for v in lv[:-k] if v is not None]
        tail = [v for v in lv[-k:] if v is not None]
        if not body or not tail:
            continue
        drop = statistics.median(body) - statistics.fmean(tail)
        if drop >= settings.trailing_drop_db:
            trailing.append(
                {
                    "at_s": round(sentence[-k].start, 2),
                    "drop_db": round(drop, 1),
                    "words": " ".join(w.text.strip() for w in sentence[-k:]),
                }
            )

    # Pace across the answer: words per minute in consecutive windows; a short last window joins
    # the one before it.
    pace_cv = None
    bursts: list[dict] = []
    drags: list[dict] = []
    if words:
        t0, t1 = words[0].start, words[-1].end
        n_win = int((t1 - t0) // settings.pace_window_s)
        if n_win >= 2:
            edges = [t0 + i * settings.pace_window_s for i in range(n_win)] + [t1 + 1e-6]
            mids = np.array([(w.start + w.end) / 2 for w in words])
            rates = []
            for a, b in zip(edges, edges[1:]):
                n = int(((mids >= a) & (mids < b)).sum())
                rates.append((a, b, 60.0 * n / (b - a)))
            values = [r for _, _, r in rates]
            mean = statistics.fmean(values)
            if mean > 0:
                pace_cv = 100.0 * statistics.pstdev(values) / mean
                med = statistics.median(values)
                for a, b, r in rates:
                    item = {"start_s": round(a, 1), "end_s": round(min(b, t1), 1), "wpm": round(r)}
                    if r >= settings.burst_ratio * med:
                        bursts.append(item)
                    elif r <= settings.drag_ratio * med:
                        drags.append(item)

    first = None if not words else max(0.0, words[0].start) + max(0.0, lead_trimmed_s)
    return Voice(
        median_f0_hz=_r(median_f0, 1),
        pitch_range_st=_r(pitch_range),
        pitch_sd_st=_r(pitch_sd),
        loudness_sd_db=_r(loudness_sd),
        sentences=n_sentences,
        trailing=tuple(trailing),
        trailing_share=_r(len(trailing) / n_sentences, 3) if n_sentences else None,
        pace_cv=_r(pace_cv, 1),
        bursts=tuple(bursts),
        drags=tuple(drags),
        first_word_delay_s=_r(first),
        lead_trimmed_s=round(max(0.0, lead_trimmed_s), 3),
        track=_track(times, st_all, db),
    )


def _track(times, st, db) -> dict:
    """A coarse pitch (semitones re the median; None unvoiced) and loudness (dB) strip."""
    import numpy as np

    if len(times) == 0:
        return {}
    step = TRACK_STEP_S
    bins = np.floor(times / step).astype(int)
    n = int(bins.max()) + 1
    pitch: list[float | None] = [None] * n
    loud: list[float | None] = [None] * n
    for b in np.unique(bins):
        sel = bins == b
        p = st[sel]
        p = p[np.isfinite(p)]
        if len(p):
            pitch[b] = round(float(np.median(p)), 1)
        d = db[sel]
        d = d[d > -100.0]
        if len(d):
            loud[b] = round(float(d.max()), 1)
    return {"step_s": step, "pitch_st": pitch, "loudness_db": loud}


def analyse(samples, transcript, *, lead_trimmed_s: float = 0.0, settings: VoiceSettings = VoiceSettings()) -> Voice:
    """Both steps on a whole recording (16 kHz mono float32): what ``rescore`` uses."""
    return combine(
        [analyse_chunk(samples, 0.0, settings=settings)], transcript, lead_trimmed_s=lead_trimmed_s, settings=settings
    )


class VoiceStream:
    """Collects chunk analyses while the answer streams in (a callback for the transcriber).

    Called as ``stream(samples, offset_s)`` from the transcriber's worker thread for each chunk it
    hands on; :meth:`chunks_for` then covers the final answer with the chunks analysed so far and
    analyses only what is left (normally the short tail).
    """

    def __init__(self, settings: VoiceSettings = VoiceSettings()):
        self.settings = settings
        self._chunks: list[tuple[int, int, ChunkVoice]] = []

    def __call__(self, samples, offset_s: float) -> None:
        """Analyse one chunk (runs in the streaming worker, after that chunk's transcription)."""
        start = int(round(offset_s * SAMPLE_RATE))
        self._chunks.append((start, start + len(samples), analyse_chunk(samples, offset_s, settings=self.settings)))

    def chunks_for(self, final) -> list[ChunkVoice]:
        """Chunk analyses covering ``final`` (the answer as stored): reused ones plus the rest."""
        import numpy as np

        audio = np.asarray(final, dtype=np.float32).reshape(-1)
        out: list[ChunkVoice] = []
        covered = 0
        for start, end, chunk in sorted(self._chunks, key=lambda c: c[0]):
            if start != covered or end > len(audio):
                break
            out.append(chunk)
            covered = end
        if covered < len(audio):
            out.append(analyse_chunk(audio[covered:], covered / SAMPLE_RATE, settings=self.settings))
        return out


# --------------------------------------------------------------------------------------------
# History and feedback (pure, over the stored metric dicts)

# The compared voice figures: (name, label, unit, format).
FIGURES = (
    ("pitch_range_st", "pitch spread", "semitones", ".1f"),
    ("loudness_sd_db", "loudness variation", "dB", ".1f"),
    ("trailing_share", "sentences trailing off", "", ".0%"),
    ("pace_cv", "pace variation", "%", ".0f"),
    ("first_word_delay_s", "delay before the first word", "s", ".1f"),
)


def figure(metrics: Mapping[str, Any], name: str) -> float | None:
    """One voice figure from an attempt's metric dict (None when it has no voice figures)."""
    voice = metrics.get("voice") if isinstance(metrics, Mapping) else None
    if not isinstance(voice, Mapping):
        return None
    value = voice.get(name)
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def personal_band(
    history: Sequence[Mapping[str, Any]], name: str, *, min_attempts: int = 3
) -> tuple[float, float] | None:
    """The user's usual range of one voice figure: the 25th-75th percentile of earlier attempts.

    None with fewer than ``min_attempts`` earlier attempts that have the figure.
    """
    values = sorted(v for v in (figure(m, name) for m in history) if v is not None)
    if len(values) < min_attempts:
        return None
    q = statistics.quantiles(values, n=4, method="inclusive")
    return (round(q[0], 3), round(q[2], 3))


def voice_feedback(
    metrics: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]] = (),
    settings: VoiceSettings = VoiceSettings(),
) -> tuple[float, str] | None:
    """At most one voice point for this answer, with its impact (0-20, same scale as the other
    feedback lines), or None when the voice gives nothing worth saying.

    In order of impact: a flat pitch, sentences trailing off, a long delay before the first word.
    The user's own band (``history``) is quoted when it exists, and a figure inside it is not
    flagged unless it is also outside the norm.
    """
    voice = metrics.get("voice")
    if not isinstance(voice, Mapping):
        return None
    candidates: list[tuple[float, str]] = []
    spread = figure(metrics, "pitch_range_st")
    if spread is not None and spread < settings.flat_range_st:
        band = personal_band(history, "pitch_range_st")
        usual = f" (your usual {band[0]:.1f}-{band[1]:.1f})" if band and band[0] > spread else ""
        weight = 12.0 * min(1.0, (settings.flat_range_st - spread) / 2.0 + 0.25)
        candidates.append(
            (
                weight,
                f"Your pitch stayed within {spread:.1f} semitones for most of the answer{usual}: "
                "stress the result and the numbers, and let your voice rise and fall with them.",
            )
        )
    trailing = voice.get("trailing") or []
    sentences = int(voice.get("sentences") or 0)
    if trailing and sentences and len(trailing) / sentences >= 0.25:
        first = trailing[0]
        n = len(trailing)
        candidates.append(
            (
                10.0 * min(1.0, len(trailing) / sentences + 0.25),
                f'{n} of {sentences} sentences trailed off (e.g. "{first.get("words", "")}" '
                f"{first.get('drop_db', 0):.0f} dB quieter at {_mmss(first.get('at_s', 0.0))}): "
                "keep your voice up to the last word.",
            )
        )
    delay = figure(metrics, "first_word_delay_s")
    if delay is not None and delay >= settings.slow_start_s:
        candidates.append(
            (
                6.0,
                f"{delay:.1f} s before your first word: open with a one-line answer, then think while you give the detail.",
            )
        )
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])


def _mmss(seconds: float) -> str:
    s = int(round(float(seconds)))
    return f"{s // 60}:{s % 60:02d}"
