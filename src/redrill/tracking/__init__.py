"""Tracking: how answers improve over time, from the stored attempts.

* ``progress``: per-question first, best and latest attempt, trend and sparklines;
* ``report``: the self-contained HTML report with charts;
* ``export``: every attempt and its metrics as CSV or JSON.
"""
