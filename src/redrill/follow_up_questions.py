"""Follow-up questions: what an interviewer asks after an answer ("And what was your part?").

Real interviews rarely stop at the first answer. After an answer the drill (and a mock interview)
can ask ONE follow-up question, read aloud like the question itself, chosen by
:func:`pick_follow_up` (pure) in this order:

1. **one of your own points is missing**: a point you wrote down in a debrief ("what I wish I had
   said") that the answer did not cover -> ``Tell me more about this part of the story: <point>.``;
2. **"we" but never "I" in the action part** of a story answer -> ``What was your part in that,
   personally?`` (the action part is the middle of the answer, :data:`ACTION_PART`: situation and
   task come first, the result last);
3. **no number and no outcome** in a story answer -> ``How did you measure the result?``;
4. otherwise the **bank's follow-ups** for the question (``follow_ups:`` in a bank), each in turn.

Rules 2 and 3 apply to story questions only (tagged ``star``, or worded "Tell me about a time",
"Describe", "Give me an example", "Walk me through"): "What do you do outside work?" has no result
to measure. The answer to a follow-up is stored as its own attempt, linked to the answer it
followed, under the question id ``<question>/follow-up`` (no bank id can contain a slash), so it has
its own history and never counts in the main question's medians or schedule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from redrill.banks import Question

FOLLOW_UP_SUFFIX = "/follow-up"
# A follow-up answer is shorter than a whole story: a focused 20-60 seconds.
FOLLOW_UP_TARGET = (20.0, 60.0)
# The action part of a story answer, as shares of its words: STAR's situation and task take about
# the first quarter (10-15 s each of 60-120 s), the result about the last fifth.
ACTION_PART = (0.25, 0.80)
# Rules on the answer need enough of it to judge; a few words are a problem of their own.
MIN_WORDS_FOR_RULES = 20

MEASURE_RESULT = "How did you measure the result?"
YOUR_PART = "What was your part in that, personally?"
OWN_POINT = "Tell me more about this part of the story: {point}."

# The reasons, as stored and shown ("why this follow-up").
BANK, OWN_POINT_MISSING, WE_NOT_I, NO_RESULT = "bank", "own-point", "we-not-i", "no-result"
REASONS = {
    BANK: "from the question bank",
    OWN_POINT_MISSING: "you did not make one of your own points",
    WE_NOT_I: "you said 'we' but never 'I' about what was done",
    NO_RESULT: "you gave no number and no outcome",
}

_STORY_START = re.compile(
    r"^\s*(tell me about|describe|give me an example|walk me through|talk me through)\b", re.IGNORECASE
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|%|\$|£|€")
_WE = frozenset({"we", "we're", "we've", "we'd", "we'll", "us", "our", "ours", "ourselves"})
_I = frozenset({"i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "myself"})
# Spoken numbers: "one" is left out (no one, one day), as are "a" and "an".
_NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty
    sixty seventy eighty ninety hundred hundreds thousand thousands million millions billion half
    halved double doubled twice triple tripled percent percentage""".split()
)
# Words that say how it ended (compared by prefix, so "reduced", "reducing" count as "reduc").
_OUTCOME_PREFIXES = (
    "result",
    "outcome",
    "impact",
    "saved",
    "saving",
    "reduc",
    "increas",
    "improv",
    "grew",
    "grow",
    "shipped",
    "launched",
    "delivered",
    "fixed",
    "resolved",
    "solved",
    "won",
    "achiev",
    "succe",
    "complet",
    "faster",
    "cheaper",
    "fewer",
    "lower",
    "higher",
    "dropped",
    "raised",
    "cut",
    "ended up",
    "in the end",
    "which meant",
    "so that",
    "as a result",
)


@dataclass(frozen=True)
class FollowUp:
    """One follow-up question and why it was chosen (``reason`` is a key of :data:`REASONS`)."""

    text: str
    reason: str
    point: str | None = None  # the user's own point it asks about (rule 1)

    @property
    def why(self) -> str:
        """The reason in plain words."""
        return REASONS.get(self.reason, self.reason)


def plain_json(value) -> dict:
    """A metrics, comparison or coverage value as plain JSON (the typed models or their dicts)."""
    if value is None:
        return {}
    for name in ("to_dict", "to_json"):
        convert = getattr(value, name, None)
        if convert is not None:
            return convert()
    return dict(value)


