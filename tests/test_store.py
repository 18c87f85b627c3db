"""The SQLite store: schema, migrations, upgrades with data, permissions, concurrency."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import datetime, timedelta, timezone

import pytest

from redrill.errors import RedrillError
from redrill.scoring import Metrics
from redrill.store import MIGRATIONS, SCHEMA_VERSION, Store

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)

EXPECTED_SCHEMA = {
    "attempts": [
        ("id", "INTEGER"),
        ("question_id", "TEXT"),
        ("question_text", "TEXT"),
        ("created_at", "TEXT"),
        ("source", "TEXT"),
        ("audio_path", "TEXT"),
        ("status", "TEXT"),
        ("transcript_json", "TEXT"),
        ("metrics_json", "TEXT"),
        ("audio_seconds", "REAL"),
        ("error", "TEXT"),
        ("interview_id", "INTEGER"),
        ("follow_up_of", "INTEGER"),
    ],
    "interviews": [
        ("id", "INTEGER"),
        ("company", "TEXT"),
        ("role", "TEXT"),
        ("date", "TEXT"),
        ("stage", "TEXT"),
        ("went_well", "TEXT"),
        ("to_change", "TEXT"),
        ("created_at", "TEXT"),
    ],
    "question_flags": [
        ("id", "INTEGER"),
        ("interview_id", "INTEGER"),
        ("question_id", "TEXT"),
        ("question_text", "TEXT"),
        ("rating", "TEXT"),
        ("wish_i_said", "TEXT"),
        ("note", "TEXT"),
        ("created_at", "TEXT"),
    ],
    "question_state": [
        ("question_id", "TEXT"),
        ("talking_points", "TEXT"),
        ("weak", "INTEGER"),
        ("mastered", "INTEGER"),
        ("card", "TEXT"),
        ("due", "TEXT"),
        ("updated_at", "TEXT"),
    ],
    "mock_interviews": [
        ("id", "INTEGER"),
        ("source", "TEXT"),
        ("scorecard", "TEXT"),
        ("created_at", "TEXT"),
    ],
    "prep_sets": [
        ("name", "TEXT"),
        ("title", "TEXT"),
        ("job_text", "TEXT"),
        ("data", "TEXT"),
        ("created_at", "TEXT"),
    ],
    "reviews": [
        ("id", "INTEGER"),
        ("question_id", "TEXT"),
        ("attempt_id", "INTEGER"),
        ("rating", "INTEGER"),
        ("reviewed_at", "TEXT"),
        ("due", "TEXT"),
    ],
}


EXPECTED_INDEXES = {
    "question_flags_by_question",
    "attempts_by_question",
    "attempts_by_status",
    "reviews_by_question",
    "attempts_scored_metrics",
    "attempts_by_follow_up",
}


def schema_of(path) -> dict:
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: [(r[1], r[2]) for r in db.execute(f"PRAGMA table_info({t})")] for t in tables}
    finally:
        db.close()


def test_empty_database_migrates_to_expected_schema(tmp_path):
    path = tmp_path / "redrill.db"
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION == len(MIGRATIONS)
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert store.backup_path is None  # nothing to back up in a new database
        indexes = {
            r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
        }
        assert indexes == EXPECTED_INDEXES
        # progress and comparison read metrics through the covering index, not the table rows
        plan = " ".join(
            str(r)
            for r in store.db.execute(
                "EXPLAIN QUERY PLAN SELECT id, question_id, created_at, metrics_json FROM attempts WHERE status = 'scored' ORDER BY created_at, id"
            )
        )
        assert "COVERING INDEX attempts_scored_metrics" in plan
    assert schema_of(path) == EXPECTED_SCHEMA


def test_reopening_is_a_no_op(tmp_path):
    path = tmp_path / "redrill.db"
    Store(path).close()
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION
        assert store.backup_path is None


def make_v1_database(path):
    """A database as the first release left it, with data in it."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("COMMIT")
    db.execute(
        "INSERT INTO interviews (company, role, date, stage, went_well, to_change, created_at) VALUES ('Acme', 'Backend', '2026-10-30', 'onsite', '[\"intro\"]', '[]', '2026-10-30T18:00:00+00:00')"
    )
    db.execute(
        "INSERT INTO question_flags (interview_id, question_id, question_text, rating, wish_i_said, note, created_at) VALUES (1, 'failure-story', 'Tell me about a failure.', 'bombed', '[\"rolled back\"]', '', '2026-10-30T18:01:00+00:00')"
    )
    db.execute(
        "INSERT INTO attempts (question_id, question_text, created_at, source, audio_path, status, transcript_json, metrics_json)"
        " VALUES ('failure-story', 'Tell me about a failure.', '2026-10-31T10:00:00+00:00', 'text', NULL, 'scored', '{\"words\": []}', '{\"ramble_score\": 42}')"
    )
    db.close()


def test_upgrade_from_v1_keeps_data_and_backs_up(tmp_path):
    path = tmp_path / "redrill.db"
    make_v1_database(path)
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION
        assert store.backup_path is not None and store.backup_path.exists()
        [attempt] = store.attempts()
        assert attempt.question_id == "failure-story"
        assert attempt.metrics == Metrics(ramble_score=42)
        assert attempt.audio_seconds is None and attempt.error is None
        [interview] = store.interviews()
        assert (interview.company, interview.went_well) == ("Acme", ["intro"])
        [flag] = store.flags()
        assert (flag.rating, flag.wish_i_said) == ("bombed", ["rolled back"])
        # the new tables work
        store.set_state("failure-story", weak=True, now=T0)
        state = store.get_state("failure-story")
        assert state is not None and state.weak is True
    assert schema_of(path) == EXPECTED_SCHEMA
    backup = sqlite3.connect(store.backup_path)
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT count(*) FROM attempts").fetchone()[0] == 1
    backup.close()
    assert stat.S_IMODE(store.backup_path.stat().st_mode) == 0o600


