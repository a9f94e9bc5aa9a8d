"""Rule test coverage: which rules have a test that makes them fire and one that shows them silent.

A rule is *shown firing* by a passing test that says ``expect RULE ...``.
It is *shown silent* by a passing test that says ``expect no RULE ...`` on
a claim the rule looks at (:func:`looks_at`): the rule applies to the
claim's payer and claim type, is in force on a date of service of the
claim, and, if it is filed under codes, a line of the claim has one of
them (for an edit row, its codes, and only where the overrides choose the
row for the payer; for a rule comparing two lines, two lines of one date);
with ``on line N``, the rule must be able to judge one of those lines (for
a rule comparing two lines, put its finding on it).
``expect pass`` and ``expect only`` show nothing about one rule, so they
count for neither. A block of ``disable`` rows only never fires: it is
shown silent by ``expect no RULE`` where one of its ``disable`` rows takes
off a row of RULE that would have judged the claim (:func:`disables_shown`).
A CMS table rule loaded in several versions is counted per table
statement: each version needs tests dated in the dates it judges
(:func:`versions_looking`, :func:`statement_at`).
"""

from __future__ import annotations

import attrs

from .. import validity
from ..checks import FORMAT_RULES
from ..claim import Claim
from ..compiler import row_key
from ..compiler.selection import turns
from ..model import MUE_UNPUBLISHED, AddonEdit, PairEdit, UnitLimit, listed, on_day
from ..tables import ROW_KINDS, TABLE_RULES, payers_text, serving, version_windows
from ..validity import VALIDITY_RULES
from .model import is_test_file


def looks_at(ruleset, rule_id: str, claim: Claim, numbers: tuple = ()) -> bool:
    """Whether ``rule_id`` could have fired on ``claim``: its scope and its codes are on the claim.

    ``numbers``: the lines an ``expect no RULE on line N`` names; then the rule must be able to judge
    one of those lines (a line the rule's codes never select shows nothing about it).
    """
    if rule_id in FORMAT_RULES:
        return True
    payer = claim.payer.lower() if claim.payer else None
    days = [line.date.toordinal() for line in claim.lines]
    named = set(numbers) or set(range(1, len(claim.lines) + 1))
    for rule in ruleset.rules:
        if rule.info.id != rule_id:
            continue
        scope = rule.scope
        if not scope.applies_to(payer, claim.type):
            return False
        lines = [(number, line) for number, (line, day) in enumerate(zip(claim.lines, days), 1)
                 if scope.active_on(day)]
        if rule.shape == "claim":
            return bool(lines)
        # A line rule judges the lines of a procedure code, or (asking `line.code is missing`) the others only.
        lines = [(number, line) for number, line in lines if (line.code is None) is bool(rule.uncoded)]
        if rule.index_codes is not None:
            lines = [(number, line) for number, line in lines if line.code in rule.index_codes]
        if rule.shape == "pair":
            others = [(number, line) for number, line in enumerate(claim.lines, 1)
                      if line.code is not None and (rule.other_codes is None or line.code in rule.other_codes)]
            return any(a is not b and a.date == b.date and _acts_on(rule.target, i, j, named)
                       for i, a in lines for j, b in others)
        return any(number in named for number, _ in lines)
    codes = {(line.code, day) for number, (line, day) in enumerate(zip(claim.lines, days), 1)}
    judged = {(line.code, day) for number, (line, day) in enumerate(zip(claim.lines, days), 1) if number in named}
    for row in ruleset.rows:
        if row.block.info.id != rule_id or not row.block.scope.applies_to(payer, claim.type):
            continue
        if isinstance(row, PairEdit):  # the column 2 line is the one judged
            judges = [day for code, day in judged
                      if code == row.column2 and (row.column1, day) in codes and row.active_on(day)]
        elif isinstance(row, (UnitLimit, AddonEdit)):
            judges = [day for code, day in judged if code == row.code and row.active_on(day)]
        else:
            judges = []
        if any(_chosen(ruleset, row, payer, claim.type, day) for day in judges):
            return True
    if rule_id in VALIDITY_RULES:
        return validity.looks_at(ruleset, rule_id, claim, named)
    return bool(_table_looks_at(ruleset, rule_id, claim, payer, days, named))


