"""Why a rule file does not parse: Lark's syntax errors as RR1xx diagnostics (and RR215 for a remittance code).

:func:`syntax_diagnostic` is what :mod:`radrules.parser` calls for each piece of a
file that does not parse: it reads the text around the error and says what the
author most likely meant (a block with no `end`, a misspelled keyword, a payer's
name in capitals, a code glued to a word, ...), and otherwise which words could
have come there, in the language's words (``_TERMINAL_WORDS``). It asks the
parser of :mod:`radrules.grammar` which terminals it would accept.
"""

from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import Token as LarkToken

from . import codes
from . import syntax as s
from .errors import RANGE_WORDS, Diagnostic, expected_help, expected_tokens
from .grammar import TOP_LEVEL_WORDS, rule_parser

_BLOCK_WORDS = ("rule", "pairs", "limits", "addons")

#: How lark's terminal names read in a message.
_TERMINAL_WORDS = {
    "WORKDAY": "`to a workday`",
    "NAME": "a name",
    "WORD": "a code or number",
    "DASHED": "a range such as `70450-70498`",
    "STRING": "a quoted text",
    "DATE": "a date (YYYY-MM-DD)",
    "SET_KIND": "`codes`, `diagnoses`, `modifiers` or `places`",
    "PAYER_WORD": "`payer`",
    "CLAIM_TYPE": "`professional` or `institutional`",
    "SEVERITY": "a severity (`deny`, `review`, `warn` or `info`)",
    "QUANTIFIER": "`any`, `all` or `none`",
    "COMPARE": "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
    "OFFSET_SIGN": "`+` or `-`",
    "DATE_UNIT": "`days`, `months` or `years`",
    "TABLE_KIND": "a table kind, such as `ptp` or `mue`",
    "$END": "end of file",
}


