"""Timing from word timestamps and voice activity: long pauses and time spent speaking."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def _merge(intervals: Iterable[tuple[float, float]], gap: float = 0.0) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for s, e in sorted(intervals):
        if out and s - out[-1][1] < gap + 1e-9:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _finite_regions(speech: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out = []
    for region in speech:
        try:
            s, e = float(region[0]), float(region[1])
        except (TypeError, ValueError, IndexError):
            continue
        if math.isfinite(s) and math.isfinite(e) and e >= s:
            out.append((s, e))
    return out


# How far a speech region may reach past the words on either side of a gap and still be the same
# words: voice activity pads and smears its edges by up to a few hundred milliseconds.
SPEECH_EDGE_S = 0.4


def _outside(start: float, end: float, regions: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of [start, end] that no speech region covers (all of it when there are none),
    each region taken :data:`SPEECH_EDGE_S` narrower on both sides."""
    parts, at = [], start
    for s, e in regions:
        s, e = s + SPEECH_EDGE_S, e - SPEECH_EDGE_S
        if e <= s:
            continue
        if e <= at or s >= end:
            continue
        if s > at:
            parts.append((at, s))
        at = max(at, e)
    if at < end:
        parts.append((at, end))
    return parts


def long_pauses(
    spans: list[tuple[float, float]],
    speech: Sequence[tuple[float, float]] | None,
    first: float,
    last: float,
    threshold: float,
) -> list[tuple[float, float]]:
    """Silences >= threshold inside the answer, from word gaps and VAD gaps, each counted once."""
    eps = 1e-6
    silences: list[tuple[float, float, bool]] = []  # (start, end, measured from the audio)
    regions = _merge(_finite_regions(speech)) if speech else []
    running_end = None
    for s, e in sorted(spans):
        if running_end is not None and s - running_end >= threshold - eps:
            # A gap between the words is silence only where the audio is silent too: when the
            # recognizer drops words ("umm, a vendor"), their time is a gap in the words but
            # speech in the audio, and calling it a pause would blame the user for Whisper.
            for quiet_start, quiet_end in _outside(running_end, s, regions):
                if quiet_end - quiet_start >= threshold - eps:
                    silences.append((quiet_start, quiet_end, False))
        running_end = e if running_end is None else max(running_end, e)
    if regions:
        for (_, a_end), (b_start, _) in zip(regions, regions[1:]):
            s, e = max(a_end, first), min(b_start, last)
            if e - s >= threshold - eps:
                silences.append((s, e, True))
    # Where a word gap and a VAD silence overlap they are the same silence, timed differently by
    # the two sources: count it once. The VAD silence is measured on the audio itself, so it wins
    # (Whisper's word edges often stretch into or away from a pause); among intervals of the same
    # source the longer one is kept (a union would add up the disagreement between them).
    out: list[tuple[float, float, bool]] = []
    cluster_end = -math.inf
    for s, e, audio in sorted(silences):
        if out and s < cluster_end:
            _, _, kept_audio = out[-1]
            longer = e - s > out[-1][1] - out[-1][0]
            if (audio and not kept_audio) or (audio == kept_audio and longer):
                out[-1] = (s, e, audio)
            cluster_end = max(cluster_end, e)
        else:
            out.append((s, e, audio))
            cluster_end = e
    return [(s, e) for s, e, _ in out]


def speech_seconds(
    spans: list[tuple[float, float]],
    speech: Sequence[tuple[float, float]] | None,
    first: float,
    last: float,
    gap: float,
) -> float:
    if speech:
        total = 0.0
        for s, e in _merge(_finite_regions(speech)):
            lo, hi = max(s, first), min(e, last)
            if hi > lo:
                total += hi - lo
        return total
    return sum(e - s for s, e in _merge(spans, gap=gap))
