"""Comparing an attempt with the user's own earlier attempts.

Pure functions over stored :class:`~redrill.scoring.metrics.Metrics`, so old attempts can be
compared without re-scoring them.

* :func:`compare`: this attempt against the median and the best of earlier attempts at the same
  question, or of all the user's attempts when this question has none (``scope`` says which).
* :func:`trend`: improving / worsening / steady / new, over a series of attempts.

The key metrics, their noise margins and the feedback rules are written up in ``docs/metrics.md``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from redrill.scoring.margins import Directed
from redrill.scoring.metrics import Metrics
from redrill.scoring.voice import VoiceChange, compare_voice

__all__ = [
    "KEY_METRICS",
    "Change",
    "Comparison",
    "KeyMetric",
    "compare",
    "key_metrics",
    "ramble_trend",
    "trend",
]


@dataclass(frozen=True)
class KeyMetric(Directed):
    """A metric compared across attempts, its direction and its noise margin (see :class:`Directed`)."""

    name: str
    label: str
    higher_is_better: bool
    rel_margin: float
    abs_margin: float


KEY_METRICS: tuple[KeyMetric, ...] = (
    KeyMetric("ramble_score", "ramble score", False, 0.10, 3.0),
    KeyMetric("distance_from_target_s", "distance from the target length", False, 0.10, 5.0),
    KeyMetric("fillers_per_min", "fillers per minute", False, 0.10, 0.5),
    KeyMetric("fillers_per_100_words", "fillers per 100 words", False, 0.10, 0.5),
    KeyMetric("talking_points_covered", "talking points covered", True, 0.10, 0.10),
    KeyMetric("restarts_per_100_words", "restarts per 100 words", False, 0.10, 0.5),
    KeyMetric("long_pauses_per_min", "long pauses per minute", False, 0.10, 0.25),
    KeyMetric("wpm_off_band", "pace outside the band (wpm)", False, 0.10, 5.0),
)
SCOPE_QUESTION, SCOPE_ALL, SCOPE_NONE = "this question", "all questions", "none"
# Figures whose make-up differs between spoken and typed answers (the ramble score of a typed
# answer leaves out length, pauses and pace): compared only between answers given the same way.
MEASURED_ALIKE = frozenset({"ramble_score"})


def key_metrics(m: Metrics, *, pace_wpm: Sequence[float] = (130.0, 160.0)) -> dict[str, float | None]:
    """The compared figures of one attempt (None where it cannot be measured, e.g. typed answers)."""
    duration = m.duration_s
    return {
        "ramble_score": m.ramble_score,
        "distance_from_target_s": m.distance_from_target_s,
        "fillers_per_min": m.fillers_per_min,
        "fillers_per_100_words": m.fillers_per_100_words,
        "talking_points_covered": m.points_covered_share,
        "restarts_per_100_words": 100.0 * m.restarts / m.words if m.words > 0 else None,
        "long_pauses_per_min": len(m.long_pauses) / (duration / 60.0)
        if m.long_pauses is not None and duration is not None and duration >= 1.0
        else None,
        "wpm_off_band": None if m.wpm is None else max(0.0, float(pace_wpm[0]) - m.wpm, m.wpm - float(pace_wpm[1])),
    }


@dataclass(frozen=True)
class Change:
    """This attempt against the median of earlier ones: verdict, difference and current value."""

    vs_median: str  # "better" | "worse" | "same"
    delta: float
    value: float

    def to_json(self) -> dict:
        return {"vs_median": self.vs_median, "delta": self.delta, "value": self.value}


@dataclass(frozen=True)
class Comparison:
    """This attempt against the user's earlier attempts (see :func:`compare`)."""

    attempts_before: int
    scope: str
    median: dict[str, float] = field(default_factory=dict)
    best: dict[str, float] = field(default_factory=dict)
    change: dict[str, Change] = field(default_factory=dict)
    personal_best: tuple[str, ...] = ()
    # The voice figures against the user's own voice: their earlier answers to any question.
    voice: dict[str, VoiceChange] = field(default_factory=dict)

    def to_json(self) -> dict:
        """Plain JSON: attempts_before, scope, median, best, change, personal_best, and ``voice``
        for an answer with voice figures."""
        data = {
            "attempts_before": self.attempts_before,
            "scope": self.scope,
            "median": dict(self.median),
            "best": dict(self.best),
            "change": {name: c.to_json() for name, c in self.change.items()},
            "personal_best": list(self.personal_best),
        }
        if self.voice:
            data["voice"] = {name: c.to_json() for name, c in self.voice.items()}
        return data


