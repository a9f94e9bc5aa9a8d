"""A short trace of chosen rules on one claim, for failure reports.

:func:`trace_for` is the one place that explains a test failure; it reads
the explain facility (``ruleset.evaluate(claim, explain=True)``): for each
rule, every line it looked at and what came of it (the finding's message,
the first part of the condition that was not true, the modifier that
bypassed a pair, the dates that excluded a row), or why the evaluation never
looked at it.

The trace shows rule text, line numbers, codes and dates of service, never
an identifier or a birth date.
"""

from __future__ import annotations

from ..claim import Claim

#: At most this many steps are shown per rule, and this many rules.
MAX_ITEMS = 6
MAX_RULES = 8


def trace_for(ruleset, claim: Claim, rule_ids, history=None) -> list[str]:
    """Lines explaining what ``rule_ids`` did on ``claim`` (a :class:`~radrules.Claim`)."""
    rule_ids = list(dict.fromkeys(rule_ids))[:MAX_RULES]
    if not rule_ids:
        return []
    explanation = ruleset.evaluate(claim, explain=True, history=history).explanation
    out: list[str] = []
    for rule_id in rule_ids:
        lines = explanation.for_rules([rule_id])
        steps = lines[1:]
        out.append(lines[0])
        out.extend(steps[:MAX_ITEMS])
        if len(steps) > MAX_ITEMS:
            out.append(f"  ... and {len(steps) - MAX_ITEMS} more")
    return out
