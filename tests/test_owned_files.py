"""redrill deletes and overwrites only what it made (the "Rules" of docs/faults.md).

* ``forget`` and the leftover sweep never delete through a symbolic link out of the data home, nor
  anything in the recordings folder that redrill did not make (and never chmod a folder it reached
  through a link);
* ``--out`` (export, report, followup) never overwrites the database, its -wal/-shm, a recording
  or anything else redrill owns, and asks before replacing any other file (``--force`` for scripts);
* a ``forget`` killed half way is finished by the next one (files and VACUUM), a temporary file of
  a killed redrill is removed by the next run, and a recording whose row could not be written (a
  locked database) is kept and adopted by ``transcribe --pending``.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from redrill.paths import Paths
from redrill.scoring import Metrics
from redrill.store import open_store

SECRET = "zebra-marmalade-7731"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seed(home: Path, n: int = 2, question: str = "failure-story", *, start: int = 0) -> list[int]:
    """``n`` scored attempts with a recording (named as redrill names them) and a secret word."""
    paths = Paths(home)
    store = open_store(paths)
    ids = []
    try:
        for i in range(start, start + n):
            name = f"20261120-10{i:02d}00-{question}-{i:06x}.ogg"
            (paths.recordings / name).write_bytes(b"OggS not really audio " + name.encode())
            ids.append(
                store.add_attempt(
                    question_id=question,
                    question_text="Q?",
                    source="microphone",
                    status="scored",
                    audio_path=f"recordings/{name}",
                    transcript={"words": [{"word": SECRET}]},
                    metrics=Metrics.from_dict({"ramble_score": 10}),
                )
            )
        store.set_state(question, weak=True)
    finally:
        store.close()
    return ids


def db_bytes(home: Path) -> bytes:
    return b"".join((home / f"redrill.db{s}").read_bytes() for s in ("", "-wal") if (home / f"redrill.db{s}").exists())


def db_rows(home: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(f"file:{home / 'redrill.db'}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


# --- deleting: links and files redrill did not make -------------------------------------------


def test_forget_all_never_deletes_or_chmods_through_a_linked_recordings_folder(cli, redrill_home, tmp_path):
    """recordings/ linked to the user's music folder: their files, and the folder's mode, stay."""
    music = tmp_path / "music"
    music.mkdir()
    music.chmod(0o755)
    songs = {name: music / name for name in ("one.mp3", "two.mp3")}
    for name, path in songs.items():
        path.write_bytes(b"ID3 " + name.encode())
    before = {name: digest(path) for name, path in songs.items()}
    paths = Paths(redrill_home)
    paths.ensure()
    paths.recordings.rmdir()
    paths.recordings.symlink_to(music, target_is_directory=True)
    ids = seed(redrill_home, 1)  # its recording lands in the linked folder
    ours = music / "20261120-100000-failure-story-000000.ogg"
    assert ours.exists()

    result = cli("forget", "--all", "--yes")
    assert result.exit_code == 0, result.output
    assert {name: digest(path) for name, path in songs.items()} == before, "forget deleted the user's files"
    assert stat.S_IMODE(music.stat().st_mode) == 0o755, "redrill chmodded a folder it reached through a link"
    assert db_rows(redrill_home, "SELECT id FROM attempts") == []
    # Its own recording there is not deleted through the link either, and the user is told so.
    assert ours.exists()
    assert "left in place" in result.stderr and str(ours.name) in result.stderr and "symbolic link" in result.stderr
    assert ids  # the attempt itself is forgotten


def test_forget_all_deletes_only_redrills_own_leftovers_in_recordings(cli, redrill_home, tmp_path):
    """The stray sweep removes an orphan recording and a dead redrill's spool; nothing else."""
    seed(redrill_home, 1)
    rec = Paths(redrill_home).recordings
    outside = tmp_path / "precious.ogg"
    outside.write_bytes(b"not redrill's")
    user_files = {
        "notes.txt": b"my notes",
        "interview-prep.mp3": b"ID3 prep",
        "20261120-100000-failure-story.ogg": b"near miss: no random part",
    }
    for name, data in user_files.items():
        (rec / name).write_bytes(data)
    (rec / "link.ogg").symlink_to(outside)
    (rec / "20261120-110000-failure-story-abcdef.ogg").write_bytes(b"OggS orphan")  # redrill's, no row
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    spool = rec / f".answer-failure-story-20261120-110000-{dead.stdout.strip()}.spool"
    header = json.dumps({"question_id": "failure-story", "pid": int(dead.stdout)}).encode()
    spool.write_bytes(b"RDSPOOL1" + len(header).to_bytes(4, "little") + header + b"\0" * 64)

    result = cli("forget", "--all", "--yes")
    assert result.exit_code == 0, result.output
    left = sorted(p.name for p in rec.iterdir())
    assert left == sorted([*user_files, "link.ogg"]), left
    assert all((rec / name).read_bytes() == data for name, data in user_files.items())
    assert outside.read_bytes() == b"not redrill's"
    assert "4 files were left in place" in result.stderr


