"""redrill's speed and memory benchmark on real Whisper weights: feedback latency, whole-answer
speed against plain faster-whisper, start-up, progress, audio size, memory.

Run from a checkout after `./setup.sh test`:

    .venv/bin/python scripts/bench.py            # tiny.en, and base when installed; about 45 minutes on 2 cores
    .venv/bin/python scripts/bench.py --runs 1   # two drilled answers per model: about 20 minutes
    .venv/bin/python scripts/bench.py --quick    # a 40 s answer, 1 run
    .venv/bin/python scripts/bench.py --device cuda   # only the GPU (by default it runs too when one is present)
    .venv/bin/python scripts/bench.py --key-press --runs 3   # an answer ended by a key instead of silence

Each model runs in two processes of its own (the drill, which sets malloc up for a long session
and whose peak memory is its own; then the paths after the fact, with malloc's defaults), with the real weights
that redrill bundles (tiny.en always; base when the `base` extra is installed), on the CPU and,
when CTranslate2 sees a GPU, also with ``--device cuda``. The benchmark pins itself to 2 CPUs
(``--cores``), the machine the targets are set for. What it measures:

* ``latency_s``: from the end of an answer (the silence endpoint, at its default) to the report
  rendered, for a 120 s answer with pauses, fed at real-time speed through the drill loop itself
  (:class:`redrill.drill.Drill` with redrill's own recorder: the callback queue, spool file,
  endpointing, 48 kHz -> 16 kHz resampling, the recording encoded while it is spoken; only
  PortAudio and the terminal are stand-ins), transcribed and searched piece by piece while it is
  spoken. Target with base on 2 cores: <= 1.0 s. ``key_latency_s``: the same answer ended by a key
  KEY_AFTER_S after its last word (the words since the last pause are left to transcribe).
  ``recorder_latency_s``: the recorder path without the drill loop (4 s silence ending, the
  recording encoded after the end), kept for comparison with earlier figures.
* ``whole_s``: the same recording transcribed after the fact, as `redrill answer --audio` and
  `redrill transcribe --pending` do (the stored Opus copy decoded, chunked, hinted, scored).
  ``plain_s``: faster-whisper's own ``transcribe`` on the same stored file (it decodes it too; VAD
  filter and word timestamps on, as redrill needs them), timed right after it in the same run.
  ``whole_ratio`` = whole / plain; target <= 1.0. ``whole_cpu_ratio``: the same in CPU seconds of
  the process, which other work on the machine disturbs far less. Streaming and whole-answer
  transcripts must be identical (checked).
* ``help_s``: `redrill --help` wall time (median of 10). Target <= 0.25 s.
* ``progress_10k_s``: `redrill progress` with 10,000 stored attempts (median of 5). Target <= 0.5 s.
* ``audio_bytes_per_min``: stored Opus bytes per minute of answer. Target <= 200 KB.
* ``peak_rss_mb``: peak memory of the drill process (model loaded, recording, streaming, storing,
  scoring) during the first answer of a drill; ``session_peak_rss_mb``: the same over every drilled
  answer (2 x ``--runs``, one process, before the whole-answer paths run). Target < 600 MB.

Medians over ``--runs``. It prints one table (the README's, one column per model and device) with
the targets and whether each is met, the load average (other work on the machine makes absolute
times indicative only; ratios measured side by side still hold), and last a JSON line with every
figure.
"""

from __future__ import annotations

import argparse
import io
import json
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


