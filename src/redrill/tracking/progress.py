"""How answers improve: history rows and per-question progress, computed from stored metrics.

Everything here is pure: functions take what the store returned (``Attempt`` objects or the
``(id, question_id, created_at, metrics)`` tuples of :meth:`Store.scored_metrics`) and return plain
dataclasses with a ``to_json``. No I/O, no numpy: ``redrill progress`` must stay interactive with
tens of thousands of stored attempts, so this module imports only the standard library.

Typed answers have no timings (duration, pace and pauses are ``None``); the store reads attempts
scored by an older redrill into the same :class:`~redrill.scoring.metrics.Metrics`.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from redrill.numbers import number
from redrill.scoring.metrics import Metrics, distance_from_target, target_band

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
# The sparkline shows at most this many of the latest attempts, so it fits in a table column.
SPARK_WIDTH = 8


# --- history -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    """The key figures of one attempt, for ``redrill history``."""

    id: int
    created_at: datetime
    question_id: str
    question_text: str
    source: str
    status: str
    duration_s: float | None
    target_s: tuple[float, float] | None
    distance_from_target_s: float | None
    wpm: float | None
    fillers_per_min: float | None
    long_pauses: int | None
    ramble_score: float | None
    error: str | None = None
    damaged: tuple[str, ...] = ()  # stored fields that could not be read (their figures are missing)

    @property
    def date_damaged(self) -> bool:
        return any(d.startswith("created_at:") for d in self.damaged)

    def to_json(self) -> dict:
        """JSON form; ``created_at`` as ISO 8601 UTC (None when the stored date is damaged)."""
        data = asdict(self)
        data["created_at"] = None if self.date_damaged else self.created_at.isoformat()
        data["target_s"] = None if self.target_s is None else list(self.target_s)
        data["damaged"] = list(self.damaged)
        return data


def history_rows(attempts: Iterable) -> list[HistoryRow]:
    """One :class:`HistoryRow` per stored ``Attempt`` (any status), in the order given."""
    rows = []
    for a in attempts:
        m = a.metrics
        rows.append(
            HistoryRow(
                id=a.id,
                created_at=a.created_at,
                question_id=a.question_id,
                question_text=a.question_text,
                source=a.source,
                status=a.status,
                duration_s=m.duration_s if m else a.audio_seconds,
                target_s=m.target_s if m else None,
                distance_from_target_s=m.distance_from_target_s if m else None,
                wpm=m.wpm if m else None,
                fillers_per_min=m.fillers_per_min if m else None,
                long_pauses=m.long_pause_count if m else None,
                ramble_score=m.ramble_score if m else None,
                error=a.error,
                damaged=getattr(a, "damage", ()),
            )
        )
    return rows


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One scored attempt as progress sees it."""

    attempt_id: int
    created_at: datetime
    duration_s: float | None
    distance_from_target_s: float | None
    fillers_per_min: float | None
    long_pauses: int | None
    ramble_score: float | None
    pitch_range_st: float | None = None  # voice figures: None without a recording
    trailing_share: float | None = None

    def to_json(self) -> dict:
        """JSON form; ``created_at`` as ISO 8601 UTC."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        return data


@dataclass(frozen=True)
class QuestionProgress:
    """How one practised question is going: first, best and latest attempt, and the trend."""

    question_id: str
    question_text: str
    attempts: int
    target_s: tuple[float, float] | None
    first: Point
    best: Point
    latest: Point
    ramble_scores: tuple[float, ...]
    sparkline: str
    trend: str  # improving, worsening, steady or new (fewer than three attempts)

    def to_json(self) -> dict:
        """JSON form for ``redrill progress --json``."""
        return {
            "question_id": self.question_id,
            "question_text": self.question_text,
            "attempts": self.attempts,
            "target_s": None if self.target_s is None else list(self.target_s),
            "first": self.first.to_json(),
            "best": self.best.to_json(),
            "latest": self.latest.to_json(),
            "ramble_scores": list(self.ramble_scores),
            "sparkline": self.sparkline,
            "trend": self.trend,
        }


def sparkline(
    values: Sequence[float | None], *, width: int = SPARK_WIDTH, low: float = 0.0, high: float = 100.0
) -> str:
    """``▁▂▃▅▇`` blocks for the last ``width`` values on a FIXED scale ``low..high``.

    A fixed scale (not each row's own min..max) keeps rows comparable and stops a wobble of two
    points from looking like a cliff. Missing values are shown as a space.
    """
    out = []
    top = len(SPARK_BLOCKS) - 1
    for value in list(values)[-width:]:
        if value is None:
            out.append(" ")
            continue
        share = (min(max(value, low), high) - low) / (high - low) if high > low else 0.0
        out.append(SPARK_BLOCKS[min(top, int(share * len(SPARK_BLOCKS)))])
    return "".join(out)


# The figures progress needs from one attempt, as a plain tuple (thousands of them are read on
# every `redrill progress`, so no dataclass per attempt):
# (attempt_id, question_id, created_at (datetime or stored ISO text), duration_s,
#  distance_from_target_s, fillers_per_min, long_pauses, ramble_score, target_s,
#  pitch_range_st, trailing_share)
Figures = tuple


def _figures(attempt_id: int, question_id: str, created_at, m: Metrics) -> Figures:
    voice = m.voice
    return (
        attempt_id,
        question_id,
        created_at,
        m.duration_s,
        m.distance_from_target_s,
        m.fillers_per_min,
        m.long_pause_count,
        m.ramble_score,
        m.target_s,
        None if voice is None else voice.pitch_range_st,
        None if voice is None else voice.trailing_share,
    )


def figures_from_store_rows(rows: Iterable[tuple[int, str, str, str | None, int | None]]) -> Iterator[Figures]:
    """Figures from :meth:`Store.progress_figures` rows (the fast path of ``redrill progress``).

    Same values as :func:`_figures` on the whole metrics dict (a test holds them equal); written
    out inline because it runs once per stored attempt.
    """
    loads = json.loads
    for attempt_id, question_id, created_iso, packed, pauses in rows:
        duration, _over, _under, target, fillers, ramble, pitch, trailing = loads(packed) if packed else (None,) * 8
        yield (
            attempt_id,
            question_id,
            created_iso,
            number(duration),
            distance_from_target(duration, target),
            number(fillers),
            pauses,
            number(ramble),
            target_band(target),
            number(pitch),
            number(trailing),
        )


def _point(f: Figures) -> Point:
    created = f[2] if isinstance(f[2], datetime) else datetime.fromisoformat(f[2])
    return Point(
        attempt_id=f[0],
        created_at=created,
        duration_s=f[3],
        distance_from_target_s=f[4],
        fillers_per_min=f[5],
        long_pauses=f[6],
        ramble_score=f[7],
        pitch_range_st=f[9],
        trailing_share=f[10],
    )


_INF = float("inf")


def _best_key(f: Figures) -> tuple:
    # Closest to the target band first; answers without timings can only win on ramble score.
    # Ties (several answers inside the band) go to the lower ramble score, then the later attempt.
    return (_INF if f[4] is None else f[4], _INF if f[7] is None else f[7], -f[0])


def weakness_key(q: QuestionProgress) -> tuple:
    """Sort key putting the weakest question first: highest latest ramble score, then farthest
    from the target, then fewest attempts."""
    ramble = q.latest.ramble_score if q.latest.ramble_score is not None else -1.0
    distance = q.latest.distance_from_target_s if q.latest.distance_from_target_s is not None else -1.0
    return (-ramble, -distance, q.attempts, q.question_id)


def question_progress(
    scored: Iterable[tuple[int, str, datetime, Metrics]],
    question_texts: dict[str, str] | None = None,
) -> list[QuestionProgress]:
    """Progress of every practised question, weakest first.

    ``scored`` is :meth:`Store.scored_metrics` output: ``(id, question_id, created_at, metrics)``
    oldest first. ``question_texts`` maps ids to the text shown (the id is used when missing).
    The trend word is :func:`redrill.scoring.comparison.ramble_trend`, the one judgement ``queue``
    and the report use too.
    """
    return summarise((_figures(*row) for row in scored), question_texts)


def summarise(figures: Iterable[Figures], question_texts: dict[str, str] | None = None) -> list[QuestionProgress]:
    """:func:`question_progress` over :data:`Figures` tuples (oldest first within a question)."""
    from redrill.scoring.comparison import ramble_trend

    by_question: dict[str, list[Figures]] = {}
    for f in figures:
        by_question.setdefault(f[1], []).append(f)
    texts = question_texts or {}
    rows = []
    for question_id, items in by_question.items():
        scores = tuple(f[7] for f in items if f[7] is not None)
        # the latest known target wins: a bank can change a question's target
        target = next((f[8] for f in reversed(items) if f[8] is not None), None)
        rows.append(
            QuestionProgress(
                question_id=question_id,
                question_text=texts.get(question_id, question_id),
                attempts=len(items),
                target_s=target,
                first=_point(items[0]),
                best=_point(min(items, key=_best_key)),
                latest=_point(items[-1]),
                ramble_scores=scores,
                sparkline=sparkline(scores),
                trend=ramble_trend([(f[7], f[3] is not None) for f in items]),
            )
        )
    rows.sort(key=weakness_key)
    return rows


@dataclass(frozen=True)
class VoiceProgress:
    """How the voice changed across all answers (the voice is the speaker's, not the question's):
    the median of the first and of the latest few answers with voice figures, and the usual band."""

    answers: int
    pitch_first: float | None
    pitch_latest: float | None
    pitch_band: tuple[float, float] | None
    trailing_first: float | None
    trailing_latest: float | None

    def to_json(self) -> dict:
        data = asdict(self)
        data["pitch_band"] = None if self.pitch_band is None else list(self.pitch_band)
        return data


def voice_progress(figures: Iterable[Figures], *, few: int = 5) -> VoiceProgress | None:
    """:class:`VoiceProgress` over :data:`Figures` (oldest first); None with fewer than two answers
    that have voice figures."""
    from redrill.scoring.voice import personal_band

    voiced = [f for f in figures if len(f) > 9 and f[9] is not None]
    if len(voiced) < 2:
        return None
    few = max(1, min(few, len(voiced) // 2))
    first, latest = voiced[:few], voiced[-few:]
    return VoiceProgress(
        answers=len(voiced),
        pitch_first=median_or_none(f[9] for f in first),
        pitch_latest=median_or_none(f[9] for f in latest),
        pitch_band=personal_band(f[9] for f in voiced),
        trailing_first=median_or_none(f[10] for f in first),
        trailing_latest=median_or_none(f[10] for f in latest),
    )


def median_or_none(values: Iterable[float | None]) -> float | None:
    """The median of the values that are known, or None."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None