def test_forget_never_deletes_a_recording_the_database_places_outside_the_home(cli, redrill_home, tmp_path):
    """A database row (edited, or from another tool) naming a file elsewhere: the row goes, the file stays."""
    victim = tmp_path / "thesis.pdf"
    victim.write_bytes(b"%PDF years of work")
    store = open_store(Paths(redrill_home))
    a = store.add_attempt(
        question_id="failure-story", question_text="Q?", source="audio_file", status="recorded", audio_path=str(victim)
    )
    b = store.add_attempt(
        question_id="failure-story",
        question_text="Q?",
        source="audio_file",
        status="recorded",
        audio_path="recordings/../../" + victim.name,
    )
    store.close()
    result = cli("forget", a, b, "--yes")
    assert result.exit_code == 0, result.output
    assert victim.read_bytes() == b"%PDF years of work"
    assert "not in redrill's recordings folder" in result.stderr


# --- --out never overwrites redrill's own data, and asks before anything else -------------------


def _out_commands(out: Path) -> dict[str, tuple]:
    return {
        "export csv": ("export", "--format", "csv", "--out", out),
        "export json": ("export", "--format", "json", "--out", out),
        "report": ("report", "--out", out),
        "followup": ("followup", "1", "--out", out),
    }


@pytest.fixture
def with_data(cli, redrill_home, tmp_path):
    """Attempts (one with a real recording name), a debrief and drill state to export and report."""
    debrief = tmp_path / "debrief.yaml"
    debrief.write_text(
        "interview: {company: Acme, role: Engineer}\nwent_well: [intro]\nquestions:\n"
        "  - id: failure-story\n    rating: bombed\n    wish_i_said: [rolled back within an hour]\n"
    )
    assert cli("debrief", "--from", debrief).exit_code == 0
    assert cli("answer", "failure-story", "--text", "I broke billing, rolled it back and added a test.").exit_code == 0
    seed(redrill_home, 1, start=5)
    return Paths(redrill_home)


OWNED = {
    "database": lambda p: p.database,
    "wal": lambda p: p.home / "redrill.db-wal",
    "shm": lambda p: p.home / "redrill.db-shm",
    "recording": lambda p: next(p.recordings.glob("*.ogg")),
    "settings": lambda p: p.config,
    "own bank": lambda p: p.user_bank,
}


@pytest.mark.parametrize("target", sorted(OWNED))
@pytest.mark.parametrize("command", ["export csv", "export json", "report", "followup"])
def test_out_never_overwrites_redrills_own_data(cli, with_data, tmp_path, target, command):
    paths = with_data
    victim = OWNED[target](paths)
    if not victim.exists():  # -wal/-shm exist while a connection is open; settings are optional
        victim.write_bytes(b"keep me")
    attempts = db_rows(paths.home, "SELECT count(*) FROM attempts")
    before = digest(victim)
    for out in (victim, tmp_path / "link-to-it"):
        if out != victim:
            out.symlink_to(victim)
        for force in ((), ("--force",)):
            result = cli(*_out_commands(out)[command], *force)
            assert result.exit_code == 1, (out, force, result.output)
            assert "redrill never writes an export over its own data" in result.stderr, result.stderr
            assert "Traceback" not in result.output
            if target in ("wal", "shm"):  # SQLite itself rewrites (or removes) these as it reads
                head = victim.read_bytes()[:20] if victim.exists() else b""
                assert not head.startswith((b"id,", b"{", b"<!DOCTYPE", b"Hello")), f"{command} overwrote {target}"
            else:
                assert digest(victim) == before, f"{command} --out overwrote {target}"
    assert db_rows(paths.home, "SELECT count(*) FROM attempts") == attempts


