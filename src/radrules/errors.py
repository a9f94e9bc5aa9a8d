"""Errors and diagnostics.

Every problem in a rule file or a table file becomes a :class:`Diagnostic`
that renders one way (docs/errors.md explains each code)::

    rulesets/payers/acme.rr:14:13: error[RR204]: unknown field `modifer` of `line`
       14 |   when line.modifer has 59
          |             ^^^^^^^
       = help: did you mean `modifiers`?

The compiler collects all diagnostics and raises one :class:`RuleError`.
A bad claim raises :class:`ClaimError`, naming the field path only. A claims
file (X12 837, FHIR) that can't be read gives an :class:`InputError` naming
the file and the segment or JSON path, never a value.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from typing import Any, Iterable, Protocol, Sequence, Union

import attrs

from .syntax import Span

#: Control characters, shown as spaces (one for one, so that columns still line up).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str) -> str:
    """``text`` with control characters (a new line, an escape sequence) written as escapes, so that words
    from a claim or a test file can't start a line of their own or drive the terminal in text output."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def line_of(text: str, number: int) -> str | None:
    """Line ``number`` (from 1) of ``text`` as :func:`text_lines` numbers them, or None; the split of the last
    few texts is kept, so a file with thousands of diagnostics is split once, not once for each."""
    lines = _split(text)
    return lines[number - 1] if 0 < number <= len(lines) else None


@functools.lru_cache(maxsize=8)
def _split(text: str) -> tuple[str, ...]:
    return tuple(text_lines(text))


def lf_line_ends(text: str) -> str:
    """``text`` with the line ends the parser wants: CR LF and a lone CR are LF (as reading in text mode
    gives them)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_lines(text: str) -> list[str]:
    """The lines of a rule or test file as the parser numbers them: split at line feeds only (a form
    feed or a lone carriage return is a character of its line), the CR of a CRLF dropped."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


class RadrulesError(Exception):
    """Base class of every error radrules raises on purpose."""


#: A source line longer than LONG_LINE is shown cut to SHOWN_LINE characters around the caret (a line of
#: thousands of codes, a damaged table row of megabytes: each diagnostic would print all of it, and a caret
#: line as long); one a little longer than SHOWN_LINE is shown whole, as cutting a few characters helps nobody.
SHOWN_LINE = 120
LONG_LINE = 160
#: Characters kept before the caret when a long line is clipped.
_SHOWN_BEFORE = 40
#: At most this many diagnostics are shown per file; the rest are counted in one more (tables do the same).
MAX_PER_FILE = 50


def _numbered(spec: str) -> frozenset:
    """``"101-103 260"``: RR101, RR102, RR103 and RR260."""
    codes = set()
    for part in spec.split():
        first, _, last = part.partition("-")
        codes.update(f"RR{number}" for number in range(int(first), int(last or first) + 1))
    return frozenset(codes)


#: The codes of docs/errors.md by what they are: warnings (RR505 too, for a PTP file without its header),
#: errors, and those that count the problems of a file not shown, errors or warnings. An `allow` comment
#: (compiler/allow.py) may name a warning's code only.
WARNING_CODES = _numbered("260-264 267-275 304 309 505 517 518 521 523-538")
ERROR_CODES = _numbered("101-106 201-223 250-255 301-303 305-308 401-406 501-516 520 601-605 610-617 620 621 630")
COUNT_CODES = frozenset({"RR407", "RR519", "RR606"})
#: Warnings no longer given, and why (an `allow` comment naming one is RR270).
RETIRED_CODES = {
    "RR265": "a dated `disable` now takes its key off on its block's dates only",
    "RR266": "dated rows no longer leave the other dates without an edit: there the less specific rows or the "
             "tables decide",
}


#: The most characters of one quoted text (between backticks) a message shows: a path, name or value from a file may
#: be as long as its line (a 100,000-character `include` path was a message line as long, once per statement).
QUOTED_SHOWN = 200


def capped_quotes(message: str) -> str:
    """``message`` with each text between backticks (the first and second, the third and fourth, ...) longer than
    QUOTED_SHOWN characters cut to that many and `…`; the words between quotes are the message's own."""
    if len(message) <= QUOTED_SHOWN or "`" not in message:
        return message
    parts = message.split("`")
    for index in range(1, len(parts) - 1, 2):  # (a last backtick without its pair quotes nothing)
        if len(parts[index]) > QUOTED_SHOWN:
            parts[index] = parts[index][:QUOTED_SHOWN] + "…"
    return "`".join(parts)


