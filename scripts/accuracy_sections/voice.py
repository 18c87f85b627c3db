"""Voice: pitch spread and trailing off against rendered ground truth (``scripts/accuracy_voice.py``).

Renders its own deliveries (monotone and lively readings of the same texts, answers whose loudness
falls at chosen sentence ends), so it does not need the shared labelled set.
"""

from __future__ import annotations

TITLE = "Voice: pitch spread and trailing off (tiny.en word timings)"
ORDER = 90
NEEDS_SPEECH = False


def run(ctx) -> None:
    import accuracy_voice

    print(accuracy_voice.table(accuracy_voice.run()))
