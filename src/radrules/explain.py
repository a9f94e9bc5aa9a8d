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
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from . import model as m
from . import validity
from .addons import addon_edits, addon_edits_of, addon_message, earlier_text, judge_edits
from .checks import FORMAT_RULES, check_format, hider
from .codes import is_procedure_code
from .condition_reads import pair_side
from .conditions import (And, Between, ClaimUnits, Compare, HistoryCount, Not, Or, SinceLast, conjuncts,
                         same_practitioner, same_provider)
from .claim import frequency_of
from .evaluation import Evaluation, meeting_lines, paid_history, units_total
from .evaluator import (_add_earlier_units, _limit_finding, _number, _provider_groups,
                        day_text, other_lines, over_limit, ptp_bypassed, ptp_message, set_apart_rules,
                        once_per_claim_message, span_limits, span_ptp_hits,
                        unpublished_message)
from .lookups import UNLISTED, mue_files
from .model import MUE_UNPUBLISHED, format_date, primaries_text, render_value, window_text
from .tables import last_day, serving


@attrs.frozen
class Step:
    """One thing the evaluation looked at, and what came of it."""

    rule: str
    kind: str
    outcome: str  # fired, silent, bypassed, out of dates, not applicable, within limit, corrected later, not checked
    lines: tuple[int, ...]
    detail: str
    related_lines: tuple[int, ...] = ()
    source: str | None = None
    where: str = ""  # "line 1 (71046) with line 2 (74176)"

    def to_dict(self) -> dict:
        return {
            "rule": self.rule, "kind": self.kind, "outcome": self.outcome, "lines": list(self.lines),
            "related_lines": list(self.related_lines), "detail": self.detail, "source": self.source,
        }

    def render(self, rule_source: str | None = None) -> str:
        at = f" (at {self.source})" if self.source and self.source != rule_source else ""
        return f"{self.where or _lines_label(self.lines)}: {self.outcome}: {self.detail}{at}"


@attrs.frozen
class RuleNote:
    """What an explanation says about a rule as a whole: its kind, where it is written, its condition."""

    kind: str
    source: str | None
    condition: str | None


@attrs.frozen
class Explanation:
    """The steps of one claim's evaluation, in evaluation order.

    ``not_considered`` says, for every other rule of the ruleset, why the
    evaluation never looked at it (another payer, another claim type, no
    line billing a code it is filed under).
    """

    claim: str | None
    steps: tuple[Step, ...]
    not_considered: dict = attrs.field(factory=dict)  # rule id -> reason
    notes: dict = attrs.field(factory=dict)  # rule id -> RuleNote

    def for_rules(self, rule_ids) -> list[str]:
        """Text lines about ``rule_ids`` only: a heading per rule, its condition, then its steps."""
        out = []
        for rule_id in dict.fromkeys(rule_ids):
            note = self.notes.get(rule_id)
            steps = [step for step in self.steps if step.rule == rule_id]
            fired = any(step.outcome == "fired" for step in steps)
            state = "fired" if fired else ("did not fire" if steps else "not considered")
            heading = f"{rule_id} {state}"
            if note is not None and note.source:
                heading += f" (at {note.source})"
            out.append(heading)
            if note is not None and note.condition:
                out.append(f"  when {note.condition}")
            if not steps:
                out.append("  " + self.not_considered.get(rule_id, "not a rule of this ruleset"))
            out.extend("  " + step.render(note.source if note else None) for step in steps)
        return out

    def rules(self) -> tuple[str, ...]:
        """Every rule id considered, in order, once each."""
        return tuple(dict.fromkeys(step.rule for step in self.steps))

    def fired(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.rule for step in self.steps if step.outcome == "fired"))

    def render(self) -> str:
        return "\n".join(self.for_rules(self.rules()))

    __str__ = render

    def to_dict(self) -> dict:
        return {"claim": self.claim, "steps": [step.to_dict() for step in self.steps]}


def _lines_label(numbers) -> str:
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(str(n) for n in numbers)


