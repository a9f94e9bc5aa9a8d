"""Excel workbooks (``.xlsx``) read as the CSV export of their first worksheet.

CMS archives carry workbooks beside the text files: the MUE zip holds the
table as ``.csv`` and ``.xlsx``, the add-on code zip a fixed-width text file
and a workbook (since 2023-06-05), the MPFS zip ``.csv``, ``.txt`` and
``.xlsx`` (domain.md §8.2-§8.4). A workbook is turned into
the text Excel's "Save as CSV" gives, one line per sheet row, so each loader
reads it through its CSV path and a problem is reported at the sheet's row
(the line shown under the message is that row as CSV):

- a cell in a date format reads as ``YYYYMMDD``; a whole number without
  ``.0``; a number in a zero-padded format (``00000``) with its zeros, as
  Excel shows it (a code such as ``00100`` stored as a number);
- the cells in a date or time format are listed too (:func:`read_workbook`):
  the loaders take a date only in a date column, and a time nowhere, since
  a number formatted as a date by mistake (a unit limit of 1 shown as
  ``01-01-00``) would otherwise read as ``19000101``;
- a line break inside a cell reads as a space, so a row stays one line (the
  MUE workbook's header wraps ``HCPCS/`` and ``CPT Code`` in one cell);
- an empty row reads as an empty line.

Reading one needs openpyxl, an optional dependency: ``pip install
'radrules[xlsx]'``. A zip archive that is not a workbook (a CMS download not
yet unpacked) and an Excel 97-2003 ``.xls`` file (an OLE2 file with a workbook stream) are refused with a
hint; another OLE2 file (Windows' ``Thumbs.db``) is said to be no table file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls) and other OLE2 files
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: The most a workbook may unpack to. A sheet of PTP rows unpacks to about 33 MiB per 100,000
#: rows (measured), so a national part (about 650,000 rows) to about 215 MiB and a full sheet
#: (1,048,576 rows) to about 350 MiB; the bound keeps a zip bomb from taking the machine's memory.
MAX_UNPACKED = 1 << 30
#: What a worksheet may hold, checked as its rows are read, so that a small workbook of tiny cells (a few MiB of
#: zip that unpacks to a few hundred) fails early in little memory, not after minutes and gigabytes (openpyxl still
#: reads through a sheet without a <dimension> once, about 0.2 s per MiB unpacked): Excel's row limit; ten
#: million cells (a national PTP part is about 650,000 rows of 7, a full sheet of them 7.3 million, an MUE table
#: about 15,000 rows of 4); and 256 Mi characters of CSV text (a PTP part's export is about 25 Mi: one long
#: shared string in every cell would otherwise multiply).
MAX_ROWS = 1_048_576
MAX_CELLS = 10_000_000
MAX_TEXT = 1 << 28
#: The most a workbook's shared strings may unpack to: they are read whole, before any row, as tens of bytes of
#: memory each (CMS's workbooks hold a few MiB of them, a PTP part's codes are at most about 30 MiB).
MAX_SHARED_STRINGS = 1 << 26
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_ZERO_PADDED = re.compile(r"^0+$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class WorkbookError(Exception):
    """A table file that is, or is named as, a workbook and cannot be read as one.

    ``message`` starts with ``{file}`` where the file's display path goes (the
    caller knows it; this module knows only the file): :meth:`naming` puts it
    there. The rest may quote the workbook (a sheet's title), so it is never
    a format string.
    """

    def __init__(self, path, message: str, help: str):
        super().__init__(message)
        self.path = path
        self.message = message
        self.help = help

    def naming(self, display: str) -> str:
        """The message with ``display`` in the place of its first ``{file}``, and nothing else in it read: a sheet
        titled `{oops` or `{file.__class__}` was a ValueError's traceback, or an object's attributes, when the
        message was given to ``str.format``."""
        return self.message.replace("{file}", display, 1)


def is_workbook(data: bytes, name: str) -> bool:
    """Whether ``data`` (a file called ``name``) must be read as a workbook, not as text."""
    return data[:4] in (ZIP_MAGIC, OLE_MAGIC) or name.lower().endswith(WORKBOOK_SUFFIXES)


def workbook_text(data: bytes, path=None) -> str:
    """The first worksheet of the workbook ``data`` as CSV text (see the module docstring)."""
    return read_workbook(data, path)[0]


def read_workbook(data: bytes, path=None, header=None) -> tuple[str, dict]:
    """The first worksheet of the workbook ``data`` as CSV text (see the module docstring), and its cells in a
    date or time format: sheet row -> {0-based column: ("date", "1900-01-01") or ("time", "00:00:00")}.

    ``header``: (lines, test) for a loader that looks for its header in the first ``lines`` lines: when no row
    of them passes ``test`` (given the row's cell texts), the rows up to the next one are all that is read, for
    the loader to say so, not the rest of the sheet."""
    if data[:4] == OLE_MAGIC:
        if _is_xls(data, path):
            raise WorkbookError(path, "`{file}` is an Excel 97-2003 workbook (.xls), which radrules does not read",
                                "open it in a spreadsheet program and save it as .xlsx or as CSV")
        raise WorkbookError(path, "`{file}` is not a table file: it is an OLE2 compound file of another program "
                            "than Excel (Windows' `Thumbs.db` is one)",
                            "a table's folder holds the table's files only (.TXT, .csv or .xlsx): move it out")
    if data[:4] != ZIP_MAGIC:
        raise WorkbookError(path, "`{file}` is named as an Excel workbook but is not one",
                            "a workbook (.xlsx) is a zip archive; rename a text or CSV file to .csv or .TXT")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise WorkbookError(path, "`{file}` is a damaged zip archive", "download the file again") from None
    if unpacked > MAX_UNPACKED:  # a zip bomb, or far more than any CMS table
        raise WorkbookError(path, f"`{{file}}` unpacks to {_size(unpacked)}, more than the {_size(MAX_UNPACKED)} "
                            "a workbook may", "name the text or CSV file of the table")
    if "xl/workbook.xml" not in names:
        raise WorkbookError(path, "`{file}` is a zip archive, not a table file",
                            "unpack the CMS download and name a file inside it (.TXT, .csv or .xlsx)")
    shared = _shared_strings_size(data)
    if shared > MAX_SHARED_STRINGS:
        raise WorkbookError(path, f"`{{file}}` has shared strings that unpack to {_size(shared)}, more than the "
                            f"{_size(MAX_SHARED_STRINGS)} a workbook may", "name the text or CSV file of the table")
    try:
        import openpyxl
    except ImportError:
        raise WorkbookError(path, "`{file}` is an Excel workbook; reading one needs openpyxl",
                            "install it with `pip install 'radrules[xlsx]'`, or name the CSV export") from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise WorkbookError(path, f"`{{file}}` is a damaged workbook ({type(error).__name__})",
                            "open and save it again in a spreadsheet program, or name its CSV export") from None
    try:
        if not book.worksheets:
            raise WorkbookError(path, "`{file}` has no worksheet", "name the CSV export of the table instead")
        out = io.StringIO()
        write = csv.writer(out, lineterminator="").writerow
        sheet = book.worksheets[0]
        # Read-only mode reads only the range the sheet's <dimension> tag states, which some
        # writers understate: read the rows the sheet holds instead.
        sheet.reset_dimensions()
        # The sheet is parsed while its rows are read (read-only mode), so a damaged sheet fails here.
        lines = []  # (the row as CSV, its cells), kept as one text each (a list of cells is many objects)
        typed: dict = {}
        cells = characters = 0
        looking, test = header or (None, None)
        for number, row in enumerate(sheet.iter_rows(), 1):
            cells += len(row)
            if number > MAX_ROWS or cells > MAX_CELLS:
                raise WorkbookError(path, f"`{{file}}` has more than {MAX_ROWS:,} rows or {MAX_CELLS:,} cells in "
                                    "its first worksheet, more than any CMS table (a national PTP part has about "
                                    "650,000 rows of 7)", "name the text or CSV file of the table")
            fields = [_cell_text(cell) for cell in row]
            for index, cell in enumerate(row):
                if isinstance(cell.value, _TEMPORAL):
                    typed.setdefault(number, {})[index] = _temporal(cell.value)
            if any(fields):
                out.seek(0)
                out.truncate()
                write(fields)
                lines.append((out.getvalue(), len(fields)))
                characters += len(lines[-1][0]) + 1
                if characters > MAX_TEXT:
                    raise WorkbookError(path, f"`{{file}}`'s first worksheet comes to more than "
                                        f"{_size(MAX_TEXT)} of text, more than any CMS table",
                                        "name the text or CSV file of the table")
            else:
                lines.append(("", 0))
            if test is not None:
                if test(fields):
                    test = None  # found: read on
                elif number > looking:
                    break  # the loader says there is no header; the rest of the sheet would change nothing
        if test is not None and len(book.worksheets) > 1:  # no header on the first worksheet: is it on another?
            _header_elsewhere(book, sheet, path, looking, test)
        width = max((count for _, count in lines), default=0)  # rows end at their last cell: pad them as an
        # export does (an empty field writes nothing, so a row's padding is commas)
        return "".join(f"{text}{',' * (width - count)}\n" if count else "\n" for text, count in lines), typed
    except WorkbookError:
        raise
    except Exception as error:  # the XML parser and openpyxl's readers raise many kinds
        raise WorkbookError(path, f"`{{file}}` has a damaged worksheet ({type(error).__name__})",
                            "open and save it again in a spreadsheet program, or name its CSV export") from None
    finally:
        book.close()


def _header_elsewhere(book, first, path, looking: int, test) -> None:
    """Raise a WorkbookError naming the worksheet after the first that has the loader's header in its first
    ``looking`` rows (a workbook whose first worksheet is a cover page or notes), if one has: radrules reads the
    first worksheet, whose want of a header would otherwise be all the error said."""
    for other in book.worksheets[1:]:
        other.reset_dimensions()
        for number, row in enumerate(other.iter_rows(max_row=looking), 1):
            if test([_cell_text(cell) for cell in row]):
                raise WorkbookError(path, f"`{{file}}`'s first worksheet, `{first.title}`, has no header; its "
                                    f"worksheet `{other.title}` has one (row {number})",
                                    "radrules reads a workbook's first worksheet: move that worksheet first and "
                                    "save the workbook, or name the CSV export of that worksheet")


def _shared_strings_size(data: bytes) -> int:
    """What the parts a workbook's ``[Content_Types].xml`` names as shared strings unpack to (openpyxl reads the
    first; all are counted), 0 when it names none or can't be read (openpyxl then says the workbook is
    damaged)."""
    import xml.etree.ElementTree as ElementTree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if archive.getinfo("[Content_Types].xml").file_size > 1 << 20:  # a few KiB in any workbook
                return 0
            types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
            sizes = {member.filename: member.file_size for member in archive.infolist()}
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError):
        return 0
    return sum(sizes.get(part.get("PartName", "").lstrip("/"), 0) for part in types.iter()
               if part.tag.endswith("Override") and part.get("ContentType") == _SHARED_STRINGS_TYPE)


#: The name of the stream that holds an Excel 97-2003 workbook in its OLE2 file (`Book` before Excel 97), as the
#: file's directory writes it (UTF-16LE); other OLE2 files (Windows' `Thumbs.db`, Word documents) have none.
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book\0".encode("utf-16-le"))


def _is_xls(data: bytes, path) -> bool:
    """Whether an OLE2 file is an Excel 97-2003 workbook: it holds a workbook stream, or is named ``.xls``."""
    name = getattr(path, "name", "") or ""
    return name.lower().endswith(".xls") or any(stream in data for stream in _XLS_STREAMS)


def _size(count: int) -> str:
    return f"{count // 2**20:,} MiB" if count >= 2**20 else f"{count:,} bytes"


_TEMPORAL = (dt.datetime, dt.date, dt.time, dt.timedelta)


def _temporal(value) -> tuple[str, str]:
    """("date", "1900-01-01") for a cell openpyxl reads as a date; ("time", "00:00:00") for one it reads as a time
    of day or a duration (a number under 1 in a date format, too)."""
    if isinstance(value, (dt.datetime, dt.date)):
        return "date", value.strftime("%Y-%m-%d")
    return "time", str(value)


def _cell_text(cell) -> str:
    """A cell as Excel's CSV export writes it (for the formats CMS tables use)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return _LINE_BREAK.sub(" ", value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y%m%d")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        number_format = getattr(cell, "number_format", None) or ""
        if value >= 0 and _ZERO_PADDED.match(number_format):
            text = text.rjust(len(number_format), "0")
        return text
    return str(value)
