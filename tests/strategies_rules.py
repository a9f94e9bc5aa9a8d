"""Hypothesis strategies for valid rule files, laid out at random.

``rule_files()`` draws a file that parses and compiles on its own: code sets,
properties, a setting, rules whose conditions test real fields with values
of the right type, and ``pairs``/``limits``/``addons`` blocks with random
rows. ``layouts(tokens)`` joins its tokens with random whitespace, line
breaks and comments (on lines of their own and at line ends), anywhere the
grammar ignores them. ``CLAIMS`` are claims that exercise the codes used.
"""

from __future__ import annotations

from hypothesis import strategies as st

CODES = ("70450", "70460", "70470", "71045", "71046", "71271", "74150", "74176", "74177", "77067")
RANGES = ("70450-70470", "71045-71048", "74150-74178")
MODIFIERS = ("26", "TC", "59", "XS", "LT", "RT", "76")
DIAGNOSES = ("Z87.891", "R10.9", "C34*", "F17.210-F17.219")
PLACES = ("11", "21", "22", "23")
DATES = ("2020-01-01", "2024-01-01", "2026-01-01", "2026-03-02")
PAYERS = ("acme", "medicare", '"Blue Plan"')
SEVERITIES = ("deny", "review", "warn", "info")
PLACEHOLDERS = ("{line.code}", "{line.units}", "{line.date}", "{line.modifiers}", "{patient.age}", "{claim.payer}")

#: Text for comments and quoted text: letters, digits, punctuation, `#`, quotes, backslashes.
_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=16)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def _comma_list(draw, pool, min_size=1, max_size=4) -> list[str]:
    items = draw(st.lists(st.sampled_from(pool), min_size=min_size, max_size=max_size))
    out = []
    for item in items:
        if out:
            out.append(",")
        out.append(item)
    return out


@st.composite
def _set_expr(draw, pool, refs=()) -> list[str]:
    """Items of ``pool`` (and names in ``refs``), maybe with ``except``."""
    tokens = draw(_comma_list(tuple(pool) + tuple(refs), max_size=6))
    if draw(st.booleans()) and draw(st.integers(0, 3)) == 0:
        tokens += ["except"] + draw(_comma_list(tuple(pool), max_size=2))
    return tokens


@st.composite
def _set_operand(draw, pool, names=()) -> list[str]:
    """The right side of ``in``/``has``: a name, one item, or ``[...]``."""
    choice = draw(st.integers(0, 2))
    if choice == 0 and names:
        return [draw(st.sampled_from(names))]
    if choice == 1:
        return [draw(st.sampled_from(pool))]
    return ["[", *draw(_set_expr(pool, names)), "]"]


def _field(record: str, name: str) -> list[str]:
    return [record, ".", name]


