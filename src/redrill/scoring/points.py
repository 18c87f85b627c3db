"""Talking-point coverage: which of the points the user means to make were said.

A talking point is *content*: words the user would say ("rolled back within the hour", "token
bucket per API key"), written in a debrief, with ``redrill flag --wish`` or in a bank's
``talking_points``. A point is made when enough of its content words appear in the answer in any
form that keeps their meaning: the stemmer (:func:`redrill.scoring.words.stem`) maps disagree,
disagreed and disagreeing to one stem, and compounds are matched both ways ("rollback" and "rolled
back"). Rubric prompts about the shape of an answer ("the situation and what was at stake") are not
talking points: no word list can check them, so banks list them under ``self_check`` and the user
ticks them (``docs/metrics.md``, "Talking points").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from redrill.scoring.metrics import Coverage
from redrill.scoring.words import STOPWORDS, content_stems, stem, words_of

Stemmer = Callable[[str], str]


def answer_stems(words: Sequence[str], stemmer: Stemmer = stem) -> set[str]:
    """Every stem the answer's words can stand for: each word, each hyphenated part, each word
    with its hyphens dropped, and each pair of neighbours written as one ("roll back" ->
    "rollback", "follow up" -> "followup")."""
    out = content_stems(words, stemmer)
    out |= {stemmer(w) for w in words}
    for a, b in zip(words, words[1:]):
        out |= _compound(a, b, stemmer)
    for w in words:
        if "-" in w:
            out.add(stemmer(w.replace("-", "")))
    return out


def point_stems(point: str, stemmer: Stemmer = stem) -> set[str]:
    """The stems a point needs: its content words, or all its words when it has only stopwords.
    A compound in the point ("rollback") also counts as said when the answer splits it."""
    words = words_of(point)
    return content_stems(words, stemmer) or {stemmer(w) for w in words if w}


def find_coverage(
    points: Sequence[str], answer_words: Sequence[str], share: float, *, stemmer: Stemmer = stem
) -> Coverage:
    """Covered and missing points, in the given order: a point is covered when at least ``share``
    of its stems (and at least one) are among the answer's stems."""
    said = answer_stems(answer_words, stemmer)
    covered: list[str] = []
    missing: list[str] = []
    for point in points:
        stems = point_stems(point, stemmer)
        if not stems:
            continue
        needed = max(1, math.ceil(share * len(stems) - 1e-9))
        found = {s for s in stems if s in said}
        # "rolled back" in a point is said by "rollback" in the answer: both words count.
        words = words_of(point)
        for a, b in zip(words, words[1:]):
            if _compound(a, b, stemmer) & said:
                found |= {stemmer(a), stemmer(b)} & stems
        (covered if len(found) >= needed else missing).append(point)
    return Coverage(tuple(covered), tuple(missing))


def _compound(a: str, b: str, stemmer: Stemmer) -> set[str]:
    """Stems two neighbouring words may be written as in one word: "roll back" and "rolled back"
    as "rollback", "follow up" as "followup"."""
    a, b = a.replace("-", ""), b.replace("-", "")
    return {stemmer(a + b), stemmer(stemmer(a) + b)}


__all__ = ["STOPWORDS", "answer_stems", "find_coverage", "point_stems"]
