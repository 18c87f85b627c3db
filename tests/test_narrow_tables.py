"""Listings at 80 columns and below: whole question ids (never cut or folded), question texts in
a readable width (not a 12-character column), nothing wider than the terminal; at a wide terminal
the tables themselves."""

from __future__ import annotations

import pytest

LONG_ID = "going-out-of-your-way-for-customer"  # one of the longest ids of the shipped banks


@pytest.fixture
def at_width(monkeypatch, cli):
    """``at_width(columns, *args)``: run a command with the terminal that wide."""
    from redrill.cli import app

    def run(columns: int, *args):
        monkeypatch.setenv("COLUMNS", str(columns))
        monkeypatch.setattr(app, "_console", None)  # a console for this width
        result = cli(*args)
        assert result.exit_code == 0, result.output
        return result.output

    return run


@pytest.fixture
def answered(cli):
    for qid, text in [
        (LONG_ID, "I stayed late to fix a customer's export, um, and wrote them a guide."),
        (LONG_ID, "I stayed late to fix a customer's export and wrote them a short guide."),
        ("failure-story", "A migration I planned failed on a Friday; I rolled it back and added a check."),
    ]:
        assert cli("answer", qid, "--text", text).exit_code == 0
    assert cli("flag", "conflict-with-colleague").exit_code == 0


def lines_of(output: str) -> list[str]:
    return [line.rstrip() for line in output.splitlines()]


def assert_fits(output: str, columns: int) -> None:
    too_wide = [line for line in lines_of(output) if len(line) > columns]
    assert not too_wide, too_wide


def whole_words(output: str) -> set[str]:
    return {word for line in lines_of(output) for word in line.split()}


@pytest.mark.parametrize("columns", [80, 60])
def test_bank_list_keeps_ids_whole_and_questions_readable(at_width, columns):
    import json

    output = at_width(columns, "bank", "list")
    assert_fits(output, columns)
    questions = json.loads(at_width(columns, "bank", "list", "--json"))
    words = whole_words(output)
    for q in questions:
        assert q["id"] in words, q["id"]
        assert q["text"][:30] in output, q["text"]  # a question column at least 30 wide
    banks = {q["bank"] for q in questions}
    assert f"{len(questions)} questions in {len(banks)} banks" in output and "Behavioral core" in output
    assert max(len(q["id"]) for q in questions) >= 34  # the premise: ids too long for a squeezed column


def test_bank_list_is_a_table_on_a_wide_terminal(at_width):
    output = at_width(160, "bank", "list")
    assert "┃ id" in output and "┃ question" in output
    assert LONG_ID in whole_words(output)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["progress", "history", "queue"])
@pytest.mark.parametrize("columns", [80, 60])
def test_tracking_listings_keep_ids_whole(at_width, answered, command, columns):
    output = at_width(columns, command)
    assert_fits(output, columns)
    words = whole_words(output)
    assert LONG_ID in words and "failure-story" in words
    if command == "queue":
        assert "conflict-with-colleague" in words


def test_progress_says_tries_in_the_singular_and_plural(at_width, answered):
    output = at_width(60, "progress")
    assert "2 tries" in output and "1 try" in output


@pytest.mark.slow
@pytest.mark.parametrize("command", ["progress", "history", "queue"])
def test_tracking_listings_are_tables_when_there_is_room(at_width, answered, command):
    output = at_width(140, command)
    header = {"progress": "tries", "history": "via", "queue": "why"}[command]
    assert header in output
    assert any(LONG_ID in line and len(line.split()) > 2 for line in lines_of(output)), output
