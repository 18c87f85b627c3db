"""redrill's speed and memory benchmark: feedback latency, start-up, progress, audio size, memory.

Run from a checkout after `./setup.sh test` (it uses the test suite's random-weight model builder):

    .venv/bin/python scripts/bench.py            # about 8 minutes on 2 cores
    .venv/bin/python scripts/bench.py --quick    # a 40 s answer, 1 run: about 2 minutes

What it measures (targets from the project's performance issue):

* ``latency_s``: from the end of an answer (the silence endpoint) to the report rendered, for a
  120 s answer with pauses, fed at real-time speed through redrill's own recorder path
  (``microphone.Recorder.record``: the callback queue, spool file, endpointing and 48 kHz -> 16 kHz
  resampling; only PortAudio is replaced by a stream that plays the answer at real-time pace).
  ``streaming`` transcribes chunks while the answer is spoken (what `redrill drill` does);
  ``whole`` transcribes the same recording after it ended (what `redrill transcribe` does), with
  the same chunking. ``whole_plain`` is faster-whisper on the whole answer at once (30 s windows).
  Median of the runs. Target: streaming <= 1.5 s and >= 5x faster than whole-answer; ``speedup``
  is taken against the faster of the two whole-answer figures. (With random weights the chunked
  whole-answer path is slower than the plain one: each chunk is padded to a 30 s window and the
  random decoder's timestamps make faster-whisper re-seek inside it; real weights decode a chunk
  in one pass.)
* ``help_s``: `redrill --help` wall time (median of 10). Target <= 0.25 s.
* ``progress_10k_s``: `redrill progress` with 10,000 stored attempts (median of 5). Target <= 0.5 s.
* ``audio_bytes_per_min``: stored Opus bytes per minute of answer. Target <= 200 KB.
* ``peak_rss_mb``: peak memory of the process during the first drill (model loaded, recording,
  streaming, storing, scoring; measured before the whole-answer comparison runs, which hold the
  whole answer's features at once). Target < 600 MB.

The model has base.en's dimensions (d=512, 8 heads, 6+6 layers, 51864 tokens) with random weights:
real weights cannot be downloaded here. Encoder cost and load time carry over to the real model.
Decoding cost depends on the number of tokens produced, so decoding is capped at a realistic count
for the audio in each chunk (``--tokens-per-s`` 3.3: 150 words a minute is about 2.5 words and 3.3
tokens a second). Random weights make Whisper's hallucination check (``hallucination_silence_threshold``)
re-decode every window, which real weights do only around real silences, so it is off here.
The last line printed is JSON with every figure.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the random-weight model builder lives with the tests
sys.path.insert(0, str(REPO / "src"))

DEVICE_RATE = 48000
BLOCK_S = 0.01
SENTENCES = [
    "So the situation was that our billing migration failed on a Friday night.",
    "I was the engineer who had planned it, so it was my responsibility to fix it.",
    "Um, I rolled the change back within an hour and told the finance team what had happened.",
    "Then I looked at why our tests had not caught it.",
    "We had no check that compared invoices before and after a migration.",
    "I wrote a reconciliation test, and we now run it before every release.",
    "Since then, we have shipped twelve migrations without a single billing incident.",
    "What I learned is that a dry run is only as good as the checks you run against it.",
]
PAUSES = [0.5, 0.8, 1.6, 0.4, 0.7, 2.6, 0.5, 1.1]  # between sentences: breaths, a stall, thinking


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_answer(seconds: float, folder: Path):
    """``seconds`` of espeak-ng speech (16 kHz) with pauses of known length between sentences."""
    import numpy as np

    from redrill.audio import load_audio

    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed: sudo apt-get install espeak-ng")
    parts, total, i = [np.zeros(8000, np.float32)], 0.5, 0
    while total < seconds:
        wav = folder / f"s{i % len(SENTENCES)}.wav"
        if not wav.exists():
            subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), SENTENCES[i % len(SENTENCES)]], check=True, capture_output=True)
        speech = load_audio(wav).samples
        loud = np.nonzero(np.abs(speech) > 0.01)[0]
        speech = speech[loud[0] : loud[-1] + 1]
        pause = np.zeros(int(PAUSES[i % len(PAUSES)] * 16000), np.float32)
        parts += [speech, pause]
        total += (len(speech) + len(pause)) / 16000
        i += 1
    return np.concatenate(parts)[: int(seconds * 16000)]


class PlayedStream:
    """Stands in for sounddevice.InputStream: delivers a recording through the callback in
    10 ms blocks at real-time pace, from a thread (as PortAudio does), then room noise."""

    def __init__(self, audio, *, samplerate, callback, **_):
        import numpy as np

        self.audio = audio
        self.rate = int(samplerate)
        self.callback = callback
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._noise = np.random.default_rng(0)

    def _run(self) -> None:
        import numpy as np

        class Status:
            input_overflow = False

        n = int(self.rate * BLOCK_S)
        start = time.perf_counter()
        i = 0
        while not self._stop.is_set():
            block = self.audio[i * n : (i + 1) * n]
            if len(block) < n:
                block = np.concatenate([block, (self._noise.standard_normal(n - len(block)) * 3e-4).astype(np.float32)])
            self.callback(block.reshape(-1, 1), n, None, Status())
            i += 1
            delay = start + i * BLOCK_S - time.perf_counter()
            if delay > 0:
                time.sleep(delay)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        return False


def fake_sounddevice(audio48k):
    class SD:
        class PortAudioError(Exception):
            pass

        @staticmethod
        def InputStream(**kwargs):
            return PlayedStream(audio48k, **kwargs)

    return SD


class RealisticTokens:
    """Caps decoding at the token count a real model would produce for the audio it is given."""

    def __init__(self, transcriber, tokens_per_s: float):
        self.inner = transcriber
        self.tokens_per_s = tokens_per_s
        self.model_name = transcriber.model_name

    def transcribe(self, samples, *, offset_s=0.0):
        seconds = min(len(samples) / 16000, 30.0)
        cap = max(8, math.ceil(self.tokens_per_s * seconds))
        self.inner.options = self.inner.options.with_changes(max_new_tokens=cap)
        return self.inner.transcribe(samples, offset_s=offset_s)


def render(report) -> None:
    """Render the report as the drill does (rich), into memory."""
    from rich.console import Console

    from redrill.cli import app as cli_app
    from redrill.cli.render import print_report

    cli_app._console = Console(file=io.StringIO(), width=100)
    print_report(report)


def one_run(transcriber, audio16k, home: Path, question, config, tokens_per_s: float) -> dict:
    """Record the answer at real-time pace; then time streaming and whole-answer feedback."""
    from redrill import microphone, practice
    from redrill.audio import resample
    from redrill.banks import load_catalog
    from redrill.paths import Paths
    from redrill.store import open_store
    from redrill.streaming import StreamingTranscription, transcribe_answer

    paths = Paths(home)
    store = open_store(paths)
    catalog = load_catalog(None)
    audio48k = resample(audio16k, 16000, DEVICE_RATE)
    microphone.import_sounddevice = lambda: fake_sounddevice(audio48k)
    microphone.resolve_input_device = lambda sd, device: (None, {"name": "bench", "default_samplerate": DEVICE_RATE})
    capped = RealisticTokens(transcriber, tokens_per_s)
    recorder = microphone.Recorder(settings=microphone.Endpointing(silence_seconds=4.0, max_seconds=600), spool_dir=paths.recordings)

    # streaming, as `redrill drill` does it
    stream = StreamingTranscription(capped, before_chunk=recorder.sync_spool)
    recording = recorder.record(question.id, question.text, on_audio=stream.feed)
    t0 = time.perf_counter()
    samples = stream.settle(recording.samples)
    attempt = practice.save_recording(store, paths, config, question, samples)
    transcript = stream.finish(samples)
    report = practice.finish_attempt(store, catalog, attempt, capped, config, paths=paths, transcript=transcript)
    render(report)
    streaming_s = time.perf_counter() - t0
    recording.discard_spool()
    drill_peak_mb = peak_rss_mb()  # before the whole-answer paths, which are not part of a drill
    audio_path = practice.audio_file_of(paths, store.get_attempt(attempt))
    bytes_per_min = audio_path.stat().st_size / (len(samples) / 16000 / 60)

    # whole answer after the end, same recording and chunking (as `redrill transcribe` does it)
    t0 = time.perf_counter()
    attempt2 = practice.save_recording(store, paths, config, question, samples)
    whole_transcript = transcribe_answer(capped, samples)
    report2 = practice.finish_attempt(store, catalog, attempt2, capped, config, paths=paths, transcript=whole_transcript)
    render(report2)
    whole_s = time.perf_counter() - t0
    assert whole_transcript.words == transcript.words, "streaming and whole-answer transcripts differ"

    # reference: faster-whisper over the whole answer at once, 30 s windows
    t0 = time.perf_counter()
    transcriber.options = transcriber.options.with_changes(max_new_tokens=math.ceil(tokens_per_s * 30))
    transcriber.transcribe(samples)
    plain_s = time.perf_counter() - t0
    store.close()
    return {
        "answer_s": round(len(samples) / 16000, 1),
        "chunks": stream.chunks_submitted,
        "streaming_s": streaming_s,
        "whole_s": whole_s,
        "whole_plain_s": plain_s,
        "audio_bytes_per_min": bytes_per_min,
        "drill_peak_mb": drill_peak_mb,
    }


def time_command(args: list[str], env: dict, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(args, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 40 s answer and one run (about 2 minutes)")
    parser.add_argument("--seconds", type=float, default=120.0, help="answer length (default 120)")
    parser.add_argument("--runs", type=int, default=3, help="drill runs (default 3)")
    parser.add_argument("--tokens-per-s", type=float, default=3.3, help="decode cap: tokens per second of audio")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "redrill-bench", help="model cache folder")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.runs = 40.0, 1

    args.cache.mkdir(parents=True, exist_ok=True)
    model_dir = args.cache / "base-sized-random"
    if not (model_dir / "model.bin").exists():
        print("building the base.en-sized random model (once) ...", flush=True)
        code = f"from whisper_model import build_base_sized_model; build_base_sized_model({str(model_dir)!r})"
        subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO / "tests")

    from redrill.banks import load_catalog
    from redrill.config import Config
    from redrill.transcribe import DecodeOptions, Transcriber

    work = Path(tempfile.mkdtemp(prefix="redrill-bench-"))
    try:
        audio = make_answer(args.seconds, work)
        question = load_catalog(None).get("failure-story")
        config = Config()
        options = DecodeOptions().with_changes(hallucination_silence_threshold=None, temperatures=(0.0,))
        transcriber = Transcriber(str(model_dir), options=options).load()
        print(f"model loaded in {transcriber.load_seconds:.2f} s; answer {args.seconds:.0f} s, {args.runs} run(s) at real-time speed", flush=True)
        runs = []
        for i in range(args.runs):
            result = one_run(transcriber, audio, work / f"home{i}", question, config, args.tokens_per_s)
            runs.append(result)
            print(
                f"run {i + 1}: streaming {result['streaming_s']:.2f} s, whole {result['whole_s']:.2f} s, "
                f"whole (plain) {result['whole_plain_s']:.2f} s, {result['chunks']} chunks",
                flush=True,
            )
        peak = runs[0]["drill_peak_mb"]  # the first drill: later figures include the whole-answer runs

        env = {**os.environ, "REDRILL_HOME": str(work / "cli-home")}
        exe = str(Path(sys.executable).with_name("redrill"))
        help_s = time_command([exe, "--help"], env, 10)
        from bench_progress import fill  # noqa: E402  (scripts/ is on sys.path as the script's folder)

        progress_home = work / "progress-home"
        fill(progress_home, 10_000)
        progress_s = time_command([exe, "progress"], {**os.environ, "REDRILL_HOME": str(progress_home)}, 5)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    streaming = statistics.median(r["streaming_s"] for r in runs)
    whole = statistics.median(r["whole_s"] for r in runs)
    plain = statistics.median(r["whole_plain_s"] for r in runs)
    bytes_min = statistics.median(r["audio_bytes_per_min"] for r in runs)
    figures = {
        "latency_s": round(streaming, 3),
        "latency_whole_s": round(whole, 3),
        "latency_whole_plain_s": round(plain, 3),
        "speedup": round(min(whole, plain) / streaming, 1),
        "help_s": round(help_s, 3),
        "progress_10k_s": round(progress_s, 3),
        "audio_bytes_per_min": round(bytes_min),
        "peak_rss_mb": round(peak),
        "answer_s": runs[0]["answer_s"],
        "runs": len(runs),
    }
    targets = {
        "latency_s": ("<= 1.5 s", streaming <= 1.5),
        "speedup": (">= 5x", min(whole, plain) / streaming >= 5),
        "help_s": ("<= 0.25 s", help_s <= 0.25),
        "progress_10k_s": ("<= 0.5 s", progress_s <= 0.5),
        "audio_bytes_per_min": ("<= 200 KB", bytes_min <= 200_000),
        "peak_rss_mb": ("< 600 MB", peak < 600),
    }
    print()
    print(f"{'figure':<24}{'value':>12}  {'target':<12}{'met'}")
    for key, value in figures.items():
        target, met = targets.get(key, ("", None))
        print(f"{key:<24}{value:>12}  {target:<12}{'' if met is None else ('yes' if met else 'NO')}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
