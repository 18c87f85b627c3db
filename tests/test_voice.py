"""How it sounded: the voice figures, from made-up frames (the rules) and from rendered answers whose
delivery is known (espeak-ng monotone vs lively, sox loudness falling at sentence ends), live and
afterwards, and on through comparison, feedback, storage, export, progress, show and report."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

import voice_renders as vr
from redrill.scoring import Metrics
from redrill.scoring.comparison import compare
from redrill.scoring.feedback import feedback
from redrill.scoring.metrics import PaceStretch, Trailing, Voice
from redrill.scoring.voice import VoiceSettings, compare_voice, personal_band, voice_figures, voice_point
from redrill.sound.prosody import Frames
from redrill.transcript import Transcript, Word

STEP = 0.02


def frames(seconds: float, *, st=lambda t: 0.0, db=lambda t: 70.0, voiced=lambda t: True) -> Frames:
    """Made-up Praat frames: pitch ``st(t)`` semitones around 120 Hz, loudness ``db(t)``."""
    times = [round(i * STEP, 4) for i in range(int(seconds / STEP))]
    return Frames(
        0.0,
        seconds,
        tuple(times),
        tuple(120.0 * 2 ** (st(t) / 12) if voiced(t) else 0.0 for t in times),
        tuple(db(t) for t in times),
    )


def timed_words(sentences: list[str], *, wpm: float = 150.0, start: float = 0.5, gap: float = 0.6) -> Transcript:
    words, t = [], start
    step = 60.0 / wpm
    for sentence in sentences:
        for token in sentence.split():
            words.append(Word(token, round(t, 3), round(t + step * 0.8, 3)))
            t += step
        t += gap
    return Transcript(words=tuple(words), timed=True)


def aligned(sentences: list[str], spans) -> Transcript:
    """Words spread evenly over where each sentence was rendered (timings like a recognizer's)."""
    words = []
    for text, (a, b) in zip(sentences, spans):
        tokens = text.split()
        step = (b - a) / len(tokens)
        words += [Word(t, round(a + k * step, 3), round(a + (k + 0.9) * step, 3)) for k, t in enumerate(tokens)]
    return Transcript(words=tuple(words), timed=True)


def shifted(spans, samples) -> list[tuple[float, float]]:
    """``spans`` of a rendering repeated right after itself."""
    length = len(samples) / vr.SAMPLE_RATE
    return [(a + length, b + length) for a, b in spans]


SIX = ["We moved the billing system over.", "It took six weeks of work.", "Costs fell by a third after."]


# --- the figures' rules ----------------------------------------------------------------------------


TEN_SECONDS = timed_words([" ".join(["word"] * 25)], start=0.0, gap=0.0)  # words from 0 to 10 s


def test_pitch_spread_is_the_10th_to_90th_percentile_in_semitones():
    even = frames(10.0, st=lambda t: -3.0 + 6.0 * t / 10.0)  # evenly from -3 to +3 semitones
    v = voice_figures([even], TEN_SECONDS)
    assert v.pitch_range_st == pytest.approx(4.8, abs=0.05)
    assert v.median_f0_hz == pytest.approx(120.0, abs=0.5)
    assert v.pitch_sd_st == pytest.approx(6 / math.sqrt(12), abs=0.05)  # uniform distribution
    # an octave error in 5 % of the frames (the tracker's typical slip) hardly moves the spread
    slipped = frames(10.0, st=lambda t: 12.0 if int(t / STEP) % 20 == 0 else -3.0 + 6.0 * t / 10.0)
    assert voice_figures([slipped], TEN_SECONDS).pitch_range_st == pytest.approx(4.8, abs=0.6)


def test_pitch_is_read_inside_the_words_not_in_the_pauses():
    """A hum in a pause (here 10 semitones up) is not the voice."""
    speech = timed_words([" ".join(["word"] * 10)], start=0.0, gap=0.0)  # 0-4 s
    hum = frames(8.0, st=lambda t: 10.0 if t > 4.5 else 0.0)
    assert voice_figures([hum], speech).pitch_range_st == pytest.approx(0.0, abs=0.01)


def test_too_little_voice_gives_no_pitch_figures():
    v = voice_figures([frames(10.0, voiced=lambda t: t < 1.5)], TEN_SECONDS)
    assert v.pitch_range_st is None and v.median_f0_hz is None and v.voiced_s == pytest.approx(1.5, abs=0.03)


def test_a_sentence_whose_last_words_are_quieter_trails_off_and_the_others_do_not():
    t = timed_words(SIX)
    second = t.words[6:12]  # "It took six weeks of work."
    fade_from = second[-2].start
    assert fade_from is not None

    def level(drop: float):
        def db(x):
            if not any(w.start <= x <= w.end for w in t.words):
                return 30.0  # the room between words
            return 70.0 - drop if fade_from <= x <= second[-1].end else 70.0

        return db

    v = voice_figures([frames(20.0, db=level(12.0))], t)
    assert v.sentences == 3
    assert v.trailing == (Trailing(round(fade_from, 2), 12.0, "of work."),)
    assert v.trailing_share == pytest.approx(1 / 3, abs=0.001)
    # steady loudness: nothing trails off; a 3 dB fall is the normal lowering at a sentence end
    assert voice_figures([frames(20.0, db=level(0.0))], t).trailing == ()
    assert voice_figures([frames(20.0, db=level(3.0))], t).trailing == ()


def test_pace_bursts_and_drags_are_windows_far_from_the_answers_own_median_pace():
    slow = " ".join(["word"] * 50)  # 20 s at 150 wpm
    t1 = timed_words([slow], wpm=150.0, gap=0.0)
    slow_end = t1.words[-1].end
    assert slow_end is not None
    fast = timed_words([" ".join(["quick"] * 42)], wpm=250.0, start=slow_end + 0.1, gap=0.0)
    t = Transcript(words=t1.words + fast.words, timed=True)
    v = voice_figures([frames(32.0)], t)
    assert len(v.bursts) == 1 and v.bursts[0].wpm >= 200 and v.drags == ()
    assert v.pace_cv is not None and v.pace_cv > 15
    steady = voice_figures([frames(40.0)], timed_words([" ".join(["word"] * 90)], gap=0.0))
    assert steady.bursts == () and steady.drags == () and steady.pace_cv is not None and steady.pace_cv < 5


def test_first_word_delay_counts_the_silence_the_recorder_cut():
    t = timed_words(SIX, start=0.8)
    assert voice_figures([frames(20.0)], t, lead_s=1.5).first_word_delay_s == pytest.approx(2.3)
    assert voice_figures([frames(20.0)], t, lead_s=0.0).first_word_delay_s == pytest.approx(0.8)
    unknown = voice_figures([frames(20.0)], t, lead_s=None)
    assert unknown.first_word_delay_s is None and unknown.lead_s is None


def test_voice_figures_are_stored_and_read_back_and_old_rows_have_none():
    v = Voice(voiced_s=30.0, pitch_range_st=3.2, trailing=(Trailing(4.2, 7.5, "of work."),), sentences=4)
    m = Metrics(words=10, voice=v)
    data = json.loads(json.dumps(m.to_dict()))
    assert data["voice"]["trailing"] == [{"at_s": 4.2, "drop_db": 7.5, "words": "of work."}]
    assert Metrics.from_dict(data) == m
    assert Metrics.from_dict({"words": 3}).voice is None  # scored before voice figures existed
    damaged = Metrics.from_dict({"words": 3, "voice": {"pitch_range_st": "high", "trailing": [{"at_s": 1}]}})
    assert damaged.voice == Voice()  # a bad figure takes its default; the row still reads


# --- against the user's own voice, and what feedback says ------------------------------------------


def voiced(**figures) -> Metrics:
    return Metrics(words=200, duration_s=90.0, target_s=(60.0, 120.0), voice=Voice(voiced_s=40.0, **figures))


def test_personal_band_is_the_middle_half_of_earlier_values():
    assert personal_band([4.0, 5.0, 6.0, 7.0, 8.0]) == (5.0, 7.0)
    assert personal_band([4.0, None, 5.0]) is None  # too few to call usual


def test_voice_is_compared_with_every_earlier_answer_not_only_this_question():
    earlier = [voiced(pitch_range_st=v) for v in (6.0, 7.0, 8.0)]
    now = voiced(pitch_range_st=4.5)
    c = compare(now, [], fallback=earlier)
    change = c.voice["pitch_range_st"]
    assert (change.median, change.band, change.vs_median, change.earlier) == (7.0, (6.5, 7.5), "worse", 3)
    assert c.to_json()["voice"]["pitch_range_st"]["band"] == [6.5, 7.5]
    assert "voice" not in compare(Metrics(words=3), [], fallback=[]).to_json()  # typed: no voice section
    assert compare_voice(now, [Metrics(words=5)]) == {"pitch_range_st": compare_voice(now, [])["pitch_range_st"]}


def test_a_flat_pitch_is_named_once_phrased_from_its_figure():
    m = voiced(pitch_range_st=1.5, trailing=(Trailing(3.0, 8.0, "a b"), Trailing(9.0, 7.0, "c d")), sentences=4)
    notes = feedback(m, compare(m, []))
    lines = [line for line in notes.work_on if "pitch" in line or "trailed" in line]
    assert lines == [
        "Your pitch stayed within 1.5 semitones for most of the answer: stress the result and the numbers, "
        "and let your voice rise and fall with them."
    ]


def test_voice_points_only_when_they_matter():
    settings = VoiceSettings()
    assert voice_point(voiced(pitch_range_st=6.0, sentences=5, first_word_delay_s=1.0)) is None
    assert voice_point(Metrics(words=5)) is None  # no recording
    one = voice_point(voiced(pitch_range_st=6.0, trailing=(Trailing(3.0, 8.0, "a b"),), sentences=6))
    assert one is None  # one sentence of six trailing off is normal
    two = voice_point(voiced(pitch_range_st=6.0, trailing=(Trailing(3.0, 8.0, "of work."),) * 2, sentences=6))
    assert two is not None and two[1].startswith('2 of 6 sentences trailed off (e.g. "of work.", 8 dB quieter at 0:03)')
    slow = voice_point(voiced(pitch_range_st=6.0, first_word_delay_s=settings.slow_start_s + 1.2))
    assert slow is not None and slow[1].startswith("4.2 s of silence before your first word")
    burst = voice_point(voiced(pitch_range_st=6.0, bursts=(PaceStretch(40.0, 50.0, 205),)))
    assert burst is not None and burst[1].startswith("You sped up to 205 wpm at 0:40-0:50")
    # above the norm but well under the user's own band
    earlier = [voiced(pitch_range_st=v) for v in (7.0, 8.0, 9.0)]
    now = voiced(pitch_range_st=5.5)
    said = voice_point(now, compare_voice(now, earlier))
    assert said is not None and said[1].startswith(
        "Your pitch stayed within 5.5 semitones for most of the answer, flatter than your usual 7.5-8.5"
    )


# --- rendered answers: Praat on real speech --------------------------------------------------------


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    try:
        vr.tool("espeak-ng"), vr.tool("sox")
    except vr.MissingTool as err:
        pytest.fail(str(err))
    return tmp_path_factory.mktemp("voice-renders")


@pytest.mark.parametrize("voice,text", [("en-us", 0), ("en-gb", 1), ("en-us+f3", 2)])
def test_a_monotone_rendering_has_a_flatter_pitch_than_a_lively_one(renders, voice, text):
    from redrill.pipeline import measure_voice

    pair = vr.pitch_pair(vr.TEXTS[text], renders / f"pitch-{voice}", voice=voice, rate=150)
    no_words = Transcript(words=(), timed=True)
    flat = measure_voice(pair["monotone"], no_words).pitch_range_st
    lively = measure_voice(pair["lively"], no_words).pitch_range_st
    assert flat is not None and lively is not None
    assert flat < 2.5 < 4.0 < lively, (flat, lively)  # flagged as flat, and clearly livelier


def test_streaming_and_whole_answer_give_identical_figures(renders):
    from redrill.sound.prosody import VoiceStream, analyse_answer, pieces

    pair = vr.trailing_pair(vr.TEXTS[0], renders / "stream", voice="en-us", rate=160)
    samples = pair["trailing"].samples
    answer = np.concatenate([samples, samples])  # about 20 s with pauses
    assert len(pieces(len(answer))) >= 4  # analysed piece by piece
    transcript = aligned(list(vr.TEXTS[0]) * 2, [*pair["trailing"].spans, *shifted(pair["trailing"].spans, samples)])
    whole = analyse_answer(answer)
    for block in (1600, 4410, 16000):  # block sizes must not matter
        stream = VoiceStream()
        for i in range(0, len(answer), block):
            stream.feed(answer[i : i + block])
        assert stream.pieces_submitted == len(pieces(len(answer))) - 1  # only the last one is left
        streamed = stream.frames(answer)
        assert streamed == whole
        assert voice_figures(streamed, transcript) == voice_figures(whole, transcript)
    stream = VoiceStream()
    for i in range(0, len(answer), 1600):
        stream.feed(answer[i : i + 1600])
    trimmed = answer[: len(answer) - 8000]  # the stored answer may be cut short of what was fed
    assert stream.frames(trimmed) == analyse_answer(trimmed)
    # The pieces do not distort the figures: one Praat pass over the whole answer agrees.
    from redrill.sound.prosody import analyse_piece

    one_pass = voice_figures([analyse_piece(answer)], transcript)
    pieced = voice_figures(whole, transcript)
    assert pieced.pitch_range_st == pytest.approx(one_pass.pitch_range_st, abs=0.1)
    assert pieced.loudness_sd_db == pytest.approx(one_pass.loudness_sd_db, abs=0.1)


def test_the_stored_opus_recording_gives_nearly_the_same_figures(renders, tmp_path):
    """`rescore` measures the stored Ogg/Opus file; the drill measured the raw samples."""
    from redrill.pipeline import measure_voice
    from redrill.sound.audiofile import load_audio, write_opus

    pair = vr.pitch_pair(vr.TEXTS[1], renders / "opus", voice="en-gb", rate=150)
    transcript = timed_words(list(vr.TEXTS[1]))
    for samples in pair.values():
        ogg = tmp_path / "a.ogg"
        write_opus(ogg, samples, bitrate=24000)
        raw = measure_voice(samples, transcript)
        stored = measure_voice(load_audio(ogg).samples, transcript)
        assert stored.pitch_range_st == pytest.approx(raw.pitch_range_st, abs=0.3)
        assert stored.median_f0_hz == pytest.approx(raw.median_f0_hz, rel=0.02)


@pytest.mark.realmodel
@pytest.mark.slow
@pytest.mark.parametrize("voice,text", [("en-us", 0), ("en-gb-scotland", 2)])
def test_trailing_sentences_are_found_where_made_and_not_in_steady_speech(renders, real_tiny_dir, voice, text):
    """The whole-answer path (real tiny.en word timings, as `answer --audio` does) on sentences whose
    loudness sox made fall at the end, and on the same sentences spoken steadily."""
    from redrill.pipeline import measure_voice
    from redrill.transcription.streaming import transcribe_answer
    from redrill.transcription.whisper import Transcriber

    tr = Transcriber(str(real_tiny_dir), cpu_threads=2)
    pair = vr.trailing_pair(vr.TEXTS[text], renders / f"trail-{voice}", voice=voice, rate=150)
    falling = pair["trailing"]
    found = measure_voice(falling.samples, transcribe_answer(tr, falling.samples))
    assert sorted(vr.sentences_found(found.trailing, falling.spans)) == list(vr.TRAIL_AT), found.trailing
    assert found.sentences == 4 and found.trailing_share == 0.5
    steady = measure_voice(pair["steady"].samples, transcribe_answer(tr, pair["steady"].samples))
    assert steady.sentences == 4 and steady.trailing == ()


@pytest.mark.audio
def test_live_recording_analyses_the_voice_while_it_is_spoken(pulse_server, play_into_sink, renders, tmp_path):
    """The recorder path on the virtual sound device: pieces are analysed as the answer plays, and
    the frames of the stored answer equal those of the whole-answer analysis."""
    from redrill.sound.audiofile import write_wav
    from redrill.sound.endpointing import Endpointing
    from redrill.sound.microphone import Recorder
    from redrill.sound.prosody import VoiceStream, analyse_answer

    pair = vr.trailing_pair(vr.TEXTS[2], renders / "live", voice="en-us", rate=160)
    wav = write_wav(tmp_path / "answer.wav", pair["steady"].samples)
    stream = VoiceStream()
    recorder = Recorder(settings=Endpointing(silence_seconds=2.0, no_speech_timeout=10), spool_dir=tmp_path / "rec")
    player = play_into_sink(wav, delay=0.5)
    recording = recorder.record("q", on_audio=stream.feed)
    player.join()
    assert recording.has_answer and 0.3 < recording.started_s < 1.0  # the silence trimmed before it
    analysed_live = len(stream._jobs)
    assert analysed_live >= 3, "nothing was analysed while the answer was being spoken"
    assert stream.frames(recording.samples) == analyse_answer(recording.samples)
    recording.discard_spool()


# --- through the commands: answer, rescore, show, progress, export, report -------------------------


@pytest.fixture
def recorded(cli, renders, redrill_home, whisper_model_dir):
    """Two answers from audio files (a monotone, then a lively one) scored through `redrill answer`.

    The random-weight model's words are gibberish, but their timings and the audio path are real."""
    (redrill_home / "config.yaml").write_text("beam_size: 1\nmax_tokens_per_window: 40\n")
    pair = vr.pitch_pair(vr.TEXTS[0], renders / "cli", voice="en-us", rate=150)
    from redrill.sound.audiofile import write_wav

    for kind in ("monotone", "lively"):
        wav = write_wav(renders / "cli" / f"{kind}-16k.wav", pair[kind])
        result = cli("answer", "failure-story", "--audio", wav, "--model", whisper_model_dir, "--json")
        assert result.exit_code == 0, result.output
    return redrill_home


def stored_voices(home) -> list:
    import sqlite3

    db = sqlite3.connect(home / "redrill.db")
    try:
        rows = db.execute("SELECT metrics_json FROM attempts ORDER BY id").fetchall()
    finally:
        db.close()
    return [json.loads(r[0]).get("voice") for r in rows]


def test_rescore_fills_the_voice_figures_of_attempts_scored_before_them(cli, recorded):
    import sqlite3

    before = stored_voices(recorded)
    assert before[0]["pitch_range_st"] < 2.5 < 4.0 < before[1]["pitch_range_st"]
    assert before[0]["first_word_delay_s"] is not None and before[0]["lead_s"] == 0.0  # a file is kept whole
    db = sqlite3.connect(recorded / "redrill.db")
    db.execute("UPDATE attempts SET metrics_json = json_remove(metrics_json, '$.voice')")  # as an older redrill
    db.commit()
    db.close()
    assert stored_voices(recorded) == [None, None]
    result = cli("rescore")
    assert result.exit_code == 0, result.output
    assert "Rescored 2 attempts, 2 with voice figures from their recordings." in result.output
    assert stored_voices(recorded) == before


def test_show_progress_export_and_report_carry_the_voice_figures(cli, recorded, tmp_path):
    shown = cli("show", "1")
    assert shown.exit_code == 0, shown.output
    assert "How it sounded: pitch spread" in " ".join(shown.output.split())
    flat = " ".join(shown.output.split())
    assert "Your pitch stayed within" in flat  # the monotone's one voice point
    data = json.loads(cli("show", "2", "--json").output)
    assert data["report"]["history"]["voice"]["pitch_range_st"]["earlier"] == 1

    progress = cli("progress")
    assert "pitch st" in progress.output and "Your voice across 2 recorded answers" in progress.output
    rows = json.loads(cli("progress", "--json").output)
    assert rows[0]["latest"]["pitch_range_st"] > rows[0]["first"]["pitch_range_st"]

    table = list(csv.DictReader(io.StringIO(cli("export", "--format", "csv").output)))
    assert float(table[0]["voice_pitch_range_st"]) < float(table[1]["voice_pitch_range_st"])
    assert table[0]["voice_sentences"] != "" and "voice" not in table[0]  # one column per figure

    page = tmp_path / "report.html"
    assert cli("report", "--out", page).exit_code == 0
    text = page.read_text()
    assert "How attempt #2 sounded" in text and 'class="strip"' in text and 'stroke="#2563eb"' in text
    assert "Pitch spread</th>" in text


@pytest.mark.browser
def test_the_report_with_a_voice_strip_renders_in_headless_chromium(cli, recorded, tmp_path):
    """The strip is plain SVG and HTML: it draws in a real browser with no console errors."""
    import shutil
    import subprocess

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("headless Chromium is needed for this test: install chromium (sudo apt-get install chromium)")
    page = tmp_path / "report.html"
    assert cli("report", "--out", page).exit_code == 0
    flags = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        flags + [f"--screenshot={shot}", "--window-size=1280,2400", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists(), run.stderr[-2000:]
    for bad in ("Uncaught", "ERROR:CONSOLE"):
        assert bad not in run.stderr, run.stderr[-2000:]
    dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert dom.count('class="row"') >= 2 and dom.count("<polyline") >= 2 and "How attempt #2 sounded" in dom


def test_a_failing_voice_analysis_never_loses_the_answer(cli, renders, redrill_home, whisper_model_dir, monkeypatch):
    """Praat refusing a recording costs the voice figures (with a warning), never the answer."""
    from redrill.sound import prosody
    from redrill.sound.audiofile import write_wav

    def refuse(*args, **kwargs):
        raise RuntimeError("Praat cannot read this")

    monkeypatch.setattr(prosody, "analyse_answer", refuse)
    (redrill_home / "config.yaml").write_text("beam_size: 1\nmax_tokens_per_window: 40\n")
    pair = vr.pitch_pair(vr.TEXTS[2], renders / "refused", voice="en-gb", rate=150)
    wav = write_wav(renders / "refused" / "answer-16k.wav", pair["lively"])
    result = cli("answer", "failure-story", "--audio", wav, "--model", whisper_model_dir)
    assert result.exit_code == 0, result.output
    said = " ".join((result.output + (result.stderr or "")).split())
    assert "voice figures not measured: RuntimeError: Praat cannot read this" in said
    assert stored_voices(redrill_home) == [None]
    assert "How it sounded" not in said


def test_progress_reads_the_voice_figures_the_fast_way_as_the_pure_way(redrill_home):
    """`redrill progress` picks figures out of the stored JSON with SQL; they equal the typed model's."""
    from fixtures_attempts import metrics, seed
    from redrill.paths import Paths
    from redrill.store import open_store
    from redrill.tracking.progress import _figures, figures_from_store_rows, voice_progress

    rows = []
    for i, (pitch, trailing) in enumerate([(2.5, 0.5), (3.5, 0.25), (None, None), (5.0, 0.0)]):
        m = metrics(100 + i, 40 - i)
        if pitch is not None:
            m["voice"] = {"voiced_s": 30.0, "pitch_range_st": pitch, "trailing_share": trailing, "sentences": 4}
        rows.append(("q", m))
    seed(redrill_home, rows)
    store = open_store(Paths(redrill_home))
    try:
        fast = list(figures_from_store_rows(store.progress_figures()))
        pure = [_figures(*row) for row in store.scored_metrics()]
    finally:
        store.close()
    assert [f[9:] for f in fast] == [f[9:] for f in pure] == [(2.5, 0.5), (3.5, 0.25), (None, None), (5.0, 0.0)]
    moved = voice_progress(fast)
    assert moved is not None
    assert (moved.answers, moved.pitch_first, moved.pitch_latest) == (3, 2.5, 5.0)
    assert (moved.trailing_first, moved.trailing_latest) == (0.5, 0.0)
