"""Syntax trees to an immutable, indexed :class:`~radrules.ruleset.Ruleset`.

The compiler is an ordered list of named passes (:data:`PASSES`). Each pass
reads and fills a :class:`Compilation`, reports problems to the shared
context, and never raises; after the last pass, any error raises one
:class:`~radrules.errors.RuleError` holding every diagnostic.
"""

from __future__ import annotations

from collections import defaultdict

from .. import syntax as s
from ..errors import Diagnostic, RuleError, suggestion
from ..model import MODIFIER_PLACEMENTS
from .blocks import BlockCompiler
from .conditions import ConditionCompiler
from .context import Context, source_of
from .index import build_views
from .sets import SetTable

#: Settings a rule file may change, and their allowed values.
SETTINGS = {"modifier_placement": MODIFIER_PLACEMENTS}
#: Code properties every ruleset has (filled by `property` lines or MPFS tables).
KNOWN_PROPERTIES = ("pctc", "bilateral")


class Compilation:
    """What the passes build up."""

    def __init__(self, ctx: Context, sources: list[s.SourceFile]):
        self.ctx = ctx
        self.sources = sources
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
        self.payers: set[str] = set()
        self.views: dict = {}


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
            # Include statements were followed by the loader.


def resolve_sets(comp: Compilation) -> None:
    """Resolve every named set (expanding ranges, following references)."""
    comp.sets = SetTable(comp.ctx, comp.set_defs)
    comp.sets.resolve_all()


def check_settings(comp: Compilation) -> None:
    for setting in comp.settings_syntax:
        name = setting.name.text
        if name not in SETTINGS:
            comp.ctx.error("RR217", f"unknown setting `{name}`", setting.name.span,
                           help=suggestion(name, SETTINGS) or "settings: " + ", ".join(SETTINGS))
            continue
        value = setting.value.text
        if value not in SETTINGS[name]:
            comp.ctx.error("RR217", f"`{value}` is not a value of `{name}`", setting.value.span,
                           help=suggestion(value, SETTINGS[name]) or "values: " + ", ".join(SETTINGS[name]))
            continue
        payers = [p.text.lower() for p in setting.payers] or [None]
        for payer in payers:
            key = (name, payer)
            if key in comp.settings:
                comp.ctx.error("RR306", f"setting `{name}` is given twice" + (f" for payer `{payer}`" if payer else ""),
                               setting.span)
                continue
            comp.settings[key] = value
            if payer:
                comp.payers.add(payer)


def build_properties(comp: Compilation) -> None:
    """``property NAME = VALUE for CODES``: one value per code and property."""
    where: dict = {}
    for definition in comp.property_syntax:
        name = definition.name.text
        resolved = comp.sets.evaluate(definition.codes, "codes")
        if resolved is None:
            continue
        table = comp.properties.setdefault(name, {})
        value = definition.value.text
        for code in sorted(resolved.values):
            if code in table and table[code] != value:
                comp.ctx.error(
                    "RR303", f"property `{name}` of {code} is set to `{table[code]}` and to `{value}`",
                    definition.value.span, help=f"the first value is set at {where[(name, code)]}",
                )
                break
            table[code] = value
            where.setdefault((name, code), source_of(definition.span))


def check_tables(comp: Compilation) -> None:
    for table in comp.tables:
        comp.ctx.error("RR501", "`table` statements need the CMS table loaders, which this version lacks",
                       table.span)


def compile_blocks(comp: Compilation) -> None:
    """Check every rule and edit block; build rules and rows."""
    conditions = ConditionCompiler(comp.ctx, comp.sets, comp.properties)
    compiler = BlockCompiler(comp.ctx, comp.sets, conditions)
    for block in comp.blocks:
        if isinstance(block, s.Rule):
            rule = compiler.rule(block)
            if rule is not None:
                comp.rules.append(rule)
                if rule.scope.payers:
                    comp.payers.update(rule.scope.payers)
            continue
        if isinstance(block, s.PairsBlock):
            rows, disables = compiler.pairs(block)
        elif isinstance(block, s.LimitsBlock):
            rows, disables = compiler.limits(block)
        else:
            rows, disables = compiler.addons(block), []
        comp.rows.extend(rows)
        comp.disables.extend(disables)
        for item in list(rows[:1]) + list(disables[:1]):
            scope = item.block.scope if hasattr(item, "block") else item.scope
            if scope.payers:
                comp.payers.update(scope.payers)


def build_indexes(comp: Compilation) -> None:
    """File rules by code and modifier, rows by key, for every payer and claim type."""
    if comp.ctx.has_errors:
        return
    comp.views = build_views(comp.rules, rows_by_key(comp.rows), disables_by_key(comp.disables),
                             comp.payers, comp.settings, comp.properties)


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
    ("check tables", check_tables),
    ("compile blocks", compile_blocks),
    ("build indexes", build_indexes),
)


def compile_ruleset(sources: list[s.SourceFile], name: str, diagnostics: list[Diagnostic] = ()):
    """Run every pass; return a Ruleset or raise RuleError with all diagnostics.

    ``diagnostics`` are problems found before compiling (syntax, includes);
    the passes still run on what did parse, so one run reports everything.
    """
    from ..ruleset import Ruleset

    ctx = Context(sources)
    ctx.diagnostics.extend(diagnostics)
    comp = Compilation(ctx, sources)
    for _name, run in PASSES:
        run(comp)
    order = {source.name: index for index, source in enumerate(sources)}
    ctx.diagnostics.sort(key=lambda d: (
        order.get(d.span.file, -1) if d.span else -1, d.span.line if d.span else 0, d.span.column if d.span else 0,
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
        settings=dict(comp.settings),
        properties=comp.properties,
        views=comp.views,
        warnings=tuple(d for d in ctx.diagnostics if not d.is_error),
    )