def cpu_s() -> float:
    """CPU seconds this process has used (all threads): a measure of work that other programs
    running on the machine disturb far less than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_answer(seconds: float, folder: Path):
    """``seconds`` of espeak-ng speech (16 kHz) with pauses of known length between sentences."""
    import numpy as np

    from redrill.sound.audiofile import load_audio

    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed: sudo apt-get install espeak-ng")
    parts, total, i = [np.zeros(8000, np.float32)], 0.5, 0
    while total < seconds:
        wav = folder / f"s{i % len(SENTENCES)}.wav"
        if not wav.exists():
            subprocess.run(
                ["espeak-ng", "-s", "150", "-w", str(wav), SENTENCES[i % len(SENTENCES)]],
                check=True,
                capture_output=True,
            )
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

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def close(self) -> None:
        self.stop()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def fake_sounddevice(audio48k):
    class SD:
        class PortAudioError(Exception):
            pass

        @staticmethod
        def InputStream(**kwargs):
            return PlayedStream(audio48k, **kwargs)

    return SD


def render(report) -> None:
    """Render the report as the drill does (rich), into memory."""
    from rich.console import Console

    from redrill.cli import app as cli_app
    from redrill.cli.render import print_report

    cli_app._console = Console(file=io.StringIO(), width=100)
    print_report(report)


def one_run(transcriber, audio16k, home: Path, question, config) -> dict:
    """Record the answer at real-time pace and time the streaming feedback; then time the
    whole-answer path and plain faster-whisper side by side on the same recording."""
    from redrill import pipeline
    from redrill.banks import load_catalog
    from redrill.paths import Paths
    from redrill.sound import microphone
    from redrill.sound.audiofile import resample
    from redrill.sound.endpointing import Endpointing
    from redrill.store import open_store
    from redrill.transcription.streaming import StreamingTranscription
    from redrill.transcription.whisper import with_hints

    paths = Paths(home)
    store = open_store(paths)
    catalog = load_catalog(None)
    audio48k = resample(audio16k, 16000, DEVICE_RATE)
    microphone.import_sounddevice = lambda: fake_sounddevice(audio48k)
    microphone.resolve_input_device = lambda sd, device: (None, {"name": "bench", "default_samplerate": DEVICE_RATE})
    recorder = microphone.Recorder(
        settings=Endpointing(silence_seconds=4.0, max_seconds=600), spool_dir=paths.recordings
    )
    attempts = pipeline.AttemptPipeline(store, config, paths=paths)
    hinted = with_hints(transcriber, attempts.hints(question))  # as the drill and the whole-answer path do

    # streaming, as `redrill drill` does it: words and voice analysed while the answer is spoken
    from redrill.sound.prosody import VoiceStream

    stream = StreamingTranscription(pipeline.Searched(hinted), before_chunk=recorder.sync_spool)
    voice = VoiceStream()

    def feed(block) -> None:
        stream.feed(block)
        voice.feed(block)

    recording = recorder.record(question.id, question.text, on_audio=feed)
    t0 = time.perf_counter()
    samples = stream.settle(recording.samples)
    attempt = pipeline.save_recording(store, paths, config, question, samples)
    transcript = stream.finish(samples)
    frames = voice.frames(samples)
    transcript_s = time.perf_counter() - t0
    report = attempts.finish(
        catalog, attempt, transcriber, transcript=transcript, frames=frames, lead_s=recording.started_s
    )
    render(report)
    streaming_s = time.perf_counter() - t0
    recording.discard_spool()
    audio_path = pipeline.audio_file_of(paths, store.get_attempt(attempt))
    bytes_per_min = audio_path.stat().st_size / (len(samples) / 16000 / 60)

    # the whole answer after the end, from the stored recording (as `redrill answer --audio` does it)
    attempt2 = pipeline.save_recording(store, paths, config, question, samples)
    t0, c0 = time.perf_counter(), cpu_s()
    report2 = attempts.finish(catalog, attempt2, transcriber)
    render(report2)
    whole_s, whole_cpu_s = time.perf_counter() - t0, cpu_s() - c0
    from redrill.transcript import Transcript

    whole_transcript = Transcript.from_json(store.get_attempt(attempt2).transcript)
    store.close()

    # plain faster-whisper on the same stored recording (it decodes the file too), right after it
    from redrill.sound.audiofile import load_audio

    t0, c0 = time.perf_counter(), cpu_s()
    segments, _ = transcriber._model.transcribe(str(audio_path), language="en", word_timestamps=True, vad_filter=True)
    plain_words = [w for s in segments for w in s.words]
    plain_s, plain_cpu_s = time.perf_counter() - t0, cpu_s() - c0
    decoded = load_audio(audio_path).samples
    stream_check = StreamingTranscription(pipeline.Searched(hinted))
    for i in range(0, len(decoded), 1600):
        stream_check.feed(decoded[i : i + 1600])
    same = stream_check.finish().words == whole_transcript.words
    return {
        "answer_s": round(len(samples) / 16000, 1),
        "pieces": stream.chunks_submitted,
        "streaming_s": streaming_s,
        "transcript_wait_s": transcript_s,
        "whole_s": whole_s,
        "plain_s": plain_s,
        "whole_cpu_s": whole_cpu_s,
        "plain_cpu_s": plain_cpu_s,
        "whole_words": len(whole_transcript.words),
        "plain_words": len(plain_words),
        "same_transcript": same,
        "live_words": len(transcript.words),
        "audio_bytes_per_min": bytes_per_min,
    }


def prepare_run(name: str, args, work: Path):
    """What every model run starts from: the rendered answer, the question and the loaded model."""
    from redrill.banks import load_catalog
    from redrill.paths import Paths
    from redrill.transcription import bundled
    from redrill.transcription.whisper import Transcriber

    folder = bundled.locate(bundled.by_name(name), Paths(args.cache))
    if folder is None:
        sys.exit(f"{name} is not installed: {bundled.by_name(name).pip_install}")
    audio = make_answer(args.seconds, work)
    question = load_catalog(None).get("failure-story")
    return audio, question, Transcriber(str(folder), device=args.device).load()


def model_run(name: str, args) -> dict:
    """One model's figures of one part (``args.part``), in a process of its own: ``drill`` (the drill
    loop, its latency and memory; the drill sets malloc up for a session, see redrill.memory) or
    ``after`` (the recorder path without the drill, and the whole answer after the fact against
    plain faster-whisper, with the malloc defaults that `redrill answer --audio` runs with)."""
    from redrill.config import Config

    work = Path(tempfile.mkdtemp(prefix="redrill-bench-"))
    try:
        audio, question, transcriber = prepare_run(name, args, work)
        config = Config()
        print(
            f"{name} ({args.part}): loaded in {transcriber.load_seconds:.2f} s; answer {args.seconds:.0f} s, "
            f"{args.runs} run(s) at real-time speed",
            file=sys.stderr,
            flush=True,
        )
        if args.part == "drill":
            return {
                "load_s": round(transcriber.load_seconds, 2),
                **drill_figures(name, args, transcriber, audio, question, config, work),
            }
        return after_figures(name, args, transcriber, audio, question, config, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def drill_figures(name: str, args, transcriber, audio, question, config, work: Path) -> dict:
    """The drill loop itself, ended by its silence endpoint (the default) and by a key: one process
    drilling 2 x runs answers, its peak memory read after the first answer and after the last."""
    drilled = []
    first_answer_peak_mb = None
    for i in range(args.runs):
        for how in ("silence", "key"):
            r = key_press_run(transcriber, audio, work / f"{how}{i}", question, config, key=how == "key")
            drilled.append((how, r))
            if first_answer_peak_mb is None:
                first_answer_peak_mb = peak_rss_mb()
            print(
                f"{name} run {i + 1}, drill ended by {how}: {r['latency_s']:.2f} s to the report; saving "
                f"{r['save_s']:.2f} s, transcription left {r['transcript_wait_s']:.2f} s, scoring {r['score_s']:.2f} s",
                file=sys.stderr,
                flush=True,
            )
    return {
        "latency_s": round(statistics.median(r["latency_s"] for how, r in drilled if how == "silence"), 3),
        "key_latency_s": round(statistics.median(r["latency_s"] for how, r in drilled if how == "key"), 3),
        "peak_rss_mb": round(first_answer_peak_mb or 0),  # the first answer of a drill
        "session_peak_rss_mb": round(peak_rss_mb()),  # over every drilled answer
        "session_answers": len(drilled),
    }


def after_figures(name: str, args, transcriber, audio, question, config, work: Path) -> dict:
    """The recorder path without the drill, and the whole answer after the fact against plain
    faster-whisper on the same stored recording."""
    runs = []
    for i in range(args.runs):
        result = one_run(transcriber, audio, work / f"home{i}", question, config)
        runs.append(result)
        print(
            f"{name} run {i + 1}: recorder path without the drill (4 s silence, recording encoded at the end) "
            f"{result['streaming_s']:.2f} s; whole answer {result['whole_s']:.2f} s vs plain "
            f"faster-whisper {result['plain_s']:.2f} s; {result['pieces']} pieces; same transcript: {result['same_transcript']}",
            file=sys.stderr,
            flush=True,
        )
    med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    return {
        "model": name,
        "device": args.device,
        "recorder_latency_s": round(med("streaming_s"), 3),
        "whole_s": round(med("whole_s"), 2),
        "plain_s": round(med("plain_s"), 2),
        "whole_ratio": round(statistics.median(r["whole_s"] / r["plain_s"] for r in runs), 2),
        "whole_cpu_ratio": round(statistics.median(r["whole_cpu_s"] / r["plain_cpu_s"] for r in runs), 2),
        "same_transcript": all(r["same_transcript"] for r in runs),
        "words": runs[0]["whole_words"],
        "audio_bytes_per_min": round(med("audio_bytes_per_min")),
        "answer_s": runs[0]["answer_s"],
        "runs": len(runs),
    }


def time_command(args: list[str], env: dict, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(args, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def gpu_present() -> bool:
    """Whether CTranslate2 sees a CUDA device (then the models also run with --device cuda)."""
    try:
        import ctranslate2

        return ctranslate2.get_cuda_device_count() > 0
    except Exception:
        return False


def pin_cores(cores: int) -> str:
    """Restrict this process (and the model runs it starts) to ``cores`` CPUs, as the targets assume."""
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if not available:
        return f"{os.cpu_count()} cores (could not pin)"
    if cores and len(available) > cores:
        os.sched_setaffinity(0, available[:cores])
        return f"{cores} of {len(available)} cores"
    return f"{len(available)} cores"


def fmt(value, unit: str, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f} {unit}".strip()


def print_table(per_model: list[dict], help_s: float, progress_s: float, args, cores: str, load: tuple) -> list:
    """The README's performance table (one column per model run) and the targets, met or not."""
    heads = [f"{m['model']} ({m['device']})" if m["device"] != "cpu" else m["model"] for m in per_model]
    base = next((m for m in per_model if m["model"] == "base" and m["device"] == "cpu"), None)
    rows = [
        (
            f"end of answer (silence endpoint) to report on screen, {args.seconds:.0f} s answer, `redrill drill`",
            [fmt(m["latency_s"], "s") for m in per_model],
            "<= 1.0 s (base, 2 cores)",
        ),
        (
            f"the same, answer ended by a key {KEY_AFTER_S:g} s after the last word",
            [fmt(m["key_latency_s"], "s") for m in per_model],
            "",
        ),
        (
            "whole answer after the fact (`answer --audio`, `transcribe --pending`)",
            [fmt(m["whole_s"], "s", 1) for m in per_model],
            "",
        ),
        ("plain faster-whisper on the same audio", [fmt(m["plain_s"], "s", 1) for m in per_model], ""),
        ("whole answer / plain faster-whisper", [f"{m['whole_ratio']:.2f}" for m in per_model], "<= 1.0"),
        (
            "the same in CPU time (steadier when other work runs)",
            [f"{m['whole_cpu_ratio']:.2f}" for m in per_model],
            "<= 1.0",
        ),
        (
            "streaming and whole-answer transcripts identical",
            ["yes" if m["same_transcript"] else "NO" for m in per_model],
            "yes",
        ),
        ("peak memory, first answer of a drill", [f"{m['peak_rss_mb']} MB" for m in per_model], "< 600 MB"),
        (
            f"peak memory over a drill of {per_model[0]['session_answers']} answers",
            [f"{m['session_peak_rss_mb']} MB" for m in per_model],
            "< 600 MB",
        ),
        ("model load", [fmt(m["load_s"], "s") for m in per_model], ""),
        ("`redrill --help`", [fmt(help_s, "s")] + [""] * (len(per_model) - 1), "<= 0.25 s"),
        ("`redrill progress` with 10,000 attempts", [fmt(progress_s, "s")] + [""] * (len(per_model) - 1), "<= 0.5 s"),
        (
            "stored audio per minute of answer (Ogg/Opus 24 kbit/s)",
            [f"{per_model[0]['audio_bytes_per_min'] / 1000:.0f} KB"] + [""] * (len(per_model) - 1),
            "<= 200 KB",
        ),
    ]
    print()
    print(
        f"{args.seconds:.0f} s answer with pauses, median of {args.runs} run(s); {cores}; "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the start"
    )
    print()
    print("| figure | " + " | ".join(heads) + " | target |")
    print("| --- | " + " | ".join("---" for _ in heads) + " | --- |")
    for name, values, target in rows:
        print(f"| {name} | " + " | ".join(values) + f" | {target} |")
    targets = []
    if base is not None:
        targets.append(("base end of answer to report <= 1.0 s", base["latency_s"] <= 1.0))
    for head, m in zip(heads, per_model):
        targets.append((f"{head} whole/plain <= 1.0", m["whole_ratio"] <= 1.0))
        targets.append((f"{head} peak memory < 600 MB (first answer)", m["peak_rss_mb"] < 600))
        targets.append(
            (f"{head} peak memory < 600 MB ({m['session_answers']} answers)", m["session_peak_rss_mb"] < 600)
        )
        targets.append((f"{head} streaming = whole", m["same_transcript"]))
    targets += [("--help <= 0.25 s", help_s <= 0.25), ("progress <= 0.5 s", progress_s <= 0.5)]
    print()
    print("targets: " + "; ".join(f"{name}: {'met' if ok else 'NOT MET'}" for name, ok in targets))
    if max(load) > 1.0:
        print(
            "note: other work was running (load average above 1): absolute times are indicative only, and one run "
            "under load can move even the ratios; the CPU-time ratio is the steadier figure. Rerun on a quiet machine."
        )
    return targets


