"""Token-level annotation for showing a transcript, with the same rules scoring counts with."""

from __future__ import annotations

from dataclasses import dataclass

from redrill.numbers import number
from redrill.scoring.disfluency import find_restarts
from redrill.scoring.fillers import classify_fillers, take_back_unheard
from redrill.scoring.words import FILLED, FILLER, UNHEARD, WORD, token_words, tokenise
from redrill.transcript import Transcript


@dataclass(frozen=True)
class AnnotatedToken:
    """One token of an answer as scoring classified it; times are its word's, None if untimed.

    ``kind``: ``word``, ``filled_pause`` (um, uh), ``filler`` (you know, like, basically),
    ``restart`` (words the speaker abandoned: the first "we" of "we, we decided", a cut-off word) or
    ``unheard_filler`` (a filler the recognizer wrote where the audio holds none: not counted).
    """

    text: str
    kind: str
    start: float | None = None
    end: float | None = None


_KIND_NAMES = {WORD: "word", FILLED: "filled_pause", FILLER: "filler", UNHEARD: "unheard_filler"}


def annotate(transcript: Transcript) -> list[AnnotatedToken]:
    """The answer's tokens marked with the SAME rules :func:`score` counts with (so a transcript
    shown to the user highlights exactly what was counted)."""
    toks, _spans = tokenise(transcript)
    if not toks:
        return []
    corrections = classify_fillers(toks)
    take_back_unheard(transcript, toks)
    seq = [k for k, t in enumerate(toks) if t.kind == WORD]
    _count, _examples, dropped = find_restarts(toks, seq, corrections, 0)
    abandoned = {seq[p] for p in dropped}
    words = transcript.words
    times = [(number(words[i].start), number(words[i].end)) for i in token_words(transcript)]
    return [
        AnnotatedToken(
            t.raw,
            "restart" if k in abandoned else _KIND_NAMES[t.kind],
            times[k][0] if k < len(times) else None,
            times[k][1] if k < len(times) else None,
        )
        for k, t in enumerate(toks)
    ]
