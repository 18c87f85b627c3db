"""Whether a figure got better, worse or stayed the same against the user's usual value.

One rule for the key metrics (:mod:`redrill.scoring.comparison`) and the voice figures
(:mod:`redrill.scoring.voice`), so a noise margin means the same thing in every verdict.
"""

from __future__ import annotations


class Directed:
    """A figure with a direction and a noise margin; mixed into the frozen dataclasses that describe
    the figures, which declare the three fields.

    A change counts only when it is larger than ``max(rel_margin * |median|, abs_margin)``.
    """

    higher_is_better: bool
    rel_margin: float
    abs_margin: float

    def improvement(self, new: float, old: float) -> float:
        """How much better ``new`` is than ``old`` (negative when worse)."""
        return new - old if self.higher_is_better else old - new

    def margin(self, reference: float) -> float:
        """The smallest change from ``reference`` that is not noise."""
        return max(self.rel_margin * abs(reference), self.abs_margin)

    def verdict(self, value: float, median: float) -> str:
        """``better``, ``worse`` or ``same``: ``value`` against the ``median`` of earlier values."""
        gain, margin = self.improvement(value, median), self.margin(median)
        return "better" if gain > margin else "worse" if gain < -margin else "same"
