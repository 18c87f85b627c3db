"""A better answer to hear: the user's own best answer, never one written by a machine.

After a weak answer it helps to hear a good one. redrill has no language model and will not make
one up; it uses what the user already has (:func:`choose_model_answer`, pure):

1. the **recording of their best attempt** at this question, when it is better than the answer
   just given: played back as it was said;
2. otherwise their **own points and best transcript**: the best attempt's words with the fillers
   and restarts taken out (the same rules scoring counts them with, :func:`clean_transcript`),
   followed by the wish-I-said points it did not make, read aloud by the question voice.

"Best" is the lowest ramble score, then the length closest to the target, then the latest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from redrill.numbers import number
from redrill.transcript import Transcript

RECORDING, SPOKEN = "recording", "spoken"
_DROP = {"filled_pause", "filler", "restart", "unheard_filler"}
_END = re.compile(r"[.!?]+$")


@dataclass(frozen=True)
class Candidate:
    """One scored attempt at the question, as the choice sees it."""

    attempt_id: int
    metrics: dict
    has_recording: bool = False
    transcript: dict | None = None


@dataclass(frozen=True)
class ModelAnswer:
    """What to play or read: a recording (``attempt_id``), or text for the voice."""

    kind: str  # RECORDING or SPOKEN
    attempt_id: int | None  # the attempt played, or whose transcript was cleaned (None: points only)
    cleaned: str = ""  # the best transcript without fillers and restarts
    points: tuple[str, ...] = ()  # the user's own points, to add to it
    ramble_score: float | None = None

    @property
    def spoken_text(self) -> str:
        """What the voice reads for a SPOKEN model answer."""
        parts = []
        if self.cleaned:
            parts.append(self.cleaned)
        if self.points:
            lead = "And make these points: " if self.cleaned else "The points you wanted to make: "
            parts.append(lead + "; ".join(p.strip().rstrip(".") for p in self.points) + ".")
        return " ".join(parts)

    def to_json(self) -> dict:
        """JSON form (``redrill show --best --json``)."""
        return {
            "kind": self.kind,
            "attempt_id": self.attempt_id,
            "cleaned_transcript": self.cleaned,
            "points": list(self.points),
            "ramble_score": self.ramble_score,
            "spoken_text": self.spoken_text if self.kind == SPOKEN else None,
        }


def clean_transcript(transcript: Transcript) -> str:
    """The answer's words without filled pauses, filler words and restarts, as scoring marks them
    (:func:`redrill.scoring.annotate`): "So, um, we we decided to, you know, roll back" ->
    "So, we decided to roll back"."""
    from redrill.scoring import annotate

    kept: list[str] = []
    for token in annotate(transcript):
        text = token.text.strip()
        if not text:
            continue
        if token.kind in _DROP:
            if kept and kept[-1].endswith(","):
                kept[-1] = kept[-1][:-1]  # "to, you know, roll" reads "to roll"
            end = _END.search(text)
            # A dropped word that ended a sentence hands its full stop to the word before it.
            if end and kept and not _END.search(kept[-1]):
                kept[-1] = kept[-1].rstrip(",;:") + end.group()
            continue
        kept.append(text)
    out = " ".join(kept).strip()
    out = re.sub(r"\s+([,.;:!?])", r"\1", out)
    out = re.sub(r",([.!?])", r"\1", out)
    # Capital letters after each full stop (and at the start): the cut may have removed the word that had one.
    out = re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), out)
    return out


def _rank_key(c: Candidate) -> tuple:
    ramble = number(c.metrics.get("ramble_score"))
    over, under = number(c.metrics.get("over_target_s")) or 0.0, number(c.metrics.get("under_target_s")) or 0.0
    return (float("inf") if ramble is None else ramble, over + under, -c.attempt_id)


def best_attempt(candidates: Sequence[Candidate]) -> Candidate | None:
    """The best scored attempt (lowest ramble score, then closest to the target, then the latest)."""
    scored = [c for c in candidates if c.metrics]
    return min(scored, key=_rank_key) if scored else None


def choose_model_answer(
    candidates: Sequence[Candidate], *, current_id: int | None = None, own_points: Sequence[str] = ()
) -> ModelAnswer | None:
    """The model answer to offer after attempt ``current_id`` (None: outside a drill). See the
    module docstring; None when there is nothing of the user's to offer (no answer, no points)."""
    current = next((c for c in candidates if c.attempt_id == current_id), None)
    recorded = [c for c in candidates if c.has_recording and c.attempt_id != current_id]
    best_recorded = best_attempt(recorded)
    if best_recorded is not None and (current is None or _rank_key(best_recorded)[:2] < _rank_key(current)[:2]):
        return ModelAnswer(
            RECORDING, best_recorded.attempt_id, ramble_score=number(best_recorded.metrics.get("ramble_score"))
        )
    with_words = [c for c in candidates if c.transcript and c.transcript.get("words")]
    best = best_attempt(with_words)
    cleaned = clean_transcript(Transcript.from_json(best.transcript)) if best is not None and best.transcript else ""
    if best is not None and cleaned:
        missing = {p.casefold() for p in (best.metrics.get("talking_points") or {}).get("missing") or []}
        known = {p.casefold() for p in _all_points(best.metrics)}
        # Points the answer made are in it already; points it was never checked for are added too.
        points = tuple(p for p in own_points if p.casefold() in missing or p.casefold() not in known)
        return ModelAnswer(SPOKEN, best.attempt_id, cleaned, points, number(best.metrics.get("ramble_score")))
    if own_points:
        return ModelAnswer(SPOKEN, None, "", tuple(own_points))
    return None


def _all_points(metrics: dict) -> list[str]:
    points = metrics.get("talking_points") or {}
    return list(points.get("covered") or []) + list(points.get("missing") or [])
