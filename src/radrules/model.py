"""Compiled forms: what the compiler produces and the evaluator reads.

All classes are frozen; a compiled ruleset can be shared by threads and
pickled to other processes. Dates are ``int`` ordinals
(``datetime.date.toordinal()``); an open end is ``None``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from typing import Any

import attrs

from .claim import CLAIM_TYPES
from .syntax import PLAIN_NAME

#: NCCI PTP-associated modifiers (domain.md §1.4), the only ones that bypass
#: an indicator-1 edit. Anatomic ones bypass only for different sites (§1.5).
ANATOMIC_MODIFIERS = frozenset(
    ["E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
     "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9",
     "LT", "RT", "LC", "LD", "LM", "RC", "RI"]
)
OTHER_BYPASS_MODIFIERS = frozenset(
    ["59", "XE", "XS", "XP", "XU", "24", "25", "27", "57", "58", "78", "79", "91"]
)
#: The sides that modifier 50 (bilateral) covers both of: a line with 50 is on the left and the right (§1.5).
SIDE_MODIFIERS = frozenset(["LT", "RT"])
MODIFIER_PLACEMENTS = ("column2", "either")
#: Whose lines the edits that compare one provider's lines take as one provider's on a professional claim
#: (setting `same_provider`): the rendering provider's (the default) or the billing provider's, a group's.
PROVIDER_SCOPES = ("rendering", "billing")
#: Settings a rule file may change (`setting NAME = VALUE`), and their allowed values: the first is the value of
#: one a rule file does not give.
SETTINGS = {"modifier_placement": MODIFIER_PLACEMENTS, "same_provider": PROVIDER_SCOPES}
#: The info finding for a code a loaded MUE table has no row for (§2.1).
MUE_UNPUBLISHED = "ncci.mue.unpublished"
#: The types of bill (their first two digits) whose claims the national tables loaded `for institutional claims`
#: do not judge: Part A bills. NCCI edits are for Part B claims and "are not applied to facility claims for
#: inpatient services"; a swing bed has "no Part B benefit" and hospice care is "a benefit under the hospital
#: insurance program" (docs/tables.md names the sources, and the types of bill no source settles).
PART_A_BILLS = {
    "11": "a hospital inpatient (Part A) bill",
    "18": "a hospital swing bed (Part A) bill",
    "21": "a skilled nursing facility inpatient (Part A) bill",
    "28": "a skilled nursing facility swing bed (Part A) bill",
    "41": "a religious nonmedical health care institution inpatient (Part A) bill",
    "81": "a hospice (non-hospital based, Part A) bill",
    "82": "a hospice (hospital based, Part A) bill",
}

#: Override precedence of edit rows for one key, most specific last: table rows, rule file rows, rule
#: file rows for a claim type, for a payer, for a payer and a claim type. Each replaces those before.
LEVEL_TABLE, LEVEL_RULES, LEVEL_TYPE, LEVEL_PAYER, LEVEL_PAYER_TYPE = 0, 1, 2, 3, 4


def from_table(row) -> bool:
    """Whether an edit row is a CMS table's, not a rule file's (a key's rows are all one or the other)."""
    return row.block.scope.level == LEVEL_TABLE


def format_date(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def window_text(start: int | None, end: int | None) -> str:
    """``2026-01-01 through 2026-06-30``, ``from ...``, ``until ...`` or "" for date ordinals (a start of 1, the
    "always" start of a row without one, or None: open)."""
    return dates_text(format_date(start) if start is not None and start > 1 else None,
                      format_date(end) if end is not None else None)


def listed(words: list, last: str = "and", more: int = 0) -> str:
    """``a``, ``a and b``, ``a, b and c`` (``last``: the word before the last, ``or``); with ``more``, the words
    are the first of a longer list: ``a, b and 3 more``."""
    if more > 0:
        return f"{', '.join(words)} {last} {more} more"
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def payer_clause(payers) -> str:
    """The `for payer` clause that names ``payers`` as a rule file writes it (``for payers acme, "blue plan"``): a
    name that is not one word quoted."""
    names = [name if PLAIN_NAME.fullmatch(name) else f'"{name}"' for name in payers]
    return f"for payer{'s' if len(names) > 1 else ''} " + ", ".join(names)


def lines_text(numbers) -> str:
    """``line 1``, ``lines 1 and 2``, ``lines 1, 2 and 3``: claim line numbers in a message."""
    return ("line " if len(numbers) == 1 else "lines ") + listed([str(n) for n in numbers])


def primaries_text(numbers) -> str:
    """``primary on line 1 is`` / ``primaries on lines 1 and 2 are``: an add-on's primaries in a message."""
    if len(numbers) == 1:
        return f"primary on {lines_text(numbers)} is"
    return f"primaries on {lines_text(numbers)} are"


def dates_text(first: str | None, last: str | None) -> str:
    """:func:`window_text` of ISO dates."""
    if first and last:
        return f"{first} through {last}"
    if first:
        return f"from {first}"
    if last:
        return f"until {last}"
    return ""


@attrs.frozen
class RuleInfo:
    """What every finding of a rule (or edit block) carries."""

    id: str
    kind: str
    severity: str
    carc: str | None
    rarc: tuple[str, ...]
    reference: str | None
    title: str | None
    source: str


@attrs.frozen
class Exclusion:
    """A ``disable rule`` statement: the payers and claim types a rule is left out for (None: every one); or an
    ``unless table KIND`` clause (``table``): the claim types a loaded table of that kind serves."""

    payers: frozenset | None
    claim_types: frozenset | None
    source: str = attrs.field(eq=False)  # where the statement or clause was written
    table: str | None = None  # `unless table`: the kind of the table that stands in

    def covers(self, payer: str | None, claim_type: str) -> bool:
        return ((self.payers is None or payer in self.payers)
                and (self.claim_types is None or claim_type in self.claim_types))


@attrs.frozen
class Scope:
    """Where a rule or block applies: payers, claim types, dates of service."""

    payers: frozenset | None = None  # lower-case payer names; None = every payer
    claim_types: frozenset | None = None  # None = professional and institutional
    start: int | None = None
    end: int | None = None
    level: int = LEVEL_RULES
    excluded: tuple = ()  # Exclusion: `disable rule` statements that leave the rule out

    def applies_to(self, payer: str | None, claim_type: str) -> bool:
        if self.claim_types is not None and claim_type not in self.claim_types:
            return False
        if self.payers is not None and payer not in self.payers:
            return False
        return not self.excluded or not self.excluded_by(payer, claim_type)

    def excluded_by(self, payer: str | None, claim_type: str) -> "Exclusion | None":
        """The ``disable rule`` statement that leaves the rule out for ``payer`` and ``claim_type``, if any."""
        return next((exclusion for exclusion in self.excluded if exclusion.covers(payer, claim_type)), None)

    def active_on(self, day: int) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def meets(self, first: int | None, last: int | None) -> bool:
        """Whether the scope's dates share a day with ``first`` through ``last`` (None: an open end)."""
        return ((self.start is None or last is None or self.start <= last)
                and (self.end is None or first is None or first <= self.end))

    def replaced_by_tables(self) -> bool:
        """Whether loaded tables replace a stand-in (``unless table``) for every claim type and payer it applies
        to: for each claim type, a table without `for payer`, or tables `for payer` that together name each of
        its payers (`for payer acme` and `for payer beta` for a block `for payers acme, beta`)."""
        tables = [exclusion for exclusion in self.excluded if exclusion.table is not None]
        if not tables:
            return False
        for claim_type in self.claim_types or CLAIM_TYPES:
            payers = [exclusion.payers for exclusion in tables if claim_type in exclusion.claim_types]
            if None in payers:
                continue  # a table for every payer
            if self.payers is None or not self.payers <= frozenset().union(*payers):
                return False
        return True


@attrs.frozen
class Template:
    """A message with ``{line.code}``-style placeholders, compiled."""

    parts: tuple  # str, or (operand, value kind); `{values}` is of the kind "values" (condition_values.FiredValues)

    @property
    def shows_values(self) -> bool:
        """True when the message has `{values}` (explain then adds no values after it)."""
        return any(type(part) is tuple and part[1] == "values" for part in self.parts)

    def render(self, ev, line, other) -> str:
        hidden = ev.hidden
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                operand, kind = part
                value = operand.get(ev, line, other)
                out.append(render_value(value, kind) if not hidden else _render_hidden(value, kind, hidden))
        return "".join(out)


def _render_hidden(value: Any, kind: str, hidden: dict) -> str:
    """:func:`render_value` on a claim with malformed values not to be shown: each of them (a member id as a code)
    is ``[KIND not shown]`` as it is put in, whatever stands beside it in the message (`{line.code}-50`)."""
    if isinstance(value, frozenset):
        shown = [f"[{hidden[item]} not shown]" if item in hidden else item for item in sorted(value)]
        return ", ".join(shown) or "none"
    if isinstance(value, str) and value in hidden:
        return f"[{hidden[value]} not shown]"
    return render_value(value, kind)


#: The age a message shows for every age above it: ages over 89 identify a patient (HIPAA's Safe Harbor,
#: 45 CFR 164.514(b)(2)(i)(C), allows them as one category, 90 or older).
OLDEST_AGE_SHOWN = 89


def render_value(value: Any, kind: str) -> str:
    if value is None:
        return "none"
    if kind == "date":
        return format_date(value)
    if kind == "age" and value > OLDEST_AGE_SHOWN:
        return f"{OLDEST_AGE_SHOWN + 1} or older"
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) or "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@attrs.frozen(eq=False)
class GeneralRule:
    """A ``rule`` block: a condition over one line, a pair of lines, or the claim."""

    info: RuleInfo
    scope: Scope
    shape: str  # "line", "pair" or "claim"
    target: str  # "line", "other", "both" or "claim" (a line rule's only with `once per claim`: one finding a claim)
    condition: Any
    message: Template
    index_codes: frozenset | None = None
    index_modifiers: frozenset | None = None
    # Pair rules only: the other line's code must be in ``other_codes`` / equal this line's.
    other_codes: frozenset | None = None
    same_code: bool = False
    # True when the rule can only be true with the patient's history (it asks
    # `history has the same code`): evaluation skips it for claims without one.
    needs_history: bool = False
    index_places: frozenset | None = None  # places of service a line must have (the third index)
    # True when the rule can only be true with authorization records (a top-level test of
    # `line.authorization` other than `is missing`): evaluation skips it for claims without them.
    needs_authorization: bool = False
    # Pair rules only (`once per line`): at most one finding per `line`, with the first `other` in claim
    # order that meets the condition; the evaluator leaves that line's later pairs unchecked.
    once_per_line: bool = False
    # `group PR when CONDITION`: (group, condition) — a finding whose lines meet the condition takes that group
    # in its `carc` (a patient liable under an ABN); asked only when the rule fires.
    group_when: tuple | None = None
    # Pair rules only (`across providers`): the lines of a date are paired whatever their providers (the rule
    # compares them itself, `line.rendering_npi != other.rendering_npi`), not only one provider's.
    across_providers: bool = False
    # Whether the scope has a date window (the evaluator's inner loop asks only then).
    windowed: bool = attrs.field(init=False, repr=False, eq=False)
    # ``condition`` as a closure (radrules.fastpath); rebuilt after unpickling.
    check: Any = attrs.field(init=False, repr=False, eq=False)
    # Whether the condition reads only the line's code, modifiers and place of service
    # (condition_reads.reads_only_key): the evaluator decides it once per such key.
    key_only: bool = attrs.field(init=False, repr=False, eq=False)
    # Pair rules only: closures of the parts of the condition that read only `line`, only `other`, and the
    # rest (fastpath.fast_sides), for a date of many lines; None for other rules.
    sides: Any = attrs.field(init=False, repr=False, eq=False)
    # Line rules only: the condition asks `line.code is missing` (condition_reads.asks_no_code), so the rule judges
    # the lines of a revenue code alone, and no other line.
    uncoded: bool = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self):
        from .condition_reads import asks_no_code, reads_only_key
        from .fastpath import fast_sides, fast_test

        object.__setattr__(self, "windowed", self.scope.start is not None or self.scope.end is not None)
        uncoded = self.shape == "line" and asks_no_code(self.condition)
        object.__setattr__(self, "uncoded", uncoded)
        # The fast closures take every line to have a code; on a line without one, its tests are unknown, as
        # the nodes' own answer them (these rules judge only such lines, few and far between).
        object.__setattr__(self, "check", self.condition.test if uncoded else fast_test(self.condition))
        object.__setattr__(self, "key_only", self.shape == "line" and reads_only_key(self.condition))
        object.__setattr__(self, "sides", fast_sides(self.condition) if self.shape == "pair" else None)

    def __getstate__(self):
        return {field.name: getattr(self, field.name) for field in attrs.fields(type(self)) if field.init}

    def __setstate__(self, state):
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self.__attrs_post_init__()


