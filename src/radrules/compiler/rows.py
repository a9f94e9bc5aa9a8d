"""Checks of rule-file rows against each other: rows of one key that another row or a `disable` of the same level
makes dead on some dates, without changing what the rows mean (docs/language.md, "Which rows win").

Rows are compared only within their key, and only where their blocks meet: a payer and claim type that both
apply to.
"""

from __future__ import annotations

from ..claim import CLAIM_TYPES

#: How many rows a message names (more are counted).
_NAMED = 2


def warn_row_conflicts(comp, grouped_rows: dict) -> None:
    """The warnings of this module, after the blocks are compiled without errors."""
    views = [(payer, claim_type) for payer in sorted(comp.payers) + [None] for claim_type in CLAIM_TYPES]
    _warn_disabled_at_their_level(comp, grouped_rows, views)


def _meet(first, second, views) -> bool:
    """Whether the scopes ``first`` and ``second`` both apply to some payer and claim type."""
    return any(first.applies_to(payer, claim_type) and second.applies_to(payer, claim_type)
               for payer, claim_type in views)


def _warn_disabled_at_their_level(comp, grouped_rows: dict, views) -> None:
    """RR267 at a ``disable`` that takes off rows of its key written at its own level (the same ``for payer`` and
    ``for ... claims``, in its block or another): those rows never apply where the disable does."""
    for disable, span in comp.disable_spans:
        level = disable.scope.level
        dead = [row for row in grouped_rows.get((disable.kind, disable.key), ())
                if row.block.scope.level == level and _meet(row.block.scope, disable.scope, views)]
        if not dead:
            continue
        blocks = list(dict.fromkeys(f"`{row.block.info.id}`" for row in dead))
        where = [row.source for row in dead]
        rows = (f"the row of {blocks[0]} at {where[0]}" if len(dead) == 1
                else f"the rows of {_listed(blocks)} at {_listed(where[:_NAMED], len(where) - _NAMED)}")
        comp.ctx.warning(
            "RR267", f"`disable {disable.kind} {' with '.join(disable.key)}` removes {rows}, written at the same "
            "level", span,
            help=f"a `disable` takes off the rows of its key at its own level too (the same `for payer` and "
                 f"`for ... claims`), so {'that row never applies' if len(dead) == 1 else 'those rows never apply'}"
                 ". A row already replaces the table's rows of its key: drop the `disable` to keep the row, or "
                 "drop the row to leave the key without an edit")


def _listed(items: list, more: int = 0) -> str:
    """``a``, ``a and b``, ``a, b and c``; ``a, b and 3 more`` with ``more``."""
    if more > 0:
        return ", ".join(items) + f" and {more} more"
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]
