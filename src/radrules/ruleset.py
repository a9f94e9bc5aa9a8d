"""The compiled ruleset: immutable, thread-safe, picklable; ``evaluate()`` lives here."""

from __future__ import annotations

from typing import Any, Mapping, Sequence, Union

import attrs

from . import evaluator
from .claim import Claim, checked
from .errors import Diagnostic, capped
from .history import History, HistoryLine
from .checks import FORMAT_RULES
from .compiler.selection import select
from .model import MUE_UNPUBLISHED, on_day
from .result import Result
from .tables import ROW_KINDS, TABLE_RULES, table_size, version_windows
from .tables.timeline import Loaded
from .validity import RULES_OF_KIND

#: What ``evaluate(claim, history=...)`` takes: a :class:`~radrules.History`; or the lines themselves, a list, a tuple
#: or any other sequence but a text, of :class:`~radrules.HistoryLine` objects or dicts in the history line shape (a
#: Mapping, so that a TypedDict of it type-checks); or None.
HistoryInput = Union[History, Sequence[Union[HistoryLine, Mapping[str, Any]]], None]


@attrs.frozen(eq=False, repr=False)
class Ruleset:
    """A compiled set of rules. Build one with :func:`radrules.load` or :func:`radrules.loads`.

    Load once, evaluate many times, from any number of threads or processes.
    Nothing changes a ruleset once compiled; its dicts are plain dicts (read on
    every evaluation) that must not be changed either: ``load()`` hands every
    caller of the same files the same ruleset.
    """

    name: str
    versions: tuple[tuple[str, str], ...]  # (ruleset name, version) from each file header
    files: tuple[str, ...]
    rules: tuple  # GeneralRule
    rows: tuple  # PairEdit, UnitLimit, AddonEdit
    disables: tuple
    payers: frozenset[str]  # the payers `for payer` clauses and statements name: each has views of its own
    settings: dict
    properties: dict
    views: dict = attrs.field(repr=False)
    tables: tuple[Loaded, ...] = attrs.field(default=(), repr=False)  # one per table statement
    # at most MAX_PER_FILE of each file, the rest counted in an RR407, as a RuleError shows them
    warnings: tuple[Diagnostic, ...] = attrs.field(default=(), converter=lambda found: tuple(capped(found)))
    # the warnings `# allow CODE: reason` comments took out of ``warnings`` (docs/language.md)
    allowed: tuple[Diagnostic, ...] = attrs.field(default=(), repr=False)
    # the payers rules' conditions compare `claim.payer` with (`claim.payer is not medicare`): no views of their own
    compared_payers: frozenset = attrs.field(default=frozenset(), repr=False)

    def evaluate(self, claim: Claim | Mapping[str, Any], *, history: HistoryInput = None, explain: bool = False,
                 indexed: bool = True) -> Result:
        """Evaluate one claim (a :class:`~radrules.Claim` or a dict in its JSON shape).

        Raises :class:`~radrules.ClaimError` only for a dict of the wrong
        shape; on a valid claim it never raises. ``explain=True`` attaches
        an :class:`~radrules.explain.Explanation` (every rule considered and
        why it fired or not) as ``result.explanation``; it is a second pass
        and costs nothing when off. ``history``: the patient's earlier
        service lines (a list of dicts in the history line shape, or a
        :class:`~radrules.history.History`), for frequency limits, duplicates
        of paid services, and PTP/MUE edits across claims of one provider
        and date. ``indexed=False`` checks every rule against every line,
        for tests that compare the two paths.
        """
        if not explain:
            return evaluator.evaluate(self, claim, indexed=indexed, history=history)
        from .explain import explain as explain_result

        claim = Claim.from_dict(claim) if not isinstance(claim, Claim) else checked(claim)
        result = evaluator.evaluate(self, claim, indexed=indexed, history=history)
        return attrs.evolve(result, explanation=explain_result(self, claim, result, history))

    def view_for(self, payer: str | None, claim_type: str):
        key = payer.lower() if payer else None
        view = self.views.get((key, claim_type))
        if view is None:
            view = self.views[(None, claim_type)]
        return view

    def view_of(self, claim: Claim):
        """The view that judges ``claim``: its payer's and claim type's, without the hospital outpatient tables
        for a type of bill they do not judge (:meth:`View.of_bill`)."""
        return self.view_for(claim.payer, claim.type).of_bill(claim.bill_type)

    def rule_rows(self, kind: str, key: tuple, payer: str | None, claim_type: str,
                  disables: bool = True) -> tuple | None:
        """The rows rule files give one key, () if they disable it, None if they leave it to the tables, or a
        :class:`~radrules.model.Timeline` of these date by date (:func:`~radrules.compiler.selection.select`; by a
        full scan: the unindexed path). ``disables=False``: as if no ``disable`` row applied."""
        from .compiler import row_key

        rows = [row for row in self.rows if row_key(row) == (kind, key)]
        found = [d for d in self.disables if (d.kind, d.key) == (kind, key)] if disables else []
        return select(rows, found, payer, claim_type)

    def select_rows(self, kind: str, key: tuple, payer: str | None, claim_type: str, day: int,
                    disables: bool = True, tables: bool = True) -> tuple:
        """Rows of one key by a full scan of rule files and tables (the unindexed path); ``tables=False``: of rule
        files only (a claim of a type of bill the tables do not judge)."""
        from .tables import versions

        chosen = on_day(self.rule_rows(kind, key, payer, claim_type, disables), day)
        if chosen is not None:
            return chosen
        if not tables:
            return ()
        table_kind = next(table for table, rows in ROW_KINDS.items() if rows == kind)
        found = versions(list(self.tables), table_kind, claim_type, payer)
        if found is None:
            return ()
        table, block = found.at(day), found.block_at(day)
        if kind == "pair":
            return table.scan(key[0], key[1], block)
        return next((rows for code, rows in table.items() if code == key[0]), ())

    def blocks(self) -> dict:
        """{rule id: BlockInfo} of every edit block: those with rows, then those that hold ``disable`` rows only."""
        blocks = {row.block.info.id: row.block for row in self.rows}
        for disable in self.disables:
            blocks.setdefault(disable.rule, disable.block)
        return blocks

    def replaced(self) -> frozenset:
        """The ids of the rules and edit blocks written as stand-ins (``unless table``) that the loaded tables
        replace on every claim they could apply to."""
        return frozenset([rule.info.id for rule in self.rules if rule.scope.replaced_by_tables()]
                         + [rule_id for rule_id, block in self.blocks().items() if block.scope.replaced_by_tables()])

    def rule_ids(self) -> tuple[str, ...]:
        """Every rule id that can appear in a finding, sorted."""
        ids = {rule.info.id for rule in self.rules}
        ids.update(row.block.info.id for row in self.rows)
        ids.update(FORMAT_RULES)
        for loaded in self.tables:
            if loaded.kind in TABLE_RULES:
                ids.add(TABLE_RULES[loaded.kind][0])
            if loaded.kind == "mue":
                ids.add(MUE_UNPUBLISHED)
            ids.update(RULES_OF_KIND.get(loaded.kind, ()))
        return tuple(sorted(ids))

    def __repr__(self) -> str:
        """A summary: the name, how many files, rules and rows, the payers (a full repr ran to megabytes)."""
        return (f"<Ruleset {self.name!r}: {len(self.files)} files, {len(self.rules)} rules, {len(self.rows)} rows, "
                f"{len(self.tables)} tables, payers {sorted(self.payers)}>")

    def describe(self) -> dict[str, Any]:
        """Counts of what the ruleset holds, and its table versions, for ``radrules check``."""
        replaced = self.replaced()
        counts: dict[str, int] = {}
        for row in self.rows:
            kind = row.block.info.kind
            counts[kind] = counts.get(kind, 0) + 1
        tables: dict[str, int] = {}
        for loaded in self.tables:
            name = f"{loaded.kind}_table_rows" if loaded.kind == "ptp" else f"{loaded.kind}_table_codes"
            tables[name] = tables.get(name, 0) + table_size(loaded)
        return {
            "name": self.name,
            "versions": dict(self.versions),
            "files": len(self.files),
            "rules": len(self.rules),
            "pair_rows": counts.get("ptp", 0),
            "limit_rows": counts.get("mue", 0),
            "addon_rows": counts.get("addon", 0),
            "tables": tables,
            "table_versions": version_windows(list(self.tables)),
            "payers": sorted(self.payers | self.compared_payers),  # every name claims' payers are compared with
            # stand-ins (`unless table`) that the loaded tables replace for every claim they could apply to
            "replaced": {"rules": sum(rule.info.id in replaced for rule in self.rules),
                         "rows": sum(row.block.info.id in replaced for row in self.rows)},
        }
