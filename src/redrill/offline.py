"""Keep the libraries redrill loads from reaching the network or writing outside the data home.

onnxruntime (the engine under faster-whisper's Silero voice-activity detector) ships with Microsoft's
1DS telemetry switched on in its official Linux wheels since 1.29 (1.28 and older have none): on import it writes a device id and
an event queue under ``~/.cache/Microsoft/DeveloperTools/.onnxruntime``, and about ten seconds later it
looks up and connects to its collector (``mobile.events.data.microsoft.com``) to upload them. Its own
documented switch, ``ORT_DISABLE_TELEMETRY=1``, stops all of it (no uploader, no events, no device id)
but only when set before onnxruntime is first imported; setting it afterwards does nothing. So the
switches (:data:`redrill.OFFLINE_SWITCHES`) are set by ``redrill/__init__.py``, before any module of
redrill can load a model (child processes inherit them).

Hugging Face's hub client (used by ``redrill model pull`` alone) sends a usage ping with each download
unless ``HF_HUB_DISABLE_TELEMETRY`` is set; the download itself is the one network use redrill makes.

The values are forced, not defaulted: "nothing leaves your machine" is redrill's promise, whatever the
shell exported. tests/test_network_syscalls.py proves it at the system-call level.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping


def onnxruntime_telemetry_folder(environ: MutableMapping[str, str] = os.environ) -> str:
    """Where onnxruntime keeps its device id and queued events when its telemetry is on."""
    cache = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "Microsoft", "DeveloperTools", ".onnxruntime")
