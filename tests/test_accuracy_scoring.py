"""How ``scripts/accuracy.py`` matches what was found to what was said (its disfluency section).

A find counts as right when it can be paired, one to one, with something of its kind said within
0.5 s of it; recall and precision both rest on that pairing, so a pairing that leaves out a pair it
could have made counts a right find as false and a said filler as missed.
"""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
sys.path.insert(0, str(SCRIPTS))

from accuracy_sections.disfluency import match, misses  # noqa: E402
from evalset import GROUPS, TruthItem, answers  # noqa: E402


def said(kind: str, start: float, end: float) -> TruthItem:
    return TruthItem(kind=kind, start=start, end=end, text="um" if kind == "filled_pause" else "I I")


def test_two_fillers_in_a_row_found_as_one_stretch_and_one_late_word_are_both_right():
    # "um, uh": the audio search hears one stretch over both, nearer the "uh"; the recognizer's own
    # "uh" comes late, out of reach of the "um". Nearest-first pairing gives the stretch to the "uh"
    # and leaves the late word unpaired; the one pairing that uses both is the right count.
    truth = [said("filled_pause", 1.0, 1.3), said("filled_pause", 1.5, 1.8)]
    found = [("filled_pause", 1.1, 1.9, "audio:gap"), ("filled_pause", 2.0, 2.2, "uh,")]
    assert match(found, truth, "filled_pause") == (2, 2, 2)


def test_one_find_is_paired_once_and_nearest_first():
    truth = [said("filled_pause", 1.0, 1.3), said("filled_pause", 1.6, 1.9)]
    assert match([("filled_pause", 1.0, 1.3, "um")], truth, "filled_pause") == (1, 1, 2)
    # Two finds over one said filler: one of them is false.
    found = [("filled_pause", 1.0, 1.3, "um"), ("filled_pause", 1.2, 1.4, "audio:gap")]
    assert match(found, truth[:1], "filled_pause") == (1, 2, 1)


def test_a_find_more_than_half_a_second_away_or_of_another_kind_is_not_paired():
    truth = [said("filled_pause", 1.0, 1.3), said("restart", 3.0, 3.4)]
    found = [("filled_pause", 1.81, 2.0, "uh"), ("restart", 1.0, 1.3, "I I"), ("filled_pause", 3.0, 3.4, "um")]
    assert match(found, truth, "filled_pause") == (0, 2, 1)
    assert match(found, truth, "restart") == (0, 1, 1)
    assert match([("filled_pause", 1.79, 2.0, "uh")], truth, "filled_pause") == (1, 1, 1)


def test_what_the_pairing_leaves_over_is_listed_as_false_and_missed():
    truth = [said("filled_pause", 1.0, 1.3), said("restart", 3.0, 3.4)]
    found = [("filled_pause", 1.0, 1.3, "um"), ("filled_pause", 1.2, 1.4, "audio:gap"), ("restart", 6.0, 6.4, "we we")]
    assert misses(found, truth) == [
        "false filled_pause 1.20-1.40 (audio:gap)",
        "false restart 6.00-6.40 (we we)",
        "missed restart 3.00-3.40 (I I)",
    ]
    assert misses(found[:1], truth[:1]) == []


def test_every_labelled_answer_is_in_a_group_the_report_prints():
    # An answer in a group the report does not know would count in the whole set but in no row.
    groups = {a.group for a in answers()}
    assert groups == set(GROUPS), groups ^ set(GROUPS)
