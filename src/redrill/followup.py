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


# Quoting "Tell me about a time something did not work out" back would put a failure in a note that
# must read as an addition, not a list of what went wrong: a question with any of these words or
# phrases is referred to without quoting it. Broad on purpose: a question left unquoted costs
# nothing, a quoted one about failure costs the note.
_TOUCHY = re.compile(
    r"\b(mistakes?|fail\w*|wrong|bad(ly)?|worst|regret\w*|weak\w*|sorry|apolog\w*|criticis\w*|"
    r"complain\w*|struggl\w*|setbacks?|difficult\w*|angry|conflicts?|disagree\w*|gaps?|fired|let (you )?go|"
    r"outages?|incidents?|improve\w*|stung|low|unpopular|hard to hear|miss\w*|fell short|short of|sideways|"
    r"backfired|fiasco|(screw|mess|blew|blow)\w* up|dropped the ball|let (\w+ ){1,2}down|need\w* to work on|bored|quite often|salary|other companies|walk away|"
    r"(did ?n[o']t|does ?n[o']t|do ?n[o']t|could ?n[o']t|were ?n[o']t|was ?n[o']t|not) "
    r"(work|go|like|able|meet\w*|fix\w*|resolve\w*|have)\w*)\b",
    re.IGNORECASE,
)
# A wish-I-said point that tells what went wrong ("I shipped a migration that locked the orders
# table") restates the mistake: the note leaves it out and adds only what the user did well.
_SETBACK = re.compile(
    r"\b(mistakes?|fail\w*|wrong|bad(ly)?|worse|regret\w*|sorry|apolog\w*|blam\w*|faults?|errors?|"
    r"bugs?|broke|broken|break\w*|crash\w*|outages?|down ?time|locked|lost|los(e|ing)|miss(ed|ing)|late|"
    r"delay\w*|forg[eo]t\w*|messed|slipp\w*|incidents?|angry|complain\w*|"
    r"did ?n[o']t|could ?n[o']t|was ?n[o']t|were ?n[o']t|never)\b",
    re.IGNORECASE,
)


def about_failure(text: str) -> bool:
    """True when a question speaks of failure, mistakes, weaknesses or conflict (never quoted)."""
    return bool(_TOUCHY.search(text))


def restates_a_setback(point: str) -> bool:
    """True when a wish-I-said point tells what went wrong rather than what the user did about it."""
    return bool(_SETBACK.search(point))


def _answer_on(question: str) -> str:
    text = question.strip().rstrip("?.! ")
    # A question of two sentences does not read as a quote inside one sentence of a note.
    if not text or about_failure(text) or re.search(r"[.?!]\s", text):
        return "In addition to my answers in the interview"
    return f'In addition to my answer on "{text}"'


def positive_points(points) -> list[str]:
    """The wish-I-said points that add something, without the ones that restate a setback."""
    return [p for p in points if p.strip() and not restates_a_setback(p)]


def pick_addition(flags) -> tuple[str, list[str]] | None:
    """The question to add to (weakest rating first, bombed before shaky) and its points.

    Only flags with positive wish-I-said points count: a note cannot add what the user never wrote
    down, and it does not repeat what went wrong.
    """
    with_points = [f for f in flags if positive_points(f.wish_i_said)]
    if not with_points:
        return None
    best = min(with_points, key=lambda f: (RATING_ORDER.get(f.rating, 9), f.id))
    return best.question_text, positive_points(best.wish_i_said)


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
        if points and question is not None:  # given together, from pick_addition
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
