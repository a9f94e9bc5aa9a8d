"""Syntax trees to an immutable, indexed :class:`~radrules.ruleset.Ruleset`.

The compiler is an ordered list of named passes (:data:`PASSES`). Each pass
reads and fills a :class:`Compilation`, reports problems to the shared
context, and never raises; after the last pass, any error raises one
:class:`~radrules.errors.RuleError` holding every diagnostic.
"""

from __future__ import annotations

import re
from collections import defaultdict

import attrs

from .. import model as m
from .. import syntax as s
from ..claim import CLAIM_TYPES
from ..claim_values import payer_key
from ..codes import is_digits
from ..errors import Diagnostic, RuleError, edit_distance, suggestion
from .allow import allow_warnings
from .blocks import BlockCompiler
from .analysis import payer_values
from .conditions import ConditionCompiler
from .context import Context, payers_named, source_of
from .index import MAX_INDEX_ENTRIES, build_views, index_size
from .selection import chosen_rows, select, turns
from .loading import load_tables, served_claim_types
from .rows import warn_row_conflicts
from .sets import SetTable
from .versions import check_versions

#: Code properties every ruleset has (filled by `property` lines or MPFS tables).
KNOWN_PROPERTIES = ("pctc", "bilateral")


class Compilation:
    """What the passes build up."""

    def __init__(self, ctx: Context, sources: list[s.SourceFile], paths: dict | None = None, roots=None,
                 cache_dir=None):
        self.ctx = ctx
        self.sources = sources
        self.paths = paths or {}  # display name -> real path of each rule file
        self.roots = roots or {}  # display name -> the ruleset folder of each rule file (tables stay inside)
        self.cache_dir = cache_dir
        self.loaded_tables: list = []
        self.headers: list[s.Header] = []
        self.set_defs: dict[str, s.SetDef] = {}
        self.blocks: list[s.Block] = []
        self.settings_syntax: list[s.Setting] = []
        self.property_syntax: list[s.PropertyDef] = []
        self.tables: list[s.Table] = []
        self.sets: SetTable | None = None
        self.settings: dict = {}
        self.properties: dict[str, dict[str, str]] = {name: {} for name in KNOWN_PROPERTIES}
        self.rules: list = []
        self.rows: list = []
        self.disables: list = []
        self.disable_spans: list = []  # (Disable, the span of its row)
        self.row_spans: dict = {}  # id(row) -> the span of its row (the rows live as long as the compilation)
        self.rule_disables: list = []  # s.DisableRule statements
        self.payers: set[str] = set()  # the payers `for payer` clauses and statements name: views of their own
        self.compared_payers: set[str] = set()  # the payers rules' conditions compare `claim.payer` with (no views)
        self.views: dict = {}
        self.served: dict | None = None  # table kind -> {payers or None: the claim types `table` statements serve}
        self.allowed: list = []  # the warnings `allow` comments take out (compiler/allow.py)


def collect(comp: Compilation) -> None:
    """Gather statements; report duplicate set names and rule ids."""
    ids: dict[str, s.Span] = {}
    for source in comp.sources:
        header_seen = None
        for statement in source.statements:
            if isinstance(statement, s.Header):
                if header_seen is not None:
                    comp.ctx.error("RR305", "a file has one `ruleset` header", statement.span,
                                   help=f"the first is at line {header_seen.line}")
                header_seen = statement.span
                comp.headers.append(statement)
            elif isinstance(statement, s.SetDef):
                name = statement.name.text
                if name in comp.set_defs:
                    first = comp.set_defs[name].name.span
                    comp.ctx.error("RR301", f"set `{name}` is defined twice", statement.name.span,
                                   help=f"the first definition is at {first}")
                else:
                    comp.set_defs[name] = statement
            elif isinstance(statement, (s.Rule, s.PairsBlock, s.LimitsBlock, s.AddonsBlock)):
                rule_id = statement.rule_id.text
                if rule_id in ids:
                    comp.ctx.error("RR302", f"rule id `{rule_id}` is used twice", statement.rule_id.span,
                                   help=f"the first is at {ids[rule_id]}; rule ids must be unique and stable")
                else:
                    ids[rule_id] = statement.rule_id.span
                comp.blocks.append(statement)
            elif isinstance(statement, s.Setting):
                comp.settings_syntax.append(statement)
            elif isinstance(statement, s.PropertyDef):
                comp.property_syntax.append(statement)
            elif isinstance(statement, s.Table):
                comp.tables.append(statement)
            elif isinstance(statement, s.DisableRule):
                comp.rule_disables.append(statement)
            # Include statements were followed by the loader.