@pytest.mark.parametrize("command", ["export csv", "export json", "report", "followup"])
def test_out_asks_before_replacing_another_file(cli, with_data, tmp_path, monkeypatch, command):
    existing = tmp_path / "important.txt"
    existing.write_text("the user's own file")
    args = _out_commands(existing)[command]

    refused = cli(*args)  # no terminal: refused, naming --force
    assert refused.exit_code == 1 and "add --force to overwrite it" in refused.stderr, refused.stderr
    assert existing.read_text() == "the user's own file"

    monkeypatch.setattr("redrill.cli.app.is_interactive", lambda: True)
    declined = cli(*args, input="n\n")
    assert declined.exit_code == 1 and "Overwrite it?" in declined.stderr, declined.output
    assert existing.read_text() == "the user's own file"
    accepted = cli(*args, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert existing.read_text() != "the user's own file"

    existing.write_text("the user's own file")
    monkeypatch.setattr("redrill.cli.app.is_interactive", lambda: False)
    forced = cli(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert existing.read_text() != "the user's own file"

    fresh = tmp_path / "new-file.out"
    assert cli(*_out_commands(fresh)[command]).exit_code == 0 and fresh.exists()  # a new file needs no asking


# --- forget killed half way ------------------------------------------------------------------

KILLED_FORGET = textwrap.dedent(
    """
    import os, pathlib, signal, sys
    point, args = sys.argv[1], sys.argv[2:]
    def die(*a, **k):
        os.kill(os.getpid(), signal.SIGKILL)
    if point == "files":  # the rows are gone, no recording deleted yet
        real_unlink = pathlib.Path.unlink
        def unlink(self, *a, **k):
            if self.suffix == ".ogg":
                die()
            return real_unlink(self, *a, **k)
        pathlib.Path.unlink = unlink
    elif point == "vacuum":  # rows and files gone, the file not compacted
        from redrill.store import Store
        Store.compact = die
    elif point == "rows":  # nothing deleted yet
        from redrill.store import Store
        Store.delete_attempts = die
    from redrill.cli import main
    main(args, prog_name="redrill")
    """
)


def killed(home: Path, point: str, *args) -> None:
    env = {**os.environ, "REDRILL_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_FORGET, point, *map(str, args)], env=env, capture_output=True, text=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr


@pytest.mark.parametrize("point", ["files", "vacuum"])
@pytest.mark.parametrize("how", ["question", "ids", "all"])
def test_a_killed_forget_is_finished_by_running_it_again(cli, redrill_home, point, how):
    ids = seed(redrill_home, 2)
    rec = Paths(redrill_home).recordings
    args = {
        "question": ("forget", "--question", "failure-story", "--yes"),
        "ids": ("forget", *ids, "--yes"),
        "all": ("forget", "--all", "--yes"),
    }[how]
    killed(redrill_home, point, *args)
    assert db_rows(redrill_home, "SELECT id FROM attempts") == []  # the rows went before the kill

    again = cli(*args)
    assert again.exit_code == 0, again.output
    assert "Finished 1 forget(s) that had been interrupted" in again.stdout
    assert list(rec.glob("*.ogg")) == [], "the forgotten recordings are still on disk"
    assert SECRET.encode() not in db_bytes(redrill_home), "the forgotten text is still in the database file"
    assert not list(redrill_home.glob(".forget-*")), "the forget journal was left behind"
    assert db_rows(redrill_home, "SELECT * FROM question_state") == [] or how == "ids"


def test_an_interrupted_forget_never_deletes_recordings_whose_rows_survived(cli, redrill_home):
    """Killed before its rows went: another forget finishes its journal but keeps those recordings."""
    seed(redrill_home, 2)
    seed(redrill_home, 1, question="tell-me-about-yourself", start=7)
    killed(redrill_home, "rows", "forget", "--question", "failure-story", "--yes")
    assert cli("forget", "--question", "tell-me-about-yourself", "--yes").exit_code == 0
    assert len(list(Paths(redrill_home).recordings.glob("*failure-story*.ogg"))) == 2
    assert len(db_rows(redrill_home, "SELECT id FROM attempts WHERE question_id = 'failure-story'")) == 2
    assert cli("forget", "--question", "failure-story", "--yes").exit_code == 0
    assert list(Paths(redrill_home).recordings.glob("*.ogg")) == []


def test_doctor_reports_an_interrupted_forget_with_the_command_that_finishes_it(cli, redrill_home):
    seed(redrill_home, 1)
    killed(redrill_home, "vacuum", "forget", "--question", "failure-story", "--yes")
    result = cli("doctor")
    assert "interrupted forget" in result.stdout, result.stdout
    assert "fix: redrill forget --question failure-story --yes" in result.stdout


# --- temporary files of a killed redrill -----------------------------------------------------

KILLED_AT_RENAME = textwrap.dedent(
    """
    import os, signal, sys
    def die(*a, **k):
        os.kill(os.getpid(), signal.SIGKILL)
    os.replace = die  # right after the temporary file is written, before it is renamed into place
    from redrill.cli import main
    main(sys.argv[1:], prog_name="redrill")
    """
)


def test_temporary_files_of_a_killed_redrill_are_removed_by_the_next_run(cli, redrill_home, tmp_path):
    debrief = tmp_path / "debrief.yaml"
    debrief.write_text(
        "interview: {company: Acme}\nwent_well: [intro]\nquestions:\n"
        "  - text: Why do you want to leave your current job?\n    rating: shaky\n"
    )
    env = {**os.environ, "REDRILL_HOME": str(redrill_home)}
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_AT_RENAME, "debrief", "--from", str(debrief)], env=env, capture_output=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    banks = Paths(redrill_home).banks
    [leftover] = [p for p in banks.iterdir() if p.name.endswith(".tmp")]
    # What the next run must leave alone: a live redrill's temporary file, and the user's own.
    live = banks / f".my-questions.yaml.{os.getpid()}.abcdefgh.tmp"
    live.write_text("being written")
    users = banks / ".draft.tmp"
    users.write_text("mine")

    assert cli("history").exit_code == 0
    assert not leftover.exists(), "a killed redrill's temporary file is still there"
    assert live.exists() and users.exists()


# --- a locked database never costs the recording ---------------------------------------------


@pytest.mark.realmodel
def test_a_locked_database_keeps_the_recording_and_transcribe_pending_adopts_it(
    cli, redrill_home, real_tiny_dir, tmp_path, monkeypatch
):
    from fixtures_model import speech_wav

    wav = speech_wav("I rolled back the billing release within an hour and added a test.", tmp_path)
    paths = Paths(redrill_home)
    open_store(paths).close()
    monkeypatch.setattr("redrill.store.BUSY_TIMEOUT_MS", 300)  # not ten seconds of waiting in a test
    holder = sqlite3.connect(paths.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        result = cli("answer", "failure-story", "--audio", wav, "--model", real_tiny_dir)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "The recording is kept" in result.stderr and "redrill transcribe --pending" in result.stderr
    [kept] = list(paths.recordings.glob("*.ogg"))
    assert db_rows(redrill_home, "SELECT id FROM attempts") == []

    doctor = cli("doctor")
    assert "1 recording(s) not in the database yet" in doctor.stdout, doctor.stdout
    assert "fix: redrill transcribe --pending" in doctor.stdout

    done = cli("transcribe", "--pending", "--model", real_tiny_dir)
    assert done.exit_code == 0, done.output
    assert "Added 1 recording(s) that were not in the database yet, as attempt(s) #1" in done.stdout
    [(question_id, source, status, audio_path, transcript)] = db_rows(
        redrill_home, "SELECT question_id, source, status, audio_path, transcript_json FROM attempts"
    )
    assert (question_id, source, status, audio_path) == (
        "failure-story",
        "audio_file",
        "scored",
        f"recordings/{kept.name}",
    )
    assert "billing" in transcript.lower()


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


def test_a_killed_recordings_leftovers_are_kept_when_they_hold_sound_and_swept_when_empty(cli, redrill_home):
    """In recordings/: an empty temporary recording and an empty spool go; a temporary recording
    with sound is put in place for adoption; a spool with sound stays for the next drill."""
    import numpy as np

    from redrill.sound.audiofile import write_opus
    from redrill.sound.spool import SpoolWriter

    rec = Paths(redrill_home).ensure().recordings
    pid = dead_pid()
    name = "20261120-100000-failure-story-abcdef.ogg"
    full_tmp = rec / f".{name}.{pid}.k3j2h1g0.tmp"
    write_opus(rec / "source.ogg", (0.2 * np.sin(np.arange(32000) / 16000 * 2 * np.pi * 220)).astype(np.float32))
    (rec / "source.ogg").rename(full_tmp)
    empty_tmp = rec / f".20261120-100001-failure-story-123456.ogg.{pid}.a1b2c3d4.tmp"
    empty_tmp.write_bytes(b"")
    empty_spool = rec / f".answer-failure-story-20261120-100002-{pid}.spool"
    empty_spool.write_bytes(b"")
    spoken = SpoolWriter(rec, "failure-story", "Q?", 16000)
    spoken.write(np.full(32000, 0.1, np.float32))
    spoken.close()
    kept_spool = rec / spoken.path.name.replace(f"-{os.getpid()}.spool", f"-{pid}.spool")
    spoken.path.rename(kept_spool)

    assert cli("history").exit_code == 0
    assert not empty_tmp.exists() and not empty_spool.exists()
    assert not full_tmp.exists() and (rec / name).exists(), "a recording with sound was not put in place"
    assert kept_spool.exists(), "a spool with two seconds of sound was swept"
    doctor = cli("doctor").stdout
    assert "1 recording(s) not in the database yet: " + name in doctor, doctor
