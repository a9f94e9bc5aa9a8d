"""The compiled ruleset: immutable, thread-safe, picklable; ``evaluate()`` lives here."""

from __future__ import annotations

from typing import Any

import attrs

from . import evaluator
from .checks import FORMAT_RULES
from .compiler.index import select
from .result import Result


@attrs.frozen(eq=False)
class Ruleset:
    """A compiled set of rules. Build one with :func:`radrules.load` or :func:`radrules.loads`.

    Load once, evaluate many times, from any number of threads or processes.
    """

    name: str
    versions: tuple  # ((ruleset name, version) from each file header)
    files: tuple
    rules: tuple  # GeneralRule
    rows: tuple  # PairEdit, UnitLimit, AddonEdit
    disables: tuple
    payers: frozenset
    settings: dict
    properties: dict
    views: dict = attrs.field(repr=False)
    warnings: tuple = ()

    def evaluate(self, claim: Any, *, indexed: bool = True) -> Result:
        """Evaluate one claim (a :class:`~radrules.Claim` or a dict in its JSON shape).

        Raises :class:`~radrules.ClaimError` only for a dict of the wrong
        shape; on a valid claim it never raises. ``indexed=False`` checks
        every rule against every line, for tests that compare the two paths.
        """
        return evaluator.evaluate(self, claim, indexed=indexed)

    def view_for(self, payer: str | None, claim_type: str):
        key = payer.lower() if payer else None
        view = self.views.get((key, claim_type))
        if view is None:
            view = self.views[(None, claim_type)]
        return view

    def select_rows(self, kind: str, key: tuple, payer: str | None, claim_type: str) -> tuple:
        """Rows of one key by a full scan (the unindexed path)."""
        from .compiler import row_key

        rows = [row for row in self.rows if row_key(row) == (kind, key)]
        disables = [d for d in self.disables if (d.kind, d.key) == (kind, key)]
        return select(rows, disables, payer, claim_type)

    def rule_ids(self) -> tuple[str, ...]:
        """Every rule id that can appear in a finding, sorted."""
        ids = {rule.info.id for rule in self.rules}
        ids.update(row.block.info.id for row in self.rows)
        ids.update(FORMAT_RULES)
        return tuple(sorted(ids))

    def describe(self) -> dict:
        """Counts of what the ruleset holds, for ``radrules check``."""
        counts: dict[str, int] = {}
        for row in self.rows:
            kind = row.block.info.kind
            counts[kind] = counts.get(kind, 0) + 1
        return {
            "name": self.name,
            "versions": dict(self.versions),
            "files": len(self.files),
            "rules": len(self.rules),
            "pair_rows": counts.get("ptp", 0),
            "limit_rows": counts.get("mue", 0),
            "addon_rows": counts.get("addon", 0),
            "payers": sorted(self.payers),
        }