def explain(ruleset, claim, result, history=None) -> Explanation:
    """The explanation of ``result``, the evaluation of ``claim`` (a Claim) by ``ruleset``."""
    view = ruleset.view_of(claim)
    ev = Evaluation(claim, view)
    if history is not None:
        ev.history = paid_history(claim, history, ev.by_billing)
    ev.lookup = lookup = view.lookup
    hidden = ev.hidden = check_format(ev, [])
    tracer = _Tracer(ev, lookup, result, ruleset.disables)
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
    return Explanation(claim.id, tuple(steps), _not_considered(ruleset, claim, ev, considered, history is not None),
                       _notes(ruleset))


def rule_ids(ruleset) -> set:
    """Every rule id a step of ``ruleset`` can name: those of its findings, and edit blocks that hold
    ``disable`` rows only."""
    return set(ruleset.rule_ids()) | {disable.rule for disable in ruleset.disables}


def _no_history(claim, given: bool) -> str:
    """Why a rule that reads the patient's earlier lines had none to read."""
    if not given:
        return "it reads the patient's earlier lines, and none were given"
    frequency = frequency_of(claim)
    if frequency == "8":
        return "a void is judged without the patient's earlier lines"
    if frequency in ("7", "Q"):
        return ("no earlier paid line is left: those of the claim it replaces or corrects are left out "
                "(its `replaces`, else its own id)")
    return "the history given holds no paid line of this patient up to the claim's last date"


def _notes(ruleset) -> dict:
    notes = {}
    for rule in ruleset.rules:
        notes[rule.info.id] = RuleNote(rule.info.kind, rule.info.source, _text(rule.condition))
    for rule_id, block in ruleset.blocks().items():
        notes.setdefault(rule_id, RuleNote(block.info.kind, block.info.source, None))
    for rule_id, info in FORMAT_RULES.items():
        notes[rule_id] = RuleNote("format", None, None)
    for rule_id, source in validity.rule_sources(ruleset).items():
        notes[rule_id] = RuleNote("coding", source, None)
    return notes


def _not_considered(ruleset, claim, ev, considered: set, history_given: bool) -> dict:
    """Why each rule the evaluation did not look at was left out."""
    out = {}
    payer = claim.payer.lower() if claim.payer else None
    codes = {line.code for line in ev.lines}
    days = _days(ev)
    shared_dates = any(len(group) > 1 for _, group in days)
    apart = "" if not shared_dates or _one_providers_date(days) else _providers_apart(ev)
    repeated = any(len({line.code for line in group}) < len(group) for _, group in days)
    blocks = [(rule.info, rule.scope, rule) for rule in ruleset.rules]
    blocks += [(block.info, block.scope, None) for block in ruleset.blocks().values()]  # disable-only ones too
    rows_of: dict = {}
    for row in ruleset.rows:
        rows_of.setdefault(row.block.info.id, []).append(row)
    for info, scope, rule in blocks:
        if info.id in considered or info.id in out:
            continue
        if scope.payers is not None and payer not in scope.payers:
            has = f"`{claim.payer}`" if claim.payer else "no payer"
            out[info.id] = f"it applies to payer {', '.join(sorted(scope.payers))} and the claim has {has}"
        elif scope.claim_types is not None and claim.type not in scope.claim_types:
            out[info.id] = f"it applies to {' and '.join(sorted(scope.claim_types))} claims, not {claim.type}"
        elif scope.excluded and (exclusion := scope.excluded_by(payer, claim.type)):
            out[info.id] = (f"a loaded `{exclusion.table}` table replaces it (it stands in for one: `unless table "
                            f"{exclusion.table}`, {exclusion.source})" if exclusion.table
                            else f"`disable rule` leaves it out for this claim ({exclusion.source})")
        elif rule is not None and rule.uncoded:
            out[info.id] = "it judges lines of a revenue code alone (`line.code is missing`), and every line has a code"
        elif rule is not None and rule.needs_authorization and claim.authorizations is None:
            out[info.id] = "the claim gives no authorization records"
        elif rule is not None and rule.needs_history and not ev.history:
            out[info.id] = _no_history(claim, history_given)
        elif rule is not None and rule.shape == "pair" and not shared_dates:
            out[info.id] = "no two lines share a date of service"
        elif rule is not None and rule.shape == "pair" and rule.same_code and not repeated:
            out[info.id] = "it compares two lines of one code, and no date bills a code twice"
        elif rule is not None and rule.shape == "pair" and apart and not rule.across_providers:
            out[info.id] = apart
        elif rule is not None and rule.index_codes is not None and not codes & rule.index_codes:
            out[info.id] = "no line bills a code it checks"
        elif rule is not None and rule.index_modifiers is not None:
            out[info.id] = "no line carries a modifier it checks"
        elif rule is not None and rule.index_places is not None:
            out[info.id] = "no line has a place of service it checks"
        else:
            rows = rows_of.get(info.id, ())
            out[info.id] = (_edit_left_out(info.id, rows, codes, ev.view, ruleset.disables)
                            or _pair_unmet(rows, codes) or "no line bills a code it lists")
    for rule_id in FORMAT_RULES:
        if rule_id not in considered:
            out[rule_id] = "the built-in check found nothing wrong"
    for rule_id in validity.rule_sources(ruleset):
        if rule_id not in considered:
            out[rule_id] = _not_judged(rule_id, claim)
    left_out = _bill_left_out(ruleset, claim, ev.view)
    for kind in ("ptp", "mue", "addon"):
        rule_id = f"ncci.{kind}"
        served = {claim_type for claim_type in ("professional", "institutional")
                  if serving(list(ruleset.tables), kind, claim_type, ev.view.payer)}
        if kind == "mue" and served and MUE_UNPUBLISHED not in considered:
            out[MUE_UNPUBLISHED] = (left_out if left_out and claim.type in served
                                    else _all_published(claim, served, codes, ev.view))
        if not served or rule_id in considered or rule_id in out:
            continue
        if left_out and claim.type in served:
            out[rule_id] = left_out
        elif claim.type not in served:  # every table of the kind serves the other claim type
            out[rule_id] = f"its table serves {' and '.join(sorted(served))} claims, not {claim.type}"
        else:
            if kind == "ptp" and apart:
                reason = apart
            elif kind == "ptp":
                reason = (f"no two lines of one date form a pair of the table for {claim.type} claims"
                          + _pair_of_the_other_setting(ruleset, claim, ev, served))
            else:
                reason = {"mue": "the table has no limit for the codes of the claim",
                          "addon": "no line bills an add-on code of the table"}[kind]
            out[rule_id] = _table_left_out(kind, codes, ev.view, ruleset.disables) or reason
    return out


