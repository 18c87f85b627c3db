"""Accuracy of the voice figures on answers whose delivery is known (rendered, not recorded).

    .venv/bin/python scripts/accuracy_voice.py [--quick]     # or: scripts/accuracy.py --only voice

Ground truth is made (``tests/voice_renders.py``): each text is rendered by espeak-ng as a monotone
(SSML prosody range x-low) and a lively delivery (x-high) with the same voice and rate, and as a
steady answer and one whose loudness sox makes fall at the end of chosen sentences. Every answer
goes through redrill's whole-answer path: transcribed by the real tiny.en model (word timings, as
``redrill answer --audio`` does), then :func:`redrill.pipeline.measure_voice`. The monotone
must rank flatter in every pair; trailing sentences must be found where they were made and nowhere
else, and never in the steady answers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent / "tests"))  # the renderings live with the tests that use them


def transcriber(name: str = "tiny.en"):
    """A real bundled Whisper model (tiny.en by default)."""
    from redrill.paths import Paths
    from redrill.transcription import bundled
    from redrill.transcription.whisper import Transcriber

    model = bundled.by_name(name)
    folder = bundled.locate(model, Paths(Path(tempfile.mkdtemp(prefix="redrill-acc-voice-"))))
    if folder is None:
        raise SystemExit(f"Error: the real {name} weights are not installed: {model.pip_install}")
    return Transcriber(str(folder), cpu_threads=2).load()


def measured(tr, samples):
    """The voice figures of one rendered answer, through the whole-answer path."""
    from redrill.pipeline import measure_voice
    from redrill.transcription.streaming import transcribe_answer

    return measure_voice(samples, transcribe_answer(tr, samples))


def run(*, quick: bool = False, model: str = "tiny.en") -> list[dict]:
    """Render every pair, measure it, and return one row per pair."""
    import voice_renders as vr

    tr = transcriber(model)
    voices, rates, texts = (vr.VOICES[:2], vr.RATES[:1], vr.TEXTS[:1]) if quick else (vr.VOICES, vr.RATES, vr.TEXTS)
    rows = []
    with tempfile.TemporaryDirectory(prefix="redrill-voice-") as tmp:
        folder = Path(tmp)
        for t, sentences in enumerate(texts):
            for voice in voices:
                for rate in rates:
                    base = {"voice": voice, "rate": rate, "text": t + 1}
                    pair = vr.pitch_pair(sentences, folder, voice=voice, rate=rate)
                    flat, lively = (measured(tr, pair[k]).pitch_range_st for k in ("monotone", "lively"))
                    rows.append(
                        {
                            **base,
                            "test": "pitch",
                            "monotone_st": flat,
                            "lively_st": lively,
                            "ok": _flatter(flat, lively),
                        }
                    )
                    pair = vr.trailing_pair(sentences, folder, voice=voice, rate=rate)
                    steady = measured(tr, pair["steady"].samples)
                    falling = measured(tr, pair["trailing"].samples)
                    hits = vr.sentences_found(falling.trailing, pair["trailing"].spans)
                    made = set(pair["trailing"].trailing)
                    where = len(made & set(hits))
                    elsewhere = len([h for h in hits if h not in made])
                    rows.append(
                        {
                            **base,
                            "test": "trailing",
                            "made": len(made),
                            "found_where_made": where,
                            "found_elsewhere": elsewhere,
                            "steady_false": len(steady.trailing),
                            "drops_db": [t.drop_db for t in falling.trailing],
                            "ok": where == len(made) and elsewhere == 0 and not steady.trailing,
                        }
                    )
    return rows


def _flatter(flat, lively) -> bool:
    return flat is not None and lively is not None and flat < lively


def table(rows: list[dict]) -> str:
    """The rows as two markdown tables and a summary line."""
    lines = [
        "| voice | rate (wpm) | text | monotone spread (st) | lively spread (st) | monotone flatter |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["test"] == "pitch":
            lines.append(
                f"| {r['voice']} | {r['rate']} | {r['text']} | {r['monotone_st']} | {r['lively_st']} | "
                f"{'yes' if r['ok'] else 'NO'} |"
            )
    lines += [
        "",
        "| voice | rate (wpm) | text | trailing made | found where made | found elsewhere | found in steady answer |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["test"] == "trailing":
            lines.append(
                f"| {r['voice']} | {r['rate']} | {r['text']} | {r['made']} | {r['found_where_made']} | "
                f"{r['found_elsewhere']} | {r['steady_false']} |"
            )
    pitch = [r for r in rows if r["test"] == "pitch"]
    trail = [r for r in rows if r["test"] == "trailing"]
    lines += [
        "",
        f"Monotone ranked flatter in {sum(r['ok'] for r in pitch)} of {len(pitch)} pairs "
        f"(spread {min(r['monotone_st'] or 0 for r in pitch):.1f}-{max(r['monotone_st'] or 0 for r in pitch):.1f} "
        f"vs {min(r['lively_st'] or 0 for r in pitch):.1f}-{max(r['lively_st'] or 0 for r in pitch):.1f} semitones); "
        f"trailing sentences found {sum(r['found_where_made'] for r in trail)} of {sum(r['made'] for r in trail)} "
        f"where made, {sum(r['found_elsewhere'] for r in trail)} elsewhere, "
        f"{sum(r['steady_false'] for r in trail)} in {len(trail)} steady answers.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two voices, one rate, one text")
    parser.add_argument("--model", default="tiny.en", help="the bundled model for word timings (tiny.en, base)")
    args = parser.parse_args()
    print(table(run(quick=args.quick, model=args.model)))


if __name__ == "__main__":
    main()
