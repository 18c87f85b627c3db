"""The ramble score: a weighted mean of components each mapped to 0..1 (``docs/metrics.md``).

Components that cannot be measured (timing for typed text, talking points when there are none) are
left out and the weights of the rest renormalised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from redrill.numbers import number
from redrill.scoring.metrics import Metrics
from redrill.scoring.settings import COMPONENTS, ScoringSettings


def _ramp(value: float, ok: float, full: float) -> float:
    if not math.isfinite(value):
        return 1.0
    if full <= ok:
        return 1.0 if value > ok else 0.0
    return min(1.0, max(0.0, (value - ok) / (full - ok)))


def ramble_components(
    metrics: Metrics | Mapping[str, Any], settings: ScoringSettings = ScoringSettings()
) -> dict[str, float | None]:
    """Each ramble component mapped to 0..1 (None when it cannot be measured for this answer)."""
    m = metrics.to_json() if isinstance(metrics, Metrics) else metrics
    words = int(m.get("words") or 0)
    duration = number(m.get("duration_s"))
    target = m.get("target_s") or (60.0, 120.0)
    out: dict[str, float | None] = dict.fromkeys(COMPONENTS)
    over = number(m.get("over_target_s"))
    if over is not None:
        out["over_target"] = _ramp(over, 0.0, settings.over_target_full * max(float(target[1]), 1.0))
    share = number(m.get("fillers_per_100_words"))
    if share is not None:
        out["fillers"] = _ramp(share, settings.filler_share_ok, settings.filler_share_full)
    pauses = m.get("long_pauses")
    if pauses is not None and duration is not None and duration >= settings.min_rate_s:
        out["long_pauses"] = _ramp(len(pauses) / (duration / 60.0), 0.0, settings.long_pauses_per_min_full)
    if words > 0:
        out["restarts"] = _ramp(100.0 * int(m.get("restarts") or 0) / words, 0.0, settings.restarts_per_100_full)
        extra = sum(max(0, int(r.get("count", 0)) - 1) for r in m.get("repeated_phrases") or ())
        out["repetition"] = _ramp(100.0 * extra / words, 0.0, settings.repeats_per_100_full)
        out["hedges"] = _ramp(
            100.0 * int(m.get("hedges") or 0) / words, settings.hedges_per_100_ok, settings.hedges_per_100_full
        )
    points = m.get("talking_points") or {}
    total_points = len(points.get("covered") or ()) + len(points.get("missing") or ())
    if total_points:
        out["missing_points"] = len(points.get("missing") or ()) / total_points
    wpm = number(m.get("wpm"))
    if wpm is not None:
        lo, hi = settings.pace_wpm
        out["pace"] = _ramp(max(0.0, lo - wpm, wpm - hi), 0.0, settings.pace_off_full_wpm)
    return out


def ramble_score(metrics: Metrics | Mapping[str, Any], settings: ScoringSettings = ScoringSettings()) -> float:
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
