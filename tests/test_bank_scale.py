"""A big question bank (26,000 questions, just under the 1 MB cap) must not slow every command down.

Every command loads the banks folder, so the YAML reader is on every command's path. It parses each
file once (libyaml's C parser where PyYAML has it) and still names the line of every problem and
refuses anchors and aliases. Times are CPU seconds of this process, so a busy machine does not make
the test flaky; the slow reader needed 13 or more of them for this file.
"""

from __future__ import annotations

import time

import pytest

from redrill.banks import load_bank, load_catalog
from redrill.errors import InputError

CAP = 1_000_000
CPU_BUDGET_S = 4.0


def big_bank(path, *, last_line: str | None = None) -> tuple[int, int]:
    """Write a bank of as many one-line questions as fit under the cap; (questions, lines)."""
    lines = ["name: Huge", "questions:"]
    size = sum(len(x) + 1 for x in lines)
    i = 0
    while True:
        line = f"  - {{id: q{i}, text: Question {i}}}" if i % 10 else f"  - {{id: q{i}, text: Question {i}, tags: [t]}}"
        if size + len(line) + 1 > CAP - 200:
            break
        lines.append(line)
        size += len(line) + 1
        i += 1
    if last_line is not None:
        lines.append(last_line)
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size < CAP
    return i, len(lines)


def cpu_seconds(fn):
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


@pytest.mark.slow
def test_a_26k_question_bank_in_the_banks_folder_loads_quickly(redrill_home):
    banks = redrill_home / "banks"
    banks.mkdir()
    n, _ = big_bank(banks / "huge.yaml")
    assert n > 25_000
    catalog, spent = cpu_seconds(lambda: load_catalog(banks))
    assert len(catalog.questions) >= n
    assert catalog.questions["q10"].tags == ("t",) and catalog.questions[f"q{n - 1}"].text == f"Question {n - 1}"
    assert spent < CPU_BUDGET_S, f"loading {n} questions took {spent:.1f} CPU s"


@pytest.mark.slow
def test_a_problem_at_the_end_of_a_big_bank_is_found_quickly_at_its_line(tmp_path):
    path = tmp_path / "huge.yaml"
    _n, nlines = big_bank(path, last_line="  - {id: Bad Id, text: The last question}")
    start = time.process_time()
    with pytest.raises(InputError) as info:
        load_bank(path)
    spent = time.process_time() - start
    [problem] = info.value.problems
    assert spent < CPU_BUDGET_S, f"finding the problem took {spent:.1f} CPU s"
    assert (problem.line, problem.field) == (nlines, f"questions[{nlines - 3}].id")
    assert "not a valid id" in problem.message


@pytest.mark.slow
def test_aliases_in_a_big_bank_are_refused_at_the_anchor_line(tmp_path):
    path = tmp_path / "huge.yaml"
    _n, nlines = big_bank(path, last_line="  - &again {id: again, text: Again}\n  - *again")
    with pytest.raises(InputError) as info:
        load_bank(path)
    [problem] = info.value.problems
    assert problem.line == nlines and "anchors and aliases" in problem.message


@pytest.mark.parametrize("depth", [150, 900, 5000])
def test_deeply_nested_yaml_is_a_clean_error(tmp_path, depth):
    """Nesting a few hundred lists deep used to end in Python's RecursionError (a traceback)."""
    path = tmp_path / "deep.yaml"
    path.write_text("name: Deep\nquestions: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(InputError) as info:
        load_bank(path)
    [problem] = info.value.problems
    assert problem.line == 2 and problem.file == str(path)
    assert "nested" in problem.message or "questions[0]" in (problem.field or ""), problem
