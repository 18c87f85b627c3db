"""Talking-point coverage: which of the points a good answer makes were said."""

from __future__ import annotations

import math
from collections.abc import Sequence

from redrill.scoring.metrics import Coverage
from redrill.scoring.words import content_stems, stem, words_of


def find_coverage(points: Sequence[str], answer_stems: set[str], share: float) -> Coverage:
    covered, missing = [], []
    for point in points:
        words = words_of(point)
        stems = content_stems(words) or {stem(w) for w in words}
        if not stems:
            continue
        needed = max(1, math.ceil(share * len(stems) - 1e-9))
        hits = sum(1 for s in stems if s in answer_stems)
        (covered if hits >= needed else missing).append(point)
    return Coverage(tuple(covered), tuple(missing))
