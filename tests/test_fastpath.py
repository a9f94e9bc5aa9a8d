"""The evaluator's closures (radrules.fastpath) answer exactly as the condition trees they stand for."""

from __future__ import annotations

import attrs
import pytest

import radrules
from radrules import conditions, fastpath
from radrules.evaluation import Evaluation

from builders import example_claims, random_claims
import builders


def _nodes(node):
    """A condition and every condition inside it."""
    yield node
    if not attrs.has(type(node)):
        return
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        for item in value if isinstance(value, tuple) else (value,):
            if attrs.has(type(item)) and hasattr(item, "test"):
                yield from _nodes(item)


def test_closures_answer_as_the_condition_trees(bundled):
    """Every condition of the bundled rules, and every part of one, on every line (line rules),
    pair of lines (pair rules) or claim (claim rules) of the example claims and 300 random
    ones: the closure's answer (True, False or unknown) is the tree's."""
    checks = {}
    for rule in bundled.rules:
        for node in _nodes(rule.condition):
            checks[(id(node), rule.shape)] = (node, fastpath.fast_test(node), rule.shape)
    kinds = {type(node) for node, check, _ in checks.values() if check is not node.test}
    assert {conditions.Compare, conditions.Present, conditions.InSet, conditions.Has} <= kinds
    compared = 0
    for item in example_claims() + random_claims(7, 300):
        claim = radrules.Claim.from_dict(item)
        view = bundled.view_for(claim.payer, claim.type)
        ev = Evaluation(claim, view)
        ev.lookup = view.lookup
        cases = {
            "claim": [(None, None)],
            "line": [(line, None) for line in ev.lines],
            "pair": [(line, other) for line in ev.lines for other in ev.lines if other is not line],
        }
        for node, check, shape in checks.values():
            for line, other in cases[shape]:
                assert check(ev, line, other) is node.test(ev, line, other), (node.text, line, other)
                compared += 1
    assert compared > 50_000

# ---------------------------------------------------------------- edges a mutation review found unguarded
# Each test below fails with a plausible one-token bug (named in its docstring) that no other test caught.

a_claim, a_line = builders.claim, builders.line

FAST_RULES = """property pctc = 1 for 74177, 74176
property pctc = 2 for 74150

rule f.shift_days "days shift left"
  when line.date + 30 days < claim.received
  then warn line "x"
  reference "t"
end

rule f.shift_days_right "days shift right"
  when claim.received > line.date + 30 days
  then warn line "x"
  reference "t"
end

rule f.off_calendar "off the calendar"
  when not (line.date + 8000 years > claim.received)
  then warn line "x"
  reference "t"
end

rule f.missing_mods "missing modifiers"
  when line.modifiers is missing
  then warn line "x"
  reference "t"
end

rule f.missing_dx "missing diagnoses"
  when line.diagnoses is missing and claim.diagnoses is missing and claim.condition_codes is missing
  then warn line "x"
  reference "t"
end

rule f.present_npi "present npi"
  when line.rendering_npi is present or claim.place_of_service is missing
  then warn line "x"
  reference "t"
end

rule f.and2 "two parts"
  when claim.received > line.date and line.units > 0
  then warn line "x"
  reference "t"
end

rule f.and3 "three parts"
  when claim.received > line.date and line.units > 0 and line.units < 1000
  then warn line "x"
  reference "t"
end

rule f.and4 "four parts"
  when not (claim.received > line.date and line.units > 0 and line.units < 1000 and line.number > 0)
  then warn line "x"
  reference "t"
end

rule f.other_all "other has all"
  when other.modifiers has all of [26, 59]
  then warn line "x"
  reference "t"
end

rule f.other_place "other place"
  when other.place_of_service in [21]
  then warn line "x"
  reference "t"
end

rule f.other_pctc "other pctc"
  when other.pctc in [1]
  then warn line "x"
  reference "t"
end

rule f.charges "charges equal"
  when line.charge = other.charge
  then warn line "x"
  reference "t"
end

rule f.charge "a charge over 100"
  when line.charge > 100 or line.end_date > 2026-01-01
  then warn line "x"
  reference "t"
end

rule f.same_role "same role"
  when other.units = other.units and line.units = line.units
  then warn line "x"
  reference "t"
end
"""




def _fast_claims() -> list[dict]:
    """Claims that give the closures unknowns to pass on: no receipt date, empty places and NPIs,
    charges on some lines, a line place beside the claim's, modifiers on some lines only."""
    out = []
    for number in range(40):
        lines = [
            a_line("74177", "2026-03-02", modifiers=["26", "59"] if number % 2 else [],
                   charge=150 if number % 3 else None, place_of_service="21" if number % 4 == 1 else None,
                   diagnosis_pointers=[1]),
            a_line("74150", "2026-03-02", modifiers=["26"] if number % 5 else ["59", "26"],
                   charge=100 if number % 3 == 1 else None, rendering_npi="" if number % 6 == 0 else None),
            a_line("71046", "9990-01-01" if number % 7 == 0 else "2026-03-03", units=2),
        ]
        for entry in lines:
            if entry.get("charge") is None:
                entry.pop("charge", None)
            if entry.get("place_of_service") is None:
                entry.pop("place_of_service", None)
            if entry.get("rendering_npi") is None:
                entry.pop("rendering_npi", None)
        data = a_claim(*lines, id=f"F-{number}", diagnoses=["R10.9"] if number % 2 else [])
        if number % 3:
            data["received"] = ["2026-03-01", "2026-03-20", "2026-04-15"][number % 3]
        if number % 4 == 2:
            data["place_of_service"] = ""
        elif number % 4 == 3:
            data["place_of_service"] = "11"
        if number % 8 == 5:
            data["condition_codes"] = ["45"]
        out.append(data)
    return out


