"""Evaluation: a compiled ruleset and a claim in, a :class:`~radrules.result.Result` out.

Order (domain.md §10.4): format checks, code validity (when a HCPCS or
ICD-10-CM table is loaded), then every line rule, pair edit, unit limit and
claim rule (they do not look at each other's results), then add-on codes,
which need to know which primaries were denied. Findings are
reported in the deterministic order of :meth:`Finding.sort_key`.

The claim's lines are prepared in :mod:`radrules.evaluation`; rules, rows
and tables are reached through a *lookup* (:mod:`radrules.lookups`): the
indexed one, or the scan lookup (``indexed=False``) that exists so tests can
prove both agree. The stages below are shared.

A line with a date span is on every day of its span. Most claims have none:
:class:`Evaluation` tells once per claim (``spans``), and only a claim with a
span takes the stages' span paths (``_span_ptp``, ``_span_unit_limits``),
which judge the days of :meth:`Evaluation.span_days`.
"""

from __future__ import annotations

import datetime as dt
from operator import attrgetter

import attrs

from . import checks, validity
from .claim import Claim, checked
from .codes import is_procedure_code
from .addons import judge_addons
from .conditions import same_provider
from .evaluation import Evaluation, LineView, paid_history, units_total
from .lookups import UNLISTED, ScanLookup, mue_files, row_in_force
from .model import (ANATOMIC_MODIFIERS, MUE_UNPUBLISHED, OTHER_BYPASS_MODIFIERS, SIDE_MODIFIERS, format_date,
                    from_table, lines_text)
from .result import Finding, PartlyJudgedResult, Result, build_result

_EMPTY = ()
_CODE = attrgetter("code")  # set(map(_CODE, lines)) is quicker than a set comprehension


def evaluate(ruleset, claim, *, indexed: bool = True, history=None) -> Result:
    """Evaluate one claim (a :class:`Claim` or its JSON dict), with the patient's earlier lines if given."""
    if not isinstance(claim, Claim):
        claim = Claim.from_dict(claim)
    elif not claim._checked:  # built in code: checked as from_dict checks a dict
        claim = checked(claim)
    view = ruleset.view_for(claim.payer, claim.type)
    if claim.bill_type is not None and view.without_tables is not None:
        view = view.of_bill(claim.bill_type)  # a Part A bill: not the hospital outpatient tables'
    ev = Evaluation(claim, view)
    if history is not None:
        ev.set_history(paid_history(claim, history, ev.by_billing))
    if indexed:
        lookup = view.lookup
    else:
        lookup = ScanLookup(ruleset, ev.payer if ev.payer in ruleset.payers else None, claim.type, view)
    ev.lookup = lookup
    findings: list[Finding] = []
    hidden = ev.hidden = checks.check_format(ev, findings)  # (rule messages leave its values out as they are made)
    if view.code_sets is not None:
        validity.check_codes(ev, view.code_sets, findings)
    _line_rules(ev, lookup, findings)
    _pairs(ev, lookup, findings)
    _unit_limits(ev, lookup, findings)
    _claim_rules(ev, lookup, findings)
    judge_addons(ev, lookup, findings)
    if hidden is not None:  # rare: a malformed value not to be shown, or lines of a revenue code alone
        if ev.uncoded:
            _line_rules(ev, lookup, findings, uncoded=True)
        return _rare_result(ev, findings, hidden)
    return build_result(claim.id, ev.line_count, findings)


def _rare_result(ev: Evaluation, findings: list, hidden: dict) -> Result:
    """The result of a claim with a malformed value not to be shown (a member id as a code: out of every finding)
    or with lines of a revenue code alone (numbered in the result); :func:`checks.check_format` sends both here,
    so that a claim with neither pays nothing for them."""
    if hidden:
        checks.hide(findings, hidden)
    result = build_result(ev.claim_id, ev.line_count, findings)
    if not ev.uncoded:
        return result
    return PartlyJudgedResult(result.claim, result.passed, result.findings, result.statuses,
                              uncoded=tuple([line.number for line in ev.uncoded]))


