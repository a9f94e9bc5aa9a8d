"""``diff_rulesets``: what changed between two compiled rulesets.

Rules are matched by id, edit rows and disables by (rule id, key) (a
block's scope and dates are the block's), settings by (name, payer), code
properties by (name, code), CMS table rows as ``tables.py`` says.
Everything is compared through the canonical descriptions of
``describe.py``: where a rule is written, its comments and the order of its
``and`` parts are not changes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import attrs

from .. import model as m
from ..result import KINDS
from ..ruleset import Ruleset
from . import describe as d
from .tables import TABLE_FAMILIES, TableDiff, diff_tables, table_label

#: Sections of a report, in order: the rule families, then what belongs to no rule.
FAMILIES = KINDS + ("settings", "properties")
#: What a change is about, in report order within a rule.
WHATS = ("rule", "block", "pair", "limit", "addon", "disable", "table", "setting", "property")
_PLURALS = {"rule": "rules", "block": "rules", "pair": "pairs", "limit": "limits", "addon": "addons",
            "disable": "disables", "table": "tables", "setting": "settings", "property": "properties"}
#: The keys of ``counts`` in JSON: every one, with zeros, so that a reader can index them.
COUNTED = ("rules", "pairs", "limits", "addons", "disables", "settings", "properties", "tables", "table_rows")
DEFAULT_LIMIT = 10


@attrs.frozen
class Change:
    """One rule, block, row, disable, setting, property or table version added, removed or changed."""

    change: str  # "added", "removed" or "changed"
    what: str  # one of WHATS
    family: str  # the rule family (kind), or "settings" / "properties"
    rule: str | None  # the rule id it belongs to (None for settings and properties)
    key: str  # what it is, for people: the rule id, "74176 with 74150", "modifier_placement for payer acme"
    old: dict | None  # its description in OLD (None if added)
    new: dict | None  # its description in NEW (None if removed)
    details: tuple[str, ...] = ()  # for people: one line per field that differs (or the row, if added/removed)
    source: str | None = None  # where it is written (NEW's file:line, else OLD's)

    def sort_key(self):
        return (FAMILIES.index(self.family) if self.family in FAMILIES else len(FAMILIES), self.rule or "",
                WHATS.index(self.what), self.key)

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.change, "what": self.what, "family": self.family, "rule": self.rule,
                "key": self.key, "old": self.old, "new": self.new, "details": list(self.details),
                "source": self.source}


@attrs.frozen
class RulesetDiff:
    """What changed between two rulesets (:func:`diff_rulesets`).

    ``changes`` lists rules, edit blocks, rule-file rows, disables, settings,
    properties and table versions; ``tables`` the row counts (and first
    examples) of CMS tables that differ. Falsy when the rulesets are the same.
    """

    old_name: str
    new_name: str
    old_versions: tuple[tuple[str, str], ...]
    new_versions: tuple[tuple[str, str], ...]
    changes: tuple[Change, ...]
    tables: tuple[TableDiff, ...]

    def __bool__(self) -> bool:
        return bool(self.changes) or bool(self.tables)

    @property
    def same(self) -> bool:
        return not self

    def counts(self) -> dict:
        """{what: {"added": n, "removed": n, "changed": n}}, plus ``table_rows`` from the tables."""
        out: dict = {}
        for change in self.changes:
            what = _PLURALS[change.what]
            bucket = out.setdefault(what, {"added": 0, "removed": 0, "changed": 0})
            bucket[change.change] += 1
        if self.tables:
            out["table_rows"] = {
                "added": sum(t.added for t in self.tables),
                "removed": sum(t.removed for t in self.tables),
                "changed": sum(t.changed for t in self.tables),
            }
        return out

    def families(self) -> list[tuple[str, list[tuple[str | None, list[Change], list[TableDiff]]]]]:
        """[(family, [(rule id, changes, table diffs), ...]), ...] in report order."""
        grouped: dict = defaultdict(lambda: defaultdict(lambda: ([], [])))
        for change in self.changes:
            grouped[change.family][change.rule][0].append(change)
        for table in self.tables:
            grouped[table.family][table.rule][1].append(table)
        out = []
        for family in sorted(grouped, key=lambda f: FAMILIES.index(f) if f in FAMILIES else len(FAMILIES)):
            rules = grouped[family]
            out.append((family, [(rule, *rules[rule]) for rule in sorted(rules, key=lambda r: r or "")]))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: both rulesets, counts, and every change grouped by family and rule id."""
        counts = self.counts()
        return {
            "old": {"name": self.old_name, "versions": dict(sorted(self.old_versions))},
            "new": {"name": self.new_name, "versions": dict(sorted(self.new_versions))},
            "same": self.same,
            "counts": {what: counts.get(what, {"added": 0, "removed": 0, "changed": 0}) for what in COUNTED},
            "families": [
                {"family": family, "rules": [
                    {"rule": rule, "changes": [c.to_dict() for c in changes],
                     "tables": [t.to_dict() for t in tables]}
                    for rule, changes, tables in rules
                ]}
                for family, rules in self.families()
            ],
        }

    def to_text(self) -> str:
        """The report for people (what ``radrules diff`` prints)."""
        from .report import ruleset_text

        return ruleset_text(self)


