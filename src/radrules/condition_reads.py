"""What a compiled condition reads, asked of a tree of :mod:`radrules.conditions` nodes.

The compiler and the indexes ask these once per rule, off the evaluation of a
claim: whether a condition reads only the line's code, modifiers and place of
service (:func:`reads_only_key`: the evaluator then decides it once per such
key), which side of a pair each ``and`` part reads (:func:`pair_sides`, for the
closures a date of many lines asks once a line; explain asks :func:`pair_side`
of the claims it explains), and whether a line rule asks ``line.code is
missing`` (:func:`asks_no_code`) or also compares the code (:func:`tests_code_beside`).
"""

from __future__ import annotations

from .conditions import (AlsoHas, Always, Among, And, Between, ClaimAttr, ClaimUnits, Compare, Const, DateShift, Has,
                         HistoryCount, HistoryHas, HistorySame, InSet, LineAttr, LineAuthorization, LinePlace, Not, Or,
                         PatientAge, Present, PropertyOf, SinceLast, conjuncts)

#: The line attributes a line-rule cache entry is filed under (with the place of service).
KEY_ATTRS = frozenset({"code", "modifiers", "modset", "first_modifier"})
#: The same without the code.
KEY_ATTRS_BUT_CODE = KEY_ATTRS - {"code"}


def reads_only_key(node, attrs: frozenset = KEY_ATTRS) -> bool:
    """Whether a condition reads nothing but the current line's place of service and the line
    attributes ``attrs`` (by default its code and modifiers), so that its answer is the same on
    every line that has those (anything this does not know counts as reading more)."""
    kind = type(node)
    if kind is Const or kind is Always:
        return True
    if kind is LineAttr:
        return node.role == 0 and node.attr in attrs
    if kind is LinePlace:
        return node.role == 0
    parts = _operands(node)
    return parts is not None and all(reads_only_key(part, attrs) for part in parts)


def _operands(node) -> tuple | None:
    """The conditions and operands a test or a combination of tests reads through, or None for any other node
    (what reads_only_key and reads_one_line look into alike)."""
    kind = type(node)
    if kind is And or kind is Or:
        return node.parts
    if kind is Not:
        return (node.part,)
    if kind is InSet or kind is Has or kind is Present or kind is Among:
        return (node.operand,)
    if kind is Compare:
        return (node.left, node.right)
    if kind is Between:
        return (node.operand, node.low, node.high)
    return None


#: Operands that read one line, the one of their ``role``.
_ONE_LINE = (LineAttr, LinePlace, PropertyOf, PatientAge, LineAuthorization)


def reads_one_line(node, role: int) -> bool:
    """Whether a condition reads no line but the one of ``role`` (0: ``line``, 1: ``other``), besides the
    claim, the patient and their history (``claim also has`` and the history tests read ``line``), so that its
    answer for a pair of lines is that line's alone (anything this does not know counts as reading more)."""
    kind = type(node)
    if kind is Const or kind is Always or kind is ClaimAttr:
        return True
    if kind in _ONE_LINE:
        return node.role == role
    if kind is AlsoHas or kind is HistorySame or kind is SinceLast:  # the line's date, code, number
        return role == 0
    if kind is ClaimUnits:  # the line's date and code, when asked
        return role == 0 or not (node.same_date or node.same_property is not None)
    if kind is HistoryHas or kind is HistoryCount:
        since = node.window.since if node.window is not None else None
        return role == 0 and (since is None or reads_one_line(since, 0))
    if kind is DateShift:
        return reads_one_line(node.inner, role)
    parts = _operands(node)
    return parts is not None and all(reads_one_line(part, role) for part in parts)


def pair_sides(node) -> tuple[tuple, tuple, tuple]:
    """The top-level ``and`` parts of a pair rule's condition that read only ``line`` (or only the claim),
    those that read only ``other``, and the rest, each in the condition's order."""
    sides: tuple = ([], [], [])
    for part in conjuncts(node):
        sides[pair_side(part)].append(part)
    return tuple(sides[0]), tuple(sides[1]), tuple(sides[2])


def pair_side(part) -> int:
    """The side of a pair that a part of its condition reads: 0 ``line`` alone (or only the claim), 1 ``other``
    alone, 2 both."""
    return 0 if reads_one_line(part, 0) else 1 if reads_one_line(part, 1) else 2


def reads_code(node) -> bool:
    """Whether a condition reads the current line's procedure code (``line.code``, or a property of it), which a
    line of a revenue code alone does not have (unknown there)."""
    kind = type(node)
    if kind is LineAttr:
        return node.role == 0 and node.attr == "code"
    if kind is PropertyOf:
        return node.role == 0
    if kind is DateShift:
        return reads_code(node.inner)
    parts = _operands(node)
    return parts is not None and any(reads_code(part) for part in parts)


def _is_code_missing(part, role: int = 0) -> bool:
    return (type(part) is Present and not part.want and type(part.operand) is LineAttr
            and part.operand.attr == "code" and part.operand.role == role)


def asks_no_code(node, role: int = 0) -> bool:
    """Whether a condition holds only on a line without a procedure code: one of its top-level ``and`` parts is
    ``line.code is missing`` (``other.code`` with ``role`` 1). Such a line rule judges the lines of a revenue code
    alone, and only them (docs/language.md#lines-without-a-procedure-code)."""
    return any(_is_code_missing(part, role) for part in conjuncts(node))


def tests_code_beside(node) -> bool:
    """Whether a condition that asks `line.code is missing` also compares the code (or a property of it) in
    another of its top-level ``and`` parts, negated or not: unknown on the lines it judges, so the rule can never
    fire. (A part that combines tests with `or` or `and`, or asks `is present`, may still be decided.)"""
    for part in conjuncts(node):
        while type(part) is Not:
            part = part.part
        if type(part) in (InSet, Compare, Between, Has) and reads_code(part):
            return True
    return False