def _rule_finding(rule, ev, line, other, lines, related) -> Finding:
    info = rule.info
    carc = info.carc
    if rule.group_when is not None:  # `group PR when ...`: asked of the lines the finding is made from
        group, condition = rule.group_when
        if condition.test(ev, line, other) is True:
            carc = f"{group}-{carc.partition('-')[2]}"
    if line is None or line.code is None:  # (a claim rule; a line of a revenue code alone names no code)
        codes = ()
    elif other is None:
        codes = (line.code,)
    else:
        codes = (line.code, other.code)
    return Finding(
        rule=info.id,
        kind=info.kind,
        severity=info.severity,
        lines=lines,
        related_lines=related,
        codes=codes,
        carc=carc,
        rarc=info.rarc,
        message=rule.message.render(ev, line, other),
        reference=info.reference,
        source=info.source,
    )


def set_apart_rules(ev: Evaluation, lookup) -> tuple:
    """The line rules set apart that this claim can make true, checked on every line: those that need history
    (with a history) and those that need authorization records (with records; few claims have them)."""
    rules = lookup.history_rules() if ev.history else _EMPTY
    if ev.claim.authorizations is not None:
        rules = rules + lookup.authorization_rules()
    return rules


def _line_rules(ev: Evaluation, lookup, findings: list, uncoded: bool = False) -> None:
    """Each line's rules on it; with ``uncoded``, the rules that ask `line.code is missing` on the lines of a
    revenue code alone (no other line rule sees those lines, and these see no other line)."""
    if uncoded:
        rules = lookup.uncoded_rules()
        visits, extra = [(line, rules) for line in ev.uncoded], _EMPTY
    else:
        extra = set_apart_rules(ev, lookup)
        if not lookup.has_line_rules and not extra:
            return
        visits = zip(ev.lines, lookup.line_rules_of(ev.lines))
    once = None  # `once per claim` rule -> (its finding's place, the lines that meet it); made at the first
    for line, rules in visits:
        day = line.day
        if extra:
            rules = rules + extra
        for rule in rules:
            if rule.windowed and not rule.scope.active_on(day):
                continue
            if rule.check(ev, line, None) is True:
                if rule.target != "claim":
                    findings.append(_rule_finding(rule, ev, line, None, (line.number,), ()))
                elif once is None or rule not in once:  # `once per claim`: the finding is the first line's
                    once = once or {}
                    once[rule] = (len(findings), [line.number])
                    findings.append(_rule_finding(rule, ev, line, None, ev.all_lines, ()))
                else:
                    once[rule][1].append(line.number)
    if once:
        for at, numbers in once.values():
            findings[at] = once_per_claim_finding(findings[at], numbers)


def once_per_claim_finding(finding: Finding, numbers: list) -> Finding:
    """A `once per claim` finding (made from the first line that meets its rule), whose ``related_lines`` are
    all the lines that meet it, the later ones named in its message too: the claim comes back once for all."""
    return attrs.evolve(finding, related_lines=tuple(numbers), message=once_per_claim_message(finding.message,
                                                                                              numbers))


def once_per_claim_message(message: str, numbers) -> str:
    """A `once per claim` rule's message (of the first line of ``numbers`` that meet it), naming the others."""
    later = numbers[1:]
    if not later:
        return message
    return f"{message}; {lines_text(later)} {'meets' if len(later) == 1 else 'meet'} it too"


def _claim_rules(ev: Evaluation, lookup, findings: list) -> None:
    rules = lookup.claim_rules()
    if not rules:
        return
    first_day = ev.first_date.toordinal()
    all_lines = ev.all_lines
    for rule in rules:
        if (not rule.windowed or rule.scope.active_on(first_day)) and rule.check(ev, None, None) is True:
            findings.append(_rule_finding(rule, ev, None, None, all_lines, ()))


def _pairs(ev: Evaluation, lookup, findings: list) -> None:
    """PTP edits and pair rules of the lines of each date (a claim with a date span: its PTP edits on the days
    of :meth:`Evaluation.span_days`, its pair rules by the lines' first days), then PTP edits against paid
    earlier lines."""
    placement = ev.view.modifier_placement
    spans = ev.spans
    if spans:
        _span_ptp(ev, lookup, placement, findings)
    pair_rules = lookup.has_pair_rules
    both_seen: dict = {}  # a `both` finding is reported once per pair of lines
    for day, group in ev.by_day.items():
        if len(group) < 2:
            continue
        codes = ev.codes if len(group) == len(ev.lines) else set(map(_CODE, group))
        if not spans:
            for a, b, rows in lookup.ptp_hits(group, day, codes):
                _ptp(a, b, rows, placement, findings, day)
        if pair_rules:
            if len(group) > BIG_DATE:
                _big_day_pair_rules(ev, lookup, day, group, codes, findings, both_seen)
            else:
                _day_pair_rules(ev, lookup, day, group, codes, findings, both_seen)
    if both_seen:
        findings.extend(finding for _, finding in both_seen.values())
    if ev.history and not spans:
        _history_pairs(ev, lookup, placement, findings)


