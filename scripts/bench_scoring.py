"""Benchmark: score one two-minute answer and compare it with 1,000 earlier attempts.

Usage: .venv/bin/python scripts/bench_scoring.py [--runs 50]

Prints a small table (median and 90th percentile of each step over the runs) and, last, one JSON
line with the figures in milliseconds. The budget for score + compare + feedback is 50 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

try:
    import redrill  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from redrill.scoring import Metrics, score
from redrill.scoring.comparison import compare
from redrill.scoring.feedback import feedback
from redrill.transcript import Transcript, Word

BUDGET_MS = 50.0
POINTS = ("what went wrong and my part in it", "rolled back the release", "what I changed afterwards")
QUESTION = "Tell me about a time a release you owned failed."
STORY = (
    "So last spring um our payment release failed in production and, you know, I was the release owner. "
    "I I rolled back the release within ten minutes and told support what customers would see. "
    "What went wrong was a migration we had never tested against, like, real data volumes. "
    "Uh afterwards I changed our pipeline so every migration runs against a copy of production first. "
    "At the end of the day we have shipped forty releases since, I think, without an incident. "
)


def two_minute_answer(rng: random.Random, words: int = 300, seconds: float = 120.0) -> Transcript:
    """About 300 words over two minutes, with a few long pauses."""
    tokens = (STORY.split() * (words // len(STORY.split()) + 1))[:words]
    step = seconds / words
    out, t = [], 0.0
    for token in tokens:
        out.append(Word(token, round(t, 3), round(t + 0.75 * step, 3), 0.9))
        t += step + (2.4 if rng.random() < 0.01 else 0.0)
    return Transcript(words=tuple(out), timed=True, audio_seconds=t + 0.5)


def earlier_attempts(rng: random.Random, base: dict, n: int = 1000) -> list[dict]:
    """n stored metric dicts that vary around ``base``."""
    out = []
    for _ in range(n):
        m = dict(base)
        m["ramble_score"] = round(rng.uniform(5, 85), 1)
        m["fillers_per_min"] = round(rng.uniform(0, 9), 2)
        m["fillers_per_100_words"] = round(rng.uniform(0, 10), 2)
        m["over_target_s"] = round(max(0.0, rng.gauss(10, 20)), 3)
        m["wpm"] = round(rng.uniform(100, 190), 1)
        m["restarts"] = rng.randint(0, 12)
        out.append(m)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    rng = random.Random(7)
    transcript = two_minute_answer(rng)
    base = score(transcript, target_seconds=(60, 120), talking_points=POINTS, question_text=QUESTION).to_dict()
    history = [Metrics.from_dict(m) for m in earlier_attempts(rng, base)]

    times: dict[str, list[float]] = {"score": [], "compare": [], "feedback": [], "total": []}
    for _ in range(args.runs):
        t0 = time.perf_counter()
        metrics = score(transcript, target_seconds=(60, 120), talking_points=POINTS, question_text=QUESTION)
        t1 = time.perf_counter()
        comparison = compare(metrics, history)
        t2 = time.perf_counter()
        feedback(metrics, comparison, talking_points=POINTS)
        t3 = time.perf_counter()
        times["score"].append(t1 - t0)
        times["compare"].append(t2 - t1)
        times["feedback"].append(t3 - t2)
        times["total"].append(t3 - t0)

    def ms(values: list[float], q: float) -> float:
        values = sorted(values)
        return 1000.0 * values[min(len(values) - 1, int(q * len(values)))]

    print(
        f"{len(transcript.words)} words, {metrics.duration_s:.0f} s answer; {len(history)} earlier attempts; {args.runs} runs"
    )
    print(f"{'step':<10}{'median ms':>12}{'p90 ms':>10}")
    for name, values in times.items():
        print(f"{name:<10}{1000.0 * statistics.median(values):>12.2f}{ms(values, 0.9):>10.2f}")
    total = 1000.0 * statistics.median(times["total"])
    result = {
        "words": len(transcript.words),
        "history": len(history),
        "runs": args.runs,
        "score_ms": round(1000.0 * statistics.median(times["score"]), 3),
        "compare_ms": round(1000.0 * statistics.median(times["compare"]), 3),
        "feedback_ms": round(1000.0 * statistics.median(times["feedback"]), 3),
        "total_ms": round(total, 3),
        "budget_ms": BUDGET_MS,
        "ok": total < BUDGET_MS,
    }
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
