"""The follow-up note: brief, thankful, adds the wish-I-said points, never lists mistakes."""

from __future__ import annotations

import re
import stat
from datetime import datetime, timezone

import pytest

from redrill.followup import MAX_WORDS, draft_followup, join_naturally, pick_addition
from redrill.store import Flag, Interview

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
BANNED = re.compile(r"\b(sorry|apologi[sz]e|mistakes?|regret|unfortunately|failed|bombed|shaky)\b", re.IGNORECASE)

DEBRIEF = """\
interview: {company: Acme, role: Backend engineer, date: 2026-11-20, stage: onsite}
went_well: [clear intro]
questions:
  - id: why-this-company
    rating: shaky
    wish_i_said: [your payments platform]
  - id: failure-story
    rating: bombed
    wish_i_said: [rolled back within an hour, added a reconciliation test]
  - id: greatest-strength
    rating: nailed
"""


def interview(company="Acme", role="Backend engineer"):
    return Interview(1, company, role, "2026-11-20", "onsite", ["clear intro"], [], NOW)


def flag(fid, rating, points, text="How would you design a rate limiter?"):
    return Flag(fid, 1, f"q{fid}", text, rating, list(points), "", NOW)


def words(text):
    return len(text.split())


def test_join_naturally():
    assert join_naturally([]) == ""
    assert join_naturally(["a."]) == "a"
    assert join_naturally(["a", "b"]) == "a and b"
    assert join_naturally(["a", "b", "c"]) == "a, b and c"


def test_weakest_question_with_points_is_chosen():
    flags = [
        flag(1, "shaky", ["x"], "Shaky one?"),
        flag(2, "bombed", [], "Bombed, no points?"),
        flag(3, "bombed", ["y"], "Bombed one?"),
    ]
    assert pick_addition(flags) == ("Bombed one?", ["y"])
    assert pick_addition([flag(1, "nailed", [])]) is None


def test_note_adds_points_naturally_and_stays_brief():
    note = draft_followup(
        interview(), [flag(1, "bombed", ["rolled back within an hour", "added a reconciliation test"])]
    )
    assert note.startswith("Hello,\n")
    assert "Thank you for taking the time to talk with me about the Backend engineer role at Acme." in note
    assert (
        'In addition to my answer on "How would you design a rate limiter", I\'d like to add that I rolled back '
        "within an hour and added a reconciliation test." in note
    )
    assert note.rstrip().endswith("Best regards,")
    assert words(note) < MAX_WORDS
    assert not BANNED.search(note)


def test_points_that_are_not_verbs_and_pronoun_points():
    note = draft_followup(interview(), [flag(1, "shaky", ["the reconciliation job", "a canary release"])])
    assert "I'd like to add: the reconciliation job and a canary release." in note
    note = draft_followup(interview(), [flag(1, "shaky", ["I kept the customer informed"])])
    assert "I'd like to add that I kept the customer informed." in note


def test_long_points_are_trimmed_to_stay_under_the_limit():
    many = [f"point number {i} about the migration plan and its rollout" for i in range(12)]
    note = draft_followup(interview(), [flag(1, "bombed", many)])
    assert words(note) < MAX_WORDS
    assert "point number 0" in note and "point number 11" not in note
    huge = draft_followup(interview(), [flag(1, "bombed", [" ".join(["word"] * 300)])])
    assert words(huge) < MAX_WORDS


def test_note_without_points_or_company():
    note = draft_followup(interview(company="", role=""), [flag(1, "bombed", [])])
    assert "about the role." in note
    assert "In addition" not in note
    assert words(note) < MAX_WORDS
    signed = draft_followup(interview(), [], sender="Sam Lee")
    assert signed.rstrip().endswith("Best regards,\nSam Lee")


def test_followup_command_writes_private_file_and_prints(cli, tmp_path, redrill_home, monkeypatch):
    monkeypatch.setattr("redrill.cli.app.App.now", lambda self: NOW)
    path = tmp_path / "debrief.yaml"
    path.write_text(DEBRIEF, encoding="utf-8")
    assert cli("debrief", "--from", path).exit_code == 0
    result = cli("followup", "1")
    assert result.exit_code == 0, result.output
    out_file = redrill_home / "exports" / "followup-1.txt"
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    note = out_file.read_text(encoding="utf-8")
    assert result.stdout.strip() == note.strip()
    # the bombed question wins over the shaky one
    assert "rolled back within an hour and added a reconciliation test" in note
    assert "your payments platform" not in note
    assert "Acme" in note and "Backend engineer" in note
    assert not BANNED.search(note)
    assert words(note) < MAX_WORDS
    assert "Edit it before you send it" in result.stderr

    custom = tmp_path / "note.txt"
    assert cli("followup", "1", "--out", custom, "--name", "Sam").exit_code == 0
    assert custom.read_text(encoding="utf-8").rstrip().endswith("Sam")
    assert stat.S_IMODE(custom.stat().st_mode) == 0o600


