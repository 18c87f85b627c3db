"""Filled pauses (um, uh) and discourse fillers (you know, I mean, filler "like") in a token stream.

Filled pauses and discourse fillers are counted separately and are not words. The rules for the
ambiguous ones ("like" as a verb or comparison, "you know" and "I mean" said literally) are in
``docs/metrics.md``.
"""

from __future__ import annotations

from redrill.numbers import number
from redrill.scoring.words import FILLED, FILLER, STOPWORDS, UNHEARD, WORD, Token, filled_canon, token_words
from redrill.transcript import Transcript

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

# --------------------------------------------------------------------------------------------
# Fillers


def classify_fillers(toks: list[Token]) -> set[int]:
    """Mark filled pauses and discourse fillers in place; return token indices of "I mean" corrections."""
    n = len(toks)
    norms = [t.norm for t in toks]
    corrections: set[int] = set()

    def attached_prev(k: int) -> str | None:
        """The previous word when nothing (punctuation, a filler) separates it from token k."""
        if k == 0 or toks[k].before:
            return None
        prev = toks[k - 1]
        if prev.after or prev.kind != WORD:
            return None
        return prev.norm

    def mark(k: int, size: int, canon: str) -> None:
        for q in range(k, k + size):
            toks[q].kind = FILLER
        toks[k].canon = canon

    k = 0
    while k < n:
        t = toks[k]
        w = t.norm
        canon = filled_canon(w)
        if canon:
            t.kind, t.canon = FILLED, canon
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


def take_back_unheard(transcript: Transcript, toks: list[Token]) -> int:
    """Mark as :data:`UNHEARD` the filled pauses of the words the audio search took back (its
    ``unheard_filler`` items: a filler the recognizer wrote, doubting it, where the audio holds no
    filler); how many. ``toks`` are :func:`tokenise`'s for ``transcript``, after
    :func:`classify_fillers`."""
    marks = [d for d in transcript.audio_disfluencies or () if d.kind == "unheard_filler"]
    if not marks:
        return 0

    def taken(w) -> bool:
        start, end = number(w.start), number(w.end)
        return (
            start is not None
            and end is not None
            and any(
                abs(d.start_s - start) < 0.002
                and abs(d.end_s - end) < 0.002
                and (d.word or "") == (w.text or "").strip()
                for d in marks
            )
        )

    back = {i for i, w in enumerate(transcript.words) if taken(w)}
    count = 0
    for k, i in enumerate(token_words(transcript)):
        if i in back and k < len(toks) and toks[k].kind == FILLED:
            toks[k].kind, toks[k].canon = UNHEARD, ""
            count += 1
    return count


def _you_know_is_filler(toks: list[Token], k: int, prev: str | None) -> bool:
    if prev in _YOU_KNOW_LITERAL_BEFORE:  # "do you know", "if you know", "as you know"
        return False
    know = toks[k + 1]
    if know.after or k + 2 >= len(toks):  # "you know," / answer ends
        return True
    return toks[k + 2].norm not in _YOU_KNOW_LITERAL_AFTER  # "you know how ...", "you know the ..."


def _i_mean_kind(toks: list[Token], k: int, prev: str | None) -> str:
    """'filler', 'correction' (mid-clause "Postgres, I mean MySQL") or 'literal' ("what I mean")."""
    if prev in _I_MEAN_LITERAL_BEFORE:
        return "literal"
    mean = toks[k + 1]
    nxt = toks[k + 2].norm if k + 2 < len(toks) else None
    if not mean.after and nxt in _I_MEAN_LITERAL_AFTER:
        return "literal"
    p = k - 1
    while p >= 0 and toks[p].kind == FILLED and not toks[p].stop:
        p -= 1
    if (
        nxt is not None
        and not mean.stop
        and p >= 0
        and not toks[p].stop
        and toks[p].kind == WORD
        and toks[p].norm not in STOPWORDS
    ):
        return "correction"
    return "filler"


def _is_number(word: str | None) -> bool:
    if not word:
        return False
    return word[0].isdigit() or word in _NUMBER_WORDS


def _like_is_filler(toks: list[Token], k: int, prev: str | None) -> bool:
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
