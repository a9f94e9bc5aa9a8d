"""CMS table files damaged at random: each loads, or fails with table diagnostics; nothing crashes.

Every loader gets a fixture of its layout with random edits (bytes deleted,
inserted or replaced, lines repeated or dropped, the file cut short), and a
workbook gets one of its parts damaged. The
load either succeeds or raises :class:`radrules.RuleError` whose diagnostics
are table problems (RR5xx) that render with the file name, and whose rows,
when given, are rows of the file.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import pytest
from hypothesis import given, strategies as st

import radrules
from radrules.tables.common import _without_end_mark, decode, first_line

from mangling import damaged
from test_tables import DATA, SPECIMENS

# (kind, fixture): each layout a loader reads, text and CSV.
FIXTURES = [
    ("ptp", DATA / "radiology-ptp-v322r0-f1.TXT"),
    ("ptp", DATA / "radiology-ptp-export.csv"),
    ("ptp", SPECIMENS / "ccipra-v322r0-f1.TXT"),
    ("mue", SPECIMENS / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"),
    ("addon", DATA / "aoc_v2026q3.csv"),
    ("pctc", DATA / "PPRRVU26_JUL.csv"),
    ("pctc", DATA / "PPRRVU26_JUL.txt"),
    ("hcpcs", DATA / "HCPC2026_JUL_ANWEB.txt"),
    ("hcpcs", DATA / "HCPC2026_JUL_ANWEB.csv"),
    ("icd10cm", DATA / "icd10cm_order_2026.txt"),
]
# What a damaged CMS file plausibly holds: separators, quotes, line ends, markers, digits, letters, Latin-1.
PIECES = st.binary(min_size=1, max_size=12).map(bytes) | st.lists(
    st.sampled_from([b"\t", b",", b'"', b"\r\n", b"\n", b"\r", b"*", b" ", b"0", b"9", b"2026", b"20261301",
                     b"74177", b"A", b"Z", b"\xe9", b"\xff", b"\x00", b"-", b".", b"PK\x03\x04"]),
    min_size=1, max_size=6).map(b"".join)


def caret_on_the_named_value(diagnostic) -> bool:
    """Whether the caret starts on the value a message names first (`` `74I77` is not a procedure code``):
    the text at its column, past the field's own spaces and quote, begins with that value. (A column
    past the end would be moved back by the clamp in ``Problems.add``, and then point at something else.)"""
    named = re.match(r"^`([^`]+)`", diagnostic.message)
    line = diagnostic.source_line
    if named is None or named.group(1).replace('"', "") not in line.replace('"', ""):
        return True  # a message about the row, or naming no value, or one not on this line
    if line.count('"') % 2 and diagnostic.span.column > len(line):
        return True  # a quote left open: the record goes on, and the field is on a later line
    at = diagnostic.source_line[diagnostic.span.column - 1:]
    value = named.group(1)
    # a quoted field's value lacks its quotes (a stray one inside too), and the blanks the loader strips (a tab
    # after a quote that closed the field early: `""<TAB>"77063` is the value `"77063`)
    return any(text.startswith(value) for text in (at, at.lstrip(), at.lstrip().lstrip('"')))  \
        or re.sub(r'[\s"]', "", at).startswith(re.sub(r'[\s"]', "", value))


def shows_its_line(text: str, number: int, shown: str) -> bool:
    """Whether ``shown`` (a diagnostic's source line) is line ``number`` of ``text``, counted as the
    loaders count: at line feeds, or as the csv module does (a lone CR ends a line too)."""
    lines = text.split("\n")  # a loader that splits at line feeds shows the whole row (a lone CR is in it)
    if 1 <= number <= len(lines) and lines[number - 1].rstrip("\r") == shown:
        return True
    lines = io.StringIO(text, newline="").readlines()
    return 1 <= number <= len(lines) and first_line(lines[number - 1]) == shown


@pytest.mark.parametrize("kind, fixture", FIXTURES, ids=[f"{k}-{f.name}" for k, f in FIXTURES])
@given(data=st.data())
def test_damaged_file_loads_or_reports_table_problems(tmp_path_factory, kind, fixture, data):
    check_damaged(tmp_path_factory, kind, fixture, data.draw(damaged(fixture.read_bytes(), PIECES), label="file"))


@pytest.mark.parametrize("kind, fixture", FIXTURES, ids=[f"{k}-{f.name}" for k, f in FIXTURES])
def test_a_bad_last_row_before_the_end_of_file_mark_shows_its_line(tmp_path_factory, kind, fixture):
    """A file whose last line is a control character and a Ctrl-Z (which ends the file, and is not shown): the
    property above found that its diagnostics were compared with the line as it was before the mark was taken
    off."""
    check_damaged(tmp_path_factory, kind, fixture, fixture.read_bytes() + b"\x01\x1a")
    check_damaged(tmp_path_factory, kind, fixture, b"\x01\x1a")


def check_damaged(tmp_path_factory, kind: str, fixture, broken: bytes) -> None:
    """``broken`` (the ``kind`` table ``fixture`` damaged) loads, or its errors are table errors that name the
    file and show the line they are about, with the caret on the value they name."""
    root = tmp_path_factory.mktemp("damaged")
    (root / "cms").mkdir()
    (root / "cms" / fixture.name).write_bytes(broken)
    # An `effective` date, so that a file whose rows no longer say one still has its quarter.
    (root / "main.rr").write_text(f'table {kind} "cms/{fixture.name}" effective 2026-07-01\n', encoding="utf-8")
    try:
        ruleset = radrules.load(root, cache_dir=None)
    except radrules.RuleError as error:
        assert error.diagnostics, "a RuleError lists its problems"
        # as the loaders read it: Latin-1, or UTF-8 or UTF-16 after a byte order mark; a last Ctrl-Z ends the file
        text = _without_end_mark(decode(broken))
        for diagnostic in error.diagnostics:
            assert diagnostic.code.startswith("RR5"), diagnostic.render()
            rendered = diagnostic.render()
            assert f"cms/{fixture.name}" in rendered
            assert diagnostic.span is not None or diagnostic.code == "RR519", rendered  # a place, as rule errors
            if diagnostic.span is not None and diagnostic.span.file.endswith("main.rr"):  # the whole file: its path
                assert diagnostic.source_line.startswith("table ") and diagnostic.span.column == len(kind) + 8, rendered
            elif diagnostic.span is not None and diagnostic.source_line is not None:
                assert shows_its_line(text, diagnostic.span.line, diagnostic.source_line), rendered
                assert caret_on_the_named_value(diagnostic), rendered
    else:
        assert [loaded.kind for loaded in ruleset.tables] == [kind]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _workbook_members() -> dict:
    """The parts of a small MUE workbook (made with openpyxl, the `xlsx` extra)."""
    import openpyxl

    book = openpyxl.Workbook()
    for row in [["HCPCS/\nCPT Code", "Practitioner Services MUE Values", "MUE Adjudication Indicator",
                 "MUE Rationale"], ["74177", 1, "2 Date of Service Edit: Policy", "Anatomic"],
                ["74176", 2, "3 Date of Service Edit: Clinical", None]]:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    with zipfile.ZipFile(data) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


WORKBOOK = _workbook_members()
XML_PIECES = st.sampled_from([b"<", b">", b'"', b"/", b"x", b"1", b"&", b"\x00", b' r="A0"', b' t="s"', b' t="d"',
                              b' s="999"', b"<v>abc</v>", b'<c r="ZZZ99999999"><v>1</v></c>', b"99999999999"])


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl warns about some damage it reads past
@given(data=st.data())
def test_damaged_workbook_part_loads_or_is_refused(tmp_path_factory, data):
    """A workbook with one part damaged loads, or fails with RR520 (never another exception)."""
    name = data.draw(st.sampled_from(sorted(WORKBOOK)), label="part")
    part = WORKBOOK[name]
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(part)))
        if data.draw(st.booleans()):
            part = part[:at] + data.draw(XML_PIECES) + part[at:]
        else:
            part = part[:at] + part[at + data.draw(st.integers(1, 20)):]
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as archive:
        for member, content in WORKBOOK.items():
            archive.writestr(member, part if member == name else content)
    root = tmp_path_factory.mktemp("book")
    (root / "cms").mkdir()
    (root / "cms" / "mue.xlsx").write_bytes(book.getvalue())
    (root / "main.rr").write_text('table mue "cms/mue.xlsx" effective 2026-07-01\n', encoding="utf-8")
    try:
        radrules.load(root, cache_dir=None)
    except radrules.RuleError as error:
        assert {d.code for d in error.diagnostics} <= {"RR520", "RR505", "RR506", "RR507", "RR509", "RR511"}
    finally:
        shutil.rmtree(root, ignore_errors=True)