def _day_pair_rules(ev: Evaluation, lookup, day: int, group: list, codes: set, findings: list,
                    both_seen: dict) -> None:
    """The pair rules of the lines of one date (``codes``: theirs); a line with a date span is paired by its
    first day, as a line without. A `once per line` rule stops at the first other line, in claim order, of a
    line that it fires with."""
    # A `same_code` rule needs two lines of one code: a line whose code the date bills once takes the rules
    # without them (its rules are chosen once, not each `same_code` rule asked).
    by_code, generic = lookup.pair_rule_index(False)
    same_code = None  # code -> the group's lines of it, when the date bills a code twice
    if len(codes) < len(group):
        same_code = {}
        for line in group:
            same_code.setdefault(line.code, []).append(line)
        all_by_code, all_generic = lookup.pair_rule_index(True)
    for a in group:
        if same_code is not None and len(same_code[a.code]) > 1:
            rules = all_by_code.get(a.code, all_generic)
        else:
            rules = by_code.get(a.code, generic)
        for rule in rules:
            if rule.windowed and not rule.scope.active_on(day):
                continue
            # Only the lines whose code the rule can accept as `other`.
            if rule.same_code:
                if rule.index_modifiers is not None and rule.index_modifiers.isdisjoint(a.modset):
                    continue  # (a modifier the line must carry: 76 of a repeat rule, 26 or TC of a component)
                candidates = same_code[a.code]  # (more than the line itself)
            elif rule.other_codes is not None:
                accepted = rule.other_codes
                if accepted.isdisjoint(codes):
                    continue
                # A scan of the group: taking these from the same-code map too costs more
                # (1.7% more instructions per claim, measured).
                candidates = [b for b in group if b.code in accepted]
            else:
                candidates = group
            check = rule.check
            # (The loop over the rules is kept short: a body past 255 instructions makes CPython 3.11 jump with
            # EXTENDED_ARG, 0.17% more instructions per claim, measured.)
            for b in candidates:
                if a is not b and (same_provider(a, b) or rule.across_providers) and check(ev, a, b) is True:
                    if _pair_rule_fired(rule, ev, a, b, findings, both_seen):  # (candidates: in claim order)
                        break


#: A date with more lines than this takes :func:`_big_day_pair_rules` (the same findings, in the same order).
BIG_DATE = 32


def _big_day_pair_rules(ev: Evaluation, lookup, day: int, group: list, codes: set, findings: list,
                        both_seen: dict) -> None:
    """:func:`_day_pair_rules` for a date of many lines, where pairing each line with every other costs the
    square of their number: a rule's `other` lines are chosen once, by its codes and the parts of its
    condition that read `other` alone, and the parts that read `line` alone are asked once a line, so only
    the pairs of lines that meet both are tested (with the rest of the condition)."""
    by_code, generic = lookup.pair_rule_index(len(codes) < len(group))
    chosen: dict = {}  # id(rule) -> its `other` lines in claim order (a `same_code` rule: by code)
    for a in group:
        for rule in by_code.get(a.code, generic):
            if rule.windowed and not rule.scope.active_on(day):
                continue
            line_side, _, rest = rule.sides
            if line_side is not None and line_side(ev, a, None) is not True:
                continue
            candidates = chosen.get(id(rule))
            if candidates is None:
                candidates = chosen[id(rule)] = other_lines(ev, rule, group, codes, rule.sides[1])
            if rule.same_code:
                candidates = candidates.get(a.code, ())
            for b in candidates:
                if a is not b and (same_provider(a, b) or rule.across_providers) and \
                        (rest is None or rest(ev, a, b) is True):
                    if _pair_rule_fired(rule, ev, a, b, findings, both_seen):
                        break


