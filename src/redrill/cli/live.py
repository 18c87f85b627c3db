"""The live view while an answer is spoken: time against the target, a level meter, what was heard.

Three lines, drawn on standard error about ten times a second and redrawn in place:

    0:42  aim 1:00-2:00 · 18 s short of the target
    mic ▁▂▅▇▆▃▁▂▅▇  speaking · Enter or space ends the answer
    heard: … and then I rolled the change back within an hour · 1 filler so far

* The time is the answer's own length (from its first word, as the report measures it), coloured
  by where it stands against the question's target band: yellow under, green inside, red over.
* The meter shows the microphone level of the last second as rising and falling bars, so it reads
  as a level meter and not as a progress bar that fills up.
* Once the user goes quiet, the second line counts down to the silence endpoint; any sound
  cancels the count. Before the first word it says how long redrill will wait.
* The words heard so far come from the streaming transcriber as each piece is finished, with the
  fillers counted in them.

:func:`live_lines` is pure (tested on its own); :class:`LiveView` keeps the level history and
draws. Drawing is cheap (a few hundred bytes a tenth of a second) and the recorder's callback
only queues blocks, so the view cannot make the recorder drop sound (tested).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from redrill.cli.app import fmt_seconds
from redrill.cli.render import plural

GREEN, YELLOW, RED, DIM, RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[2m", "\x1b[0m"
# The countdown to the silence endpoint shows once the user has been quiet this long.
COUNTDOWN_AFTER_S = 1.0
# Bars of the level meter, quietest first; -60 dBFS and below is the lowest bar.
BARS = "▁▂▃▄▅▆▇█"
METER_CELLS = 12  # one cell per update: about the last 1.2 s
FLOOR_DB = -60.0
BAND_COLOUR = {"under": YELLOW, "inside": GREEN, "over": RED}


def band_state(seconds: float, lo: float, hi: float) -> str:
    """``under``, ``inside`` or ``over`` the question's target band."""
    if seconds < lo:
        return "under"
    return "inside" if seconds <= hi else "over"


def clock(seconds: float) -> str:
    """``0:07``, ``1:42``: a clock that ticks once a second and keeps its width."""
    whole = int(max(0.0, seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def bar(level_db: float) -> str:
    """One cell of the meter for a level in dBFS."""
    share = (max(FLOOR_DB, min(0.0, level_db)) - FLOOR_DB) / -FLOOR_DB
    return BARS[min(len(BARS) - 1, int(share * len(BARS)))]


def level_meter(levels, cells: int = METER_CELLS) -> str:
    """The microphone meter: the recent levels (dBFS, oldest first) as bars, padded on the left."""
    recent = list(levels)[-cells:]
    return "mic " + BARS[0] * (cells - len(recent)) + "".join(bar(v) for v in recent)


@dataclass(frozen=True)
class Heard:
    """What the streaming transcriber has heard so far."""

    words: str = ""
    fillers: int | None = None


def live_lines(
    p, target, levels, heard: Heard, width: int, *, carried_s: float = 0.0, keys: str = "Enter or space"
) -> list[str]:
    """The three lines of the live view for progress ``p`` (see the module docstring), each at most
    ``width - 1`` characters on screen (colour codes do not count).

    ``carried_s``: seconds of an answer being continued (the first half counts towards the target).
    ``keys``: what ends the answer at once (empty when no key does).
    """
    lo, hi = target
    seconds = carried_s + p.answer_s
    state = band_state(seconds, lo, hi)
    where = {
        "under": f"{fmt_seconds(lo - seconds)} short of the target",
        "inside": "inside the target",
        "over": f"{fmt_seconds(seconds - hi)} over the target",
    }[state]
    tint = BAND_COLOUR[state]
    first = [("  ", ""), (f"{clock(seconds):>5}", tint), (f"  aim {fmt_seconds(lo)}-{fmt_seconds(hi)} · ", "")]
    first.append((where, tint))

    meter = [("  ", ""), (level_meter(levels), ""), ("  ", "")]
    if not p.speech_started:
        left = max(0.0, p.no_speech_timeout - p.elapsed_s) if p.no_speech_timeout else None
        waiting = "waiting for you to speak" + (f" (up to {left:.0f} s more)" if left is not None else "")
        meter.append((waiting, DIM))
    elif p.silence_s >= COUNTDOWN_AFTER_S:
        left = max(0.0, p.silence_seconds - p.silence_s)
        meter.append((f"quiet: the answer ends in {left:.0f} s unless you go on", YELLOW))
    else:
        meter.append(("speaking" + (f" · {keys} ends the answer" if keys else ""), ""))

    count = "" if heard.fillers is None else f" · {plural(heard.fillers, 'filler')} so far"
    if heard.words:
        room = max(0, width - 1 - len("  heard: ") - len(count))
        words = heard.words
        if len(words) > room:
            tail = words[-(room - 2) :] if room > 2 else ""
            if not words[-len(tail) - 1 : -len(tail)].isspace() and " " in tail:
                tail = tail.split(" ", 1)[1]  # the newest words that fit, each one whole
            words = "… " + tail.lstrip() if tail else ""
        third = [("  heard: ", DIM), (words, ""), (count, DIM)]
    else:
        third = [("  heard: (words appear after each pause)", DIM)]
    return [fit(line, width - 1) for line in (first, meter, third)]


def fit(segments, width: int) -> str:
    """Coloured segments joined into one line of at most ``width`` visible characters."""
    out, used = [], 0
    for text, colour in segments:
        if used >= width:
            break
        piece = text[: width - used]
        used += len(piece)
        out.append(f"{colour}{piece}{RESET}" if colour and piece else piece)
    return "".join(out)


def strip(text: str) -> str:
    """The text without colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


class LiveView:
    """Draws :func:`live_lines` in place on a terminal stream and erases it at the end."""

    def __init__(self, stream, *, colour: bool = True):
        self.stream = stream
        self.colour = colour
        self.levels: deque = deque(maxlen=METER_CELLS)
        self._drawn = 0

    def reset(self) -> None:
        self.levels.clear()
        self._drawn = 0

    def show(self, lines: list[str]) -> None:
        """Replace what is on screen with ``lines``."""
        if not self.colour:
            lines = [strip(line) for line in lines]
        up = f"\x1b[{self._drawn - 1}A" if self._drawn > 1 else ""
        # Back to the first line of the view, clear to the end of the screen, draw again.
        self.stream.write("\r" + up + "\x1b[J" + "\n".join(lines))
        self.stream.flush()
        self._drawn = len(lines)

    def erase(self) -> None:
        """Remove the view (the cursor ends where it began)."""
        if self._drawn:
            up = f"\x1b[{self._drawn - 1}A" if self._drawn > 1 else ""
            self.stream.write("\r" + up + "\x1b[J")
            self.stream.flush()
            self._drawn = 0