def versions_looking(ruleset, rule_id: str, claim: Claim, numbers: tuple = ()) -> frozenset:
    """The table statements (where each is written) whose versions look at ``claim`` for a CMS table rule
    (``ncci.*``), as :func:`looks_at` reads them: the version in force on a named line's date; else empty."""
    if table_kind(rule_id) is None:
        return frozenset()
    payer = claim.payer.lower() if claim.payer else None
    days = [line.date.toordinal() for line in claim.lines]
    named = set(numbers) or set(range(1, len(claim.lines) + 1))
    return frozenset(_table_looks_at(ruleset, rule_id, claim, payer, days, named))


def table_kind(rule_id: str) -> str | None:
    """The table kind of a CMS table rule (``ncci.ptp``: ``ptp``; ``ncci.mue.unpublished``: ``mue``), else None."""
    if rule_id == MUE_UNPUBLISHED:
        return "mue"
    return next((kind for kind, (table_rule, *_) in TABLE_RULES.items() if table_rule == rule_id), None)


def statement_at(ruleset, kind: str, claim_type: str, day: int, payer: str | None = None) -> str | None:
    """Where the table statement is written whose version of ``kind`` judges ``day`` for ``claim_type`` (and
    the claims of ``payer``)."""
    view = ruleset.view_for(payer, claim_type)
    found = {"ptp": view.ptp_tables, "mue": view.mue_tables, "addon": view.addon_tables}[kind]
    return found.block_at(day).info.source if found is not None else None


def judged_by_tables(ruleset, claim: Claim) -> bool:
    """Whether the claim's CMS PTP, MUE and add-on tables judge it: not a claim of a type of bill they do not
    judge (View.of_bill)."""
    view = ruleset.view_for(claim.payer, claim.type)
    return view.of_bill(claim.bill_type) is view


def disabling_blocks(ruleset) -> dict:
    """{block id: the block's ``disable`` rows} of the edit blocks that hold ``disable`` rows: what those do is
    keep another rule's or table's rows of their keys silent, which only a silent test of that rule shows."""
    found: dict = {}
    for disable in ruleset.disables:
        found.setdefault(disable.rule, []).append(disable)
    return found


def disable_only(ruleset) -> dict:
    """{block id: the block's ``disable`` rows} of the edit blocks that hold ``disable`` rows only: such a block
    never fires (no finding names it)."""
    with_rows = {row.block.info.id for row in ruleset.rows}
    return {block: disables for block, disables in disabling_blocks(ruleset).items() if block not in with_rows}


def disabled_rule(ruleset, disable) -> str | None:
    """The id of the rule whose rows ``disable`` takes off for its payer (and claim type): the rule-file block
    chosen for the key without it, else the CMS table of its kind; None if it disables nothing (RR263)."""
    payer = min(disable.scope.payers) if disable.scope.payers else None
    for claim_type in sorted(disable.scope.claim_types or ("professional", "institutional")):
        chosen = ruleset.rule_rows(disable.kind, disable.key, payer, claim_type, disables=False)
        for day in turns(disable.scope, chosen):  # (rows that differ by date: each choice on the disable's dates)
            rows = on_day(chosen, day)
            if rows:
                return rows[0].block.info.id
            kind = next(kind for kind, row_kind in ROW_KINDS.items() if row_kind == disable.kind)
            if rows is None and serving(list(ruleset.tables), kind, claim_type, payer):
                return TABLE_RULES[kind][0]
    return None


