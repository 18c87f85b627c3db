"""Comparing an attempt with the user's own earlier attempts, and what to work on next.

Pure functions over the plain metric dicts that :meth:`redrill.scoring.Metrics.to_json` writes
(that is what the store keeps), so old attempts can be compared without re-scoring them.

* :func:`compare`: this attempt against the median and the best of earlier attempts at the same
  question, or of all the user's attempts when this question has none (``scope`` says which).
* :func:`feedback`: at most three concrete things to work on, ordered by impact, and always one
  thing that went well.
* :func:`trend`: improving / worsening / steady / new, over a series of attempts.

The key metrics, their noise margins and the feedback rules are written up in ``docs/metrics.md``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from redrill.scoring import ScoringSettings, ramble_components

__all__ = [
    "KEY_METRICS",
    "Change",
    "Comparison",
    "Feedback",
    "KeyMetric",
    "compare",
    "feedback",
    "key_metrics",
    "trend",
]


@dataclass(frozen=True)
class KeyMetric:
    """A metric compared across attempts, its direction and its noise margin.

    A change counts only when it is larger than ``max(rel_margin * |median|, abs_margin)``.
    """

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


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def key_metrics(metrics: Mapping[str, Any], *, pace_wpm: Sequence[float] = (130.0, 160.0)) -> dict[str, float | None]:
    """The compared figures of one attempt's metric dict (None where it cannot be measured)."""
    over, under = _num(metrics.get("over_target_s")), _num(metrics.get("under_target_s"))
    duration = _num(metrics.get("duration_s"))
    words = _num(metrics.get("words")) or 0.0
    pauses = metrics.get("long_pauses")
    points = metrics.get("talking_points") or {}
    n_points = len(points.get("covered") or ()) + len(points.get("missing") or ())
    wpm = _num(metrics.get("wpm"))
    restarts = _num(metrics.get("restarts"))
    return {
        "ramble_score": _num(metrics.get("ramble_score")),
        "distance_from_target_s": None if over is None or under is None else over + under,
        "fillers_per_min": _num(metrics.get("fillers_per_min")),
        "fillers_per_100_words": _num(metrics.get("fillers_per_100_words")),
        "talking_points_covered": len(points.get("covered") or ()) / n_points if n_points else None,
        "restarts_per_100_words": 100.0 * restarts / words if words > 0 and restarts is not None else None,
        "long_pauses_per_min": len(pauses) / (duration / 60.0)
        if isinstance(pauses, list) and duration is not None and duration >= 1.0
        else None,
        "wpm_off_band": None if wpm is None else max(0.0, float(pace_wpm[0]) - wpm, wpm - float(pace_wpm[1])),
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

    def to_json(self) -> dict:
        """Plain JSON: attempts_before, scope, median, best, change, personal_best."""
        return {
            "attempts_before": self.attempts_before,
            "scope": self.scope,
            "median": dict(self.median),
            "best": dict(self.best),
            "change": {name: c.to_json() for name, c in self.change.items()},
            "personal_best": list(self.personal_best),
        }


def _margin(metric: KeyMetric, reference: float) -> float:
    return max(metric.rel_margin * abs(reference), metric.abs_margin)


def _improvement(metric: KeyMetric, new: float, old: float) -> float:
    """How much better ``new`` is than ``old`` (negative when worse)."""
    return new - old if metric.higher_is_better else old - new


def compare(
    current: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
    *,
    fallback: Sequence[Mapping[str, Any]] = (),
    pace_wpm: Sequence[float] = (130.0, 160.0),
) -> Comparison:
    """Compare this attempt's metrics with earlier attempts (oldest first).

    ``history`` holds the earlier attempts at the same question; when it is empty the user's
    attempts at all questions (``fallback``) are used and ``scope`` says "all questions". With
    neither, ``scope`` is "none" and there is nothing to compare. Cost: one pass over the history
    plus a median per metric, so a thousand attempts take a few milliseconds.
    """
    if history:
        earlier, scope = history, SCOPE_QUESTION
    elif fallback:
        earlier, scope = fallback, SCOPE_ALL
    else:
        return Comparison(attempts_before=0, scope=SCOPE_NONE)
    now = key_metrics(current, pace_wpm=pace_wpm)
    columns: dict[str, list[float]] = {m.name: [] for m in KEY_METRICS}
    for attempt in earlier:
        if not isinstance(attempt, Mapping):
            continue
        for name, value in key_metrics(attempt, pace_wpm=pace_wpm).items():
            if value is not None:
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
        gain = _improvement(metric, value, med)
        margin = _margin(metric, med)
        verdict = "better" if gain > margin else "worse" if gain < -margin else "same"
        change[metric.name] = Change(verdict, round(value - med, 3), round(value, 3))
        # A new best must beat the old best by more than the metric's noise floor.
        if _improvement(metric, value, top) > metric.abs_margin:
            personal_best.append(metric.name)
    return Comparison(
        attempts_before=len(earlier),
        scope=scope,
        median=median,
        best=best,
        change=change,
        personal_best=tuple(personal_best),
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


# --------------------------------------------------------------------------------------------
# Feedback


@dataclass(frozen=True)
class Feedback:
    """At most three things to work on (most impact first) and one thing that went well."""

    work_on: tuple[str, ...]
    went_well: str

    def to_json(self) -> list[str]:
        """The work-on lines, then ``"Went well: ..."``."""
        return [*self.work_on, f"Went well: {self.went_well}"]


def _mmss(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _about(seconds: float) -> int:
    """Round a length to say "about N s": whole seconds when short, else the nearest 5 s."""
    s = int(round(seconds))
    return s if s < 15 else max(5, int(5 * round(seconds / 5)))


def _g(value: float) -> str:
    return f"{value:g}"


def _quote_counts(pairs: Sequence[tuple[str, int]], limit: int = 3) -> str:
    return ", ".join(f"'{name}' ×{count}" if count > 1 else f"'{name}'" for name, count in list(pairs)[:limit])


def _history_phrase(comparison: Comparison, name: str, fmt: str) -> str:
    """ ", up from 2.1 in your earlier attempts" / ", down from ..." / "" for a lower-is-better rate."""
    change = comparison.change.get(name)
    med = comparison.median.get(name)
    if change is None or med is None or change.vs_median == "same":
        return ""
    where = "your earlier attempts" if comparison.scope == SCOPE_QUESTION else "your earlier answers to other questions"
    word = "up" if change.vs_median == "worse" else "down"
    return f", {word} from {format(med, fmt)} in {where}"


def feedback(
    metrics: Mapping[str, Any],
    comparison: Comparison,
    *,
    talking_points: Sequence[str] = (),
    settings: ScoringSettings = ScoringSettings(),
) -> Feedback:
    """Up to three concrete things to work on, by impact, and exactly one thing that went well.

    ``talking_points`` (the question's points) only sets the order in which missing points are
    named; coverage itself comes from ``metrics``. ``settings`` must match the ones used to score.
    """
    parts = ramble_components(metrics, settings)
    weights = dict(settings.weights.items())
    candidates: list[tuple[float, str, str]] = []  # (impact, metric area, line)

    def impact(component: str, *related: str) -> float:
        value = parts.get(component) or 0.0
        worse = any(comparison.change.get(r) is not None and comparison.change[r].vs_median == "worse" for r in related)
        return weights.get(component, 0.0) * value * (1.25 if worse else 1.0)

    duration = _num(metrics.get("duration_s"))
    target = metrics.get("target_s") or (60.0, 120.0)
    lo_t, hi_t = float(target[0]), float(target[1])
    over = _num(metrics.get("over_target_s")) or 0.0
    under = _num(metrics.get("under_target_s")) or 0.0
    if duration is not None and over >= max(5.0, 0.05 * hi_t):
        candidates.append(
            (
                max(impact("over_target", "distance_from_target_s"), 1.0),
                "length",
                f"Cut about {_about(over)} s: you ran {_mmss(duration)} against a {_mmss(hi_t)} maximum.",
            )
        )
    elif duration is not None and under >= 5.0:
        share = min(1.0, under / max(lo_t * 0.5, 1.0))
        candidates.append(
            (
                max(weights.get("over_target", 0.0) * share, 1.0),
                "length",
                f"Add about {_about(under)} s: you ran {_mmss(duration)} against a {_mmss(lo_t)} minimum; "
                "say more about what you did and how it turned out.",
            )
        )

    filled = int(metrics.get("filled_pause_count") or 0)
    discourse = int(metrics.get("filler_count") or 0)
    total_fillers = filled + discourse
    if total_fillers and (parts.get("fillers") or 0.0) >= 0.15:
        counts = sorted((metrics.get("fillers") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
        per_min = _num(metrics.get("fillers_per_min"))
        if filled and not discourse:
            what = f"{filled} filled pauses ({_quote_counts(counts)})"
            advice = "pause silently instead"
        elif discourse and not filled:
            what = f"{discourse} filler words ({_quote_counts(counts)})"
            advice = "drop them, or pause silently instead"
        else:
            what = f"{total_fillers} fillers ({_quote_counts(counts)})"
            advice = "pause silently instead"
        if per_min is not None:
            rate = f"{per_min:.1f} per minute{_history_phrase(comparison, 'fillers_per_min', '.1f')}"
        else:
            share = _num(metrics.get("fillers_per_100_words")) or 0.0
            rate = f"{share:.1f} per 100 words{_history_phrase(comparison, 'fillers_per_100_words', '.1f')}"
        candidates.append(
            (impact("fillers", "fillers_per_min", "fillers_per_100_words"), "fillers", f"{what}, {rate}: {advice}.")
        )

    points = metrics.get("talking_points") or {}
    missing = list(points.get("missing") or ())
    if missing:
        order = {p.casefold(): i for i, p in enumerate(talking_points)}
        missing.sort(key=lambda p: order.get(p.casefold(), len(order)))
        candidates.append(
            (
                max(impact("missing_points", "talking_points_covered"), 1.0),
                "points",
                f"You didn't mention: {'; '.join(missing)}.",
            )
        )

    pauses = metrics.get("long_pauses") or []
    if pauses and (parts.get("long_pauses") or 0.0) >= 0.25:
        longest = max(pauses, key=lambda p: p.get("length_s", 0.0))
        n = len(pauses)
        candidates.append(
            (
                impact("long_pauses", "long_pauses_per_min"),
                "pauses",
                f"{n} long silence{'s' if n != 1 else ''} of {_g(settings.long_pause_s)} s or more (longest "
                f"{longest.get('length_s', 0.0):.1f} s at {_mmss(longest.get('at_s', 0.0))}): know your next point "
                "before you finish the current one.",
            )
        )

    restarts = int(metrics.get("restarts") or 0)
    if restarts and (parts.get("restarts") or 0.0) >= 0.2:
        examples = metrics.get("restart_examples") or []
        eg = f' (e.g. "{examples[0]}")' if examples else ""
        candidates.append(
            (
                impact("restarts", "restarts_per_100_words"),
                "restarts",
                f"{restarts} restart{'s' if restarts != 1 else ''}{eg}: finish the sentence you started, "
                "or pause and start it once, cleanly.",
            )
        )

    repeated = metrics.get("repeated_phrases") or []
    if repeated and (parts.get("repetition") or 0.0) >= 0.15:
        top = repeated[0]
        more = f" and {len(repeated) - 1} other phrase{'s' if len(repeated) > 2 else ''}" if len(repeated) > 1 else ""
        candidates.append(
            (
                impact("repetition"),
                "repetition",
                f'You kept coming back to "{top["phrase"]}" ({top["count"]}×){more}: make the point once, then move on.',
            )
        )

    hedges = int(metrics.get("hedges") or 0)
    if hedges and (parts.get("hedges") or 0.0) >= 0.25:
        examples = metrics.get("hedge_examples") or []
        listed = ", ".join(f"'{h}'" for h in examples[:3])
        candidates.append(
            (
                impact("hedges"),
                "hedges",
                f"{hedges} hedge{'s' if hedges != 1 else ''} ({listed}): say what you did and what happened plainly.",
            )
        )

    wpm = _num(metrics.get("wpm"))
    lo_p, hi_p = settings.pace_wpm
    if wpm is not None and (parts.get("pace") or 0.0) >= 0.125:
        if wpm > hi_p:
            line = f"Pace {wpm:.0f} wpm, above the {_g(lo_p)}-{_g(hi_p)} band: slow down and let each point land."
        else:
            line = f"Pace {wpm:.0f} wpm, below the {_g(lo_p)}-{_g(hi_p)} band: keep the answer moving; plan the next point while you speak."
        candidates.append((impact("pace", "wpm_off_band"), "pace", line))

    candidates.sort(key=lambda c: -c[0])
    chosen = candidates[:3]
    areas = {area for _, area, _ in chosen}
    return Feedback(
        work_on=tuple(line for _, _, line in chosen), went_well=_went_well(metrics, comparison, parts, areas, settings)
    )


# Which feedback area each compared metric belongs to (a went-well line never praises an area
# that is also on the work-on list).
_AREA = {
    "ramble_score": "overall",
    "distance_from_target_s": "length",
    "fillers_per_min": "fillers",
    "fillers_per_100_words": "fillers",
    "talking_points_covered": "points",
    "restarts_per_100_words": "restarts",
    "long_pauses_per_min": "pauses",
    "wpm_off_band": "pace",
}


def _fmt_metric(name: str, value: float) -> str:
    if name == "ramble_score":
        return f"{value:.0f}"
    if name == "distance_from_target_s":
        return f"{value:.0f} s off target" if value else "on target"
    if name == "talking_points_covered":
        return f"{value:.0%} of talking points"
    if name == "wpm_off_band":
        return f"{value:.0f} wpm outside the pace band" if value else "inside the pace band"
    return f"{value:.1f}"


def _went_well(
    metrics: Mapping[str, Any],
    comparison: Comparison,
    parts: Mapping[str, float | None],
    busy: set[str],
    settings: ScoringSettings,
) -> str:
    where = "on this question" if comparison.scope == SCOPE_QUESTION else "across all your answers"
    # 1. A personal best.
    for metric in KEY_METRICS:
        if metric.name in comparison.personal_best and _AREA[metric.name] not in busy:
            value = comparison.change[metric.name].value
            old = comparison.best[metric.name]
            return (
                f"New personal best {where} for {metric.label}: {_fmt_metric(metric.name, value)} "
                f"(previous best {_fmt_metric(metric.name, old)})."
            )
    # 2. Better than the usual.
    for metric in KEY_METRICS:
        change = comparison.change.get(metric.name)
        if change is not None and change.vs_median == "better" and _AREA[metric.name] not in busy:
            med = comparison.median[metric.name]
            return (
                f"Better {metric.label} than your usual {where}: {_fmt_metric(metric.name, change.value)} "
                f"against a median of {_fmt_metric(metric.name, med)}."
            )
    duration = _num(metrics.get("duration_s"))
    target = metrics.get("target_s") or (60.0, 120.0)
    # 3. Within the target length.
    if duration is not None and not _num(metrics.get("over_target_s")) and not _num(metrics.get("under_target_s")):
        return (
            f"Right length: {_mmss(duration)}, inside the {_mmss(float(target[0]))}-{_mmss(float(target[1]))} target."
        )
    # 4. Every talking point made.
    points = metrics.get("talking_points") or {}
    covered, missing = points.get("covered") or [], points.get("missing") or []
    if covered and not missing:
        n = len(covered)
        return "You made the talking point." if n == 1 else f"You covered all {n} talking points."
    # 5. The most favourable component, honestly phrased.
    words = int(metrics.get("words") or 0)
    fillers = int(metrics.get("filled_pause_count") or 0) + int(metrics.get("filler_count") or 0)
    n_pauses = len(metrics.get("long_pauses") or [])
    restarts = int(metrics.get("restarts") or 0)
    hedges = int(metrics.get("hedges") or 0)
    wpm = _num(metrics.get("wpm")) or 0.0

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    lines = {
        "fillers": f"only {plural(fillers, 'filler')} in {words + fillers} words." if fillers else "no fillers at all.",
        "long_pauses": f"only {plural(n_pauses, 'long silence')}." if n_pauses else "no long silences.",
        "restarts": f"only {plural(restarts, 'restart')} in {words} words."
        if restarts
        else "no restarts: your sentences ran through.",
        "repetition": "you didn't keep repeating yourself."
        if not metrics.get("repeated_phrases")
        else "little repetition.",
        "hedges": f"only {plural(hedges, 'hedge')} in {words} words."
        if hedges
        else "no hedging: you said what you did.",
        "missing_points": f"you made {len(covered)} of {len(covered) + len(missing)} talking points.",
        "pace": f"pace {wpm:.0f} wpm, inside the {_g(settings.pace_wpm[0])}-{_g(settings.pace_wpm[1])} band."
        if (parts.get("pace") or 0.0) == 0.0
        else f"pace {wpm:.0f} wpm.",
        "over_target": "you stayed within the maximum length.",
    }
    area = {
        "over_target": "length",
        "fillers": "fillers",
        "long_pauses": "pauses",
        "restarts": "restarts",
        "repetition": "repetition",
        "hedges": "hedges",
        "missing_points": "points",
        "pace": "pace",
    }
    measured = [(value, name) for name, value in parts.items() if value is not None and name in lines]
    available = [(v, n) for v, n in measured if area[n] not in busy] or measured
    order = list(lines)
    value, name = min(available, key=lambda vn: (vn[0], order.index(vn[1]))) if available else (1.0, "")
    if value >= 0.999:  # nothing is even partly good: praise the practice, not a bad number
        if comparison.attempts_before:
            where = " at this question" if comparison.scope == SCOPE_QUESTION else ""
            return f"You put in attempt {comparison.attempts_before + 1}{where}: saying it out loud again is what moves these numbers."
        return "You recorded a full attempt: it is the baseline your next one will be measured against."
    label = "Your strongest point" if value == 0.0 else "Relatively best this time"
    return f"{label}: {lines[name]}"