@attrs.frozen
class BlockInfo:
    """The shared part of the rows of one ``pairs``/``limits``/``addons`` block or table."""

    info: RuleInfo
    scope: Scope


@attrs.frozen
class PairEdit:
    """One PTP row: deny the column 2 line when both codes share a date of service."""

    column1: str
    column2: str
    indicator: int  # 0 not allowed, 1 allowed, 9 not applicable
    start: int
    end: int | None
    rationale: str | None
    source: str
    block: BlockInfo

    def active_on(self, day: int) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@attrs.frozen
class UnitLimit:
    """One MUE row: at most ``max_units`` of ``code``; MAI 1 per line, 2/3 per date."""

    code: str
    max_units: int
    mai: int
    start: int | None
    end: int | None
    rationale: str | None
    source: str
    block: BlockInfo

    def active_on(self, day: int) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@attrs.frozen
class AddonEdit:
    """One add-on code edit: ``code`` is payable only with a paid primary on its date."""

    code: str
    aoc_type: int
    primaries: frozenset | None  # None: any line that is not itself an add-on code
    start: int | None
    end: int | None
    source: str
    block: BlockInfo
    primary_ends: dict | None = None  # primary code -> last date it counts (CMS AOC file)
    # primary code -> the row of the CMS AOC file that lists it (None in rule files: ``source`` lists them all)
    primary_sources: dict | None = attrs.field(default=None, eq=False)

    def active_on(self, day: int) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def accepts(self, code: str, day: int, is_addon) -> bool:
        """Whether a line billing ``code`` on ``day`` is an acceptable primary (never a line of the add-on code:
        a CMS file's row may list it as its own primary, which a rule file can't, RR220)."""
        if code == self.code:  # (even on a day the code is no add-on: a date span's line, §3)
            return False
        if self.primaries is None:
            return not is_addon(code, day)
        if code not in self.primaries:
            return False
        if self.primary_ends is not None:
            end = self.primary_ends.get(code)
            return end is None or day <= end
        return True

    def primaries_on(self, day: int) -> frozenset:
        """The listed primaries that count on ``day`` (a CMS row's primary may have a deletion date)."""
        if self.primary_ends is None:
            return self.primaries - {self.code}
        return frozenset(code for code in self.primaries if self.accepts(code, day, None))  # is_addon: not read

    def primary_ended(self, code: str, day: int) -> int | None:
        """The last date ``code`` counted as a listed primary if that is before ``day``, else None."""
        end = self.primary_ends.get(code) if self.primary_ends is not None else None
        return end if end is not None and end < day else None


