"""Per-metric figures of redrill's whole-answer path, per model, with and without recognition hints.

Word error, pace error, filled pauses, long pauses, restarts, talking points, the ramble ranking of
the improving series and hallucinated phrases, overall and per voice. Fillers and restarts are
compared here as counts per answer (found vs said); the disfluency section matches them in time.
"""

from __future__ import annotations

import re
import statistics

TITLE = "Per-metric figures"
ORDER = 10

HALLUCINATIONS = ("thank you", "thanks for watching", "subscribe", "see you next time", "bye")


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def wer(ref: list[str], hyp: list[str]) -> tuple[int, int]:
    """(edit distance, reference length)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1], len(ref)


def rows_of(heard) -> list[dict]:
    """Score every answer as redrill does; one result row per answer."""
    from evalset import FILLERS, QUESTIONS
    from redrill.scoring import score

    rows = []
    for h in heard:
        a, transcript = h.answer, h.transcript
        question, points = QUESTIONS[a.question_id]
        metrics = score(transcript, target_seconds=(20, 90), talking_points=points, question_text=question)
        text = " ".join(w.text for w in transcript.words)
        truth = [w for w in a.truth_words if w not in FILLERS]
        hyp = [w for w in words(text) if w not in FILLERS]
        errors, n = wer(truth, hyp)
        duration = len(a.samples) / 16000 - 0.5 - 0.8
        truth_wpm = len(truth) / duration * 60
        found_pauses = [(p.at_s, p.length_s) for p in metrics.long_pauses or ()]
        matched = [(s, next((p for p in found_pauses if abs(p[0] - s[0]) <= 0.6), None)) for s in a.long_silences]
        rows.append(
            {
                "key": a.key,
                "voice": a.voice,
                "wer": (errors, n),
                "wpm_err": abs((metrics.wpm or 0) - truth_wpm) / truth_wpm,
                "fillers": (a.truth_fillers, metrics.filled_pause_count),
                "restarts": (a.truth_restarts, metrics.restarts),
                "pauses": (len(a.long_silences), len(found_pauses), sum(1 for _, p in matched if p)),
                "pause_len_err": [abs(p[1] - (s[1] - s[0])) for s, p in matched if p],
                "points": [(i in a.points_said, pt in metrics.talking_points.covered) for i, pt in enumerate(points)],
                "ramble": metrics.ramble_score,
                "hallucinated": any(h in text.lower() for h in HALLUCINATIONS),
                "heard": text,
            }
        )
    return rows


def pct(a, b):
    return f"{a / b:.0%} ({a}/{b})" if b else "-"


def summarise(rows: list[dict]) -> dict[str, str]:
    """The per-metric figures of a set of result rows."""
    errors = sum(r["wer"][0] for r in rows)
    n = sum(r["wer"][1] for r in rows)
    said_f = sum(r["fillers"][0] for r in rows)
    found_f = sum(r["fillers"][1] for r in rows)
    hit_f = sum(min(r["fillers"]) for r in rows)
    said_r = sum(r["restarts"][0] for r in rows)
    found_r = sum(r["restarts"][1] for r in rows)
    hit_r = sum(min(r["restarts"]) for r in rows)
    truth_p = sum(r["pauses"][0] for r in rows)
    found_p = sum(r["pauses"][1] for r in rows)
    hit_p = sum(r["pauses"][2] for r in rows)
    lens = [e for r in rows for e in r["pause_len_err"]]
    pts = [p for r in rows for p in r["points"]]
    clean = [r for r in rows if r["fillers"][0] == 0]
    return {
        "word error rate (fillers excluded)": pct(errors, n),
        "pace error (mean |wpm - truth| / truth)": f"{statistics.mean(r['wpm_err'] for r in rows):.1%}",
        "filled pauses recall": pct(hit_f, said_f),
        "filled pauses precision": pct(hit_f, found_f),
        "false fillers in clean answers": f"{sum(r['fillers'][1] for r in clean)} in {len(clean)} answers",
        "restarts recall": pct(hit_r, said_r),
        "restarts precision": pct(hit_r, found_r),
        "long pauses (>= 2 s) found": pct(hit_p, truth_p),
        "long pauses reported that are real": pct(hit_p, found_p),
        "long pause length error (mean)": f"{statistics.mean(lens):.2f} s" if lens else "-",
        "talking points judged right": pct(sum(a == b for a, b in pts), len(pts)),
        "talking points said and recognised": pct(sum(a and b for a, b in pts), sum(a for a, _ in pts)),
        "answers with a hallucinated phrase": pct(sum(r["hallucinated"] for r in rows), len(rows)),
    }


def run(ctx) -> None:
    voices = ctx.voices
    for name in ctx.models:
        hinted = rows_of(ctx.heard(name, hints=True))
        plain = rows_of(ctx.heard(name, hints=False))
        series = [r["ramble"] for r in hinted if r["key"].startswith("series")]
        overall, without = summarise(hinted), summarise(plain)
        per_voice = {v: summarise([r for r in hinted if r["voice"] == v]) for v in voices}
        print(f"\n### {name}\n")
        print("| metric | with hints | without hints | " + " | ".join(voices) + " |")
        print("| --- | --- | --- | " + " | ".join("---" for _ in voices) + " |")
        for key in overall:
            print(
                f"| {key} | {overall[key]} | {without[key]} | " + " | ".join(per_voice[v][key] for v in voices) + " |"
            )
        ordered = all(a > b for a, b in zip(series, series[1:]))
        ranking = " > ".join(f"{s:.0f}" for s in series)
        print(f"| ramble ranking of the improving series | {ranking}: {'right' if ordered else 'WRONG'} | | |")
        if ctx.verbose:
            for r in hinted:
                print(f"  {r['key']}: {r['heard']}")
