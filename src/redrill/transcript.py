"""Transcripts: the words of one answer, with timings when they are known.

A :class:`Transcript` is what scoring works on. It comes from three places:

* a Whisper JSON file (openai-whisper's CLI with ``--word_timestamps True``, or the same data from
  faster-whisper): :func:`load_transcript_file` / :func:`parse_whisper_json`;
* typed text, which has no timings (timing metrics are then reported as unavailable):
  :func:`from_text`;
* redrill's own transcriber, which also records the audio length and the speech regions found by
  voice activity detection (the "audio truth" about pauses).

The stored form (``to_json``/``from_json``) is plain JSON so that ``redrill rescore`` can recompute
metrics from it later.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redrill.errors import InputError, Problem
from redrill.numbers import number

MAX_TRANSCRIPT_BYTES = 20_000_000
# Whisper's word timestamps wobble: neighbouring words may overlap by a little. Larger steps back
# in time mean the file is not a transcript in order.
ORDER_TOLERANCE_S = 1.0
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Word:
    """One word as spoken; ``start``/``end`` in seconds from the start of the answer, or None."""

    text: str
    start: float | None = None
    end: float | None = None
    probability: float | None = None


# What the audio search reports (see AudioDisfluency).
KINDS = ("filled_pause", "restart", "unheard_filler")


@dataclass(frozen=True)
class AudioDisfluency:
    """A filled pause or restart heard in the audio that the words leave out (see
    :mod:`redrill.scoring.disfluency_audio`).

    ``kind``: ``filled_pause`` or ``restart``, or ``unheard_filler``: a filler the recognizer wrote,
    doubting it, where the audio holds no filler (its words' "Uh," for a word it misheard), which
    scoring then does not count; ``start_s``/``end_s`` on the answer's timeline; ``where``: ``gap``
    (between words), ``in_word`` (inside the time the recognizer gave a word), ``collapsed`` (a
    restart written once) or ``written`` (the written filler taken back: its times are that word's);
    ``word``: the transcript word it was heard in or next to (or taken back);
    ``evidence``: the measurements that decided it; ``source``: where it came from (``audio``).
    """

    kind: str
    start_s: float
    end_s: float
    where: str = ""
    word: str | None = None
    evidence: dict = field(default_factory=dict, compare=False)
    source: str = "audio"

    def to_json(self) -> dict:
        """Plain JSON (stored with the transcript)."""
        return {
            "kind": self.kind,
            "start": round(self.start_s, 3),
            "end": round(self.end_s, 3),
            "where": self.where,
            "word": self.word,
            "evidence": dict(self.evidence),
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Any) -> AudioDisfluency | None:
        """Read :meth:`to_json` back; None for a damaged entry (it is dropped, never fatal)."""
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            return None
        start, end = number(data.get("start")), number(data.get("end"))
        if start is None or end is None:
            return None
        word = data.get("word")
        evidence = data.get("evidence")
        return cls(
            kind=data["kind"],
            start_s=start,
            end_s=max(start, end),
            where=str(data.get("where") or ""),
            word=word if isinstance(word, str) else None,
            evidence=dict(evidence) if isinstance(evidence, dict) else {},
            source=str(data.get("source") or "audio"),
        )


@dataclass(frozen=True)
class Transcript:
    """The words of one answer plus what is known about the audio.

    ``audio_disfluencies``: filled pauses and restarts heard in the audio that the words leave out;
    None when the audio was not examined (typed answers, imported transcripts, older attempts).
    """

    words: tuple[Word, ...]
    timed: bool
    audio_seconds: float | None = None
    speech: tuple[tuple[float, float], ...] | None = None
    model: str | None = None
    extra: dict = field(default_factory=dict, compare=False)
    audio_disfluencies: tuple[AudioDisfluency, ...] | None = None

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words).strip()

    def to_json(self) -> dict:
        """The stored form (see module docstring)."""
        return {
            "version": FORMAT_VERSION,
            "timed": self.timed,
            "audio_seconds": self.audio_seconds,
            "speech": None if self.speech is None else [[round(s, 3), round(e, 3)] for s, e in self.speech],
            "model": self.model,
            "words": [
                {"word": w.text, "start": w.start, "end": w.end, "probability": w.probability} for w in self.words
            ],
            **(
                {}
                if self.audio_disfluencies is None
                else {"audio_disfluencies": [d.to_json() for d in self.audio_disfluencies]}
            ),
        }

    @classmethod
    def from_json(cls, data: dict) -> Transcript:
        """Read the stored form back."""
        words = tuple(
            Word(w["word"], w.get("start"), w.get("end"), w.get("probability")) for w in data.get("words", [])
        )
        speech = data.get("speech")
        heard = data.get("audio_disfluencies")
        marks = None
        if isinstance(heard, list):
            marks = tuple(m for m in (AudioDisfluency.from_json(d) for d in heard) if m is not None)
        return cls(
            words=words,
            timed=bool(data.get("timed")),
            audio_seconds=data.get("audio_seconds"),
            speech=None if speech is None else tuple((float(s), float(e)) for s, e in speech),
            model=data.get("model"),
            audio_disfluencies=marks,
        )


_TOKEN = re.compile(r"\S+")


def from_text(text: str) -> Transcript:
    """A typed answer: words without timings."""
    return Transcript(words=tuple(Word(m.group()) for m in _TOKEN.finditer(text)), timed=False)


def parse_whisper_json(data: Any, origin: str = "<transcript>") -> Transcript:
    """Turn Whisper JSON (a dict with ``segments``, or a bare list of segments) into a Transcript.

    Every problem is collected and raised together as :class:`InputError` naming ``origin`` and
    the place in the file (``segments[3].words[7].start``).
    """
    problems: list[Problem] = []

    def bad(where: str, message: str) -> None:
        if len(problems) < 20:
            problems.append(Problem(origin, None, where, message))

    if isinstance(data, dict):
        segments = data.get("segments")
        if segments is None:
            raise InputError(
                [
                    Problem(
                        origin,
                        None,
                        "segments",
                        "missing: this is not a Whisper transcript (expected a 'segments' list)",
                    )
                ],
                hint="Make one with: whisper answer.wav --word_timestamps True --output_format json",
            )
    else:
        segments = data
    if not isinstance(segments, list):
        raise InputError([Problem(origin, None, "segments", "must be a list of segments")])
    words: list[Word] = []
    last_start = -math.inf
    segments_without_words = 0
    for i, seg in enumerate(segments):
        if not isinstance(seg, dict):
            bad(f"segments[{i}]", "must be an object")
            continue
        seg_words = seg.get("words")
        if seg_words is None:
            if str(seg.get("text", "")).strip():
                segments_without_words += 1
            continue
        if not isinstance(seg_words, list):
            bad(f"segments[{i}].words", "must be a list")
            continue
        for j, w in enumerate(seg_words):
            where = f"segments[{i}].words[{j}]"
            if not isinstance(w, dict):
                bad(where, "must be an object with word, start, end")
                continue
            text = w.get("word", w.get("text"))
            if not isinstance(text, str):
                bad(f"{where}.word", "missing or not text")
                continue
            start, end = number(w.get("start"), finite=False), number(w.get("end"), finite=False)
            if start is None or end is None:
                bad(where, "start and end must be numbers (seconds)")
                continue
            if not (math.isfinite(start) and math.isfinite(end)):
                bad(where, "start and end must be finite numbers, not NaN or infinity")
                continue
            if start < 0 or end < 0:
                bad(where, f"negative time ({start}, {end})")
                continue
            if end < start - 0.01:
                bad(where, f"ends ({end}) before it starts ({start})")
                continue
            if start < last_start - ORDER_TOLERANCE_S:
                bad(where, f"out of order: starts at {start} s, after a word that started at {last_start} s")
                continue
            prob = number(w.get("probability"), finite=False)
            if prob is not None and not math.isfinite(prob):
                prob = None
            clean = text.strip()
            if not clean:
                continue
            last_start = max(last_start, start)
            words.append(Word(clean, start, max(start, end), prob))
    if not words and segments_without_words and not problems:
        raise InputError(
            [Problem(origin, None, "segments[].words", "no word timings in this transcript")],
            hint="Re-run whisper with --word_timestamps True, or score the plain text with --text-file.",
        )
    if problems:
        raise InputError(problems, hint="Expected openai-whisper JSON written with --word_timestamps True.")
    words.sort(key=lambda w: (w.start, w.end))
    return Transcript(words=tuple(words), timed=True)


def load_transcript_file(path: Path) -> Transcript:
    """Read a Whisper JSON transcript file; errors name the file and the problem."""
    from redrill.capped import read_capped

    name = str(path)
    raw = read_capped(path, MAX_TRANSCRIPT_BYTES)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError([Problem(name, None, None, "not UTF-8 text; a transcript must be a JSON file")]) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            [Problem(name, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})")],
            hint="Expected openai-whisper JSON written with --word_timestamps True.",
        ) from None
    return parse_whisper_json(data, origin=name)
