"""The evaluator's closures (radrules.fastpath) answer exactly as the condition trees they stand for."""

from __future__ import annotations

import attrs

import radrules
from radrules import conditions, fastpath
from radrules.evaluator import Evaluation

from builders import example_claims, random_claims


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
