"""Damaged rows: found, summarised, and repaired without losing anything.

The store reads a field that does not parse as missing and notes it (see :mod:`redrill.store`);
commands then show the row as damaged or leave it out of figures, and warn once at the end
(:func:`warning`). ``redrill doctor`` lists every damaged field (:func:`scan`); ``redrill doctor
--repair`` (:func:`repair`) first keeps a copy of the whole database, then rebuilds what can be
rebuilt from what is left:

* metrics: recomputed from the attempt's transcript (as ``redrill rescore`` does);
* a transcript: cleared, keeping the attempt's figures; ``redrill transcribe ID`` can redo it from
  the recording;
* a date: taken from the recording's file name, else placed just after the row before it;
* a list (what went well, what to change, what you wish you had said, talking points): read as far
  as it goes (``[clear intro`` gives ``["clear intro"]``);
* a schedule card or due date: cleared, so the question is scheduled afresh.

The copy (``redrill.db.repair-backup-<time>``) holds every damaged value exactly as it was.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from redrill.store import Store, read_date, read_json, to_iso, utcnow

Damage = tuple[str, object, str]  # (table, row id, what)


def _ids(damage: Iterable[Damage]) -> dict[str, list]:
    by_table: dict[str, list] = {}
    for table, row_id, _what in damage:
        ids = by_table.setdefault(table, [])
        if row_id not in ids:
            ids.append(row_id)
    return by_table


def warning(damage: list[Damage]) -> str:
    """The one line a command prints (on stderr) after meeting damaged rows."""
    by_table = _ids(damage)
    rows = sum(len(ids) for ids in by_table.values())
    where = "; ".join(f"{table} {', '.join(str(i) for i in ids)}" for table, ids in by_table.items())
    return (
        f"warning: {rows} damaged row(s) in the database were shown as damaged or left out ({where}); "
        "`redrill doctor` lists them, `redrill doctor --repair` repairs what can be rebuilt"
    )


def scan(store: Store) -> list[Damage]:
    """Read every row of every table through the store's tolerant readers; the damage found."""
    store.attempts()
    store.interviews()
    store.flags()
    store.states()
    store.reviews()
    from redrill.store import mocks, prep_sets

    prep_sets(store)
    mocks(store)
    return list(store.damage)


def describe(damage: list[Damage]) -> str:
    """Doctor's detail: a head line and one line per damaged field."""
    rows = sum(len(ids) for ids in _ids(damage).values())
    lines = [f"{len(damage)} damaged field(s) in {rows} row(s) (shown as damaged or left out by every command):"]
    lines += [f"{table} {row_id}: {what}" for table, row_id, what in damage]
    return "\n".join(lines)


def backup(store: Store) -> Path:
    """A copy of the whole database next to it (user-only), made before anything is repaired."""
    return store.copy_beside("repair")


def salvage_list(text: str | None) -> list[str]:
    """As much of a stored list of phrases as can be read: JSON, else its items split at commas."""
    value = read_json(text, "", [], list)
    if value is not None:
        return [str(v) for v in value]
    inner = (text or "").strip().removeprefix("[").removesuffix("]")
    items = re.split(r'"\s*,\s*"|,', inner)
    return [item.strip().strip('"').strip() for item in items if item.strip().strip('"').strip()]


_STAMP = re.compile(r"(\d{8}-\d{6})")


def _date_from_recording(audio_path: str | None) -> datetime | None:
    match = _STAMP.search(Path(audio_path or "").name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _after_previous(db: sqlite3.Connection, table: str, column: str, row_id: int) -> datetime:
    """Just after the nearest earlier row with a sound date (ids grow with time), else now."""
    for (text,) in db.execute(f"SELECT {column} FROM {table} WHERE id < ? ORDER BY id DESC", (row_id,)):
        moment = read_date(text, column, [])
        if moment is not None:
            return moment + timedelta(microseconds=1)
    return utcnow()


def _redate(
    db: sqlite3.Connection, table: str, column: str, row_id: int, noun: str, moment: datetime | None = None
) -> str:
    """Give a row whose date cannot be read ``moment``, else a date just after the row before it; says what
    was done."""
    moment = moment or _after_previous(db, table, column, row_id)
    db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (to_iso(moment), row_id))
    return f"date of {noun} {row_id} set to {moment:%Y-%m-%d %H:%M:%S} UTC"


def _salvage(db: sqlite3.Connection, table: str, column: str, key: str, row_id, text: str | None) -> list[str] | None:
    """Rewrite a stored list of phrases that cannot be read as the part of it that can (see
    :func:`salvage_list`); returns what it kept, or None when the list reads as it is."""
    if read_json(text, column, [], list) is not None:
        return None
    items = salvage_list(text)
    db.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (json.dumps(items), row_id))
    return items


