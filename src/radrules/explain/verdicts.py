"""Why a condition fired or not, in the words of an explanation's steps.

:func:`condition_verdict` asks the parts of a rule's top-level ``and`` in the order the rule writes them and
names the first that is false (else the first that is unknown), with what a history count, an
interval or a claim's units came to (:func:`_counted`). :class:`PairCondition` answers the same for
the many pairs of lines of one date, asking each part that reads one line once a line. The tracer
(:mod:`.tracer`) words its line, pair and claim rule steps with these; :func:`written_condition` is a rule's
condition as a note shows it.
"""

from __future__ import annotations

from ..condition_reads import pair_side
from ..condition_values import counted
from ..condition_values import fired_values as values_of
from ..conditions import conjuncts


def written_condition(node) -> str:
    return " ".join(getattr(node, "text", "").split()) or "the condition"


def condition_verdict(node, ev, line, other) -> tuple[str, str]:
    """(``fired`` or ``silent``, why): the first part of the top-level ``and``, as written, that is false;
    else the first that is unknown (a false part decides the condition, an unknown one does not)."""
    parts = _written(node)
    unknown = None
    for part in parts:
        answer = part.test(ev, line, other)
        if answer is False:
            outcome, why = _false(part)
            return outcome, why + _counted(part, ev, line, other)
        if answer is None and unknown is None:
            unknown = part
    if unknown is not None:
        outcome, why = _unknown(unknown)
        return outcome, why + _counted(unknown, ev, line, other)
    return _true(node, parts)  # (a fired step quotes the finding's message, and :func:`fired_values`)


def fired_values(node, ev, line) -> str:
    """:func:`..condition_values.fired_values`, each after ``; ``, to follow a fired step's message."""
    return _after_message(values_of(node, ev, line))


def _counted(part, ev, line, other) -> str:
    """What the history operands of a comparison came to, and the claim's units, which its text does not show:
    `; the count is 2`, `; 45 days since the last, on 2026-01-02`, `; the units add up to 3`; "" for any other
    part, and in a pair rule (whose steps PairCondition words once for many pairs). (Counts, intervals and the
    date of the last service only: no claim value.)"""
    return "" if other is not None else _after_message(counted([part], ev, line, other))


def _after_message(texts: list[str]) -> str:
    return "".join(f"; {text}" for text in texts)


def _written(node) -> tuple:
    """The parts of a condition's top-level ``and`` as written."""
    return getattr(node, "written", None) or conjuncts(node)


def _false(part) -> tuple[str, str]:
    return "silent", f"`{written_condition(part)}` is false"


def _unknown(part) -> tuple[str, str]:
    return "silent", f"`{written_condition(part)}` is unknown (a value it needs is missing)"


def _true(node, parts) -> tuple[str, str]:
    if len(parts) == 1:
        return "fired", f"`{written_condition(node)}` is true"
    return "fired", f"all {len(parts)} parts of the condition are true"


class PairCondition:
    """A pair rule's condition judged as :func:`condition_verdict` judges it, on many pairs of one date: the parts that
    read ``line`` alone or ``other`` alone (:func:`radrules.condition_reads.pair_side`, as the evaluator splits
    them for a big date) are asked once a line, and a pair asks the parts that read both lines only up to the
    first part found false."""

    def __init__(self, ev, rule):
        self.ev = ev
        self.parts = parts = _written(rule.condition)
        sides = [pair_side(part) for part in parts]
        self.line_side, self.other_side, self.rest = ([i for i, side in enumerate(sides) if side == wanted]
                                                      for wanted in (0, 1, 2))
        self.verdicts = [(_false(part), _unknown(part)) for part in parts]
        self.true = _true(rule.condition, parts)
        self.others: dict = {}  # id(other line) -> (first false part, first unknown part) of the `other` side

    def of_line(self, line) -> tuple:
        """(first false part, first unknown part) of the `line` side for ``line``, by their places in the
        condition (its length: none); the first unknown part found before the first false one."""
        return self._first(self.line_side, line, None)

    def judge(self, answers: tuple, line, other) -> tuple[str, str]:
        """:func:`condition_verdict` for ``line`` (its side's ``answers``, from :meth:`of_line`) with ``other``."""
        found = self.others.get(id(other))
        if found is None:
            found = self.others[id(other)] = self._first(self.other_side, None, other)
        false = min(answers[0], found[0])
        unknown = min(answers[1], found[1])
        for i in self.rest:
            if i > false:  # a part after a false one decides nothing
                break
            answer = self.parts[i].test(self.ev, line, other)
            if answer is False:
                false = i
                break
            if answer is None and i < unknown:
                unknown = i
        if false < len(self.parts):
            return self.verdicts[false][0]
        if unknown < len(self.parts):
            return self.verdicts[unknown][1]
        return self.true

    def _first(self, places: list, line, other) -> tuple[int, int]:
        false = unknown = len(self.parts)
        for i in places:
            answer = self.parts[i].test(self.ev, line, other)
            if answer is False:
                return i, unknown
            if answer is None and unknown > i:
                unknown = i
        return false, unknown