def disables_shown(ruleset, rule_id: str, claim: Claim, numbers: tuple = ()) -> frozenset:
    """The blocks with ``disable`` rows (:func:`disabling_blocks`) that ``expect no RULE`` on ``claim`` shows at
    work: a ``disable`` of the block applies to the claim's payer and claim type and takes off a row of
    ``rule_id`` that would otherwise judge a (named) line of the claim, on its key and a date it is in force on."""
    blocks = disabling_blocks(ruleset)
    if not blocks:
        return frozenset()
    payer = claim.payer.lower() if claim.payer else None
    days = [line.date.toordinal() for line in claim.lines]
    named = set(numbers) or set(range(1, len(claim.lines) + 1))
    tables = judged_by_tables(ruleset, claim)
    shown = set()
    for block, disables in blocks.items():
        for disable in disables:
            if not disable.scope.applies_to(payer, claim.type):
                continue
            for number, (line, day) in enumerate(zip(claim.lines, days), 1):
                if number not in named or line.code != disable.key[-1] or not disable.scope.active_on(day):
                    continue  # (the column 2 line of a pair; a dated disable: on its dates)
                if disable.kind == "pair" and not any(other.code == disable.key[0] and other_day == day
                                                      for other, other_day in zip(claim.lines, days)):
                    continue
                rows = ruleset.select_rows(disable.kind, disable.key, payer, claim.type, day, disables=False,
                                           tables=tables)
                if any(row.block.info.id == rule_id and row.active_on(day) and getattr(row, "indicator", None) != 9
                       for row in rows) and not ruleset.select_rows(disable.kind, disable.key, payer, claim.type, day,
                                                                    tables=tables):
                    shown.add(block)
    return frozenset(shown)


def _chosen(ruleset, row, payer, claim_type: str, day: int) -> bool:
    """Whether the overrides choose ``row`` for its key for this payer and claim type on ``day``: a more specific
    block's rows of the key, or a `disable` of it, in force that day leave it out (it then does not judge a line
    of that date)."""
    kind, key = row_key(row)
    return any(chosen is row for chosen in on_day(ruleset.rule_rows(kind, key, payer, claim_type), day) or ())


def _acts_on(target: str, judged: int, other: int, named: set) -> bool:
    """Whether a pair rule's finding, on lines ``judged`` and ``other``, would be on a named line: the judged
    line for ``then ... line``, the other for ``other``, either for ``both``."""
    if target == "line":
        return judged in named
    if target == "other":
        return other in named
    return judged in named or other in named


def _table_looks_at(ruleset, rule_id: str, claim: Claim, payer, days: list, named: set) -> set:
    """The statements of the versions of a CMS table rule that look at a claim: a version looks when it is in
    force on a named line's date and has a row for it: a PTP row of another line's code on that date with the
    line's code in column 2 (not indicator 9), an MUE row of its code, an add-on row of its code. A
    practitioner table never judges a hospital claim (domain.md §10.2); ``ncci.mue.unpublished`` looks at any
    claim an MUE table serves (the version in force on a named line's date). No table looks at a claim of a type
    of bill the tables do not judge (a Part A bill, View.of_bill)."""
    kind = table_kind(rule_id)
    if kind is None or not judged_by_tables(ruleset, claim):
        return set()
    if rule_id == MUE_UNPUBLISHED:
        return {statement_at(ruleset, "mue", claim.type, day, claim.payer)
                for number, (line, day) in enumerate(zip(claim.lines, days), 1)
                if number in named and line.code is not None} - {None}
    row_kind = ROW_KINDS[kind]
    found = set()
    for number, (line, day) in enumerate(zip(claim.lines, days), 1):
        if number not in named or line.code is None:  # (no table judges a line of a revenue code alone)
            continue
        if row_kind == "pair":
            keys = [(other.code, line.code) for index, (other, other_day) in enumerate(zip(claim.lines, days), 1)
                    if index != number and other_day == day]
        else:
            keys = [(line.code,)]
        for key in keys:
            rows = ruleset.select_rows(row_kind, key, payer, claim.type, day)
            found.update(row.block.info.source for row in rows if row.block.info.id == rule_id and row.active_on(day)
                         and getattr(row, "indicator", None) != 9)
    return found


