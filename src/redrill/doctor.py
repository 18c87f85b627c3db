"""``redrill doctor``: check each component and say how to fix what is missing.

Each check is a small function returning :class:`Check` results; none of them raises. Checks import
their (heavy or fragile) libraries themselves, so one broken component cannot hide the others.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Check:
    """One finding: which component, whether it is fine, what was seen, and how to fix it."""

    component: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # works, but something is worth knowing


def check_data_home(app) -> list[Check]:
    home = app.paths.home
    try:
        app.paths.ensure()
    except OSError as exc:
        return [Check("data home", False, f"cannot create {home}: {exc.strerror}", "Set REDRILL_HOME to a folder you can write to.")]
    mode = stat.S_IMODE(home.stat().st_mode)
    if mode & 0o077:
        return [Check("data home", False, f"{home} is readable by others (mode {mode:o})", f"chmod 700 {home}")]
    return [Check("data home", True, f"{home} (private, mode {mode:o})")]


def check_database(app) -> list[Check]:
    from redrill.errors import RedrillError
    from redrill.store import SCHEMA_VERSION

    try:
        store = app.store
        n = store.db.execute("SELECT count(*) FROM attempts").fetchone()[0]
        pending = len(store.pending_attempts())
        integrity = store.db.execute("PRAGMA quick_check").fetchone()[0]
    except RedrillError as err:
        return [Check("database", False, str(err), "Move the damaged file aside and run again.")]
    if integrity != "ok":
        return [Check("database", False, f"integrity check failed: {integrity}", "Back up the file and run `sqlite3 redrill.db .recover`.")]
    checks = [Check("database", True, f"{store.path} (schema v{SCHEMA_VERSION}, {n} attempts)")]
    if pending:
        checks.append(
            Check("pending answers", False, f"{pending} recorded answer(s) not yet transcribed", "redrill transcribe --pending", warning=True)
        )
    return checks


def check_banks(app) -> list[Check]:
    from redrill.errors import RedrillError

    try:
        catalog = app.catalog
    except RedrillError as err:
        return [Check("question banks", False, str(err), "Fix the file named above, or remove it from the banks folder.")]
    return [Check("question banks", True, f"{len(catalog.questions)} questions in {len(catalog.banks)} banks")]


def check_microphone(app) -> list[Check]:
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
        return [Check("microphone", False, f"PortAudio could not list devices: {exc}", "Check that your sound server (PulseAudio/PipeWire) is running.")]
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
    import ctypes.util

    checks = []
    if os.name == "posix" and not shutil.which("say"):  # Linux: pyttsx3 uses espeak-ng and plays through aplay
        if not (ctypes.util.find_library("espeak-ng") or ctypes.util.find_library("espeak")):
            return [Check("voice (TTS)", False, "espeak-ng is not installed, so questions cannot be read aloud", "sudo apt-get install espeak-ng   (or drill with --no-tts)")]
        if not shutil.which("aplay"):
            checks.append(Check("voice (TTS)", False, "aplay is missing, so spoken questions cannot be played", "sudo apt-get install alsa-utils   (or drill with --no-tts)"))
            return checks
    try:
        from redrill.speech import list_voices

        voices = list_voices()
    except Exception as exc:
        return [Check("voice (TTS)", False, f"the speech engine failed to start: {exc}", "Reinstall espeak-ng, or drill with --no-tts.")]
    if not voices:
        return [Check("voice (TTS)", False, "the speech engine has no voices", "sudo apt-get install espeak-ng-data")]
    return [Check("voice (TTS)", True, f"{len(voices)} voices")]


def check_model(app) -> list[Check]:
    from redrill.models import describe_model_status

    return describe_model_status(app)


CHECKS: list[Callable] = [check_data_home, check_database, check_banks, check_microphone, check_voice, check_model]


def run_checks(app) -> list[Check]:
    """Run every check; a check that crashes is reported as a failed check, never raised."""
    results: list[Check] = []
    for check in CHECKS:
        name = check.__name__.removeprefix("check_").replace("_", " ")
        try:
            results.extend(check(app))
        except Exception as exc:  # doctor must always finish its report
            results.append(Check(name, False, f"check failed: {type(exc).__name__}: {exc}", "Please report this."))
    return results
