"""Stored attempts for the tracking tests (history, show, progress, report, export).

Two kinds:

* :func:`metrics` / :func:`seed`: hand-written metrics dicts stored directly, for fast unit tests
  of the tracking code alone;
* the ``practised`` fixture: a few dozen answers to three questions over six weeks, each made as a
  timed Whisper-style transcript and scored through the REAL pipeline
  (``practice.score_transcript``: scoring, comparison with earlier attempts, scheduling), getting
  better over time with one bad day in the middle, plus one typed answer and one recording that was
  never transcribed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from redrill.paths import Paths
from redrill.scoring import Metrics
from redrill.store import open_store

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)  # a Monday


def metrics(duration, ramble, *, fillers=2.0, pauses=1, target=(60, 120)):
    """A stored metrics dict with the keys the tracking code reads (as scoring writes them)."""
    lo, hi = target
    return {
        "duration_s": duration,
        "target_s": list(target),
        "over_target_s": None if duration is None else max(0.0, duration - hi),
        "under_target_s": None if duration is None else max(0.0, lo - duration),
        "fillers_per_min": fillers,
        "long_pauses": None if pauses is None else [{"at_s": 5.0 * i, "length_s": 2.5} for i in range(pauses)],
        "ramble_score": ramble,
        "wpm": 140.0,
    }


def seed(home, rows, *, start=T0, step=timedelta(hours=1)):
    """Store ``(question_id, metrics)`` rows directly (metrics None: a recording not yet scored).

    Returns the new attempt ids.
    """
    store = open_store(Paths(home))
    ids = []
    try:
        for i, (q, m) in enumerate(rows):
            ids.append(
                store.add_attempt(
                    question_id=q,
                    question_text=f"Text of {q}?",
                    source="microphone",
                    status="scored" if m is not None else "recorded",
                    created_at=start + i * step,
                    metrics=None if m is None else Metrics.from_dict(m),
                    audio_seconds=33.0 if m is None else None,
                )
            )
    finally:
        store.close()
    return ids


# --- answers made of words with timings --------------------------------------------------------

# What a good answer says, one list of sentences per talking point, in the bank's order.
SCRIPTS = {
    "failure-story": [
        [
            "The situation was the migration of our billing service to a new database, which I led two years ago.",
            "What was at stake was a launch date we had promised to our largest customer.",
            "Three teams depended on the new schema, and the old servers were being switched off that month.",
        ],
        [
            "What went wrong was the cut-over: it failed on the night because the rollback had never run on production sized data.",
            "My part in it was clear, because skipping that test was my call as the lead.",
            "For two hours invoices could not be created at all.",
        ],
        [
            "I owned it straight away: I told my manager within the hour and explained it to the customer myself.",
            "We fixed it by rolling back cleanly, and then I rebuilt the plan around a rehearsal on a full copy.",
            "We shipped two weeks later without a single failed invoice.",
        ],
        [
            "What I changed afterwards was how my team plans releases: every risky change now gets a rehearsed rollback.",
            "We have not had a failed cut-over since then, and other teams copied the checklist.",
            "I also learned to say early when a plan has a hole in it, even when the date is close.",
        ],
    ],
    "tell-me-about-yourself": [
        [
            "Where I am now in my career: I am a senior backend engineer at a logistics company.",
            "I look after the routing platform that plans every delivery van in the country.",
            "Most of my work has been in data heavy systems that have to stay up.",
        ],
        [
            "The experience that shaped me most was running on-call for a system that moved real parcels.",
            "It taught me to design for failure and to explain problems plainly to people outside engineering.",
            "I still use the habits I built in that first year.",
        ],
        [
            "A result I am proud of is cutting delivery planning time from four hours to twenty minutes.",
            "That saved the operations team a full shift every single week.",
            "It also meant drivers got their routes before breakfast instead of after it.",
        ],
        [
            "Why this role is my next step: you solve the same scale problems for a product I use every day.",
            "I want to bring what I learned and grow into leading a platform team.",
            "And the people I met in the first round made me sure it is a team I would learn from.",
        ],
    ],
    "why-this-company": [
        [
            "Something specific I learned about the company was how you moved checkout to event sourcing.",
            "Your blog post measured it so carefully that I shared it with my whole team.",
            "It showed me a company that checks its decisions against real numbers.",
        ],
        [
            "Your mission of making small shops competitive matches what I care about, because my parents ran one.",
            "I saw how much a good tool changed their week.",
            "Helping thousands of shops like theirs is work I would be glad to explain to anyone.",
        ],
        [
            "What I can add to the team is years of payments experience.",
            "I also bring a habit of writing things down so the whole team can move faster.",
            "In my last job that habit cut the time new engineers needed to ship their first change in half.",
        ],
    ],
}
# The user's own talking points (as a debrief stores them), one per group of sentences above: the
# shipped banks' prompts for these questions are a self-check list, not matched against words.
OWN_POINTS = {
    "failure-story": [
        "launch date promised to our largest customer",
        "rollback never ran on production sized data",
        "told my manager within the hour",
        "every risky change gets a rehearsed rollback",
    ],
    "tell-me-about-yourself": [
        "senior backend engineer at a logistics company",
        "on-call for a system that moved real parcels",
        "cut delivery planning from four hours to twenty minutes",
        "grow into leading a platform team",
    ],
    "why-this-company": [
        "your blog post on event sourcing",
        "making small shops competitive",
        "years of payments experience",
    ],
}
# What a rambling answer adds: going round in circles.
PADDING = [
    "So basically that was kind of the background to the whole thing, more or less.",
    "And I think, at the end of the day, it was a really interesting time for everyone involved.",
    "There was a lot going on at that point with several other projects as well.",
    "I guess what I am trying to say is that it was complicated for lots of reasons.",
    "And at the end of the day we all learned something from it in the end.",
    "It is hard to explain all the details without going into the history of the team.",
    "Anyway there were many people involved and many opinions about what to do next.",
    "And so, yes, that is sort of how things went on that side of it.",
]
FILLED = ["um", "uh", "um", "you know,"]
WORD_S = 0.34  # seconds a word takes
GAP_S = 0.08  # silence between words
SENTENCE_GAP_S = 0.45


def spoken_answer(question_id: str, quality: float, rng: random.Random):
    """A timed :class:`Transcript` of one answer; ``quality`` 0 rambles, 1 is clean and complete."""
    from redrill.transcript import Transcript, Word

    points = SCRIPTS[question_id]
    covered = max(1, round(1 + quality * (len(points) - 1)))
    sentences = [s for point in points[:covered] for s in point]
    # rambling repeats itself: padding is drawn with replacement
    pads = [rng.choice(PADDING) for _ in range(round((1 - quality) * 12))]
    for pad in pads:
        sentences.insert(rng.randrange(1, len(sentences) + 1), pad)
    filler_chance = 0.11 * (1 - quality) + 0.004
    pause_chance = 0.45 * (1 - quality)
    words, t = [], 0.4
    for sentence in sentences:
        for text in sentence.split():
            if rng.random() < filler_chance:
                words.append(Word(rng.choice(FILLED), round(t, 2), round(t + 0.35, 2), 0.6))
                t += 0.35 + GAP_S
            words.append(Word(text, round(t, 2), round(t + WORD_S, 2), 0.9))
            t += WORD_S + GAP_S
        t += SENTENCE_GAP_S
        if rng.random() < pause_chance:
            t += rng.uniform(2.3, 4.5)  # a stall: longer than the 2 s long-pause threshold
    return Transcript(words=tuple(words), timed=True, audio_seconds=round(t + 0.5, 2))


@dataclass
class Practised:
    """What the ``practised`` fixture stored."""

    home: Path
    reports: list = field(default_factory=list)  # AttemptReport of every scored answer, in order
    ids: dict = field(default_factory=dict)  # question id -> attempt ids, oldest first
    typed_id: int | None = None
    pending_id: int | None = None
    questions: dict = field(default_factory=dict)

    def store(self):
        """A new Store on the fixture's database (close it)."""
        return open_store(Paths(self.home))


