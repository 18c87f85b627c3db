"""Which questions a drill asks, and in what order.

With no explicit choice, ``redrill drill`` asks, in this order:

1. flagged questions that are due: on the weak list with a due time at or before now, oldest due
   first (a debrief makes its weak questions due at once, so they come first);
2. other questions whose FSRS review is due, oldest due first;
3. the weakest of the questions already practised, by the mean ramble score of their latest
   attempts, worst first (weak-list questions first); mastered questions are left out;
4. questions never attempted, in random order (``rng``), so a fresh start is not always the same.

``--interview ID`` asks the questions flagged in that debrief, worst rating first; explicit ids are
asked in the order given. Tags narrow every choice except explicit ids; ``count`` cuts the list.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from redrill.banks import Catalog, Question
from redrill.errors import RedrillError

# How many of a question's latest attempts make its "recent score".
RECENT_ATTEMPTS = 3
RATING_ORDER = {"bombed": 0, "shaky": 1, "ok": 2, "nailed": 3}


@dataclass(frozen=True)
class Candidate:
    """A question with the reason it was picked (for ``redrill queue`` and the drill's intro)."""

    question: Question
    group: str  # "due-flagged", "due", "weakest", "new", "chosen", "interview"
    due: datetime | None = None
    recent_ramble: float | None = None


def recent_ramble_scores(store) -> dict[str, list[float]]:
    """Ramble scores of each question's scored attempts, oldest first."""
    scores: dict[str, list[float]] = {}
    for _aid, qid, _created, metrics in store.scored_metrics():
        scores.setdefault(qid, []).append(metrics.ramble_score)
    return scores


def _matches(question: Question, tags: Sequence[str]) -> bool:
    return not tags or any(t in question.tags for t in tags)


def _flagged_question(catalog: Catalog, flag) -> Question:
    # A flagged question whose bank has gone is still drillable from the text saved with the flag.
    q = catalog.questions.get(flag.question_id)
    return q if q is not None else Question(id=flag.question_id, text=flag.question_text)


def rank(store, catalog: Catalog, *, tags: Sequence[str] = (), now: datetime, rng: random.Random) -> list[Candidate]:
    """Every drillable question in drill order, with the group that put it there (see module doc)."""
    states = {s.question_id: s for s in store.states()}
    scores = recent_ramble_scores(store)
    pool = [q for q in catalog.questions.values() if _matches(q, tags)]
    picked: set[str] = set()
    out: list[Candidate] = []

    def recent(qid: str) -> float | None:
        values = scores.get(qid)
        return sum(values[-RECENT_ATTEMPTS:]) / len(values[-RECENT_ATTEMPTS:]) if values else None

    due_flagged: list[Question] = []
    due_other: list[Question] = []
    for q in pool:
        s = states.get(q.id)
        if s is None or s.mastered or s.due is None or s.due > now:
            continue
        (due_flagged if s.weak else due_other).append(q)
    for group, items in (("due-flagged", due_flagged), ("due", due_other)):
        for q in sorted(items, key=lambda q: (states[q.id].due, q.id)):
            out.append(Candidate(q, group, states[q.id].due, recent(q.id)))
            picked.add(q.id)

    practised = []
    for q in pool:
        s = states.get(q.id)
        if q.id in picked or (s is not None and s.mastered):
            continue
        if q.id in scores or (s is not None and s.weak):
            practised.append(q)

    # Weak first, then the worst recent ramble score; a weak question not yet tried counts as worst.
    def worst_first(q: Question) -> tuple[bool, float, str]:
        score = recent(q.id)
        return (not (states.get(q.id) and states[q.id].weak), -(score if score is not None else 101.0), q.id)

    practised.sort(key=worst_first)
    for q in practised:
        s = states.get(q.id)
        out.append(Candidate(q, "weakest", s.due if s else None, recent(q.id)))
        picked.add(q.id)

    fresh = [q for q in pool if q.id not in picked and not (states.get(q.id) and states[q.id].mastered)]
    fresh.sort(key=lambda q: q.id)  # a stable start, so the same rng seed gives the same order
    rng.shuffle(fresh)
    out.extend(Candidate(q, "new") for q in fresh)
    return out


def interview_questions(store, catalog: Catalog, interview_id: int, *, tags: Sequence[str] = ()) -> list[Question]:
    """The questions flagged in one debrief, worst rating first, each once."""
    store.get_interview(interview_id)  # a clear error for an unknown id
    flags = sorted(store.flags(interview_id=interview_id), key=lambda f: (RATING_ORDER.get(f.rating, 9), f.id))
    seen: set[str] = set()
    out = []
    for flag in flags:
        if flag.question_id in seen:
            continue
        seen.add(flag.question_id)
        q = _flagged_question(catalog, flag)
        if _matches(q, tags):
            out.append(q)
    return out


def pick_questions(
    store,
    catalog: Catalog,
    *,
    question_ids: Iterable[str] = (),
    tags: Sequence[str] = (),
    count: int | None = None,
    interview_id: int | None = None,
    now: datetime,
    rng: random.Random,
) -> list[Question]:
    """The questions of one drill, in the order to ask them (see the module docstring).

    Explicit ``question_ids`` win (asked in the given order; an unknown id is an error naming the
    closest ids); then ``interview_id``; otherwise the scheduled order of :func:`rank`. ``count``
    limits the result (None: all).
    """
    if count is not None and count < 1:
        raise RedrillError(f"count must be at least 1, not {count}")
    ids = list(question_ids)
    if ids:
        questions = [catalog.get(qid) for qid in dict.fromkeys(ids)]
    elif interview_id is not None:
        questions = interview_questions(store, catalog, interview_id, tags=tags)
        if not questions:
            raise RedrillError(
                f"interview #{interview_id} has no flagged questions{' with those tags' if tags else ''}"
            )
    else:
        questions = [c.question for c in rank(store, catalog, tags=tags, now=now, rng=rng)]
        if not questions and tags:
            known = sorted({t for q in catalog.questions.values() for t in q.tags})
            raise RedrillError(f"no question has the tag(s) {', '.join(tags)}; known tags: {', '.join(known)}")
    return questions if count is None else questions[:count]


# --- the queue (``redrill queue``) -------------------------------------------------------------


@dataclass(frozen=True)
class QueueEntry:
    """One tracked question: when it is due and why."""

    question_id: str
    text: str
    due: datetime | None
    due_now: bool
    weak: bool
    mastered: bool
    reason: str
    last_ramble_score: float | None
    attempts: int
    trend: str  # improving, worsening, steady or new: the same word as ``redrill progress``
    review: str | None = None  # "Hard - back on Thursday": the line the last report ended with

    def to_json(self) -> dict:
        """The ``redrill queue --json`` object."""
        return {
            "question_id": self.question_id,
            "text": self.text,
            "due": None if self.due is None else self.due.isoformat(),
            "due_now": self.due_now,
            "weak": self.weak,
            "mastered": self.mastered,
            "reason": self.reason,
            "last_ramble_score": self.last_ramble_score,
            "attempts": self.attempts,
            "trend": self.trend,
            "review": self.review,
        }


def _flag_reason(flag, interviews: dict) -> str:
    if flag.interview_id is None:
        return f"flagged by you ({flag.rating})"
    iv = interviews.get(flag.interview_id)
    if iv is None:
        return f"{flag.rating} in interview #{flag.interview_id}"
    what = " ".join(p for p in (iv.company, iv.stage) if p) or "an interview"
    when = f", {iv.date}" if iv.date else ""
    return f"{flag.rating} in {what} (interview #{iv.id}{when})"


def queue(store, catalog: Catalog, *, now: datetime, tz=None) -> list[QueueEntry]:
    """Every question redrill is tracking (flagged, scheduled or practised), due ones first.

    Order: due now (flagged ones first, then oldest due first), then due later (soonest first),
    then unscheduled (mastered) ones. Each entry's ``review`` is the line the drill printed after
    the question's last report, said from ``now`` (days in ``tz``; None: this computer's zone).
    """
    from redrill.schedule import describe_review, good_days
    from redrill.scoring.comparison import ramble_trend

    states = {s.question_id: s for s in store.states()}
    last_flag = {}
    for flag in store.flags():
        last_flag[flag.question_id] = flag  # flags come oldest first, so the last one wins
    series: dict[str, list[tuple[float, bool]]] = {}
    since_flag: dict[str, list] = {}
    for _aid, qid, created, m in store.scored_metrics():
        series.setdefault(qid, []).append((m.ramble_score, m.timed))
        flag = last_flag.get(qid)
        if flag is None or created >= flag.created_at:
            since_flag.setdefault(qid, []).append((created, m))
    counts = {qid: len(items) for qid, items in series.items()}
    interviews = {iv.id: iv for iv in store.interviews()}
    ratings = {}
    for _rid, qid, _aid, rating, _at, _due in store.reviews():
        ratings[qid] = rating

    entries = []
    from redrill.follow_up_questions import is_follow_up_id

    for qid in sorted(set(states) | set(counts) | set(last_flag)):
        if is_follow_up_id(qid):
            continue  # answers to follow-up questions are not scheduled; their question is
        s = states.get(qid)
        q = catalog.questions.get(qid)
        text = q.text if q else (last_flag[qid].question_text if qid in last_flag else qid)
        weak, mastered = bool(s and s.weak), bool(s and s.mastered)
        due = s.due if s and not mastered else None
        parts = []
        if mastered:
            parts.append("mastered: not scheduled")
        elif weak and qid in last_flag:
            parts.append(_flag_reason(last_flag[qid], interviews))
        elif weak:
            parts.append("on the weak list")
        review = None
        if qid in ratings:
            review = describe_review(
                ratings[qid], due, now, weak=weak, good_days=good_days(since_flag.get(qid, []), tz=tz), tz=tz
            )
        if not parts:
            parts.append("practised" if qid in counts else "tracked")
        history = [score for score, _timed in series.get(qid, [])]
        entries.append(
            QueueEntry(
                question_id=qid,
                text=text,
                due=due,
                due_now=due is not None and due <= now,
                weak=weak,
                mastered=mastered,
                reason="; ".join(parts),
                last_ramble_score=history[-1] if history else None,
                attempts=counts.get(qid, 0),
                trend=ramble_trend(series.get(qid, [])),
                review=review,
            )
        )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    # Same order as a drill: due flagged questions, other due ones, then the rest by due time.
    entries.sort(key=lambda e: (not e.due_now, not (e.due_now and e.weak), e.due is None, e.due or far, e.question_id))
    return entries
