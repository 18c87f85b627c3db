"""The ramble score: a weighted mean of components each mapped to 0..1 (``docs/metrics.md``).

Components that cannot be measured (timing for typed text, talking points when there are none) are
left out and the weights of the rest renormalised.
"""

from __future__ import annotations

import math

from redrill.scoring.metrics import Metrics
from redrill.scoring.settings import COMPONENTS, ScoringSettings


def _ramp(value: float, ok: float, full: float) -> float:
    if not math.isfinite(value):
        return 1.0
    if full <= ok:
        return 1.0 if value > ok else 0.0
    return min(1.0, max(0.0, (value - ok) / (full - ok)))


def ramble_components(m: Metrics, settings: ScoringSettings = ScoringSettings()) -> dict[str, float | None]:
    """Each ramble component mapped to 0..1 (None when it cannot be measured for this answer)."""
    out: dict[str, float | None] = dict.fromkeys(COMPONENTS)
    if m.over_target_s is not None:
        maximum = m.target_s[1] if m.target_s else 120.0
        out["over_target"] = _ramp(m.over_target_s, 0.0, settings.over_target_full * max(maximum, 1.0))
    if m.fillers_per_100_words is not None:
        out["fillers"] = _ramp(m.fillers_per_100_words, settings.filler_share_ok, settings.filler_share_full)
    if m.long_pauses is not None and m.duration_s is not None and m.duration_s >= settings.min_rate_s:
        per_min = len(m.long_pauses) / (m.duration_s / 60.0)
        out["long_pauses"] = _ramp(per_min, 0.0, settings.long_pauses_per_min_full)
    if m.words > 0:
        out["restarts"] = _ramp(100.0 * m.restarts / m.words, 0.0, settings.restarts_per_100_full)
        extra = sum(max(0, r.count - 1) for r in m.repeated_phrases)
        out["repetition"] = _ramp(100.0 * extra / m.words, 0.0, settings.repeats_per_100_full)
        out["hedges"] = _ramp(100.0 * m.hedges / m.words, settings.hedges_per_100_ok, settings.hedges_per_100_full)
    if m.talking_points.total:
        out["missing_points"] = len(m.talking_points.missing) / m.talking_points.total
    if m.wpm is not None:
        lo, hi = settings.pace_wpm
        out["pace"] = _ramp(max(0.0, lo - m.wpm, m.wpm - hi), 0.0, settings.pace_off_full_wpm)
    return out


def ramble_score(metrics: Metrics, settings: ScoringSettings = ScoringSettings()) -> float:
    """0-100 weighted mean of the measurable components (rounded to 0.1); always finite."""
    parts = ramble_components(metrics, settings)
    total = weight_sum = 0.0
    for name, weight in settings.weights.items():
        value = parts[name]
        if value is None or not (weight > 0):
            continue
        total += weight * value
        weight_sum += weight
    if weight_sum <= 0:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * total / weight_sum)), 1)
