"""Build the per-payer, per-claim-type views that evaluation reads.

Rules are filed under the codes (or modifiers) a line must carry; edit rows
are filed by code pair and by code. For each key the rows of the most
specific level win (payer-scoped rule file > rule file > table), and a
``disable`` removes a key for its scope.
"""

from __future__ import annotations

from collections import defaultdict

from .. import model as m
from ..claim import CLAIM_TYPES


def select(rows, disables, payer: str | None, claim_type: str) -> tuple:
    """The rows of one key that apply to a payer and claim type, after overrides."""
    best = -1
    chosen: list = []
    for row in rows:
        scope = row.block.scope
        if not scope.applies_to(payer, claim_type):
            continue
        if scope.level > best:
            best, chosen = scope.level, [row]
        elif scope.level == best:
            chosen.append(row)
    for disable in disables:
        if disable.scope.applies_to(payer, claim_type) and disable.scope.level >= best:
            return ()
    return tuple(chosen)


def build_views(rules, rows_by_key: dict, disables_by_key: dict, payers, settings: dict, properties: dict) -> dict:
    """{(payer or None, claim type): View} for every payer named and for all others."""
    views = {}
    for payer in sorted(payers) + [None]:
        for claim_type in CLAIM_TYPES:
            views[(payer, claim_type)] = _view(
                rules, rows_by_key, disables_by_key, payer, claim_type, settings, properties,
            )
    return views


def _view(rules, rows_by_key, disables_by_key, payer, claim_type, settings, properties) -> m.View:
    line_by_code: dict = defaultdict(list)
    line_by_modifier: dict = defaultdict(list)
    line_generic: list = []
    pair_by_code: dict = defaultdict(list)
    pair_generic: list = []
    claim_rules: list = []
    for rule in rules:
        if not rule.scope.applies_to(payer, claim_type):
            continue
        if rule.shape == "claim":
            claim_rules.append(rule)
        elif rule.shape == "line":
            if rule.index_codes is not None:
                for code in rule.index_codes:
                    line_by_code[code].append(rule)
            elif rule.index_modifiers is not None:
                for modifier in rule.index_modifiers:
                    line_by_modifier[modifier].append(rule)
            else:
                line_generic.append(rule)
        else:
            if rule.index_codes is not None:
                for code in rule.index_codes:
                    pair_by_code[code].append(rule)
            else:
                pair_generic.append(rule)

    pairs: dict = {}
    limits: dict = {}
    addons: dict = {}
    for (kind, key), rows in rows_by_key.items():
        chosen = select(rows, disables_by_key.get((kind, key), ()), payer, claim_type)
        if not chosen:
            continue
        if kind == "pair":
            pairs.setdefault(key[0], {})[key[1]] = chosen
        elif kind == "limit":
            limits[key[0]] = chosen
        else:
            addons[key[0]] = chosen

    placement = settings.get(("modifier_placement", payer), settings.get(("modifier_placement", None), "column2"))
    return m.View(
        payer=payer,
        claim_type=claim_type,
        line_rules_by_code={k: tuple(v) for k, v in line_by_code.items()},
        line_rules_by_modifier={k: tuple(v) for k, v in line_by_modifier.items()},
        line_rules_generic=tuple(line_generic),
        pair_rules_by_code={k: tuple(v) for k, v in pair_by_code.items()},
        pair_rules_generic=tuple(pair_generic),
        claim_rules=tuple(claim_rules),
        pairs=pairs,
        limits=limits,
        addons=addons,
        addon_codes=frozenset(addons),
        modifier_placement=placement,
        properties=properties,
    )