@st.composite
def _test(draw, names) -> list[str]:
    """One type-correct test on a real field."""
    kind = draw(st.integers(0, 18))
    code_sets = names["codes"]
    if kind == 0:
        return _field("line", "code") + [draw(st.sampled_from(("in", "not in")))] \
            + draw(_set_operand(CODES + RANGES, code_sets))
    if kind == 1:
        return _field("line", "code") + [draw(st.sampled_from(("is", "=", "is not", "!=")))] \
            + [draw(st.sampled_from(CODES))]
    if kind == 2:
        return _field("line", "units") + [draw(st.sampled_from(("<", "<=", ">", ">=", "=", "is", "!=")))] \
            + [str(draw(st.integers(0, 9)))]
    if kind == 3:
        low = draw(st.integers(0, 60))
        return _field("patient", "age") + ["between", str(low), "and", str(low + 20)]
    if kind == 4:
        quantifier = draw(st.sampled_from(((), ("any", "of"), ("all", "of"), ("none", "of"))))
        return _field("line", "modifiers") + ["has", *quantifier] \
            + draw(_set_operand(MODIFIERS, names["modifiers"]))
    if kind == 5:
        record = draw(st.sampled_from(("line", "claim")))
        return _field(record, "diagnoses") + ["has", draw(st.sampled_from(("any", "all", "none"))), "of"] \
            + draw(_set_operand(DIAGNOSES, names["diagnoses"]))
    if kind == 6:
        return _field("patient", "sex") + [draw(st.sampled_from(("is", "is not", "=", "!="))),
                                           draw(st.sampled_from(("F", "M", "U")))]
    if kind == 7:
        return _field("claim", "type") + ["is", draw(st.sampled_from(("professional", "institutional")))]
    if kind == 8:
        return _field("claim", "payer") + ["in", "[", *draw(_comma_list(PAYERS, max_size=3)), "]"]
    if kind == 9:
        return _field("line", "date") + [draw(st.sampled_from((">=", "<", "="))), draw(st.sampled_from(DATES))]
    if kind == 10:
        sign, unit = draw(st.sampled_from(("+", "-"))), draw(st.sampled_from(("days", "months", "year")))
        return _field("claim", "received") + [">"] + _field("line", "date") + [sign, str(draw(st.integers(1, 90))),
                                                                              unit]
    if kind == 11:
        field = draw(st.sampled_from((("claim", "prior_auth"), ("line", "rendering_npi"), ("line", "charge"))))
        return _field(*field) + ["is", *draw(st.sampled_from((("missing",), ("present",), ("not", "missing"))))]
    if kind == 12:
        return _field("line", "pctc") + draw(st.sampled_from((["is", "1"], ["not", "in", "[", "1", ",", "6", "]"])))
    if kind == 13:
        return _field("line", "place_of_service") + ["in"] + draw(_set_operand(PLACES, names["places"]))
    if kind == 14:
        tokens = ["claim", "also", "has"] + draw(_set_operand(CODES + RANGES, code_sets))
        if draw(st.booleans()):
            tokens += ["with", *draw(st.sampled_from((("the",), ()))), "same", "pctc"]
        if draw(st.booleans()):
            tokens += ["on", *draw(st.sampled_from((("the",), ()))), "same", "date"]
        return tokens
    if kind == 15:
        name = draw(st.sampled_from(("code", "modifiers", "units", "rendering_npi")))
        return _field("other", name) + [draw(st.sampled_from(("=", "is", "is not", "!=")))] + _field("line", name)
    if kind == 16:
        return ["ptp", "edit", "between", "line", "and", "other"]
    if kind == 18:
        tokens = ["claim", "units", "of"] + draw(_set_operand(CODES + RANGES, code_sets))
        if draw(st.booleans()):
            tokens += [draw(st.sampled_from(("with", "without"))), draw(st.sampled_from(("modifier", "modifiers")))] \
                + draw(_set_operand(MODIFIERS, names["modifiers"]))
        if draw(st.booleans()):
            tokens += ["with", *draw(st.sampled_from((("the",), ()))), "same", "pctc"]
        if draw(st.booleans()):
            tokens += ["on", *draw(st.sampled_from((("the",), ()))), "same", "date"]
        return tokens + [draw(st.sampled_from((">", ">=", "<", "=", "is"))), str(draw(st.integers(0, 9)))]
    return _field("line", "first_modifier") + ["is", draw(st.sampled_from(MODIFIERS))]


@st.composite
def _condition(draw, names, depth=0) -> list[str]:
    """A condition: tests joined by `and`/`or`/`not`, parenthesised where needed (and sometimes not)."""
    if depth >= 2 or draw(st.integers(0, 2)) == 0:
        tokens = draw(_test(names))
    else:
        kind = draw(st.sampled_from(("and", "or", "not")))
        if kind == "not":
            tokens = ["not", *_parenthesised(draw(_condition(names, depth + 1)))]
        else:
            parts = draw(st.lists(_condition(names, depth + 1), min_size=2, max_size=3))
            tokens = []
            for part in parts:
                if tokens:
                    tokens.append(kind)
                tokens += _parenthesised(part) if ("or" in part or "and" in part) else part
    if draw(st.integers(0, 5)) == 0:
        tokens = ["(", *tokens, ")"]
    return tokens


def _parenthesised(tokens: list[str]) -> list[str]:
    return ["(", *tokens, ")"] if len(tokens) > 1 and tokens[0] != "(" else tokens


def _rule_id(prefix: str, number: int) -> list[str]:
    return [prefix, ".", f"r{number}"]


@st.composite
def _clauses(draw, block: bool) -> list[list[str]]:
    """Optional clauses of a rule or an edit block, in random order."""
    clauses = []
    if draw(st.booleans()):
        clauses.append(["kind", draw(st.sampled_from(("coding", "policy", "modifier", "ptp")))])
    if draw(st.booleans()):
        payers = draw(_comma_list(PAYERS, max_size=2))
        clauses.append(["for", draw(st.sampled_from(("payer", "payers"))), *payers])
    if draw(st.booleans()):
        clauses.append(["for", draw(st.sampled_from(("professional", "institutional"))),
                        *draw(st.sampled_from((("claims",), ())))])
    if draw(st.booleans()):
        start = draw(st.sampled_from(DATES[:2]))
        clauses.append(["effective", start] + (["through", "2025-12-31"] if draw(st.booleans()) else []))
    if draw(st.booleans()):
        clauses.append(["carc", draw(st.sampled_from(("CO-97", "CO-4", "OA-18")))])
    if draw(st.booleans()):
        clauses.append(["rarc", *draw(_comma_list(("M80", "N362", "N20"), max_size=2))])
    if draw(st.booleans()):
        clauses.append(["reference", _quoted(draw(_TEXT))])
    if block and draw(st.booleans()):
        clauses.append(["severity", draw(st.sampled_from(SEVERITIES))])
    return clauses


