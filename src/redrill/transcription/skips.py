"""Where Whisper jumped over speech: words stretched over sound they do not account for.

Whisper sometimes leaves out a whole clause or sentence, most often at the start of a window, and
its forced alignment then stretches the words it did write over the speech it left out: tiny.en
heard "My lead and I disagreed about whether to rewrite the billing service or fix it in place. I
listened to why ..." as "I listened to why ...", with "listened" timed over 2.9 s of the first
sentence (the recognition hints, which it took for words already said, made it skip; without
them it wrote the sentence). A filled pause absorbed into a word's time adds up to about a second
of speech the word cannot account for; a left-out clause adds more. On the 255 answers of the
labelled set (docs/accuracy.md) no word of tiny.en's held more than 1.2 s of speech beyond its
length, and none of base's more than 0.6 s, but the two where tiny.en left out a clause, which
held 2.2 s.

:func:`skipped_stretch` finds such a stretch in one window's words, from the speech regions of the
voice activity detector; the recognizer decodes it again on its own
(:meth:`redrill.transcription.whisper.Transcriber`), which gives back the words it left out. Pure:
no audio, no model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from redrill.transcript import Word

__all__ = ["RUN_SPEECH_S", "SKIPPED_SPEECH_S", "skipped_stretch", "unheard_speech"]

# Speech in a word's time beyond what the word can take, from which the word marks a jump ...
SKIPPED_SPEECH_S = 1.5
# ... and from which the words right after such a word are stretched over the same jump.
RUN_SPEECH_S = 0.6


def _allowance(text: str) -> float:
    """Seconds a word can take, generously (0.18 s for "I", 1.2 s for "reconciliation")."""
    return 0.1 + 0.08 * len(re.sub(r"[^A-Za-z0-9']", "", text))


def unheard_speech(word: Word, speech: Sequence[tuple[float, float]]) -> float:
    """Seconds of speech inside ``word``'s time beyond what the word itself can take (0 when untimed)."""
    if word.start is None or word.end is None:
        return 0.0
    inside = sum(max(0.0, min(b, word.end) - max(a, word.start)) for a, b in speech)
    return max(0.0, inside - _allowance(word.text))


def skipped_stretch(
    words: Sequence[Word],
    speech: Sequence[tuple[float, float]],
    *,
    skipped_s: float = SKIPPED_SPEECH_S,
    run_s: float = RUN_SPEECH_S,
) -> tuple[int, int] | None:
    """The words of one decoded window to decode again, as ``(first, end)`` indices (``words[first:end]``),
    or None when no word is stretched over speech it does not account for.

    ``speech``: the speech regions on the words' timeline. The first word holding more than
    ``skipped_s`` seconds of speech beyond its length marks the jump; the words right after it that
    hold more than ``run_s`` are stretched over the same jump. The word before it is decoded again
    too: its time was pulled back over the jump as well ("and" of "and I was" timed at the start of
    the sentence it stood after).
    """
    for k, word in enumerate(words):
        if unheard_speech(word, speech) > skipped_s:
            end = k + 1
            while end < len(words) and unheard_speech(words[end], speech) > run_s:
                end += 1
            return max(0, k - 1), end
    return None
