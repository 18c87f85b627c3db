"""Sound devices through PortAudio (sounddevice): finding them, and keeping ALSA's noise off screen.

sounddevice is imported inside functions: ``import sounddevice`` raises OSError when the PortAudio
library is missing, and that must not break ``redrill --help`` or typed answers.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

from redrill.errors import RedrillError

_pulse_server_at_init: list[str | None] = []


NO_PORTAUDIO = (
    "the PortAudio library is missing, so redrill cannot use a microphone: install libportaudio2 "
    "(sudo apt-get install libportaudio2); typed answers work without a microphone: redrill drill --text"
)


NO_MICROPHONE_FIX = "`redrill devices` lists devices; --text works without one"


class CapturedStderr:
    """What the sound libraries wrote to file descriptor 2 while :func:`capture_stderr` was on."""

    text: str = ""


@contextlib.contextmanager
def capture_stderr():
    """Keep the C sound libraries' chatter (ALSA's "underrun occurred", PortAudio's device probing)
    off the terminal: file descriptor 2 goes to a temporary file for the ``with`` block.

    The libraries write to fd 2 directly, so ``sys.stderr`` cannot catch it. The captured text is
    on the yielded object; on an exception it is written to the real stderr (then it matters) and
    the exception goes on. Only brief calls (stream open/close, PortAudio start-up) run inside, so
    nothing of redrill's own output is hidden.
    """
    import sys
    import tempfile

    captured = CapturedStderr()
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no fd 2 (embedded interpreter): nothing to capture
        yield captured
        return
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        failed = False
        try:
            yield captured
        except KeyboardInterrupt:  # Ctrl-C is a normal way to stop, not a failure to explain
            raise
        except BaseException:
            failed = True
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            captured.text = tmp.read().decode("utf-8", errors="replace")
            if failed and captured.text.strip():
                sys.stderr.write(captured.text)
                sys.stderr.flush()


def refresh_portaudio(sd) -> None:
    """Make PortAudio see the current ``PULSE_SERVER``.

    PortAudio reads the sound server address once, when it initialises (at ``import
    sounddevice``). If the environment changed since (a test's private server, a user who exports
    it in a script), it is re-initialised, which is safe while no stream is open.
    """
    current = os.environ.get("PULSE_SERVER")
    if not _pulse_server_at_init:
        _pulse_server_at_init.append(current)
        return
    if _pulse_server_at_init[0] != current:
        sd._terminate()
        sd._initialize()
        _pulse_server_at_init[0] = current


def import_sounddevice():
    """``sounddevice``, or a RedrillError saying how to install PortAudio."""
    try:
        with capture_stderr():  # PortAudio's start-up probes every ALSA device, noisily
            import sounddevice as sd
    except OSError:
        raise RedrillError(NO_PORTAUDIO) from None
    with capture_stderr():
        refresh_portaudio(sd)
    return sd


@dataclass(frozen=True)
class InputDevice:
    """A device that can record: its sounddevice index, name, channels and default rate."""

    index: int
    name: str
    hostapi: str
    channels: int
    default_samplerate: float
    is_default: bool


def list_input_devices() -> list[InputDevice]:
    """Every input device PortAudio sees (empty when there is none)."""
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
    except sd.PortAudioError as exc:
        raise RedrillError(f"PortAudio could not list sound devices: {exc}") from None
    default_in = sd.default.device[0]
    out = []
    for d in devices:
        if d["max_input_channels"] > 0:
            out.append(
                InputDevice(
                    index=d["index"],
                    name=d["name"],
                    hostapi=hostapis[d["hostapi"]]["name"],
                    channels=d["max_input_channels"],
                    default_samplerate=float(d["default_samplerate"]),
                    is_default=d["index"] == default_in,
                )
            )
    return out


def no_microphone(detail: str) -> RedrillError:
    return RedrillError(f"no microphone found ({detail}): plug one in or check your sound server; {NO_MICROPHONE_FIX}")


def resolve_input_device(sd, device: int | str | None) -> tuple[int | str | None, dict]:
    """The device argument for sounddevice and its info; a clear error when there is none."""
    if isinstance(device, str):
        device = device.strip()
        if device.lstrip("-").isdigit():
            device = int(device)
        elif not device:
            device = None
    try:
        info = sd.query_devices(device, kind="input")
    except ValueError as exc:
        names = [d.name for d in list_input_devices()]
        seen = f"; input devices seen: {', '.join(names)}" if names else ""
        raise no_microphone(f"{exc}{seen}") from None
    except sd.PortAudioError as exc:
        raise no_microphone(f"PortAudio: {exc}") from None
    if info["max_input_channels"] < 1:
        raise no_microphone(f"device '{info['name']}' cannot record")
    return (device if device is not None else info["index"]), info
