"""Evaluation: a compiled ruleset and a claim in, a :class:`~radrules.result.Result` out.

Order (domain.md §10.4): format checks, code validity (when a HCPCS or
ICD-10-CM table is loaded), then every line rule, pair edit, unit limit and
claim rule (they do not look at each other's results), then add-on codes,
which need to know which primaries were denied. Findings are
reported in the deterministic order of :meth:`Finding.sort_key`.

Rules, rows and tables are reached through a *lookup*. The indexed lookup
visits only what is filed under a line's code, modifiers or code pair; the
scan lookup (``indexed=False``) checks every rule and row of the ruleset and
exists so tests can prove both agree. The stages below are shared.

A line with a date span is on every day of its span. Most claims have none:
:class:`Evaluation` tells once per claim (``spans``), and only a claim with a
span takes the stages' span paths (``_span_pairs``, ``_span_unit_limits``),
which judge the days of :meth:`Evaluation.span_days`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from operator import attrgetter

from . import checks, validity
from .claim import Claim, checked
from .codes import normalize_diagnosis
from .conditions import KEY_ATTRS_BUT_CODE, reads_only_key, same_provider
from .model import ANATOMIC_MODIFIERS, MUE_UNPUBLISHED, OTHER_BYPASS_MODIFIERS, View, format_date
from .history import lines_of
from .result import Finding, Result, build_result

_EMPTY = ()
#: How many (code, modifiers, place) keys an indexed lookup remembers the line rules of.
RULE_CACHE_KEYS = 100_000
#: How many PTP code pairs an indexed lookup remembers the table rows of.
ROW_CACHE_PAIRS = 20_000
_NO_MODIFIERS = frozenset()
_LINE_NUMBERS = tuple(tuple(range(1, count + 1)) for count in range(100))
_CODE = attrgetter("code")  # set(map(_CODE, lines)) is quicker than a set comprehension


@functools.lru_cache(maxsize=4096)
def normalized(diagnoses: tuple) -> tuple:
    """A claim's diagnoses normalised (claims repeat a few diagnosis lists)."""
    return tuple([normalize_diagnosis(d) for d in diagnoses])


class LineView:
    """One claim line prepared for evaluation (1-based ``number``).

    The attributes rules read on every line are copied; the rest are read
    from the claim line when asked. A line view holds no reference to its
    :class:`Evaluation`, so an evaluation is freed as soon as it ends, not by
    the cycle collector.
    """

    __slots__ = ("number", "line", "code", "modifiers", "modset", "units", "date", "day", "end_day",
                 "rendering_npi", "pos", "_dx", "_diagnoses", "_every")

    def __init__(self, number: int, line, place: str | None, diagnoses: tuple, every: bool = False):
        """``place``: the claim's place of service; ``diagnoses``: the claim's diagnoses; ``every``: a line
        without pointers has them all (an institutional claim: UB-04 lines carry no pointers)."""
        self.number = number
        self.line = line
        self.code = line.code
        modifiers = self.modifiers = line.modifiers
        self.modset = frozenset(modifiers) if modifiers else _NO_MODIFIERS
        self.units = line.units
        date = self.date = line.date
        self.day = date.toordinal()
        end = line.end_date
        self.end_day = end.toordinal() if end is not None else None
        self.rendering_npi = line.rendering_npi
        self.pos = line.place_of_service or place  # the line's, else the claim's
        self._diagnoses = diagnoses
        self._every = every

    @property
    def dxset(self) -> frozenset:
        """The (normalised) diagnoses this line points to (made when first asked)."""
        try:
            return self._dx
        except AttributeError:
            diagnoses = normalized(self._diagnoses)
            count = len(diagnoses)
            pointers = self.line.diagnosis_pointers
            if not pointers and self._every:
                self._dx = frozenset(diagnoses)
            else:
                self._dx = frozenset([diagnoses[p - 1] for p in pointers if p <= count])
            return self._dx

    @property
    def first_modifier(self):
        return self.modifiers[0] if self.modifiers else None

    @property
    def charge(self):
        return self.line.charge

    def billed_units(self) -> int | float:
        """Units per day: a date span divides the units, rounded to nearest (§2.1)."""
        if self.end_day is None or self.end_day <= self.day:
            return self.units
        days = self.end_day - self.day + 1
        return int(self.units / days + 0.5)


class HistoryView:
    """A paid line of an earlier claim, seen like a claim line (it has no line number)."""

    __slots__ = ("number", "code", "modifiers", "modset", "units", "date", "day", "end_day", "rendering_npi",
                 "claim_type")

    def __init__(self, line):
        self.number = None
        self.claim_type = line.claim_type  # of the earlier claim; None: not given
        self.code = line.code
        self.modifiers = line.modifiers
        self.modset = frozenset(line.modifiers)
        self.units = line.units
        self.date = line.date
        self.day = line.date.toordinal()
        self.end_day = None
        self.rendering_npi = line.rendering_npi

    def billed_units(self):
        return self.units


