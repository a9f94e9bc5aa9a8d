"""Test file text to :class:`~radrules.testing.model.TestFile`: the Lark parser and its errors.

``parse_tests(text, name, folder)`` never raises on bad input: syntax errors
become RR6xx diagnostics (docs/errors.md) rendered like the rule
diagnostics, and the file is parsed again test by test, so one broken test
does not hide the others.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import attrs
from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import Token as LarkToken

from .. import _resources, codes
from ..errors import RANGE_WORDS, Diagnostic, expected_help, expected_tokens, text_lines
from ..parser import MAX_SYNTAX_ERRORS, bad_escapes, chunks, located_error, parse_piece, untold
from ..tree_builder import TreeWalk
from ..syntax import Span, Token
from .model import ClaimSpec, Expectation, RulesRef, TestCase, TestFile

GRAMMAR = "radrules-test.lark"

#: How the grammar's terminals read in a message.
_TERMINAL_WORDS = {
    "STRING": "a quoted text",
    "TEXT_BLOCK": 'a text between `"""` and `"""`',
    "DATE": "a date (YYYY-MM-DD)",
    "CODE": "a code such as `74176-26`",
    "VALUE": "a value",
    "AUTH_NUMBER": "an authorization number",
    "RULE_ID": "a rule id",
    "NUMBER": "a line number",
    "UNITS": "units such as `x2`",
    "SEVERITY": "a severity (`deny`, `review`, `warn` or `info`)",
    "LINE_WORD": "`line`",
    "_NL": "the end of the line",
    "$END": "the end of the file",
}
_TEST_START = re.compile(r"^[ \t]*test\b", re.MULTILINE)
#: A code (with its modifiers) followed by units with no space between: `70450x2`, `73721-RTx1`.
_GLUED_UNITS = re.compile(r"^([A-Za-z0-9]{5}(?:-[A-Za-z0-9]{2})*)([xX][0-9][0-9.]*)$")
#: The words that start a statement of a test file. The grammar's AUTH_NUMBER (grammars/radrules-test.lark) can't
#: import them: it spells them again, with `none`, and a test checks that it names each.
_KEYWORDS = ("test", "claim", "history", "authorizations", "expect", "end", "rules")
#: A line starting with a keyword that runs on into another word (`expects pass`, `expectt.units`): the
#: lexer would read the keyword and take the rest for what follows it.
_GLUED_KEYWORD = re.compile(rf"^([ \t]*)((?:{'|'.join(_KEYWORDS)})[A-Za-z0-9_.]+)", re.MULTILINE)


@functools.lru_cache(maxsize=1)
def test_parser() -> Lark:
    """The LALR parser of the test format (built once per process)."""
    return Lark(
        _resources.grammar_text(GRAMMAR),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def parse_tests(text: str, name: str = "<string>", folder: str | Path = ".") -> TestFile:
    """Parse a test file. ``name`` is how it is shown; ``folder`` is where its relative paths start."""
    if not text.endswith("\n"):
        text += "\n"  # every statement ends with a line break
    parser = test_parser()
    folder = Path(folder)
    try:
        tree = parser.parse(text)
    except UnexpectedInput:
        pass
    else:
        if not _misread(tree, text_lines(text), 1, text.count("\n"), name):  # else each test is read alone, below
            builder = _Builder(name, text)
            rules, cases = builder.transform(tree)  # no cases when the `rules` line has an error
            return TestFile(name, folder, text, cases, rules, tuple(sorted(builder.diagnostics, key=_position)),
                            tuple(builder.broken_rules))

    # A file with errors is read a test at a time, so that every error is reported and the other tests run.
    lines = text_lines(text)
    rules = None
    cases: list[TestCase] = []
    diagnostics: list[Diagnostic] = []
    broken_rules: list[RulesRef] = []
    header_broken = False
    told = 0
    for first_line, chunk in chunks(text, _TEST_START):
        try:
            tree = parse_piece(parser, chunk, first_line)
        except UnexpectedInput:
            header_broken = header_broken or not _TEST_START.match(chunk)
            told += 1
            diagnostics.append(_piece_diagnostic(parser, chunk, first_line, name, lines) if told <= MAX_SYNTAX_ERRORS
                               else untold("RR602", name, first_line, lines))
            continue
        last_line = first_line + chunk.count("\n", 0, len(chunk) - 1)  # (a chunk ends with its line break)
        glued = _misread(tree, lines, first_line, last_line, name)
        if glued:
            diagnostics.extend(glued)
            header_broken = header_broken or not _TEST_START.match(chunk)
            continue
        builder = _Builder(name, text)
        found_rules, found = builder.transform(tree)
        rules = rules or found_rules
        cases.extend(found)
        diagnostics.extend(builder.diagnostics)
        broken_rules.extend(builder.broken_rules)
        header_broken = header_broken or builder.header_broken
    if not any(d.is_error for d in diagnostics):  # pragma: no cover - a whole-file error shows in some chunk
        diagnostics.append(Diagnostic("RR602", "the file does not parse", Span(name, 1, 1, 1, 2)))
    if header_broken:  # the `rules` line has an error: no test knows what to load, so none runs
        cases = []
    return TestFile(name, folder, text, tuple(cases), rules, tuple(sorted(diagnostics, key=_position)),
                    tuple(broken_rules))


def _glued_keyword(line_text: str, name: str, line: int) -> Diagnostic | None:
    """RR601 if ``line_text`` starts with a keyword run on into another word (`expectt.units`)."""
    match = _GLUED_KEYWORD.match(line_text)
    if match is None:
        return None
    word = match.group(2)
    keyword = next(k for k in _KEYWORDS if word.startswith(k))
    rest = word[len(keyword):]
    column = len(match.group(1)) + 1
    return Diagnostic(
        "RR601", f"unexpected `{word}`", Span(name, line, column, line, column + len(word)), line_text,
        help=f"did you mean `{keyword} {rest}`? a keyword stands apart from the next word" if len(rest) > 1
        else f"did you mean `{keyword}`?")


#: The statements of a parsed file and the keyword each starts with.
_STATEMENT_KEYWORDS = {"test": "test", "rules": "rules", "rules_with": "rules", "history": "history",
                       "authorizations": "authorizations", "authorizations_none": "authorizations",
                       "claim_compact": "claim", "claim_json": "claim", "claim_file": "claim",
                       "claim_file_id": "claim", "expect_pass": "expect", "expect_fail": "expect",
                       "expect_fires": "expect", "expect_silent": "expect", "expect_only": "expect"}


#: The claim and line fields of a parsed file and the keyword each starts with.
_FIELD_KEYWORDS = {"field_payer": "payer", "field_type": "type", "field_sex": "patient", "field_sex_born": "patient",
                   "field_born": "patient", "field_pos": "pos", "field_received": "received", "field_auth": "auth",
                   "field_condition": "condition", "field_id": "id", "diagnoses": "dx", "pointers": "dx",
                   "line_pos": "pos", "npi": "npi", "charge": "charge", "revenue": "rev", "history_type": "type",
                   "field_billing": "billing", "history_billing": "billing", "field_bill_type": "bill",
                   "history_payer": "payer", "history_bill_type": "bill", "field_frequency": "frequency",
                   "field_replaces": "replaces", "history_claim": "claim", "field_statement": "statement",
                   "field_statement_through": "statement"}


def _glued_keywords(tree, lines: list[str], name: str) -> tuple[Diagnostic, ...]:
    """RR601 for each statement or field of a parsed file whose keyword runs on into the next word: the
    lexer read `expectt.units` as `expect t.units` and `condition45` as `condition 45`. Found from the
    parsed nodes, so text blocks and comments are never looked at."""
    found = []
    for node in tree.iter_subtrees():
        keyword = _STATEMENT_KEYWORDS.get(node.data) or _FIELD_KEYWORDS.get(node.data)
        if keyword is None or not hasattr(node.meta, "line"):
            continue
        text = lines[node.meta.line - 1] if 0 < node.meta.line <= len(lines) else ""
        at = node.meta.column - 1 + len(keyword)
        if text[node.meta.column - 1:at] != keyword or not re.match(r"[A-Za-z0-9_.]", text[at:at + 1]):
            continue
        if node.data in _STATEMENT_KEYWORDS:
            diagnostic = _glued_keyword(text, name, node.meta.line)
        else:
            word = re.match(r"[^\s,]+", text[node.meta.column - 1:]).group(0)
            rest = word[len(keyword):]
            diagnostic = Diagnostic(
                "RR601", f"unexpected `{word}`",
                Span(name, node.meta.line, node.meta.column, node.meta.line, node.meta.column + len(word)), text,
                help=f"did you mean `{keyword} {rest}`? a keyword stands apart from its value")
        if diagnostic is not None:
            found.append(diagnostic)
    return tuple(sorted(found, key=_position))


#: The statements whose quoted texts are paths, and how many of them are (None: all).
_PATH_STRINGS = {"rules_path": None, "claim_file": 1, "claim_file_id": 1}


def _misread(tree, lines: list[str], first: int, last: int, name: str) -> tuple[Diagnostic, ...]:
    """What the lexer read without an error but not as written, in lines ``first`` to ``last`` of a parsed
    piece: keywords run on into the next word, comments that start inside a word, and unknown escapes in
    quoted texts (`"cms\\q3.json"`, RR601 as in a rule file)."""
    return tuple(sorted(_glued_keywords(tree, lines, name) + _glued_comments(tree, lines, first, last, name)
                        + tuple(bad_escapes(tree, name, lines, "RR601", _PATH_STRINGS)), key=_position))


def _glued_comments(tree, lines: list[str], first: int, last: int, name: str) -> tuple[Diagnostic, ...]:
    """RR602 for each of lines ``first`` to ``last`` whose comment starts inside a word: `auth PA#1` would
    read the number as `PA` without a word of warning. Text blocks (`\"\"\"...\"\"\"`) are left out."""
    shown = lines[first - 1:last]
    for block in tree.scan_values(lambda value: isinstance(value, LarkToken) and value.type == "TEXT_BLOCK"):
        for number in range(max(block.line, first), min(block.end_line, last) + 1):
            text = shown[number - first]
            start = block.column - 1 if number == block.line else 0
            end = block.end_column - 1 if number == block.end_line else len(text)
            shown[number - first] = text[:start] + " " * (end - start) + text[end:]
    found = []
    for number, text in enumerate(shown, first):
        at = _comment_start(text)
        if at and not (text[at - 1].isspace() or text[at - 1] in ',"'):  # (after a comma or quote, nothing is cut)
            found.append(_comment_in_word(lines[number - 1], at, name, number))
    return tuple(found)


def _comment_in_word(text: str, at: int, name: str, line: int) -> Diagnostic:
    """RR602 at the `#` (index ``at`` of ``text``) that starts a comment inside a word."""
    word = re.search(r"[^\s,]*$", text[:at]).group(0) + re.match(r"[^\s,]*", text[at:]).group(0)
    return Diagnostic("RR602", f"a `#` inside `{word}`", Span(name, line, at + 1, line, at + 2), text,
                      help=f'quote a value with `#` in it, as `"{word}"`; a comment starts with a `#` after a '
                           f'space or at the start of a line')


def _position(diagnostic: Diagnostic):
    return (diagnostic.span.line, diagnostic.span.column) if diagnostic.span else (0, 0)


# ---------------------------------------------------------------- syntax errors


def _piece_diagnostic(parser, piece: str, first_line: int, name: str, lines: list[str]) -> Diagnostic:
    found = located_error(parser, piece, first_line)
    if found is None:  # (never; were it so, the error would still be told)
        return untold("RR602", name, first_line, lines)
    return _syntax_diagnostic(found[0], name, lines, found[1])


def _syntax_diagnostic(error: UnexpectedInput, name: str, lines: list[str], padded: str) -> Diagnostic:
    def line_text(number: int) -> str | None:
        return lines[number - 1] if 0 < number <= len(lines) else None

    at = getattr(error, "line", None)
    if isinstance(at, int) and 0 < at <= len(lines):  # `expects pass`: the word, not what follows it
        glued = _glued_keyword(lines[at - 1], name, at)
        if glued is not None:
            return glued
    if isinstance(error, UnexpectedCharacters):
        span = Span(name, error.line, error.column, error.line, error.column + 1)
        rest = padded[error.pos_in_stream:]
        if rest.startswith('"'):
            what = 'a text between `"""` and `"""` ends with `"""`' if rest.startswith('"""') else \
                'a quoted text ends with `"` on the same line'
            return Diagnostic("RR603", "unterminated text", span, line_text(error.line), help=what)
        word = re.match(r"[^\s,]+", rest)
        shown = word.group(0) if word else rest[:1]
        span = Span(name, error.line, error.column, error.line, error.column + max(len(shown), 1))
        return Diagnostic("RR601", f"unexpected `{shown}`", span, line_text(error.line),
                          help=_expected_help(error.allowed or (), shown))

    token: LarkToken | None = error.token if isinstance(error, UnexpectedToken) else None
    expected = expected_tokens(error)
    open_test = _open_test(padded[: token.start_pos] if token is not None and token.type != "$END" else padded)
    if token is not None and token.type == "STRING" and padded.startswith('"""', token.start_pos):
        span = Span(name, token.line, token.column, token.line, token.column + 3)
        return Diagnostic("RR603", "unterminated text", span, line_text(token.line),
                          help='a text that starts with `"""` ends with `"""`')
    if "END" in expected and open_test and (token is None or token.type in ("$END", "TEST")):
        number = open_test
        if token is not None and token.type == "TEST":
            before = f"before line {token.line}"
        else:
            next_line = padded.count("\n") + 1  # where the next test starts, or past the end
            last = len(lines)
            while last > 1 and not lines[last - 1].strip():
                last -= 1
            before = f"before line {next_line}" if next_line <= last else "at the end of the file"
        return Diagnostic("RR604", "this `test` has no `end`", _word_span(name, lines, number, "test"),
                          line_text(number), help=f"add `end` {before}; every test ends with `end`")
    if token is None or token.type == "$END":
        number = len(lines) or 1
        while number > 1 and not lines[number - 1].strip():
            number -= 1
        column = len(lines[number - 1]) + 1 if lines else 1
        return Diagnostic("RR602", "unexpected end of file", Span(name, number, column, number, column + 1),
                          line_text(number), help=_expected_help(expected, ""))
    if token.type == "_NL":
        line = token.line
        text = line_text(line) or ""
        hash_at = _comment_start(text)
        before = text[:hash_at] if hash_at is not None else text
        if hash_at and not before[-1].isspace():  # `PA#1`: the comment starts inside the word
            return _comment_in_word(text, hash_at, name, line)
        column = len(before.rstrip()) + 1 if 0 < line <= len(lines) else token.column  # before any comment
        if re.search(r"(^|\s)through$", before.rstrip()):  # `2026-04-01 through` with no last date
            help = "expected a date (YYYY-MM-DD) after `through`: the last day, as `2026-04-01 through 2026-06-30`"
        else:
            help = _expected_help(expected, "")
        return Diagnostic("RR602", "unexpected end of line", Span(name, line, column, line, column + 1),
                          line_text(line), help=help)
    value = str(token)
    text = line_text(token.line) or ""
    glued = re.match(r"[A-Za-z0-9_]*", text[token.column - 1:]).group(0)
    start = token.column - 1
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    if start < token.column - 1 and text[start:token.column - 1] == "bundled":  # `bundledd`: read as `bundled`, `d`
        word = text[start:token.column - 1] + glued
        return Diagnostic("RR602", f"unexpected `{word}`", Span(name, token.line, start + 1, token.line,
                                                               start + 1 + len(word)),
                          text, help="did you mean `bundled`? (the bundled rulesets: `rules bundled, \".\"`)")
    hint = None
    before = [text.strip() for text in lines[:token.line - 1] if text.strip() and not text.strip().startswith("#")]
    section = next((text.split()[0] for text in reversed(before) if text.split()[0] in _SECTIONS), None)
    if section in ("claim", "authorizations"):
        range_word = _range_word(token, text, name)
        if range_word is not None:
            return range_word
    # The last `test` or `authorizations` line before this one: an `authorizations` of the same test.
    part = next((text.split()[0] for text in reversed(before) if text.split()[0] in ("test", "authorizations")), None)
    if token.type == "AUTHORIZATIONS" and part == "authorizations":
        hint = "a test gives `authorizations` once: list every record under the first"
    elif before and before[-1].split("#")[0].split() == ["authorizations", "none"] and token.type != "EXPECT":
        hint = "`authorizations none` says the payer has no records: drop `none` to list them"
    elif token.type in ("EXPECT", "END") and "DATE" in expected and "EXPECT" not in expected:
        if before and before[-1] == "history":
            hint = "`history` lists at least one earlier service line, such as `2025-06-20 77067`"
        else:
            hint = "a claim lists at least one service line, such as `2026-04-06 74176-26 x1`"
    elif "AUTH_NUMBER" in expected and "EXPECT" not in expected:  # right after `authorizations`
        hint = _NO_RECORD_HINT if token.type != "NONE" else \
            "`none` goes on the line of `authorizations`: `authorizations none`"
    elif token.type == "END" and "EXPECT" in expected:
        hint = "a test says what it expects: add a line such as `expect pass`"
    elif re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+", value) and not value.islower() \
            and re.match(r"\s*expect(\s+no|\s+only)?\s+$", text[:token.column - 1]):  # `expect Medicare.timely_filing`
        hint = f"rule ids are written in lower case: `{value.lower()}`"
    elif (head := re.search(r"^\s*expect(?:\s+no|\s+only)?\s+(?:[a-z0-9_.]+\s*,\s*)*([a-z_][a-z0-9_.]*)$",
                            text[:token.column - 1])) and re.match(r"\.?[A-Za-z0-9_]", value) \
            and not value.islower():  # `expect radiology.Addon`: the lexer took `radiology` alone
        whole = head.group(1) + re.match(r"[A-Za-z0-9_.]*", value).group()
        hint = f"rule ids are written in lower case: `{whole.lower()}`"
    elif re.match(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", value) and not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}$", value):
        hint = "dates are written YYYY-MM-DD, with two-digit months and days, as `2026-04-06`"
    elif value.lower() in _PATIENT_WORDS and re.match(r"\s*claim\b", text):
        hint = "the patient's sex and birth date are written `patient SEX born DATE`: `patient F born 1970-01-01`"
    elif value.lower() in ("by", "provider", "rendering", "doctor", "dr") and len(text[:token.column - 1].split()) > 1 \
            and _DATE.match(text.split()[0]):  # `2026-01-02 77067 by 1245319599`
        hint = "a line's rendering provider is written `npi NPI`, as `2026-04-06 74176-26 npi 1234567893`"
    elif re.fullmatch(r"[A-Za-z0-9]{2}", value) and _CODE.match((text[:token.column - 1].split() or [""])[-1]):
        # `2026-07-01 70450 26`: a modifier after a space
        code = text[:token.column - 1].split()[-1]
        hint = f"modifiers are joined to the code with `-`: `{code}-{value.upper()}`"
    elif "DATE" in expected and not text[:token.column - 1].strip() and (
            value[:1].isdigit() or _CODE.match(value) or _DATE.search(text)):
        history = next((text.split()[0] for text in reversed(before) if text.split()[0] in ("test", "history")),
                       None) == "history"
        hint = _service_line_hint(text.split("#")[0].split(), history)  # `07/06/2026 70450`, `70450 2026-07-06`
    if hint:
        span = Span(name, token.line, token.column, token.line, token.column + len(value))
        return Diagnostic("RR602", f"unexpected `{value}`", span, line_text(token.line), help=hint)
    end_line = token.end_line or token.line
    end_column = token.end_column if end_line == token.line else len(line_text(token.line) or "") + 1
    span = Span(name, token.line, token.column, token.line, end_column or token.column + 1)
    shown = value.splitlines()[0] if value else value
    if token.type in ("STRING", "TEXT_BLOCK"):
        what = "quoted text"
    else:
        what = f"`{shown}`"
    return Diagnostic("RR602", f"unexpected {what}", span, line_text(token.line),
                      help=_expected_help(expected, value))


