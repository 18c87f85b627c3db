"""What the recognizer hears, checked on real Whisper weights (tiny.en; base where installed).

Every claim redrill makes about transcription is tested here on real weights and real espeak-ng
speech: the words of known answers, fillers and restarts kept by the filler prompt, streaming equal to
whole-answer transcription, `transcribe --pending` equal to `answer --audio`, no hallucinated
phrases, recognition hints that fix domain terms without adding unsaid ones, and pauses only where
the audio is silent. The random-weight model (test_transcribe.py) covers code paths only.

Recognition claims are bounded over a fixed tenth-of-an-hour slice of the labelled set of
``scripts/evalset.py`` (:data:`SLICE`: 10 answers, 8 voices including the 2 held out, 135-185 wpm,
8 long silences, 29 filled pauses, restarts) rather than on one sentence: int8 kernels differ between CPUs, and one word
heard differently ("finance team" as "fight and steam") must not decide a test, while a broken
pipeline (lost tails, a dropped window, no prompt) moves the aggregate far past the bounds. The
figures these bounds sit under are in docs/accuracy.md. The answers are transcribed from their
Ogg/Opus copies (what redrill stores) and from the WAV.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from fixtures_model import join_with_silences, trim_silence
from redrill.scoring import STOPWORDS, Metrics, score, stem
from redrill.sound.audiofile import load_audio, write_wav
from redrill.transcript import Transcript
from redrill.transcription.streaming import StreamingTranscription, transcribe_answer
from redrill.transcription.whisper import DecodeOptions, Transcriber, recognition_hints

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import evalset  # the labelled set lives with the accuracy script that reports on it

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


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    d = np.arange(len(hyp) + 1)
    for i, r in enumerate(ref, 1):
        prev, d[0] = d.copy(), i
        for j, h in enumerate(hyp, 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (r != h))
    return int(d[len(hyp)])


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


def tail_gap(transcript) -> float:
    """Seconds of speech (by voice activity) after the last word heard: a lost tail shows here."""
    if not transcript.speech:
        return 0.0
    last_word = transcript.words[-1].end if transcript.words else 0.0
    return transcript.speech[-1][1] - last_word


@dataclass
class Heard:
    """One labelled answer as redrill heard it."""

    answer: evalset.Answer
    transcript: Transcript
    metrics: Metrics

    @property
    def text(self) -> str:
        return heard(self.transcript)

    def word_errors(self) -> tuple[int, int]:
        """(edits, words said), fillers left out on both sides."""
        truth = [w for w in self.answer.truth_words if w not in evalset.FILLERS]
        return edit_distance(truth, [w for w in words_of(self.text) if w not in evalset.FILLERS]), len(truth)


def hear_all(transcriber, answers, *, hints: bool = True) -> list[Heard]:
    """Each answer through redrill's whole-answer path (chunked, hinted as the product does), scored."""
    results = []
    for a in answers:
        question, points = evalset.QUESTIONS[a.question_id]
        used = transcriber.hinted(recognition_hints(question, points)) if hints else transcriber
        transcript = transcribe_answer(used, a.samples)
        metrics = score(transcript, target_seconds=(20, 90), talking_points=points, question_text=question)
        results.append(Heard(a, transcript, metrics))
    return results


def error_rate(results: list[Heard]) -> float:
    edits, said = map(sum, zip(*(r.word_errors() for r in results)))
    return edits / said


def with_fillers(answers):
    return [a for a in answers if a.truth_fillers]


@pytest.fixture(scope="module")
def tiny(real_tiny_dir) -> Transcriber:
    return Transcriber(str(real_tiny_dir)).load()


# The slice of the labelled set the tests hear (the whole set is scripts/accuracy.py's: it takes
# minutes per model, more than a test suite may spend): every voice, long silences, fillers,
# restarts, talking points said and not said.
SLICE = {
    "a00-en-us",
    "a01-en-gb-x-rp+f2",
    "a02-en-us+m7",
    "a02-en-gb",
    "a04-en-us+f3",
    "a06-en-gb+m3",
    "a09-en-us",
    "a12-en-gb+m3",
    "h01-en-029+f4",
    "h03-en-gb-scotland+m2",
}


