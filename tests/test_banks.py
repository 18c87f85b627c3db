"""Question banks: the shipped banks, user banks, --bank files, and every kind of defect."""

from __future__ import annotations

from pathlib import Path

import pytest

from redrill.banks import load_bank, load_catalog, shipped_bank_files
from redrill.errors import InputError

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path, text, name="bank.yaml", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def problems_of(path):
    with pytest.raises(InputError) as info:
        load_bank(path)
    return info.value.problems


def test_shipped_banks_are_valid_and_big_enough():
    files = shipped_bank_files()
    assert {f.name for f in files} == {p.name for p in (REPO / "question_banks").glob("*.yaml")}
    catalog = load_catalog(None)
    assert len(catalog.banks) >= 5
    assert len(catalog.questions) >= 60
    for q in catalog.questions.values():
        assert q.talking_points or q.self_check, f"{q.id} has neither talking points nor self-check prompts"
        assert q.target_seconds[0] < q.target_seconds[1]
    names = " ".join(b.name.lower() for b in catalog.banks)
    for kind in ("general", "behavioral", "tough", "software", "management", "customer"):
        assert kind in names


def test_defaults_and_normalisation(tmp_path):
    path = write(tmp_path, "name: Mine\nquestions:\n  - id: my-q\n    text: |\n      Why   this\n      job?\n")
    bank = load_bank(path)
    [q] = bank.questions
    assert (q.id, q.text, q.target_seconds, q.talking_points, q.tags) == (
        "my-q",
        "Why this job?",
        (60.0, 120.0),
        (),
        (),
    )
    assert q.line == 3


@pytest.mark.parametrize(
    "text, line, field, words",
    [
        ("name: X\nquestions:\n  - id: a\n    text: [unclosed\n", 5, None, "started on line 4"),
        ("name: X\nquestions:\n  - id: a\n   text: Q\n", 4, None, "YAML syntax error"),
        ("questions:\n  - id: a\n    text: Q\n", 1, "name", "missing"),
        ("name: X\nquestions:\n  - text: Q\n", 3, "questions[0].id", "missing"),
        ("name: X\nquestions:\n  - id: a\n", 3, "questions[0].text", "missing"),
        ("name: X\nquestions:\n  - id: a\n    text: 42\n", 4, "questions[0].text", "non-empty text"),
        ("name: X\nquestions:\n  - id: Bad_Id\n    text: Q\n", 3, "questions[0].id", "not a valid id"),
        (
            "name: X\nquestions:\n  - id: a\n    text: Q\n  - id: a\n    text: R\n",
            5,
            "questions[1].id",
            "duplicate id 'a' (first used on line 3)",
        ),
        (
            "name: X\nquestions:\n  - id: a\n    text: Q\n    target_seconds: [120, 60]\n",
            5,
            "questions[0].target_seconds",
            "min is greater than max",
        ),
        (
            "name: X\nquestions:\n  - id: a\n    text: Q\n    target_seconds: 90\n",
            5,
            "questions[0].target_seconds",
            "[min, max]",
        ),
        ("name: X\nquestions:\n  - id: a\n    text: Q\n    tags: behavioral\n", 5, "questions[0].tags", "list"),
        (
            "name: X\nquestions:\n  - id: a\n    text: Q\n    talking_point: [x]\n",
            5,
            "questions[0].talking_point",
            "unknown key",
        ),
        ("name: X\nauthor: me\nquestions: []\n", 2, "author", "unknown key"),
        ("name: X\nquestions: {a: 1}\n", 2, "questions", "must be a list"),
        ("- just\n- a list\n", 1, None, "mapping"),
        ("", 1, None, "empty"),
    ],
)
def test_each_defect_names_file_line_and_field(tmp_path, text, line, field, words):
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert any(p.file == str(path) and p.line == line and p.field == field and words in p.message for p in problems), (
        problems
    )


def test_all_problems_reported_at_once(tmp_path):
    path = write(tmp_path, "name: X\nquestions:\n  - id: A\n    text: Q\n  - id: b\n    target_seconds: [9, 1]\n")
    problems = problems_of(path)
    assert {p.field for p in problems} == {"questions[0].id", "questions[1].text", "questions[1].target_seconds"}


def test_non_utf8_names_the_line(tmp_path):
    path = write(tmp_path, "name: X\nquestions:\n  - id: a\n    text: caf\xe9?\n".encode("latin-1"))
    [problem] = problems_of(path)
    assert (problem.line, "UTF-8" in problem.message) == (4, True)


def test_file_over_1mb_is_refused(tmp_path):
    path = write(tmp_path, "name: X\nquestions: []\n" + "# padding\n" * 120_000)
    [problem] = problems_of(path)
    assert "limit is 1,000,000" in problem.message


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["name: X", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    lines.append("questions: []")
    path = write(tmp_path, "\n".join(lines) + "\n")
    [problem] = problems_of(path)
    assert problem.line == 2 and "aliases" in problem.message


def test_duplicate_ids_across_banks(tmp_path):
    path = write(tmp_path, "name: Mine\nquestions:\n  - id: failure-story\n    text: My failure question\n")
    with pytest.raises(InputError) as info:
        load_catalog(None, [path])
    [problem] = info.value.problems
    assert problem.file == str(path) and problem.line == 3 and "already defined in" in problem.message
    assert "behavioral.yaml" in problem.message


def test_user_banks_folder_and_extra_banks(tmp_path):
    banks = tmp_path / "banks"
    banks.mkdir()
    write(banks, "name: Folder\nquestions:\n  - id: from-folder\n    text: Q1?\n", name="a.yaml")
    extra = write(tmp_path, "name: Extra\nquestions:\n  - id: from-flag\n    text: Q2?\n", name="extra.yaml")
    catalog = load_catalog(banks, [extra])
    assert {"from-folder", "from-flag", "failure-story"} <= set(catalog.questions)


def test_unknown_id_suggests_close_ones():
    catalog = load_catalog(None)
    with pytest.raises(Exception) as info:
        catalog.get("failure-stroy")
    assert "failure-story" in str(info.value)


def test_merge_talking_points_keeps_order_and_drops_case_repeats():
    from redrill.banks import merge_talking_points

    assert merge_talking_points(("Rolled back", "added a test"), ["rolled back", "told finance", "Told Finance"]) == [
        "Rolled back",
        "added a test",
        "told finance",
    ]