@attrs.frozen
class Diagnostic:
    """One problem found in a rule or table file.

    ``hidden`` is set on a diagnostic that stands for problems not shown
    (RR407, RR519, RR606): how many, ``hidden_errors`` of them errors.
    """

    code: str
    message: str = attrs.field(converter=capped_quotes)  # (a converter: every message, however it is made)
    span: Span | None = None
    source_line: str | None = None
    help: str | None = attrs.field(default=None, converter=attrs.converters.optional(capped_quotes))
    severity: str = "error"
    hidden: int = 0
    hidden_errors: int = 0
    reason: str | None = None  # of the `# allow` comment that allows this warning (Ruleset.allowed)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self) -> str:
        """The diagnostic as the user sees it: location, message, snippet, help."""
        where = f"{self.span}: " if self.span else ""
        # words quoted from a file may hold control characters: escaped, they can't drive the terminal
        out = [printable(f"{where}{self.severity}[{self.code}]: {self.message}")]
        # The gutter is 5 wide, wider for a line number of more digits (a national PTP part has 650,000 lines),
        # so the caret stays under the source line's text.
        pad = max(5, len(str(self.span.line))) if self.span else 5
        if self.span and self.source_line is not None:
            text = self.source_line.rstrip("\r\n")
            start = max(self.span.column - 1, 0)
            if self.span.end_line == self.span.line:
                width = max(self.span.end_column - self.span.column, 1)
            else:
                width = max(len(text) - start, 1)
            text, start, width = clipped(text, start, width)
            out.append(f"{self.span.line:>{pad}} | {_CONTROL.sub(' ', text)}")
            out.append(f"{'':>{pad}} | {' ' * start}{'^' * width}")
        if self.help:
            out.append(printable(f"{'':>{pad}} = help: {self.help}"))
        if self.reason is not None:
            out.append(printable(f"{'':>{pad}} = allowed: {shortened(self.reason, 200)}"))
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "column": self.span.column if self.span else None,
            "help": self.help,
            "not_shown": self.hidden,
            "not_shown_errors": self.hidden_errors,
            **({"reason": self.reason} if self.reason is not None else {}),  # an allowed warning's
        }

    @property
    def counts(self) -> tuple[int, int]:
        """(errors, warnings) this diagnostic stands for: itself, or the problems it says are not shown."""
        if self.hidden:
            return self.hidden_errors, self.hidden - self.hidden_errors
        return (1, 0) if self.is_error else (0, 1)


def clipped(text: str, start: int, width: int, limit: int = SHOWN_LINE) -> tuple[str, int, int]:
    """A source line of more than :data:`LONG_LINE` characters cut to ``limit`` around a caret at ``start``
    (0-based) ``width`` wide: (the text shown, with `…` where it was cut, the caret's start and width in it). A
    shorter line is as it is; a caret wider than what is shown ends where the text shown does."""
    if len(text) <= max(limit, LONG_LINE):
        return text, start, width
    low = max(0, min(start - _SHOWN_BEFORE, len(text) - limit))
    high = min(len(text), low + limit)
    width = max(min(start + width, high) - start, 1)
    shown = ("…" if low else "") + text[low:high] + ("…" if high < len(text) else "")
    return shown, start - low + (1 if low else 0), width


def not_shown(code: str, file: str, hidden: int, hidden_errors: int, help: str) -> Diagnostic:
    """The diagnostic that stands for the ``hidden`` problems of ``file`` past those shown (``hidden_errors``
    of them errors): RR407 for a rule file, RR519 for a table file, RR606 for a test file."""
    return Diagnostic(code, f"{hidden:,} more problem{'s' if hidden != 1 else ''} in `{file}` not shown", None, None,
                      help, "error" if hidden_errors else "warning", hidden, hidden_errors)


def capped(diagnostics: Iterable[Diagnostic], limit: int = MAX_PER_FILE, code: str = "RR407",
           again: str = "check again") -> list[Diagnostic]:
    """``diagnostics`` with at most ``limit`` shown for each file, errors before warnings, in their order; the
    rest of a file's are counted in one ``code`` after its last one shown (RR407 for a rule file; RR606 for a test
    file, whose help says to fix those shown and ``again``). Diagnostics with no place, and those that count
    others (RR519), are all kept and count toward no limit."""
    diagnostics = list(diagnostics)
    left_out, after = cap_plan(diagnostics, limit, code, again)
    out = []
    for index, diagnostic in enumerate(diagnostics):
        if index not in left_out:
            out.append(diagnostic)
        if index in after:
            out.append(after[index])
    return out