def diff_rulesets(old: Ruleset, new: Ruleset, *, limit_examples: int = DEFAULT_LIMIT) -> RulesetDiff:
    """What changed from ``old`` to ``new`` (two :class:`~radrules.Ruleset` objects).

    Rule-file content is listed in full; for CMS tables, counts of rows
    added, removed and changed, with the first ``limit_examples`` rows.
    """
    for argument, value in (("old", old), ("new", new)):
        if not isinstance(value, Ruleset):
            raise TypeError(f"diff_rulesets(): `{argument}` must be a Ruleset (radrules.load()), not "
                            f"{type(value).__name__}")
    changes: list[Change] = []
    changes += _rules(old, new)
    changes += _blocks(old, new)
    changes += _rows(old, new)
    changes += _disables(old, new)
    changes += _settings(old, new)
    changes += _properties(old, new)
    table_diffs, versions = diff_tables(old.tables, new.tables, limit_examples)
    changes += [_version_change(*item) for item in versions]
    changes.sort(key=Change.sort_key)
    return RulesetDiff(old.name, new.name, tuple(old.versions), tuple(new.versions), tuple(changes),
                       tuple(table_diffs))


# ---------------------------------------------------------------- rules and blocks


def _rules(old, new) -> list[Change]:
    before = {rule.info.id: rule for rule in old.rules}
    after = {rule.info.id: rule for rule in new.rules}
    out = []
    for rule_id in sorted(before.keys() | after.keys()):
        a, b = before.get(rule_id), after.get(rule_id)
        family = (b or a).info.kind
        source = (b or a).info.source
        if a is None:
            desc = d.rule_description(b)
            out.append(Change("added", "rule", family, rule_id, rule_id, None, desc, _rule_summary(desc), source))
        elif b is None:
            desc = d.rule_description(a)
            out.append(Change("removed", "rule", family, rule_id, rule_id, desc, None, _rule_summary(desc), source))
        elif d.rule_key(a) != d.rule_key(b):
            old_desc, new_desc = d.rule_description(a), d.rule_description(b)
            out.append(Change("changed", "rule", family, rule_id, rule_id, old_desc, new_desc,
                              tuple(d.rule_details(old_desc, new_desc, a, b)), source))
    return out


def _rule_summary(desc: dict) -> tuple[str, ...]:
    """Scope, condition and action of a rule's description, a line each (and `once per line` and `across
    providers`, if it says so)."""
    summary = (d.scope_text(desc), f"when {desc['condition']}",
               f"then {desc['severity']} {desc['target']} \"{desc['message']}\"")
    return summary + tuple(words for name, words in (("once_per_line", "once per line"),
                                                     ("across_providers", "across providers")) if desc[name])


def _blocks(old, new) -> list[Change]:
    before, after = old.blocks(), new.blocks()
    out = []
    for rule_id in sorted(before.keys() | after.keys()):
        a, b = before.get(rule_id), after.get(rule_id)
        family = (b or a).info.kind
        source = (b or a).info.source
        if a is None or b is None:
            desc = d.block_description(b or a)
            out.append(Change("added" if a is None else "removed", "block", family, rule_id, rule_id,
                              None if a is None else desc, desc if a is None else None, (d.scope_text(desc),),
                              source))
            continue
        old_desc, new_desc = d.block_description(a), d.block_description(b)
        if old_desc != new_desc:
            out.append(Change("changed", "block", family, rule_id, rule_id, old_desc, new_desc,
                              tuple(d.rule_details(old_desc, new_desc)), source))
    return out


# ---------------------------------------------------------------- rows


_ROW_VALUES = {"pair": d.pair_value, "limit": d.limit_value, "addon": d.addon_value}


def _row_groups(ruleset) -> dict:
    """{(rule id, kind, key): ([row values], BlockInfo, first source)}."""
    groups: dict = {}
    for row in ruleset.rows:
        if hasattr(row, "column1"):
            kind, key = "pair", (row.column1, row.column2)
        elif hasattr(row, "max_units"):
            kind, key = "limit", (row.code,)
        else:
            kind, key = "addon", (row.code,)
        entry = groups.setdefault((row.block.info.id, kind, key), ([], row.block, row.source))
        entry[0].append(_ROW_VALUES[kind](row))
    return groups