def authorization_statuses(claim: Claim, lines) -> tuple | None:
    """The authorization status of each line (domain.md §7.1), None without records.

    A line (all the days of a span) must fall within a record's dates. Units
    are counted per record and code: the lines are taken by date (claim order
    within a date), each using units of the record in force that ends first
    (then: fewest units left, earliest start, and so on by content, never by
    the records' order) and has units of its code left; the lines past an
    authorized count are `over_units`. Every line of the code counts, also
    one the payer's rules exempt (they can't tell the records which).
    """
    records = claim.authorizations
    if records is None:
        return None
    if not claim.prior_auth:
        return ("no_number",) * len(lines)
    numbers = set(claim.prior_auth)
    by_code: dict = {}  # code -> the claim's numbers' records that authorize it
    for record in records:
        if record.number in numbers:
            for code in record.codes:
                by_code.setdefault(code, []).append(record)
    if not by_code:  # (every record has a code)
        return ("unknown_number",) * len(lines)
    out = [""] * len(lines)
    left: dict = {}  # (id of the record, code) -> units left

    def units_left(record, code):
        return left.get((id(record), code), record.units)

    def preference(record, code):
        units = units_left(record, code)
        return (record.end, units is None, units or 0, record.start, record.number, sorted(record.codes))

    for position, line in sorted(enumerate(lines), key=lambda item: item[1].day):
        covering = by_code.get(line.code)
        if not covering:
            out[position] = "other_code"
            continue
        end = line.line.end_date or line.date
        first, last = min(line.date, end), max(line.date, end)  # a reversed span (format.end_date) as a span
        in_force = [record for record in covering if record.start <= first and last <= record.end]
        if not in_force:
            out[position] = "out_of_dates"
            continue
        code = line.code
        out[position] = "over_units"
        for record in sorted(in_force, key=lambda record: preference(record, code)):
            units = units_left(record, code)
            if units is None or units >= line.units:
                if units is not None:
                    left[(id(record), code)] = units - line.units
                out[position] = "valid"
                break
    return tuple(out)


def last_day(line) -> int:
    """The last day of a line: its span's last, else its date (also for a span that ends before it starts)."""
    return line.end_day if line.end_day is not None and line.end_day > line.day else line.day


def meeting_days(ev, line) -> list:
    """(other line, the first day it shares with ``line``) for each line of ``ev`` that shares a day with ``line``
    (``line`` too), in claim order: two lines meet iff the later one starts within the earlier."""
    first, last = line.day, last_day(line)
    return [(other, max(first, other.day)) for other in ev.lines if other.day <= last and first <= last_day(other)]


def paid_history(claim: Claim, history) -> tuple:
    """The paid lines of the patient's earlier claims up to the claim's last date (a span's last day), by date."""
    last = max(line.end_date if line.end_date is not None and line.end_date > line.date else line.date
               for line in claim.lines)
    paid = [HistoryView(line) for line in lines_of(history, claim.patient.id, None, last) if line.status == "paid"]
    paid.sort(key=lambda line: line.day)
    return tuple(paid)


class Evaluation:
    """Per-call state: the claim prepared for rules. Never shared between calls."""

    __slots__ = ("claim", "view", "claim_id", "claim_type", "payer", "place_of_service", "prior_auth", "received",
                 "line_count", "birth_date", "birth", "sex", "_diagnoses", "lines", "codes", "all_lines",
                 "by_day", "lookup", "history", "_prior", "_authorization", "_provider_history", "spans", "pair_day",
                 "_span_days")

    def __init__(self, claim: Claim, view: View):
        self.claim = claim
        self.view = view
        self.claim_id = claim.id
        self.claim_type = claim.type
        self.payer = claim.payer.lower() if claim.payer else None
        self.place_of_service = claim.place_of_service
        self.prior_auth = claim.prior_auth or None
        received = claim.received
        self.received = received.toordinal() if received is not None else None
        self.line_count = len(claim.lines)
        patient = claim.patient
        birth = patient.birth_date
        self.birth_date = birth
        self.birth = birth.toordinal() if birth is not None else None
        self.sex = patient.sex
        self._diagnoses = None
        lines = []
        by_day: dict[int, list] = {}
        place, diagnoses = claim.place_of_service, claim.diagnoses
        every = claim.type == "institutional"
        spans = False
        for number, line in enumerate(claim.lines, 1):
            view_ = LineView(number, line, place, diagnoses, every)
            lines.append(view_)
            group = by_day.get(view_.day)
            if group is None:
                by_day[view_.day] = [view_]
            else:
                group.append(view_)
            if view_.end_day is not None and view_.end_day > view_.day:
                spans = True
        # Whether a line spans days: then the stages that pair or sum lines by date judge the days of
        # span_days(), where a line is on every day of its span; else the lines of by_day (most claims).
        self.spans = spans
        self.lines = lines
        self.codes = set(map(_CODE, lines))  # the claim's procedure codes
        count = len(lines)  # the line numbers, for findings on the whole claim:
        self.all_lines = _LINE_NUMBERS[count] if count < len(_LINE_NUMBERS) else tuple(range(1, count + 1))
        self.by_day = by_day
        self.history = _EMPTY  # paid lines of earlier claims (HistoryView), by date
        self._prior = None

    def provider_history(self) -> tuple:
        """The paid earlier lines that can be this claim's provider's: those of claims of its type, or of no type
        given. The hospital's institutional claim and the radiologist's professional one bill one service, a
        component each, as two providers; the patient's history as a whole (frequency limits) is
        :attr:`history`."""
        try:
            return self._provider_history
        except AttributeError:  # made when first asked (a rule may ask on every line), after `history` is set
            claim_type = self.claim_type
            found = self._provider_history = tuple([service for service in self.history
                                                    if service.claim_type in (None, claim_type)])
            return found

    def authorization_of(self, line) -> str | None:
        """What the claim's authorization records say of ``line`` (one of ``AUTHORIZATION_STATUSES``), or None
        (unknown) when the claim carries no records or ``line`` is no line of this claim."""
        if self.claim.authorizations is None or line.number is None:  # most claims: no records, nothing to make
            return None
        try:
            statuses = self._authorization
        except AttributeError:  # made when a rule first asks
            statuses = self._authorization = authorization_statuses(self.claim, self.lines)
        return statuses[line.number - 1]

    def prior_services(self) -> tuple:
        """Paid earlier services and this claim's lines, for frequency limits (callers keep those before a date)."""
        if self._prior is None:
            self._prior = tuple(self.history) + tuple(self.lines)
        return self._prior

    def normalized_diagnoses(self) -> tuple:
        return normalized(self.claim.diagnoses)

    @property
    def diagnoses(self) -> frozenset:
        if self._diagnoses is None:
            self._diagnoses = frozenset(self.normalized_diagnoses())
        return self._diagnoses

    @property
    def condition_codes(self) -> frozenset:
        """The claim's condition codes (read by few rules: made when asked)."""
        return frozenset(self.claim.condition_codes)

    @property
    def first_date(self) -> dt.date:
        return min(line.date for line in self.lines)

    def lines_on(self, day: int):
        return self.by_day.get(day, _EMPTY)

    def span_days(self) -> list:
        """For a claim with a date span (:attr:`spans`): (day, the lines on it, the pairs to judge), by day,
        for the days to judge.

        A line is on every day of its span. Two spans meet iff the later one starts inside the
        earlier, and what lines meet on a day they also meet on the last start day before it, so
        the days are the lines' first days (and the paid earlier lines' days), and the days inside
        a span on which a table version, the dates of a PTP row of two of the claim's codes, or a
        rule-file row's or pair rule's dates begin or end (then the day judges as every day until
        the next does). A long span adds no days of its own. Two lines that meet are paired on the
        first day they share, and again only on those days of change: the pairs to judge are those
        with a line of the list that starts that day, or every pair (None) on a day of change.
        """
        try:
            return self._span_days
        except AttributeError:  # made when first asked, after `history` is set
            pass
        lines = self.lines
        ranges = [(line.day, last_day(line)) for line in lines]
        days = {line.day for line in lines}
        days.update(service.day for service in self.history)
        lookup = self.view.lookup
        changes = lookup.change_days()
        spanned = [(first, last) for first, last in ranges if last > first]
        extra = lookup.ptp_row_days(self.codes.union(map(_CODE, self.history)), min(first for first, _ in spanned),
                                    max(last for _, last in spanned))
        if extra:
            changes = sorted(extra.union(changes))
        changed = set()
        for first, last in spanned:
            changed.update(changes[bisect.bisect_right(changes, first):bisect.bisect_right(changes, last)])
        found = []
        for day in sorted(days | changed):
            group = [line for line, (first, last) in zip(lines, ranges) if first <= day <= last]
            if group:
                found.append((day, group, None if day in changed else [line for line in group if line.day == day]))
        self._span_days = found
        return found

    def age_on(self, date: dt.date) -> int | None:
        birth = self.birth_date
        if birth is None:
            return None
        return date.year - birth.year - ((date.month, date.day) < (birth.month, birth.day))

    def ptp_edit_between(self, a: LineView | None, b: LineView | None) -> bool:
        if a is None or b is None:
            return False
        day = self.pair_day if self.spans else a.day  # with a span: the day the pair is judged on
        for first, second in ((a, b), (b, a)):
            for row in self.lookup.pair_rows(first.code, second.code, day):
                if row.indicator != 9 and row.active_on(day):
                    return True
        return False


