"""A short trace of chosen rules on one claim, for failure reports.

:func:`trace_for` is the one place that explains a test failure. When
``Ruleset.evaluate`` accepts ``explain=True`` (the explain facility), the
trace is taken from ``result.explanation``; until then it is built here:
for a rule that fired, its findings; for a rule that did not, where it is
written, its condition, and on each line the first part of the condition
that was not true (or why the rule does not apply to the claim at all).

The trace shows rule text, line numbers, codes and dates of service, never
an identifier or a birth date.
"""

from __future__ import annotations

import datetime as dt
import inspect
import itertools

from ..checks import FORMAT_RULES
from ..claim import Claim
from ..conditions import Or, conjuncts
from ..model import AddonEdit, PairEdit, UnitLimit

#: At most this many findings or lines are shown per rule, and this many rules.
MAX_ITEMS = 6
MAX_RULES = 8


def trace_for(ruleset, claim: Claim, rule_ids) -> list[str]:
    """Lines explaining what ``rule_ids`` did on ``claim`` (a :class:`~radrules.Claim`)."""
    rule_ids = list(dict.fromkeys(rule_ids))[:MAX_RULES]
    if not rule_ids:
        return []
    if "explain" in inspect.signature(ruleset.evaluate).parameters:
        return _explained(ruleset.evaluate(claim, explain=True), rule_ids)
    result = ruleset.evaluate(claim)
    out: list[str] = []
    for rule_id in rule_ids:
        findings = [f for f in result.findings if f.rule == rule_id]
        if findings:
            out.extend(_fired(rule_id, findings))
        else:
            out.extend(_silent(ruleset, claim, rule_id))
    return out


def _explained(result, rule_ids) -> list[str]:
    """The explain facility's account, kept to the lines about ``rule_ids``."""
    explanation = getattr(result, "explanation", None)
    if explanation is None:
        return []
    if hasattr(explanation, "for_rules"):
        return [str(line) for line in explanation.for_rules(rule_ids)]
    lines = str(explanation).splitlines()
    kept, keep = [], False
    for line in lines:
        if line and not line[0].isspace():
            keep = any(rule_id in line for rule_id in rule_ids)
        if keep:
            kept.append(line)
    return kept


def _lines(numbers) -> str:
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(str(n) for n in numbers)


def _fired(rule_id: str, findings) -> list[str]:
    out = [f"{rule_id} fired {len(findings)} time{'s' if len(findings) != 1 else ''}:"]
    for finding in findings[:MAX_ITEMS]:
        remittance = " ".join(filter(None, [finding.carc, *finding.rarc]))
        out.append(f"  {finding.severity} {_lines(finding.lines)}" + (f" {remittance}" if remittance else "")
                   + f": {finding.message}" + (f" (at {finding.source})" if finding.source else ""))
    if len(findings) > MAX_ITEMS:
        out.append(f"  ... and {len(findings) - MAX_ITEMS} more")
    return out


# ---------------------------------------------------------------- why a rule did not fire


def _silent(ruleset, claim: Claim, rule_id: str) -> list[str]:
    if rule_id in FORMAT_RULES:
        info = FORMAT_RULES[rule_id]
        return [f"{rule_id} did not fire (built-in check: {info.title})"]
    rule = next((r for r in ruleset.rules if r.info.id == rule_id), None)
    if rule is not None:
        return _rule_silent(ruleset, claim, rule)
    rows = [row for row in ruleset.rows if row.block.info.id == rule_id]
    if rows:
        return _rows_silent(claim, rule_id, rows)
    return [f"{rule_id} did not fire (rows of a CMS table)"]


def _scope_problem(scope, claim: Claim) -> str | None:
    payer = claim.payer.lower() if claim.payer else None
    if scope.payers is not None and payer not in scope.payers:
        listed = ", ".join(sorted(scope.payers))
        has = f"`{claim.payer}`" if claim.payer else "no payer"
        return f"it applies to payer {listed} and the claim has {has}"
    if scope.claim_types is not None and claim.type not in scope.claim_types:
        listed = " and ".join(sorted(scope.claim_types))
        return f"it applies to {listed} claims and this claim is {claim.type}"
    return None