def other_lines(ev: Evaluation, rule, group: list, codes: set, test):
    """The lines of a date that can be a pair rule's `other` by their codes and ``test`` (the parts of its
    condition that read `other` alone; explain, None), in claim order; a `same_code` rule's by code."""
    accepted = rule.other_codes
    if accepted is not None and accepted.isdisjoint(codes):
        lines = []
    else:
        lines = [b for b in group if (accepted is None or b.code in accepted)
                 and (test is None or test(ev, None, b) is True)]
    if not rule.same_code:
        return lines
    by_code: dict = {}
    for b in lines:
        by_code.setdefault(b.code, []).append(b)
    return by_code


def _pair_rule_fired(rule, ev: Evaluation, a, b, findings: list, both_seen: dict) -> bool:
    """The finding of a pair rule true for ``a`` and ``b`` (a ``both`` finding goes to ``both_seen``); whether
    the rule is done with ``a`` (`once per line`: asked after a firing, so a pair visit pays nothing for it)."""
    if rule.target == "line":
        findings.append(_rule_finding(rule, ev, a, b, (a.number,), (b.number,)))
    elif rule.target == "other":
        findings.append(_rule_finding(rule, ev, a, b, (b.number,), (a.number,)))
    else:
        # Once per pair of lines; if both orders match, the order
        # of the codes (not of the lines) picks the wording.
        lines = (a.number, b.number) if a.number < b.number else (b.number, a.number)
        order = (a.code, b.code, a.modifiers, b.modifiers, a.units, b.units)
        key = (rule.info.id, lines)
        if key not in both_seen or order < both_seen[key][0]:
            both_seen[key] = (order, _rule_finding(rule, ev, a, b, lines, ()))
    return rule.once_per_line


def _span_ptp(ev: Evaluation, lookup, placement: str, findings: list) -> None:
    """The PTP edits of a claim with a date span (paid earlier lines too): the pairs of each day of
    :meth:`Evaluation.span_days` to judge, each pair's finding once (on the first day it fires)."""
    first = len(findings)
    denied = set()  # (column 1, column 2 line number) of the pairs denied on an earlier day
    for day, group, fresh, changed in ev.span_days():
        if len(group) < 2:
            continue
        for a, b, rows in span_ptp_hits(lookup, group, fresh, changed, day):
            pair = (a.number, b.number)
            if pair not in denied:
                count = len(findings)
                _ptp(a, b, rows, placement, findings, day)
                if len(findings) > count:
                    denied.add(pair)
    if ev.history:
        _history_pairs(ev, lookup, placement, findings)
    findings[first:] = first_of_each(findings[first:])


def span_ptp_hits(lookup, group: list, fresh: list, changed, day: int) -> list:
    """(column 1 line, column 2 line, rows) of the pairs of a day of a claim with a date span to judge (see
    :meth:`Evaluation.span_days`): every pair (``changed`` None), else those with a line of ``fresh`` and those of
    the code pairs of ``changed`` (each pair once)."""
    if changed is None:
        return lookup.ptp_hits(group, day, set(map(_CODE, group)))
    hits = lookup.fresh_ptp_hits(group, fresh, day, set(map(_CODE, group))) if fresh else []
    if changed:
        wanted: dict = {}  # column 1 code -> the column 2 codes of its changed pairs
        for first, second in sorted(changed):  # (sorted: the same steps in the same order each run)
            wanted.setdefault(first, []).append(second)
        firsts = [a for a in group if a.code in wanted and a.day != day]  # (a fresh line's pairs are done)
        if firsts:
            seconds = {second for _, second in changed}
            by_code: dict = {}  # column 2 code -> the lines of it (not fresh)
            for b in group:
                if b.code in seconds and b.day != day:
                    by_code.setdefault(b.code, []).append(b)
            for a in firsts:
                for second in wanted[a.code]:
                    others = by_code.get(second)
                    if others is None:
                        continue
                    rows = lookup.pair_rows(a.code, second, day)
                    if rows:
                        hits.extend([(a, b, rows) for b in others if a is not b and same_provider(a, b)])
    return hits


def first_of_each(found: list) -> list:
    """The PTP findings of a claim with a date span, each pair of lines once: on the first of the days they meet
    on that it fires (the days are judged in order), whatever block's row denies it that day."""
    seen = set()
    kept = []
    for finding in found:
        key = (finding.lines, finding.related_lines, finding.codes)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