def follow_up_id(question_id: str) -> str:
    """The question id follow-up answers to ``question_id`` are stored under."""
    return question_id + FOLLOW_UP_SUFFIX


def is_follow_up_id(question_id: str) -> bool:
    """True for the id of a follow-up answer (see :func:`follow_up_id`)."""
    return question_id.endswith(FOLLOW_UP_SUFFIX)


def is_story_question(question: Question) -> bool:
    """A question that asks for a story with a result (tag ``star``, or its wording)."""
    return "star" in question.tags or bool(_STORY_START.match(question.text))


def words(text: str) -> list[str]:
    """The answer's words, lower case, apostrophes straightened (numbers and % kept)."""
    return [w.replace("’", "'") for w in _WORD.findall(text.lower().replace("’", "'"))]


def says_number_or_outcome(text: str) -> bool:
    """True when the answer names a number ("40 %", "two weeks", "halved") or an outcome
    ("as a result", "we shipped", "it reduced ...")."""
    tokens = words(text)
    if any(any(c.isdigit() for c in t) or t in ("%", "$", "£", "€") or t in _NUMBER_WORDS for t in tokens):
        return True
    joined = " " + " ".join(tokens) + " "
    for prefix in _OUTCOME_PREFIXES:
        if " " in prefix:
            if f" {prefix} " in joined:
                return True
        elif any(t.startswith(prefix) for t in tokens):
            return True
    return False


def we_without_i(text: str) -> bool:
    """True when the action part of the answer (see :data:`ACTION_PART`) says "we" at least twice
    and never "I" (or me, my, myself)."""
    tokens = words(text)
    lo, hi = int(len(tokens) * ACTION_PART[0]), int(round(len(tokens) * ACTION_PART[1]))
    action = tokens[lo:hi]
    return sum(t in _WE for t in action) >= 2 and not any(t in _I for t in action)


def missing_own_point(own_points: Sequence[str], metrics: dict) -> str | None:
    """The first of the user's own points that scoring found missing from the answer."""
    points = metrics.get("talking_points") or {}
    missing = {p.casefold() for p in points.get("missing") or []}
    return next((p for p in own_points if p.casefold() in missing), None)


def pick_follow_up(
    question: Question,
    answer_text: str,
    metrics: dict,
    *,
    own_points: Sequence[str] = (),
    asked_before: Sequence[str] = (),
) -> FollowUp | None:
    """The one follow-up to ask after this answer, or None (see the module docstring for the order).

    ``metrics`` is the scored answer's metrics, typed or as a dict (its talking-point coverage
    decides rule 1);
    ``own_points`` are the user's own points for this question (debrief wish-I-said), in their
    order; ``asked_before`` are the bank follow-ups already asked for this question, oldest first,
    so each is asked in turn.
    """
    metrics = plain_json(metrics)
    point = missing_own_point(own_points, metrics)
    if point is not None:
        return FollowUp(OWN_POINT.format(point=point.strip().rstrip(".")), OWN_POINT_MISSING, point)
    if is_story_question(question) and len(words(answer_text)) >= MIN_WORDS_FOR_RULES:
        if we_without_i(answer_text):
            return FollowUp(YOUR_PART, WE_NOT_I)
        if not says_number_or_outcome(answer_text):
            return FollowUp(MEASURE_RESULT, NO_RESULT)
    if question.follow_ups:
        asked = [a.casefold() for a in asked_before]
        fresh = [f for f in question.follow_ups if f.casefold() not in asked]
        if fresh:
            return FollowUp(fresh[0], BANK)
        # All asked: the one asked longest ago comes round again.
        last_asked = {text: i for i, text in enumerate(asked)}
        return FollowUp(min(question.follow_ups, key=lambda f: last_asked.get(f.casefold(), -1)), BANK)
    return None


def as_question(main: Question, follow_up: FollowUp) -> Question:
    """The follow-up as a question of its own, for recording and scoring its answer."""
    # Only the user's own point is a point to check: "what was your part" has no words to look for.
    points = (follow_up.point,) if follow_up.point else ()
    return Question(
        id=follow_up_id(main.id),
        text=follow_up.text,
        tags=("follow-up",),
        target_seconds=FOLLOW_UP_TARGET,
        talking_points=points,
        bank=main.bank,
        source=main.source,
    )
