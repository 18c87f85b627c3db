"""Spoken answers whose delivery is known because it was made: the ground truth of the voice figures.

Shared by the voice tests and ``scripts/accuracy.py`` (voice section) and ``scripts/bench_voice.py``.

* **Pitch**: espeak-ng renders the same text with SSML ``<prosody range="x-low">`` (a monotone) and
  ``range="x-high"`` (a lively delivery), same voice and rate. The monotone must get the smaller
  pitch spread.
* **Trailing off**: each sentence is rendered on its own; in the "trailing" answer sox lowers the
  loudness over the last part of chosen sentences (a fade to -20 dB mixed with a quiet copy, so the
  last words stay audible); the "steady" answer is the same sentences untouched.

Every rendering needs espeak-ng and sox (Debian: ``sudo apt-get install espeak-ng sox``).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-scotland")
RATES = (140, 180)
TEXTS = (
    (
        "I led the migration of our billing system to a new database.",
        "The hard part was keeping the old monthly reports running for finance.",
        "We ran both systems side by side for six weeks and compared every invoice.",
        "In the end we cut our hosting costs by thirty percent.",
    ),
    (
        "Our team missed a release date that we had promised to a large customer.",
        "I called the customer myself the same afternoon and explained what had happened.",
        "Then we split the release so the feature they needed shipped within a week.",
        "They renewed their contract and asked us to present at their conference.",
    ),
    (
        "A new engineer on my team was struggling with our code review process.",
        "I paired with her for two hours every week during her first month.",
        "We wrote a short checklist together that the whole team still uses today.",
        "Six months later she was reviewing more changes than anyone else.",
    ),
)
TRAIL_AT = (1, 3)  # which sentences of each text are made to trail off
GAP_S = 0.7  # silence between sentences
INSTALL = {"espeak-ng": "sudo apt-get install espeak-ng", "sox": "sudo apt-get install sox"}


class MissingTool(RuntimeError):
    """espeak-ng or sox is not installed (the message says how to install it)."""


def tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        raise MissingTool(f"{name} is not installed: {INSTALL[name]} (the voice renderings need it)")
    return exe


def _run(*args) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, timeout=120).stdout


def render(text: str, out: Path, *, voice: str, rate: int, pitch_range: str | None = None) -> Path:
    """espeak-ng speech of ``text`` as a WAV file; ``pitch_range`` is an SSML prosody range
    (x-low, low, medium, high, x-high)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    body = text if pitch_range is None else f'<speak><prosody range="{pitch_range}">{text}</prosody></speak>'
    args = [tool("espeak-ng"), "-v", voice, "-s", rate, "-w", out]
    if pitch_range is not None:
        args.append("-m")
    _run(*args, body)
    return out


def trail_off(wav: Path, out: Path, *, share: float = 0.4, longest_s: float = 1.6, floor: float = 0.1) -> Path:
    """The sentence in ``wav`` with its loudness falling over its last part (sox).

    The last ``share`` of the sentence (at most ``longest_s``) fades from full level to ``floor``
    (0.1 = -20 dB): a faded copy mixed with a quiet copy, so the last word stays audible.
    """
    sox = tool("sox")
    # -R: repeatable. sox dithers what it writes with random noise, seeded anew on every run unless
    # told otherwise; unseeded, each rendering differed, and a sentence near the detector's limit
    # was found in one test run and missed in the next.
    rep = (sox, "-R")
    stem = out.parent / out.stem
    trimmed = Path(f"{stem}-trimmed.wav")
    # espeak-ng ends its files with silence: cut it first, so the fall lands on the last words.
    _run(*rep, wav, trimmed, "silence", 1, 0.01, "0.2%", "reverse", "silence", 1, 0.01, "0.2%", "reverse")
    seconds = float(_run(sox, "--i", "-D", trimmed))
    tail_s = min(longest_s, share * seconds)
    head, tail, faded, mixed = (Path(f"{stem}-{n}.wav") for n in ("head", "tail", "faded", "mixed"))
    _run(*rep, trimmed, head, "trim", 0, f"{seconds - tail_s:.3f}")
    _run(*rep, trimmed, tail, "trim", f"{seconds - tail_s:.3f}")
    # The fade's stop position and length in samples of the tail itself (this sox reads "-0" as 0).
    n = _run(sox, "--i", "-s", tail).strip()
    _run(*rep, tail, faded, "fade", "t", 0, f"{n}s", f"{n}s")
    _run(*rep, "-m", "-v", f"{floor:.3f}", tail, "-v", f"{1 - floor:.3f}", faded, mixed)
    _run(*rep, head, mixed, out)
    return out


def load(wav: Path) -> np.ndarray:
    """A WAV file as 16 kHz mono float32 with near-silence cut from both ends."""
    from redrill.sound.audiofile import load_audio

    samples = load_audio(wav).samples
    loud = np.nonzero(np.abs(samples) > 0.005)[0]
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples[:0]


def joined(parts, gap_s: float = GAP_S, lead_s: float = 0.5, tail_s: float = 0.5):
    """Sentences joined with silences; returns (samples, [(start_s, end_s) of each sentence])."""
    pieces = [np.zeros(int(lead_s * SAMPLE_RATE), np.float32)]
    spans, at = [], len(pieces[0])
    for i, part in enumerate(parts):
        spans.append((at / SAMPLE_RATE, (at + len(part)) / SAMPLE_RATE))
        pieces.append(np.asarray(part, np.float32))
        at += len(part)
        gap = np.zeros(int((gap_s if i < len(parts) - 1 else tail_s) * SAMPLE_RATE), np.float32)
        pieces.append(gap)
        at += len(gap)
    return np.concatenate(pieces), spans


@dataclass(frozen=True)
class Rendered:
    """One rendered answer and what was made into it."""

    samples: np.ndarray
    spans: tuple[tuple[float, float], ...] = ()  # where each sentence is (s)
    trailing: tuple[int, ...] = ()  # which sentences were made to trail off


def pitch_pair(sentences, folder: Path, *, voice: str, rate: int) -> dict[str, np.ndarray]:
    """The same answer as a monotone (x-low range) and a lively delivery (x-high)."""
    text = " ".join(sentences)
    return {
        kind: load(render(text, folder / f"{kind}.wav", voice=voice, rate=rate, pitch_range=rng))
        for kind, rng in (("monotone", "x-low"), ("lively", "x-high"))
    }


def trailing_pair(sentences, folder: Path, *, voice: str, rate: int, trail_at=TRAIL_AT) -> dict[str, Rendered]:
    """The same sentences spoken steadily, and with the loudness falling at the end of ``trail_at``."""
    plain, trailed = [], []
    for i, sentence in enumerate(sentences):
        wav = render(sentence, folder / f"s{i}.wav", voice=voice, rate=rate)
        plain.append(load(wav))
        trailed.append(load(trail_off(wav, folder / f"t{i}.wav")) if i in trail_at else plain[-1])
    steady, spans = joined(plain)
    falling, falling_spans = joined(trailed)
    return {
        "steady": Rendered(steady, tuple(spans)),
        "trailing": Rendered(falling, tuple(falling_spans), tuple(trail_at)),
    }


def sentences_found(found, spans, slack_s: float = 0.2) -> list[int]:
    """Which sentences (by ``spans``) the trailing reports ``found`` (with ``at_s``) fall in."""
    hits = []
    for t in found:
        at = t.at_s if hasattr(t, "at_s") else t["at_s"]
        hits += [i for i, (a, b) in enumerate(spans) if a - slack_s <= at <= b + slack_s]
    return hits
