"""Where Whisper jumped over speech: the pure search for words stretched over sound they do not
account for (redrill.transcription.skips). The recognizer's use of it is tested on real weights in
test_real_model.py."""

from __future__ import annotations

import pytest

from redrill.transcript import Word
from redrill.transcription.skips import skipped_stretch, speech_between, unheard_speech


def words(*spans: tuple[str, float, float]) -> list[Word]:
    return [Word(text, start, end) for text, start, end in spans]


# One stretch of speech from 0.3 s to 9 s.
SPEECH = [(0.3, 9.0)]


def test_words_that_fit_their_time_mark_no_jump():
    said = words(
        ("We", 0.3, 0.5), ("rolled", 0.5, 0.9), ("back", 0.9, 1.2), ("the", 1.2, 1.3), ("migration.", 1.3, 2.0)
    )
    assert skipped_stretch(said, SPEECH) is None


def test_a_word_stretched_over_a_left_out_sentence_is_found_with_the_word_before_it():
    # "My lead and I disagreed ... in place." left out; "I listened to" timed over it.
    said = words(("I", 0.35, 0.75), ("listened", 0.75, 3.69), ("to", 3.69, 5.25), ("why", 6.69, 6.87))
    speech = [(0.35, 5.3), (6.6, 9.0)]
    assert unheard_speech(said[1], speech) > 2.0
    # "listened" marks the jump; "to", stretched over the rest of it, belongs to it; "I" before it too.
    assert skipped_stretch(said, speech) == (0, 3)


def test_a_filled_pause_inside_a_word_is_not_a_jump():
    # "and, uh," written "and," over a held "uhh" of a second.
    said = words(("billing", 7.0, 7.5), ("and,", 7.5, 8.8), ("then", 8.8, 9.0))
    assert 0.5 < unheard_speech(said[1], SPEECH) < 1.5
    assert skipped_stretch(said, SPEECH) is None


def test_a_word_over_silence_is_not_a_jump():
    said = words(("done.", 1.0, 4.0), ("Then", 4.0, 4.3))
    assert unheard_speech(said[0], [(0.3, 1.4), (3.9, 9.0)]) < 0.2
    assert skipped_stretch(said, [(0.3, 1.4), (3.9, 9.0)]) is None


def test_a_long_word_has_room_for_its_own_sound():
    said = words(("reconciliation", 1.0, 2.6))
    assert skipped_stretch(said, SPEECH) is None


def test_the_first_word_stretched_starts_the_stretch_at_the_window_start():
    said = words(("and", 0.31, 0.79), ("I", 0.79, 3.17), ("was", 3.17, 3.43))
    assert skipped_stretch(said, SPEECH) == (0, 2)
    assert skipped_stretch(said[1:], SPEECH) == (0, 1)


def test_untimed_words_hold_no_speech():
    said = [Word("hello", None, None), *words(("there", 0.3, 0.6))]
    assert unheard_speech(said[0], SPEECH) == 0.0
    assert skipped_stretch(said, SPEECH) is None


def test_speech_before_the_first_word_that_no_word_holds_is_a_jump():
    # "A designer and I disagreed ..." left out; the window's first word is "so", at 7.85 s.
    said = words(("so", 7.85, 8.05), ("I", 8.05, 8.1), ("listened", 8.1, 8.41))
    speech = [(0.48, 6.72), (7.81, 14.05)]
    assert speech_between(0.28, 7.85, speech) == pytest.approx(6.28)
    assert skipped_stretch(said, speech, start=0.28) == (0, 0)  # nothing to replace, words to add
    # Without the window's start nothing is known about the speech before its first word.
    assert skipped_stretch(said, speech) is None


def test_a_short_filler_or_breath_before_the_first_word_is_not_a_jump():
    said = words(("We", 1.4, 1.6), ("rolled", 1.6, 2.0))
    assert skipped_stretch(said, [(0.3, 1.1), (1.4, 9.0)], start=0.0) is None


def test_speech_between_two_words_that_no_word_holds_is_a_jump_from_the_word_before():
    said = words(("failed.", 0.3, 0.9), ("Then", 3.5, 3.8), ("we", 3.8, 4.0))
    assert skipped_stretch(said, SPEECH, start=0.3) == (0, 1)
    # A pause between them is no jump.
    assert skipped_stretch(said, [(0.3, 0.9), (3.4, 9.0)], start=0.3) is None


def test_speech_after_the_last_word_counts_up_to_the_end_given():
    said = words(("We", 0.3, 0.5), ("rolled", 0.5, 0.9))
    assert skipped_stretch(said, SPEECH, start=0.3) is None  # the window's tail is decoded on anyway
    assert skipped_stretch(said, SPEECH, start=0.3, end=4.0) == (1, 2)
    assert skipped_stretch([], SPEECH, start=0.3, end=4.0) == (0, 0)
    assert skipped_stretch([], SPEECH, start=0.3, end=1.5) is None
