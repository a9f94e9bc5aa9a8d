"""Text to syntax tree: a rule file parsed, and parsed again piece by piece when it has syntax errors.

``parse_rules(text, name)`` returns a :class:`~radrules.syntax.SourceFile`
and the list of syntax diagnostics. On a syntax error the file is parsed
again statement by statement, so one run reports every broken statement, and
the statements that did parse still reach the compiler's checks.

The parser itself is built in :mod:`radrules.grammar`; a piece that does not
parse is explained by :mod:`radrules.syntax_errors`, and a tree that does is
built into syntax nodes by :mod:`radrules.tree_builder`. The pieces
(:func:`chunks`, :func:`parse_piece`, :func:`located_error`, :func:`untold`)
and the checks of a parsed tree (:func:`bad_escapes`) serve the rule test
parser (:mod:`radrules.testing.parse`) too.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys

import lark
from lark import Lark, Tree
from lark.exceptions import UnexpectedInput
from lark.lexer import Token as LarkToken

from . import _resources, _version, codes, errors, grammar, syntax_errors, tree_builder
from . import syntax as s
from .errors import MAX_PER_FILE, Diagnostic, text_lines
from .grammar import TOP_LEVEL_WORDS, rule_parser
from .syntax_errors import syntax_diagnostic
from .tree_builder import RuleFileBuilder

_STATEMENT_START = re.compile(r"^(?:(?:%s)\b|disable[ \t]+rule\b)" % "|".join(TOP_LEVEL_WORDS), re.MULTILINE)


@functools.lru_cache(maxsize=1)
def fingerprint() -> str | None:
    """A hash of what :func:`parse_rules` gives depends on: radrules' and lark's versions, the grammar and the code
    of the modules that build the syntax tree and its diagnostics, so that a parse kept on disk by other code is never
    used (radrules.loader); None when a module's file can't be read (then no parse is kept)."""
    digest = hashlib.sha256(f"radrules {_version.__version__}\0lark {lark.__version__}\0".encode())
    digest.update(_resources.grammar_text().encode())
    for module in (sys.modules[__name__], grammar, syntax_errors, tree_builder, s, errors, codes, _resources):
        try:
            with open(module.__file__, "rb") as handle:
                digest.update(b"\0" + handle.read())
        except (OSError, TypeError):  # no file (a frozen or zipped build): nothing to tell the code by
            return None
    return digest.hexdigest()


#: How deep a statement's syntax tree may go: conditions nest (`not`, parentheses around chains) about
#: this deep less ten. Trees are built, compiled and evaluated recursively, so a deeper one would
#: exhaust Python's stack (a RecursionError) instead of being judged.
MAX_DEPTH = 100


def parse_rules(text: str, name: str = "<string>") -> tuple[s.SourceFile, list[Diagnostic]]:
    """Parse one rule file. Returns the syntax tree and any syntax diagnostics."""
    parser = rule_parser()
    lines = text_lines(text)
    try:
        tree = parser.parse(text)
    except UnexpectedInput:
        pass
    else:
        # (a text without a backslash has no escape to look for)
        if not too_deep(tree, name, lines) and not ("\\" in text and bad_escapes(tree, name, lines)):
            return s.SourceFile(name, text, RuleFileBuilder(name).transform(tree)), []

    statements: list[s.Statement] = []
    diagnostics: list[Diagnostic] = []
    told = 0
    for first_line, chunk in chunks(text):
        try:
            tree = parse_piece(parser, chunk, first_line)
        except UnexpectedInput:
            told += 1
            diagnostics.append(_piece_diagnostic(parser, chunk, first_line, name, lines) if told <= MAX_SYNTAX_ERRORS
                               else untold("RR103", name, first_line, lines))
            continue
        found = too_deep(tree, name, lines) or ("\\" in chunk and bad_escapes(tree, name, lines))
        if found:  # the statement is left out, as one that does not parse
            diagnostics.extend(found)
            continue
        statements.extend(RuleFileBuilder(name).transform(tree))
    if not diagnostics:  # pragma: no cover - a whole-file error must show in some chunk
        diagnostics.append(Diagnostic("RR103", "the file does not parse", s.Span(name, 1, 1, 1, 2)))
    return s.SourceFile(name, text, tuple(statements)), diagnostics


#: At most this many syntax errors of a file are explained (as many as are shown: errors.MAX_PER_FILE). Explaining
#: one reads the file up to its piece, so explaining every piece of a file of many broken statements would take
#: time that grows with the square of its length; those past these get :func:`untold`.
MAX_SYNTAX_ERRORS = MAX_PER_FILE


def untold(code: str, name: str, first_line: int, lines: list[str]) -> Diagnostic:
    """The syntax error of a piece past the :data:`MAX_SYNTAX_ERRORS` explained: at the piece's first line, not
    explained (it is never shown: the errors before it fill the file's share, and it is counted in their RR407 or
    RR606)."""
    text = lines[first_line - 1] if first_line <= len(lines) else None
    return Diagnostic(code, "this statement does not parse", s.Span(name, first_line, 1, first_line, 2), text)


def located_error(parser: Lark, piece: str, first_line: int) -> tuple[UnexpectedInput, str] | None:
    """The syntax error of a piece that does not parse, read where it stands, and the text it was read in: the
    piece parsed again behind ``first_line - 1`` line breaks, so that the error's positions and the text a
    diagnostic reads around them are the file's. (None never: a piece parses the same behind line breaks.)"""
    padded = "\n" * (first_line - 1) + piece
    try:
        parser.parse(padded)
    except UnexpectedInput as error:
        return error, padded
    return None