@attrs.frozen
class RuleCoverage:
    """One rule id: where it is written, and whether tests show it firing and silent."""

    rule: str
    source: str
    fires: bool
    silent: bool
    disables: bool = False  # a block of `disable` rows only: it never fires, a silent test is all it needs
    dates: str | None = None  # one version of a CMS table rule loaded in several: the dates it judges
    # a block of rows and `disable` rows: whether a test shows an edit its `disable` rows disable silent (None:
    # no such rows)
    disabled: bool | None = None

    @property
    def covered(self) -> bool:
        return self.silent if self.disables else self.fires and self.silent and self.disabled is not False

    def render(self) -> str:
        if self.disables:
            return (f"{self.rule}: no test shows an edit it disables silent for its payer (at {self.source}; it holds "
                    "`disable` rows only)")
        missing = []
        if not self.fires:
            missing.append("no test makes it fire")
        if not self.silent:
            missing.append("no test shows it silent")
        if self.disabled is False:
            missing.append("no test shows an edit its `disable` rows disable silent")
        version = f", the version for {self.dates}" if self.dates else ""
        return f"{self.rule}: {' and '.join(missing)} (at {self.source}{version})"


@attrs.frozen
class Coverage:
    """Every rule id of the rulesets under test, with its coverage."""

    rules: tuple[RuleCoverage, ...]
    beside: int = 0  # rules left out: the bundled ones the tests load beside the rules under test

    @property
    def missing(self) -> tuple[RuleCoverage, ...]:
        return tuple(r for r in self.rules if not r.covered)

    @property
    def ok(self) -> bool:
        """Every rule covered, and some rule to cover (no rules at all is a wrong path), unless all there is
        are the bundled rules loaded beside."""
        return not self.missing and (bool(self.rules) or bool(self.beside))

    def render(self) -> str:
        """Each rule lacking a test, then one line with the count (and one with the rules left out)."""
        if not self.rules and self.beside:
            return (f"coverage: no rules but the {self.beside} bundled rules and built-in checks the tests load, "
                    "which `radrules test --coverage` covers")
        lines = [r.render() for r in self.missing]
        total = len({r.rule for r in self.rules})  # rules, not the versions of a table rule
        missing = len({r.rule for r in self.missing})
        if total == 1:
            lines.append("coverage: the one rule " + ("lacks a firing or a silent test" if missing
                                                      else "has a firing and a silent test"))
        elif missing:
            lines.append(f"coverage: {missing} of {total} rules {'lacks' if missing == 1 else 'lack'} a firing or a "
                         "silent test")
        else:
            lines.append(f"coverage: all {total} rules have a firing and a silent test")
        if self.beside:
            lines.append(f"(the {self.beside} bundled rules and built-in checks the tests load beside these are not "
                         "counted: `radrules test --coverage` covers them)")
        elif any(r.rule in FORMAT_RULES for r in self.missing):
            lines.append("(the built-in checks `format.*` judge every claim: copy radrules' `rulesets/format.rrt` "
                         "beside your tests, or load the bundled rules with `rules bundled, \".\"`, which leaves "
                         "them out of the count)")
        return "\n".join(lines)


