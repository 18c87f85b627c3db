"""Re-drilling weak questions on a spaced schedule (FSRS).

Every scored attempt is one FSRS review of the question's card. The judgement is pure:

* :func:`rate_attempt` maps an attempt's metrics and its comparison with the user's own earlier
  attempts to an FSRS rating (Again / Hard / Good / Easy) with the reasons why;
* :func:`review` runs the FSRS scheduler on the stored card and returns the new card and due time;
* :func:`leaves_weak_list` decides when a flagged question is solid enough to leave the weak list.

:func:`plan_review` puts them together for one scored attempt (the attempt pipeline stores what it
returns); :func:`flag_question` and :func:`mark_mastered` are the user's manual overrides.
The rules and their thresholds are written up in ``docs/debrief.md``.

``fsrs`` is imported inside functions: this module is imported by commands that must start fast.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, cast

from redrill.scoring.comparison import Comparison
from redrill.scoring.metrics import Metrics
from redrill.store import QuestionState

if TYPE_CHECKING:
    from fsrs.card import CardDict

# FSRS ratings by name (fsrs.Rating values), so callers need not import fsrs.
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "again", HARD: "hard", GOOD: "good", EASY: "easy"}

# Thresholds of the rating rules (see docs/debrief.md).
RAMBLE_AGAIN = 60.0  # at or above: the answer fell apart
RAMBLE_HARD = 40.0  # 40-60: rambling, needs another go soon
RAMBLE_EASY = 20.0  # under 20 (and everything else right): easy
FAR_FROM_TARGET = 0.5  # off the target by more than half its bound: Again
# Compared figures (names of redrill.scoring.comparison.KEY_METRICS) where "worse than my median"
# counts against an attempt.
KEY_METRICS = ("ramble_score", "fillers_per_min", "distance_from_target_s", "restarts_per_100_words")

# Weak-list exit: good answers (within target, ramble score under EXIT_RAMBLE) on EXIT_DAYS
# different days since the question was flagged, steady (spread <= EXIT_SPREAD), the latest one
# good. Each day counts once, by its last answer: three clean answers in one sitting are massed
# repetition, which shows the answer is fresh in mind, not that it will come out clean next week.
EXIT_DAYS = 3
EXIT_ATTEMPTS = EXIT_DAYS  # the name older callers used
EXIT_RAMBLE = 40.0
EXIT_SPREAD = 15.0

# Re-drilling an answer is not memorising a flashcard: the first steps are "again in 10 minutes"
# (same session) and "tomorrow"; a lapse comes back within the hour. Intervals are capped at 60
# days because an interview season rarely lasts longer. No fuzzing: the same history must always
# give the same due time (tests use a fixed clock).
LEARNING_STEPS = (timedelta(minutes=10), timedelta(days=1))
RELEARNING_STEPS = (timedelta(minutes=30),)
MAXIMUM_INTERVAL_DAYS = 60
DESIRED_RETENTION = 0.9


@dataclass(frozen=True)
class AttemptRating:
    """The FSRS rating of one attempt and the reasons, in plain words."""

    rating: int
    reasons: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """``again``, ``hard``, ``good`` or ``easy``."""
        return RATING_NAMES[self.rating]


@dataclass(frozen=True)
class Review:
    """The outcome of one review: the new card (FSRS dict) and when the question is due again."""

    rating: AttemptRating
    card: dict
    due: datetime | None  # None: mastered, not scheduled
    weak: bool
    left_weak_list: bool = False
    good_days: int = 0  # days with a good answer since the flag (counts towards EXIT_DAYS)


def _worse_than_median(comparison: Comparison | None) -> list[str]:
    if comparison is None:
        return []
    return [name for name in KEY_METRICS if (c := comparison.change.get(name)) is not None and c.vs_median == "worse"]


def rate_attempt(metrics: Metrics, comparison: Comparison | None = None) -> AttemptRating:
    """Map one scored attempt to an FSRS rating (pure; rules in docs/debrief.md).

    * Again: ramble score >= 60, or off the target by more than 50% of its bound (over the maximum
      by half the maximum, or under the minimum by half the minimum), or more than half of the
      talking points missing.
    * Hard: ramble score 40-60, or outside the target, or worse than the user's own median on the
      ramble score or on two or more other key metrics.
    * Easy: within target, ramble score < 20, every talking point made, nothing worse than median.
    * Good: everything else (within target, ramble score < 40).

    Unknown values (typed answers have no length) count neither for nor against, but an answer
    whose length is unknown is never Easy.
    """
    ramble = metrics.ramble_score
    target = metrics.target_s
    over, under = metrics.over_target_s, metrics.under_target_s
    covered, missing = len(metrics.talking_points.covered), len(metrics.talking_points.missing)
    inside = metrics.within_target
    worse = _worse_than_median(comparison)

    again: list[str] = []
    if ramble is not None and ramble >= RAMBLE_AGAIN:
        again.append(f"ramble score {ramble:.0f} (60 or more)")
    if target is not None:
        if over is not None and over > FAR_FROM_TARGET * target[1]:
            again.append(f"{over:.0f} s over the {target[1]:.0f} s maximum")
        if under is not None and under > FAR_FROM_TARGET * target[0]:
            again.append(f"{under:.0f} s under the {target[0]:.0f} s minimum")
    if covered + missing and missing * 2 > covered + missing:
        again.append(f"{missing} of {covered + missing} talking points missing")
    if again:
        return AttemptRating(AGAIN, tuple(again))

    hard: list[str] = []
    if ramble is not None and ramble >= RAMBLE_HARD:
        hard.append(f"ramble score {ramble:.0f} (40-60)")
    if inside is False:
        hard.append("outside the target length")
    if "ramble_score" in worse:
        hard.append("ramble score worse than your median")
    others = [m for m in worse if m != "ramble_score"]
    if len(others) >= 2:
        hard.append("worse than your median on " + ", ".join(others))
    if hard:
        return AttemptRating(HARD, tuple(hard))

    if inside and ramble is not None and ramble < RAMBLE_EASY and missing == 0 and not worse:
        return AttemptRating(EASY, ("within target, ramble under 20, every point made",))
    reasons = ["within target" if inside else "length unknown (typed answer)"]
    if ramble is not None:
        reasons.append(f"ramble score {ramble:.0f}")
    return AttemptRating(GOOD, tuple(reasons))


def make_scheduler():
    """The fixed FSRS scheduler redrill uses (see the constants above for why these values)."""
    from fsrs import Scheduler

    return Scheduler(
        desired_retention=DESIRED_RETENTION,
        learning_steps=LEARNING_STEPS,
        relearning_steps=RELEARNING_STEPS,
        maximum_interval=MAXIMUM_INTERVAL_DAYS,
        enable_fuzzing=False,
    )


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC datetime")
    # fsrs insists on tzinfo *being* timezone.utc, not just an equivalent offset.
    return moment.astimezone(timezone.utc)


def new_card(question_id: str, now: datetime) -> CardDict:
    """A fresh FSRS card for a question, due now; its id is derived from the question id (stable)."""
    from fsrs import Card

    return Card(card_id=zlib.crc32(question_id.encode("utf-8")) or 1, due=_utc(now)).to_dict()


def review(card: dict | None, rating: int, now: datetime, *, question_id: str) -> tuple[dict, datetime]:
    """One FSRS review of ``card`` (None: a new card) at ``now``; returns (new card dict, due)."""
    from fsrs import Card, Rating

    now = _utc(now)
    # A stored card is the JSON of an earlier to_dict(): the checker cannot see its keys, fsrs reads them.
    current = Card.from_dict(cast("CardDict", card) if card is not None else new_card(question_id, now))
    updated, _log = make_scheduler().review_card(current, Rating(rating), now)
    return dict(updated.to_dict()), updated.due


def _good(m: Metrics) -> bool:
    return m.ramble_score < EXIT_RAMBLE and m.within_target is True


def _days(recent: Sequence[tuple[datetime, Metrics]], tz: tzinfo | None) -> dict[date, Metrics]:
    """Each calendar day (in ``tz``; None: this computer's zone) and the last answer made on it."""
    out: dict[date, Metrics] = {}
    for when, m in recent:
        out[when.astimezone(tz).date()] = m
    return out


def good_days(recent: Sequence[tuple[datetime, Metrics]], *, tz: tzinfo | None = None) -> int:
    """How many of the latest days in a row (by each day's last answer) had a good answer."""
    days = _days(recent, tz)
    count = 0
    for day in sorted(days, reverse=True):
        if not _good(days[day]):
            break
        count += 1
    return count


def leaves_weak_list(recent: Sequence[tuple[datetime, Metrics]], *, tz: tzinfo | None = None) -> bool:
    """True when a weak question is solid (pure; rule in docs/debrief.md).

    ``recent`` is ``(when, metrics)`` of the attempts since the question was last flagged, oldest
    first, the last being the answer just scored. Each calendar day counts once, by its last
    answer. The last :data:`EXIT_DAYS` days must each end on a good answer (within target: a typed
    answer with unknown length does not count; ramble score under 40), with scores no more than
    15 apart, and the latest answer must be good.
    """
    if not recent or not _good(recent[-1][1]):
        return False
    days = _days(recent, tz)
    if len(days) < EXIT_DAYS:
        return False
    last = [days[d] for d in sorted(days)[-EXIT_DAYS:]]
    if not all(_good(m) for m in last):
        return False
    scores = [m.ramble_score for m in last]
    return max(scores) - min(scores) <= EXIT_SPREAD


def plan_review(
    state: QuestionState | None,
    metrics: Metrics,
    comparison: Comparison | None,
    since_flag: Sequence[tuple[datetime, Metrics]],
    *,
    question_id: str,
    now: datetime,
    tz: tzinfo | None = None,
) -> Review:
    """The schedule after one scored attempt (pure: the attempt pipeline stores the result).

    Rates the attempt, reviews the question's FSRS card, and decides whether the question leaves
    the weak list (:func:`leaves_weak_list` over ``since_flag``, the earlier attempts made since
    the question was last flagged, as ``(when, metrics)``, plus this one made ``now``). Days are
    calendar days in ``tz`` (None: this computer's zone). A mastered question stays unscheduled
    (``due`` None; its review is still logged).
    """
    rated = rate_attempt(metrics, comparison)
    card, due = review(state.card if state else None, rated.rating, now, question_id=question_id)
    weak = bool(state and state.weak)
    mastered = bool(state and state.mastered)
    recent = [*since_flag, (now, metrics)]
    left = weak and leaves_weak_list(recent, tz=tz)
    days = good_days(recent, tz=tz) if weak else 0
    return Review(rated, card, None if mastered else due, weak and not left, left, days)


# --- saying when a question comes back ------------------------------------------------------


def comes_back(due: datetime | None, now: datetime, *, tz: tzinfo | None = None) -> str:
    """When a question is due, as a person says it: ``now``, ``in 10 minutes``, ``later today at
    15:30``, ``tomorrow``, ``on Thursday`` (within a week), ``on 12 March``; ``not scheduled``."""
    if due is None:
        return "not scheduled"
    if due <= now:
        return "now"
    wait = due - now
    if wait < timedelta(hours=1):
        minutes = max(1, round(wait.total_seconds() / 60))
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    local_due, local_now = due.astimezone(tz), now.astimezone(tz)
    days = (local_due.date() - local_now.date()).days
    if days == 0:
        return f"later today at {local_due:%H:%M}"
    if days == 1:
        return "tomorrow"
    if days < 7:
        return f"on {local_due:%A}"
    if local_due.year == local_now.year:
        return f"on {local_due.day} {local_due:%B}"
    return f"on {local_due.day} {local_due:%B %Y}"


def describe_review(
    rating: int,
    due: datetime | None,
    now: datetime,
    *,
    weak: bool = False,
    left_weak_list: bool = False,
    good_days: int = 0,
    tz: tzinfo | None = None,
) -> str:
    """The one line about a question's schedule, shown after a report and in ``redrill queue``.

    ``Hard - back on Thursday``; ``Good - back tomorrow; weak list: good answers on 1 of 3 days``;
    ``Good - off the weak list; back on 12 March``; ``Again - back in 10 minutes``.
    """
    head = RATING_NAMES.get(rating, str(rating)).capitalize()
    if due is None:
        back = "not scheduled (mastered)"
    else:
        back = "due now" if due <= now else f"back {comes_back(due, now, tz=tz)}"
    if left_weak_list:
        return f"{head} - off the weak list; {back}"
    line = f"{head} - {back}"
    if weak:
        line += f"; weak list: good answers on {min(good_days, EXIT_DAYS)} of {EXIT_DAYS} days"
    return line


def review_line(review: Review, now: datetime, *, tz: tzinfo | None = None) -> str:
    """:func:`describe_review` of a review just planned at ``now``."""
    return describe_review(
        review.rating.rating,
        review.due,
        now,
        weak=review.weak,
        left_weak_list=review.left_weak_list,
        good_days=review.good_days,
        tz=tz,
    )


def flag_question(
    store,
    question_id: str,
    question_text: str,
    *,
    now: datetime,
    rating: str = "shaky",
    interview_id: int | None = None,
    wish_i_said: Sequence[str] = (),
    note: str = "",
) -> None:
    """Put a question on the weak list, due now (``redrill flag``, and every weak debrief entry).

    Also records a flag row, so that the weak-list exit rule only counts attempts made after it.
    Personal talking points are added to the question's own, without repeats.
    """
    from redrill.banks import merge_talking_points

    state = store.get_state(question_id)
    points = merge_talking_points(state.talking_points if state else (), wish_i_said)
    weak = rating in ("bombed", "shaky")
    with store.transaction():
        store.add_flag(
            question_id=question_id,
            question_text=question_text,
            rating=rating,
            interview_id=interview_id,
            wish_i_said=list(wish_i_said),
            note=note,
            created_at=now,
        )
        fields: dict[str, Any] = {"talking_points": points}
        if weak:
            fields.update(weak=True, mastered=False, due=_utc(now))
        store.set_state(question_id, now=now, **fields)


def mark_mastered(store, question_id: str, *, now: datetime) -> None:
    """Take a question off the weak list for good and stop scheduling it (``redrill mastered``)."""
    store.set_state(question_id, now=now, weak=False, mastered=True, due=None)
