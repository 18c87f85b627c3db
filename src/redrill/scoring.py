"""Scoring one answer: length, pace, fillers, pauses, restarts, repetition, hedges, talking points.

:func:`score` is a pure function: a :class:`~redrill.transcript.Transcript` and the question's
target and talking points in, a :class:`Metrics` out. No I/O, no clock, no database, so it can be
re-run on stored transcripts (``redrill rescore``) and tested with hand-written transcripts.

Every rule, default and the norm behind it is written up in ``docs/metrics.md``; the comments here
say why a rule is the way it is. In short:

* Words are compared after normalising: lower case, curly apostrophes straightened, punctuation
  stripped from both ends (so ``"Um,"``, ``"UM…"`` and ``"uh-"`` are all ``um``/``uh``).
* Filled pauses (um, uh, er, erm, hmm, ah, mm, elongated forms) and discourse fillers ("you know",
  "I mean", "sort of", "kind of", "basically", "actually", "literally", filler "like") are counted
  separately and are not words: ``words`` is the count of everything else.
* Timing metrics need word timings. For typed text they are None, never estimated.
* ``ramble_score`` (0-100, higher = more rambling) is a weighted mean of components that are each
  mapped to 0..1; components that cannot be measured (timing for typed text, talking points when
  there are none) are left out and the weights of the rest renormalised.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from redrill.errors import NoSpeechError
from redrill.transcript import Transcript

__all__ = [
    "JSON_KEYS",
    "Coverage",
    "Metrics",
    "Pause",
    "RambleWeights",
    "RepeatedPhrase",
    "ScoringSettings",
    "normalise",
    "ramble_components",
    "ramble_score",
    "score",
    "stem",
]


# --------------------------------------------------------------------------------------------
# Settings


@dataclass(frozen=True)
class RambleWeights:
    """Weight of each ramble component (they need not sum to 100: the score is a weighted mean)."""

    over_target: float = 25.0
    fillers: float = 20.0
    long_pauses: float = 10.0
    restarts: float = 10.0
    repetition: float = 10.0
    hedges: float = 5.0
    missing_points: float = 10.0
    pace: float = 10.0

    def items(self) -> tuple[tuple[str, float], ...]:
        """(component, weight) pairs in a fixed order."""
        return tuple((name, getattr(self, name)) for name in _COMPONENTS)


_COMPONENTS = ("over_target", "fillers", "long_pauses", "restarts", "repetition", "hedges", "missing_points", "pace")


@dataclass(frozen=True)
class ScoringSettings:
    """Thresholds and weights of scoring; the defaults follow the norms in ``docs/metrics.md``."""

    # A silence at least this long inside the answer is a long pause (2-3 s reads as a stall).
    long_pause_s: float = 2.0
    # Comfortable pace band in words per minute (coaches use 130-160).
    pace_wpm: tuple[float, float] = (130.0, 160.0)
    # Without VAD, word spans closer than this are joined into one stretch of speech.
    speech_merge_gap_s: float = 0.3
    # Per-minute rates (wpm, fillers/min, pauses/min) need at least this much answer time.
    min_rate_s: float = 1.0
    # A talking point is covered when this share of its content words appears in the answer.
    point_coverage: float = 0.6
    # Repetition: how often an n-gram must occur to be reported.
    bigram_min_count: int = 3
    trigram_min_count: int = 3
    long_ngram_min_count: int = 2  # 4 and 5 words
    stock_phrase_min_count: int = 2
    max_ngram: int = 5
    max_reported_phrases: int = 10
    max_examples: int = 5
    # Ramble components: weights and the values at which each one is 0 ("ok") and 1 ("full").
    weights: RambleWeights = field(default_factory=RambleWeights)
    over_target_full: float = 0.5  # over the maximum by this fraction of the maximum -> 1
    filler_share_ok: float = 2.0  # fillers per 100 spoken words
    filler_share_full: float = 8.0
    long_pauses_per_min_full: float = 4.0
    restarts_per_100_full: float = 5.0
    repeats_per_100_full: float = 4.0  # extra occurrences of repeated phrases per 100 words
    hedges_per_100_ok: float = 1.0
    hedges_per_100_full: float = 5.0
    pace_off_full_wpm: float = 40.0  # this far outside the pace band -> 1


# --------------------------------------------------------------------------------------------
# Metrics


@dataclass(frozen=True)
class Pause:
    """A long silence: where it starts (s from the start of the recording) and how long it is."""

    at_s: float
    length_s: float


@dataclass(frozen=True)
class RepeatedPhrase:
    """A phrase the answer keeps coming back to."""

    phrase: str
    count: int


@dataclass(frozen=True)
class Coverage:
    """Which talking points the answer made, in the question's order."""

    covered: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


JSON_KEYS = (
    "duration_s",
    "audio_s",
    "speech_s",
    "words",
    "wpm",
    "filled_pause_count",
    "filler_count",
    "fillers_per_min",
    "fillers_per_100_words",
    "fillers",
    "long_pauses",
    "long_pause_total_s",
    "restarts",
    "restart_examples",
    "hedges",
    "hedge_examples",
    "repeated_phrases",
    "target_s",
    "over_target_s",
    "under_target_s",
    "talking_points",
    "ramble_score",
)


