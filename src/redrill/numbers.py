"""The one guard for numbers read from stored or imported data (metrics JSON, transcripts), and the
one way redrill writes a length of time (:func:`length_text`: ``45 s``, ``2:00``, ``1:02:05``).

Every command, the feedback lines and the HTML report write lengths with :func:`length_text`, so an
answer that ran 119.5 s reads the same everywhere. The value is rounded to whole seconds *before* it
is split into minutes and seconds: splitting first gave "1:60".
"""

from __future__ import annotations

import math
from typing import Any


def number(value: Any, *, finite: bool = True) -> float | None:
    """``value`` as a float when it is a real number, else None.

    Booleans and strings are not numbers here (a stored ``"3"`` or ``true`` is damage, not a
    figure). With ``finite`` (the default) NaN and infinity are None too; callers that must tell
    the user "not a finite number" pass ``finite=False`` and check themselves.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    out = float(value)
    return out if not finite or math.isfinite(out) else None


def length_text(seconds: float | None, *, clock: bool = False) -> str:
    """``8.2`` -> ``8 s``, ``119.5`` -> ``2:00``, ``3725`` -> ``1:02:05``; None (or not a finite
    number) -> ``-``. With ``clock`` a length under a minute is written ``0:45`` too (for a
    ``played / total`` display whose width must not jump)."""
    value = number(seconds)
    if value is None:
        return "-"
    sign = "-" if value < 0 else ""
    total = int(round(abs(value)))
    if total < 60 and not clock:
        return f"{sign}{total} s"
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes}:{secs:02d}"


def plural(n: float, word: str, words: str | None = None) -> str:
    """``1 filler``, ``2 fillers``, ``0 fillers`` (``words``: an irregular plural). One rule for the
    terminal and the HTML report."""
    count = int(n)
    return f"{count} {word if count == 1 else (words or word + 's')}"
