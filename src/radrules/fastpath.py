"""Condition trees turned into plain Python closures for the evaluator's inner loops.

The nodes of :mod:`radrules.conditions` stay the truth: they pickle, they
can be inspected and explained. :func:`fast_test` builds, from a node, a
closure that answers the same three-valued question with fewer Python calls:
the common leaves (a line's code in a set, a line's modifiers against a set,
two lines' codes equal, a comparison or ``is present`` test of attributes of
the lines and the claim, dates shifted) read them directly, with no call per
operand, and ``and``/``or`` of two or three parts are unrolled. Anything
else falls back to the node's own ``test``. Closures are rebuilt after
unpickling, never pickled; tests/test_fastpath.py checks that every closure
answers as its node.
"""

from __future__ import annotations

from operator import attrgetter

from . import conditions as c
from .condition_reads import pair_sides
from .dates import shift_ordinal

#: Line attributes that are never None on a LineView.
_ALWAYS_SET = {"code", "modset", "units", "day", "number"}


def fast_test(node):
    """A callable ``(ev, line, other) -> True | False | None`` equal to ``node.test``."""
    kind = type(node)
    if kind is c.And:
        return _and([fast_test(part) for part in node.parts])
    if kind is c.Or:
        return _or([fast_test(part) for part in node.parts])
    if kind is c.Not:
        inner = fast_test(node.part)

        def negation(ev, line, other):
            answer = inner(ev, line, other)
            return None if answer is None else not answer
        return negation
    plain = not getattr(node, "prefixes", ()) and not getattr(node, "carved", ())
    if kind is c.InSet and plain and _line_attr(node.operand, "code"):
        return _code_in(node.values, node.operand.role, node.negated)
    if kind is c.InSet and plain and type(node.operand) is c.LinePlace and node.operand.role == 0:
        return _place_in(node.values, node.negated)
    if kind is c.InSet and plain and type(node.operand) is c.PropertyOf and node.operand.role == 0:
        return _property_in(node.operand.name, node.values, node.negated)
    if kind is c.Has and plain and _line_attr(node.operand, "modset"):
        return _modifiers_have(node.values, node.operand.role, node.quantifier)
    if kind is c.Compare:
        special = _compare(node)
        if special is not None:
            return special
    if kind is c.Present:
        access = _access(node.operand)
        if access is not None:
            return _present(access, node.want)
    return node.test


def fast_sides(node) -> tuple:
    """For a pair rule's condition: closures of its parts that read only ``line``, only ``other``, and the rest
    (:func:`radrules.condition_reads.pair_sides`), each None when there are none. A pair meets the condition when
    all three are true of it; the first two read one line only (call them with None for the other)."""
    return tuple(None if not parts else fast_test(parts[0] if len(parts) == 1 else c.And(parts))
                 for parts in pair_sides(node))


def _line_attr(node, attr: str) -> bool:
    return type(node) is c.LineAttr and node.attr == attr


def _and(parts):
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts

        def both(ev, line, other):
            a = first(ev, line, other)
            if a is False:
                return False
            b = second(ev, line, other)
            if b is False:
                return False
            return True if (a is True and b is True) else None
        return both
    if len(parts) == 3:
        first, second, third = parts

        def all_three(ev, line, other):
            a = first(ev, line, other)
            if a is False:
                return False
            b = second(ev, line, other)
            if b is False:
                return False
            d = third(ev, line, other)
            if d is False:
                return False
            return True if (a is True and b is True and d is True) else None
        return all_three
    parts = tuple(parts)

    def every(ev, line, other):
        result = True
        for part in parts:
            answer = part(ev, line, other)
            if answer is False:
                return False
            if answer is None:
                result = None
        return result
    return every


def _or(parts):
    if len(parts) == 1:
        return parts[0]
    parts = tuple(parts)

    def any_of(ev, line, other):
        result = False
        for part in parts:
            answer = part(ev, line, other)
            if answer is True:
                return True
            if answer is None:
                result = None
        return result
    return any_of


def _code_in(values: frozenset, role: int, negated: bool):
    if role == 0:
        if negated:
            return lambda ev, line, other: line.code not in values
        return lambda ev, line, other: line.code in values
    if negated:
        return lambda ev, line, other: other.code not in values
    return lambda ev, line, other: other.code in values


def _place_in(values: frozenset, negated: bool):
    """The line's place of service (else the claim's) in a set; unknown when neither is given."""
    def test(ev, line, other):
        place = line.pos
        if place is None:
            return None
        return (place in values) is not negated
    return test


