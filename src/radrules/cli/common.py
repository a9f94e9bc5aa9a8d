"""Helpers shared by the subcommands: loading rules, reading claim files."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from typing import Iterator

from .._resources import file_position, file_size
from ..errors import (DuplicateKeyError, InputError, RuleError, json_problem, json_value, printable, shortened,
                      strict_count)
from ..readers import detect_format, read_fhir, read_x12


def add_history_option(parser) -> None:
    parser.add_argument(
        "--history", metavar="FILE",
        help="earlier service lines of the patients (JSON Lines, one line per service, with `patient_id`)",
    )


def add_authorizations_option(parser) -> None:
    parser.add_argument(
        "--authorizations", metavar="FILE",
        help="the payer's prior-authorization records (JSON Lines, one record a line); each claim gets the "
             "records of its authorization numbers",
    )


def load_authorizations(path: str | None):
    """The records of ``--authorizations``, or None; raises InputError for a bad file."""
    if path is None:
        return None
    from ..authorizations import AuthorizationFile

    return AuthorizationFile(path)


def load_history(path: str | None):
    """The history source, or None; raises InputError for a bad file."""
    if path is None:
        return None
    from ..history import JsonlHistory

    return JsonlHistory(path)  # InputError for a file that can't be read, too


def whole_number(least: int):
    """An argparse ``type``: a whole number of at least ``least``, with a plain message otherwise."""
    import argparse

    def parse(text: str) -> int:
        try:
            if not text.isascii():  # int() reads other scripts' digits too (`--jobs ４`)
                raise ValueError(text)
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"expected {least} or more")
        return value
    return parse


def add_rules_option(parser) -> None:
    parser.add_argument(
        "--rules", metavar="PATH", action="append",
        help="a rule file or a folder of rule files; repeat it to load several as one ruleset "
             "(default: the bundled rulesets)",
    )
    add_bundled_option(parser, "also load the bundled rulesets, beside --rules (the default without --rules)")
    parser.add_argument(
        "--strict", action="store_true",
        help="the rules' warnings (a table file cut short, a hospital table on professional claims, ...) stop the "
             "command before any claim is read (exit 3), as `check --strict` fails on them",
    )


def add_bundled_option(parser, help: str) -> None:
    parser.add_argument("--bundled", action="store_true", help=help)


def load_rules(paths, bundled: bool = False, shown=None, strict: bool = False):
    """The ruleset of ``paths`` (a list, or None: the bundled rulesets), with the bundled rulesets beside them
    when ``bundled``, its warnings printed to stderr (a PTP file of the other setting, a cache that can't be
    written: things to know before trusting the results); or None after printing its diagnostics there, and
    when ``strict`` and it has warnings (not those `# allow` comments allow), after printing them and why.
    ``shown`` (a ``SharedErrors``) keeps the problems of paths loaded for two rulesets from being printed
    twice."""
    from .. import load

    try:
        ruleset = load(*paths or (), bundled=bundled or None)
    except RuleError as error:
        fresh = [d for d in error.diagnostics if shown is None or shown.fresh(d)]
        if fresh:
            print(str(RuleError(fresh)), file=sys.stderr)
        return None
    print_warnings(w for w in ruleset.warnings if shown is None or shown.fresh_warning(w))
    if strict:
        warnings = strict_count(ruleset.warnings)
        if warnings:
            print(f"error: {warnings:,} warning{'s' if warnings != 1 else ''} in the rules, which --strict counts "
                  "as errors: no claim was evaluated", file=sys.stderr)
            return None
    return ruleset


def print_warnings(warnings) -> None:
    """Print each of ``warnings`` (diagnostics) once on stderr, as `check` lists them: the reports on stdout stay
    the command's own."""
    for warning in dict.fromkeys(warnings):
        print(warning.render() + "\n", file=sys.stderr)


