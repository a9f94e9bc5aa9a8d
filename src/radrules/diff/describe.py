"""Canonical descriptions of compiled rules and rows, and how to show them to people.

Two rulesets are compared through these descriptions, never through source
text or positions: moving a rule, editing a comment or reordering the
conjuncts of an ``and`` is no change. A rule's condition is compared as its
compiled tree with named code sets expanded, so adding a code to a set that
a rule reads changes that rule.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from .. import conditions as c
from ..condition_values import FiredValues
from ..codes import category_position
from ..tables import payers_text
from ..model import dates_text, window_text
from ..compiler.fields import CLAIM_FIELDS, LINE_FIELDS, PATIENT_FIELDS

ARROW = "->"
#: How many codes a list shows before "and N more".
SHOWN_CODES = 12


# ---------------------------------------------------------------- canonical forms


def canonical(node):
    """A hashable, order-free form of a compiled condition, operand or message.

    Source text (``text``) and derived fields are left out; the parts of
    ``and`` and ``or`` are sorted (both are commutative), sets are sorted.
    """
    if isinstance(node, (c.And, c.Or)):
        return (type(node).__name__, tuple(sorted((canonical(part) for part in node.parts), key=repr)))
    if attrs.has(type(node)):
        return (type(node).__name__,) + tuple(
            (field.name, canonical(_unordered(field.name, getattr(node, field.name))))
            for field in attrs.fields(type(node)) if field.init and field.eq and field.name != "text"
        )
    if isinstance(node, (frozenset, set)):
        return ("set", tuple(sorted(node, key=repr)))
    if isinstance(node, (tuple, list)):
        return tuple(canonical(item) for item in node)
    return node


#: Tuple fields of condition nodes whose order means nothing (code prefixes, carved prefixes).
_SET_FIELDS = ("prefixes", "carved", "except_prefixes", "except_carved")


def _unordered(name: str, value):
    return frozenset(value) if name in _SET_FIELDS and isinstance(value, tuple) else value


def _shape(node):
    """``canonical`` with every set's members left out: what stays when only sets change."""
    if isinstance(node, tuple):
        if node and node[0] == "set":
            return ("set",)
        return tuple(_shape(item) for item in node)
    return node


def scope_fields(scope) -> dict:
    return {
        "payers": sorted(scope.payers) if scope.payers is not None else None,
        "claim_types": sorted(scope.claim_types) if scope.claim_types is not None else None,
        "start": format_date(scope.start),
        "end": format_date(scope.end),
    }


def info_fields(info) -> dict:
    return {"kind": info.kind, "severity": info.severity, "title": info.title, "carc": info.carc,
            "rarc": list(info.rarc), "reference": info.reference}


def rule_description(rule) -> dict:
    """What a ``rule`` block says, JSON-ready, with its condition and message as written."""
    out = info_fields(rule.info)
    out.update(scope_fields(rule.scope))
    out.update(exclusion_fields(rule.scope))
    out["target"] = rule.target
    out["once_per_line"] = rule.once_per_line
    out["across_providers"] = rule.across_providers
    out["condition"] = condition_text(rule.condition)
    out["message"] = template_text(rule.message)
    out["group"] = f"{rule.group_when[0]} when {condition_text(rule.group_when[1])}" if rule.group_when else None
    return out


def rule_key(rule):
    """The canonical form two versions of a rule are compared by."""
    info = rule.info
    return (info.kind, info.severity, info.title, info.carc, info.rarc, info.reference, canonical(rule.scope),
            rule.target, rule.once_per_line, rule.across_providers, canonical(rule.condition), canonical(rule.message),
            (rule.group_when[0], canonical(rule.group_when[1])) if rule.group_when else None)


def exclusion_fields(scope) -> dict:
    """Whom ``disable rule`` statements leave a rule out for (``disabled_for``: ``payer pinecrest, institutional
    claims``), and the loaded tables that replace a stand-in (``replaced_by_table``, from ``unless table``)."""
    return {
        "disabled_for": sorted(_whom(e.payers, e.claim_types) for e in scope.excluded if e.table is None),
        "replaced_by_table": sorted(({"kind": e.table, "claim_types": sorted(e.claim_types)}
                                     | ({"payers": sorted(e.payers)} if e.payers is not None else {})
                                     for e in scope.excluded if e.table is not None),
                                    key=lambda x: (x["kind"], x.get("payers", []))),
    }


def _replaced_text(entry: dict) -> str:
    """``a loaded addon table, for professional claims`` (``of payer acme``, for a table `for payer`)."""
    payers = entry.get("payers")
    whose = f" of {payers_text(payers)}" if payers else ""
    return f"a loaded {entry['kind']} table, for {', '.join(entry['claim_types'])} claims{whose}"


