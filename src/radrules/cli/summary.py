"""What a batch run of ``radrules eval`` did: counts of claims, lines, denials and charges.

A :class:`Summary` is filled claim by claim (in worker processes too: each
unit of work returns its own, and the parent merges them), then written for
people (:meth:`Summary.to_text`) or tools (:meth:`Summary.to_dict`). It
holds counts only, never a value of a claim (no ids, no codes), except rule
ids, CARCs, and the names of payers the rules do not name (a payer's name is no
patient's data: claims of "Medicare Part B" get none of the rules `for payer
medicare`, and a nightly run should say so).
"""

from __future__ import annotations

import datetime as dt

from .. import tables
from ..claim import CLAIM_TYPES
from ..claim_values import payer_key
from ..compiler.versions import QUARTERLY, quarter_first, quarter_of
from ..errors import shortened
from ..evaluation import last_service_date
from ..model import PART_A_BILLS
from ..money import amount, cents, shown

STATUSES = ("pay", "deny", "review")
OTHER_PAYERS_KEPT = 100  # distinct payer names counted apart; the claims of more are counted together
OTHER_PAYERS_SHOWN = 5
PAYER_NAME_SHOWN = 60  # characters of a payer's name in the text (a name is claim text of any length)
def tables_reach(ruleset) -> dict | None:
    """{(claim type, payer): the last day (an ordinal) of the quarter of the newest version of each quarterly CMS
    table that judges those claims, the earliest of the kinds}: a claim dated after it is judged by tables a
    quarter or more out of date (the next quarter's files were not added). ``payer`` is a payer with table
    versions of its own (`for payer`), or None for the others. A version dated by its newest rows (no `effective`,
    no date in its names) tells no quarter and is passed over. None without such tables."""
    own = sorted({payer for loaded in ruleset.tables if loaded.payers for payer in loaded.payers})
    reach: dict = {}
    for claim_type in CLAIM_TYPES:
        for payer in [*own, None]:
            ends, judged = [], False
            for kind in QUARTERLY:
                versions = tables.serving(ruleset.tables, kind, claim_type, payer)
                judged = judged or bool(versions)
                if versions and tables.dated_by(versions[-1]) != "rows":
                    ends.append(quarter_end(versions[-1].start))
            if ends or (judged and payer is not None):  # (a payer's own tables that tell no quarter: None)
                reach[(claim_type, payer)] = min(ends) if ends else None
    return reach if any(value is not None for value in reach.values()) else None


def quarter_end(day: int) -> int:
    """The last day (an ordinal) of the calendar quarter of ``day`` (the last date there is, in the last quarter
    of 9999)."""
    following = quarter_of(day) + 1
    if following // 4 > dt.MAXYEAR:
        return dt.date.max.toordinal()
    return quarter_first(following).toordinal() - 1