def resolve_sets(comp: Compilation) -> None:
    """Resolve every named set (expanding ranges, following references)."""
    comp.sets = SetTable(comp.ctx, comp.set_defs)
    comp.sets.resolve_all()


def check_settings(comp: Compilation) -> None:
    for setting in comp.settings_syntax:
        name = setting.name.text
        if name not in m.SETTINGS:
            comp.ctx.error("RR217", f"unknown setting `{name}`", setting.name.span,
                           help=suggestion(name, m.SETTINGS) or "settings: " + ", ".join(m.SETTINGS))
            continue
        value = setting.value.text
        if value not in m.SETTINGS[name]:
            comp.ctx.error("RR217", f"`{value}` is not a value of `{name}`", setting.value.span,
                           help=suggestion(value, m.SETTINGS[name]) or "values: " + ", ".join(m.SETTINGS[name]))
            continue
        payers = [payer_key(p.text) for p in setting.payers] or [None]
        for payer in payers:
            key = (name, payer)
            if key in comp.settings:
                comp.ctx.error("RR306", f"setting `{name}` is given twice" + (f" for payer `{payer}`" if payer else ""),
                               setting.span, help="keep the one you mean: a setting is given once for each payer")
                continue
            comp.settings[key] = value
            if payer:
                comp.payers.add(payer)


def build_properties(comp: Compilation) -> None:
    """``property NAME = VALUE for CODES``: one value per code and property.

    Stand-ins (``unless table KIND``) are checked like the other lines, but
    give a value only to the codes no other line gives one, and none when
    the ruleset loads a table of their kind (a loaded table decides then).
    """
    plain = [d for d in comp.property_syntax if d.unless is None]
    stand_ins = [d for d in comp.property_syntax if d.unless is not None]
    _set_properties(comp, plain, comp.properties)
    fallback: dict = {}
    for definition, codes in _set_properties(comp, stand_ins, fallback):
        if served_claim_types(comp, definition.unless) != ():
            continue  # a table of that kind is loaded (or the kind is unknown: reported)
        table = comp.properties.setdefault(definition.name.text, {})
        for code in codes:
            table.setdefault(code, definition.value.text)


def _set_properties(comp: Compilation, definitions: list, properties: dict) -> list:
    """Set the values of ``definitions`` in ``properties`` (name -> code -> value), reporting a code given two
    values (RR303); the (definition, its codes) of each line that could be read."""
    from .fields import LINE_FIELDS

    given: dict = {}  # property name -> [(definition, its codes, the code it stopped at)]: where a value was set
    read = []
    for definition in definitions:
        name = definition.name.text
        if name in LINE_FIELDS:  # `line.units` reads the line's units: such a property could never be read
            comp.ctx.error("RR307", f"`{name}` is a field of every line, so a property of that name could never be "
                           "read", definition.name.span, help=f"name the property otherwise, e.g. `{name}_policy`")
            continue
        resolved = comp.sets.evaluate(definition.codes, "codes")
        if resolved is None:
            continue
        # each code of a property is an entry of its own: counted with the members the sets build (RR253)
        if not comp.sets.spend(len(resolved.values), definition.name.span):
            continue
        table = properties.setdefault(name, {})
        value = definition.value.text
        stopped = None
        for code in sorted(resolved.values):
            if code in table and table[code] != value:
                # the definition that set this code: it lists it with that value, and had not stopped before it
                first = next(d for d, codes, stop in given.get(name, ()) if code in codes
                             and d.value.text == table[code] and (stop is None or code < stop))
                comp.ctx.error(
                    "RR303", f"property `{name}` of {code} is set to `{table[code]}` and to `{value}`",
                    definition.value.span, help=f"the first value is set at {source_of(first.span)}",
                )
                stopped = code
                break
            table[code] = value
        given.setdefault(name, []).append((definition, resolved.values, stopped))
        read.append((definition, resolved.values))
    return read


