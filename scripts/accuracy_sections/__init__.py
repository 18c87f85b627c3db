"""Sections of ``scripts/accuracy.py``: one module each, with ``TITLE``, ``ORDER`` and ``run(ctx)``."""
