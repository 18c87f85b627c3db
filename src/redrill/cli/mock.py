"""``redrill mock`` (a whole practice interview, scored at the end) and ``redrill warmup`` (the
opener and the two weakest questions, five minutes before the real thing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from redrill.cli.app import App, bank_option, console, err_console, pass_app, print_json
from redrill.cli.drill import TerminalUI, build_session
from redrill.cli.practice import escape, follow_ups_option, print_scorecard, session_options

if TYPE_CHECKING:
    from redrill.banks import Question
    from redrill.pipeline import AttemptReport


class QuietUI(TerminalUI):
    """The terminal of a mock interview: everything as in a drill, except that answers get no
    report until the scorecard at the end."""

    def follow_up(self, question: Question, why: str = "") -> None:
        """The follow-up question, without the reason (that would be feedback)."""
        super().follow_up(question, "")

    def report(self, report: AttemptReport) -> None:
        """No feedback between questions: the answer is stored, the scorecard comes at the end."""
        self.out.print("[dim]Answer saved. Feedback comes at the end of the interview.[/dim]")


class ShortUI(QuietUI):
    """The terminal of a warm-up: one line of figures and one thing to keep in mind per answer."""

    def report(self, report: AttemptReport) -> None:
        """Short feedback: the key figures and the most useful note (and what went well)."""
        from redrill.cli.render import summary_line

        self.out.print(f"[bold]#{report.attempt_id}[/bold] {summary_line(report.metrics)}")
        notes = report.feedback.to_json()
        work = next((n for n in notes if not n.lower().startswith("went well")), None)
        good = next((n for n in notes if n.lower().startswith("went well")), None)
        if work:
            self.out.print(f"[yellow]•[/yellow] {escape(work)}")
        if good:
            self.out.print(f"[green]•[/green] {escape(good)}")


def _bank_questions(app: App, name: str):
    """The questions of the bank called ``name`` (its name or file name, any case)."""
    from pathlib import Path

    from redrill.errors import RedrillError

    wanted = name.casefold()
    for bank in app.catalog.banks:
        if wanted in (bank.name.casefold(), Path(bank.path).stem.casefold()):
            return list(bank.questions)
    names = ", ".join(Path(b.path).stem for b in app.catalog.banks)
    raise RedrillError(f"no bank called '{name}'; banks: {names} (`redrill bank list` shows their questions)")


def _weak_questions(app: App, catalog):
    """The weak list in drill order: due and flagged questions first, then the weakest practised."""
    import random

    from redrill.selection import rank

    ranked = rank(app.store, catalog, now=app.now(), rng=random.Random(0))
    return [c.question for c in ranked if c.group != "new"]


def pick_mock(app: App, *, prep_name, weak: bool, bank_name):
    """``(source, questions, catalog)`` of a mock interview (see ``redrill mock --help``)."""
    from redrill.coaching import session_catalog
    from redrill.errors import RedrillError
    from redrill.store import prep_sets

    chosen = sum(x is not None and x is not False for x in (prep_name, weak or None, bank_name))
    if chosen > 1:
        raise click.UsageError("choose one of --prep, --weak and --from-bank")
    catalog = session_catalog(app.catalog)
    if bank_name is not None:
        return f"bank:{bank_name}", _bank_questions(app, bank_name), catalog
    if weak:
        questions = _weak_questions(app, catalog)
        if not questions:
            raise RedrillError(
                "your weak list is empty: log an interview with `redrill debrief`, or use --prep or --from-bank"
            )
        return "weak", questions, catalog
    if prep_name is not None or prep_sets(app.store):
        from redrill.cli.practice import load_prep
        from redrill.prep import prep_questions

        prep, catalog = load_prep(app, prep_name)
        return f"prep:{prep.name}", prep_questions(catalog, prep), session_catalog(catalog)
    questions = _weak_questions(app, catalog)
    if questions:
        return "weak", questions, catalog
    raise RedrillError(
        "nothing to base a mock interview on yet: make a prep set from a job description (`redrill prep "
        "JOB.txt`), log an interview (`redrill debrief`), or pick a bank with --from-bank general"
    )


@click.command("mock")
@click.option("--prep", "prep_name", metavar="NAME", help="Questions from this prep set (default: your newest one).")
@click.option("--weak", is_flag=True, help="Questions from your weak list (flagged and weakest first).")
@click.option("--from-bank", "bank_name", metavar="BANK", help="Questions from this bank, e.g. behavioral.")
@click.option(
    "--count",
    type=click.IntRange(1, 12),
    default=5,
    show_default=True,
    help="How many questions the interview has.",
)
@follow_ups_option
@click.option("--json", "as_json", is_flag=True, help="Print the scorecard as JSON at the end.")
@session_options
@bank_option
@pass_app
def mock(app: App, prep_name, weak, bank_name, count, follow_ups, as_json, **options) -> None:
    """A mock interview: COUNT questions in a row, no feedback in between, one scorecard at the end.

    Questions come from a prep set (--prep, default your newest), your weak list (--weak) or a
    bank (--from-bank). Each answer is saved and scored like a drill answer, but you see nothing
    until the end: then a scorecard per answer and for the whole interview, compared with your
    earlier mock interviews. `redrill progress` and `redrill report` list your mock interviews.
    """
    from redrill.mock import answers_of, previous_scores, scorecard, source_label
    from redrill.store import add_mock, mocks

    source, questions, catalog = pick_mock(app, prep_name=prep_name, weak=weak, bank_name=bank_name)
    questions = questions[:count]
    use_follow_ups = app.config.follow_ups if follow_ups is None else follow_ups
    # With --json, standard output carries the scorecard only; the interview itself goes to stderr.
    out = err_console() if as_json else console()
    out.print(
        f"[bold]Mock interview[/bold]: {len(questions)} questions from the {escape(source_label(source))}. "
        "No feedback until the end: answer as you would in the interview"
        + (", and expect follow-up questions." if use_follow_ups else ".")
    )
    session, terminal = build_session(
        app, questions, catalog, ui_class=QuietUI, menu=False, follow_ups=use_follow_ups, **options
    )
    terminal.out = out
    try:
        result = session.run()
    finally:
        terminal.close()
    pending = {i: app.store.get_attempt(i).question_id for i in result.pending}
    answers = answers_of(questions, result, pending)
    if not any(a.attempt_id is not None for a in answers):
        out.print("\nNo answer was given, so no scorecard was saved.")
        return
    earlier = [m.scorecard for m in mocks(app.store)]
    card = scorecard(source, answers, previous_scores(earlier))
    data = card.to_json()
    data["stopped_early"] = result.interrupted or result.asked < len(questions)
    mock_id = add_mock(app.store, source=source, scorecard=data, created_at=app.now())
    if as_json:
        print_json({"mock_id": mock_id, **data})
        return
    print_scorecard(data, mock_id)
    if result.pending:
        out.print(
            "[yellow]Some answers are saved but not scored yet; `redrill transcribe --pending` scores them.[/yellow]"
        )


@click.command("warmup")
@click.option("--prep", "prep_name", metavar="NAME", help="Warm up on this prep set (default: your newest one).")
@session_options
@bank_option
@pass_app
def warmup(app: App, prep_name, **options) -> None:
    """Five minutes before an interview: the opener and your two weakest questions, short feedback.

    The opener ("tell me about yourself") sets the tone of an interview; the two weakest questions
    of the prep set (or of everything you practised, when you have no prep set) are the ones to say
    out loud once more. Each answer gets one line of figures and one thing to keep in mind.
    """
    from redrill.coaching import session_catalog
    from redrill.mock import warmup_picks
    from redrill.prep import opener
    from redrill.selection import recent_ramble_scores
    from redrill.store import prep_sets

    catalog = session_catalog(app.catalog)
    first = opener(app.catalog)
    if prep_name is not None or prep_sets(app.store):
        from redrill.cli.practice import load_prep
        from redrill.prep import prep_questions

        prep, view = load_prep(app, prep_name)
        catalog = session_catalog(view)
        pool = prep_questions(view, prep)
        where = f"prep set {prep.name}"
        opener_id = next((q.question_id for q in prep.questions if q.opener), first.id if first else None)
    else:
        scores = recent_ramble_scores(app.store)
        pool = [catalog.questions[q] for q in scores if q in catalog.questions]
        where = "questions you practised"
        opener_id = first.id if first else None
    ids = warmup_picks([q.id for q in pool], recent_ramble_scores(app.store), opener_id=opener_id)
    by_id = {q.id: q for q in pool}
    questions = [by_id.get(q) or catalog.get(q) for q in ids]
    out = console()
    out.print(
        f"[bold]Warm-up[/bold]: the opener and the {len(questions) - 1} weakest of your {escape(where)}. "
        "Short feedback only. Breathe, and take your time."
    )
    session, terminal = build_session(
        app, questions, catalog, ui_class=ShortUI, menu=False, follow_ups=False, **options
    )
    try:
        result = session.run()
    finally:
        terminal.close()
    done = len(result.reports)
    out.print(f"\n[bold]Warm-up done[/bold]: {done} of {len(questions)} answered. Good luck in the interview!")


COMMANDS = [mock, warmup]
