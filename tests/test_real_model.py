"""What the recognizer hears, checked on real Whisper weights (tiny.en; base where installed).

Every claim redrill makes about transcription is tested here on real weights and real espeak-ng
speech: the words of known answers, fillers kept by the filler prompt, streaming equal to
whole-answer transcription, `transcribe --pending` equal to `answer --audio`, no hallucinated
phrases, recognition hints that fix domain terms without adding unsaid ones, and pauses only where
the audio is silent. The random-weight model (test_transcribe.py) covers code paths only.
"""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pytest

from fixtures_model import join_with_silences, trim_silence
from redrill.scoring import STOPWORDS, score, stem
from redrill.sound.audiofile import load_audio, write_wav
from redrill.transcription.streaming import StreamingTranscription, transcribe_answer
from redrill.transcription.whisper import DecodeOptions, Transcriber, recognition_hints

pytestmark = pytest.mark.realmodel

# Phrases Whisper is known to invent over silence or at the end of audio.
HALLUCINATIONS = ("thank you", "thanks for watching", "subscribe", "see you next time", "bye", "you you")

ANSWERS = [  # (espeak-ng voice, words per minute, text)
    (
        "en-us",
        150,
        "When the billing migration failed on a Friday night I rolled it back within an hour and told the finance team what had happened.",
    ),
    (
        "en-gb+m3",
        175,
        "I wrote a reconciliation test that compares invoices before and after every migration, and we run it before each release.",
    ),
    (
        "en-us+f3",
        135,
        "The hardest part was telling my manager that the outage was my mistake, but she thanked me for owning it quickly.",
    ),
    (
        "en-us",
        190,
        "Since then the team has shipped many migrations without a single billing incident, and new engineers learn the checklist first.",
    ),
]


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def content(text: str) -> list[str]:
    return [w for w in words_of(text) if w not in STOPWORDS]


def word_error_rate(truth: str, heard: str) -> float:
    ref, hyp = words_of(truth), words_of(heard)
    d = np.arange(len(hyp) + 1)
    for i, r in enumerate(ref, 1):
        prev, d[0] = d.copy(), i
        for j, h in enumerate(hyp, 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (r != h))
    return d[len(hyp)] / max(len(ref), 1)


def speak(text: str, folder, *, voice: str = "en-us", rate: int = 150) -> np.ndarray:
    """espeak-ng speech at 16 kHz, edges trimmed."""
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"{abs(hash((text, voice, rate))) % 10**10}.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(wav), text], check=True, capture_output=True, timeout=60
    )
    return trim_silence(load_audio(wav).samples)


def heard(transcript) -> str:
    return " ".join(w.text for w in transcript.words)


@pytest.fixture(scope="module")
def tiny(real_tiny_dir) -> Transcriber:
    return Transcriber(str(real_tiny_dir)).load()


def test_the_words_of_spoken_answers_are_recognised(tiny, tmp_path):
    for voice, rate, text in ANSWERS:
        result = heard(tiny.transcribe(speak(text, tmp_path, voice=voice, rate=rate)))
        wer = word_error_rate(text, result)
        said = set(content(text))
        missed = said - set(words_of(result))
        assert wer <= 0.3, f"{voice} at {rate} wpm: word error rate {wer:.0%}\nsaid:  {text}\nheard: {result}"
        assert len(missed) <= len(said) * 0.25, f"{voice}: content words missed {sorted(missed)}\nheard: {result}"


def test_the_filler_prompt_keeps_fillers_that_plain_decoding_drops(tiny, tmp_path):
    text = "Well, um, the first thing I did was, uh, roll back the release. Then, um, I told the team, and uh, we wrote a test."
    audio = speak(text, tmp_path)
    plain = Transcriber(tiny.model_spec, options=DecodeOptions().with_changes(initial_prompt=None)).load()

    def filled(transcriber):
        transcript = transcriber.transcribe(audio)
        metrics = score(transcript, target_seconds=(5, 30))
        return metrics.filled_pause_count, heard(transcript)

    with_prompt, with_text = filled(tiny)
    without, without_text = filled(plain)
    assert with_prompt >= 2, f"the filler prompt kept only {with_prompt} of 4 fillers: {with_text}"
    assert with_prompt > without, f"prompt: {with_text!r}; no prompt: {without_text!r}"


def test_streaming_and_whole_answer_give_the_same_transcript_on_real_weights(tiny, tmp_path):
    parts = [speak(text, tmp_path, voice=voice, rate=rate) for voice, rate, text in ANSWERS[:3]]
    samples, _ = join_with_silences(parts, [1.0, 2.5])
    whole = transcribe_answer(tiny, samples)
    stream = StreamingTranscription(tiny)
    for i in range(0, len(samples), 1600):
        stream.feed(samples[i : i + 1600])
    streamed = stream.finish()
    assert len(whole.words) > 50
    assert streamed.words == whole.words
    assert streamed.speech == whole.speech


def test_whole_answers_lose_no_tail_words_and_invent_no_phrases(tiny, tmp_path):
    """Answers with pauses of known length and silence after the last word."""
    for gaps, tail in (([0.8, 1.5, 3.0], 2.0), ([2.2, 0.6, 1.0], 0.3), ([4.0, 1.2, 0.7], 3.0)):
        parts = [speak(text, tmp_path, voice=voice, rate=rate) for voice, rate, text in ANSWERS]
        samples, _ = join_with_silences(parts, gaps, tail=tail)
        result = heard(transcribe_answer(tiny, samples)).lower()
        for phrase in HALLUCINATIONS:
            assert phrase not in result, f"hallucinated {phrase!r} (gaps {gaps}, tail {tail} s): {result}"
        last = {stem(w) for w in content(ANSWERS[-1][2])[-4:]}
        got = {stem(w) for w in words_of(result)}
        assert len(last & got) >= 3, f"lost the last words {sorted(last - got)}: {result}"


