"""Explain one claim: every rule the evaluation considered, where, and why it fired or not.

``ruleset.evaluate(claim, explain=True)`` returns the usual
:class:`~radrules.Result` with an :class:`Explanation` attached. The
explanation walks the same candidates the indexed evaluation visits (the
rules filed under each line's code and modifiers, the PTP rows of each pair
of lines, the unit limit of each code, the add-on edits) and records a
:class:`Step` for each: ``fired``, ``silent`` (with the first part of the
condition that was not true), ``bypassed`` (with the modifier), ``out of
dates`` (with the window), ``not applicable`` (indicator 9) or ``within
limit``; ``corrected later`` for a pair (or an add-on code) that an earlier
PTP (add-on) version judges as published where the newest version loaded
corrected its date;
and ``not checked`` for a pair that a ``once per line`` rule leaves, as it
fired for the line already.
A CMS table row that rule-file rows replace or a ``disable`` takes off is
a ``silent`` step of the table's rule that names them. It is a separate
pass, so ``evaluate()`` without ``explain`` pays nothing for it.

Steps name rules, lines, codes, dates and rule text; never an identifier,
a birth date or a malformed value that :func:`radrules.checks.quotable` refuses.

:func:`explain` puts an explanation together here from its submodules:
``steps.py`` holds what it is made of (:class:`Step`, :class:`RuleNote`,
:class:`Explanation`), ``tracer.py`` the pass that records the steps,
``verdicts.py`` the words of a condition's verdict, and ``not_considered.py``
why each rule no step names was left out.
"""

from __future__ import annotations

import attrs

from .. import validity
from ..checks import FORMAT_RULES, check_format, hider
from ..evaluation import Evaluation, paid_history
from .not_considered import why_not_considered
from .steps import Explanation, RuleNote, Step
from .tracer import Tracer
from .verdicts import written_condition

__all__ = ["Explanation", "RuleNote", "Step", "explain", "rule_ids"]


def explain(ruleset, claim, result, history=None) -> Explanation:
    """The explanation of ``result``, the evaluation of ``claim`` (a Claim) by ``ruleset``."""
    view = ruleset.view_of(claim)
    ev = Evaluation(claim, view)
    if history is not None:
        ev.set_history(paid_history(claim, history, ev.by_billing))
    ev.lookup = lookup = view.lookup
    hidden = ev.hidden = check_format(ev, [])
    tracer = Tracer(ev, lookup, result, ruleset.disables)
    tracer.format_checks()
    tracer.code_validity()
    tracer.line_rules()
    tracer.pairs()
    tracer.pairs_of_other_versions(ruleset.tables)
    tracer.pairs_corrected_later(ruleset.tables)
    tracer.unit_limits()
    tracer.claim_rules()
    tracer.addons()
    tracer.addons_corrected_later(ruleset.tables)
    steps = tracer.steps
    if hidden:  # a malformed value not to be shown: out of the labels and details too
        hide_in = hider(hidden)
        steps = [attrs.evolve(step, detail=hide_in(step.detail), where=hide_in(step.where)) for step in steps]
    considered = {step.rule for step in steps}
    return Explanation(claim.id, tuple(steps), why_not_considered(ruleset, claim, ev, considered, history is not None),
                       _notes(ruleset))


def rule_ids(ruleset) -> set:
    """Every rule id a step of ``ruleset`` can name: those of its findings, and edit blocks that hold
    ``disable`` rows only."""
    return set(ruleset.rule_ids()) | {disable.rule for disable in ruleset.disables}


def _notes(ruleset) -> dict:
    notes = {}
    for rule in ruleset.rules:
        notes[rule.info.id] = RuleNote(rule.info.kind, rule.info.source, written_condition(rule.condition))
    for rule_id, block in ruleset.blocks().items():
        notes.setdefault(rule_id, RuleNote(block.info.kind, block.info.source, None))
    for rule_id, info in FORMAT_RULES.items():
        notes[rule_id] = RuleNote("format", None, None)
    for rule_id, source in validity.rule_sources(ruleset).items():
        notes[rule_id] = RuleNote("coding", source, None)
    return notes
