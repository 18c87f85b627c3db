"""Every way the database can fail to open (or to take a write) is named for what it is, and
doctor's advice fits it and never hides the user's history; and redrill never follows a symlink
out of the data home, never takes over a folder or an SQLite file that is not its own.

Locked, damaged and foreign files are made for real in this process. A read-only disk and a full
disk are made for real too, in a private mount namespace (``unshare -m``: a read-only bind mount,
a tiny tmpfs), with redrill run as a subprocess inside it; without permission for that the test
fails saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from redrill import doctor
from redrill import store as store_module
from redrill.paths import Paths
from redrill.store import open_store


def seed(home: Path, n: int = 2) -> None:
    """A data home with ``n`` typed answers."""
    from click.testing import CliRunner

    from redrill.cli import main

    runner = CliRunner()
    for i in range(n):
        result = runner.invoke(
            main, ["--home", str(home), "answer", "failure-story", "--text", f"I rolled it back, take {i}."]
        )
        assert result.exit_code == 0, result.output


def rows(db_path: Path) -> list:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return db.execute("SELECT id, question_id, metrics_json FROM attempts ORDER BY id").fetchall()
    finally:
        db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def doctor_database(cli, monkeypatch):
    monkeypatch.setattr(doctor, "CHECKS", [doctor.check_database])
    result = cli("doctor")
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    detail = next(line for line in lines if " database: " in line)
    fix = next((line.strip().removeprefix("fix: ") for line in lines if line.strip().startswith("fix: ")), "")
    return result, detail, fix


HIDING = ("mv ", ".damaged", "starts a new database")


# --- locked -------------------------------------------------------------------------------------


def test_a_locked_database_is_called_locked_and_doctor_does_not_move_it(cli, redrill_home, monkeypatch):
    seed(redrill_home)
    db_path = redrill_home / "redrill.db"
    before = rows(db_path)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")  # another program holds the whole file
        result = cli("history")
        assert result.exit_code == 1 and "Traceback" not in result.stderr
        assert f"the database {db_path} is locked by another program" in result.stderr, result.stderr
        assert "damaged" not in result.stderr and "move it aside" not in result.stderr
        result, detail, fix = doctor_database(cli, monkeypatch)
        assert result.exit_code == 1
        assert "is locked by another program" in detail, detail
        assert f"fuser {db_path}" in fix and not any(h in fix for h in HIDING), fix
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert rows(db_path) == before
    assert cli("history").exit_code == 0  # once the other program lets go, all is well


# --- not a database, damaged --------------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_named_and_the_backup_is_offered(cli, redrill_home, monkeypatch):
    seed(redrill_home)
    db_path = redrill_home / "redrill.db"
    backup = redrill_home / "redrill.db.v2-backup-20261120T101500Z"
    shutil.copy(db_path, backup)
    for suffix in ("-wal", "-shm"):
        (redrill_home / f"redrill.db{suffix}").unlink(missing_ok=True)
    db_path.write_text("id,question_id,created_at\n1,failure-story,2026-11-20\n")  # e.g. a CSV export over it
    before = digest(db_path)
    result = cli("history")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"{db_path} is not an SQLite database (it starts with 'id,question_id,created_at')" in result.stderr
    result, detail, fix = doctor_database(cli, monkeypatch)
    assert "is not an SQLite database" in detail
    assert f"cp {backup} {db_path}" in fix and f"mv {db_path} {db_path}.not-a-database" in fix, fix
    assert digest(db_path) == before


def test_a_database_damaged_inside_gets_the_recover_advice_not_a_move(cli, redrill_home, monkeypatch):
    paths = Paths(redrill_home)
    store = open_store(paths)
    for i in range(300):
        store.add_attempt(question_id=f"q{i}", question_text="Q? " * 60, source="text", status="scored")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    raw = bytearray(paths.database.read_bytes())
    raw[3 * 4096 : 7 * 4096] = os.urandom(4 * 4096)
    paths.database.write_bytes(bytes(raw))
    result = cli("history", "--limit", "500")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"the database {paths.database} is damaged" in result.stderr, result.stderr
    assert f"sqlite3 {paths.database} .recover" in result.stderr


# --- not redrill's: symlinks, foreign folders, foreign SQLite files -----------------------------


def test_a_symlinked_database_is_refused_and_its_target_left_alone(cli, redrill_home, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "notes.db"
    target.write_bytes(b"")
    sqlite3.connect(target).close()
    os.chmod(target, 0o644)
    (redrill_home / "redrill.db").symlink_to(target)
    before = (digest(target), stat.S_IMODE(target.stat().st_mode))
    result = cli("history")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"{redrill_home / 'redrill.db'} is a symbolic link (to {target})" in result.stderr, result.stderr
    assert (digest(target), stat.S_IMODE(target.stat().st_mode)) == before, "the link's target was changed"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["notes.db"]


def test_a_dangling_database_symlink_creates_nothing_outside(cli, redrill_home, tmp_path):
    target = tmp_path / "outside" / "redrill.db"
    target.parent.mkdir()
    (redrill_home / "redrill.db").symlink_to(target)
    result = cli("answer", "failure-story", "--text", "I rolled it back.")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "is a symbolic link" in result.stderr and "which does not exist" in result.stderr, result.stderr
    assert list(target.parent.iterdir()) == [], "a database was created outside the data home"


def test_home_on_a_folder_that_is_not_redrills_is_refused_untouched(cli, tmp_path):
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "taxes-2025.pdf").write_bytes(b"%PDF-1.7")
    (documents / "photos").mkdir()
    os.chmod(documents, 0o755)
    result = cli("--home", documents, "answer", "failure-story", "--text", "I rolled it back.")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"{documents} is not a redrill data home" in result.stderr, result.stderr
    assert "photos" in result.stderr and "taxes-2025.pdf" in result.stderr
    assert stat.S_IMODE(documents.stat().st_mode) == 0o755, "the folder was chmodded"
    assert sorted(p.name for p in documents.iterdir()) == ["photos", "taxes-2025.pdf"]


def test_home_on_an_empty_or_own_folder_is_fine(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("--home", empty, "answer", "failure-story", "--text", "I rolled it back.").exit_code == 0
    (empty / "my-notes.txt").write_text("mine")  # a file of the user's in redrill's own home is fine
    assert cli("--home", empty, "history").exit_code == 0
    fresh = tmp_path / "new" / "home"
    assert cli("--home", fresh, "answer", "failure-story", "--text", "I rolled it back.").exit_code == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700


@pytest.mark.parametrize("version", [0, 2])
def test_another_programs_sqlite_file_gets_no_tables_added(cli, redrill_home, version):
    db_path = redrill_home / "redrill.db"
    other = sqlite3.connect(db_path)
    other.execute("CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT)")
    other.execute("INSERT INTO bookmarks (url) VALUES ('https://example.org')")
    other.execute(f"PRAGMA user_version = {version}")
    other.commit()
    other.close()
    before = digest(db_path)
    result = cli("answer", "failure-story", "--text", "I rolled it back.")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"{db_path} is an SQLite database of another program (tables: bookmarks)" in result.stderr, result.stderr
    assert "will not add its tables" in result.stderr
    assert digest(db_path) == before
    assert not list(redrill_home.glob("redrill.db.v*-backup-*"))


# --- read-only and full disks, for real in a private mount namespace ----------------------------


def _mount_namespace() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.fail("unshare is not installed: sudo apt-get install util-linux (./setup.sh test installs it)")
    prefix = [unshare, "--mount"] if os.geteuid() == 0 else [unshare, "--map-root-user", "--mount"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.fail(
            f"cannot create a mount namespace ({' '.join(prefix)} true: {probe.stderr.strip()}); the read-only and "
            "full-disk tests need one: run the tests as root, or allow unprivileged user namespaces"
        )
    return prefix


def in_namespace(script: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_mount_namespace(), "sh", "-euc", script], capture_output=True, text=True, env=env, timeout=timeout
    )


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDRILL_")}
    env.update({"REDRILL_HOME": str(home), "COLUMNS": "200"})
    return env


def test_a_read_only_disk_is_named_read_only_and_history_still_reads(tmp_path):
    home = tmp_path / "home"
    seed(home)
    before = rows(home / "redrill.db")
    py = sys.executable
    script = f"""
