"""The choice of a key's rule-file rows date by date (compiler/selection.py) against a reference that chooses
afresh on each date: on a date, the rows of the most specific level with a row in force win (all of them: each
judged by its own dates), a `disable` in force at that level or a more specific one takes the key off, and with
neither the tables decide (None)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from radrules import model as m
from radrules.compiler.selection import chosen_rows, disabled_on_some_date, select, turns

LEVELS = (m.LEVEL_RULES, m.LEVEL_TYPE, m.LEVEL_PAYER, m.LEVEL_PAYER_TYPE)
#: Scopes of each level: the payers and claim types of its blocks.
SCOPES = {m.LEVEL_RULES: (None, None), m.LEVEL_TYPE: (None, frozenset({"professional"})),
          m.LEVEL_PAYER: (frozenset({"acme"}), None),
          m.LEVEL_PAYER_TYPE: (frozenset({"acme"}), frozenset({"professional"}))}
#: Days of a few years, so that windows meet and overlap often.
FIRST, LAST = 738_000, 738_060


def scope(level: int, start, end) -> m.Scope:
    payers, claim_types = SCOPES[level]
    return m.Scope(payers=payers, claim_types=claim_types, start=start, end=end, level=level)


def info(number: int) -> m.RuleInfo:
    return m.RuleInfo(f"block{number}", "mue", "deny", None, (), "r", None, f"m.rr:{number}")


windows = st.tuples(st.one_of(st.none(), st.integers(FIRST, LAST)), st.one_of(st.none(), st.integers(FIRST, LAST)))


@st.composite
def keys(draw):
    """The rows and disables of one key: each in a block of some level, with a window or none."""
    rows, disables = [], []
    for number in range(draw(st.integers(0, 5))):
        level = draw(st.sampled_from(LEVELS))
        start, end = draw(windows)
        if start is not None and end is not None and end < start:
            start, end = end, start
        block = m.BlockInfo(info(number), scope(level, None, None))
        rows.append(m.UnitLimit("74176", number + 1, 2, start, end, None, f"m.rr:{number}", block))
    for number in range(draw(st.integers(0, 3))):
        level = draw(st.sampled_from(LEVELS))
        start, end = draw(windows)
        if start is not None and end is not None and end < start:
            start, end = end, start
        block = m.BlockInfo(info(10 + number), scope(level, start, end))
        disables.append(m.Disable(("74176",), "limit", block.scope, f"m.rr:{10 + number}", block))
    return rows, disables


def reference(rows, disables, payer, claim_type, day):
    """The choice on ``day`` made afresh from the rows and disables that apply and are in force on it."""
    rows = [row for row in rows if row.block.scope.applies_to(payer, claim_type)]
    disables = [d for d in disables if d.scope.applies_to(payer, claim_type) and d.scope.active_on(day)]
    best = max((row.block.scope.level for row in rows if row.active_on(day)), default=-1)
    if any(d.scope.level >= best for d in disables):
        return ()
    if best < 0:
        return None
    return tuple(row for row in rows if row.block.scope.level == best)  # (those out of their dates too)


@settings(max_examples=400, deadline=None)
@given(keys(), st.sampled_from([("acme", "professional"), ("acme", "institutional"), (None, "professional")]))
def test_the_choice_on_each_date_is_made_afresh(key, view):
    rows, disables = key
    payer, claim_type = view
    chosen = select(rows, disables, payer, claim_type)
    applying = [r for r in rows if r.block.scope.applies_to(payer, claim_type)]
    if not applying and not [d for d in disables if d.scope.applies_to(payer, claim_type)]:
        assert chosen is None
        return
    for day in range(FIRST - 2, LAST + 3):
        assert m.on_day(chosen, day) == reference(rows, disables, payer, claim_type, day), day
    if chosen.__class__ is m.Timeline:
        # a Timeline only where the choice differs between dates, each value unlike the one before it
        assert len(chosen.values) > 1 and all(a != b for a, b in zip(chosen.values, chosen.values[1:]))
    assert set(map(id, chosen_rows(chosen))) == {id(row) for day in range(FIRST - 2, LAST + 3)
                                                 for row in reference(rows, disables, payer, claim_type, day) or ()}
    assert disabled_on_some_date(chosen) == any(
        reference(rows, disables, payer, claim_type, day) == () for day in range(FIRST - 2, LAST + 3))


@settings(max_examples=200, deadline=None)
@given(keys())
def test_the_turns_of_a_disable_are_every_date_its_effect_can_change_on(key):
    """Between two turns of a disable's dates the choice with it and without it stays the same."""
    rows, disables = key
    for disable in disables:
        with_it = select(rows, (disable,), "acme", "professional")
        without = select(rows, (), "acme", "professional")
        days = turns(disable.scope, with_it, without)
        first = disable.scope.start or 1
        last = disable.scope.end if disable.scope.end is not None else LAST + 2
        for day in range(max(first, FIRST - 2), last + 1):
            turn = max(t for t in days if t <= day)
            assert m.on_day(with_it, day) == m.on_day(with_it, turn)
            assert m.on_day(without, day) == m.on_day(without, turn)