def _whom(payers, claim_types) -> str:
    """``payer acme, professional claims`` (``every payer`` when open)."""
    parts = ["payer " + ", ".join(sorted(payers)) if payers else "every payer"]
    if claim_types:
        parts.append(", ".join(sorted(claim_types)) + " claims")
    return ", ".join(parts)


def scope_text(desc: dict) -> str:
    """``for payer acme, professional claims, from 2026-01-01`` (``for every payer`` when open)."""
    window = dates_text(desc["start"], desc["end"])
    left_out = "".join(f"; disabled for {text}" for text in desc.get("disabled_for", ()))
    left_out += "".join(f"; replaced by {_replaced_text(entry)}" for entry in desc.get("replaced_by_table", ()))
    return "for " + _whom(desc["payers"], desc["claim_types"]) + (f", {window}" if window else "") + left_out


def block_description(block) -> dict:
    """What the header of a ``pairs``/``limits``/``addons`` block says."""
    out = info_fields(block.info)
    out.update(scope_fields(block.scope))
    out["replaced_by_table"] = exclusion_fields(block.scope)["replaced_by_table"]  # no `disable rule` for a block
    return out


# ---------------------------------------------------------------- rows

#: The fields of each kind of row, in the order of their value tuples: (JSON name, label).
ROW_FIELDS = {
    "pair": (("start", "from"), ("end", "until"), ("indicator", "modifier"), ("rationale", "rationale")),
    "limit": (("start", "from"), ("end", "until"), ("max_units", "max units"), ("mai", "MAI"),
              ("rationale", "rationale")),
    "addon": (("start", "from"), ("end", "until"), ("type", "type"), ("primaries", "primaries"),
              ("primary_ends", "primaries end")),
    "pctc": (("pctc", "PC/TC indicator"), ("bilateral", "bilateral indicator")),
    "hcpcs": (("start", "valid from"), ("end", "valid through")),
    "icd10cm": (("billable", "billable"),),
}
INDICATORS = {0: "not allowed", 1: "allowed", 9: "not applicable"}


def pair_value(row) -> tuple:
    return (row.start, row.end, row.indicator, row.rationale)


def limit_value(row) -> tuple:
    return (row.start, row.end, row.max_units, row.mai, row.rationale)


def addon_value(row) -> tuple:
    primaries = tuple(sorted(row.primaries)) if row.primaries is not None else None
    ends = tuple(sorted(row.primary_ends.items())) if row.primary_ends else None
    return (row.start, row.end, row.aoc_type, primaries, ends)


def row_fields(kind: str, value: tuple) -> dict:
    """A row's value tuple as JSON: dates ISO, primaries a list."""
    out = {}
    for (name, _label), item in zip(ROW_FIELDS[kind], value):
        if name in ("start", "end"):
            item = format_date(item)
        elif name == "primaries" and item is not None:
            item = list(item)
        elif name == "primary_ends" and item is not None:
            item = {code: format_date(end) for code, end in item}
        out[name] = item
    return out


def row_text(kind: str, value: tuple) -> str:
    """A row for people: ``modifier allowed, from 2024-01-01, "Mutually exclusive procedures"``."""
    if kind == "pctc":
        return ", ".join(f"{label} {'none' if v is None else v}" for (_, label), v in zip(ROW_FIELDS[kind], value))
    if kind == "hcpcs":
        return "valid " + (window_text(value[0], value[1]) or "always")
    if kind == "icd10cm":
        return "billable" if value[0] else "header (not billable)"
    parts = []
    start, end = value[0], value[1]
    if kind == "pair":
        parts.append(f"modifier {INDICATORS.get(value[2], value[2])}")
    elif kind == "limit":
        parts.append(f"max {value[2]} mai {value[3]}")
    else:
        parts.append(f"type {value[2]}")
        parts.append("any primary" if value[3] is None else f"primaries {code_list(value[3])}")
    parts.append(window_text(start, end))
    rationale = value[3] if kind == "pair" else value[4] if kind == "limit" else None
    if rationale:
        parts.append(f'"{rationale}"')
    return ", ".join(part for part in parts if part)


