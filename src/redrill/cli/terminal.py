"""The terminal redrill writes to, made safe: closed standard streams, and output encodings that
cannot show the few symbols redrill prints ("·", "•", "✓", "→", the sparkline blocks).

On a plain ASCII or Latin-1 terminal (``LANG=C``, ``PYTHONIOENCODING=ascii``, a serial console) each
symbol is written as an ASCII stand-in instead of ending the command in ``UnicodeEncodeError``;
any other character that cannot be shown (a question in another script) becomes ``?``.
"""

from __future__ import annotations

import codecs
import os
import sys

ERRORS = "redrill-ascii"
ASCII_FALLBACKS = {
    "·": "-",
    "•": "*",
    "✓": "+",
    "✗": "x",
    "→": "->",
    "↑": "^",
    "↓": "v",
    "…": "...",
    "×": "x",
    "▁": "_",
    "▂": "_",
    "▃": "-",
    "▄": "-",
    "▅": "=",
    "▆": "=",
    "▇": "#",
    "█": "#",
    "░": ".",
    "▮": "|",
    "▯": ".",
    "●": "*",
    "▶": ">",
    "☐": "[ ]",
    "☑": "[x]",
    "↳": "->",
    "—": "--",
    "–": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "«": "<<",
    "»": ">>",
}
# What redrill itself prints: a stream that cannot encode all of these gets the fallbacks.
SYMBOLS = "·•✓✗→↑↓…×▁█░▮▯●▶☐☑↳—’”»"


def _fallback(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    text = err.object[err.start : err.end]
    return "".join(ASCII_FALLBACKS.get(c, "?") for c in text), err.end


codecs.register_error(ERRORS, _fallback)


def can_encode(encoding: str | None, text: str = SYMBOLS) -> bool:
    """True when ``encoding`` can write every character of ``text``."""
    try:
        text.encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def prepare_streams() -> None:
    """Give closed standard streams a stand-in (``os.devnull``: input at its end, output dropped),
    and let stdout/stderr degrade to ASCII where their encoding cannot show redrill's symbols."""
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            # fd 0/1/2 is closed: the lowest free descriptor is that one, so children see it too.
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        if can_encode(getattr(stream, "encoding", None)):
            continue
        try:
            # Any text stream may stand in for sys.stdout; one without reconfigure is caught below.
            stream.reconfigure(errors=ERRORS)  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
