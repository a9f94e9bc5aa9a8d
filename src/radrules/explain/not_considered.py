"""Why the rules an evaluation never looked at were left out (``Explanation.not_considered``).

:func:`why_not_considered` gives a reason for each rule, edit block, built-in check and CMS table of the
ruleset that no step names: another payer or claim type, no line billing a code it is filed under, no
two lines on one date, no history given, a rule-file row or ``disable`` that decides a key in a
table's place. Two of its helpers serve the tracer (:mod:`.tracer`) too: :func:`day_groups`, a claim's
lines by the days they are paired and summed on, and :func:`decided_by`, how a rule-file row or a
``disable`` took a table's row off.
"""

from __future__ import annotations

from .. import model as m
from .. import validity
from ..checks import FORMAT_RULES
from ..claim import frequency_of
from ..codes import is_procedure_code
from ..evaluation import last_day
from ..model import MUE_UNPUBLISHED, format_date, on_day, window_text
from ..tables import serving


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


def why_not_considered(ruleset, claim, ev, considered: set, history_given: bool) -> dict:
    """Why each rule the evaluation did not look at was left out."""
    out = {}
    payer = claim.payer.lower() if claim.payer else None
    codes = {line.code for line in ev.lines}
    code_days: dict = {}  # code -> the dates of its lines, on which rule-file rows of a key decide it
    code_spans: dict = {}  # code -> (first, last day) of each of its lines (a date span's every day)
    for line in ev.lines:
        code_days.setdefault(line.code, set()).add(line.day)
        code_spans.setdefault(line.code, []).append((line.day, last_day(line)))
    days = day_groups(ev)
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
            out[info.id] = (_edit_left_out(info.id, rows, code_days, ev.view, ruleset.disables, code_spans, days)
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
                                    else _all_published(claim, served, code_days, ev.view))
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
            out[rule_id] = _table_left_out(kind, code_days, ev.view, ruleset.disables) or reason
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
        for day, group in day_groups(ev):
            index = tables.index(day)
            for a in group:
                for b in group:
                    if a is not b and any(row.indicator != 9 and row.active_on(day)
                                          for row in view.lookup.table_rows(index, a.code, b.code)):
                        return f" (the table for {other} claims has {a.code} with {b.code})"
    return ""