def _history_pairs(ev: Evaluation, lookup, placement: str, findings: list) -> None:
    """PTP edits against paid lines of earlier claims of the same provider and date (§1.6):
    a claim line in column 2 of a paid column 1 line is denied."""
    # Paid lines of one day alike in code, modifiers, provider and practitioner give the same findings (kept
    # once by build_result): the first of them stands for all, so 20,000 paid lines of a few codes cost a few.
    earlier: dict = {}  # day -> {(code, modifiers, provider, practitioner, Part A): the first paid line of them}
    for service in ev.provider_history():
        earlier.setdefault(service.day, {}).setdefault(
            (service.code, service.modifiers, service.provider, service.practitioner, service.part_a), service)
    days = [(day, group) for day, group, _, _ in ev.span_days()] if ev.spans else ev.by_day.items()
    for day, group in days:
        alike = earlier.get(day)
        if alike is None:
            continue
        hits: dict = {}  # column 1 code -> the (claim line, rows) of its pairs that day, in claim order
        for a in alike.values():
            found = hits.get(a.code)
            if found is None:
                found = hits[a.code] = _pairs_with(lookup, a.code, group, day)
            for b, rows in found:
                if same_provider(a, b) and not (a.part_a and from_table(rows[0])):  # (Part A: not the tables')
                    _ptp(a, b, rows, placement, findings, day)


def _pairs_with(lookup, code: str, group: list, day: int) -> list:
    """(line, rows) of each line of ``group`` that ``code`` has PTP rows with on ``day`` (one lookup a code)."""
    found = []
    rows_of: dict = {}
    for b in group:
        rows = rows_of.get(b.code)
        if rows is None:
            rows = rows_of[b.code] = lookup.pair_rows(code, b.code, day)
        if rows:
            found.append((b, rows))
    return found


def ptp_bypassed(column1: LineView, column2: LineView, placement: str) -> str | None:
    """The modifier that bypasses an indicator-1 edit (domain.md §1.5), or None. An anatomic modifier of the
    column 2 line bypasses when the column 1 line does not carry it (different sites); 50 (bilateral) on either
    line covers both sides, so then LT or RT does not (50 itself never bypasses, §1.4)."""
    for modifier in column2.modifiers:
        if modifier in OTHER_BYPASS_MODIFIERS:
            return modifier
    if placement == "either":
        for modifier in column1.modifiers:
            if modifier in OTHER_BYPASS_MODIFIERS:
                return modifier
    for modifier in column2.modifiers:
        if modifier in ANATOMIC_MODIFIERS and modifier not in column1.modset:
            if modifier in SIDE_MODIFIERS and ("50" in column1.modset or "50" in column2.modset):
                continue
            return modifier
    return None


def sides_not_bypassing(column1: LineView, column2: LineView) -> str:
    """Why the anatomic modifiers of the column 2 line did not bypass an indicator-1 edit (for explain), e.g.
    ``RT: 50 on the column 1 line covers both sides``; "" when it has none."""
    why = []
    for modifier in column2.modifiers:
        if modifier not in ANATOMIC_MODIFIERS:
            continue
        if modifier in column1.modset:
            why.append(f"{modifier} is on the column 1 line too")
        elif modifier in SIDE_MODIFIERS and "50" in column1.modset:
            why.append(f"{modifier}: 50 on the column 1 line covers both sides")
        elif modifier in SIDE_MODIFIERS and "50" in column2.modset:
            why.append(f"{modifier}: 50 on the column 2 line covers both sides")
    return "; ".join(why)


def _ptp(a: LineView, b: LineView, rows, placement: str, findings: list, day: int) -> None:
    """Deny the column 2 line ``b`` by the first row in force on ``day`` that its modifiers don't bypass."""
    for row in rows:
        if row.indicator == 9 or not row.active_on(day):
            continue
        if row.indicator == 1 and ptp_bypassed(a, b, placement):
            continue
        info = row.block.info
        reference = info.reference
        if row.rationale:
            reference = f"{reference}; {row.rationale}" if reference else row.rationale
        findings.append(Finding(
            rule=info.id,
            kind=info.kind,
            severity=info.severity,
            lines=(b.number,),
            related_lines=(a.number,) if a.number is not None else (),
            codes=(a.code, b.code),
            carc=info.carc,
            rarc=info.rarc,
            message=ptp_message(a, b, row, day),
            reference=reference,
            source=row.source,
        ))
        return


