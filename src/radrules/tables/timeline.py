"""Table versions by date of service, and what evaluation reads of each.

A loaded table (:class:`Loaded`: one `table` statement's table, with what the statement says about it) takes
effect on a date: the statement's `effective`, else the date its file names say (:func:`effective_from_names`),
else its newest rows. Versions of one kind (and claim type, and payers) follow each other: each judges the dates
of service from its start until the next one starts (:func:`version_windows`, :func:`serving`,
:func:`payer_scopes`; an ICD-10-CM version at most until the end of its fiscal year). :func:`bind` turns a loaded
table into what a View consults, and :func:`versions` gives the bound versions that judge a payer's claims.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath

import attrs

from .. import model as m
from .kinds import kind_named
from .mue import setting_of_name
from .store import CodeSets, Versions

#: Kinds that serve every claim, whatever its type (no `for ... claims`).
ALL_CLAIMS = ("pctc", "hcpcs", "icd10cm")
#: Code-set kinds: every code of a claim is checked against them (radrules.validity).
CODE_SET_KINDS = ("hcpcs", "icd10cm")
#: Rule id, kind, CARC and RARCs of the findings of each table kind (domain.md §9).
TABLE_RULES = {
    "ptp": ("ncci.ptp", "ptp", "CO-97", ("M80",)),
    "mue": ("ncci.mue", "mue", "CO-151", ("N362",)),
    "addon": ("ncci.addon", "addon", "CO-107", ("N122",)),
}
#: The rows each of those tables holds, by the kind rule files give them (`pair`, `limit`, `addon`).
ROW_KINDS = {"ptp": "pair", "mue": "limit", "addon": "addon"}
_TYPE_WORDS = {"professional": "practitioner", "institutional": "hospital outpatient"}


@attrs.frozen
class Loaded:
    """One table statement's table, with what the statement says about it."""

    kind: str
    claim_type: str
    table: object  # PtpTable or RawTable
    start: int  # in force from this date (ordinal)
    files: tuple  # display paths
    source: str  # where the statement was written
    from_cache: str  # "memory", "disk" or "" (read from the files)
    statement: object = attrs.field(eq=False, repr=False)  # the `table` statement (syntax.Table)
    payers: frozenset | None = None  # `for payer`: the payers whose claims it judges (None: every payer)


# ---------------------------------------------------------------- effective dates


