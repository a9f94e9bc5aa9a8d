"""What a rule's condition says, read without a claim: for the indexes, the order of tests and warnings.

The keys a rule is filed under in the indexes (:func:`index_keys`,
:func:`place_keys`, :func:`pair_keys`: blocks.py files rules by them), why a
condition can never be true (:func:`never_true`, RR264) and the rough cost
that orders the parts of an ``and`` (:func:`cost`: conditions.py sorts by it)
read the nodes of ``radrules.conditions`` that conditions.py builds;
:func:`payer_values` reads the syntax tree for the payer names a condition
compares ``claim.payer`` with (the RR269 pass), so that a condition with
errors gives its names too.
"""

from __future__ import annotations

import datetime as dt

from .. import conditions as c
from .. import syntax as s
from ..condition_reads import asks_no_code, tests_code_beside
from .fields import CLAIM_FIELDS


def cost(node) -> int:
    """A rough cost of testing a node, to order the parts of an `and` (cheap first)."""
    if isinstance(node, (c.InSet, c.Has, c.Present)):
        return 1 + _operand_cost(node.operand)
    if isinstance(node, c.Compare):
        return 1 + _operand_cost(node.left) + _operand_cost(node.right)
    if isinstance(node, c.Between):
        return 2 + _operand_cost(node.operand)
    if isinstance(node, c.Not):
        return cost(node.part)
    if isinstance(node, (c.And, c.Or)):
        return sum(cost(part) for part in node.parts)
    return 20  # also-has scans lines; ptp-edit looks rows up


def _operand_cost(node) -> int:
    if isinstance(node, (c.Const, c.LineAttr, c.ClaimAttr, c.LinePlace)):
        return 0
    if isinstance(node, c.Among):
        return 1 + _operand_cost(node.operand)
    if isinstance(node, c.PropertyOf):
        return 3
    if isinstance(node, c.ClaimUnits):
        return 20  # (scans lines, as also-has does)
    return 5  # ages and date arithmetic


# ---------------------------------------------------------------- payer names


def payer_values(expr):
    """The tokens of the payer names a condition compares `claim.payer` with (`claim.payer is acme`, `is not`,
    `in [acme, "Blue Plan"]`, `not in`, and the names after `except`), in the order written: RR269 compares them
    with the ruleset's other payer names. Read from the syntax, so a condition with errors gives its names too."""
    for node in s.nodes(expr):
        if isinstance(node, s.Compare):
            if node.op.text in ("=", "!=") and _payer_field(node.left) and isinstance(node.right, s.Literal):
                yield node.right.token
        elif isinstance(node, s.InSet) and _payer_field(node.operand):
            for item in node.values.expr.items + node.values.expr.excluded:
                if not isinstance(item, s.SetRange):  # a range of payers is RR208: no name
                    yield item.token


def _payer_field(operand) -> bool:
    """Whether ``operand`` is a field whose values are payers (`claim.payer`)."""
    return (isinstance(operand, s.Field) and operand.root.text == "claim"
            and CLAIM_FIELDS.get(operand.name.text, (None, None))[1] == "payer")


# ---------------------------------------------------------------- index keys


def index_keys(node) -> tuple[frozenset | None, frozenset | None]:
    """(codes, modifiers) a line must carry for the condition to be true.

    Read from the top-level ``and`` (an ``or`` counts when every branch has a
    key). A rule is filed under those codes (or, failing that, modifiers), so
    evaluation only visits it for lines that could match.
    """
    codes_key = modifiers_key = None
    for part in c.conjuncts(node):
        part_codes, part_modifiers = _part_keys(part)
        if part_codes is not None:
            codes_key = part_codes if codes_key is None else codes_key & part_codes
        if part_modifiers is not None and modifiers_key is None:
            modifiers_key = part_modifiers
    return codes_key, modifiers_key


