"""Export every stored attempt with its metrics, as CSV (one flat row each) or JSON (as stored).

CSV is for spreadsheets: nested metrics are flattened into fixed columns (lists joined with
``;``), so the columns do not move when an attempt lacks a figure (the cell is empty instead), and a
text cell that a spreadsheet would run as a formula is neutralised with a leading single quote.
JSON keeps everything as stored, transcript included, so nothing is lost.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import os
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from redrill.errors import RedrillError
from redrill.paths import private_file
from redrill.scoring.metrics import Coverage, Metrics

FORMATS = ("csv", "json")
EXPORT_VERSION = 1

ATTEMPT_COLUMNS = (
    "id",
    "question_id",
    "question_text",
    "created_at",
    "source",
    "status",
    "audio_path",
    "audio_seconds",
    "error",
    "damaged",  # stored fields that could not be read: their cells are empty
)


def _join(items: Iterable) -> str:
    # ';' separates list items; a ';' inside an item would split it, so it becomes ','.
    return ";".join(str(i).replace(";", ",") for i in items)


def _flatten(f: dataclasses.Field, value) -> dict[str, object]:
    """One metric as CSV cells: scalars as they are, composites spread over fixed columns."""
    name = f.name
    if f.metadata.get("as_mapping"):
        return {name: _join(f"{k}={n}" for k, n in value)}
    if isinstance(f.default, Coverage):
        return {f"{name}_covered": _join(value.covered), f"{name}_missing": _join(value.missing)}
    if name == "target_s":
        lo, hi = value or (None, None)
        return {"target_min_s": lo, "target_max_s": hi}
    if name == "long_pauses":
        return {
            "long_pause_count": None if value is None else len(value),
            "long_pauses": None if value is None else _join(f"{p.at_s}+{p.length_s}" for p in value),
        }
    if name == "repeated_phrases":
        return {name: _join(f"{r.phrase}×{r.count}" for r in value)}
    group = _group_type(f)
    if group is not None:
        return _group(name, group, value)
    if isinstance(value, tuple):
        return {name: _join(value)}
    return {name: value}


@functools.cache
def _group_type_of(name: str) -> type | None:
    hint = typing.get_type_hints(Metrics)[name]
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    groups = [o for o in options if isinstance(o, type) and dataclasses.is_dataclass(o)]
    return groups[0] if len(groups) == 1 else None


def _group_type(f: dataclasses.Field) -> type | None:
    """The record type of a field that holds a nested group of figures (``Voice | None``), or None."""
    return _group_type_of(f.name)


def _group(name: str, cls: type, value) -> dict[str, object]:
    """A nested group of figures (e.g. ``voice``) as one column per figure, ``voice_pitch_range_st``;
    lists of records as ``a+b+c`` items joined with ``;``. Empty cells when the group is missing."""
    cells: dict[str, object] = {}
    for g in dataclasses.fields(cls):
        item = None if value is None else getattr(value, g.name)
        if isinstance(item, tuple):
            item = _join("+".join(str(v) for v in dataclasses.astuple(i)) for i in item)
        cells[f"{name}_{g.name}"] = item
    return cells


def metric_cells(m: Metrics) -> dict[str, object]:
    """Every field of :class:`~redrill.scoring.Metrics` as CSV cells, in field order."""
    cells: dict[str, object] = {}
    for f in dataclasses.fields(Metrics):
        if f.metadata.get("extra"):  # keys of a newer redrill: scalars get a column of their own
            cells.update({k: v for k, v in sorted(m.extra.items()) if v is None or isinstance(v, (str, int, float))})
        else:
            cells.update(_flatten(f, getattr(m, f.name)))
    return cells


# The CSV columns follow from the metrics model: a new metric is a new column, with no list to update.
# The transcript's words come last: the longest cell, and what a spreadsheet user reads the figures by.
CSV_COLUMNS = (*ATTEMPT_COLUMNS, *metric_cells(Metrics(long_pauses=())), "transcript")


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
    """One attempt as a flat dict keyed by :data:`CSV_COLUMNS` (metric cells empty until scored)."""
    if attempt.metrics is None:
        cells: dict[str, object] = dict.fromkeys(CSV_COLUMNS[len(ATTEMPT_COLUMNS) : -1])
    else:
        cells = metric_cells(attempt.metrics)
    row = {**_attempt_fields(attempt), **cells, "transcript": transcript_text(attempt.transcript)}
    row["damaged"] = "; ".join(row["damaged"])
    return {k: _cell(v) for k, v in row.items()}


def transcript_text(stored) -> str | None:
    """The words of a stored transcript as one line of text (None: not transcribed yet)."""
    if not stored:
        return None
    from redrill.transcript import Transcript

    try:
        return " ".join(Transcript.from_json(stored).text.split())
    except (RedrillError, TypeError, ValueError, KeyError, AttributeError):
        return None  # a damaged transcript leaves the cell empty; the JSON export keeps it as stored


def _attempt_fields(attempt) -> dict:
    """The attempt's own columns, shared by both formats (``created_at`` as ISO 8601 UTC)."""
    return {
        "id": attempt.id,
        "question_id": attempt.question_id,
        "question_text": attempt.question_text,
        "created_at": None if getattr(attempt, "date_damaged", False) else attempt.created_at.isoformat(),
        "source": attempt.source,
        "status": attempt.status,
        "audio_path": attempt.audio_path,
        "audio_seconds": attempt.audio_seconds,
        "error": attempt.error,
        "damaged": list(getattr(attempt, "damage", ())),
    }


def json_row(attempt) -> dict:
    """One attempt exactly as stored (``created_at`` as ISO 8601 UTC)."""
    return {
        **_attempt_fields(attempt),
        "interview_id": attempt.interview_id,
        "metrics": None if attempt.metrics is None else attempt.metrics.to_dict(),
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
