"""Build the per-payer, per-claim-type views that evaluation reads.

Rules are filed under the codes (or modifiers) a line must carry; edit rows
are filed by code pair and by code. For each key the rows of the most
specific level win, date by date (payer-scoped rule file > rule file > table),
and a ``disable`` removes a key for its scope (:mod:`.selection`).
"""

from __future__ import annotations

from collections import defaultdict

from .. import model as m
from ..claim import CLAIM_TYPES
from .selection import chosen_rows, disabled_on_some_date, select


#: At most this many entries in the indexes of all views together: each payer a ruleset names gets views of its
#: own (one per claim type), each with its rules filed by code (each code's entry also holding the rules that
#: apply to every line) and the rule-file rows of its keys; so a rule over every code, or many rows, times
#: many payers would otherwise take gigabytes from a few lines of text (RR255).
MAX_INDEX_ENTRIES = 3_000_000


def index_size(rules, rows_by_key: dict, payers) -> tuple[int, object, int]:
    """(entries the views would hold, the rule filed under the most codes, the rule-file row keys of all
    views), counted as :func:`_view` builds
    them: per view, a (code, rule) pair for each rule filed by code, each distinct code again for each rule
    that applies to every line, and a key for each rule-file row key the view selects."""
    widest = max((rule for rule in rules if rule.index_codes is not None),
                 key=lambda rule: len(rule.index_codes), default=None)
    views = [(payer, claim_type) for payer in sorted(payers) + [None] for claim_type in CLAIM_TYPES]
    # Rules for every payer are the same in each payer's view of a claim type: their distinct codes once.
    common: dict = {}
    for claim_type in CLAIM_TYPES:
        codes: dict = {"line": set(), "pair": set()}
        for rule in rules:
            if not rule.scope.payers and rule.scope.applies_to(None, claim_type) and filing(rule) == "code":
                codes[rule.shape] |= rule.index_codes
        common[claim_type] = codes
    total = 0
    for payer, claim_type in views:
        filed = {"line": 0, "pair": 0}
        generic = {"line": 0, "pair": 0}
        extra: dict = {"line": set(), "pair": set()}
        for rule in rules:
            if not rule.scope.applies_to(payer, claim_type):
                continue
            where = filing(rule)
            if where == "code":
                filed[rule.shape] += len(rule.index_codes)
                if rule.scope.payers:
                    extra[rule.shape] |= rule.index_codes - common[claim_type][rule.shape]
            elif where == "every line":
                generic[rule.shape] += 1
        for shape in filed:
            distinct = len(common[claim_type][shape]) + len(extra[shape])
            total += filed[shape] + distinct * generic[shape]
    keys = _row_keys(rows_by_key, payers)
    return total + keys, widest, keys


def filing(rule) -> str:
    """Where a view files ``rule``: ``claim`` (claim rules), ``uncoded`` (line rules that ask `line.code is
    missing`, run on the lines of a revenue code alone), ``history`` (line rules that read history, run
    only with one), ``authorization`` (line rules that need authorization records, run only with them), under
    its ``code``s, its ``modifier``s or its ``place``s, or with the rules of ``every line`` (of every pair, for
    a pair rule). A pair rule is filed by code or for every pair."""
    if rule.shape == "claim":
        return "claim"
    if rule.shape == "line" and rule.uncoded:
        return "uncoded"
    if rule.shape == "line" and rule.needs_history:
        return "history"
    if rule.shape == "line" and rule.needs_authorization:
        return "authorization"
    if rule.index_codes is not None:
        return "code"
    if rule.shape == "line":
        if rule.index_modifiers is not None:
            return "modifier"
        if rule.index_places is not None:
            return "place"
    return "every line"


def _row_keys(rows_by_key: dict, payers) -> int:
    """The rule-file row keys all views select together: a key with a row for every payer counts in each
    payer's view of its claim types, one with payer rows only in those payers' views."""
    count = 0
    views_per_type = len(payers) + 1
    for rows in rows_by_key.values():
        for claim_type in CLAIM_TYPES:
            scopes = [row.block.scope for row in rows if row.block.scope.applies_to(None, claim_type)
                      or row.block.scope.payers]
            if any(not scope.payers and scope.applies_to(None, claim_type) for scope in scopes):
                count += views_per_type
            else:
                named = {payer for scope in scopes for payer in scope.payers if scope.applies_to(payer, claim_type)}
                count += len(named)
    return count


