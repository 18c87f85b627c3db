"""Stemmers compared on the labelled talking points (``scripts/accuracy.py``, "Talking points").

``legacy_stem`` is the small suffix stemmer redrill used before Snowball, kept here only so the
comparison can be re-run; the others come from their packages (installed for the measurement with
``pip install pystemmer simplemma lemminflect``; redrill itself needs only ``snowballstemmer``).
"""

from __future__ import annotations

from functools import lru_cache

# The same irregular forms redrill applies before Snowball, so the comparison is like for like.
from redrill.scoring.words import _IRREGULAR


@lru_cache(maxsize=16384)
def legacy_stem(word: str) -> str:
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


def _snowball(name: str):
    import snowballstemmer

    algorithm = snowballstemmer.stemmer(name)
    return lru_cache(maxsize=16384)(algorithm.stemWord)


def _simplemma():
    import simplemma

    return lru_cache(maxsize=16384)(lambda w: simplemma.lemmatize(w, lang="en").lower())


def _lemminflect():
    import lemminflect

    @lru_cache(maxsize=16384)
    def lemma(word: str) -> str:
        for upos in ("VERB", "NOUN", "ADJ"):
            found = lemminflect.getLemma(word, upos=upos)
            if found and found[0] != word:
                return found[0].lower()
        return word

    return lemma


def _lemma_then_snowball():
    lemma, snow = _simplemma(), _snowball("english")
    return lru_cache(maxsize=16384)(lambda w: snow(lemma(w)))


def candidates() -> dict[str, object]:
    """Name -> stem function, for every stemmer whose package is installed."""
    out: dict[str, object] = {"hand-written suffix stemmer (before)": legacy_stem}
    for name, make in (
        ("Snowball English (snowballstemmer)", lambda: _snowball("english")),
        ("Snowball English + irregular verbs (redrill)", _redrill),
        ("Porter (snowballstemmer)", lambda: _snowball("porter")),
        ("simplemma lemmas", _simplemma),
        ("lemminflect lemmas", _lemminflect),
        ("simplemma lemma, then Snowball", _lemma_then_snowball),
    ):
        try:
            out[name] = make()
        except ImportError:
            out[name] = None
    return out


def _redrill():
    """redrill's own stemmer: Snowball English after irregular verb forms, with a few families
    Snowball joins kept apart (experience/experiment, production/product, manager/manage)."""
    from redrill.scoring.words import stem

    return stem
