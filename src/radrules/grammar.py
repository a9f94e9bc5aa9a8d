"""The rule language's grammar, loaded: the Lark LALR parser, built once per process.

:func:`rule_parser` is the parser :mod:`radrules.parser` reads rule files with,
and the one :mod:`radrules.syntax_errors` asks what it would have accepted where
a file does not parse. ``TOP_LEVEL_WORDS`` are the words that start a statement:
a file with a syntax error is parsed again in pieces cut before them, and one met
inside a block shows that the block has no `end`. The grammar itself is
``grammars/radrules.lark`` (read by ``_resources``); the formatter builds a
second parser of its own from it (``formatter._layout_parser``).
"""

from __future__ import annotations

import functools

from lark import Lark
from lark.lark import PostLex

from . import _resources

#: Words that start a statement at the top level of a file.
TOP_LEVEL_WORDS = (
    "ruleset", "include", "codes", "diagnoses", "modifiers", "places", "setting",
    "property", "table", "rule", "pairs", "limits", "addons",
)


class _WholeWords(PostLex):
    """Lex a lowercase word whole in every parser state.

    The contextual lexer only tries the terminals a state accepts; where NAME
    is not among them, a keyword such as `not` would match the start of a
    longer word (`notallowed` read as `not allowed`). With NAME always
    accepted, lark reads keywords through NAME and a longer word stays one
    word (and is reported as unexpected).
    """

    always_accept = ("NAME",)

    def process(self, stream):
        return stream


@functools.lru_cache(maxsize=1)
def rule_parser() -> Lark:
    """The LALR parser for the rule language (built once per process)."""
    return Lark(
        _resources.grammar_text(),
        parser="lalr",
        lexer="contextual",
        postlex=_WholeWords(),
        propagate_positions=True,
        maybe_placeholders=False,
    )
