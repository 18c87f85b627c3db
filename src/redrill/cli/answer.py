"""``redrill answer``, ``redrill transcribe`` and ``redrill rescore``: score answers that are not
recorded live (a transcript file, typed text, an audio file), finish pending recordings, and
recompute stored metrics."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, TypeVar

import click

from redrill.cli.app import App, bank_option, console, esc, file_option, pass_app, print_json
from redrill.cli.render import plural

MODEL_HELP = (
    "Whisper model: a name (tiny.en, base, small.en, ...) or a CTranslate2 model folder. Default: $REDRILL_MODEL, "
    "else the config's model, else the best one installed (`redrill model list`)."
)


LONG_AUDIO_S = 45.0  # shorter recordings transcribe in a few seconds: no progress bar


if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn, TaskID

_Bar = TypeVar("_Bar", bound="_StderrBar")


class _StderrBar(ABC):
    """What the progress bars share: a transient bar on stderr with the time left, started on the first
    update of a run long enough to need one (a short run prints nothing) and stopped on exit.

    Use as a context manager; the object is the progress callback.
    """

    def __init__(self, label: str):
        self.label = label
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self: _Bar) -> _Bar:
        return self

    @abstractmethod
    def _count_column(self) -> ProgressColumn:
        """The rich column that says how far along the run is (from the task's fields)."""

    def _advance(self, total: float, completed: float, **fields) -> None:
        """Show ``completed`` of ``total``; ``fields`` feed the count column."""
        bar, task = self._bar, self._task
        if bar is None or task is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            from redrill.cli.app import err_console

            bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                self._count_column(),
                TextColumn("time left"),
                TimeRemainingColumn(),
                console=err_console(),
                transient=True,
            )
            bar.start()
            # A file name such as "take[2].wav" must not be read as markup by the progress column.
            task = bar.add_task(esc(self.label), total=total, **fields)
            self._bar, self._task = bar, task
        bar.update(task, completed=completed, **fields)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


class TranscriptionProgress(_StderrBar):
    """A progress bar with the time left, on stderr, for recordings longer than :data:`LONG_AUDIO_S`.

    Use as a context manager; the object is the ``progress(done_s, total_s)`` callback.
    """

    def __call__(self, done_s: float, total_s: float) -> None:
        if total_s >= LONG_AUDIO_S:
            self._advance(total_s, done_s, done=_clock(done_s), length=_clock(total_s))

    def _count_column(self) -> ProgressColumn:
        from rich.progress import TextColumn

        return TextColumn("{task.fields[done]} of {task.fields[length]}")


def _clock(seconds: float) -> str:
    """``119.6`` -> ``2:00``, ``7325`` -> ``2:02:05`` (rounded before it is split, never ``1:60``)."""
    from redrill.numbers import length_text

    return length_text(seconds, clock=True)


def model_option(func):
    """``--model NAME|DIR``."""
    return click.option("--model", "model", metavar="NAME|DIR", help=MODEL_HELP)(func)


def transcriber_for(app: App, model: str | None):
    """The process-wide transcriber for the chosen model (offline: fails fast when it is missing)."""
    from redrill.transcription.models import find_model
    from redrill.transcription.whisper import DecodeOptions, get_transcriber

    config = app.config
    model_dir = find_model(model or config.model, app.paths).path
    options = DecodeOptions().with_changes(beam_size=config.beam_size, max_new_tokens=config.max_tokens_per_window)
    return get_transcriber(
        str(model_dir),
        device=config.device,
        compute_type=config.compute_type,
        language=config.language,
        options=options,
    )


@click.command("answer")
@click.argument("question_id")
@file_option("--transcript", "transcript_file", help="A Whisper JSON transcript with word timestamps.")
@click.option("--text", "text", help="The answer as typed text (no timings: pace and pauses are not measured).")
@file_option("--text-file", help="A text file with the answer.")
@file_option("--audio", "audio_file", help="An audio file of the spoken answer (wav, mp3, m4a, ogg, webm, ...).")
@model_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@bank_option
@pass_app
def answer(app: App, question_id: str, transcript_file, text, text_file, audio_file, model, as_json) -> None:
    """Score one answer to QUESTION_ID, store it, and compare it with your earlier attempts.

    Give exactly one of --transcript, --text, --text-file or --audio. Audio is copied into your
    recordings (as Ogg/Opus) before it is transcribed, so it is kept even if transcription fails;
    `redrill transcribe --pending` finishes it later.
    """
    from redrill import pipeline
    from redrill.errors import RedrillError
    from redrill.transcript import load_transcript_file

    given = [
        n
        for n, v in (
            ("--transcript", transcript_file),
            ("--text", text),
            ("--text-file", text_file),
            ("--audio", audio_file),
        )
        if v is not None
    ]
    if len(given) != 1:
        raise click.UsageError(
            "give exactly one of --transcript, --text, --text-file or --audio"
            + (f" (got {', '.join(given)})" if given else "")
        )
    question = app.catalog.get(question_id)
    store = app.store
    attempts = pipeline.AttemptPipeline(store, app.config, paths=app.paths)
    if transcript_file is not None:
        report = attempts.score(question, load_transcript_file(transcript_file), source="transcript")
    elif text is not None or text_file is not None:
        if text_file is not None:
            from redrill.capped import read_capped

            raw = read_capped(text_file, pipeline.MAX_TEXT_BYTES, limit_note=pipeline.TEXT_LIMIT_NOTE)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RedrillError(f"cannot read {text_file}: not UTF-8 text ({exc.reason})") from None
        report = attempts.score_text(question, text)
    else:
        attempt_id, warnings = pipeline.import_audio_file(store, app.paths, app.config, question, audio_file)
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        try:
            transcriber = transcriber_for(app, model)
            with TranscriptionProgress(f"Transcribing {audio_file.name}") as progress:
                report = attempts.finish(app.catalog, attempt_id, transcriber, progress=progress)
        except RedrillError as err:
            if store.get_attempt(attempt_id).status != "scored" if _exists(store, attempt_id) else False:
                raise RedrillError(
                    f"{err}\nYour answer is saved as attempt #{attempt_id}; once that is fixed, run "
                    f"`redrill transcribe --pending` to finish it."
                ) from None
            raise
        report.warnings.extend(warnings)
    if as_json:
        print_json(report.to_json())
    else:
        from redrill.cli.render import print_report

        print_report(report)