def syntax_diagnostic(error: UnexpectedInput, name: str, lines: list[str], padded: str, first_line: int) -> Diagnostic:
    def line_text(number: int) -> str | None:
        return lines[number - 1] if 0 < number <= len(lines) else None

    remittance = _remittance_code(error, name, padded, line_text)
    if remittance is not None:
        return remittance
    upper = _upper_case_id(error, name, line_text)
    if upper is not None:
        return upper
    twice = _table_clause_twice(error, name, padded, line_text)
    if twice is not None:
        return twice
    if isinstance(error, UnexpectedCharacters):
        span = s.Span(name, error.line, error.column, error.line, error.column + 1)
        char = padded[error.pos_in_stream] if error.pos_in_stream < len(padded) else ""
        if char == '"':
            return Diagnostic(
                "RR102", "unterminated text", span, line_text(error.line),
                help='a quoted text ends with `"` on the same line',
            )
        if char == "'":
            return Diagnostic("RR101", "unexpected character `'`", span, line_text(error.line),
                              help="texts are quoted with double quotes: `\"...\"`")
        allowed = _accepts_at(padded, error.pos_in_stream) or error.allowed
        if char.isalpha() and char.islower():
            mixed = _mixed_case(padded, error.pos_in_stream, error.line, error.column, name, line_text)
            if mixed is not None:
                return mixed
            word = re.match(r"[\w.]+", padded[error.pos_in_stream:]).group(0)  # \w: also non-ASCII letters
            span = s.Span(name, error.line, error.column, error.line, error.column + len(word))
            return Diagnostic(
                "RR101", f"unexpected word `{word}`", span, line_text(error.line),
                help=_expected_help(allowed, word) if allowed else None,
            )
        return Diagnostic(
            "RR101", f"unexpected character `{char}`", span, line_text(error.line),
            help=_expected_help(allowed, char) if allowed else None,
        )

    token: LarkToken = error.token if isinstance(error, UnexpectedToken) else None
    expected = _in_edit_block(expected_tokens(error))
    if token is None or token.type == "$END":
        block = _open_block(padded, first_line)
        if "END" in expected and block:
            word, number = block
            # the line after the text parsed (its last line, if it does not end with a line break)
            next_line = padded.count("\n") + (1 if padded.endswith("\n") else 2)
            last = len(lines)
            while last > 1 and not lines[last - 1].strip():
                last -= 1
            where = f"before line {next_line}" if next_line <= last else f"after line {last}"
            return Diagnostic(
                "RR105", f"this `{word}` block has no `end`", s.Span(name, number, 1, number, 1 + len(word)),
                line_text(number), help=f"add `end` {where}; every `rule`, `pairs`, `limits` and `addons` block "
                "ends with `end`",
            )
        span = _end_span(name, lines, padded)
        return Diagnostic(
            "RR104", "unexpected end of file", span, line_text(span.line),
            help=_expected_help(expected, ""),
        )
    value = str(token)
    span = s.Span(name, token.line, token.column, token.end_line or token.line, token.end_column or token.column + 1)
    if "END" in expected and value in TOP_LEVEL_WORDS:
        block = _open_block(padded[: token.start_pos], first_line)
        if block:
            word, number = block
            return Diagnostic(
                "RR105", f"this `{word}` block has no `end`", s.Span(name, number, 1, number, 1 + len(word)),
                line_text(number), help=f"add `end` before line {token.line}; every `rule`, `pairs`, `limits` and "
                "`addons` block ends with `end`",
            )
    glued = _glued_number(padded, token)
    if glued is not None:  # `7l046`: digits, then a word with no space between, is one mistyped code
        start = token.column - (token.start_pos - glued)
        return Diagnostic("RR101", f"`{padded[glued: token.end_pos]}` is not a code", s.Span(
            name, token.line, start, token.line, token.end_column or token.column + 1), line_text(token.line),
            help="procedure codes have 5 characters: 5 digits, 4 digits and a letter, or a letter and 4 digits "
                 "(is a letter written for a digit, `l` for `1` or `O` for `0`?)")
    mistake = _common_mistake(token, expected, padded, name, line_text)
    if mistake is not None:
        return mistake
    if token.type == "NAME" and token.start_pos is not None:
        mixed = _mixed_case(padded, token.start_pos, token.line, token.column, name, line_text)
        if mixed is not None:
            return mixed
    if token.type == "NAME" and "NAME" not in expected:
        # A lowercase word where only keywords fit: most often a misspelled keyword.
        help = _expected_help(expected, value)
        if value in ("deny", "review", "warn", "info") and _literal_expected(expected, "then"):
            line_start = padded.rfind("\n", 0, token.start_pos) + 1
            written = re.fullmatch(r"(\s*)then\s+", padded[line_start:token.start_pos])
            test = re.search(r"((?<![\w.])[a-z_]+\.[a-z_]+\s+(?:is\s+not|is|not\s+in|in|[!<>]?=|[<>]))[ \t]*"
                             r"(?:#[^\n]*)?\n\s*$", padded[:line_start])
            if written and test:  # `claim.payer is not` ending a line: `then` was read as its value
                column = len(written.group(1)) + 1
                unfinished = " ".join(test.group(1).split())
                return Diagnostic("RR101", "`then` is read as the value of the test before it",
                                  s.Span(name, token.line, column, token.line, column + 4), line_text(token.line),
                                  help=f"the test `{unfinished}` that ends the line before has no value: finish it "
                                       f"(`{unfinished} VALUE`)")
            help = f"a rule's action starts with `then`: `then {value} line \"...\"`"
        return Diagnostic("RR101", f"unexpected word `{value}`", span, line_text(token.line), help=help)
    help = _expected_help(expected, value)
    if value == "," and "LSQB" not in expected:
        help = "a list of several items goes in brackets: `[a, b]`"
    return Diagnostic("RR103", f"unexpected {_describe_token(token)}", span, line_text(token.line), help=help)


