"""How long `redrill progress` takes with 10,000 stored attempts.

Fills a temporary data home with 10,000 scored attempts (60 questions, realistic metrics written
straight into the database), then runs `redrill progress` (table and --json) as a fresh process
five times each and reports the median, plus the parts: Python start-up with the CLI imported, and
reading and summarising the metrics in-process.

Usage: python scripts/bench_progress.py [--attempts N] [--runs 5]
The last line of output is JSON: {"progress_10k_s": ..., ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

FILLERS = ("um", "uh", "like", "you know", "so", "basically")


def fake_metrics(rng: random.Random, quality: float) -> dict:
    """Metrics shaped like scoring's output (every key), worse when ``quality`` is low."""
    lo, hi = rng.choice(((60.0, 120.0), (45.0, 90.0), (30.0, 60.0)))
    duration = round(hi * (1.5 - 0.6 * quality) + rng.uniform(-15, 15), 3)
    words = int(duration * rng.uniform(2.0, 2.6))
    fillers = {f: rng.randint(0, int(6 * (1 - quality)) + 1) for f in rng.sample(FILLERS, 3)}
    n_fillers = sum(fillers.values())
    pauses = [
        {"at_s": round(rng.uniform(0, duration), 3), "length_s": round(rng.uniform(2, 5), 3)}
        for _ in range(rng.randint(0, int(5 * (1 - quality)) + 1))
    ]
    points = ["the situation", "what I did", "the result", "what I learned"]
    covered = points[: 1 + int(quality * 3)]
    return {
        "duration_s": duration,
        "audio_s": round(duration + 1.2, 3),
        "speech_s": round(duration * 0.8, 3),
        "words": words,
        "wpm": round(words / (duration / 60), 1),
        "filled_pause_count": fillers.get("um", 0) + fillers.get("uh", 0),
        "filler_count": n_fillers - fillers.get("um", 0) - fillers.get("uh", 0),
        "fillers_per_min": round(n_fillers / (duration / 60), 2),
        "fillers_per_100_words": round(100 * n_fillers / (words + n_fillers), 2),
        "fillers": fillers,
        "long_pauses": pauses,
        "long_pause_total_s": round(sum(p["length_s"] for p in pauses), 3),
        "restarts": rng.randint(0, 4),
        "restart_examples": ["I went - I decided"],
        "hedges": rng.randint(0, 5),
        "hedge_examples": ["I think", "sort of"],
        "repeated_phrases": [{"phrase": "at the end of the day", "count": rng.randint(2, 4)}],
        "target_s": [lo, hi],
        "over_target_s": round(max(0.0, duration - hi), 3),
        "under_target_s": round(max(0.0, lo - duration), 3),
        "talking_points": {"covered": covered, "missing": points[len(covered) :]},
        "ramble_score": round(max(0.0, min(100.0, 80 * (1 - quality) + rng.uniform(-8, 8))), 1),
        "voice": {  # a recorded answer: how it sounded (scoring.voice)
            "voiced_s": round(duration * 0.45, 2),
            "median_f0_hz": round(rng.uniform(90, 230), 1),
            "pitch_range_st": round(rng.uniform(2.0, 8.0), 2),
            "pitch_sd_st": round(rng.uniform(0.8, 3.0), 2),
            "loudness_sd_db": round(rng.uniform(2.0, 6.0), 2),
            "sentences": 8,
            "trailing": [{"at_s": 30.5, "drop_db": 5.2, "words": "the result."}],
            "trailing_share": 0.125,
            "pace_cv": round(rng.uniform(5, 30), 1),
            "bursts": [{"start_s": 40.0, "end_s": 50.0, "wpm": 190}],
            "drags": [],
            "first_word_delay_s": round(rng.uniform(0.3, 4.0), 2),
            "lead_s": 0.4,
        },
    }


def fill(home: Path, n: int, questions: int = 60) -> None:
    """Store ``n`` scored attempts (with small transcripts) in one transaction."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from redrill.paths import Paths
    from redrill.store import open_store, to_iso

    rng = random.Random(7)
    store = open_store(Paths(home))
    start = datetime(2023, 1, 2, 9, tzinfo=timezone.utc)
    transcript = json.dumps(
        {
            "version": 1,
            "timed": True,
            "words": [{"word": "word", "start": i * 0.4, "end": i * 0.4 + 0.3} for i in range(250)],
        }
    )
    rows = []
    done = [0] * questions
    for i in range(n):
        q = rng.randrange(questions)
        done[q] += 1
        quality = min(1.0, done[q] / (n / questions))
        rows.append(
            (
                f"question-{q:03d}",
                f"Question number {q}: tell me about a time you did something hard?",
                to_iso(start + timedelta(minutes=53 * i)),
                "microphone",
                f"recordings/{i}.ogg",
                "scored",
                transcript,
                json.dumps(fake_metrics(rng, quality)),
            )
        )
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO attempts (question_id, question_text, created_at, source, audio_path, status, transcript_json, metrics_json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    store.close()


def time_command(args: list[str], env: dict, runs: int) -> list[float]:
    """Wall-clock seconds of ``python -m redrill ARGS`` as a fresh process, ``runs`` times."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "redrill", *args], env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if proc.returncode != 0:
            raise SystemExit(f"redrill {' '.join(args)} failed:\n{proc.stderr}")
    return times


def main() -> None:
    """Fill, time, print a table and a final JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="redrill-bench-") as tmp:
        home = Path(tmp) / "home"
        t = time.perf_counter()
        fill(home, opts.attempts)
        fill_s = time.perf_counter() - t
        env = {**os.environ, "REDRILL_HOME": str(home), "COLUMNS": "120"}
        src = str(Path(__file__).resolve().parents[1] / "src")
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        table = time_command(["progress"], env, opts.runs)
        as_json = time_command(["progress", "--json"], env, opts.runs)
        helps = time_command(["--help"], env, opts.runs)
        # the in-process part: read the metrics and summarise them
        from redrill.paths import Paths
        from redrill.store import open_store
        from redrill.tracking.progress import figures_from_store_rows, summarise

        store = open_store(Paths(home))
        core = []
        for _ in range(opts.runs):
            t = time.perf_counter()
            rows = summarise(figures_from_store_rows(store.progress_figures()), store.question_texts())
            core.append(time.perf_counter() - t)
        store.close()
    med = statistics.median
    print(f"{opts.attempts:,} attempts, {len(rows)} questions (filled in {fill_s:.1f} s); median of {opts.runs} runs")
    print(f"{'what':<44}{'median s':>10}{'min s':>10}{'max s':>10}")
    for name, times in (
        ("redrill progress (fresh process)", table),
        ("redrill progress --json (fresh process)", as_json),
        ("redrill --help (start-up only)", helps),
        ("read metrics + summarise (in-process)", core),
    ):
        print(f"{name:<44}{med(times):>10.3f}{min(times):>10.3f}{max(times):>10.3f}")
    print(
        json.dumps(
            {
                "progress_10k_s": round(med(table), 3),
                "progress_json_10k_s": round(med(as_json), 3),
                "startup_s": round(med(helps), 3),
                "core_s": round(med(core), 3),
                "attempts": opts.attempts,
            }
        )
    )


if __name__ == "__main__":
    main()
