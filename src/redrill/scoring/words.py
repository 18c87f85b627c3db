"""Words as scoring sees them: normalising, stemming, stop words and the answer's tokens.

Words are compared after normalising: lower case, curly apostrophes straightened, punctuation
stripped from both ends (so ``"Um,"``, ``"UM…"`` and ``"uh-"`` are all ``um``/``uh``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

from redrill.numbers import number
from redrill.transcript import Transcript

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves also really yeah yes okay ok well oh
    i'm i've i'd i'll it's that's there's we're we've we'd we'll they're they've they'd you're
    you've you'd he's she's what's let's don't didn't doesn't isn't wasn't weren't won't wouldn't
    can't couldn't shouldn't haven't hasn't hadn't aren't im ive dont didnt cant wont""".split()
)

_FILLED_PATTERNS = (
    (re.compile(r"u+h*m+"), "um"),  # um, umm, uhm
    (re.compile(r"u+h+"), "uh"),
    (re.compile(r"e+r+m+"), "erm"),
    (re.compile(r"e+h+m+"), "erm"),
    (re.compile(r"e+r+"), "er"),
    (re.compile(r"h+m+"), "hmm"),
    (re.compile(r"a+h+"), "ah"),
    (re.compile(r"m+h+m+"), "mm"),
    (re.compile(r"m{2,}"), "mm"),
)


# Irregular forms no suffix stemmer can see (wrote -> write, led -> lead): a word list, applied before
# Snowball. With it the labelled talking points agree 96 % instead of 94 % (docs/accuracy.md).
_IRREGULAR = {
    "went": "go",
    "gone": "go",
    "goes": "go",
    "did": "do",
    "done": "do",
    "does": "do",
    "made": "make",
    "ran": "run",
    "wrote": "write",
    "written": "write",
    "built": "build",
    "led": "lead",
    "taught": "teach",
    "thought": "think",
    "spoke": "speak",
    "spoken": "speak",
    "broke": "break",
    "broken": "break",
    "chose": "choose",
    "chosen": "choose",
    "began": "begin",
    "begun": "begin",
    "knew": "know",
    "known": "know",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "found": "find",
    "told": "tell",
    "said": "say",
    "felt": "feel",
    "kept": "keep",
    "left": "leave",
    "met": "meet",
    "paid": "pay",
    "sent": "send",
    "spent": "spend",
    "brought": "bring",
    "bought": "buy",
    "caught": "catch",
    "fell": "fall",
    "fallen": "fall",
    "grew": "grow",
    "grown": "grow",
    "saw": "see",
    "seen": "see",
    "won": "win",
    "lost": "lose",
    "understood": "understand",
    "rebuilt": "rebuild",
    "held": "hold",
    "heard": "hear",
    "got": "get",
    "gotten": "get",
    "had": "have",
    "has": "have",
    "was": "be",
    "were": "be",
    "is": "be",
    "are": "be",
    "been": "be",
    "children": "child",
    "people": "person",
    "men": "man",
    "women": "woman",
}


# --------------------------------------------------------------------------------------------
# Normalising and stemming


_TRANS = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u2026": "...",
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
    }
)
PIECE = re.compile(r"[^\s\u2012\u2013\u2014]+[\u2012\u2013\u2014]*|[\u2012\u2013\u2014]+")
_BREAK_CHARS = frozenset(",.;:!?-")
# Sentence and clause ends: a word repeated across one ("my part in it: it broke") is not a restart.
_STOP_CHARS = frozenset(".!?:;")


def split_piece(piece: str) -> tuple[str, str, str]:
    """(leading punctuation, lower-cased core, trailing punctuation) of one token."""
    s = piece.translate(_TRANS)
    i, j = 0, len(s)
    while i < j and not s[i].isalnum():
        i += 1
    while j > i and not s[j - 1].isalnum():
        j -= 1
    return s[:i], s[i:j].lower(), s[j:]


def normalise(token: str) -> str:
    """A token as compared: lower case, straight apostrophes, no punctuation at either end."""
    return split_piece(token)[1]


@lru_cache(maxsize=8192)
def filled_canon(word: str) -> str | None:
    if not word or len(word) > 12 or not word.isalpha():
        return None
    for pattern, canon in _FILLED_PATTERNS:
        if pattern.fullmatch(word):
            return canon
    return None


