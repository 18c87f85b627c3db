"""Drill order (pick_questions) and the queue, on a real SQLite store and the shipped banks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from fixtures_attempts import review_stored
from redrill import schedule
from redrill.banks import load_catalog
from redrill.errors import RedrillError
from redrill.scoring import Metrics
from redrill.selection import pick_questions, queue
from redrill.store import Store

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "redrill.db")
    yield s
    s.close()


def scored(store, qid, ramble, at, duration=90.0):
    m = Metrics.from_dict(
        {
            "duration_s": duration,
            "target_s": [60, 120],
            "over_target_s": max(0, duration - 120),
            "under_target_s": max(0, 60 - duration),
            "ramble_score": ramble,
            "talking_points": {"covered": [], "missing": []},
        }
    )
    aid = store.add_attempt(
        question_id=qid, question_text="Q?", source="text", status="scored", metrics=m, created_at=at
    )
    review_stored(store, qid, aid, m, at)
    return aid


def ids(questions):
    return [q.id for q in questions]


def test_nothing_scheduled_gives_every_question_in_random_order(store, catalog):
    a = ids(pick_questions(store, catalog, now=NOW, rng=random.Random(1)))
    b = ids(pick_questions(store, catalog, now=NOW, rng=random.Random(1)))
    c = ids(pick_questions(store, catalog, now=NOW, rng=random.Random(2)))
    assert a == b  # same seed, same order
    assert a != c
    assert sorted(a) == sorted(catalog.questions)
    assert a != sorted(a)


def test_count_and_tags(store, catalog):
    picked = pick_questions(store, catalog, tags=["behavioral"], count=3, now=NOW, rng=random.Random(0))
    assert len(picked) == 3
    assert all("behavioral" in q.tags for q in picked)
    with pytest.raises(RedrillError, match="no question has the tag"):
        pick_questions(store, catalog, tags=["no-such-tag"], now=NOW, rng=random.Random(0))
    with pytest.raises(RedrillError, match="at least 1"):
        pick_questions(store, catalog, count=0, now=NOW, rng=random.Random(0))


def test_explicit_ids_in_given_order_and_unknown_id_suggests(store, catalog):
    schedule.flag_question(store, "greatest-strength", "x", now=NOW, rating="bombed")
    picked = pick_questions(
        store, catalog, question_ids=["why-this-company", "failure-story"], now=NOW, rng=random.Random(0)
    )
    assert ids(picked) == ["why-this-company", "failure-story"]
    with pytest.raises(RedrillError, match="Did you mean: failure-story"):
        pick_questions(store, catalog, question_ids=["failure-stroy"], now=NOW, rng=random.Random(0))


def test_order_due_flagged_then_due_then_weakest_then_new(store, catalog):
    # Practised questions with different recent ramble scores (not due yet: reviewed just now).
    scored(store, "greatest-strength", 50, NOW - timedelta(minutes=1))
    scored(store, "why-this-company", 20, NOW - timedelta(minutes=1))
    # A question whose FSRS review fell due yesterday.
    scored(store, "tell-me-about-yourself", 30, NOW - timedelta(days=3))
    assert store.get_state("tell-me-about-yourself").due < NOW
    # Two flagged questions, the older flag first; one flagged question not due yet.
    schedule.flag_question(store, "failure-story", "x", now=NOW - timedelta(hours=2), rating="bombed")
    schedule.flag_question(store, "conflict-with-colleague", "x", now=NOW - timedelta(hours=1), rating="shaky")
    schedule.flag_question(store, "greatest-weakness", "x", now=NOW + timedelta(hours=1), rating="shaky")
    # A mastered question never comes up on its own.
    schedule.mark_mastered(store, "colleagues-describe-you", now=NOW)

    order = ids(pick_questions(store, catalog, now=NOW, rng=random.Random(0)))
    assert order[:3] == ["failure-story", "conflict-with-colleague", "tell-me-about-yourself"]
    # then the weakest: weak-not-due first, then worst recent ramble score
    assert order[3:6] == ["greatest-weakness", "greatest-strength", "why-this-company"]
    assert "colleagues-describe-you" not in order
    assert len(order) == len(catalog.questions) - 1
    assert ids(pick_questions(store, catalog, count=2, now=NOW, rng=random.Random(0))) == order[:2]
    # explicit ids still reach a mastered question
    assert ids(
        pick_questions(store, catalog, question_ids=["colleagues-describe-you"], now=NOW, rng=random.Random(0))
    ) == ["colleagues-describe-you"]


def test_interview_questions_worst_first(store, catalog):
    iv = store.add_interview(company="Acme", date="2026-11-20", created_at=NOW)
    other = store.add_interview(company="Other", created_at=NOW)
    schedule.flag_question(store, "greatest-strength", "x", now=NOW, rating="nailed", interview_id=iv)
    schedule.flag_question(store, "why-this-company", "x", now=NOW, rating="shaky", interview_id=iv)
    schedule.flag_question(store, "failure-story", "x", now=NOW, rating="bombed", interview_id=iv)
    schedule.flag_question(store, "greatest-weakness", "x", now=NOW, rating="bombed", interview_id=other)
    # a question whose bank is gone is still asked, from the text saved with the flag
    schedule.flag_question(
        store, "gone-question", "A question from a deleted bank?", now=NOW, rating="ok", interview_id=iv
    )
    picked = pick_questions(store, catalog, interview_id=iv, now=NOW, rng=random.Random(0))
    assert ids(picked) == ["failure-story", "why-this-company", "gone-question", "greatest-strength"]
    assert picked[2].text == "A question from a deleted bank?"
    with pytest.raises(RedrillError, match="no interview #99"):
        pick_questions(store, catalog, interview_id=99, now=NOW, rng=random.Random(0))


def test_queue_and_progress_give_one_trend(store, catalog):
    """Two attempts were "improving" in the queue and "new" in `progress`: one trend now."""
    from redrill.tracking.progress import question_progress

    for i, ramble in enumerate([60, 40]):
        scored(store, "why-this-company", ramble, NOW - timedelta(days=2 - i))
    for i, ramble in enumerate([70, 60, 45, 30]):
        scored(store, "failure-story", ramble, NOW - timedelta(days=4 - i))
    by_queue = {e.question_id: e.trend for e in queue(store, catalog, now=NOW)}
    by_progress = {r.question_id: r.trend for r in question_progress(store.scored_metrics())}
    assert by_queue == by_progress == {"why-this-company": "new", "failure-story": "improving"}


def test_queue_due_first_with_reason_score_and_trend(store, catalog):
    iv = store.add_interview(company="Acme", stage="onsite", date="2026-11-20", created_at=NOW)
    scored(store, "why-this-company", 60, NOW - timedelta(days=2))
    scored(store, "why-this-company", 40, NOW - timedelta(days=1))
    schedule.flag_question(store, "failure-story", "x", now=NOW, rating="bombed", interview_id=iv)
    schedule.mark_mastered(store, "greatest-strength", now=NOW)
    entries = queue(store, catalog, now=NOW)
    assert [e.question_id for e in entries] == ["failure-story", "why-this-company", "greatest-strength"]
    first, second, third = entries
    assert first.due_now and first.weak and first.reason == "bombed in Acme onsite (interview #1, 2026-11-20)"
    # due since yesterday (a Hard answer comes back soon), but a flagged question goes first
    assert first.due is not None and second.due is not None
    assert second.due_now and not second.weak and second.due < first.due and second.attempts == 2
    assert second.last_ramble_score == 40 and second.trend == "new"
    assert second.review == "Hard - due now"
    assert third.mastered and third.due is None and third.reason.startswith("mastered")
    data = first.to_json()
    assert set(data) == {
        "question_id",
        "text",
        "due",
        "due_now",
        "weak",
        "mastered",
        "reason",
        "last_ramble_score",
        "attempts",
        "trend",
        "review",
    }
    assert data["due"] == "2026-11-21T09:00:00+00:00"