_QUARTER_MONTH = {"1": 1, "2": 4, "3": 7, "4": 10}
_RELEASE_MONTH = {"A": 1, "B": 4, "C": 7, "D": 10, "JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}
_MONTH_WORD = re.compile(r"JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC")


def effective_from_names(kind: str, names: list[str]) -> int | None:
    """The date a table version takes effect, from its file names, if they say."""
    for name in names:
        upper = name.upper()
        match = re.search(r"EFF_([0-9]{2})-([0-9]{2})-([0-9]{4})", upper)
        if match:
            month, day, year = map(int, match.groups())
            return _ordinal(year, month, day)
        match = re.search(r"(?:^|[^0-9])V?([0-9]{4})Q([1-4])", upper)
        if match and kind == "addon":
            return _ordinal(int(match.group(1)), _QUARTER_MONTH[match.group(2)], 1)
        match = re.search(r"PPRRVU([0-9]{2}|[0-9]{4})_?(JAN|APR|JUL|OCT)", upper) or re.search(
            r"RVU([0-9]{2})([ABCD])", upper)
        if match and kind == "pctc":
            year = int(match.group(1))
            return _ordinal(year + 2000 if year < 100 else year, _RELEASE_MONTH[match.group(2)], 1)
        if kind == "hcpcs":
            match = re.search(r"HCPC([0-9]{4})_?(JAN|APR|JUL|OCT)", upper)
            if match:
                return _ordinal(int(match.group(1)), _RELEASE_MONTH[match.group(2)], 1)
            match = re.search(r"HCPC([0-9]{4})_?CONTR", upper)  # the annual file: in force from January 1
            if match:
                return _ordinal(int(match.group(1)), 1, 1)
        if kind == "icd10cm":
            # icd10cm_order_2026.txt: fiscal year 2026, from 2025-10-01. A name with a month
            # (a mid-year update) says nothing sure: `effective` must give the date.
            match = re.search(r"ICD10CM[^0-9]*?([0-9]{4})(?![0-9])", upper)
            if match:
                rest = upper[:match.start()] + upper[match.start() + 7:match.start(1)] + upper[match.end():]
                if not _MONTH_WORD.search(rest):
                    return _ordinal(int(match.group(1)) - 1, 10, 1)
    return None


#: A PTP file's version in its name: ``ccipra-v322r0-f1.TXT`` is version 32.2, revision 0 (domain.md §8.1).
_PTP_VERSION = re.compile(r"(?:^|[^0-9A-Za-z])(v([0-9]+)r([0-9]+))(?![0-9A-Za-z])", re.IGNORECASE)


def named_version(kind: str, name: str) -> tuple | None:
    """(order, label) of the version a table file's name says it is, or None: a PTP file's (322, 0) and
    ``v322r0`` (version 32.2, revision 0), another kind's date the name says the file takes effect (an ordinal,
    :func:`effective_from_names`) and ``2026-07-01``. Later versions have greater orders. A name of another
    kind's file (``aoc_v2026q3.csv`` in a PTP folder) says no version of this table."""
    if kind_named(name) not in (None, kind):
        return None  # a file of another kind (RR505): its version is not this table's
    if kind == "ptp":
        match = _PTP_VERSION.search(name)
        return ((int(match.group(2)), int(match.group(3))), match.group(1).lower()) if match else None
    start = effective_from_names(kind, [name])
    return (start, m.format_date(start)) if start is not None else None


def version_in_name(kind: str, name: str) -> str | None:
    """The version a table file's name says it is, as a message shows it (``v322r0``, ``2026-07-01``), or None
    (:func:`named_version`)."""
    found = named_version(kind, name)
    return found[1] if found is not None else None


#: The setting a PTP file's name says (``ccipra-v322r0-f1.TXT``: the practitioner table) -> the claim type.
PTP_NAMES = {"ccipra": "professional", "ccioph": "institutional"}
#: How messages name the PTP table of each claim type.
PTP_LABELS = {"professional": "practitioner", "institutional": "hospital outpatient"}


def setting_in_name(kind: str, name: str) -> str | None:
    """The claim type a PTP or MUE file's name says its table serves (``ccioph-…``,
    ``…_OutpatientHospitalServices_…``), or None."""
    if kind == "ptp":
        return next((claim_type for word, claim_type in PTP_NAMES.items() if word in name.lower()), None)
    if kind == "mue":
        return setting_of_name(name)
    return None


def fiscal_year_end(start: int) -> int:
    """The last day (September 30) of the federal fiscal year holding ``start``."""
    day = dt.date.fromordinal(start)
    return dt.date(day.year + (day.month >= 10), 9, 30).toordinal()


def _ordinal(year: int, month: int, day: int) -> int | None:
    try:
        return dt.date(year, month, day).toordinal()
    except ValueError:
        return None


def default_effective(kind: str, table, names: list[str]) -> int | None:
    """File name first; else, for PTP and add-on tables, the latest effective date of their rows
    (each quarterly file adds edits effective on its first day)."""
    named = effective_from_names(kind, names)
    if named is not None:
        return named
    return table.latest_start or None  # an ordinal is never 0


# ---------------------------------------------------------------- binding


def block_for(loaded: Loaded) -> m.BlockInfo:
    rule_id, kind, carc, rarc = TABLE_RULES[loaded.kind]
    label = {"ptp": "NCCI PTP", "mue": "NCCI MUE", "addon": "NCCI add-on code edits"}[loaded.kind]
    whose = f" for {payers_text(loaded.payers)}" if loaded.payers else ""
    reference = (f"{label}, {_TYPE_WORDS[loaded.claim_type]} table{whose} ({_file_names(loaded)}; in force from "
                 f"{dt.date.fromordinal(loaded.start).isoformat()})")
    info = m.RuleInfo(rule_id, kind, "deny", carc, rarc, reference, None, loaded.source)
    return m.BlockInfo(info, m.Scope(None, frozenset([loaded.claim_type]), None, None, m.LEVEL_TABLE))


def bind(loaded: Loaded, block: m.BlockInfo | None):
    """What a View consults for one table: PtpTable, {code: rows}, {property: {code: value}} or {code: entry}."""
    table = loaded.table
    if loaded.kind == "ptp":
        return table
    if loaded.kind == "mue":
        return {code: _bind_limits(code, rows, block) for code, rows in table.entries.items()}
    if loaded.kind == "addon":
        return {code: bind_addon(code, rows, block) for code, rows in table.entries.items()}
    # pctc: {"pctc": {...}, "bilateral": {...}}; hcpcs: {code: (start, end, source)};
    # icd10cm: {code: (billable, source)}
    return table.entries


def key_rows(loaded: Loaded, key: tuple) -> tuple:
    """The rows one PTP, MUE or add-on table has of one key (a code pair, a code), as :func:`bind` makes them,
    without a block: one key looked up, never the table read through."""
    table = loaded.table
    if loaded.kind == "ptp":
        return table.rows(key[0], key[1], None)
    rows = table.entries.get(key[0])
    if not rows:
        return ()
    return _bind_limits(key[0], rows, None) if loaded.kind == "mue" else bind_addon(key[0], rows, None)


def _bind_limits(code: str, rows, block) -> tuple:
    return tuple(m.UnitLimit(code, value, mai, None, None, reason or None, source, block)
                 for value, mai, reason, source in rows)


def bind_addon(code: str, rows, block) -> tuple:
    """One AddonEdit per (type, edit window, add-on deletion) with all its primaries."""
    groups: dict = {}
    for aoc_type, primary, start, end, addon_end, primary_end, source in rows:
        if addon_end is not None:
            end = addon_end if end is None else min(end, addon_end)
        group = groups.setdefault((aoc_type, start, end),
                                  {"primaries": {}, "sources": {}, "any": False, "source": source})
        if primary is None:
            group["any"] = True
        else:
            group["primaries"][primary] = primary_end
            group["sources"][primary] = source  # the row whose deletion date is kept
    edits = []
    for (aoc_type, start, end), group in sorted(groups.items(), key=lambda item: _file_order(item[1]["source"])):
        if group["any"] or not group["primaries"]:
            primaries, ends, sources = None, None, None
        else:
            primaries = frozenset(group["primaries"])
            ends = {p: e for p, e in group["primaries"].items() if e is not None} or None
            sources = group["sources"]
        edits.append(m.AddonEdit(code, aoc_type, primaries, start, end, group["source"], block, ends, sources))
    return tuple(edits)


def _file_order(source: str) -> tuple:
    """``aoc.csv:10`` -> ("aoc.csv", 10): rows in file order (as text, `:10` came before `:2`)."""
    name, _, row = source.rpartition(":")
    return (name, int(row)) if row.isdigit() else (source, 0)


def version_label(loaded: Loaded) -> str:
    """``HCPC2026_JUL_ANWEB.txt, in force from 2026-07-01``."""
    return f"{_file_names(loaded)}, in force from {dt.date.fromordinal(loaded.start).isoformat()}"


def _file_names(loaded: Loaded) -> str:
    """The names of a table's first four files (``, ...`` if there are more)."""
    return ", ".join(Path(f).name for f in loaded.files[:4]) + (", ..." if len(loaded.files) > 4 else "")


def table_size(loaded: Loaded) -> int:
    """A PTP table's rows; the codes of any other table (a PC/TC table holds one map per property)."""
    if loaded.kind == "pctc":
        return len(loaded.table.entries.get("pctc", {}))
    return len(loaded.table)


def version_windows(loaded_tables: list[Loaded]) -> list[dict]:
    """Each loaded table version and the dates of service it judges, oldest first per kind.

    A version judges from its start until the day before the next version of
    its kind (and claim type; ``claim_type`` is None for the tables that serve
    every claim) that judges the same payers' claims starts (a version that
    serves several payers is listed once for each list of versions they have,
    :func:`payer_scopes`); the oldest also judges earlier dates,
    except an ICD-10-CM version, which judges only the dates of its fiscal
    year (``until`` is at most its September 30).
    """
    found = []
    scopes = payer_scopes(loaded_tables)
    for (kind, claim_type), lists in sorted(scopes.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        own = sorted({payer for payers, _ in lists if payers for payer in payers})
        for payers, chosen in lists:
            for i, loaded in enumerate(chosen):
                until = last_day(kind, chosen, i)
                found.append({
                    "kind": kind,
                    "claim_type": claim_type,
                    # the payers whose claims it judges: None for every payer but those of `payers_but`
                    "payers": payers,
                    "payers_but": own if payers is None else [],
                    "from": dt.date.fromordinal(loaded.start).isoformat(),
                    "until": dt.date.fromordinal(until).isoformat() if until is not None else None,
                    "earlier_dates": i == 0 and kind != "icd10cm",
                    # where `from` comes from: the statement's `effective`, the file name, or the newest rows
                    "dated_by": dated_by(loaded),
                    "size": table_size(loaded),
                    "counts": "rows" if kind == "ptp" else "codes",
                    "files": list(loaded.files),
                    "statement": loaded.source,
                    "read_from": {"memory": "memory cache", "disk": "disk cache"}.get(loaded.from_cache, "files"),
                })
    return found


def dated_by(loaded: Loaded) -> str:
    """``effective``, ``name`` or ``rows``: what gives a loaded version its date (:func:`default_effective`)."""
    if loaded.statement.effective is not None:
        return "effective"
    names = [PurePosixPath(display).name for display in loaded.files]
    return "name" if effective_from_names(loaded.kind, names) is not None else "rows"


def last_day(kind: str, chosen: list, i: int) -> int | None:
    """The last date of service version ``i`` of ``chosen`` (one kind, oldest first) judges: the day
    before the next version starts, None for the latest; an ICD-10-CM version's at most the end of
    its fiscal year."""
    until = chosen[i + 1].start - 1 if i + 1 < len(chosen) else None
    if kind == "icd10cm":
        end = fiscal_year_end(chosen[i].start)
        until = end if until is None else min(until, end)
    return until


def code_sets(loaded_tables: list[Loaded]) -> CodeSets | None:
    """The HCPCS and ICD-10-CM versions every claim is checked against, or None if none is loaded.

    An ICD-10-CM version judges the dates from its start until the next
    version or the end of its fiscal year (September 30), whichever comes
    first; a HCPCS version, as other tables, until the next version.
    """
    chosen = {kind: sorted((t for t in loaded_tables if t.kind == kind), key=lambda t: t.start)
              for kind in CODE_SET_KINDS}
    if not any(chosen.values()):
        return None
    icd = chosen["icd10cm"]
    return CodeSets(
        hcpcs=versions(loaded_tables, "hcpcs", None),
        icd10cm=versions(loaded_tables, "icd10cm", None),
        icd_ends=tuple(last_day("icd10cm", icd, i) for i in range(len(icd))),
        labels={kind: tuple(version_label(t) for t in chosen[kind]) for kind in CODE_SET_KINDS},
        sources={kind: tuple(t.source for t in chosen[kind]) for kind in CODE_SET_KINDS},
    )


def serving(loaded_tables: list[Loaded], kind: str, claim_type: str | None, payer: str | None = None) -> list:
    """The versions of one kind (and claim type) that judge the claims of ``payer``, oldest first: those whose
    statements name the payer (`for payer`) if any do, else those that name no payer. ``payer`` None: a payer
    no statement of that kind and claim type names."""
    same = [t for t in loaded_tables if t.kind == kind and (claim_type is None or t.claim_type == claim_type)]
    own = [t for t in same if t.payers is not None and payer in t.payers] if payer is not None else []
    return sorted(own or [t for t in same if t.payers is None], key=lambda t: t.start)


def payer_scopes(loaded_tables: list[Loaded]) -> dict:
    """{(kind, claim type or None): [(payers, versions), ...]}: each distinct list of versions that judges some
    payers' claims, oldest first, with those payers: first the versions of the statements without `for payer`
    (payers None: every payer that has no versions of its own of that kind and claim type), then each list a
    statement's `for payer` gives (payers: a sorted list). A payer's own versions are its whole timeline of that
    kind and claim type, so versions are compared (RR523-RR533) within one such list only."""
    groups: dict = {}
    for loaded in loaded_tables:
        claim_type = None if loaded.kind in ALL_CLAIMS else loaded.claim_type
        groups.setdefault((loaded.kind, claim_type), []).append(loaded)
    found: dict = {}
    for (kind, claim_type), chosen in groups.items():
        lists: dict = {}  # the ids of a timeline's versions -> (payers, versions)
        shared = serving(chosen, kind, claim_type)
        if shared:
            lists[tuple(map(id, shared))] = (None, shared)
        for payer in sorted(set().union(*(t.payers for t in chosen if t.payers is not None))):
            timeline = serving(chosen, kind, claim_type, payer)
            lists.setdefault(tuple(map(id, timeline)), ([], timeline))[0].append(payer)
        found[(kind, claim_type)] = list(lists.values())
    return found


def payers_text(payers) -> str:
    """``payer acme``, ``payers acme, beta``: the payers a version's statement names (in name order); "" for every
    payer (None)."""
    if payers is None:
        return ""
    return f"payer{'s' if len(payers) > 1 else ''} {', '.join(sorted(payers))}"


def versions(loaded_tables: list[Loaded], kind: str, claim_type: str | None, payer: str | None = None,
             bound: dict | None = None) -> Versions | None:
    """The bound versions of one kind (and claim type) that judge ``payer``'s claims (:func:`serving`), oldest
    first. ``bound``: id(Loaded) -> (block, bound table), filled and reused, so that views whose payers share
    a version share its bound table."""
    return bound_versions(serving(loaded_tables, kind, claim_type, payer), kind, bound)


def bound_versions(chosen: list[Loaded], kind: str, bound: dict | None = None) -> Versions | None:
    """:func:`versions` of the versions ``chosen`` (of one kind and claim type, oldest first)."""
    if not chosen:
        return None
    if bound is None:
        bound = {}
    for t in chosen:
        if id(t) not in bound:
            block = block_for(t) if kind in TABLE_RULES else None
            bound[id(t)] = (block, bind(t, block))
    return Versions(
        starts=tuple(t.start for t in chosen),
        tables=tuple(bound[id(t)][1] for t in chosen),
        blocks=tuple(bound[id(t)][0] for t in chosen),
    )
