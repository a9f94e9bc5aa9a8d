"""Test file text to :class:`~radrules.testing.model.TestFile`: the Lark parser and its errors.

``parse_tests(text, name, folder)`` never raises on bad input: syntax errors
become RR6xx diagnostics (docs/errors.md) rendered like the rule
diagnostics, and the file is parsed again test by test, so one broken test
does not hide the others.

This module reads the text: the test format's parser, what the lexer read
without an error but not as written (:func:`_misread`), and the syntax errors
(:func:`_syntax_diagnostic`). A tree that parsed is built into the model's
nodes by :mod:`radrules.testing.tree_builder`. Cutting a broken file into
pieces and parsing them where they stand is shared with the rule parser
(:mod:`radrules.parser`).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import Token as LarkToken

from .. import _resources
from ..errors import RANGE_WORDS, Diagnostic, expected_help, expected_tokens, text_lines
from ..parser import MAX_SYNTAX_ERRORS, bad_escapes, chunks, located_error, parse_piece, untold
from ..syntax import Span
from .model import RulesRef, TestCase, TestFile
from .tree_builder import RuleTestBuilder

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
            builder = RuleTestBuilder(name, text)
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
        builder = RuleTestBuilder(name, text)
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
