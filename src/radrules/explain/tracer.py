"""The explaining pass: :class:`Tracer` walks the candidates the indexed evaluation visits and records a
:class:`~.steps.Step` for each.

:func:`radrules.explain.explain` runs its stages in turn (format checks, code validity, line rules,
pairs and their table rows, unit limits, claim rules, add-on codes); each judges again with the
helpers of :mod:`radrules.evaluator` and :mod:`radrules.addons`, so that a fired step words its
finding as the result does. The words of a condition's verdict come from :mod:`.verdicts`; the
claim's lines by day, and how a rule-file row or ``disable`` took a table's row off, from
:mod:`.not_considered`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from .. import model as m
from .. import validity
from ..addons import addon_edits, addon_edits_of, addon_message, earlier_text, ended_primaries, judge_edits
from ..codes import is_procedure_code
from ..conditions import same_provider
from ..evaluation import Evaluation, units_total
from ..evaluation import last_day as span_end
from ..evaluator import (add_earlier_units, limit_finding, names_more, number_text, provider_groups, units_text,
                         day_text, other_lines, over_limit, ptp_bypassed, ptp_message, set_apart_rules,
                         once_per_claim_message, span_limits, span_ptp_hits,
                         unpublished_message)
from ..lookups import UNLISTED, mue_files
from ..model import MUE_UNPUBLISHED, format_date, on_day, primaries_text, window_text
from ..tables import last_day, serving
from .not_considered import day_groups, decided_by
from .steps import Step, lines_label
from .verdicts import PairCondition, condition_verdict, fired_values


def _acted_on(rule, line, other, ev: Evaluation) -> tuple:
    """(lines, related lines) a finding of ``rule`` on ``line`` (and ``other``, for a pair rule) has."""
    if other is None:
        return (ev.all_lines if rule.target == "claim" else (line.number,)), ()
    if rule.target == "other":
        return (other.number,), (line.number,)
    if rule.target == "both":
        return tuple(sorted((line.number, other.number))), ()
    return (line.number,), (other.number,)


class Tracer:
    def __init__(self, ev: Evaluation, lookup, result, disables):
        self.ev = ev
        self.lookup = lookup
        self.result = result
        self.disables = disables  # the ruleset's `disable` rows, to name the one that takes a table pair off
        self.steps: list[Step] = []
        # (rule id, lines) of a `both` pair rule that fired -> (the order's sort key, its step's index): the
        # evaluator reports such a rule once per pair of lines, worded by the order of the codes.
        self._both: dict = {}
        self._both_out_of_dates: set = set()  # (rule id, lines) of a `both` pair rule out of dates: one step a pair
        self.fired: set = set()  # (lines, related, codes) of the PTP pairs denied, with a date span: once each
        self._labels: dict = {}  # line numbers -> their label (a date of many lines has many steps of each line)

    def add(self, rule: str, kind: str, outcome: str, lines, detail: str, related=(), source=None) -> None:
        lines = tuple(lines)
        related = tuple(related)
        where = self._where(lines)
        if related:
            where += " with " + self._where(related)
        self.steps.append(Step(rule, kind, outcome, lines, detail, related, source, where))

    def _where(self, numbers: tuple) -> str:
        label = self._labels.get(numbers)
        if label is None:
            label = self._labels[numbers] = _where(self.ev, numbers)
        return label

    # ------------------------------------------------------------ stages

    def format_checks(self) -> None:
        for finding in self.result.findings:
            if finding.kind == "format":
                self.add(finding.rule, "format", "fired", finding.lines, finding.message, source=finding.source)
        for line in self.ev.uncoded:
            self.add("format.code", "format", "not applicable", (line.number,),
                     f"line {line.number} gives revenue code {line.line.revenue_code} and no procedure code: only "
                     "the checks of its dates, places, NPIs and diagnoses, the rules on the whole claim and those that "
                     "ask `line.code is missing` judge it")

    def code_validity(self) -> None:
        """Each code, modifier and diagnosis checked against the code-set tables, and the outcome."""
        code_sets = self.ev.view.code_sets
        if code_sets is None:
            return
        if code_sets.hcpcs is not None:
            for line in self.ev.lines:
                self._hcpcs(code_sets, line)
        claim = self.ev.claim
        if code_sets.icd10cm is not None and claim.diagnoses and claim.diagnosis_system != "icd9":
            self._diagnoses(code_sets)

    def _hcpcs(self, code_sets, line) -> None:
        index = code_sets.hcpcs.index(line.day)
        table = code_sets.hcpcs.tables[index]
        date = line.date.isoformat()
        items = [(validity.PROCEDURE, line.code, line.code)]
        items += [(validity.MODIFIER, modifier, f"modifier {modifier}") for modifier in line.modifiers]
        for rule_id, code, what in items:
            entry = table.get(code)
            judged = validity.is_level2(code) if rule_id == validity.PROCEDURE else validity.is_level2_modifier(code)
            source = entry[2] if entry is not None else code_sets.sources["hcpcs"][index]
            if entry is None and not judged:
                kind = "CPT code" if rule_id == validity.PROCEDURE else "CPT modifier"
                self.add(rule_id, "coding", "not applicable", (line.number,),
                         f"{what} is a {kind}: the HCPCS Level II file does not list CPT codes")
            elif entry is None or validity.judge(entry, line.day) != "valid":
                self.add(rule_id, "coding", "fired", (line.number,), validity.hcpcs_problem(what, entry, line.day),
                         source=source)
            else:
                end = f"through {format_date(entry[1])}" if entry[1] is not None else "no termination date"
                self.add(rule_id, "coding", "silent", (line.number,),
                         f"{what} is valid on {date}: from {format_date(entry[0])}, {end}", source=source)

    def _diagnoses(self, code_sets) -> None:
        diagnoses = self.ev.claim.diagnoses
        for position, rule_id, numbers, index, entry in validity.diagnosis_verdicts(self.ev, code_sets, every=True):
            text = f"diagnosis {position} ({diagnoses[position - 1]})"
            if index is None:
                dates = ", ".join(dict.fromkeys(self.ev.line_of(n).date.isoformat() for n in numbers))
                for rule in (validity.DIAGNOSIS, validity.NOT_BILLABLE):
                    self.add(rule, "coding", "out of dates", numbers,
                             f"{text}: no ICD-10-CM code set loaded for {dates}")
                continue
            year = validity.fiscal_year(code_sets, index)
            source = entry[1] if entry is not None else code_sets.sources["icd10cm"][index]
            message = validity.diagnosis_message(rule_id, position, diagnoses[position - 1], year) if rule_id else ""
            if rule_id == validity.DIAGNOSIS:
                self.add(rule_id, "coding", "fired", numbers, message, source=source)
                continue
            self.add(validity.DIAGNOSIS, "coding", "silent", numbers,
                     f"{text} is in the FY{year} ICD-10-CM code set", source=source)
            if rule_id == validity.NOT_BILLABLE:
                self.add(rule_id, "coding", "fired", numbers, message, source=source)
            else:
                self.add(validity.NOT_BILLABLE, "coding", "silent", numbers,
                         f"{text} is billable in FY{year}", source=source)

    def line_rules(self) -> None:
        extra = set_apart_rules(self.ev, self.lookup)
        # A `once per claim` rule -> its fired step and the lines that meet it: one step, as one finding, whose
        fired: dict = {}  # related lines are those lines (a later line that does not meet it has its own step)
        visits = [(line, self.lookup.candidate_line_rules(line) + tuple(extra)) for line in self.ev.lines]
        visits += [(line, self.lookup.uncoded_rules()) for line in self.ev.uncoded]  # (they ask for no code)
        for line, rules in visits:
            for rule in rules:
                if rule in fired:
                    if _outside(rule.scope, line.date) is None \
                            and condition_verdict(rule.condition, self.ev, line, None)[0] == "fired":
                        fired[rule][1].append(line.number)
                        continue
                    self._rule(rule, line, None)
                elif rule.target == "claim":
                    at = len(self.steps)
                    if self._rule(rule, line, None) == "fired":
                        fired[rule] = (at, [line.number])
                else:
                    self._rule(rule, line, None)
        for at, numbers in fired.values():
            step = self.steps[at]
            self.steps[at] = attrs.evolve(step, related_lines=tuple(numbers), where=self._where(step.lines)
                                          + " with " + self._where(tuple(numbers)),
                                          detail=once_per_claim_message(step.detail, numbers))

    def claim_rules(self) -> None:
        lines = self.ev.all_lines  # (as the evaluator's claim findings: every line, one without a code too)
        for rule in self.lookup.claim_rules():
            window = _outside(rule.scope, self.ev.first_date)
            if window:
                self.add(rule.info.id, rule.info.kind, "out of dates", lines, window, source=rule.info.source)
                continue
            outcome, detail = condition_verdict(rule.condition, self.ev, None, None)
            if outcome == "fired":
                detail = rule.message.render(self.ev, None, None)
            self.add(rule.info.id, rule.info.kind, outcome, lines, detail, source=rule.info.source)

    def _rule(self, rule, line, other, verdict: tuple | None = None) -> str:
        """A step for a line or pair rule, on the lines its finding acts on (as the evaluator's); a pair rule on
        the lines' first date (a line with a date span too). ``verdict``: what :func:`condition_verdict` says of the
        condition on a date within the rule's, when known. Returns the step's outcome."""
        info = rule.info
        lines, related = _acted_on(rule, line, other, self.ev)
        if verdict is None:
            window = _outside(rule.scope, line.date)
            if window:
                if rule.target == "both" and other is not None:  # (it was two alike, "lines 1, 2", one an order)
                    if (info.id, lines) in self._both_out_of_dates:
                        return "out of dates"
                    self._both_out_of_dates.add((info.id, lines))
                shown = (line.number,) if other is None and rule.target == "claim" else lines
                self.add(info.id, info.kind, "out of dates", shown, window, related, info.source)
                return "out of dates"
            verdict = condition_verdict(rule.condition, self.ev, line, other)
        outcome, detail = verdict
        if outcome != "fired" and other is None and rule.target == "claim":
            lines = (line.number,)  # (`once per claim`: a line that does not meet it is the step's, not the claim)
        if outcome != "fired" and other is not None and rule.target == "both":
            # (a `both` rule asks each order of a pair: a step that did not fire says which line was `line`, as
            # other pair rules' steps do; "lines 1, 2" twice, silent for two reasons, or silent beside fired, hid it)
            lines, related = (line.number,), (other.number,)
        if outcome == "fired":
            detail = rule.message.render(self.ev, line, other)
            if other is None and not rule.message.shows_values:  # (`{values}` put them in the message)
                detail += fired_values(rule.condition, self.ev, line)
            if rule.target == "both" and other is not None:
                order = (line.code, other.code, line.modifiers, other.modifiers, line.units, other.units)
                seen = self._both.get((info.id, lines))
                if seen is not None:  # both orders fired: one step, as one finding, the evaluator's wording
                    if order < seen[0]:
                        self._both[(info.id, lines)] = (order, seen[1])
                        self.steps[seen[1]] = attrs.evolve(self.steps[seen[1]], detail=detail)
                    return outcome
                self._both[(info.id, lines)] = (order, len(self.steps))
        self.add(info.id, info.kind, outcome, lines, detail, related, info.source)
        return outcome

    def _not_checked(self, rule, line, other, fired_with) -> None:
        """A `not checked` step for a pair that a `once per line` rule leaves: it fired for ``line`` already."""
        lines, related = _acted_on(rule, line, other, self.ev)
        self.add(rule.info.id, rule.info.kind, "not checked", lines,
                 f"once per line: fired with line {fired_with.number}", related, rule.info.source)

    def pairs(self) -> None:
        placement = self.ev.view.modifier_placement
        days = day_groups(self.ev)
        spans = self.ev.span_days() if self.ev.spans else ()
        for day, group, fresh, changed in spans:
            if len(group) > 1:
                for a, b, rows in span_ptp_hits(self.lookup, group, fresh, changed, day):
                    self._ptp(a, b, rows, placement, day)
                if changed is None:
                    self._decided_table_pairs(group, group, day)
                elif fresh:  # (the pairs of two fresh lines are done)
                    self._decided_table_pairs(group, fresh, day)
                    self._decided_table_pairs(fresh, [line for line in group if line not in fresh], day)
        for day, group in () if spans else days:
            if len(group) < 2:
                continue
            for a, b, rows in self.lookup.ptp_hits(group, day, {line.code for line in group}):
                self._ptp(a, b, rows, placement, day)
            self._decided_table_pairs(group, group, day)
        on = dict(days)
        for a in self.ev.provider_history():
            for b in on.get(a.day, ()):
                if same_provider(a, b):
                    rows = self.lookup.pair_rows(a.code, b.code, a.day)
                    if rows and a.part_a and m.from_table(rows[0]):
                        self._part_a_pair(a, b, rows, a.day)
                    elif rows:
                        self._ptp(a, b, rows, placement, a.day)
            self._decided_table_pairs((a,), on.get(a.day, ()), a.day)
        for group in self.ev.by_day.values():  # pair rules: a line with a date span by its first day
            if len(group) > 1:
                self._pair_rules(group)

    def _pair_rules(self, group: list) -> None:
        """A step for each pair rule on each pair of the lines of a date whose codes it accepts. A date of many
        lines has many pairs: a rule's `other` lines are chosen by their codes once (as the evaluator chooses
        them on a big date), and each part of its condition that reads one line alone is asked once a line
        (:class:`PairCondition`)."""
        ev = self.ev
        codes = {line.code for line in group}
        chosen: dict = {}  # id(rule) -> (its `other` lines by their codes, its condition)
        for a in group:
            for rule in self.lookup.pair_rules(a):
                found = chosen.get(id(rule))
                if found is None:
                    found = chosen[id(rule)] = (other_lines(ev, rule, group, codes, None), PairCondition(ev, rule))
                candidates, condition = found
                if rule.same_code:
                    candidates = candidates.get(a.code, ())
                answers = None if _outside(rule.scope, a.date) else condition.of_line(a)  # (out of dates: none)
                fired_with = None  # a `once per line` rule: the line it fired with, its later pairs unchecked
                for b in candidates:
                    if a is b or not (same_provider(a, b) or rule.across_providers):
                        continue
                    if fired_with is not None:
                        self._not_checked(rule, a, b, fired_with)
                    else:
                        verdict = None if answers is None else condition.judge(answers, a, b)
                        if self._rule(rule, a, b, verdict) == "fired" and rule.once_per_line:
                            fired_with = b

    def _versions(self, loaded_tables, kind: str = "ptp") -> tuple | None:
        """(view, its PTP (or add-on) tables, the loaded versions of its claim type oldest first), or None if
        fewer than two versions serve the claim."""
        view = self.ev.view
        tables = view.ptp_tables if kind == "ptp" else view.addon_tables
        if tables is None or len(tables.tables) < 2:
            return None
        return view, tables, serving(list(loaded_tables), kind, view.claim_type, view.payer)

    def pairs_of_other_versions(self, loaded_tables) -> None:
        """A silent step for each pair of lines of a date that the PTP table version in force on it has no row of,
        where another version loaded has a row of the pair in force on dates it judges (a pair a new quarter
        dropped, or one a later quarter adds): said, so that the other version's row is not looked for in vain."""
        found = self._versions(loaded_tables)
        if found is None:
            return
        view, tables, versions = found
        # the dates each version judges: the first also every earlier one, the latest every later one
        judged = [(t.start if i else 1, last_day("ptp", versions, i)) for i, t in enumerate(versions)]
        for day, group in day_groups(self.ev):
            index = tables.index(day)
            for a in group:
                for b in group:
                    if (a is b or a.code == b.code or on_day(view.pairs.get(a.code, {}).get(b.code), day) is not None
                            or not same_provider(a, b) or self.lookup.table_rows(index, a.code, b.code)):
                        continue
                    found = self._other_version_row(judged, index, a.code, b.code)
                    if found is None:
                        continue
                    row, first, last, i = found
                    if first is None:  # its row is in force on no date its version judges (RR525 said so)
                        start, end = judged[i]
                        when = (f"has one {window_text(row.start, row.end)}, dates its version does not judge: it "
                                f"judges {window_text(start if i else None, end)}")
                    else:
                        when = (f"had one through {format_date(last)}" if first < judged[index][0]
                                else f"has one from {format_date(first)}")
                    names = ", ".join(Path(f).name for f in versions[index].files)
                    self.add(row.block.info.id, row.block.info.kind, "silent", (b.number,),
                             f"{a.code} (column 1) with {b.code} (column 2): no row in {names}, the version in force "
                             f"on {day_text(b, day)} ({row.source} {when})", (a.number,))

    def pairs_corrected_later(self, loaded_tables) -> None:
        """A ``corrected later`` step for each pair of lines of a date that an earlier PTP version judges, where the
        newest version loaded has rows of the pair that judge that date otherwise (a correction CMS made in a
        later file, RR529): the earlier version judges it as published, and the step says what the newest
        changes and from when."""
        from ..compiler.corrections import change_on, change_text, version_label

        found = self._versions(loaded_tables)
        if found is None:
            return
        view, tables, versions = found
        newest = len(versions) - 1
        for day, group in day_groups(self.ev):
            index = tables.index(day)
            if index == newest:
                continue
            for a in group:
                for b in group:
                    if (a is b or a.code == b.code or on_day(view.pairs.get(a.code, {}).get(b.code), day) is not None
                            or not same_provider(a, b)):
                        continue
                    rows = [self.lookup.table_rows(i, a.code, b.code) for i in (index, newest)]
                    if not rows[0] and not rows[1]:
                        continue
                    values = [[(row.start, row.end, row.indicator) for row in found] for found in rows]
                    change = change_on("ptp", *values, versions[index].start if index else 1, day)
                    if change is None:
                        continue
                    what = change_text("ptp", change).replace("deleted", "deletes this pair").replace(
                        "added", "adds this pair").replace("indicator", "changes its indicator")
                    block = tables.blocks[index]
                    shown = ", ".join(row.source for row in rows[1][:2]) or "no row"
                    self.add(block.info.id, block.info.kind, "corrected later", (b.number,),
                             f"{a.code} (column 1) with {b.code} (column 2): {version_label(versions[newest])} "
                             f"({versions[newest].source}) {what} ({shown}); {day_text(b, day)} is judged by "
                             f"{version_label(versions[index])} as published", (a.number,))

    def addons_corrected_later(self, loaded_tables) -> None:
        """A ``corrected later`` step for each line of an add-on code whose date an earlier add-on file judges,
        where the newest file loaded has edits of the code that judge that date otherwise (RR529): as
        :meth:`pairs_corrected_later` for pairs. Not for a code the rule files give edits of (they replace the
        tables')."""
        from ..compiler.corrections import change_on, change_text, version_label
        from ..diff.describe import addon_value

        found = self._versions(loaded_tables, "addon")
        if found is None:
            return
        view, tables, versions = found
        newest = len(versions) - 1
        for line in self.ev.lines:
            index = tables.index(line.day)
            if index == newest or on_day(view.addons.get(line.code), line.day) is not None:
                continue
            rows = [tables.tables[i].get(line.code, ()) for i in (index, newest)]
            if not rows[0] and not rows[1]:
                continue
            values = [[addon_value(row) for row in found] for found in rows]
            change = change_on("addon", *values, versions[index].start if index else 1, line.day)
            if change is None:
                continue
            block = tables.blocks[index]
            self.add(block.info.id, block.info.kind, "corrected later", (line.number,),
                     f"{line.code}: {version_label(versions[newest])} ({versions[newest].source}) corrects its add-on "
                     f"edit: {change_text('addon', change)} ({_addon_rows_text(rows[1], change)}); "
                     f"{day_text(line, line.day)} is judged by {version_label(versions[index])} as published")

    def _other_version_row(self, judged: list, index: int, column1: str, column2: str):
        """(row, first date, last date, its version) of the pair's row in the nearest other version (the earlier
        ones first, latest first) that is an edit on some of the dates that version judges (``judged``); else
        (row, None, None, its version) of the first such row that starts after them (the versions' dates swapped,
        RR525); or None."""
        idle = None
        for i in [*range(index - 1, -1, -1), *range(index + 1, len(judged))]:
            start, end = judged[i]
            for row in self.lookup.table_rows(i, column1, column2):
                if row.indicator == 9:
                    continue
                first = max(start, row.start or 1)
                last = min(end, row.end) if end is not None and row.end is not None else (end or row.end)
                if last is None or first <= last:
                    return row, first, last, i
                if idle is None and end is not None and row.start > end:  # (not a row deleted before them)
                    idle = (row, None, None, i)
        return idle

    def _decided_table_pairs(self, firsts, group, day: int) -> None:
        """A silent step for each PTP table row in force of a pair (a line of ``firsts`` in column 1, one of
        ``group`` in column 2: a claim's date, or a paid earlier line and the claim's lines of its date) that a
        rule-file `disable` takes off or rule-file rows replace (those in force on the date or not); and for a
        pair whose rule-file rows or `disable` rows are dated, those out of their dates (:meth:`_out_of_dates`)."""
        view = self.ev.view
        tables = view.ptp_tables
        if not view.pairs:
            return
        for a in firsts:
            overlay = view.pairs.get(a.code)
            if not overlay:
                continue
            for b in group:
                if a is b or not same_provider(a, b):
                    continue
                entry = overlay.get(b.code)
                if entry.__class__ is m.Timeline:
                    earlier = ", paid on an earlier claim" if a.number is None else ""
                    related = (a.number,) if a.number is not None else ()
                    self._out_of_dates(entry, "pair", (a.code, b.code), day, (b.number,),
                                       f"{a.code} (column 1{earlier}) with {b.code} (column 2)", related)
                if on_day(entry, day) is None:
                    continue
                if tables is None:
                    continue
                index = tables.index(day)
                how = None
                for row in self.lookup.table_rows(index, a.code, b.code):
                    if not row.active_on(day):
                        continue
                    how = how or decided_by("pair", (a.code, b.code), view, self.disables, None, day)
                    earlier = ", paid on an earlier claim" if a.number is None else ""
                    self.add(row.block.info.id, row.block.info.kind, "silent", (b.number,),
                             f"{a.code} (column 1{earlier}) with {b.code} (column 2): {how}",
                             (a.number,) if a.number is not None else (), row.source)

    def _out_of_dates(self, entry, kind: str, key: tuple, day: int, numbers: tuple, what: str,
                      related: tuple = (), last: int | None = None) -> None:
        """For a key whose rule-file rows or ``disable`` rows are dated (``entry``: the view's Timeline), an ``out
        of dates`` step for each ``disable`` of the key for this payer and claim type that is in force on no day
        from ``day`` through ``last`` (a line's date span judged by its first day; default: ``day`` alone); and on
        a date none of the rows is in force on, nor a ``disable``, so that the tables decide, one for each of the
        rows."""
        if entry.__class__ is not m.Timeline:
            return
        view, date = self.ev.view, format_date(day)
        last = day if last is None else last
        for disable in self.disables:
            scope = disable.scope
            if (disable.kind == kind and disable.key == key and scope.applies_to(view.payer, view.claim_type)
                    and not scope.meets(day, last)):
                self.add(disable.rule, disable.block.info.kind, "out of dates", numbers,
                         f"{what}: `disable {kind} {' with '.join(key)}` applies "
                         f"{window_text(disable.scope.start, disable.scope.end)}, not on {date}", related,
                         disable.source)
        if entry.at(day) is not None:
            return
        for row in entry.rows():
            info = row.block.info
            self.add(info.id, info.kind, "out of dates", numbers, f"{what}: the row applies "
                     f"{window_text(row.start, row.end)}, not on {date}", related, row.source)

    def _part_a_pair(self, a, b, rows, day: int) -> None:
        """A silent step for each table row in force of a pair with a paid line of a Part A bill (not the tables')."""
        for row in rows:
            if row.indicator != 9 and row.active_on(day):
                self.add(row.block.info.id, row.block.info.kind, "silent", (b.number,),
                         f"{a.code} (column 1, paid on an earlier claim) with {b.code} (column 2): the paid line is "
                         "of a Part A bill, which the table does not judge", (), row.source)

    def _ptp(self, a, b, rows, placement: str, day: int) -> None:
        denied = False
        related = (a.number,) if a.number is not None else ()
        key = (b.number, related, a.code, b.code)  # (with a date span) once, whatever block denies it
        if key in self.fired:
            return  # (a date span) denied on an earlier day the lines share
        for row in rows:
            info = row.block.info
            earlier = ", paid on an earlier claim" if a.number is None else ""
            pair = f"{a.code} (column 1{earlier}) with {b.code} (column 2)"
            if row.indicator == 9:
                self.add(info.id, info.kind, "not applicable", (b.number,),
                         f"{pair}: modifier indicator 9 (not applicable)", related, row.source)
            elif not row.active_on(day):
                self.add(info.id, info.kind, "out of dates", (b.number,),
                         f"{pair}: the row applies {window_text(row.start, row.end)}, not on {day_text(b, day)}",
                         related, row.source)
            elif denied:  # (a row out of its dates says so first: that it was not needed is the lesser reason)
                self.add(info.id, info.kind, "silent", (b.number,), f"{pair}: an earlier row already denied it",
                         related, row.source)
            else:
                modifier = ptp_bypassed(a, b, placement) if row.indicator == 1 else None
                if modifier:
                    where = "column 1" if modifier not in b.modset else "column 2"
                    self.add(info.id, info.kind, "bypassed", (b.number,),
                             f"{pair}: modifier {modifier} on the {where} line bypasses it (indicator 1, "
                             f"placement {placement})", related, row.source)
                else:
                    self.add(info.id, info.kind, "fired", (b.number,), ptp_message(a, b, row, day), related,
                             row.source)  # (the message says why a side modifier did not bypass the row)
                    denied = True
                    if self.ev.spans:
                        self.fired.add(key)

    def unit_limits(self) -> None:
        if self.ev.spans:
            self._span_unit_limits()
            return
        groups: dict = {}
        for line in self.ev.lines:
            self._decided_table_limit(line)
            rows, published = self.lookup.limit(line.code, line.day)
            row = next((r for r in rows if r.active_on(line.day)), None)
            if row is None:
                if rows:
                    info = rows[0].block.info
                    self.add(info.id, info.kind, "out of dates", (line.number,),
                             f"no limit of {line.code} in force on {line.date.isoformat()}", source=rows[0].source)
                elif published is False and is_procedure_code(line.code):
                    self.add(MUE_UNPUBLISHED, "mue", "fired", (line.number,),
                             unpublished_message(line.code), source=mue_files(self.ev.view, line.day))
                continue
            if row.mai == 1:
                units = line.billed_units()
                self._limit(row, (line,), units, f"{line.code}: {units_text(units)} on the line, limit {row.max_units} "
                            "per line (MAI 1)")
            else:
                groups.setdefault((line.code, line.day), (row, []))[1].append(line)
        add_earlier_units(self.ev, groups)
        for (code, day), (row, lines) in groups.items():
            named: set = set()
            for subgroup in provider_groups(lines):
                if not any(line.number is not None for line in subgroup):
                    continue  # paid lines alone: nothing of this claim to judge (as evaluate skips them)
                total = units_total(subgroup)
                note = _other_providers(self.ev, code, day, subgroup, row)
                detail = (f"{code}: {units_text(total)} on {format_date(day)} ({_summed(note, subgroup)}), limit "
                          f"{row.max_units} per day (MAI {row.mai})")
                if over_limit(row, total, subgroup) and not names_more(subgroup, named):
                    info = row.block.info
                    numbers = tuple(line.number for line in subgroup if line.number is not None)
                    self.add(info.id, info.kind, "silent", numbers, f"{detail}: over, but the finding of another "
                             "provider's sum already names every line", source=row.source)
                else:
                    self._limit(row, subgroup, total, detail, note=note)

    def _span_unit_limits(self) -> None:
        """The unit limits of a claim with a date span, judged on each day of its lines (as evaluate does)."""
        for line in self.ev.lines:
            self._decided_table_limit(line)
        unpublished = set()
        for day, row, lines, units, kept in span_limits(self.ev, self.lookup):
            line = lines[0]
            if row is UNLISTED:
                if line.number not in unpublished and is_procedure_code(line.code):
                    unpublished.add(line.number)
                    self.add(MUE_UNPUBLISHED, "mue", "fired", (line.number,),
                             unpublished_message(line.code), source=mue_files(self.ev.view, day))
                continue
            numbers = tuple(line.number for line in lines if line.number is not None)
            date = day_text(line, day)
            note = ""
            if row.mai == 1:  # (units a day of a line with a span; a line of one day, beside it, has its own)
                spread = " a day" if line.end_day is not None and line.end_day > line.day else ""
                detail = (f"{line.code}: {units_text(units)}{spread} on the line on {date}, limit {row.max_units} per "
                          "line (MAI 1)")
            else:
                note = _other_providers(self.ev, row.code, day, lines, row)
                detail = (f"{row.code}: {units_text(units)} on {date} ({_summed(note, lines)}), "
                          f"limit {row.max_units} per day (MAI {row.mai})")
            if kept:
                self._limit(row, lines, units, detail, day, note)
            elif over_limit(row, units, lines):
                info = row.block.info
                self.add(info.id, info.kind, "silent", numbers, f"{detail}: over, but its findings of an earlier "
                         "date already name every line", source=row.source)
            else:
                self._limit(row, lines, units, detail, day)

    def _decided_table_limit(self, line) -> None:
        """A silent step for the MUE table's row of the line's code when rule-file rows replace it or a
        `disable limit` takes it off."""
        view = self.ev.view
        entry = view.limits.get(line.code)
        self._out_of_dates(entry, "limit", (line.code,), line.day, (line.number,), line.code, last=span_end(line))
        if on_day(entry, line.day) is None:
            return
        if view.mue_tables is None:
            return
        for row in view.mue_tables.at(line.day).get(line.code, ()):
            how = decided_by("limit", (line.code,), view, self.disables, None, line.day)
            self.add(row.block.info.id, row.block.info.kind, "silent", (line.number,), f"{line.code}: {how}",
                     source=row.source)

    def _limit(self, row, lines, units, detail: str, day: int | None = None, note: str = "") -> None:
        """A step of one limit judged; ``note``: added to a finding's message (the lines left out of a sum)."""
        info = row.block.info
        numbers = tuple(line.number for line in lines if line.number is not None)
        if over_limit(row, units, lines):
            message = limit_finding(row, lines, units, day).message
            if note and row.max_units:
                message += f"; {note}"
            self.add(info.id, info.kind, "fired", numbers, message, source=row.source)
        else:
            self.add(info.id, info.kind, "within limit", numbers, detail, source=row.source)

    def addons(self) -> None:
        # Judged again as evaluate judges them (one add-on may be another's primary, 11046 for 11047), from the
        # result's denials by the other stages: those of findings of no add-on edit of the claim.
        edits = addon_edits_of(self.ev, self.lookup)
        ids = {edit.rows[0].block.info.id for edit in edits}
        denied = {n for f in self.result.findings if f.severity == "deny" and f.rule not in ids for n in f.lines}
        judge_edits(self.ev, self.lookup, edits, denied)
        verdicts = {(edit.line.number, id(edit.rows[0].block)): edit for edit in edits}
        for line in self.ev.lines:
            self._decided_table_addon(line)
            if not self.lookup.is_addon(line.code, line.day):
                continue
            rows = [r for r in self.lookup.addon_rows(line.code, line.day) if r.active_on(line.day)]
            for edit in addon_edits(rows):
                verdict = verdicts.get((line.number, id(edit[0].block)))
                if verdict is not None:
                    self._addon(verdict)
            if on_day(self.ev.view.addons.get(line.code), line.day) == ():
                self._disabled_addon(line)

    def _disabled_addon(self, line) -> None:
        """A silent step for each add-on edit in force of ``line``'s code that a rule-file `disable addon` takes
        off (the table's, or a less specific block's)."""
        how = decided_by("addon", (line.code,), self.ev.view, self.disables, None, line.day)
        rows = [r for r in self.lookup.listed_addon_rows(line.code, line.day) if r.active_on(line.day)]
        for edit in addon_edits(rows):
            info = edit[0].block.info
            self.add(info.id, info.kind, "silent", (line.number,), f"{line.code}: the add-on edit is {how}", (),
                     edit[0].source)

    def _decided_table_addon(self, line) -> None:
        """A silent step for the table's add-on edits in force for the line's code when rule-file rows replace
        them (those in force on the date or not: the line is then no add-on code at all). One step: they are
        replaced as one, the code; it names the first edit's row."""
        view = self.ev.view
        entry = view.addons.get(line.code)
        self._out_of_dates(entry, "addon", (line.code,), line.day, (line.number,), line.code)
        if on_day(entry, line.day) is None:
            return
        if view.addon_tables is None or not on_day(entry, line.day):
            return
        row = next((r for r in view.addon_tables.at(line.day).get(line.code, ()) if r.active_on(line.day)), None)
        if row is not None:
            how = decided_by("addon", (line.code,), view, self.disables, None, line.day)
            self.add(row.block.info.id, row.block.info.kind, "silent", (line.number,), f"{line.code}: {how}",
                     source=row.source)

    def _addon(self, edit) -> None:
        """One add-on line judged by one edit (the rows of one block), as :func:`judge_edits` judged it."""
        line, rows = edit.line, edit.rows
        row = rows[0]
        info = row.block.info
        if edit.failed:  # the finding's message, as evaluate words it
            named = edit.refused or edit.unsupported
            self.add(info.id, info.kind, "fired", (line.number,),
                     addon_message(self.ev, edit) + (self._ended(edit) if not named else ""),
                     edit.related, row.source)
        elif edit.paid:
            self.add(info.id, info.kind, "silent", (line.number,),
                     f"{line.code}: {primaries_text(edit.paid)} paid", tuple(edit.paid), row.source)
        else:
            self.add(info.id, info.kind, "silent", (line.number,),
                     f"{line.code}: {earlier_text(edit.earlier)}", (), row.source)

    def _ended(self, edit) -> str:
        """``; line 1's 77066 is listed at aoc_v2026q3.csv:4``: the lines of the add-on's date (and provider) whose
        code the edit lists as a primary until a date before it (the finding's message names their codes and
        those dates; this, the rows that list them); "" if none."""
        return "".join(f"; line {other.number}'s {other.code} is listed at {source}"
                       for other, _, source in ended_primaries(self.ev, edit))


