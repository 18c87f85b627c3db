"""The report's pitch and loudness strip: how one answer sounded, drawn over its own words.

Two layers, like the rest of the report:

* :func:`strip_data` is pure: the answer's voice frames (:mod:`redrill.sound.prosody`), its
  transcript and its voice figures in, plain JSON out (coarse pitch and loudness tracks, the words
  with their times, the sentences that trailed off);
* :func:`strip_html` draws it as rows of :data:`ROW_S` seconds: a small SVG (loudness as a grey
  area, pitch as a blue line around the speaker's own median, trailing sentence ends in red) with
  the words said in that stretch printed underneath at their times. Hand-written SVG and HTML: no
  scripts, no fonts to load, the same bytes for the same data.
"""

from __future__ import annotations

import html
import math
import statistics
from collections.abc import Iterable

from redrill.scoring.metrics import Voice
from redrill.scoring.voice import PitchFrames, TimedWord, Track, merged
from redrill.transcript import Transcript

BIN_S = 0.1  # one pitch and loudness value per 100 ms
ROW_S = 10.0  # seconds of the answer per row of the strip (about 25 words at a usual pace)
PITCH_SPAN_ST = 8.0  # the strip shows pitch within this many semitones of the median
LOUDNESS_SPAN_DB = 40.0  # and loudness down to this far below the loudest moment
WIDTH, HEIGHT = 1000, 64
WORD_LINES = 3
# The width of one character of the words' 11.5 px font as a share of a row (about 1000 px wide).
CHAR_PERCENT = 0.62

STRIP_CSS = """
.strip { margin: 8px 0 4px; }
.strip .row { display: grid; grid-template-columns: 44px 1fr; column-gap: 6px; margin-bottom: 6px; }
.strip .t { color: #6b7280; font-size: 12px; font-variant-numeric: tabular-nums; padding-top: 2px; }
.strip svg { display: block; width: 100%; height: 48px; background: #f9fafb; }
.strip .words { position: relative; height: 44px; font-size: 11.5px; line-height: 14px; }
.strip .words span { position: absolute; white-space: nowrap; color: #1f2937; }
.strip .words span.trail { color: #b91c1c; font-weight: 600; }
.strip .key { color: #6b7280; font-size: 13px; margin: 2px 0 10px; }
.strip .key b.p { color: #2563eb; } .strip .key b.l { color: #64748b; } .strip .key b.t { color: #b91c1c; }
"""


def _bins(frames: Track, t0: float, n: int, median_hz: float) -> tuple[list, list]:
    pitch: list[list[float]] = [[] for _ in range(n)]
    loud: list[float | None] = [None] * n
    for t, f, d in zip(frames.times, frames.f0_hz, frames.db):
        i = int((t - t0) / BIN_S)
        if not 0 <= i < n:
            continue
        if f > 0:
            pitch[i].append(12.0 * math.log2(f / median_hz))
        loudest = loud[i]
        if d is not None and (loudest is None or d > loudest):
            loud[i] = d
    return [round(statistics.median(p), 2) if p else None for p in pitch], [
        None if v is None else round(v, 1) for v in loud
    ]


def strip_data(
    pieces: Iterable[PitchFrames], transcript: Transcript, voice: Voice, *, attempt_id: int, when: str = ""
) -> dict | None:
    """The numbers behind one answer's strip, or None when it has no timed words.

    Returns ``{"attempt_id", "when", "start_s", "bin_s", "pitch_st" (per bin, semitones re the
    speaker's median, None unvoiced), "loudness_db" (per bin, None silent), "loudest_db",
    "words": [{"text", "start", "end", "trailing"}], "trailing": [{"at_s", "end_s", "drop_db"}]}``.
    """
    words = [
        TimedWord(w.text, start, end)
        for w in transcript.words
        if (start := w.start) is not None and (end := w.end) is not None and w.text.strip()
    ]
    if not words:
        return None
    frames = merged(pieces)
    t0 = max(0.0, words[0].start - 0.3)
    t1 = words[-1].end + 0.3
    n = max(1, int(math.ceil((t1 - t0) / BIN_S)))
    voiced = [f for f in frames.f0_hz if f > 0]
    median_hz = voice.median_f0_hz or (statistics.median(voiced) if voiced else 100.0)
    pitch, loud = _bins(frames, t0, n, median_hz)
    known = [v for v in loud if v is not None]
    by_start = {t.at_s: t for t in voice.trailing}
    trailing_ids: set[int] = set()
    trailing_spans = []
    for i, w in enumerate(words):
        t = by_start.get(round(w.start, 2))
        if t is None:
            continue
        span = words[i : i + max(1, len(t.words.split()))]
        trailing_spans.append({"at_s": round(span[0].start, 2), "end_s": round(span[-1].end, 2), "drop_db": t.drop_db})
        trailing_ids.update(id(x) for x in span)
    out_words = [
        {"text": w.text.strip(), "start": round(w.start, 2), "end": round(w.end, 2), "trailing": id(w) in trailing_ids}
        for w in words
    ]
    return {
        "attempt_id": attempt_id,
        "when": when,
        "start_s": round(t0, 2),
        "bin_s": BIN_S,
        "pitch_st": pitch,
        "loudness_db": loud,
        "loudest_db": max(known) if known else None,
        "words": out_words,
        "trailing": trailing_spans,
        "figures": {
            "pitch_range_st": voice.pitch_range_st,
            "loudness_sd_db": voice.loudness_sd_db,
            "sentences": voice.sentences,
            "pace_cv": voice.pace_cv,
            "first_word_delay_s": voice.first_word_delay_s,
        },
    }


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _x(t: float, row_start: float) -> float:
    return round((t - row_start) / ROW_S * WIDTH, 1)