# --- ending an answer with a key --------------------------------------------------------------
# The key-press path (`redrill drill` at a terminal: Enter or space ends the answer at once),
# measured like the silence path: the same answer fed at real-time pace through the recorder,
# transcribed while it is spoken, but run through the drill loop itself (redrill.drill.Drill with
# the real recorder, store and model; only the terminal and PortAudio are stand-ins). The key is
# pressed KEY_AFTER_S after the last word, so the words since the last pause are still to be
# transcribed when it comes. ``key_latency_s``: key to report rendered. Target with base on 2
# cores: <= 1.0 s. The silence ending is run the same way side by side (``silence_latency_s``).

KEY_AFTER_S = 0.3


class KeyPressStream(PlayedStream):
    """PlayedStream with the stream interface the recorder uses (start, stop, close)."""

    started_at = None

    def start(self):
        type(self).started_at = time.perf_counter()
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(5)

    def close(self):
        pass


class KeyPressUI:
    """The drill's terminal (:class:`redrill.adapters.DrillUI`), silent: presses the key at ``key_at_s`` of the stream (None: never) and
    notes when that happened and when the report was rendered."""

    def __init__(self, key_at_s):
        self.key_at_s = key_at_s
        self.pressed = self.rendered = None
        self.reason = None
        self.waits = []

    def question(self, question, number, total):
        pass

    def info(self, text):
        pass

    def warn(self, text):
        print(f"warning from the drill: {text}", file=sys.stderr)

    def recording_started(self, question, max_seconds, *, carried_s=0.0):
        pass

    def progress(self, p):
        pass

    def recording_finished(self, recording):
        self.reason = recording.reason
        self.ended = time.perf_counter()

    def heard(self, words, fillers):
        pass

    def waiting(self, seconds):
        import contextlib

        return contextlib.nullcontext(lambda pieces, secs: self.waits.append((pieces, secs)))

    def follow_up(self, question, why=""):
        pass

    def model_answer(self, model):
        pass

    def tick(self, prompts):
        return None

    def stop_requested(self):
        started = KeyPressStream.started_at
        if self.key_at_s is None or started is None or self.pressed is not None:
            return False
        if time.perf_counter() - started >= self.key_at_s:
            self.pressed = time.perf_counter()
            return True
        return False

    def report(self, report):
        render(report)
        self.rendered = time.perf_counter()

    def choose(self, prompt, choices, default):
        return "q"

    def read_text(self, question):
        return None