def day_text(line, day: int) -> str:
    """``day`` as ``YYYY-MM-DD``: the day ``line`` met another (its date, unless it spans days)."""
    return (line.date if line.day == day else dt.date.fromordinal(day)).isoformat()


def _unit_limits(ev: Evaluation, lookup, findings: list) -> None:
    if ev.spans:
        _span_unit_limits(ev, lookup, findings)
        return
    groups: dict = {}
    # Most claims bill each code once: then every line is judged alone, as under MAI 1,
    # and only a code billed twice (or paid on an earlier claim) is summed per date.
    alone = not ev.history and len(ev.codes) == len(ev.lines)
    for line, row in zip(ev.lines, lookup.limit_rows_of(ev.lines)):
        if row is None:
            continue
        if row is UNLISTED:
            if is_procedure_code(line.code):  # (a malformed code is format.code's, and no table lists it)
                findings.append(_unpublished(line, ev.view, line.day))
            continue
        if row.mai == 1 or alone:
            units = line.units if line.end_day is None else line.billed_units()
            if units > row.max_units or (not units and over_limit(row, 0, (line,))):
                findings.append(limit_finding(row, (line,), units))
        else:
            key = (line.code, line.day)
            group = groups.get(key)
            if group is None:
                groups[key] = (row, [line])
            else:
                group[1].append(line)
    if ev.history:
        add_earlier_units(ev, groups)
    for row, lines in groups.values():
        if len(lines) == 1 and lines[0].number is not None:
            line = lines[0]
            total = line.units if line.end_day is None else line.billed_units()
            if total > row.max_units or (not total and over_limit(row, total, lines)):
                findings.append(limit_finding(row, lines, total))
            continue
        named: set = set()  # the claim lines a finding of the group names (see names_more)
        for subgroup in provider_groups(lines):
            total = units_total(subgroup)
            if (total > row.max_units or (not total and over_limit(row, total, subgroup))) \
                    and names_more(subgroup, named):
                findings.append(limit_finding(row, subgroup, total))


def names_more(lines, named: set) -> bool:
    """Whether a sum over its limit of ``lines``, one provider's of a code and date (:func:`provider_groups`), is
    reported: only if it holds a claim line that no sum of another provider reported before names (``named``, to
    which its lines are added), as a span's sums of two days are (:func:`span_limits`). Lines without a provider
    are in every provider's sum: beside paid lines of two providers both over the limit they are denied once, not
    twice with two totals (or once, had the totals been equal); beside claim lines of two providers each sum
    names a line of its own, and both name them."""
    numbers = {line.number for line in lines if line.number is not None}
    if numbers <= named:
        return False
    named.update(numbers)
    return True


def _span_unit_limits(ev: Evaluation, lookup, findings: list) -> None:
    """Unit limits of a claim with a date span: each day of :meth:`Evaluation.span_days` sums the units a day of
    the lines on it (MAI 2/3), by the limit in force that day. A group over its limit is reported on the first
    day it is, and a later day's group only if it holds a line that the limit's findings do not name yet."""
    unpublished = set()
    for day, row, lines, units, kept in span_limits(ev, lookup):
        if row is UNLISTED:
            if lines[0].number not in unpublished and is_procedure_code(lines[0].code):
                unpublished.add(lines[0].number)
                findings.append(_unpublished(lines[0], ev.view, day))
        elif kept:
            findings.append(limit_finding(row, lines, units, day))