def _other_providers(ev, code: str, day: int, lines, row) -> str:
    """``lines summed per rendering provider: line 3 is another provider's`` when lines of ``code`` on ``day``
    (paid earlier ones too) were left out of the sum of ``lines`` as another rendering provider's (a
    professional claim), or as another billing provider's (paid lines of another hospital, on an institutional
    claim); ``1 paid line of a Part A bill not counted ...`` for those a table's limit ``row`` leaves out;
    "" when none were."""
    kept = set(map(id, lines))
    others = [line for line in ev.lines if line.code == code and id(line) not in kept
              and line.day <= day <= max(line.day, line.end_day or line.day)]
    paid = [line for line in ev.provider_history() if line.code == code and line.day == day and id(line) not in kept]
    part_a = ""
    if m.from_table(row) and any(line.part_a for line in paid):
        count = sum(1 for line in paid if line.part_a)
        part_a = (f"{count} paid line{'s' if count > 1 else ''} of a Part A bill not counted: the table does not "
                  "judge Part A bills")
        paid = [line for line in paid if not line.part_a]
    if not others and not paid:
        return part_a
    parts = [lines_label([line.number for line in others])] if others else []
    if paid:
        parts.append(f"{len(paid)} paid line{'s' if len(paid) > 1 else ''}")
    verb = "is" if len(others) + len(paid) == 1 else "are"
    whose = "another provider's" if len({line.provider for line in others + paid}) == 1 else "other providers'"
    kind = "billing" if ev.by_billing else "rendering"
    note = f"lines summed per {kind} provider: {' and '.join(parts)} {verb} {whose}"
    return f"{note}; {part_a}" if part_a else note