def compile_blocks(comp: Compilation) -> None:
    """Check every rule and edit block; build rules and rows."""
    conditions = ConditionCompiler(comp.ctx, comp.sets, comp.properties)
    compiler = BlockCompiler(comp.ctx, comp.sets, conditions, lambda clause: served_claim_types(comp, clause))
    for block in comp.blocks:
        if isinstance(block, s.Rule):
            rule = compiler.rule(block)
            if rule is not None:
                comp.rules.append(rule)
                if rule.scope.payers:
                    comp.payers.update(rule.scope.payers)
                comp.compared_payers.update(payer_key(token.text) for clause in block.clauses
                                            if isinstance(clause, (s.When, s.GroupWhen))
                                            for token in payer_values(clause.condition))
            continue
        if isinstance(block, s.PairsBlock):
            rows, disables = compiler.pairs(block)
        elif isinstance(block, s.LimitsBlock):
            rows, disables = compiler.limits(block)
        else:
            rows, disables = compiler.addons(block)
        comp.rows.extend(rows)
        comp.disables.extend(disables)
        for item in list(rows[:1]) + list(disables[:1]):
            scope = item.block.scope if hasattr(item, "block") else item.scope
            if scope.payers:
                comp.payers.update(scope.payers)
    comp.disable_spans = compiler.disable_spans
    comp.row_spans = {id(row): span for row, span in compiler.row_spans}


def disable_rules(comp: Compilation) -> None:
    """Leave rules out where a ``disable rule`` statement says: for its payers and claim types."""
    positions = {rule.info.id: n for n, rule in enumerate(comp.rules)}
    blocks = {block.rule_id.text for block in comp.blocks if not isinstance(block, s.Rule)}  # bad rows too
    failed = {block.rule_id.text for block in comp.blocks if isinstance(block, s.Rule)} - set(positions)
    broken = comp.ctx.has_errors  # before these statements': a statement that did not parse may hold the rule
    for statement in comp.rule_disables:
        rule_id = statement.rule_id.text
        where = statement.rule_id.span
        if rule_id in failed or (rule_id not in positions and rule_id not in blocks and broken):
            continue  # a rule with errors of its own (or a statement that did not parse): they are reported
        if rule_id not in positions:
            if rule_id in blocks:
                comp.ctx.error("RR308", f"`{rule_id}` is an edit block, not a rule", where,
                               help=f"leave its rows out with {_disable_rows(comp, rule_id)} in a block for the "
                                    "payer")
            elif rule_id.startswith("ncci."):
                comp.ctx.error("RR308", f"`{rule_id}` is the edits of a CMS table, not a rule", where,
                               help=f"leave a table row out with {_TABLE_DISABLES.get(rule_id, _ANY_DISABLE)} "
                                    "for the payer")
            elif _built_in(rule_id):
                comp.ctx.error("RR308", f"`{rule_id}` is a built-in check, not a rule", where,
                               help="the format and code-set checks can't be left out: they say the claim is "
                                    "malformed, for every payer")
            else:
                comp.ctx.error("RR308", f"no rule `{rule_id}` to disable", where, help=suggestion(rule_id, positions)
                               or _bundled_hint(rule_id) or "name the rule by its id, as findings do")
            continue
        if statement.reference is None:
            comp.ctx.warning("RR260", f"`disable rule {rule_id}` has no `reference`", where,
                             help="say why the rule is left out (the payer's policy, section)")
        payers = payers_named(statement.payers)
        claim_types = frozenset([statement.claim_type.text]) if statement.claim_type is not None else None
        rule = comp.rules[positions[rule_id]]
        idle = _outside(rule.scope.payers, payers, "payer") or _outside(rule.scope.claim_types, claim_types,
                                                                       "claim type")
        if idle:
            comp.ctx.warning("RR263", f"`disable rule {rule_id}` disables nothing: the rule {idle}", where,
                             help="check the payers and claim types, or the rule id")
        exclusion = m.Exclusion(payers, claim_types, source_of(statement.span))
        scope = attrs.evolve(rule.scope, excluded=rule.scope.excluded + (exclusion,))
        comp.rules[positions[rule_id]] = attrs.evolve(rule, scope=scope)
        if payers:
            comp.payers.update(payers)


