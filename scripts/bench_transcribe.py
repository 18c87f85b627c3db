"""Benchmark redrill's transcriber with a base.en-sized model on 60 s and 120 s of speech.

Real weights cannot be assumed (the benchmark must run offline), so it builds a random-weight model
with base.en's shapes (d=512, 8 heads, 6+6 layers, 51864 tokens; cached between runs) and feeds it
espeak-ng speech. Load time, VAD and encoder cost carry over to the real model. Decoding cost
depends on how many tokens are produced, so each window is capped at a realistic count: 150 wpm
speech is ~2.5 tokens/s, ~75-100 tokens per 30 s window. The random model would otherwise loop
until Whisper's 224-token limit and through every fallback temperature, which the real model
rarely does, so the fallback is off here.

hallucination_silence_threshold (redrill's default 2.0 s) is measured on and off: with random
weights the word timings collapse, faster-whisper takes the windows for hallucinations and decodes
them again (~3x the decoder calls). With real weights that only happens around real silences, so
the "off" figures are the closer estimate of the real model's cost; the "on" figures are a worst case.

Usage: python scripts/bench_transcribe.py [--cache DIR] [--tokens 100] [--seconds 60,120]
Prints one line per run and a final JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the random-weight model builder lives with the tests
sys.path.insert(0, str(REPO / "src"))

SENTENCES = [
    "Tell me about a time you handled a conflict on your team.",
    "Well, um, last year our biggest release slipped by two weeks, and I had to tell the customer myself.",
    "I called them the same day, explained the cause, and offered a weekly demo until we shipped.",
    "So the situation was that two senior engineers disagreed about the database design.",
    "My task was to get a decision within a week without losing either of them.",
    "I set up a short meeting, asked each of them to write down the risks, and we compared them.",
    "In the end we chose the simpler design, and we shipped on time with no outages.",
    "What I learned is that, uh, people mostly want to be heard before a decision is made.",
]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_speech(seconds: float, folder: Path):
    """``seconds`` of espeak-ng speech at 16 kHz: the sentences, with short pauses, repeated."""
    import numpy as np

    from redrill.sound.audiofile import load_audio

    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed: sudo apt-get install espeak-ng")
    parts = []
    for i, text in enumerate(SENTENCES):
        wav = folder / f"s{i}.wav"
        if not wav.exists():
            subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), text], check=True, capture_output=True)
        parts.append(load_audio(wav).samples)
        parts.append(np.zeros(int(0.4 * 16000), np.float32))
    one_pass = np.concatenate(parts)
    repeats = int(np.ceil(seconds * 16000 / len(one_pass)))
    return np.tile(one_pass, repeats)[: int(seconds * 16000)]


def _count_decode_calls() -> list:
    """Record each window decode (faster-whisper's generate_with_fallback; private, so optional)."""
    calls: list = []
    try:
        import faster_whisper.transcribe as fw

        real = fw.WhisperModel.generate_with_fallback

        def counted(self, *args, **kwargs):
            calls.append(1)
            return real(self, *args, **kwargs)

        fw.WhisperModel.generate_with_fallback = counted
    except (ImportError, AttributeError):
        pass
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "redrill-bench", help="where the model is cached"
    )
    parser.add_argument("--tokens", type=int, default=100, help="max new tokens per 30 s window")
    parser.add_argument("--seconds", default="60,120", help="answer lengths to try")
    args = parser.parse_args()

    from redrill.transcription.whisper import DecodeOptions, Transcriber, speech_regions
    from whisper_model import build_base_sized_model

    args.cache.mkdir(parents=True, exist_ok=True)
    model_dir = args.cache / "base-sized-random"
    started = time.perf_counter()
    if not (model_dir / "model.bin").exists():
        build_base_sized_model(model_dir)
        build_s = time.perf_counter() - started
    else:
        build_s = None
    model_mb = sum(p.stat().st_size for p in model_dir.iterdir()) / 1e6

    results = {
        "cpu_count": os.cpu_count(),
        "model": "random weights, base.en shapes",
        "model_mb": round(model_mb, 1),
        "build_s": None if build_s is None else round(build_s, 2),
        "tokens_cap": args.tokens,
        "runs": [],
    }
    speech = {s: make_speech(float(s), args.cache) for s in (int(x) for x in args.seconds.split(","))}
    decode_calls = _count_decode_calls()
    load_s = None
    for beam, silence_threshold in ((5, 2.0), (5, None), (1, None)):
        options = DecodeOptions(
            beam_size=beam,
            max_new_tokens=args.tokens,
            temperatures=(0.0,),
            hallucination_silence_threshold=silence_threshold,
        )
        transcriber = Transcriber(str(model_dir), options=options)
        t0 = time.perf_counter()
        transcriber.load()
        load_s = time.perf_counter() - t0
        transcriber.transcribe(speech[min(speech)][: 16000 * 2])  # warm-up: VAD model, allocators
        for seconds, samples in speech.items():
            t0 = time.perf_counter()
            regions = speech_regions(samples)
            vad_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            decode_calls.clear()
            transcript = transcriber.transcribe(samples)
            total_s = time.perf_counter() - t0
            run = {
                "audio_s": seconds,
                "beam": beam,
                "hallucination_silence_threshold": silence_threshold,
                "decode_calls": len(decode_calls),
                "load_s": round(load_s, 3),
                "transcribe_s": round(total_s, 2),
                "rtf": round(total_s / seconds, 3),
                "speech_vad_s": round(vad_s, 3),
                "words": len(transcript.words),
                "speech_regions": len(regions),
                "peak_rss_mb": round(peak_rss_mb()),
            }
            results["runs"].append(run)
            print(
                f"{seconds:>4} s audio  beam {beam}  hst {silence_threshold}  decode calls {len(decode_calls):>2}  "
                f"transcribe {total_s:6.2f} s  RTF {run['rtf']:.3f}  "
                f"(speech VAD {vad_s:.2f} s)  load {load_s:.2f} s  words {run['words']}  peak RSS {run['peak_rss_mb']} MB",
                flush=True,
            )
    results["peak_rss_mb"] = round(peak_rss_mb())
    results["load_avg_1min"] = round(os.getloadavg()[0], 2)  # other work on the machine skews timings
    print(json.dumps(results))


if __name__ == "__main__":
    main()