def compare(
    current: Metrics,
    history: Sequence[Metrics],
    *,
    fallback: Sequence[Metrics] = (),
    pace_wpm: Sequence[float] = (130.0, 160.0),
) -> Comparison:
    """Compare this attempt's metrics with earlier attempts (oldest first).

    ``history`` holds the earlier attempts at the same question; when it is empty the user's
    attempts at all questions (``fallback``) are used and ``scope`` says "all questions". With
    neither, ``scope`` is "none" and there is nothing to compare. Cost: one pass over the history
    plus a median per metric, so a thousand attempts take a few milliseconds.
    """
    # The voice is the speaker's, not the question's: it is set against every earlier answer.
    voice = compare_voice(current, fallback or history)
    if history:
        earlier, scope = history, SCOPE_QUESTION
    elif fallback:
        earlier, scope = fallback, SCOPE_ALL
    else:
        return Comparison(attempts_before=0, scope=SCOPE_NONE, voice=voice)
    now = key_metrics(current, pace_wpm=pace_wpm)
    columns: dict[str, list[float]] = {m.name: [] for m in KEY_METRICS}
    for attempt in earlier:
        for name, value in key_metrics(attempt, pace_wpm=pace_wpm).items():
            # A typed answer's ramble score has no timing parts: it is only compared with typed ones.
            if value is not None and (name not in MEASURED_ALIKE or attempt.timed == current.timed):
                columns[name].append(value)
    median: dict[str, float] = {}
    best: dict[str, float] = {}
    change: dict[str, Change] = {}
    personal_best: list[str] = []
    for metric in KEY_METRICS:
        values = columns[metric.name]
        if not values:
            continue
        med = statistics.median(values)
        top = max(values) if metric.higher_is_better else min(values)
        median[metric.name] = round(med, 3)
        best[metric.name] = round(top, 3)
        value = now.get(metric.name)
        if value is None:
            continue
        change[metric.name] = Change(metric.verdict(value, med), round(value - med, 3), round(value, 3))
        # A new best must beat the old best by more than the metric's noise floor.
        if metric.improvement(value, top) > metric.abs_margin:
            personal_best.append(metric.name)
    return Comparison(
        attempts_before=len(earlier),
        scope=scope,
        median=median,
        best=best,
        change=change,
        personal_best=tuple(personal_best),
        voice=voice,
    )


def trend(values: Sequence[float], *, lower_is_better: bool = True, margin: float = 3.0, window: int = 5) -> str:
    """ "improving", "worsening", "steady" or "new" for a series of attempts (oldest first).

    Defaults suit ``ramble_score``. The least-squares slope over the last ``window`` attempts,
    times the span of those attempts, is the change; it must exceed ``max(margin, 10% of the
    mean)`` to count. Fewer than three usable values is "new".
    """
    ys = [float(v) for v in values if v is not None and not isinstance(v, bool) and math.isfinite(float(v))]
    ys = ys[-max(2, window) :]
    if len(ys) < 3:
        return "new"
    xs = list(range(len(ys)))
    slope = statistics.linear_regression(xs, ys).slope
    total = slope * (len(ys) - 1)
    needed = max(margin, 0.10 * abs(statistics.fmean(ys)))
    if abs(total) <= needed:
        return "steady"
    better = total < 0 if lower_is_better else total > 0
    return "improving" if better else "worsening"


def ramble_trend(series: Sequence[tuple[float | None, bool]]) -> str:
    """The one trend of a question's ramble scores, for ``progress``, ``queue`` and the report.

    ``series`` is ``(ramble_score, spoken)`` per attempt, oldest first. Only attempts made the
    same way as the latest one count (a typed answer's score has no timing parts), then
    :func:`trend` decides.
    """
    items = [(score, spoken) for score, spoken in series if score is not None]
    if not items:
        return "new"
    latest = items[-1][1]
    return trend([score for score, spoken in items if spoken == latest])
