"""The recognizer's second opinion on a word it wrote once: was it said twice?

Whisper was trained on tidied text and writes "I I think" as "I think". The audio search
(:mod:`redrill.scoring.disfluency_audio`) finds such restarts from two stretches of sound that are
alike, but two different short words ("to the") can be as alike as two copies of one ("the the").
Where the sound alone cannot tell, the model that heard the piece can: forced to read the text with
the word written twice, how much more or less likely does it find it, given the same audio, than the
text as it wrote it? A restart it tidied away costs it little; a word said once costs it much more
(on the labelled set, docs/accuracy.md "The recognizer's second opinion").

:class:`RepeatJudge` answers that for the words of one transcribed piece, from what Whisper already
computed for it (nothing is encoded or aligned again): the encoder output, and the forced alignment
faster-whisper ran to time the words, which scores the text as written; then one forced alignment
per word the audio search asks about, of the text with that word twice. The scores are Whisper's own
token probabilities (CTranslate2's ``Whisper.align``, from the start sequence faster-whisper aligns
with), without the decoding prompt: the prompt made each judgement about 60 % slower and separated
restarts from single words no better.

:class:`Heard` is a piece's transcript together with its judge, as the recognizer hands it to the
audio search.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redrill.transcript import Transcript, Word

__all__ = ["FOLLOWING_WORDS", "Heard", "RepeatJudge", "Window", "hear"]

# Words after the doubled one that are scored too: the next word shows whether the extra copy took
# sound from it. More words let later re-alignments blur the answer (on the labelled set, with 2 or 3
# words or the whole window the range of thresholds that adds no false restart was narrower than
# with 1, docs/accuracy.md).
FOLLOWING_WORDS = 1


@dataclass(frozen=True)
class Window:
    """One window Whisper decoded: its encoder output, its length in mel frames, the words written
    in it (the same :class:`Word` objects as in the piece's transcript), and the forced alignment
    faster-whisper timed those words with: its start sequence, the text's tokens, each token's
    probability, and the range of tokens each word was written with."""

    encoder_output: Any  # ctranslate2.StorageView
    frames: int
    words: tuple[Word, ...]
    start: tuple[int, ...]
    tokens: tuple[int, ...]
    probs: tuple[float, ...]
    spans: tuple[tuple[int, int], ...]


class RepeatJudge:
    """How much likelier (natural log) the recognizer finds a word written twice than once.

    Call it with one of the piece's transcript words; words it does not know (another piece's, or
    ones shifted to another timeline) get ``None``. Each answer is computed once and kept.
    Safe to call from another thread than the one that transcribes: CTranslate2 queues the calls.
    """

    def __init__(self, model: Any, tokenizer: Any, windows: Sequence[Window]):
        self._model = model  # ctranslate2.models.Whisper
        self._tokenizer = tokenizer  # faster_whisper.tokenizer.Tokenizer
        # By identity: the windows hold the words, so their ids stay theirs while the judge lives.
        self._where = {id(w): (window, k) for window in windows for k, w in enumerate(window.words)}
        self._known: dict[int, float] = {}
        self._lock = threading.Lock()
        self.calls = 0  # forced alignments run (tests check that answers are kept)

    def __call__(self, word: Word) -> float | None:
        found = self._where.get(id(word))
        if found is None:
            return None
        with self._lock:
            if id(word) not in self._known:
                self._known[id(word)] = self._gain(*found)
            return self._known[id(word)]

    def _gain(self, window: Window, k: int) -> float:
        """log P(text with word ``k`` twice) - log P(text as written), both up to the word after it.

        The decoder reads left to right, so the two texts' tokens before word ``k`` have the same
        probabilities and cancel. The text as written was aligned already, by faster-whisper to
        time the words (the same start sequence, tokens and audio): one alignment per word asked."""
        first, last = window.spans[k]
        end = window.spans[min(k + FOLLOWING_WORDS, len(window.spans) - 1)][1]
        written = self._tokenizer.decode(list(window.tokens[first:last]))
        bare = self._tokenizer.encode(re.sub(r"[,.?!;:]+$", "", written))
        twice = self._log_probs(window, [*window.tokens[:first], *bare, *window.tokens[first:end]])
        as_written = [math.log(max(p, 1e-12)) for p in window.probs[first:end]]
        return sum(twice[first:]) - sum(as_written)

    def _log_probs(self, window: Window, tokens: list[int]) -> list[float]:
        """Each token's log probability, given the window's audio and the tokens before it."""
        self.calls += 1
        # The median filter only smooths the word alignment, which is not used here.
        result = self._model.align(
            window.encoder_output, list(window.start), [tokens], [window.frames], median_filter_width=1
        )
        return [math.log(max(p, 1e-12)) for p in result[0].text_token_probs]


@dataclass(frozen=True)
class Heard:
    """A piece's words, and the recognizer's judge of repeats in them (None: no second opinion)."""

    transcript: Transcript
    judge: RepeatJudge | None = None


def hear(transcriber, samples, *, offset_s: float = 0.0) -> Heard:
    """``transcriber``'s words for ``samples``, with its judge of repeats when it offers one
    (``transcribe_with_judge``; a recognizer without one, such as a test fake, is judged by nobody)."""
    judged = getattr(transcriber, "transcribe_with_judge", None)
    if judged is None:
        return Heard(transcriber.transcribe(samples, offset_s=offset_s))
    return judged(samples, offset_s=offset_s)