class SharedErrors:
    """The diagnostics already printed of the files of some paths (``diff --with``, loaded on both sides)."""

    def __init__(self, paths):
        from pathlib import Path

        self.prefixes = []  # the display names of their files start so (see loader: relative to the root's parent)
        for path in paths:
            path = Path(path)
            folder = path if path.is_dir() else path.parent
            self.prefixes.append(folder.resolve().name + "/")
        self.shown: set = set()

    def fresh(self, diagnostic) -> bool:
        """Whether to print ``diagnostic``: not one printed before, of a shared path's file or naming none."""
        shared = diagnostic.span is None or diagnostic.span.file.startswith(tuple(self.prefixes))
        if not shared:
            return True
        if diagnostic in self.shown:
            return False
        self.shown.add(diagnostic)
        return True

    def fresh_warning(self, warning) -> bool:
        """Whether to print ``warning``: not one printed before, whatever file it names (OLD and NEW loading
        the same file warn alike; an error of OLD repeated by NEW is still NEW's to report)."""
        if warning in self.shown:
            return False
        self.shown.add(warning)
        return True


INPUT_FORMATS = ("auto", "json", "x12", "fhir")
_HEAD = 1 << 16


def add_input_format_option(parser) -> None:
    parser.add_argument(
        "--input-format", choices=INPUT_FORMATS, default="auto",
        help="how to read the claims files: claim JSON or JSON Lines, X12 837P/837I, or FHIR R4 Claim/Bundle JSON "
             "(default: auto, from the content)",
    )
    add_payers_option(parser)


def add_payers_option(parser) -> None:
    parser.add_argument(
        "--payers", metavar="FILE", type=_payer_names,
        help="a JSON object of payer ids to the payer names the rules use, for X12 and FHIR claims "
             "(`{\"PCH01\": \"pinecrest\"}`); without it, a claim's payer is the payer's name as the file gives it",
    )


def _payer_names(path: str) -> dict:
    """An argparse ``type``: the payer-id mapping of ``--payers`` (a usage error names what is wrong)."""
    import argparse

    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8-sig")  # (a byte order mark, as Windows tools write, is not JSON)
        data = json_value(text)  # an id twice, or nesting too deep: not JSON
    except OSError as error:
        raise argparse.ArgumentTypeError(f"can't read `{path}`: {error.strerror or error}")
    except DuplicateKeyError as error:
        if error.pos != len(text) - len(text.lstrip(" \t\n\r")):  # an object inside: its keys are no payer ids
            raise argparse.ArgumentTypeError(f"`{path}` is not JSON: {error}")
        # The top object's keys are payer ids, configuration and not claim data: the message names the one.
        raise argparse.ArgumentTypeError(
            f"`{path}`: the payer id `{shortened(printable(error.key), 60)}` is given twice (the object at "
            f"line {error.lineno} column {error.colno}, char {error.pos}): give each id once")
    except (UnicodeDecodeError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"`{path}` is not JSON: {error}")
    if not isinstance(data, dict) or not all(isinstance(key, str) and isinstance(value, str) and value.strip()
                                             for key, value in data.items()):
        raise argparse.ArgumentTypeError(f"`{path}` must hold a JSON object of payer ids to payer names (texts)")
    return PayerNames(data, path)


class PayerNames(dict):
    """The payer-id mapping of ``--payers``, which remembers the file it was read from (``path``: a file the
    run reads, which ``--summary-json`` must not empty)."""

    def __init__(self, names: dict, path: str):
        super().__init__(names)
        self.path = path


class PrefixedFile:
    """A binary file whose first bytes were already read (so stdin can be sniffed and still streamed)."""

    def __init__(self, head: bytes, handle, name: str):
        self.head = head
        self.handle = handle
        self.name = name

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size is None or size < 0:
                data, self.head = self.head + self.handle.read(), b""
                return data
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.handle.read(size)