def check_payer_names(comp: Compilation) -> None:
    """RR269 for a payer name one edit from another the ruleset names (`acmee` beside `acme`): a block for it
    never applies to the claims of the other, and a test of `claim.payer` with it is never true for them
    (`claim.payer is not acmee` holds for `acme`'s claims). Names that differ in their digits only (`plan1`,
    `plan2`) are taken as two payers."""
    order = {source.name: index for index, source in enumerate(comp.sources)}

    def position(span: s.Span) -> tuple:
        return order.get(span.file, len(order)), span.line, span.column

    uses: dict = {}  # payer -> [the span of its first use, how many places name it, whether that use is a test]
    for token, tested in _payer_tokens(comp):
        use = uses.setdefault(payer_key(token.text), [token.span, 0, tested])
        use[1] += 1
        if position(token.span) < position(use[0]):
            use[0], use[2] = token.span, tested
    names = sorted(uses, key=len)
    for i, name in enumerate(names):
        for other in names[i + 1:]:
            if len(other) > len(name) + 1:
                break
            if not _one_edit_apart(name, other):
                continue
            # the warning is at the name used less (the later one, if as often): the likelier misspelling
            odd, common = sorted((name, other), key=lambda payer: (
                uses[payer][1], tuple(-n for n in position(uses[payer][0]))))
            count = uses[common][1]
            more = f" and {count - 1} more place{'s' if count > 2 else ''}" if count > 1 else ""
            never = (f"on claims of `{common}`, `claim.payer` is never `{odd}`" if uses[odd][2] else
                     f"rules and blocks for `{odd}` never apply to claims of `{common}`")
            comp.ctx.warning(
                "RR269", f"payer `{odd}` is one letter from payer `{common}`, named at {source_of(uses[common][0])}"
                f"{more}", uses[odd][0],
                help=f"payers are told apart by their whole name (without case): {never}; if it is a misspelling, "
                     f"write `{common}`")


def _payer_tokens(comp: Compilation):
    """Every payer name written in a `for payer` clause, a test of `claim.payer` in a `when` or `group` condition,
    a setting,
    a `disable rule` or a `table` statement: (its token, whether it is in a condition)."""
    for block in comp.blocks:
        for clause in block.clauses:
            if isinstance(clause, s.ForPayer):
                yield from ((token, False) for token in clause.payers)
            elif isinstance(clause, (s.When, s.GroupWhen)):
                yield from ((token, True) for token in payer_values(clause.condition))
    for statement in comp.settings_syntax + comp.rule_disables + comp.tables:
        yield from ((token, False) for token in statement.payers)


def _one_edit_apart(first: str, second: str) -> bool:
    """Whether two payer names are one edit apart (a letter added, left out, changed or two swapped), other than
    in their digits only (`plan1`, `plan2`, `plan12`: numbered plans)."""
    if _DIGITS.sub("", first) == _DIGITS.sub("", second):
        return False
    return edit_distance(first, second, 1) == 1


_DIGITS = re.compile(r"[0-9]")


#: The `disable` rows that leave out a row of each CMS table's edits (`disable rule ncci.ptp` is RR308).
_TABLE_DISABLES = {"ncci.ptp": "`disable pair` rows in a `pairs` block",
                   "ncci.mue": "`disable limit` rows in a `limits` block",
                   "ncci.addon": "`disable addon` rows in an `addons` block"}
