"""The drill's coach: follow-up questions after an answer and a better answer to hear.

:class:`StoreCoach` is the adapter the drill loop receives as ``coach`` (tests hand it a fake). It
reads the store and decides with the pure rules of :mod:`redrill.follow_up_questions` and
:mod:`redrill.model_answer`:

* ``follow_up(question, report)``: the follow-up to ask after this answer, as a question of its own
  (or None); ``link(follow_up_attempt, main_attempt)`` records which answer it followed;
* ``better_answer(question, attempt_id)``: the model answer to play or read after this attempt.
"""

from __future__ import annotations

from pathlib import Path

from redrill.banks import Catalog, Question, merge_talking_points
from redrill.follow_up_questions import FollowUp, as_question, follow_up_id, pick_follow_up, plain_json
from redrill.model_answer import Candidate, ModelAnswer, choose_model_answer


def session_catalog(catalog: Catalog) -> Catalog:
    """A copy of the catalog for one session: follow-up questions are added to it as they are asked,
    so their spoken answers are scored against the follow-up's target and points."""
    return Catalog(banks=list(catalog.banks), questions=dict(catalog.questions))


def own_points(store, question_id: str) -> list[str]:
    """The user's own points for a question: every debrief's wish-I-said for it, oldest first."""
    points: list[str] = []
    for flag in store.flags(question_id=question_id):
        points = merge_talking_points(points, flag.wish_i_said)
    return points


def model_answer_for(store, paths, question_id: str, *, current_id: int | None = None) -> ModelAnswer | None:
    """The model answer for a question from the stored attempts (see :mod:`redrill.model_answer`)."""
    from redrill.pipeline import audio_file_of

    candidates = []
    for attempt in store.attempts(question_id, status="scored"):
        has_recording = False
        if attempt.audio_path:
            has_recording = Path(audio_file_of(paths, attempt)).exists()
        candidates.append(Candidate(attempt.id, plain_json(attempt.metrics), has_recording, attempt.transcript))
    return choose_model_answer(candidates, current_id=current_id, own_points=own_points(store, question_id))


class StoreCoach:
    """Follow-ups and model answers from the store (see the module docstring).

    ``catalog`` must be the one the drill's practice adapter scores with (a :func:`session_catalog`
    copy): follow-up questions are added to it.
    """

    def __init__(self, store, catalog: Catalog, paths, *, follow_ups: bool = False):
        self.store, self.catalog, self.paths = store, catalog, paths
        self.follow_ups = follow_ups
        self.asked: list[FollowUp] = []

    def follow_up(self, question: Question, report) -> Question | None:
        """The follow-up question to ask after this answer, or None."""
        transcript = getattr(report, "transcript", None)
        if transcript is not None:
            text = transcript.text
        else:
            stored = self.store.get_attempt(report.attempt_id).transcript or {}
            text = " ".join(w.get("word", "") for w in stored.get("words", []))
        asked_before = [a.question_text for a in self.store.attempts(follow_up_id(question.id))]
        chosen = pick_follow_up(
            question,
            text,
            report.metrics,
            own_points=own_points(self.store, question.id),
            asked_before=asked_before + [f.text for f in self.asked],
        )
        if chosen is None:
            return None
        self.asked.append(chosen)
        follow = as_question(question, chosen)
        self.catalog.questions[follow.id] = follow
        return follow

    def why(self, follow: Question) -> str:
        """Why the last follow-up was asked, in plain words."""
        last = next((f for f in reversed(self.asked) if f.text == follow.text), None)
        return last.why if last else ""

    def link(self, follow_up_attempt_id: int, main_attempt_id: int) -> None:
        """Record that an answer was given to a follow-up of ``main_attempt_id``."""
        from redrill.store import link_follow_up

        link_follow_up(self.store, follow_up_attempt_id, main_attempt_id)

    def better_answer(self, question: Question, attempt_id: int | None) -> ModelAnswer | None:
        """The model answer to offer after ``attempt_id`` (see :mod:`redrill.model_answer`)."""
        return model_answer_for(self.store, self.paths, question.id, current_id=attempt_id)