@st.composite
def _rule(draw, number: int, names) -> list[str]:
    clauses = draw(_clauses(block=False))
    condition = draw(_condition(names))
    clauses.append(["when", *condition])
    if any(a == "other" and b == "." for a, b in zip(condition, condition[1:])) and draw(st.booleans()):
        clauses.append(["once", "per", "line"])  # a pair rule (it reads `other.`) may fire once per line
    if any(a == "other" and b == "." for a, b in zip(condition, condition[1:])) and draw(st.booleans()):
        clauses.append(["across", "providers"])  # and pair the lines of two providers
    message = draw(_TEXT).replace("{", "(").replace("}", ")") + draw(st.sampled_from(PLACEHOLDERS))
    clauses.append(["then", draw(st.sampled_from(SEVERITIES)), "line", _quoted(message)])
    order = draw(st.permutations(range(len(clauses))))
    title = [_quoted(draw(_TEXT))] if draw(st.booleans()) else []
    return ["rule", *_rule_id("gen", number), *title] + [t for k in order for t in clauses[k]] + ["end"]


@st.composite
def _effective_tail(draw) -> list[str]:
    tokens = []
    if draw(st.booleans()):
        tokens += ["effective", draw(st.sampled_from(DATES))]
        if draw(st.booleans()):
            tokens += ["through", "2027-12-31"]
    return tokens


@st.composite
def _edit_block(draw, number: int) -> list[str]:
    kind = draw(st.sampled_from(("pairs", "limits", "addons")))
    clauses = [c for c in draw(_clauses(block=True)) if c[0] != "kind"]
    order = draw(st.permutations(range(len(clauses))))
    title = [_quoted(draw(_TEXT))] if draw(st.booleans()) else []
    tokens = [kind, *_rule_id(kind, number), *title] + [t for k in order for t in clauses[k]]
    rows = draw(st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(CODES)), min_size=0, max_size=4,
                         unique_by=lambda pair: pair[0]))
    for first, second in rows:
        if kind == "pairs":
            if first == second:
                second = CODES[(CODES.index(first) + 1) % len(CODES)]
            if draw(st.integers(0, 4)) == 0:
                tokens += ["disable", "pair", first, "with", second]
                continue
            indicator = draw(st.sampled_from((["0"], ["1"], ["9"], ["allowed"], ["not", "allowed"],
                                              ["not", "applicable"])))
            tokens += ["pair", first, "with", second, "modifier", *indicator, *draw(_effective_tail())]
            if draw(st.booleans()):
                tokens.append(_quoted(draw(_TEXT)))
        elif kind == "limits":
            if draw(st.integers(0, 4)) == 0:
                tokens += ["disable", "limit", first]
                continue
            tokens += ["limit", first, "max", str(draw(st.integers(1, 9))), "mai", str(draw(st.integers(1, 3))),
                       *draw(_effective_tail())]
            if draw(st.booleans()):
                tokens.append(_quoted(draw(_TEXT)))
        else:
            if draw(st.integers(0, 4)) == 0:
                tokens += ["disable", "addon", first]
                continue
            aoc_type = draw(st.sampled_from(("1", "2", "3")))
            tokens += ["addon", first, "type", aoc_type]
            if aoc_type == "1" or draw(st.booleans()):
                tokens += ["primaries", *draw(_set_expr([c for c in CODES if c != first]))]
            tokens += draw(_effective_tail())
    return tokens + ["end"]


