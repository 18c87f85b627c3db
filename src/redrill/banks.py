"""Question banks: YAML files of interview questions with target lengths and talking points.

Schema (unknown keys are rejected)::

    name: Behavioral core            # required
    questions:
      - id: failure-story            # required, unique across all loaded banks: [a-z0-9-]+
        text: Tell me about a time you failed.   # required
        tags: [behavioral, failure]  # optional
        target_seconds: [60, 120]    # optional [min, max], default 60-120
        talking_points:              # optional: content to say, checked in the answer's words
          - rolled back within the hour
        self_check:                  # optional: prompts about the answer's shape, ticked by the user
          - what went wrong and my part in it
        follow_ups:                  # optional: what an interviewer may ask next (at most 5)
          - What would you do differently now?

A talking point is content, written as the words you would say; a self-check prompt describes what
a good answer does, which no word list can check (``docs/metrics.md``, "Talking points").

Banks come from three places, in this order: the banks shipped with redrill, the ``banks`` folder
of the data home, and ``--bank FILE`` options.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from redrill.errors import InputError, Problem, RedrillError
from redrill.yamlfile import kind_of, read_yaml

DEFAULT_TARGET = (60.0, 120.0)
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
BANK_KEYS = {"name", "description", "questions"}
QUESTION_KEYS = {"id", "text", "tags", "target_seconds", "talking_points", "follow_ups", "self_check"}
# A follow-up is one spoken question: longer text is a paste accident, more than a few is a script.
MAX_FOLLOW_UPS = 5
MAX_FOLLOW_UP_CHARS = 300
BANK_HINT = "See the README section 'Question banks' for the format."


@dataclass(frozen=True)
class Question:
    """One interview question."""

    id: str
    text: str
    tags: tuple[str, ...] = ()
    target_seconds: tuple[float, float] = DEFAULT_TARGET
    talking_points: tuple[str, ...] = ()
    bank: str = ""
    # Prompts about the shape of a good answer ("the situation and what was at stake"): shown as a
    # list the user ticks, never matched against the answer's words.
    self_check: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    source: str = ""
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Bank:
    """A named set of questions loaded from one file."""

    name: str
    path: str
    questions: tuple[Question, ...]
    description: str = ""


@dataclass
class Catalog:
    """Every loaded question by id, plus the banks they came from."""

    banks: list[Bank] = field(default_factory=list)
    questions: dict[str, Question] = field(default_factory=dict)

    def get(self, question_id: str) -> Question:
        """The question with this id, or an error that suggests the closest ids."""
        try:
            return self.questions[question_id]
        except KeyError:
            close = difflib.get_close_matches(question_id, list(self.questions), n=3, cutoff=0.5)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise RedrillError(
                f"unknown question id '{question_id}'.{hint} Run `redrill bank list` to see all ids."
            ) from None

    def search(self, words: str) -> list[Question]:
        """Questions whose text, id or tags contain all the given words (case-insensitive)."""
        terms = [w for w in re.findall(r"[a-z0-9']+", words.lower()) if w]
        found = []
        for q in self.questions.values():
            hay = f"{q.id} {q.text} {' '.join(q.tags)}".lower()
            if all(t in hay for t in terms):
                found.append(q)
        return found


def merge_talking_points(points, more) -> list[str]:
    """``points`` followed by those of ``more`` not already there (compared ignoring case)."""
    merged = list(points)
    seen = {p.casefold() for p in merged}
    for point in more:
        if point.casefold() not in seen:
            merged.append(point)
            seen.add(point.casefold())
    return merged


def shipped_bank_files() -> list[Path]:
    """The YAML banks that come with redrill (works from a checkout and from a wheel)."""
    from importlib import resources

    root = resources.files("redrill") / "question_banks"
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith((".yaml", ".yml")))


def user_bank_files(banks_dir: Path) -> list[Path]:
    """The user's own banks in the data home's ``banks`` folder."""
    if not banks_dir.is_dir():
        return []
    return sorted(p for p in banks_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_bank(path: Path) -> Bank:
    """Load and validate one bank file; every problem is reported at once."""
    bank, problems = read_bank(path)
    if problems:
        raise InputError(problems, hint=BANK_HINT)
    return bank


def read_bank(path: Path) -> tuple[Bank, list[Problem]]:
    """One bank file: its valid questions and the problems of the rest.

    The valid questions come back even when there are problems, so a caller can also check them
    against other banks (a duplicate id is reported with the other problems, not only once they are
    fixed). A file that cannot be read as a bank at all raises :class:`InputError`.
    """
    name = str(path)
    data, lines = read_yaml(path)
    problems: list[Problem] = []

    def at(*key) -> int | None:
        while key and key not in lines:
            key = key[:-1]
        return lines.get(key)

    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {kind_of(data)}"
        raise InputError(
            [Problem(name, 1, None, f"a bank must be a mapping with 'name' and 'questions', but the file is {what}")]
        )
    for key in data:
        if key not in BANK_KEYS:
            problems.append(Problem(name, at(key), str(key), f"unknown key; allowed: {', '.join(sorted(BANK_KEYS))}"))
    bank_name = data.get("name")
    if bank_name is None:
        problems.append(Problem(name, 1, "name", "missing (required): give the bank a name"))
    elif not isinstance(bank_name, str) or not bank_name.strip():
        problems.append(Problem(name, at("name"), "name", f"must be text, not {kind_of(bank_name)}"))
    description = data.get("description", "")
    if not isinstance(description, str):
        problems.append(Problem(name, at("description"), "description", "must be text"))
        description = ""
    raw_questions = data.get("questions")
    questions: list[Question] = []
    if raw_questions is None:
        problems.append(Problem(name, 1, "questions", "missing (required): a list of questions"))
        raw_questions = []
    elif not isinstance(raw_questions, list):
        problems.append(Problem(name, at("questions"), "questions", f"must be a list, not {kind_of(raw_questions)}"))
        raw_questions = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(raw_questions):
        where = f"questions[{i}]"
        if not isinstance(item, dict):
            problems.append(
                Problem(name, at("questions", i), where, f"must be a mapping with id and text, not {kind_of(item)}")
            )
            continue
        for key in item:
            if key not in QUESTION_KEYS:
                problems.append(
                    Problem(
                        name,
                        at("questions", i, key),
                        f"{where}.{key}",
                        f"unknown key; allowed: {', '.join(sorted(QUESTION_KEYS))}",
                    )
                )
        qid = item.get("id")
        if qid is None:
            problems.append(Problem(name, at("questions", i), f"{where}.id", "missing (required)"))
        elif not isinstance(qid, str) or not ID_PATTERN.match(qid):
            problems.append(
                Problem(
                    name,
                    at("questions", i, "id"),
                    f"{where}.id",
                    f"'{qid}' is not a valid id: use lower-case letters, digits and single dashes, e.g. failure-story",
                )
            )
            qid = None
        elif qid in seen:
            problems.append(
                Problem(
                    name,
                    at("questions", i, "id"),
                    f"{where}.id",
                    f"duplicate id '{qid}' (first used on line {seen[qid]})",
                )
            )
        else:
            seen[qid] = at("questions", i, "id")
        text = item.get("text")
        if text is None:
            problems.append(
                Problem(name, at("questions", i), f"{where}.text", "missing (required): the question itself")
            )
        elif not isinstance(text, str) or not text.strip():
            problems.append(
                Problem(
                    name, at("questions", i, "text"), f"{where}.text", f"must be non-empty text, not {kind_of(text)}"
                )
            )
            text = None
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problems.append(
                Problem(
                    name,
                    at("questions", i, "tags"),
                    f"{where}.tags",
                    "must be a list of words, e.g. [behavioral, failure]",
                )
            )
            tags = []
        target = item.get("target_seconds", list(DEFAULT_TARGET))
        target_ok = (
            isinstance(target, list)
            and len(target) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in target)
        )
        if not target_ok:
            problems.append(
                Problem(
                    name,
                    at("questions", i, "target_seconds"),
                    f"{where}.target_seconds",
                    "must be [min, max] in seconds, e.g. [60, 120]",
                )
            )
            target = list(DEFAULT_TARGET)
        elif not (0 < target[0] <= target[1] <= 3600):
            msg = "min is greater than max" if target[0] > target[1] else "values must be between 1 and 3600 seconds"
            problems.append(
                Problem(name, at("questions", i, "target_seconds"), f"{where}.target_seconds", f"{msg}: {target}")
            )
            target = list(DEFAULT_TARGET)
        points = _phrases(item, "talking_points", name, at, i, problems)
        checks = _phrases(item, "self_check", name, at, i, problems)
        follow_ups = _follow_ups(item.get("follow_ups", []), name, at, i, problems)
        if qid and text:
            questions.append(
                Question(
                    id=qid,
                    text=" ".join(text.split()),
                    tags=tuple(tags),
                    target_seconds=(float(target[0]), float(target[1])),
                    talking_points=tuple(p.strip() for p in points),
                    self_check=tuple(" ".join(p.split()) for p in checks),
                    bank=bank_name if isinstance(bank_name, str) else "",
                    follow_ups=follow_ups,
                    source=name,
                    line=at("questions", i, "id"),
                )
            )
    bank = Bank(
        name=bank_name if isinstance(bank_name, str) else "",
        path=name,
        questions=tuple(questions),
        description=description,
    )
    return bank, problems


def _phrases(item: dict, field: str, name: str, at, i: int, problems: list[Problem]) -> list[str]:
    """A question's list of short phrases (``talking_points``, ``self_check``); [] and a problem when it is
    not one."""
    value = item.get(field, [])
    if isinstance(value, list) and all(isinstance(p, str) and p.strip() for p in value):
        return value
    problems.append(
        Problem(name, at("questions", i, field), f"questions[{i}].{field}", "must be a list of short phrases")
    )
    return []


def _follow_ups(value, name: str, at, i: int, problems: list[Problem]) -> tuple[str, ...]:
    """A question's ``follow_ups``: a list of at most :data:`MAX_FOLLOW_UPS` short questions."""
    where = f"questions[{i}].follow_ups"
    if not isinstance(value, list):
        problems.append(
            Problem(
                name,
                at("questions", i, "follow_ups"),
                where,
                f"must be a list of questions, e.g. [What would you do differently now?], not {kind_of(value)}",
            )
        )
        return ()
    if len(value) > MAX_FOLLOW_UPS:
        problems.append(
            Problem(
                name,
                at("questions", i, "follow_ups"),
                where,
                f"has {len(value)} follow-ups; keep at most {MAX_FOLLOW_UPS} (one is asked after an answer)",
            )
        )
    out = []
    for j, text in enumerate(value):
        line = at("questions", i, "follow_ups", j)
        if isinstance(text, str) and not text.strip():
            problems.append(Problem(name, line, f"{where}[{j}]", "is empty: write the question, or remove the line"))
        elif not isinstance(text, str):
            what = "nothing" if text is None else kind_of(text)
            problems.append(Problem(name, line, f"{where}[{j}]", f"must be a question (text), not {what}"))
        elif len(text) > MAX_FOLLOW_UP_CHARS:
            problems.append(
                Problem(name, line, f"{where}[{j}]", f"is {len(text)} characters; keep it under {MAX_FOLLOW_UP_CHARS}")
            )
        else:
            out.append(" ".join(text.split()))
    return tuple(out)


