"""redrill: an offline, spoken mock-interview trainer.

Debrief a bad interview, drill the weak answers out loud, and see them improve against your own
earlier attempts. Everything stays on this machine.
"""

import os as _os

# Telemetry switches of the libraries redrill loads, set before any submodule can import them:
# onnxruntime reads its switch once, at import (see redrill.offline for what it would send).
OFFLINE_SWITCHES = {"ORT_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
_os.environ.update(OFFLINE_SWITCHES)

__version__ = "0.1.0"
