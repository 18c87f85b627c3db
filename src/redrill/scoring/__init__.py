"""Scoring: what one answer measured, how it compares with the user's earlier answers, what to say.

Pure functions over plain data: no I/O, no clock, no database, no adapters (a test checks that this
package imports nothing outside itself but :mod:`redrill.errors` and :mod:`redrill.transcript`).

* :func:`score` measures one transcript into :class:`Metrics` (``measure``), from ``words``,
  ``fillers``, ``disfluency`` (restarts, hedges, repetition), ``points`` (talking points),
  ``timing`` (pauses, speaking time) and ``ramble`` (the ramble score), tuned by
  :class:`ScoringSettings` (``settings``).
* :func:`annotate` marks a transcript's tokens with the same rules, for showing it.
* ``comparison`` sets an answer against earlier attempts (better, worse or the same by the one
  noise-margin rule of ``margins``); ``feedback`` turns that into advice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Where each public name lives. They load on first use (module ``__getattr__``), so a command that
# needs only :class:`Metrics` (``redrill progress`` reading thousands of stored figures) does not
# pay for the transcript rules it never runs.
_HOME = {
    "AnnotatedToken": "annotation",
    "annotate": "annotation",
    "score": "measure",
    "JSON_KEYS": "metrics",
    "Coverage": "metrics",
    "Metrics": "metrics",
    "Pause": "metrics",
    "RepeatedPhrase": "metrics",
    "ramble_components": "ramble",
    "ramble_score": "ramble",
    "RambleWeights": "settings",
    "ScoringSettings": "settings",
    "STOPWORDS": "words",
    "normalise": "words",
    "stem": "words",
}

if TYPE_CHECKING:
    from redrill.scoring.annotation import AnnotatedToken, annotate
    from redrill.scoring.measure import score
    from redrill.scoring.metrics import JSON_KEYS, Coverage, Metrics, Pause, RepeatedPhrase
    from redrill.scoring.ramble import ramble_components, ramble_score
    from redrill.scoring.settings import RambleWeights, ScoringSettings
    from redrill.scoring.words import STOPWORDS, normalise, stem


def __getattr__(name: str):
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'redrill.scoring' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"redrill.scoring.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "JSON_KEYS",
    "STOPWORDS",
    "AnnotatedToken",
    "Coverage",
    "Metrics",
    "Pause",
    "RambleWeights",
    "RepeatedPhrase",
    "ScoringSettings",
    "annotate",
    "normalise",
    "ramble_components",
    "ramble_score",
    "score",
    "stem",
]