def _bill_left_out(ruleset, claim, view) -> str | None:
    """Why the claim's tables did not judge it, when its type of bill is one they do not judge (View.of_bill)."""
    if view.without_tables is not None or view is ruleset.view_for(claim.payer, claim.type):
        return None
    return (f"the claim's type of bill {claim.bill_type} is {m.PART_A_BILLS[claim.bill_type[:2]]}, which the "
            f"national edits do not judge: the hospital outpatient tables are for Part B claims (docs/tables.md)")


def _pair_of_the_other_setting(ruleset, claim, ev, served: set) -> str:
    """`` (the table for institutional claims has 70450 with 70805)`` when a PTP table of the other claim type
    has a pair of the claim's lines (a row in force on their date): its edits do not judge this claim. The
    table's rows only, not pairs written in rule files."""
    for other in sorted(served - {claim.type}):
        view = ruleset.view_for(claim.payer, other)
        tables = view.ptp_tables
        if tables is None:
            continue
        for day, group in _days(ev):
            index = tables.index(day)
            for a in group:
                for b in group:
                    if a is not b and any(row.indicator != 9 and row.active_on(day)
                                          for row in view.lookup.table_rows(index, a.code, b.code)):
                        return f" (the table for {other} claims has {a.code} with {b.code})"
    return ""


def _one_providers_date(days) -> bool:
    """Whether two lines of one date (``days``: :func:`_days`) are one provider's, which the edits that compare one
    provider's lines pair."""
    for _, group in days:
        providers = [line.provider for line in group]
        # (same_provider: a line naming none is any provider's)
        if len(group) > 1 and (None in providers or len(set(providers)) < len(providers)):
            return True
    return False


def _providers_apart(ev) -> str:
    """Why no two lines of a date were compared, though some share one: each is another rendering provider's (by
    the billing provider, every line of a date is one provider's)."""
    if ev.view.same_provider == "billing":  # (the payer's setting needs the claim's billing provider)
        setting = " (the claim names no `billing_npi`, which `same_provider = billing` compares by)"
    else:
        setting = " (a payer's `setting same_provider = billing` compares a group's lines)"
    return f"no two lines of one date are one provider's: lines compare by rendering provider{setting}"


