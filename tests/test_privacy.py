"""Privacy: user-only files, and `redrill forget` really deletes."""

from __future__ import annotations

import stat

from redrill.paths import Paths
from redrill.scoring import Metrics
from redrill.store import open_store

SECRET = "zebra-marmalade-7731"


def seed(home, n=3, question="failure-story"):
    paths = Paths(home)
    store = open_store(paths)
    ids = []
    for i in range(n):
        audio = paths.recordings / f"a{question}{i}.ogg"
        audio.write_bytes(b"OggS fake")
        ids.append(
            store.add_attempt(
                question_id=question,
                question_text="Q?",
                source="microphone",
                status="scored",
                audio_path=str(audio.relative_to(home)),
                transcript={"words": [{"word": SECRET}]},
                metrics=Metrics(ramble_score=10),
            )
        )
    store.close()
    return paths, ids


def db_bytes(home) -> bytes:
    data = b""
    for suffix in ("", "-wal"):
        f = home / f"redrill.db{suffix}"
        if f.exists():
            data += f.read_bytes()
    return data


def test_forget_attempt_removes_audio_and_text(cli, redrill_home):
    paths, ids = seed(redrill_home)
    result = cli("forget", ids[0], "--yes")
    assert result.exit_code == 0, result.output
    assert "Forgot 1 attempt and 1 recording" in result.output
    assert not (paths.recordings / "afailure-story0.ogg").exists()
    assert (paths.recordings / "afailure-story1.ogg").exists()


def test_forget_question_and_all_compact_the_database(cli, redrill_home):
    paths, _ = seed(redrill_home)
    seed(redrill_home, 2, question="tell-me-about-yourself")
    assert SECRET.encode() in db_bytes(redrill_home)
    assert cli("forget", "--question", "failure-story", "--yes").exit_code == 0
    store = open_store(paths)
    assert [a.question_id for a in store.attempts()] == ["tell-me-about-yourself"] * 2
    store.close()
    result = cli("forget", "--all", "--yes")
    assert result.exit_code == 0
    assert SECRET.encode() not in db_bytes(redrill_home), "forgotten text is still in the database file"
    assert list(paths.recordings.iterdir()) == []


def test_forget_needs_confirmation_and_valid_ids(cli, redrill_home):
    seed(redrill_home)
    assert cli("forget", "--all").exit_code == 2  # not a terminal, no --yes
    unknown = cli("forget", "999", "--yes")
    assert unknown.exit_code == 1 and "no attempt #999" in unknown.stderr
    assert cli("forget").exit_code == 2
    assert cli("forget", "--question", "nope", "--yes").exit_code == 1


def test_home_database_and_recordings_are_user_only(redrill_home):
    paths, _ = seed(redrill_home)
    for folder in (paths.home, paths.recordings, paths.models, paths.banks):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(paths.database.stat().st_mode) == 0o600


def test_forget_confirmation_says_which_question_and_date(cli, redrill_home, monkeypatch):
    """`forget 7` asked "Delete attempt(s) #7 for good?" without saying which answer #7 is."""
    import redrill.cli.privacy as privacy

    _paths, ids = seed(redrill_home)
    store = open_store(Paths(redrill_home))
    attempt = store.get_attempt(ids[0])
    store.close()

    monkeypatch.setattr(privacy, "is_interactive", lambda: True)  # as at a terminal
    result = cli("forget", ids[0], input="n\n")
    when = attempt.created_at.astimezone()
    expected = f'Delete attempt #{ids[0]} (failure-story "{attempt.question_text[:47]}'
    assert expected in result.output, result.output
    assert f"{when.day} {when:%b %Y %H:%M})" in result.output
    assert result.exit_code == 1  # declined: nothing deleted
    store = open_store(Paths(redrill_home))
    assert store.get_attempt(ids[0]).id == ids[0]
    store.close()