def _row_svg(strip: dict, row_start: float) -> str:
    bin_s = strip["bin_s"]
    start = strip["start_s"]
    top = strip["loudest_db"]
    first = max(0, int((row_start - start) / bin_s))
    last = min(len(strip["pitch_st"]), int(math.ceil((row_start + ROW_S - start) / bin_s)))
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="none" role="img">']
    # Loudness: a grey area from the bottom, its top at the loudest moment of the answer.
    if top is not None:
        pts = []
        for i in range(first, last):
            v = strip["loudness_db"][i]
            x = _x(start + (i + 0.5) * bin_s, row_start)
            level = 0.0 if v is None else max(0.0, min(1.0, (v - (top - LOUDNESS_SPAN_DB)) / LOUDNESS_SPAN_DB))
            pts.append(f"{x},{round(HEIGHT - level * (HEIGHT - 4), 1)}")
        if pts:
            x0, x1 = pts[0].split(",")[0], pts[-1].split(",")[0]
            parts.append(f'<polygon fill="#cbd5e1" points="{x0},{HEIGHT} {" ".join(pts)} {x1},{HEIGHT}"/>')
    # Trailing sentence ends: a red band behind the words that fell away.
    for t in strip["trailing"]:
        if t["end_s"] < row_start or t["at_s"] > row_start + ROW_S:
            continue
        a, b = max(t["at_s"], row_start), min(t["end_s"], row_start + ROW_S)
        parts.append(
            f'<rect x="{_x(a, row_start)}" y="0" width="{max(2.0, _x(b, row_start) - _x(a, row_start))}" '
            f'height="{HEIGHT}" fill="#dc2626" fill-opacity="0.18"/>'
        )
    mid = HEIGHT / 2
    parts.append(f'<line x1="0" x2="{WIDTH}" y1="{mid}" y2="{mid}" stroke="#93c5fd" stroke-dasharray="4 4"/>')
    # Pitch: a blue line around the speaker's median (the dashed line), broken where unvoiced.
    scale = (HEIGHT / 2 - 3) / PITCH_SPAN_ST
    run: list[str] = []
    lines = []
    for i in range(first, last + 1):
        v = strip["pitch_st"][i] if i < last else None
        if v is None:
            if len(run) > 1:
                lines.append(run)
            run = []
            continue
        y = round(mid - max(-PITCH_SPAN_ST, min(PITCH_SPAN_ST, v)) * scale, 1)
        run.append(f"{_x(start + (i + 0.5) * bin_s, row_start)},{y}")
    for run in lines:
        parts.append(
            f'<polyline fill="none" stroke="#2563eb" stroke-width="2" stroke-linejoin="round" points="{" ".join(run)}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def strip_html(strip: dict) -> str:
    """The strip as HTML (rows of :data:`ROW_S` seconds); style it with :data:`STRIP_CSS`."""
    e = html.escape
    words = strip["words"]
    t0 = words[0]["start"]
    t_end = words[-1]["end"]
    out = ['<div class="strip">']
    row_start = math.floor(t0 / ROW_S) * ROW_S
    while row_start < t_end:
        out.append('<div class="row">')
        out.append(f'<div class="t">{_clock(row_start)}</div><div>')
        out.append(_row_svg(strip, row_start))
        out.append('<div class="words">')
        # Each word under the moment it starts, on the first of three lines where it does not run
        # into the word before it (so most words read left to right on the top line).
        line_end = [-1.0] * WORD_LINES
        for w in (w for w in words if row_start <= w["start"] < row_start + ROW_S):
            left = max(0.0, min(97.0, (w["start"] - row_start) / ROW_S * 100))
            line = next((i for i, end in enumerate(line_end) if end <= left), None)
            if line is None:
                line = min(range(WORD_LINES), key=line_end.__getitem__)
            line_end[line] = left + (len(w["text"]) + 1) * CHAR_PERCENT
            cls = "trail" if w["trailing"] else ""
            attr = f' class="{cls}"' if cls else ""
            out.append(f'<span{attr} style="left:{left:.1f}%;top:{line * 14}px">{e(w["text"])}</span>')
        out.append("</div></div></div>")
        row_start += ROW_S
    out.append("</div>")
    out.append(
        '<p class="key"><b class="p">Blue line</b>: pitch, against your own middle pitch (dashed; up is higher, '
        f'±{PITCH_SPAN_ST:.0f} semitones, gaps where there is no voice). <b class="l">Grey</b>: loudness '
        f'(top: the loudest moment, bottom: {LOUDNESS_SPAN_DB:.0f} dB quieter). <b class="t">Red</b>: the end of a '
        "sentence that trailed off.</p>"
    )
    return "\n".join(out)
