"""After an interview: log it, flag the questions that went badly, keep what you wish you'd said.

A debrief file (``redrill debrief --from FILE.yaml``; format in ``docs/debrief.md``)::

    interview: {company: Acme, role: Backend engineer, date: 2026-11-20, stage: onsite}
    went_well: [clear intro, good questions for them]
    to_change: [slow down on the system design answer]    # optional
    questions:
      - id: failure-story             # an existing id, or `text:` for a new question
        rating: bombed                # bombed / shaky / ok / nailed
        wish_i_said: [rolled back within an hour, added a reconciliation test]

:func:`parse_debrief` checks it (pure: unknown keys rejected, every problem reported at once with
file, line and field, unknown ids with the closest ids); :func:`apply_debrief` stores it: one
interview, one flag per question, bombed/shaky questions on the weak list and due now, and the
wish-I-said points kept as the user's own talking points for that question. Questions typed as
``text:`` go into the user's own bank (``banks/my-questions.yaml`` in the data home), written to a
temporary file and renamed over the old one so a crash never leaves it half-written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redrill.banks import Catalog, Question
from redrill.errors import InputError, Problem, RedrillError
from redrill.store import RATINGS

TOP_KEYS = {"interview", "went_well", "to_change", "questions"}
INTERVIEW_KEYS = {"company", "role", "date", "stage"}
QUESTION_KEYS = {"id", "text", "rating", "wish_i_said", "note"}
WEAK_RATINGS = ("bombed", "shaky")
USER_BANK_NAME = "My questions"
USER_BANK_TAG = "my-questions"
MAX_TEXT = 500  # one question or talking point; longer is a paste accident, not a point
HINT = "See docs/debrief.md (or `redrill debrief --help`) for the debrief file format."


@dataclass(frozen=True)
class DebriefQuestion:
    """One question as it went: an existing ``question_id`` or the ``text`` of a new one."""

    rating: str
    question_id: str | None = None
    text: str | None = None
    wish_i_said: tuple[str, ...] = ()
    note: str = ""
    line: int | None = field(default=None, compare=False)

    @property
    def weak(self) -> bool:
        """Bombed and shaky questions go on the weak list; ok and nailed do not."""
        return self.rating in WEAK_RATINGS

    @property
    def new_text(self) -> str:
        """The text of a new question (the parser sets ``text`` whenever ``question_id`` is None)."""
        if self.text is None:
            raise ValueError(f"debrief question {self.question_id!r} is a known question, not a new text")
        return self.text


@dataclass(frozen=True)
class Debrief:
    """One interview as the user remembers it."""

    company: str = ""
    role: str = ""
    date: str | None = None  # ISO date
    stage: str = ""
    went_well: tuple[str, ...] = ()
    to_change: tuple[str, ...] = ()
    questions: tuple[DebriefQuestion, ...] = ()


@dataclass(frozen=True)
class DebriefResult:
    """What :func:`apply_debrief` stored."""

    interview_id: int
    flagged: tuple[tuple[Question, str], ...]  # (question, rating) in file order
    new_questions: tuple[Question, ...]

    @property
    def weak(self) -> tuple[Question, ...]:
        """The questions put on the weak list (bombed or shaky)."""
        return tuple(q for q, rating in self.flagged if rating in WEAK_RATINGS)


# --- parsing ----------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    from redrill.yamlfile import kind_of

    return "nothing" if value is None else kind_of(value)


def _clean(text: str) -> str:
    return " ".join(text.split())


def parse_debrief(data: Any, lines: dict[tuple, int], origin: str, catalog: Catalog) -> Debrief:
    """Check a parsed debrief file against the schema and the loaded questions (pure).

    Raises :class:`InputError` listing every problem with the file, line and field.
    """
    problems: list[Problem] = []

    def at(*key) -> int | None:
        while key and key not in lines:
            key = key[:-1]
        return lines.get(key, 1)

    def bad(key: tuple, field_name: str, message: str) -> None:
        problems.append(Problem(origin, at(*key), field_name, message))

    def missing(field_name: str, example: str) -> None:
        """A required top-level field that is not there, with what to write."""
        bad((field_name,), field_name, f"missing (required): {example}")

    def text_list(key: tuple, field_name: str, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]  # one point written without brackets is still one point
        if not isinstance(value, list):
            bad(key, field_name, f"must be a list of short phrases, e.g. [clear intro], not {_kind(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                bad(key + (i,), f"{field_name}[{i}]", f"must be a non-empty phrase, not {_kind(item)}")
            elif len(item) > MAX_TEXT:
                bad(key + (i,), f"{field_name}[{i}]", f"is {len(item)} characters; keep it under {MAX_TEXT}")
            else:
                out.append(_clean(item))
        return tuple(out)

    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {_kind(data)}"
        raise InputError(
            [
                Problem(
                    origin,
                    1,
                    None,
                    f"a debrief must be a mapping with interview, went_well and questions, but the file is {what}",
                )
            ],
            hint=HINT,
        )
    for key in data:
        if key not in TOP_KEYS:
            close = difflib.get_close_matches(str(key), sorted(TOP_KEYS), n=1)
            did = f" (did you mean '{close[0]}'?)" if close else ""
            bad((key,), str(key), f"unknown key{did}; allowed: {', '.join(sorted(TOP_KEYS))}")

    info: dict[str, str] = {}
    date: str | None = None
    interview = data.get("interview")
    if interview is None:
        missing("interview", "e.g. interview: {company: Acme, role: Backend engineer, date: 2026-11-20, stage: onsite}")
    elif not isinstance(interview, dict):
        bad(("interview",), "interview", f"must be a mapping of company, role, date, stage, not {_kind(interview)}")
    else:
        for key, value in interview.items():
            at_key = ("interview", key)
            if key not in INTERVIEW_KEYS:
                bad(at_key, f"interview.{key}", f"unknown key; allowed: {', '.join(sorted(INTERVIEW_KEYS))}")
            elif key == "date":
                if isinstance(value, dt.datetime):
                    date = value.date().isoformat()
                elif isinstance(value, dt.date):
                    date = value.isoformat()
                elif value is None:
                    date = None
                else:
                    try:
                        date = dt.date.fromisoformat(str(value).strip()).isoformat()
                    except ValueError:
                        bad(
                            at_key,
                            "interview.date",
                            f"'{value}' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20",
                        )
            elif value is None:
                info[key] = ""
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                info[key] = _clean(str(value))
            else:
                bad(at_key, f"interview.{key}", f"must be text, not {_kind(value)}")

    if "went_well" not in data:
        missing("went_well", "list at least one thing that went well, e.g. [clear intro] (or [nothing yet])")
    went_well = text_list(("went_well",), "went_well", data.get("went_well"))
    to_change = text_list(("to_change",), "to_change", data.get("to_change"))

    questions: list[DebriefQuestion] = []
    raw = data.get("questions")
    if raw is None:
        missing("questions", "a list of the questions, each with id (or text) and rating")
        raw = []
    elif not isinstance(raw, list):
        bad(("questions",), "questions", f"must be a list, not {_kind(raw)}")
        raw = []
    elif not raw:
        bad(("questions",), "questions", "is empty: add at least the question you remember most")
    ids = list(catalog.questions)
    listed: dict[tuple[str, str], int | None] = {}
    for i, item in enumerate(raw):
        where = f"questions[{i}]"
        key = ("questions", i)
        if not isinstance(item, dict):
            bad(key, where, f"must be a mapping with id (or text) and rating, not {_kind(item)}")
            continue
        for k in item:
            if k not in QUESTION_KEYS:
                bad(key + (k,), f"{where}.{k}", f"unknown key; allowed: {', '.join(sorted(QUESTION_KEYS))}")
        qid, text = item.get("id"), item.get("text")
        ok = True
        if qid is not None and text is not None:
            bad(key + ("text",), where, "give either id (a question from the banks) or text (a new question), not both")
            ok = False
        elif qid is None and text is None:
            bad(
                key, where, "missing id or text: id of a question from `redrill bank list`, or text: for a new question"
            )
            ok = False
        elif qid is not None:
            if not isinstance(qid, str) or qid not in catalog.questions:
                close = difflib.get_close_matches(str(qid), ids, n=3, cutoff=0.5)
                did = f" Did you mean: {', '.join(close)}?" if close else ""
                bad(
                    key + ("id",),
                    f"{where}.id",
                    f"unknown question id '{qid}'.{did} Run `redrill bank list` to see all ids, or use text: for a new question",
                )
                ok = False
        elif not isinstance(text, str) or not text.strip():
            what = (
                "is empty: write the question itself"
                if isinstance(text, str)
                else f"must be the question as text, not {_kind(text)}"
            )
            bad(key + ("text",), f"{where}.text", what)
            ok = False
        elif len(text) > MAX_TEXT:
            bad(key + ("text",), f"{where}.text", f"is {len(text)} characters; keep the question under {MAX_TEXT}")
            ok = False
        rating = item.get("rating")
        if rating is None:
            bad(key, f"{where}.rating", f"missing (required): one of {', '.join(RATINGS)}")
            ok = False
        elif not isinstance(rating, str) or rating.strip().lower() not in RATINGS:
            bad(key + ("rating",), f"{where}.rating", f"'{rating}' is not a rating; use one of {', '.join(RATINGS)}")
            ok = False
        wish = text_list(key + ("wish_i_said",), f"{where}.wish_i_said", item.get("wish_i_said"))
        note = item.get("note", "")
        if not isinstance(note, str):
            bad(key + ("note",), f"{where}.note", f"must be text, not {_kind(note)}")
            note = ""
        if ok and isinstance(rating, str):  # ok: rating is a string, and exactly one of qid and text is set
            # The same question twice would be flagged twice with two ratings; say which to keep.
            same = ("id", qid) if isinstance(qid, str) else ("text", _clean(str(text)).casefold())
            if same in listed:
                bad(
                    key + (same[0],),
                    f"{where}.{same[0]}",
                    f"the same question is already listed on line {listed[same]}; list each question once",
                )
                continue
            listed[same] = at(*key)
            questions.append(
                DebriefQuestion(
                    rating=rating.strip().lower(),
                    question_id=qid,
                    text=None if text is None else _clean(text),
                    wish_i_said=wish,
                    note=note.strip(),
                    line=at(*key),
                )
            )
    if problems:
        raise InputError(problems, hint=HINT)
    return Debrief(
        company=info.get("company", ""),
        role=info.get("role", ""),
        date=date,
        stage=info.get("stage", ""),
        went_well=went_well,
        to_change=to_change,
        questions=tuple(questions),
    )


def load_debrief(path: Path, catalog: Catalog) -> Debrief:
    """Read and check a debrief file (safe YAML, size cap, no aliases; see :func:`parse_debrief`)."""
    from redrill.yamlfile import read_yaml

    try:
        data, lines = read_yaml(Path(path))
    except InputError as err:
        raise InputError(err.problems, hint=err.hint or HINT) from None
    return parse_debrief(data, lines, str(path), catalog)


# --- the user's own bank ----------------------------------------------------------------------


def slugify(text: str, taken: set[str] | frozenset[str] = frozenset(), *, max_len: int = 48) -> str:
    """A question id made from its text: lower-case words joined by dashes, unique among ``taken``."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            break
        slug = candidate
    slug = slug or "my-question"
    unique, n = slug, 2
    while unique in taken:
        unique = f"{slug}-{n}"
        n += 1
    return unique


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    from redrill.paths import temp_file

    # The temporary name carries this process's number, so a redrill run after a kill removes it.
    fd, tmp = temp_file(path.parent, path.name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def add_user_questions(bank_path: Path, texts: Sequence[str], taken_ids: set[str]) -> list[Question]:
    """Append new questions to the user's own bank (created as "My questions" if missing).

    The existing file is checked first (a broken file is reported, never overwritten) and every
    entry in it is kept as written. Returns the new questions with their generated ids.
    """
    import yaml

    from redrill.banks import load_bank
    from redrill.yamlfile import read_yaml

    bank_path = Path(bank_path)
    if bank_path.exists():
        load_bank(bank_path)  # raises InputError naming the file and line if the user broke it
        data, _ = read_yaml(bank_path)
    else:
        data = {"name": USER_BANK_NAME, "description": "Questions you added in debriefs.", "questions": []}
    data.setdefault("questions", [])
    if data["questions"] is None:
        data["questions"] = []
    taken = set(taken_ids) | {
        str(q["id"]) for q in data["questions"] if isinstance(q, dict) and q.get("id") is not None
    }
    added = []
    for text in texts:
        qid = slugify(text, taken)
        taken.add(qid)
        data["questions"].append({"id": qid, "text": text, "tags": [USER_BANK_TAG]})
        added.append(
            Question(
                id=qid, text=text, tags=(USER_BANK_TAG,), bank=data.get("name") or USER_BANK_NAME, source=str(bank_path)
            )
        )
    header = "# Your own questions, added by `redrill debrief`. Same format as any question bank.\n"
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    atomic_write(bank_path, header + body)
    return added


# --- applying ---------------------------------------------------------------------------------


def resolve_questions(debrief: Debrief, catalog: Catalog) -> tuple[list[Question | None], list[str]]:
    """Each debrief question's catalog question (None for new ones) and the new texts to add.

    A ``text:`` that matches a known question's text (ignoring case and spacing) reuses it, and
    the same new text twice is added once.
    """
    by_text = {q.text.casefold(): q for q in catalog.questions.values()}
    resolved: list[Question | None] = []
    new_texts: list[str] = []
    for item in debrief.questions:
        if item.question_id is not None:
            resolved.append(catalog.questions[item.question_id])
            continue
        known = by_text.get(item.new_text.casefold())
        resolved.append(known)
        if known is None and item.new_text.casefold() not in {t.casefold() for t in new_texts}:
            new_texts.append(item.new_text)
    return resolved, new_texts


def apply_debrief(store, catalog: Catalog, debrief: Debrief, *, user_bank: Path, now: dt.datetime) -> DebriefResult:
    """Store a checked debrief: one interview, one flag per question, weak questions due now.

    New questions are written to ``user_bank`` first; the database changes are one transaction.
    """
    from redrill.schedule import flag_question

    resolved, new_texts = resolve_questions(debrief, catalog)
    added = add_user_questions(user_bank, new_texts, set(catalog.questions)) if new_texts else []
    new_by_text = {q.text.casefold(): q for q in added}
    questions = [
        q if q is not None else new_by_text[item.new_text.casefold()] for q, item in zip(resolved, debrief.questions)
    ]
    with store.transaction():
        interview_id = store.add_interview(
            company=debrief.company,
            role=debrief.role,
            date=debrief.date or now.date().isoformat(),
            stage=debrief.stage,
            went_well=list(debrief.went_well),
            to_change=list(debrief.to_change),
            created_at=now,
        )
        for q, item in zip(questions, debrief.questions):
            flag_question(
                store,
                q.id,
                q.text,
                now=now,
                rating=item.rating,
                interview_id=interview_id,
                wish_i_said=item.wish_i_said,
                note=item.note,
            )
    return DebriefResult(
        interview_id, tuple((q, item.rating) for q, item in zip(questions, debrief.questions)), tuple(added)
    )


def _stem(word: str) -> str:
    # "failed" should find "failure", "conflicts" "conflict": a crude suffix strip is enough here.
    for suffix in ("ing", "ed", "es", "s", "ure", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def search_questions(catalog: Catalog, words: str, limit: int = 8) -> list[Question]:
    """Questions matching the words: those containing all of them first, then the most matched.

    Among equals, a question that has the words as one phrase (in its text or id) comes first, then
    the one whose id has more of them, then the shorter one: "tell me about yourself" finds
    tell-me-about-yourself before a question that merely contains all four words somewhere.
    """
    terms = [w for w in re.findall(r"[a-z0-9']+", words.lower()) if len(w) > 1 or w.isdigit()]
    if not terms:
        return []
    stems = [_stem(t) for t in terms]
    phrase = " ".join(re.findall(r"[a-z0-9']+", words.lower()))
    scored = []
    for q in catalog.questions.values():
        text = " ".join(re.findall(r"[a-z0-9']+", q.text.lower()))
        qid = q.id.replace("-", " ")
        hay = f"{qid} {text} {' '.join(q.tags)}"
        hits = sum(1 for t, s in zip(terms, stems) if t in hay or s in hay)
        if hits:
            as_phrase = phrase in f" {text} " or phrase in qid
            in_id = sum(1 for t in terms if t in qid.split())
            scored.append(((-hits, not as_phrase, -in_id, len(q.text), q.id), q))
    scored.sort(key=lambda item: item[0])
    return [q for _key, q in scored[:limit]]


def check_date(text: str) -> str:
    """A user-typed date as ISO ``YYYY-MM-DD``, or a :class:`RedrillError` saying how to write it."""
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise RedrillError(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20") from None
