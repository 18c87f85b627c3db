"""Feedback on one answer: at most three concrete things to work on, ordered by impact, and always
one thing that went well, each phrased from the figures it states (``docs/metrics.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from redrill.numbers import length_text, plural
from redrill.scoring.advice import EXPLAIN, length_advice
from redrill.scoring.comparison import KEY_METRICS, SCOPE_QUESTION, Comparison
from redrill.scoring.metrics import Metrics
from redrill.scoring.ramble import ramble_components
from redrill.scoring.settings import ScoringSettings
from redrill.scoring.voice import voice_point

__all__ = ["Feedback", "feedback"]


@dataclass(frozen=True)
class Feedback:
    """At most three things to work on (most impact first) and one thing that went well."""

    work_on: tuple[str, ...]
    went_well: str

    def to_json(self) -> list[str]:
        """The work-on lines, then ``"Went well: ..."``."""
        return [*self.work_on, f"Went well: {self.went_well}"]


def _mmss(seconds: float) -> str:
    return length_text(seconds)


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
    metrics: Metrics,
    comparison: Comparison,
    *,
    talking_points: Sequence[str] = (),
    settings: ScoringSettings = ScoringSettings(),
    kind: str = EXPLAIN,
) -> Feedback:
    """Up to three concrete things to work on, by impact, and exactly one thing that went well.

    ``talking_points`` (the question's points) only sets the order in which missing points are
    named; coverage itself comes from ``metrics``. ``settings`` must match the ones used to score.
    ``kind`` (:func:`redrill.scoring.advice.answer_kind`) picks length advice that fits the question.
    """
    parts = ramble_components(metrics, settings)
    weights = dict(settings.weights.items())
    candidates: list[tuple[float, str, str]] = []  # (impact, metric area, line)

    def impact(component: str, *related: str) -> float:
        value = parts.get(component) or 0.0
        worse = any(comparison.change.get(r) is not None and comparison.change[r].vs_median == "worse" for r in related)
        return weights.get(component, 0.0) * value * (1.25 if worse else 1.0)

    duration = metrics.duration_s
    lo_t, hi_t = metrics.target_s or (60.0, 120.0)
    over = metrics.over_target_s or 0.0
    under = metrics.under_target_s or 0.0
    if duration is not None and over >= max(5.0, 0.05 * hi_t):
        candidates.append(
            (
                max(impact("over_target", "distance_from_target_s"), 1.0),
                "length",
                f"Cut about {_about(over)} s: you ran {_mmss(duration)} against a {_mmss(hi_t)} maximum; "
                f"{length_advice(kind, over=True)}.",
            )
        )
    elif duration is not None and under >= 5.0:
        share = min(1.0, under / max(lo_t * 0.5, 1.0))
        candidates.append(
            (
                max(weights.get("over_target", 0.0) * share, 1.0),
                "length",
                f"Add about {_about(under)} s: you ran {_mmss(duration)} against a {_mmss(lo_t)} minimum; "
                f"{length_advice(kind, over=False)}.",
            )
        )

    filled = metrics.filled_pause_count
    discourse = metrics.filler_count
    total_fillers = filled + discourse
    if total_fillers and (parts.get("fillers") or 0.0) >= 0.15:
        counts = sorted(metrics.fillers, key=lambda kv: (-kv[1], kv[0]))
        listed = _quote_counts(counts)
        if metrics.audio_filled_pauses:
            heard = f"{metrics.audio_filled_pauses} heard only in the audio"
            listed = f"{listed}, {heard}" if listed else heard
        per_min = metrics.fillers_per_min
        if filled and not discourse:
            what = f"{plural(filled, 'filled pause')} ({listed})"
            advice = "pause silently instead"
        elif discourse and not filled:
            what = f"{plural(discourse, 'filler word')} ({listed})"
            advice = "drop them, or pause silently instead"
        else:
            what = f"{plural(total_fillers, 'filler')} ({listed})"
            advice = "pause silently instead"
        if per_min is not None:
            rate = f"{per_min:.1f} per minute{_history_phrase(comparison, 'fillers_per_min', '.1f')}"
        else:
            share = metrics.fillers_per_100_words or 0.0
            rate = f"{share:.1f} per 100 words{_history_phrase(comparison, 'fillers_per_100_words', '.1f')}"
        candidates.append(
            (impact("fillers", "fillers_per_min", "fillers_per_100_words"), "fillers", f"{what}, {rate}: {advice}.")
        )

    missing = list(metrics.talking_points.missing)
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

    pauses = metrics.long_pauses or ()
    if pauses and (parts.get("long_pauses") or 0.0) >= 0.25:
        longest = max(pauses, key=lambda p: p.length_s)
        n = len(pauses)
        candidates.append(
            (
                impact("long_pauses", "long_pauses_per_min"),
                "pauses",
                f"{n} long silence{'s' if n != 1 else ''} of {_g(settings.long_pause_s)} s or more (longest "
                f"{longest.length_s:.1f} s at {_mmss(longest.at_s)}): know your next point "
                "before you finish the current one.",
            )
        )

    restarts = metrics.restarts
    if restarts and (parts.get("restarts") or 0.0) >= 0.2:
        examples = metrics.restart_examples
        eg = f' (e.g. "{examples[0]}")' if examples else ""
        candidates.append(
            (
                impact("restarts", "restarts_per_100_words"),
                "restarts",
                f"{restarts} restart{'s' if restarts != 1 else ''}{eg}: finish the sentence you started, "
                "or pause and start it once, cleanly.",
            )
        )

    repeated = metrics.repeated_phrases
    if repeated and (parts.get("repetition") or 0.0) >= 0.15:
        top = repeated[0]
        more = f" and {len(repeated) - 1} other phrase{'s' if len(repeated) > 2 else ''}" if len(repeated) > 1 else ""
        candidates.append(
            (
                impact("repetition"),
                "repetition",
                f'You kept coming back to "{top.phrase}" ({top.count}×){more}: make the point once, then move on.',
            )
        )

    hedges = metrics.hedges
    if hedges and (parts.get("hedges") or 0.0) >= 0.25:
        examples = metrics.hedge_examples
        listed = ", ".join(f"'{h}'" for h in examples[:3])
        candidates.append(
            (
                impact("hedges"),
                "hedges",
                f"{hedges} hedge{'s' if hedges != 1 else ''} ({listed}): say what you did and what happened plainly.",
            )
        )

    wpm = metrics.wpm
    lo_p, hi_p = settings.pace_wpm
    if wpm is not None and (parts.get("pace") or 0.0) >= 0.125:
        if wpm > hi_p:
            line = f"Pace {wpm:.0f} wpm, above the {_g(lo_p)}-{_g(hi_p)} band: slow down and let each point land."
        else:
            line = f"Pace {wpm:.0f} wpm, below the {_g(lo_p)}-{_g(hi_p)} band: keep the answer moving; plan the next point while you speak."
        candidates.append((impact("pace", "wpm_off_band"), "pace", line))

    # At most one point about how it sounded (pitch, trailing off, bursts, a slow start).
    said = voice_point(metrics, comparison.voice)
    if said is not None:
        candidates.append((said[0], "voice", said[1]))

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
    metrics: Metrics,
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
    # 3. Within the target length.
    if metrics.within_target and metrics.duration_s is not None and metrics.target_s is not None:
        lo, hi = metrics.target_s
        return (
            f"Right length: {_mmss(metrics.duration_s)}, between the {_mmss(lo)} minimum and the {_mmss(hi)} maximum."
        )
    # 4. Every talking point made.
    covered, missing = metrics.talking_points.covered, metrics.talking_points.missing
    if covered and not missing:
        n = len(covered)
        return "You made the talking point." if n == 1 else f"You covered all {n} talking points."
    # 5. The most favourable component, phrased from its own figures and offered only when those
    # figures are good news: a fixed sentence ("you stayed within the maximum length") would be
    # false for the answer it is wrong about.
    candidates = [c for c in _strengths(metrics, parts, settings) if c[1] not in busy]
    if not candidates:  # nothing is good news: praise the practice, not a bad number
        if comparison.attempts_before:
            where = " at this question" if comparison.scope == SCOPE_QUESTION else ""
            return f"You put in attempt {comparison.attempts_before + 1}{where}: saying it out loud again is what moves these numbers."
        return "You recorded a full attempt: it is the baseline your next one will be measured against."
    value, _area, line = min(candidates, key=lambda c: c[0])
    label = "Your strongest point" if value == 0.0 else "Relatively best this time"
    return f"{label}: {line}"


# A component at or under this value (0..1) is good enough to be named as a strength.
STRENGTH_MAX = 0.5


def _strengths(metrics: Metrics, parts: Mapping[str, float | None], settings: ScoringSettings):
    """(component value, area, line) for every figure that is good news, in a fixed order.

    Each line states the figure it is about and is offered only when that figure supports it.
    """
    out: list[tuple[float, str, str]] = []

    def good(name: str) -> float | None:
        value = parts.get(name)
        return value if value is not None and value <= STRENGTH_MAX else None

    words = metrics.words
    duration = metrics.duration_s
    target = metrics.target_s
    if duration is not None and target is not None and metrics.over_target_s == 0.0 and good("over_target") == 0.0:
        out.append((0.0, "length", f"you stayed within the {_mmss(target[1])} maximum ({_mmss(duration)})."))
    fillers = metrics.fillers_total
    if (v := good("fillers")) is not None:
        line = f"only {plural(fillers, 'filler')} in {words + fillers} words." if fillers else "no fillers at all."
        out.append((v, "fillers", line))
    pauses = metrics.long_pause_count
    if pauses is not None and (v := good("long_pauses")) is not None:
        out.append((v, "pauses", f"only {plural(pauses, 'long silence')}." if pauses else "no long silences."))
    if (v := good("restarts")) is not None:
        restarts = metrics.restarts
        line = (
            f"only {plural(restarts, 'restart')} in {words} words."
            if restarts
            else "no restarts: your sentences ran through."
        )
        out.append((v, "restarts", line))
    if not metrics.repeated_phrases and parts.get("repetition") is not None:
        out.append((0.0, "repetition", "you didn't keep repeating yourself."))
    if (v := good("hedges")) is not None:
        hedges = metrics.hedges
        line = f"only {plural(hedges, 'hedge')} in {words} words." if hedges else "no hedging: you said what you did."
        out.append((v, "hedges", line))
    covered, total = len(metrics.talking_points.covered), metrics.talking_points.total
    if total and (v := good("missing_points")) is not None and covered:
        out.append((v, "points", f"you made {covered} of {total} talking points."))
    wpm = metrics.wpm
    lo, hi = settings.pace_wpm
    if wpm is not None and lo <= wpm <= hi:
        out.append((0.0, "pace", f"pace {wpm:.0f} wpm, inside the {_g(lo)}-{_g(hi)} band."))
    return out
