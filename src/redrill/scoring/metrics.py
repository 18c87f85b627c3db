"""The metrics of one scored answer: one typed model, stored as JSON and read back tolerantly."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pause:
    """A long silence: where it starts (s from the start of the recording) and how long it is."""

    at_s: float
    length_s: float


@dataclass(frozen=True)
class RepeatedPhrase:
    """A phrase the answer keeps coming back to."""

    phrase: str
    count: int


@dataclass(frozen=True)
class Coverage:
    """Which talking points the answer made, in the question's order."""

    covered: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


JSON_KEYS = (
    "duration_s",
    "audio_s",
    "speech_s",
    "words",
    "wpm",
    "filled_pause_count",
    "filler_count",
    "fillers_per_min",
    "fillers_per_100_words",
    "fillers",
    "long_pauses",
    "long_pause_total_s",
    "restarts",
    "restart_examples",
    "hedges",
    "hedge_examples",
    "repeated_phrases",
    "target_s",
    "over_target_s",
    "under_target_s",
    "talking_points",
    "ramble_score",
)


@dataclass(frozen=True)
class Metrics:
    """Everything measured about one answer; None marks a figure that needs timings."""

    duration_s: float | None
    audio_s: float | None
    speech_s: float | None
    words: int
    wpm: float | None
    filled_pause_count: int
    filler_count: int
    fillers_per_min: float | None
    fillers_per_100_words: float | None
    fillers: tuple[tuple[str, int], ...]
    long_pauses: tuple[Pause, ...] | None
    long_pause_total_s: float | None
    restarts: int
    restart_examples: tuple[str, ...]
    hedges: int
    hedge_examples: tuple[str, ...]
    repeated_phrases: tuple[RepeatedPhrase, ...]
    target_s: tuple[float, float]
    over_target_s: float | None
    under_target_s: float | None
    talking_points: Coverage
    ramble_score: float

    def to_json(self) -> dict:
        """Plain JSON with exactly the keys of :data:`JSON_KEYS`."""
        return {
            "duration_s": self.duration_s,
            "audio_s": self.audio_s,
            "speech_s": self.speech_s,
            "words": self.words,
            "wpm": self.wpm,
            "filled_pause_count": self.filled_pause_count,
            "filler_count": self.filler_count,
            "fillers_per_min": self.fillers_per_min,
            "fillers_per_100_words": self.fillers_per_100_words,
            "fillers": dict(self.fillers),
            "long_pauses": None
            if self.long_pauses is None
            else [{"at_s": p.at_s, "length_s": p.length_s} for p in self.long_pauses],
            "long_pause_total_s": self.long_pause_total_s,
            "restarts": self.restarts,
            "restart_examples": list(self.restart_examples),
            "hedges": self.hedges,
            "hedge_examples": list(self.hedge_examples),
            "repeated_phrases": [{"phrase": r.phrase, "count": r.count} for r in self.repeated_phrases],
            "target_s": [self.target_s[0], self.target_s[1]],
            "over_target_s": self.over_target_s,
            "under_target_s": self.under_target_s,
            "talking_points": {
                "covered": list(self.talking_points.covered),
                "missing": list(self.talking_points.missing),
            },
            "ramble_score": self.ramble_score,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Metrics:
        """Read :meth:`to_json` output back; missing keys become None/empty (older records)."""
        pauses = data.get("long_pauses")
        points = data.get("talking_points") or {}
        target = data.get("target_s") or (60.0, 120.0)
        return cls(
            duration_s=number(data.get("duration_s")),
            audio_s=number(data.get("audio_s")),
            speech_s=number(data.get("speech_s")),
            words=int(data.get("words") or 0),
            wpm=number(data.get("wpm")),
            filled_pause_count=int(data.get("filled_pause_count") or 0),
            filler_count=int(data.get("filler_count") or 0),
            fillers_per_min=number(data.get("fillers_per_min")),
            fillers_per_100_words=number(data.get("fillers_per_100_words")),
            fillers=tuple((str(k), int(v)) for k, v in (data.get("fillers") or {}).items()),
            long_pauses=None
            if pauses is None
            else tuple(Pause(float(p["at_s"]), float(p["length_s"])) for p in pauses),
            long_pause_total_s=number(data.get("long_pause_total_s")),
            restarts=int(data.get("restarts") or 0),
            restart_examples=tuple(str(s) for s in data.get("restart_examples") or ()),
            hedges=int(data.get("hedges") or 0),
            hedge_examples=tuple(str(s) for s in data.get("hedge_examples") or ()),
            repeated_phrases=tuple(
                RepeatedPhrase(str(r["phrase"]), int(r["count"])) for r in data.get("repeated_phrases") or ()
            ),
            target_s=(float(target[0]), float(target[1])),
            over_target_s=number(data.get("over_target_s")),
            under_target_s=number(data.get("under_target_s")),
            talking_points=Coverage(
                tuple(str(p) for p in points.get("covered") or ()), tuple(str(p) for p in points.get("missing") or ())
            ),
            ramble_score=float(data.get("ramble_score") or 0.0),
        )


def number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None
