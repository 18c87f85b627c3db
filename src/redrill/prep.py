"""Prepare for a specific job: its key phrases, the questions that fit it, its terms as points.

``redrill prep JOB.txt`` turns a pasted job description into a **prep set**: the questions most
likely to matter for that job, in order, each with the job's own terms added as talking points to
check while drilling it. The steps (all offline):

1. **Key phrases** (:func:`key_phrases`): YAKE, an unsupervised statistical keyword extractor
   (the ``yake`` package: no model, no corpus, no network), picks up to :data:`MAX_PHRASES`
   phrases of one to three words. Phrases made only of job-ad boilerplate ("years of experience",
   "requirements") are dropped. Phrase ``i`` (0 = most important) weighs ``1 / (1 + 0.1 i)``.
2. **Ranking** (:func:`rank_questions`, pure): every question (shipped banks, your banks, your own
   debrief points) gets a relevance score:

       relevance = sum over phrases of  phrase weight x best field match

   where a field match is ``field weight x (share of the phrase's word weight found in that
   field)``, with field weights tags 3, question text 2, talking points 1 (the bank's and your own
   wish-I-said points). Words are compared as word families (:func:`term_key`: "manager",
   "managing" and "management" are one word; so are "analyse", "analyst" and "analytics"), and a
   word weighs its inverse document frequency over all questions, ``ln(1 + N / df)``, so a word
   that many questions share ("team", "time") counts for less than a rare one ("postmortem").
   Ties go to the question id, so the order is stable.
3. **The set** (:func:`build_prep`): the opener ("tell me about yourself": the first question of
   almost every interview, and the one that sets the tone) and then the most relevant questions,
   :data:`DEFAULT_COUNT` in all. Each question gets the job phrases that matched it (at most
   :data:`MAX_ADDED_POINTS`) as extra talking points for this prep only; the opener and the
   why-this-role questions get the job's top phrases, since those answers should name what the
   job asks for.

Drill a set with ``redrill drill --prep NAME``; ``redrill mock --prep NAME`` and ``redrill
warmup --prep NAME`` use it too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from redrill.banks import Catalog, Question, merge_talking_points
from redrill.errors import RedrillError

MAX_PHRASES = 60
MAX_NGRAM = 3
DEFAULT_COUNT = 8
MAX_ADDED_POINTS = 3
MAX_JOB_CHARS = 100_000
FIELD_WEIGHTS = {"tags": 3.0, "bank": 2.0, "text": 1.0, "points": 1.0}
# A word found in more than this share of the questions explains no one question's rank.
COMMON_SHARE = 0.12
OPENER_TAG = "introduction"
# Questions whose answers should name what the job asks for: they get the job's top phrases.
PITCH_TAGS = frozenset({"introduction", "motivation", "pitch", "role"})
NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Job-ad words that say nothing about which questions will come up.
BOILERPLATE = frozenset(
    """about ability able apply applicant applicants benefit benefits bonus candidate candidates company
    competitive day description environment etc excellent experience experienced great ideal ideally
    including job join junior level looking mid must nice opportunity plus preferred qualification
    qualifications required requirement requirements responsibilities responsibility role salary
    senior skill skills strong solid successful title want year years""".split()
)
# Word families: any word whose stem starts with one of these is that one word (see term_key).
FAMILIES = (
    "analy",
    "collaborat",
    "communic",
    "develop",
    "engineer",
    "experiment",
    "leader",
    "measur",
    "mentor",
    "negotiat",
    "priorit",
    "stakeholder",
    "strateg",
    "underperform",
    "visuali",
)
# Single words folded by hand. "manager" stays apart from "managing"/"management": in a job title it
# is often not about managing people ("Customer Success Manager", "Product Manager").
_WORD_KEYS = {
    "lead": "leader",
    "leads": "leader",
    "leading": "leader",
    "manag": "manage",
    "manage": "manage",
    "managed": "manage",
    "manages": "manage",
    "management": "manage",
}
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/'][a-z0-9]+)*")


def term_key(word: str) -> str:
    """The comparison key of one word: its stem (as talking-point coverage stems words), American
    "-ize" spelt "-ise", and word families (:data:`FAMILIES`) folded to one key."""
    from redrill.scoring import stem

    key = stem(word.lower()).replace("iz", "is")
    for family in FAMILIES:
        if key.startswith(family):
            return family
    return _WORD_KEYS.get(key, key)


def terms(text: str) -> list[str]:
    """The content words of ``text`` as :func:`term_key` keys, in order, stop words left out.

    A hyphenated or slashed word counts whole and by its parts ("trade-offs": tradeoff, trade, off).
    """
    from redrill.scoring import STOPWORDS

    out: list[str] = []
    for token in _TOKEN.findall(text.lower().replace("’", "'")):
        token = token.removesuffix("'s")
        parts = re.split(r"[-/]", token)
        pieces = [token.replace("-", "").replace("/", "")] + (parts if len(parts) > 1 else [])
        for piece in pieces:
            if len(piece) < 2 or piece in STOPWORDS or piece.isdigit():
                continue
            out.append(term_key(piece))
    return out


@dataclass(frozen=True)
class KeyPhrase:
    """A phrase of the job description and its weight in the ranking."""

    text: str
    weight: float
    keys: tuple[str, ...]

    def to_json(self) -> dict:
        return {"phrase": self.text, "weight": round(self.weight, 3)}


@dataclass(frozen=True)
class RankedQuestion:
    """A question with its relevance to the job and the phrases that matched it."""

    question: Question
    relevance: float
    matched: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()  # which fields matched: tags, text, points

    def to_json(self) -> dict:
        return {
            "id": self.question.id,
            "text": self.question.text,
            "relevance": round(self.relevance, 3),
            "matched": list(self.matched),
            "fields": list(self.fields),
        }


@dataclass(frozen=True)
class PrepQuestion:
    """One question of a prep set, with the job phrases added to it as talking points."""

    question_id: str
    text: str
    relevance: float
    matched: tuple[str, ...] = ()
    added_points: tuple[str, ...] = ()
    opener: bool = False

    def to_json(self) -> dict:
        return {
            "id": self.question_id,
            "text": self.text,
            "relevance": round(self.relevance, 3),
            "matched": list(self.matched),
            "added_points": list(self.added_points),
            "opener": self.opener,
        }

    @classmethod
    def from_json(cls, data: dict) -> PrepQuestion:
        return cls(
            question_id=data["id"],
            text=data.get("text", data["id"]),
            relevance=float(data.get("relevance") or 0.0),
            matched=tuple(data.get("matched") or ()),
            added_points=tuple(data.get("added_points") or ()),
            opener=bool(data.get("opener")),
        )


@dataclass(frozen=True)
class PrepSet:
    """A named set of questions for one upcoming interview."""

    name: str
    title: str
    phrases: tuple[KeyPhrase, ...]
    questions: tuple[PrepQuestion, ...]
    ranking: tuple[RankedQuestion, ...] = field(default=(), compare=False)  # the whole ranking (not stored)

    @property
    def question_ids(self) -> list[str]:
        return [q.question_id for q in self.questions]

    def to_json(self) -> dict:
        """The stored form (and ``redrill prep --json``'s ``prep`` object)."""
        return {
            "name": self.name,
            "title": self.title,
            "key_phrases": [p.to_json() for p in self.phrases],
            "questions": [q.to_json() for q in self.questions],
        }

    @classmethod
    def from_json(cls, data: dict) -> PrepSet:
        phrases = tuple(
            KeyPhrase(p["phrase"], float(p.get("weight") or 0.0), tuple(terms(p["phrase"])))
            for p in data.get("key_phrases") or []
        )
        questions = tuple(PrepQuestion.from_json(q) for q in data.get("questions") or [])
        return cls(name=data["name"], title=data.get("title", ""), phrases=phrases, questions=questions)


# --- key phrases ------------------------------------------------------------------------------


def extract_phrases(text: str, *, top: int = MAX_PHRASES) -> list[str]:
    """YAKE's key phrases of ``text``, most important first (the adapter around the library)."""
    try:
        import yake
    except ImportError:
        raise RedrillError(
            "the keyword extractor is not installed: run `.venv/bin/pip install yake` (or `./setup.sh`)"
        ) from None
    extractor = yake.KeywordExtractor(lan="en", n=MAX_NGRAM, top=top * 2, dedup_lim=0.8)
    return [phrase for phrase, _score in extractor.extract_keywords(text)]


@lru_cache(maxsize=1)
def boilerplate_keys() -> frozenset[str]:
    """:data:`BOILERPLATE` as :func:`term_key` keys."""
    return frozenset(term_key(w) for w in BOILERPLATE)


def weigh_phrases(phrases: Iterable[str], *, limit: int = MAX_PHRASES) -> list[KeyPhrase]:
    """Key phrases with their weights: boilerplate-only phrases and repeats dropped, the rest
    weighted by rank (``1 / (1 + 0.1 i)``)."""
    out: list[KeyPhrase] = []
    seen: set[frozenset[str]] = set()
    for phrase in phrases:
        keys = tuple(dict.fromkeys(k for k in terms(phrase) if k not in boilerplate_keys()))
        if not keys or frozenset(keys) in seen:
            continue
        seen.add(frozenset(keys))
        out.append(KeyPhrase(" ".join(phrase.split()), 1.0 / (1.0 + 0.05 * len(out)), keys))
        if len(out) >= limit:
            break
    return out


def key_phrases(text: str) -> list[KeyPhrase]:
    """The job description's weighted key phrases (see the module docstring)."""
    return weigh_phrases(extract_phrases(text))


# --- ranking ----------------------------------------------------------------------------------


def question_fields(question: Question, own_points: Sequence[str] = (), bank_about: str = "") -> dict[str, set[str]]:
    """The keys of a question's tags, text and talking points (the bank's and the user's own), and
    of its bank's name and description (``bank_about``)."""
    return {
        "bank": set(terms(bank_about)),
        "tags": set(terms(" ".join(question.tags))),
        "text": set(terms(question.text)),
        # Self-check prompts name what the question is about as well as talking points do.
        "points": set(
            terms(" ".join(merge_talking_points([*question.talking_points, *question.self_check], own_points)))
        ),
    }


def rank_questions(
    phrases: Sequence[KeyPhrase],
    questions: Iterable[Question],
    *,
    own_points: Mapping[str, Sequence[str]] | None = None,
    counts: dict[str, int] | None = None,
    banks: dict[str, str] | None = None,
) -> list[RankedQuestion]:
    """Every question ranked by relevance to the phrases, most relevant first (pure; see the
    module docstring for the formula). ``own_points`` maps question ids to the user's own points."""
    own_points = own_points or {}
    pool = list(questions)
    banks = banks or {}
    fields = {q.id: question_fields(q, own_points.get(q.id, ()), banks.get(q.bank, "")) for q in pool}
    df: dict[str, int] = {}
    for f in fields.values():
        for key in f["tags"] | f["text"] | f["points"]:  # a bank description is not the question
            df[key] = df.get(key, 0) + 1
    n = max(1, len(pool))
    common = max(1, int(COMMON_SHARE * n))

    def idf(key: str) -> float:
        return math.log(1.0 + n / df.get(key, 1))

    # A word's weight is that of the most important phrase it appears in: a word repeated across
    # many phrases (the job title's) counts once, not once per phrase.
    weight: dict[str, float] = {}
    for phrase in phrases:
        for key in phrase.keys:
            weight[key] = max(weight.get(key, 0.0), phrase.weight)
    # ... and a word the job ad keeps coming back to ("customer" fifteen times) counts for more.
    for key in weight:
        weight[key] *= 1.0 + math.log(max(1, (counts or {}).get(key, 1)))
    ranked = []
    for q in pool:
        f = fields[q.id]
        found: dict[str, tuple[float, str]] = {}  # key -> (its contribution, the heaviest field it is in)
        for key, w in weight.items():
            best = max(((FIELD_WEIGHTS[name], name) for name in FIELD_WEIGHTS if key in f[name]), default=None)
            if best is not None:
                found[key] = (w * idf(key) * best[0], best[1])
        total = sum(c for c, _ in found.values())
        # What matched this question itself (not only its bank), strongest first: the "why". Words
        # that many questions share (a bank's "engineering" tag) say little about this one.
        own = {k: c for k, (c, name) in found.items() if name != "bank" and df.get(k, 0) <= common}
        strength = {p.text: sum(own.get(k, 0.0) for k in p.keys) for p in phrases}
        matched: list[str] = []
        covered: set[str] = set()
        for p in sorted((p for p in phrases if strength[p.text] > 0), key=lambda p: -strength[p.text]):
            credited = {k for k in p.keys if k in own}
            if credited - covered:  # "spot churn" adds nothing after "spot churn risk"
                matched.append(p.text)
                covered |= credited
        hit = {name for _, name in found.values()}
        ranked.append(RankedQuestion(q, total, tuple(matched), tuple(n for n in FIELD_WEIGHTS if n in hit)))
    ranked.sort(key=lambda r: (-round(r.relevance, 9), r.question.id))
    return ranked


# --- the prep set -----------------------------------------------------------------------------


def opener(catalog: Catalog) -> Question | None:
    """The interview opener: the first question tagged ``introduction`` ("tell me about yourself")."""
    return next((q for q in catalog.questions.values() if OPENER_TAG in q.tags), None)


def added_points(ranked: RankedQuestion, phrases: Sequence[KeyPhrase]) -> tuple[str, ...]:
    """The job phrases a question is checked for in this prep (see the module docstring)."""
    if PITCH_TAGS & set(ranked.question.tags):
        chosen = [p.text for p in phrases[:MAX_ADDED_POINTS]]
    else:
        # Phrases of two or more words read as points ("debug production incidents"); a lone word
        # ("improve") does not, and is used only when nothing longer matched.
        longer = [t for t in ranked.matched if len(t.split()) >= 2]
        chosen = longer[:MAX_ADDED_POINTS] or list(ranked.matched[:1])
    have = {p.casefold() for p in ranked.question.talking_points}
    return tuple(p for p in chosen if p.casefold() not in have)


def build_prep(
    name: str,
    title: str,
    phrases: Sequence[KeyPhrase],
    catalog: Catalog,
    *,
    count: int = DEFAULT_COUNT,
    own_points: Mapping[str, Sequence[str]] | None = None,
    counts: dict[str, int] | None = None,
) -> PrepSet:
    """The prep set: the opener, then the most relevant questions, ``count`` in all (pure)."""
    check_name(name)
    if count < 1:
        raise RedrillError(f"a prep set needs at least one question, not {count}")
    if not phrases:
        raise RedrillError(
            "no key phrases found in the job description: is it the whole ad, in English? Paste the "
            "title, the responsibilities and the requirements"
        )
    about = {b.name: f"{b.name}. {b.description}" for b in catalog.banks}
    ranking = rank_questions(phrases, catalog.questions.values(), own_points=own_points, counts=counts, banks=about)
    first = opener(catalog)
    chosen: list[PrepQuestion] = []
    if first is not None:
        ranked_first = next(r for r in ranking if r.question.id == first.id)
        chosen.append(
            PrepQuestion(
                first.id,
                first.text,
                round(ranked_first.relevance, 3),
                ranked_first.matched,
                added_points(ranked_first, phrases),
                opener=True,
            )
        )
    for r in ranking:
        if len(chosen) >= count:
            break
        if r.relevance <= 0 or any(c.question_id == r.question.id for c in chosen):
            continue
        chosen.append(
            PrepQuestion(r.question.id, r.question.text, round(r.relevance, 3), r.matched, added_points(r, phrases))
        )
    return PrepSet(name=name, title=title, phrases=tuple(phrases), questions=tuple(chosen), ranking=tuple(ranking))


def prepare(
    name: str,
    job_text: str,
    catalog: Catalog,
    *,
    count: int = DEFAULT_COUNT,
    own_points: Mapping[str, Sequence[str]] | None = None,
) -> PrepSet:
    """Key phrases of ``job_text`` and the prep set built from them."""
    text = check_job_text(job_text)
    counts: dict[str, int] = {}
    for key in terms(text):
        counts[key] = counts.get(key, 0) + 1
    return build_prep(
        name, job_title(text), key_phrases(text), catalog, count=count, own_points=own_points, counts=counts
    )


def check_job_text(text: str, origin: str = "the job description") -> str:
    """The job description, or a clear error when it is empty or not plausibly one."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise RedrillError(f"{origin} is empty: paste the job ad (title, responsibilities, requirements) into it")
    if len(text) > MAX_JOB_CHARS:
        raise RedrillError(f"{origin} is {len(text):,} characters; a job description fits in {MAX_JOB_CHARS:,}")
    if len(text.split()) < 15:
        raise RedrillError(
            f"{origin} has only {len(text.split())} words: paste the whole job ad, not just the title, "
            "so redrill can find what it asks for"
        )
    return text


def job_title(text: str) -> str:
    """The first non-empty line of the job description (usually the title), shortened."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= 80 else first[:79].rstrip() + "…"


def default_name(title: str, taken: Iterable[str] = ()) -> str:
    """A prep set name from the job title: "Senior Backend Engineer, Payments" ->
    ``senior-backend-engineer-payments``, unique among ``taken``."""
    from redrill.debrief import slugify

    return slugify(title, set(taken), max_len=40) if title else slugify("prep", set(taken))


def check_name(name: str) -> str:
    """A valid prep set name, or an error saying what one looks like."""
    if not NAME_PATTERN.match(name or ""):
        raise RedrillError(
            f"'{name}' is not a valid prep set name: use lower-case letters, digits and single dashes, "
            "e.g. acme-backend"
        )
    return name


# --- using a prep set -------------------------------------------------------------------------


def prep_catalog(catalog: Catalog, prep: PrepSet) -> Catalog:
    """A copy of the catalog in which the prep set's questions carry its added talking points, so
    every answer in a prep drill is checked for the job's terms (the shipped banks are untouched)."""
    questions = dict(catalog.questions)
    for item in prep.questions:
        q = questions.get(item.question_id)
        if q is not None and item.added_points:
            questions[q.id] = replace(
                q, talking_points=tuple(merge_talking_points(q.talking_points, item.added_points))
            )
    return Catalog(banks=list(catalog.banks), questions=questions)


def prep_questions(catalog: Catalog, prep: PrepSet) -> list[Question]:
    """The prep set's questions in order, from :func:`prep_catalog` (questions whose bank is gone
    are asked from the text saved with the set)."""
    view = prep_catalog(catalog, prep)
    out = []
    for item in prep.questions:
        q = view.questions.get(item.question_id)
        out.append(
            q if q is not None else Question(id=item.question_id, text=item.text, talking_points=item.added_points)
        )
    return out


def find_prep(rows, name: str | None):
    """The stored prep set called ``name`` (None: the newest), or an error listing the names."""
    rows = list(rows)
    if not rows:
        raise RedrillError("no prep sets yet: make one from a job description with `redrill prep JOB.txt`")
    if name is None:
        return rows[0]
    for row in rows:
        if row.name == name:
            return row
    import difflib

    names = [r.name for r in rows]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else f" Prep sets: {', '.join(names)}."
    raise RedrillError(f"no prep set named '{name}'.{hint} `redrill prep --list` shows them all")