class ClaimsInput:
    """An opened claims file (or standard input): a binary handle, a name for messages, its first bytes.

    Raises InputError if the file can't be opened.
    """

    def __init__(self, source: str):
        self.opened = source != "-"
        if not self.opened:
            self.name = "<stdin>"
            if sys.stdin is None:  # closed (`<&-`)
                raise InputError(self.name, "standard input is closed")
            handle = getattr(sys.stdin, "buffer", None)
            if handle is None:  # a text stream (tests replace sys.stdin)
                handle = io.BytesIO(sys.stdin.read().encode("utf-8"))
        else:
            self.name = source
            try:
                handle = open(source, "rb")
            except OSError as problem:
                raise InputError(source, f"can't read the file: {problem.strerror}") from None
            if _is_device(handle):  # /dev/zero would be read for ever (standard input may be a terminal)
                handle.close()
                raise InputError(source, "is a device, not a file of claims")
        self.handle = handle
        self.size = file_size(handle)
        #: Whether whole lines of a pipe are read and not yet given (see _PipeLines): answering them needs
        #: no wait for more input. The JSON Lines reader of a pipe sets it.
        self.lines_waiting = lambda: False
        try:
            self.head = handle.read(_HEAD) if self.size is not None else _read_head(handle)
        except OSError as problem:
            self.close()
            raise InputError(self.name, f"can't read the file: {problem.strerror}") from None

    def kind(self, input_format: str = "auto") -> str:
        """``x12``, ``fhir`` or ``json``: ``input_format``, or from the first bytes for ``auto``."""
        return detect_format(self.head) if input_format == "auto" else input_format

    def position(self) -> int | None:
        """Bytes read so far, or None when the file can't tell (a pipe)."""
        return file_position(self.handle)

    def close(self) -> None:
        if self.opened:
            self.handle.close()


def _read_head(handle) -> bytes:
    """The first bytes of a pipe, enough to tell its kind: up to 64 KiB, less when the kind is clear sooner.

    So claims written one by one into standard input are read as they come:
    X12 from its ISA, FHIR from its resource type, claim JSON once its first
    line is a JSON value by itself.
    """
    read = getattr(handle, "read1", handle.read)
    head = b""
    while len(head) < _HEAD:
        data = read(_HEAD - len(head))
        if not data:
            break
        head += data
        if _kind_is_clear(head):
            break
    return head


def _kind_is_clear(head: bytes) -> bool:
    if detect_format(head) != "json":
        return True
    first, newline, _ = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n").partition("\n")
    if not newline:
        return False
    try:
        text = first.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return True  # not UTF-8: refused at once (_read_json_stream)
    try:
        json.loads(text)
    except json.JSONDecodeError as problem:
        # broken before the line ends: refused at once; else the start of a document over several lines (a FHIR
        # resource's type may come later), or JSON Lines whose first record is cut short: read on
        return problem.pos < len(text.rstrip())
    except (ValueError, RecursionError):  # a number too long for int(), nested too deeply: read on
        return False
    return True


class RawLine:
    """A line of a JSON Lines file, not yet decoded (so another process can decode it)."""

    __slots__ = ("name", "number", "text")

    def __init__(self, name: str, number: int, text: str):
        self.name = name
        self.number = number
        self.text = text

    def __getstate__(self):
        return self.name, self.number, self.text

    def __setstate__(self, state) -> None:
        self.name, self.number, self.text = state

    def decode(self) -> object:
        """The line's JSON value; raises InputError (FILE:LINE) if it is not JSON (``text`` None: not UTF-8).
        Such a line is one claim that can't be read: the lines after it are claims all the same."""
        if self.text is None:
            raise InputError(f"{self.name}:{self.number}", "not UTF-8 text")
        try:
            return json_value(self.text)
        except json.JSONDecodeError as problem:
            raise InputError(f"{self.name}:{self.number}", f"not JSON: {json_problem(problem, line=False)}") \
                from None