_ANY_DISABLE = "`disable pair`, `disable limit` or `disable addon` rows in a block"
_BLOCK_DISABLES = {s.PairsBlock: "`disable pair` rows", s.LimitsBlock: "`disable limit` rows",
                   s.AddonsBlock: "`disable addon` rows"}


def _disable_rows(comp: Compilation, rule_id: str) -> str:
    """The `disable` rows that leave out the rows of edit block ``rule_id`` (any kind's, if blocks of several kinds
    share the id)."""
    kinds = {type(block) for block in comp.blocks if not isinstance(block, s.Rule) and block.rule_id.text == rule_id}
    return _BLOCK_DISABLES[next(iter(kinds))] if len(kinds) == 1 else _ANY_DISABLE


def _built_in(rule_id: str) -> bool:
    from ..checks import FORMAT_RULES

    return rule_id in FORMAT_RULES or rule_id.startswith("codes.")


def _bundled_hint(rule_id: str) -> str | None:
    """A hint for a `disable rule` of a bundled rule's id in rules loaded without it."""
    import re

    from .._resources import bundled_rulesets

    try:
        for path in bundled_rulesets().rglob("*.rr"):
            if re.search(rf"^rule\s+{re.escape(rule_id)}\b", path.read_text(encoding="utf-8"), re.MULTILINE):
                return ("it is a rule of the bundled rulesets: load this file with them, `radrules.load(PATH, "
                        "bundled=True)`, `--bundled` on the command line or `rules bundled, PATH` in a rule test "
                        "(docs/language.md, `disable rule`)")
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _outside(applies: frozenset | None, left_out: frozenset | None, what: str) -> str | None:
    """How a rule that ``applies`` to some payers (claim types) misses every one a ``disable rule`` leaves it out
    for, if it does: ``applies to payer medicare only``."""
    if applies is None or left_out is None or applies & left_out:
        return None
    return f"applies to {what} {', '.join(sorted(applies))} only"


def build_indexes(comp: Compilation) -> None:
    """File rules by code and modifier, rows by key, for every payer and claim type."""
    if comp.ctx.has_errors:
        return
    grouped_rows = rows_by_key(comp.rows)
    grouped_disables = disables_by_key(comp.disables)
    _warn_idle_disables(comp, grouped_rows)
    warn_row_conflicts(comp, grouped_rows, grouped_disables)
    size, widest, keys = index_size(comp.rules, grouped_rows, comp.payers)
    if size > MAX_INDEX_ENTRIES:
        file, _, line = (widest.info.source or "").rpartition(":") if widest is not None else ("", "", "")
        span = s.Span(file, int(line), 1, int(line), 5) if is_digits(line) else None
        comp.ctx.error(
            "RR255", f"the rules' indexes would hold {size:,} entries (at most {MAX_INDEX_ENTRIES:,}): "
            f"{len(comp.payers)} payers, each with views of its own, {len(widest.index_codes) if widest else 0:,} "
            f"codes in the widest rule, {keys:,} row keys in all views",
            span, help="a rule for every code needs no code condition; rules and rows for many payers are "
                       "filed again for each: one rule with `claim.payer in [...]` is filed once")
        return
    comp.views = build_views(comp.rules, grouped_rows, grouped_disables,
                             comp.payers, comp.settings, comp.properties, comp.loaded_tables)


#: For each kind of `disable` row: its block's word, the table kind and how messages name the table, what a key is.
_DISABLE_WORDS = {"pair": ("pairs", "ptp", "PTP", "pair"), "limit": ("limits", "mue", "MUE", "code"),
                  "addon": ("addons", "addon", "add-on code", "code")}


