"""Lookups: how the evaluator reaches the rules, rows and tables that can fire on a claim.

The indexed lookup (:class:`IndexedLookup`, one per view, made once) visits
only what is filed under a line's code, modifiers or code pair, and
remembers what it found; the scan lookup (:class:`ScanLookup`,
``evaluate(..., indexed=False)``) checks every rule and row of the ruleset
and exists so tests can prove both agree.
"""

from __future__ import annotations

import weakref
from operator import attrgetter
from sys import intern

from . import codes
from .condition_reads import KEY_ATTRS_BUT_CODE, reads_only_key
from .conditions import same_provider
from .evaluation import LineView
from .model import Timeline, View, on_day

_EMPTY = ()
_CODE = attrgetter("code")
#: How many (code, modifiers, place) keys the indexed lookups of a ruleset's views remember the line rules of,
#: together (:class:`KeyBudget`; a key costs about 200 bytes).
RULE_CACHE_KEYS = 100_000
#: How many PTP code pairs an indexed lookup remembers the table rows of.
ROW_CACHE_PAIRS = 20_000


class KeyBudget:
    """The line-rule cache keys of a ruleset's views together, at most :data:`RULE_CACHE_KEYS`: a ruleset has
    (payers + 1) × 2 views, and a bound per view would let each hold as many. When the budget is spent, every
    view's cache starts again (bounded, rather than grow without end). The count is not locked: threads may
    miss an increment or two, which moves the bound by as many keys. The lookups are held weakly: each lookup
    holds its budget, and a cycle between them would keep a dropped ruleset, tables and all, until the garbage
    collector ran (never, for objects moved out of its reach by ``gc.freeze()``)."""

    __slots__ = ("lookups", "keys")

    def __init__(self, lookups: list):
        self.lookups = [weakref.ref(lookup) for lookup in lookups]
        self.keys = 0

    def __getstate__(self):
        return [ref() for ref in self.lookups]  # a copy's caches start empty, and so does its count

    def __setstate__(self, lookups) -> None:
        self.lookups = [weakref.ref(lookup) for lookup in lookups if lookup is not None]
        self.keys = 0

    def take(self) -> None:
        """Count a key about to be kept; empty every cache first if the budget is spent."""
        if self.keys >= RULE_CACHE_KEYS:
            self.keys = 0
            for ref in self.lookups:
                lookup = ref()
                if lookup is not None:
                    lookup.line_rule_cache.clear()
        self.keys += 1


def share_key_budget(lookups) -> None:
    """Give the indexed lookups of a ruleset's views one line-rule cache budget."""
    lookups = list(lookups)
    budget = KeyBudget(lookups)
    for lookup in lookups:
        lookup.key_budget = budget


def _interned(text):
    return intern(text) if type(text) is str else text


#: The fields of a View an IndexedLookup reads.
_VIEW_FIELDS = ("addon_codes", "addon_tables", "addons", "disabled_addons", "limits",
                "line_rules_authorization", "line_rules_by_code", "line_rules_by_modifier", "line_rules_by_place",
                "line_rules_generic", "line_rules_history", "line_rules_uncoded", "mue_tables", "pair_rules_by_code",
                "pair_rules_generic", "pairs", "ptp_tables")


