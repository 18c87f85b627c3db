"""The SQLite store: one database file in the data home.

Schema changes are numbered migration functions, applied on every open, each in its own
transaction; ``PRAGMA user_version`` records how far a database has come. Before an existing
database is upgraded it is copied aside (``redrill.db.v1-backup-...``), so an upgrade can never
cost the user their history.

The store only moves rows; it knows nothing about scoring or scheduling.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from redrill.errors import RedrillError
from redrill.paths import private_file
from redrill.scoring.metrics import Metrics

SOURCES = ("microphone", "audio_file", "transcript", "text")
STATUSES = ("recorded", "transcribed", "scored")
RATINGS = ("bombed", "shaky", "ok", "nailed")
BUSY_TIMEOUT_MS = 10_000
_SQLITE_BUSY = 5  # SQLite's primary result code for "database is locked"


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def to_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC datetime")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


# --- migrations -----------------------------------------------------------------------------


def _m001_core(db: sqlite3.Connection) -> None:
    """Interviews (debriefs), the questions flagged in them, and answer attempts."""
    db.execute(
        """CREATE TABLE interviews (
            id INTEGER PRIMARY KEY,
            company TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL DEFAULT '',
            date TEXT,
            stage TEXT NOT NULL DEFAULT '',
            went_well TEXT NOT NULL DEFAULT '[]',
            to_change TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE question_flags (
            id INTEGER PRIMARY KEY,
            interview_id INTEGER REFERENCES interviews(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            question_text TEXT NOT NULL,
            rating TEXT NOT NULL CHECK (rating IN ('bombed', 'shaky', 'ok', 'nailed')),
            wish_i_said TEXT NOT NULL DEFAULT '[]',
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX question_flags_by_question ON question_flags(question_id)")
    db.execute(
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            question_id TEXT NOT NULL,
            question_text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('microphone', 'audio_file', 'transcript', 'text')),
            audio_path TEXT,
            status TEXT NOT NULL CHECK (status IN ('recorded', 'transcribed', 'scored')),
            transcript_json TEXT,
            metrics_json TEXT
        )"""
    )
    db.execute("CREATE INDEX attempts_by_question ON attempts(question_id, created_at)")


def _m002_scheduling(db: sqlite3.Connection) -> None:
    """Per-question drill state (weak list, FSRS card), review log, and attempt details."""
    db.execute("ALTER TABLE attempts ADD COLUMN audio_seconds REAL")
    db.execute("ALTER TABLE attempts ADD COLUMN error TEXT")
    db.execute("ALTER TABLE attempts ADD COLUMN interview_id INTEGER REFERENCES interviews(id) ON DELETE SET NULL")
    db.execute("CREATE INDEX attempts_by_status ON attempts(status)")
    db.execute(
        """CREATE TABLE question_state (
            question_id TEXT PRIMARY KEY,
            talking_points TEXT NOT NULL DEFAULT '[]',
            weak INTEGER NOT NULL DEFAULT 0,
            mastered INTEGER NOT NULL DEFAULT 0,
            card TEXT,
            due TEXT,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            question_id TEXT NOT NULL,
            attempt_id INTEGER REFERENCES attempts(id) ON DELETE SET NULL,
            rating INTEGER NOT NULL,
            reviewed_at TEXT NOT NULL,
            due TEXT
        )"""
    )
    db.execute("CREATE INDEX reviews_by_question ON reviews(question_id, reviewed_at)")


def _m003_metrics_index(db: sqlite3.Connection) -> None:
    """A covering index of scored attempts' metrics.

    Transcripts are large and sit in the same rows; with this index ``progress``, ``history`` and
    the comparison with earlier attempts read metrics without wading through transcripts (10,000
    attempts: the metrics query goes from about 0.10 s to 0.03 s).
    """
    db.execute("CREATE INDEX attempts_scored_metrics ON attempts(status, created_at, id, question_id, metrics_json)")


def _m004_interview_practice(db: sqlite3.Connection) -> None:
    """Practising for the next interview: follow-up answers linked to the answer they followed,
    prep sets made from a job description, and mock interviews with their scorecards.

    Additive only: a new nullable column and two new tables, so older rows need no change.
    """
    db.execute("ALTER TABLE attempts ADD COLUMN follow_up_of INTEGER REFERENCES attempts(id) ON DELETE SET NULL")
    db.execute("CREATE INDEX attempts_by_follow_up ON attempts(follow_up_of) WHERE follow_up_of IS NOT NULL")
    db.execute(
        """CREATE TABLE prep_sets (
            name TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            job_text TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE mock_interviews (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            scorecard TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _m001_core,
    _m002_scheduling,
    _m003_metrics_index,
    _m004_interview_practice,
]
SCHEMA_VERSION = len(MIGRATIONS)


# --- rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One answer to one question, at some stage of processing."""

    id: int
    question_id: str
    question_text: str
    created_at: datetime
    source: str
    status: str
    audio_path: str | None = None
    audio_seconds: float | None = None
    transcript: dict | None = None
    metrics: Metrics | None = None  # None until scored
    interview_id: int | None = None
    error: str | None = None
    damage: tuple[str, ...] = ()  # stored fields that could not be read (see :mod:`redrill.store` "damage")

    @property
    def date_damaged(self) -> bool:
        return any(d.startswith("created_at:") for d in self.damage)


@dataclass(frozen=True)
class Interview:
    id: int
    company: str
    role: str
    date: str | None
    stage: str
    went_well: list[str]
    to_change: list[str]
    created_at: datetime
    damage: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flag:
    """A question as it went in one interview, and what the user wishes they had said."""

    id: int
    interview_id: int | None
    question_id: str
    question_text: str
    rating: str
    wish_i_said: list[str]
    note: str
    created_at: datetime
    damage: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionState:
    """What redrill remembers about drilling one question."""

    question_id: str
    talking_points: list[str]
    weak: bool
    mastered: bool
    card: dict | None
    due: datetime | None
    updated_at: datetime
    damage: tuple[str, ...] = ()


_ATTEMPT_COLUMNS = (
    "id, question_id, question_text, created_at, source, status, audio_path, audio_seconds, "
    "transcript_json, metrics_json, interview_id, error"
)


# --- damage -----------------------------------------------------------------------------------
# A stored field that does not parse (JSON cut short, NaN inside JSON, a date that is not a date) is
# damage: a disk error, a sync tool or a hand edit put it there, never redrill's own writes (they
# refuse NaN and write ISO dates). It is read as "missing" (None, [], or EPOCH for a required date),
# named in the row's ``damage`` and in :attr:`Store.damage`, and never written back: commands show
# the row as damaged or leave it out of figures with a warning, and doctor repairs it.

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(text: str | None, column: str, damage: list[str], kind: type = dict):
    """Stored JSON of type ``kind``, or None (with the reason added to ``damage``)."""
    if text is None or text == "":
        return None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, TypeError, RecursionError):
        damage.append(f"{column}: not valid JSON")
        return None
    if not isinstance(value, kind):
        damage.append(f"{column}: not a JSON {'object' if kind is dict else 'list'}")
        return None
    return value


def read_date(text: str | None, column: str, damage: list[str]) -> datetime | None:
    """A stored ISO date (UTC when it carries no zone), or None (with the reason added to ``damage``)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except (ValueError, TypeError):
        damage.append(f"{column}: {text!r} is not a date")
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just wrote (sqlite3 types ``lastrowid`` optional: it is None
    only on a cursor that has written no row)."""
    row_id = cursor.lastrowid
    if row_id is None:
        raise RuntimeError("the database gave no id for the row just written")
    return row_id


def _attempt(row: tuple) -> Attempt:
    damage: list[str] = []
    created = read_date(row[3], "created_at", damage) or EPOCH
    transcript = read_json(row[8], "transcript_json", damage)
    raw_metrics = read_json(row[9], "metrics_json", damage)
    return Attempt(
        id=row[0],
        question_id=row[1],
        question_text=row[2],
        created_at=created,
        source=row[4],
        status=row[5],
        audio_path=row[6],
        audio_seconds=row[7],
        transcript=transcript,
        metrics=None if raw_metrics is None else Metrics.from_dict(raw_metrics),
        interview_id=row[10],
        error=row[11],
        damage=tuple(damage),
    )


def _metrics(text: str | None) -> Metrics | None:
    """Stored metrics JSON as the typed model: the one place where it is converted."""
    raw = read_json(text, "metrics_json", [])
    return None if raw is None else Metrics.from_dict(raw)


def _filtered(sql: str, conditions: list[tuple[str, Any]]) -> tuple[str, list[Any]]:
    """``sql`` with a WHERE clause of the ``(clause, value)`` conditions whose value is given (None: no
    filter on it), and the values to bind."""
    given = [(clause, value) for clause, value in conditions if value is not None]
    if given:
        sql += " WHERE " + " AND ".join(clause for clause, _ in given)
    return sql, [value for _, value in given]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class Store:
    """A connection to the redrill database. Use as a context manager or call :meth:`close`."""

    def __init__(self, path: Path, *, backup: bool = True):
        from redrill import dbfaults

        self.path = Path(path)
        self.backup_path: Path | None = None
        self.read_only = False
        # (table, row id, what) of every damaged field met while reading, for the warning and doctor.
        self.damage: list[tuple[str, object, str]] = []
        if self.path.is_symlink():  # never followed out of the data home, dangling or not
            raise dbfaults.symlink(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            self._create()
        read_only = dbfaults.why_read_only(self.path)
        if read_only is None:
            private_file(self.path)
        try:
            if read_only is not None:
                self._open_read_only(read_only)
                return
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._check_ours()  # before anything writes: switching to WAL rewrites the file's header
            mode = self._to_wal()
            if mode.lower() != "wal":
                self.db.execute("PRAGMA journal_mode = DELETE")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate(backup)
        except sqlite3.Error as exc:
            self._close_quietly()
            raise dbfaults.explain(exc, self.path) from None
        except RedrillError:
            self._close_quietly()
            raise

    def _create(self) -> None:
        """Create the file user-only before SQLite touches it (SQLite gives -wal/-shm the same mode)."""
        from redrill import dbfaults

        try:
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600))
        except FileExistsError:
            pass  # another redrill created it first
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise dbfaults.full(self.path) from None
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise dbfaults.read_only(self.path) from None
            raise dbfaults.DatabaseError(
                "cannot-open",
                self.path,
                f"cannot create the database {self.path} ({exc.strerror})",
                "Check the folder.",
            ) from None

    def _open_read_only(self, reason: str) -> None:
        """A database on a read-only disk (or not writable): readable, so no history is out of reach."""
        from redrill import dbfaults

        self.read_only = True
        # On a read-only disk nothing else can be writing the file: SQLite may skip its locks (and the
        # -shm file it cannot create there). Otherwise plain read-only mode.
        mode = "immutable=1" if dbfaults.disk_is_read_only(self.path.parent) else "mode=ro"
        uri = f"file:{quote(str(self.path.resolve()))}?{mode}"
        self.db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        self._check_ours()
        current = self.version
        if current > SCHEMA_VERSION:
            self._migrate(backup=False)  # says "from a newer redrill"
        if current < SCHEMA_VERSION:
            err = dbfaults.read_only(self.path, reason)
            raise dbfaults.DatabaseError(
                "read-only",
                self.path,
                f"{err.problem}; it is from an older redrill (schema {current}) and must be upgraded, which writes",
                err.fix,
            )

    def _to_wal(self) -> str:
        """Switch to WAL, waiting out other redrills doing the same on a new file.

        The switch writes the file header from inside its own read transaction, and SQLite never
        waits (no busy handler) when a reader must become a writer: a second redrill opening the
        same new database at that moment gets "database is locked" at once. So retry, for as long
        as the busy timeout would have waited.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.002
        while True:
            try:
                return str(self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == _SQLITE_BUSY
                if not busy or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _check_ours(self) -> None:
        """Refuse an SQLite file of another program: redrill's tables are never added to it."""
        from redrill import dbfaults

        # Both read in one read transaction: another redrill creating the tables between two
        # separate reads would make a new redrill database look like someone else's.
        self.db.execute("BEGIN")
        try:
            tables = [
                r[0]
                for r in self.db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            version = self.version
        finally:
            self.db.execute("COMMIT")
        if (version == 0 and tables) or (version > 0 and "attempts" not in tables):
            raise dbfaults.foreign(self.path, tables)

    def _close_quietly(self) -> None:
        db = getattr(self, "db", None)
        if db is not None:
            try:
                db.close()
            except sqlite3.Error:
                pass

    # -- life cycle

    def _noted(self, table: str, row_id, damage) -> None:
        for what in damage:
            if (table, row_id, what) not in self.damage:
                self.damage.append((table, row_id, what))

    def _attempt(self, row: tuple) -> Attempt:
        attempt = _attempt(row)
        self._noted("attempts", attempt.id, attempt.damage)
        return attempt

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE): all or nothing, and serialised across processes."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def _migrate(self, backup: bool) -> None:
        current = self.version
        if current > SCHEMA_VERSION:
            from redrill.dbfaults import DatabaseError

            raise DatabaseError(
                "newer",
                self.path,
                f"the database {self.path} is from a newer redrill (schema {current}, this one knows {SCHEMA_VERSION})",
                "To use it, upgrade redrill; this one leaves the file as it is.",
            )
        if current == SCHEMA_VERSION:
            return
        if current > 0 and backup:
            self.backup_path = self._backup(current)
        for number in range(current + 1, SCHEMA_VERSION + 1):
            with self.transaction() as db:
                # Another process may have migrated while we waited for the write lock.
                if db.execute("PRAGMA user_version").fetchone()[0] >= number:
                    continue
                MIGRATIONS[number - 1](db)
                db.execute(f"PRAGMA user_version = {number}")

    def _backup(self, version: int) -> Path:
        return self.copy_beside(f"v{version}")

    def copy_beside(self, reason: str) -> Path:
        """A copy of the whole database next to it, ``<name>.<reason>-backup-<UTC stamp>``, user-only from
        the moment it exists (it holds every transcript), made before a migration or a repair."""
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.{reason}-backup-{stamp}")
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
        copy = sqlite3.connect(target)
        try:
            self.db.backup(copy)
        finally:
            copy.close()
        private_file(target)
        return target

    # -- attempts

    def add_attempt(
        self,
        *,
        question_id: str,
        question_text: str,
        source: str,
        status: str,
        created_at: datetime | None = None,
        audio_path: str | None = None,
        audio_seconds: float | None = None,
        transcript: dict | None = None,
        metrics: Metrics | None = None,
        interview_id: int | None = None,
        error: str | None = None,
    ) -> int:
        """Store a new attempt and return its id."""
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO attempts (question_id, question_text, created_at, source, status, audio_path,"
                " audio_seconds, transcript_json, metrics_json, interview_id, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    question_id,
                    question_text,
                    to_iso(created_at or utcnow()),
                    source,
                    status,
                    audio_path,
                    audio_seconds,
                    None if transcript is None else _dumps(transcript),
                    None if metrics is None else _dumps(metrics.to_dict()),
                    interview_id,
                    error,
                ),
            )
            return _inserted_id(cur)

    def update_attempt(self, attempt_id: int, **fields: Any) -> None:
        """Change some fields of an attempt (status, transcript, metrics, audio_path, audio_seconds, error)."""
        columns = {
            "status": lambda v: v,
            "audio_path": lambda v: v,
            "audio_seconds": lambda v: v,
            "error": lambda v: v,
            "transcript": lambda v: None if v is None else _dumps(v),
            "metrics": lambda v: None if v is None else _dumps(v.to_dict()),
        }
        names = {"transcript": "transcript_json", "metrics": "metrics_json"}
        unknown = set(fields) - set(columns)
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        if "status" in fields and fields["status"] not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        sets = ", ".join(f"{names.get(k, k)} = ?" for k in fields)
        values = [columns[k](v) for k, v in fields.items()]
        with self.transaction() as db:
            cur = db.execute(f"UPDATE attempts SET {sets} WHERE id = ?", (*values, attempt_id))
            if cur.rowcount != 1:
                raise RedrillError(f"no attempt #{attempt_id}")

    def get_attempt(self, attempt_id: int) -> Attempt:
        row = self.db.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise RedrillError(f"no attempt #{attempt_id}; run `redrill history` to see attempt numbers")
        return self._attempt(row)

    def attempts(
        self,
        question_id: str | None = None,
        *,
        status: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
        before_id: int | None = None,
    ) -> list[Attempt]:
        """Attempts, oldest first unless ``newest_first``; filtered by question and status."""
        sql, args = _filtered(
            f"SELECT {_ATTEMPT_COLUMNS} FROM attempts",
            [("question_id = ?", question_id), ("status = ?", status), ("id < ?", before_id)],
        )
        order = "DESC" if newest_first else "ASC"
        sql += f" ORDER BY created_at {order}, id {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [self._attempt(r) for r in self.db.execute(sql, args)]

    def pending_attempts(self) -> list[Attempt]:
        """Attempts whose audio is stored but not yet transcribed or scored."""
        rows = self.db.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE status != 'scored' ORDER BY id")
        return [self._attempt(r) for r in rows]

    def scored_metrics(self, question_id: str | None = None) -> list[tuple[int, str, datetime, Metrics]]:
        """``(id, question_id, created_at, metrics)`` of scored attempts, oldest first (no transcripts: fast)."""
        sql = "SELECT id, question_id, created_at, metrics_json FROM attempts WHERE status = 'scored'"
        args: list = []
        if question_id is not None:
            sql += " AND question_id = ?"
            args.append(question_id)
        sql += " ORDER BY created_at, id"
        out = []
        for attempt_id, qid, created_text, metrics_text in self.db.execute(sql, args):
            if not metrics_text:
                continue
            damage: list[str] = []
            created = read_date(created_text, "created_at", damage)
            raw = read_json(metrics_text, "metrics_json", damage)
            # A figure without a sound date or sound numbers is left out, and reported (created_at is
            # NOT NULL, so a None date always comes with a damage note).
            if damage or created is None:
                self._noted("attempts", attempt_id, damage)
                continue
            out.append((attempt_id, qid, created, Metrics.from_dict(raw)))
        return out

    def delete_attempts(self, attempt_ids: list[int]) -> list[Attempt]:
        """Delete attempts (rows only; the caller removes audio files). Returns what was deleted."""
        gone = []
        with self.transaction() as db:
            for attempt_id in attempt_ids:
                row = db.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
                if row is None:
                    continue
                gone.append(self._attempt(row))
                db.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
        return gone

    def compact(self) -> None:
        """Reclaim the space of deleted rows so deleted data is not left in the file."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- interviews and flags

    def add_interview(
        self,
        *,
        company: str = "",
        role: str = "",
        date: str | None = None,
        stage: str = "",
        went_well: Sequence[str] = (),
        to_change: Sequence[str] = (),
        created_at: datetime | None = None,
    ) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO interviews (company, role, date, stage, went_well, to_change, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    company,
                    role,
                    date,
                    stage,
                    _dumps(list(went_well)),
                    _dumps(list(to_change)),
                    to_iso(created_at or utcnow()),
                ),
            )
            return _inserted_id(cur)

    def interviews(self) -> list[Interview]:
        rows = self.db.execute(
            "SELECT id, company, role, date, stage, went_well, to_change, created_at FROM interviews ORDER BY COALESCE(date, created_at) DESC, id DESC"
        )
        return [self._interview(r) for r in rows]

    def get_interview(self, interview_id: int) -> Interview:
        row = self.db.execute(
            "SELECT id, company, role, date, stage, went_well, to_change, created_at FROM interviews WHERE id = ?",
            (interview_id,),
        ).fetchone()
        if row is None:
            raise RedrillError(f"no interview #{interview_id}; run `redrill interviews` to list them")
        return self._interview(row)

    def _interview(self, r: tuple) -> Interview:
        damage: list[str] = []
        went_well = read_json(r[5], "went_well", damage, list) or []
        to_change = read_json(r[6], "to_change", damage, list) or []
        created = read_date(r[7], "created_at", damage) or EPOCH
        self._noted("interviews", r[0], damage)
        return Interview(r[0], r[1], r[2], r[3], r[4], went_well, to_change, created, tuple(damage))

    def add_flag(
        self,
        *,
        question_id: str,
        question_text: str,
        rating: str,
        interview_id: int | None = None,
        wish_i_said: Sequence[str] = (),
        note: str = "",
        created_at: datetime | None = None,
    ) -> int:
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}")
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO question_flags (interview_id, question_id, question_text, rating, wish_i_said, note, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    interview_id,
                    question_id,
                    question_text,
                    rating,
                    _dumps(list(wish_i_said)),
                    note,
                    to_iso(created_at or utcnow()),
                ),
            )
            return _inserted_id(cur)

    def flags(self, *, interview_id: int | None = None, question_id: str | None = None) -> list[Flag]:
        sql, args = _filtered(
            "SELECT id, interview_id, question_id, question_text, rating, wish_i_said, note, created_at FROM question_flags",
            [("interview_id = ?", interview_id), ("question_id = ?", question_id)],
        )
        sql += " ORDER BY id"
        flags = []
        for r in self.db.execute(sql, args):
            damage: list[str] = []
            wish = read_json(r[5], "wish_i_said", damage, list) or []
            created = read_date(r[7], "created_at", damage) or EPOCH
            self._noted("question_flags", r[0], damage)
            flags.append(Flag(r[0], r[1], r[2], r[3], r[4], wish, r[6], created, tuple(damage)))
        return flags

    # -- question state (scheduling)

    def get_state(self, question_id: str) -> QuestionState | None:
        row = self.db.execute(
            "SELECT question_id, talking_points, weak, mastered, card, due, updated_at FROM question_state WHERE question_id = ?",
            (question_id,),
        ).fetchone()
        return None if row is None else self._state(row)

    def states(self) -> list[QuestionState]:
        rows = self.db.execute(
            "SELECT question_id, talking_points, weak, mastered, card, due, updated_at FROM question_state ORDER BY question_id"
        )
        return [self._state(r) for r in rows]

    def _state(self, r: tuple) -> QuestionState:
        damage: list[str] = []
        state = QuestionState(
            r[0],
            read_json(r[1], "talking_points", damage, list) or [],
            bool(r[2]),
            bool(r[3]),
            read_json(r[4], "card", damage),
            read_date(r[5], "due", damage),
            read_date(r[6], "updated_at", damage) or EPOCH,
        )
        self._noted("question_state", r[0], damage)
        return dataclasses.replace(state, damage=tuple(damage)) if damage else state

    def set_state(
        self,
        question_id: str,
        *,
        now: datetime | None = None,
        **fields: Any,
    ) -> None:
        """Create or update a question's state; only the given fields change.

        Fields: talking_points (list), weak (bool), mastered (bool), card (dict or None),
        due (datetime or None).
        """
        encode = {
            "talking_points": lambda v: _dumps(list(v)),
            "weak": lambda v: int(bool(v)),
            "mastered": lambda v: int(bool(v)),
            "card": lambda v: None if v is None else _dumps(v),
            "due": lambda v: None if v is None else to_iso(v),
        }
        unknown = set(fields) - set(encode)
        if unknown:
            raise ValueError(f"cannot set {sorted(unknown)}")
        stamp = to_iso(now or utcnow())
        with self.transaction() as db:
            db.execute(
                "INSERT INTO question_state (question_id, updated_at) VALUES (?, ?) ON CONFLICT(question_id) DO NOTHING",
                (question_id, stamp),
            )
            if fields:
                sets = ", ".join(f"{k} = ?" for k in fields)
                db.execute(
                    f"UPDATE question_state SET {sets}, updated_at = ? WHERE question_id = ?",
                    (*(encode[k](v) for k, v in fields.items()), stamp, question_id),
                )

    def add_review(
        self,
        *,
        question_id: str,
        rating: int,
        reviewed_at: datetime,
        due: datetime | None,
        attempt_id: int | None = None,
    ) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO reviews (question_id, attempt_id, rating, reviewed_at, due) VALUES (?, ?, ?, ?, ?)",
                (question_id, attempt_id, rating, to_iso(reviewed_at), None if due is None else to_iso(due)),
            )
            return _inserted_id(cur)

    def reviews(
        self, question_id: str | None = None
    ) -> list[tuple[int, str, int | None, int, datetime, datetime | None]]:
        sql, args = _filtered(
            "SELECT id, question_id, attempt_id, rating, reviewed_at, due FROM reviews",
            [("question_id = ?", question_id)],
        )
        sql += " ORDER BY reviewed_at, id"
        out = []
        for r in self.db.execute(sql, args):
            damage: list[str] = []
            reviewed = read_date(r[4], "reviewed_at", damage) or EPOCH
            due = read_date(r[5], "due", damage)
            self._noted("reviews", r[0], damage)
            out.append((r[0], r[1], r[2], r[3], reviewed, due))
        return out

    def question_texts(self) -> dict[str, str]:
        """``{question_id: text}`` as stored with each question's latest attempt (fast: no transcripts)."""
        # SQLite takes the bare column from the row that holds MAX(): the latest attempt's text.
        rows = self.db.execute("SELECT question_id, question_text, MAX(created_at) FROM attempts GROUP BY question_id")
        return {r[0]: r[1] for r in rows}

    def progress_figures(self, question_id: str | None = None) -> list[tuple[int, str, str, str, int | None]]:
        """``(id, question_id, created_at ISO, figures JSON, long pauses)`` of scored attempts, oldest
        first (damaged ones left out and noted in :attr:`damage`).

        ``figures`` is a JSON array ``[duration_s, over_target_s, under_target_s, target_s,
        fillers_per_min, ramble_score, voice.pitch_range_st, voice.trailing_share]`` and ``long
        pauses`` the length of the ``long_pauses`` list (None when it is not a list), both picked out
        of the metrics by SQLite, so
        ``redrill progress`` neither parses whole metrics in Python nor builds datetimes it does
        not show (the fast path for many thousands of attempts).
        """
        # Damage would stop json_extract (malformed JSON) or the parsing of the dates shown: such
        # rows are left out and noted (json_valid in the same query; fromisoformat is C code).
        sql = (
            "SELECT id, question_id, created_at, CASE WHEN json_valid(metrics_json) THEN json_extract(metrics_json,"
            " '$.duration_s', '$.over_target_s', '$.under_target_s', '$.target_s', '$.fillers_per_min',"
            " '$.ramble_score', '$.voice.pitch_range_st', '$.voice.trailing_share') END,"
            " CASE WHEN json_valid(metrics_json) THEN CASE WHEN json_type(metrics_json, '$.long_pauses') = 'array'"
            " THEN json_array_length(metrics_json, '$.long_pauses') END END"
            " FROM attempts WHERE status = 'scored' AND metrics_json IS NOT NULL"
        )
        args: list = []
        if question_id is not None:
            sql += " AND question_id = ?"
            args.append(question_id)
        sql += " ORDER BY created_at, id"
        good = []
        for row in self.db.execute(sql, args):
            damage: list[str] = [] if row[3] is not None else ["metrics_json: not valid JSON"]
            read_date(row[2], "created_at", damage)
            if damage:
                self._noted("attempts", row[0], damage)
                continue
            good.append(row)
        return good


