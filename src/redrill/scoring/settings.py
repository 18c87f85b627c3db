"""Scoring settings: thresholds and ramble weights (defaults follow the norms in ``docs/metrics.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RambleWeights:
    """Weight of each ramble component (they need not sum to 100: the score is a weighted mean)."""

    over_target: float = 25.0
    fillers: float = 20.0
    long_pauses: float = 10.0
    restarts: float = 10.0
    repetition: float = 10.0
    hedges: float = 5.0
    missing_points: float = 10.0
    pace: float = 10.0

    def items(self) -> tuple[tuple[str, float], ...]:
        """(component, weight) pairs in a fixed order."""
        return tuple((name, getattr(self, name)) for name in COMPONENTS)


COMPONENTS = ("over_target", "fillers", "long_pauses", "restarts", "repetition", "hedges", "missing_points", "pace")


@dataclass(frozen=True)
class ScoringSettings:
    """Thresholds and weights of scoring; the defaults follow the norms in ``docs/metrics.md``."""

    # A silence at least this long inside the answer is a long pause (2-3 s reads as a stall).
    long_pause_s: float = 2.0
    # Comfortable pace band in words per minute (coaches use 130-160).
    pace_wpm: tuple[float, float] = (130.0, 160.0)
    # Without VAD, word spans closer than this are joined into one stretch of speech.
    speech_merge_gap_s: float = 0.3
    # Per-minute rates (wpm, fillers/min, pauses/min) need at least this much answer time.
    min_rate_s: float = 1.0
    # A talking point is covered when this share of its content words appears in the answer.
    point_coverage: float = 0.6
    # Repetition: how often an n-gram must occur to be reported.
    bigram_min_count: int = 3
    trigram_min_count: int = 3
    long_ngram_min_count: int = 2  # 4 and 5 words
    stock_phrase_min_count: int = 2
    max_ngram: int = 5
    max_reported_phrases: int = 10
    max_examples: int = 5
    # Ramble components: weights and the values at which each one is 0 ("ok") and 1 ("full").
    weights: RambleWeights = field(default_factory=RambleWeights)
    over_target_full: float = 0.5  # over the maximum by this fraction of the maximum -> 1
    filler_share_ok: float = 2.0  # fillers per 100 spoken words
    filler_share_full: float = 8.0
    long_pauses_per_min_full: float = 4.0
    restarts_per_100_full: float = 5.0
    repeats_per_100_full: float = 4.0  # extra occurrences of repeated phrases per 100 words
    hedges_per_100_ok: float = 1.0
    hedges_per_100_full: float = 5.0
    pace_off_full_wpm: float = 40.0  # this far outside the pace band -> 1
