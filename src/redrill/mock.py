"""Mock interviews: several questions in a row, no feedback in between, one scorecard at the end.

``redrill mock`` asks N questions (from a prep set, the weak list or a bank) one after another the
way an interview does: no report after each answer, optionally a follow-up question. Every answer
is stored as a normal attempt (history, schedule). At the end :func:`scorecard` (pure) sums the
interview up:

* **per answer**: length against the target, pace, fillers per minute, long pauses, talking points
  covered, ramble score, and how it compares with your usual answer to that question (the same
  comparison as a drill report: better / same / worse than your median), plus its follow-up;
* **overall**: the interview score (100 minus the mean ramble score of the answers, so higher is
  better), answers inside their target length, speaking time, fillers per minute over all the
  speech, the share of talking points covered, and the first answer's score (ratings of the first
  answer predict how an interview is rated overall: Naim et al., arXiv 1504.03425);
* **against your previous mocks**: the change in score since the last one and your best so far.

The scorecard is stored (table ``mock_interviews``) and shown by ``redrill progress`` and in the
HTML report as a practice interview.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from redrill.follow_up_questions import plain_json
from redrill.numbers import number

# A change of the interview score smaller than this is "about the same" (ramble scores of the same
# answer wobble by a few points from one try to the next).
SAME_SCORE = 3.0
MAX_QUESTIONS = 12
DEFAULT_COUNT = 5


@dataclass(frozen=True)
class MockAnswer:
    """One question of a mock interview and what became of its answer."""

    question_id: str
    question_text: str
    attempt_id: int | None = None  # None: not answered (silence, skipped)
    metrics: dict | None = None  # None: not scored (saved for later, or not answered)
    comparison: dict | None = None
    follow_up_text: str | None = None
    follow_up_attempt_id: int | None = None
    follow_up_metrics: dict | None = None


@dataclass
class Scorecard:
    """The whole interview, ready to store (``to_json``) and show."""

    source: str
    answers: list[dict] = field(default_factory=list)
    overall: dict = field(default_factory=dict)
    previous: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"source": self.source, "answers": self.answers, "overall": self.overall, "previous": self.previous}


def _fillers(m: dict) -> int:
    return int(number(m.get("filled_pause_count")) or 0) + int(number(m.get("filler_count")) or 0)


def _points(m: dict) -> tuple[int, int]:
    tp = m.get("talking_points") or {}
    covered, missing = len(tp.get("covered") or []), len(tp.get("missing") or [])
    return covered, covered + missing


def _within(m: dict) -> bool | None:
    if number(m.get("duration_s")) is None:
        return None
    return not (number(m.get("over_target_s")) or number(m.get("under_target_s")))


def _vs_usual(comparison: dict | None) -> str | None:
    """better / same / worse than the user's median on this question; None the first time."""
    if not comparison or comparison.get("scope") != "this question":
        return None
    change = (comparison.get("change") or {}).get("ramble_score") or {}
    return change.get("vs_median")


def answer_row(answer: MockAnswer, number_in_interview: int) -> dict:
    """The scorecard row of one answer."""
    m = answer.metrics or {}
    covered, total = _points(m)
    row = {
        "number": number_in_interview,
        "question_id": answer.question_id,
        "question": answer.question_text,
        "attempt_id": answer.attempt_id,
        "scored": answer.metrics is not None,
        "duration_s": number(m.get("duration_s")),
        "target_s": m.get("target_s"),
        "within_target": _within(m) if m else None,
        "wpm": number(m.get("wpm")),
        "fillers_per_min": number(m.get("fillers_per_min")),
        "fillers": _fillers(m) if m else None,
        "long_pauses": len(m["long_pauses"]) if isinstance(m.get("long_pauses"), list) else None,
        "points_covered": covered if total else None,
        "points_total": total or None,
        "ramble_score": number(m.get("ramble_score")),
        "vs_usual": _vs_usual(answer.comparison),
        "follow_up": None,
    }
    if answer.follow_up_text:
        fm = answer.follow_up_metrics or {}
        row["follow_up"] = {
            "question": answer.follow_up_text,
            "attempt_id": answer.follow_up_attempt_id,
            "duration_s": number(fm.get("duration_s")),
            "ramble_score": number(fm.get("ramble_score")),
        }
    return row


def overall(rows: Sequence[dict]) -> dict:
    """The interview as a whole, from its answer rows (follow-ups are reported, not averaged in)."""
    scored = [r for r in rows if r["scored"] and r["ramble_score"] is not None]
    rambles = [r["ramble_score"] for r in scored]
    mean_ramble = statistics.fmean(rambles) if rambles else None
    timed = [r for r in scored if r["duration_s"] is not None]
    speaking = sum(r["duration_s"] for r in timed)
    fillers = sum(r["fillers"] or 0 for r in timed)
    covered = sum(r["points_covered"] or 0 for r in scored)
    total = sum(r["points_total"] or 0 for r in scored)
    first = rows[0] if rows else None
    return {
        "questions": len(rows),
        "answered": sum(1 for r in rows if r["attempt_id"] is not None),
        "scored": len(scored),
        "score": None if mean_ramble is None else round(100.0 - mean_ramble, 1),
        "mean_ramble_score": None if mean_ramble is None else round(mean_ramble, 1),
        "within_target": sum(1 for r in timed if r["within_target"]),
        "timed": len(timed),
        "speaking_s": round(speaking, 1) if timed else None,
        "fillers_per_min": round(fillers / (speaking / 60.0), 2) if timed and speaking > 0 else None,
        "points_covered_share": round(covered / total, 3) if total else None,
        "first_answer_score": None
        if first is None or first["ramble_score"] is None
        else round(100.0 - first["ramble_score"], 1),
        "follow_ups": sum(1 for r in rows if r["follow_up"]),
    }