# --- interview practice: follow-ups, prep sets, mock interviews (migration 4) -------------------


@dataclass(frozen=True)
class PrepRow:
    """A stored prep set: its name, the job's title and text, and the set itself (JSON)."""

    name: str
    title: str
    job_text: str
    data: dict
    created_at: datetime


@dataclass(frozen=True)
class MockRow:
    """A stored mock interview: where its questions came from and its scorecard (JSON)."""

    id: int
    source: str
    scorecard: dict
    created_at: datetime


def link_follow_up(store: Store, attempt_id: int, main_attempt_id: int) -> None:
    """Mark an attempt as the answer to a follow-up question asked after ``main_attempt_id``."""
    with store.transaction() as db:
        cur = db.execute("UPDATE attempts SET follow_up_of = ? WHERE id = ?", (main_attempt_id, attempt_id))
        if cur.rowcount != 1:
            raise RedrillError(f"no attempt #{attempt_id}")


def follow_ups_of(store: Store, attempt_ids) -> list[int]:
    """The follow-up attempts linked to any of ``attempt_ids``."""
    ids = [int(i) for i in attempt_ids]
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT id FROM attempts WHERE follow_up_of IN ({marks}) ORDER BY id"
    return [r[0] for r in store.db.execute(sql, ids)]


def follow_up_links(store: Store) -> dict[int, int]:
    """``{follow-up attempt id: the attempt it followed}`` for every linked attempt."""
    rows = store.db.execute("SELECT id, follow_up_of FROM attempts WHERE follow_up_of IS NOT NULL")
    return {r[0]: r[1] for r in rows}