@pytest.fixture(scope="session")
def labelled(tmp_path_factory) -> dict:
    """The slice of the labelled set, as rendered (``wav``) and as read back from Ogg/Opus copies (``opus``)."""
    folder = tmp_path_factory.mktemp("labelled")
    wav = evalset.build(folder / "audio", keys=SLICE)
    assert {a.key for a in wav} == SLICE, "the labelled set no longer has every answer of SLICE"
    opus = copy.deepcopy(wav)
    evalset.opus_round_trip(opus, folder / "opus")
    assert len({a.voice for a in wav}) == 8
    return {"wav": wav, "opus": opus}


@pytest.fixture(scope="module")
def tiny_heard(tiny, labelled) -> dict:
    return {kind: hear_all(tiny, answers) for kind, answers in labelled.items()}


@pytest.mark.parametrize("kind", ["opus", "wav"])
def test_the_words_of_the_labelled_set_are_recognised(tiny_heard, kind):
    results = tiny_heard[kind]
    overall = error_rate(results)
    by_voice = {v: error_rate([r for r in results if r.answer.voice == v]) for v in {r.answer.voice for r in results}}
    shown = "\n".join(f"{r.answer.key}: {r.text}" for r in results)
    # measured: 12-16 % overall, 8-32 % per voice (docs/accuracy.md)
    assert overall <= 0.22, f"word error rate {overall:.0%}\n{shown}"
    assert max(by_voice.values()) <= 0.45, f"{by_voice}\n{shown}"
    # talking points said are recognised as covered (measured 88-91 %)
    points = [
        evalset.QUESTIONS[r.answer.question_id][1][i] in r.metrics.talking_points.covered
        for r in results
        for i in r.answer.points_said
    ]
    assert sum(points) >= 0.75 * len(points), f"talking points said and recognised: {sum(points)} of {len(points)}"


@pytest.mark.parametrize("kind", ["opus", "wav"])
def test_no_phrase_is_hallucinated_in_the_labelled_set(tiny_heard, kind):
    for r in tiny_heard[kind]:
        for phrase in HALLUCINATIONS:
            assert phrase not in r.text.lower(), f"{r.answer.key} ({kind}): hallucinated {phrase!r}: {r.text}"


CLEAR_OF_THRESHOLD_S = 2.3


@pytest.mark.parametrize("kind", ["opus", "wav"])
def test_long_pauses_are_found_only_where_the_audio_is_silent(tiny_heard, kind):
    found = real = truth = matched = 0
    length_errors = []
    for r in tiny_heard[kind]:
        silences = r.answer.silences
        for pause in r.metrics.long_pauses or ():
            found += 1
            inside = [s for s in silences if s[0] - 0.3 <= pause.at_s and pause.at_s + pause.length_s <= s[1] + 0.3]
            assert inside, f"{r.answer.key}: a {pause.length_s:.1f} s pause at {pause.at_s:.1f} s where there is speech"
            real += 1
        for start, end in r.answer.long_silences:
            hit = [p for p in r.metrics.long_pauses or () if abs(p.at_s - start) <= 0.6]
            if hit:
                length_errors.append(abs(hit[0].length_s - (end - start)))
            # A 2.0-2.2 s silence sits at the 2 s threshold: measured 0.1 s short (the word edges
            # and the voice-activity edges both reach into it) it is rightly not reported. Longer
            # ones must be.
            if end - start >= CLEAR_OF_THRESHOLD_S:
                truth += 1
                matched += bool(hit)
    # measured: every pause reported is real; every silence clear of the threshold found
    assert truth >= 4 and matched == truth, f"found {matched} of {truth} long silences of 2.3 s or more"
    assert np.mean(length_errors) <= 0.15, length_errors