def _days(ev) -> list:
    """(day, its lines) as the evaluation pairs and sums them: with a date span, on every day of the span."""
    return [(day, group) for day, group, _, _ in ev.span_days()] if ev.spans else list(ev.by_day.items())


def _all_published(claim, served: set, codes: set, view) -> str:
    """Why no line got ``ncci.mue.unpublished``: the MUE table serves other claims, or every code has a limit, in
    the table or in the rule files (whose rows or ``disable`` decide a code in its place)."""
    if claim.type not in served:
        return f"its table serves {' and '.join(sorted(served))} claims, not {claim.type}"
    malformed = " (a malformed code is format.code's: no table lists it)" if not all(map(is_procedure_code, codes)) \
        else ""
    codes = set(filter(is_procedure_code, codes))
    decided = sorted(code for code in codes if code in view.limits)
    if not decided:
        return "the table in force lists every code of the claim" + malformed
    return (f"the rule files decide the limit of {', '.join(decided)}"
            + ("" if len(decided) == len(codes) else "; the table in force lists the other codes") + malformed)


def _edit_left_out(block: str, rows, codes: set, view, disables) -> str | None:
    """Why the rows of an edit block were not looked at though the claim bills codes they list: a ``disable``
    or the rows of a more specific block took their key for this payer; or what its own ``disable`` rows did.
    None when the claim bills no code of its rows or its disables."""
    for row in rows:
        if isinstance(row, m.PairEdit):
            if row.column1 in codes and row.column2 in codes:
                taken = _taken("pair", (row.column1, row.column2), view, disables, block)
                if taken:
                    return f"its {taken}"
        elif row.code in codes:
            taken = _taken("limit" if isinstance(row, m.UnitLimit) else "addon", (row.code,), view, disables, block)
            if taken:
                return f"its {taken}"
    for disable in disables:
        if (disable.rule == block and set(disable.key) <= codes
                and disable.scope.applies_to(view.payer, view.claim_type)):
            return (f"no line bills a code of its rows; its `disable {disable.kind} {' with '.join(disable.key)}` "
                    f"({disable.source}) leaves every row of that key out for this claim")
    return None


def _pair_unmet(rows, codes: set) -> str | None:
    """Why the pair rows of a block were not looked at though the claim bills a code of one: the other code of
    the pair is not billed, or the two are not billed on one date (by one provider). None when no line bills a
    code of a pair row."""
    halves = []
    for row in rows:
        if isinstance(row, m.PairEdit):
            pair = f"{row.column1} with {row.column2}"
            if row.column1 in codes and row.column2 in codes:
                return f"no two lines of one date (and one provider) bill its pair {pair}"
            if row.column1 in codes or row.column2 in codes:
                halves.append((row, pair))
    if not halves:
        return None
    row, pair = halves[0]
    billed, missing = (row.column1, row.column2) if row.column1 in codes else (row.column2, row.column1)
    return f"no line bills both codes of a pair it lists: {billed} is billed, {missing} (of its pair {pair}) is not"


def _table_left_out(kind: str, codes: set, view, disables) -> str | None:
    """A key of the claim's codes that rule-file rows or a ``disable`` decide in place of the ``kind`` table."""
    if kind == "ptp":
        keys = [("pair", (a, b)) for a in sorted(codes) for b in sorted(view.pairs.get(a, {})) if b in codes]
    else:
        kind = "limit" if kind == "mue" else "addon"
        found = view.limits if kind == "limit" else view.addons
        keys = [(kind, (code,)) for code in sorted(codes) if code in found]
    for kind, key in keys:
        taken = _taken(kind, key, view, disables, None)
        if taken:
            return f"the rule files decide in its place: {taken}"
    return None


def _taken(kind: str, key: tuple, view, disables, block: str | None) -> str | None:
    """How ``kind`` ``key`` is decided in ``view`` if not by the rows of ``block`` (None: a table's), with the
    key: ``pair A with B: disabled by ...``. None when ``block``'s rows decide it (or no rule-file row does)."""
    how = _decided_by(kind, key, view, disables, block)
    return f"{kind} {' with '.join(key)}: {how}" if how else None