def span_limits(ev: Evaluation, lookup) -> list:
    """(day, limit row or UNLISTED, lines, units a day, kept) of each limit judged for a claim with a date
    span, by day; ``kept``: the group is over its limit and its finding is reported (see _span_unit_limits)."""
    judged = []
    changes = set(ev.view.lookup.change_days())  # (the days of span_days come from the indexed lookup)
    paid: dict = {}  # day -> the codes of the paid earlier lines of that day
    for service in ev.history:
        paid.setdefault(service.day, set()).add(service.code)
    for day, group, fresh, _ in ev.span_days():
        if day not in changes:
            # No limit changes that day: only a code of a line that starts on it (or of a paid line of it)
            # can have a new group over its limit; the others' groups are parts of earlier days'.
            codes = set(map(_CODE, fresh))
            codes.update(paid.get(day, _EMPTY))
            group = [line for line in group if line.code in codes]
        groups: dict = {}
        for line in group:
            row = row_in_force(*lookup.limit(line.code, day), day)
            if row is None:
                continue
            if row is UNLISTED:
                judged.append((day, row, (line,), None))
            elif row.mai == 1:
                judged.append((day, row, (line,), line.billed_units()))
            else:
                key = (line.code, day)
                if key not in groups:
                    groups[key] = (row, [line])
                else:
                    groups[key][1].append(line)
        if ev.history:
            add_earlier_units(ev, groups)
        for row, lines in groups.values():
            for subgroup in provider_groups(lines):
                if any(line.number is not None for line in subgroup):
                    judged.append((day, row, tuple(subgroup), units_total(subgroup)))
    found = []
    denied = set()  # (code, line number) of the groups reported, by any block's limit
    for day, row, lines, units in judged:
        kept = False
        if row is not UNLISTED and over_limit(row, units, lines):
            for line in lines:
                if line.number is not None and (row.code, line.number) not in denied:
                    kept = True
                    denied.add((row.code, line.number))
        found.append((day, row, lines, units, kept))
    return found


def ptp_message(a: LineView, b: LineView, row, day: int) -> str:
    """The message of the denial of ``b`` (column 2) with ``a`` by PTP row ``row`` (explain's trace quotes it)."""
    sides = sides_not_bypassing(a, b) if row.indicator == 1 else ""  # `-LT` beside `-LT`: the same side
    # (indicator 0: the CMS file's "modifier not allowed" alone read as if the line's modifier were invalid)
    why = ("modifier not allowed: no modifier bypasses this edit" if row.indicator == 0
           else f"{sides}: the same site, not a bypass" if sides else f"no bypass modifier on {b.code}")
    if row.indicator == 1 and not sides and a.number is not None:
        # (a bypass modifier of the column 1 line alone: the payer's placement is `column2`, or it would have
        # bypassed; Noridian lists "modifier used to unbundle is on incorrect code" among these denials, domain.md
        # §1.5, and the message said only "no bypass modifier on 70450" beside 70470-XS)
        for modifier in a.modifiers:
            if modifier in OTHER_BYPASS_MODIFIERS:
                why += f"; {modifier} on the column 1 line, {a.code}, does not bypass: it goes on the column 2 line"
                break
    if row.indicator == 1 and a.number is not None and a.practitioner is not None \
            and b.practitioner is not None and a.practitioner != b.practitioner:
        # two lines of the claim: one provider by the billing one (`same_provider = billing`), two rendering
        # practitioners (an institutional claim's lines are all the hospital's). (Not a paid line: several paid
        # lines of the code, of this practitioner and of another, would give the line two messages.)
        why += f"; the lines are two practitioners' of one group, which XP on {b.code} says"
    earlier = " paid on an earlier claim" if a.number is None else ""
    return f"{b.code} is bundled into {a.code}{earlier} on {day_text(b, day)} ({why})"


def unpublished_message(code: str) -> str:
    """The message of ``ncci.mue.unpublished`` (explain's trace quotes it)."""
    return f"{code} has no published MUE (its limit may be confidential)"


def _span_order(line: LineView) -> tuple:
    return line.day, line.end_day, line.units


def over_limit(row, units, lines) -> bool:
    """Whether ``units`` a day of ``lines`` break the limit ``row``. A limit of 0 means not payable: any
    units break it (§2.1), even a date span's that round to 0 a day."""
    return units > row.max_units or (row.max_units == 0 and any(line.units > 0 for line in lines))


def _unpublished(line: LineView, view, day: int) -> Finding:
    """Info: the MUE table has no row for this code (the limit may be confidential, §2.1); its source is the file
    of the table version in force on ``day`` that was looked in."""
    return Finding(
        rule=MUE_UNPUBLISHED, kind="mue", severity="info", lines=(line.number,),
        message=unpublished_message(line.code), codes=(line.code,),
        reference="NCCI MUE: unpublished values are not proof of no limit (domain.md §2.1)",
        source=mue_files(view, day),
    )