def repair(store: Store, catalog, config) -> tuple[Path | None, list[str]]:
    """Repair every damaged field (see the module docstring); returns (the copy kept, what was done)."""
    from redrill.pipeline import AttemptPipeline, question_for, talking_points_for
    from redrill.transcript import Transcript

    found = scan(store)
    if not found:
        return None, []
    kept = backup(store)
    done: list[str] = []
    db = store.db
    by_table = _ids(found)
    pipeline = AttemptPipeline(store, config)
    with store.transaction():
        for attempt_id in by_table.get("attempts", []):
            attempt = store.get_attempt(attempt_id)
            what = {d.split(":")[0] for d in attempt.damage}
            if "transcript_json" in what:
                db.execute("UPDATE attempts SET transcript_json = NULL WHERE id = ?", (attempt_id,))
                keep = "its figures stay" if "metrics_json" not in what else "it has no figures either"
                done.append(
                    f"transcript of attempt {attempt_id} could not be read: cleared ({keep}; "
                    f"`redrill transcribe {attempt_id}` redoes it from the recording, if there is one)"
                )
            if "metrics_json" in what:
                transcript = Transcript.from_json(attempt.transcript) if attempt.transcript else None
                if transcript is not None and transcript.words:
                    question = question_for(catalog, attempt)
                    metrics = pipeline.measure(question, transcript, talking_points_for(store, question))
                    store.update_attempt(attempt_id, metrics=metrics)
                    done.append(f"metrics of attempt {attempt_id} recomputed from its transcript")
                else:
                    status = "recorded" if attempt.audio_path else attempt.status
                    db.execute("UPDATE attempts SET metrics_json = NULL, status = ? WHERE id = ?", (status, attempt_id))
                    done.append(
                        f"metrics of attempt {attempt_id} could not be rebuilt (no readable transcript): cleared"
                        + (
                            "; `redrill transcribe --pending` redoes them from the recording"
                            if attempt.audio_path
                            else ""
                        )
                    )
            if "created_at" in what:
                moment = _date_from_recording(attempt.audio_path)
                done.append(_redate(db, "attempts", "created_at", attempt_id, "attempt", moment))
        for interview_id in by_table.get("interviews", []):
            row = db.execute("SELECT went_well, to_change, created_at FROM interviews WHERE id = ?", (interview_id,))
            went_well, to_change, created = row.fetchone()
            for column, text in (("went_well", went_well), ("to_change", to_change)):
                items = _salvage(db, "interviews", column, "id", interview_id, text)
                if items is not None:
                    done.append(f"{column} of interview {interview_id} read as far as it goes: {items}")
            if read_date(created, "created_at", []) is None:
                done.append(_redate(db, "interviews", "created_at", interview_id, "interview"))
        for flag_id in by_table.get("question_flags", []):
            wish, created = db.execute(
                "SELECT wish_i_said, created_at FROM question_flags WHERE id = ?", (flag_id,)
            ).fetchone()
            items = _salvage(db, "question_flags", "wish_i_said", "id", flag_id, wish)
            if items is not None:
                done.append(f"wish_i_said of flag {flag_id} read as far as it goes: {items}")
            if read_date(created, "created_at", []) is None:
                done.append(_redate(db, "question_flags", "created_at", flag_id, "flag"))
        for question_id in by_table.get("question_state", []):
            points, card, due, updated = db.execute(
                "SELECT talking_points, card, due, updated_at FROM question_state WHERE question_id = ?",
                (question_id,),
            ).fetchone()
            items = _salvage(db, "question_state", "talking_points", "question_id", question_id, points)
            if items is not None:
                done.append(f"talking points of {question_id} read as far as they go: {items}")
            if card is not None and read_json(card, "card", []) is None:
                db.execute("UPDATE question_state SET card = NULL, due = NULL WHERE question_id = ?", (question_id,))
                done.append(f"schedule card of {question_id} could not be read: cleared (it is scheduled afresh)")
            elif due is not None and read_date(due, "due", []) is None:
                db.execute("UPDATE question_state SET due = NULL WHERE question_id = ?", (question_id,))
                done.append(f"due date of {question_id} could not be read: cleared (it is due now)")
            if read_date(updated, "updated_at", []) is None:
                db.execute(
                    "UPDATE question_state SET updated_at = ? WHERE question_id = ?", (to_iso(utcnow()), question_id)
                )
        for review_id in by_table.get("reviews", []):
            attempt_id, reviewed, due = db.execute(
                "SELECT attempt_id, reviewed_at, due FROM reviews WHERE id = ?", (review_id,)
            ).fetchone()
            if read_date(reviewed, "reviewed_at", []) is None:
                answered: datetime | None = None
                if attempt_id is not None:
                    row = db.execute("SELECT created_at FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
                    answered = read_date(row[0], "created_at", []) if row else None
                done.append(_redate(db, "reviews", "reviewed_at", review_id, "review", answered))
            if due is not None and read_date(due, "due", []) is None:
                db.execute("UPDATE reviews SET due = NULL WHERE id = ?", (review_id,))
                done.append(f"due date of review {review_id} could not be read: cleared")
        for name in by_table.get("prep_sets", []):
            data, created = db.execute("SELECT data, created_at FROM prep_sets WHERE name = ?", (name,)).fetchone()
            if read_date(created, "created_at", []) is None:
                db.execute("UPDATE prep_sets SET created_at = ? WHERE name = ?", (to_iso(utcnow()), name))
                done.append(f"date of prep set {name} set to now")
            if read_json(data, "data", []) is None:
                done.append(
                    f"prep set {name}: its questions cannot be rebuilt (left as they were; make it again with "
                    f"`redrill prep JOB.txt --name {name}`)"
                )
        for mock_id in by_table.get("mock_interviews", []):
            scorecard, created = db.execute(
                "SELECT scorecard, created_at FROM mock_interviews WHERE id = ?", (mock_id,)
            ).fetchone()
            if read_date(created, "created_at", []) is None:
                done.append(_redate(db, "mock_interviews", "created_at", mock_id, "mock interview"))
            if read_json(scorecard, "scorecard", []) is None:
                done.append(f"scorecard of mock interview {mock_id} cannot be rebuilt (left as it was)")
    store.damage.clear()
    return kept, done
