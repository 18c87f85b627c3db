"""Length advice that fits the kind of question (``docs/metrics.md``, "Length advice").

A behavioural story, a tell-me-about-yourself pitch and a short factual answer go wrong in
different ways when they run long or short, so one sentence for all of them is advice the user
learns to skip. The kind comes from the question's tags and target length (pure; no bank I/O).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

STORY, INTRO, SHORT, EXPLAIN = "story", "intro", "short", "explain"

# Tags that mark a question as a pitch about yourself rather than a story or an explanation.
_INTRO_TAGS = frozenset({"introduction", "pitch", "background"})
_INTRO_IDS = frozenset({"tell-me-about-yourself", "walk-through-cv"})
_STORY_TAGS = frozenset({"star", "story"})
# A target maximum at or under this many seconds asks for a short, direct answer.
SHORT_MAX_S = 75.0


def answer_kind(tags: Iterable[str] = (), target_seconds: Sequence[float] | None = None, question_id: str = "") -> str:
    """``intro``, ``story``, ``short`` or ``explain`` for a question (its tags win over its length)."""
    tagset = {t.casefold() for t in tags}
    if question_id in _INTRO_IDS or tagset & _INTRO_TAGS:
        return INTRO
    if tagset & _STORY_TAGS:
        return STORY
    if target_seconds is not None and len(target_seconds) == 2 and max(target_seconds) <= SHORT_MAX_S:
        return SHORT
    return EXPLAIN


_OVER = {
    STORY: "keep the situation to a sentence or two and spend the time on what you did and the result",
    INTRO: "give where you are now, one or two highlights and why this role, then stop",
    SHORT: "give the answer and one reason in two or three sentences, then stop",
    EXPLAIN: "lead with your main point and drop the detours",
}
_UNDER = {
    STORY: "say more about what you did and how it turned out",
    INTRO: "add a result you are proud of and why this role is your next step",
    SHORT: "add one concrete reason or example",
    EXPLAIN: "add a concrete example from your own work",
}


def length_advice(kind: str, over: bool) -> str:
    """What to do about an answer of this kind that ran long (``over``) or short."""
    table = _OVER if over else _UNDER
    return table.get(kind, table[EXPLAIN])