def build_views(rules, rows_by_key: dict, disables_by_key: dict, payers, settings: dict, properties: dict,
                loaded_tables: list) -> dict:
    """{(payer or None, claim type): View} for every payer named and for all others."""
    from .. import tables
    from ..lookups import share_key_budget

    bound: dict = {}  # each table version bound once, whichever payers' views it serves
    scoped: dict = {}  # the versions of a kind and claim type a payer's view has, by the list's ids: shared alike

    def versions_of(payer, claim_type):
        found = {}
        for kind in ("ptp", "mue", "addon"):
            chosen = tables.serving(loaded_tables, kind, claim_type, payer)
            key = (kind, claim_type, tuple(map(id, chosen)))
            if key not in scoped:
                scoped[key] = tables.bound_versions(chosen, kind, bound)
            found[kind] = scoped[key]
        return found

    code_properties = _properties(properties, tables.versions(loaded_tables, "pctc", None))
    code_sets = tables.code_sets(loaded_tables)
    keys = _keys_by_payer(rows_by_key, disables_by_key)
    views = {}
    for payer in sorted(payers) + [None]:
        for claim_type in CLAIM_TYPES:
            views[(payer, claim_type)] = _view(
                rules, rows_by_key, disables_by_key, payer, claim_type, settings, code_properties,
                versions_of(payer, claim_type), code_sets, keys(payer),
            )
    share_key_budget(view.lookup for view in (*views.values(), *(view.without_tables for view in views.values()))
                     if view is not None)
    return views


def _properties(properties: dict, pctc_versions) -> dict:
    """{name: CodeProperty}: rule-file values, over MPFS table versions for pctc and bilateral."""
    from ..tables.store import CodeProperty, Versions

    out = {}
    for name, values in properties.items():
        versions = None
        if pctc_versions is not None and name in ("pctc", "bilateral"):
            versions = Versions(
                starts=pctc_versions.starts,
                tables=tuple(table.get(name, {}) for table in pctc_versions.tables),
                blocks=pctc_versions.blocks,
            )
        out[name] = CodeProperty(name, values, versions)
    return out


def _keys_by_payer(rows_by_key: dict, disables_by_key: dict):
    """A function of a payer (None: every other payer) giving the row keys (of ``rows_by_key``, then those only
    ``disables_by_key`` has) that a row or ``disable`` may apply to in its views, in that order: those of a block
    for every payer and those of a block naming it. A view then visits only these, not every payer's keys."""
    every: list = []
    named: dict = defaultdict(list)  # payer -> (position, key) of the keys of its blocks, by position
    position = 0
    for grouped in (rows_by_key, {key: () for key in disables_by_key if key not in rows_by_key}):
        for key, rows in grouped.items():
            scopes = [row.block.scope for row in rows] + [disable.scope for disable in disables_by_key.get(key, ())]
            if any(scope.payers is None for scope in scopes):
                every.append((position, key))
            else:
                for payer in set().union(*(scope.payers for scope in scopes)):
                    named[payer].append((position, key))
            position += 1

    def keys(payer: str | None) -> list:
        own = named.get(payer)
        return [key for _, key in (sorted(every + own) if own else every)]

    return keys


