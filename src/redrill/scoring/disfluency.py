"""Restarts, hedges and repetition: the rambling that shows in the words themselves."""

from __future__ import annotations

from collections import defaultdict

from redrill.scoring.metrics import RepeatedPhrase
from redrill.scoring.settings import ScoringSettings
from redrill.scoring.words import STOPWORDS, Token, stem

# Words too vague to make a phrase worth flagging as repetition on their own.
_VAGUE = STOPWORDS | frozenset(
    """go goes going gone went get gets getting got make makes making made say says saying said
    thing things lot lots stuff like know think mean want wanted kind sort way one something
    anything everything need needed""".split()
)
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


def find_restarts(
    toks: list[Token], seq: list[int], corrections: set[int], max_examples: int
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
            # Go on from the kept copy, not past it: it may itself start the next restart ("It, it
            # depends, it depends on"), whose abandoned copy must not count as a repeated phrase.
            p = end - size
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


def find_hedges(words: list[str]) -> tuple[int, list[str]]:
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


def find_repetition(
    toks: list[Token], seq: list[int], dropped: set[int], topic: set[str], settings: ScoringSettings
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