def test_no_tail_words_are_lost(tiny_heard):
    for kind, results in tiny_heard.items():
        for r in results:
            # the last word heard reaches the end of the speech the voice-activity detector hears
            assert tail_gap(r.transcript) <= 1.0, f"{r.answer.key} ({kind}): speech after the last word: {r.text}"
        last_parts = [re.sub(r"\{\w+\}", "", r.answer.parts[-1]) for r in results]  # fillers left out
        said = [w for part in last_parts for w in content(part)]
        got = sum(
            stem(w) in {stem(h) for h in words_of(r.text)}
            for r, part in zip(results, last_parts)
            for w in content(part)
        )
        assert got >= 0.75 * len(said), f"{kind}: {got} of {len(said)} content words of the last sentences heard"


def test_the_filler_prompt_keeps_fillers_that_plain_decoding_drops(tiny, labelled, tiny_heard):
    answers = with_fillers(labelled["wav"])
    said = sum(a.truth_fillers for a in answers)
    plain = Transcriber(tiny.model_spec, options=DecodeOptions().with_changes(initial_prompt=None)).load()

    def found(results):
        counts = [(r.answer.truth_fillers, r.metrics.filled_pause_count) for r in results]
        return sum(min(c) for c in counts) / said, sum(f for _, f in counts), counts

    with_prompt, found_with, counts = found([r for r in tiny_heard["wav"] if r.answer.truth_fillers])
    without, _, counts_without = found(hear_all(plain, answers))  # the same but the prompt
    # measured on tiny.en: 78 % of the fillers said are counted with the prompt, about 20 % without it
    assert with_prompt >= 0.6, counts
    assert with_prompt >= without + 0.3, (counts, counts_without)
    assert sum(min(c) for c in counts) >= 0.9 * found_with, f"fillers counted that were not said: {counts}"
    # and from the stored Opus copies (measured 78 %)
    assert found([r for r in tiny_heard["opus"] if r.answer.truth_fillers])[0] >= 0.6


# The prompt before repeated words were put in it (see FILLER_PROMPT).
PROMPT_WITHOUT_REPEATS = "Umm, let me think, uh... so, like, I mean, hmm."


def test_the_prompt_s_repeated_words_keep_restarts_the_recognizer_tidies_away(tiny, labelled, tiny_heard):
    def written(r: Heard) -> tuple[int, int]:
        """(restarts said, restarts the words show): what the audio search adds is left out."""
        return r.answer.truth_restarts, r.metrics.restarts - r.metrics.audio_restarts

    older = Transcriber(tiny.model_spec, options=DecodeOptions().with_changes(initial_prompt=PROMPT_WITHOUT_REPEATS))
    older.load()
    now, before = [], []
    for kind, answers in labelled.items():  # the WAV and the Opus copies
        answers = [a for a in answers if a.truth_restarts]
        now += [written(r) for r in tiny_heard[kind] if r.answer.truth_restarts]
        before += [written(r) for r in hear_all(older, answers)]
    said = sum(s for s, _ in now)
    found_now, found_before = (sum(min(c) for c in counts) for counts in (now, before))
    # measured on tiny.en: 16 of the 36 restarts said are written with the repeats in the prompt, 12 without
    assert said >= 16 and found_now >= found_before + 2, (said, now, before)
    assert found_now >= 0.9 * sum(f for _, f in now), f"restarts counted that were not said: {now}"


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


def test_the_same_recording_gives_the_same_words_whatever_was_transcribed_before_it(real_tiny_dir, tmp_path):
    """tiny.en garbles this answer in en-029+zac until a window looks like a loop, and decodes that
    window again by sampling. The samples must not depend on what the process decoded before: a
    rescore, or the next answer of a drill, must not change an answer's words."""
    answer = evalset.build(tmp_path / "audio", keys={"z06-en-029+zac"})[0]
    question, points = evalset.QUESTIONS[answer.question_id]
    hints = recognition_hints(question, points)

    fresh = Transcriber(str(real_tiny_dir)).load()
    alone = transcribe_answer(fresh.hinted(hints), answer.samples).words
    assert fresh.sampled_decodings > 0, "this answer no longer makes tiny.en fall back: pick another one"

    used = Transcriber(str(real_tiny_dir)).load()
    transcribe_answer(used, answer.samples)  # without hints: other windows, other samples drawn
    sampled_before = used.sampled_decodings
    after = transcribe_answer(used.hinted(hints), answer.samples).words
    assert sampled_before > 0 and used.sampled_decodings > sampled_before
    assert [w.text for w in after] == [w.text for w in alone]
    assert after == alone