def _rows(old, new) -> list[Change]:
    before, after = _row_groups(old), _row_groups(new)
    out = []
    for group in sorted(before.keys() | after.keys()):
        rule_id, kind, key = group
        a, b = before.get(group), after.get(group)
        values_before = a[0] if a else []
        values_after = b[0] if b else []
        if sorted(values_before, key=repr) == sorted(values_after, key=repr):
            continue
        family = (b or a)[1].info.kind
        source = (b or a)[2]
        label = " with ".join(key)
        added, removed, changed = d.match_rows(values_before, values_after)
        for value in removed:
            out.append(Change("removed", kind, family, rule_id, label, d.row_fields(kind, value), None,
                              (d.row_text(kind, value),), source))
        for value in added:
            out.append(Change("added", kind, family, rule_id, label, None, d.row_fields(kind, value),
                              (d.row_text(kind, value),), source))
        for value_before, value_after in changed:
            out.append(Change("changed", kind, family, rule_id, label, d.row_fields(kind, value_before),
                              d.row_fields(kind, value_after), tuple(d.row_details(kind, value_before, value_after)),
                              source))
    return out


def _disables(old, new) -> list[Change]:
    def keyed(ruleset):
        # by the block's id, as rows are: a change of the block's payers, claim types or dates is the block's
        # change (`_blocks`), not a removed and an added disable of each of its rows
        return {(x.rule, x.kind, x.key): x for x in ruleset.disables}

    before, after = keyed(old), keyed(new)
    out = []
    for key in sorted(before.keys() ^ after.keys(), key=repr):
        item = after.get(key) or before.get(key)
        family = {"pair": "ptp", "limit": "mue", "addon": "addon"}[item.kind]
        desc = {"kind": item.kind, "key": list(item.key), **d.scope_fields(item.scope)}
        label = f"disable {item.kind} " + " with ".join(item.key)
        added = key in after
        out.append(Change("added" if added else "removed", "disable", family, item.rule, label,
                          None if added else desc, desc if added else None, (d.scope_text(desc),), item.source))
    return out


# ---------------------------------------------------------------- settings and properties


def _setting_shown(ruleset, name: str, payer: str | None, value) -> str:
    """A setting's value on one side; where that side does not give it for ``payer``, the value it then has: the
    one for every payer, or the default (`default (column2)`)."""
    if value is not None:
        return d.show(value)
    if payer is not None and (name, None) in ruleset.settings:
        return f"{d.show(ruleset.settings[(name, None)])} (for every payer)"
    return f"default ({m.SETTINGS[name][0]})"


def _settings(old, new) -> list[Change]:
    out = []
    for key in sorted(old.settings.keys() | new.settings.keys(), key=lambda k: (k[0], k[1] or "")):
        name, payer = key
        a, b = old.settings.get(key), new.settings.get(key)
        if a == b:
            continue
        label = name + (f" for payer {payer}" if payer else "")
        change = "added" if a is None else "removed" if b is None else "changed"
        before, after = (_setting_shown(side, name, payer, value) for side, value in ((old, a), (new, b)))
        details = (f"{before} {d.ARROW} {after}",)
        out.append(Change(change, "setting", "settings", None, label,
                          None if a is None else {"name": name, "payer": payer, "value": a},
                          None if b is None else {"name": name, "payer": payer, "value": b}, details))
    return out


def _properties(old, new) -> list[Change]:
    out = []
    for name in sorted(old.properties.keys() | new.properties.keys()):
        a, b = old.properties.get(name, {}), new.properties.get(name, {})
        if a == b:
            continue
        codes = sorted(code for code in a.keys() | b.keys() if a.get(code) != b.get(code))
        moves: dict = defaultdict(list)
        for code in codes:
            moves[(a.get(code), b.get(code))].append(code)
        details = []
        # Values changed first, then codes newly given a value, then codes that lost theirs.
        order = lambda item: (0 if None not in item[0] else 1 if item[0][0] is None else 2, str(item[0]))  # noqa: E731
        for (before, after), moved in sorted(moves.items(), key=order):
            if before is None:
                details.append(f"= {after} for {d.code_list(moved)}")
            elif after is None:
                details.append(f"no longer set for {d.code_list(moved)} (was {before})")
            else:
                details.append(f"{before} {d.ARROW} {after} for {d.code_list(moved)}")
        change = "added" if not a else "removed" if not b else "changed"
        out.append(Change(change, "property", "properties", None, name,
                          {code: a[code] for code in codes if code in a} or None,
                          {code: b[code] for code in codes if code in b} or None, tuple(details)))
    return out


def _version_change(kind: str, claim_type: str, payers: tuple | None, before: tuple, after: tuple) -> Change:
    family, rule, _row_kind = TABLE_FAMILIES[kind]
    label = table_label(kind, claim_type, payers)

    def show(versions):
        return "; ".join(f"{', '.join(files)} from {start}" for start, files in versions) or "none"

    change = "added" if not before else "removed" if not after else "changed"
    return Change(change, "table", family, rule, label,
                  {"versions": [{"start": s, "files": list(f)} for s, f in before]} if before else None,
                  {"versions": [{"start": s, "files": list(f)} for s, f in after]} if after else None,
                  (f"versions: {show(before)} {d.ARROW} {show(after)}",))


__all__ = ["Change", "RulesetDiff", "diff_rulesets"]