def row_details(kind: str, old: tuple, new: tuple) -> list[str]:
    """One line per field that differs: ``max units: 1 -> 2``."""
    out = []
    for index, (name, label) in enumerate(ROW_FIELDS[kind]):
        before, after = old[index], new[index]
        if before == after:
            continue
        if name == "primaries" and before is not None and after is not None:
            out.append(f"{label}: {set_change(before, after)}")
        elif name in ("start", "end"):
            out.append(f"{label}: {format_date(before) or 'none'} {ARROW} {format_date(after) or 'none'}")
        elif name == "indicator":
            out.append(f"{label}: {INDICATORS.get(before, before)} {ARROW} {INDICATORS.get(after, after)}")
        elif name == "billable":
            out.append(f"{label}: {'yes' if before else 'no'} {ARROW} {'yes' if after else 'no'}")
        elif name == "primary_ends":  # (code, deletion date ordinal) pairs
            shown = [", ".join(f"{code} {format_date(end)}" for code, end in ends) if ends else "none"
                     for ends in (before, after)]
            out.append(f"{label}: {shown[0]} {ARROW} {shown[1]}")
        elif name == "rationale":  # a text, quoted as in row_text (`Zeta` too, not only texts with a space)
            out.append(f"{label}: {_quoted(before)} {ARROW} {_quoted(after)}")
        else:
            out.append(f"{label}: {show(before)} {ARROW} {show(after)}")
    return out


def match_rows(old: list, new: list) -> tuple[list, list, list]:
    """(added, removed, changed pairs) between two lists of row values of one key.

    Identical rows match first (as a multiset); then rows with the same first
    field (their start date); a single row left on each side is a change.
    """
    if old == new:
        return [], [], []
    remaining = list(old)
    added = []
    for value in new:
        try:
            remaining.remove(value)
        except ValueError:
            added.append(value)
    removed = remaining
    changed = []
    if added and removed:
        unmatched = []
        for value in added:
            partner = next((r for r in removed if r[0] == value[0]), None)
            if partner is None:
                unmatched.append(value)
            else:
                removed.remove(partner)
                changed.append((partner, value))
        added = unmatched
        if len(added) == 1 and len(removed) == 1:
            changed.append((removed.pop(), added.pop()))
    return added, removed, changed


# ---------------------------------------------------------------- rule details


_RULE_LABELS = (("kind", "kind"), ("severity", "severity"), ("title", "title"), ("payers", "payers"),
                ("claim_types", "claim types"), ("start", "from"), ("end", "until"),
                ("disabled_for", "disabled for"), ("replaced_by_table", "replaced by"), ("target", "acts on"),
                ("once_per_line", "once per line"), ("across_providers", "across providers"),
                ("condition", "condition"), ("message", "message"),
                ("carc", "carc"), ("rarc", "rarc"), ("group", "group"), ("reference", "reference"))


def rule_details(old: dict, new: dict, old_rule=None, new_rule=None) -> list[str]:
    """One line per field that differs between two rule (or block) descriptions.

    With the compiled rules, a condition is compared node by node: a code
    set that gained codes says which.
    """
    out = []
    for name, label in _RULE_LABELS:
        if name == "condition" and old_rule is not None and new_rule is not None:
            out.extend(f"{label}: {line}" for line in condition_changes(old_rule.condition, new_rule.condition))
            continue
        if name not in old or old[name] == new.get(name):
            continue
        before, after = old[name], new[name]
        if name == "payers":
            before, after = ", ".join(before or ["every payer"]), ", ".join(after or ["every payer"])
        elif name == "claim_types":
            before, after = ", ".join(before or ["every claim type"]), ", ".join(after or ["every claim type"])
        elif name == "rarc":
            before, after = " ".join(before) or "none", " ".join(after) or "none"
        elif name == "group":
            before, after = before or "none", after or "none"
        elif name == "disabled_for":
            before, after = "; ".join(before) or "no one", "; ".join(after) or "no one"
        elif name in ("once_per_line", "across_providers"):
            before, after = ("yes" if side else "no" for side in (before, after))
        elif name == "replaced_by_table":
            before, after = ("; ".join(map(_replaced_text, side)) or "no table" for side in (before, after))
        else:
            before, after = show(before), show(after)
        out.append(f"{label}: {before} {ARROW} {after}")
    if not out and old_rule is not None and canonical(old_rule.message) != canonical(new_rule.message):
        out.append("message: reads different fields")
    return out


def condition_changes(old, new) -> list[str]:
    """What differs between two compiled conditions, for people (empty if nothing)."""
    if canonical(old) == canonical(new):
        return []
    if type(old) is type(new):
        if isinstance(old, (c.And, c.Or)):
            return _parts_changes(old.parts, new.parts)
        if isinstance(old, c.Not):
            return condition_changes(old.part, new.part)
        if _shape(canonical(old)) == _shape(canonical(new)):
            before, after = _members(old), _members(new)
            if before != after:
                return [f"`{node_text(new)}`: {set_change(before, after)}"]
    before, after = node_text(old), node_text(new)
    if before == after:
        return [f"`{after}` reads different values"]
    return [f"`{before}` {ARROW} `{after}`"]