def never_true(node, codes_key, modifiers_key, places_key, scope, shape: str = "line") -> tuple[str, str] | None:
    """Why a rule's condition can never be true, if it provably can't: no code, modifier or place of service
    meets its top-level tests (`line.code is 77067 and line.code is 72148`, an empty set), or two comparisons of
    one field with numbers or dates leave no value (`patient.age < 40 and patient.age > 65`), or no payer (claim
    type) meets both the rule's `for` clause and its tests of `claim.payer` (`claim.type`). None otherwise;
    it never guesses (a condition that is merely unlikely is not reported). Returned with the help that goes with
    it."""
    if codes_key is not None and not codes_key:
        return "no procedure code meets it", _CONTRADICT
    if modifiers_key is not None and not modifiers_key:
        return "no modifier meets it", _CONTRADICT
    if places_key is not None and not places_key:
        return "no place of service meets it", _CONTRADICT
    claim_types = scope.claim_types
    no_code = _asks_no_code(node, shape, codes_key, claim_types)
    if no_code:
        return no_code
    for attr, scoped, what, field in (("payer", scope.payers, "payer", "claim.payer"),
                                      ("claim_type", scope.claim_types, "claim type", "claim.type")):
        allowed = scoped
        for part in c.conjuncts(node):
            if isinstance(part, c.Compare) and part.op == "=" and isinstance(part.right, c.Const):
                operand, values = part.left, frozenset([part.right.value])
            elif isinstance(part, c.InSet) and not part.negated and not part.prefixes and not part.carved:
                operand, values = part.operand, part.values
            else:
                continue
            if type(operand) is c.ClaimAttr and operand.attr == attr:
                allowed = values if allowed is None else allowed & values
        if allowed is not None and not allowed:
            return (f"no {what} meets both its `for` clause and its tests" if scoped is not None else
                    f"no {what} meets all its tests of `{field}`"), _FOR_CLAUSE
        if attr == "claim_type":
            claim_types = allowed
    for part in c.conjuncts(node):
        if isinstance(part, c.InSet) and not part.negated and not (part.values or part.prefixes or part.carved):
            return f"no value of `{part.text.split()[0] if part.text else 'the field'}` is in its empty set", _EMPTIED
        if claim_types is not None and claim_types <= {"professional"}:
            field = _institutional_field(part)
            if field is not None:
                return (f"it judges professional claims only (its `for` clause or `claim.type`), which never give "
                        f"`{field}`"), _FOR_CLAUSE
    bounds: dict = {}
    dated = shape == "line" and (scope.start is not None or scope.end is not None)
    if dated:  # the dates of service `effective` gives (a line rule's window is asked on its line's date)
        bounds[_DAY] = ((scope.start, True) if scope.start is not None else None,
                        (scope.end, True) if scope.end is not None else None)
    for operand, op, value, text in _comparisons(node):
        if isinstance(value, bool) or not isinstance(value, (int, float, dt.date)):
            continue
        try:
            low, high = bounds.get(operand, (None, None))
        except TypeError:  # an operand that can't be a key
            continue
        if op in (">", "<") and isinstance(value, int) and _whole(operand):  # `> 40` is `>= 41` for an age
            op, value = op + "=", value + (1 if op == ">" else -1)
        if op in ("=", ">", ">="):
            bound = (value, op != ">")
            if low is None or bound[0] > low[0] or (bound[0] == low[0] and not bound[1]):
                low = bound
        if op in ("=", "<", "<="):
            bound = (value, op != "<")
            if high is None or bound[0] < high[0] or (bound[0] == high[0] and not bound[1]):
                high = bound
        try:
            empty = low is not None and high is not None and (
                low[0] > high[0] or (low[0] == high[0] and not (low[1] and high[1])))
        except TypeError:  # a number against a date: not one field's comparisons
            continue
        if empty:
            if operand == _DAY and dated:
                return (f"no date of service within its `effective` dates meets `{text}`",
                        "its `effective` clause and its test of `line.date` leave no date: correct one of them")
            return f"no value of `{text.split()[0] if text else 'the field'}` meets both its comparisons", _CONTRADICT
        bounds[operand] = (low, high)
    no_value = _no_value(node)
    if no_value:
        return f"no value of `{no_value}` meets all its tests", _CONTRADICT
    return None


#: `line.date`, as a condition reads it (its day number).
_DAY = c.LineAttr("day")
#: Fields whose values are whole numbers (dates as day numbers, counts): a strict bound moves by one.
_WHOLE = frozenset({"day", "end_day", "received", "statement_from", "statement_through", "last_date", "birth",
                    "line_count", "number"})


def _whole(operand) -> bool:
    return isinstance(operand, c.PatientAge) or (type(operand) in (c.LineAttr, c.ClaimAttr) and operand.attr in _WHOLE)