def _warn_idle_disables(comp: Compilation, grouped_rows: dict) -> None:
    """RR263 for a ``disable`` row that changes no view: for every payer and claim type it applies to, no
    rule-file row it removes and no table loaded for that claim type has its key (or a more specific block's rows
    keep the key). Most often a code is mistyped, or the table of the block's claim type is not loaded."""
    views = [(payer, claim_type) for payer in sorted(comp.payers) + [None] for claim_type in CLAIM_TYPES]
    for disable, span in comp.disable_spans:
        rows = grouped_rows.get((disable.kind, disable.key), ())
        kept = None  # a more specific block's row that keeps the key where the disable applies
        bare = False  # a date of the disable's on which, for a payer and claim type, no row has the key to keep
        useful = False
        scope = disable.scope
        served = [(payer, claim_type) for payer, claim_type in views if scope.applies_to(payer, claim_type)]
        for payer, claim_type in served:
            with_it, without = select(rows, (disable,), payer, claim_type), select(rows, (), payer, claim_type)
            days = turns(scope, with_it, without)
            for day, last in zip(days, [turn - 1 for turn in days[1:]] + [scope.end]):
                left = m.on_day(with_it, day)
                if left:
                    kept = kept or left[0]
                    continue
                bare = True
                before = m.on_day(without, day)
                if before or (before is None and _table_has(comp, disable, payer, claim_type, day, last)):
                    useful = True
                    break
            if useful:
                break
        if useful:
            continue
        # for the message: a row of the key for those payers and claim types in force off the disable's dates
        # only, a rule file's, and a table's (row, first day, last day or None)
        other_dates = next((row for payer, claim_type in served
                            for row in chosen_rows(select(rows, (), payer, claim_type))
                            if not scope.meets(row.start, row.end)), None)
        table_row = next((found for payer, claim_type in served
                          if (found := _table_row(comp, disable, payer, claim_type)) is not None
                          and not scope.meets(found[1], found[2])), None)
        message, help = _idle_disable(comp, disable, kept, other_dates, table_row, bare)
        comp.ctx.warning("RR263", message, span, help=help)


def _table_has(comp: Compilation, disable, payer: str | None, claim_type: str, first: int = 1,
               last: int | None = None) -> bool:
    """Whether a table loaded for ``claim_type`` and the claims of ``payer`` has the key of ``disable`` in force on
    a day from ``first`` through ``last`` (None: open), in the version that judges that day."""
    return next(_table_rows(comp, disable, payer, claim_type, first, last), None) is not None


def _table_rows(comp: Compilation, disable, payer: str | None, claim_type: str, first: int = 1,
                last: int | None = None):
    """(row, its first day, its last day or None) of each row of the key of ``disable`` in a table loaded for
    ``claim_type`` and the claims of ``payer`` that is in force on a day from ``first`` through ``last``, in the
    version that judges that day (a version judges from its start until the next one starts; the oldest also the
    days before it)."""
    from .. import tables

    kind = _DISABLE_WORDS[disable.kind][1]
    chosen = tables.serving(comp.loaded_tables, kind, claim_type, payer)
    for i, loaded in enumerate(chosen):
        start = max(first, loaded.start if i else 1)
        until = tables.last_day(kind, chosen, i)
        end = until if last is None else last if until is None else min(last, until)
        if end is not None and end < start:
            continue
        for row in tables.key_rows(loaded, disable.key):
            if getattr(row, "indicator", None) == 9:
                continue  # a PTP row of modifier indicator 9 never applies: no edit to take off
            row_start = max(start, row.start or 1)
            row_end = row.end if end is None else end if row.end is None else min(end, row.end)
            if row_end is None or row_start <= row_end:
                yield row, row_start, row_end


def _table_row(comp: Compilation, disable, payer: str | None, claim_type: str):
    """A row of the key of ``disable`` in a table loaded for ``claim_type`` and the claims of ``payer``, with the
    days it judges them (:func:`_table_rows`), else with its own dates (a row of a version on days another
    version judges); None if no such table has the key."""
    from .. import tables

    found = next(_table_rows(comp, disable, payer, claim_type), None)
    if found is not None:
        return found
    kind = _DISABLE_WORDS[disable.kind][1]
    return next(((row, row.start, row.end) for loaded in tables.serving(comp.loaded_tables, kind, claim_type, payer)
                 for row in tables.key_rows(loaded, disable.key) if getattr(row, "indicator", None) != 9), None)