def _glued_number(text: str, token) -> int | None:
    """Where the digits right before a word ``token`` start (``7`` of ``7l046``), if digits touch it and make
    five characters with it, as a code has."""
    if token.type != "NAME" or token.start_pos is None:
        return None
    start = token.start_pos
    while start > 0 and text[start - 1].isdigit():
        start -= 1
    if start == token.start_pos or (start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_.-")):
        return None
    return start if token.end_pos - start == 5 else None  # a code's length: `1mai` is a missing space


_AFTER_SEVERITY = re.compile(r"(?:^|\s)then\s+(deny|review|warn|info)\s*$")
_AFTER_PAYER = re.compile(r"(?:^|\s)payers?\s+(?:(?:\"[^\"\n]*\"|[^\s,\"]+)\s*,\s*)*$")
_BEFORE_EXCEPT = re.compile(r"(?:^|\s)(in|of|has)\s+([^\s\[\]()]+)\s+$")
#: A field of a condition (its name), as `claim.bill_type` or `line.revenue_code`: the last before a word tells
#: what the word was meant to be.
_FIELD = re.compile(r"(?<![\w.])(?:claim|line|other|patient)\.([a-z_]+)")
#: Words that end a payer's name written without quotes: the clause or test that follows it.
_PAYER_NAME_ENDS = frozenset({"for", "when", "then", "and", "or", "effective", "claims", "professional",
                              "institutional", "kind", "reference", "carc", "rarc", "unless", "severity", "once",
                              "group", "end", "through"})
#: Words that may follow a payer's name on its line (a misspelling of one is told it, not to quote two words).
_AFTER_PAYER_WORDS = frozenset({"effective", "for", "professional", "institutional", "claims", "unless", "through",
                                "reference", "severity", "kind", "when", "then", "rarc"})  # (not carc: "care")
#: Words an author may start a history test's window with, for `within`: `in the last 365 days`.
_WINDOW_WORDS = frozenset({"in", "during", "over", "for", "last", "past", "from", "after", "before"})
_AFTER_EFFECTIVE = re.compile(r"(?<![\w.])effective\s+([0-9]{4}-[0-9]{2}-[0-9]{2})\s+$")


def _claim_units_mistake(value: str, before: str, after: str) -> tuple[str, str] | None:
    """(code, help) for a word out of place in `claim units of CODES ...` (``before``: the text of its line before
    the word, ``after``: the file's after it), or None."""
    if value == "on" and re.match(r"\s+an\s+earlier(?![\w.])", after) or (
            value == "an" and re.search(r"(?<![\w.])on\s+$", before)):
        return "RR101", ("`claim units of CODES` adds up the line judged with the others: it takes no `on an earlier "
                         "line` (to ask for an earlier line of the codes, write `claim also has CODES on an earlier "
                         "line`)")
    if value in ("with", "without") and re.search(r"(?<![\w.])(on\s+(the\s+)?same\s+date|same\s+[a-z_]+)\s+$", before):
        return "RR101", ("the parts of `claim units of CODES` come in this order: `with modifier M`, `billing the ... "
                         "component`, `with the same PROPERTY`, then `on the same date`")
    if value in ("within", "since"):
        return "RR101", ("`claim units of CODES` adds up the units of this claim's lines: it takes no window "
                         "(earlier claims' services are counted by `history count of CODES within ...`)")
    return None


def _payer_name(text: str, start: int) -> str:
    """The payer's name written from ``start``: its words to the end of the line, the next comma or the first
    word of a clause (`Northwind Health for professional claims`: `Northwind Health`)."""
    words = []
    for word in re.match(r"[^\n,#\"]*", text[start:]).group(0).split():
        if word.lower() in _PAYER_NAME_ENDS:
            break
        words.append(word)
    return " ".join(words)


def _common_mistake(token, expected: set, padded: str, name: str, line_text) -> Diagnostic | None:
    """A mistake rule authors often make, said with its fix: `then deny "..."` without a target, a payer name
    in capitals, a diagnosis code in lower case, `effective DATE to DATE`, `except` outside the brackets of a set
    in a condition."""
    if token.start_pos is None or token.end_pos is None:
        return None
    value = str(token)
    line_start = padded.rfind("\n", 0, token.start_pos) + 1
    before = padded[line_start:token.start_pos]
    span = s.Span(name, token.line, token.column, token.end_line or token.line, token.end_column or token.column + 1)
    if token.type == "STRING" and expected == {"NAME"} and _AFTER_SEVERITY.search(before):
        severity = _AFTER_SEVERITY.search(before).group(1)
        return Diagnostic("RR103", "unexpected quoted text", span, line_text(token.line),
                          help=f"expected `line`, `other`, `both` or `claim`, the lines the finding acts on: "
                               f"`then {severity} line \"...\"`")
    if token.type != "STRING" and {"NAME", "STRING"} <= expected and _AFTER_PAYER.search(before):
        value = _payer_name(padded, token.start_pos)
        lower = value.lower()
        plain = f"in lower case, `{lower}`, or quoted" if s.PLAIN_NAME.fullmatch(lower) else "in quotes"
        return Diagnostic("RR103", f"unexpected `{token}`", span, line_text(token.line),
                          help=f"write a payer's name {plain}, `\"{value}\"` (payers are compared without regard "
                               "to case)")
    after_name = re.search(r"(?<![\w.])payers?\s+((?:(?:\"[^\"\n]*\"|[^\s,\"]+)\s*,\s*)*)([a-z0-9_]+)\s+$", before)
    meant = re.match(r"did you mean `([a-z]+)`", _expected_help(expected, value) or "") if after_name else None
    if after_name and token.type == "NAME" and value not in _PAYER_NAME_ENDS \
            and not (meant and meant.group(1) in _AFTER_PAYER_WORDS):  # `for payer northwind health`
        earlier, name = after_name.group(1), after_name.group(2) + " " + _payer_name(padded, token.start_pos)
        return Diagnostic("RR103", f"unexpected `{value}`", span, line_text(token.line),
                          help=f"a payer's name of several words is quoted, `{earlier}\"{name}\"`; several payers are "
                               f"parted by commas, `{earlier}{', '.join(name.split())}`")
    negation = re.search(r"(?<![\w.])(unless|except)\s+$", before)
    if negation and token.type == "NAME" and value in ("line", "other", "claim", "patient", "history") \
            and (negation.group(1) != "except" or re.search(r"(?<![\w.])(and|or|when)\s+except\s+$", before)):
        word = negation.group(1)  # the word at fault, underlined: `unless line...`, `and except line...`
        column = negation.start(1) + 1
        joined = re.search(r"(?<![\w.])(and|or|when)\s+\w+\s+$", before)
        return Diagnostic("RR101", f"unexpected word `{word}`", s.Span(name, token.line, column, token.line,
                                                                       column + len(word)), line_text(token.line),
                          help=f"a condition is turned around with `not`: `{joined.group(1) if joined else 'and'} "
                               f"not {value}...` (or, for a list, `has none of`)")
    tabular = re.search(r"(?<![\w.])([A-Za-z][0-9][0-9A-Za-z]*)\.$", before)
    if value == "-" and tabular:  # `M80.-`: the Tabular's "the codes under M80"
        category = tabular.group(1).upper()
        return Diagnostic("RR103", "unexpected `-`", span, line_text(token.line),
                          help=f"the codes under a category are a prefix here: `{category}*` (`{category}.-` is the "
                               f"Tabular's way to write it)")
    if value == "," and re.search(r"(?<![\w.])pair\s+[^\s,]+\s*$", before):  # `pair 74176, 74150`
        first = re.search(r"pair\s+([^\s,]+)\s*$", before).group(1)
        second = re.match(r",\s*([^\s,]+)", padded[token.start_pos:])
        shown = f"`pair {first} with {second.group(1) if second else '...'}`"
        return Diagnostic("RR103", "unexpected `,`", span, line_text(token.line),
                          help=f"the two codes of a pair are joined by `with`: {shown}")
    if (token.type != "STRING" and value in _WINDOW_WORDS
            and re.search(r"(?<![\w.])(history\s+has|history\s+count\s+of|since\s+last)\s+\S", before)):
        return Diagnostic("RR103", f"unexpected `{value}`", span, line_text(token.line),
                          help="a history test's window is written `within N days` (or months, years), "
                               "`since DATE` or `on the same date`: `history has [77067] within 365 days`")
    if value == "=" and before.endswith("="):  # `line.code == 70551`, as in most programming languages
        written = re.search(r"([!<>]?=)$", before).group(1)
        meant = {"=": ("=", "is"), "!=": ("!=", "is not"), "<=": ("<=", None), ">=": (">=", None)}[written]
        field = re.search(r"([a-z_]+\.[a-z_]+)\s*[!<>]?=$", before)
        name = field.group(1) if field else "..."
        shown = " or ".join(f"`{name} {op} ...`" for op in meant if op)
        return Diagnostic("RR103", f"unexpected `=`: `{written}=` is not a comparison", span, line_text(token.line),
                          help=f"write {shown}")
    if re.search(r"(?<![\w.])group\s+$", before) and value.upper() in codes.CARC_GROUPS:  # `group pr when ...`
        return Diagnostic("RR101", f"unexpected word `{value}`", span, line_text(token.line),
                          help=f"group codes are written in capitals: `group {value.upper()}`")
    doubled = re.search(r"(?<![\w.])(and|or)\s+(and|or)\s+$", before)
    if doubled:  # `line.units > 1 and or line.code is 70450`: the second word was taken for a value
        start = token.column - (len(before) - doubled.start(2))
        first, second = doubled.groups()
        return Diagnostic("RR101", f"`{first} {second}`: two joining words in a row",
                          s.Span(name, token.line, start, token.line, start + len(second)), line_text(token.line),
                          help="`and` and `or` each join two tests: " + (
                              f"drop one `{first}`" if first == second else f"drop `{first}` or `{second}`"))
    negated = re.search(r"(?<![\w.])is\s+(not\s+)?in\s+$", before)
    if negated:  # `line.code is not in ct_head`: `in` was taken for the value of `is not`
        field = re.search(r"([a-z_]+\.[a-z_]+)\s+is\s+(?:not\s+)?in\s+$", before)
        written = "not in" if negated.group(1) else "in"
        return Diagnostic("RR101", f"unexpected `{value}`: `is {written}` is not a test", span,
                          line_text(token.line),
                          help=f"write `{field.group(1) if field else '...'} {written} "
                               f"{'[...]' if value == '[' else value}` (`is` compares with one value, `in` with a set)")
    if value == "on" and re.search(r"(?<![\w.])on\s+an\s+earlier\s+line\s+$", before) \
            and re.search(r"(?<![\w.])also\s+has\b", before):  # the parts of `claim also has` in another order
        return Diagnostic("RR101", "unexpected word `on`", span, line_text(token.line),
                          help="the parts of `claim also has CODES` come in this order: `with modifier M`, `billing "
                               "the ... component`, `with the same PROPERTY`, then `on the same date`, then `on an "
                               "earlier line`")
    if value in ("within", "since") and re.search(r"(?<![\w.])history\s+has\s+the\s+same\s+code\b", before):
        return Diagnostic("RR101", f"unexpected word `{value}`", span, line_text(token.line),
                          help="`history has the same code` looks at every earlier date, or `on the same date`: it "
                               f"takes no `{value}`; a window goes after the codes of `history has CODES within ...`")
    same_after_with = (value == "with" and re.match(r"\s+(the\s+)?same(?![\w.])", padded[token.end_pos:])) or (
        value in ("the", "same") and re.search(r"(?<![\w.])with\s+$", before))
    clauses = re.findall(r"(?<![\w.])(also\s+has|history\s+has\s+the\s+same\s+code|history\s+has|history\s+count\s+of"
                         r"|since\s+last|units\s+of)(?![\w.])", before)
    last_clause = clauses[-1] if clauses else ""
    if last_clause.startswith("units") and token.type != "STRING":
        found = _claim_units_mistake(value, before, padded[token.end_pos:])
        if found is not None:
            return Diagnostic(found[0], f"unexpected word `{value}`", span, line_text(token.line), help=found[1])
    if same_after_with and re.fullmatch(r"history\s+(has|count\s+of)", last_clause):
        return Diagnostic("RR103", f"unexpected `{value}`", span, line_text(token.line),
                          help="`history has CODES` and `history count of CODES` take no `with the same ...`: "
                               "`history has the same code` compares the line's own code, with `with the same "
                               "modifiers`, `units` or `provider`")
    if value in ("with", "without") and re.match(r"\s+modifiers?(?![\w.])", padded[token.end_pos:]) and last_clause:
        if re.search(r"(?<![\w.])billing\s+the\s+\w+\s+component\s+$", before):
            return Diagnostic("RR103", f"unexpected `{value}`", span, line_text(token.line),
                              help=f"`{value} modifier` comes before `billing the ... component`: `claim units of "
                                   f"[71046] {value} modifier 77 billing the professional component`")
        return Diagnostic("RR103", f"unexpected `{value}`", span, line_text(token.line),
                          help=f"`{value} modifier` goes right after the codes: `claim also has [A9552] {value} "
                               f"modifier JW on the same date`, `history count of [78815] {value} modifier PS within 3 "
                               "years`")
    if value in ("modifier", "modifiers") and re.search(
            r"(?<![\w.])billing\s+the\s+\w+\s+component\s+with(out)?\s+$", before):
        return Diagnostic("RR103", f"unexpected `{value}`", span, line_text(token.line),
                          help="`with modifier` comes before `billing the ... component`: `claim units of [71046] with "
                               "modifier 77 billing the professional component`")
    if value == "billing" and re.match(r"\s+the\s+\w+\s+component(?![\w.])", padded[token.end_pos:]) and last_clause:
        if re.fullmatch(r"history\s+has\s+the\s+same\s+code", last_clause):
            return Diagnostic("RR103", "unexpected `billing`", span, line_text(token.line),
                              help="`history has the same code` takes no `billing the ... component`: narrow it with "
                                   "`with modifier 26` or `without modifier 26`")
        return Diagnostic("RR103", "unexpected `billing`", span, line_text(token.line),
                          help="`billing the ... component` goes right after the codes (and their `with modifier`): "
                               "`months since last [77067] billing the professional component`, `history count of "
                               "[77067] billing the technical component within 2 years`")
    if token.type != "STRING" and expected == {"NAME"} and re.search(r"(?<![\w.])kind\s+$", before):
        return Diagnostic("RR103", f"unexpected `{value}`", span, line_text(token.line),
                          help="a kind is written in lower case: `format`, `duplicate`, `ptp`, `mue`, `modifier`, "
                               "`policy`, `addon` or `coding`")
    if token.type == "DOT":  # `r51.9`: a lower-case word, then a dot; in capitals, one diagnosis code
        word = re.search(r"[A-Za-z0-9]+$", padded[line_start:token.start_pos])
        rest = re.match(r"[A-Za-z0-9]*", padded[token.end_pos:]).group(0)
        if word is not None and not word.group(0).isupper() and codes.is_diagnosis(
                code := f"{word.group(0)}.{rest}".upper()):
            start = token.column - len(word.group(0))
            return Diagnostic("RR103", f"unexpected `{word.group(0)}.{rest}`: codes are written in capitals",
                              s.Span(name, token.line, start, token.line, start + len(code)),
                              line_text(token.line), help=f"write `{code}`")
    digits = re.search(r"(?<![\w.])([0-9]{2,3})$", before)
    fields = _FIELD.findall(padded, 0, token.start_pos) if value == "x" and digits is not None else ()
    if fields and fields[-1] in ("bill_type", "revenue_code"):  # NUBC's `13x`, `096x`, copied from a policy
        written, start = digits.group(1), token.column - len(digits.group(1))
        compared = re.search(r"(?<![\w.])is\s+(?:not\s+)?$", before[:-len(written)]) is not None
        if fields[-1] == "bill_type":
            help = (f"every frequency of a type of bill is a set: `claim.bill_type in [{written}*]`" if compared
                    else f"every frequency of a type of bill is written with `*`: `{written}*`")
        else:
            category = written.zfill(3) + "X"
            help = (f"NUBC's category `{category}` stands for ten codes: `line.revenue_code in [{category}]`"
                    if compared else f"NUBC's category is written with a capital X: `{category}`")
        return Diagnostic("RR103", f"unexpected `{written}x`", s.Span(name, token.line, start, token.line,
                                                                      token.column + 1),
                          line_text(token.line), help=help)
    effective = _AFTER_EFFECTIVE.search(padded, 0, token.start_pos)
    if value in RANGE_WORDS and effective is not None:
        return _range_word(token, effective.group(1), padded, span, line_text)
    found = _BEFORE_EXCEPT.search(before)
    if value == "except" and found is not None and not _literal_expected(expected, "except"):
        after = re.match(r"\s*([^\s,\])]+)", padded[token.end_pos:])
        shown = f"{found.group(1)} [{found.group(2)} except {after.group(1) if after else '...'}]"
        return Diagnostic("RR101", "unexpected word `except`", span, line_text(token.line),
                          help=f"a set written in a condition takes `except` inside its brackets: `{shown}`")
    return None


def _mixed_case(padded: str, position: int, line: int, column: int, name: str, line_text) -> Diagnostic | None:
    """RR101 for a word of capitals and small letters (`Bluebonnet`, `Line.code`, `Female`, `Tc`), which the lexer
    splits into a code-like word and a lower-case one, so that the error named the second half: told by the field
    it is compared with (a payer's name may be quoted to keep its case, sexes are `F`, `M`, `U`, modifiers are in
    capitals), else to write it in lower case."""
    start = padded.rfind("\n", 0, position) + 1
    glued = re.search(r"[A-Z0-9][A-Za-z0-9]*$", padded[start:position])
    if glued is None:
        return None
    word = glued.group(0) + re.match(r"[A-Za-z0-9_]*", padded[position:]).group(0)
    if word.isupper() or word.islower() or not word[0].isalpha():
        return None
    first = column - len(glued.group(0))
    fields = _FIELD.findall(padded, start, position - len(glued.group(0)))
    field = fields[-1] if fields else None  # the field the word is compared with, if one comes before it
    if field == "sex":
        help = "sexes are written `F`, `M` or `U`"
    elif field == "payer":
        help = f"write `{word.lower()}`, or quote the name to keep its case: `\"{word}\"` (payers are compared " \
               "without regard to case)"
    elif field in ("code", "modifiers", "first_modifier") or len(word) <= 2:
        help = f"codes and modifiers are written in capitals: `{word.upper()}`"
    else:
        help = f"write `{word.lower()}`: fields, keywords and claim types are lower case, codes capitals"
    return Diagnostic("RR101", f"unexpected word `{word}`: a word of capitals and small letters",
                      s.Span(name, line, first, line, first + len(word)), line_text(line), help=help)


def _range_word(token, first: str, padded: str, span: s.Span, line_text) -> Diagnostic:
    """RR101 for `to` (or `until`, `thru`) after `effective DATE`: a rule or row writes `through`; a `table`
    statement takes no end date at all (RR512 when written with `through`)."""
    value = str(token)
    if re.match(r"\s*table(?![\w.])", padded):
        help = (f"a table version takes effect on one date and stays in force until a later version: write "
                f"`effective {first}` alone")
    else:
        last = re.match(r"\s+([0-9]{4}-[0-9]{2}-[0-9]{2})(?![\w-])", padded[token.end_pos:])
        help = f"write `through`, not `{value}`: `effective {first} through {last.group(1) if last else 'DATE'}`"
    return Diagnostic("RR101", f"unexpected word `{value}`", span, line_text(token.line), help=help)


#: The id of a rule or an edit block, at the start of its line (where it is defined, or `disable rule ID`).
_BLOCK_ID = re.compile(r"^(\s*(?:rule|pairs|limits|addons|disable\s+rule)\s+)([\w.]+)")
_LOWER_ID = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")


def _upper_case_id(error: UnexpectedInput, name: str, line_text) -> Diagnostic | None:
    """RR103 for a rule or block id with capitals (`pairs acmeX.ptp`), which is an id in lower case: said so,
    rather than the capital as an unexpected token and a list of keywords."""
    text = line_text(getattr(error, "line", None) or 0)
    match = _BLOCK_ID.match(text) if text is not None else None
    if match is None:
        return None
    word = match.group(2)
    column = match.start(2) + 1
    if word == word.lower() or not _LOWER_ID.fullmatch(word.lower()) or not column <= error.column < column + len(word):
        return None
    return Diagnostic("RR103", f"unexpected `{word}`: ids are written in lower case",
                      s.Span(name, error.line, column, error.line, column + len(word)), text,
                      help=f"write `{word.lower()}`")


#: Why a `table` statement takes each of its clauses once, and what to write instead.
_TABLE_CLAUSES = {
    "for ... claims": "a statement loads one table, for one claim type; the other claim type's files take a "
                      "statement of their own",
    "for payer": "one `for payer` names every payer the version serves: `for payers acme, beta`",
    "effective": "a statement loads one version of a table, in force from one date; each version takes a statement "
                 "of its own",
}
#: Where each clause of a `table` statement starts.
_TABLE_CLAUSE_STARTS = {
    "for ... claims": re.compile(r"(?<![\w.])for\s+(?:professional|institutional)(?![\w.])"),
    "for payer": re.compile(r"(?<![\w.])for\s+payers?(?![\w.])"),
    "effective": re.compile(r"(?<![\w.])effective(?![\w.])"),
}
#: A quoted text or a comment, which may hold any word.
_QUOTED_OR_COMMENT = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|#[^\n]*')


def _table_clause_twice(error: UnexpectedInput, name: str, padded: str, line_text) -> Diagnostic | None:
    """RR103 for a `table` statement's `for ... claims`, `for payer` or `effective` clause given twice (`... for
    institutional for institutional`): said so, at the second, rather than the words that could come there."""
    if not isinstance(error, UnexpectedToken) or (error.token.type not in ("FOR", "EFFECTIVE") and str(
            error.token) not in ("payer", "payers", "professional", "institutional")):
        return None
    token = error.token
    before = _QUOTED_OR_COMMENT.sub(lambda m: " " * len(m.group(0)), padded[: token.start_pos])
    if not re.match(r"\s*table(?![\w.])", before):
        return None
    start = token.start_pos
    if token.type in ("FOR", "EFFECTIVE"):
        if "$END" not in expected_tokens(error):  # the statement could not end here: something else is missing
            return None
        following = re.match(r"\s*(\w+)", padded[token.end_pos:]) if token.type == "FOR" else None
        word = following.group(1) if following else str(token)
    else:  # the word after a second `for`, which the statement could still take as the other `for` clause
        own = re.search(r"(?<![\w.])for\s+$", before)
        if own is None:
            return None
        start, word = own.start(), str(token)
    clause = ("effective" if word == "effective" else "for payer" if word in ("payer", "payers")
              else "for ... claims" if word in ("professional", "institutional") else None)
    first = _TABLE_CLAUSE_STARTS[clause].search(before[:start]) if clause is not None else None
    if first is None:
        return None
    line, column = _line_column(padded, first.start())
    here_line, here_column = _line_column(padded, start)
    shown = "for" if clause != "effective" else "effective"
    span = s.Span(name, here_line, here_column, here_line, here_column + len(shown))
    return Diagnostic("RR103", f"unexpected `{shown}`: a `table` statement takes one `{clause}` clause", span,
                      line_text(here_line), help=f"the first is at line {line}, column {column}: keep one "
                      f"({_TABLE_CLAUSES[clause]})")


def _line_column(text: str, position: int) -> tuple[int, int]:
    """The 1-based line and column of ``position`` in ``text``."""
    return text.count("\n", 0, position) + 1, position - (text.rfind("\n", 0, position) + 1) + 1


_AFTER_CARC = re.compile(r"(?:^|\s)carc\s+$")
_COMMENT = re.compile(r'"[^"\n]*"|#[^\n]*')  # a quoted text (kept) or a comment (dropped)
_ONE_CARC = re.compile(r"(?:^|\s)carc\s+[A-Z]{2}-[0-9A-Z]{1,3}\s*,?\s*$")
_CARC_LIKE = re.compile(r"(?:[A-Za-z]{2}-[0-9A-Za-z]{1,3}|[A-Z]{2}[0-9]{1,3})$")
_AFTER_RARC = re.compile(r"(?:^|\s)rarc\s+(?:[^\s,]+\s*,\s*)*$")


def _remittance_code(error: UnexpectedInput, name: str, padded: str, line_text) -> Diagnostic | None:
    """RR215 for a code after `carc` or `rarc` that does not parse as one (`carc 197`, `carc co-97`,
    `rarc M-80`): the compiler's check of a well-formed code, with its hint, instead of a list of tokens."""
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream
    elif isinstance(error, UnexpectedToken) and error.token.type != "$END":
        position = error.token.start_pos
    else:
        return None
    if position is None:
        return None
    start = padded.rfind("\n", 0, position) + 1
    if not padded.startswith(",", position):  # an error inside a word: from the start of the word
        position -= len(re.search(r"[^\s,]*$", padded[start:position]).group(0))
    before = padded[start:position]
    if not before.strip() and start:  # the word starts its line: the clause it belongs to may end the line above
        above = padded.rfind("\n", 0, start - 1) + 1
        before = _COMMENT.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", padded[above:start - 1])
        before += " "
    word = re.match(r"[^\s,]*", padded[position:]).group(0) or padded[position:position + 1]
    if not word.strip():
        return None
    line, column = _line_column(padded, position)
    span = s.Span(name, line, column, line, column + len(word))
    if _ONE_CARC.search(before) and (word == "," or _CARC_LIKE.match(word)):
        return Diagnostic("RR103", f"unexpected `{word}`", span, line_text(line),
                          help="`carc` takes one code (the rule's reason); remark codes go in `rarc`")
    if _AFTER_CARC.search(before) and word.isalpha() and word.islower():  # a clause's keyword: no code at all
        return Diagnostic("RR215", "`carc` has no code", span, line_text(line),
                          help="write a group code in capitals, a dash and a reason, e.g. `carc CO-97`")
    if _AFTER_CARC.search(before):
        return Diagnostic("RR215", f"`{word}` is not a claim adjustment reason code", span, line_text(line),
                          help="write a group code in capitals, a dash and a reason, e.g. `CO-97`, `OA-18`, `PR-204`")
    if _AFTER_RARC.search(before):
        return Diagnostic("RR215", f"`{word}` is not a remittance advice remark code", span, line_text(line),
                          help="remark codes are written in capitals without a dash, as `M80`, `N362`, `MA130`")
    return None


#: The first words of edit block rows; where one is expected, the parser is in a `pairs`, `limits` or `addons` block.
_ROW_WORDS = frozenset({"pair", "limit", "addon"})
#: Clauses the grammar lets every block parse but only a `rule` takes (RR252 in an edit block).
_RULE_ONLY_WORDS = frozenset({"kind", "when", "then"})


def _in_edit_block(expected: set) -> set:
    """``expected`` without the clauses an edit block does not take, when it is an edit block's rows that are
    expected: a hint should not offer `kind` where it is an error (RR252)."""
    literal = {t.name: t.pattern.value for t in rule_parser().terminals if t.pattern.type == "str"}
    if not any(literal.get(name) in _ROW_WORDS for name in expected):
        return expected
    return {name for name in expected if literal.get(name) not in _RULE_ONLY_WORDS}


def _literal_expected(expected, word: str) -> bool:
    """Whether the keyword ``word`` is among the ``expected`` terminals."""
    return any(t.name in expected and t.pattern.type == "str" and t.pattern.value == word
               for t in rule_parser().terminals)


def _accepts_at(text: str, position: int) -> set:
    """The terminals the parser accepts after ``text[:position]`` (exact: the LALR table's
    lookahead sets are merged, so the parser is replayed up to the position and asked)."""
    try:
        interactive = rule_parser().parse_interactive(text[:position])
        interactive.exhaust_lexer()
        return set(interactive.accepts())
    except UnexpectedInput:
        return set()


def _describe_token(token: LarkToken) -> str:
    if token.type == "STRING":
        return "quoted text"
    return f"`{token}`"


def _open_block(text: str, first_line: int) -> tuple[str, int] | None:
    """The last block keyword at the start of a line in ``text``, with its line."""
    found = None
    for match in re.finditer(r"^(%s)\b" % "|".join(_BLOCK_WORDS), text, re.MULTILINE):
        found = (match.group(1), text.count("\n", 0, match.start()) + 1)
    return found


def _end_span(name: str, lines: list[str], padded: str) -> s.Span:
    number = min(padded.count("\n") + 1, len(lines)) or 1
    while number > 1 and not lines[number - 1].strip():
        number -= 1
    column = len(lines[number - 1]) + 1 if lines else 1
    return s.Span(name, number, column, number, column + 1)


def _expected_help(expected, got: str) -> str | None:
    return expected_help(expected, got, rule_parser().terminals, _TERMINAL_WORDS)