def last_word_s(audio16k, threshold: float = 0.01) -> float:
    """Where the last word of the answer ends (seconds)."""
    import numpy as np

    loud = np.nonzero(np.abs(audio16k) > threshold)[0]
    return (loud[-1] + 1) / 16000


def key_press_run(
    transcriber, audio16k, home: Path, question, config, *, key: bool = True, key_after_s: float = KEY_AFTER_S
) -> dict:
    """One answer through the drill loop, ended by a key (``key``) or by the silence endpoint."""
    from redrill.banks import load_catalog
    from redrill.drill import Drill, StorePractice
    from redrill.paths import Paths
    from redrill.sound import microphone
    from redrill.sound.audiofile import resample
    from redrill.sound.speaker import NullSpeaker
    from redrill.store import open_store

    paths = Paths(home).ensure()
    store = open_store(paths)
    catalog = load_catalog(None)
    audio48k = resample(audio16k, 16000, DEVICE_RATE)

    class SD:
        PortAudioError = RuntimeError

        @staticmethod
        def InputStream(**kwargs):
            return KeyPressStream(audio48k, **kwargs)

    microphone.import_sounddevice = lambda: SD
    microphone.resolve_input_device = lambda sd, device: (None, {"name": "bench", "default_samplerate": DEVICE_RATE})
    recorder = microphone.Recorder(settings=microphone.Endpointing(max_seconds=600), spool_dir=paths.recordings)
    ui = KeyPressUI(last_word_s(audio16k) + key_after_s if key else None)
    stages = {}

    class TimedPractice(StorePractice):
        """Notes how long saving and scoring took (the rest of the wait is transcription)."""

        def save_recording(self, question, samples, writer=None):
            t0 = time.perf_counter()
            try:
                return super().save_recording(question, samples, writer=writer)
            finally:
                stages["save_s"] = time.perf_counter() - t0

        def finish(self, attempt_id, transcriber, **kwargs):
            stages["transcribed"] = time.perf_counter()
            t0 = time.perf_counter()
            try:
                return super().finish(attempt_id, transcriber, **kwargs)
            finally:
                stages["score_s"] = time.perf_counter() - t0

    cpu = {}
    press = ui.stop_requested

    def stop_requested():
        hit = press()
        if hit:
            cpu["at_key"] = time.process_time()
        return hit

    ui.stop_requested = stop_requested
    finished = ui.recording_finished

    def recording_finished(recording):
        cpu.setdefault("at_key", time.process_time())  # the silence ending: from the end decision
        finished(recording)

    ui.recording_finished = recording_finished
    drill = Drill(
        [question],
        speaker=NullSpeaker(),
        practice=TimedPractice(store, catalog, paths, config),
        ui=ui,
        recorder=recorder,
        transcriber_factory=lambda: transcriber,
        interactive=True,
        streaming=True,
    )
    result = drill.run()
    store.close()
    if not result.reports or ui.rendered is None:
        raise SystemExit(f"the drill did not score the answer: {result}")
    start = ui.pressed if key else ui.ended
    expected = "stopped" if key else "silence"
    if ui.reason != expected:
        raise SystemExit(f"the answer ended by {ui.reason}, not {expected}")
    return {
        "latency_s": ui.rendered - start,
        "cpu_s": time.process_time() - cpu["at_key"],
        "save_s": stages.get("save_s"),
        "transcript_wait_s": stages["transcribed"] - start - stages.get("save_s", 0.0),
        "score_s": stages.get("score_s"),
        "words": result.reports[0].metrics.words,
    }