@dataclass(frozen=True)
class Metrics:
    """Everything measured about one answer; None marks a figure that needs timings."""

    duration_s: float | None
    audio_s: float | None
    speech_s: float | None
    words: int
    wpm: float | None
    filled_pause_count: int
    filler_count: int
    fillers_per_min: float | None
    fillers_per_100_words: float | None
    fillers: tuple[tuple[str, int], ...]
    long_pauses: tuple[Pause, ...] | None
    long_pause_total_s: float | None
    restarts: int
    restart_examples: tuple[str, ...]
    hedges: int
    hedge_examples: tuple[str, ...]
    repeated_phrases: tuple[RepeatedPhrase, ...]
    target_s: tuple[float, float]
    over_target_s: float | None
    under_target_s: float | None
    talking_points: Coverage
    ramble_score: float

    def to_json(self) -> dict:
        """Plain JSON with exactly the keys of :data:`JSON_KEYS`."""
        return {
            "duration_s": self.duration_s,
            "audio_s": self.audio_s,
            "speech_s": self.speech_s,
            "words": self.words,
            "wpm": self.wpm,
            "filled_pause_count": self.filled_pause_count,
            "filler_count": self.filler_count,
            "fillers_per_min": self.fillers_per_min,
            "fillers_per_100_words": self.fillers_per_100_words,
            "fillers": dict(self.fillers),
            "long_pauses": None
            if self.long_pauses is None
            else [{"at_s": p.at_s, "length_s": p.length_s} for p in self.long_pauses],
            "long_pause_total_s": self.long_pause_total_s,
            "restarts": self.restarts,
            "restart_examples": list(self.restart_examples),
            "hedges": self.hedges,
            "hedge_examples": list(self.hedge_examples),
            "repeated_phrases": [{"phrase": r.phrase, "count": r.count} for r in self.repeated_phrases],
            "target_s": [self.target_s[0], self.target_s[1]],
            "over_target_s": self.over_target_s,
            "under_target_s": self.under_target_s,
            "talking_points": {
                "covered": list(self.talking_points.covered),
                "missing": list(self.talking_points.missing),
            },
            "ramble_score": self.ramble_score,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Metrics:
        """Read :meth:`to_json` output back; missing keys become None/empty (older records)."""
        pauses = data.get("long_pauses")
        points = data.get("talking_points") or {}
        target = data.get("target_s") or (60.0, 120.0)
        return cls(
            duration_s=_opt_float(data.get("duration_s")),
            audio_s=_opt_float(data.get("audio_s")),
            speech_s=_opt_float(data.get("speech_s")),
            words=int(data.get("words") or 0),
            wpm=_opt_float(data.get("wpm")),
            filled_pause_count=int(data.get("filled_pause_count") or 0),
            filler_count=int(data.get("filler_count") or 0),
            fillers_per_min=_opt_float(data.get("fillers_per_min")),
            fillers_per_100_words=_opt_float(data.get("fillers_per_100_words")),
            fillers=tuple((str(k), int(v)) for k, v in (data.get("fillers") or {}).items()),
            long_pauses=None
            if pauses is None
            else tuple(Pause(float(p["at_s"]), float(p["length_s"])) for p in pauses),
            long_pause_total_s=_opt_float(data.get("long_pause_total_s")),
            restarts=int(data.get("restarts") or 0),
            restart_examples=tuple(str(s) for s in data.get("restart_examples") or ()),
            hedges=int(data.get("hedges") or 0),
            hedge_examples=tuple(str(s) for s in data.get("hedge_examples") or ()),
            repeated_phrases=tuple(
                RepeatedPhrase(str(r["phrase"]), int(r["count"])) for r in data.get("repeated_phrases") or ()
            ),
            target_s=(float(target[0]), float(target[1])),
            over_target_s=_opt_float(data.get("over_target_s")),
            under_target_s=_opt_float(data.get("under_target_s")),
            talking_points=Coverage(
                tuple(str(p) for p in points.get("covered") or ()), tuple(str(p) for p in points.get("missing") or ())
            ),
            ramble_score=float(data.get("ramble_score") or 0.0),
        )


def _opt_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


# --------------------------------------------------------------------------------------------
# Word lists (all lower case, after normalising)

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
# Words too vague to make a phrase worth flagging as repetition on their own.
_VAGUE = STOPWORDS | frozenset(
    """go goes going gone went get gets getting got make makes making made say says saying said
    thing things lot lots stuff like know think mean want wanted kind sort way one something
    anything everything need needed""".split()
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
_SINGLE_FILLERS = frozenset({"basically", "actually", "literally"})
_DETERMINERS = frozenset(
    """a an the this that these those what which some any every each same one no another other
    different all my your our their his her its certain whatever""".split()
)
# "like" right after these (no punctuation between) is the verb: "I like", "would like to".
_LIKE_VERB_BEFORE = frozenset(
    """i you we they i'd you'd we'd they'd he'd she'd would wouldn't to do don't didn't does doesn't
    did really also might may will won't i'll we'll you'll they'll dont didnt""".split()
)
# "like" after these is a comparison or an example: "looks like", "felt like", "just like".
_LIKE_COMPARISON_BEFORE = frozenset(
    """look looks looked looking sound sounds sounded feel feels felt feeling seem seems seemed just
    exactly more less much something anything nothing someone somebody things stuff act acts acted
    behave behaves behaved treat treats treated""".split()
)
_BE_FORMS = frozenset(
    """is was were are am be been being it's that's he's she's i'm we're they're you're there's
    its thats im""".split()
)
# "like" before these reads as a comparison ("like a cheetah", "like most teams").
_LIKE_NOT_BEFORE = frozenset(
    """a an the this that these those some any every each same another other all my your our their
    his her its most many when how if before always usual me us him them""".split()
)
_LIKE_SAID = frozenset({"said", "say", "mentioned", "told", "explained", "showed"})
_PRONOUNS = frozenset({"i", "we", "you", "they", "he", "she"})
_NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty
    sixty seventy eighty ninety hundred thousand million half dozen""".split()
)
_YOU_KNOW_LITERAL_BEFORE = frozenset(
    """do does did don't doesn't didn't if would will could can might may should let whether as
    dont didnt""".split()
)
_YOU_KNOW_LITERAL_AFTER = _DETERMINERS | frozenset(
    """how why where when who whom whose whether if about him her them me us it more better exactly
    everyone everybody someone somebody something anything everything nothing""".split()
)
_I_MEAN_LITERAL_BEFORE = frozenset({"what", "that's", "if", "do", "don't", "did", "didn't", "whatever", "you"})
_I_MEAN_LITERAL_AFTER = frozenset({"it", "to", "well", "business"})
# Immediate doubles that are grammatical or emphatic, not restarts: "that that", "had had".
_LEGIT_DOUBLES = frozenset({"that", "had", "very", "really", "no", "yeah", "yes", "bye", "ha", "hey", "many", "much"})
_SORRY_LITERAL_BEFORE = frozenset(
    {"i'm", "im", "am", "was", "were", "be", "feel", "felt", "so", "very", "really", "are", "is", "say", "i", "said"}
)
_CORRECTION_MARKERS: tuple[tuple[str, ...], ...] = (
    ("no", "wait"),
    ("wait", "no"),
    ("or", "rather"),
    ("scratch", "that"),
    ("let", "me", "rephrase"),
    ("let", "me", "start", "again"),
    ("let", "me", "start", "over"),
)
_HEDGES: tuple[tuple[str, ...], ...] = (
    ("i", "guess"),
    ("i", "think"),
    ("i", "suppose"),
    ("i", "believe"),
    ("maybe",),
    ("probably",),
    ("perhaps",),
    ("possibly",),
    ("i'm", "not", "sure"),
    ("im", "not", "sure"),
    ("i", "am", "not", "sure"),
)
# Crutch phrases that count as repetition even when said only twice.
STOCK_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "at the end of the day",
        "to be honest",
        "to be fair",
        "at this point in time",
        "if that makes sense",
        "at the same time",
        "in terms of",
        "going forward",
        "moving forward",
        "the thing is",
        "long story short",
        "as i said",
        "like i said",
        "you know what i mean",
        "needless to say",
        "first and foremost",
        "for what it's worth",
        "when all is said and done",
        "all that kind of stuff",
        "and all that",
        "and stuff like that",
        "and so on",
        "and things like that",
    )
)
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
_PIECE = re.compile(r"[^\s\u2012\u2013\u2014]+[\u2012\u2013\u2014]*|[\u2012\u2013\u2014]+")
_BREAK_CHARS = frozenset(",.;:!?-")
# Sentence and clause ends: a word repeated across one ("my part in it: it broke") is not a restart.
_STOP_CHARS = frozenset(".!?:;")


def _split_piece(piece: str) -> tuple[str, str, str]:
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
    return _split_piece(token)[1]


@lru_cache(maxsize=8192)
def _filled_canon(word: str) -> str | None:
    if not word or len(word) > 12 or not word.isalpha():
        return None
    for pattern, canon in _FILLED_PATTERNS:
        if pattern.fullmatch(word):
            return canon
    return None


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A small suffix stemmer: failed/failing/fails -> fail, tests -> test, rolled -> roll."""
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'")
    w = _IRREGULAR.get(w, w)
    if len(w) <= 2:
        return w
    if w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "i"
    elif w.endswith("ing") and len(w) >= 5 and _has_vowel(w[:-3]):
        w = _undouble(w[:-3])
    elif w.endswith("eed"):
        pass
    elif w.endswith("ed") and len(w) >= 4 and _has_vowel(w[:-2]):
        w = _undouble(w[:-2])
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        w = w[:-1] + "i"
    if w.endswith("e") and len(w) >= 3:
        w = w[:-1]
    return w


def _has_vowel(s: str) -> bool:
    return any(c in "aeiouy" for c in s)


def _undouble(s: str) -> str:
    if len(s) > 2 and s[-1] == s[-2] and s[-1] not in "lsz" and s[-1] not in "aeiou":
        return s[:-1]
    return s


# --------------------------------------------------------------------------------------------
# Tokens

_WORD, _FILLED, _FILLER = 0, 1, 2


class _Tok:
    """One token of the answer, with what scoring needs to know about its surroundings."""

    __slots__ = ("after", "before", "canon", "cut", "kind", "norm", "raw", "stop")

    def __init__(self, raw: str, norm: str, before: bool, after: bool, stop: bool, cut: bool):
        self.raw = raw
        self.norm = norm
        self.before = before  # punctuation right before it
        self.after = after  # punctuation right after it (a comma, a dash, a full stop...)
        self.stop = stop  # a sentence ends after it
        self.cut = cut  # ends in a hyphen or dash: a cut-off word
        self.kind = _WORD
        self.canon = ""


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


_DASHES = frozenset("\u2012\u2013\u2014")


@lru_cache(maxsize=16384)
def _piece_info(piece: str) -> tuple[str, bool, bool, bool, bool]:
    """(core, punctuation before, punctuation after, sentence end after, cut off) of one piece."""
    lead, core, trail = _split_piece(piece)
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


def _pieces(text: str) -> list[str]:
    if _DASHES.isdisjoint(text):
        return text.split()
    return _PIECE.findall(text)


def _tokenise(transcript: Transcript) -> tuple[list[_Tok], list[tuple[float, float]]]:
    """Tokens of the answer, and the (start, end) of every timed word that has a token."""
    toks: list[_Tok] = []
    spans: list[tuple[float, float]] = []
    pending_before = False
    isfinite = math.isfinite
    for w in transcript.words:
        start, end = w.start, w.end
        if not (isinstance(start, float) and isfinite(start)):
            start = _finite(start)
        if not (isinstance(end, float) and isfinite(end)):
            end = _finite(end)
        if start is None:
            start = end
        if end is None or (start is not None and end < start):
            end = start
        had_word = False
        for piece in _pieces(w.text or ""):
            core, before, after, stop, cut = _piece_info(piece)
            if not core:
                # Bare punctuation ("—", "...") marks a boundary between its neighbours.
                if toks and after:
                    toks[-1].after = True
                    toks[-1].stop = toks[-1].stop or stop
                else:
                    pending_before = pending_before or after
                continue
            had_word = True
            toks.append(_Tok(piece, core, pending_before or before, after, stop, cut))
            pending_before = False
        if had_word and start is not None:
            spans.append((start, end))  # type: ignore[arg-type]
    return toks, spans


# --------------------------------------------------------------------------------------------
# Fillers


def _classify_fillers(toks: list[_Tok]) -> set[int]:
    """Mark filled pauses and discourse fillers in place; return token indices of "I mean" corrections."""
    n = len(toks)
    norms = [t.norm for t in toks]
    corrections: set[int] = set()

    def attached_prev(k: int) -> str | None:
        """The previous word when nothing (punctuation, a filler) separates it from token k."""
        if k == 0 or toks[k].before:
            return None
        prev = toks[k - 1]
        if prev.after or prev.kind != _WORD:
            return None
        return prev.norm

    def mark(k: int, size: int, canon: str) -> None:
        for q in range(k, k + size):
            toks[q].kind = _FILLER
        toks[k].canon = canon

    k = 0
    while k < n:
        t = toks[k]
        w = t.norm
        canon = _filled_canon(w)
        if canon:
            t.kind, t.canon = _FILLED, canon
            k += 1
            continue
        nxt = norms[k + 1] if k + 1 < n else None
        joined = nxt is not None and not t.after and not toks[k + 1].before
        if w in _SINGLE_FILLERS:
            mark(k, 1, w)
        elif w in ("kinda", "sorta"):
            if attached_prev(k) not in _DETERMINERS:
                mark(k, 1, "kind of" if w == "kinda" else "sort of")
        elif joined and nxt == "of" and w in ("kind", "sort"):
            # "a kind of", "what kind of", "the same sort of": the noun, not a filler.
            if attached_prev(k) not in _DETERMINERS:
                mark(k, 2, f"{w} of")
                k += 2
                continue
        elif joined and w == "you" and nxt == "know":
            if _you_know_is_filler(toks, k, attached_prev(k)):
                mark(k, 2, "you know")
                k += 2
                continue
        elif joined and w == "i" and nxt == "mean":
            what = _i_mean_kind(toks, k, attached_prev(k))
            if what == "filler":
                mark(k, 2, "i mean")
                k += 2
                continue
            if what == "correction":
                corrections.add(k)
                k += 2
                continue
        elif w == "like" and _like_is_filler(toks, k, attached_prev(k)):
            mark(k, 1, "like")
        k += 1
    return corrections


def _you_know_is_filler(toks: list[_Tok], k: int, prev: str | None) -> bool:
    if prev in _YOU_KNOW_LITERAL_BEFORE:  # "do you know", "if you know", "as you know"
        return False
    know = toks[k + 1]
    if know.after or k + 2 >= len(toks):  # "you know," / answer ends
        return True
    return toks[k + 2].norm not in _YOU_KNOW_LITERAL_AFTER  # "you know how ...", "you know the ..."


def _i_mean_kind(toks: list[_Tok], k: int, prev: str | None) -> str:
    """'filler', 'correction' (mid-clause "Postgres, I mean MySQL") or 'literal' ("what I mean")."""
    if prev in _I_MEAN_LITERAL_BEFORE:
        return "literal"
    mean = toks[k + 1]
    nxt = toks[k + 2].norm if k + 2 < len(toks) else None
    if not mean.after and nxt in _I_MEAN_LITERAL_AFTER:
        return "literal"
    p = k - 1
    while p >= 0 and toks[p].kind == _FILLED and not toks[p].stop:
        p -= 1
    if (
        nxt is not None
        and not mean.stop
        and p >= 0
        and not toks[p].stop
        and toks[p].kind == _WORD
        and toks[p].norm not in STOPWORDS
    ):
        return "correction"
    return "filler"


def _is_number(word: str | None) -> bool:
    if not word:
        return False
    return word[0].isdigit() or word in _NUMBER_WORDS


def _like_is_filler(toks: list[_Tok], k: int, prev: str | None) -> bool:
    """Filler "like" vs the verb and the comparison; the rule is spelled out in docs/metrics.md."""
    if prev in _LIKE_VERB_BEFORE or prev in _LIKE_COMPARISON_BEFORE:
        return False
    t = toks[k]
    if t.after and not t.stop:  # "like," / "like -"
        return True
    if t.stop or k + 1 >= len(toks):  # "... what it's like."
        return False
    nxt = toks[k + 1].norm
    if prev is None:  # sentence start, after punctuation or after a filler
        if nxt in _LIKE_NOT_BEFORE:
            return False
        if nxt in _PRONOUNS and k + 2 < len(toks) and toks[k + 2].norm in _LIKE_SAID:
            return False  # "Like I said"
        return True
    if prev in _BE_FORMS:  # "it was like really hard", "I was like no way"
        return nxt not in _LIKE_NOT_BEFORE
    return _is_number(nxt)  # "we had like 20 servers"


# --------------------------------------------------------------------------------------------
# Restarts, hedges, repetition, talking points


def _stutter(word: str) -> bool:
    """A stutter written into one token: "we-we", "I-I-I", "w-we"."""
    parts = word.split("-")
    if len(parts) < 2 or not all(parts):
        return False
    if all(p == parts[-1] for p in parts):
        return True
    return (
        len(parts) == 2
        and len(parts[0]) == 1
        and parts[0] not in "ex"
        and parts[1].startswith(parts[0])
        and len(parts[1]) > 1
    )


def _restarts(
    toks: list[_Tok], seq: list[int], corrections: set[int], max_examples: int
) -> tuple[int, list[str], set[int]]:
    """Count restarts over the non-filler tokens ``seq``; returns (count, examples, dropped positions)."""
    m = len(seq)
    words = [toks[k].norm for k in seq]
    count = 0
    examples: list[str] = []
    dropped: set[int] = set()

    def record(a: int, b: int) -> None:
        nonlocal count
        count += 1
        if len(examples) < max_examples:
            a, b = max(0, a), min(m - 1, b)
            shown = [toks[q].raw for q in range(seq[a], seq[b] + 1)]
            # A long stammer loop is shown by its start, not in full.
            examples.append(" ".join(shown[:8]) + (" …" if len(shown) > 8 else ""))

    p = 0
    while p < m:
        k = seq[p]
        w = words[p]
        if k in corrections:  # "... Postgres, I mean MySQL"
            record(p - 1, p + 2)
            p += 2
            continue
        size = _marker_at(words, p)
        if size and p + size < m and p > 0 and not toks[seq[p - 1]].stop:
            record(p - 1, p + size)
            p += size
            continue
        if (
            w == "sorry"
            and p > 0
            and p + 1 < m
            and not toks[seq[p - 1]].stop
            and not toks[k].stop
            and words[p - 1] not in _SORRY_LITERAL_BEFORE
        ):
            record(p - 1, p + 1)
            p += 1
            continue
        found = False
        for size in range(1, 5):
            if p + 2 * size > m:
                break
            if words[p + size] != w or (size == 1 and w in _LEGIT_DOUBLES):
                continue
            if words[p : p + size] != words[p + size : p + 2 * size]:
                continue
            if any(toks[seq[q]].stop for q in range(p, p + size)):
                continue  # "We went. We went home" is two sentences
            end = p + 2 * size
            while (
                end + size <= m
                and words[end : end + size] == words[p : p + size]
                and not any(toks[seq[q]].stop for q in range(end - size, end))
            ):
                end += size
            record(p, end - 1)
            dropped.update(range(p, end - size))
            p = end
            found = True
            break
        if found:
            continue
        if "-" in w and _stutter(w):
            record(p, p)
        elif toks[k].cut:
            record(p, p + 1)
            dropped.add(p)
        p += 1
    return count, examples, dropped


_MARKER_INDEX: dict[str, list[tuple[str, ...]]] = defaultdict(list)
for _m in _CORRECTION_MARKERS:
    _MARKER_INDEX[_m[0]].append(_m)


def _marker_at(words: list[str], p: int) -> int:
    for marker in _MARKER_INDEX.get(words[p], ()):
        size = len(marker)
        if tuple(words[p : p + size]) == marker:
            return size
    return 0


_HEDGE_INDEX: dict[str, list[tuple[str, ...]]] = defaultdict(list)
for _h in _HEDGES:
    _HEDGE_INDEX[_h[0]].append(_h)
_STOCK_SET = frozenset(STOCK_PHRASES)
_STOCK_INDEX: dict[str, list[tuple[str, ...]]] = defaultdict(list)
for _s in STOCK_PHRASES:
    _STOCK_INDEX[_s[0]].append(_s)


def _hedges(words: list[str]) -> tuple[int, list[str]]:
    count = 0
    seen: list[str] = []
    p, m = 0, len(words)
    while p < m:
        for h in _HEDGE_INDEX.get(words[p], ()):
            if tuple(words[p : p + len(h)]) == h:
                count += 1
                text = " ".join(h)
                if text not in seen:
                    seen.append(text)
                p += len(h) - 1
                break
        p += 1
    return count, seen


def _content_stems(text_or_words: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for w in text_or_words:
        if w in STOPWORDS:
            continue
        for part in w.split("-"):
            if part and part not in STOPWORDS:
                out.add(stem(part))
    return out


def _words_of(text: str) -> list[str]:
    out = []
    for piece in _PIECE.findall(text):
        core = _split_piece(piece)[1]
        if core:
            out.append(core)
    return out


def _repetition(
    toks: list[_Tok], seq: list[int], dropped: set[int], topic: set[str], settings: ScoringSettings
) -> tuple[RepeatedPhrase, ...]:
    """Maximal n-grams the answer keeps coming back to (see docs/metrics.md)."""
    # Sentences of the kept words; an n-gram never spans a sentence end.
    flat: list[str] = []
    seg_start: list[int] = []
    current_start = 0
    for p, k in enumerate(seq):
        if p in dropped:
            continue
        flat.append(toks[k].norm)
        seg_start.append(current_start)
        if toks[k].stop:
            current_start = len(flat)
    total = len(flat)
    # Sentence end position (exclusive) for each position.
    seg_end = [0] * total
    end = total
    for i in range(total - 1, -1, -1):
        seg_end[i] = end
        if seg_start[i] == i:
            end = i
    max_n = max(2, settings.max_ngram)
    thresholds = {2: settings.bigram_min_count, 3: settings.trigram_min_count}

    def threshold(n: int) -> int:
        return thresholds.get(n, settings.long_ngram_min_count)

    # Grow n-grams from repeated (n-1)-grams only: an n-gram can't repeat unless its prefix does.
    level: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(total - 1):
        if seg_end[i] - i >= 2:
            level[(flat[i], flat[i + 1])].append(i)
    candidates: dict[tuple[str, ...], list[int]] = {}
    n = 2
    while level:
        need = threshold(n)
        for gram, pos in level.items():
            if len(pos) < need:
                continue
            specific = [w for w in gram if w not in _VAGUE]
            if not specific:
                continue
            if topic and all(stem(w) in topic for w in specific):
                continue  # "technical debt" in an answer about technical debt
            pos = _non_overlapping(pos, n)
            if len(pos) >= need:
                candidates[gram] = pos
        if n >= max_n:
            break
        grown: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for gram, pos in level.items():
            if len(pos) < 2:
                continue
            for i in pos:
                if seg_end[i] - i > n:
                    grown[gram + (flat[i + n],)].append(i)
        level = {g: p for g, p in grown.items() if len(p) >= 2}
        n += 1
    # Stock phrases ("at the end of the day") count from their own, lower threshold.
    stock: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(total):
        for phrase in _STOCK_INDEX.get(flat[i], ()):
            size = len(phrase)
            if seg_end[i] - i >= size and tuple(flat[i : i + size]) == phrase:
                stock[phrase].append(i)
    for phrase, pos in stock.items():
        pos = _non_overlapping(pos, len(phrase))
        if len(pos) >= settings.stock_phrase_min_count:
            candidates[phrase] = pos
    # Maximal phrases only: drop a phrase inside a longer kept one with the same count.
    kept: list[tuple[tuple[str, ...], list[int]]] = []
    inside: set[tuple[tuple[str, ...], int]] = set()  # (sub-phrase, count) of kept phrases
    for gram, pos in sorted(candidates.items(), key=lambda item: (-len(item[0]), item[1][0])):
        if (gram, len(pos)) in inside:
            continue
        kept.append((gram, pos))
        size = len(gram)
        for n in range(2, size):
            for i in range(size - n + 1):
                inside.add((gram[i : i + n], len(pos)))
    # A repeated stretch longer than max_n shows up as overlapping max_n-grams at shifted
    # positions: join them back into one phrase.
    by_pos = {tuple(p): g for g, p in kept if len(g) == max_n and g not in _STOCK_SET}
    merged: list[tuple[tuple[str, ...], list[int]]] = []
    consumed: set[tuple[int, ...]] = set()
    for gram, pos in kept:
        key = tuple(pos)
        if len(gram) == max_n and gram not in _STOCK_SET:
            if key in consumed:
                continue
            words = list(gram)
            nxt = tuple(p + 1 for p in key)
            while nxt in by_pos and nxt not in consumed:
                words.append(by_pos[nxt][-1])
                consumed.add(nxt)
                nxt = tuple(p + 1 for p in nxt)
            merged.append((tuple(words), pos))
        else:
            merged.append((gram, pos))
    merged.sort(key=lambda item: (-len(item[1]), -len(item[0]), item[1][0]))
    # A phrase that overlaps an already reported one at every occurrence adds nothing (a loop of
    # the same words read from another starting point).
    reported: list[tuple[tuple[str, ...], list[int]]] = []
    covered = bytearray(total)
    for gram, pos in merged:
        size = len(gram)
        if all(any(covered[p : p + size]) for p in pos):
            continue
        reported.append((gram, pos))
        for p in pos:
            covered[p : p + size] = b"\x01" * len(covered[p : p + size])
        if len(reported) >= settings.max_reported_phrases:
            break
    return tuple(RepeatedPhrase(" ".join(g), len(p)) for g, p in reported)


def _non_overlapping(pos: list[int], n: int) -> list[int]:
    out: list[int] = []
    last = -n
    for p in pos:
        if p >= last + n:
            out.append(p)
            last = p
    return out


def _coverage(points: Sequence[str], answer_stems: set[str], share: float) -> Coverage:
    covered, missing = [], []
    for point in points:
        words = _words_of(point)
        stems = _content_stems(words) or {stem(w) for w in words}
        if not stems:
            continue
        needed = max(1, math.ceil(share * len(stems) - 1e-9))
        hits = sum(1 for s in stems if s in answer_stems)
        (covered if hits >= needed else missing).append(point)
    return Coverage(tuple(covered), tuple(missing))


# --------------------------------------------------------------------------------------------
# Timing


def _merge(intervals: Iterable[tuple[float, float]], gap: float = 0.0) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for s, e in sorted(intervals):
        if out and s - out[-1][1] < gap + 1e-9:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _finite_regions(speech: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out = []
    for region in speech:
        try:
            s, e = float(region[0]), float(region[1])
        except (TypeError, ValueError, IndexError):
            continue
        if math.isfinite(s) and math.isfinite(e) and e >= s:
            out.append((s, e))
    return out


def _long_pauses(
    spans: list[tuple[float, float]],
    speech: Sequence[tuple[float, float]] | None,
    first: float,
    last: float,
    threshold: float,
) -> list[tuple[float, float]]:
    """Silences >= threshold inside the answer, from word gaps and VAD gaps, each counted once."""
    eps = 1e-6
    silences: list[tuple[float, float, bool]] = []  # (start, end, measured from the audio)
    running_end = None
    for s, e in sorted(spans):
        if running_end is not None and s - running_end >= threshold - eps:
            silences.append((running_end, s, False))
        running_end = e if running_end is None else max(running_end, e)
    if speech:
        regions = _merge(_finite_regions(speech))
        for (_, a_end), (b_start, _) in zip(regions, regions[1:]):
            s, e = max(a_end, first), min(b_start, last)
            if e - s >= threshold - eps:
                silences.append((s, e, True))
    # Where a word gap and a VAD silence overlap they are the same silence, timed differently by
    # the two sources: count it once. The VAD silence is measured on the audio itself, so it wins
    # (Whisper's word edges often stretch into or away from a pause); among intervals of the same
    # source the longer one is kept (a union would add up the disagreement between them).
    out: list[tuple[float, float, bool]] = []
    cluster_end = -math.inf
    for s, e, audio in sorted(silences):
        if out and s < cluster_end:
            _, _, kept_audio = out[-1]
            longer = e - s > out[-1][1] - out[-1][0]
            if (audio and not kept_audio) or (audio == kept_audio and longer):
                out[-1] = (s, e, audio)
            cluster_end = max(cluster_end, e)
        else:
            out.append((s, e, audio))
            cluster_end = e
    return [(s, e) for s, e, _ in out]


def _speech_seconds(
    spans: list[tuple[float, float]],
    speech: Sequence[tuple[float, float]] | None,
    first: float,
    last: float,
    gap: float,
) -> float:
    if speech:
        total = 0.0
        for s, e in _merge(_finite_regions(speech)):
            lo, hi = max(s, first), min(e, last)
            if hi > lo:
                total += hi - lo
        return total
    return sum(e - s for s, e in _merge(spans, gap=gap))


# --------------------------------------------------------------------------------------------
# Ramble score


def _ramp(value: float, ok: float, full: float) -> float:
    if not math.isfinite(value):
        return 1.0
    if full <= ok:
        return 1.0 if value > ok else 0.0
    return min(1.0, max(0.0, (value - ok) / (full - ok)))


def ramble_components(
    metrics: Metrics | Mapping[str, Any], settings: ScoringSettings = ScoringSettings()
) -> dict[str, float | None]:
    """Each ramble component mapped to 0..1 (None when it cannot be measured for this answer)."""
    m = metrics.to_json() if isinstance(metrics, Metrics) else metrics
    words = int(m.get("words") or 0)
    duration = _opt_float(m.get("duration_s"))
    target = m.get("target_s") or (60.0, 120.0)
    out: dict[str, float | None] = dict.fromkeys(_COMPONENTS)
    over = _opt_float(m.get("over_target_s"))
    if over is not None:
        out["over_target"] = _ramp(over, 0.0, settings.over_target_full * max(float(target[1]), 1.0))
    share = _opt_float(m.get("fillers_per_100_words"))
    if share is not None:
        out["fillers"] = _ramp(share, settings.filler_share_ok, settings.filler_share_full)
    pauses = m.get("long_pauses")
    if pauses is not None and duration is not None and duration >= settings.min_rate_s:
        out["long_pauses"] = _ramp(len(pauses) / (duration / 60.0), 0.0, settings.long_pauses_per_min_full)
    if words > 0:
        out["restarts"] = _ramp(100.0 * int(m.get("restarts") or 0) / words, 0.0, settings.restarts_per_100_full)
        extra = sum(max(0, int(r.get("count", 0)) - 1) for r in m.get("repeated_phrases") or ())
        out["repetition"] = _ramp(100.0 * extra / words, 0.0, settings.repeats_per_100_full)
        out["hedges"] = _ramp(
            100.0 * int(m.get("hedges") or 0) / words, settings.hedges_per_100_ok, settings.hedges_per_100_full
        )
    points = m.get("talking_points") or {}
    total_points = len(points.get("covered") or ()) + len(points.get("missing") or ())
    if total_points:
        out["missing_points"] = len(points.get("missing") or ()) / total_points
    wpm = _opt_float(m.get("wpm"))
    if wpm is not None:
        lo, hi = settings.pace_wpm
        out["pace"] = _ramp(max(0.0, lo - wpm, wpm - hi), 0.0, settings.pace_off_full_wpm)
    return out


def ramble_score(metrics: Metrics | Mapping[str, Any], settings: ScoringSettings = ScoringSettings()) -> float:
    """0-100 weighted mean of the measurable components (rounded to 0.1); always finite."""
    parts = ramble_components(metrics, settings)
    total = weight_sum = 0.0
    for name, weight in settings.weights.items():
        value = parts[name]
        if value is None or not (weight > 0):
            continue
        total += weight * value
        weight_sum += weight
    if weight_sum <= 0:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * total / weight_sum)), 1)


# --------------------------------------------------------------------------------------------
# score()


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def score(
    transcript: Transcript,
    *,
    target_seconds: tuple[float, float] | Sequence[float] = (60.0, 120.0),
    talking_points: Sequence[str] = (),
    question_text: str = "",
    settings: ScoringSettings = ScoringSettings(),
) -> Metrics:
    """Measure one answer. Pure and fast (about a millisecond for a two-minute answer).

    ``target_seconds`` is the question's (min, max) length; ``talking_points`` and
    ``question_text`` feed talking-point coverage and keep the question's own words out of the
    repetition report. Raises :class:`NoSpeechError` when the transcript has no words at all.
    """
    lo_t, hi_t = float(target_seconds[0]), float(target_seconds[1])
    if lo_t > hi_t:
        lo_t, hi_t = hi_t, lo_t
    toks, spans = _tokenise(transcript)
    if not toks:
        raise NoSpeechError("the answer has no words to score")
    corrections = _classify_fillers(toks)

    filled: dict[str, int] = {}
    discourse: dict[str, int] = {}
    filler_tokens = 0
    for t in toks:
        if t.kind == _FILLED:
            filled[t.canon] = filled.get(t.canon, 0) + 1
            filler_tokens += 1
        elif t.kind == _FILLER:
            filler_tokens += 1
            if t.canon:
                discourse[t.canon] = discourse.get(t.canon, 0) + 1
    filled_count = sum(filled.values())
    discourse_count = sum(discourse.values())
    all_fillers = filled_count + discourse_count
    fillers = tuple(sorted({**filled, **discourse}.items(), key=lambda kv: (-kv[1], kv[0])))

    seq = [k for k, t in enumerate(toks) if t.kind == _WORD]
    n_words = len(seq)
    spoken = n_words + filler_tokens
    restarts, restart_examples, dropped = _restarts(toks, seq, corrections, settings.max_examples)
    content = [toks[k].norm for k in seq]
    hedges, hedge_examples = _hedges([w for p, w in enumerate(content) if p not in dropped])

    topic = _content_stems(_words_of(question_text))
    for point in talking_points:
        topic |= _content_stems(_words_of(point))
    repeated = _repetition(toks, seq, dropped, topic, settings)

    answer_stems = _content_stems(content)
    answer_stems |= {stem(w) for w in content}
    # "rolled back" also covers "rollback"; "follow up" covers "follow-up".
    for a, b in zip(content, content[1:]):
        answer_stems.add(stem(a.replace("-", "") + b.replace("-", "")))
    for w in content:
        if "-" in w:
            answer_stems.add(stem(w.replace("-", "")))
    coverage = _coverage(tuple(p for p in talking_points if p and p.strip()), answer_stems, settings.point_coverage)

    duration = audio = speech_s = wpm = per_min = over = under = total_pause = None
    pauses: tuple[Pause, ...] | None = None
    if transcript.timed and spans:
        first = min(s for s, _ in spans)
        last = max(e for _, e in spans)
        duration = max(0.0, last - first)
        speech_regions = transcript.speech
        speech_s = _speech_seconds(spans, speech_regions, first, last, settings.speech_merge_gap_s)
        silences = _long_pauses(spans, speech_regions, first, last, settings.long_pause_s)
        pauses = tuple(Pause(round(s, 3), round(e - s, 3)) for s, e in silences)
        total_pause = round(sum(e - s for s, e in silences), 3)
        if duration >= settings.min_rate_s:
            wpm = round(n_words / (duration / 60.0), 1)
            per_min = round(all_fillers / (duration / 60.0), 2)
        over = round(max(0.0, duration - hi_t), 3)
        under = round(max(0.0, lo_t - duration), 3)
    audio = _finite(transcript.audio_seconds)

    data: dict[str, Any] = {
        "duration_s": _r(duration),
        "audio_s": _r(audio),
        "speech_s": _r(speech_s),
        "words": n_words,
        "wpm": wpm,
        "filled_pause_count": filled_count,
        "filler_count": discourse_count,
        "fillers_per_min": per_min,
        "fillers_per_100_words": round(100.0 * all_fillers / spoken, 2) if spoken else None,
        "fillers": dict(fillers),
        "long_pauses": None if pauses is None else [{"at_s": p.at_s, "length_s": p.length_s} for p in pauses],
        "long_pause_total_s": total_pause,
        "restarts": restarts,
        "restart_examples": restart_examples,
        "hedges": hedges,
        "hedge_examples": hedge_examples,
        "repeated_phrases": [{"phrase": r.phrase, "count": r.count} for r in repeated],
        "target_s": [lo_t, hi_t],
        "over_target_s": over,
        "under_target_s": under,
        "talking_points": {"covered": list(coverage.covered), "missing": list(coverage.missing)},
    }
    data["ramble_score"] = ramble_score(data, settings)
    return Metrics(
        duration_s=data["duration_s"],
        audio_s=data["audio_s"],
        speech_s=data["speech_s"],
        words=n_words,
        wpm=wpm,
        filled_pause_count=filled_count,
        filler_count=discourse_count,
        fillers_per_min=per_min,
        fillers_per_100_words=data["fillers_per_100_words"],
        fillers=fillers,
        long_pauses=pauses,
        long_pause_total_s=total_pause,
        restarts=restarts,
        restart_examples=tuple(restart_examples),
        hedges=hedges,
        hedge_examples=tuple(hedge_examples),
        repeated_phrases=repeated,
        target_s=(lo_t, hi_t),
        over_target_s=over,
        under_target_s=under,
        talking_points=coverage,
        ramble_score=data["ramble_score"],
    )


# --------------------------------------------------------------------------------------------
# Token-level annotation (for showing a transcript)


@dataclass(frozen=True)
class AnnotatedToken:
    """One token of an answer as scoring classified it; times are its word's, None if untimed.

    ``kind``: ``word``, ``filled_pause`` (um, uh), ``filler`` (you know, like, basically) or
    ``restart`` (words the speaker abandoned: the first "we" of "we, we decided", a cut-off word).
    """

    text: str
    kind: str
    start: float | None = None
    end: float | None = None


_KIND_NAMES = {_WORD: "word", _FILLED: "filled_pause", _FILLER: "filler"}


def annotate(transcript: Transcript) -> list[AnnotatedToken]:
    """The answer's tokens marked with the SAME rules :func:`score` counts with (so a transcript
    shown to the user highlights exactly what was counted)."""
    toks, _spans = _tokenise(transcript)
    if not toks:
        return []
    corrections = _classify_fillers(toks)
    seq = [k for k, t in enumerate(toks) if t.kind == _WORD]
    _count, _examples, dropped = _restarts(toks, seq, corrections, 0)
    abandoned = {seq[p] for p in dropped}
    # Each word gives as many tokens as it has non-punctuation pieces (as in _tokenise).
    times: list[tuple[float | None, float | None]] = []
    for w in transcript.words:
        pieces = sum(1 for piece in _pieces(w.text or "") if _piece_info(piece)[0])
        times.extend([(_finite(w.start), _finite(w.end))] * pieces)
    return [
        AnnotatedToken(
            t.raw,
            "restart" if k in abandoned else _KIND_NAMES[t.kind],
            times[k][0] if k < len(times) else None,
            times[k][1] if k < len(times) else None,
        )
        for k, t in enumerate(toks)
    ]
