"""Where Whisper jumped over speech: words stretched over sound they do not account for.

Whisper sometimes leaves out a whole clause or sentence, most often at the start of a window, and
its forced alignment then stretches the words it did write over the speech it left out: tiny.en
heard "My lead and I disagreed about whether to rewrite the billing service or fix it in place. I
listened to why ..." as "I listened to why ...", with "listened" timed over 2.9 s of the first
sentence (the recognition hints, which it took for words already said, made it skip; without
them it wrote the sentence). A filled pause absorbed into a word's time adds up to about a second
of speech the word cannot account for; a left-out clause adds more. On the 255 answers of the
labelled set the twelfth session measured (docs/accuracy.md) no word of tiny.en's held more than
1.2 s of speech beyond its length, and none of base's more than 0.6 s, but the two where tiny.en
left out a clause, which held 2.2 s.

Whisper can also leave speech out without stretching a word over it: in the eleventh held-out
group tiny.en began an answer at its second sentence ("so I listened for a reason first ...", in
en-gb-x-gbcwmd+Lee), its first word timed at 7.85 s and the 6.2 s of speech before it held by no
word at all. So speech *between* words counts too: before a window's first word (from where the
window starts) and between two words, more than ``SKIPPED_SPEECH_S`` of speech that no word holds
marks a jump as well. On the 275 answers of the labelled set this changed the words of exactly
those two answers, with tiny.en and the hints, and of none with base.

:func:`skipped_stretch` finds such a stretch in one window's words, from the speech regions of the
voice activity detector; the recognizer decodes it again on its own
(:meth:`redrill.transcription.whisper.Transcriber`), which gives back the words it left out. Pure:
no audio, no model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from redrill.transcript import Word

__all__ = ["RUN_SPEECH_S", "SKIPPED_SPEECH_S", "skipped_stretch", "speech_between", "unheard_speech"]

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
    return max(0.0, speech_between(word.start, word.end, speech) - _allowance(word.text))


def speech_between(start: float, end: float, speech: Sequence[tuple[float, float]]) -> float:
    """Seconds of speech from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in speech)


def skipped_stretch(
    words: Sequence[Word],
    speech: Sequence[tuple[float, float]],
    *,
    start: float | None = None,
    end: float | None = None,
    skipped_s: float = SKIPPED_SPEECH_S,
    run_s: float = RUN_SPEECH_S,
) -> tuple[int, int] | None:
    """The words of one decoded window to decode again, as ``(first, end)`` indices (``words[first:end]``),
    or None when Whisper jumped over no speech there.

    ``speech``: the speech regions on the words' timeline. The first word holding more than
    ``skipped_s`` seconds of speech beyond its length marks the jump; the words right after it that
    hold more than ``run_s`` are stretched over the same jump. The word before it is decoded again
    too: its time was pulled back over the jump as well ("and" of "and I was" timed at the start of
    the sentence it stood after).

    More than ``skipped_s`` of speech that no word holds marks a jump too: before the first word
    (from ``start``, where the window begins; ``(0, 0)``, nothing to replace, only to add), between
    two words (the first of them is decoded again with what follows it), or after the last word
    (up to ``end``, when given; then ``(last, len(words))``). With no words, the speech from
    ``start`` to ``end`` decides.
    """
    held_until = start
    for k, word in enumerate(words):
        if (
            held_until is not None
            and word.start is not None
            and speech_between(held_until, word.start, speech) > skipped_s
        ):
            return max(0, k - 1), k
        if unheard_speech(word, speech) > skipped_s:
            last = k + 1
            while last < len(words) and unheard_speech(words[last], speech) > run_s:
                last += 1
            return max(0, k - 1), last
        if word.end is not None:
            held_until = word.end
    if end is not None and held_until is not None and speech_between(held_until, end, speech) > skipped_s:
        return max(0, len(words) - 1), len(words)
    return None