@attrs.frozen
class Disable:
    """``disable pair A with B`` / ``disable limit A`` / ``disable addon A`` in a scoped block."""

    key: tuple
    kind: str  # "pair", "limit" or "addon"
    scope: Scope
    source: str
    block: "BlockInfo" = attrs.field(eq=False)  # the block it is written in

    @property
    def rule(self) -> str:
        """The id of the block it is written in."""
        return self.block.info.id


@attrs.frozen
class Timeline:
    """The rule-file rows of one key, date by date, where dated rows or a dated ``disable`` make the choice differ
    between dates (:func:`radrules.compiler.selection.select`).

    ``values[i]`` holds from ``starts[i]`` until the day before ``starts[i + 1]`` (``starts[0]`` is 1, the first
    date ordinal): the rows chosen, () where a ``disable`` takes the key off, None where no rule-file row or
    ``disable`` is in force and the tables decide.
    """

    starts: tuple
    values: tuple

    def at(self, day: int):
        """The rows of ``day``: a tuple, or None when the tables decide."""
        return self.values[bisect_right(self.starts, day) - 1]

    def rows(self) -> tuple:
        """Every row the key has on some date, each once, in the order of the dates."""
        return tuple({id(row): row for value in self.values if value for row in value}.values())

    def bounds(self) -> list:
        """The days on which the choice changes (the starts after the first)."""
        return list(self.starts[1:])