# ---------------------------------------------------------------- lookups


class IndexedLookup:
    """Candidates from the view's indexes and tables (the normal path)."""

    def __init__(self, view: View):
        self.view = view
        self.addon_codes = view.addon_codes
        # A view without rules of a shape skips that stage's per-line lookups (a ruleset of tables alone).
        self.has_line_rules = bool(view.line_rules_by_code or view.line_rules_generic or view.line_rules_by_modifier
                                   or view.line_rules_by_place)
        self.has_pair_rules = bool(view.pair_rules_by_code or view.pair_rules_generic)
        # The pair rules for a date on which no code is billed twice: those that need two lines
        # of one code (`other.code = line.code`) left out.
        self.distinct_pair_rules = {code: _without_same_code(rules) for code, rules in view.pair_rules_by_code.items()}
        self.distinct_pair_generic = _without_same_code(view.pair_rules_generic)
        # (code, modifiers, place of service) -> the line rules they select, filled as claims ask.
        # A code that no rule is filed under stands as None, so that the many codes without
        # rules of their own share entries; unless a rule decided by the key reads the code
        # without being filed under codes (then its answer differs from code to code). The
        # compiler files a rule that names codes under those codes only, so the rules filed by
        # modifier, by place or for every line are the ones that could.
        self.line_rule_cache: dict = {}
        unfiled = set(view.line_rules_generic)
        for rules in (*view.line_rules_by_modifier.values(), *view.line_rules_by_place.values()):
            unfiled.update(rules)
        self.code_in_key = any(rule.key_only and not reads_only_key(rule.condition, KEY_ATTRS_BUT_CODE)
                               for rule in unfiled)
        # (PTP table version, column 1, column 2) -> the table's rows of the pair (bound to this view's block).
        self.row_cache: dict = {}
        self._change_days = None  # made when a claim with a date span first asks

    def __getstate__(self):
        state = dict(self.__dict__)
        state["line_rule_cache"] = {}  # a copy starts empty, like the tables' partner caches
        state["row_cache"] = {}
        return state

    def change_days(self) -> list:
        """The days, sorted, on which a CMS table version of this view starts, or the dates of a rule-file
        row or of a pair rule's ``effective`` begin, or the day after they end (for date spans: the days a
        span is judged on besides the lines' first days). The dates of a CMS table's rows are not among them."""
        days = self._change_days
        if days is None:
            view = self.view
            found = set()
            for tables in (view.ptp_tables, view.mue_tables, view.addon_tables):
                if tables is not None:
                    found.update(tables.starts)
            dated = [row for inner in view.pairs.values() for rows in inner.values() for row in rows]
            dated += [row for rows in (*view.limits.values(), *view.addons.values()) for row in rows]
            dated += [rule.scope for rules in (view.pair_rules_generic, *view.pair_rules_by_code.values())
                      for rule in rules]
            for row in dated:
                if row.start is not None:
                    found.add(row.start)
                if row.end is not None:
                    found.add(row.end + 1)
            days = self._change_days = sorted(found)
        return days

    def ptp_row_days(self, codes: set, first: int, last: int) -> set:
        """The days on which the dates of a PTP table row of two of ``codes`` begin, or the day after they end, in
        the versions that judge days ``first`` through ``last`` (for date spans)."""
        tables = self.view.ptp_tables
        found: set = set()
        if tables is None:
            return found
        for index in range(tables.index(first), tables.index(last) + 1):
            table = tables.tables[index]
            for code in codes:
                partners = table.partners(code)
                if partners.isdisjoint(codes):
                    continue
                for other in codes:
                    if other in partners:
                        for row in self.table_rows(index, code, other):
                            found.add(row.start)
                            if row.end is not None:
                                found.add(row.end + 1)
        return found

    def line_rules_of(self, lines) -> list:
        """:meth:`line_rules` of each of ``lines`` (one call per claim: the cache is read here)."""
        by_code = self.view.line_rules_by_code
        code_in_key = self.code_in_key
        cached = self.line_rule_cache.get
        found = []
        for line in lines:
            code = line.code
            # The key as line_rules() makes it (written out here: a call per line is what this saves).
            rules = cached((code if code_in_key or code in by_code else None, line.modifiers, line.pos))
            found.append(rules if rules is not None else self.line_rules(line))
        return found

    def line_rules(self, line: LineView):
        """The line rules that can fire on ``line``: those filed under its code, modifiers or
        place, less those whose condition reads only these and is not true for them
        (``GeneralRule.key_only``: ``modifiers has all of [LT, RT]`` on a line with LT alone)."""
        code = line.code
        if not self.code_in_key and code not in self.view.line_rules_by_code:
            code = None  # the same rules as every other code without rules of its own
        key = (code, line.modifiers, line.pos)
        rules = self.line_rule_cache.get(key)
        if rules is None:
            rules = tuple([rule for rule in self.candidate_line_rules(line)
                           if not rule.key_only or rule.check(None, line, None) is True])  # reads no ev
            if len(self.line_rule_cache) >= RULE_CACHE_KEYS:
                self.line_rule_cache.clear()  # bounded: start again rather than grow without end
            self.line_rule_cache[key] = rules
        return rules

    def candidate_line_rules(self, line) -> tuple:
        """Every line rule filed under the line's code, modifiers or place (what explain lists)."""
        code, modifiers, place = line.code, line.modifiers, line.pos
        view = self.view
        rules = view.line_rules_by_code.get(code, view.line_rules_generic)
        if modifiers and view.line_rules_by_modifier:
            extra = []
            for modifier in modifiers:
                for rule in view.line_rules_by_modifier.get(modifier, _EMPTY):
                    if rule not in extra and rule not in rules:
                        extra.append(rule)
            if extra:
                rules = rules + tuple(extra)
        if view.line_rules_by_place:
            by_place = view.line_rules_by_place.get(place)
            if by_place:
                rules = rules + by_place
        return rules

    def history_rules(self):
        return self.view.line_rules_history

    def authorization_rules(self):
        return self.view.line_rules_authorization

    def pair_rules(self, line: LineView, repeated: bool = True):
        """The pair rules filed under the line's code; with ``repeated`` False (no code of the
        line's date is billed twice), without those that need two lines of one code."""
        by_code, generic = self.pair_rule_index(repeated)
        return by_code.get(line.code, generic)

    def pair_rule_index(self, repeated: bool) -> tuple:
        """(code -> pair rules, the rules of other codes): :meth:`pair_rules` as a dict, for a date's lines."""
        if repeated:
            return self.view.pair_rules_by_code, self.view.pair_rules_generic
        return self.distinct_pair_rules, self.distinct_pair_generic

    def claim_rules(self):
        return self.view.claim_rules

    def ptp_hits(self, group: list, day: int, codes: set) -> list:
        """(column 1 line, column 2 line, rows) for every ordered pair of ``group`` with PTP rows.

        A line whose code has no rule-file pairs and no table partner among the
        group's codes costs one set test; only the rare lines that have one
        look at the group line by line.
        """
        overlay = self.view.pairs
        tables = self.view.ptp_tables
        if tables is not None:
            index = tables.index(day)
            table = tables.tables[index]
            cached = table.partner_cache.get
        hits = []
        for a in group:
            code = a.code
            mine = overlay.get(code) if overlay else None
            partners = None
            if tables is not None:
                partners = cached(code)
                if partners is None:
                    partners = table.partners(code)
                if partners.isdisjoint(codes):
                    partners = None
            if mine is None and partners is None:
                continue
            for b in group:
                if a is b:
                    continue
                rows = mine.get(b.code) if mine is not None else None
                if rows is None and partners is not None and b.code in partners:
                    rows = self.table_rows(index, code, b.code)
                if rows and same_provider(a, b):
                    hits.append((a, b, rows))
        return hits

    def pair_rows(self, column1: str, column2: str, day: int):
        inner = self.view.pairs.get(column1)
        if inner is not None:
            rows = inner.get(column2)
            if rows is not None:
                return rows
        tables = self.view.ptp_tables
        if tables is None:
            return _EMPTY
        return self.table_rows(tables.index(day), column1, column2)

    def table_rows(self, index: int, column1: str, column2: str) -> tuple:
        """The rows of PTP table version ``index`` for the pair, remembered (a row is made once)."""
        key = (index, column1, column2)
        rows = self.row_cache.get(key)
        if rows is None:
            tables = self.view.ptp_tables
            rows = tables.tables[index].rows(column1, column2, tables.blocks[index])
            if len(self.row_cache) >= ROW_CACHE_PAIRS:
                self.row_cache.clear()  # bounded: start again rather than grow without end
            self.row_cache[key] = rows
        return rows

    def limit_rows_of(self, lines) -> list:
        """For each line, :func:`row_in_force` of its :meth:`limit` (one call per claim)."""
        own = self.view.limits.get
        tables = self.view.mue_tables
        single = tables.tables[0] if tables is not None and len(tables.tables) == 1 else None
        found = []
        for line in lines:
            code = line.code
            rows = own(code)
            if rows is not None:  # rows written in rule files replace the table's for the code
                found.append(row_in_force(rows, True, line.day))
            elif tables is None:
                found.append(None)
            else:
                rows = (single if single is not None else tables.at(line.day)).get(code)
                # A table lists a code once (RR511), without dates: its one row is in force.
                found.append(rows[0] if rows is not None else UNLISTED)
        return found

    def limit(self, code: str, day: int):
        """(unit-limit rows or (), whether a loaded MUE table lists the code: None if none is loaded)."""
        rows = self.view.limits.get(code)
        if rows is not None:
            return rows, True
        tables = self.view.mue_tables
        if tables is None:
            return _EMPTY, None
        rows = tables.at(day).get(code)
        return (rows, True) if rows is not None else (_EMPTY, False)

    def addon_rows(self, code: str, day: int, listed: bool = False):
        """The add-on edit rows of ``code`` (the rule files', else the table version's of ``day``); with ``listed``,
        as if no ``disable addon`` applied: a code whose edit a payer leaves out is still an add-on code."""
        if code not in self.addon_codes:
            return _EMPTY
        rows = self.view.addons.get(code)
        if listed and rows == ():  # () is a disable's
            rows = self.view.disabled_addons.get(code)
        if rows is not None:
            return rows
        tables = self.view.addon_tables
        if tables is None:
            return _EMPTY
        return tables.at(day).get(code, _EMPTY)

    def listed_addon_rows(self, code: str, day: int):
        return self.addon_rows(code, day, listed=True)

    def is_addon(self, code: str, day: int) -> bool:
        """Whether ``code`` is an add-on code on ``day``: an add-on edit of it is in force that day (the rule
        files', else the table version's in force; a ``disable addon`` does not change it); ``addon_codes``,
        every version's, rules out the rest."""
        return code in self.addon_codes and any(row.active_on(day) for row in self.addon_rows(code, day, True))