def read_claims(source: str, input_format: str = "auto", payers: dict | None = None
                ) -> Iterator[tuple[int | None, object, object]]:
    """(position, item, FHIR resource or None) for every claim of a claims file.

    ``item`` is a claim dict (JSON input), a :class:`~radrules.Claim` (X12,
    FHIR) or an :class:`~radrules.InputError` for a claim that can't be read.
    ``position`` counts claims from 1; it is None for an X12 envelope error,
    which belongs to no claim. A file that can't be read raises InputError.
    ``payers`` maps payer ids to payer names for X12 and FHIR claims.
    """
    claims = ClaimsInput(source)
    try:
        for position, item, resource in read_input(claims, claims.kind(input_format), payers):
            if type(item) is RawLine:
                try:
                    item = item.decode()
                except InputError as error:  # a JSON Lines line that is not JSON: one claim that can't be read
                    item = error
            yield position, item, resource
    finally:
        claims.close()


def read_input(claims: ClaimsInput, kind: str, payers: dict | None = None
               ) -> Iterator[tuple[int | None, object, object]]:
    """:func:`read_claims` on an opened file, except that JSON Lines come as :class:`RawLine` items.

    JSON Lines are read line by line, so a file of any size takes little memory.
    """
    name, handle = claims.name, claims.handle
    if kind == "x12":
        position = 0
        for item in read_x12(PrefixedFile(claims.head, handle, name), payers=payers):
            if isinstance(item, InputError) and item.claim is None:
                yield None, item, None
            else:
                position += 1
                yield position, item, None
        return
    if kind == "fhir":
        text = _decode(claims.head + handle.read(), name)
        read = read_fhir(_Named(text, name), payers=payers, with_resources=True)
        for position, (resource, item) in enumerate(read, 1):
            yield position, item, resource
        return
    for position, item in _read_json_stream(claims):
        yield position, item, None


def _is_device(handle) -> bool:
    try:
        mode = os.fstat(handle.fileno()).st_mode
    except (OSError, AttributeError, io.UnsupportedOperation):
        return False
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(name, "not UTF-8 text") from None


class _PipeLines:
    """The lines (ending at line feeds) of a pipe whose first bytes were already read, read a chunk at a time
    into a buffer of its own: :meth:`waiting` tells whether a whole line is read and not yet given (so the
    reader need not wait for the pipe to answer it), which Python's buffered reader does not tell."""

    def __init__(self, head: bytes, handle):
        self.buffer = head
        self.start = 0  # where the next line begins in the buffer (lines are not cut off it one by one)
        self.read = getattr(handle, "read1", handle.read)

    def waiting(self) -> bool:
        return self.buffer.find(b"\n", self.start) >= 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            end = self.buffer.find(b"\n", self.start)
            if end >= 0:
                line, self.start = self.buffer[self.start:end + 1], end + 1
                yield line
                continue
            chunk = self.read(1 << 16)
            if not chunk:
                break
            self.buffer, self.start = self.buffer[self.start:] + chunk, 0
        if self.start < len(self.buffer):
            line, self.buffer, self.start = self.buffer[self.start:], b"", 0
            yield line


def _byte_lines(head: bytes, handle) -> Iterator[bytes]:
    """The lines (ending at line feeds) of a file whose first bytes were already read."""
    last = b""
    for line in io.BytesIO(head):
        if line.endswith(b"\n"):
            yield line
        else:
            last = line
    if last:
        yield last + handle.readline()
    yield from handle


def _text_of(line: bytes, name: str, first: bool) -> str | None:
    """A line of JSON Lines without its line end (LF or CRLF); None if it is not UTF-8."""
    try:
        text = line.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError:
        return None
    if text.endswith("\n"):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    return text


