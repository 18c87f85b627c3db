"""redrill: an offline, spoken mock-interview trainer.

Debrief a bad interview, drill the weak answers out loud, and see them improve against your own
earlier attempts. Everything stays on this machine.
"""

__version__ = "0.1.0"
