"""Why a condition fired or not, in the words of an explanation's steps.

:func:`condition_verdict` asks the parts of a rule's top-level ``and`` in the order the rule writes them and
names the first that is false (else the first that is unknown), with what a history count, an
interval or a claim's units came to (:func:`_counted`). :class:`PairCondition` answers the same for
the many pairs of lines of one date, asking each part that reads one line once a line. The tracer
(:mod:`.tracer`) words its line, pair and claim rule steps with these; :func:`written_condition` is a rule's
condition as a note shows it.
"""

from __future__ import annotations

import math

from ..condition_reads import pair_side
from ..conditions import And, Between, ClaimUnits, Compare, Const, HistoryCount, Not, Or, SinceLast, conjuncts
from ..model import render_value


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
    """What the history operands and the claim's units came to in the comparisons that made a line rule's
    condition true (:func:`_counted`): of an `or`, the first part that is true, so a read's step names the
    interval since the last read, not since the last technical part. ``; 9 months since the last, on 2025-06-20
    (12 on 2026-06-01)`` says when a frequency limit's comparison turns: when the service is payable."""
    return _counted_in(_deciding(node, ev, line, True), ev, line, None)


def _deciding(part, ev, line, want: bool) -> list:
    """The comparisons in ``part`` that gave it the answer ``want``, which it has: of an `and` that is true, every
    part; of an `or` that is true, its first true part; of a false `and` its first false part, of a false `or`
    every part; a `not` asks its part for the other answer."""
    kind = type(part)
    if kind is Compare or kind is Between:
        return [part]
    if kind is Not:
        return _deciding(part.part, ev, line, not want)
    if kind is And or kind is Or:
        inner = getattr(part, "written", None) or part.parts
        if (kind is And) is want:
            return [found for each in inner for found in _deciding(each, ev, line, want)]
        for each in inner:
            if each.test(ev, line, None) is want:
                return _deciding(each, ev, line, want)
    return []


def _counted(part, ev, line, other) -> str:
    """What the history operands of a comparison came to, and the claim's units, which its text does not show:
    `; the count is 2`, `; 45 days since the last, on 2026-01-02`, `; the units add up to 3`; "" for any other
    part, and in a pair rule (whose steps PairCondition words once for many pairs). (Counts, intervals and the
    date of the last service only: no claim value.)"""
    return "" if other is not None else _counted_in([part], ev, line, other)


def _counted_in(parts: list, ev, line, other) -> str:
    shown = []
    for compared in parts:
        for operand, bound, op in _compared(compared):
            if type(operand) is HistoryCount:
                shown.append(f"the count is {operand.get(ev, line, other)}")
            elif type(operand) is SinceLast:
                shown.append(_since(operand, bound, op, ev, line, other))
            elif type(operand) is ClaimUnits:
                value = operand.get(ev, line, other)
                if value is not None:  # (unknown: the line's code has no value of the property; the step says so)
                    shown.append(f"the units add up to {render_value(value, 'number')}")
    return "".join(f"; {text}" for text in dict.fromkeys(shown))  # (each once: two parts of an `or` with no
    # earlier service of either said "no earlier service; no earlier service")


#: For an interval (a whole number) compared with a number N, the interval on the left: the first count at which
#: the comparison's answer turns: `< 12` and `>= 12` at 12, `<= 11` and `> 11` at 12, `< 11.5` at 12 (an equality
#: turns twice: no date is named).
_TURNS_AT = {"<": math.ceil, ">=": math.ceil, "<=": lambda n: math.floor(n) + 1, ">": lambda n: math.floor(n) + 1}


def _since(operand, bound, op, ev, line, other) -> str:
    """`9 months since the last, on 2025-06-20`, and, when the comparison's other side is a whole number and its
    answer turns at a count the interval has not reached, that count and the date it reaches it: ` (12 on
    2026-06-01)` for `< 12` or `<= 11` (a frequency limit: the first date the service is paid)."""
    last = operand.last(ev, line, other)
    if last is None:
        return "no earlier service"
    value = operand.since(last, line)  # (of the last found once: `get` would look for it again)
    unit = operand.unit[:-1] if value == 1 else operand.unit
    text = f"{value} {unit} since the last, on {last.isoformat()}"
    turn = _TURNS_AT.get(op)
    count = turn(bound.value) if turn is not None and type(bound) is Const and type(bound.value) in (int, float) \
        else None
    if count is not None and value < count:
        try:
            text += f" ({count} on {operand.reached(last, count).isoformat()})"
        except (ValueError, OverflowError):  # (a bound past the year 9999)
            pass
    return text


def _compared(part) -> list:
    """The operands of the comparisons in ``part``, inside `not`, `or` and `and` too (`not claim units of X > 1`
    says what the sum came to, as `claim units of X > 1` does), each once, in the order written, with the other
    side of its comparison and, for the left operand, its operator (a number is never on the left: RR209; of a
    `between`, none)."""
    kind = type(part)
    if kind is Compare:
        return [(part.left, part.right, part.op), (part.right, part.left, None)]
    if kind is Between:
        return [(part.operand, None, None), (part.low, None, None), (part.high, None, None)]
    if kind is Not:
        return _compared(part.part)
    if kind is Or or kind is And:
        found = []
        for inner in (getattr(part, "written", None) or part.parts):
            found.extend(pair for pair in _compared(inner) if pair not in found)
        return found
    return []


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