class Summary:
    """Counts over the claims of a run; merge the summaries of parts with :meth:`merge`.

    Charges are kept in cents as exact decimals (a charge of 0.125 is 12.5
    cents), so sums don't depend on the order in which parts are merged and
    are rounded to the cent only when shown.
    """

    __slots__ = ("claims", "passed", "failed", "unreadable", "envelope_errors", "input_errors", "lines",
                 "rules", "carcs", "denied_cents", "denied_charged", "denied_uncharged", "not_judged",
                 "other_payers", "reach", "after_tables", "stale_through")

    def __init__(self):
        self.claims = 0  # every claim read, readable or not
        self.passed = 0
        self.failed = 0
        self.unreadable = 0  # claims of the wrong shape, X12/FHIR claims that can't be mapped
        self.envelope_errors = 0  # X12 envelope counts or control numbers that disagree
        self.input_errors: list[str] = []  # files that could not be read (to the end)
        self.lines = dict.fromkeys(STATUSES, 0)  # lines of readable claims, by status
        self.rules: dict[str, list[int]] = {}  # rule -> [claims, lines, cents] it denies
        self.carcs: dict[str | None, list[int]] = {}  # CARC of deny findings -> [claims, lines, cents]
        self.denied_cents = 0  # billed charges of denied lines
        self.denied_charged = 0  # denied lines with a charge
        self.denied_uncharged = 0  # denied lines without one
        self.not_judged = 0  # lines of a revenue code alone (counted by status too)
        # claims whose payer no rule names, by the payer (as rules compare it); None: those of more payers than kept
        self.other_payers: dict[str | None, int] = {}
        self.reach: dict | None = None  # tables_reach() of the rules, set by the run
        self.after_tables = 0  # readable claims with a line dated after the reach of the tables that judge them
        self.stale_through: int | None = None  # the earliest reach of those claims' tables

    def __getstate__(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state) -> None:
        for name, value in zip(self.__slots__, state):
            setattr(self, name, value)

    # ------------------------------------------------------------ counting

    def add(self, claim, result) -> None:
        """One evaluated claim and its result."""
        self.claims += 1
        if self.reach is not None:
            self._dated(claim)
        statuses = result.statuses
        if result.uncoded:
            self.not_judged += len(result.uncoded)
        if result.passed:
            self.passed += 1
            self.lines["pay"] += len(statuses)
            return
        self.failed += 1
        lines = self.lines
        for status in statuses:
            lines[status] += 1
        if "deny" not in statuses:
            return
        charges = [cents(line.charge) for line in claim.lines]
        for number, status in enumerate(statuses):
            if status == "deny":
                if charges[number] is None:
                    self.denied_uncharged += 1
                else:
                    self.denied_charged += 1
                    self.denied_cents += charges[number]
        by_rule: dict[str, set[int]] = {}
        by_carc: dict[str | None, set[int]] = {}
        for finding in result.findings:
            if finding.severity == "deny":
                by_rule.setdefault(finding.rule, set()).update(finding.lines)
                by_carc.setdefault(finding.carc, set()).update(finding.lines)
        for table, denials in ((self.rules, by_rule), (self.carcs, by_carc)):
            for key, numbers in denials.items():
                row = table.get(key)
                if row is None:
                    row = table[key] = [0, 0, 0]
                row[0] += 1
                row[1] += len(numbers)
                row[2] += sum(charges[n - 1] or 0 for n in numbers if 0 < n <= len(charges))

    def _dated(self, claim) -> None:
        """Count ``claim`` if a line of it is dated after the reach of the tables that judge it (not a claim of a
        Part A bill, which they do not judge)."""
        if claim.bill_type is not None and claim.bill_type[:2] in PART_A_BILLS:
            return
        key = (claim.type, payer_key(claim.payer) if claim.payer is not None else None)
        through = self.reach[key] if key in self.reach else self.reach.get((claim.type, None))
        if through is None:
            return
        if last_service_date(claim).toordinal() > through:
            self.after_tables += 1
            if self.stale_through is None or through < self.stale_through:
                self.stale_through = through

    def add_other_payer(self, payer: str) -> None:
        """A claim whose payer (``payer``, as rules compare payers) no rule names. A unit's summary keeps every
        payer of its claims; :meth:`merge` keeps the first OTHER_PAYERS_KEPT of the run's, in input order, so
        that which are kept depends on the claims, not on how the run cut them into units."""
        self.other_payers[payer] = self.other_payers.get(payer, 0) + 1

    def add_unreadable(self) -> None:
        """A claim that could not be read or has the wrong shape."""
        self.claims += 1
        self.unreadable += 1

    def merge(self, other: "Summary") -> None:
        """Add the counts of ``other`` (a later part of the same run)."""
        for name in ("claims", "passed", "failed", "unreadable", "envelope_errors", "denied_cents",
                     "denied_charged", "denied_uncharged", "not_judged", "after_tables"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.input_errors.extend(other.input_errors)
        if other.stale_through is not None and (self.stale_through is None or other.stale_through < self.stale_through):
            self.stale_through = other.stale_through
        mine = self.other_payers
        for payer, count in other.other_payers.items():
            if payer not in mine and len(mine) - (None in mine) >= OTHER_PAYERS_KEPT:
                payer = None  # (the claims of payers past the first kept: counted together)
            mine[payer] = mine.get(payer, 0) + count
        for status, count in other.lines.items():
            self.lines[status] += count
        for mine, theirs in ((self.rules, other.rules), (self.carcs, other.carcs)):
            for key, row in theirs.items():
                into = mine.get(key)
                if into is None:
                    mine[key] = list(row)
                else:
                    into[0] += row[0]
                    into[1] += row[1]
                    into[2] += row[2]

    # ------------------------------------------------------------ writing

    @property
    def pass_rate(self) -> float | None:
        """Claims passed out of all claims read (unreadable ones count as not passed); None without claims."""
        return self.passed / self.claims if self.claims else None

    def to_dict(self, *, seconds: float, jobs: int, inputs: list[str], interrupted: bool = False) -> dict:
        """The summary for tools (``--summary-json``)."""
        return {
            "inputs": list(inputs),
            "claims": self.claims,
            "passed": self.passed,
            "failed": self.failed,
            "unreadable": self.unreadable,
            "pass_rate": None if self.pass_rate is None else round(self.pass_rate, 6),
            "envelope_errors": self.envelope_errors,
            "input_errors": list(self.input_errors),
            "lines": dict(self.lines),
            "lines_not_judged": self.not_judged,
            "denials": {
                "by_rule": [{"rule": rule, "claims": row[0], "lines": row[1], "charge": amount(row[2])}
                            for rule, row in _ordered(self.rules)],
                "by_carc": [{"carc": carc, "claims": row[0], "lines": row[1], "charge": amount(row[2])}
                            for carc, row in _ordered(self.carcs)],
            },
            "payers_not_named": [{"payer": payer, "claims": count} for payer, count in self._other_payers()],
            # claims with a line dated after the quarter of the newest quarterly CMS tables that judge them, and the
            # earliest such quarter's end among them (of all the tables' scopes when none); None: no such tables
            "dated_after_tables": None if self.reach is None else {
                "tables_through": dt.date.fromordinal(
                    self.stale_through if self.stale_through is not None
                    else min(value for value in self.reach.values() if value is not None)).isoformat(),
                "claims": self.after_tables},
            "charges_at_risk": {"amount": amount(self.denied_cents), "lines": self.denied_charged,
                                "lines_without_charge": self.denied_uncharged},
            "seconds": round(seconds, 3),
            "claims_per_second": round(self.claims / seconds) if seconds > 0 else None,
            "jobs": jobs,
            "interrupted": interrupted,
        }

    def to_text(self, *, seconds: float, jobs: int, interrupted: bool = False) -> str:
        """The summary for people, a few lines ending with a newline."""
        rate = f"{self.claims / seconds:,.0f} claims/s, " if seconds > 0 else ""
        head = "summary (interrupted)" if interrupted else "summary"
        out = [f"{head}: {self.claims:,} claim{'s' * (self.claims != 1)} in {seconds:.2f} s ({rate}{jobs} "
               f"job{'s' * (jobs != 1)})"]
        if not self.claims:
            return out[0] + "\n"
        rate = "" if self.pass_rate is None else f"  ({self.pass_rate:.1%})"
        out.append(f"  passed {self.passed:>14,}{rate}")
        out.append(f"  failed {self.failed:>14,}")
        if self.unreadable:
            out.append(f"  not readable {self.unreadable:>8,}")
        lines = self.lines
        not_judged = f"; {self.not_judged:,} without a procedure code" if self.not_judged else ""
        out.append(f"  lines {sum(lines.values()):>15,}  ({lines['pay']:,} pay, {lines['deny']:,} deny, "
                   f"{lines['review']:,} review{not_judged})")
        at_risk = (f"  billed charges at risk: {shown(self.denied_cents)} on {self.denied_charged:,} denied "
                   f"line{'' if self.denied_charged == 1 else 's'}")
        if self.denied_uncharged:
            at_risk += (f"; {self.denied_uncharged:,} denied line{'' if self.denied_uncharged == 1 else 's'} "
                        "without a charge")
        out.append(at_risk)
        if self.other_payers:
            named = [(payer, count) for payer, count in self._other_payers() if payer is not None]
            text = ", ".join(f"{shortened(payer, PAYER_NAME_SHOWN)} ({count:,})"
                             for payer, count in named[:OTHER_PAYERS_SHOWN])
            if len(named) > OTHER_PAYERS_SHOWN:
                text += f" and {len(named) - OTHER_PAYERS_SHOWN:,} more"
            if None in self.other_payers:
                text += f"; {self.other_payers[None]:,} claims of payers past the first {OTHER_PAYERS_KEPT}"
            claims = sum(self.other_payers.values())
            out.append(f"  claims of payers no rule names: {claims:,}: {text}")
        if self.after_tables:
            reach = dt.date.fromordinal(self.stale_through).isoformat()
            out.append(f"  claims dated after the quarter of the newest CMS tables that judge them: "
                       f"{self.after_tables:,} (the earliest reach {reach}); add the next quarter's files")
        if self.rules:
            width = max(24, *(len(rule) for rule in self.rules))
            out.append(f"  denials by rule{' ' * (width - 13)}{'claims':>9} {'lines':>9} {'charges':>14}")
            out.extend(f"    {rule:<{width}} {row[0]:>9,} {row[1]:>9,} {shown(row[2]):>14}"
                       for rule, row in _ordered(self.rules))
            out.append(f"  denials by CARC{' ' * (width - 13)}{'claims':>9} {'lines':>9} {'charges':>14}")
            out.extend(f"    {carc or '(none)':<{width}} {row[0]:>9,} {row[1]:>9,} {shown(row[2]):>14}"
                       for carc, row in _ordered(self.carcs))
        return "\n".join(out) + "\n"

    def _other_payers(self) -> list:
        """(payer, claims) of :attr:`other_payers`, the most claims first, then by name (None: more payers, last)."""
        return sorted(self.other_payers.items(), key=lambda item: (item[0] is None, -item[1], item[0] or ""))


def _ordered(table: dict) -> list:
    """Rows with the most denied lines first, then by key."""
    return sorted(table.items(), key=lambda item: (-item[1][1], -item[1][0], item[0] or ""))