class IndexedLookup:
    """Candidates from the view's indexes and tables (the normal path)."""

    def __init__(self, view: View):
        # The view's indexes, read here rather than through the view: the view holds its lookup, and a lookup
        # that held its view would make a cycle, which keeps a dropped ruleset until the garbage collector runs.
        for name in _VIEW_FIELDS:
            setattr(self, name, getattr(view, name))
        self._claim_rules = view.claim_rules  # (claim_rules() answers it)
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
        self.key_budget = KeyBudget([self])  # shared with the ruleset's other views (share_key_budget)
        unfiled = set(view.line_rules_generic)
        for rules in (*view.line_rules_by_modifier.values(), *view.line_rules_by_place.values()):
            unfiled.update(rules)
        self.code_in_key = any(rule.key_only and not reads_only_key(rule.condition, KEY_ATTRS_BUT_CODE)
                               for rule in unfiled)
        # (PTP table version, column 1, column 2) -> the table's rows of the pair (bound to this view's block).
        self.row_cache: dict = {}
        self._change_days = None  # made when a claim with a date span first asks
        self._mue_files: dict = {}  # MUE table version -> its files' names, made when a code it lacks asks

    def __getstate__(self):
        state = dict(self.__dict__)
        state["line_rule_cache"] = {}  # a copy starts empty, like the tables' partner caches
        state["row_cache"] = {}
        state["_mue_files"] = {}
        return state

    def change_days(self) -> list:
        """The days, sorted, on which a CMS table version of this view starts, or the dates of a rule-file limit
        or add-on row begin, or the day after they end (for date spans: the days a span is judged on besides the
        lines' first days). The dates of PTP rows are those of :meth:`ptp_row_days`."""
        days = self._change_days
        if days is None:
            found = set()
            for tables in (self.ptp_tables, self.mue_tables, self.addon_tables):
                if tables is not None:
                    found.update(tables.starts)
            for rows in (*self.limits.values(), *self.addons.values()):
                found.update(_row_days(rows))
            days = self._change_days = sorted(found)
        return days

    def ptp_starts(self) -> tuple:
        """The days a PTP table version starts on (every pair of a date span's day is judged then)."""
        tables = self.ptp_tables
        return tables.starts if tables is not None else _EMPTY

    def ptp_row_days(self, codes: set, first: int, last: int) -> dict:
        """Day -> the pairs (column 1, column 2) of ``codes`` whose PTP rows (of a rule file, or of the table
        versions that judge days ``first`` through ``last``) begin that day, or end the day before (for date
        spans: on such a day only these pairs have changed)."""
        found: dict = {}

        def add(rows, pair):
            for day in _row_days(rows):
                found.setdefault(day, set()).add(pair)

        for code in codes:
            inner = self.pairs.get(code)
            if inner:
                for other in codes:
                    rows = inner.get(other)
                    if rows:
                        add(rows, (code, other))
        tables = self.ptp_tables
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
                        add(self.table_rows(index, code, other), (code, other))
        return found

    def fresh_ptp_hits(self, group: list, fresh: list, day: int, codes: set) -> list:
        """:meth:`ptp_hits` of the ordered pairs of ``group`` (of ``codes``) with a line of ``fresh`` (the lines
        that start on ``day``, for date spans): each line of ``fresh`` with the group, then the others with
        ``fresh``."""
        new = set(map(id, fresh))
        rest = [line for line in group if id(line) not in new]
        return (self.partner_hits(fresh, group, day, codes)
                + self.partner_hits(rest, fresh, day, set(map(_CODE, fresh))))

    def line_rules_of(self, lines) -> list:
        """:meth:`line_rules` of each of ``lines`` (one call per claim: the cache is read here)."""
        by_code = self.line_rules_by_code
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
        if not self.code_in_key and code not in self.line_rules_by_code:
            code = None  # the same rules as every other code without rules of its own
        key = (code, line.modifiers, line.pos)
        rules = self.line_rule_cache.get(key)
        if rules is None:
            rules = tuple([rule for rule in self.candidate_line_rules(line)
                           if not rule.key_only or rule.check(None, line, None) is True])  # reads no ev
            if not _well_formed(code, line.modifiers, line.pos):
                return rules  # not kept: a member id put in a code field (a key costs about 200 bytes, too)
            self.key_budget.take()
            # Kept with interned strings: the claim's own would each cost a string object per key.
            self.line_rule_cache[(_interned(code), tuple(map(_interned, line.modifiers)), _interned(line.pos))] = rules
        return rules

    def candidate_line_rules(self, line) -> tuple:
        """Every line rule filed under the line's code, modifiers or place (what explain lists)."""
        code, modifiers, place = line.code, line.modifiers, line.pos
        rules = self.line_rules_by_code.get(code, self.line_rules_generic)
        if modifiers and self.line_rules_by_modifier:
            extra = []
            for modifier in modifiers:
                for rule in self.line_rules_by_modifier.get(modifier, _EMPTY):
                    if rule not in extra and rule not in rules:
                        extra.append(rule)
            if extra:
                rules = rules + tuple(extra)
        if self.line_rules_by_place:
            by_place = self.line_rules_by_place.get(place)
            if by_place:
                rules = rules + by_place
        return rules

    def uncoded_rules(self):
        """The line rules that judge the lines of a revenue code alone (those asking `line.code is missing`)."""
        return self.line_rules_uncoded

    def history_rules(self):
        return self.line_rules_history

    def authorization_rules(self):
        return self.line_rules_authorization

    def pair_rules(self, line: LineView, repeated: bool = True):
        """The pair rules filed under the line's code; with ``repeated`` False (no code of the
        line's date is billed twice), without those that need two lines of one code."""
        by_code, generic = self.pair_rule_index(repeated)
        return by_code.get(line.code, generic)

    def pair_rule_index(self, repeated: bool) -> tuple:
        """(code -> pair rules, the rules of other codes): :meth:`pair_rules` as a dict, for a date's lines."""
        if repeated:
            return self.pair_rules_by_code, self.pair_rules_generic
        return self.distinct_pair_rules, self.distinct_pair_generic

    def claim_rules(self):
        return self._claim_rules

    def ptp_hits(self, group: list, day: int, codes: set) -> list:
        """(column 1 line, column 2 line, rows) for every ordered pair of ``group`` (of ``codes``) with PTP rows."""
        return self.partner_hits(group, group, day, codes)

    def partner_hits(self, lines: list, others: list, day: int, codes: set) -> list:
        """(column 1 line, column 2 line, rows) for each line of ``lines`` and each of ``others`` (of ``codes``)
        with PTP rows.

        A line whose code has no rule-file pairs and no table partner among
        ``codes`` costs one set test; only the rare lines that have one look at
        the others line by line.
        """
        overlay = self.pairs
        tables = self.ptp_tables
        if tables is not None:
            index = tables.index(day)
            table = tables.tables[index]
            cached = table.partner_cache.get
        hits = []
        for a in lines:
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
            for b in others:
                if a is b:
                    continue
                rows = mine.get(b.code) if mine is not None else None
                if rows is None:
                    if partners is not None and b.code in partners:
                        rows = self.table_rows(index, code, b.code)
                elif rows.__class__ is Timeline:  # (rule-file rows that differ by date: None, the tables')
                    rows = rows.at(day)
                    if rows is None and partners is not None and b.code in partners:
                        rows = self.table_rows(index, code, b.code)
                if rows and same_provider(a, b):
                    hits.append((a, b, rows))
        return hits

    def pair_rows(self, column1: str, column2: str, day: int):
        inner = self.pairs.get(column1)
        if inner is not None:
            rows = on_day(inner.get(column2), day)
            if rows is not None:
                return rows
        tables = self.ptp_tables
        if tables is None:
            return _EMPTY
        return self.table_rows(tables.index(day), column1, column2)

    def table_rows(self, index: int, column1: str, column2: str) -> tuple:
        """The rows of PTP table version ``index`` for the pair, remembered (a row is made once)."""
        key = (index, column1, column2)
        rows = self.row_cache.get(key)
        if rows is None:
            tables = self.ptp_tables
            rows = tables.tables[index].rows(column1, column2, tables.blocks[index])
            if len(self.row_cache) >= ROW_CACHE_PAIRS:
                self.row_cache.clear()  # bounded: start again rather than grow without end
            self.row_cache[key] = rows
        return rows

    def limit_rows_of(self, lines) -> list:
        """For each line, :func:`row_in_force` of its :meth:`limit` (one call per claim)."""
        own = self.limits.get
        tables = self.mue_tables
        single = tables.tables[0] if tables is not None and len(tables.tables) == 1 else None
        found = []
        for line in lines:
            code = line.code
            rows = own(code)
            if rows is not None:  # rows written in rule files replace the table's for the code
                if rows.__class__ is Timeline:  # (rule-file rows that differ by date: None, the tables')
                    rows = rows.at(line.day)
                    if rows is None:
                        found.append(row_in_force(*self.limit(code, line.day), line.day))
                        continue
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
        rows = self.limits.get(code)
        if rows.__class__ is Timeline:
            rows = rows.at(day)
        if rows is not None:
            return rows, True
        tables = self.mue_tables
        if tables is None:
            return _EMPTY, None
        rows = tables.at(day).get(code)
        return (rows, True) if rows is not None else (_EMPTY, False)

    def addon_rows(self, code: str, day: int, listed: bool = False):
        """The add-on edit rows of ``code`` (the rule files', else the table version's of ``day``); with ``listed``,
        as if no ``disable addon`` applied: a code whose edit a payer leaves out is still an add-on code."""
        if code not in self.addon_codes:
            return _EMPTY
        rows = self.addons.get(code)
        if rows.__class__ is Timeline:  # (rule-file rows that differ by date)
            rows = rows.at(day)
        if listed and rows == ():  # () is a disable's
            rows = on_day(self.disabled_addons.get(code), day)
        if rows is not None:
            return rows
        tables = self.addon_tables
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


