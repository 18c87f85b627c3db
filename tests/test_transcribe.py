"""Transcription through the real faster-whisper code path (random-weight model, espeak-ng speech).

The random model's words are meaningless, so these tests check structure and timing: words come
back with sane timestamps on the answer's timeline, the decode options reach Whisper, the model is
loaded once, and the VAD speech regions put a known silence where it really is.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
from typing import Any

import numpy as np
import pytest

from fixtures_model import FAST_DECODE, join_with_silences
from redrill.errors import RedrillError
from redrill.transcript import Transcript
from redrill.transcription.whisper import (
    FILLER_PROMPT,
    DecodeOptions,
    SpeechVadOptions,
    Transcriber,
    TranscriptionError,
    clear_transcriber_cache,
    decode_kwargs,
    decode_spans,
    get_transcriber,
    pick_device,
    speech_regions,
)

pytestmark = pytest.mark.model

ANSWER = "So last year our biggest release slipped by two weeks, and I had to tell the customer myself."
SECOND = "I called them the same day, explained the cause, and offered a weekly demo until we shipped."


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_transcriber_cache()
    yield
    clear_transcriber_cache()


@pytest.fixture
def record_calls(monkeypatch):
    """Wrap the REAL WhisperModel.__init__/transcribe to record how they were called."""
    import faster_whisper

    calls: dict[str, list[Any]] = {"init": [], "transcribe": []}
    real_init, real_transcribe = faster_whisper.WhisperModel.__init__, faster_whisper.WhisperModel.transcribe

    def init(self, *args, **kwargs):
        calls["init"].append((args, kwargs))
        return real_init(self, *args, **kwargs)

    def transcribe(self, audio, **kwargs):
        calls["transcribe"].append(kwargs)
        return real_transcribe(self, audio, **kwargs)

    monkeypatch.setattr(faster_whisper.WhisperModel, "__init__", init)
    monkeypatch.setattr(faster_whisper.WhisperModel, "transcribe", transcribe)
    return calls


def test_words_have_timestamps_on_the_answer_timeline(fast_transcriber, speech_samples):
    samples = speech_samples(ANSWER)
    transcript = fast_transcriber.transcribe(samples)
    seconds = len(samples) / 16000

    assert isinstance(transcript, Transcript)
    assert transcript.timed
    assert transcript.audio_seconds == pytest.approx(seconds, abs=0.001)
    assert transcript.model == fast_transcriber.model_name == "tiny-random"
    assert len(transcript.words) >= 3
    starts = []
    for w in transcript.words:
        assert w.text and w.text == w.text.strip()
        assert w.start is not None and w.end is not None and w.probability is not None
        assert 0.0 <= w.start <= w.end <= seconds + 1e-6
        assert 0.0 <= w.probability <= 1.0
        starts.append(w.start)
    assert starts == sorted(starts)
    assert transcript.speech and all(0 <= s < e <= seconds + 0.05 for s, e in transcript.speech)
    # The stored form round-trips.
    assert Transcript.from_json(transcript.to_json()).words == transcript.words


def test_offset_moves_every_time_by_the_same_amount(fast_transcriber, speech_samples):
    samples = speech_samples(ANSWER)
    plain = fast_transcriber.transcribe(samples)
    shifted = fast_transcriber.transcribe(samples, offset_s=12.5)
    assert [w.text for w in shifted.words] == [w.text for w in plain.words]
    for a, b in zip(plain.words, shifted.words):
        assert b.start == pytest.approx(a.start + 12.5, abs=0.002)
        assert b.end == pytest.approx(a.end + 12.5, abs=0.002)
    for (s0, e0), (s1, e1) in zip(plain.speech, shifted.speech):
        assert s1 == pytest.approx(s0 + 12.5, abs=0.002) and e1 == pytest.approx(e0 + 12.5, abs=0.002)
    assert shifted.audio_seconds == plain.audio_seconds


def test_decode_options_reach_whisper(whisper_model_dir, speech_samples, record_calls):
    options = DecodeOptions().with_changes(**FAST_DECODE)
    transcriber = Transcriber(str(whisper_model_dir), language="en", options=options)
    transcriber.transcribe(speech_samples(ANSWER))

    # One window per piece; the random-weight model may time a word over speech it left out, and
    # that stretch is decoded again with the same options (redrill.transcription.skips).
    assert record_calls["transcribe"]
    for kwargs in record_calls["transcribe"]:
        check_decode_options(kwargs)
    (_init_args, init_kwargs) = record_calls["init"][0]
    assert init_kwargs["local_files_only"] is True
    assert (init_kwargs["device"], init_kwargs["compute_type"]) == ("cpu", "int8")


def check_decode_options(kwargs) -> None:
    assert kwargs["word_timestamps"] is True
    assert kwargs["vad_filter"] is False  # redrill cuts the silences out itself, from its one VAD pass
    assert kwargs["without_timestamps"] is True  # one window per piece; the words are aligned anyway
    assert kwargs["condition_on_previous_text"] is False
    assert kwargs["initial_prompt"] == FILLER_PROMPT
    assert kwargs["hallucination_silence_threshold"] == 2.0
    assert kwargs["no_speech_threshold"] == 0.6
    assert kwargs["beam_size"] == 5
    assert kwargs["max_new_tokens"] == 20
    assert kwargs["temperature"] == [0.0]
    assert kwargs["language"] == "en"


def test_decode_spans_merge_breath_pauses_pad_speech_and_leave_out_long_silences():
    options = DecodeOptions()
    spans = decode_spans(((0.5, 2.0), (2.4, 4.0), (7.0, 8.0), (9.9, 10.0)), 10.0, options)
    # 0.4 s apart: one span; 3 s of silence left out; every span padded 0.2 s within the audio
    assert spans == [
        (int(0.3 * 16000), int(4.2 * 16000)),
        (int(6.8 * 16000), int(8.2 * 16000)),
        (int(9.7 * 16000), 160000),
    ]
    assert decode_spans((), 5.0, options) == []


def test_default_options_lean_verbatim():
    options = DecodeOptions()
    kwargs = decode_kwargs(options, "en")
    assert options.beam_size == 5 and options.max_new_tokens is None
    assert "uh" in FILLER_PROMPT and "Umm" in FILLER_PROMPT and len(FILLER_PROMPT.split()) <= 16
    assert "I I" in FILLER_PROMPT and "it's, it's" in FILLER_PROMPT  # restarts written both ways
    assert kwargs["temperature"] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.beam_size = 1  # type: ignore[misc]  # frozen: options are shared by cached transcribers


def test_model_is_loaded_once_per_process(whisper_model_dir, speech_samples, record_calls):
    first = get_transcriber(str(whisper_model_dir), options=DecodeOptions().with_changes(**FAST_DECODE))
    second = get_transcriber(str(whisper_model_dir), options=DecodeOptions().with_changes(**FAST_DECODE))
    assert first is second
    assert not first.loaded  # lazy: nothing loaded until used
    samples = speech_samples(ANSWER)
    first.transcribe(samples)
    once = len(record_calls["transcribe"])  # one window, and any stretch decoded again
    second.transcribe(samples)
    assert len(record_calls["init"]) == 1
    assert once >= 1 and len(record_calls["transcribe"]) == 2 * once
    other = get_transcriber(str(whisper_model_dir), options=DecodeOptions().with_changes(beam_size=1, **FAST_DECODE))
    assert other is not first


def test_background_load_from_several_threads_loads_once(whisper_model_dir, record_calls):
    transcriber = get_transcriber(str(whisper_model_dir))
    threads = [threading.Thread(target=transcriber.load) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert transcriber.loaded and transcriber.load_seconds is not None
    assert len(record_calls["init"]) == 1


def test_a_three_second_stall_is_found_where_it_is(fast_transcriber, speech_samples):
    samples, (truth,) = join_with_silences([speech_samples(ANSWER), speech_samples(SECOND)], [3.0])
    transcript = fast_transcriber.transcribe(samples, offset_s=4.0)
    regions = transcript.speech
    gaps = [(regions[i][1], regions[i + 1][0]) for i in range(len(regions) - 1)]
    start, end = max(gaps, key=lambda g: g[1] - g[0])
    assert end - start == pytest.approx(3.0, abs=0.3)
    assert start == pytest.approx(truth[0] + 4.0, abs=0.3)
    assert end == pytest.approx(truth[1] + 4.0, abs=0.3)
    # espeak-ng's own pauses are short: no other gap comes close to a stall.
    assert all(e - s < 1.0 for s, e in gaps if (s, e) != (start, end))


def test_speech_regions_are_tight_enough_to_measure_pauses(speech_samples):
    samples, _silences = join_with_silences(
        [speech_samples(ANSWER), speech_samples(SECOND), speech_samples(ANSWER)], [1.0, 2.0]
    )
    regions = speech_regions(samples, SpeechVadOptions())
    gaps = sorted(regions[i + 1][0] - regions[i][1] for i in range(len(regions) - 1))
    assert gaps[-1] == pytest.approx(2.0, abs=0.3)
    assert gaps[-2] == pytest.approx(1.0, abs=0.3)


def test_silence_gives_no_words_and_no_speech(fast_transcriber):
    transcript = fast_transcriber.transcribe(np.zeros(5 * 16000, np.float32))
    assert transcript.words == ()
    assert transcript.speech == ()
    assert transcript.audio_seconds == 5.0


def test_empty_audio_gives_an_empty_transcript(fast_transcriber):
    transcript = fast_transcriber.transcribe(np.zeros(0, np.float32))
    assert transcript.words == () and transcript.audio_seconds == 0.0


def test_a_damaged_model_gives_a_clean_error(whisper_model_dir, tmp_path):
    import shutil

    broken = tmp_path / "broken-model"
    shutil.copytree(whisper_model_dir, broken)
    (broken / "model.bin").write_bytes(b"not a model")
    with pytest.raises(TranscriptionError) as err:
        Transcriber(str(broken)).transcribe(np.zeros(16000, np.float32))
    assert str(broken) in str(err.value)
    assert "redrill model pull base.en" in str(err.value)


def test_a_model_folder_without_tokenizer_is_refused_before_any_download(whisper_model_dir, tmp_path):
    import shutil

    no_tokenizer = tmp_path / "no-tokenizer"
    shutil.copytree(whisper_model_dir, no_tokenizer)
    (no_tokenizer / "tokenizer.json").unlink()
    with pytest.raises(RedrillError, match=r"missing tokenizer\.json"):
        Transcriber(str(no_tokenizer)).load()


def test_failure_while_decoding_is_a_transcription_error(fast_transcriber, speech_samples, monkeypatch):
    def boom(audio: np.ndarray, hints: str | None = None):
        raise RuntimeError("out of memory")

    fast_transcriber.load()
    monkeypatch.setattr(fast_transcriber, "_run", boom)
    with pytest.raises(
        TranscriptionError, match="transcription failed with model tiny-random: RuntimeError: out of memory"
    ):
        fast_transcriber.transcribe(speech_samples(ANSWER))


def test_device_auto_picks_cuda_only_when_a_gpu_is_visible(monkeypatch):
    import ctranslate2

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    assert pick_device("auto", "auto") == ("cpu", "int8")
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    assert pick_device("auto", "auto") == ("cuda", "float16")
    assert pick_device("cpu", "float32") == ("cpu", "float32")
    with pytest.raises(TranscriptionError, match="valid devices: auto, cpu, cuda"):
        pick_device("tpu")


def test_importing_the_cli_and_adapters_loads_no_heavy_library():
    code = (
        "import sys, redrill.cli, redrill.sound.audiofile, redrill.transcription.whisper, redrill.transcription.models, redrill.cli.model\n"
        "heavy = [m for m in ('faster_whisper', 'ctranslate2', 'av', 'numpy', 'huggingface_hub') if m in sys.modules]\n"
        "print(heavy)\n"
        "sys.exit(1 if heavy else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"imported at start-up: {result.stdout} {result.stderr}"


@pytest.fixture
def samples(fast_transcriber, monkeypatch):
    """11 s of audio for scripted windows: the model is loaded, and the voice activity detector
    hears speech from 0.5 to 10.5 s (what is in it is scripted by each test)."""
    fast_transcriber.load()
    monkeypatch.setattr("redrill.transcription.whisper.speech_regions", lambda samples, vad=None: ((0.5, 10.5),))
    return np.zeros(16000 * 11, np.float32)


class ScriptedWindows:
    """Stands in for faster-whisper's transcribe: each call decodes one window into the scripted
    words (window-relative times) and records the audio it got and how many segments were asked for."""

    def __init__(self, *windows):
        self.windows = list(windows)
        self.calls: list[dict] = []

    def __call__(self, audio: np.ndarray, hints: str | None = None):
        from types import SimpleNamespace

        call: dict[str, Any] = {"seconds": len(audio) / 16000, "asked": 0, "hints": hints}
        self.calls.append(call)
        words = self.windows.pop(0)

        def segments():
            call["asked"] += 1
            yield SimpleNamespace(
                words=[SimpleNamespace(word=f" {t}", start=s, end=e, probability=0.9) for t, s, e in words]
            )
            call["asked"] += 1  # asking for another segment would decode the frames after the last word
            yield SimpleNamespace(words=[SimpleNamespace(word=" Thank", start=0, end=0, probability=0.1)])

        return segments(), None


def test_a_window_that_stops_early_is_decoded_on_from_its_last_word(fast_transcriber, monkeypatch, samples):
    # The scripted words are long on purpose (the stretch decoded again is tested below).
    monkeypatch.setattr("redrill.transcription.whisper.skipped_stretch", lambda words, speech, **_: None)
    # The joined speech is 0.3-10.7 s (10.4 s); the first window's words end at 4 s: 6 s left.
    run = ScriptedWindows([("one", 0.2, 1.0), ("two", 1.0, 4.0)], [("three", 0.1, 0.5), ("four", 0.5, 6.0)])
    monkeypatch.setattr(fast_transcriber, "_run", run)
    transcript = fast_transcriber.transcribe(samples, offset_s=2.0)
    assert [w.text for w in transcript.words] == ["one", "two", "three", "four"]
    assert [c["seconds"] for c in run.calls] == pytest.approx([10.4, 6.4], abs=0.01)
    assert [c["asked"] for c in run.calls] == [1, 1]  # never the window after the last word
    # times on the answer's timeline: span start 0.3 s + offset 2 s; the second window from 4.0 s
    assert transcript.words[2].start == pytest.approx(0.3 + 4.0 + 0.1 + 2.0, abs=0.002)
    assert transcript.words[-1].end == pytest.approx(0.3 + 10.0 + 2.0, abs=0.002)


def test_a_window_that_reaches_the_end_of_the_speech_is_the_only_one(fast_transcriber, monkeypatch, samples):
    monkeypatch.setattr("redrill.transcription.whisper.skipped_stretch", lambda words, speech, **_: None)
    run = ScriptedWindows([("one", 0.2, 5.0), ("two", 5.0, 9.6)], [("never", 0.1, 0.2)])
    monkeypatch.setattr(fast_transcriber, "_run", run)
    transcript = fast_transcriber.transcribe(samples)
    assert [w.text for w in transcript.words] == ["one", "two"]
    assert [c["asked"] for c in run.calls] == [1]


# A window where Whisper left out the first sentence and timed "I listened to" over it.
JUMPED = [
    ("I", 0.2, 0.5),
    ("listened", 0.5, 3.5),
    ("to", 3.5, 5.0),
    ("why", 5.2, 5.5),
    ("she", 5.5, 5.7),
    ("asked.", 5.7, 6.2),
    ("Then", 9.2, 9.5),
    ("we", 9.5, 9.7),
    ("agreed.", 9.7, 10.2),
]


def test_a_stretch_whisper_jumped_over_is_decoded_again_on_its_own(fast_transcriber, monkeypatch, samples):
    again = [
        ("My", 0.1, 0.4),
        ("lead", 0.4, 0.8),
        ("and", 0.8, 1.0),
        ("I", 1.0, 1.2),
        ("disagreed.", 1.2, 3.0),
        ("I", 4.3, 4.5),
        ("listened", 4.5, 4.9),
        ("to", 4.9, 5.1),
    ]
    run = ScriptedWindows(JUMPED, again)
    monkeypatch.setattr(fast_transcriber, "_run", run)
    transcript = fast_transcriber.hinted("a disagreement; how I listened").transcribe(samples, offset_s=2.0)
    texts = [w.text for w in transcript.words]
    assert texts == [
        "My",
        "lead",
        "and",
        "I",
        "disagreed.",
        "I",
        "listened",
        "to",
        "why",
        "she",
        "asked.",
        "Then",
        "we",
        "agreed.",
    ]
    # The stretch: from the window's start (its first word was pulled back over the jump too) to "why".
    assert [c["seconds"] for c in run.calls] == pytest.approx([10.4, 5.2], abs=0.01)
    assert run.calls[0]["hints"] and run.calls[1]["hints"] is None  # the hints made it jump
    assert fast_transcriber.mended_stretches == 1
    # On the answer's timeline: the span starts at 0.3 s, the offset is 2 s.
    assert transcript.words[0].start == pytest.approx(0.3 + 0.1 + 2.0, abs=0.002)
    assert transcript.words[7].end == pytest.approx(0.3 + 5.1 + 2.0, abs=0.002)
    assert transcript.words[8].start == pytest.approx(0.3 + 5.2 + 2.0, abs=0.002)


def test_a_stretch_decoded_again_into_no_more_words_is_left_as_it_was(fast_transcriber, monkeypatch, samples):
    run = ScriptedWindows(JUMPED, [("I", 0.2, 0.5), ("listened.", 0.5, 1.0)])
    monkeypatch.setattr(fast_transcriber, "_run", run)
    transcript = fast_transcriber.transcribe(samples)
    assert [w.text for w in transcript.words] == [t for t, _, _ in JUMPED]
    assert len(run.calls) == 2 and fast_transcriber.mended_stretches == 0


def test_speech_before_the_first_word_that_no_word_holds_is_decoded_again(fast_transcriber, monkeypatch, samples):
    # Whisper began the window at its second sentence: the 4.9 s of speech before "so" has no word.
    late = [("so", 5.2, 5.4), ("I", 5.4, 5.5), ("listened.", 5.5, 6.2), ("Then", 9.2, 9.5), ("we", 9.5, 9.7)]
    late.append(("agreed.", 9.7, 10.2))
    again = [("A", 0.2, 0.3), ("designer", 0.3, 0.9), ("and", 0.9, 1.1), ("I", 1.1, 1.2), ("disagreed", 1.2, 1.9)]
    again += [("about", 1.9, 2.3), ("the", 2.3, 2.4), ("form", 2.4, 3.0), ("before", 3.0, 3.6), ("tests.", 3.6, 4.6)]
    run = ScriptedWindows(late, again)
    monkeypatch.setattr(fast_transcriber, "_run", run)
    transcript = fast_transcriber.hinted("a disagreement").transcribe(samples, offset_s=2.0)
    assert [w.text for w in transcript.words] == [t for t, _, _ in again + late]
    # From the window's start to the first word the window did write.
    assert [c["seconds"] for c in run.calls] == pytest.approx([10.4, 5.2], abs=0.01)
    assert run.calls[1]["hints"] is None
    assert fast_transcriber.mended_stretches == 1
    assert transcript.words[0].start == pytest.approx(0.3 + 0.2 + 2.0, abs=0.002)
    assert transcript.words[10].start == pytest.approx(0.3 + 5.2 + 2.0, abs=0.002)


def test_speech_before_the_first_word_decoded_again_into_a_word_that_leaves_it_unheld_is_not_taken(
    fast_transcriber, monkeypatch, samples
):
    late = [("so", 5.2, 5.4), ("I", 5.4, 5.5), ("listened.", 5.5, 10.2)]
    run = ScriptedWindows(late, [("Thank", 4.4, 4.7), ("you.", 4.7, 5.0)])
    monkeypatch.setattr(fast_transcriber, "_run", run)
    transcript = fast_transcriber.transcribe(samples)
    assert [w.text for w in transcript.words] == ["so", "I", "listened."]
    assert len(run.calls) == 2 and fast_transcriber.mended_stretches == 0


def test_the_judge_of_repeats_comes_from_the_same_decoding(fast_transcriber, speech_samples):
    """``transcribe_with_judge`` gives the very transcript ``transcribe`` gives, and a judge that
    scores the piece's own words from the encoder output and the word-timing alignment of that
    decoding (one forced alignment per word asked, kept), and nothing for a word of another piece."""
    import math

    from redrill.transcript import Word

    samples = speech_samples(ANSWER)
    heard = fast_transcriber.transcribe_with_judge(samples, offset_s=3.0)
    assert heard.transcript == fast_transcriber.transcribe(samples, offset_s=3.0)
    assert heard.judge is not None
    word = heard.transcript.words[0]
    gain = heard.judge(word)
    assert gain is not None and math.isfinite(gain)
    assert heard.judge.calls == 1  # the text with the word twice; the text as written was aligned already
    assert heard.judge(word) == gain and heard.judge.calls == 1  # kept, not aligned again
    other = heard.transcript.words[1]
    assert heard.judge(other) is not None and heard.judge.calls == 2
    assert heard.judge(Word(word.text, word.start, word.end, word.probability)) is None  # an equal word, not this one


def test_the_judge_reuses_the_alignment_that_timed_the_words(fast_transcriber, speech_samples):
    """The text as written is not aligned again: the probabilities kept from faster-whisper's own
    word-timing alignment are what aligning those tokens again gives, and each word's kept range of
    tokens spells that word."""
    samples = speech_samples(ANSWER)
    heard = fast_transcriber.transcribe_with_judge(samples)
    judge = heard.judge
    assert judge is not None
    windows = list({id(w): w for w, _ in judge._where.values()}.values())
    assert windows and sum(len(w.words) for w in windows) == len(heard.transcript.words)
    for window in windows:
        again = judge._model.align(
            window.encoder_output, list(window.start), [list(window.tokens)], [window.frames], median_filter_width=1
        )
        assert again[0].text_token_probs == pytest.approx(list(window.probs), abs=1e-4)
        for word, (first, last) in zip(window.words, window.spans):
            assert judge._tokenizer.decode(list(window.tokens[first:last])).strip() == word.text


def test_a_decoding_that_kept_no_encoder_output_gives_no_judge(fast_transcriber, monkeypatch):
    samples = np.zeros(16000 * 3, np.float32)
    fast_transcriber.load()
    monkeypatch.setattr("redrill.transcription.whisper.speech_regions", lambda samples, vad=None: ((0.5, 2.5),))
    monkeypatch.setattr(fast_transcriber, "_run", ScriptedWindows([("one", 0.2, 1.8)]))
    heard = fast_transcriber.transcribe_with_judge(samples)
    # The scripted window never ran the encoder: there is nothing to judge with.
    assert [w.text for w in heard.transcript.words] == ["one"] and heard.judge is None