def test_long_pauses_are_found_only_where_the_audio_is_silent(tiny, tmp_path):
    parts = [speak(text, tmp_path, voice=voice, rate=rate) for voice, rate, text in ANSWERS[:3]]
    samples, silences = join_with_silences(parts, [0.7, 3.0])
    metrics = score(transcribe_answer(tiny, samples), target_seconds=(20, 60))
    assert len(metrics.long_pauses) == 1, metrics.long_pauses
    (pause,) = metrics.long_pauses
    start, end = silences[1]
    assert pause.length_s == pytest.approx(end - start, abs=0.5)
    assert start - 0.5 <= pause.at_s <= start + 0.5


DOMAIN = [  # (question, talking points, spoken answer, the terms in it)
    (
        "Tell me about a rate limiter you designed.",
        ["token bucket per API key", "Redis for shared counters"],
        "We limited each client with a token bucket per API key, and kept the counters in Redis so every server saw the same numbers.",
        ["token bucket", "api key", "redis"],
    ),
    (
        "Tell me about an outage you handled.",
        ["a blameless postmortem", "canary deploy", "feature flag"],
        "After the outage I wrote a blameless postmortem, and we added a canary deploy and a feature flag for the new cache.",
        ["outage", "postmortem", "canary deploy", "feature flag"],
    ),
    (
        "How did you improve performance?",
        ["Kubernetes autoscaling", "Kafka consumers", "p99 latency"],
        "I set up Kubernetes autoscaling and moved the batch jobs to Kafka consumers, which cut our p99 latency in half.",
        ["kubernetes", "autoscaling", "kafka", "p99 latency"],
    ),
]


def test_hints_recognise_the_domain_terms_that_were_said(tiny, tmp_path):
    found = {"plain": 0, "hinted": 0}
    total = 0
    for question, points, said, terms in DOMAIN:
        hints = recognition_hints(question, points)
        for voice, rate in (("en-us", 150), ("en-gb+m3", 170)):
            audio = speak(said, tmp_path, voice=voice, rate=rate)
            plain = heard(tiny.transcribe(audio)).lower().replace("-", "")
            hinted = heard(tiny.transcribe(audio, hints=hints)).lower().replace("-", "")
            total += len(terms)
            found["plain"] += sum(term in plain for term in terms)
            found["hinted"] += sum(term in hinted for term in terms)
    assert found["hinted"] >= 0.75 * total, found
    assert found["hinted"] >= found["plain"] + 0.2 * total, found


def test_hints_add_nothing_that_was_not_said(tiny, tmp_path):
    unsaid = [
        "I asked the customer what mattered most to them and we agreed on a smaller first release.",
        "My manager and I disagreed about the deadline, so I showed her the risks and we moved it by a week.",
    ]
    for question, points, _, terms in DOMAIN:
        hints = recognition_hints(question, points)
        for text in unsaid:
            result = heard(tiny.transcribe(speak(text, tmp_path), hints=hints)).lower()
            for term in (*terms, *(w for p in points for w in content(p))):
                if term not in text.lower():
                    assert term not in words_of(result) and term not in result, f"the hints put {term!r} into: {result}"
            for phrase in HALLUCINATIONS:
                assert phrase not in result, result


def test_transcribe_pending_gives_the_words_and_pauses_of_answer_audio(cli, real_tiny_dir, tmp_path, redrill_home):
    parts = [speak(text, tmp_path, voice=voice, rate=rate) for voice, rate, text in ANSWERS[:2]]
    samples, _ = join_with_silences(parts, [2.5], tail=1.0)
    wav = write_wav(tmp_path / "answer.wav", samples)
    direct = cli("answer", "failure-story", "--audio", wav, "--model", real_tiny_dir, "--json")
    assert direct.exit_code == 0, direct.output + direct.stderr
    direct = json.loads(direct.output)

    from redrill import pipeline
    from redrill.banks import load_catalog
    from redrill.config import Config
    from redrill.paths import current
    from redrill.store import open_store

    store = open_store(current())
    question = load_catalog().get("failure-story")
    attempt_id, _ = pipeline.import_audio_file(store, current(), Config(), question, wav)
    store.close()
    done = cli("transcribe", "--pending", "--model", real_tiny_dir)
    assert done.exit_code == 0, done.output + done.stderr
    store = open_store(current())
    later = store.get_attempt(attempt_id)
    first = store.get_attempt(direct["attempt_id"])
    from redrill.transcript import Transcript

    a, b = Transcript.from_json(first.transcript), Transcript.from_json(later.transcript)
    assert [w.text for w in a.words] == [w.text for w in b.words]
    assert a.words == b.words and a.speech == b.speech
    said = set(content(ANSWERS[0][2] + " " + ANSWERS[1][2]))
    assert len(said - set(words_of(heard(b)))) <= len(said) * 0.15, heard(b)
    pauses = later.metrics.to_dict()["long_pauses"]
    assert pauses == direct["metrics"]["long_pauses"] and len(pauses) == 1
    store.close()


@pytest.mark.slow
def test_base_hears_the_words_and_keeps_um_without_the_prompt(real_base_dir, tmp_path):
    base = Transcriber(str(real_base_dir), options=DecodeOptions().with_changes(initial_prompt=None)).load()
    text = "So, um, I rolled the change back within an hour, uh, and told the finance team what had happened."
    transcript = base.transcribe(speak(text, tmp_path))
    assert word_error_rate(text, heard(transcript)) <= 0.2, heard(transcript)
    assert score(transcript, target_seconds=(5, 30)).filled_pause_count >= 1, heard(transcript)
