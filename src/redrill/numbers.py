"""The one guard for numbers read from stored or imported data (metrics JSON, transcripts)."""

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