def stored_answer_heard(real_tiny_dir, tmp_path, key: str):
    """A fresh tiny.en, one labelled answer and the model's transcript of its stored Opus copy,
    heard with its question's recognition hints as redrill hears an answer."""
    answer = evalset.build(tmp_path / "audio", keys={key})[0]
    evalset.opus_round_trip([answer], tmp_path / "opus")
    question, points = evalset.QUESTIONS[answer.question_id]
    model = Transcriber(str(real_tiny_dir)).load()
    return model, answer, transcribe_answer(model.hinted(recognition_hints(question, points)), answer.samples)


def test_a_sentence_the_recognizer_jumped_over_is_decoded_again(real_tiny_dir, tmp_path):
    """With this question's hints tiny.en leaves out the answer's first sentence ("My lead and I
    disagreed about whether to rewrite the billing service or fix it in place.") and stretches "I
    listened to" over it; that stretch is decoded again on its own and its words come back, in
    time order, before the second sentence."""
    model, _answer, transcript = stored_answer_heard(real_tiny_dir, tmp_path, "k04-en-us+Andrea")
    text = heard(transcript).lower()
    assert model.mended_stretches == 1, text
    first = {stem(w) for w in words_of(text)}
    assert {stem(w) for w in ("lead", "service", "fix", "place")} <= first, text
    times = [(w.start, w.end) for w in transcript.words if w.start is not None and w.end is not None]
    assert len(times) == len(transcript.words)
    starts = [start for start, _ in times]
    assert starts == sorted(starts)
    place = next(k for k, w in enumerate(transcript.words) if stem(w.text.strip(".,").lower()) == stem("place"))
    why = next(k for k, w in enumerate(transcript.words) if w.text.lower() == "why")
    assert times[place][1] < times[why][0]
    # No word is left stretched over speech it does not account for.
    assert max(end - start for start, end in times) < 1.0


def test_a_first_sentence_the_recognizer_left_unheld_is_decoded_again(real_tiny_dir, tmp_path):
    """With this question's hints tiny.en begins this answer at its second sentence ("so I listened
    for a reason first ..."), its first word timed 7.85 s into the answer and the first sentence ("A
    designer and I disagreed about whether to ship the new signup form before the user tests were
    done.") held by no word at all; decoded again on its own, that stretch gives its words back."""
    model, answer, transcript = stored_answer_heard(real_tiny_dir, tmp_path, "m04-en-gb-x-gbcwmd+Lee")
    text = heard(transcript).lower()
    assert model.mended_stretches <= 1, text
    timed = [(w.text, w.start, w.end) for w in transcript.words if w.start is not None and w.end is not None]
    assert len(timed) == len(transcript.words) and timed, text
    first_said = answer.silences[0][0]  # the first sentence ends where the first silence begins
    assert timed[0][1] < 1.5, text  # the answer's speech starts at 0.5 s
    before = [word for word, _start, end in timed if end <= first_said + 0.3]
    assert len(before) >= 8, text
    said_first = {stem(w) for w in words_of(" ".join(before).lower())}
    assert len({stem(w) for w in ("whether", "ship", "before", "tests", "done")} & said_first) >= 3, text
    starts = [start for _word, start, _end in timed]
    assert starts == sorted(starts)


