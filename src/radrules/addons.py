"""The add-on code stage of :func:`radrules.evaluator.evaluate` (domain.md §3): an add-on line is paid only
with a primary of the same practitioner on its date that is paid. It runs last, as it needs to know which
primaries the other stages denied; ``explain`` quotes its messages."""

from __future__ import annotations

from .conditions import same_practitioner
from .evaluation import Evaluation, LineView, meeting_days, meeting_lines
from .model import format_date, primaries_text
from .result import Finding


def judge_addons(ev: Evaluation, lookup, findings: list) -> None:
    """An add-on line is paid only if a line on its date is an acceptable, undenied primary
    under one of the add-on's edits in force that day (domain.md §3)."""
    addon_codes = lookup.addon_codes
    if addon_codes.isdisjoint(ev.codes):
        return
    pending = []  # (add-on line, the rows in force of one block: one edit)
    for line in ev.lines:
        if line.code in addon_codes:
            day = line.day
            rows = [row for row in lookup.addon_rows(line.code, day) if row.active_on(day)]
            if rows:
                if rows[0].block is rows[-1].block:  # one block (rows of a block come together): one edit
                    pending.append((line, rows))
                else:
                    pending.extend((line, edit) for edit in addon_edits(rows))
    if not pending:
        return
    denied = {n for f in findings if f.severity == "deny" for n in f.lines}
    # An add-on denied here may be the primary another add-on counted on (11047 listing 11046):
    # judge the add-ons that had a primary again, until no more are denied.
    while pending:
        count = len(denied)
        pending = [(line, rows) for line, rows in pending if not _addon(ev, lookup, line, rows, denied, findings)]
        if len(denied) == count:
            return


def addon_edits(rows: list) -> list[list]:
    """An add-on code's rows in force, by block: each block's rows are one edit, which a primary that one of
    them accepts satisfies (a table version is one block; two blocks of one level are two edits)."""
    edits: dict = {}
    for row in rows:
        edits.setdefault(id(row.block), []).append(row)
    return list(edits.values())


def _addon(ev: Evaluation, lookup, line: LineView, rows: list, denied: set, findings: list) -> bool:
    """Judge one add-on line by one edit (``rows``, of one block); whether it got a finding (then its number
    joins ``denied`` if it denies)."""
    paid, refused = [], []
    if ev.spans:
        for other, day in meeting_days(ev, line):
            if other is not line and same_practitioner(line, other) and any(
                    row.accepts(other.code, day, lookup.is_addon) for row in rows):
                (refused if other.number in denied else paid).append(other.number)
    else:
        for other in ev.by_day[line.day]:
            if other is line or not same_practitioner(line, other):
                continue
            if any(row.accepts(other.code, other.day, lookup.is_addon) for row in rows):
                (refused if other.number in denied else paid).append(other.number)
    if paid:
        return False
    row = rows[0]
    info = row.block.info
    findings.append(Finding(
        rule=info.id,
        kind=info.kind,
        severity=info.severity,
        lines=(line.number,),
        related_lines=tuple(refused),
        codes=(line.code,),
        carc=info.carc,
        rarc=info.rarc,
        message=addon_message(ev, line, rows, refused),
        reference=info.reference,
        source=row.source,
    ))
    if info.severity == "deny":
        denied.add(line.number)
    return True


def addon_message(ev: Evaluation, line: LineView, rows: list, refused: list) -> str:
    """The message of an add-on line's denial by one edit (``rows``): its primaries on ``refused`` are denied, or
    it has none (explain's trace quotes it)."""
    if refused:
        why = f"its {primaries_text(refused)} denied"
    elif any(r.primaries is None for r in rows):
        why = f"no primary service on {line.date.isoformat()}"
    else:
        listed = sorted(set().union(*(r.primaries_on(line.day) for r in rows)))
        shown = ", ".join(listed[:5]) + (", ..." if len(listed) > 5 else "")
        if listed:
            others = _primaries_of_others(ev, line, frozenset(listed))
            whose = " of its rendering provider" if others else ""
            why = f"no primary ({shown}){whose} on {line.date.isoformat()}" + _ended_primaries(ev, line, rows)
            if others:
                why += f": {others} another practitioner's"
        else:
            why = f"no listed primary counts on {line.date.isoformat()} (their deletion dates have passed)"
    return f"{line.code} is an add-on code (type {rows[0].aoc_type}): {why}"


def _primaries_of_others(ev: Evaluation, line: LineView, listed: frozenset) -> str:
    """``line 1 (77067) is``: the lines of the add-on's date that bill one of its primaries ``listed`` as another
    practitioner's (an add-on goes with a primary of its own practitioner, domain.md §3); "" if none do."""
    found = [other for other in meeting_lines(ev, line)
             if other is not line and other.code in listed and not same_practitioner(line, other)]
    if not found:
        return ""
    label = "line" if len(found) == 1 else "lines"
    verb = "is" if len(found) == 1 else "are"
    return f"{label} " + ", ".join(f"{other.number} ({other.code})" for other in found) + f" {verb}"


def _ended_primaries(ev: Evaluation, line: LineView, rows: list) -> str:
    """`` (77066 counted through 2026-06-30)``: the codes of the add-on's date (and provider) that the edit listed
    as primaries until a deletion date before it; "" if none. Only for the message of a denial."""
    ended: dict = {}
    spans = ev.spans
    for other in meeting_lines(ev, line):
        if other is not line and same_practitioner(line, other):
            day = max(line.day, other.day) if spans else line.day  # the first day they share
            for row in rows:
                end = row.primary_ended(other.code, day)
                if end is not None:
                    ended.setdefault(other.code, end)
    if not ended:
        return ""
    return " (" + ", ".join(f"{code} counted through {format_date(end)}" for code, end in sorted(ended.items())) + ")"


__all__ = ["judge_addons", "addon_edits", "addon_message"]