PLAN = (
    # question, attempts over the six weeks
    ("failure-story", 12),
    ("tell-me-about-yourself", 10),
    ("why-this-company", 8),
)
WEEKS = 6


@pytest.fixture
def practised(redrill_home):
    """A data home with 30 answers scored through the real pipeline over six weeks (see module)."""
    from redrill import pipeline
    from redrill.banks import load_catalog
    from redrill.config import Config

    rng = random.Random(20240304)
    catalog = load_catalog()
    config = Config()
    plan: list[tuple[datetime, str, float]] = []  # when, question, answer quality
    for question_id, n in PLAN:
        for j in range(n):
            quality = j / (n - 1)
            if j == n // 2:
                quality = max(0.0, quality - 0.45)  # a bad day: nerves, no sleep
            # spread each question's attempts over the six weeks, at different times of day
            when = T0 + timedelta(days=(WEEKS * 7 - 1) * j / (n - 1), hours=len(plan) % 9)
            plan.append((when, question_id, min(1.0, max(0.0, quality + rng.uniform(-0.05, 0.05)))))
    plan.sort()
    result = Practised(home=redrill_home, questions={q: catalog.get(q) for q, _ in PLAN})
    store = open_store(Paths(redrill_home))
    attempts = pipeline.AttemptPipeline(store, config)
    try:
        for question_id, points in OWN_POINTS.items():
            store.set_state(question_id, now=T0 - timedelta(days=1), talking_points=points)
        for when, question_id, quality in plan:
            question = catalog.get(question_id)
            report = attempts.score(question, spoken_answer(question_id, quality, rng), source="transcript", now=when)
            result.reports.append(report)
            result.ids.setdefault(question_id, []).append(report.attempt_id)
        typed = attempts.score_text(
            catalog.get("why-this-role"),
            "I enjoy the mix of building systems and talking to the people who use them, and I already do both.",
            now=T0 + timedelta(days=20, hours=20),
        )
        result.reports.append(typed)
        result.typed_id = typed.attempt_id
        result.pending_id = store.add_attempt(
            question_id="failure-story",
            question_text=catalog.get("failure-story").text,
            source="microphone",
            status="recorded",
            created_at=T0 + timedelta(days=WEEKS * 7 - 1, hours=23),
            audio_path="recordings/never-transcribed.ogg",
            audio_seconds=95.0,
        )
    finally:
        store.close()
    return result


def review_stored(store, question_id: str, attempt_id: int, metrics, at, comparison=None):
    """Plan and store the review of an attempt stored directly with ``metrics`` (as the attempt
    pipeline does after scoring one); returns the :class:`~redrill.schedule.Review`."""
    from redrill.banks import Question
    from redrill.config import Config
    from redrill.pipeline import AttemptPipeline
    from redrill.schedule import plan_review

    attempts = AttemptPipeline(store, Config())
    history = attempts.history(Question(id=question_id, text="Q?"), before=at, exclude_id=attempt_id)
    review = plan_review(history.state, metrics, comparison, history.since_flag, question_id=question_id, now=at)
    attempts.store_review(question_id, attempt_id, review, now=at)
    return review