#: What :meth:`IndexedLookup.limit_rows_of` gives a line whose code a loaded MUE table does not list.
UNLISTED = object()


def row_in_force(rows: tuple, published: bool | None, day: int):
    """The first of a code's unit-limit ``rows`` in force on ``day``; None if none is, or
    :data:`UNLISTED` if there are no rows and a loaded MUE table does not list the code."""
    if not rows:
        return UNLISTED if published is False else None
    row = rows[0]
    if len(rows) > 1 or row.start is not None or row.end is not None:  # dated rows: the first in force
        return next((candidate for candidate in rows if candidate.active_on(day)), None)
    return row


def _without_same_code(rules: tuple) -> tuple:
    return tuple([rule for rule in rules if not rule.same_code])


class ScanLookup:
    """Every rule and row of the ruleset, filtered by scope on each call (for tests)."""

    has_line_rules = has_pair_rules = True  # every rule is checked

    def __init__(self, ruleset, payer: str | None, claim_type: str):
        self.ruleset = ruleset
        self.payer = payer
        self.claim_type = claim_type
        self.addon_codes = ruleset.view_for(payer, claim_type).addon_codes

    def _rules(self, shape: str):
        return tuple(
            rule for rule in self.ruleset.rules
            if rule.shape == shape and rule.scope.applies_to(self.payer, self.claim_type)
        )

    def line_rules(self, line):
        return self._rules("line")

    def line_rules_of(self, lines):
        return [self._rules("line")] * len(lines)

    def history_rules(self):
        return ()  # line_rules() already holds every line rule

    def authorization_rules(self):
        return ()

    def pair_rules(self, line, repeated=True):
        return self.pair_rule_index(repeated)[1]

    def pair_rule_index(self, repeated):
        rules = self._rules("pair")
        return {}, (rules if repeated else _without_same_code(rules))  # every code gets every rule

    def claim_rules(self):
        return self._rules("claim")

    def ptp_hits(self, group, day, codes):
        hits = []
        for a in group:
            for b in group:
                if a is not b and same_provider(a, b):
                    rows = self.pair_rows(a.code, b.code, day)
                    if rows:
                        hits.append((a, b, rows))
        return hits

    def pair_rows(self, column1, column2, day):
        return self.ruleset.select_rows("pair", (column1, column2), self.payer, self.claim_type, day)

    def limit(self, code, day):
        from .tables import versions

        decided = self.ruleset.rule_rows("limit", (code,), self.payer, self.claim_type)
        if decided is not None:  # rows written in rule files, or a disable: the tables are not asked
            return decided, True
        if versions(list(self.ruleset.tables), "mue", self.claim_type) is None:
            return (), None
        rows = self.ruleset.select_rows("limit", (code,), self.payer, self.claim_type, day)  # the table's
        return rows, bool(rows)

    def limit_rows_of(self, lines):
        return [row_in_force(*self.limit(line.code, line.day), line.day) for line in lines]

    def addon_rows(self, code, day):
        return self.ruleset.select_rows("addon", (code,), self.payer, self.claim_type, day)

    def listed_addon_rows(self, code, day):
        return self.ruleset.select_rows("addon", (code,), self.payer, self.claim_type, day, disables=False)

    def is_addon(self, code, day):
        return any(row.active_on(day) for row in self.listed_addon_rows(code, day))


