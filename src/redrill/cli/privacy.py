"""``redrill forget``: delete recordings, transcripts and metrics for good."""

from __future__ import annotations

import click

from redrill.cli.app import App, is_interactive, pass_app
from redrill.cli.render import plural


@click.command("forget")
@click.argument("attempt_ids", nargs=-1, type=int)
@click.option("--question", "question_id", help="Forget every attempt at this question (and its drill state).")
@click.option("--all", "everything", is_flag=True, help="Forget everything: all attempts, recordings and debriefs.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def forget(app: App, attempt_ids: tuple[int, ...], question_id: str | None, everything: bool, yes: bool) -> None:
    """Delete ATTEMPT ids, --question ID, or --all: audio, transcripts and metrics, then compact the database."""
    from redrill import forget as core

    chosen = sum(bool(x) for x in (attempt_ids, question_id, everything))
    if chosen != 1:
        raise click.UsageError("give attempt ids, --question ID, or --all (exactly one of them)")
    store, paths = app.store, app.paths
    # A forget that was killed half way is finished first: the user confirmed it back then.
    resumed, finished = core.finish_interrupted(store, paths)
    if resumed:
        click.echo(
            f"Finished {resumed} forget(s) that had been interrupted: removed {len(finished.deleted)} "
            "recording(s) and compacted the database."
        )
    if everything:
        what = "ALL your attempts, recordings and debriefs"
    elif question_id:
        n = len(store.attempts(question_id))
        if n == 0 and not core.has_question_data(store, question_id):
            if resumed:
                _report_kept(finished.kept)
                return
            raise click.ClickException(f"no attempts at '{question_id}'; `redrill history` lists what is stored")
        what = f"{plural(n, 'attempt')} at '{question_id}'" + ("" if n else " (its drill state)")
    else:
        known = []
        for attempt_id in attempt_ids:
            if resumed and not store.db.execute("SELECT 1 FROM attempts WHERE id = ?", (attempt_id,)).fetchone():
                continue  # forgotten by the forget just finished
            known.append(store.get_attempt(attempt_id))  # unknown ids are an error before anything is deleted
        if not known:
            _report_kept(finished.kept)
            return
        attempt_ids = tuple(a.id for a in known)
        what = "; ".join(describe_attempt(a) for a in known)
        what = f"attempt {what}" if len(known) == 1 else f"{len(known)} attempts: {what}"
    if not yes:
        if not is_interactive():
            raise click.UsageError("not a terminal: add --yes to confirm")
        click.confirm(f"Delete {what} for good?", abort=True)
    if everything:
        result = core.forget_everything(store, paths)
    elif question_id:
        result = core.forget_question(store, paths, question_id)
    else:
        result = core.forget_attempts(store, paths, list(attempt_ids))
    click.echo(
        f"Forgot {plural(result.attempts, 'attempt')} and {plural(result.recordings, 'recording')}"
        + (f" and {plural(result.interviews, 'debrief')}." if result.interviews else ".")
    )
    _report_kept(finished.kept + result.kept)


def _report_kept(kept) -> None:
    """Say which files were left in place, and why (redrill deletes only what it made)."""
    if not kept:
        return
    click.echo(
        f"warning: {plural(len(kept), 'file')} {'was' if len(kept) == 1 else 'were'} left in place, because redrill deletes only files it made:",
        err=True,
    )
    for path, why in kept[:20]:
        click.echo(f"  {path} ({why})", err=True)
    if len(kept) > 20:
        click.echo(f"  ... and {len(kept) - 20} more", err=True)
    click.echo("Delete them yourself if you do not want them.", err=True)


def describe_attempt(attempt) -> str:
    """``#7 (failure-story "Tell me about a time when ...", 20 Nov 2026 14:02)``: which answer it is."""
    text = " ".join(attempt.question_text.split())
    if len(text) > 50:
        text = text[:47].rstrip() + "..."
    when = attempt.created_at.astimezone()
    return f'#{attempt.id} ({attempt.question_id} "{text}", {when.day} {when:%b %Y %H:%M})'


COMMANDS = [forget]
