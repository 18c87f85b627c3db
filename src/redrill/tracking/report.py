"""``redrill report``: one self-contained HTML page showing how each answer improves.

Two layers:

* :func:`report_data` is pure: stored metrics in, the numbers behind every chart out (plain JSON),
  so tests can check the data without looking at pictures;
* :func:`render_html` draws the charts with matplotlib (Agg, SVG into a string) and inlines them,
  with inline CSS: no network, no fonts, no scripts. The page reads on a laptop screen and prints
  (one question per page, no dark backgrounds).

matplotlib is imported only inside :func:`render_html`, never at import time.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo

from redrill.numbers import length_text, plural
from redrill.scoring.metrics import Metrics
from redrill.tracking.progress import median_or_none, question_progress
from redrill.tracking.voicestrip import STRIP_CSS, strip_html

# The voice figures a report point carries (answers with a recording).
VOICE_KEYS = ("pitch_range_st", "loudness_sd_db", "trailing_share", "pace_cv", "first_word_delay_s")

# Colours that survive black-and-white printing as different greys.
INK = "#1f2937"
LINE = "#2563eb"
BAND = "#16a34a"
WARN = "#dc2626"
MUTED = "#6b7280"


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def report_data(
    scored: Iterable[tuple[int, str, datetime, Metrics]],
    question_texts: dict[str, str] | None = None,
    *,
    tz: tzinfo | None = None,
    strips: dict[int, dict] | None = None,
) -> dict:
    """The numbers behind every chart of the report.

    ``scored`` is :meth:`Store.scored_metrics` output (oldest first). Dates are local to ``tz``
    (default: this computer's zone). ``strips`` maps attempt ids to their pitch and loudness strip
    (:func:`redrill.tracking.voicestrip.strip_data`); a question shows the strip of its latest
    attempt that has one (``"strip"``). Points of answers with voice figures carry them
    (``"voice"``). Returns::

        {"questions": [{"question_id", "question_text", "target_s", "attempts", "trend",
                        "points": [{"attempt_id", "when", "duration_s", "fillers_per_min",
                                    "fillers", "long_pauses", "long_pause_total_s",
                                    "ramble_score"}, ...]}, ...],   # weakest first
         "weeks": [{"week", "start", "attempts", "median_ramble_score"}, ...],  # no gaps
         "totals": {"attempts", "questions", "first", "last"}}
    """
    scored = list(scored)
    texts = question_texts or {}
    points: dict[str, list[dict]] = {}
    for attempt_id, question_id, created_at, m in scored:
        local = created_at.astimezone(tz)
        points.setdefault(question_id, []).append(
            {
                "attempt_id": attempt_id,
                "when": local.isoformat(timespec="minutes"),
                "duration_s": m.duration_s,
                "target_s": m.target_s,
                "fillers_per_min": m.fillers_per_min,
                "fillers": m.fillers_total,
                "long_pauses": m.long_pause_count,
                "long_pause_total_s": m.long_pause_total_s,
                "ramble_score": m.ramble_score,
            }
        )
        if m.voice is not None:
            points[question_id][-1]["voice"] = {f: getattr(m.voice, f) for f in VOICE_KEYS}
    questions = []
    for row in question_progress(scored, texts):
        items = points[row.question_id]
        for p in items:
            target = p.pop("target_s")
            p["target_s"] = None if target is None else list(target)
        known_strips = strips or {}
        strip = next((known_strips[p["attempt_id"]] for p in reversed(items) if p["attempt_id"] in known_strips), None)
        extra = {"strip": strip} if strip is not None else {}
        questions.append(
            {
                **extra,
                "question_id": row.question_id,
                "question_text": row.question_text,
                "target_s": None if row.target_s is None else list(row.target_s),
                "attempts": row.attempts,
                "trend": row.trend,
                "first": row.first.to_json(),
                "best": row.best.to_json(),
                "latest": row.latest.to_json(),
                "points": items,
            }
        )
    weeks: list[dict] = []
    if scored:
        by_week: dict[date, list[float | None]] = {}
        for _id, _q, created_at, m in scored:
            by_week.setdefault(_week_start(created_at.astimezone(tz).date()), []).append(m.ramble_score)
        start, end = min(by_week), max(by_week)
        while start <= end:
            scores = by_week.get(start, [])
            iso = start.isocalendar()
            median = median_or_none(scores)
            weeks.append(
                {
                    "week": f"{iso[0]}-W{iso[1]:02d}",
                    "start": start.isoformat(),
                    "attempts": len(scores),
                    "median_ramble_score": None if median is None else round(median, 1),
                }
            )
            start += timedelta(days=7)
    return {
        "questions": questions,
        "weeks": weeks,
        "totals": {
            "attempts": len(scored),
            "questions": len(questions),
            "first": scored[0][2].astimezone(tz).isoformat(timespec="minutes") if scored else None,
            "last": scored[-1][2].astimezone(tz).isoformat(timespec="minutes") if scored else None,
        },
    }


# --- drawing -------------------------------------------------------------------------------------


def _svg(fig) -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog, deterministic ids)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _figure(rows: int, cols: int, size: tuple[float, float]):
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots(rows, cols, squeeze=False)


def _style(ax, title: str, ylabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=11, color=INK, fontweight="bold")
    ax.set_ylabel(ylabel, fontsize=9, color=MUTED)
    ax.grid(True, axis="y", color="#e5e7eb", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8, colors=INK)


def _by_attempt(ax, points: list[dict]) -> None:
    """X axis by attempt number (1, 2, 3 ...) labelled with each attempt's date: several attempts
    on one day stay side by side instead of stacking into a vertical line over a date axis."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    days = [datetime.fromisoformat(p["when"]) for p in points]
    n = len(points)

    def label(x: float, _pos=None) -> str:
        k = int(round(x))
        if abs(x - k) > 1e-6 or not 1 <= k <= n:
            return ""
        return f"#{k}\n{days[k - 1].day} {days[k - 1]:%b}"

    ax.set_xlim(0.4, n + 0.6)
    step = max(1, -(-n // 8))  # at most about eight labels, always starting at the first attempt
    ax.xaxis.set_major_locator(FixedLocator(list(range(1, n + 1, step))))
    ax.xaxis.set_major_formatter(FuncFormatter(label))
    ax.set_xlabel("attempt (date)", fontsize=8, color=MUTED)


def _count_axis(ax, values: list[float]) -> None:
    """Whole numbers only, starting at 0 and at least up to 1 (all zeros gave 0.00-0.05 ticks)."""
    from matplotlib.ticker import MaxNLocator

    ax.set_ylim(0, max([1.0, *values]) * 1.1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


def _series(points: list[dict], key: str) -> tuple[list[int], list[float]]:
    """(attempt numbers, values) of the attempts where ``key`` was measured."""
    xs, ys = [], []
    for number, p in enumerate(points, start=1):
        if p[key] is not None:
            xs.append(number)
            ys.append(p[key])
    return xs, ys


def question_chart(q: dict) -> str:
    """Four small charts by attempt for one question (SVG): see :func:`question_figure`."""
    return _svg(question_figure(q))


def question_figure(q: dict):
    """Four small charts by attempt for one question: length against the target band, fillers per
    minute, long pauses, ramble score (a matplotlib Figure, so tests can read its axes)."""
    fig, axes = _figure(2, 2, (10.0, 5.6))
    (a_len, a_fill), (a_pause, a_ramble) = axes
    xs, ys = _series(q["points"], "duration_s")
    if q["target_s"]:
        lo, hi = q["target_s"]
        a_len.axhspan(
            lo, hi, color=BAND, alpha=0.15, linewidth=0, label=f"target {length_text(lo)} to {length_text(hi)}"
        )
        a_len.axhline(hi, color=BAND, linewidth=0.8, linestyle="--")
    a_len.plot(xs, ys, marker="o", color=LINE, linewidth=1.6, markersize=4, label="length")
    if xs:
        a_len.legend(loc="upper right", fontsize=8, frameon=False)
    _style(a_len, "Answer length", "minutes:seconds")
    a_len.set_ylim(bottom=0)
    from matplotlib.ticker import FuncFormatter

    a_len.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos=None: length_text(v, clock=True)))

    xs, ys = _series(q["points"], "fillers_per_min")
    a_fill.plot(xs, ys, marker="o", color=WARN, linewidth=1.6, markersize=4)
    _style(a_fill, "Fillers per minute", "per minute")
    a_fill.set_ylim(bottom=0, top=max([1.0, *ys]) * 1.15)

    xs, ys = _series(q["points"], "long_pauses")
    if xs:
        a_pause.bar(xs, ys, width=0.6, color=MUTED)
    _style(a_pause, "Long pauses", "count")
    _count_axis(a_pause, ys)

    xs, ys = _series(q["points"], "ramble_score")
    a_ramble.plot(xs, ys, marker="o", color=INK, linewidth=1.6, markersize=4)
    a_ramble.axhspan(0, 30, color=BAND, alpha=0.10, linewidth=0)
    _style(a_ramble, "Ramble score (lower is better)", "0-100")
    a_ramble.set_ylim(0, 100)
    for ax, key in (
        (a_len, "duration_s"),
        (a_fill, "fillers_per_min"),
        (a_pause, "long_pauses"),
        (a_ramble, "ramble_score"),
    ):
        _by_attempt(ax, q["points"])
        if not _series(q["points"], key)[0]:
            ax.text(
                0.5,
                0.5,
                "not measured\n(typed answers have no timings)",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=9,
                color=MUTED,
            )
    return fig


def weekly_chart(weeks: list[dict]) -> str:
    """The week-by-week charts (SVG): see :func:`weekly_figure`."""
    return _svg(weekly_figure(weeks))


def weekly_figure(weeks: list[dict]):
    """Attempts per week and the median ramble score per week, one slot per week (labelled with the
    week's Monday): a single week is one bar, not an axis of years."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    fig, axes = _figure(1, 2, (10.0, 3.0))
    a_count, a_ramble = axes[0]
    xs = list(range(len(weeks)))
    starts = [date.fromisoformat(w["start"]) for w in weeks]
    counts = [w["attempts"] for w in weeks]
    a_count.bar(xs, counts, width=0.6, color=LINE)
    _style(a_count, "Attempts per week", "attempts")
    _count_axis(a_count, counts)
    known = [(x, w["median_ramble_score"]) for x, w in zip(xs, weeks) if w["median_ramble_score"] is not None]
    a_ramble.plot([k[0] for k in known], [k[1] for k in known], marker="o", color=INK, linewidth=1.6, markersize=4)
    a_ramble.axhspan(0, 30, color=BAND, alpha=0.10, linewidth=0)
    _style(a_ramble, "Median ramble score per week", "0-100")
    a_ramble.set_ylim(0, 100)
    step = max(1, -(-len(weeks) // 8))  # at most about eight labels
    for ax in (a_count, a_ramble):
        ax.set_xlim(-0.6, len(weeks) - 0.4)
        ax.xaxis.set_major_locator(FixedLocator(xs[::step]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos=None: _week_label(starts, x)))
        ax.set_xlabel("week starting", fontsize=8, color=MUTED)
    return fig


def _week_label(starts: list[date], x: float) -> str:
    k = int(round(x))
    return f"{starts[k].day} {starts[k]:%b}" if 0 <= k < len(starts) and abs(x - k) < 1e-6 else ""


CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1f2937; background: #ffffff; margin: 0 auto; max-width: 1100px; padding: 24px 32px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 2px; }
.sub, .meta { color: #6b7280; margin: 0 0 14px; }
section { border-top: 2px solid #e5e7eb; padding-top: 18px; margin-top: 26px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0 4px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb; }
th { color: #6b7280; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.improving { color: #15803d; font-weight: 600; }
.worsening { color: #b91c1c; font-weight: 600; }
.steady, .new { color: #6b7280; }
.over { color: #b91c1c; }
figure { margin: 10px 0; }
svg { max-width: 100%; height: auto; }
details summary { cursor: pointer; color: #2563eb; }
h3 { font-size: 16px; margin: 16px 0 2px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  section.question { break-before: page; page-break-before: always; border-top: none; }
  details > summary { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def _fmt_s(value: float | None) -> str:
    return length_text(value)


def _f(value, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def _length_cell(p: dict) -> str:
    text = _fmt_s(p.get("duration_s"))
    distance = p.get("distance_from_target_s")
    return f'<span class="over">{text}</span>' if distance else text


def _strip_section(strip: dict) -> str:
    """How the latest recorded answer sounded: its figures, then the pitch and loudness strip."""
    e = html.escape
    figures = strip.get("figures") or {}
    line = " · ".join(
        text
        for text in (
            f"pitch spread {figures['pitch_range_st']:.1f} semitones"
            if figures.get("pitch_range_st") is not None
            else None,
            f"loudness variation {figures['loudness_sd_db']:.1f} dB"
            if figures.get("loudness_sd_db") is not None
            else None,
            f"{len(strip['trailing'])} of {figures['sentences']} sentences trailed off"
            if figures.get("sentences")
            else None,
            f"pace variation {figures['pace_cv']:.0f}%" if figures.get("pace_cv") is not None else None,
            f"first word after {figures['first_word_delay_s']:.1f} s"
            if figures.get("first_word_delay_s") is not None
            else None,
        )
        if text
    )
    when = e(strip.get("when", "").replace("T", " ")[:16])
    return (
        f"<h3>How attempt #{strip['attempt_id']} sounded{f' ({when})' if when else ''}</h3>"
        + (f'<p class="meta">{e(line)}</p>' if line else "")
        + strip_html(strip)
    )


def _mock_section(mocks: list[dict]) -> list[str]:
    """The practice interviews (``redrill mock``) as a table, oldest first."""
    e = html.escape
    out = [
        '<section id="mocks"><h2>Practice interviews</h2>',
        '<p class="meta">Each <code>redrill mock</code>: questions in a row, scored as a whole. Score 0-100 '
        "(100 minus the mean ramble score), higher is better; the first answer sets the tone.</p>",
        '<table><thead><tr><th>#</th><th>When</th><th>Questions from</th><th class="n">Answered</th>'
        '<th class="n">Inside target</th><th class="n">Score</th><th class="n">Change</th>'
        '<th class="n">First answer</th></tr></thead><tbody>',
    ]
    for m in mocks:
        change = m.get("change")
        css = "improving" if (change or 0) >= 3 else "worsening" if (change or 0) <= -3 else "steady"
        inside = "-" if not m.get("timed") else f"{m['within_target']}/{m['timed']}"
        out.append(
            f"<tr><td>{m['mock_id']}</td><td>{e(m['when'][:16].replace('T', ' '))}</td><td>{e(m['source'])}</td>"
            f'<td class="n">{m["answered"]}/{m["questions"]}</td><td class="n">{inside}</td>'
            f'<td class="n">{_f(m["score"], ".0f")}</td>'
            f'<td class="n {css}">{"-" if change is None else f"{change:+.0f}"}</td>'
            f'<td class="n">{_f(m["first_answer_score"], ".0f")}</td></tr>'
        )
    out.append("</tbody></table></section>")
    return out


def render_html(data: dict, *, generated: datetime, title: str = "redrill: how your answers are improving") -> str:
    """The whole page (a string) for :func:`report_data` output."""
    import matplotlib

    # The SVGs must be the same for the same data: fixed ids, no timestamp, text as paths (no
    # fonts needed by the browser or printer).
    with matplotlib.rc_context({"svg.hashsalt": "redrill", "svg.fonttype": "path", "font.size": 9}):
        weekly = weekly_chart(data["weeks"]) if data["weeks"] else ""
        charts = [question_chart(q) for q in data["questions"]]
    e = html.escape
    totals = data["totals"]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}{STRIP_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="sub">{plural(totals["attempts"], "scored attempt")} at {plural(totals["questions"], "question")}'
        + (f", {e(totals['first'][:10])} to {e(totals['last'][:10])}" if totals["first"] else "")
        + f". Made {e(generated.strftime('%Y-%m-%d %H:%M'))} by redrill, from the data on this computer only.</p>",
        "<section><h2>Every question at a glance</h2>",
        '<p class="meta">Weakest first. Length: first, best (closest to the target) and latest attempt; '
        "red is outside the target. Ramble score 0-100, lower is better.</p>",
        '<table><thead><tr><th>Question</th><th class="n">Attempts</th><th class="n">Target</th>'
        '<th class="n">First</th><th class="n">Best</th><th class="n">Latest</th>'
        '<th class="n">Fillers/min now</th><th class="n">Ramble now</th><th>Trend</th></tr></thead><tbody>',
    ]
    for q in data["questions"]:
        target = "-" if not q["target_s"] else f"{length_text(q['target_s'][0])} to {length_text(q['target_s'][1])}"
        out.append(
            f'<tr><td><a href="#q-{e(q["question_id"])}">{e(q["question_text"])}</a></td>'
            f'<td class="n">{q["attempts"]}</td><td class="n">{target}</td>'
            f'<td class="n">{_length_cell(q["first"])}</td><td class="n">{_length_cell(q["best"])}</td>'
            f'<td class="n">{_length_cell(q["latest"])}</td>'
            f'<td class="n">{_f(q["latest"]["fillers_per_min"])}</td><td class="n">{_f(q["latest"]["ramble_score"], ".0f")}</td>'
            f'<td class="{e(q["trend"])}">{e(q["trend"])}</td></tr>'
        )
    out.append("</tbody></table></section>")
    if weekly:
        out.append(
            '<section><h2>Week by week</h2><p class="meta">How much you practised, and how the typical answer went.</p>'
        )
        out.append(
            f'<figure role="img" aria-label="Attempts and median ramble score per week">{weekly}</figure></section>'
        )
    if data.get("mocks"):
        out.extend(_mock_section(data["mocks"]))
    for q, chart in zip(data["questions"], charts):
        target = (
            "" if not q["target_s"] else f" · target {length_text(q['target_s'][0])} to {length_text(q['target_s'][1])}"
        )
        out.append(f'<section class="question" id="q-{e(q["question_id"])}">')
        out.append(f"<h2>{e(q['question_text'])}</h2>")
        out.append(
            f'<p class="meta">{e(q["question_id"])}{target} · {plural(q["attempts"], "attempt")} · '
            f'trend: <span class="{e(q["trend"])}">{e(q["trend"])}</span></p>'
        )
        out.append(f'<figure role="img" aria-label="Charts over time for {e(q["question_id"])}">{chart}</figure>')
        if q.get("strip"):
            out.append(_strip_section(q["strip"]))
        voiced = any("voice" in p for p in q["points"])
        voice_head = '<th class="n">Pitch spread</th><th class="n">Trailing off</th>' if voiced else ""
        out.append(
            "<details open><summary>The numbers</summary><table><thead><tr><th>#</th><th>When</th>"
            '<th class="n">Length</th><th class="n">Fillers/min</th><th class="n">Long pauses</th>'
            f'<th class="n">Ramble</th>{voice_head}</tr></thead><tbody>'
        )
        for p in q["points"]:
            v = p.get("voice") or {}
            voice_cells = (
                f'<td class="n">{_f(v.get("pitch_range_st"))}{" st" if v.get("pitch_range_st") is not None else ""}'
                f'</td><td class="n">{_f(v.get("trailing_share"), ".0%")}</td>'
                if voiced
                else ""
            )
            out.append(
                f"<tr><td>{p['attempt_id']}</td><td>{e(p['when'].replace('T', ' ')[:16])}</td>"
                f'<td class="n">{_fmt_s(p["duration_s"])}</td><td class="n">{_f(p["fillers_per_min"])}</td>'
                f'<td class="n">{_f(p["long_pauses"], "d")}</td><td class="n">{_f(p["ramble_score"], ".0f")}</td>'
                f"{voice_cells}</tr>"
            )
        out.append("</tbody></table></details></section>")
    out.append("</body></html>\n")
    return "\n".join(out)