def _exists(store, attempt_id: int) -> bool:
    return store.db.execute("SELECT 1 FROM attempts WHERE id = ?", (attempt_id,)).fetchone() is not None


@click.command("transcribe")
@click.option("--pending", is_flag=True, help="Finish every recorded answer that is not yet transcribed and scored.")
@click.argument("attempt_ids", nargs=-1, type=int)
@model_option
@bank_option
@pass_app
def transcribe(app: App, pending: bool, attempt_ids: tuple[int, ...], model) -> None:
    """Transcribe and score stored recordings: --pending for all unfinished ones, or ATTEMPT ids."""
    from redrill import pipeline
    from redrill.cli.render import summary_line
    from redrill.errors import NoSpeechError, RedrillError

    store = app.store
    if pending == bool(attempt_ids):
        raise click.UsageError("give --pending or one or more attempt ids")
    if pending:
        from redrill.orphans import adopt_orphans

        # Recordings saved while their row could not be written (a locked database): never lost.
        adopted = adopt_orphans(store, app.paths, app.catalog)
        if adopted:
            ids = ", ".join(f"#{i}" for i in adopted)
            click.echo(f"Added {len(adopted)} recording(s) that were not in the database yet, as attempt(s) {ids}.")
    todo = [a.id for a in store.pending_attempts()] if pending else list(attempt_ids)
    if not todo:
        click.echo("Nothing pending: every recorded answer is transcribed and scored.")
        return
    for attempt_id in todo:
        # Unknown ids and typed answers are the user's mistake: say so before loading a model.
        pipeline.audio_file_of(app.paths, store.get_attempt(attempt_id))
    transcriber = transcriber_for(app, model)
    attempts = pipeline.AttemptPipeline(store, app.config, paths=app.paths)
    out = console()
    failed = []
    for attempt_id in todo:
        try:
            with TranscriptionProgress(f"Transcribing #{attempt_id}") as progress:
                report = attempts.finish(app.catalog, attempt_id, transcriber, progress=progress)
        except NoSpeechError as err:
            out.print(f"#{attempt_id}: {err}; removed", markup=False)
            continue
        except RedrillError as err:
            # One damaged or missing recording must not keep the others from being finished.
            click.echo(f"#{attempt_id}: {err}", err=True)
            failed.append(attempt_id)
            continue
        out.print(f"#{attempt_id} {report.question.id}: {summary_line(report.metrics)}", markup=False)
    if failed:
        ids = ", ".join(f"#{i}" for i in failed)
        raise RedrillError(
            f"{len(failed)} of {plural(len(todo), 'recording')} could not be finished ({ids}; reasons above). They stay "
            "stored; `redrill forget ID` deletes one you do not want to keep."
        )


@click.command("rescore")
@bank_option
@pass_app
def rescore(app: App) -> None:
    """Recompute the metrics of every stored attempt from its stored transcript, and the voice
    figures from its recording."""
    from redrill import pipeline

    attempts = pipeline.AttemptPipeline(app.store, app.config, paths=app.paths)
    with CountProgress("Rescoring") as progress:
        result = attempts.rescore_all(app.catalog, progress=progress)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"Rescored {plural(result.rescored, 'attempt')}, {result.voiced} with voice figures from their recordings"
        + (f"; {result.skipped} without a transcript skipped." if result.skipped else ".")
    )


class CountProgress(_StderrBar):
    """A progress bar over a count of items (attempts), on stderr, for runs of at least 20 items."""

    def __call__(self, done: int, total: int) -> None:
        if total >= 20:
            self._advance(total, done)

    def _count_column(self) -> ProgressColumn:
        from rich.progress import MofNCompleteColumn

        return MofNCompleteColumn()


COMMANDS = [answer, transcribe, rescore]