@st.composite
def rule_statements(draw) -> list[list[str]]:
    """The statements of a valid rule file, each a list of tokens."""
    names = {"codes": [], "modifiers": [], "diagnoses": [], "places": []}
    pools = {"codes": CODES + RANGES, "modifiers": MODIFIERS, "diagnoses": DIAGNOSES, "places": PLACES}
    statements = []
    for number in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(sorted(pools)))
        name = f"{kind[:3]}_set_{number}"
        refs = names[kind] if kind == "codes" else ()
        statements.append([kind, name, "=", *draw(_set_expr(pools[kind], refs))])
        names[kind].append(name)
    if draw(st.booleans()):
        statements.append(["property", "pctc", "=", draw(st.sampled_from(("1", "2", "3"))), "for",
                           *draw(_set_expr(CODES + RANGES))])
    if draw(st.booleans()):
        payers = draw(st.sampled_from(([], ["for", "payer", "acme"], ["for", "payers", "acme", ",", '"Blue Plan"'])))
        statements.append(["setting", "modifier_placement", "=", draw(st.sampled_from(("either", "column2"))),
                           *payers])
    for number in range(draw(st.integers(0, 3))):
        statements.append(draw(_rule(number, names)))
    for number in range(draw(st.integers(0, 2))):
        statements.append(draw(_edit_block(number)))
    order = draw(st.permutations(range(len(statements))))
    statements = [statements[k] for k in order]
    if draw(st.booleans()):
        header = ["ruleset", _quoted(draw(_TEXT)), "version", _quoted(draw(_TEXT))]
        statements.insert(draw(st.integers(0, len(statements))), header)
    return statements


_GLUE = {",", "(", ")", "[", "]", "."}
#: Ways to separate two tokens, the first ones most often.
_SEPARATORS = (" ", " ", " ", " ", " ", " ", "  ", "\n", "\n  ", "\n\n", "\t", "\n   ")
_PRINTABLE = "".join(chr(c) for c in range(32, 127))


def _comment(rnd) -> str:
    return "# " + "".join(rnd.choice(_PRINTABLE) for _ in range(rnd.randint(0, 12)))


def _separator(rnd, before: str, after: str) -> str:
    choice = rnd.randint(0, 19)
    if choice == 0:
        return f"  {_comment(rnd)}\n" + rnd.choice(("", "  ", "\n"))
    if choice == 1:
        return f"\n{rnd.choice(('', '  ', '    '))}{_comment(rnd)}\n" + rnd.choice(("", "\n"))
    if choice == 2 and (before in _GLUE or after in _GLUE):
        return ""
    return rnd.choice(_SEPARATORS)


@st.composite
def layouts(draw, statements: list[list[str]]) -> str:
    """The statements' tokens joined by random whitespace and comments."""
    rnd = draw(st.randoms(use_true_random=False))  # far cheaper than one draw per gap
    tokens = [t for statement in statements for t in statement]
    parts = []
    if rnd.random() < 0.5:
        parts.append(_comment(rnd) + "\n" + rnd.choice(("", "\n")))
    for k, token in enumerate(tokens):
        if k:
            parts.append(_separator(rnd, tokens[k - 1], token))
        parts.append(token)
    if rnd.random() < 0.5:
        parts.append(rnd.choice(("\n# the end", "  # last", "\n\n# the end\n")))
    parts.append(rnd.choice(("", "\n", "\n\n")))
    return "".join(parts)


@st.composite
def rule_files(draw) -> str:
    """A valid rule file in a random layout."""
    return draw(layouts(draw(rule_statements())))


#: Claims that touch the codes, modifiers, diagnoses, payers and dates above.
CLAIMS = [
    {"payer": "acme", "type": "professional", "received": "2026-04-01",
     "patient": {"birth_date": "1960-05-01", "sex": "F"}, "diagnoses": ["Z87.891", "R10.9"],
     "lines": [{"code": "70450", "date": "2026-03-02", "diagnosis_pointers": [1]},
               {"code": "70470", "date": "2026-03-02", "modifiers": ["26"], "units": 2},
               {"code": "71046", "date": "2026-03-02", "modifiers": ["59", "LT"], "place_of_service": "22"},
               {"code": "71045", "date": "2026-03-02", "diagnosis_pointers": [2]}]},
    {"payer": "Blue Plan", "type": "institutional", "prior_auth": "PA1",
     "patient": {"birth_date": "1990-01-01", "sex": "M"}, "diagnoses": ["C34.11"],
     "lines": [{"code": "74176", "date": "2024-06-01", "diagnosis_pointers": [1]},
               {"code": "74150", "date": "2024-06-01", "modifiers": ["XS"], "units": 3},
               {"code": "77067", "date": "2024-06-01", "modifiers": ["TC", "RT"]}]},
    {"payer": "medicare", "received": "2027-01-15", "patient": {"sex": "U"},
     "lines": [{"code": "71271", "date": "2025-12-31", "units": 1, "rendering_npi": "1234567893"},
               {"code": "71271", "date": "2025-12-31", "modifiers": ["76"], "charge": 10},
               {"code": "74177", "date": "2026-01-01", "units": 9},
               {"code": "70460", "date": "2026-01-01", "modifiers": ["26", "TC"]}]},
    {"lines": [{"code": "77067", "date": "2020-01-01"}, {"code": "70450", "date": "2020-01-01", "units": 4}]},
]