def _read_json_stream(claims: ClaimsInput) -> Iterator[tuple[int, object]]:
    """(position, claim dict or RawLine) of claim JSON: an object, an array, or JSON Lines.

    The first non-blank line tells: if it is a JSON value by itself and another
    non-blank line follows, the file is JSON Lines and is read line by line;
    otherwise the whole text is one JSON document (or a broken file), read as
    :func:`_read_json` reads it. A first line that is a JSON object is the
    first claim either way: it is given at once, before the next line is read,
    so a claim written alone into a pipe is answered before the next comes.
    """
    name = claims.name
    if claims.size is None:  # a pipe: read into a buffer of our own, which says if a whole line waits in it
        reader = _PipeLines(claims.head, claims.handle)
        claims.lines_waiting = reader.waiting
        lines = iter(reader)
    else:
        lines = _byte_lines(claims.head, claims.handle)
    seen: list[bytes] = []
    first = second = broken = None
    for raw in lines:
        seen.append(raw)
        text = _text_of(raw, name, len(seen) == 1)
        if text is None:
            if first is None and broken is None:
                # not UTF-8 before any JSON: neither is the whole text, which need not be read (/dev/urandom)
                yield from _read_json(_decode(b"".join(seen), name), name)
                return
            second = (len(seen), None)  # JSON Lines, whose second line is not UTF-8 (an error at that line)
            break
        if not text.strip():
            continue
        if broken is not None:  # the line after a first line that is no JSON value by itself
            if type(_json_or_none(text)) is dict and _breaks_before(broken[1], text):
                # JSON Lines whose first record is cut short (an error at that line)
                first, second = (broken[0], RawLine(name, broken[0], broken[1])), (len(seen), text)
            break
        if first is None:
            try:
                first = (len(seen), json_value(text))
            except json.JSONDecodeError as problem:
                if problem.pos < len(text.rstrip()):
                    # broken before the line ends: so is any document that starts so, whatever follows
                    yield from _read_json(_decode(b"".join(seen), name), name)
                    return
                if not text.lstrip().startswith("{"):
                    break  # the start of one document written over several lines (`[`), read whole below
                broken = (len(seen), text)  # a document over several lines, or a JSON Lines record cut short
                continue
            if type(first[1]) is dict:
                yield 1, first[1]  # one claim as a document, or the first of JSON Lines: the same claim
        else:
            second = (len(seen), text)
            break
    given = first is not None and type(first[1]) is dict
    if second is None:  # one JSON document (or no claim, or a broken file)
        if not given:
            yield from _read_json(_decode(b"".join(seen) + b"".join(lines), name), name)
        return
    if not given:
        yield 1, first[1]
    number, text = second
    yield 2, RawLine(name, number, text)
    position = 2
    for raw in lines:
        number += 1
        text = _text_of(raw, name, False)
        if text is None or text.strip():
            position += 1
            yield position, RawLine(name, number, text)


def _breaks_before(first: str, second: str) -> bool:
    """Whether the text ``first`` (no JSON value by itself), then the line ``second`` (a JSON object by itself),
    is broken where ``second`` starts: JSON Lines whose first record is cut short. A document written over several
    lines (`{"lines": [` then `{"code": ...}`) reads on into the second line and is broken only at its end."""
    try:
        json_value(first + "\n" + second)
    except json.JSONDecodeError as problem:
        return problem.pos <= len(first) + 1 + len(second) - len(second.lstrip())
    return False


def _json_or_none(text: str):
    try:
        return json_value(text)
    except (json.JSONDecodeError, DuplicateKeyError):
        return None


class _Named(io.StringIO):
    def __init__(self, text: str, name: str):
        super().__init__(text)
        self.name = name


def _read_json(text: str, name: str) -> Iterator[tuple[int, object]]:
    """(1-based position, claim dict) for one JSON document: an object, or an array of them.

    Only called when the text is not JSON Lines (see :func:`_read_json_stream`),
    so a text that does not parse is an error at the place JSON names.
    """
    stripped = text.strip()
    if not stripped:
        return
    try:
        data = json_value(stripped)
    except json.JSONDecodeError as problem:
        raise InputError(name, f"not JSON: {json_problem(problem)}") from None
    if isinstance(data, list):
        for position, item in enumerate(data, 1):
            yield position, item
    else:
        yield 1, data
