"""What a talking point is, and how well redrill judges one (docs/metrics.md, "Talking points").

A talking point is content: words the user would say. It is judged by meaning-preserving word forms
(Snowball stems plus irregular verb forms). Rubric prompts about the answer's shape are a self-check
list, never judged against words. The labelled pairs are in ``scripts/pointset.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from redrill.banks import load_catalog
from redrill.scoring import score, stem
from redrill.transcript import from_text

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
sys.path.insert(0, str(SCRIPTS))

import accuracy_points  # noqa: E402
import pointset  # noqa: E402


def made(answer: str, *points: str) -> tuple[str, ...]:
    return score(from_text(answer), talking_points=points).talking_points.covered


def test_labelled_pairs_agree_at_least_90_percent_across_the_shipped_banks():
    pairs = pointset.ANSWERS
    banks = {q.id: q.bank for q in load_catalog().questions.values()}
    assert len(pairs) >= 60
    assert {banks[p.question_id] for p in pairs} == {b.name for b in load_catalog().banks}
    assert sum(p.how == "paraphrase" for p in pairs) >= 8 and sum(not p.said for p in pairs) >= 20
    right, total = accuracy_points.agreement(accuracy_points.judge(pairs))
    assert right / total >= 0.90, f"{right}/{total}"
    # no false hits: a point the answer did not make is never ticked
    assert not any(m for p, m in accuracy_points.judge(pairs) if not p.said)


def test_disagree_and_agree_in_any_form():
    """The hand-written stemmer made "disagree" disagre but left "disagreed" whole."""
    answer = "We disagree about the schema. In the end we agree on a plan."
    assert made(answer, "what we disagreed about", "how we agreed on a plan") == (
        "what we disagreed about",
        "how we agreed on a plan",
    )
    assert stem("disagree") == stem("disagreed") == stem("disagreeing")
    assert stem("wrote") == stem("write") == stem("writing") and stem("led") == stem("leading")
    assert made("We did a rollback within the hour.", "rolled back within an hour")


def test_rubric_prompts_are_a_self_check_list_not_judged():
    """Good answers failed rubric points ("what went wrong and my part in it"): the shipped banks
    list such prompts under self_check, which scoring never sees."""
    catalog = load_catalog()
    failure = catalog.get("failure-story")
    assert "what went wrong and my part in it" in failure.self_check
    assert not failure.talking_points
    answer = pointset.answer_to("failure-story")
    metrics = score(from_text(answer), talking_points=failure.talking_points)
    assert metrics.talking_points.total == 0 and metrics.ramble_score < 40
    # ... so a good answer is no longer rated "again" for missing rubric points
    from redrill.schedule import rate_attempt

    assert rate_attempt(metrics).name == "good"
    # every point a shipped bank still checks is content, measured in the labelled set
    labelled = {p.point for p in pointset.ANSWERS}
    for q in catalog.questions.values():
        for point in q.talking_points:
            assert point in labelled, f"{q.id}: '{point}' is judged by words but not measured"


@pytest.mark.parametrize(
    ("question_id", "prompt"),
    [
        ("failure-story", "the situation and what was at stake"),
        ("tell-me-about-yourself", "where I am now in my career"),
    ],
)
def test_a_rubric_prompt_matched_by_words_fails_a_good_answer(question_id, prompt):
    """Why rubric prompts are not judged: the good answers below do what they ask in other words."""
    assert not made(pointset.answer_to(question_id), prompt)
