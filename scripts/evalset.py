"""A labelled set of spoken answers with known truth, made with espeak-ng and exact silences.

Each answer is a list of spoken parts with silences of known length between them. The script of
every part marks its filled pauses (um, uh, er and the long "uhh", written ``[[@:]]`` for espeak-ng),
restarts ("I I", "the the") and the talking points it says, so the truth is known word for word.
Voices, rates and texts vary so that no figure is tuned to one voice. Used by
``scripts/accuracy.py``; builds into a cache folder (WAV files are made once per content).
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RATE = 16000
FILLERS = {"um", "uh", "er", "uhh", "umm", "erm", "hmm"}
LONG_UH = "[[@:]]"  # espeak-ng phoneme input: a long "uhh"

VOICES = [("en-us", 150), ("en-gb", 170), ("en-us+f3", 135), ("en-gb+m3", 185), ("en-us+m7", 160)]

QUESTIONS = {
    "eval-failure": (
        "Tell me about a time you failed.",
        ["rolled back the migration", "a reconciliation test", "what I learned"],
    ),
    "eval-limiter": (
        "Tell me about a rate limiter you designed.",
        ["token bucket per API key", "Redis for shared counters", "a blameless postmortem"],
    ),
    "eval-conflict": (
        "Tell me about a disagreement with a colleague.",
        ["what we disagreed about", "how I listened", "the plan we agreed on"],
    ),
    "eval-yourself": (
        "Tell me about yourself.",
        ["backend engineer for six years", "payments and billing", "why this role"],
    ),
}

# (question, parts, silences between parts, points said)
SCRIPTS = [
    (
        "eval-failure",
        [
            "When the billing migration failed I rolled back the migration within an hour.",
            "Then I wrote a reconciliation test that compares invoices before and after.",
            "What I learned is that a dry run needs real checks.",
        ],
        [0.8, 2.6],
        [0, 1, 2],
    ),
    (
        "eval-failure",
        [
            "So, um, the billing migration failed, and uh, I rolled back the migration.",
            "Then I I wrote a test, um, that compares the the invoices.",
            "And uh, that was it really.",
        ],
        [1.2, 3.4],
        [0],
    ),
    (
        "eval-failure",
        [
            "Um, well, uh, the migration, the migration failed on a Friday.",
            f"I, {LONG_UH}, I rolled it back, and um, we talked about it, and uh, we moved on.",
            "Um, I guess, I guess that was the main thing.",
        ],
        [2.2, 1.5],
        [],
    ),
    (
        "eval-limiter",
        [
            "We limited each client with a token bucket per API key.",
            "The counters lived in Redis for shared counters across every server.",
            "After one outage I wrote a blameless postmortem and we tuned the limits.",
        ],
        [0.7, 1.0],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "Um, so we had, uh, a token bucket per API key.",
            "And, er, we kept the counts in Redis, um, so all servers agreed.",
        ],
        [2.4],
        [0, 1],
    ),
    (
        "eval-limiter",
        ["We we built a limiter in the gateway.", "It it rejected requests over the limit, uh, with a clear error."],
        [1.1],
        [],
    ),
    (
        "eval-conflict",
        [
            "My colleague and I disagreed about the database schema.",
            "I listened to her concerns and asked what she was worried about.",
            "In the end we agreed on a plan to migrate in two steps.",
        ],
        [0.9, 2.1],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "Um, we disagreed about, uh, the schema.",
            f"I, {LONG_UH}, I listened, and um, we talked.",
            "Then the the plan was, uh, to do it in two steps.",
        ],
        [1.6, 2.8],
        [0],
    ),
    (
        "eval-yourself",
        [
            "I am a backend engineer for six years, mostly in payments and billing.",
            "I like owning systems end to end, from design to the pager.",
            "That is why this role, with its focus on reliability, appeals to me.",
        ],
        [0.6, 1.3],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "So, um, I have been an engineer for, uh, a while.",
            "I I worked on, um, various things.",
            "And er, yeah, I think I would be good here.",
        ],
        [2.0, 3.0],
        [],
    ),
]

# An improving series at one question: rambling first, concise last (ramble scores must fall).
SERIES = [
    [
        "Um, so, uh, the migration, the migration failed.",
        f"I, {LONG_UH}, I rolled it back, um, eventually, and uh, we talked about it.",
        "Um, and then, uh, I guess we, we added some tests, um, or something.",
    ],
    ["So the migration failed, uh, on a Friday.", "I rolled it back, um, within an hour.", "Then we added a test."],
    [
        "The billing migration failed on a Friday night.",
        "I rolled back the migration within an hour.",
        "Then I wrote a reconciliation test, and we run it before every release.",
    ],
]


@dataclass
class Answer:
    """One labelled answer: audio and its truth."""

    key: str
    question_id: str
    voice: str
    rate: int
    parts: list[str]
    gaps: list[float]
    points_said: list[int] = field(default_factory=list)
    samples: np.ndarray | None = None
    silences: list[tuple[float, float]] = field(default_factory=list)

    @property
    def truth_words(self) -> list[str]:
        """The words said (a long "uhh" as ``uhh``), lower case, no punctuation."""
        import re

        text = " ".join(self.parts).replace(LONG_UH, "uhh")
        return re.findall(r"[a-z0-9']+", text.lower())

    @property
    def truth_fillers(self) -> int:
        return sum(w in FILLERS for w in self.truth_words)

    @property
    def truth_restarts(self) -> int:
        """Immediate repeats of a word or two-word phrase in the script ("I I", "the the")."""
        import re

        count = 0
        for part in self.parts:
            words = re.findall(r"[a-z']+", part.replace(LONG_UH, "").lower())
            i = 0
            while i < len(words) - 1:
                if words[i] == words[i + 1]:
                    count += 1
                    i += 2
                elif i + 3 < len(words) and words[i : i + 2] == words[i + 2 : i + 4]:
                    count += 1
                    i += 4
                else:
                    i += 1
        return count

    @property
    def long_silences(self) -> list[tuple[float, float]]:
        return [s for s in self.silences if s[1] - s[0] >= 2.0]


def _speak(text: str, voice: str, rate: int, cache: Path) -> np.ndarray:
    from redrill.sound.audiofile import load_audio

    digest = hashlib.sha256(f"{voice}|{rate}|{text}".encode()).hexdigest()[:16]
    wav = cache / f"{digest}.wav"
    if not wav.exists():
        tmp = wav.with_suffix(".tmp.wav")
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(tmp), text],
            check=True,
            capture_output=True,
            timeout=60,
        )
        tmp.rename(wav)
    samples = load_audio(wav).samples
    loud = np.nonzero(np.abs(samples) > 0.01)[0]
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples[:0]


def build(cache: Path) -> list[Answer]:
    """Every labelled answer, rendered (cached in ``cache``)."""
    cache.mkdir(parents=True, exist_ok=True)
    answers = []
    for i, (qid, parts, gaps, said) in enumerate(SCRIPTS):
        for _j, (voice, rate) in enumerate(VOICES[i % 2 :: 2][:2]):
            answers.append(Answer(f"a{i:02d}-{voice}", qid, voice, rate, parts, gaps, said))
    for k, parts in enumerate(SERIES):
        answers.append(Answer(f"series{k}", "eval-failure", "en-us", 155, parts, [1.0] * (len(parts) - 1), []))
    for a in answers:
        pieces = [np.zeros(int(0.5 * RATE), np.float32)]
        at = 0.5
        for n, part in enumerate(a.parts):
            speech = _speak(part, a.voice, a.rate, cache)
            pieces.append(speech)
            at += len(speech) / RATE
            if n < len(a.gaps):
                pieces.append(np.zeros(int(round(a.gaps[n] * RATE)), np.float32))
                a.silences.append((at, at + a.gaps[n]))
                at += a.gaps[n]
        pieces.append(np.zeros(int(0.8 * RATE), np.float32))
        a.samples = np.concatenate(pieces)
    return answers


def opus_round_trip(answers: list[Answer], cache: Path, bitrate: int = 24000) -> None:
    """Replace each answer's samples by what redrill would read back from its stored Ogg/Opus copy.

    The product stores recordings as Opus; the codec changes the silences (no longer digital zero)
    and the tails of words, which is where Whisper tends to invent "Thank you.".
    """
    from redrill.sound.audiofile import load_audio, write_opus

    cache.mkdir(parents=True, exist_ok=True)
    for a in answers:
        digest = hashlib.sha256(a.samples.tobytes() + str(bitrate).encode()).hexdigest()[:16]
        path = cache / f"{digest}.ogg"
        if not path.exists():
            write_opus(path, a.samples, bitrate=bitrate)
        a.samples = load_audio(path).samples
