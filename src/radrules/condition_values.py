"""What a condition's counts, intervals and unit sums came to, in words.

A rule's condition compares numbers the claim does not show: `history count of X`, `months since last X`,
`claim units of X`. :func:`fired_values` names what those came to in the comparisons that made a line rule's
condition true (`9 months since the last, on 2025-06-20; 12 months on 2026-06-01`). A message shows them with
the `{values}` placeholder (:class:`FiredValues`), and explain's steps name them (:mod:`.explain.verdicts`).
Counts, intervals, the date of the last service and unit sums only: never a claim's identifiers.
"""

from __future__ import annotations

import math

import attrs

from .conditions import And, Between, ClaimUnits, Compare, Const, HistoryCount, Not, Or, SinceLast
from .model import render_value

#: The operands whose values a condition's text does not show.
COUNTED = (HistoryCount, SinceLast, ClaimUnits)


def fired_values(node, ev, line) -> list[str]:
    """What the history operands and the claim's units came to in the comparisons that made a line rule's
    condition true: of an `or`, the parts that are true (:func:`_deciding`). ``9 months since the last, on
    2025-06-20; 12 months on 2026-06-01`` says when a frequency limit's comparison turns: when the service is
    payable."""
    return counted(_deciding(node, ev, line, True), ev, line, None)


def reads_values(node) -> bool:
    """True when ``node`` compares a history count, an interval or a claim's units (what :func:`fired_values`
    can name)."""
    return any(isinstance(operand, COUNTED) for operand, _, _ in _compared(node))


@attrs.frozen
class FiredValues:
    """The `{values}` placeholder of a line rule's message: :func:`fired_values` of its condition, joined by
    ``; `` ("" when no count, interval or sum decided it)."""

    condition: object = attrs.field(eq=False, repr=False)

    def get(self, ev, line, other) -> str:
        return "; ".join(fired_values(self.condition, ev, line))


def counted(parts: list, ev, line, other) -> list[str]:
    """What the counted operands of ``parts`` came to, each text once (two parts of an `or` with no earlier
    service of either said "no earlier service" once): `the count is 2`, `45 days since the last, on 2026-01-02`,
    `the units add up to 3`."""
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
    return list(dict.fromkeys(shown))


def _deciding(part, ev, line, want: bool) -> list:
    """The comparisons in ``part`` that gave it the answer ``want``, which it has: of an `and` that is true, every
    part; of an `or` that is true, each of its true parts (of a global screening too soon by its read and by its
    technical part, both intervals: the later date is the one it is paid from; a read's `or` part of the technical
    component is false, and not named); of a false `and` each of its false parts, of a false `or` every part; a
    `not` asks its part for the other answer."""
    kind = type(part)
    if kind is Compare or kind is Between:
        return [part]
    if kind is Not:
        return _deciding(part.part, ev, line, not want)
    if kind is And or kind is Or:
        inner = getattr(part, "written", None) or part.parts
        if (kind is And) is want:
            return [found for each in inner for found in _deciding(each, ev, line, want)]
        return [found for each in inner if each.test(ev, line, None) is want
                for found in _deciding(each, ev, line, want)]
    return []


#: For an interval (a whole number) compared with a number N, the interval on the left: the first count at which
#: the comparison's answer turns: `< 12` and `>= 12` at 12, `<= 11` and `> 11` at 12, `< 11.5` at 12 (an equality
#: turns twice: no date is named).
_TURNS_AT = {"<": math.ceil, ">=": math.ceil, "<=": lambda n: math.floor(n) + 1, ">": lambda n: math.floor(n) + 1}


def _since(operand, bound, op, ev, line, other) -> str:
    """`9 months since the last, on 2025-06-20`, and, when the comparison's other side is a whole number and its
    answer turns at a count the interval has not reached, that count and the date it reaches it: `; 12 months on
    2026-06-01` for `< 12` or `<= 11` (a frequency limit: the first date the service is paid)."""
    last = operand.last(ev, line, other)
    if last is None:
        return "no earlier service"
    value = operand.since(last, line)  # (of the last found once: `get` would look for it again)
    text = f"{_count(value, operand.unit)} since the last, on {last.isoformat()}"
    turn = _TURNS_AT.get(op)
    count = turn(bound.value) if turn is not None and type(bound) is Const and type(bound.value) in (int, float) \
        else None
    if count is not None and value < count:
        try:
            text += f"; {_count(count, operand.unit)} on {operand.reached(last, count).isoformat()}"
        except (ValueError, OverflowError):  # (a bound past the year 9999)
            pass
    return text


def _count(value: int, unit: str) -> str:
    return f"{value} {unit[:-1] if value == 1 else unit}"


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
