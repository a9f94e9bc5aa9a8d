"""Helpers shared by the subcommands: loading rules, reading claim files."""

from __future__ import annotations

import io
import json
import re
import sys
from typing import Iterator

from ..errors import InputError, RuleError
from ..readers import read_fhir, read_x12


def add_rules_option(parser) -> None:
    parser.add_argument(
        "--rules", metavar="PATH",
        help="a rule file or a folder of rule files (default: the bundled rulesets)",
    )


def load_rules(path: str | None):
    """The ruleset, or None after printing its diagnostics to stderr."""
    from .. import load

    try:
        ruleset = load(path)
    except RuleError as error:
        print(str(error), file=sys.stderr)
        return None
    return ruleset


INPUT_FORMATS = ("auto", "json", "x12", "fhir")
_HEAD = 1 << 16


def add_input_format_option(parser) -> None:
    parser.add_argument(
        "--input-format", choices=INPUT_FORMATS, default="auto",
        help="how to read CLAIMS: claim JSON or JSON Lines, X12 837P/837I, or FHIR R4 Claim/Bundle JSON "
             "(default: auto, from the content)",
    )


class _Prefixed:
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


def detect_format(head: bytes) -> str:
    """``x12``, ``fhir`` or ``json``, from the first bytes of a claims file."""
    text = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if text.startswith("ISA"):
        return "x12"
    if re.search(r'"resourceType"\s*:\s*"(?:Claim|Bundle)"', text[:_HEAD]):
        return "fhir"
    return "json"


def read_claims(source: str, input_format: str = "auto") -> Iterator[tuple[int | None, object, object]]:
    """(position, item, FHIR resource or None) for every claim of a claims file.

    ``item`` is a claim dict (JSON input), a :class:`~radrules.Claim` (X12,
    FHIR) or an :class:`~radrules.InputError` for a claim that can't be read.
    ``position`` counts claims from 1; it is None for an X12 envelope error,
    which belongs to no claim. A file that can't be read raises InputError.
    """
    if source == "-":
        handle, name, opened = getattr(sys.stdin, "buffer", None), "<stdin>", False
        if handle is None:  # a text stream (tests replace sys.stdin)
            handle = io.BytesIO(sys.stdin.read().encode("utf-8"))
    else:
        name, opened = source, True
        try:
            handle = open(source, "rb")
        except OSError as problem:
            raise InputError(source, f"can't read the file: {problem.strerror}") from None
    try:
        head = handle.read(_HEAD)
        kind = detect_format(head) if input_format == "auto" else input_format
        if kind == "x12":
            position = 0
            for item in read_x12(_Prefixed(head, handle, name)):
                if isinstance(item, InputError) and item.claim is None:
                    yield None, item, None
                else:
                    position += 1
                    yield position, item, None
            return
        data = head + handle.read()
    finally:
        if opened:
            handle.close()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(name, "not UTF-8 text") from None
    if kind == "fhir":
        for position, (resource, item) in enumerate(read_fhir(_Named(text, name), with_resources=True), 1):
            yield position, item, resource
        return
    for position, item in _read_json(text, name):
        yield position, item, None


class _Named(io.StringIO):
    def __init__(self, text: str, name: str):
        super().__init__(text)
        self.name = name


def _read_json(text: str, name: str) -> Iterator[tuple[int, object]]:
    """(1-based position, claim dict) for a JSON object, a JSON array, or JSON Lines."""
    stripped = text.strip()
    if not stripped:
        return
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as first_problem:
        # JSON Lines: one claim per non-empty line.
        position = 0
        # Lines end at "\n" only: str.splitlines() would also break at U+2028, U+2029 and U+0085,
        # which JSON allows inside strings.
        for number, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as problem:
                if position == 0:
                    raise InputError(name, f"not JSON: {first_problem.msg} at line {first_problem.lineno}, "
                                     f"column {first_problem.colno}") from None
                raise InputError(f"{name}:{number}", f"not JSON: {problem.msg} at column {problem.colno}") from None
            position += 1
            yield position, item
        return
    if isinstance(data, list):
        for position, item in enumerate(data, 1):
            yield position, item
    else:
        yield 1, data
