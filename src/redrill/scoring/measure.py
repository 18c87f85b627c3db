"""Scoring one answer: length, pace, fillers, pauses, restarts, repetition, hedges, talking points.

:func:`score` is a pure function: a :class:`~redrill.transcript.Transcript` and the question's
target and talking points in, a :class:`Metrics` out. No I/O, no clock, no database, so it can be
re-run on stored transcripts (``redrill rescore``) and tested with hand-written transcripts.

Every rule, default and the norm behind it is written up in ``docs/metrics.md``; the comments here
say why a rule is the way it is. In short:

* Words are compared after normalising: lower case, curly apostrophes straightened, punctuation
  stripped from both ends (so ``"Um,"``, ``"UM…"`` and ``"uh-"`` are all ``um``/``uh``).
* Filled pauses (um, uh, er, erm, hmm, ah, mm, elongated forms) and discourse fillers ("you know",
  "I mean", "sort of", "kind of", "basically", "actually", "literally", filler "like") are counted
  separately and are not words: ``words`` is the count of everything else.
* Filled pauses and restarts heard in the audio that the words leave out
  (``transcript.audio_disfluencies``, see :mod:`redrill.scoring.disfluency_audio`) count like
  written ones; ``audio_filled_pauses`` and ``audio_restarts`` say how many of them there were. A
  filler the recognizer wrote and the audio search took back (``unheard_filler``: doubted, and no
  held sound near it) is counted neither as a filler nor as a word; ``unheard_fillers`` says how many.
* Timing metrics need word timings. For typed text they are None, never estimated.
* ``ramble_score`` (0-100, higher = more rambling) is a weighted mean of components that are each
  mapped to 0..1; components that cannot be measured (timing for typed text, talking points when
  there are none) are left out and the weights of the rest renormalised.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from redrill.errors import NoSpeechError
from redrill.numbers import number
from redrill.scoring.disfluency import find_hedges, find_repetition, find_restarts
from redrill.scoring.fillers import classify_fillers, take_back_unheard
from redrill.scoring.metrics import Metrics, Pause
from redrill.scoring.points import find_coverage
from redrill.scoring.ramble import ramble_score
from redrill.scoring.settings import ScoringSettings
from redrill.scoring.timing import long_pauses, speech_seconds
from redrill.scoring.words import FILLED, FILLER, WORD, content_stems, tokenise, words_of
from redrill.transcript import Transcript


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def score(
    transcript: Transcript,
    *,
    target_seconds: tuple[float, float] | Sequence[float] = (60.0, 120.0),
    talking_points: Sequence[str] = (),
    question_text: str = "",
    settings: ScoringSettings = ScoringSettings(),
) -> Metrics:
    """Measure one answer. Pure and fast (about a millisecond for a two-minute answer).

    ``target_seconds`` is the question's (min, max) length; ``talking_points`` and
    ``question_text`` feed talking-point coverage and keep the question's own words out of the
    repetition report. Raises :class:`NoSpeechError` when the transcript has no words at all.
    """
    lo_t, hi_t = float(target_seconds[0]), float(target_seconds[1])
    if lo_t > hi_t:
        lo_t, hi_t = hi_t, lo_t
    toks, spans = tokenise(transcript)
    if not toks:
        raise NoSpeechError("the answer has no words to score")
    corrections = classify_fillers(toks)
    unheard = take_back_unheard(transcript, toks)

    filled: dict[str, int] = {}
    discourse: dict[str, int] = {}
    filler_tokens = 0
    for t in toks:
        if t.kind == FILLED:
            filled[t.canon] = filled.get(t.canon, 0) + 1
            filler_tokens += 1
        elif t.kind == FILLER:
            filler_tokens += 1
            if t.canon:
                discourse[t.canon] = discourse.get(t.canon, 0) + 1
    # Filled pauses and restarts heard in the audio that the words leave out count like written ones.
    heard = transcript.audio_disfluencies or ()
    audio_filled = sum(1 for d in heard if d.kind == "filled_pause")
    audio_restarts = sum(1 for d in heard if d.kind == "restart")
    filler_tokens += audio_filled
    filled_count = sum(filled.values()) + audio_filled
    discourse_count = sum(discourse.values())
    all_fillers = filled_count + discourse_count
    fillers = tuple(sorted({**filled, **discourse}.items(), key=lambda kv: (-kv[1], kv[0])))

    seq = [k for k, t in enumerate(toks) if t.kind == WORD]
    n_words = len(seq)
    spoken = n_words + filler_tokens
    restarts, restart_examples, dropped = find_restarts(toks, seq, corrections, settings.max_examples)
    restarts += audio_restarts
    for d in heard:
        if d.kind == "restart" and len(restart_examples) < settings.max_examples:
            near = f" near '{d.word.strip()}'" if d.word else ""
            at = int(round(d.start_s))
            restart_examples.append(f"a restart heard at {at // 60}:{at % 60:02d}{near}, written once")
    content = [toks[k].norm for k in seq]
    hedges, hedge_examples = find_hedges([w for p, w in enumerate(content) if p not in dropped])

    topic = content_stems(words_of(question_text))
    for point in talking_points:
        topic |= content_stems(words_of(point))
    repeated = find_repetition(toks, seq, dropped, topic, settings)

    coverage = find_coverage(tuple(p for p in talking_points if p and p.strip()), content, settings.point_coverage)

    duration = audio = speech_s = wpm = per_min = over = under = total_pause = None
    pauses: tuple[Pause, ...] | None = None
    if transcript.timed and spans:
        first = min(s for s, _ in spans)
        last = max(e for _, e in spans)
        duration = max(0.0, last - first)
        speech_regions = transcript.speech
        speech_s = speech_seconds(spans, speech_regions, first, last, settings.speech_merge_gap_s)
        silences = long_pauses(spans, speech_regions, first, last, settings.long_pause_s)
        pauses = tuple(Pause(round(s, 3), round(e - s, 3)) for s, e in silences)
        total_pause = round(sum(e - s for s, e in silences), 3)
        if duration >= settings.min_rate_s:
            wpm = round(n_words / (duration / 60.0), 1)
            per_min = round(all_fillers / (duration / 60.0), 2)
        over = round(max(0.0, duration - hi_t), 3)
        under = round(max(0.0, lo_t - duration), 3)
    audio = number(transcript.audio_seconds)

    metrics = Metrics(
        duration_s=_r(duration),
        audio_s=_r(audio),
        speech_s=_r(speech_s),
        words=n_words,
        wpm=wpm,
        filled_pause_count=filled_count,
        filler_count=discourse_count,
        fillers_per_min=per_min,
        fillers_per_100_words=round(100.0 * all_fillers / spoken, 2) if spoken else None,
        fillers=fillers,
        long_pauses=pauses,
        long_pause_total_s=total_pause,
        restarts=restarts,
        restart_examples=tuple(restart_examples),
        hedges=hedges,
        hedge_examples=tuple(hedge_examples),
        repeated_phrases=repeated,
        target_s=(lo_t, hi_t),
        over_target_s=over,
        under_target_s=under,
        talking_points=coverage,
        audio_filled_pauses=audio_filled,
        unheard_fillers=unheard,
        audio_restarts=audio_restarts,
    )
    return dataclasses.replace(metrics, ramble_score=ramble_score(metrics, settings))