def on_day(chosen, day: int):
    """The rows ``chosen`` (a view's entry of a key: a tuple, a :class:`Timeline`, or None) gives ``day``: None
    when the tables decide."""
    return chosen.at(day) if chosen.__class__ is Timeline else chosen


@attrs.frozen
class View:
    """Everything that applies to one payer and claim type, indexed by code.

    Built once at compile time for every payer the ruleset names (and one for
    all other payers), so ``evaluate()`` only visits rules that can fire.
    """

    payer: str | None
    claim_type: str
    line_rules_by_code: dict  # code -> rules filed under it, then the generic ones
    line_rules_by_modifier: dict
    line_rules_generic: tuple
    line_rules_history: tuple  # rules that need the patient's history, visited only with one
    line_rules_authorization: tuple  # rules that need authorization records, visited only with them
    line_rules_by_place: dict  # place of service -> rules filed under it (no code or modifier key)
    pair_rules_by_code: dict
    pair_rules_generic: tuple
    claim_rules: tuple
    # Rule-file rows by key, after overrides; an entry (even empty) hides the tables' rows. A key whose choice
    # differs between dates (dated rows or a dated `disable`) has a Timeline: its rows date by date (`on_day`).
    pairs: dict  # column1 -> {column2: tuple[PairEdit] | Timeline}
    limits: dict  # code -> tuple[UnitLimit] | Timeline
    addons: dict  # code -> tuple[AddonEdit] | Timeline
    addon_codes: frozenset  # every add-on code (rule files and tables; those a `disable addon` leaves out too)
    modifier_placement: str
    properties: dict  # property name -> CodeProperty
    # "billing": a professional claim's lines (and paid lines) are one provider's by the billing provider, a
    # group's radiologists one provider (setting `same_provider`); "rendering": by the rendering provider.
    same_provider: str = PROVIDER_SCOPES[0]
    # CMS tables (tables.store.Versions), or None when none is loaded.
    ptp_tables: Any = None
    mue_tables: Any = None
    addon_tables: Any = None
    # HCPCS and ICD-10-CM code sets (tables.store.CodeSets), the same for every view, or None.
    code_sets: Any = None
    # Add-on codes a `disable addon` takes off (their `addons` entry is empty): code -> the rule-file rows it
    # takes off, or None for the tables'. Such a code is still an add-on code (no primary for another).
    disabled_addons: dict = attrs.field(factory=dict)
    # Line rules that ask `line.code is missing` (GeneralRule.uncoded): run on the lines of a revenue code alone,
    # which no other line rule sees.
    line_rules_uncoded: tuple = ()
    # This view without its PTP, MUE and add-on tables, for a claim of a type of bill they do not judge
    # (PART_A_BILLS); None when it has none of them (a professional view: none to leave out).
    without_tables: "View | None" = None
    # The evaluator's indexed lookup over this view, made once (lookups.IndexedLookup).
    lookup: Any = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self):
        from .lookups import IndexedLookup

        object.__setattr__(self, "lookup", IndexedLookup(self))

    def of_bill(self, bill_type: str | None) -> "View":
        """The view that judges a claim of this type of bill: :attr:`without_tables` for one the tables do not
        judge, else this one."""
        if bill_type is not None and self.without_tables is not None and bill_type[:2] in PART_A_BILLS:
            return self.without_tables
        return self