# ---------------------------------------------------------------- evaluate


def evaluate(ruleset, claim, *, indexed: bool = True, history=None) -> Result:
    """Evaluate one claim (a :class:`Claim` or its JSON dict), with the patient's earlier lines if given."""
    if not isinstance(claim, Claim):
        claim = Claim.from_dict(claim)
    elif not claim._checked:  # built in code: checked as from_dict checks a dict
        claim = checked(claim)
    view = ruleset.view_for(claim.payer, claim.type)
    ev = Evaluation(claim, view)
    if history is not None:
        ev.history = paid_history(claim, history)
    if indexed:
        lookup = view.lookup
    else:
        lookup = ScanLookup(ruleset, ev.payer if ev.payer in ruleset.payers else None, claim.type)
    ev.lookup = lookup
    findings: list[Finding] = []
    checks.check_format(ev, findings)
    if view.code_sets is not None:
        validity.check_codes(ev, view.code_sets, findings)
    _line_rules(ev, lookup, findings)
    _pairs(ev, lookup, findings)
    _unit_limits(ev, lookup, findings)
    _claim_rules(ev, lookup, findings)
    _addons(ev, lookup, findings)
    return build_result(claim.id, len(ev.lines), findings)


def _rule_finding(rule, ev, line, other, lines, related) -> Finding:
    info = rule.info
    if line is None:
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
        carc=info.carc,
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