def _decided_by(kind: str, key: tuple, view, disables, block: str | None, day: int | None = None) -> str | None:
    """:func:`_taken` without the key: disabled, or replaced by the rows of another block; with ``day``, also
    when none of the replacing rows is in force on it (the replaced rows stay off all the same)."""
    if kind == "pair":
        chosen = view.pairs.get(key[0], {}).get(key[1])
    else:
        chosen = (view.limits if kind == "limit" else view.addons).get(key[0])
    if chosen == ():  # `select` found a disable that applies: the most specific one decides
        disable = max((d for d in disables if d.kind == kind and d.key == key
                       and d.scope.applies_to(view.payer, view.claim_type)), key=lambda d: d.scope.level)
        return f"disabled by `{disable.rule}` ({disable.source})"
    if chosen and all(other.block.info.id != block for other in chosen):
        how = f"replaced by `{chosen[0].block.info.id}` ({chosen[0].source})"
        if day is not None and not any(other.active_on(day) for other in chosen):
            date, only = format_date(day), chosen[0]
            how += (f", whose row applies {window_text(only.start, only.end)}, not on {date}" if len(chosen) == 1
                    else f", none of whose rows is in force on {date}")
        return how
    return None


def _not_judged(rule_id: str, claim) -> str:
    """Why a code-set rule the ruleset has was not looked at for ``claim``."""
    if rule_id == validity.MODIFIER:
        return "no line carries a modifier"
    if claim.diagnosis_system == "icd9":
        return "the claim's diagnoses are ICD-9-CM"
    if not claim.diagnoses:
        return "the claim has no diagnoses"
    return "no diagnosis is shaped like an ICD-10-CM code"


def _acted_on(rule, line, other, ev: Evaluation) -> tuple:
    """(lines, related lines) a finding of ``rule`` on ``line`` (and ``other``, for a pair rule) has."""
    if other is None:
        return (ev.all_lines if rule.target == "claim" else (line.number,)), ()
    if rule.target == "other":
        return (other.number,), (line.number,)
    if rule.target == "both":
        return tuple(sorted((line.number, other.number))), ()
    return (line.number,), (other.number,)