def _where(ev, numbers) -> str:
    """``line 1 (71046)`` / ``lines 1, 2 (77067)``: line numbers with their codes."""
    codes = list(dict.fromkeys(_code_label(ev.line_of(n)) for n in numbers))
    return f"{lines_label(numbers)} ({', '.join(codes)})"


def _code_label(line) -> str:
    """A line's code, or ``revenue code 0255`` for a line that gives a revenue code alone."""
    return line.code if line.code is not None else f"revenue code {line.line.revenue_code}"


def _summed(note: str, lines) -> str:
    """How a day's units were summed, for a step within the limit: ``lines summed`` (or the note naming the lines
    of other providers left out), and the units paid on earlier claims counted in, as a denial names them."""
    earlier = units_total([line for line in lines if line.number is None])
    paid = f"{number_text(earlier)} paid on earlier claims" if earlier else ""
    if note:
        return f"{note}; {paid}" if paid else note
    return f"lines summed, {paid}" if paid else "lines summed"


def _outside(scope, date: dt.date) -> str | None:
    day = date.toordinal()
    if scope.start is not None and day < scope.start:
        return f"{date.isoformat()} is before the rule takes effect ({format_date(scope.start)})"
    if scope.end is not None and day > scope.end:
        return f"{date.isoformat()} is after the rule ends ({format_date(scope.end)})"
    return None


def _addon_rows_text(rows, change: tuple) -> str:
    """The newest file's rows that make an add-on ``change``: those listing the primaries it adds or deletes,
    else the edit's first rows (at most two shown); ``no row`` if the file has none of the code."""
    _day, old, new = change
    changed = old ^ new if isinstance(old, frozenset) and isinstance(new, frozenset) else ()
    named = [row.primary_sources[code] for row in rows for code in sorted(changed)
             if row.primary_sources and code in row.primary_sources]
    named = list(dict.fromkeys(named)) or [row.source for row in rows]
    return ", ".join(named[:2]) or "no row"