def _line_rules(ev: Evaluation, lookup, findings: list) -> None:
    extra = set_apart_rules(ev, lookup)
    if not lookup.has_line_rules and not extra:
        return
    for line, rules in zip(ev.lines, lookup.line_rules_of(ev.lines)):
        day = line.day
        if extra:
            rules = rules + extra
        for rule in rules:
            if rule.windowed and not rule.scope.active_on(day):
                continue
            if rule.check(ev, line, None) is True:
                if rule.target == "claim":
                    findings.append(_rule_finding(rule, ev, line, None, ev.all_lines, ()))
                else:
                    findings.append(_rule_finding(rule, ev, line, None, (line.number,), ()))


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
    if ev.spans:
        _span_pairs(ev, lookup, findings)
        return
    placement = ev.view.modifier_placement
    both_seen: dict = {}  # a `both` finding is reported once per pair of lines
    for day, group in ev.by_day.items():
        if len(group) < 2:
            continue
        codes = ev.codes if len(group) == len(ev.lines) else set(map(_CODE, group))
        for a, b, rows in lookup.ptp_hits(group, day, codes):
            _ptp(a, b, rows, placement, findings, day)
        if not lookup.has_pair_rules:
            continue
        # A `same_code` rule needs two lines of one code.
        by_code, generic = lookup.pair_rule_index(len(codes) < len(group))
        same_code = None  # code -> the group's lines of it, made for the first `same_code` rule
        for a in group:
            for rule in by_code.get(a.code, generic):
                if rule.windowed and not rule.scope.active_on(day):
                    continue
                # Only the lines whose code the rule can accept as `other`.
                if rule.same_code:
                    if same_code is None:
                        same_code = {}
                        for line in group:
                            same_code.setdefault(line.code, []).append(line)
                    candidates = same_code[a.code]
                    if len(candidates) == 1:  # the line itself
                        continue
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
                for b in candidates:
                    if a is b or not same_provider(a, b) or check(ev, a, b) is not True:
                        continue
                    _pair_rule_fired(rule, ev, a, b, findings, both_seen)
    if both_seen:
        findings.extend(finding for _, finding in both_seen.values())
    if ev.history:
        _history_pairs(ev, lookup, placement, findings)


def _pair_rule_fired(rule, ev: Evaluation, a, b, findings: list, both_seen: dict) -> None:
    """The finding of a pair rule true for ``a`` and ``b`` (a ``both`` finding goes to ``both_seen``)."""
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


def _span_pairs(ev: Evaluation, lookup, findings: list) -> None:
    """The PTP edits and pair rules of a claim with a date span: the pairs of each day of
    :meth:`Evaluation.span_days` to judge, each pair's finding once (on the first day it fires)."""
    placement = ev.view.modifier_placement
    both_seen: dict = {}
    first = len(findings)
    for day, group, fresh in ev.span_days():
        if len(group) < 2:
            continue
        for a, b, rows in span_ptp_hits(lookup, group, fresh, day):
            _ptp(a, b, rows, placement, findings, day)
        if not lookup.has_pair_rules:
            continue
        ev.pair_day = day
        for a, b, rule in span_pair_rules(lookup, group, fresh, day):
            if rule.check(ev, a, b) is True:
                _pair_rule_fired(rule, ev, a, b, findings, both_seen)
    if both_seen:
        findings.extend(finding for _, finding in both_seen.values())
    if ev.history:
        _history_pairs(ev, lookup, placement, findings)
    findings[first:] = first_of_each(findings[first:])


def _judged_pairs(group: list, fresh: list | None):
    """(a, the lines to pair with a) for a day of a claim with a date span: with ``fresh``, only the pairs
    with a line of it."""
    if fresh is None:
        return [(a, group) for a in group]
    new = set(map(id, fresh))
    return [(a, group if id(a) in new else fresh) for a in group]


def span_ptp_hits(lookup, group: list, fresh: list | None, day: int) -> list:
    """:meth:`IndexedLookup.ptp_hits` of the pairs of a day of a claim with a date span (see span_days)."""
    hits = []
    for a, others in _judged_pairs(group, fresh):
        for b in others:
            if a is not b and same_provider(a, b):
                rows = lookup.pair_rows(a.code, b.code, day)
                if rows:
                    hits.append((a, b, rows))
    return hits


def span_pair_rules(lookup, group: list, fresh: list | None, day: int) -> list:
    """(a, b, pair rule) to check on a day of a claim with a date span: the rules in force that day whose
    codes the lines have, for the pairs to judge (see span_days)."""
    found = []
    for a, others in _judged_pairs(group, fresh):
        for rule in lookup.pair_rules(a):
            if rule.windowed and not rule.scope.active_on(day):
                continue
            for b in others:
                if a is b or not same_provider(a, b):
                    continue
                if (rule.same_code and b.code != a.code) or (rule.other_codes is not None
                                                              and b.code not in rule.other_codes):
                    continue
                found.append((a, b, rule))
    return found


def first_of_each(found: list) -> list:
    """The findings of a claim with a date span, each pair of lines (and rule) once: on the first of the days
    they meet on that it fires (the days are judged in order)."""
    seen = set()
    kept = []
    for finding in found:
        key = (finding.rule, finding.lines, finding.related_lines, finding.codes)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


