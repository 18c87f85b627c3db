"""redrill: an offline, spoken mock-interview trainer.

Debrief a bad interview, drill the weak answers out loud, and see them improve against your own
earlier attempts. Everything stays on this machine.
"""

import os as _os

# Telemetry switches of the libraries redrill loads, set before any submodule can import them:
# onnxruntime reads its switch once, at import (see redrill.offline for what it would send).
OFFLINE_SWITCHES = {"ORT_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
_os.environ.update(OFFLINE_SWITCHES)

# The speech recognizer (CTranslate2) brings GNU OpenMP, whose threads spin for a while each time
# they wait for each other. During a drill the recognizer shares the cores with the sound server, the
# recorder and the voice reading the question, and on a desk with anything else running; a spinning
# thread keeps the core from the work it waits for. Sleeping at once costs nothing measurable on a
# quiet machine (scripts/bench_threads.py; README, Performance). OpenMP reads this once, when it
# loads, so it is set here, before any submodule can load it; a value the user set wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