def cap_plan(diagnostics: list[Diagnostic], limit: int = MAX_PER_FILE, code: str = "RR407",
             again: str = "check again") -> tuple[set[int], dict[int, Diagnostic]]:
    """What :func:`capped` does to ``diagnostics``: the indexes it leaves out, and the count it shows after an
    index (a file's last diagnostic shown)."""
    by_file: dict[str, list[int]] = {}
    for index, diagnostic in enumerate(diagnostics):
        if diagnostic.span is not None and not diagnostic.hidden:
            by_file.setdefault(diagnostic.span.file, []).append(index)
    left_out: set[int] = set()
    after: dict[int, Diagnostic] = {}
    for file, indexes in by_file.items():
        if len(indexes) <= limit:
            continue
        errors = [i for i in indexes if diagnostics[i].is_error]
        kept = set(errors[:limit])
        kept.update([i for i in indexes if not diagnostics[i].is_error][:limit - len(kept)])
        hidden = [i for i in indexes if i not in kept]
        left_out.update(hidden)
        hidden_errors = sum(diagnostics[i].is_error for i in hidden)
        after[max(kept)] = not_shown(code, file, len(hidden), hidden_errors,
                                     f"fix the ones above and {again}: the rest are shown then" if hidden_errors
                                     else "they are warnings, as those above")
    return left_out, after


def warning_count(diagnostics: Iterable[Diagnostic]) -> int:
    """The warnings ``diagnostics`` stand for, those not shown too (RR407, RR519)."""
    return sum(d.counts[1] for d in diagnostics)


#: Warnings about the machine, not the rules: a table cache folder that can't be used (RR530) makes loads slow
#: and changes no result, so `--strict` does not stop on it (a full or read-only cache volume would stop every
#: strict job of a fleet).
NOT_STRICT = frozenset({"RR530"})


def strict_count(diagnostics: Iterable[Diagnostic]) -> int:
    """The warnings of ``diagnostics`` that `--strict` counts as errors: :func:`warning_count` of those not in
    NOT_STRICT."""
    return warning_count(d for d in diagnostics if d.code not in NOT_STRICT)


def render_all(diagnostics: Iterable[Diagnostic]) -> str:
    """All diagnostics, blank-line separated, with a count at the end (of every problem, shown or not)."""
    diagnostics = list(diagnostics)
    errors = sum(d.counts[0] for d in diagnostics)
    warnings = warning_count(diagnostics)
    parts = [d.render() for d in diagnostics]
    summary = []
    if errors:
        summary.append(f"{errors:,} error{'s' if errors != 1 else ''}")
    if warnings:
        summary.append(f"{warnings:,} warning{'s' if warnings != 1 else ''}")
    if summary:
        parts.append(", ".join(summary))
    return "\n\n".join(parts)


