"""Cost of the voice figures: seconds of computing per minute of audio, and what they add at the end
of a streamed answer.

    .venv/bin/python scripts/bench_voice.py [--minutes 2] [--runs 3]

A rendered answer (espeak-ng sentences, four voices, with pauses between them) of about
``--minutes`` is analysed three ways, side by side in one process:

* whole answer (``rescore``, imported files): :func:`redrill.sound.prosody.analyse_answer`, then the
  figures (:func:`redrill.scoring.voice.voice_figures`) with the word timings of the rendering;
* the same after decoding the stored Ogg/Opus recording (what ``rescore`` pays per attempt);
* streaming: the answer fed to :class:`~redrill.sound.prosody.VoiceStream` in 100 ms blocks, then
  what is left at the end of the answer (the last piece, the figures), for an answer that ends in
  a pause and one cut off mid-speech.

Figures are CPU seconds (process time: every thread, so a figure for the machine's cores) and wall
seconds, each per minute of audio; the budget is 0.2 s per minute on 2 cores. Whole and streamed
figures are checked to be identical.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent / "tests"))

BUDGET_S_PER_MIN = 0.2


def rendered_answer(minutes: float, folder: Path):
    """About ``minutes`` of rendered speech with 0.7 s pauses, and a transcript of its sentences
    (word times spread evenly over each sentence: the figures' cost does not depend on them)."""
    import numpy as np

    import voice_renders as vr
    from redrill.transcript import Transcript, Word

    parts, texts = [], []
    i = 0
    while sum(len(p) for p in parts) / vr.SAMPLE_RATE < minutes * 60:
        sentences = vr.TEXTS[i % len(vr.TEXTS)]
        sentence = sentences[(i // len(vr.TEXTS)) % len(sentences)]
        voice = vr.VOICES[i % len(vr.VOICES)]
        parts.append(vr.load(vr.render(sentence, folder / f"b{i}.wav", voice=voice, rate=160)))
        texts.append(sentence)
        i += 1
    samples, spans = vr.joined(parts)
    words = []
    for (a, b), text in zip(spans, texts):
        tokens = text.split()
        step = (b - a) / len(tokens)
        words += [Word(t, a + k * step, a + (k + 0.9) * step) for k, t in enumerate(tokens)]
    return np.asarray(samples, np.float32), Transcript(words=tuple(words), timed=True)


def timed(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="length of the rendered answer")
    parser.add_argument("--runs", type=int, default=3, help="repeat each measurement, report the median")
    args = parser.parse_args()

    from redrill.scoring.voice import voice_figures
    from redrill.sound import SAMPLE_RATE
    from redrill.sound.audiofile import load_audio, write_opus
    from redrill.sound.prosody import VoiceStream, analyse_answer

    with tempfile.TemporaryDirectory(prefix="redrill-bench-voice-") as tmp:
        folder = Path(tmp)
        samples, transcript = rendered_answer(args.minutes, folder)
        minutes = len(samples) / SAMPLE_RATE / 60
        ogg = folder / "answer.ogg"
        write_opus(ogg, samples, bitrate=24000)
        analyse_answer(samples[: SAMPLE_RATE * 2])  # load Praat once, outside the timings

        whole_cpu, whole_wall, opus_cpu, opus_wall, end_cpu, end_wall, cut_cpu, cut_wall = ([] for _ in range(8))
        same = True
        for _ in range(args.runs):
            (_frames, figures), cpu, wall = timed(lambda: (f := analyse_answer(samples), voice_figures(f, transcript)))
            whole_cpu.append(cpu)
            whole_wall.append(wall)
            _, cpu, wall = timed(lambda: voice_figures(analyse_answer(load_audio(ogg).samples), transcript))
            opus_cpu.append(cpu)
            opus_wall.append(wall)
            for final, cpu_list, wall_list in (
                (samples, end_cpu, end_wall),  # ends in the silence after the last sentence
                (samples[: len(samples) - int(1.2 * SAMPLE_RATE)], cut_cpu, cut_wall),  # cut mid-sentence
            ):
                stream = VoiceStream()
                for i in range(0, len(final), SAMPLE_RATE // 10):
                    stream.feed(final[i : i + SAMPLE_RATE // 10])
                stream._worker.submit(lambda: None).result()  # the background work done while speaking
                streamed, cpu, wall = timed(lambda s=stream, a=final: voice_figures(s.frames(a), transcript))
                cpu_list.append(cpu)
                wall_list.append(wall)
                if final is samples:
                    same = same and streamed == figures

    def per_min(values):
        return statistics.median(values) / minutes

    print(f"Rendered answer: {minutes * 60:.0f} s of audio; median of {args.runs} runs.\n")
    print("| path | CPU s per minute of audio | wall s per minute | ratio to audio length (CPU) |")
    print("|---|---|---|---|")
    for label, cpu, wall in (
        ("whole answer (frames + figures)", whole_cpu, whole_wall),
        ("whole answer from the stored Ogg/Opus (rescore)", opus_cpu, opus_wall),
    ):
        print(f"| {label} | {per_min(cpu):.3f} | {per_min(wall):.3f} | {per_min(cpu) / 60:.4f} |")
    print("\n| streamed answer: left at the end | CPU s | wall s |")
    print("|---|---|---|")
    print(f"| ends in a pause | {statistics.median(end_cpu):.3f} | {statistics.median(end_wall):.3f} |")
    print(f"| cut off mid-speech | {statistics.median(cut_cpu):.3f} | {statistics.median(cut_wall):.3f} |")
    verdict = "within" if per_min(whole_cpu) <= BUDGET_S_PER_MIN else "OVER"
    print(
        f"\nWhole-answer cost {per_min(whole_cpu):.3f} CPU s per minute of audio: {verdict} the "
        f"{BUDGET_S_PER_MIN} s budget. Streamed figures identical to whole-answer figures: {'yes' if same else 'NO'}."
    )


if __name__ == "__main__":
    main()
