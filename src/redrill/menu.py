"""The menu after each answer, as data: what the user can do next and when each choice is offered.

Each :class:`MenuChoice` has a key, a label, a rule for when it is offered (a predicate over the
drill and the :class:`Answer` on screen) and an action that does it and says what the loop does
next (a :class:`Step`). :class:`redrill.drill.Drill` shows ``drill.menu_choices`` (a list,
:data:`MENU` by default), so a new choice is one more entry in that list ("hear a better answer",
offered when the drill has a coach, is one): the loop itself does not change.

The order of the list is the order on screen: what the user most likely wants right after an
answer that ended on silence (carry on, or throw the fragment away) comes first.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redrill.banks import Question

if TYPE_CHECKING:
    from redrill.drill import Drill


class Step(enum.Enum):
    """What the drill loop does after a menu choice."""

    MENU = "menu"  # show the menu again (after playing back or discarding)
    RETRY = "retry"  # ask the same question again
    NEXT = "next"  # go on to the next question
    QUIT = "quit"  # end the session


@dataclass
class Answer:
    """The answer the menu is about: the stored attempt (None once discarded or never stored), why
    its recording ended (None for a typed answer), its audio at 16 kHz (for ``[c]ontinue``) and the
    silence the recorder trimmed before it (for the delay before the first word)."""

    question: Question
    attempt_id: int | None
    ended: str | None = None
    samples: Any = None
    lead_s: float | None = None

    @property
    def spoken(self) -> bool:
        return self.ended is not None

    @property
    def stored(self) -> bool:
        return self.attempt_id is not None

    @property
    def ended_on_silence(self) -> bool:
        """A silence ending may have been a thinking pause that ran long: the user may carry on."""
        from redrill.sound.endpointing import SILENCE

        return self.stored and self.ended == SILENCE


@dataclass(frozen=True)
class MenuChoice:
    """One choice of the menu: ``key`` (one letter), ``label`` (shown after the key), ``offered``
    (when it is on the menu) and ``act`` (does it; returns what the loop does next)."""

    key: str
    label: str
    offered: Callable[[Drill, Answer], bool]
    act: Callable[[Drill, Answer], Step]


def _always(_drill: Drill, _answer: Answer) -> bool:
    return True


MENU: tuple[MenuChoice, ...] = (
    MenuChoice("t", "tick the self-check list", lambda d, a: d.can_tick(a), lambda d, a: d.tick(a)),
    MenuChoice("c", "continue", lambda d, a: a.ended_on_silence, lambda d, a: d.continue_answer(a)),
    MenuChoice("r", "retry", _always, lambda d, a: Step.RETRY),
    MenuChoice("p", "play back", lambda d, a: a.stored and a.spoken, lambda d, a: d.play_back(a)),
    MenuChoice(
        "h", "hear a better answer", lambda d, a: a.stored and d.coach is not None, lambda d, a: d.hear_better(a)
    ),
    MenuChoice("d", "discard", lambda d, a: a.stored, lambda d, a: d.discard(a)),
    MenuChoice("n", "next question", _always, lambda d, a: Step.NEXT),
    MenuChoice("q", "quit", _always, lambda d, a: Step.QUIT),
)
# Enter alone picks this one.
DEFAULT_KEY = "n"


def offered(menu, drill: Drill, answer: Answer) -> dict[str, str]:
    """``{key: label}`` of the choices on offer for ``answer``, in menu order."""
    return {c.key: c.label for c in menu if c.offered(drill, answer)}


def choice(menu, key: str) -> MenuChoice:
    """The choice with ``key`` (the UI only returns keys it was offered)."""
    for item in menu:
        if item.key == key:
            return item
    raise KeyError(key)