class _Tracer:
    def __init__(self, ev: Evaluation, lookup, result, disables):
        self.ev = ev
        self.lookup = lookup
        self.result = result
        self.disables = disables  # the ruleset's `disable` rows, to name the one that takes a table pair off
        self.steps: list[Step] = []
        # (rule id, lines) of a `both` pair rule that fired -> (the order's sort key, its step's index): the
        # evaluator reports such a rule once per pair of lines, worded by the order of the codes.
        self._both: dict = {}
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
                            and _condition(rule.condition, self.ev, line, None)[0] == "fired":
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
            outcome, detail = _condition(rule.condition, self.ev, None, None)
            if outcome == "fired":
                detail = rule.message.render(self.ev, None, None)
            self.add(rule.info.id, rule.info.kind, outcome, lines, detail, source=rule.info.source)

    def _rule(self, rule, line, other, verdict: tuple | None = None) -> str:
        """A step for a line or pair rule, on the lines its finding acts on (as the evaluator's); a pair rule on
        the lines' first date (a line with a date span too). ``verdict``: what :func:`_condition` says of the
        condition on a date within the rule's, when known. Returns the step's outcome."""
        info = rule.info
        lines, related = _acted_on(rule, line, other, self.ev)
        if verdict is None:
            window = _outside(rule.scope, line.date)
            if window:
                shown = (line.number,) if other is None and rule.target == "claim" else lines
                self.add(info.id, info.kind, "out of dates", shown, window, related, info.source)
                return "out of dates"
            verdict = _condition(rule.condition, self.ev, line, other)
        outcome, detail = verdict
        if outcome != "fired" and other is None and rule.target == "claim":
            lines = (line.number,)  # (`once per claim`: a line that does not meet it is the step's, not the claim)
        if outcome == "fired":
            detail = rule.message.render(self.ev, line, other)
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
        days = _days(self.ev)
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
        (:class:`_PairCondition`)."""
        ev = self.ev
        codes = {line.code for line in group}
        chosen: dict = {}  # id(rule) -> (its `other` lines by their codes, its condition)
        for a in group:
            for rule in self.lookup.pair_rules(a):
                found = chosen.get(id(rule))
                if found is None:
                    found = chosen[id(rule)] = (other_lines(ev, rule, group, codes, None), _PairCondition(ev, rule))
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
        for day, group in _days(self.ev):
            index = tables.index(day)
            for a in group:
                for b in group:
                    if (a is b or a.code == b.code or view.pairs.get(a.code, {}).get(b.code) is not None
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
        from .compiler.corrections import change_on, change_text, version_label

        found = self._versions(loaded_tables)
        if found is None:
            return
        view, tables, versions = found
        newest = len(versions) - 1
        for day, group in _days(self.ev):
            index = tables.index(day)
            if index == newest:
                continue
            for a in group:
                for b in group:
                    if (a is b or a.code == b.code or view.pairs.get(a.code, {}).get(b.code) is not None
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
        from .compiler.corrections import change_on, change_text, version_label
        from .diff.describe import addon_value

        found = self._versions(loaded_tables, "addon")
        if found is None:
            return
        view, tables, versions = found
        newest = len(versions) - 1
        for line in self.ev.lines:
            index = tables.index(line.day)
            if index == newest or view.addons.get(line.code) is not None:
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
                     f"edit: {change_text('addon', change)} ({_addon_rows_text(rows[1], change)}); {day_text(line, line.day)} is judged by "
                     f"{version_label(versions[index])} as published")

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
        rule-file `disable` takes off or rule-file rows replace (those in force on the date or not)."""
        view = self.ev.view
        tables = view.ptp_tables
        if not view.pairs or tables is None:
            return
        index = tables.index(day)
        for a in firsts:
            overlay = view.pairs.get(a.code)
            if not overlay:
                continue
            for b in group:
                if a is b or overlay.get(b.code) is None or not same_provider(a, b):
                    continue
                how = None
                for row in self.lookup.table_rows(index, a.code, b.code):
                    if not row.active_on(day):
                        continue
                    how = how or _decided_by("pair", (a.code, b.code), view, self.disables, None, day)
                    earlier = ", paid on an earlier claim" if a.number is None else ""
                    self.add(row.block.info.id, row.block.info.kind, "silent", (b.number,),
                             f"{a.code} (column 1{earlier}) with {b.code} (column 2): {how}",
                             (a.number,) if a.number is not None else (), row.source)

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
                self._limit(row, (line,), units, f"{line.code}: {_units(units)} on the line, limit {row.max_units} "
                            "per line (MAI 1)")
            else:
                groups.setdefault((line.code, line.day), (row, []))[1].append(line)
        _add_earlier_units(self.ev, groups)
        for (code, day), (row, lines) in groups.items():
            for subgroup in _provider_groups(lines):
                if not any(line.number is not None for line in subgroup):
                    continue  # paid lines alone: nothing of this claim to judge (as evaluate skips them)
                total = units_total(subgroup)
                note = _other_providers(self.ev, code, day, subgroup, row)
                self._limit(row, subgroup, total, f"{code}: {_units(total)} on {format_date(day)} "
                            f"({note or 'lines summed'}), limit {row.max_units} per day (MAI {row.mai})", note=note)

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
            if row.mai == 1:
                detail = (f"{line.code}: {_units(units)} a day on the line on {date}, limit {row.max_units} per line "
                          "(MAI 1)")
            else:
                note = _other_providers(self.ev, row.code, day, lines, row)
                detail = (f"{row.code}: {_units(units)} on {date} ({note or 'lines summed'}), "
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
        if view.mue_tables is None or view.limits.get(line.code) is None:
            return
        for row in view.mue_tables.at(line.day).get(line.code, ()):
            how = _decided_by("limit", (line.code,), view, self.disables, None, line.day)
            self.add(row.block.info.id, row.block.info.kind, "silent", (line.number,), f"{line.code}: {how}",
                     source=row.source)

    def _limit(self, row, lines, units, detail: str, day: int | None = None, note: str = "") -> None:
        """A step of one limit judged; ``note``: added to a finding's message (the lines left out of a sum)."""
        info = row.block.info
        numbers = tuple(line.number for line in lines if line.number is not None)
        if over_limit(row, units, lines):
            message = _limit_finding(row, lines, units, day).message
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
            if self.ev.view.addons.get(line.code) == ():
                self._disabled_addon(line)

    def _disabled_addon(self, line) -> None:
        """A silent step for each add-on edit in force of ``line``'s code that a rule-file `disable addon` takes
        off (the table's, or a less specific block's)."""
        how = _decided_by("addon", (line.code,), self.ev.view, self.disables, None)
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
        if view.addon_tables is None or not view.addons.get(line.code):
            return
        row = next((r for r in view.addon_tables.at(line.day).get(line.code, ()) if r.active_on(line.day)), None)
        if row is not None:
            how = _decided_by("addon", (line.code,), view, self.disables, None, line.day)
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
                     addon_message(self.ev, line, rows, edit.refused, edit.unsupported)
                     + (self._ended(line, rows) if not named else ""),
                     edit.related, row.source)
        elif edit.paid:
            self.add(info.id, info.kind, "silent", (line.number,),
                     f"{line.code}: {primaries_text(edit.paid)} paid", tuple(edit.paid), row.source)
        else:
            self.add(info.id, info.kind, "silent", (line.number,),
                     f"{line.code}: {earlier_text(edit.earlier)}", (), row.source)

    def _ended(self, line, rows: list) -> str:
        """``; line 1's 77066 is listed at aoc_v2026q3.csv:4``: the lines of the add-on's date (and provider) whose
        code the edit lists as a primary until a deletion date before it (the finding's message names their codes
        and those dates; this, the rows that list them); "" if none."""
        ended = []
        for other in meeting_lines(self.ev, line):
            if other is line or not same_practitioner(line, other):
                continue
            for r in rows:
                end = r.primary_ended(other.code, max(line.day, other.day))
                if end is not None:
                    source = (r.primary_sources or {}).get(other.code, r.source)
                    ended.append(f"line {other.number}'s {other.code} is listed at {source}")
                    break
        return "".join("; " + text for text in ended)


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
    parts = [_lines_label([line.number for line in others])] if others else []
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
    return f"{_lines_label(numbers)} ({', '.join(codes)})"


