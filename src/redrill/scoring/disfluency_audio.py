"""Filled pauses and restarts heard in the audio that the transcript left out.

Whisper was trained on tidied text: it drops "um", "uh" and "hmm", writes "I I wrote" as "I wrote"
and stretches the neighbouring words' timestamps over what it left out. :func:`detect` looks for
what the words do not account for, in the audio itself:

* **Filled pauses**: a stretch of voiced sound whose spectrum barely changes (a held vowel or
  hum, 0.13-1.6 s) that no transcript word needs. Where the words are, is judged from each word's
  end (Whisper's word ends are more reliable than its starts, which it pulls back over what it
  dropped) and the time the word's text takes at this speaker's pace; a held stretch must be
  mostly outside that, and either stand on its own between silences or be long. A word the
  recognizer wrote for the hesitation itself ("who," or "oh," over a held "uhh") does not account
  for it.
* **Restarts written once** ("I I" -> "I", "I'm, I'm" -> "I'm", "the counts, the counts" -> "the
  counters"): two neighbouring stretches of sound, separated by at most a short silence or a
  filler, that sound alike (their MFCC sequences aligned by dynamic time warping) and are more
  alike to each other than to anything else nearby.

* **Fillers written for a word** (the recognizer's "Uh," for a first "Our" or "At"): a filler the
  recognizer wrote while doubting it (word probability under 5 %) with no held sound near it is
  reported as ``unheard_filler``, and scoring does not count it.

Everything the transcript already counts is left out: a transcript filler takes the nearest held
stretch within :attr:`DetectorSettings.absorb_s`, a transcript restart (or a doubled word the
transcript wrote on purpose, "that that") takes the repeat it overlaps. So the items returned are
*additional* to the transcript's own fillers and restarts, each with ``source`` "audio" and the
measurements that decided it.

Pure: samples and words in, items out; no I/O, no state. Praat (through praat-parselmouth) does the
signal analysis: intensity, MFCCs, and pitch on the stretches being judged. Thresholds and the reasons for them are in
``docs/metrics.md``; the accuracy on the labelled set in ``docs/accuracy.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from redrill.transcript import AudioDisfluency, Transcript, Word

__all__ = ["FRAME_S", "AudioDisfluency", "DetectorSettings", "detect", "with_audio_disfluencies"]

from redrill.samplerate import SAMPLE_RATE

FRAME_S = 0.01

# Short words people restart on ("I I think", "the the", "it it"): around one of these the two
# copies may sound less alike (the first is often lengthened or differently stressed) and still
# count as a restart.
_FUNCTION_WORDS = frozenset(
    "i i'm i've i'd i'll we we're we've you he she it it's they the a an and but so or to in on of "
    "for with at that this is was my our if when".split()
)
# Doubled words that are grammar, not restarts (as scoring's rules treat them).
_LEGIT_DOUBLES = frozenset({"that", "had", "very", "really", "no", "yeah", "yes", "bye", "ha", "hey", "many", "much"})


@dataclass(frozen=True)
class DetectorSettings:
    """Thresholds of :func:`detect`; ``docs/metrics.md`` says why each is where it is."""

    # Praat's pitch search range. The floor is far below the usual 75 Hz: a held "uhh" or "hmm"
    # falls low, often into creak.
    pitch_floor_hz: float = 40.0
    pitch_ceiling_hz: float = 500.0
    # With so low a floor Praat's default voicing threshold (0.45) calls short held vowels unvoiced.
    voicing_threshold: float = 0.3
    # Sound: frames within this many dB of the answer's loud level (95th percentile) and 10 dB
    # above its quietest frames.
    sound_range_db: float = 30.0
    # Held sound: MFCCs (standardised per answer) change by less than this per 40 ms.
    steady_change: float = 0.8
    # Held stretches broken for at most this many frames are one.
    held_bridge: int = 2
    # At least 0.13 s (13 frames): on the first eight groups of the labelled set every held stretch
    # found that was a filler was held that long, and the two found in clean answers 0.12 s.
    min_filler_s: float = 0.13
    max_filler_s: float = 1.6
    min_voiced_share: float = 0.4
    # A held stretch is a filler when at least this share of it lies outside where the words are ...
    unexplained_share: float = 0.5
    # ... or is held this many times as long as the word it lies in is expected to take.
    overlong_factor: float = 1.3
    # ... and it is most of its stretch of sound between silences, or at least this long.
    alone_share: float = 0.55
    long_filler_s: float = 0.3
    # Where a word is: its last (expected length x this) seconds, longer before a pause.
    word_slack: float = 1.25
    prepausal_slack: float = 1.8
    # A word placed late: one whose time holds no sound of its own, or only the last moment of a
    # stretch of sound (less than ``tail_share`` of the time it needs), is the sound just before,
    # up to ``placed_late_s`` earlier (0 turns this off).
    placed_late_s: float = 0.5
    tail_share: float = 0.25
    # A word does not fall silent this long inside itself (0 turns this off) ...
    word_gap_s: float = 0.15
    # ... nor end in a held sound (this share of its frames held, 0: off) after one that is not.
    held_part: float = 0.65
    # A transcript filler this close (s) accounts for a held stretch.
    absorb_s: float = 0.8
    # A filler the recognizer wrote with a probability under ``doubted_filler`` is taken back when
    # no held stretch as long as ``heard_filler_s`` lies from ``filler_before_s`` before it to
    # ``filler_after_s`` after it (Whisper times fillers late): a misheard word, not a hesitation
    # (None: off).
    doubted_filler: float | None = 0.05
    heard_filler_s: float = 0.1
    filler_before_s: float = 0.5
    filler_after_s: float = 0.3
    # What the recognizer writes for a hesitation it heard but would not write as "uh" (a held "uhh"
    # as "who,", an "erm" as "oh,"): written as a phrase of its own (punctuation after it) over a
    # held, voiced stretch, such a word does not account for the stretch (empty: off).
    hesitation_spellings: frozenset[str] = frozenset({"oh", "ooh", "who", "huh", "eh"})
    # Restarts: each copy 0.08-1.6 s, lengths within a factor 2.5 (4 when the first is drawn out
    # before a pause), at most 0.8 s apart.
    copy_min_s: float = 0.08
    copy_max_s: float = 1.6
    copy_ratio: float = 2.5
    drawn_ratio: float = 4.0
    copy_gap_s: float = 0.8
    # A copy is at most this many syllable-sized units ("the postmortem" is five).
    max_units: int = 6
    # Pairs whose time-normalised shapes are further apart than this are not warped (speed), and
    # ``anchored_prefilter`` around a short function word (see below), where restarts are.
    prefilter: float = 0.85
    anchored_prefilter: float = 1.0
    # Alike: warped MFCC distance at most ``alike`` (``anchored_alike`` around a short function
    # word of the transcript), and the copies at least ``1 / distinct`` times closer to each other
    # than either is to anything else within 2 s. Around a function word ``anchored_distinct`` is
    # enough when at least ``spare_share`` of one copy lies outside where the words are.
    alike: float = 0.45
    distinct: float = 0.85
    # ... and ``short_distinct`` when either copy is shorter than ``short_copy_s``.
    short_distinct: float = 0.62
    short_copy_s: float = 0.1
    anchored_alike: float = 0.65
    anchored_distinct: float = 0.9
    spare_share: float = 0.25
    anchored_before_s: float = 0.5
    # Restarts away from every short function word of the transcript ("backend engineer", "same
    # day": two alike stretches and nothing else to go on): off. On the tuning set they were 2 finds,
    # neither of them said; every restart found there that was said is around a function word.
    away_from_function_words: bool = False
    # Around a short function word, a pair alike enough (``anchored_alike``) that fails the contrast
    # test is still a restart when the recognizer itself finds the word written twice at most this
    # much less likely (natural log of the probability, see :mod:`redrill.transcription.repeats`)
    # than written once. Only asked where a judge is given; None turns it off.
    judged_gain: float | None = -6.0


# --------------------------------------------------------------------------------------------
# Signal analysis


@dataclass
class _Frames:
    """Frame-wise measurements on a 10 ms grid; pitch is measured only where it is needed."""

    t: Any  # frame centres (s)
    db: Any  # intensity
    z: Any  # MFCC 1-12, standardised over the sound frames
    sound: Any  # bool
    change: Any  # spectral change per frame (standardised MFCC distance over 40 ms, smoothed)
    praat: Any  # the parselmouth.Sound
    settings: DetectorSettings

    def at(self, seconds: float) -> int:
        import numpy as np

        return int(np.clip(np.searchsorted(self.t, seconds), 0, len(self.t)))

    @cached_property
    def stretches(self) -> tuple[list[tuple[int, int]], Any]:
        """Stretches of sound between silences (breaks up to 40 ms bridged) as frame ranges, and for
        each frame the index of its stretch (-1 in silence)."""
        import numpy as np

        runs = _runs(_bridge(self.sound, 4))
        run_of = np.full(len(self.t), -1)
        for k, (a, b) in enumerate(runs):
            run_of[a:b] = k
        return runs, run_of

    @property
    def steady(self):
        """Held frames: sound whose spectrum barely changes (before short breaks are bridged)."""
        return self.sound & (self.change < self.settings.steady_change)

    def f0(self, a: int, b: int):
        """Pitch (Hz, 0 where unvoiced) of frames a..b, from Praat's autocorrelation pitch tracker."""
        import numpy as np

        s = self.settings
        lo = max(self.praat.xmin, float(self.t[a]) - 0.05)
        hi = min(self.praat.xmax, float(self.t[b - 1]) + 0.05)
        part = self.praat.extract_part(from_time=lo, to_time=hi, preserve_times=True)
        try:
            pitch = part.to_pitch_ac(
                time_step=FRAME_S,
                pitch_floor=s.pitch_floor_hz,
                pitch_ceiling=s.pitch_ceiling_hz,
                voicing_threshold=s.voicing_threshold,
            )
        except Exception:  # a stretch too short for the pitch window has no pitch
            return np.zeros(b - a)
        xs = np.asarray(pitch.xs(), dtype=np.float64)
        values = np.nan_to_num(np.asarray(pitch.selected_array["frequency"], dtype=np.float64))
        if not len(xs):
            return np.zeros(b - a)
        return values[np.clip(np.searchsorted(xs, self.t[a:b] - FRAME_S / 2), 0, len(xs) - 1)]