def _property_in(name: str, values: frozenset, negated: bool):
    """A code property of the line (``line.pctc in [...]``); unknown when the code has none."""
    def test(ev, line, other):
        value = ev.view.properties[name].get(line.code, line.day)
        if value is None:
            return None
        return (value in values) is not negated
    return test


def _modifiers_have(values: frozenset, role: int, quantifier: str):
    if quantifier == "any":
        if role == 0:
            return lambda ev, line, other: not values.isdisjoint(line.modset)
        return lambda ev, line, other: not values.isdisjoint(other.modset)
    if quantifier == "none":
        if role == 0:
            return lambda ev, line, other: values.isdisjoint(line.modset)
        return lambda ev, line, other: values.isdisjoint(other.modset)
    if role == 0:
        return lambda ev, line, other: values <= line.modset
    return lambda ev, line, other: values <= other.modset


#: Where an operand read by attribute is read from (see _access).
_LINE, _OTHER, _CLAIM = 0, 1, 2


def _access(node):
    """How to read an operand with C-level calls only: (source, attrgetter, months, days, workday), the
    last three a date shift (``line.date + 12 months``, ``... to a workday``); None for any other operand."""
    kind = type(node)
    if kind is c.LineAttr:
        return (_OTHER if node.role else _LINE), node.fetch, 0, 0, False
    if kind is c.ClaimAttr:
        return _CLAIM, attrgetter(node.attr), 0, 0, False
    if kind is c.DateShift:
        inner = _access(node.inner)
        if inner is not None and not inner[2] and not inner[3] and not inner[4]:
            return inner[0], inner[1], node.months, node.days, node.workday
    return None


def _present(access, want: bool):
    """``X is present`` / ``X is missing`` for an operand read by attribute (as ``Present.test``)."""
    source, fetch, _, _, _ = access

    def test(ev, line, other):
        target = line if source == _LINE else other if source == _OTHER else ev
        value = None if target is None else fetch(target)
        present = value is not None and value != () and value != frozenset() and value != ""
        return present is want
    return test


def _compare_read(left, right, function):
    """Two operands read by attribute, or one and a constant (``right`` is then ``(value,)``),
    compared in one call, as ``Compare.test`` does: unknown if either is missing."""
    shift = shift_ordinal
    left_source, left_fetch, left_months, left_days, left_workday = left
    left_shift = bool(left_months or left_days or left_workday)
    constant = len(right) == 1
    if constant:
        right_source, right_fetch, right_months, right_days, right_workday = _CLAIM, None, 0, 0, False
        value = right[0]
    else:
        right_source, right_fetch, right_months, right_days, right_workday = right
        value = None
    right_shift = bool(right_months or right_days or right_workday)

    # The two reads are written out: a helper would be the call per operand this closure saves.
    def test(ev, line, other):
        target = line if left_source == _LINE else other if left_source == _OTHER else ev
        if target is None:
            return None
        a = left_fetch(target)
        if a is None:
            return None
        if left_shift:
            a = shift(a, left_months, left_days, left_workday)
            if a is None:  # moved off the calendar: unknown
                return None
        if constant:
            b = value
        else:
            target = line if right_source == _LINE else other if right_source == _OTHER else ev
            if target is None:
                return None
            b = right_fetch(target)
            if b is None:
                return None
            if right_shift:
                b = shift(b, right_months, right_days, right_workday)
                if b is None:
                    return None
        return function(a, b)
    return test


def _compare(node):
    """``line.code = other.code`` and ``line.X <op> constant`` for attributes that are never missing;
    any other comparison of operands read by attribute (``claim.received > line.date + 12 months``)."""
    left, right, function = node.left, node.right, node.function
    if type(left) is c.LineAttr and type(right) is c.LineAttr and left.attr == right.attr \
            and left.attr in _ALWAYS_SET and {left.role, right.role} == {0, 1}:
        attr = left.attr
        if left.role == 0:
            return lambda ev, line, other: function(getattr(line, attr), getattr(other, attr))
        return lambda ev, line, other: function(getattr(other, attr), getattr(line, attr))
    if type(left) is c.PropertyOf and left.role == 0 and type(right) is c.Const and node.op in ("=", "!="):
        return _property_in(left.name, frozenset([right.value]), node.op == "!=")
    if type(left) is c.LineAttr and type(right) is c.Const and left.attr in _ALWAYS_SET:
        attr, value, role = left.attr, right.value, left.role
        if role == 0:
            return lambda ev, line, other: function(getattr(line, attr), value)
        return lambda ev, line, other: function(getattr(other, attr), value)
    left_access = _access(left)
    if left_access is not None:
        right_access = (right.value,) if type(right) is c.Const and right.value is not None else _access(right)
        if right_access is not None:
            return _compare_read(left_access, right_access, function)
    return None