def test_closures_answer_as_the_trees_on_less_common_shapes():
    """fastpath.py (several mutants): every closure answers as its condition tree (True, False or unknown)
    for shapes the bundled rules lack: a days shift on either side, a date moved off the calendar,
    `is missing` of an empty list or text, an unknown first part of `and` (2, 3, 4 parts), `other.` place,
    property and `has all of`, `=` and `>` of fields that may be missing, and a field compared with itself."""
    from radrules import fastpath
    from radrules.evaluation import Evaluation

    rules = radrules.loads(FAST_RULES, name="fast.rr")
    checks = {}
    for rule in rules.rules:
        for node in _nodes(rule.condition):
            checks[(id(node), rule.shape)] = (node, fastpath.fast_test(node), rule.shape)
    compared = 0
    for item in _fast_claims():
        data = radrules.Claim.from_dict(item)
        view = rules.view_for(data.payer, data.type)
        ev = Evaluation(data, view)
        ev.lookup = view.lookup
        cases = {
            "line": [(one, None) for one in ev.lines],
            "pair": [(one, two) for one in ev.lines for two in ev.lines if two is not one],
        }
        for node, check, shape in checks.values():
            for first, second in cases[shape]:
                assert check(ev, first, second) is node.test(ev, first, second), (node.text, item["id"], first.number)
                compared += 1
    assert compared > 1000


PAIR_LINES = (a_line("74177", modifiers=["26", "59"], place_of_service="21"), a_line("74150", modifiers=["26"]))

FAST_CASES = [
    # (mutant it kills, condition, claim, whether the rule fires on some line)
    ("fastpath.py:76 `a is True and b is True` -> `b is True`",
     "claim.received > line.date and line.units > 0", a_claim(a_line("71046")), False),
    ("fastpath.py:91 `a is True and b is True and d is True` -> `b is True and d is True`",
     "claim.received > line.date and line.units > 0 and line.units < 1000", a_claim(a_line("71046")), False),
    ("fastpath.py:102 `result = None` -> `result = False` (4 or more parts)",
     "not (claim.received > line.date and line.units > 0 and line.units < 1000 and line.number > 0)",
     a_claim(a_line("71046")), False),
    ("fastpath.py:204 `bool(left_months or left_days)` -> `bool(left_months)`",
     "line.date + 30 days < claim.received", a_claim(a_line("71046"), received="2026-03-20"), False),
    ("fastpath.py:225 off the calendar `return None` -> `return False`",
     "not (line.date + 8000 years > claim.received)", a_claim(a_line("71046"), received="2026-03-20"), False),
    ("fastpath.py:194 drop `value != \"\"`",
     "claim.place_of_service is missing", a_claim(a_line("71046"), place_of_service=""), True),
    ("fastpath.py:42 drop `node.operand.role == 0` (place)",
     "line.code = 74150 and other.place_of_service in [21]", a_claim(*PAIR_LINES, place_of_service="11"), True),
    ("fastpath.py:44 drop `node.operand.role == 0` (property)",
     "line.code = 74150 and other.pctc in [1]", a_claim(*PAIR_LINES), True),
    ("fastpath.py:165 `values <= other.modset` -> `values <= line.modset`",
     "line.code = 74150 and other.modifiers has all of [26, 59]", a_claim(*PAIR_LINES), True),
    ("fastpath.py:248 drop `left.attr in _ALWAYS_SET` (line.X = other.X)",
     "line.charge = other.charge", a_claim(*PAIR_LINES), False),
    ("fastpath.py:248 drop `{left.role, right.role} == {0, 1}`",
     "line.units = line.units", a_claim(a_line("71046")), True),
]


@pytest.mark.parametrize("mutant, condition, data, fires", FAST_CASES, ids=[c[1] for c in FAST_CASES])
def test_the_fast_closures_decide_as_the_language_says(mutant, condition, data, fires):
    """One rule, one claim: the rule fires exactly when its condition is true (never on unknown)."""
    rules = radrules.loads("property pctc = 1 for 74177\nproperty pctc = 2 for 74150\n"
                           f'rule t.rule "t"\n  when {condition}\n  then warn line "x"\n  reference "t"\nend\n',
                           name="one.rr")
    result = rules.evaluate(data)
    assert ("t.rule" in {f.rule for f in result.findings}) is fires, mutant