def mue_files(view: View, day: int) -> str:
    """The names of the files of the MUE table version in force on ``day`` in ``view`` (where a code it does not
    list was looked for), as its rows name them; made once per version and remembered by the view's lookup, so
    only a code the table lacks pays for it. The table statement's place for a table without rows."""
    tables = view.mue_tables
    index = tables.index(day)
    known = view.lookup._mue_files
    names = known.get(index)
    if names is None:
        names = ", ".join(dict.fromkeys(row.source.rpartition(":")[0]
                                        for rows in tables.tables[index].values() for row in rows))
        names = known[index] = names or tables.blocks[index].info.source
    return names


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

    def __init__(self, ruleset, payer: str | None, claim_type: str, view: View | None = None):
        self.ruleset = ruleset
        self.payer = payer
        self.claim_type = claim_type
        view = view or ruleset.view_for(payer, claim_type)
        self.addon_codes = view.addon_codes
        # Whether the claim's tables judge it: not those of a view without them (View.without_tables).
        self.tables = {"pair": view.ptp_tables is not None, "limit": view.mue_tables is not None,
                       "addon": view.addon_tables is not None}

    def _rules(self, shape: str):
        return tuple(
            rule for rule in self.ruleset.rules
            if rule.shape == shape and rule.scope.applies_to(self.payer, self.claim_type)
        )

    def line_rules(self, line):
        return self._rules("line")

    def line_rules_of(self, lines):
        return [self._rules("line")] * len(lines)

    def uncoded_rules(self):
        return tuple([rule for rule in self._rules("line") if rule.uncoded])

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
        return pair_hits(self, [(a, group) for a in group], day)

    def fresh_ptp_hits(self, group, fresh, day, codes):
        new = set(map(id, fresh))
        return pair_hits(self, [(a, group if id(a) in new else fresh) for a in group], day)

    def pair_rows(self, column1, column2, day):
        return self.ruleset.select_rows("pair", (column1, column2), self.payer, self.claim_type, day,
                                        tables=self.tables["pair"])

    def limit(self, code, day):
        decided = on_day(self.ruleset.rule_rows("limit", (code,), self.payer, self.claim_type), day)
        if decided is not None:  # rows written in rule files, or a disable: the tables are not asked
            return decided, True
        if not self.tables["limit"]:
            return (), None
        rows = self.ruleset.select_rows("limit", (code,), self.payer, self.claim_type, day)  # the table's
        return rows, bool(rows)

    def limit_rows_of(self, lines):
        return [row_in_force(*self.limit(line.code, line.day), line.day) for line in lines]

    def addon_rows(self, code, day):
        return self.ruleset.select_rows("addon", (code,), self.payer, self.claim_type, day,
                                        tables=self.tables["addon"])

    def listed_addon_rows(self, code, day):
        return self.ruleset.select_rows("addon", (code,), self.payer, self.claim_type, day, disables=False,
                                        tables=self.tables["addon"])

    def is_addon(self, code, day):
        return any(row.active_on(day) for row in self.listed_addon_rows(code, day))