def _no_value(node) -> str | None:
    """The field (as written) that no value meets, by its top-level tests of equality and of sets: values it must
    be one of (`is`, `in [...]`) all ruled out by others (`is`, `is not`, `not in`, `not (... is ...)`), as
    `patient.sex is F and patient.sex is M` or `line.code in [70450] and line.code not in [70450]`; or a
    collection that must have a value it must not (`line.modifiers has 26 and line.modifiers has none of [26]`).
    None if there is none, or if it can't be sure (a set of prefixes to be in)."""
    allowed: dict = {}  # operand -> (the values it may have, the text of a test)
    ruled_out: dict = {}  # operand -> [tests a value must fail: (values, prefixes, carved)]
    must_have: dict = {}  # collection operand -> [(values, quantifier, text)]: `has any of`/`has all of` without
    # prefixes
    for part in c.conjuncts(node):
        negated = isinstance(part, c.Not)
        test = part.part if negated else part
        if isinstance(test, c.Compare) and isinstance(test.right, c.Const) and test.op in ("=", "!=") \
                and not isinstance(test.right.value, bool):
            operand, values, prefixes, carved = test.left, frozenset([test.right.value]), (), ()
            out = negated is (test.op == "=")
        elif isinstance(test, c.InSet):
            operand, values, prefixes, carved = test.operand, test.values, test.prefixes, test.carved
            out = negated is not test.negated
        elif isinstance(test, c.Has) and not negated:
            if test.quantifier == "none":
                ruled_out.setdefault(("has", test.operand), []).append((test.values, test.prefixes, test.carved))
            elif not test.prefixes and not test.carved and test.values:
                must_have.setdefault(("has", test.operand), []).append((test.values, test.quantifier, test.text))
            continue
        else:
            continue
        try:
            hash(operand)
        except TypeError:
            continue
        if out:
            ruled_out.setdefault(operand, []).append((values, prefixes, carved))
        elif not prefixes and not carved:
            known = allowed.get(operand)
            allowed[operand] = (values if known is None else known[0] & values, (known or (None, test.text))[1])

    def excluded(operand, value) -> bool:
        return any(value in values or (isinstance(value, str) and (
            (bool(prefixes) and value.startswith(prefixes)) or any(m.matches(value) for m in carved)))
            for values, prefixes, carved in ruled_out.get(operand, ()))

    for operand, (values, text) in allowed.items():
        if all(excluded(operand, value) for value in values):
            return text.split()[0] if text else "the field"
    for key, wanted in must_have.items():
        for values, quantifier, text in wanted:
            hit = [excluded(key, value) for value in values]
            if (all(hit) if quantifier == "any" else any(hit)):
                return text.split()[0] if text else "the field"
    return None


def _comparisons(node):
    """(operand, operator, value, text) of each top-level comparison of a field with a constant: `between`'s
    bounds as `>=` and `<=`."""
    for part in c.conjuncts(node):
        if isinstance(part, c.Compare) and isinstance(part.right, c.Const) and part.op != "!=":
            yield part.left, part.op, part.right.value, part.text
        elif isinstance(part, c.Between) and isinstance(part.low, c.Const) and isinstance(part.high, c.Const):
            yield part.operand, ">=", part.low.value, part.text
            yield part.operand, "<=", part.high.value, part.text


#: Fields a professional claim never has (a ClaimError: docs/claim-format.md), as rules name them.
_INSTITUTIONAL_CLAIM = {"bill_type": "claim.bill_type", "statement_from": "claim.statement_from",
                        "statement_through": "claim.statement_through"}


def _asks_no_code(node, shape: str, codes_key, claim_types) -> tuple[str, str] | None:
    """Why a rule that asks `line.code is missing` (or `other.code is missing`) can never fire, with its help: only
    a line rule sees a line without a procedure code (those of a revenue code alone), and then only that; None
    otherwise."""
    if shape == "pair" and (asks_no_code(node, 0) or asks_no_code(node, 1)):
        return ("it asks for a line without a procedure code, which no pair rule compares (only a rule on one line)",
                "a line of a revenue code alone is judged by a rule on one line: drop the `other.` tests, or the "
                "`is missing` one")
    if shape == "line" and asks_no_code(node):
        if codes_key is not None or tests_code_beside(node):
            return ("it asks for a line without a procedure code (`line.code is missing`) and tests the code, "
                    "which such a line does not have"), _CONTRADICT
        if claim_types is not None and claim_types <= {"professional"}:
            return ("it judges professional claims only (its `for` clause), whose lines all have a procedure code, "
                    "and asks for none (`line.code is missing`)"), _FOR_CLAUSE
    return None