def _analyse(samples, s: DetectorSettings, rate: int) -> _Frames | None:
    import numpy as np
    import parselmouth

    audio = np.asarray(samples, dtype=np.float64).reshape(-1)
    if len(audio) < int(0.2 * rate) or not np.any(audio):
        return None
    sound = parselmouth.Sound(audio, sampling_frequency=rate)
    intensity = sound.to_intensity(minimum_pitch=100.0, time_step=FRAME_S, subtract_mean=False)
    t = np.asarray(intensity.xs(), dtype=np.float64)
    if len(t) < 10:
        return None
    db = np.asarray(intensity.values, dtype=np.float64).reshape(-1)
    db = np.where(np.isfinite(db), db, -100.0)
    mfcc = sound.to_mfcc(number_of_coefficients=12, window_length=0.015, time_step=FRAME_S)
    raw = np.asarray(mfcc.to_array(), dtype=np.float64)
    mx = np.asarray(mfcc.xs(), dtype=np.float64)
    coeffs = np.stack([np.interp(t, mx, raw[k]) for k in range(1, 13)], axis=1)
    audible = db[db > -50.0]
    loud = float(np.percentile(audible, 95)) if len(audible) else 0.0
    quiet = float(np.percentile(db, 5))
    is_sound = db > max(loud - s.sound_range_db, quiet + 10.0)
    if is_sound.sum() < 10:
        return None
    mean = coeffs[is_sound].mean(axis=0)
    spread = coeffs[is_sound].std(axis=0) + 1e-6
    z = (coeffs - mean) / spread
    step = np.full(len(z), 99.0)
    step[2:-2] = np.linalg.norm(z[4:] - z[:-4], axis=1) / math.sqrt(z.shape[1])
    padded = np.pad(step, 2, mode="edge")
    change = np.median(np.lib.stride_tricks.sliding_window_view(padded, 5), axis=1)
    return _Frames(t, db, z, is_sound, change, sound, s)