def _piece_diagnostic(parser: Lark, piece: str, first_line: int, name: str, lines: list[str]) -> Diagnostic:
    found = located_error(parser, piece, first_line)
    if found is None:  # (never; were it so, the error would still be told)
        return untold("RR103", name, first_line, lines)
    return syntax_diagnostic(found[0], name, lines, found[1], first_line)


def parse_piece(parser: Lark, piece: str, first_line: int) -> Tree:
    """Parse one piece of a file (:func:`chunks`) as it stands at line ``first_line``: its tree's line numbers
    moved down, rather than the piece parsed behind ``first_line - 1`` line breaks (the file read again for
    every piece). The tokens' ``start_pos`` stay those of the piece."""
    tree = parser.parse(piece)
    shift = first_line - 1
    if shift:
        for node in tree.iter_subtrees():
            meta = node.meta
            if not meta.empty:
                meta.line += shift
                meta.end_line += shift
            for child in node.children:
                if isinstance(child, LarkToken) and child.line is not None:
                    child.line += shift
                    child.end_line += shift
    return tree


def too_deep(tree: Tree, name: str, lines: list[str], limit: int = MAX_DEPTH) -> list[Diagnostic]:
    """RR106 for each statement of ``tree`` nested deeper than ``limit`` (measured without recursion)."""
    found = []
    for statement in tree.children:
        level, depth = [statement], 1  # the nodes `depth` deep: one list per level, not one step per node
        while level:
            if depth > limit:
                line = getattr(statement.meta, "line", 1)
                column = getattr(statement.meta, "column", 1)
                text = lines[line - 1] if line <= len(lines) else None
                width = len(text[column - 1:].split()[0]) if text and text[column - 1:].split() else 1
                found.append(Diagnostic(
                    "RR106", f"this statement nests more than {limit} deep",
                    s.Span(name, line, column, line, column + width), text,
                    help="write the condition as a chain of `and`/`or`, or split it over several rules",
                ))
                break
            level = [child for node in level for child in node.children if isinstance(child, Tree)]
            depth += 1
    return found


#: A backslash and the character after it, in a quoted text.
_ESCAPE = re.compile(r"\\(.)")


def bad_escapes(tree: Tree, name: str, lines: list[str], code: str = "RR101",
                paths: dict[str, int] | None = None) -> list[Diagnostic]:
    """``code`` for each backslash of a quoted text in ``tree`` that does not start `\\"` or `\\\\`, the only
    escapes the language has: `\\c` would be read as `c`, so a Windows path lost its separators without a word.
    ``paths`` maps the statements whose quoted texts are paths to how many of them are (None: all); their hint
    is `/`."""
    paths = {"table": None, "include": None} if paths is None else paths
    found = []
    for node in tree.iter_subtrees_topdown():
        strings = [child for child in node.children if isinstance(child, LarkToken) and child.type == "STRING"]
        for index, token in enumerate(strings):
            is_path = node.data in paths and (paths[node.data] is None or index < paths[node.data])
            for match in _ESCAPE.finditer(token, 1, len(token) - 1):
                if match.group(1) in '"\\':
                    continue
                column = token.column + match.start()
                text = lines[token.line - 1] if 0 < token.line <= len(lines) else None
                if is_path:
                    fixed = _ESCAPE.sub(lambda m: m.group(0) if m.group(1) == '"' else "/" + m.group(1).strip("\\"),
                                        token)
                    help = f"a path separates its folders with `/`, on Windows too: `{fixed}`"
                else:
                    help = ('in a quoted text, `\\` starts only `\\"` (a quote) and `\\\\` (a backslash): write `\\\\` '
                            'for a backslash')
                found.append(Diagnostic(
                    code, f"unknown escape `{match.group(0)}` in a quoted text",
                    s.Span(name, token.line, column, token.line, column + 2), text, help=help,
                ))
    return found


def chunks(text: str, start=_STATEMENT_START):
    """(first line number, text) of the pieces of a file, split before every match of ``start``
    (a line that starts a top-level statement; the test parser splits before each test)."""
    starts = [m.start() for m in start.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    line, counted = 1, 0  # the line number of position `counted`, counted on from the last piece
    for begin, end in zip(starts, starts[1:]):
        if begin == end:
            continue
        line += text.count("\n", counted, begin)
        counted = begin
        yield line, text[begin:end]

