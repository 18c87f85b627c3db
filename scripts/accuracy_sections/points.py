"""Talking points: redrill's judgement on labelled (answer, point) pairs (``scripts/accuracy_points.py``).

Pure text: no speech, no model, about a second.
"""

from __future__ import annotations

TITLE = "Talking points"
ORDER = 5
NEEDS_SPEECH = False


def run(ctx) -> None:
    import accuracy_points

    accuracy_points.section()