def test_whole_answers_lose_no_tail_words_and_invent_no_phrases(tiny, tmp_path):
    """Answers with pauses of known length and silence after the last word."""
    parts = [speak(text, tmp_path, voice=voice, rate=rate) for voice, rate, text in ANSWERS]
    last = content(ANSWERS[-1][2])
    got = 0
    for gaps, tail in (([0.8, 1.5, 3.0], 2.0), ([2.2, 0.6, 1.0], 0.3), ([4.0, 1.2, 0.7], 3.0)):
        samples, _ = join_with_silences(parts, gaps, tail=tail)
        transcript = transcribe_answer(tiny, samples)
        result = heard(transcript).lower()
        for phrase in HALLUCINATIONS:
            assert phrase not in result, f"hallucinated {phrase!r} (gaps {gaps}, tail {tail} s): {result}"
        assert tail_gap(transcript) <= 1.0, f"speech after the last word (gaps {gaps}, tail {tail} s): {result}"
        got += sum(stem(w) in {stem(h) for h in words_of(result)} for w in last)
    assert got >= 0.75 * 3 * len(last), f"{got} of {3 * len(last)} content words of the last sentence heard"


def test_a_long_pause_is_found_where_it_is(tiny, tmp_path):
    parts = [speak(text, tmp_path, voice=voice, rate=rate) for voice, rate, text in ANSWERS[:3]]
    samples, silences = join_with_silences(parts, [0.7, 3.0])
    metrics = score(transcribe_answer(tiny, samples), target_seconds=(20, 60))
    assert metrics.long_pauses is not None and len(metrics.long_pauses) == 1, metrics.long_pauses
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
    samples, silences = join_with_silences(parts, [2.5], tail=1.0)
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
    assert first.transcript is not None and later.transcript is not None and later.metrics is not None
    a, b = Transcript.from_json(first.transcript), Transcript.from_json(later.transcript)
    store.close()
    assert a.words == b.words and a.speech == b.speech
    truth = words_of(ANSWERS[0][2] + " " + ANSWERS[1][2])
    assert edit_distance(truth, words_of(heard(b))) <= 0.3 * len(truth), heard(b)
    assert tail_gap(b) <= 1.0, f"speech after the last word: {heard(b)}"
    # the one long pause is the inserted silence, the same in both
    pauses = later.metrics.to_dict()["long_pauses"]
    assert pauses == direct["metrics"]["long_pauses"] and len(pauses) == 1
    assert pauses[0]["at_s"] == pytest.approx(silences[0][0], abs=0.5)


@pytest.fixture(scope="module")
def base(real_base_dir) -> Transcriber:
    return Transcriber(str(real_base_dir)).load()


@pytest.mark.slow
def test_base_hears_the_labelled_set_and_keeps_um_without_the_prompt(base, labelled):
    answers = with_fillers(labelled["wav"])
    plain = Transcriber(base.model_spec, options=DecodeOptions().with_changes(initial_prompt=None)).load()
    results = hear_all(plain, answers, hints=False)
    said = sum(a.truth_fillers for a in answers)
    counts = [(r.answer.truth_fillers, r.metrics.filled_pause_count) for r in results]
    shown = "\n".join(f"{r.answer.key}: {r.text}" for r in results)
    assert error_rate(results) <= 0.25, shown
    assert sum(min(c) for c in counts) >= 0.5 * said, f"{counts}\n{shown}"


@pytest.mark.slow
def test_base_in_the_product_path_on_the_stored_opus_copies(base, labelled):
    results = hear_all(base, labelled["opus"])
    shown = "\n".join(f"{r.answer.key}: {r.text}" for r in results)
    assert error_rate(results) <= 0.22, shown
    for r in results:
        for phrase in HALLUCINATIONS:
            assert phrase not in r.text.lower(), f"{r.answer.key}: hallucinated {phrase!r}: {r.text}"
        assert tail_gap(r.transcript) <= 1.0, f"{r.answer.key}: speech after the last word: {r.text}"
        for pause in r.metrics.long_pauses or ():
            assert any(
                s[0] - 0.3 <= pause.at_s and pause.at_s + pause.length_s <= s[1] + 0.3 for s in r.answer.silences
            )
    found = sum(min(r.answer.truth_fillers, r.metrics.filled_pause_count) for r in results)
    assert found >= 0.75 * sum(r.answer.truth_fillers for r in results), "filled pauses: measured 90 % found"