def test_upgrade_from_v3_adds_interview_practice_and_keeps_data(tmp_path):
    """Migration 4 on a database of the previous version with data in it: every row stays, old
    attempts are not follow-ups, and the new tables work."""
    from redrill.store import add_mock, follow_up_links, link_follow_up, mocks, prep_sets, save_prep

    path = tmp_path / "redrill.db"
    make_v1_database(path)
    db = sqlite3.connect(path, isolation_level=None)
    for number in (2, 3):
        db.execute("BEGIN")
        MIGRATIONS[number - 1](db)
        db.execute(f"PRAGMA user_version = {number}")
        db.execute("COMMIT")
    db.close()
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION == 4
        assert store.backup_path is not None
        [attempt] = store.attempts()
        assert attempt.metrics is not None and attempt.metrics.ramble_score == 42
        assert follow_up_links(store) == {}
        second = store.add_attempt(
            question_id="failure-story/follow-up", question_text="And?", source="text", status="scored"
        )
        link_follow_up(store, second, attempt.id)
        assert follow_up_links(store) == {second: attempt.id}
        save_prep(store, name="acme", title="Backend", job_text="ad", data={"name": "acme"}, created_at=T0)
        save_prep(store, name="acme", title="Backend 2", job_text="ad 2", data={"name": "acme"}, created_at=T0)
        assert [(r.name, r.title) for r in prep_sets(store)] == [("acme", "Backend 2")]
        add_mock(store, source="weak", scorecard={"overall": {"score": 70}}, created_at=T0)
        assert mocks(store)[0].scorecard == {"overall": {"score": 70}}
        # deleting the main attempt keeps the follow-up row (its link is cleared): forget removes both
        store.delete_attempts([attempt.id])
        assert follow_up_links(store) == {}
    assert schema_of(path) == EXPECTED_SCHEMA


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    path = tmp_path / "redrill.db"
    make_v1_database(path)

    def broken(db):
        db.execute("ALTER TABLE attempts ADD COLUMN audio_seconds REAL")
        raise sqlite3.OperationalError("simulated failure half way")

    monkeypatch.setattr("redrill.store.MIGRATIONS", [MIGRATIONS[0], broken])
    with pytest.raises(RedrillError, match="simulated failure"):
        Store(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "audio_seconds" not in [r[1] for r in db.execute("PRAGMA table_info(attempts)")]
    assert db.execute("SELECT count(*) FROM attempts").fetchone()[0] == 1
    db.close()


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "redrill.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(RedrillError, match="newer redrill"):
        Store(path)


def test_not_a_database_gives_clear_error(tmp_path):
    path = tmp_path / "redrill.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RedrillError, match="is not an SQLite database"):
        Store(path)


def test_database_file_is_private(tmp_path):
    path = tmp_path / "redrill.db"
    with Store(path) as store:
        store.add_attempt(question_id="q", question_text="Q?", source="text", status="scored", created_at=T0)
        for suffix in ("", "-wal", "-shm"):
            f = path.with_name(path.name + suffix)
            if f.exists():
                assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_attempt_round_trip_and_ordering(tmp_path):
    with Store(tmp_path / "db") as store:
        ids = [
            store.add_attempt(
                question_id="q1" if i % 2 == 0 else "q2",
                question_text="Q?",
                source="transcript",
                status="scored",
                created_at=T0 + timedelta(days=i),
                transcript={"words": [{"word": "hi"}]},
                metrics=Metrics(ramble_score=50 - i),
            )
            for i in range(5)
        ]
        assert [a.id for a in store.attempts("q1")] == [ids[0], ids[2], ids[4]]
        assert [a.id for a in store.attempts(newest_first=True, limit=2)] == [ids[4], ids[3]]
        assert [m.ramble_score for _, _, _, m in store.scored_metrics("q2")] == [49, 47]
        rec = store.add_attempt(
            question_id="q1",
            question_text="Q?",
            source="microphone",
            status="recorded",
            audio_path="recordings/x.ogg",
            audio_seconds=3.5,
        )
        assert [a.id for a in store.pending_attempts()] == [rec]
        store.update_attempt(rec, status="scored", metrics=Metrics(ramble_score=1))
        assert store.pending_attempts() == []
        with pytest.raises(ValueError):
            store.update_attempt(rec, status="bogus")
        with pytest.raises(RedrillError, match="no attempt #999"):
            store.get_attempt(999)


def test_transaction_is_all_or_nothing(tmp_path):
    with Store(tmp_path / "db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.add_attempt(question_id="q", question_text="Q?", source="text", status="scored")
            raise RuntimeError("boom")
        assert store.attempts() == []


def test_two_connections_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "db"
    Store(path).close()
    errors = []

    def writer(tag):
        try:
            with Store(path) as store:
                for i in range(50):
                    store.add_attempt(question_id=f"{tag}-{i}", question_text="Q?", source="text", status="scored")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(path) as store:
        assert len(store.attempts()) == 150