class RuleError(RadrulesError, ValueError):
    """A rule file (or a table it loads) does not parse or compile.

    ``diagnostics`` holds every problem found, errors and warnings alike, at
    most :data:`MAX_PER_FILE` of each file (the rest counted in an RR407);
    ``str(error)`` renders them all, the errors first (a log that keeps the
    first line shows what stopped the load), each group in source order.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = tuple(capped(diagnostics))
        errors_first = sorted(self.diagnostics, key=lambda d: not d.is_error)  # stable: source order kept
        super().__init__(render_all(errors_first))

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    def __reduce__(self):
        return (type(self), (self.diagnostics,))


class ClaimError(RadrulesError, ValueError):
    """A claim does not have the documented shape (docs/claim-format.md).

    ``path`` is the field path (``lines[0].units``), ``problem`` what is wrong.
    Neither ever contains the value of an identifier.
    """

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)

    def __reduce__(self):
        return (type(self), (self.path, self.problem))


#: The steps of a path an InputError shows whole; a longer one shows its first and last four (no claim has one).
MAX_PATH_STEPS = 12


class InputError(RadrulesError, ValueError):
    """A claims file (X12 837, FHIR JSON, claim JSON) can't be read, or one claim in it can't.

    The message is ``FILE: WHERE: PROBLEM``. ``where`` is ``segment N (ID)``
    for X12 (``segment`` is the 1-based number of the segment in the file,
    ``segment_id`` its id, such as ``HI``) or a JSON path for FHIR
    (``path``, such as ``entry[2].resource.item[0].servicedDate``).
    ``claim`` is the 1-based position of the claim in the file when the
    problem belongs to one claim (the readers then go on with the next
    claim), else None. No part of the message is ever a value read from
    the file.
    """

    def __init__(self, file: str | None, problem: str, *, segment: int | None = None,
                 segment_id: str | None = None, path: str | None = None, claim: int | None = None):
        if path is not None and path.count(".") >= MAX_PATH_STEPS:
            steps = path.split(".")
            path = ".".join(steps[:4] + ["\u2026"] + steps[-4:])
        self.file = file
        self.problem = problem
        self.segment = segment
        self.segment_id = segment_id
        self.path = path
        self.claim = claim
        parts = [file] if file else []
        if segment is not None:
            parts.append(f"segment {segment} ({segment_id})" if segment_id else f"segment {segment}")
        if path:
            parts.append(path)
        parts.append(problem)
        super().__init__(": ".join(parts))

    def __reduce__(self):
        return (_input_error, (self.file, self.problem, self.segment, self.segment_id, self.path, self.claim))


def _input_error(file, problem, segment, segment_id, path, claim) -> InputError:
    return InputError(file, problem, segment=segment, segment_id=segment_id, path=path, claim=claim)


# ---------------------------------------------------------------- suggestions


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one); with ``limit``, any distance past it is
    ``limit + 1`` (found as soon as a whole row of the table passes it)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            best = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, rows[-2][j - 2] + 1)
            row.append(best)
        if limit is not None and min(row) > limit:
            return limit + 1
        rows.append(row)
    return rows[-1][-1]


#: Words longer than this get no suggestion: names are short, and the distance costs the product of lengths.
SUGGESTED_LENGTH = 64


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate within edit distance 2 (3 for long words), if any (of several as close, the first in
    sorted order)."""
    found = nearest(word, candidates)
    return found[0] if found else None