def key_press_model_run(name: str, args) -> dict:
    """Key and silence endings side by side for one model, ``args.runs`` times each (own process)."""
    from redrill.config import Config

    work = Path(tempfile.mkdtemp(prefix="redrill-bench-key-"))
    try:
        audio, question, transcriber = prepare_run(name, args, work)
        keys, silences, keys_cpu, silences_cpu = [], [], [], []
        for i in range(args.runs):
            k = key_press_run(transcriber, audio, work / f"key{i}", question, Config(), key_after_s=args.key_after)
            s = key_press_run(transcriber, audio, work / f"silence{i}", question, Config(), key=False)
            keys.append(k["latency_s"])
            silences.append(s["latency_s"])
            for how, r in (("key", k), ("silence", s)):
                print(
                    f"{name} run {i + 1}, {how}: {r['latency_s']:.2f} s to the report ({r['cpu_s']:.2f} CPU-s); "
                    f"saving {r['save_s']:.2f} s, transcription left {r['transcript_wait_s']:.2f} s, scoring "
                    f"{r['score_s']:.2f} s; {r['words']} words",
                    file=sys.stderr,
                    flush=True,
                )
            keys_cpu.append(k["cpu_s"])
            silences_cpu.append(s["cpu_s"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "model": name,
        "device": args.device,
        "key_latency_s": round(statistics.median(keys), 3),
        "silence_latency_s": round(statistics.median(silences), 3),
        "key_cpu_s": round(statistics.median(keys_cpu), 3),
        "silence_cpu_s": round(statistics.median(silences_cpu), 3),
        "runs": args.runs,
        "answer_s": args.seconds,
        "key_after_s": args.key_after,
    }


def key_press_main(args) -> None:
    """``--key-press``: the key-press figures for each model, each model in its own process."""
    from redrill.transcription import bundled

    names = (
        args.models.split(",")
        if args.models
        else [m.name for m in (bundled.TINY_EN, bundled.BASE) if bundled.installed(m)]
    )
    rows = []
    for name in names:
        cmd = [sys.executable, __file__, "--key-press-run", name, "--seconds", str(args.seconds)]
        cmd += ["--runs", str(args.runs), "--device", args.device, "--cache", str(args.cache)]
        cmd += ["--key-after", str(args.key_after)]
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    load = os.getloadavg()
    print()
    print(
        f"{args.seconds:.0f} s answer, key pressed {args.key_after:g} s after the last word, median of "
        f"{args.runs} run(s); load average {load[0]:.1f} at the end"
    )
    print()
    print("| model | key to report | (CPU time) | silence endpoint to report | (CPU time) | target (base, 2 cores) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['model']} | {r['key_latency_s']:.2f} s | {r['key_cpu_s']:.2f} s | {r['silence_latency_s']:.2f} s "
            f"| {r['silence_cpu_s']:.2f} s | <= 1.0 s |"
        )
    print(json.dumps({"key_press": rows, "load_average": [round(x, 2) for x in load]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 40 s answer and one run")
    parser.add_argument("--seconds", type=float, default=120.0, help="answer length (default 120)")
    parser.add_argument("--runs", type=int, default=3, help="drill runs per model (default 3)")
    parser.add_argument(
        "--models", default=None, help="comma-separated: tiny.en,base (default: tiny.en, and base when installed)"
    )
    parser.add_argument(
        "--device",
        default=None,
        choices=["cpu", "cuda"],
        help="where Whisper runs (default: cpu, and cuda too when a GPU is present)",
    )
    parser.add_argument(
        "--cores", type=int, default=2, help="CPUs to run on, as the targets assume (default 2; 0: all)"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "redrill-bench",
        help="folder for the assembled base model",
    )
    parser.add_argument("--model-run", help=argparse.SUPPRESS)  # internal: one model, in this process
    parser.add_argument("--part", choices=("drill", "after"), default="drill", help=argparse.SUPPRESS)
    parser.add_argument("--key-press", action="store_true", help="only the key-press ending (see KEY_AFTER_S)")
    parser.add_argument("--key-press-run", help=argparse.SUPPRESS)  # internal: key-press figures, one model
    parser.add_argument(
        "--key-after", type=float, default=KEY_AFTER_S, help="with --key-press: seconds from the last word to the key"
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.runs = 40.0, 1
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.key_press or args.key_press_run:
        args.device = args.device or "cpu"
    if args.key_press_run:
        print(json.dumps(key_press_model_run(args.key_press_run, args)))
        return
    if args.key_press:
        key_press_main(args)
        return
    if args.model_run:
        print(json.dumps(model_run(args.model_run, args)))
        return

    from redrill.transcription import bundled

    cores = pin_cores(args.cores)
    load = os.getloadavg()
    names = (
        args.models.split(",")
        if args.models
        else [m.name for m in (bundled.TINY_EN, bundled.BASE) if bundled.installed(m)]
    )
    devices = [args.device] if args.device else (["cpu", "cuda"] if gpu_present() else ["cpu"])
    per_model = []
    for device in devices:
        for name in names:
            figures: dict = {}
            for part in ("drill", "after"):  # each in a fresh process: the drill changes malloc's settings
                cmd = [sys.executable, __file__, "--model-run", name, "--part", part, "--seconds", str(args.seconds)]
                cmd += ["--runs", str(args.runs), "--device", device, "--cache", str(args.cache)]
                out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
                figures.update(json.loads(out.strip().splitlines()[-1]))
            per_model.append(figures)

    work = Path(tempfile.mkdtemp(prefix="redrill-bench-"))
    try:
        env = {**os.environ, "REDRILL_HOME": str(work / "cli-home")}
        exe = str(Path(sys.executable).with_name("redrill"))
        help_s = time_command([exe, "--help"], env, 10)
        from bench_progress import fill

        progress_home = work / "progress-home"
        fill(progress_home, 10_000)
        progress_s = time_command([exe, "progress"], {**os.environ, "REDRILL_HOME": str(progress_home)}, 5)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_table(per_model, help_s, progress_s, args, cores, load)
    print(
        json.dumps(
            {
                "models": per_model,
                "help_s": round(help_s, 3),
                "progress_10k_s": round(progress_s, 3),
                "cores": cores,
                "load_average": [round(x, 2) for x in load],
            }
        )
    )


if __name__ == "__main__":
    main()