def _idle_disable(comp: Compilation, disable, kept, other_dates=None, table_row=None,
                  bare: bool = False) -> tuple[str, str]:
    """The message and help of RR263 for a ``disable`` row that changes nothing; ``other_dates``: a rule-file row
    of its key for its payers and claim types, in force only on dates a dated ``disable`` is not; ``table_row``:
    a table's row of its key for them (:func:`_table_row`), then in force on other dates only; ``bare``: on some
    of its dates no row of the key is there to keep for some payer and claim type (``kept`` keeps it elsewhere)."""
    from .. import tables

    block_word, kind, label, noun = _DISABLE_WORDS[disable.kind]
    what = f"`disable {disable.kind} {' with '.join(disable.key)}` disables nothing"
    dated = disable.scope.start is not None or disable.scope.end is not None
    keeps = "a `disable` removes the rows of its own block's level and less specific ones, not a payer's own rows"
    if kept is not None and not (bare and dated and (other_dates is not None or table_row is not None)):
        return (f"{what}: the rows of `{kept.block.info.id}` ({kept.source}) keep this {noun} wherever it applies",
                f"{keeps}: write it in that block, or remove the rows")
    if (other_dates is not None or table_row is not None) and dated:
        dates = m.window_text(disable.scope.start, disable.scope.end)
        if table_row is not None:
            row, first, last = table_row
            table = f"{row.source}, {m.window_text(first, last)}"
        if other_dates is None:
            found = f"the {label} table loaded for its claims has this {noun} on other dates only ({table})"
        elif table_row is None:
            found = (f"the rows of `{other_dates.block.info.id}` ({other_dates.source}) have this {noun} on other "
                     f"dates only, and no {label} table loaded for its claims has it")
        else:
            found = (f"the rows of `{other_dates.block.info.id}` ({other_dates.source}) and the {label} table "
                     f"loaded for its claims ({table}) have this {noun} on other dates only")
        if kept is not None:  # kept on some of the disable's dates, and nothing to take off on the others
            return (f"{what} on its dates ({dates}): the rows of `{kept.block.info.id}` ({kept.source}) keep this "
                    f"{noun} where they apply; {found}",
                    f"{keeps}, and one in a block with `effective` dates takes its key off on those dates only: "
                    "check the block's dates, or remove the `disable`")
        return (f"{what} on its dates ({dates}): {found}",
                "a `disable` in a block with `effective` dates takes its key off on those dates only: check the "
                "block's dates, or remove the `disable`")
    claim_types = sorted(disable.scope.claim_types or CLAIM_TYPES)
    served = {loaded.claim_type for loaded in comp.loaded_tables if loaded.kind == kind}
    missing = [claim_type for claim_type in claim_types if claim_type not in served]
    if disable.scope.claim_types is not None and missing == claim_types:
        claims = f"{claim_types[0]} claims"
        elsewhere = next((loaded for loaded in comp.loaded_tables if loaded.kind == kind
                          and loaded.claim_type not in claim_types and tables.key_rows(loaded, disable.key)), None)
        has = (f"; the {label} table for {elsewhere.claim_type} claims has this {noun}, but it does not judge "
               f"{claims}" if elsewhere is not None else "")
        return (f"{what}: no {label} table for {claims} is loaded, and no `{block_word}` row for them has this "
                f"{noun}", f"load the table for {claims} (`table {kind} \"...\" for {claims}`) with these rules, or "
                f"check the block's `for {claims}`{has}")
    claims = f" for {claim_types[0]} claims" if len(claim_types) == 1 else ""
    help = ("check the codes (column 1 `with` column 2), or load the table the row is in" if disable.kind == "pair"
            else "check the code, or load the table the row is in")
    nine = next((row for loaded in comp.loaded_tables if loaded.kind == "ptp" and loaded.claim_type in claim_types
                 for row in tables.key_rows(loaded, disable.key)), None) if disable.kind == "pair" else None
    if nine is not None:  # (the table's rows of the pair are all of indicator 9, or no other would be here)
        return (f"{what}: the PTP table's rows of this pair ({nine.source}) have modifier indicator 9, which never "
                "applies", "remove the `disable`: a row of indicator 9 is no edit (domain.md §1.3)")
    reversed_row = _reversed_table_row(comp, disable, claim_types) if disable.kind == "pair" else None
    if reversed_row is not None:
        first, second = disable.key[1], disable.key[0]
        help = (f"the PTP table has the pair the other way round, `{first} with {second}` ({reversed_row.source}): "
                f"column 1 comes first, so write `disable pair {first} with {second}`")
    return f"{what}: no `{block_word}` row and no {label} table loaded{claims} has this {noun}", help


