"""``redrill doctor``: check each component and say how to fix what is missing.

Each check is a small function returning :class:`Check` results; none of them raises. Checks import
their (heavy or fragile) libraries themselves, so one broken component cannot hide the others.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass

from redrill.samplerate import SAMPLE_RATE


@dataclass(frozen=True)
class Check:
    """One finding: which component, whether it is fine, what was seen, and how to fix it."""

    component: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # works, but something is worth knowing


def check_data_home(app) -> list[Check]:
    """The data home exists, is writable and is readable by the user only."""
    home = app.paths.home
    before = stat.S_IMODE(home.stat().st_mode) if home.is_dir() else None
    from redrill.errors import RedrillError

    try:
        app.paths.ensure()
    except RedrillError as err:
        return [Check("data home", False, str(err), "Set REDRILL_HOME to a folder you can write to.")]
    mode = stat.S_IMODE(home.stat().st_mode)
    if mode & 0o077:
        return [Check("data home", False, f"{home} is readable by others (mode {mode:o})", f"chmod 700 {home}")]
    if before is not None and before & 0o077:
        # Every redrill command makes the folder private again; say so, since it was exposed.
        return [
            Check(
                "data home",
                False,
                f"{home} was readable by others (mode {before:o}); redrill made it private (mode {mode:o})",
                f"nothing more to do (it ran: chmod 700 {home}); keep the folder out of shared places",
                warning=True,
            )
        ]
    return [Check("data home", True, f"{home} (private, mode {mode:o})")]


def check_database(app) -> list[Check]:
    """The database opens, passes SQLite's integrity check, can be written, and has no unfinished answers.

    Each way it can fail (locked, read-only, disk full, not a database, damaged, another program's)
    gets the fix for that cause; none of them is "move it aside" unless the file cannot be read at all.
    """
    import sqlite3

    from redrill import dbfaults
    from redrill.errors import RedrillError
    from redrill.store import SCHEMA_VERSION

    path = app.paths.database
    try:
        store = app.store
        n = store.db.execute("SELECT count(*) FROM attempts").fetchone()[0]
        pending = store.pending_attempts()
        integrity = store.db.execute("PRAGMA quick_check").fetchone()[0]
    except dbfaults.DatabaseError as err:
        return [Check("database", False, err.problem, err.fix)]
    except sqlite3.Error as err:  # damage deeper in the file than its header, a lock taken meanwhile, ...
        fault = dbfaults.explain(err, path)
        return [Check("database", False, fault.problem, fault.fix)]
    except RedrillError as err:
        return [Check("database", False, str(err), "Fix what the message names, then run redrill doctor again.")]
    if integrity != "ok":
        return [Check("database", False, f"integrity check failed: {integrity}", dbfaults.recover_fix(path))]
    from redrill.damage import describe, scan

    damaged = scan(store)
    backups = sorted(p.name for p in path.parent.glob(f"{path.name}.v*-backup-*"))
    kept = f"; copy from before the last upgrade kept: {backups[-1]}" if backups else ""
    if store.read_only:
        fault = dbfaults.read_only(path)
        checks = [Check("database", False, f"{fault.problem} ({n} attempts, all readable)", fault.fix)]
    else:
        checks = [Check("database", True, f"{store.path} (schema v{SCHEMA_VERSION}, {n} attempts{kept})")]
    if damaged:
        checks.append(
            Check(
                "stored data",
                False,
                describe(damaged),
                "redrill doctor --repair   (it keeps a copy of the database first, then rebuilds what it can: "
                "metrics from transcripts, dates from recordings or neighbouring rows, lists as far as they read)",
            )
        )
    free = dbfaults.free_bytes(path.parent)
    if free is not None and free < dbfaults.LOW_SPACE_BYTES and not store.read_only:
        fault = dbfaults.full(path)
        checks.append(
            Check(
                "disk space",
                False,
                f"the disk holding {path.parent} is full or nearly ({free / 1_000_000:.1f} MB free): new answers "
                "and their recordings may not fit",
                fault.fix,
            )
        )
    if pending:
        from redrill.pipeline import audio_file_of

        lost = []
        for attempt in pending:
            try:
                if not audio_file_of(app.paths, attempt).is_file():
                    lost.append(attempt.id)
            except RedrillError:
                lost.append(attempt.id)
        waiting = len(pending) - len(lost)
        if waiting:
            checks.append(
                Check(
                    "pending answers",
                    False,
                    f"{waiting} recorded answer(s) not yet transcribed",
                    "redrill transcribe --pending",
                    warning=True,
                )
            )
        if lost:
            ids = " ".join(str(i) for i in lost)
            checks.append(
                Check(
                    "pending answers",
                    False,
                    f"{len(lost)} unfinished answer(s) whose recording file is gone (attempt {ids})",
                    f"redrill forget {ids} --yes   (nothing is left to transcribe)",
                )
            )
    return checks


def check_privacy(app) -> list[Check]:
    """Nothing in the data home (database, recordings, transcripts, banks) is readable by others."""
    home = app.paths.home
    exposed = []
    for root, dirs, files in os.walk(home):
        for name in dirs + files:
            path = os.path.join(root, name)
            try:
                mode = stat.S_IMODE(os.lstat(path).st_mode)
            except OSError:
                continue
            if mode & 0o077 and not os.path.islink(path):
                exposed.append((os.path.relpath(path, home), mode))
    if exposed:
        shown = ", ".join(f"{rel} ({mode:o})" for rel, mode in exposed[:3]) + (" ..." if len(exposed) > 3 else "")
        return [
            Check(
                "privacy",
                False,
                f"{len(exposed)} file(s) or folder(s) in the data home readable by others: {shown}",
                f"chmod -R go-rwx {home}",
            )
        ]
    return [Check("privacy", True, "database, recordings and banks are readable by you only")]


def check_leftover_recordings(app) -> list[Check]:
    """Answers recorded by a redrill that was killed mid-answer (crash-safety spool files)."""
    from redrill.sound.spool import recover_spools

    spools = recover_spools(app.paths.recordings)
    if not spools:
        return []
    seconds = sum(len(s.samples) for s in spools) / SAMPLE_RATE
    return [
        Check(
            "unsaved recordings",
            False,
            f"{len(spools)} answer(s) ({seconds:.0f} s) recorded by a session that did not finish",
            "redrill drill   (it offers to save them first; then redrill transcribe --pending)",
            warning=True,
        )
    ]


def check_unfinished_forget(app) -> list[Check]:
    """A ``redrill forget`` that was killed half way: what it was to delete may still be readable."""
    from redrill.forget import journals

    found = journals(app.paths)
    if not found:
        return []
    return [
        Check(
            "unfinished forget",
            False,
            f"{len(found)} interrupted forget(s): recordings or the text of what you forgot may still be on disk",
            f"{found[0].command}   (any redrill forget finishes it first)",
        )
    ]


def check_orphan_recordings(app) -> list[Check]:
    """Recordings redrill saved whose database row was never written (e.g. the database was locked)."""
    import sqlite3

    from redrill.errors import RedrillError
    from redrill.orphans import orphan_recordings

    try:
        found = orphan_recordings(app.store, app.paths)
    except (RedrillError, sqlite3.Error):
        return []  # the database check above says what is wrong with the database
    if not found:
        return []
    names = ", ".join(p.name for p in found[:3]) + (" ..." if len(found) > 3 else "")
    return [
        Check(
            "recordings",
            False,
            f"{len(found)} recording(s) not in the database yet: {names}",
            "redrill transcribe --pending   (adds them as answers and transcribes them)",
            warning=True,
        )
    ]


def check_telemetry_queue(app) -> list[Check]:
    """Events onnxruntime queued to upload while its telemetry was on (redrill now switches it off)."""
    from redrill.offline import onnxruntime_telemetry_folder

    folder = onnxruntime_telemetry_folder()
    if not os.path.isdir(folder):
        return []
    return [
        Check(
            "telemetry",
            False,
            f"onnxruntime (the engine of the speech detector) left a device id and queued usage events in {folder}: "
            "a redrill from before its telemetry was switched off, or another program, put them there; they are "
            "sent to Microsoft the next time a program using onnxruntime runs online with its telemetry on",
            f"rm -r {folder}   (redrill itself never writes there now: it starts onnxruntime with "
            "ORT_DISABLE_TELEMETRY=1)",
            warning=True,
        )
    ]


def check_banks(app) -> list[Check]:
    """Every question bank (shipped, the banks folder, --bank files) loads."""
    from redrill.errors import RedrillError

    try:
        catalog = app.catalog
    except RedrillError as err:
        return [
            Check("question banks", False, str(err), "Fix the file named above, or remove it from the banks folder.")
        ]
    return [Check("question banks", True, f"{len(catalog.questions)} questions in {len(catalog.banks)} banks")]


def check_microphone(app) -> list[Check]:
    """PortAudio loads and sees at least one input device."""
    try:
        import sounddevice as sd
    except OSError:
        return [
            Check(
                "PortAudio",
                False,
                "the PortAudio library is not installed, so redrill cannot use a microphone",
                "sudo apt-get install libportaudio2   (typed answers work without it: redrill drill --text)",
            )
        ]
    try:
        devices = sd.query_devices()
    except Exception as exc:  # PortAudio errors come in several types
        return [
            Check(
                "microphone",
                False,
                f"PortAudio could not list devices: {exc}",
                "Check that your sound server (PulseAudio/PipeWire) is running.",
            )
        ]
    inputs = [d for d in devices if d.get("max_input_channels", 0) > 0]
    checks = [Check("PortAudio", True, f"version {sd.get_portaudio_version()[1]}")]
    if not inputs:
        checks.append(
            Check(
                "microphone",
                False,
                "no input device found",
                "Plug in a microphone (or check your sound server); `redrill devices` lists what is seen. "
                "Typed answers work without one: redrill drill --text",
            )
        )
    else:
        names = ", ".join(d["name"] for d in inputs[:4]) + (" ..." if len(inputs) > 4 else "")
        checks.append(Check("microphone", True, f"{len(inputs)} input device(s): {names}"))
    return checks


def check_voice(app) -> list[Check]:
    """espeak-ng (and aplay) are there and the speech engine has voices."""
    import ctypes.util

    checks = []
    if os.name == "posix" and not shutil.which("say"):  # Linux: pyttsx3 uses espeak-ng and plays through aplay
        if not (ctypes.util.find_library("espeak-ng") or ctypes.util.find_library("espeak")):
            return [
                Check(
                    "voice (TTS)",
                    False,
                    "espeak-ng is not installed, so questions cannot be read aloud",
                    "sudo apt-get install espeak-ng   (or drill with --no-tts)",
                )
            ]
        if not shutil.which("aplay"):
            checks.append(
                Check(
                    "voice (TTS)",
                    False,
                    "aplay is missing, so spoken questions cannot be played",
                    "sudo apt-get install alsa-utils   (or drill with --no-tts)",
                )
            )
            return checks
    try:
        from redrill.sound.speaker import list_voices

        voices = list_voices()
    except Exception as exc:
        return [
            Check(
                "voice (TTS)",
                False,
                f"the speech engine failed to start: {exc}",
                "Reinstall espeak-ng, or drill with --no-tts.",
            )
        ]
    if not voices:
        return [Check("voice (TTS)", False, "the speech engine has no voices", "sudo apt-get install espeak-ng-data")]
    return [Check("voice (TTS)", True, f"{len(voices)} voices")]


def check_settings(app) -> list[Check]:
    """config.yaml (when there is one) has only known settings, each of the right type and in range."""
    from redrill.errors import InputError, RedrillError

    path = app.paths.config
    try:
        _ = app.config
    except InputError as err:
        return [
            Check(
                "settings",
                False,
                "\n".join(str(p) for p in err.problems),
                f"Fix the line(s) named above in {path}, or delete the file to use the defaults.",
            )
        ]
    except RedrillError as err:
        return [Check("settings", False, str(err), f"Fix {path}, or delete it to use the defaults.")]
    if not path.exists():
        return [Check("settings", True, "defaults (no config.yaml)")]
    return [Check("settings", True, str(path))]


def _settings_broken(app) -> bool:
    from redrill.errors import RedrillError

    try:
        _ = app.config
    except RedrillError:
        return True
    return False


def check_model(app) -> list[Check]:
    """Which speech model will be used, and that it is on disk (never downloads)."""
    from redrill.transcription.models import describe_model_status

    if _settings_broken(app):  # config.yaml may name the model: cannot tell which one until it is fixed
        return [
            Check(
                "speech model",
                False,
                f"not checked: the settings in {app.paths.config.name} have problems (see settings)",
                "Fix the settings first, then run redrill doctor again.",
                warning=True,
            )
        ]

    return [Check("speech model", ok, detail, fix) for ok, detail, fix in describe_model_status(app)]


def check_voice_analysis(app) -> list[Check]:
    """Praat (through praat-parselmouth) measures how answers sound: pitch and loudness."""
    try:
        import parselmouth
    except ImportError:
        return [
            Check(
                "voice analysis",
                False,
                "praat-parselmouth is not installed: answers are scored without voice figures",
                ".venv/bin/pip install praat-parselmouth (or run ./setup.sh again)",
            )
        ]
    return [
        Check("voice analysis", True, f"praat-parselmouth {parselmouth.VERSION} (Praat {parselmouth.PRAAT_VERSION})")
    ]


CHECKS: list[Callable] = [
    check_data_home,
    check_database,
    check_privacy,
    check_unfinished_forget,
    check_leftover_recordings,
    check_orphan_recordings,
    check_telemetry_queue,
    check_banks,
    check_settings,
    check_microphone,
    check_voice,
    check_voice_analysis,
    check_model,
]


def run_checks(app) -> list[Check]:
    """Run every check; a check that crashes is reported as a failed check, never raised.

    A known failure (:class:`RedrillError`) is shown as its own message, which says what to do; only
    an unexpected exception is a bug to report.
    """
    from redrill.errors import RedrillError

    results: list[Check] = []
    for check in CHECKS:
        name = check.__name__.removeprefix("check_").replace("_", " ")
        try:
            results.extend(check(app))
        except RedrillError as err:
            results.append(Check(name, False, str(err), "Fix what the message names, then run redrill doctor again."))
        except Exception as exc:  # doctor must always finish its report
            results.append(Check(name, False, f"check failed: {type(exc).__name__}: {exc}", "Please report this."))
    return results