def _members(node) -> set[str]:
    """The codes a set test names, as written: codes, ``prefix*``, ``prefix* except ...``; the modifiers of a
    ``with modifier`` clause, and of the sets ``among`` narrows a comparison's lists to, as ``modifier JW``; the
    codes and modifiers of a comparison's ``claim units of``."""
    shown = _diagnosis if _reads_diagnoses(node) else str
    out = set()
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        if field.name in ("modifiers", "among") and isinstance(value, frozenset):
            out.update(f"modifier {modifier}" for modifier in value)
        elif isinstance(value, c.Among):  # `other.modifiers among sites = line.modifiers among sites`
            out.update(f"modifier {modifier}" for modifier in value.values)
        elif isinstance(value, c.ClaimUnits):  # `claim units of [37236, 37237] on the same date > 3`
            out.update(_members(value))
        elif isinstance(value, frozenset):
            out.update(map(shown, value))
        elif field.name == "prefixes":
            out.update(shown(prefix) + "*" for prefix in value)
        elif field.name == "carved":
            for match in value:
                taken = sorted([*map(shown, match.except_values), *(shown(p) + "*" for p in match.except_prefixes)])
                out.add(f"{shown(match.prefix)}* except {', '.join(taken) or '...'}")
    return out


def _reads_diagnoses(node) -> bool:
    operand = getattr(node, "operand", None)
    return (isinstance(operand, c.LineAttr) and operand.attr == "dxset") or (
        isinstance(operand, c.ClaimAttr) and operand.attr == "diagnoses")