def _window_problem(scope, date: dt.date) -> str | None:
    day = date.toordinal()
    if scope.start is not None and day < scope.start:
        return f"{date.isoformat()} is before the rule takes effect ({dt.date.fromordinal(scope.start).isoformat()})"
    if scope.end is not None and day > scope.end:
        return f"{date.isoformat()} is after the rule ends ({dt.date.fromordinal(scope.end).isoformat()})"
    return None


def _rule_silent(ruleset, claim: Claim, rule) -> list[str]:
    from ..evaluator import Evaluation, IndexedLookup

    out = [f"{rule.info.id} did not fire (at {rule.info.source})"]
    parts = conjuncts(rule.condition)
    text = " and ".join(_text(part, len(parts) > 1) for part in parts)
    if text.strip():
        out.append(f"  when {text}")
    problem = _scope_problem(rule.scope, claim)
    if problem:
        return out + [f"  not for this claim: {problem}"]
    view = ruleset.view_for(claim.payer, claim.type)
    ev = Evaluation(claim, view)
    ev.lookup = IndexedLookup(view)
    if rule.shape == "claim":
        first = min(line.day for line in ev.lines)
        window = _window_problem(rule.scope, dt.date.fromordinal(first))
        out.append(f"  the claim: {window or _first_not_true(parts, ev, None, None)}")
        return out
    # Only the lines the rule is filed under (their codes), as evaluation visits them.
    codes, others = rule.index_codes, rule.other_codes
    if rule.shape == "line":
        cases = [(line, None) for line in ev.lines if codes is None or line.code in codes]
    else:
        cases = [(a, b) for group in ev.by_day.values() for a, b in itertools.permutations(group, 2)
                 if (codes is None or a.code in codes) and (others is None or b.code in others)]
    if not cases:
        if codes is not None:
            return out + ["  no line of the claim has a code it checks"]
        return out + ["  no two lines share a date of service"]
    for line, other in cases[:MAX_ITEMS]:
        window = _window_problem(rule.scope, line.date)
        if other is None:
            label = f"line {line.number} ({line.code})"
        else:
            label = f"line {line.number} ({line.code}) with line {other.number} ({other.code})"
        out.append(f"  {label}: {window or _first_not_true(parts, ev, line, other)}")
    if len(cases) > MAX_ITEMS:
        out.append(f"  ... and {len(cases) - MAX_ITEMS} more")
    return out


def _text(part, grouped: bool = False) -> str:
    """A condition's rule text on one line (an `or` in brackets when it is one part of an `and`)."""
    text = " ".join(getattr(part, "text", "").split())
    return f"({text})" if grouped and isinstance(part, Or) else text


def _first_not_true(parts, ev, line, other) -> str:
    for part in parts:
        answer = part.test(ev, line, other)
        if answer is not True:
            text = _text(part) or "a condition"
            return f"`{text}` is " + ("false" if answer is False else "unknown (a value it needs is missing)")
    return "every part of the condition is true"  # e.g. the same finding reported once for both orders


def _rows_silent(claim: Claim, rule_id: str, rows) -> list[str]:
    codes = {line.code for line in claim.lines}
    out = [f"{rule_id} did not fire (rows at {rows[0].block.info.source})"]
    problem = _scope_problem(rows[0].block.scope, claim)
    if problem:
        return out + [f"  not for this claim: {problem}"]
    shown = []
    for row in rows:
        if isinstance(row, PairEdit) and row.column1 in codes and row.column2 in codes:
            indicator = {0: "modifier not allowed", 1: "modifier allowed", 9: "not applicable"}[row.indicator]
            shown.append(f"  pair {row.column1} with {row.column2} ({indicator}) at {row.source}")
        elif isinstance(row, UnitLimit) and row.code in codes:
            shown.append(f"  limit {row.code} max {row.max_units} mai {row.mai} at {row.source}")
        elif isinstance(row, AddonEdit) and row.code in codes:
            primaries = ", ".join(sorted(row.primaries)) if row.primaries is not None else "any"
            shown.append(f"  addon {row.code} type {row.aoc_type} primaries {primaries} at {row.source}")
    if not shown:
        return out + ["  no row names the codes of this claim"]
    return out + shown[:MAX_ITEMS]