def add_earlier_units(ev: Evaluation, groups: dict) -> None:
    """MAI 2/3 sums also count the units of paid earlier claims of the code and date (§2.3), of a provider of the
    claim's lines (compared with those, not with the paid lines added before it); a table's limit not those of
    a Part A bill, which the tables do not judge."""
    for service in ev.provider_history():
        group = groups.get((service.code, service.day))
        if group is not None and any(same_provider(service, line) for line in group[1] if line.number is not None) \
                and not (service.part_a and from_table(group[0])):
            group[1].append(service)


def provider_groups(lines: list) -> list:
    """Split one code/date group by provider (lines without one join every group; an institutional claim's lines,
    and a professional claim's with `same_provider = billing`, all have its billing provider, or none: one group,
    with paid lines of another billing provider apart, see same_provider). A paid line of another provider joins
    the group of a claim line it is one provider with all the same: one practitioner's, billed by another group."""
    if len(lines) == 1:
        return [lines]
    providers = sorted({line.provider for line in lines if line.provider is not None})
    if len(providers) <= 1:
        return [lines]
    groups = []
    for npi in providers:
        # (the practitioners of the group's claim lines that name the provider: not of one naming none, which is
        # any provider's, and would bring in every provider's paid lines)
        mine = {line.practitioner for line in lines if line.number is not None and line.provider == npi} - {None}
        groups.append([line for line in lines if line.provider in (npi, None)
                       or (line.number is None and line.practitioner in mine)])
    return groups


def number_text(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def units_text(value) -> str:
    """``1 unit``, ``2 units``, ``0.5 units``."""
    return f"{number_text(value)} unit{'s' if value != 1 else ''}"


#: What a biller can do about a denial of each MUE adjudication indicator (domain.md §2.2, §2.4): a line edit's
#: repeats go on lines of their own; a policy limit is absolute, even on appeal; a clinical one may be paid above
#: on appeal with the medical record.
MAI_NOTES = {
    1: "MAI 1, a line edit: a repeat goes on a line of its own, with 76, 77, 91, 59, XE, XS, XP, XU or an anatomic "
       "modifier",
    2: "MAI 2, policy: no modifier lifts it and no appeal pays above it",
    3: "MAI 3, clinical: an appeal with the medical record may pay above it",
}


def limit_finding(row, lines, units, day: int | None = None) -> Finding:
    info = row.block.info
    code = row.code
    if row.max_units == 0:
        message = f"{code} is not payable in this setting (unit limit 0)"
    elif row.mai == 1:
        line = lines[0]
        spread = ""
        if line.end_day is not None and line.end_day > line.day:  # units a day, of those of the span
            spread = (f" a day ({number_text(line.units)} from {line.date.isoformat()} to "
                      f"{dt.date.fromordinal(line.end_day).isoformat()})")
        message = (f"{code}: {number_text(units)} units{spread} on one line exceed the limit of {row.max_units} "
                   f"per line ({MAI_NOTES[1]})")
    else:
        earlier = units_total([line for line in lines if line.number is None])
        counted = f" ({number_text(earlier)} paid on earlier claims)" if earlier else ""
        # A span's units count a share a day (§2.1): say so, or its line's units would not match the message. By
        # date, then units: the same lines in another order give the same message.
        spans = [line for line in lines
                 if line.number is not None and line.end_day is not None and line.end_day > line.day]
        if len(spans) > 1:
            spans.sort(key=_span_order)
        spread = "".join([f"; {units_text(line.units)} from {line.date.isoformat()} to "
                          f"{dt.date.fromordinal(line.end_day).isoformat()} count "
                          f"{number_text(line.billed_units())} a day"
                          for line in spans]) if spans else ""
        message = (
            f"{code}: {number_text(units)} units on {day_text(lines[0], day) if day else lines[0].date.isoformat()}"
            f"{counted} exceed the limit of "
            f"{row.max_units} per day ({MAI_NOTES[row.mai]}{spread})"
        )
    reference = info.reference
    if row.rationale:
        reference = f"{reference}; {row.rationale}" if reference else row.rationale
    return Finding(
        rule=info.id,
        kind=info.kind,
        severity=info.severity,
        lines=tuple([line.number for line in lines if line.number is not None]),
        related_lines=(),
        codes=(code,),
        carc=info.carc,
        rarc=info.rarc,
        message=message,
        reference=reference,
        source=row.source,
    )


__all__ = ["evaluate", "Evaluation", "LineView", "ptp_bypassed", "sides_not_bypassing", "format_date"]
