"""The talking-point section of ``scripts/accuracy.py``: how often redrill's judgement (made or not
made) agrees with the labels of ``scripts/pointset.py``, for redrill's stemmer and the others it was
chosen against. Pure text: no model, no audio; runs in a second.

    .venv/bin/python scripts/accuracy.py --only points
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pointset import Pair

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

HOWS = ("same", "forms", "paraphrase", "absent")
HOW_LABELS = {
    "same": "said in the point's words",
    "forms": "said in other word forms",
    "paraphrase": "said in other words",
    "absent": "not said",
}


def judge(pairs: Sequence[Pair], stemmer=None) -> list[tuple[Pair, bool]]:
    """(pair, redrill says it was made) for every labelled pair, with redrill's default settings."""
    from redrill.scoring import ScoringSettings
    from redrill.scoring.points import find_coverage
    from redrill.scoring.words import stem, words_of

    share = ScoringSettings().point_coverage
    out = []
    for pair in pairs:
        coverage = find_coverage([pair.point], words_of(pair.answer), share, stemmer=stemmer or stem)
        out.append((pair, bool(coverage.covered)))
    return out


def _pct(right: int, total: int) -> str:
    return "-" if not total else f"{100 * right / total:.0f}% ({right}/{total})"


def agreement(judged) -> tuple[int, int]:
    """(pairs judged as labelled, pairs)."""
    return sum(1 for pair, made in judged if made == pair.said), len(judged)


def section() -> dict:
    """Print the talking-point tables; return the figures (for the test that holds them)."""
    import pointset
    import stemmers
    from redrill.banks import load_catalog

    pairs, rubric = pointset.ANSWERS, pointset.RUBRIC
    banks = {q.id: q.bank for q in load_catalog().questions.values()}
    ours = judge(pairs)
    right, total = agreement(ours)
    questions, n_banks = len({p.question_id for p in pairs}), len({banks[p.question_id] for p in pairs})
    print(f"\n### Talking points: {total} labelled (answer, point) pairs, {questions} questions, {n_banks} banks\n")
    print("| how the answer put it | pairs | judged right |")
    print("| --- | --- | --- |")
    for how in HOWS:
        subset = [(p, m) for p, m in ours if p.how == how]
        print(f"| {HOW_LABELS[how]} | {len(subset)} | {_pct(*agreement(subset))} |")
    print(f"| **all** | {total} | **{_pct(right, total)}** |")
    said = [(p, m) for p, m in ours if p.said]
    absent = [(p, m) for p, m in ours if not p.said]
    print(f"\nmade points found (recall): {_pct(*agreement(said))}; ", end="")
    print(f"points reported made that were not (false hits): {sum(m for _p, m in absent)} of {len(absent)}")
    by_bank: dict[str, list] = defaultdict(list)
    for p, m in ours:
        by_bank[banks[p.question_id]].append((p, m))
    print("\n| bank | pairs | judged right |")
    print("| --- | --- | --- |")
    for bank in sorted(by_bank):
        print(f"| {bank} | {len(by_bank[bank])} | {_pct(*agreement(by_bank[bank]))} |")
    misses = [p for p, m in ours if m != p.said]
    if misses:
        print("\nJudged wrong:")
        for p in misses:
            print(
                f'- {p.question_id}: "{p.point}" ({HOW_LABELS[p.how]}; redrill says {"made" if not p.said else "missing"})'
            )

    print("\n### Stemmers on the same pairs\n")
    print("| stemmer | agreement | said in other word forms | rubric prompts judged right |")
    print("| --- | --- | --- | --- |")
    results = {}
    for name, fn in stemmers.candidates().items():
        if fn is None:
            print(f"| {name} | not installed | | |")
            continue
        judged = judge(pairs, fn)
        forms = [(p, m) for p, m in judged if p.how == "forms"]
        results[name] = agreement(judged)
        print(
            f"| {name} | {_pct(*results[name])} | {_pct(*agreement(forms))} | {_pct(*agreement(judge(rubric, fn)))} |"
        )
    print(
        '\nRubric prompts (the shipped banks\' old points, like "the situation and what was at stake") against '
        "good answers that do what they ask: word matching misses most of them with any stemmer, which is why "
        "they are a self-check list now and are not judged."
    )
    return {"agreement": (right, total), "stemmers": results, "rubric": agreement(judge(rubric))}


if __name__ == "__main__":
    section()
