"""A short follow-up note after an interview: thanks, one line on the role, and the point you forgot.

The advice redrill follows: a brief thank-you can add what you did not say ("In addition to my
answer on X, ..."); no list of mistakes, no apologies. :func:`draft_followup` is pure and keeps the
note under :data:`MAX_WORDS` words; :func:`write_followup` saves it user-only for editing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

MAX_WORDS = 120
RATING_ORDER = {"bombed": 0, "shaky": 1, "ok": 2, "nailed": 3}
_PRONOUN_START = re.compile(r"^(i|we|my|our)\b", re.IGNORECASE)
# Points are usually jotted as "rolled back within an hour": a leading past-tense verb reads
# naturally after "I'd like to add that I ...".
_COMMON_VERBS = {
    "led",
    "built",
    "made",
    "took",
    "wrote",
    "ran",
    "chose",
    "set",
    "found",
    "kept",
    "saw",
    "told",
    "spoke",
    "cut",
    "got",
    "put",
    "gave",
    "knew",
    "met",
    "paid",
    "sent",
    "won",
    "taught",
    "brought",
    "thought",
    "drove",
    "grew",
    "read",
    "began",
}


def join_naturally(points: Sequence[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"`` (trailing full stops removed)."""
    items = [p.strip().rstrip(".;,") for p in points if p.strip()]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# Quoting "Tell me about a mistake you made" back would put the word "mistake" in a note that must
# not read as a list of mistakes; such questions are referred to without quoting them.
_TOUCHY = re.compile(r"\b(mistakes?|fail\w*|sorry|regret\w*|weakness\w*|wrong)\b", re.IGNORECASE)


def _answer_on(question: str) -> str:
    text = question.strip().rstrip("?.! ")
    if not text or _TOUCHY.search(text):
        return "In addition to my answers in the interview"
    return f'In addition to my answer on "{text}"'


def pick_addition(flags) -> tuple[str, list[str]] | None:
    """The question to add to (weakest rating first, bombed before shaky) and its points.

    Only flags with wish-I-said points count: a note cannot add what the user never wrote down.
    """
    with_points = [f for f in flags if f.wish_i_said]
    if not with_points:
        return None
    best = min(with_points, key=lambda f: (RATING_ORDER.get(f.rating, 9), f.id))
    return best.question_text, list(best.wish_i_said)


def _words(text: str) -> int:
    return len(text.split())


def draft_followup(interview, flags, *, sender: str = "") -> str:
    """Draft the note for one interview (pure); ``flags`` are that interview's flagged questions."""
    company = interview.company.strip()
    role = interview.role.strip()
    at = f" at {company}" if company else ""
    about = f"the {role} role{at}" if role else (f"the role{at}" if at else "the role")
    opening = f"Thank you for taking the time to talk with me about {about}."
    role_line = "I enjoyed learning how the team works, and I'm even more interested in the role now."
    closing = "Thank you again for your time. I look forward to hearing from you."
    sign = "Best regards," + (f"\n{sender}" if sender else "")

    def build(points: list[str] | None, question: str | None) -> str:
        parts = ["Hello,", "", opening + " " + role_line]
        if points:
            joined = join_naturally(points)
            first = joined.split()[0].lower()
            if _PRONOUN_START.match(joined):
                lead = "I'd like to add that "
            elif first in _COMMON_VERBS or (first.endswith("ed") and len(first) > 4):
                lead = "I'd like to add that I "
                joined = joined[0].lower() + joined[1:]
            else:
                lead = "I'd like to add: "
            parts += ["", f"{_answer_on(question)}, {lead}{joined}."]
        parts += ["", closing, "", sign]
        return "\n".join(parts) + "\n"

    addition = pick_addition(flags)
    if addition is None:
        return build(None, None)
    question, points = addition
    # Brief beats complete: drop later points until the note fits, and cut a single long point.
    while points:
        note = build(points, question)
        if _words(note) < MAX_WORDS:
            return note
        if len(points) > 1:
            points = points[:-1]
        else:
            spare = MAX_WORDS - 1 - _words(build(None, None)) - 12
            words = points[0].split()
            if spare <= 0 or len(words) <= spare:
                break
            points = [" ".join(words[:spare])]
    return build(None, None)


def default_path(exports: Path, interview_id: int) -> Path:
    """Where ``redrill followup`` writes the note unless told otherwise."""
    return Path(exports) / f"followup-{interview_id}.txt"


def write_followup(path: Path, text: str) -> Path:
    """Save the note readable by the user only (0600), replacing any earlier draft in one step."""
    from redrill.debrief import atomic_write

    atomic_write(Path(path), text)
    return Path(path)