def _history_pairs(ev: Evaluation, lookup, placement: str, findings: list) -> None:
    """PTP edits against paid lines of earlier claims of the same provider and date (§1.6):
    a claim line in column 2 of a paid column 1 line is denied."""
    earlier: dict = {}
    for service in ev.provider_history():
        earlier.setdefault(service.day, []).append(service)
    days = [(day, group) for day, group, _ in ev.span_days()] if ev.spans else ev.by_day.items()
    for day, group in days:
        for a in earlier.get(day, _EMPTY):
            for b in group:
                if not same_provider(a, b):
                    continue
                rows = lookup.pair_rows(a.code, b.code, day)
                if rows:
                    _ptp(a, b, rows, placement, findings, day)


def ptp_bypassed(column1: LineView, column2: LineView, placement: str) -> str | None:
    """The modifier that bypasses an indicator-1 edit (domain.md §1.5), or None."""
    for modifier in column2.modifiers:
        if modifier in OTHER_BYPASS_MODIFIERS:
            return modifier
    if placement == "either":
        for modifier in column1.modifiers:
            if modifier in OTHER_BYPASS_MODIFIERS:
                return modifier
    for modifier in column2.modifiers:
        if modifier in ANATOMIC_MODIFIERS and modifier not in column1.modset:
            return modifier
    return None


