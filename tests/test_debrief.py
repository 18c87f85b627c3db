"""Debriefs end to end: file and prompts -> interview, flags, weak list -> queue and drill order.

Everything runs through the real CLI (CliRunner, in-process) on a real SQLite file in the test's own
data home, with the clock fixed.
"""

from __future__ import annotations

import functools
import json
import os
import random
import stat
from datetime import datetime, timezone

import pytest

from redrill.banks import load_bank, load_catalog
from redrill.debrief import add_user_questions, slugify
from redrill.errors import InputError
from redrill.paths import Paths
from redrill.selection import pick_questions
from redrill.store import Store

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)

GOOD_FILE = """\
interview: {company: Acme, role: Backend engineer, date: 2026-11-20, stage: onsite}
went_well: [clear intro, good questions for them]
to_change: [slow down on the system design answer]
questions:
  - id: failure-story
    rating: bombed
    wish_i_said: [rolled back within an hour, added a reconciliation test]
  - text: How would you shard the payments table?
    rating: shaky
    wish_i_said: [shard by merchant id]
  - id: greatest-strength
    rating: nailed
"""


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("redrill.cli.app.App.now", lambda self: NOW)


@pytest.fixture
def paths(redrill_home):
    return Paths(redrill_home)


def write(tmp_path, text, name="debrief.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def open_store(paths):
    return Store(paths.database)


def test_debrief_from_file_flags_questions_and_they_come_first(cli, tmp_path, paths):
    result = cli("debrief", "--from", write(tmp_path, GOOD_FILE))
    assert result.exit_code == 0, result.output
    assert "Saved interview #1: Acme, Backend engineer (onsite, 2026-11-20)" in result.output
    assert "Next: run `redrill drill` to practise the 2 flagged questions" in result.output
    new_id = "how-would-you-shard-the-payments-table"

    queue = json.loads(cli("queue", "--json").stdout)
    assert [e["question_id"] for e in queue[:2]] == ["failure-story", new_id]
    assert all(e["due_now"] and e["weak"] and e["due"] == NOW.isoformat() for e in queue[:2])
    assert queue[0]["reason"] == "bombed in Acme onsite (interview #1, 2026-11-20)"
    nailed = next(e for e in queue if e["question_id"] == "greatest-strength")
    assert not nailed["weak"] and not nailed["due_now"]

    with open_store(paths) as store:
        catalog = load_catalog(paths.banks)
        first = pick_questions(store, catalog, count=2, now=NOW, rng=random.Random(7))
        assert [q.id for q in first] == ["failure-story", new_id]
        from_interview = pick_questions(store, catalog, interview_id=1, now=NOW, rng=random.Random(7))
        assert [q.id for q in from_interview] == ["failure-story", new_id, "greatest-strength"]
        [interview] = store.interviews()
        assert (interview.company, interview.role, interview.date, interview.stage) == (
            "Acme",
            "Backend engineer",
            "2026-11-20",
            "onsite",
        )
        assert interview.went_well == ["clear intro", "good questions for them"]
        assert interview.to_change == ["slow down on the system design answer"]
        assert [(f.question_id, f.rating) for f in store.flags(interview_id=1)] == [
            ("failure-story", "bombed"),
            (new_id, "shaky"),
            ("greatest-strength", "nailed"),
        ]
        assert store.get_state("failure-story").talking_points == [
            "rolled back within an hour",
            "added a reconciliation test",
        ]
        # the drill pipeline scores against the bank's points plus these personal ones
        from redrill.pipeline import talking_points_for

        points = talking_points_for(store, catalog.get("failure-story"))
        assert points[-2:] == ("rolled back within an hour", "added a reconciliation test")

    # the new question lives in the user's own bank, private, valid and loadable
    bank = paths.user_bank
    assert stat.S_IMODE(bank.stat().st_mode) == 0o600
    loaded = load_bank(bank)
    assert loaded.name == "My questions"
    assert [q.id for q in loaded.questions] == [new_id]
    shown = cli("bank", "show", new_id)
    assert shown.exit_code == 0 and "How would you shard the payments table?" in shown.output

    listed = json.loads(cli("interviews", "--json").stdout)
    assert listed == [
        {
            "id": 1,
            "date": "2026-11-20",
            "company": "Acme",
            "role": "Backend engineer",
            "stage": "onsite",
            "flagged": 3,
            "weak": 2,
        }
    ]


def test_second_debrief_reuses_typed_question_and_keeps_bank_entries(cli, tmp_path, paths):
    assert cli("debrief", "--from", write(tmp_path, GOOD_FILE)).exit_code == 0
    again = GOOD_FILE.replace("How would you shard", "how would you  SHARD").replace("Acme", "Globex")
    again += "  - text: How would you shard the payments table, again?\n    rating: bombed\n"
    result = cli("debrief", "--from", write(tmp_path, again, "second.yaml"))
    assert result.exit_code == 0, result.output
    ids = [q.id for q in load_bank(paths.user_bank).questions]
    assert ids == ["how-would-you-shard-the-payments-table", "how-would-you-shard-the-payments-table-again"]
    with open_store(paths) as store:
        assert len(store.flags(question_id="how-would-you-shard-the-payments-table")) == 2


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            GOOD_FILE.replace("to_change:", "to_chnage:"),
            "debrief.yaml:3: to_chnage: unknown key (did you mean 'to_change'?)",
        ),
        (
            GOOD_FILE.replace("rating: shaky", "rating: meh"),
            "debrief.yaml:9: questions[1].rating: 'meh' is not a rating; use one of bombed, shaky, ok, nailed",
        ),
        (
            GOOD_FILE.replace("id: failure-story", "id: failure-stroy"),
            "debrief.yaml:5: questions[0].id: unknown question id 'failure-stroy'. Did you mean: failure-story?",
        ),
        (
            GOOD_FILE.replace(
                "went_well: [clear intro, good questions for them]", "went_well: [clear intro, good questions"
            ),
            "debrief.yaml:3: YAML syntax error",
        ),
        (
            GOOD_FILE.replace("date: 2026-11-20", "date: 20/11/2026"),
            "debrief.yaml:1: interview.date: '20/11/2026' is not a date: write it as YYYY-MM-DD",
        ),
        (
            GOOD_FILE.replace("went_well: [clear intro, good questions for them]\n", ""),
            "debrief.yaml:1: went_well: missing (required)",
        ),
        (
            GOOD_FILE.replace("    rating: nailed", "    text: Another?\n    rating: nailed"),
            "debrief.yaml:12: questions[2]: give either id (a question from the banks) or text",
        ),
        (
            GOOD_FILE.replace(
                "    wish_i_said: [shard by merchant id]", "    wish_i_said: [shard by merchant id]\n    mood: sad"
            ),
            "debrief.yaml:11: questions[1].mood: unknown key",
        ),
        ("- just a list\n", "debrief.yaml:1: a debrief must be a mapping"),
    ],
)
def test_bad_debrief_files_name_file_line_and_field(cli, tmp_path, paths, text, expected):
    path = write(tmp_path, text)
    result = cli("debrief", "--from", path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: ")
    assert f"{tmp_path / expected}" in result.stderr, result.stderr
    assert "docs/debrief.md" in result.stderr
    with open_store(paths) as store:
        assert store.interviews() == [] and store.flags() == []
    assert not paths.user_bank.exists()


def test_every_problem_is_listed_at_once(cli, tmp_path):
    text = (
        GOOD_FILE.replace("rating: bombed", "rating: awful")
        .replace("id: greatest-strength", "id: nope-nope")
        .replace("stage: onsite", "stage: onsite, mood: bad")
    )
    result = cli("debrief", "--from", write(tmp_path, text))
    assert result.exit_code == 1
    assert "3 problems found" in result.stderr
    assert "interview.mood: unknown key" in result.stderr


def test_missing_file_is_a_usage_error(cli, tmp_path):
    result = cli("debrief", "--from", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_interactive_debrief(cli, paths):
    answers = [
        "Acme",  # company
        "Backend engineer",  # role
        "",  # date: default today (from the fixed clock)
        "onsite",  # stage
        "failed",  # search words for question 1
        "7",  # out of range number: asked again
        "failed",
        "1",  # pick the first match
        "bombed",
        "rolled back within an hour",
        "added a reconciliation test",
        "",  # end of points
        "zzzqqq",  # question 2: no match
        "How would you shard the payments table?",  # typed as new
        "shaky",
        "",  # no points
        "",  # done with questions
        "",  # went well: nothing at first...
        "clear intro",  # ...asked once more, gently
        "",
        "slow down",  # to change
        "",
    ]
    result = cli("debrief", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Date (YYYY-MM-DD) [2026-11-21]" in out
    # Matches wrap to the terminal under themselves (ids whole): compare with the line breaks removed.
    flat = " ".join(out.split())
    assert "1. Tell me about a time when something you were responsible for did not work out. [failure-story]" in flat
    assert "Pick a number from 1 to" in out
    assert "Even small things count" in out
    assert "Saved interview #1: Acme, Backend engineer (onsite, 2026-11-21)" in out
    assert "practise the 2 flagged questions" in out
    with open_store(paths) as store:
        [interview] = store.interviews()
        assert interview.went_well == ["clear intro"] and interview.to_change == ["slow down"]
        flags = store.flags()
        assert [(f.question_id, f.rating, f.wish_i_said) for f in flags] == [
            ("failure-story", "bombed", ["rolled back within an hour", "added a reconciliation test"]),
            ("how-would-you-shard-the-payments-table", "shaky", []),
        ]
        assert store.get_state("failure-story").weak


def test_interactive_debrief_rejects_a_bad_date_and_rating_then_accepts(cli, paths):
    answers = ["", "", "21/11/2026", "2026-11-19", "", "failure", "1", "terrible", "ok", "", "", "nothing yet", "", ""]
    result = cli("debrief", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "is not a date: write it as YYYY-MM-DD" in result.output
    assert "Nothing flagged as weak" in result.output
    with open_store(paths) as store:
        assert store.interviews()[0].date == "2026-11-19"
        assert store.get_state("failure-story").weak is False


def test_flag_and_mastered_commands(cli, paths):
    result = cli("flag", "why-this-company", "--rating", "bombed", "--wish", "your payments work")
    assert result.exit_code == 0, result.output
    queue = json.loads(cli("queue", "--json").stdout)
    assert queue[0]["question_id"] == "why-this-company" and queue[0]["due_now"] and queue[0]["weak"]
    assert queue[0]["reason"] == "flagged by you (bombed)"
    assert cli("mastered", "why-this-company").exit_code == 0
    [entry] = json.loads(cli("queue", "--json").stdout)
    assert (entry["weak"], entry["mastered"], entry["due"], entry["due_now"]) == (False, True, None, False)
    with open_store(paths) as store:
        state = store.get_state("why-this-company")
        assert state.talking_points == ["your payments work"]
        assert "why-this-company" not in [
            q.id for q in pick_questions(store, load_catalog(), now=NOW, rng=random.Random(0))
        ]
    bad = cli("flag", "why-this-compnay")
    assert bad.exit_code == 1
    assert "Did you mean: why-this-company" in bad.stderr


def test_queue_and_interviews_when_empty(cli):
    assert json.loads(cli("queue", "--json").stdout) == []
    assert "Nothing tracked yet" in cli("queue").output
    assert "No interviews yet" in cli("interviews").output


def test_queue_table_renders(cli, tmp_path):
    cli("debrief", "--from", write(tmp_path, GOOD_FILE))
    result = cli("queue")
    assert result.exit_code == 0
    assert "2 due now, 3 tracked" in result.output and "now" in result.output


# --- the user's own bank ----------------------------------------------------------------------


def test_slugify():
    assert slugify("How would you shard the payments table?") == "how-would-you-shard-the-payments-table"
    assert slugify("Why?", {"why", "why-2"}) == "why-3"
    assert slugify("¿Qué?") == "qu"
    assert slugify("日本語") == "my-question"
    long = slugify("word " * 40)
    assert len(long) <= 48 and not long.endswith("-")


def test_broken_user_bank_is_reported_and_left_alone(cli, tmp_path, paths):
    paths.ensure()
    paths.user_bank.write_text("name: My questions\nquestions:\n  - id: Bad Id\n    text: x\n", encoding="utf-8")
    before = paths.user_bank.read_bytes()
    result = cli("debrief", "--from", write(tmp_path, GOOD_FILE))
    assert result.exit_code == 1
    assert "my-questions.yaml:3" in result.stderr
    assert paths.user_bank.read_bytes() == before


def test_user_bank_write_is_atomic(tmp_path, monkeypatch):
    bank = tmp_path / "my-questions.yaml"
    add_user_questions(bank, ["First question?"], set())
    before = bank.read_bytes()

    def crash(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        add_user_questions(bank, ["Second question?"], set())
    assert bank.read_bytes() == before  # the old file, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-questions.yaml"]  # no temp file left


def test_user_bank_keeps_hand_edits(tmp_path):
    bank = tmp_path / "my-questions.yaml"
    bank.write_text(
        "name: Mine\nquestions:\n  - id: my-own\n    text: A question I wrote?\n    target_seconds: [30, 60]\n    talking_points: [one]\n",
        encoding="utf-8",
    )
    [added] = add_user_questions(bank, ["A question I wrote?!"], {"my-own"})
    loaded = load_bank(bank)
    assert [q.id for q in loaded.questions] == ["my-own", added.id]
    assert loaded.questions[0].target_seconds == (30.0, 60.0) and loaded.questions[0].talking_points == ("one",)
    assert added.id == "a-question-i-wrote"


def test_load_debrief_is_pure_of_the_store(tmp_path):
    from redrill.debrief import load_debrief

    entry = load_debrief(write(tmp_path, GOOD_FILE), load_catalog())
    assert entry.date == "2026-11-20"
    assert [q.weak for q in entry.questions] == [True, True, False]
    with pytest.raises(InputError):
        load_debrief(write(tmp_path, "interview: {}\nwent_well: []\nquestions: []\n", "empty.yaml"), load_catalog())


# --- robustness -----------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from redrill.debrief import parse_debrief  # noqa: E402

_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=8),
    st.sampled_from(["failure-story", "bombed", "ok", "2026-11-20"]),
)
_yamlish = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "interview",
                    "went_well",
                    "to_change",
                    "questions",
                    "id",
                    "text",
                    "rating",
                    "wish_i_said",
                    "company",
                    "date",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_yamlish)
def test_any_parsed_yaml_gives_a_debrief_or_an_input_error(data):
    catalog = _shipped_catalog()
    try:
        entry = parse_debrief(data, {}, "d.yaml", catalog)
    except InputError as err:
        assert err.problems and all(p.file == "d.yaml" for p in err.problems)
    else:
        assert entry.questions and all(q.rating in ("bombed", "shaky", "ok", "nailed") for q in entry.questions)


@functools.lru_cache(maxsize=1)
def _shipped_catalog():
    return load_catalog()


def test_debrief_json_output(cli, tmp_path):
    result = cli("debrief", "--from", write(tmp_path, GOOD_FILE), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["interview_id"] == 1
    assert data["weak"] == ["failure-story", "how-would-you-shard-the-payments-table"]
    assert data["new_questions"] == ["how-would-you-shard-the-payments-table"]
    assert [f["rating"] for f in data["flagged"]] == ["bombed", "shaky", "nailed"]


def test_search_ranks_the_question_that_says_the_phrase_first():
    """ "tell me about yourself" listed build-or-buy first (it also contains all four words)."""
    from redrill.banks import load_catalog
    from redrill.debrief import search_questions

    catalog = load_catalog()
    assert search_questions(catalog, "tell me about yourself")[0].id == "tell-me-about-yourself"
    assert search_questions(catalog, "Tell me about yourself?")[0].id == "tell-me-about-yourself"
    assert search_questions(catalog, "why this company")[0].id == "why-this-company"