def against_previous(score: float | None, previous_scores: Sequence[float | None]) -> dict:
    """This interview's score against the user's earlier mocks (oldest first)."""
    known = [s for s in previous_scores if s is not None]
    out: dict = {"mocks_before": len(previous_scores), "last_score": None, "best_score": None, "change": None}
    if not known:
        return out
    out["last_score"] = known[-1]
    out["best_score"] = max(known)
    if score is not None:
        delta = round(score - known[-1], 1)
        out["delta"] = delta
        out["change"] = "better" if delta >= SAME_SCORE else "worse" if delta <= -SAME_SCORE else "same"
        out["new_best"] = score > max(known)
    return out


def scorecard(source: str, answers: Sequence[MockAnswer], previous_scores: Sequence[float | None] = ()) -> Scorecard:
    """The scorecard of one mock interview (pure; see the module docstring)."""
    rows = [answer_row(a, i) for i, a in enumerate(answers, start=1)]
    whole = overall(rows)
    return Scorecard(
        source=source, answers=rows, overall=whole, previous=against_previous(whole["score"], previous_scores)
    )


def previous_scores(stored_scorecards: Sequence[dict]) -> list[float | None]:
    """The interview scores of stored mocks, oldest first."""
    return [number((s.get("overall") or {}).get("score")) for s in stored_scorecards]


def source_label(source: str) -> str:
    """``prep:acme-backend`` -> ``prep set acme-backend``; ``weak`` -> ``weak list``."""
    kind, _, name = source.partition(":")
    return {"prep": f"prep set {name}", "bank": f"bank {name}", "weak": "weak list"}.get(kind, source)


# --- warm-up ------------------------------------------------------------------------------------

WARMUP_WEAKEST = 2


def warmup_picks(
    question_ids: Sequence[str],
    recent_scores: Mapping[str, Sequence[float]],
    *,
    opener_id: str | None,
    count: int = WARMUP_WEAKEST,
) -> list[str]:
    """The warm-up: the opener, then the ``count`` weakest other questions of the set (pure).

    Weakest = the highest mean ramble score of the latest three attempts; a question never
    practised counts as weakest (as in the drill order), ties keep the set's order.
    """

    def weakness(item: tuple[int, str]) -> tuple[float, int]:
        position, qid = item
        scores = list(recent_scores.get(qid) or [])[-3:]
        return (-(sum(scores) / len(scores)) if scores else -101.0, position)

    others = [(i, q) for i, q in enumerate(question_ids) if q != opener_id]
    picked = [q for _, q in sorted(others, key=weakness)[:count]]
    return ([opener_id] if opener_id else []) + picked


def answers_of(questions, result, pending_questions: dict[int, str] | None = None) -> list[MockAnswer]:
    """The :class:`MockAnswer` of each question asked in a session, in the order asked.

    ``result`` is the session's :class:`~redrill.drill.SessionResult`; ``pending_questions`` maps
    its saved-but-not-scored attempt ids to their question ids (read from the store).
    """
    reports = {r.question.id: r for r in result.reports}
    pending = pending_questions or {}
    follow = dict(result.follow_ups)
    out = []
    for question in list(questions)[: result.asked]:
        report = reports.get(question.id)
        if report is not None:
            attempt_id = report.attempt_id
        else:
            attempt_id = next((i for i, qid in pending.items() if qid == question.id), None)
        done = follow.get(attempt_id) if attempt_id is not None else None
        scored_follow_up = None if done is None or isinstance(done, int) else done
        follow_up_id = done if done is None or isinstance(done, int) else done.attempt_id
        out.append(
            MockAnswer(
                question_id=question.id,
                question_text=question.text,
                attempt_id=attempt_id,
                metrics=plain_json(report.metrics) if report is not None else None,
                comparison=plain_json(report.comparison) if report is not None else None,
                follow_up_text=scored_follow_up.question.text if scored_follow_up else None,
                follow_up_attempt_id=follow_up_id,
                follow_up_metrics=plain_json(scored_follow_up.metrics) if scored_follow_up else None,
            )
        )
    return out


# --- the list of mock interviews (progress, report) ---------------------------------------------


def mock_summaries(rows) -> list[dict]:
    """One line per stored mock interview (:class:`~redrill.store.MockRow`, oldest first) for
    ``redrill progress`` and the report: when, where from, answered, score and change."""
    out = []
    last: float | None = None
    for row in rows:
        o = row.scorecard.get("overall") or {}
        score = number(o.get("score"))
        out.append(
            {
                "mock_id": row.id,
                "when": row.created_at.isoformat(),
                "source": source_label(row.source),
                "questions": o.get("questions"),
                "answered": o.get("answered"),
                "score": score,
                "within_target": o.get("within_target"),
                "timed": o.get("timed"),
                "first_answer_score": number(o.get("first_answer_score")),
                "change": None if score is None or last is None else round(score - last, 1),
            }
        )
        if score is not None:
            last = score
    return out