def _runs(mask) -> list[tuple[int, int]]:
    """(start, end) frame index of each run of True."""
    import numpy as np

    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    edges = np.flatnonzero(m[1:] != m[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _bridge(mask, frames: int):
    """``mask`` with False runs of at most ``frames`` inside it filled in."""
    out = mask.copy()
    for a, b in _runs(~mask):
        if a > 0 and b < len(mask) and b - a <= frames:
            out[a:b] = True
    return out


def _units(f: _Frames) -> list[tuple[int, int]]:
    """Syllable-sized stretches of sound: sound runs split at intensity valleys of 3 dB or more."""
    import numpy as np

    out: list[tuple[int, int]] = []
    for a, b in _runs(_bridge(f.sound, 3)):
        if b - a < 5:
            continue
        db = np.convolve(f.db[a:b], np.ones(3) / 3, mode="same")
        cuts = [0]
        for i in range(2, len(db) - 2):
            valley = db[i] <= db[i - 1] and db[i] < db[i + 1] and i - cuts[-1] >= 5
            if valley and db[cuts[-1] : i].max() - db[i] >= 3.0 and db[i : i + 25].max() - db[i] >= 3.0:
                cuts.append(i)
        cuts.append(b - a)
        out.extend((a + x, a + y) for x, y in zip(cuts, cuts[1:]) if y - x >= 3)
    return out


# --------------------------------------------------------------------------------------------
# Words


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9']", "", text.lower().replace("\u2019", "'"))


def _syllables(word: str) -> int:
    w = _norm(word).strip("'")
    n = len(re.findall(r"[aeiouy]+", w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and n > 1:
        n -= 1
    return max(1, n)


def _nominal_s(word: str) -> float:
    """Seconds the word takes at about 150 words a minute (fitted on espeak-ng word timings)."""
    return 0.056 + 0.045 * len(_norm(word)) + 0.058 * _syllables(word)


def _head_of_next(part, a: int, b: int, runs, run_of, short_s: float) -> bool:
    """Whether ``part`` (sound frames of a word's time a..b, counted from a) is only the first moment
    (under ``short_s``) of a stretch of sound that runs on past the word's end."""
    k = run_of[a + part[0]]
    short = (part[-1] - part[0] + 1) * FRAME_S < short_s
    return bool(k >= 0 and runs[k][0] == a + part[0] and runs[k][1] > b and short)


def _explained(f: _Frames, words, t_fillers, s: DetectorSettings):
    """Frames some transcript word needs (its last expected-length seconds of sound), for each such
    frame how long that word is expected to take, and which word (its index in ``words``; -1: none).

    The recognizer's word times are loose, and most of what follows puts a word back on its own
    sound:

    - A word's end often runs on into a filler the transcript writes next ("So,[0.35-1.33]
      umm,[1.37-2.09]" for "so" until 1.0 and "um" from 1.24): the stretch of sound a transcript
      filler sits on (the one it overlaps most) belongs to the filler, so the word ends before it,
      and the filler's own word ends in it.
    - A word placed late holds no sound of its own, or only the first moment of the next word's
      sound: it is the stretch of sound just before. One holding only the last moment of a stretch
      started with that stretch.
    - A word does not fall silent inside itself: when its time holds stretches of sound apart by a
      longer silence, it is the last of them, unless that is only the first moment of the next word
      or a held sound after a stretch that is not held ("for, uh" written "for" over both).
    """
    import numpy as np

    mask = np.zeros(len(f.t), bool)
    need_at = np.zeros(len(f.t))
    owner = np.full(len(f.t), -1)
    runs, run_of = f.stretches
    steady = f.steady
    filler_runs: set[int] = set()
    for lo, hi in t_fillers:
        ks = run_of[f.at(lo - 0.1) : f.at(hi + 0.1)]
        ks = ks[ks >= 0]
        if len(ks):
            filler_runs.add(int(np.bincount(ks).argmax()))
    in_filler_run = np.isin(run_of, list(filler_runs))
    filler_spans = set(t_fillers)
    ratios = [(w.end - w.start) / _nominal_s(w.text) for w in words if _norm(w.text)]
    pace = float(np.clip(np.median(ratios), 0.6, 1.6)) if ratios else 1.0
    gap = int(round(s.word_gap_s / FRAME_S))
    for index, w in enumerate(words):
        a, b = f.at(w.start), f.at(w.end)
        need = _nominal_s(w.text) * pace * s.word_slack
        if _ends_phrase(w.text):
            need *= s.prepausal_slack  # words before a pause (as punctuated) are drawn out
        heard = np.flatnonzero(f.sound[a:b])
        is_filler = (w.start, w.end) in filler_spans
        own = heard[in_filler_run[a + heard] == is_filler]
        earliest = f.at(w.start - s.placed_late_s)
        late = not len(own) or (own[0] >= 5 and _head_of_next(own, a, b, runs, run_of, s.tail_share * need))
        if late and b - a >= 5 and s.placed_late_s > 0:
            # The recognizer placed it late: the word is the last stretch of sound just before.
            back = np.flatnonzero(f.sound[earliest:a] & ~in_filler_run[earliest:a])
            if len(back):
                k = run_of[earliest + back[-1]]
                a, b = max(runs[k][0], earliest), runs[k][1]
                heard = own = np.flatnonzero(f.sound[a:b])
        if not len(heard):
            continue
        if len(own):
            heard = own
        if gap and len(heard) > 1:
            cuts = np.flatnonzero(np.diff(heard) > gap) + 1
            if len(cuts):
                parts = np.split(heard, cuts)
                last, before = parts[-1], parts[-2]
                held_last = float(steady[a + last[0] : a + last[-1] + 1].mean())
                held_before = float(steady[a + before[0] : a + before[-1] + 1].mean())
                held_after = s.held_part > 0 and held_last >= s.held_part > held_before
                heard = before if _head_of_next(last, a, b, runs, run_of, s.tail_share * need) or held_after else last
        end = a + heard[-1] + 1
        begin = a + heard[0]
        k = run_of[begin]
        if k >= 0 and runs[k][0] < begin and (end - begin) * FRAME_S < s.tail_share * need and k not in filler_runs:
            # Only the last moment of a stretch of sound falls in its time: it started earlier.
            begin = max(runs[k][0], earliest)
        core = slice(max(begin, end - int(round(need / FRAME_S))), end)
        mask[core] = True
        need_at[core] = np.maximum(need_at[core], need)
        owner[core] = index
    return mask, need_at, owner


def _ends_phrase(text: str) -> bool:
    """Whether the recognizer wrote punctuation after the word (a pause, as it heard it)."""
    return text.rstrip()[-1:] in ",.?!;:"


def _written_as_hesitation(words, hesitant: set[int], f: _Frames, a: int, b: int, owner) -> bool:
    """Whether the held stretch a..b is a word the recognizer wrote for a hesitation ("who,", "oh,";
    ``hesitant``: the ids of such words): in that word's time, mostly filling it, or mostly the
    sound that word was put back on (``owner``, from :func:`_explained`: the recognizer times such
    a word late, after the sound it stands for)."""
    import numpy as np

    start, end = float(f.t[a]), float(f.t[b - 1]) + FRAME_S
    w = _word_in(words, start, end)
    if w is not None and id(w) in hesitant:
        return min(w.end, end) - max(w.start, start) >= 0.5 * min(end - start, w.end - w.start)
    owners = owner[a:b]
    owned = owners[owners >= 0]
    if not len(owned):
        return False
    k = int(np.bincount(owned).argmax())
    return id(words[k]) in hesitant and float((owners == k).mean()) >= 0.5


def _transcript_marks(words) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(filled pauses, restarts) the transcript's own words already count, as time spans."""
    from redrill.scoring.annotation import annotate

    tokens = annotate(Transcript(words=tuple(words), timed=True))
    fillers, restarts = [], []
    for k, tok in enumerate(tokens):
        if tok.start is None:
            continue
        if tok.kind == "filled_pause":
            fillers.append((tok.start, tok.end if tok.end is not None else tok.start))
        elif tok.kind == "restart" and (k == 0 or tokens[k - 1].kind != "restart"):
            nxt = tokens[min(len(tokens) - 1, k + 1)]
            restarts.append((tok.start, nxt.end if nxt.end is not None else tok.start))
    return fillers, restarts


def _held_near(f: _Frames, held, w, s: DetectorSettings) -> float:
    """Seconds of the longest held stretch (clipped) from ``filler_before_s`` before word ``w`` to
    ``filler_after_s`` after it."""
    lo, hi = f.at(w.start - s.filler_before_s), f.at(w.end + s.filler_after_s)
    return round(max((b - a for a, b in _runs(held[lo:hi])), default=0) * FRAME_S, 2)


def _unheard_fillers(f: _Frames, words, t_fillers, held, s: DetectorSettings) -> list[tuple[Any, float]]:
    """The transcript's fillers the recognizer doubted and the audio does not hold (no held stretch
    of ``heard_filler_s`` near them, see ``doubted_filler``), each with its longest held stretch."""
    if s.doubted_filler is None:
        return []
    written = set(t_fillers)
    doubted = [
        w
        for w in words
        if (w.start, w.end) in written and w.probability is not None and w.probability < s.doubted_filler
    ]
    return [(w, held_s) for w in doubted if (held_s := _held_near(f, held, w, s)) < s.heard_filler_s]


def _word_in(words, start: float, end: float):
    """The word whose time the span overlaps most, or None."""
    inside = [w for w in words if w.start < end and start < w.end]
    return max(inside, key=lambda w: min(w.end, end) - max(w.start, start)) if inside else None


def _word_at(words, start: float, end: float) -> tuple[str | None, str]:
    """The word the span was heard in (and "in_word"), else the nearest word (and "gap")."""
    best = _word_in(words, start, end)
    if best is not None:
        return best.text.strip(), "in_word"
    if not words:
        return None, "gap"
    near = min(words, key=lambda w: min(abs(w.start - end), abs(start - w.end)))
    return near.text.strip(), "gap"


# --------------------------------------------------------------------------------------------
# Restarts


def _shapes(z, a, b, n: int = 16):
    """Each stretch ``z[a[k]:b[k]]`` time-normalised to ``n`` frames (nearest frame)."""
    import numpy as np

    return z[np.round(np.linspace(a, b - 1, n, axis=-1)).astype(int)]


def _dtw(a, b) -> float:
    """Mean frame distance along the best warping path, local slopes between 1/3 and 3."""
    import numpy as np

    n, m = len(a), len(b)
    if n < 2 or m < 2 or n > 3 * m + 2 or m > 3 * n + 2:
        return math.inf
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).mean(-1))
    run = np.zeros((n, m + 1))
    run[:, 1:] = np.cumsum(cost, axis=1)
    total = np.full((n, m), np.inf)
    steps = np.ones((n, m))
    total[0, 0] = cost[0, 0]
    cand = np.empty(m)
    length = np.empty(m)
    for i in range(1, n):
        best = np.full(m, np.inf)
        best_len = np.ones(m)
        for k in (1, 2, 3):  # from (i-1, j-k), through (i, j-k+1 .. j)
            if k >= m:
                continue
            cand[:k] = np.inf
            cand[k:] = total[i - 1, :-k] + run[i, k + 1 :] - run[i, 1 : m - k + 1]
            length[:k] = 1.0
            length[k:] = steps[i - 1, :-k] + k
            take = cand / length < best / best_len
            np.copyto(best, cand, where=take)
            np.copyto(best_len, length, where=take)
        for k in (2, 3):  # from (i-k, j-1), through (i-k+1 .. i, j)
            if i >= k:
                cand[:1] = np.inf
                cand[1:] = total[i - k, :-1] + cost[i - k + 1 : i + 1, 1:].sum(axis=0)
                length[:1] = 1.0
                length[1:] = steps[i - k, :-1] + k
                take = cand / length < best / best_len
                np.copyto(best, cand, where=take)
                np.copyto(best_len, length, where=take)
        total[i], steps[i] = best, best_len
    return float(total[-1, -1] / steps[-1, -1]) if np.isfinite(total[-1, -1]) else math.inf


def _restarts(f, units, words, held, explained, t_fillers, t_restarts, s: DetectorSettings, judge=None):
    """Repeats the transcript does not show: list of (start, end, copy A, copy B, evidence).

    ``judge(word)``: the recognizer's judgement of a function word written twice (see
    :attr:`DetectorSettings.judged_gain`), asked only about pairs the sound alone leaves open."""
    import numpy as np

    if len(units) < 2:
        return []
    starts = np.array([u[0] for u in units])
    ends = np.array([u[1] for u in units])
    # Candidate stretches: runs of consecutive units.
    segs = [(i, j) for i in range(len(units)) for j in range(i, min(len(units), i + s.max_units))]
    seg_index = {seg: k for k, seg in enumerate(segs)}
    seg_first = np.array([i for i, _ in segs])
    seg_last = np.array([j for _, j in segs])
    seg_start, seg_end = starts[seg_first], ends[seg_last]
    shapes = _shapes(f.z, seg_start, seg_end)
    seg_len = np.array([(ends[j] - starts[i]) * FRAME_S for i, j in segs])
    anchors = [(w.start - s.anchored_before_s, w.end + 0.15) for w in words if _norm(w.text) in _FUNCTION_WORDS]

    # Shares of sound and of held frames over any frame range, from running counts (the loop below
    # asks for thousands of them).
    sound_upto = np.concatenate([[0], np.cumsum(f.sound)]).tolist()
    held_upto = np.concatenate([[0], np.cumsum(held)]).tolist()
    ts = f.t.tolist()
    unit_a, unit_b, lens = starts.tolist(), ends.tolist(), seg_len.tolist()
    pairs = []
    for i in range(len(units) - 1):
        # The second copy starts with the next unit, or after a held unit between ("the X, um, the X").
        nexts = [i + 1]
        if i + 2 < len(units):
            a, b = unit_a[i + 1], unit_b[i + 1]
            if (held_upto[b] - held_upto[a]) / (b - a) >= 0.6:
                nexts.append(i + 2)
        for first in nexts:
            gap_a, gap_b = unit_b[i], unit_a[first]
            if (gap_b - gap_a) * FRAME_S > s.copy_gap_s:
                continue
            # Between the copies: silence, or a held filler, or a filler the transcript has.
            gap = gap_b - gap_a
            spoken = (
                gap > 5
                and (sound_upto[gap_b] - sound_upto[gap_a]) / gap > 0.3
                and (held_upto[gap_b] - held_upto[gap_a]) / gap <= 0.3
            )
            if spoken and not any(a < ts[gap_b] and ts[gap_a] < b for a, b in t_fillers):
                continue
            for na in range(1, s.max_units + 1):
                if i - na + 1 < 0:
                    break
                ka = seg_index[(i - na + 1, i)]
                la = lens[ka]
                for nb in range(1, s.max_units + 1):
                    if first + nb - 1 >= len(units):
                        break
                    kb = seg_index[(first, first + nb - 1)]
                    lb = lens[kb]
                    if min(la, lb) < s.copy_min_s or max(la, lb) > s.copy_max_s:
                        continue
                    # A first copy held before a pause ("I, ... I") may be drawn out far beyond the second.
                    drawn = la > lb and gap >= 10
                    if max(la, lb) / min(la, lb) > (s.drawn_ratio if drawn else s.copy_ratio):
                        continue
                    pairs.append((ka, kb))
    if not pairs:
        return []
    firsts = np.array([p[0] for p in pairs])
    seconds = np.array([p[1] for p in pairs])
    quick = np.sqrt(((shapes[firsts] - shapes[seconds]) ** 2).mean(-1)).mean(-1)
    found = []
    for (a_k, b_k), q in zip(pairs, quick):
        if q > max(s.prefilter, s.anchored_prefilter):
            continue
        (ai, aj), (bi, bj) = segs[a_k], segs[b_k]
        A, B = (starts[ai], ends[aj]), (starts[bi], ends[bj])
        a0, b1 = float(f.t[A[0]]), float(f.t[B[1] - 1]) + FRAME_S
        anchored = (
            (B[1] - B[0]) * FRAME_S <= 0.45
            and (A[1] - A[0]) * FRAME_S <= 0.6
            and any(lo <= a0 and b1 <= hi for lo, hi in anchors)
        )
        if not anchored and not s.away_from_function_words:
            continue
        if q > (s.anchored_prefilter if anchored else s.prefilter):  # far apart even unwarped: not worth warping
            continue
        # Two held sounds in a row ("hmm, hmm") are two fillers, not a restart.
        if held[A[0] : A[1]].mean() >= 0.6 and held[B[0] : B[1]].mean() >= 0.6:
            continue
        # How much closer the copies are to each other than to anything else nearby.
        lb = seg_len[b_k]
        near = np.flatnonzero(
            ((seg_end <= A[0]) | (seg_start >= B[1]))
            & (np.abs(seg_start - A[0]) * FRAME_S <= 2.0)
            & (np.maximum(seg_len, lb) / np.maximum(np.minimum(seg_len, lb), 1e-6) <= s.copy_ratio)
        )
        others = math.inf
        if len(near):
            dist = np.sqrt(((shapes[near][:, None] - shapes[[a_k, b_k]][None]) ** 2).mean(-1)).mean(-1)
            others = float(dist.min())
        contrast = q / others if others > 0 else math.inf
        # Two copies of a syllable or less are alike by chance more often: they must stand out more.
        short = min(A[1] - A[0], B[1] - B[0]) * FRAME_S < s.short_copy_s
        # Away from a function word only a pair that stands out can be heard: not worth warping.
        if not anchored and contrast > (s.short_distinct if short else s.distinct):
            continue
        d = _dtw(f.z[A[0] : A[1]], f.z[B[0] : B[1]])
        if not math.isfinite(d):  # too different in length to warp: compare time-normalised shapes
            d = float(q)
        if d > max(s.alike, s.anchored_alike):
            continue
        # One copy the words do not need: the transcript wrote the repeat once.
        spare = 1.0 - min(float(explained[A[0] : A[1]].mean()), float(explained[B[0] : B[1]].mean()))
        limit = s.anchored_alike if anchored else s.alike
        heard = (d <= limit and contrast <= (s.short_distinct if short else s.distinct)) or (
            anchored and d <= limit and contrast <= s.anchored_distinct and spare >= s.spare_share
        )
        # Left open by the sound: the recognizer's judgement of the word written twice decides.
        gain = None
        if not heard and anchored and d <= limit and judge is not None and s.judged_gain is not None:
            gain = _judged(judge, words, a0, b1)
            heard = gain is not None and gain >= s.judged_gain
        if not heard:
            continue
        found.append(
            (
                min(d, contrast),
                a0,
                b1,
                A,
                B,
                {
                    "distance": round(float(d), 3),
                    "contrast": round(float(contrast), 3),
                    "spare": round(spare, 2),
                    "anchored": bool(anchored),
                    **({"recognizer_gain": round(gain, 2)} if gain is not None else {}),
                },
            )
        )
    found.sort(key=lambda r: r[0])
    chosen: list[tuple] = []
    for rank, a0, b1, A, B, ev in found:
        if any(a0 < c[2] and c[1] < b1 for c in chosen):
            continue
        chosen.append((rank, a0, b1, A, B, ev))
    out: list[tuple] = []
    for _rank, a0, b1, A, B, ev in chosen:
        around = [_norm(w.text) for w in words if w.end > a0 - 0.3 and w.start < b1 + 0.3]
        legit = any(x == y and x in _LEGIT_DOUBLES for x, y in zip(around, around[1:]))
        # "I knew that that was wrong" written "that": the doubled word is grammar, not a restart.
        said, _ = _word_at(words, float(f.t[B[0]]), b1)
        legit = legit or _norm(said or "") in _LEGIT_DOUBLES
        if legit or any(lo - 0.3 <= b1 and a0 <= hi + 0.3 for lo, hi in t_restarts):
            continue
        ev = dict(ev, first_s=round(float(A[1] - A[0]) * FRAME_S, 2), second_s=round(float(B[1] - B[0]) * FRAME_S, 2))
        out.append((a0, b1, A, B, ev))
    return out


def _judged(judge, words, a0: float, b1: float) -> float | None:
    """The best judgement of the function words starting around a pair (from just before its first
    copy to just after its second), None when the judge knows none of them."""
    gains = [judge(w) for w in words if _norm(w.text) in _FUNCTION_WORDS and a0 - 0.3 <= w.start <= b1 + 0.1]
    known = [g for g in gains if g is not None]
    return max(known) if known else None


# --------------------------------------------------------------------------------------------
# Detection


def detect(
    samples,
    words: Sequence,
    *,
    settings: DetectorSettings = DetectorSettings(),
    rate: int = SAMPLE_RATE,
    offset_s: float = 0.0,
    judge: Callable[[Word], float | None] | None = None,
) -> tuple[AudioDisfluency, ...]:
    """Filled pauses and restarts in ``samples`` (mono float, 16 kHz) that ``words`` (the answer's
    timed transcript words, :class:`redrill.transcript.Word`) do not already count.

    ``offset_s``: where ``samples`` start on the words' timeline (a piece of a longer answer); the
    items found are on that timeline too. ``judge`` (optional): the recognizer's second opinion on
    a word of ``words`` written twice (:class:`redrill.transcription.repeats.RepeatJudge`), asked
    about the few restarts the sound alone leaves open. Pure and deterministic (given the judge).
    Words without timings are ignored; with no timed words there is nothing to compare with and
    nothing is returned.
    """
    if offset_s:
        pairs = [
            (replace(w, start=w.start - offset_s, end=w.end - offset_s), w)
            for w in words
            if w.start is not None and w.end is not None
        ]
        back = {id(moved): w for moved, w in pairs}
        shifted = [moved for moved, _ in pairs]
        judge_moved = None if judge is None else (lambda w: judge(back[id(w)]) if id(w) in back else None)
        found = detect(samples, shifted, settings=settings, rate=rate, judge=judge_moved)
        return tuple(
            replace(i, start_s=round(i.start_s + offset_s, 3), end_s=round(i.end_s + offset_s, 3)) for i in found
        )
    import numpy as np

    s = settings
    words = [w for w in words if w.start is not None and w.end is not None and _norm(w.text)]
    if not words:
        return ()
    f = _analyse(samples, s, rate)
    if f is None:
        return ()
    t_fillers, t_restarts = _transcript_marks(words)
    held = _bridge(f.steady, s.held_bridge)
    items: list[AudioDisfluency] = []
    for w, held_s in _unheard_fillers(f, words, t_fillers, held, s):
        # Taken back, it accounts for no held stretch either.
        t_fillers = [span for span in t_fillers if span != (w.start, w.end)]
        evidence = {"probability": round(float(w.probability), 3), "held_s": held_s}
        items.append(
            AudioDisfluency("unheard_filler", round(w.start, 3), round(w.end, 3), "written", w.text.strip(), evidence)
        )
    explained, need_at, owner = _explained(f, words, t_fillers, s)
    units = _units(f)

    copies = np.zeros(len(f.t), bool)
    for a0, b1, A, B, ev in _restarts(f, units, words, held, explained, t_fillers, t_restarts, s, judge):
        copies[A[0] : A[1]] = True
        copies[B[0] : B[1]] = True
        word, _ = _word_at(words, float(f.t[B[0]]), b1)
        items.append(AudioDisfluency("restart", round(a0, 3), round(b1, 3), "collapsed", word, ev))

    runs, run_of = f.stretches
    # Words written for a hesitation: a hesitation spelling with punctuation after it (rarely any).
    hesitant = {id(w) for w in words if _norm(w.text) in s.hesitation_spellings and _ends_phrase(w.text)}
    candidates: list[tuple | None] = []
    for a, b in _runs(held):
        length = (b - a) * FRAME_S
        if not (s.min_filler_s <= length <= s.max_filler_s):
            continue
        outside = 1.0 - float(explained[a:b].mean())
        # Held far longer than the whole word it was written as could take ("a" for a long "er").
        overlong = length >= s.long_filler_s and length >= s.overlong_factor * float(need_at[a:b].max())
        if copies[a:b].mean() > 0.5:
            continue
        if (
            outside < s.unexplained_share
            and not overlong
            and not (hesitant and _written_as_hesitation(words, hesitant, f, a, b, owner))
        ):
            continue
        k = run_of[(a + b) // 2]
        lo, hi = runs[k] if k >= 0 else (a, b)
        f0 = f.f0(min(lo, a), max(hi, b))
        f0_run, f0_held = f0[lo - min(lo, a) : hi - min(lo, a)], f0[a - min(lo, a) : b - min(lo, a)]
        voiced = float((f0_held > 0).mean())
        if voiced < s.min_voiced_share:
            continue
        # How much of its stretch of sound is held and voiced ("um" is two held parts: vowel, hum).
        alone = float((held[lo:hi] & (f0_run > 0)).mean())
        if alone < s.alone_share and length < s.long_filler_s:
            continue
        pitch = f0_held[f0_held > 0]
        spread = float(np.ptp(12 * np.log2(pitch / pitch.min()))) if len(pitch) > 1 else 0.0
        last = candidates[-1] if candidates else None
        if last is not None and last[3] == k >= 0:
            # One stretch of sound holds one filler ("um" is two held parts: the vowel, the hum).
            if length <= last[2]["length_s"]:
                continue
            candidates.pop()
        candidates.append(
            (
                float(f.t[a]),
                float(f.t[b - 1]) + FRAME_S,
                {
                    "length_s": round(length, 2),
                    "spectral_change": round(float(f.change[a:b].mean()), 2),
                    "voiced_share": round(voiced, 2),
                    "pitch_range_st": round(spread, 1),
                    "outside_words_share": round(outside, 2),
                    "alone_share": round(min(1.0, alone), 2),
                },
                k,
            )
        )
    # Each filler the transcript has accounts for the nearest held stretch, if one is close.
    # Whisper times fillers late (its "uh" often starts where the filler ended), so a stretch
    # after the transcript's filler counts as twice as far as one before it. A stretch the filler
    # was written over goes first; then one between words: one inside another word's time may be
    # that word's own held vowel (the "a" of "and"), while nothing written but the filler accounts
    # for one between words.
    written = set(t_fillers)
    spoken = [(w.start, w.end) for w in words if (w.start, w.end) not in written]

    def apart(c, lo: float, hi: float) -> float:
        if c[0] <= hi and lo <= c[1]:
            return 0.0
        return lo - c[1] if c[1] < lo else 2 * (c[0] - hi)

    for lo, hi in t_fillers:
        near = [
            (d > 0, any(a < c[1] and c[0] < b for a, b in spoken), d, k)
            for k, c in enumerate(candidates)
            if c is not None and (d := apart(c, lo, hi)) <= s.absorb_s
        ]
        if near:
            candidates[min(near)[3]] = None
    for c in candidates:
        if c is not None:
            word, where = _word_at(words, c[0], c[1])
            items.append(AudioDisfluency("filled_pause", round(c[0], 3), round(c[1], 3), where, word, c[2]))
    return tuple(sorted(items, key=lambda i: (i.start_s, i.kind)))


def with_audio_disfluencies(
    transcript: Transcript,
    samples,
    *,
    settings: DetectorSettings = DetectorSettings(),
    rate: int = SAMPLE_RATE,
    offset_s: float = 0.0,
    judge: Callable[[Word], float | None] | None = None,
) -> Transcript:
    """``transcript`` with what :func:`detect` hears in its audio ``samples`` attached (stored with it,
    so rescoring keeps it). ``offset_s``: where ``samples`` start on the transcript's timeline;
    ``judge``: the recognizer's second opinion on repeats (see :func:`detect`). A transcript without
    timings is returned as it is."""
    if not transcript.timed:
        return transcript
    found = detect(samples, transcript.words, settings=settings, rate=rate, offset_s=offset_s, judge=judge)
    return replace(transcript, audio_disfluencies=found)
