"""The metrics of one scored answer: one typed model, stored as JSON and read back tolerantly.

:class:`Metrics` is the only description of what is stored about an answer. Its JSON form
(:meth:`Metrics.to_dict`), the list of stored keys (:data:`JSON_KEYS`), the reading of old or damaged
rows (:meth:`Metrics.from_dict`) and the export columns all follow from its fields, so a new metric
is one new field (with a default, so older rows still read). The figures derived from stored ones
(distance from the target length, long pauses, fillers in all, share of points made) are plain
functions over plain values, so the store's SQL fast path computes them with the same code.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from redrill.numbers import number

# A field whose value is a tuple of (key, count) pairs, stored as a JSON object {key: count}.
AS_MAPPING = {"as_mapping": True}
# The field that holds unknown stored keys; they are written back at the top level.
EXTRA = {"extra": True}


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

    @property
    def total(self) -> int:
        return len(self.covered) + len(self.missing)


@dataclass(frozen=True)
class Trailing:
    """A sentence whose last words fell away in loudness: where they start, by how much, what they said."""

    at_s: float
    drop_db: float
    words: str = ""


@dataclass(frozen=True)
class PaceStretch:
    """A stretch of the answer (a pace window) spoken much faster or slower than the rest."""

    start_s: float
    end_s: float
    wpm: float


@dataclass(frozen=True)
class Voice:
    """How the answer sounded, measured on the recording (``docs/metrics.md``, "How it sounded").

    None marks a figure the answer is too short to measure.
    """

    voiced_s: float = 0.0  # seconds of voiced speech the pitch figures rest on
    median_f0_hz: float | None = None
    pitch_range_st: float | None = None  # 10th-90th percentile spread of voiced pitch, semitones
    pitch_sd_st: float | None = None
    loudness_sd_db: float | None = None  # spread of word loudness
    sentences: int = 0  # sentences long enough to judge trailing off
    trailing: tuple[Trailing, ...] = ()
    trailing_share: float | None = None
    pace_cv: float | None = None  # spread of the pace across 10 s windows, % of its mean
    bursts: tuple[PaceStretch, ...] = ()
    drags: tuple[PaceStretch, ...] = ()
    first_word_delay_s: float | None = None  # from the end of the question (the cue) to the first word
    lead_s: float | None = None  # silence the recorder cut before the stored audio; None: unknown


@dataclass(frozen=True)
class Metrics:
    """Everything measured about one answer; None marks a figure that needs timings (typed answers)."""

    duration_s: float | None = None  # first word to last word
    audio_s: float | None = None
    speech_s: float | None = None
    words: int = 0  # fillers not counted
    wpm: float | None = None
    filled_pause_count: int = 0  # um, uh
    filler_count: int = 0  # you know, I mean, filler "like"
    fillers_per_min: float | None = None
    fillers_per_100_words: float | None = None
    fillers: tuple[tuple[str, int], ...] = field(default=(), metadata=AS_MAPPING)
    long_pauses: tuple[Pause, ...] | None = None
    long_pause_total_s: float | None = None
    restarts: int = 0
    restart_examples: tuple[str, ...] = ()
    hedges: int = 0
    hedge_examples: tuple[str, ...] = ()
    repeated_phrases: tuple[RepeatedPhrase, ...] = ()
    target_s: tuple[float, float] | None = None
    over_target_s: float | None = None
    under_target_s: float | None = None
    talking_points: Coverage = Coverage()
    ramble_score: float = 0.0
    # Of filled_pause_count and restarts: how many were heard only in the audio (the words leave them out).
    audio_filled_pauses: int = 0
    audio_restarts: int = 0
    # Fillers the recognizer wrote that the audio search took back (no held sound near a doubted
    # "uh"): not in filled_pause_count.
    unheard_fillers: int = 0
    # The question's self-check prompts the user ticked (covered) and left unticked (missing); empty
    # until they tick them. Their own judgement, never computed: no part of the ramble score.
    self_check: Coverage = Coverage()
    # How it sounded; None for answers without a recording (typed, imported transcripts) and for
    # attempts scored before voice figures existed (``redrill rescore`` fills them in).
    voice: Voice | None = None
    # Stored keys this version does not know (written by a newer redrill): kept, exported, never lost.
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, metadata=EXTRA)

    # --- derived figures -------------------------------------------------------------------------

    @property
    def timed(self) -> bool:
        """True for spoken answers (timing figures measured), False for typed ones."""
        return self.duration_s is not None

    @property
    def distance_from_target_s(self) -> float | None:
        """Seconds outside the target band (0 inside it); None without timings or target."""
        return distance_from_target(self.duration_s, self.target_s)

    @property
    def within_target(self) -> bool | None:
        """True when the length is inside the target band; None when it is unknown (typed answers)."""
        distance = self.distance_from_target_s
        return None if distance is None else distance <= 0.0

    @property
    def long_pause_count(self) -> int | None:
        """How many long pauses; None when pauses could not be measured (typed answers)."""
        return None if self.long_pauses is None else len(self.long_pauses)

    @property
    def fillers_total(self) -> int:
        """Filled pauses (um, uh) plus filler words and phrases (like, you know)."""
        return self.filled_pause_count + self.filler_count

    @property
    def points_covered_share(self) -> float | None:
        """Share of the talking points made (0..1); None when the question has none."""
        total = self.talking_points.total
        return len(self.talking_points.covered) / total if total else None

    # --- storage ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON with the keys of :data:`JSON_KEYS` (plus any unknown keys it was read with)."""
        data = {f.name: _encode(getattr(self, f.name), f) for f in _stored_fields()}
        return {**self.extra, **data}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Metrics:
        """Read :meth:`to_dict` output back. Missing keys (older records) and values of the wrong
        kind (damage) take the field's default: a stored row never stops a command."""
        if not isinstance(data, Mapping):
            return cls()
        known = _decode_dataclass(cls, data)
        extra = {k: v for k, v in data.items() if k not in JSON_KEYS}
        return dataclasses.replace(known, extra=extra) if extra else known


