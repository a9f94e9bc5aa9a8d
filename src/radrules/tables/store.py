"""Loaded CMS tables in compact, immutable, picklable form (what evaluation reads).

The practitioner PTP table has about 2.6 million rows. Rows are kept in
parallel ``array`` columns sorted by (column 1, column 2), with a dict from
each column-1 code to its slice: a lookup is one dict probe and a binary
search in a slice of a few hundred entries, and the whole table costs about
13 bytes a row in its columns. PairEdit objects are made only for rows a claim touches.

Most pairs of a claim have no row. To answer "does this line's code have a
partner among the group's codes?" with one set test, a column-1 code that
claims ask about often gets a frozenset of its partners' codes
(:meth:`PtpTable.partners`); a rare code keeps searching its slice, so
memory goes only to the codes a payer actually sees.
"""

from __future__ import annotations

import bisect
from array import array

import attrs

from ..model import BlockInfo

#: How many column-1 codes keep their partners (a set costs about 54 bytes per partner, measured with
#: tracemalloc: 140 MB for the 2.6 million of the national table's 13,464 codes; the code strings are the
#: table's own). A code with no column-1 rows takes no entry.
PARTNER_CACHE_CODES = 20_000
#: A column-1 code's partners are made a set once it has been searched for
#: (partners / PARTNERS_PER_SEARCH) times: a set costs about as much to build as
#: that many searches of the slice cost more than set tests (measured, docs/performance.md).
PARTNERS_PER_SEARCH = 8
_NO_PARTNERS = frozenset()


