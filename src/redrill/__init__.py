"""redrill: an offline, spoken mock-interview trainer.

Debrief a bad interview, drill the weak answers out loud, and see them improve against your own
earlier attempts. Everything stays on this machine.
"""

from redrill.offline import keep_libraries_offline

# Before any submodule can import onnxruntime or huggingface_hub: their switches work only if set first.
keep_libraries_offline()

__version__ = "0.1.0"