#: Words written in a claim's header for the patient's birth date or sex (`dob 1970-01-01`).
_PATIENT_WORDS = frozenset({"dob", "born", "birth", "birthdate", "birth_date", "age", "sex", "gender", "female",
                            "male"})
#: The words that start the parts of a test: the last one before a line says what the line is.
_SECTIONS = ("test", "claim", "history", "authorizations")
#: A service line's or a record's first date and a word written for `through` (`2026-04-06 to `), before a token.
_RANGE_START = re.compile(r"(?<![\w/-])([0-9]{4}-[0-9]{2}-[0-9]{2})\s+(?:(\w+)\s+)?$")


def _range_word(token: LarkToken, text: str, name: str) -> Diagnostic | None:
    """RR602 at `to` (or `until`, `thru`) between the two dates of a service line's or an authorization record's
    span, which is written with `through`. A service line reads the word as its code, so the error comes at the
    date after it."""
    found = _RANGE_START.search(text, 0, token.column - 1)
    if found is None:
        return None
    first, word = found.group(1), found.group(2)
    value = str(token)
    if word is None and value in RANGE_WORDS:  # a record: `PA1 74176 2026-04-01 to 2026-06-30`
        word, column = value, token.column
        last = re.match(r"\s+([0-9]{4}-[0-9]{2}-[0-9]{2})(?![\w-])", text[token.column - 1 + len(value):])
        last = last.group(1) if last else "DATE"
    elif word in RANGE_WORDS and _DATE.fullmatch(value):  # a service line: `2026-04-06 to 2026-04-08 74176`
        column, last = found.start(2) + 1, value
    else:
        return None
    return Diagnostic("RR602", f"unexpected `{word}`", Span(name, token.line, column, token.line, column + len(word)),
                      text, help=f"write `through`, not `{word}`: `{first} through {last}`")