mount --bind -o ro {home} {home}
{py} -m redrill history --json > {tmp_path}/history.json
echo "history: $?"
{py} -m redrill answer failure-story --text 'Another try.' 2> {tmp_path}/answer.err || echo "answer: $?"
{py} -m redrill doctor > {tmp_path}/doctor.out || echo "doctor: $?"
"""
    proc = in_namespace(script, _env(home))
    assert proc.returncode == 0, proc.stderr
    assert "history: 0" in proc.stdout, (proc.stdout, proc.stderr)
    assert [a["id"] for a in json.loads((tmp_path / "history.json").read_text())] == [2, 1]
    answer = (tmp_path / "answer.err").read_text()
    assert "answer: 1" in proc.stdout and "Traceback" not in answer
    assert f"the database {home / 'redrill.db'} is read-only (the disk is mounted read-only)" in answer, answer
    doctor_out = (tmp_path / "doctor.out").read_text()
    assert "FAIL database:" in doctor_out and "read-only" in doctor_out, doctor_out
    assert "mount -o remount,rw" in doctor_out and not any(h in doctor_out for h in HIDING), doctor_out
    assert rows(home / "redrill.db") == before


def test_a_full_disk_is_named_full_and_nothing_is_lost(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    template = tmp_path / "template"
    seed(template)
    before = rows(template / "redrill.db")
    home = disk / "home"
    py = sys.executable
    script = f"""
mount -t tmpfs -o size=3m tmpfs {disk}
cp -a {template} {home}
dd if=/dev/zero of={disk}/filler bs=4096 2>/dev/null || true
{py} -m redrill answer failure-story --text 'A third answer, long enough to need a new page. {"word " * 400}' \
  2> {tmp_path}/answer.err || echo "answer: $?"
{py} -m redrill doctor > {tmp_path}/doctor.out || echo "doctor: $?"
rm {disk}/filler
{py} -m redrill history --json > {tmp_path}/history.json
cp {home}/redrill.db {tmp_path}/after.db
"""
    proc = in_namespace(script, _env(home))
    assert proc.returncode == 0, proc.stderr
    answer = (tmp_path / "answer.err").read_text()
    assert "answer: 1" in proc.stdout and "Traceback" not in answer, (proc.stdout, answer)
    assert f"the disk holding {home / 'redrill.db'} is full" in answer, answer
    assert "If another redrill is running" not in answer and "damaged" not in answer
    doctor_out = (tmp_path / "doctor.out").read_text()
    assert "Traceback" not in doctor_out and not any(h in doctor_out for h in HIDING), doctor_out
    assert "full" in doctor_out and f"df -h {home}" in doctor_out, doctor_out
    assert rows(tmp_path / "after.db") == before, "rows changed or were lost"
    assert len(json.loads((tmp_path / "history.json").read_text())) == 2