def _one_providers_date(days) -> bool:
    """Whether two lines of one date (``days``: :func:`day_groups`) are one provider's, which the edits that compare one
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


def day_groups(ev) -> list:
    """(day, its lines) as the evaluation pairs and sums them: with a date span, on every day of the span."""
    return [(day, group) for day, group, _, _ in ev.span_days()] if ev.spans else list(ev.by_day.items())


def _all_published(claim, served: set, code_days: dict, view) -> str:
    """Why no line got ``ncci.mue.unpublished``: the MUE table serves other claims, or every code has a limit, in
    the table or in the rule files (whose rows or ``disable`` decide a code in its place on its lines' dates)."""
    codes = set(code_days)
    if claim.type not in served:
        return f"its table serves {' and '.join(sorted(served))} claims, not {claim.type}"
    malformed = " (a malformed code is format.code's: no table lists it)" if not all(map(is_procedure_code, codes)) \
        else ""
    codes = set(filter(is_procedure_code, codes))
    decided = sorted(code for code in codes
                     if any(on_day(view.limits.get(code), day) is not None for day in code_days[code]))
    if not decided:
        return "the table in force lists every code of the claim" + malformed
    return (f"the rule files decide the limit of {', '.join(decided)}"
            + ("" if len(decided) == len(codes) else "; the table in force lists the other codes") + malformed)


def _edit_left_out(block: str, rows, code_days: dict, view, disables, code_spans: dict, days=()) -> str | None:
    """Why the rows of an edit block were not looked at though the claim bills codes they list (``code_days``:
    each code's dates; ``code_spans``: the days of its lines; ``days``: :func:`day_groups`, on which a pair's two
    codes meet): a ``disable`` or the rows of a more specific block took their key for this payer; or what its
    own ``disable`` rows did, or that they are not in force on the lines' days. None when the claim bills no code
    of its rows or its disables."""
    codes = set(code_days)
    for row in rows:
        if isinstance(row, m.PairEdit):
            met = _pair_days(days, row.column1, row.column2)
            if met:
                taken = _taken("pair", (row.column1, row.column2), view, disables, block, met, row)
                if taken:
                    return f"its {taken}"
        elif row.code in codes:
            taken = _taken("limit" if isinstance(row, m.UnitLimit) else "addon", (row.code,), view, disables, block,
                           code_days[row.code], row)
            if taken:
                return f"its {taken}"
    for disable in disables:
        if (disable.rule == block and set(disable.key) <= codes
                and disable.scope.applies_to(view.payer, view.claim_type)):
            what = f"`disable {disable.kind} {' with '.join(disable.key)}` ({disable.source})"
            start, end = disable.scope.start, disable.scope.end
            # the days the key is judged on: an add-on line's first day, those a pair's codes meet on, every day of
            # a span for a limit (for a pair whose codes meet on no day, its column 2 code's)
            met = [(day, day) for day in sorted(_pair_days(days, *disable.key))] if disable.kind == "pair" else []
            spans = met or ([(day, day) for day in code_days[disable.key[-1]]] if disable.kind == "addon"
                            else code_spans[disable.key[-1]])
            lead = "no line bills a code of its rows; its" if rows else "it holds `disable` rows only: its"
            if not any(disable.scope.meets(first, last) for first, last in spans):
                return (f"{lead} {what} applies {window_text(start, end)}, not on "
                        f"{format_date(min(first for first, _ in spans))}")
            if all((start is None or start <= first) and (end is None or last <= end) for first, last in spans):
                return f"{lead} {what} leaves every row of that key out for this claim"
            return f"{lead} {what} leaves every row of that key out on its dates, {window_text(start, end)}"
    return None


def _pair_days(days, column1: str, column2: str) -> set:
    """The days of ``days`` (:func:`day_groups`) on which a line of ``column1`` and one of ``column2`` meet (those
    on which rule-file rows of their pair decide it)."""
    return {day for day, group in days
            if any(line.code == column1 for line in group) and any(line.code == column2 for line in group)}


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


def _table_left_out(kind: str, code_days: dict, view, disables) -> str | None:
    """A key of the claim's codes that rule-file rows or a ``disable`` decide in place of the ``kind`` table on
    the dates of its lines (``code_days``)."""
    codes = set(code_days)
    if kind == "ptp":
        keys = [("pair", (a, b)) for a in sorted(codes) for b in sorted(view.pairs.get(a, {})) if b in codes]
    else:
        kind = "limit" if kind == "mue" else "addon"
        found = view.limits if kind == "limit" else view.addons
        keys = [(kind, (code,)) for code in sorted(codes) if code in found]
    for kind, key in keys:
        taken = _taken(kind, key, view, disables, None, code_days[key[-1]])
        if taken:
            return f"the rule files decide in its place: {taken}"
    return None


def _taken(kind: str, key: tuple, view, disables, block: str | None, days=(), own=None) -> str | None:
    """How ``kind`` ``key`` is decided in ``view`` if not by the rows of ``block`` (None: a table's; ``own``: its
    row of the key), with the key: ``pair A with B: disabled by ...``; ``days``: the dates of the claim's lines of
    the key. None when ``block``'s rows decide it (or no rule-file row does)."""
    how = decided_by(kind, key, view, disables, block, days=days, own=own)
    return f"{kind} {' with '.join(key)}: {how}" if how else None


def _disabling(kind: str, key: tuple, view, disables, day: int | None):
    """The most specific ``disable`` of the key that applies to the view (and is in force on ``day``)."""
    return max((d for d in disables if d.kind == kind and d.key == key
                and d.scope.applies_to(view.payer, view.claim_type) and (day is None or d.scope.active_on(day))),
               key=lambda d: d.scope.level)


def _in_force(rows, day: int):
    """The first of ``rows`` in force on ``day`` (the one that decides it), or None."""
    return next((row for row in rows or () if row.active_on(day)), None)


def decided_by(kind: str, key: tuple, view, disables, block: str | None, day: int | None = None,
               days=(), own=None) -> str | None:
    """:func:`_taken` without the key: disabled, or replaced by the rows of another block (on a date the rows chosen
    for it replace it, one of them is in force: :func:`~radrules.compiler.selection.select`). Rule-file rows
    that decide the key on some dates only (a :class:`~radrules.model.Timeline`) are read on ``day``, else on the
    first of ``days``, which the text then names. ``block``'s row ``own`` out of its dates on that date is said to
    be, with what decides the date instead: a row of its level in force, less specific rows, a ``disable`` or the
    tables. A replacing block named is that of the row in force on the date, if one is."""
    if kind == "pair":
        chosen = view.pairs.get(key[0], {}).get(key[1])
    else:
        chosen = (view.limits if kind == "limit" else view.addons).get(key[0])
    on, dated = day, ""
    if chosen.__class__ is m.Timeline:
        if on is None and days:
            on = min(days)
            dated = f" on {format_date(on)}"
        chosen = chosen.at(on) if on is not None else None
    first = on if on is not None else min(days, default=None)
    if (own is not None and first is not None and not own.active_on(first)
            and (not chosen or chosen[0].block.scope.level <= own.block.scope.level)):
        # the block's row is out of its dates: a row of its level in force, less specific rows, a disable or the
        # tables decide that date (a row in force on it that a `disable` takes off is disabled, said below)
        decider = _in_force(chosen, first)
        if decider is not None and decider.block.info.id == block:
            return None  # (another row of the block decides)
        where = ("" if chosen is None or (chosen and decider is None)
                 else f", where `{decider.block.info.id}` ({decider.source}) decides" if chosen
                 else f", where `{_disabling(kind, key, view, disables, first).rule}` disables it")
        return f"the row applies {window_text(own.start, own.end)}, not on {format_date(first)}{where}"
    if chosen == ():  # `select` found a disable that applies: the most specific one in force decides
        disable = _disabling(kind, key, view, disables, on)
        return f"disabled by `{disable.rule}` ({disable.source}){dated}"
    if chosen and all(other.block.info.id != block for other in chosen):
        shown = (_in_force(chosen, on) if on is not None else None) or chosen[0]
        return f"replaced by `{shown.block.info.id}` ({shown.source}){dated}"
    if kind == "limit" and chosen and first is not None and block is not None:
        applied = _in_force(chosen, first)  # a code has one limit a date: the first row in force
        if applied is not None and applied.block.info.id != block:
            return (f"the row of `{applied.block.info.id}` ({applied.source}) comes first on {format_date(first)} "
                    "(a code has one limit a date)")
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