def _code_label(line) -> str:
    """A line's code, or ``revenue code 0255`` for a line that gives a revenue code alone."""
    return line.code if line.code is not None else f"revenue code {line.line.revenue_code}"


def _units(value) -> str:
    return f"{_number(value)} unit{'s' if value != 1 else ''}"


def _outside(scope, date: dt.date) -> str | None:
    day = date.toordinal()
    if scope.start is not None and day < scope.start:
        return f"{date.isoformat()} is before the rule takes effect ({format_date(scope.start)})"
    if scope.end is not None and day > scope.end:
        return f"{date.isoformat()} is after the rule ends ({format_date(scope.end)})"
    return None


def _text(node) -> str:
    return " ".join(getattr(node, "text", "").split()) or "the condition"


def _condition(node, ev, line, other) -> tuple[str, str]:
    """(``fired`` or ``silent``, why): the first part of the top-level ``and``, as written, that is false;
    else the first that is unknown (a false part decides the condition, an unknown one does not)."""
    parts = _written(node)
    unknown = None
    for part in parts:
        answer = part.test(ev, line, other)
        if answer is False:
            outcome, why = _false(part)
            return outcome, why + _counted(part, ev, line, other)
        if answer is None and unknown is None:
            unknown = part
    if unknown is not None:
        outcome, why = _unknown(unknown)
        return outcome, why + _counted(unknown, ev, line, other)
    return _true(node, parts)  # (a fired step quotes the finding's message)


def _counted(part, ev, line, other) -> str:
    """What the history operands of a comparison came to, and the claim's units, which its text does not show:
    `; the count is 2`, `; 45 days since the last`, `; the units add up to 3`; "" for any other part, and in a pair rule (whose steps _PairCondition words
    once for many pairs). (Counts and intervals only: no claim value.)"""
    if other is not None:
        return ""
    shown = []
    for operand in _compared(part):
        if type(operand) is HistoryCount:
            shown.append(f"the count is {operand.get(ev, line, other)}")
        elif type(operand) is SinceLast:
            value = operand.get(ev, line, other)
            shown.append("no earlier service" if value is None else f"{value} {operand.unit} since the last")
        elif type(operand) is ClaimUnits:
            value = operand.get(ev, line, other)
            if value is not None:  # (unknown: the line's code has no value of the property; the step says so)
                shown.append(f"the units add up to {render_value(value, 'number')}")
    return "".join(f"; {text}" for text in shown)