def save_prep(store: Store, *, name: str, title: str, job_text: str, data: dict, created_at: datetime) -> None:
    """Store a prep set, replacing one of the same name."""
    with store.transaction() as db:
        db.execute(
            "INSERT INTO prep_sets (name, title, job_text, data, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET title = excluded.title, job_text = excluded.job_text,"
            " data = excluded.data, created_at = excluded.created_at",
            (name, title, job_text, _dumps(data), to_iso(created_at)),
        )


def prep_sets(store: Store) -> list[PrepRow]:
    """Every stored prep set, newest first."""
    rows = store.db.execute("SELECT name, title, job_text, data, created_at FROM prep_sets ORDER BY created_at DESC")
    out = []
    for r in rows:
        damage: list[str] = []
        data = read_json(r[3], "data", damage)
        created = read_date(r[4], "created_at", damage) or EPOCH
        store._noted("prep_sets", r[0], damage)
        if data is not None:  # a set whose questions cannot be read is left out (and reported)
            out.append(PrepRow(r[0], r[1], r[2], data, created))
    return out


def delete_prep(store: Store, name: str) -> bool:
    """Delete a prep set; False when there was none of that name."""
    with store.transaction() as db:
        return db.execute("DELETE FROM prep_sets WHERE name = ?", (name,)).rowcount == 1


def add_mock(store: Store, *, source: str, scorecard: dict, created_at: datetime) -> int:
    """Store a finished mock interview's scorecard; returns its id."""
    with store.transaction() as db:
        cur = db.execute(
            "INSERT INTO mock_interviews (source, scorecard, created_at) VALUES (?, ?, ?)",
            (source, _dumps(scorecard), to_iso(created_at)),
        )
        return _inserted_id(cur)


def mocks(store: Store) -> list[MockRow]:
    """Every stored mock interview, oldest first."""
    rows = store.db.execute("SELECT id, source, scorecard, created_at FROM mock_interviews ORDER BY created_at, id")
    out = []
    for r in rows:
        damage: list[str] = []
        scorecard = read_json(r[2], "scorecard", damage)
        created = read_date(r[3], "created_at", damage)
        store._noted("mock_interviews", r[0], damage)
        if scorecard is not None and created is not None:  # left out of comparisons when damaged (and reported)
            out.append(MockRow(r[0], r[1], scorecard, created))
    return out


def open_store(paths) -> Store:
    """Open (creating and migrating as needed) the database of a data home."""
    paths.ensure()
    return Store(paths.database)
