"""Checks of rule-file rows against each other: rows of one key that another row or a `disable` of the same level
makes dead on some dates, without changing what the rows mean (docs/language.md, "Which rows win").

Rows are compared only within their key, and only where their blocks meet: a payer and claim type that both
apply to.
"""

from __future__ import annotations

import datetime as dt

from ..claim import CLAIM_TYPES
from ..model import window_text

#: How many rows a message names (more are counted).
_NAMED = 2
#: The last date ordinal: the open end of a window.
_LAST = dt.date.max.toordinal()
#: PTP modifier indicators from the strictest: a row of 0 denies whatever the modifiers, one of 9 never.
_STRICTNESS = {0: 0, 1: 1, 9: 2}


def warn_row_conflicts(comp, grouped_rows: dict) -> None:
    """The warnings of this module, after the blocks are compiled without errors."""
    views = [(payer, claim_type) for payer in sorted(comp.payers) + [None] for claim_type in CLAIM_TYPES]
    _warn_disabled_at_their_level(comp, grouped_rows, views)
    _warn_overlapping_rows(comp, grouped_rows, views)


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


def _warn_overlapping_rows(comp, grouped_rows: dict, views) -> None:
    """RR309 at a ``limit`` or ``pair`` row in force on some date with an earlier row of its key and level that
    gives another edit (another limit or MAI, another modifier indicator), for a payer and claim type both
    apply to: of limits the first in file order counts, of pairs the strictest row decides."""
    spans = None
    for (kind, key), rows in grouped_rows.items():
        if kind == "addon" or len(rows) < 2:
            continue
        for j, later in enumerate(rows):
            if any(_same(earlier, later) for earlier in rows[:j]):
                continue  # a repeat (RR304 in one block): the first of them is told
            for earlier in rows[:j]:
                dates = _overlap(earlier, later)
                if (dates is None or _edit(earlier) == _edit(later)
                        or earlier.block.scope.level != later.block.scope.level
                        or not _meet(earlier.block.scope, later.block.scope, views)):
                    continue
                if spans is None:
                    spans = {id(row): span for row, span in comp.row_spans}
                when = window_text(*dates)
                when = "on every date" if not when else when if " through " not in when else f"on {when}"
                both = f"`{_row_text(later)}` here and `{_row_text(earlier)}` at {earlier.source} are both in force"
                if kind == "limit":
                    comp.ctx.warning(
                        "RR309", f"{both} {when}: that row counts, the first in file order",
                        spans[id(later)], help="of the rows of one code at one level (the same `for payer` and "
                        "`for ... claims`), the first in force on a date counts: end one row's dates before the "
                        "other's start, or remove one")
                else:
                    strict = min((earlier, later), key=lambda row: _STRICTNESS[row.indicator])
                    which = "the row here" if strict is later else "that row"
                    comp.ctx.warning(
                        "RR309", f"{both} {when}: {which}, with modifier {strict.indicator}, decides",
                        spans[id(later)], help="every row of one pair at one level (the same `for payer` and "
                        "`for ... claims`) in force on a date is checked, so the strictest decides: end one row's "
                        "dates before the other's start, or remove one")
                break


def _same(first, second) -> bool:
    """Whether two rows of a key give the same edit on the same dates at the same level."""
    return (_edit(first) == _edit(second) and (first.start or 1, first.end) == (second.start or 1, second.end)
            and first.block.scope.level == second.block.scope.level)


def _overlap(first, second) -> tuple | None:
    """(start, end) of the dates both rows are in force on (None: open), or None if they share none."""
    start = max(first.start or 1, second.start or 1)
    end = min(first.end or _LAST, second.end or _LAST)
    if start > end:
        return None
    return (start if start > 1 else None), (end if end != _LAST else None)


def _edit(row) -> tuple:
    """What a limit or pair row says besides its dates."""
    return (row.indicator,) if hasattr(row, "indicator") else (row.max_units, row.mai)


def _row_text(row) -> str:
    """A limit or pair row as written, without its dates."""
    if hasattr(row, "indicator"):
        return f"pair {row.column1} with {row.column2} modifier {row.indicator}"
    return f"limit {row.code} max {row.max_units} mai {row.mai}"


def _listed(items: list, more: int = 0) -> str:
    """``a``, ``a and b``, ``a, b and c``; ``a, b and 3 more`` with ``more``."""
    if more > 0:
        return ", ".join(items) + f" and {more} more"
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]