def _reversed_table_row(comp: Compilation, disable, claim_types: list):
    """A row of ``B with A`` in a PTP table loaded for one of ``claim_types``, for ``disable pair A with B``."""
    from .. import tables

    reverse = (disable.key[1], disable.key[0])
    return next((row for loaded in comp.loaded_tables if loaded.kind == "ptp" and loaded.claim_type in claim_types
                 for row in tables.key_rows(loaded, reverse)), None)


def row_key(row) -> tuple:
    if hasattr(row, "column1"):
        return ("pair", (row.column1, row.column2))
    if hasattr(row, "max_units"):
        return ("limit", (row.code,))
    return ("addon", (row.code,))


def rows_by_key(rows) -> dict:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row_key(row)].append(row)
    return {key: tuple(value) for key, value in grouped.items()}


def disables_by_key(disables) -> dict:
    grouped = defaultdict(list)
    for disable in disables:
        grouped[(disable.kind, disable.key)].append(disable)
    return {key: tuple(value) for key, value in grouped.items()}


#: The compiler passes, in order.
PASSES = (
    ("collect", collect),
    ("resolve sets", resolve_sets),
    ("check settings", check_settings),
    ("build properties", build_properties),
    ("load tables", load_tables),
    ("check table versions", check_versions),
    ("compile blocks", compile_blocks),
    ("disable rules", disable_rules),
    ("check payer names", check_payer_names),
    ("build indexes", build_indexes),
    ("allow warnings", allow_warnings),
)


def compile_ruleset(sources: list[s.SourceFile], name: str, diagnostics: list[Diagnostic] = (),
                    paths: dict | None = None, roots: dict | None = None, cache_dir=None):
    """Run every pass; return a Ruleset or raise RuleError with all diagnostics.

    ``diagnostics`` are problems found before compiling (syntax, includes);
    the passes still run on what did parse, so one run reports everything.
    """
    from ..ruleset import Ruleset

    ctx = Context(sources)
    ctx.diagnostics.extend(diagnostics)
    comp = Compilation(ctx, sources, paths, roots, cache_dir)
    for _name, run in PASSES:
        run(comp)
    order = {source.name: index for index, source in enumerate(sources)}
    # By file, then position; diagnostics about no position (a file as a whole,
    # a count of problems not shown) keep their order after the others.
    ctx.diagnostics.sort(key=lambda d: (
        (0, order.get(d.span.file, len(order)), d.span.line, d.span.column) if d.span else (1, 0, 0, 0)
    ))
    if ctx.has_errors:
        raise RuleError(ctx.diagnostics)
    versions = tuple((h.name.text, h.version.text) for h in comp.headers)
    return Ruleset(
        name=name,
        versions=versions,
        files=tuple(source.name for source in sources),
        rules=tuple(comp.rules),
        rows=tuple(comp.rows),
        disables=tuple(comp.disables),
        payers=frozenset(comp.payers),
        compared_payers=frozenset(comp.compared_payers),
        settings=dict(comp.settings),
        properties=comp.properties,
        views=comp.views,
        tables=tuple(comp.loaded_tables),
        warnings=tuple(d for d in ctx.diagnostics if not d.is_error),
        allowed=tuple(comp.allowed),
    )