def _compared(part) -> list:
    """The operands of the comparisons in ``part``, inside `not`, `or` and `and` too (`not claim units of X > 1`
    says what the sum came to, as `claim units of X > 1` does), each once, in the order written."""
    kind = type(part)
    if kind is Compare:
        return [part.left, part.right]
    if kind is Between:
        return [part.operand, part.low, part.high]
    if kind is Not:
        return _compared(part.part)
    if kind is Or or kind is And:
        found = []
        for inner in (getattr(part, "written", None) or part.parts):
            found.extend(operand for operand in _compared(inner) if operand not in found)
        return found
    return []


def _written(node) -> tuple:
    """The parts of a condition's top-level ``and`` as written."""
    return getattr(node, "written", None) or conjuncts(node)


def _false(part) -> tuple[str, str]:
    return "silent", f"`{_text(part)}` is false"


def _unknown(part) -> tuple[str, str]:
    return "silent", f"`{_text(part)}` is unknown (a value it needs is missing)"


def _true(node, parts) -> tuple[str, str]:
    if len(parts) == 1:
        return "fired", f"`{_text(node)}` is true"
    return "fired", f"all {len(parts)} parts of the condition are true"


class _PairCondition:
    """A pair rule's condition judged as :func:`_condition` judges it, on many pairs of one date: the parts that
    read ``line`` alone or ``other`` alone (:func:`radrules.condition_reads.pair_side`, as the evaluator splits
    them for a big date) are asked once a line, and a pair asks the parts that read both lines only up to the
    first part found false."""

    def __init__(self, ev, rule):
        self.ev = ev
        self.parts = parts = _written(rule.condition)
        sides = [pair_side(part) for part in parts]
        self.line_side, self.other_side, self.rest = ([i for i, side in enumerate(sides) if side == wanted]
                                                      for wanted in (0, 1, 2))
        self.verdicts = [(_false(part), _unknown(part)) for part in parts]
        self.true = _true(rule.condition, parts)
        self.others: dict = {}  # id(other line) -> (first false part, first unknown part) of the `other` side

    def of_line(self, line) -> tuple:
        """(first false part, first unknown part) of the `line` side for ``line``, by their places in the
        condition (its length: none); the first unknown part found before the first false one."""
        return self._first(self.line_side, line, None)

    def judge(self, answers: tuple, line, other) -> tuple[str, str]:
        """:func:`_condition` for ``line`` (its side's ``answers``, from :meth:`of_line`) with ``other``."""
        found = self.others.get(id(other))
        if found is None:
            found = self.others[id(other)] = self._first(self.other_side, None, other)
        false = min(answers[0], found[0])
        unknown = min(answers[1], found[1])
        for i in self.rest:
            if i > false:  # a part after a false one decides nothing
                break
            answer = self.parts[i].test(self.ev, line, other)
            if answer is False:
                false = i
                break
            if answer is None and i < unknown:
                unknown = i
        if false < len(self.parts):
            return self.verdicts[false][0]
        if unknown < len(self.parts):
            return self.verdicts[unknown][1]
        return self.true

    def _first(self, places: list, line, other) -> tuple[int, int]:
        false = unknown = len(self.parts)
        for i in places:
            answer = self.parts[i].test(self.ev, line, other)
            if answer is False:
                return i, unknown
            if answer is None and unknown > i:
                unknown = i
        return false, unknown


def _addon_rows_text(rows, change: tuple) -> str:
    """The newest file's rows that make an add-on ``change``: those listing the primaries it adds or deletes,
    else the edit's first rows (at most two shown); ``no row`` if the file has none of the code."""
    _day, old, new = change
    changed = old ^ new if isinstance(old, frozenset) and isinstance(new, frozenset) else ()
    named = [row.primary_sources[code] for row in rows for code in sorted(changed)
             if row.primary_sources and code in row.primary_sources]
    named = list(dict.fromkeys(named)) or [row.source for row in rows]
    return ", ".join(named[:2]) or "no row"
