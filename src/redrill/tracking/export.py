"""Export every stored attempt with its metrics, as CSV (one flat row each) or JSON (as stored).

CSV is for spreadsheets: nested metrics are flattened into fixed columns (lists joined with
``;``), so the columns do not move when an attempt lacks a figure (the cell is empty instead), and a
text cell that a spreadsheet would run as a formula is neutralised with a leading single quote.
JSON keeps everything as stored, transcript included, so nothing is lost.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from redrill.errors import RedrillError
from redrill.paths import private_file
from redrill.scoring import JSON_KEYS

FORMATS = ("csv", "json")
EXPORT_VERSION = 1

# Metric keys that become one CSV column each, in this order, as stored.
SCALAR_METRICS = (
    "duration_s",
    "audio_s",
    "speech_s",
    "words",
    "wpm",
    "filled_pause_count",
    "filler_count",
    "fillers_per_min",
    "fillers_per_100_words",
)
CSV_COLUMNS = (
    "id",
    "question_id",
    "question_text",
    "created_at",
    "source",
    "status",
    "audio_path",
    "audio_seconds",
    "error",
    *SCALAR_METRICS,
    "fillers",
    "long_pause_count",
    "long_pauses",
    "long_pause_total_s",
    "restarts",
    "restart_examples",
    "hedges",
    "hedge_examples",
    "repeated_phrases",
    "target_min_s",
    "target_max_s",
    "over_target_s",
    "under_target_s",
    "ramble_score",
    "talking_points_covered",
    "talking_points_missing",
)
# Metric keys the fixed columns above already carry: every key scoring writes (anything else
# scalar, e.g. from a newer redrill, gets its own column).
_FLATTENED = set(SCALAR_METRICS) | set(JSON_KEYS)


def _join(items: Iterable) -> str:
    # ';' separates list items; a ';' inside an item would split it, so it becomes ','.
    return ";".join(str(i).replace(";", ",") for i in items)


# A cell starting with one of these is run as a formula by spreadsheets (CSV injection: a question
# text or talking point "=HYPERLINK(...)" or "+cmd|..."). OWASP's advice: prefix a single quote.
# The full-width forms are read as formulas by some spreadsheets too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        if value.startswith(FORMULA_STARTS):
            value = "'" + value
        # A bare CR is not quoted by the csv writer (its line ends are "\n"), so it would split the
        # row for a reader; inside a cell it becomes a newline, which is quoted.
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def csv_row(attempt) -> dict:
    """One attempt as a flat dict keyed by :data:`CSV_COLUMNS` (plus extra scalar metrics)."""
    m = attempt.metrics or {}
    tp = m.get("talking_points") or {}
    target = m.get("target_s") or (None, None)
    pauses = m.get("long_pauses")
    row = {
        **_attempt_fields(attempt),
        **{key: m.get(key) for key in SCALAR_METRICS},
        "fillers": _join(f"{name}={n}" for name, n in (m.get("fillers") or {}).items()),
        "long_pause_count": None if not isinstance(pauses, list) else len(pauses),
        "long_pauses": None
        if not isinstance(pauses, list)
        else _join(f"{p.get('at_s')}+{p.get('length_s')}" for p in pauses),
        "long_pause_total_s": m.get("long_pause_total_s"),
        "restarts": m.get("restarts"),
        "restart_examples": _join(m.get("restart_examples") or ()),
        "hedges": m.get("hedges"),
        "hedge_examples": _join(m.get("hedge_examples") or ()),
        "repeated_phrases": _join(f"{r.get('phrase')}×{r.get('count')}" for r in m.get("repeated_phrases") or ()),
        "target_min_s": target[0],
        "target_max_s": target[1],
        "over_target_s": m.get("over_target_s"),
        "under_target_s": m.get("under_target_s"),
        "ramble_score": m.get("ramble_score"),
        "talking_points_covered": _join(tp.get("covered") or ()),
        "talking_points_missing": _join(tp.get("missing") or ()),
    }
    for key in sorted(m):
        value = m[key]
        if key not in _FLATTENED and (value is None or isinstance(value, (str, int, float))):
            row[key] = value
    return {k: _cell(v) for k, v in row.items()}


def _attempt_fields(attempt) -> dict:
    """The attempt's own columns, shared by both formats (``created_at`` as ISO 8601 UTC)."""
    return {
        "id": attempt.id,
        "question_id": attempt.question_id,
        "question_text": attempt.question_text,
        "created_at": attempt.created_at.isoformat(),
        "source": attempt.source,
        "status": attempt.status,
        "audio_path": attempt.audio_path,
        "audio_seconds": attempt.audio_seconds,
        "error": attempt.error,
    }


def json_row(attempt) -> dict:
    """One attempt exactly as stored (``created_at`` as ISO 8601 UTC)."""
    return {
        **_attempt_fields(attempt),
        "interview_id": attempt.interview_id,
        "metrics": attempt.metrics,
        "transcript": attempt.transcript,
    }


def write_csv(attempts: Iterable, out: IO[str]) -> int:
    """Write a header and one row per attempt; returns the number of rows."""
    rows = [csv_row(a) for a in attempts]
    extra = sorted({k for r in rows for k in r} - set(CSV_COLUMNS))
    writer = csv.DictWriter(out, fieldnames=[*CSV_COLUMNS, *extra], restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return len(rows)


def write_json(attempts: Iterable, out: IO[str]) -> int:
    """Write ``{"format", "version", "attempts": [...]}``; returns the number of attempts."""
    rows = [json_row(a) for a in attempts]
    json.dump(
        {"format": "redrill-export", "version": EXPORT_VERSION, "attempts": rows},
        out,
        ensure_ascii=False,
        allow_nan=False,
        indent=1,
    )
    out.write("\n")
    return len(rows)


def export_text(attempts: Iterable, fmt: str) -> tuple[str, int]:
    """The whole export as text, and how many attempts it holds."""
    if fmt not in FORMATS:
        raise RedrillError(f"unknown export format '{fmt}'; expected one of: {', '.join(FORMATS)}")
    buffer = io.StringIO()
    count = (write_csv if fmt == "csv" else write_json)(attempts, buffer)
    return buffer.getvalue(), count


def write_private(path: Path, text: str) -> None:
    """Write text to ``path`` readable by the user only (0600): exports hold what they said."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise RedrillError(f"cannot write {path}: {exc.strerror or exc}; choose another file with --out") from None
    private_file(path)