def _view(rules, rows_by_key, disables_by_key, payer, claim_type, settings, properties, versions,
          code_sets=None, keys=None) -> m.View:
    """The view of one payer (None: every other) and claim type. ``keys``: the row keys a row or ``disable`` of
    its may apply to, in the order of ``rows_by_key`` then the keys only ``disables_by_key`` has (default: all)."""
    line_by_code: dict = defaultdict(list)
    line_by_modifier: dict = defaultdict(list)
    line_generic: list = []
    line_history: list = []
    line_authorization: list = []
    line_uncoded: list = []
    line_by_place: dict = defaultdict(list)
    pair_by_code: dict = defaultdict(list)
    pair_generic: list = []
    claim_rules: list = []
    for rule in rules:
        if not rule.scope.applies_to(payer, claim_type):
            continue
        where = filing(rule)
        if where == "claim":
            claim_rules.append(rule)
        elif where == "uncoded":
            line_uncoded.append(rule)
        elif where == "history":
            line_history.append(rule)
        elif where == "authorization":
            line_authorization.append(rule)
        elif where == "modifier":
            for modifier in rule.index_modifiers:
                line_by_modifier[modifier].append(rule)
        elif where == "place":
            for place in rule.index_places:
                line_by_place[place].append(rule)
        elif where == "code":
            for code in rule.index_codes:
                (line_by_code if rule.shape == "line" else pair_by_code)[code].append(rule)
        else:
            (line_generic if rule.shape == "line" else pair_generic).append(rule)

    pairs: dict = {}
    limits: dict = {}
    addons: dict = {}
    disabled_addons: dict = {}  # code -> the rule-file rows a `disable addon` takes off (None: the tables')
    if keys is None:
        keys = list(rows_by_key) + [key for key in disables_by_key if key not in rows_by_key]
    for kind, key in keys:
        rows = rows_by_key.get((kind, key), ())
        chosen = select(rows, disables_by_key.get((kind, key), ()), payer, claim_type)
        if chosen is None:
            continue
        if kind == "addon" and disabled_on_some_date(chosen):
            disabled_addons[key[0]] = select(rows, (), payer, claim_type)  # None for a key with no rows
        if kind == "pair":
            pairs.setdefault(key[0], {})[key[1]] = chosen
        elif kind == "limit":
            limits[key[0]] = chosen
        else:
            addons[key[0]] = chosen

    addon_versions = versions["addon"]
    table_addon_codes = frozenset()
    if addon_versions is not None:
        table_addon_codes = frozenset().union(*(frozenset(t) for t in addon_versions.tables))
    # each setting's value for this payer: its own, else the one for every payer, else the default (the first)
    chosen = {name: settings.get((name, payer), settings.get((name, None), values[0]))
              for name, values in m.SETTINGS.items()}
    line_generic, pair_generic = tuple(line_generic), tuple(pair_generic)
    own_addon_codes = (frozenset(code for code, rows in addons.items() if chosen_rows(rows))
                       | frozenset(code for code, rows in disabled_addons.items() if chosen_rows(rows)))
    fields = dict(
        payer=payer,
        claim_type=claim_type,
        # Each code's tuple already ends with the rules that apply to every line.
        line_rules_by_code={k: tuple(v) + line_generic for k, v in line_by_code.items()},
        line_rules_by_modifier={k: tuple(v) for k, v in line_by_modifier.items()},
        line_rules_generic=line_generic,
        line_rules_history=tuple(line_history),
        line_rules_authorization=tuple(line_authorization),
        line_rules_uncoded=tuple(line_uncoded),
        line_rules_by_place={k: tuple(v) for k, v in line_by_place.items()},
        pair_rules_by_code={k: tuple(v) + pair_generic for k, v in pair_by_code.items()},
        pair_rules_generic=pair_generic,
        claim_rules=tuple(claim_rules),
        pairs=pairs,
        limits=limits,
        addons=addons,
        disabled_addons=disabled_addons,
        modifier_placement=chosen["modifier_placement"],
        same_provider=chosen["same_provider"],
        properties=properties,
        code_sets=code_sets,
    )
    without_tables = None
    if claim_type == "institutional" and any(versions[kind] is not None for kind in ("ptp", "mue", "addon")):
        # For a claim of a type of bill the hospital outpatient tables do not judge (model.PART_A_BILLS).
        without_tables = m.View(**fields, addon_codes=own_addon_codes)
    return m.View(**fields, addon_codes=own_addon_codes | table_addon_codes, ptp_tables=versions["ptp"],
                  mue_tables=versions["mue"], addon_tables=addon_versions, without_tables=without_tables)