def _stored_fields() -> tuple[dataclasses.Field, ...]:
    return tuple(f for f in dataclasses.fields(Metrics) if not f.metadata.get("extra"))


JSON_KEYS: tuple[str, ...] = tuple(f.name for f in _stored_fields())


def distance_from_target(duration_s: float | None, target_s: Sequence[float] | None) -> float | None:
    """Seconds outside the target band ``(min, max)``, 0 inside it; None when either is unknown.

    The one rule for "how far off the length was", used by scoring, comparison, the schedule and
    ``redrill progress`` alike.
    """
    duration = number(duration_s)
    band = target_band(target_s)
    if duration is None or band is None:
        return None
    lo, hi = band
    return round(max(0.0, lo - duration, duration - hi), 3)


def target_band(value: Any) -> tuple[float, float] | None:
    """A stored target ``[min, max]`` as a tuple of two finite numbers in order, or None."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    lo, hi = number(value[0]), number(value[1])
    if lo is None or hi is None:
        return None
    return (lo, hi) if lo <= hi else (hi, lo)


# --- the JSON codec, driven by the field types ---------------------------------------------------


def _encode(value: Any, f: dataclasses.Field | None = None) -> Any:
    if f is not None and f.metadata.get("as_mapping"):
        return {str(k): v for k, v in value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {g.name: _encode(getattr(value, g.name), g) for g in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))


def _default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    raise TypeError(f"{f.name} is required")  # a nested record without it is dropped as damaged


def _decode_dataclass(cls: type, data: Mapping[str, Any]) -> Any:
    values = {}
    for f in dataclasses.fields(cls):
        if f.metadata.get("extra"):
            continue
        if f.name not in data:
            values[f.name] = _default(f)
            continue
        raw = data[f.name]
        decoded = _decode_mapping(raw) if f.metadata.get("as_mapping") else _decode(_hints(cls)[f.name], raw)
        values[f.name] = _default(f) if decoded is _BAD else decoded
    return cls(**values)


_BAD = object()  # a value that does not fit its type


def _decode_mapping(raw: Any) -> Any:
    if not isinstance(raw, Mapping):
        return _BAD
    out = []
    for k, v in raw.items():
        n = number(v)
        if n is not None:
            out.append((str(k), int(n)))
    return tuple(out)


def _decode(hint: Any, raw: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if raw is None and type(None) in args:
            return None
        for option in args:
            if option is not type(None):
                value = _decode(option, raw)
                if value is not _BAD:
                    return value
        return _BAD
    if origin is tuple:
        if not isinstance(raw, (list, tuple)):
            return _BAD
        if len(args) == 2 and args[1] is Ellipsis:
            items = [_decode(args[0], r) for r in raw]
            return tuple(i for i in items if i is not _BAD)
        if len(args) != len(raw):
            return _BAD
        items = [_decode(a, r) for a, r in zip(args, raw)]
        return _BAD if any(i is _BAD for i in items) else tuple(items)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(raw, Mapping):
            return _BAD
        try:
            return _decode_dataclass(hint, raw)
        except TypeError:  # a required field missing in a nested record
            return _BAD
    if hint is float:
        n = number(raw)
        return _BAD if n is None else n
    if hint is int:
        n = number(raw)
        return _BAD if n is None else int(n)
    if hint is str:
        return raw if isinstance(raw, str) else _BAD
    if hint is bool:
        return raw if isinstance(raw, bool) else _BAD
    if origin is dict or hint is dict:
        return dict(raw) if isinstance(raw, Mapping) else _BAD
    return raw