def test_followup_unknown_interview(cli):
    result = cli("followup", "9")
    assert result.exit_code == 1
    assert result.stderr == "Error: no interview #9; run `redrill interviews` to list them\n"


@pytest.mark.parametrize("rating", ["bombed", "shaky", "ok"])
@pytest.mark.parametrize(
    "question",
    [
        "Tell me about a mistake you made.",
        "Tell me about a time you failed?",
        "What is your greatest weakness?",
        "Why us?",
    ],
)
def test_no_banned_words_whatever_the_question(rating, question):
    note = draft_followup(interview(), [flag(1, rating, ["shipped the fix the same day"], question)])
    assert not BANNED.search(note)
    assert "shipped the fix the same day" in note


# Wordings of questions about failure; none may be quoted back in a note.
FAILURE_QUESTIONS = [
    "Tell me about a time when something you were responsible for did not work out.",
    "Tell me about a project that didn't work out.",
    "Describe a time a launch went badly.",
    "What is your biggest failure?",
    "Tell me about a time you failed.",
    "Tell me about a mistake you made.",
    "When were you wrong about something important?",
    "What decision do you regret most?",
    "What is your greatest weakness?",
    "Tell me about a time you got criticism.",
    "Tell me about a goal you missed.",
    "Tell me about a time you fell short of a target.",
    "Tell me about a time you let your team down.",
    "Describe a time a plan backfired.",
    "Tell me about a time things went sideways.",
    "Tell me about a time you dropped the ball.",
    "Tell me about a time you messed up.",
    "Why were you let go?",
    "Tell me about a complaint you could not resolve.",
    "Tell me about an outage you caused.",
]
# Words that, in a question, mean it is about something that went wrong.
FAILURE_WORDS = re.compile(
    r"\b(did not work out|didn't work out|fail\w*|mistakes?|wrong|regret|weakness|criticism|let you go|"
    r"not able to resolve|not meeting expectations|badly|worst|difficult|did not like|improve|outage|gap|"
    r"complaint|stung|angry|conflict|low)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("question", FAILURE_QUESTIONS)
def test_a_question_about_failure_is_never_quoted(question):
    note = draft_followup(interview(), [flag(1, "bombed", ["rolled back within an hour"], question)])
    assert question.rstrip("?.") not in note
    assert "In addition to my answers in the interview, I'd like to add that I rolled back within an hour." in note


def test_every_shipped_question_is_quoted_only_when_it_is_not_about_failure():
    from redrill.banks import load_catalog

    quoted = []
    for q in load_catalog().questions.values():
        note = draft_followup(interview(), [flag(1, "bombed", ["added a reconciliation test"], q.text)])
        assert "added a reconciliation test" in note, q.id
        assert not BANNED.search(note), q.id
        if FAILURE_WORDS.search(q.text):
            assert q.text.rstrip("?.!") not in note, q.id
        if q.text.rstrip("?.!") in note:
            quoted.append(q.id)
    # the questions a thank-you note can name are still named
    assert {"why-this-company", "technical-debt", "tell-me-about-yourself"} <= set(quoted)
    for qid in (
        "failure-story",
        "mistake-you-made",
        "greatest-weakness",
        "handling-criticism",
        "gap-in-cv",
        "why-let-go",
        "complaint-could-not-fix",
        "estimate-badly-wrong",
        "managing-underperformer",
        "worst-manager",
        "what-manager-would-criticise",
        "incident-postmortem",
    ):
        assert qid not in quoted, qid


def test_points_that_restate_a_mistake_are_left_out():
    """The note volunteered "I shipped a migration that locked the orders table"."""
    points = [
        "I shipped a migration that locked the orders table",
        "rolled back within an hour",
        "my mistake was skipping the test",
    ]
    note = draft_followup(interview(), [flag(1, "bombed", points, "How do you ship schema changes safely?")])
    assert "locked" not in note and "mistake" not in note
    assert (
        'In addition to my answer on "How do you ship schema changes safely", I\'d like to add that I rolled back within an hour.'
        in note
    )
    # a flag whose points all restate what went wrong adds nothing; the next one with a positive point is used
    flags = [flag(1, "bombed", ["the migration failed"], "Bombed?"), flag(2, "shaky", ["wrote the runbook"], "Shaky?")]
    assert pick_addition(flags) == ("Shaky?", ["wrote the runbook"])