@attrs.frozen(eq=False)
class PtpTable:
    """One PTP table version (all its parts): practitioner or hospital."""

    key: str  # content hash of the files; a cached copy must carry the same key
    files: tuple  # file names of the parts, for finding sources
    codes: tuple  # every code, sorted; a code's rank is its position
    rank: dict  # code -> rank
    col1: dict  # column-1 code -> (lo, hi) slice of the columns below
    col2: array  # rank of the column-2 code ('H'; 'i' from 65,535 codes)
    start: array  # effective date: its ordinal less ``day_base`` ('H'; 'i' with base 0 if the days don't fit)
    end: array  # deletion date, as ``start``; 0 = none
    indicator: array  # 0, 1 or 9 ('b')
    rationale: array  # index into ``rationales`` ('B'; 'H' past 256 texts, 'i' past 65,536)
    row: array  # line number in its file ('i')
    part: array  # index into ``files`` ('B'; 'i' past 256 parts)
    rationales: tuple
    latest_start: int  # the latest effective date of any row
    # (effective date, part, row) of each row effective later than every row before it in file order, recorded
    # while reading: the first row effective on or after any date is among them
    rises: tuple = ()
    day_base: int = 0  # what ``start`` and ``end`` hold is the date's ordinal less this
    # column-1 code -> its column-2 codes (SlicePartners or frozenset), filled as claims ask (never pickled).
    partner_cache: dict = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def __len__(self) -> int:
        return len(self.col2)

    def __getstate__(self):
        return tuple(getattr(self, field.name) for field in attrs.fields(PtpTable) if field.init)

    def __setstate__(self, state) -> None:
        names = [field.name for field in attrs.fields(PtpTable) if field.init]
        if not isinstance(state, tuple) or len(state) != len(names):  # pickled by a build of another layout
            raise ValueError(f"a PtpTable pickled with {len(state) if isinstance(state, tuple) else 'no'} fields, "
                             f"not {len(names)}")
        for name, value in zip(names, state):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "partner_cache", {})

    def first_row_from(self, day: int) -> tuple | None:
        """(effective date, part, row) of the first row, in file order, effective on or after ``day``; None if none
        is."""
        return next((rise for rise in self.rises if rise[0] >= day), None)

    def partners(self, column1: str):
        """The column-2 codes that have a row with ``column1``, as an object with
        ``isdisjoint`` and ``in``, kept in ``partner_cache``.

        A code with few partners gets a frozenset at once. Another starts with a
        view of its slice (a binary search per test, nothing built) and gets its
        set once it has been tested about as often as building the set costs
        (:data:`PARTNERS_PER_SEARCH`): the codes a payer sees all day cost one set
        test per claim line, and a rare code with many partners costs no memory.
        """
        found = self.partner_cache.get(column1)
        if found is None:
            span = self.col1.get(column1)
            if span is None:
                found = _NO_PARTNERS  # not kept: a code outside column 1 costs no entry (the index answers)
            elif span[1] - span[0] <= PARTNERS_PER_SEARCH:
                found = self.keep_partner_set(column1, *span)
            else:
                found = self._keep(column1, SlicePartners(self, column1, *span))
        return found

    def keep_partner_set(self, column1: str, lo: int, hi: int) -> frozenset:
        """Make the set of the column-2 codes of rows ``lo`` to ``hi`` (``column1``'s slice) and keep it."""
        return self._keep(column1, frozenset(map(self.codes.__getitem__, self.col2[lo:hi])))

    def _keep(self, column1: str, partners):
        cache = self.partner_cache
        if len(cache) >= PARTNER_CACHE_CODES and column1 not in cache:
            # Bounded: the older half (in order of first use) goes, the codes asked about lately stay. The keys are
            # copied in one call that runs no Python code: iterating the shared dict (islice) let a collection
            # between making the iterator and reading it run Python code, so another thread could add a key
            # ("dictionary changed size during iteration", seen with 8 threads).
            for code in list(cache)[:len(cache) // 2]:
                cache.pop(code, None)
        cache[column1] = partners
        return partners

    def rows(self, column1: str, column2: str, block: BlockInfo) -> tuple:
        """Every row of the pair (column1, column2), in file order."""
        span = self.col1.get(column1)
        second = self.rank.get(column2)
        if span is None or second is None:
            return ()
        lo, hi = span
        i = bisect.bisect_left(self.col2, second, lo, hi)
        if i >= hi or self.col2[i] != second:
            return ()
        return tuple(self.rows_at(i, hi, column1, column2, block))

    def rows_at(self, i: int, hi: int, column1: str, column2: str, block: BlockInfo) -> list:
        """The rows from position ``i`` on that share its column-2 code (within a slice ending at ``hi``)."""
        col2 = self.col2
        second = col2[i]
        out = [self._row(i, column1, column2, block)]
        i += 1
        while i < hi and col2[i] == second:
            out.append(self._row(i, column1, column2, block))
            i += 1
        return out

    def scan(self, column1: str, column2: str, block: BlockInfo) -> tuple:
        """The same rows by a linear pass over the whole table (for tests)."""
        out = []
        codes = self.codes
        for code, (lo, hi) in self.col1.items():
            for i in range(lo, hi):
                if code == column1 and codes[self.col2[i]] == column2:
                    out.append(self._row(i, column1, column2, block))
        out.sort(key=lambda row: (row.source_part, row.source_row))
        return tuple(out)

    def dates_at(self, i: int) -> tuple[int, int | None]:
        """The effective date and the deletion date (None for none) of row ``i``, as ordinals."""
        end = self.end[i]
        return self.start[i] + self.day_base, (end + self.day_base if end else None)

    def _row(self, i: int, column1: str, column2: str, block: BlockInfo) -> "TableRow":
        part = self.part[i]
        return TableRow(column1, column2, self.indicator[i], *self.dates_at(i),
                        self.rationales[self.rationale[i]], self.files[part], self.row[i], part, block)


class SlicePartners:
    """The column-2 codes of one column-1 code, read from the table's sorted slice."""

    __slots__ = ("table", "code", "lo", "hi", "searches_left")

    def __init__(self, table: PtpTable, code: str, lo: int, hi: int):
        self.table = table
        self.code = code
        self.lo = lo
        self.hi = hi
        self.searches_left = (hi - lo) // PARTNERS_PER_SEARCH  # then a set

    def __contains__(self, column2: str) -> bool:
        return not self.isdisjoint((column2,))

    def isdisjoint(self, codes) -> bool:
        table = self.table
        col2, lo, hi = table.col2, self.lo, self.hi
        self.searches_left -= 1
        # A common code: a set from now on. `<=`, as threads can step the count past 0 together (unlocked); a
        # stale view (another thread made the set, or the cache let it go) makes none.
        if self.searches_left <= 0 and table.partner_cache.get(self.code) is self:
            table.keep_partner_set(self.code, lo, hi)
        rank = table.rank.get
        for code in codes:
            second = rank(code)
            if second is not None:
                i = bisect.bisect_left(col2, second, lo, hi)
                if i < hi and col2[i] == second:
                    return False
        return True


class TableRow:
    """A PTP row read from a table: the attributes of a PairEdit, made cheaply per lookup."""

    __slots__ = ("column1", "column2", "indicator", "start", "end", "rationale", "file", "source_row",
                 "source_part", "block")

    def __init__(self, column1, column2, indicator, start, end, rationale, file, row, part, block):
        self.column1 = column1
        self.column2 = column2
        self.indicator = indicator
        self.start = start
        self.end = end
        self.rationale = rationale
        self.file = file
        self.source_row = row
        self.source_part = part
        self.block = block

    @property
    def source(self) -> str:
        return f"{self.file}:{self.source_row}"

    def active_on(self, day: int) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def __eq__(self, other):
        return isinstance(other, TableRow) and (self.file, self.source_row) == (other.file, other.source_row)

    def __hash__(self):
        return hash((self.file, self.source_row))

    def __repr__(self):
        return f"TableRow({self.column1!r}, {self.column2!r}, {self.indicator}, source={self.source!r})"


@attrs.frozen(eq=False)
class RawTable:
    """A table keyed by code, as loaded: MUE, add-on or MPFS rows as plain tuples.

    The compiler binds the tuples to rule metadata (``bind_*`` in
    ``tables/__init__.py``); the raw form is what the disk cache stores.
    """

    key: str
    files: tuple
    entries: dict  # code -> tuple of row tuples (layout per kind)
    latest_start: int | None = None
    part_types: tuple = ()  # MUE: the claim type each part's header names (None: none)

    def __len__(self) -> int:
        return len(self.entries)


def same_rows(a, b) -> bool:
    """Whether two loaded tables of one kind hold the same rows, read from the same lines (a copy of one version's
    files under other names): compared field by field, the arrays and dicts in C, and only once their sizes agree.
    The file names are not compared."""
    if type(a) is not type(b) or len(a) != len(b):
        return False
    if isinstance(a, RawTable):
        return a.entries.keys() == b.entries.keys() and _rows_by_line(a) == _rows_by_line(b)
    skip = {"key", "files", "partner_cache"}
    return all(getattr(a, field.name) == getattr(b, field.name)
               for field in attrs.fields(PtpTable) if field.name not in skip)


def _rows_by_line(table: RawTable) -> dict:
    """``table``'s entries with each row's source (``MCR_MUE_....csv:123``, its last field) cut to its line."""
    prefixes = tuple(f"{name}:" for name in table.files)

    def by_line(row: tuple) -> tuple:
        source = row[-1] if row else None
        if isinstance(source, str) and source.startswith(prefixes):
            return (*row[:-1], source.rpartition(":")[2])
        return row

    return {code: tuple(map(by_line, rows)) for code, rows in table.entries.items()}


def in_force(starts, day: int) -> int:
    """Which of the versions starting on ``starts`` (sorted) is read on ``day``: the latest started, else the first."""
    return max(bisect.bisect_right(starts, day) - 1, 0)


@attrs.frozen
class Versions:
    """Tables of one kind for one claim type, each in force from its start date.

    A line is judged by the latest version in force on its date of service; a
    date before every version uses the earliest (its rows carry their own
    dates).
    """

    starts: tuple  # ordinals, ascending
    tables: tuple
    blocks: tuple  # BlockInfo per table (rule id, remittance codes, reference)

    def index(self, day: int) -> int:
        if len(self.starts) == 1:
            return 0
        return in_force(self.starts, day)

    def at(self, day: int):
        if len(self.tables) == 1:
            return self.tables[0]
        return self.tables[self.index(day)]

    def block_at(self, day: int):
        return self.blocks[self.index(day)]


@attrs.frozen
class CodeProperty:
    """One code property: values written in rule files win over table versions."""

    name: str
    values: dict
    tables: Versions | None = None

    def get(self, code: str, day: int):
        value = self.values.get(code)
        if value is None and self.tables is not None:
            value = self.tables.at(day).get(code)
        return value


@attrs.frozen
class CodeSets:
    """The code-set tables every line and diagnosis of a claim is checked against.

    ``hcpcs`` versions map a code or modifier to (first valid date, last
    valid date or None, "file:row"); ``icd10cm`` versions map a code (no
    dot) to (billable, "file:row"). An ICD-10-CM version judges only the
    dates from its start through ``icd_ends`` (the end of its fiscal year,
    or the day before the next version).
    """

    hcpcs: Versions | None
    icd10cm: Versions | None
    icd_ends: tuple  # ordinal of the last day each ICD-10-CM version judges
    labels: dict  # kind -> ("file, in force from DATE", ...) per version, oldest first
    sources: dict  # kind -> (where the table statement is written, ...) per version

    def icd_index(self, day: int) -> int | None:
        """The ICD-10-CM version that judges ``day``, or None if no loaded fiscal year holds it."""
        versions = self.icd10cm
        if versions is None:
            return None
        index = bisect.bisect_right(versions.starts, day) - 1
        if index < 0 or day > self.icd_ends[index]:
            return None
        return index