# Snowball joins a few families that interviews keep apart (experience/experiment both "experi",
# production/product both "product", a manager and managing both "manag"): words starting with these
# keep the prefix as their stem.
_KEEP_APART = ("experienc", "production", "productiv", "manager")


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """The word's Snowball (Porter2) English stem: disagree/disagreed/disagreeing -> disagre,
    tests/tested -> test, rolled/rolling -> roll; irregular forms first go to their base (wrote ->
    write, led -> lead). Possessives and outer apostrophes are dropped first.

    Chosen over the small suffix stemmer redrill used before, Porter, and two lemmatizers
    (simplemma, lemminflect) by agreement on the labelled talking points (``docs/accuracy.md``).
    """
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'")
    w = _IRREGULAR.get(w, w)
    if len(w) <= 2:
        return w
    for prefix in _KEEP_APART:
        if w.startswith(prefix):
            return prefix
    return _snowball().stemWord(w)


@lru_cache(maxsize=1)
def _snowball():
    # snowballstemmer uses PyStemmer's C implementation when it is installed (same stems, faster).
    import snowballstemmer

    return snowballstemmer.stemmer("english")


# --------------------------------------------------------------------------------------------
# Tokens

WORD, FILLED, FILLER = 0, 1, 2
# A filler the recognizer wrote where the audio holds none (see fillers.take_back_unheard): not
# counted as a filler, nor as a word (it stands for a word the recognizer misheard).
UNHEARD = 3


class Token:
    """One token of the answer, with what scoring needs to know about its surroundings."""

    __slots__ = ("after", "before", "canon", "cut", "kind", "norm", "raw", "stop")

    def __init__(self, raw: str, norm: str, before: bool, after: bool, stop: bool, cut: bool):
        self.raw = raw
        self.norm = norm
        self.before = before  # punctuation right before it
        self.after = after  # punctuation right after it (a comma, a dash, a full stop...)
        self.stop = stop  # a sentence ends after it
        self.cut = cut  # ends in a hyphen or dash: a cut-off word
        self.kind = WORD
        self.canon = ""


_DASHES = frozenset("\u2012\u2013\u2014")


@lru_cache(maxsize=16384)
def piece_info(piece: str) -> tuple[str, bool, bool, bool, bool]:
    """(core, punctuation before, punctuation after, sentence end after, cut off) of one piece."""
    lead, core, trail = split_piece(piece)
    if not core:
        rest = lead + trail
        return (
            "",
            False,
            any(c in _BREAK_CHARS for c in rest),
            any(c in _STOP_CHARS for c in rest.replace("...", "")),
            False,
        )
    return (
        core,
        any(c in _BREAK_CHARS for c in lead),
        any(c in _BREAK_CHARS for c in trail),
        any(c in _STOP_CHARS for c in trail.replace("...", "")),
        "-" in trail,
    )


def text_pieces(text: str) -> list[str]:
    if _DASHES.isdisjoint(text):
        return text.split()
    return PIECE.findall(text)


def tokenise(transcript: Transcript) -> tuple[list[Token], list[tuple[float, float]]]:
    """Tokens of the answer, and the (start, end) of every timed word that has a token."""
    toks: list[Token] = []
    spans: list[tuple[float, float]] = []
    pending_before = False
    isfinite = math.isfinite
    for w in transcript.words:
        start, end = w.start, w.end
        if not (isinstance(start, float) and isfinite(start)):
            start = number(start)
        if not (isinstance(end, float) and isfinite(end)):
            end = number(end)
        if start is None:
            start = end
        if end is None or (start is not None and end < start):
            end = start
        had_word = False
        for piece in text_pieces(w.text or ""):
            core, before, after, stop, cut = piece_info(piece)
            if not core:
                # Bare punctuation ("—", "...") marks a boundary between its neighbours.
                if toks and after:
                    toks[-1].after = True
                    toks[-1].stop = toks[-1].stop or stop
                else:
                    pending_before = pending_before or after
                continue
            had_word = True
            toks.append(Token(piece, core, pending_before or before, after, stop, cut))
            pending_before = False
        if had_word and start is not None:
            spans.append((start, end))  # type: ignore[arg-type]
    return toks, spans


def token_words(transcript: Transcript) -> list[int]:
    """For each token :func:`tokenise` gives, the index of the transcript word it came from."""
    out: list[int] = []
    for i, w in enumerate(transcript.words):
        out.extend([i] * sum(1 for piece in text_pieces(w.text or "") if piece_info(piece)[0]))
    return out


def content_stems(text_or_words: Iterable[str], stemmer=None) -> set[str]:
    """Stems of the words (and hyphenated parts) that are not stopwords."""
    stemmer = stemmer or stem
    out: set[str] = set()
    for w in text_or_words:
        if w in STOPWORDS:
            continue
        for part in w.split("-"):
            if part and part not in STOPWORDS:
                out.add(stemmer(part))
    return out


def words_of(text: str) -> list[str]:
    out = []
    for piece in PIECE.findall(text):
        core = split_piece(piece)[1]
        if core:
            out.append(core)
    return out