_DATE = re.compile(r"(?<![\w/-])[0-9]{4}-[0-9]{2}-[0-9]{2}(?![\w/-])")
_CODE = re.compile(r"([0-9]{5}|[0-9]{4}[A-Z]|[A-Z][0-9]{4})(-|$)")
_US_DATE = re.compile(r"([0-9]{1,2})[/-]([0-9]{1,2})[/-]([0-9]{4})$")


def _service_line_hint(words: list[str], history: bool) -> str:
    """What a line in the place of a service (or history) line that does not start with its date is told: the
    shape, and the line written so when it is plain (a US date, or the date after the code)."""
    shape = f"a {'history' if history else 'service'} line starts with its date, written YYYY-MM-DD, then the code"
    us = _US_DATE.match(words[0])
    if us:
        month, day, year = (int(part) for part in us.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{shape}: `{' '.join([f'{year}-{month:02}-{day:02}', *words[1:]])}`"
    dates = [word for word in words[1:] if _DATE.fullmatch(word)]
    if len(dates) == 1:
        return f"{shape}: `{' '.join([dates[0], *(word for word in words if word != dates[0])])}`"
    return f"{shape}, as `2026-04-06 74176-26 x1`"


#: What `authorizations` with no record line after it is told.
_NO_RECORD_HINT = ("`authorizations` lists at least one record, such as "
                   "`PA20260406A 74176 2026-04-01 through 2026-06-30`; `authorizations none` says there are none")


def _comment_start(line: str) -> int | None:
    """The index of the `#` that starts the comment of ``line``, if it has one (a `#` in a quoted text doesn't)."""
    quoted = escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return index
    return None


def _open_test(text: str) -> int | None:
    """The line of the last `test` that starts a line of ``text``."""
    found = None
    for match in _TEST_START.finditer(text):
        found = text.count("\n", 0, match.start()) + 1
    return found


def _word_span(name: str, lines: list[str], number: int, word: str) -> Span:
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    column = line.find(word) + 1 or 1
    return Span(name, number, column, number, column + len(word))


def _expected_help(expected, got: str) -> str | None:
    return expected_help(expected, got, test_parser().terminals, _TERMINAL_WORDS)


# ---------------------------------------------------------------- tree building


def _number(text: str):
    """A number written in a compact claim, or the text itself (the claim check then names it)."""
    if text.isascii() and text.isdigit():
        try:
            return int(text)  # exact, however long (a float would change a huge pointer)
        except ValueError:  # longer than int() reads: the text, which the claim check names
            return text
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


#: Claim header words and the claim fields they fill (docs/testing.md).
_HEADER_FIELDS = {
    "field_payer": "payer", "field_type": "type", "field_pos": "place_of_service",
    "field_received": "received", "field_id": "id", "field_billing": "billing_npi", "field_bill_type": "bill_type",
    "field_frequency": "frequency", "field_replaces": "replaces",
}


class _Builder(TreeWalk):
    """Lark tree to :mod:`radrules.testing.model` nodes (for the whole file, the `rules` line and the tests)."""

    def __init__(self, name: str, text: str):
        super().__init__(name)
        self.lines = text_lines(text)
        self.diagnostics: list[Diagnostic] = []
        self.header_broken = False  # the file's `rules` line has an error
        self.broken_rules: list[RulesRef] = []  # the `rules` lines with an item given twice

    def _twice(self, message: str, span: Span, help: str) -> None:
        """RR605: a claim field, an expectation detail or an item of `rules` given twice."""
        line = self.lines[span.line - 1] if 0 < span.line <= len(self.lines) else None
        self.diagnostics.append(Diagnostic("RR605", message, span, line, help))

    # file level
    def start(self, meta, items):
        rules = next((x for x in items if isinstance(x, RulesRef)), None)
        if rules is not None and any(rules.span.line <= d.span.line <= rules.span.end_line for d in self.diagnostics):
            self.header_broken = True  # the file's `rules` line has an error: no test knows what to load
            return rules, ()
        return rules, tuple(x for x in items if isinstance(x, TestCase))

    def rules(self, meta, c):
        return self._rules_ref(meta, c, None)

    def rules_with(self, meta, c):
        return self._rules_ref(meta, c[:-1], self._block_text(c[-1]))

    def _rules_ref(self, meta, items, text) -> RulesRef:
        """The items of a `rules` line; RR605 for `bundled` or a path written twice."""
        paths: list[Token] = []
        bundled = None
        twice = False
        for kind, token in items:
            if kind == "bundled":
                first, what = bundled, "`bundled`"
                bundled = bundled or token
            else:
                first, what = next((p for p in paths if p.text == token.text), None), f"the path `{token.text}`"
                if first is None:
                    paths.append(token)
            if first is not None:
                twice = True
                self._twice(f"{what} is given twice in `rules`", token.span,
                            f"the first is at column {first.span.column}; `rules` names each of its items once")
        ref = RulesRef(tuple(paths), bundled, text, self._span(meta))
        if twice:  # its tests don't run: the runner still checks its paths (RR620)
            self.broken_rules.append(ref)
        return ref

    def rules_path(self, meta, c):
        return "path", self._tok(c[0])

    def rules_bundled(self, meta, c):
        return "bundled", self._tok(c[0])

    def _block_text(self, token: LarkToken, padded: bool = True) -> Token:
        """The inside of a ``\"\"\"`` text, its span the block's; ``padded``, behind as many line breaks and spaces
        as keep its line and column numbers (inline rule text, which the loader parses as a file). A claim's JSON
        is not padded (`claims._from_json` places its errors): padded, a file of many JSON claims took
        memory that grew with the square of its length."""
        inner = str(token)[3:-3]
        if padded:
            inner = "\n" * (token.line - 1) + " " * (token.column + 2) + inner
        return Token(inner, Span(self.file_name, token.line, token.column, token.end_line, token.end_column))

    def test(self, meta, c):
        claim = next(x for x in c[1:] if isinstance(x, ClaimSpec))
        records = next((x[1:] for x in c[1:] if isinstance(x, tuple) and x[0] == "authorizations"), None)
        if records is not None:
            claim = self._with_authorizations(claim, *records)
        if any(meta.line <= d.span.line <= meta.end_line for d in self.diagnostics):
            return None  # a test with an error in it does not run (its diagnostics say why)
        name = self._tok(c[0])
        rules = next((x for x in c[1:] if isinstance(x, RulesRef)), None)
        expectations = tuple(x for x in c[1:] if isinstance(x, Expectation))
        history = next((x[1] for x in c[1:] if isinstance(x, tuple) and x[0] == "history"), ())
        return TestCase(name, claim, expectations, self._span(meta), rules, history)

    def _with_authorizations(self, claim: ClaimSpec, keyword: Span, records: list) -> ClaimSpec:
        """The compact claim with the records of its `authorizations` part as its `authorizations` field (so that
        Claim.from_dict checks them as it checks JSON records); RR602 after a JSON claim, which has its own."""
        if claim.kind != "compact":
            line = self.lines[keyword.line - 1] if 0 < keyword.line <= len(self.lines) else None
            self.diagnostics.append(Diagnostic(
                "RR602", f"unexpected `authorizations` after `claim {claim.kind}`", keyword, line,
                help="a JSON claim gives its records in its own `authorizations` field (docs/claim-format.md); "
                     "the `authorizations` part goes with a compact claim"))
            return claim
        spans = dict(claim.spans)
        spans["authorizations"] = keyword
        for index, (record, record_spans, span) in enumerate(records):
            spans[f"authorizations[{index}]"] = span
            spans.update((f"authorizations[{index}].{key}", where) for key, where in record_spans.items())
        return attrs.evolve(claim, data={**claim.data, "authorizations": [r for r, _, _ in records]}, spans=spans)

    def authorizations(self, meta, c):
        return ("authorizations", self._keyword_span(meta, "authorizations"), c)

    def authorizations_none(self, meta, c):
        return ("authorizations", self._keyword_span(meta, "authorizations"), [])

    def _keyword_span(self, meta, keyword: str) -> Span:
        return Span(self.file_name, meta.line, meta.column, meta.line, meta.column + len(keyword))

    def authorization(self, meta, c):
        return self._authorization(meta, c, span=False)

    def authorization_span(self, meta, c):
        return self._authorization(meta, c, span=True)

    def _authorization(self, meta, c, span: bool):
        """One record line: its dict in the JSON shape of docs/claim-format.md, and where each value was written."""
        tokens = [self._tok(x) for x in c]
        number, *rest = tokens
        units = rest.pop() if c[-1].type == "UNITS" else None
        end = rest.pop() if span else None
        start = rest.pop()
        codes = rest
        for code in codes:
            self._glued_units(code)
        end = end or start  # a record of one day
        record: dict = {"number": number.text, "codes": [code.text for code in codes], "start": start.text,
                        "end": end.text}
        spans = {"number": number.span, "start": start.span, "end": end.span}
        if codes:
            spans["codes"] = codes[0].span.cover(codes[-1].span)
            spans.update((f"codes[{index}]", code.span) for index, code in enumerate(codes))
        if units is not None:
            record["units"] = _number(units.text[1:])
            spans["units"] = units.span
        return (record, spans, number.span.cover(tokens[-1].span))  # the line without its line break

    def history(self, meta, c):
        return ("history", tuple(c))

    # (the nodes that stand for their tokens, tagged, as a history line's `type` or a claim's `payer`: _TAGGED)
    def history_line(self, meta, c):
        date, code = self._tok(c[0]), self._tok(c[1])
        self._glued_units(code)
        parts = code.text.split("-")
        line: dict = {"code": parts[0], "date": date.text}
        if len(parts) > 1:
            line["modifiers"] = parts[1:]
        columns: dict = {}
        for kind, tokens in c[2:]:
            key = {"units": "units", "npi": "rendering_npi", "type": "type", "billing": "billing_npi",
                   "payer": "payer", "bill": "bill_type", "claim": "claim"}.get(kind, "status")
            if key in columns:  # as on a claim line: the second would silently win
                self._twice(f"history field `{key}` is given twice on one line", tokens[0].span,
                            f"the first is at column {columns[key]}")
                continue
            columns[key] = tokens[0].span.column
            if kind == "units":
                line["units"] = _number(tokens[0].text[1:])
            elif kind == "npi":
                line["rendering_npi"] = tokens[0].text
            elif kind == "type":  # checked with the line, as a JSON history line's `type` (RR617)
                line["type"] = tokens[0].text
            elif kind == "billing":
                line["billing_npi"] = tokens[0].text
            elif kind == "payer":
                line["payer"] = tokens[0].text
            elif kind == "bill":  # checked with the line, as a JSON history line's `bill_type` (RR617)
                line["bill_type"] = tokens[0].text
            elif kind == "claim":  # the id of the earlier claim: a replacement of it leaves its lines out
                line["claim"] = tokens[0].text
            else:
                line["status"] = tokens[0].text
        return (line, self._span(meta))

    def _glued_units(self, code: Token) -> None:
        """RR601 for a code with units glued to it (`70450x2`): read whole, it would be a code of its own."""
        glued = _GLUED_UNITS.match(code.text)
        if glued:
            line = self.lines[code.span.line - 1] if 0 < code.span.line <= len(self.lines) else None
            column = code.span.column + len(glued.group(1))
            self.diagnostics.append(Diagnostic(
                "RR601", f"unexpected `{code.text[len(glued.group(1)):]}` after the code", Span(
                    self.file_name, code.span.line, column, code.span.line, column + len(glued.group(2))),
                line, help=f"units are written after a space: `{glued.group(1)} {glued.group(2).lower()}`"))

    # claims
    def claim_json(self, meta, c):
        return ClaimSpec("json", self._span(meta), text=self._block_text(c[0], padded=False))

    def claim_file(self, meta, c):
        return ClaimSpec("file", self._span(meta), file=self._tok(c[0]))

    def claim_file_id(self, meta, c):
        return ClaimSpec("file", self._span(meta), file=self._tok(c[0]), claim_id=self._tok(c[1]))

    def claim_compact(self, meta, c):
        data: dict = {}
        spans: dict = {}
        auths: list[Token] = []
        conditions: list[Token] = []
        lines = []

        def put(path: str, token: Token, value=None):
            if path in data:
                first = spans[path]
                self._twice(f"claim field `{path}` is given twice", token.span,
                            f"the first is at line {first.line}, column {first.column}")
                return
            data[path] = token.text if value is None else value
            spans[path] = token.span

        patient: dict = {}
        for part in c:
            kind, tokens = part
            if kind == "field_auth":
                auths.append(tokens[0])
            elif kind == "field_condition":
                conditions.append(tokens[0])
            elif kind in _HEADER_FIELDS:
                put(_HEADER_FIELDS[kind], tokens[0])
            elif kind == "field_statement":  # the statement period, From through Through
                put("statement_from", tokens[0])
                put("statement_through", tokens[1])
            elif kind == "field_statement_through":
                put("statement_through", tokens[0])
            elif kind in ("field_sex", "field_sex_born", "field_born"):
                keys = ("birth_date",) if kind == "field_born" else ("sex", "birth_date")
                for key, token in zip(keys, tokens):
                    put(f"patient.{key}", token)
            elif kind == "diagnoses":
                data["diagnoses"] = [t.text for t in tokens]
                spans["diagnoses"] = tokens[0].span.cover(tokens[-1].span)
                for index, token in enumerate(tokens):
                    spans[f"diagnoses[{index}]"] = token.span
            elif kind == "service":
                line, line_spans, span = tokens
                index = len(lines)
                lines.append(line)
                spans[f"lines[{index}]"] = span
                spans.update((f"lines[{index}].{key}", where) for key, where in line_spans.items())
        for key in ("sex", "birth_date"):
            if f"patient.{key}" in data:
                patient[key] = data.pop(f"patient.{key}")
        if patient:
            data["patient"] = patient
            spans["patient"] = spans.get("patient.sex") or spans.get("patient.birth_date")
        if auths:
            data["prior_auth"] = auths[0].text if len(auths) == 1 else [t.text for t in auths]
            spans["prior_auth"] = auths[0].span
            for index, token in enumerate(auths):
                spans[f"prior_auth[{index}]"] = token.span
        if conditions:
            data["condition_codes"] = [t.text for t in conditions]
            spans["condition_codes"] = conditions[0].span
            for index, token in enumerate(conditions):
                spans[f"condition_codes[{index}]"] = token.span
        data["lines"] = lines
        spans["lines"] = spans.get("lines[0]", self._span(meta))
        return ClaimSpec("compact", self._span(meta), data=data, spans=spans)

    def diagnoses(self, meta, c):
        return ("diagnoses", [self._tok(x) for x in c])

    def service(self, meta, c):
        return self._service(meta, self._tok(c[0]), None, self._tok(c[1]), c[2:])

    def service_span(self, meta, c):
        return self._service(meta, self._tok(c[0]), self._tok(c[1]), self._tok(c[2]), c[3:])

    def service_revenue(self, meta, c):
        return self._service(meta, self._tok(c[0]), None, None, [("revenue", [self._tok(c[1])]), *c[2:]])

    def service_revenue_span(self, meta, c):
        return self._service(meta, self._tok(c[0]), self._tok(c[1]), None,
                             [("revenue", [self._tok(c[2])]), *c[3:]])

    def _service(self, meta, date: Token, end: Token | None, code: Token | None, fields):
        """A service line; ``code`` None: a line of a revenue code alone (its `rev` is the first of ``fields``)."""
        line: dict = {}
        spans: dict = {}
        if code is not None:
            self._glued_units(code)
            parts = code.text.split("-")
            column = code.span.column
            line["code"] = parts[0]
            spans["code"] = Span(self.file_name, code.span.line, column, code.span.line, column + len(parts[0]))
            column += len(parts[0]) + 1
            if len(parts) > 1:
                line["modifiers"] = parts[1:]
                spans["modifiers"] = code.span
                for index, modifier in enumerate(parts[1:]):
                    spans[f"modifiers[{index}]"] = Span(self.file_name, code.span.line, column, code.span.line,
                                                        column + max(len(modifier), 1))
                    column += len(modifier) + 1
        else:
            spans["code"] = fields[0][1][0].span  # (Claim.from_dict's problem with the code: the line's `rev`)
        line["date"] = date.text
        spans["date"] = date.span
        if end is not None:
            line["end_date"] = end.text
            spans["end_date"] = end.span
        for kind, tokens in fields:
            key = {"units": "units", "pointers": "diagnosis_pointers", "line_pos": "place_of_service",
                   "npi": "rendering_npi", "charge": "charge", "revenue": "revenue_code"}[kind]
            if key in line:
                self._twice(f"claim field `{key}` is given twice on one line", tokens[0].span,
                            f"the first is at column {spans[key].column}")
                continue
            if kind == "units":
                line[key] = _number(tokens[0].text[1:])
                spans[key] = tokens[0].span
            elif kind == "pointers":
                line[key] = [_number(t.text) for t in tokens]
                spans[key] = tokens[0].span.cover(tokens[-1].span)
                spans.update((f"{key}[{i}]", t.span) for i, t in enumerate(tokens))
            elif kind == "charge":
                line[key] = _number(tokens[0].text)
                spans[key] = tokens[0].span
            else:
                line[key] = tokens[0].text
                spans[key] = tokens[0].span
        return ("service", (line, spans, self._span(meta)))

    def pointers(self, meta, c):
        return ("pointers", [self._tok(x) for x in c])

    # expectations
    def expect_pass(self, meta, c):
        return Expectation("pass", self._span(meta))

    def expect_fail(self, meta, c):
        return Expectation("fail", self._span(meta))

    def expect_only(self, meta, c):
        return Expectation("only", self._span(meta), rules=tuple(self._tok(x) for x in c))

    def expect_silent(self, meta, c):
        lines = c[1] if len(c) > 1 else ()
        return Expectation("silent", self._span(meta), rules=(self._tok(c[0]),), lines=lines)

    def expect_fires(self, meta, c):
        found: dict = {}
        for kind, value, span in c[1:]:
            if kind in found:
                self._twice(f"`{_CRITERION_WORDS[kind]}` is given twice in one expectation", span,
                            "an expectation names each of its details once")
                continue
            found[kind] = value
        return Expectation(
            "fires", self._span(meta), rules=(self._tok(c[0]),), lines=found.get("lines", ()),
            severity=found.get("severity"), carc=found.get("carc"), rarc=found.get("rarc"),
            message=found.get("message"), source=found.get("source"),
        )

    def on(self, meta, c):
        return ("lines", c[0], self._span(meta))

    def on_lines(self, meta, c):
        return tuple(self._tok(x) for x in c[1:])

    def severity(self, meta, c):
        return ("severity", self._tok(c[0]), self._span(meta))

    def carc(self, meta, c):
        token = self._tok(c[0])
        if not codes.CARC.match(token.text):  # an expectation that could never hold: RR215 in a rule file
            parts = re.fullmatch(r"([A-Za-z]{2})-?([0-9A-Za-z]{1,3})", token.text)
            fixed = f"{parts.group(1)}-{parts.group(2)}".upper() if parts else None
            self._bad_code(token, "claim adjustment reason code", "write a group code in capitals, a dash and a reason"
                           + (f": `{fixed}`" if fixed and codes.CARC.match(fixed) else ", e.g. `CO-97`, `PR-204`"))
        return ("carc", token, self._span(meta))

    def rarc(self, meta, c):
        tokens = tuple(self._tok(x) for x in c)
        for token in tokens:
            if not codes.RARC.match(token.text):
                fixed = token.text.replace("-", "").upper()
                self._bad_code(token, "remittance advice remark code", "remark codes are written in capitals "
                               "without a dash" + (f": `{fixed}`" if codes.RARC.match(fixed) else
                                                   ", as `M80`, `N362`, `MA130`"))
        return ("rarc", tokens, self._span(meta))

    def _bad_code(self, token: Token, what: str, help: str) -> None:
        """RR602 for a malformed code after `carc` or `rarc` (no finding could have it): the test does not run."""
        line = self.lines[token.span.line - 1] if 0 < token.span.line <= len(self.lines) else None
        self.diagnostics.append(Diagnostic("RR602", f"`{token.text}` is not a {what}", token.span, line,
                                           help=help))

    def message(self, meta, c):
        return ("message", self._tok(c[0]), self._span(meta))

    def source(self, meta, c):
        return ("source", self._tok(c[0]), self._span(meta))

_CRITERION_WORDS = {"lines": "on line", "severity": "severity", "carc": "carc", "rarc": "rarc",
                    "message": "message", "source": "source"}


def _tagged(tag: str, count: int):
    """A builder method for a node that stands for its first ``count`` tokens, tagged ``tag``."""
    def build(self, meta, c):
        return (tag, [self._tok(token) for token in c[:count]])
    return build


#: The nodes of a history line, a compact claim's header and its service lines that stand for their tokens:
#: builder method -> (tag, how many tokens); the methods that build those lines read the tags.
_TAGGED = {
    "status": ("status", 1),
    "history_type": ("type", 1),
    "history_billing": ("billing", 1),
    "history_payer": ("payer", 1),
    "history_bill_type": ("bill", 1),
    "history_claim": ("claim", 1),
    "field_payer": ("field_payer", 1),
    "field_type": ("field_type", 1),
    "field_sex": ("field_sex", 1),
    "field_sex_born": ("field_sex_born", 2),
    "field_born": ("field_born", 1),
    "field_pos": ("field_pos", 1),
    "field_received": ("field_received", 1),
    "field_auth": ("field_auth", 1),
    "field_condition": ("field_condition", 1),
    "field_id": ("field_id", 1),
    "field_billing": ("field_billing", 1),
    "field_bill_type": ("field_bill_type", 1),
    "field_frequency": ("field_frequency", 1),
    "field_replaces": ("field_replaces", 1),
    "field_statement": ("field_statement", 2),
    "field_statement_through": ("field_statement_through", 1),
    "units": ("units", 1),
    "line_pos": ("line_pos", 1),
    "npi": ("npi", 1),
    "charge": ("charge", 1),
    "revenue": ("revenue", 1),
}
for _method, (_tag, _count) in _TAGGED.items():
    setattr(_Builder, _method, _tagged(_tag, _count))