def load_catalog(banks_dir: Path | None = None, extra: list[Path] | tuple[Path, ...] = ()) -> Catalog:
    """Load the shipped banks, the user's banks folder and ``extra`` files.

    Ids must be unique across all of them; problems in every file are collected and reported
    together.
    """
    files = shipped_bank_files() + (user_bank_files(banks_dir) if banks_dir else []) + [Path(p) for p in extra]
    catalog = Catalog()
    problems: list[Problem] = []
    first_seen: dict[str, Question] = {}
    loaded: set[str] = set()
    for path in files:
        key = str(Path(path).resolve())
        if key in loaded:
            continue
        loaded.add(key)
        try:
            bank, bank_problems = read_bank(Path(path))
        except InputError as err:
            problems.extend(err.problems)
            continue
        problems.extend(bank_problems)
        catalog.banks.append(bank)
        for q in bank.questions:
            if q.id in first_seen:
                other = first_seen[q.id]
                where = other.source + (f":{other.line}" if other.line else "")
                problems.append(
                    Problem(
                        str(path),
                        q.line,
                        "id",
                        f"duplicate id '{q.id}': already defined in {where}; ids must be unique across all banks",
                    )
                )
                continue
            first_seen[q.id] = q
            catalog.questions[q.id] = q
    if problems:
        raise InputError(problems, hint=BANK_HINT)
    return catalog
