"""The ``radrules diff`` report for people: what changed, then what it does to claims.

Plain text, one change a line, grouped by rule family and rule id, with
``+`` added, ``-`` removed and ``~`` changed. No patient data is printed:
claims are named by id and number, lines by number and code.
"""

from __future__ import annotations

import datetime as dt

from ..money import cents, shown
from .describe import ARROW

MARKS = {"added": "+", "removed": "-", "changed": "~"}


def ruleset_text(diff) -> str:
    """The structural part of the report."""
    out = [f"rulesets: {diff.old_name} {ARROW} {diff.new_name}"]
    out.extend(_versions(dict(diff.old_versions), dict(diff.new_versions)))
    if not diff:
        out.append("no differences")
        return "\n".join(out) + "\n"
    for family, rules in diff.families():
        out.append("")
        out.append(family)
        for rule, changes, tables in rules:
            own = [c for c in changes if c.what in ("rule", "block") and c.key == rule]
            rest = [c for c in changes if c not in own]
            if rule is not None:
                head = own[0] if own else None
                mark = MARKS[head.change] if head else " "
                out.append(f"  {mark} {rule}" + (f"  ({head.source})" if head and head.source else ""))
                if head:
                    out.extend(f"        {line}" for line in head.details)
            indent = "" if rule is not None else "  "
            for change in rest:
                out.extend(line[len(indent):] for line in _change_lines(change))
            for table in tables:
                out.extend(line[len(indent):] for line in _table_lines(table))
    out.append("")
    out.append(_summary(diff.counts()))
    return "\n".join(out) + "\n"


def _versions(old: dict, new: dict) -> list[str]:
    """``version: acme 2026.07 -> 2026.10`` for each ruleset header that differs."""
    out = []
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            out.append(f"version: {name} {old.get(name, 'none')} {ARROW} {new.get(name, 'none')}")
    return out


def _change_lines(change) -> list[str]:
    what = {"pair": "pair ", "limit": "limit ", "addon": "addon ", "property": "property ",
            "setting": "setting ", "table": "", "disable": ""}.get(change.what, "")
    details = list(change.details)
    if len(details) == 1 and len(details[0]) + len(what) + len(change.key) < 90:
        return [f"      {MARKS[change.change]} {what}{change.key}: {details[0]}"]
    return [f"      {MARKS[change.change]} {what}{change.key}"] + [f"          {line}" for line in details]


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _table_lines(table) -> list[str]:
    old = ", ".join(table.old_files) or "none"
    new = ", ".join(table.new_files) or "none"
    since = f"{table.start} (and earlier dates)" if table.earlier_dates else table.start
    out = [f"      {table.label} in force from {since}: {old} {ARROW} {new}",
           f"        {plural(table.old_rows, 'row')} {ARROW} {table.new_rows:,}: {table.added:,} added, "
           f"{table.removed:,} removed, {table.changed:,} changed"]
    for example in table.examples:
        details = list(example.details)
        if len(details) == 1:
            out.append(f"        {MARKS[example.change]} {example.key}: {details[0]}")
        else:
            out.append(f"        {MARKS[example.change]} {example.key}")
            out.extend(f"            {line}" for line in details)
    total = table.added + table.removed + table.changed
    if total > len(table.examples):
        out.append(f"        ... and {total - len(table.examples):,} more (--limit-examples)")
    return out


def _summary(counts: dict) -> str:
    parts = []
    for what in ("rules", "pairs", "limits", "addons", "disables", "settings", "properties", "tables", "table_rows"):
        bucket = counts.get(what)
        if not bucket or not any(bucket.values()):  # e.g. table rows compared and all equal
            continue
        name = {"table_rows": "table rows", "tables": "table versions",
                "addons": "add-on rows", "pairs": "pair rows", "limits": "limit rows"}.get(what, what)
        numbers = ", ".join(f"{bucket[k]} {k}" for k in ("added", "removed", "changed") if bucket[k])
        parts.append(f"{name}: {numbers}")
    return "differences: " + "; ".join(parts)


# ---------------------------------------------------------------- impact


def money(value: float) -> str:
    """An amount as people read it, rounded to the cent half up as the totals are (0.125 is 0.13)."""
    return shown(cents(value))


def outcome_text(diff) -> str:
    """The impact part of the report."""
    unit = "line" if diff.numbering == "line" else "claim #"
    out = [f"impact on {plural(diff.claims, 'claim')}"
           + (f" ({diff.unreadable} unreadable {'lines' if unit == 'line' else 'items'} skipped)"
              if diff.unreadable else "") + ":"]
    if diff.shift_days and diff.first_date is not None:
        out.append(f"  every date moved {diff.shift_days:+,} days (--shift-days): dates of service "
                   f"{diff.first_date} through {diff.last_date}")
    verb = "changes" if diff.outcome_changed == 1 else "change"
    out.append(f"  {plural(diff.outcome_changed, 'claim')} {verb} outcome: {diff.pass_to_fail:,} pass {ARROW} fail, "
               f"{diff.fail_to_pass:,} fail {ARROW} pass"
               + (f"; {diff.changed - diff.outcome_changed:,} more "
                  f"{'changes' if diff.changed - diff.outcome_changed == 1 else 'change'} only in findings"
                  if diff.changed > diff.outcome_changed else ""))
    denied, released = diff.move("pay", "deny"), diff.move("deny", "pay")
    for move in (denied, released, *[m for m in diff.moves if m not in (denied, released)]):
        out.append(f"  billed charges {move.old} {ARROW} {move.new}: {money(move.charge)} on "
                   f"{plural(move.lines, 'line')}"
                   + (f" ({move.without_charge:,} without a charge)" if move.without_charge else ""))
    if diff.rules:
        out.append("")
        out.append("by rule:")
        out.extend(_rule_table(diff.rules))
    if diff.sources:
        out.append("")
        out.append("by row (the PTP, MUE and add-on rows whose findings differ):")
        out.extend(_source_table(diff.sources))
        if diff.source_count > len(diff.sources):
            out.append(f"  ... and {diff.source_count - len(diff.sources):,} more (--limit-examples)")
    if diff.examples:
        out.append("")
        shown = len(diff.examples)
        out.append(f"changed claims ({'all' if shown == diff.changed else f'first {shown} of {diff.changed}'}):")
        for example in diff.examples:
            out.extend(_claim_lines(example, unit))
    if diff.bad:
        out.append("")
        shown = len(diff.bad)
        what = "lines" if unit == "line" else "items"
        which = "all" if shown == diff.unreadable else f"first {shown} of {diff.unreadable}"
        out.append(f"unreadable {what} ({which}):")
        for bad in diff.bad:
            out.append(f"  {_number(unit, bad.number)}: {bad.problem}")
    return "\n".join(out) + "\n"