#: The helps of RR264, by what contradicts what.
_CONTRADICT = "the tests joined by `and` contradict each other: check the codes and numbers"
_FOR_CLAUSE = "the `for` clause and the tests of the claim contradict each other"
_EMPTIED = "`except` takes out every member of the set: check what it was to leave"


def _institutional_field(part) -> str | None:
    """The institutional field a top-level test reads directly (a missing value makes it unknown, so the rule
    can't fire without it), or None; `is missing` of it is true on every professional claim."""
    negated = isinstance(part, c.Not)
    if negated:
        part = part.part
    if isinstance(part, c.Present) and part.want == negated:  # `is missing`: true on every professional claim
        return None
    operands = ((part.operand,) if isinstance(part, (c.InSet, c.Has, c.Present, c.Between))
                else (part.left, part.right) if isinstance(part, c.Compare) else ())
    for operand in operands:
        while isinstance(operand, c.DateShift):
            operand = operand.inner
        if type(operand) is c.ClaimAttr and operand.attr in _INSTITUTIONAL_CLAIM:
            return _INSTITUTIONAL_CLAIM[operand.attr]
        if type(operand) is c.ClaimAttr and operand.attr == "revenue_codes":  # none, not missing, on a professional
            present = isinstance(part, c.Present) and part.want is not negated  # `is present`, `not ... is missing`
            held = isinstance(part, c.Has) and (part.quantifier == "none") is negated  # `has`, `not ... has none of`
            if present or held:
                return "claim.revenue_codes"
        if type(operand) is c.LineAttr and operand.attr == "revenue_code":
            return "line.revenue_code" if operand.role == 0 else "other.revenue_code"
    return None


def place_keys(node) -> frozenset | None:
    """The places of service a line must have for the condition to be true (top-level ``and``)."""
    for part in c.conjuncts(node):
        if (isinstance(part, c.InSet) and not part.negated and not part.prefixes and not part.carved
                and type(part.operand) is c.LinePlace and part.operand.role == 0):
            return part.values
    return None


def _part_keys(part) -> tuple[frozenset | None, frozenset | None]:
    if (isinstance(part, c.InSet) and not part.negated and not part.prefixes and not part.carved
            and _is_line(part.operand, "code")):
        return part.values, None
    if (isinstance(part, c.Compare) and part.op == "=" and _is_line(part.left, "code")
            and isinstance(part.right, c.Const)):
        return frozenset([part.right.value]), None
    if (isinstance(part, c.Has) and part.quantifier in ("any", "all") and not part.prefixes and not part.carved
            and _is_line(part.operand, "modset") and (part.values or part.quantifier == "any")):
        return None, part.values  # (`has all of` an empty set is true of every line: filed under no modifier)
    if isinstance(part, c.And):
        return index_keys(part)
    if isinstance(part, c.Or):
        branches = [index_keys(branch) for branch in part.parts]
        codes_key = modifiers_key = None
        if all(b[0] is not None for b in branches):
            codes_key = frozenset().union(*(b[0] for b in branches))
        if all(b[1] is not None for b in branches):
            modifiers_key = frozenset().union(*(b[1] for b in branches))
        return codes_key, modifiers_key
    return None, None


def _is_line(node, attr: str, role: int = 0) -> bool:
    return isinstance(node, c.LineAttr) and node.role == role and node.attr == attr


def pair_keys(node) -> tuple[frozenset | None, bool]:
    """(codes the other line must bill, whether it must bill this line's code), from the top-level ``and``."""
    other_codes = None
    same_code = False
    for part in c.conjuncts(node):
        if isinstance(part, c.InSet) and not part.negated and not part.prefixes and _is_line(part.operand, "code", 1):
            other_codes = part.values if other_codes is None else other_codes & part.values
        elif isinstance(part, c.Compare) and part.op == "=":
            sides = (part.left, part.right)
            if _is_line(sides[1], "code", 1) and isinstance(sides[0], c.Const):
                sides = sides[::-1]
            if _is_line(sides[0], "code", 1) and isinstance(sides[1], c.Const):
                value = frozenset([sides[1].value])
                other_codes = value if other_codes is None else other_codes & value
            elif {(n.role, n.attr) for n in sides if isinstance(n, c.LineAttr)} == {(0, "code"), (1, "code")}:
                same_code = True
    return other_codes, same_code