def nearest(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates closest to ``word`` within edit distance 2 (3 for long words), sorted: all of those at the
    least distance (one that differs from the word only in case alone)."""
    if len(word) > SUGGESTED_LENGTH:
        return []
    limit = 3 if len(word) > 7 else 2
    if len(word) <= 2:
        limit = 1
    best: list[str] = []
    best_distance = limit + 1
    lowered = word.lower()
    for candidate in sorted(set(candidates)):
        if candidate == word or abs(len(candidate) - len(word)) > limit:
            continue  # the word itself is no suggestion; nor is a word too much longer or shorter
        if candidate.lower() == lowered:
            return [candidate]
        distance = edit_distance(lowered, candidate.lower(), limit)
        if distance < best_distance:
            best, best_distance = [candidate], distance
        elif distance == best_distance and distance <= limit:
            best.append(candidate)
    return best


def suggestion(word: str, candidates: Iterable[str]) -> str | None:
    """A ``help:`` text suggesting the nearest candidate, or None."""
    near = did_you_mean(word, candidates)
    return f"did you mean `{near}`?" if near else None


def expected_tokens(error) -> set:
    """The terminal names a lark parser would have accepted where ``error`` happened."""
    expected = set(getattr(error, "expected", ()) or ())
    interactive = getattr(error, "interactive_parser", None)
    if interactive is not None:
        try:  # the exact set of acceptable tokens (LALR lookaheads are merged)
            expected = set(interactive.accepts()) or expected
        except Exception:  # pragma: no cover - fall back to lark's own set
            pass
    return expected


def expected_help(expected, got: str, terminals, words: dict) -> str | None:
    """A ``help:`` text for a syntax error: the keyword ``got`` was probably meant, else what was expected.

    ``terminals`` are the grammar's lark terminals; ``words`` says how the
    non-literal ones read (``{"DATE": "a date (YYYY-MM-DD)"}``).
    """
    names = sorted(set(expected) - {"COMMENT", "WS"})
    if not names:
        return None
    literal = {t.name: t.pattern.value for t in terminals if t.pattern.type == "str"}
    keywords = [literal[n] for n in names if n in literal and literal[n].isalpha()]
    near = did_you_mean(got, keywords) if got and got.isalpha() else None
    if near:
        return f"did you mean `{near}`?"
    listed = sorted({words[n] if n in words else f"`{literal[n]}`" if n in literal else n.lower() for n in names})
    if len(listed) > 8:
        return "expected " + ", ".join(listed[:8]) + ", ..."
    return "expected " + (listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1])


#: Words written for `through` between two dates (`2026-01-01 to 2026-03-31`): a syntax error's help says so.
RANGE_WORDS = frozenset({"to", "until", "thru"})


def shortened(text: str, limit: int = 40) -> str:
    """A text from the input (a key, a name) cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[:limit] + "..."


#: A key that looks like a field name: messages echo it. A key with digits, dashes, dots or spaces may be data (a
#: caller keying objects by member id, claim number or name) and is not shown, so that no identifier reaches a log.
_FIELD_NAME = re.compile(r"[a-z][A-Za-z_]{0,31}")


def shown_key(key, known: Iterable[str] = ()) -> str | None:
    """``key`` as a message may show it: a short name of letters and underscores starting with a lowercase letter,
    or one close to a ``known`` field (a misspelt field); else None (it may be data)."""
    if not isinstance(key, str):
        return None
    if _FIELD_NAME.fullmatch(key) or (known and did_you_mean(key, known)):
        return key
    return None


def _whole_number(text: str):
    """A JSON whole number; one too long for ``int()`` (``sys.get_int_max_str_digits``) is read as the largest
    float of its sign, which claim checks refuse as they refuse any huge number ("expected a number under 10^15"),
    instead of a ValueError. (As ``float(text)`` it was infinite, and told "expected a finite number".)"""
    try:
        return int(text)
    except ValueError:
        return -sys.float_info.max if text.startswith("-") else sys.float_info.max


class DuplicateKey(Exception):
    """An object of a JSON text gives a key twice (raised by :func:`strict_decoder`'s decoder)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key

    @property
    def problem(self) -> str:
        shown = shown_key(self.key)
        if shown is None:
            return "a key is given twice in one object (not shown: it may be data)"
        return f"the key `{shown}` is given twice in one object"


class DuplicateKeyError(json.JSONDecodeError):
    """A JSON text with an object that gives a key twice, at that object (raised by :func:`json_value`). The
    message shows the key only as :func:`shown_key` allows; ``key`` is kept for a caller whose keys are no
    data (the payer ids of a ``--payers`` file)."""

    def __init__(self, msg: str, doc: str, pos: int, key: str):
        super().__init__(msg, doc, pos)
        self.key = key

    def __reduce__(self):
        return (type(self), (self.msg, self.doc, self.pos, self.key))


def _unique_keys(pairs: list) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set = set()
        raise DuplicateKey(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return data


def strict_decoder(numbers_too_long: bool = False) -> json.JSONDecoder:
    """A ``json.JSONDecoder`` as :func:`json_value` reads: DuplicateKey for a key given twice; with
    ``numbers_too_long``, a whole number too long for Python is read as infinite (a hook that costs a
    call for every number, so it is used only after such a number made the plain decoder fail)."""
    if numbers_too_long:
        return json.JSONDecoder(parse_int=_whole_number, object_pairs_hook=_unique_keys)
    return json.JSONDecoder(object_pairs_hook=_unique_keys)


#: A decoder without the key check, to find where an element with a key twice ends (and read on after it).
LENIENT_DECODER = json.JSONDecoder(parse_int=_whole_number)
_STRICT = strict_decoder()
_STRICT_LONG = strict_decoder(numbers_too_long=True)


def json_problem(problem: json.JSONDecodeError, line: bool = True) -> str:
    """Where a text is not JSON, for a message: `Expecting value at line 1, column 3` (with ``line`` False, `...
    at column 3`: a JSON Lines line). Python's `Unterminated string starting at` ends in an `at` of its own."""
    message = problem.msg[:-3] if problem.msg.endswith(" at") else problem.msg
    return f"{message} at line {problem.lineno}, column {problem.colno}" if line else \
        f"{message} at column {problem.colno}"


def json_value(text: str):
    """``json.loads``, strict: nesting too deep for Python and an object that gives a key twice (the second
    value would silently win; a ``DuplicateKeyError``) are ``JSONDecodeError``s, and a number too long for
    Python is infinite; never a crash."""
    try:
        try:
            return _STRICT.decode(text)
        except json.JSONDecodeError:
            raise
        except ValueError:  # a whole number longer than int() reads (4,300 digits by default)
            return _STRICT_LONG.decode(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except DuplicateKey as duplicate:
        raise DuplicateKeyError(duplicate.problem, text, _object_with_a_key_twice(text), duplicate.key) from None


#: The start of a text that is a file's content, not a path: a JSON object or array of objects, XML, an X12
#: interchange (``ISA*00*``: the element separator, then the two digits of ISA01, then the separator again).
_CONTENT = re.compile(r'\s*(?:\{\s*"|\[\s*[{\["]|<\?xml|ISA(\W)\d\d\1)')


class Readable(Protocol):
    """A file opened for reading, in binary or text mode (what the readers take besides a path or bytes)."""

    def read(self, size: int = ..., /) -> bytes | str: ...


#: A claims file as the readers take it: a path, the file's content as bytes, or a file opened for reading.
FileSource = Union[str, os.PathLike[str], bytes, bytearray, memoryview, Readable]


def path_of(source, what: str) -> str:
    """The path ``source`` (a str or an os.PathLike) names, as text. A str that names no file and looks like the
    content of one (a line break, JSON, XML, an X12 interchange, longer than any path) is an InputError that does
    not show it: an open() of a claim's text would fail with the text, and its patient's data, in the message.
    ``what`` names the file (``an X12 file``). A PathLike (a ``pathlib.Path``) is always a path."""
    name = os.fsdecode(os.fspath(source))
    if "\0" in name:
        raise InputError(None, f"expected the path of {what} or an open file: a path holds no NUL character")
    if isinstance(source, str) and (len(name) > 4096 or "\n" in name or "\r" in name or _CONTENT.match(name)):
        try:
            exists = os.path.exists(name)
        except (OSError, ValueError):
            exists = False
        if not exists:
            raise InputError(None, f"expected the path of {what} or an open file: this text looks like the "
                                   "content of one, not its path (pass the text as `io.StringIO(text)`)")
    return name


def open_path(source, what: str, mode: str = "rb", **options):
    """(the file ``source`` names, opened, its name): :func:`path_of`'s checks, then ``open``; an InputError
    naming the file when it can't be opened."""
    name = path_of(source, what)
    try:
        return open(name, mode, **options), name
    except OSError as problem:  # missing, a folder, a name too long
        raise InputError(name, f"can't read the file: {problem.strerror}") from None


def json_objects(source, what: str):
    """``(line number, object)`` for every line that is not blank of a JSON Lines file (a path, or an open text
    file), read once; InputError names the file (and the line) of one that can't be read, is not UTF-8, is not
    JSON or is not an object. ``what`` names the file in the message for an empty path (``history``)."""
    if hasattr(source, "read"):
        name = getattr(source, "name", f"<{what}>")
    elif isinstance(source, (str, os.PathLike)):
        name = path_of(source, f"a {what} file")
    else:
        raise InputError(None, f"expected the path of a {what} file or an open file, not {type(source).__name__}")
    try:
        if hasattr(source, "read"):
            yield from _objects(source, name)
            return
        if not name:  # open("") fails too, but say why
            raise InputError(None, f"no {what} file: the path is empty")
        with open(name, encoding="utf-8-sig") as handle:
            yield from _objects(handle, name)
    except OSError as problem:  # missing, a folder, a name too long, a read error
        raise InputError(name, f"can't read the file: {problem.strerror or problem}") from None
    except UnicodeDecodeError:
        raise InputError(name, "not UTF-8 text") from None


def _objects(handle, name: str):
    for number, text in enumerate(handle, 1):
        if not text.strip():
            continue
        try:
            data = json_value(text.rstrip("\r\n"))  # without its line end, a column is on this line
        except json.JSONDecodeError as problem:
            raise InputError(name, f"not JSON: {json_problem(problem, line=False)}", path=f"line {number}") from None
        if not isinstance(data, dict):  # (a JSON array of lines, say: each line of the file is one object)
            raise InputError(name, "expected an object: a JSON Lines file has one JSON object on each line",
                             path=f"line {number}")
        yield number, data


def _object_with_a_key_twice(text: str) -> int:
    """Where the first object that gives a key twice starts (read again by the pure-Python scanner, which
    tells where each object is; only after such an error)."""
    from json import decoder as json_decoder, scanner as json_scanner

    where: list[int] = []

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        pairs, end = json_decoder.JSONObject(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo)
        if not where and len({key for key, _ in pairs}) != len(pairs):
            where.append(s_and_end[1] - 1)
        return dict(pairs), end

    decoder = json.JSONDecoder(object_pairs_hook=list, parse_int=_whole_number)
    decoder.parse_object = parse_object
    decoder.scan_once = json_scanner.py_make_scanner(decoder)
    try:
        decoder.decode(text)
    except (ValueError, RecursionError):
        pass
    return where[0] if where else 0