def late_changes_note(changes, impact) -> str | None:
    """A note when table changes take effect after every claim's date of service: the claims can't show
    them, however many there are (historical claims before a new quarter). None when there are none."""
    if impact.last_date is None:
        return None
    late = [(table.label, table.start, table.latest_effective) for table in changes.tables
            if table.latest_effective is not None and table.latest_effective > impact.last_date]
    if not late:
        return None
    latest = max(effective for _, _, effective in late)
    days = (dt.date.fromisoformat(latest) - dt.date.fromisoformat(impact.first_date)).days + impact.shift_days
    out = [f"note: the claims' dates of service end on {impact.last_date}"
           + (f" (moved {impact.shift_days:+,} days)" if impact.shift_days else "")
           + ", before these table changes take effect:"]
    many = len({label for label, _, _ in late}) < len(late)  # one table compared over several periods
    out.extend(f"  {label}{f' (compared from {start})' if many else ''}: changes from as late as {effective}"
               for label, start, effective in late)
    out.append(f"  the claims can't show them; --shift-days {days} moves every date {days:,} "
               f"day{'s' * (days != 1)}, the first claim's ({_moved(impact.first_date, -impact.shift_days)}) to "
               f"{latest}")
    return "\n".join(out) + "\n"


def _moved(iso: str, days: int) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=days)).isoformat()


def _number(unit: str, number: int) -> str:
    if number == 0:  # an X12 envelope error: no claim of its own
        return "envelope"
    return f"line {number}" if unit == "line" else f"claim #{number}"


def _rule_table(rules) -> list[str]:
    head = ("rule", "kind", "claims", "new", "gone", "lines", "denied", "charges denied", "released",
            "charges released")
    return _table(head, [(r.rule, r.kind, str(r.claims), str(r.appeared), str(r.disappeared), str(r.lines),
                          str(r.denied_lines), money(r.denied_charge), str(r.released_lines),
                          money(r.released_charge)) for r in rules])


def _source_table(sources) -> list[str]:
    return _table(("row", "rule", "claims", "new", "gone"),
                  [(s.source, s.rule, str(s.claims), str(s.appeared), str(s.disappeared)) for s in sources])


def _table(head: tuple, rows: list) -> list[str]:
    """``head`` and ``rows`` in columns: the first two left-aligned (names), the others right-aligned (counts)."""
    widths = [max(len(row[i]) for row in (head, *rows)) for i in range(len(head))]

    def line(row):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:])]
        return "  " + "  ".join(cells).rstrip()

    return [line(head)] + [line(row) for row in rows]


def _claim_lines(example, unit: str) -> list[str]:
    name = f"claim {example.claim}" if example.claim is not None else "claim (no id)"
    verdict = lambda passed: "PASS" if passed else "FAIL"  # noqa: E731
    out = [f"  {name} ({_number(unit, example.number)}): {verdict(example.old_passed)} {ARROW} "
           f"{verdict(example.new_passed)}"]
    for line in example.lines:
        charge = money(line.charge) if line.charge is not None else "no charge"
        code = line.code if line.code is not None else "(no procedure code)"
        out.append(f"    line {line.line} {code}: {line.old} {ARROW} {line.new}, {charge}"
                   + (f" ({', '.join(line.rules)})" if line.rules else ""))
    for label, rules in (("fires now", example.appeared), ("no longer fires", example.disappeared),
                         ("fires differently", example.changed)):
        if rules:
            out.append(f"    {label}: {', '.join(_with_sources(example, rule) for rule in rules)}")
    return out


def _with_sources(example, rule: str) -> str:
    """``ncci.ptp (ccipra-v322r0-f1.TXT:7)``: a rule with the sources of its findings that differ; for a rule that
    fires differently, ``OLD's -> NEW's``, or ``also from NEW's`` or ``no longer from OLD's`` where one side has
    none of its own (the rule still fires there: ``X -> none`` read as if it stopped)."""
    old, new = example.rule_sources(rule)
    if rule in example.changed:
        if old and new:
            return f"{rule} ({', '.join(old)} {ARROW} {', '.join(new)})"
        if old or new:
            return f"{rule} ({'no longer' if old else 'also'} from {', '.join(old or new)})"
        return rule
    return f"{rule} ({', '.join(old or new)})" if old or new else rule
