"""Which rule-file rows of one key apply to a payer and claim type: overrides and ``disable``, date by date.

On each date of service the rows of the most specific level in force on that date win (a payer and claim type's
block, a payer's, a claim type's, then a block of every claim); a ``disable`` in force on the date takes the key
off at its own level and the less specific ones; on a date no rule-file row or ``disable`` of the key is in force
on, the CMS tables decide (docs/language.md, "Which rows win").
"""

from __future__ import annotations

from ..model import Timeline, on_day


def select(rows, disables, payer: str | None, claim_type: str):
    """The rule-file rows of one key for a payer and claim type, after overrides.

    None when no rule-file row or ``disable`` of the key applies to them (the CMS tables decide on every date);
    a tuple when the choice is the same on every date: the rows of the most specific level with rows in force,
    or () where a ``disable`` takes the key off; else a :class:`~radrules.model.Timeline` of those choices date
    by date (None on dates no row or ``disable`` is in force on).
    """
    applying = [row for row in rows if row.block.scope.applies_to(payer, claim_type)]
    offs = [disable for disable in disables if disable.scope.applies_to(payer, claim_type)]
    if not applying and not offs:
        return None
    days = {day for row in applying for day in _bounds(row.start, row.end)}
    days.update(day for disable in offs for day in _bounds(disable.scope.start, disable.scope.end))
    if not days:
        return _choose(applying, applying, offs)
    starts: list = []
    values: list = []
    for start in [1, *sorted(days)]:
        value = _choose(applying, [row for row in applying if row.active_on(start)],
                        [disable for disable in offs if disable.scope.active_on(start)])
        if values and _same(value, values[-1]):
            continue
        starts.append(start)
        values.append(value)
    if len(values) == 1:
        return values[0]
    return Timeline(tuple(starts), tuple(values))


def _choose(applying: list, rows: list, disables: list):
    """The choice on a date given the rows and disables in force on it: None (the tables), (), or every row of the
    most specific level in force (of ``applying``, also those out of their dates: evaluation and explain read
    each row's own dates, and explain says why one is not in force)."""
    best = max((row.block.scope.level for row in rows), default=-1)
    if any(disable.scope.level >= best for disable in disables):
        return ()
    if best < 0:
        return None
    return tuple(row for row in applying if row.block.scope.level == best)


def _bounds(start: int | None, end: int | None) -> list:
    """The days on which a window's rows begin, or have ended (the day after the last)."""
    return ([start] if start is not None and start > 1 else []) + ([end + 1] if end is not None else [])


def _same(first, second) -> bool:
    if first is None or second is None:
        return first is second
    return len(first) == len(second) and all(a is b for a, b in zip(first, second))


def chosen_rows(chosen) -> tuple:
    """Every row ``chosen`` (a :func:`select` result) has on some date."""
    if chosen is None:
        return ()
    return chosen.rows() if chosen.__class__ is Timeline else chosen


def disabled_on_some_date(chosen) -> bool:
    """Whether a ``disable`` takes the key off on some date in ``chosen``."""
    if chosen.__class__ is Timeline:
        return any(value == () for value in chosen.values)
    return chosen == ()


def turns(scope, *chosen) -> list:
    """The first date of ``scope`` (a ``disable``'s) and each date within it on which a choice of ``chosen``
    (:func:`select` results) changes: the dates on which the ``disable`` may act differently."""
    first = scope.start if scope.start is not None and scope.start > 1 else 1
    days = {first}
    for found in chosen:
        if found.__class__ is Timeline:
            days.update(day for day in found.starts if first < day and (scope.end is None or day <= scope.end))
    return sorted(days)


__all__ = ["chosen_rows", "disabled_on_some_date", "on_day", "select", "turns"]
