"""Where whole-answer transcription spends its time, on real Whisper weights: redrill's path against
plain faster-whisper on the same audio.

    .venv/bin/python scripts/bench_transcribe.py                  # tiny.en, and base when installed
    .venv/bin/python scripts/bench_transcribe.py --models base --seconds 120

For each model and answer length (espeak-ng speech with pauses: the answer of scripts/bench.py) it
times, side by side in one process:

* ``redrill``: the whole-answer path of `redrill answer --audio` and `redrill transcribe --pending`
  (``streaming.transcribe_answer``: the answer cut into pieces at pauses, each piece's silences cut
  out by one voice-activity pass, decoded as one Whisper window with the question's hints);
* ``plain``: faster-whisper's own ``transcribe`` on the same samples, with the VAD filter and word
  timestamps on (what redrill needs) and its defaults otherwise.

(each path ``--repeat`` times, in alternating order, medians) and counts what the time went on: Whisper windows (encoder passes), decoder calls and the tokens
they produced, word alignment, voice-activity detection. Then it checks that streaming the same
audio gives exactly the whole-answer transcript. The ratio redrill / plain is the figure the
README's performance table quotes (target <= 1.0); ``scripts/bench.py`` measures it again through
the stored recording. Runs pinned to 2 CPUs (``--cores``); the last line is JSON with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


class Meter:
    """Wraps faster-whisper's and redrill's stages to count calls and time spent in each."""

    STAGES = (  # (stage, module, class or None, attribute)
        ("encoder", "faster_whisper.transcribe", "WhisperModel", "encode"),
        ("decoder", "faster_whisper.transcribe", "WhisperModel", "generate_with_fallback"),
        ("alignment", "faster_whisper.transcribe", "WhisperModel", "find_alignment"),
        # redrill imports the VAD function when it runs; faster-whisper bound its own copy at import
        ("vad", "faster_whisper.vad", None, "get_speech_timestamps"),
        ("vad", "faster_whisper.transcribe", None, "get_speech_timestamps"),
    )

    def __init__(self):
        import importlib

        self.calls = {stage: 0 for stage, *_ in self.STAGES}
        self.seconds = {stage: 0.0 for stage, *_ in self.STAGES}
        self.tokens = 0
        for stage, module_name, cls, attr in self.STAGES:
            module = importlib.import_module(module_name)
            owner = getattr(module, cls) if cls else module
            setattr(owner, attr, self._wrap(stage, getattr(owner, attr)))

    def _wrap(self, stage: str, real):
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            result = real(*args, **kwargs)
            self.seconds[stage] += time.perf_counter() - t0
            self.calls[stage] += 1
            if stage == "decoder":
                self.tokens += len(result[0].sequences_ids[0])
            return result

        return timed

    def reset(self) -> None:
        self.calls = dict.fromkeys(self.calls, 0)
        self.seconds = dict.fromkeys(self.seconds, 0.0)
        self.tokens = 0

    def snapshot(self) -> dict:
        return {
            "windows": self.calls["encoder"],
            "decoder_calls": self.calls["decoder"],
            "tokens": self.tokens,
            **{f"{k}_s": round(v, 2) for k, v in self.seconds.items()},
        }


def model_run(name: str, lengths: list[float], device: str, cache: Path, repeat: int = 2) -> dict:
    """Every figure for one model, in this process."""
    from bench import cpu_s, make_answer
    from redrill.paths import Paths
    from redrill.transcription import bundled
    from redrill.transcription.streaming import StreamingTranscription, transcribe_answer
    from redrill.transcription.whisper import Transcriber, recognition_hints

    folder = bundled.locate(bundled.by_name(name), Paths(cache))
    if folder is None:
        sys.exit(f"{name} is not installed: {bundled.by_name(name).pip_install}")
    meter = Meter()
    transcriber = Transcriber(str(folder), device=device).load()
    hints = recognition_hints(
        "Tell me about a time you failed.", ["what went wrong and my part in it", "what I changed afterwards"]
    )
    hinted = transcriber.hinted(hints)
    transcriber.transcribe(make_answer(3.0, cache))  # warm-up: VAD model, allocators

    def run_redrill(audio):
        return transcribe_answer(hinted, audio)

    def run_plain(audio):
        segments, _ = transcriber._model.transcribe(audio, language="en", word_timestamps=True, vad_filter=True)
        return [w for s in segments for w in s.words]

    def timed(fn, audio):
        meter.reset()
        t0, c0 = time.perf_counter(), cpu_s()
        result = fn(audio)
        return result, time.perf_counter() - t0, cpu_s() - c0, meter.snapshot()

    rows = []
    for seconds in lengths:
        audio = make_answer(seconds, cache)
        times = {"redrill": [], "plain": []}
        for turn in range(repeat):
            # alternate which path goes first, so warm caches or a burst of other work favour neither
            order = [("redrill", run_redrill), ("plain", run_plain)]
            for label, fn in order if turn % 2 == 0 else order[::-1]:
                result, wall, cpu, counts = timed(fn, audio)
                times[label].append((wall, cpu))
                if label == "redrill":
                    whole, ours = result, counts
                else:
                    plain_words, plain = result, counts
        stream = StreamingTranscription(hinted)
        for i in range(0, len(audio), 1600):
            stream.feed(audio[i : i + 1600])
        same = stream.finish().words == whole.words
        med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
        (redrill_s, redrill_cpu), (plain_s, plain_cpu) = med["redrill"], med["plain"]
        row = {
            "model": name,
            "audio_s": seconds,
            "repeat": repeat,
            "redrill_s": round(redrill_s, 2),
            "plain_s": round(plain_s, 2),
            "ratio": round(redrill_s / plain_s, 2),
            "cpu_ratio": round(redrill_cpu / plain_cpu, 2),
            "redrill_rtf": round(redrill_s / seconds, 3),
            "redrill": {**ours, "words": len(whole.words)},
            "plain": {**plain, "words": len(plain_words)},
            "same_as_streaming": same,
        }
        rows.append(row)
        print(
            f"{name} {seconds:.0f} s: redrill {redrill_s:.2f} s ({ours['windows']} windows, {ours['tokens']} tokens) vs "
            f"plain {plain_s:.2f} s ({plain['windows']} windows, {plain['tokens']} tokens): ratio {row['ratio']:.2f} "
            f"(CPU time {row['cpu_ratio']:.2f}), medians of {repeat}; streaming = whole: {same}",
            file=sys.stderr,
            flush=True,
        )
    return {"rows": rows, "load_s": round(transcriber.load_seconds, 2), "peak_rss_mb": round(peak_rss_mb())}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    import subprocess

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="comma-separated: tiny.en,base (default: tiny.en, and base when installed)")
    parser.add_argument("--seconds", default="60,120", help="answer lengths (default 60,120)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--repeat", type=int, default=2, help="times each path runs per length, in turns (default 2)")
    parser.add_argument("--cores", type=int, default=2, help="CPUs to run on (default 2; 0: all)")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "redrill-bench", help="rendered speech, base model"
    )
    parser.add_argument("--model-run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    lengths = [float(x) for x in args.seconds.split(",")]
    if args.model_run:
        print(json.dumps(model_run(args.model_run, lengths, args.device, args.cache, args.repeat)))
        return

    from bench import pin_cores
    from redrill.transcription import bundled

    cores = pin_cores(args.cores)
    load = os.getloadavg()
    names = (
        args.models.split(",")
        if args.models
        else [m.name for m in (bundled.TINY_EN, bundled.BASE) if bundled.installed(m)]
    )
    results = []
    for name in names:
        cmd = [sys.executable, __file__, "--model-run", name, "--seconds", args.seconds, "--device", args.device]
        cmd += ["--repeat", str(args.repeat)]
        out = subprocess.run([*cmd, "--cache", str(args.cache)], check=True, stdout=subprocess.PIPE, text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    print()
    print(f"{cores}, device {args.device}; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the start")
    print()
    print(
        "| model | answer | redrill | plain faster-whisper | ratio (CPU time) | windows (redrill / plain) | "
        "decoder | encoder | alignment | VAD | tokens | same as streaming |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for result in results:
        for r in result["rows"]:
            a, b = r["redrill"], r["plain"]
            print(
                f"| {r['model']} | {r['audio_s']:.0f} s | {r['redrill_s']:.1f} s | {r['plain_s']:.1f} s | "
                f"{r['ratio']:.2f} ({r['cpu_ratio']:.2f}) | "
                f"{a['windows']} / {b['windows']} | {a['decoder_s']:.1f} / {b['decoder_s']:.1f} s | "
                f"{a['encoder_s']:.1f} / {b['encoder_s']:.1f} s | {a['alignment_s']:.1f} / {b['alignment_s']:.1f} s | "
                f"{a['vad_s']:.1f} / {b['vad_s']:.1f} s | {a['tokens']} / {b['tokens']} | "
                f"{'yes' if r['same_as_streaming'] else 'NO'} |"
            )
    print()
    print("peak memory: " + ", ".join(f"{n} {r['peak_rss_mb']} MB" for n, r in zip(names, results)))
    print(
        json.dumps({"cores": cores, "load_average": [round(x, 2) for x in load], "models": dict(zip(names, results))})
    )


if __name__ == "__main__":
    main()