def _ptp(a: LineView, b: LineView, rows, placement: str, findings: list, day: int) -> None:
    """Deny the column 2 line ``b`` by the first row in force on ``day`` that its modifiers don't bypass."""
    for row in rows:
        if row.indicator == 9 or not row.active_on(day):
            continue
        if row.indicator == 1 and ptp_bypassed(a, b, placement):
            continue
        info = row.block.info
        why = "modifier not allowed" if row.indicator == 0 else f"no bypass modifier on {b.code}"
        reference = info.reference
        if row.rationale:
            reference = f"{reference}; {row.rationale}" if reference else row.rationale
        earlier = " paid on an earlier claim" if a.number is None else ""
        findings.append(Finding(
            rule=info.id,
            kind=info.kind,
            severity=info.severity,
            lines=(b.number,),
            related_lines=(a.number,) if a.number is not None else (),
            codes=(a.code, b.code),
            carc=info.carc,
            rarc=info.rarc,
            message=f"{b.code} is bundled into {a.code}{earlier} on {day_text(b, day)} ({why})",
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
            findings.append(_unpublished(line))
            continue
        if row.mai == 1 or alone:
            units = line.units if line.end_day is None else line.billed_units()
            if units > row.max_units or (not units and over_limit(row, 0, (line,))):
                findings.append(_limit_finding(row, (line,), units))
        else:
            key = (line.code, line.day)
            group = groups.get(key)
            if group is None:
                groups[key] = (row, [line])
            else:
                group[1].append(line)
    if ev.history:
        _add_earlier_units(ev, groups)
    for row, lines in groups.values():
        if len(lines) == 1 and lines[0].number is not None:
            line = lines[0]
            total = line.units if line.end_day is None else line.billed_units()
            if total > row.max_units or (not total and over_limit(row, total, lines)):
                findings.append(_limit_finding(row, lines, total))
            continue
        for subgroup in _provider_groups(lines):
            total = sum([line.billed_units() for line in subgroup])
            if (total > row.max_units or (not total and over_limit(row, total, subgroup))) \
                    and any(line.number is not None for line in subgroup):
                findings.append(_limit_finding(row, subgroup, total))


def _span_unit_limits(ev: Evaluation, lookup, findings: list) -> None:
    """Unit limits of a claim with a date span: each day of :meth:`Evaluation.span_days` sums the units a day of
    the lines on it (MAI 2/3), by the limit in force that day. A group over its limit is reported on the first
    day it is, and a later day's group only if it holds a line that the limit's findings do not name yet."""
    unpublished = set()
    for day, row, lines, units, kept in span_limits(ev, lookup):
        if row is UNLISTED:
            if lines[0].number not in unpublished:
                unpublished.add(lines[0].number)
                findings.append(_unpublished(lines[0]))
        elif kept:
            findings.append(_limit_finding(row, lines, units, day))


def span_limits(ev: Evaluation, lookup) -> list:
    """(day, limit row or UNLISTED, lines, units a day, kept) of each limit judged for a claim with a date
    span, by day; ``kept``: the group is over its limit and its finding is reported (see _span_unit_limits)."""
    judged = []
    for day, group, _ in ev.span_days():
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
            _add_earlier_units(ev, groups)
        for row, lines in groups.values():
            for subgroup in _provider_groups(lines):
                if any(line.number is not None for line in subgroup):
                    judged.append((day, row, tuple(subgroup), sum([line.billed_units() for line in subgroup])))
    found = []
    denied = set()  # (rule, code, line number) of the groups reported
    for day, row, lines, units in judged:
        kept = False
        if row is not UNLISTED and over_limit(row, units, lines):
            rule = row.block.info.id
            for line in lines:
                if line.number is not None and (rule, row.code, line.number) not in denied:
                    kept = True
                    denied.add((rule, row.code, line.number))
        found.append((day, row, lines, units, kept))
    return found


def over_limit(row, units, lines) -> bool:
    """Whether ``units`` a day of ``lines`` break the limit ``row``. A limit of 0 means not payable: any
    units break it (§2.1), even a date span's that round to 0 a day."""
    return units > row.max_units or (row.max_units == 0 and any(line.units > 0 for line in lines))


def _unpublished(line: LineView) -> Finding:
    """Info: the MUE table has no row for this code (the limit may be confidential, §2.1)."""
    return Finding(
        rule=MUE_UNPUBLISHED, kind="mue", severity="info", lines=(line.number,),
        message=f"{line.code} has no published MUE (its limit may be confidential)", codes=(line.code,),
        reference="NCCI MUE: unpublished values are not proof of no limit (domain.md §2.1)",
        source="radrules:mue",
    )


def _add_earlier_units(ev: Evaluation, groups: dict) -> None:
    """MAI 2/3 sums also count the units of paid earlier claims of the code and date (§2.3), of a provider of the
    claim's lines (compared with those, not with the paid lines added before it)."""
    for service in ev.provider_history():
        group = groups.get((service.code, service.day))
        if group is not None and any(same_provider(service, line) for line in group[1] if line.number is not None):
            group[1].append(service)


def _provider_groups(lines: list) -> list:
    """Split one code/date group by rendering provider (lines without one join every group)."""
    if len(lines) == 1:
        return [lines]
    providers = sorted({line.rendering_npi for line in lines if line.rendering_npi is not None})
    if len(providers) <= 1:
        return [lines]
    return [[line for line in lines if line.rendering_npi in (npi, None)] for npi in providers]


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _limit_finding(row, lines, units, day: int | None = None) -> Finding:
    info = row.block.info
    code = row.code
    if row.max_units == 0:
        message = f"{code} is not payable in this setting (unit limit 0)"
    elif row.mai == 1:
        message = f"{code}: {_number(units)} units on one line exceed the limit of {row.max_units} per line (MAI 1)"
    else:
        label = "policy" if row.mai == 2 else "clinical"
        earlier = sum(line.billed_units() for line in lines if line.number is None)
        counted = f" ({_number(earlier)} paid on earlier claims)" if earlier else ""
        message = (
            f"{code}: {_number(units)} units on {day_text(lines[0], day) if day else lines[0].date.isoformat()}"
            f"{counted} exceed the limit of "
            f"{row.max_units} per day (MAI {row.mai}, {label})"
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


def _addons(ev: Evaluation, lookup, findings: list) -> None:
    """An add-on line is paid only if a line on its date is an acceptable, undenied primary
    under one of the add-on's edits in force that day (domain.md §3)."""
    addon_codes = lookup.addon_codes
    if addon_codes.isdisjoint(ev.codes):
        return
    pending = []  # (add-on line, the rows in force of one block: one edit)
    for line in ev.lines:
        if line.code in addon_codes:
            day = line.day
            rows = [row for row in lookup.addon_rows(line.code, day) if row.active_on(day)]
            if rows:
                if rows[0].block is rows[-1].block:  # one block (rows of a block come together): one edit
                    pending.append((line, rows))
                else:
                    pending.extend((line, edit) for edit in addon_edits(rows))
    if not pending:
        return
    denied = {n for f in findings if f.severity == "deny" for n in f.lines}
    # An add-on denied here may be the primary another add-on counted on (11047 listing 11046):
    # judge the add-ons that had a primary again, until no more are denied.
    while pending:
        count = len(denied)
        pending = [(line, rows) for line, rows in pending if not _addon(ev, lookup, line, rows, denied, findings)]
        if len(denied) == count:
            return


def addon_edits(rows: list) -> list[list]:
    """An add-on code's rows in force, by block: each block's rows are one edit, which a primary that one of
    them accepts satisfies (a table version is one block; two blocks of one level are two edits)."""
    edits: dict = {}
    for row in rows:
        edits.setdefault(id(row.block), []).append(row)
    return list(edits.values())


def _addon(ev: Evaluation, lookup, line: LineView, rows: list, denied: set, findings: list) -> bool:
    """Judge one add-on line by one edit (``rows``, of one block); whether it got a finding (then its number
    joins ``denied`` if it denies)."""
    paid, refused = [], []
    if ev.spans:
        for other, day in meeting_days(ev, line):
            if other is not line and same_provider(line, other) and any(
                    row.accepts(other.code, day, lookup.is_addon) for row in rows):
                (refused if other.number in denied else paid).append(other.number)
    else:
        for other in ev.by_day[line.day]:
            if other is line or not same_provider(line, other):
                continue
            if any(row.accepts(other.code, other.day, lookup.is_addon) for row in rows):
                (refused if other.number in denied else paid).append(other.number)
    if paid:
        return False
    row = rows[0]
    info = row.block.info
    if refused:
        why = "its primary on line " + ", ".join(map(str, refused)) + " is denied"
    elif any(r.primaries is None for r in rows):
        why = f"no primary service on {line.date.isoformat()}"
    else:
        listed = sorted(set().union(*(r.primaries_on(line.day) for r in rows)))
        shown = ", ".join(listed[:5]) + (", ..." if len(listed) > 5 else "")
        if listed:
            why = f"no primary ({shown}) on {line.date.isoformat()}" + _ended_primaries(ev, line, rows)
        else:
            why = f"no listed primary counts on {line.date.isoformat()} (their deletion dates have passed)"
    findings.append(Finding(
        rule=info.id,
        kind=info.kind,
        severity=info.severity,
        lines=(line.number,),
        related_lines=tuple(refused),
        codes=(line.code,),
        carc=info.carc,
        rarc=info.rarc,
        message=f"{line.code} is an add-on code (type {row.aoc_type}): {why}",
        reference=info.reference,
        source=row.source,
    ))
    if info.severity == "deny":
        denied.add(line.number)
    return True


def _ended_primaries(ev: Evaluation, line: LineView, rows: list) -> str:
    """`` (77066 counted through 2026-06-30)``: the codes of the add-on's date (and provider) that the edit listed
    as primaries until a deletion date before it; "" if none. Only for the message of a denial."""
    ended: dict = {}
    spans = ev.spans
    for other in [other for other, _ in meeting_days(ev, line)] if spans else ev.by_day[line.day]:
        if other is not line and same_provider(line, other):
            day = max(line.day, other.day) if spans else line.day  # the first day they share
            for row in rows:
                end = row.primary_ended(other.code, day)
                if end is not None:
                    ended.setdefault(other.code, end)
    if not ended:
        return ""
    return " (" + ", ".join(f"{code} counted through {format_date(end)}" for code, end in sorted(ended.items())) + ")"


__all__ = ["evaluate", "Evaluation", "LineView", "ptp_bypassed", "format_date"]