def _bounds(row) -> list:
    """The days on which a dated row's edit begins, or has ended (the day after its last): [] for a row of no
    dates."""
    return ([row.start] if row.start is not None else []) + ([row.end + 1] if row.end is not None else [])


def _row_days(chosen) -> list:
    """The days on which the rule-file rows of a key (a view's entry) change: its rows' :func:`_bounds` and, for
    a :class:`~radrules.model.Timeline`, the days its choice changes."""
    if chosen.__class__ is not Timeline:
        return [day for row in chosen for day in _bounds(row)]
    return chosen.bounds() + [day for row in chosen.rows() for day in _bounds(row)]


def pair_hits(lookup, pairs, day: int) -> list:
    """(column 1 line, column 2 line, rows) for each ``a`` and each of its ``others`` of ``pairs`` (a, others) with
    PTP rows, the pair rows asked one by one (the scan lookup; the days of a claim with a date span)."""
    hits = []
    for a, others in pairs:
        for b in others:
            if a is not b and same_provider(a, b):
                rows = lookup.pair_rows(a.code, b.code, day)
                if rows:
                    hits.append((a, b, rows))
    return hits


def _well_formed(code: str | None, modifiers: tuple, place: str | None) -> bool:
    """Whether a line-rule key holds only well-formed values, which the cache may keep beyond the claim: not a
    member id or a name a billing system put in a code field (checks.check_format describes those)."""
    return ((code is None or codes.is_procedure_code(code)) and codes.MODIFIERS.issuperset(modifiers)
            and (place is None or codes.is_place_of_service(place)))
