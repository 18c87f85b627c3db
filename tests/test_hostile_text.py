"""Text from banks, debriefs and answers is printed as written, never read as rich markup.

A bank's question ``Tell me about [your last project]`` must show its brackets, and a talking
point ``[/red]`` (a closing tag with nothing open) must not crash the command that prints it. Every
command that shows bank or user text runs here with such text in every field it prints.
"""

from __future__ import annotations

import pytest

# Each is valid rich markup or a rich markup error when printed unescaped.
QUESTION = "Tell me about [your last project] and what [/red] broke [bold]there"
FOLLOW_UP = "And then [what] happened [/i]?"
POINTS = ["[/red] rolled back [b]fast", "[your last project] shipped", "kept [link=https://x.test]notes[/link]"]
BANK = f"""\
name: "Hostile [/red] bank"
description: "[bold]loud[/bold] [/] and [italic]"
questions:
  - id: hostile-q
    text: "{QUESTION}"
    tags: ["[/red]", "[your-tag]"]
    talking_points: {POINTS!r}
    follow_ups: ["{FOLLOW_UP}"]
"""
COMPANY = "Acme [/red] Ltd"
ROLE = "[your role]"
WISH = "[/] said [my last project] sooner"
DEBRIEF = f"""\
interview: {{company: "{COMPANY}", role: "{ROLE}", stage: "[/bold]"}}
went_well: ["[/red] intro"]
questions:
  - id: hostile-q
    rating: bombed
    wish_i_said: ["{WISH}"]
"""
ANSWER = "I rolled back fast [/red] and [your last project] shipped, and I kept notes [bold]."


@pytest.fixture
def hostile(cli, tmp_path):
    """A bank and a debrief full of markup-like text, and one typed answer stored."""
    bank = tmp_path / "hostile.yaml"
    bank.write_text(BANK)
    debrief = tmp_path / "debrief.yaml"
    debrief.write_text(DEBRIEF)

    def run(*args, **kw):
        result = cli("--bank", bank, *args, env={"COLUMNS": "400"}, **kw)
        out = result.stdout + result.stderr
        assert "Traceback" not in out and "MarkupError" not in out, out
        assert result.exit_code == 0, out
        return result

    run("debrief", "--from", debrief)
    return run


def test_answer_report_shows_talking_points_as_written(hostile):
    out = hostile("answer", "hostile-q", "--text", ANSWER).stdout
    for point in POINTS:
        assert point in out, out
    assert "[your last project] shipped" in out


@pytest.mark.parametrize(
    "args, expected",
    [
        pytest.param(("show", "1"), [QUESTION, "[/red]", "[your last project]", "[bold]", *POINTS], id="show"),
        pytest.param(
            ("bank", "show", "hostile-q"),
            [QUESTION, *POINTS, "[/red]", "[your-tag]", "Hostile [/red] bank", FOLLOW_UP],
            id="bank show",
        ),
        pytest.param(("bank", "list"), [QUESTION, "Hostile [/red] bank"], id="bank list"),
        pytest.param(("queue",), [QUESTION], id="queue"),
        pytest.param(("history",), ["hostile-q"], id="history"),
        pytest.param(("progress",), ["hostile-q"], id="progress"),
        pytest.param(("interviews",), [COMPANY, ROLE, "[/bold]"], id="interviews"),
        pytest.param(("followup", "1"), [COMPANY, WISH], id="followup"),
        pytest.param(("show", "--best", "hostile-q"), [QUESTION], id="show --best"),
    ],
)
def test_every_command_prints_bank_and_user_text_literally(hostile, args, expected):
    hostile("answer", "hostile-q", "--text", ANSWER)
    out = hostile(*args).stdout
    for text in expected:
        assert text in out, f"{text!r} not shown as written by {' '.join(args)}:\n{out}"


def test_typed_drill_shows_the_question_and_report_literally(hostile):
    out = hostile("drill", "--text", "--question", "hostile-q", "--no-tts", input=ANSWER + "\n\n").stdout
    assert QUESTION in out, out
    assert POINTS[1] in out


def test_esc_keeps_text_literal_in_rich_markup():
    """The one helper every command passes user text through."""
    from io import StringIO

    from rich.console import Console

    from redrill.cli.app import esc

    text = "[/red] [your last project] [bold]"
    out = StringIO()
    Console(file=out, width=200).print(esc(text))
    assert out.getvalue().strip() == text