def rule_sources(ruleset) -> dict[str, str]:
    """{rule id: where it is written} for every rule id of a ruleset, test-only rules left out, and stand-ins
    that loaded tables replace for every claim (no test could see them)."""
    replaced = ruleset.replaced()
    sources = {rule.info.id: rule.info.source for rule in ruleset.rules if rule.info.id not in replaced}
    for rule_id, block in ruleset.blocks().items():  # blocks of `disable` rows only too
        if rule_id not in replaced:
            sources.setdefault(rule_id, block.info.source)
    sources.update((rule_id, info.source) for rule_id, info in FORMAT_RULES.items())
    for loaded in ruleset.tables:  # ncci.* rules: where their table statement is written
        if loaded.kind in TABLE_RULES:
            sources.setdefault(TABLE_RULES[loaded.kind][0], loaded.source)
        if loaded.kind == "mue":
            sources.setdefault(MUE_UNPUBLISHED, loaded.source)
    for rule_id, source in validity.rule_sources(ruleset).items():  # codes.*: their table statement
        sources.setdefault(rule_id, source)
    for rule_id in ruleset.rule_ids():
        if rule_id not in replaced:
            sources.setdefault(rule_id, "a CMS table")
    return {rule_id: source for rule_id, source in sources.items()
            if not is_test_file(source.rsplit(":", 1)[0])}


def measure(report, rulesets=(), leave_out=frozenset()) -> Coverage:
    """The coverage of the rules of ``report.rulesets`` and ``rulesets`` by the passing tests of ``report``,
    but for the rule ids ``leave_out`` (rules the tests load beside those under test)."""
    sources: dict[str, str] = {}
    disabling: set = set()
    mixed: set = set()  # blocks of rows and `disable` rows
    for ruleset in (*report.rulesets, *rulesets):
        for rule_id, source in rule_sources(ruleset).items():
            if rule_id not in leave_out:
                sources.setdefault(rule_id, source)
        only = disable_only(ruleset)
        disabling.update(only)
        mixed.update(set(disabling_blocks(ruleset)) - set(only))
    beside = len(leave_out)
    passed = [o for o in report.outcomes if o.passed]
    fires = set().union(*(o.fires for o in passed)) if passed else set()
    silent = set().union(*(o.silent for o in passed)) if passed else set()
    fired_versions = set().union(*(o.fired_versions for o in passed)) if passed else set()
    silent_versions = set().union(*(o.silent_versions for o in passed)) if passed else set()
    disabled = set().union(*(o.disabled for o in passed)) if passed else set()
    statements = _table_statements(report.rulesets + tuple(rulesets))
    found = []
    for rule_id in sorted(sources):
        several = statements.get(rule_id, ())
        if len(several) > 1:  # a table rule loaded in several versions: each needs its tests, of its dates
            found += [RuleCoverage(rule_id, statement, (rule_id, statement) in fired_versions,
                                   (rule_id, statement) in silent_versions, dates=dates)
                      for statement, dates in several]
        else:
            found.append(RuleCoverage(rule_id, sources[rule_id], rule_id in fires, rule_id in silent,
                                      rule_id in disabling, disabled=rule_id in disabled if rule_id in mixed else None))
    return Coverage(tuple(found), beside)


def _table_statements(rulesets) -> dict:
    """{CMS table rule id: [(its table statement, the dates that version judges), ...]}: each statement of the
    rule's kind, in the order of the dates they judge."""
    found: dict = {}
    for ruleset in rulesets:
        for version in version_windows(list(ruleset.tables)):
            dates = f"{version['from']} to {version['until']}" if version["until"] else f"{version['from']} on"
            if version["earlier_dates"]:
                dates += " and earlier dates"
            if version["claim_type"] is not None:
                dates += f", {version['claim_type']} claims"
            if version["payers"]:
                dates += f", {payers_text(version['payers'])}"
            elif version["payers_but"]:  # beside a payer's own versions, which judge its claims
                dates += f", every payer but {listed(version['payers_but'])}"
            ids = [TABLE_RULES[version["kind"]][0]] if version["kind"] in TABLE_RULES else []
            if version["kind"] == "mue":
                ids.append(MUE_UNPUBLISHED)
            for rule_id in ids:
                entry = (version["statement"], dates)
                if entry not in found.setdefault(rule_id, []):
                    found[rule_id].append(entry)
    return found
