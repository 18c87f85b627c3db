"""How right redrill is on spoken answers with known truth, on real Whisper weights.

    .venv/bin/python scripts/accuracy.py                          # every section; tiny.en, and base when installed
    .venv/bin/python scripts/accuracy.py --models tiny.en
    .venv/bin/python scripts/accuracy.py --sections disfluency    # one section
    .venv/bin/python scripts/accuracy.py --only points            # talking points only (no model, a second)
    .venv/bin/python scripts/accuracy.py --only voice             # the voice figures only (about 25 minutes)

Builds the labelled set of ``scripts/evalset.py`` (espeak-ng voices, rates and pitches, exact
silences, fillers, restarts, talking points said and not said, an improving series, held-out voices
and texts) and transcribes every answer once per model (with and without recognition hints), as
redrill's own whole-answer path does, from the Ogg/Opus copy redrill would store (``--audio wav``:
the rendered WAV, as the live drill hears it). Then each **section** prints its tables from the same
transcripts.

Sections are modules in ``scripts/accuracy_sections/``, found by their file name: each has a
``TITLE``, an ``ORDER`` (sections print in this order) and ``run(ctx)``, which reads the shared
:class:`Context` (answers, models, cached transcripts) and prints Markdown. To add a section, add a
module there; nothing here changes.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


@dataclass
class Heard:
    """One answer as redrill heard it: the transcript (with what the audio adds attached) and how
    long each step took, measured back to back on the same answer."""

    answer: object  # evalset.Answer
    transcript: object  # redrill.transcript.Transcript, audio_disfluencies attached
    transcribe_s: float
    detect_s: float


class Context:
    """What every section shares: the labelled answers, the models, and transcripts made once."""

    def __init__(self, args, answers, models: list[str]):
        self.args = args
        self.answers = answers
        self.models = models
        self.cache: Path = args.cache
        self.verbose: bool = args.verbose
        self._folders: dict[str, Path] = {}
        self._transcribers: dict[str, object] = {}
        self._heard: dict[tuple[str, bool], list[Heard]] = {}

    @property
    def voices(self) -> list[str]:
        return sorted({a.voice for a in self.answers})

    def folder(self, model: str) -> Path:
        """The verified folder of a bundled model."""
        if model not in self._folders:
            from redrill.paths import Paths
            from redrill.transcription import bundled

            folder = bundled.locate(bundled.by_name(model), Paths(self.cache / "home"))
            if folder is None:
                raise SystemExit(f"the {model} weights are not installed: run ./setup.sh test")
            self._folders[model] = folder
        return self._folders[model]

    def heard(self, model: str, hints: bool = True) -> list[Heard]:
        """Every answer transcribed as redrill does (chunked at pauses, with or without the
        question's recognition hints), then searched for what the audio adds; cached per run."""
        key = (model, hints)
        if key not in self._heard:
            from evalset import QUESTIONS
            from redrill.pipeline import Searched
            from redrill.transcription.streaming import transcribe_answer
            from redrill.transcription.whisper import Transcriber, recognition_hints

            if model not in self._transcribers:
                self._transcribers[model] = Transcriber(str(self.folder(model))).load()
            transcriber = self._transcribers[model]
            rows = []
            for a in self.answers:
                question, points = QUESTIONS[a.question_id]
                used = Timed(transcriber.hinted(recognition_hints(question, points)) if hints else transcriber)
                # Each piece searched, as redrill does; one piece after another (the outer Timed
                # hides Searched's two halves, which redrill runs side by side), so the search's
                # own time is what is left of each piece's time after recognising it.
                searched = Timed(Searched(used))
                transcript = transcribe_answer(searched, a.samples)
                rows.append(Heard(a, transcript, used.seconds, searched.seconds - used.seconds))
            self._heard[key] = rows
        return self._heard[key]


class Timed:
    """A recognizer that adds up the time spent recognising (the rest of a piece's time is the
    audio search)."""

    def __init__(self, inner):
        self.inner = inner
        self.seconds = 0.0

    @property
    def model_name(self):
        return self.inner.model_name

    def transcribe(self, samples, *, offset_s: float = 0.0):
        return self._timed(self.inner.transcribe, samples, offset_s)

    def transcribe_with_judge(self, samples, *, offset_s: float = 0.0):
        """The words and the recognizer's judge of repeats (the judge's own time counts as the
        audio search's, where it is spent)."""
        return self._timed(self.inner.transcribe_with_judge, samples, offset_s)

    def _timed(self, recognise, samples, offset_s: float):
        started = time.perf_counter()
        try:
            return recognise(samples, offset_s=offset_s)
        finally:
            self.seconds += time.perf_counter() - started


def sections() -> list:
    """The section modules in ``accuracy_sections/``, in their ORDER."""
    found = []
    for path in sorted((HERE / "accuracy_sections").glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = importlib.import_module(f"accuracy_sections.{path.stem}")
        if hasattr(module, "run"):
            found.append(module)
    return sorted(found, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="comma-separated: tiny.en,base (default: tiny.en, and base when installed)")
    parser.add_argument("--sections", help="comma-separated section names (default: all); --list-sections names them")
    parser.add_argument("--list-sections", action="store_true", help="name the sections and stop")
    parser.add_argument("--only", choices=["points", "voice"], help="the same as --sections points or --sections voice")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "redrill-accuracy", help="folder for rendered audio"
    )
    parser.add_argument(
        "--peer-cache",
        type=Path,
        help="folder for the peers' virtual environments (default: the user cache folder, e.g. ~/.cache/redrill/accuracy)",
    )
    parser.add_argument(
        "--audio",
        choices=["opus", "wav"],
        default="opus",
        help="transcribe each answer as redrill stores it, an Ogg/Opus copy at 24 kbit/s (default), or the WAV",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print every transcript, and the fillers and restarts counted false or missed in it",
    )
    args = parser.parse_args()

    found = sections()
    names = {m.__name__.rsplit(".", 1)[-1]: m for m in found}
    if args.list_sections:
        for name, module in names.items():
            print(f"{name}: {getattr(module, 'TITLE', '')}")
        return
    chosen = found
    if args.only:
        args.sections = args.only
    if args.sections:
        wanted = [s.strip() for s in args.sections.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in names]
        if unknown:
            raise SystemExit(f"unknown section(s) {', '.join(unknown)}; the sections are: {', '.join(names)}")
        chosen = [names[s] for s in wanted]

    # Sections that need no speech (NEEDS_SPEECH = False) run without rendering the labelled set.
    if not any(getattr(m, "NEEDS_SPEECH", True) for m in chosen):
        for module in chosen:
            print(f"\n## {getattr(module, 'TITLE', module.__name__)}")
            module.run(None)
        return

    import evalset
    from redrill.transcription import bundled

    answers = evalset.build(args.cache / "audio")
    if args.audio == "opus":
        evalset.opus_round_trip(answers, args.cache / "opus")
    models = (
        args.models.split(",")
        if args.models
        else [m.name for m in (bundled.TINY_EN, bundled.BASE) if bundled.installed(m)]
    )
    ctx = Context(args, answers, models)
    held = sum(a.heldout for a in answers)
    print(
        f"{len(answers)} labelled answers ({held} held out), voices {', '.join(ctx.voices)}; "
        f"rates {min(a.rate for a in answers)}-{max(a.rate for a in answers)} wpm, "
        f"pitches {min(a.pitch for a in answers)}-{max(a.pitch for a in answers)}; "
        + (
            "transcribed from Ogg/Opus copies (24 kbit/s), as redrill stores answers"
            if args.audio == "opus"
            else "transcribed from the WAV"
        )
    )
    for module in chosen:
        print(f"\n## {getattr(module, 'TITLE', module.__name__)}")
        module.run(ctx)


if __name__ == "__main__":
    main()