def _diagnosis(code: str) -> str:
    """An ICD-10-CM code as written, with the dot after its third character (they are kept without)."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def _parts_changes(old_parts, new_parts) -> list[str]:
    remaining = list(old_parts)
    added = []
    for part in new_parts:
        key = canonical(part)
        match = next((p for p in remaining if canonical(p) == key), None)
        if match is None:
            added.append(part)
        else:
            remaining.remove(match)
    out = []
    unmatched = []
    for part in added:
        shape = _shape(canonical(part))
        partner = next((p for p in remaining if type(p) is type(part) and _shape(canonical(p)) == shape), None)
        if partner is None:
            partner = next((p for p in remaining if type(p) is type(part) and isinstance(p, (c.And, c.Or, c.Not))),
                           None)
        if partner is None:
            unmatched.append(part)
        else:
            remaining.remove(partner)
            out.extend(condition_changes(partner, part))
    if len(unmatched) == 1 and len(remaining) == 1 and type(unmatched[0]) is type(remaining[0]):
        out.extend(condition_changes(remaining.pop(), unmatched.pop()))
    out.extend(f"removed `{node_text(part)}`" for part in remaining)
    out.extend(f"added `{node_text(part)}`" for part in unmatched)
    return out


def set_change(old, new) -> str:
    """``codes added 71271; removed 70450-70452``."""
    old, new = set(old), set(new)
    parts = []
    if new - old:
        parts.append(f"added {code_list(new - old)}")
    if old - new:
        parts.append(f"removed {code_list(old - new)}")
    return "; ".join(parts) or "no change"


# ---------------------------------------------------------------- text


def condition_text(node) -> str:
    """A condition as rule text (rebuilt from the compiled tree, sets by their members), its parts in the
    order the rule writes them (the compiled ``and`` tests the cheapest first)."""
    if isinstance(node, c.And):
        return " and ".join(_grouped(part) for part in (node.written or node.parts))
    if isinstance(node, c.Or):
        return " or ".join(_grouped(part) for part in node.parts)
    if isinstance(node, c.Not):
        return "not " + _grouped(node.part)
    return node_text(node)


def _grouped(node) -> str:
    text = condition_text(node)
    return f"({text})" if isinstance(node, (c.And, c.Or)) else text


#: A quoted text, kept as written in each step of ``_spaced``.
_QUOTED = r'("(?:[^"\\\n]|\\.)*")'
_SPACING = (re.compile(_QUOTED + r"|#[^\n]*"), re.compile(_QUOTED + r"|\s+"),
            re.compile(_QUOTED + r"|(?<=[\[(]) | (?=[\]),])"), re.compile(_QUOTED + r"|,(?=[^\s\])])"))


def _spaced(text: str) -> str:
    """A condition's source text as ``fmt`` would space it: comments dropped, one space between words and after
    a comma, none inside brackets or before a comma, so that re-spacing a rule is no change in the report."""
    for pattern, spacing in zip(_SPACING, ("", " ", "", ", ")):
        text = pattern.sub(lambda match: match.group(1) or spacing, text)
    return text.strip()


def node_text(node) -> str:
    """One condition node as written (rebuilt from its parts when it has no source text)."""
    text = getattr(node, "text", "")
    if text:
        return _spaced(text)
    if isinstance(node, (c.And, c.Or, c.Not)):
        return condition_text(node)
    if isinstance(node, c.Always):
        return "always"
    return text or type(node).__name__.lower()


_LINE_NAMES = {attr: name for name, (attr, _type) in LINE_FIELDS.items() if attr}
_CLAIM_NAMES = {attr: f"claim.{name}" for name, (attr, _type) in CLAIM_FIELDS.items()}
_CLAIM_NAMES.update({attr: f"patient.{name}" for name, (attr, _type) in PATIENT_FIELDS.items() if attr})


def operand_text(node) -> str:
    """A compiled operand as the field it reads: ``line.code``, ``patient.age``."""
    root = "other" if getattr(node, "role", 0) else "line"
    if isinstance(node, c.LineAttr):
        return f"{root}.{_LINE_NAMES.get(node.attr, node.attr)}"
    if isinstance(node, c.LinePlace):
        return f"{root}.place_of_service"
    if isinstance(node, c.LineAuthorization):
        return f"{root}.authorization"
    if isinstance(node, c.PropertyOf):
        return f"{root}.{node.name}"
    if isinstance(node, c.PatientAge):
        return "patient.age"
    if isinstance(node, c.ClaimAttr):
        return _CLAIM_NAMES.get(node.attr, f"claim.{node.attr}")
    if isinstance(node, c.DateShift):
        amount = [f"{node.months} months"] if node.months else []
        amount += [f"{node.days} days"] if node.days else []
        return (f"{operand_text(node.inner)} + {' + '.join(amount) or '0 days'}"
                + (" to a workday" if node.workday else ""))
    if isinstance(node, c.Among):
        return f"{operand_text(node.operand)} among [{show(sorted(node.values))}]"
    if isinstance(node, c.Const):
        return show(node.value)
    if isinstance(node, FiredValues):
        return "values"
    return type(node).__name__


def template_text(template) -> str:
    """A message as written: ``{line.code} needs prior authorization``."""
    return "".join(part if isinstance(part, str) else "{" + operand_text(part[0]) + "}" for part in template.parts)


def _quoted(text: str | None) -> str:
    return f'"{text}"' if text else "none"


def show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return f'"{value}"' if " " in value or not value else value
    if isinstance(value, (list, tuple)):
        return ", ".join(show(v) for v in value) or "none"
    return str(value)


def format_date(ordinal: int | None) -> str | None:
    """ISO date of an ordinal; None for an open end (or the "always" start 1)."""
    if ordinal is None or ordinal <= 1:
        return None
    return dt.date.fromordinal(ordinal).isoformat()


_NUMERIC = re.compile(r"^[0-9]{5}$")


def _category_runs(texts) -> dict:
    """For the ICD-10-CM categories among ``texts`` in runs of three or more in Tabular order: the first of each
    run (by its text) shown as the run's range, the others None (shown by it)."""
    placed = sorted((position, text) for text in texts if (position := category_position(text)) is not None)
    shown: dict = {}
    start = 0
    for end in range(1, len(placed) + 1):
        if end == len(placed) or placed[end][0] != placed[end - 1][0] + 1:
            members = [text for _, text in placed[start:end]]
            if len(members) >= 3:
                shown.update(dict.fromkeys(members))
                shown[min(members)] = f"{members[0]}-{members[-1]}"
            start = end
    return shown


def code_list(codes, limit: int = SHOWN_CODES) -> str:
    """Codes sorted, runs of three or more consecutive numeric codes as ranges, and of three or more ICD-10-CM
    categories in Tabular order as the range that holds them (`C97-D49`, `C43-C44` with C4A), at most ``limit``
    items."""
    items: list[str] = []
    run: list[int] = []
    texts = sorted(str(code) for code in codes)
    category_runs = _category_runs(texts)

    def flush():
        if run:
            if len(run) < 3:
                items.extend(f"{number:05d}" for number in run)
            else:
                items.append(f"{run[0]:05d}-{run[-1]:05d}")
            run.clear()

    for code in texts:
        if _NUMERIC.match(code):
            number = int(code)
            if run and number != run[-1] + 1:
                flush()
            run.append(number)
        else:
            flush()
            shown = category_runs.get(code, code)
            if shown is not None:
                items.append(shown)
    flush()
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return ", ".join(items)
