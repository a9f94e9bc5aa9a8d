"""radrules.diff_rulesets and radrules.diff_outcomes: what a rule change changes, and what it does to claims."""

from __future__ import annotations

import io
import json
import os
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest

import radrules
from radrules.diff import claims as claim_reader
from radrules.diff import tables as table_diff
from radrules.tables.ptp import load_ptp

TOP = Path(__file__).parent.parent
RULESETS = TOP / "rulesets"
EXAMPLES = TOP / "examples"
DATA = Path(__file__).parent / "data" / "cms"
PTP_HEADER = (DATA / "radiology-ptp-v321r0-f1.TXT").read_bytes().split(b"\r\n")[:6]


def copy_rulesets(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(RULESETS, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) by ``new`` in a rule file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load(path: Path):
    return radrules.load(path, cache_dir=None)


def compare(old: Path, new: Path, **options):
    return radrules.diff_rulesets(load(old), load(new), **options)


def only(diff, **fields):
    """The one change whose attributes equal ``fields``."""
    found = [c for c in diff.changes if all(getattr(c, k) == v for k, v in fields.items())]
    assert len(found) == 1, found
    return found[0]


def example_claims() -> list[dict]:
    return json.loads((EXAMPLES / "claims.json").read_text(encoding="utf-8"))


def write_jsonl(path: Path, items, extra_lines=()) -> Path:
    lines = [json.dumps(item) for item in items] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ptp_file(path: Path, rows: list[str]) -> Path:
    """A PTP table in the CMS layout (Latin-1, tabs, CRLF, the six preamble lines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\r\n".join(PTP_HEADER + [row.encode("latin-1") for row in rows]) + b"\r\n")
    return path


@pytest.fixture
def rulesets(tmp_path):
    """Two copies of the bundled rulesets: OLD as shipped, NEW to be edited by the test."""
    return copy_rulesets(tmp_path, "old"), copy_rulesets(tmp_path, "new")


# ---------------------------------------------------------------- rules


class TestSameRules:
    def test_identical_copies_have_no_difference(self, rulesets):
        """Two copies of the bundled rulesets in different folders are the same."""
        diff = compare(*rulesets)
        assert not diff and diff.same
        assert diff.changes == () and diff.tables == ()
        assert diff.to_text().splitlines()[-1] == "no differences"

    def test_moves_comments_and_conjunct_order_are_not_changes(self, rulesets):
        """Moving a rule, adding comments and swapping the parts of an `and` change nothing."""
        _, new = rulesets
        modifiers = new / "modifiers" / "modifiers.rr"
        edit(modifiers, "  when line.modifiers has 26\n   and line.pctc not in [1, 6, 7, 8]\n",
             "  # reordered\n  when line.pctc not in [1, 6, 7, 8]\n   and line.modifiers has 26\n")
        text = modifiers.read_text(encoding="utf-8")
        start = text.index('rule modifier.conflict.distinct')
        end = text.index("end\n", start) + 4
        modifiers.write_text(text[:start] + text[end:] + "\n# moved here\n" + text[start:end], encoding="utf-8")
        assert not compare(*rulesets)

    def test_version_alone_is_shown_but_not_a_difference(self, rulesets):
        """A new version in a header is reported in the text but counts as no difference."""
        _, new = rulesets
        edit(new / "payers" / "acme.rr", 'version "2026.07"', 'version "2026.10"')
        diff = compare(*rulesets)
        assert not diff
        assert "version: acme 2026.07 -> 2026.10" in diff.to_text()


class TestRuleChanges:
    def test_severity_change(self, rulesets):
        """A warning that becomes a denial is a changed rule with `severity: warn -> deny`."""
        _, new = rulesets
        edit(new / "modifiers" / "modifiers.rr", 'then warn line "{line.code}: LT and RT',
             'then deny line "{line.code}: LT and RT')
        change = only(compare(*rulesets), rule="modifier.sides_one_line")
        assert (change.change, change.what, change.family) == ("changed", "rule", "modifier")
        assert change.details == ("severity: warn -> deny",)
        assert (change.old["severity"], change.new["severity"]) == ("warn", "deny")

    def test_narrowed_payer_scope(self, rulesets):
        """A rule given `for payer medicare` reports its payers going from every payer to medicare."""
        _, new = rulesets
        edit(new / "modifiers" / "modifiers.rr", 'rule modifier.pctc.facility "MOD-PCTC-POS"\n  kind modifier\n',
             'rule modifier.pctc.facility "MOD-PCTC-POS"\n  kind modifier\n  for payer medicare\n')
        change = only(compare(*rulesets), rule="modifier.pctc.facility")
        assert change.details == ("payers: every payer -> medicare",)
        assert change.old["payers"] is None and change.new["payers"] == ["medicare"]

    def test_an_added_rule_shows_its_condition_as_written(self, tmp_path):
        """The condition of an added rule reads in the order the rule writes it, not in the compiled order
        (which tests the cheapest part first)."""
        (tmp_path / "old.rr").write_text("codes z = 70450\n")
        when = ("line.place_of_service not in [21, 23] and claim.prior_auth is missing "
                "and (line.modifiers has 59 or patient.age > 60) and line.code in [70450, 70460]")
        (tmp_path / "new.rr").write_text(f'rule t.a "x"\n  when {when}\n  then deny line "m"\n  reference "r"\nend\n')
        new = load(tmp_path / "new.rr")
        (rule,) = [r for r in new.rules if r.info.id == "t.a"]
        assert rule.condition.parts != rule.condition.written  # the compiled order is another
        added = only(radrules.diff_rulesets(load(tmp_path / "old.rr"), new), rule="t.a")
        assert added.details[1] == f"when {when}"

    def test_removed_and_added_rules(self, rulesets):
        """A deleted rule is `removed` with its old description; a renamed one is `added` under its new id."""
        _, new = rulesets
        edit(new / "payers" / "medicare.rr", "rule medicare.timely_filing ", "rule medicare.timely_filing_12m ")
        diff = compare(*rulesets)
        removed = only(diff, rule="medicare.timely_filing")
        added = only(diff, rule="medicare.timely_filing_12m")
        assert (removed.change, removed.new, removed.old["severity"]) == ("removed", None, "deny")
        assert (added.change, added.old) == ("added", None)
        assert added.details[1] == "when claim.received > line.date + 12 months to a workday"
        line = next(number for number, text in enumerate((new / "payers" / "medicare.rr").read_text().splitlines(), 1)
                    if text.startswith("rule medicare.timely_filing_12m "))
        assert added.source == f"new/payers/medicare.rr:{line}"

    def test_code_set_change_names_the_codes(self, rulesets):
        """Adding codes to a named set changes every rule that reads it, naming the codes added."""
        _, new = rulesets
        edit(new / "payers" / "acme.rr", "    except 71271 ", "    except 71271, 74150, 74160 ")
        change = only(compare(*rulesets), rule="acme.prior_auth.missing")
        assert change.details == ("condition: `line.code in acme_advanced_imaging`: removed 74150, 74160",)

    def test_codes_and_modifiers_of_a_modifier_clause_apart(self, tmp_path):
        """An analyst's finding: a `with modifier` clause's modifiers were listed with its codes (`added A9505,
        JZ`), so a reader could not tell a code from a modifier."""
        rule = ('rule t.x "x"\n  when line.code is A9552 and not claim also has {} on the same date\n'
                '  then deny line "x"\n  reference "t"\nend\n')
        change = _change_of_t_x(tmp_path, rule, "[A9552] with modifier JW", "[A9552, A9505] with modifiers [JW, JZ]")
        assert change.details == ("condition: `claim also has [A9552, A9505] with modifiers [JW, JZ] on the same "
                                  "date`: added A9505, modifier JZ",)

    def test_diagnosis_codes_and_prefixes_as_written(self, rulesets):
        """Diagnosis codes and prefixes added to a set are shown with their dots."""
        _, new = rulesets
        edit(new / "payers" / "medicare.rr", "= Z87.891, F17.210,", "= Z87.891, Z72.0, F17.2*,")
        change = only(compare(*rulesets), rule="medicare.ldct.diagnosis")
        assert change.details == ("condition: `line.diagnoses has none of medicare_ldct_diagnoses`: "
                                  "added F17.2*, Z72.0; removed F17.210",)

    def test_ranges_of_categories_shown_as_ranges(self, tmp_path):
        """Categories added to a set run in Tabular order are shown as the range that holds them (`C97-D49`, C7A and
        D3A among them), not as twelve codes and `N more`; a category alone is shown alone."""
        rule = ('diagnoses malignant = {}\nrule t.x "x"\n  when line.diagnoses has any of malignant\n'
                '  then info line "x"\n  reference "t"\nend\n')
        change = _change_of_t_x(tmp_path, rule, "C00-C96", "C00-D49 except C7B")
        assert change.details == ("condition: `line.diagnoses has any of malignant`: added C97-D49; removed C7B",)

    def test_the_modifiers_among_narrows_to(self, tmp_path):
        """A modifier added to the set `among` narrows two lines' modifiers to is named, not "reads different
        values"."""
        rule = ('modifiers sides = {}\nrule t.x "x"\n  when other.code = line.code\n'
                '   and other.modifiers among sides = line.modifiers among sides\n'
                '  then info line "x"\n  reference "t"\nend\n')
        change = _change_of_t_x(tmp_path, rule, "LT, RT", "LT, RT, 50")
        assert change.details == ("condition: `other.modifiers among sides = line.modifiers among sides`: added "
                                  "modifier 50",)
        rule = ('modifiers sides = {}\nrule t.x "x"\n  when history has the same code with the same modifiers among '
                'sides\n  then info line "x"\n  reference "t"\nend\n')
        change = _change_of_t_x(tmp_path / "history", rule, "LT, RT", "LT, RT, 50")
        assert change.details == ("condition: `history has the same code with the same modifiers among sides`: added "
                                  "modifier 50",)

    def test_same_meaning_written_differently(self, rulesets):
        """`12 months` and `1 year` mean the same date shift: no change."""
        _, new = rulesets
        edit(new / "payers" / "medicare.rr", "line.date + 12 months", "line.date + 1 year")
        assert not compare(*rulesets)

    def test_compared_value_change(self, rulesets):
        """A threshold change shows the old and the new test as written."""
        _, new = rulesets
        edit(new / "payers" / "medicare.rr", "and patient.age < 35", "and patient.age < 40")
        change = only(compare(*rulesets), rule="medicare.mammography.age")
        assert change.details == ("condition: `patient.age < 35` -> `patient.age < 40`",)

    def test_compared_value_change_shown_as_fmt_spaces_it(self, rulesets):
        """A test written with tabs, extra spaces or a comment inside is shown spaced as `fmt` writes it (the
        report showed the source text as it was, tabs and all)."""
        old, new = rulesets
        edit(old / "payers" / "medicare.rr", "and patient.age < 35", "and patient.age  <\t35")
        edit(new / "payers" / "medicare.rr", "and patient.age < 35", "and patient.age <   # the policy's age\n 40")
        change = only(compare(*rulesets), rule="medicare.mammography.age")
        assert change.details == ("condition: `patient.age < 35` -> `patient.age < 40`",)

    def test_added_conjunct(self, rulesets):
        """A part added to a rule's `and` is named."""
        _, new = rulesets
        edit(new / "payers" / "medicare.rr", "   and patient.age < 35\n",
             "   and patient.age < 35\n   and claim.type = professional\n")
        change = only(compare(*rulesets), rule="medicare.mammography.age")
        assert change.details == ("condition: added `claim.type = professional`",)

    def test_message_and_remittance_changes(self, rulesets):
        """Message, CARC and reference changes are each one line of details."""
        _, new = rulesets
        path = new / "radiology" / "duplicates.rr"
        edit(path, "({line.code} on {line.date})", "({line.code}, {line.date})")
        edit(path, "carc OA-18", "carc CO-18")
        edit(path, 'reference "domain.md §10.5 [D]; CARC 18', 'reference "domain.md §10.5; CARC 18')
        change = only(compare(*rulesets), rule="duplicate.line")
        assert change.details[0] == ('message: "line {line.number} repeats line {other.number} ({line.code} on '
                                     '{line.date})" -> "line {line.number} repeats line {other.number} '
                                     '({line.code}, {line.date})"')
        assert change.details[1:] == ("carc: OA-18 -> CO-18", change.details[2])
        assert change.details[2].startswith('reference: "domain.md §10.5 [D];')

    def test_once_per_line_dropped_is_a_change_and_an_added_rule_says_it(self, rulesets):
        """A rule that loses `once per line` is changed (`once per line: yes -> no`); an added rule with it
        shows it after its action, and its JSON description says so."""
        _, new = rulesets
        path = new / "radiology" / "duplicates.rr"
        edit(path, "  once per line\n", "")
        change = only(compare(*rulesets), rule="duplicate.line")
        assert change.details == ("once per line: yes -> no",)
        assert (change.old["once_per_line"], change.new["once_per_line"]) == (True, False)
        edit(path, "rule duplicate.line ", "rule duplicate.line_once ")
        edit(path, "  carc OA-18\n", "  once per line\n  carc OA-18\n")
        added = only(compare(*rulesets), rule="duplicate.line_once")
        assert added.change == "added" and added.details[2:] == (
            'then deny line "line {line.number} repeats line {other.number} ({line.code} on {line.date})"',
            "once per line")


# ---------------------------------------------------------------- rows, disables, settings, properties


class TestRowChanges:
    @pytest.fixture
    def diff(self, rulesets):
        _, new = rulesets
        acme = new / "payers" / "acme.rr"
        edit(acme, '  pair 71046 with 71045 modifier not allowed', '  pair 71046 with 71045 modifier allowed')
        edit(acme, '  pair 74178 with 72194 modifier allowed "Misuse of column two code with column one code"\n', "")
        edit(acme, "end\n\nlimits acme.mue",
             '  pair 74177 with 74150 modifier allowed effective 2026-10-01 "Misuse of column two code with '
             'column one code"\n  disable pair 74176 with 72192\nend\n\nlimits acme.mue')
        edit(acme, "limit 74177 max 1 mai 1", "limit 74177 max 2 mai 1")
        return compare(*rulesets)

    def test_pair_added_removed_changed(self, diff):
        """Pair rows are matched by (rule, column 1, column 2): one added, one removed, one changed."""
        pairs = {(c.change, c.key): c for c in diff.changes if c.what == "pair"}
        assert set(pairs) == {("added", "74177 with 74150"), ("removed", "74178 with 72194"),
                              ("changed", "71046 with 71045")}
        assert pairs[("changed", "71046 with 71045")].details == ("modifier: not allowed -> allowed",)
        assert pairs[("added", "74177 with 74150")].new == {
            "start": "2026-10-01", "end": None, "indicator": 1,
            "rationale": "Misuse of column two code with column one code"}
        assert all(c.rule == "acme.ptp" and c.family == "ptp" for c in pairs.values())

    def test_a_rationale_changed_is_quoted_on_both_sides(self, rulesets):
        """A rationale is a text: quoted before and after the arrow, also a one-word one (and `none` if empty)."""
        _, new = rulesets
        edit(new / "payers" / "acme.rr", '"Misuse of column two code with column one code"', '"Zeta"')
        changes = [c for c in compare(*rulesets).changes if c.what == "pair" and c.change == "changed"]
        assert changes and all(c.details == ('rationale: "Misuse of column two code with column one code" -> '
                                             '"Zeta"',) for c in changes)

    def test_limit_changed(self, diff):
        """A unit limit raised from 1 to 2 is one changed limit row."""
        change = only(diff, what="limit")
        assert (change.rule, change.key, change.details) == ("acme.mue", "74177", ("max units: 1 -> 2",))

    def test_disable_added_under_its_block(self, diff):
        """A `disable pair` is reported under the id of the block it is written in."""
        change = only(diff, what="disable")
        assert (change.change, change.rule, change.key) == ("added", "acme.ptp", "disable pair 74176 with 72192")
        assert change.details == ("for payer acme",)

    def test_disable_addon_added_under_its_block_and_family(self):
        """A `disable addon` is a disable of the add-on family, under the id of its block, described with its
        scope."""
        base = 'addons house.addon\n  reference "r"\n  addon 77063 type 1 primaries 77067\nend\n'
        payer = ('addons acme.addon\n  for payer acme\n  for institutional claims\n  reference "r"\n'
                 '  disable addon 77063\nend\n')
        diff = radrules.diff_rulesets(radrules.loads(base), radrules.loads(base + payer))
        change = only(diff, what="disable")
        assert (change.change, change.family, change.rule, change.key) == (
            "added", "addon", "acme.addon", "disable addon 77063")
        assert change.details == ("for payer acme, institutional claims",)
        assert "      + disable addon 77063: for payer acme, institutional claims" in diff.to_text().splitlines()

    def test_a_disable_blocks_dates_changed_is_the_blocks_change(self):
        """A block of `disable` rows whose `effective` date moves is one changed block (`from`), its `disable`
        neither removed nor added; a `disable` taken out of the block is one removed."""
        base = 'pairs house.ptp\n  reference "r"\n  pair 74176 with 72192 modifier allowed "x"\nend\n'
        payer = ('pairs acme.ptp\n  for payer acme\n  effective {}\n  reference "r"\n'
                 '  disable pair 74176 with 72192\n{}end\n')
        second = '  disable pair 74177 with 72192\n'
        diff = radrules.diff_rulesets(radrules.loads(base + payer.format("2027-01-01", second)),
                                      radrules.loads(base + payer.format("2027-04-01", "")))
        assert [(c.change, c.what, c.key) for c in diff.changes] == [
            ("changed", "block", "acme.ptp"), ("removed", "disable", "disable pair 74177 with 72192")]
        assert diff.changes[0].details == ("from: 2027-01-01 -> 2027-04-01",)
        assert diff.counts() == {"rules": {"added": 0, "removed": 0, "changed": 1},
                                 "disables": {"added": 0, "removed": 1, "changed": 0}}

    def test_counts_and_grouping(self, diff):
        """Counts add up by what changed; the text groups rows under family and rule id."""
        assert diff.counts() == {"pairs": {"added": 1, "removed": 1, "changed": 1},
                                 "limits": {"added": 0, "removed": 0, "changed": 1},
                                 "disables": {"added": 1, "removed": 0, "changed": 0}}
        assert [family for family, _ in diff.families()] == ["ptp", "mue"]
        text = diff.to_text().splitlines()
        assert text[text.index("ptp") + 1] == "    acme.ptp"
        assert "      ~ limit 74177: max units: 1 -> 2" in text

    def test_json_is_grouped_by_family_and_rule(self, diff):
        """to_dict() nests changes under their family and rule id, and survives a JSON round trip."""
        data = json.loads(json.dumps(diff.to_dict()))
        assert data["same"] is False
        ptp = next(f for f in data["families"] if f["family"] == "ptp")
        assert [r["rule"] for r in ptp["rules"]] == ["acme.ptp"]
        assert len(ptp["rules"][0]["changes"]) == 4
        # every kind is counted, with zeros, so that a reader can index it (only those that changed were there)
        assert list(data["counts"]) == ["rules", "pairs", "limits", "addons", "disables", "settings", "properties",
                                        "tables", "table_rows"]
        assert data["counts"]["pairs"] == diff.counts()["pairs"] and data["counts"]["table_rows"] == {
            "added": 0, "removed": 0, "changed": 0}

    def test_a_row_window_changed_among_several(self, rulesets):
        """Of two rows of one pair, the one whose end date moved is `changed`; the other is untouched."""
        old, new = rulesets
        for root, end in ((old, "2026-06-30"), (new, "2026-09-30")):
            edit(root / "payers" / "acme.rr", '  pair 71046 with 71045 modifier not allowed',
                 f'  pair 71046 with 71045 modifier allowed effective 2020-01-01 through 2023-12-31 '
                 f'"Mutually exclusive procedures"\n'
                 f'  pair 71046 with 71045 modifier not allowed effective 2024-01-01 through {end}')
        change = only(compare(old, new), what="pair")
        assert change.change == "changed" and change.details == ("until: 2026-06-30 -> 2026-09-30",)


class TestSettingsAndProperties:
    def test_setting_change(self, rulesets):
        """A payer's modifier placement going from `either` to `column2` is a changed setting."""
        _, new = rulesets
        edit(new / "payers" / "acme.rr", "setting modifier_placement = either", "setting modifier_placement = column2")
        change = only(compare(*rulesets), what="setting")
        assert (change.family, change.key, change.details) == (
            "settings", "modifier_placement for payer acme", ("either -> column2",))

    def test_a_setting_not_given_shows_the_value_it_then_has(self, rulesets):
        """A setting added or removed shows the default it had or gets, `default (rendering)`, and a payer's
        setting removed the value for every payer that then applies (it showed `default` for both)."""
        _, new = rulesets
        edit(new / "payers" / "acme.rr", "setting modifier_placement = either for payer acme",
             "setting modifier_placement = either\nsetting same_provider = billing")
        changes = {c.key: c.details for c in compare(*rulesets).changes if c.what == "setting"}
        assert changes == {"modifier_placement": ("default (column2) -> either",),
                           "modifier_placement for payer acme": ("either -> either (for every payer)",),
                           "same_provider": ("default (rendering) -> billing",)}

    def test_property_codes(self, rulesets):
        """Codes given, taken from and moved between property values are listed by value."""
        _, new = rulesets
        path = new / "modifiers" / "pctc.rr"
        edit(path, "76376, 76377, 76700,", "76700,")
        edit(path, "77065-77067, G0279", "77065-77067, G0279, 76706")
        edit(path, "property pctc = 1 for 70450-70498,", "property pctc = 2 for 70450\nproperty pctc = 1 for 70451-70498,")
        change = only(compare(*rulesets), what="property")
        assert (change.change, change.key) == ("changed", "pctc")
        assert change.details == ("1 -> 2 for 70450", "= 1 for 76706", "no longer set for 76376, 76377 (was 1)")
        assert change.old == {"70450": "1", "76376": "1", "76377": "1"}


# ---------------------------------------------------------------- CMS tables


def table_ruleset(root: Path, statements: str, files: dict) -> Path:
    """A ruleset folder with ``main.rr`` and table files under ``cms/`` (name -> source path or PTP rows)."""
    (root / "cms").mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, list):
            ptp_file(root / "cms" / name, content)
        else:
            shutil.copy(content, root / "cms" / name)
    (root / "main.rr").write_text(statements, encoding="utf-8")
    return root


ROWS_Q2 = [
    "71046\t71045\t\t20180101\t*\t1\tMutually exclusive procedures",
    "74176\t72192\t\t20110101\t*\t1\tCPT Manual or CMS manual coding instruction",
    "74176\t74150\t\t20110101\t*\t0\tMisuse of column two code with column one code",
    "74177\t74160\t\t20100101\t20100101\t9\tCPT Manual or CMS manual coding instruction",
    "74177\t74160\t\t20110101\t*\t1\tCPT Manual or CMS manual coding instruction",
    "77067\t77065\t\t20170101\t*\t1\tStandards of medical/surgical practice",
]
# Next quarter: one pair deleted (end date set), one added, one removed.
ROWS_Q3 = [
    "70470\t70450\t\t20260701\t*\t1\tCPT Manual or CMS manual coding instruction",
    "71046\t71045\t\t20180101\t*\t1\tMutually exclusive procedures",
    "74176\t72192\t\t20110101\t20260630\t1\tCPT Manual or CMS manual coding instruction",
    "74176\t74150\t\t20110101\t*\t0\tMisuse of column two code with column one code",
    "74177\t74160\t\t20100101\t20100101\t9\tCPT Manual or CMS manual coding instruction",
    "74177\t74160\t\t20110101\t*\t1\tCPT Manual or CMS manual coding instruction",
]


class TestTables:
    def test_ptp_quarterly_update(self, tmp_path):
        """A PTP version change counts rows added, removed and changed, with example rows."""
        old = table_ruleset(tmp_path / "q2", 'table ptp "cms/ptp-v321r0-f1.TXT" effective 2026-04-01\n',
                            {"ptp-v321r0-f1.TXT": ROWS_Q2})
        new = table_ruleset(tmp_path / "q3", 'table ptp "cms/ptp-v322r0-f1.TXT" effective 2026-07-01\n',
                            {"ptp-v322r0-f1.TXT": ROWS_Q3})
        diff = compare(old, new)
        (table,) = diff.tables
        assert (table.rule, table.family, table.start) == ("ncci.ptp", "ptp", "2026-04-01")
        assert (table.old_rows, table.new_rows, table.added, table.removed, table.changed) == (6, 6, 1, 1, 1)
        assert [(e.change, e.key) for e in table.examples] == [
            ("added", "70470 with 70450"), ("changed", "74176 with 72192"), ("removed", "77067 with 77065")]
        assert table.examples[1].details == ("until: none -> 2026-06-30",)
        versions = only(diff, what="table")
        assert versions.details == ("versions: ptp-v321r0-f1.TXT from 2026-04-01 -> ptp-v322r0-f1.TXT from "
                                    "2026-07-01",)
        assert diff.counts()["table_rows"] == {"added": 1, "removed": 1, "changed": 1}

    def test_new_version_beside_the_old_one(self, tmp_path):
        """Adding a version (keeping the old) compares it with the one in force before it, from its own date."""
        statement = 'table ptp "cms/ptp-v321r0-f1.TXT" effective 2026-04-01\n'
        old = table_ruleset(tmp_path / "old", statement, {"ptp-v321r0-f1.TXT": ROWS_Q2})
        new = table_ruleset(tmp_path / "new", statement + 'table ptp "cms/ptp-v322r0-f1.TXT" effective 2026-07-01\n',
                            {"ptp-v321r0-f1.TXT": ROWS_Q2, "ptp-v322r0-f1.TXT": ROWS_Q3})
        (table,) = compare(old, new).tables
        assert table.start == "2026-07-01"
        assert (table.old_files, table.new_files) == (("ptp-v321r0-f1.TXT",), ("ptp-v322r0-f1.TXT",))

    def test_same_table_content_is_no_difference(self, tmp_path):
        """The same table file in two rulesets compares equal without a row being read."""
        statement = 'table ptp "cms/ptp-v321r0-f1.TXT" effective 2026-04-01\n'
        old = table_ruleset(tmp_path / "old", statement, {"ptp-v321r0-f1.TXT": ROWS_Q2})
        new = table_ruleset(tmp_path / "new", statement, {"ptp-v321r0-f1.TXT": ROWS_Q2})
        assert not compare(old, new)

    def test_mue_and_added_tables(self, tmp_path):
        """An MUE value change is one changed code; a table only NEW has counts every row as added."""
        mue_q2, mue_q3 = "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
        old = table_ruleset(tmp_path / "old", f'table mue "cms/{mue_q2}"\n', {mue_q2: DATA / mue_q2})
        new = table_ruleset(tmp_path / "new", f'table mue "cms/{mue_q3}"\ntable pctc "cms/PPRRVU26_JUL.csv"\n',
                            {mue_q3: DATA / mue_q3, "PPRRVU26_JUL.csv": DATA / "PPRRVU26_JUL.csv"})
        diff = compare(old, new, limit_examples=2)
        mue, pctc = diff.tables
        assert (mue.kind, mue.added, mue.removed, mue.changed) == ("mue", 0, 0, 1)
        assert mue.examples[0].details == ("max units: 1 -> 2",)
        assert (pctc.family, pctc.old_rows, pctc.new_rows, pctc.added) == ("properties", 0, 6, 6)
        assert len(pctc.examples) == 2
        assert "      ... and 4 more (--limit-examples)" in diff.to_text().splitlines()  # no rule: 2 less

    @pytest.mark.parametrize("seed", range(6))
    def test_ptp_merge_matches_a_brute_force_count(self, seed):
        """On random tables, rows added + changed and removed + changed equal the multiset differences."""
        rng = random.Random(seed)
        codes = [f"{70000 + i:05d}" for i in range(rng.randint(3, 30))]
        reasons = ["Mutually exclusive procedures", "Standards of medical/surgical practice", ""]

        def row():
            first, second = rng.sample(codes, 2)
            start = rng.choice(["20200101", "20240101", "20260701"])
            end = rng.choice(["*", "*", start[:4] + "1231"])
            return f"{first}\t{second}\t\t{start}\t{end}\t{rng.choice('019')}\t{rng.choice(reasons)}"

        rows = [row() for _ in range(rng.randint(1, 300))]
        changed = list(rows)
        for _ in range(rng.randint(0, 40)):
            action = rng.random()
            if action < 0.4 and changed:
                changed.pop(rng.randrange(len(changed)))
            elif action < 0.7:
                changed.append(row())
            elif changed:
                index = rng.randrange(len(changed))
                fields = changed[index].split("\t")
                column = rng.choice([4, 5, 6])
                fields[column] = {4: "20291231", 5: "9", 6: "Misuse of column two code"}[column]
                changed[index] = "\t".join(fields)
        rng.shuffle(changed)
        old = ptp_table(rows, "old")
        new = ptp_table(changed, "new")
        counter = table_diff._Counter("pair", 10)
        table_diff.diff_ptp(old, new, counter)
        multiset_old, multiset_new = Counter(map(row_key, rows)), Counter(map(row_key, changed))
        assert counter.added + counter.changed == sum((multiset_new - multiset_old).values())
        assert counter.removed + counter.changed == sum((multiset_old - multiset_new).values())

    def test_ptp_tables_of_more_than_65536_rationales(self):
        """Tables with 65,537 rationale texts (wider columns): the one changed text is the one change (the
        rationale numbers overflowed two bytes)."""
        rows = [f"{10000 + i // 10:05d}\t{40000 + i % 10:05d}\t\t20180101\t*\t0\treason {i}" for i in range(65_537)]
        changed = list(rows)
        changed[0] = changed[0] + " changed"  # the old texts are mapped to new numbers, up to 65,536
        counter = table_diff._Counter("pair", 10)
        table_diff.diff_ptp(ptp_table(rows, "old"), ptp_table(changed, "new"), counter)
        assert (counter.added, counter.removed, counter.changed) == (0, 0, 1)

    def test_ptp_tables_that_keep_their_dates_differently(self, monkeypatch):
        """Two tables, one with its dates as ordinals (a deletion date too far to keep in two bytes), the other as
        days after a base: only the real changes count, and the rows they share are still skipped a run at a
        time."""
        rows = ["70010\t70020\t*\t19960101\t22501231\t0\tMutually exclusive procedures",
                "71046\t71045\t\t20180101\t*\t1\tMutually exclusive procedures",
                "74176\t72192\t\t20110101\t*\t1\tMutually exclusive procedures",
                "77067\t77065\t\t20170101\t20191231\t1\tMutually exclusive procedures"]
        shared = [f"{72000 + a:05d}\t{73000 + b:05d}\t\t20200101\t*\t1\tMutually exclusive procedures"
                  for a in range(20) for b in range(100)]
        changed = rows[1:2] + [rows[2].replace("\t*\t", "\t20260630\t"), rows[3]] + shared
        old, new = ptp_table(rows + shared, "old"), ptp_table(changed, "new")
        assert (old.start.typecode, new.start.typecode) == ("i", "H")
        visited = []
        original = table_diff._run
        monkeypatch.setattr(table_diff, "_run", lambda *a: visited.append(a) or original(*a))
        counter = table_diff._Counter("pair", 10)
        table_diff.diff_ptp(old, new, counter)
        assert len(visited) <= 4  # the two pairs that differ, not the 2,000 rows the tables share
        assert (counter.added, counter.removed, counter.changed) == (0, 1, 1)
        assert [(e.key, e.details) for e in counter.examples if e.change == "changed"] == [
            ("74176 with 72192", ("until: none -> 2026-06-30",))]

    def test_ptp_merge_reads_only_the_rows_that_differ(self, monkeypatch):
        """Nearly identical 60,000-row tables: Python looks at a few pairs per difference, not every row."""
        rows = [f"{70000 + a:05d}\t{71000 + b:05d}\t\t20200101\t*\t1\tMutually exclusive procedures"
                for a in range(300) for b in range(200)]
        changed = list(rows)
        changed[12345] = changed[12345].replace("\t*\t", "\t20261231\t")
        del changed[40000]
        changed.append("70150\t70999\t\t20260701\t*\t0\tMisuse of column two code")
        old, new = ptp_table(rows, "old"), ptp_table(changed, "new")
        visited = []
        original = table_diff._run
        monkeypatch.setattr(table_diff, "_run", lambda *a: visited.append(a) or original(*a))
        counter = table_diff._Counter("pair", 10)
        table_diff.diff_ptp(old, new, counter)
        assert (counter.added, counter.removed, counter.changed) == (1, 1, 1)
        assert len(visited) <= 8  # one or two runs per difference, out of 60,000 rows


def row_key(row: str) -> tuple:
    first, second, _, start, end, indicator, reason = row.split("\t")
    return first, second, start, end, indicator, reason


def ptp_table(rows: list[str], name: str):
    data = b"\r\n".join(PTP_HEADER + [row.encode("latin-1") for row in rows]) + b"\r\n"
    table, diagnostics = load_ptp([(f"{name}.TXT", f"{name}.TXT", data)], name)
    assert table is not None, [d.message for d in diagnostics]
    return table


# ---------------------------------------------------------------- outcomes


@pytest.fixture
def acme_update():
    """Acme's policy as shipped and as changed in examples/acme-2026.10.rr."""
    return load(RULESETS / "payers" / "acme.rr"), load(EXAMPLES / "acme-2026.10.rr")


class TestOutcomes:
    def test_example_update_moves_three_claims(self, acme_update, tmp_path):
        """Acme's October update: C-1003 fails, C-1004 and C-1021 pass, and their charges move."""
        impact = radrules.diff_outcomes(*acme_update, write_jsonl(tmp_path / "c.jsonl", example_claims()))
        assert (impact.claims, impact.unreadable, impact.changed) == (22, 0, 3)
        assert (impact.pass_to_fail, impact.fail_to_pass) == (1, 2)
        assert (impact.charge_denied, impact.charge_released) == (260.0, 455.0)
        assert [(e.claim, e.number, e.old_passed, e.new_passed) for e in impact.examples] == [
            ("C-1003", 3, True, False), ("C-1004", 4, False, True), ("C-1021", 21, False, True)]
        line = impact.examples[0].lines[0]
        assert (line.line, line.code, line.old, line.new, line.charge, line.rules) == (
            2, "72192", "pay", "deny", 260.0, ("acme.ptp",))
        assert impact.examples[0].appeared == ("acme.ptp",)

    def test_summary_by_rule(self, acme_update):
        """The rule table counts claims, lines and charges per rule, most claims first."""
        impact = radrules.diff_outcomes(*acme_update, example_claims())
        rows = {r.rule: r for r in impact.rules}
        assert [r.rule for r in impact.rules] == ["acme.ptp", "acme.mue"]
        assert (rows["acme.ptp"].claims, rows["acme.ptp"].appeared, rows["acme.ptp"].disappeared) == (2, 1, 1)
        assert (rows["acme.ptp"].denied_charge, rows["acme.ptp"].released_charge) == (260.0, 35.0)
        assert (rows["acme.mue"].lines, rows["acme.mue"].released_lines, rows["acme.mue"].released_charge) == (
            2, 2, 420.0)

    def test_same_rules_change_nothing(self, acme_update):
        """A ruleset compared with itself changes no claim."""
        old, _ = acme_update
        impact = radrules.diff_outcomes(old, old, example_claims())
        assert not impact and impact.claims == 22 and impact.moves == () and impact.rules == ()

    def test_json_array_file_is_streamed(self, acme_update):
        """examples/claims.json (a JSON array) gives the JSON Lines result, numbered by position."""
        impact = radrules.diff_outcomes(*acme_update, EXAMPLES / "claims.json")
        assert impact.numbering == "position"
        assert [e.number for e in impact.examples] == [3, 4, 21]

    def test_array_elements_across_read_chunks(self, monkeypatch):
        """An array read 7 bytes at a time gives the same claims as the whole file."""
        monkeypatch.setattr(claim_reader, "_CHUNK", 7)
        data = (EXAMPLES / "claims.json").read_bytes()
        items = list(claim_reader.read_claim_file(io.BufferedReader(io.BytesIO(data))))
        assert [item for _, item in items] == example_claims()

    def test_broken_array_is_reported(self):
        """A claim cut short in an array is reported as unreadable; the claims before it are read."""
        data = b'[{"lines": []}, {"id": "x", '
        items = list(claim_reader.read_claim_file(io.BufferedReader(io.BytesIO(data))))
        assert items[0] == (1, {"lines": []})
        assert items[1][0] == 2 and isinstance(items[1][1], claim_reader.Unreadable)

    def test_a_text_in_a_file_is_not_read_as_a_claim(self, acme_update, tmp_path):
        """A JSON text holding a claim's JSON, as an array element or a line, is "expected an object" (as eval
        says), not decoded again; an array keeps its position numbering."""
        claims = example_claims()[:3]
        array = tmp_path / "claims.json"
        array.write_text(json.dumps(claims + [json.dumps(claims[0])]))
        impact = radrules.diff_outcomes(*acme_update, array)
        assert (impact.numbering, impact.claims, impact.unreadable) == ("position", 3, 1)
        assert [(b.number, b.problem) for b in impact.bad] == [(4, "claim: expected an object")]
        lines = tmp_path / "claims.jsonl"
        lines.write_text(json.dumps(json.dumps(claims[0])) + "\n" + json.dumps(claims[1]) + "\n")
        impact = radrules.diff_outcomes(*acme_update, lines)
        assert (impact.numbering, impact.claims, impact.unreadable) == ("line", 1, 1)
        assert [(b.number, b.problem) for b in impact.bad] == [(1, "claim: expected an object")]

    def test_x12_claims_are_read_as_eval_reads_them(self, tmp_path):
        """An X12 837 file: each claim is judged by both rulesets (as evaluating it alone says), one that can't be
        mapped is unreadable by its position, and a broken envelope is an InputError."""
        from builders import x12_file

        old = radrules.load(RULESETS)
        new = radrules.loads('rule t.no_71046 "no 71046"\n  when line.code is 71046\n  then deny line "no"\n'
                             '  reference "t"\nend\n')
        path = tmp_path / "claims.837"
        path.write_text(x12_file(30))
        impact = radrules.diff_outcomes(old, new, path)
        readable = [item for item in radrules.read_x12(path) if isinstance(item, radrules.Claim)]
        moved = sum(old.evaluate(c).passed != new.evaluate(c).passed for c in readable)
        assert (impact.numbering, impact.claims, impact.unreadable) == ("position", 26, 4)
        assert [b.number for b in impact.bad] == [7, 14, 21, 28]
        assert impact.pass_to_fail + impact.fail_to_pass == moved > 0
        path.write_text(x12_file(3).replace("IEA*", "XXX*"))
        with pytest.raises(radrules.InputError):
            radrules.diff_outcomes(old, new, path)

    @pytest.mark.parametrize("how", ["file", "pipe"])
    def test_a_fhir_bundle_is_told_by_the_same_64_kib_as_eval(self, acme_update, tmp_path, how):
        """A Bundle whose first `"resourceType": "Claim"` comes after 8 KiB (keys sorted, a long first field)
        is FHIR for diff as for eval, from a file or a pipe (peek saw only the 8 KiB buffer)."""
        claim = json.loads((Path(__file__).parent / "data" / "fhir" / "radiology-claim.json").read_text())
        entries = [{"fullUrl": f"urn:uuid:{n}", "resource": dict(claim, id=f"c{n}", aaa_note="x" * 12_000)}
                   for n in range(3)]
        path = tmp_path / "bundle.json"
        path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}, sort_keys=True))
        assert path.read_text().find('"resourceType": "Claim"') > 8192
        if how == "file":
            impact = radrules.diff_outcomes(*acme_update, path)
        else:
            read, write = os.pipe()
            with open(write, "wb") as out:
                out.write(path.read_bytes())
            with open(read, "rb") as pipe:
                impact = radrules.diff_outcomes(*acme_update, pipe)
        assert (impact.claims, impact.unreadable) == (3, 0)

    def test_x12_claims_keep_eval_numbers_after_an_envelope_error(self, tmp_path):
        """An envelope error (a wrong SE01) is no claim: it is listed as `envelope`, and the claims after it
        keep the numbers eval gives them (they were one off)."""
        import re
        from builders import x12_file

        first = re.sub(r"SE\*(\d+)\*0001", lambda m: f"SE*{int(m.group(1)) + 5}*0001", x12_file(10))
        path = tmp_path / "two.837"
        path.write_text(first + x12_file(10))
        rules = radrules.load(RULESETS)
        impact = radrules.diff_outcomes(rules, rules, path)
        assert [(b.number, b.problem.split(": ", 2)[1].split(" ")[0]) for b in impact.bad] == [
            (7, "segment"), (0, "segment"), (17, "segment")]
        assert "envelope: " in impact.to_text()

    def test_bad_lines_are_counted_by_line_number(self, acme_update, tmp_path):
        """Broken JSON, a non-object and a claim of the wrong shape are counted and named by line."""
        claims = example_claims()[:2]
        path = write_jsonl(tmp_path / "c.jsonl", claims, [
            '{"id": "C-9", "patient": {"birth_date": "1958-03-14"', "", "[1, 2]",
            json.dumps({"id": "C-10", "patient": {"birth_date": "1958-03-14"}, "lines": [{"code": "71046"}]})])
        impact = radrules.diff_outcomes(*acme_update, path)
        assert (impact.claims, impact.unreadable) == (2, 3)
        assert [(b.number, b.problem) for b in impact.bad] == [
            (3, "not JSON: Expecting ',' delimiter at column 53"),
            (5, "claim: expected an object"),
            (6, "lines[0].date: required"),
        ]
        assert "1958" not in impact.to_text() and "1958" not in json.dumps(impact.to_dict())

    def test_iterables_of_dicts_claims_and_lines(self, acme_update):
        """Claim dicts, Claim objects and JSON text lines are all accepted, numbered by position."""
        claims = example_claims()
        items = [claims[2], radrules.Claim.from_dict(claims[3]), json.dumps(claims[20]).encode(), "  "]
        impact = radrules.diff_outcomes(*acme_update, items)
        assert impact.claims == 3 and impact.changed == 3
        assert [e.number for e in impact.examples] == [1, 2, 3]

    def test_lines_without_a_charge(self, acme_update):
        """A line with no charge moves with 0 and is counted apart."""
        claim = example_claims()[2]
        del claim["lines"][1]["charge"]
        impact = radrules.diff_outcomes(*acme_update, [claim])
        move = impact.move("pay", "deny")
        assert (move.lines, move.charge, move.without_charge) == (1, 0.0, 1)
        assert "billed charges pay -> deny: 0.00 on 1 line (1 without a charge)" in impact.to_text()

    def test_a_charge_of_a_float_subclass(self):
        """A charge given as a float subclass (numpy 2's float64, whose repr is `np.float64(45.5)`) is summed as
        the float it is; it made diff_outcomes raise."""
        class Float64(float):
            def __repr__(self):
                return f"np.float64({float(self)})"

        old = radrules.loads('ruleset "t" version "1"\n', "old")
        new = radrules.loads('rule t.d\n  when line.code is 71046\n  then deny line "x"\n  reference "r"\nend\n', "new")
        claim = {"id": "F", "lines": [{"code": "71046", "date": "2026-03-02", "charge": Float64(45.5)}]}
        impact = radrules.diff_outcomes(old, new, [claim])
        assert impact.move("pay", "deny").charge == 45.5
        assert "45.50" in impact.to_text()

    def test_a_line_denied_by_two_new_rules_counts_under_both(self):
        """A line newly denied by two rules is counted once in the totals and once under each rule."""
        base = 'ruleset "t" version "1"\n'
        rule = ('rule t.{name}\n  when line.code is 71046\n  then deny line "no"\n  reference "test"\nend\n')
        old = radrules.loads(base, "old")
        new = radrules.loads(base + rule.format(name="a") + rule.format(name="b"), "new")
        claim = {"id": "T", "lines": [{"code": "71046", "date": "2026-03-02", "charge": 45.5}]}
        impact = radrules.diff_outcomes(old, new, [claim])
        assert impact.move("pay", "deny").charge == 45.5 and impact.move("pay", "deny").lines == 1
        assert [(r.rule, r.denied_lines, r.denied_charge) for r in impact.rules] == [
            ("t.a", 1, 45.5), ("t.b", 1, 45.5)]

    def test_charges_add_up_exactly(self):
        """Four lines of 0.125 newly denied are 0.50, as in the eval summary (rounding each line gave 0.48)."""
        old = radrules.loads('ruleset "t" version "1"\n', "old")
        new = radrules.loads('rule t.d\n  when line.code is 71046\n  then deny line "x"\n  reference "r"\nend\n', "new")
        claim = {"id": "R", "lines": [{"code": "71046", "date": "2026-03-02", "charge": 0.125}] * 4}
        impact = radrules.diff_outcomes(old, new, [claim])
        assert impact.move("pay", "deny").charge == 0.5
        assert [(r.rule, r.denied_charge) for r in impact.rules] == [("t.d", 0.5)]

    @pytest.mark.parametrize("forward", [True, False])
    def test_a_rule_that_only_reviews_is_not_credited_with_denials(self, forward):
        """review -> deny: the rule that now denies gets `denied`, the reviewing rule only `lines`;
        deny -> review: the denying rule gets `released`, the reviewing one nothing more."""
        review = 'rule chk.review\n  when line.code is 71046\n  then review line "look"\n  reference "t"\nend\n'
        deny = 'rule chk.deny\n  when line.code is 71046\n  then deny line "no"\n  carc CO-4\n  reference "t"\nend\n'
        old, new = radrules.loads(review, "old"), radrules.loads(deny, "new")
        if not forward:
            old, new = new, old
        claim = {"id": "K1", "lines": [{"code": "71046", "date": "2026-03-02", "charge": 100}]}
        impact = radrules.diff_outcomes(old, new, [claim])
        totals = {r.rule: (r.lines, r.denied_lines, r.denied_charge, r.released_lines, r.released_charge)
                  for r in impact.rules}
        if forward:
            assert totals == {"chk.deny": (1, 1, 100.0, 0, 0.0), "chk.review": (1, 0, 0.0, 0, 0.0)}
        else:
            assert totals == {"chk.deny": (1, 0, 0.0, 1, 100.0), "chk.review": (1, 0, 0.0, 0, 0.0)}

    def test_examples_are_limited_and_totals_are_not(self, acme_update):
        """With many changed claims only the first `limit_examples` are kept; the counts cover them all."""
        claims = [example_claims()[2]] * 50
        impact = radrules.diff_outcomes(*acme_update, claims, limit_examples=3)
        assert impact.changed == 50 and len(impact.examples) == 3
        assert impact.move("pay", "deny").charge == 50 * 260.0

    def test_progress_reports_bytes_of_the_file(self, acme_update, tmp_path):
        """progress() is called as claims go by and at the end, with bytes read and the file size."""
        path = write_jsonl(tmp_path / "c.jsonl", example_claims() * 5)
        calls = []
        radrules.diff_outcomes(*acme_update, path, progress=lambda *args: calls.append(args))
        assert [done for done, _, _ in calls] == [64, 110]
        assert calls[-1][1:] == (path.stat().st_size, path.stat().st_size)

    def test_findings_only_changes(self):
        """A new warning changes a claim's findings but not its outcome."""
        warn = ('rule t.w\n  when line.code is 71046\n  then warn line "look"\n  reference "test"\nend\n')
        old, new = radrules.loads('ruleset "t" version "1"\n', "old"), radrules.loads(warn, "new")
        impact = radrules.diff_outcomes(old, new, [{"lines": [{"code": "71046", "date": "2026-03-02"}]}])
        assert (impact.changed, impact.outcome_changed, impact.moves) == (1, 0, ())
        assert impact.examples[0].appeared == ("t.w",) and impact.examples[0].lines == ()
        assert "0 claims change outcome: 0 pass -> fail, 0 fail -> pass; 1 more changes only in findings" in (
            impact.to_text())
        deny = warn.replace("then warn line", "then deny line")
        new = radrules.loads(deny, "new")
        one = radrules.diff_outcomes(old, new, [{"lines": [{"code": "71046", "date": "2026-03-02"}]}])
        assert "  1 claim changes outcome: 1 pass -> fail, 0 fail -> pass\n" in one.to_text()
        two = radrules.diff_outcomes(old, new, [{"lines": [{"code": "71046", "date": "2026-03-02"}]}] * 2)
        assert "  2 claims change outcome: 2 pass -> fail, 0 fail -> pass\n" in two.to_text()

    def test_no_patient_data_in_reports(self, tmp_path):
        """Reports name claims, lines, codes and rules, never birth dates, NPIs or prior-auth numbers."""
        old = load(RULESETS)
        new = copy_rulesets(tmp_path, "new")
        edit(new / "payers" / "medicare.rr", "patient.age < 35", "patient.age < 80")
        edit(new / "payers" / "acme.rr", "  for payer acme\n  for professional claims\n  effective 2026-01-01\n",
             "  for payer acme, bcbs\n  for professional claims\n  effective 2026-01-01\n")
        impact = radrules.diff_outcomes(old, load(new), example_claims())
        assert impact.changed >= 2
        shown = impact.to_text() + json.dumps(impact.to_dict())
        for claim in example_claims():
            for secret in (claim.get("patient", {}).get("birth_date"), claim.get("prior_auth"),
                           *[line.get("rendering_npi") for line in claim["lines"]]):
                if secret:
                    assert secret not in shown


def test_line_amounts_round_as_the_totals_do():
    """Each changed line's charge is shown rounded half up, as the totals: 0.125 is 0.13, not 0.12."""
    from radrules.diff.report import money

    assert (money(0.125), money(2.675), money(1234.5), money(0)) == ("0.13", "2.68", "1,234.50", "0.00")


def test_cents_of_subclasses_of_int_and_float():
    """money.cents reads a float or int subclass by its value, not by its repr (`np.float64(0.1)`)."""
    from radrules.money import cents

    class Float64(float):
        def __repr__(self):
            return f"np.float64({float(self)})"

    class Int64(int):
        def __repr__(self):
            return f"np.int64({int(self)})"

    assert (cents(Float64(0.1)), cents(Int64(7)), cents(0.125), cents(None)) == (10, 700, 12.5, None)


def screening_without_frequency(tmp_path: Path) -> tuple:
    """(the bundled rules, the same with a payer folder that leaves out the Medicare screening frequency rule,
    a screening claim, the patient's screening paid half a year before)."""
    (tmp_path / "payer").mkdir()
    (tmp_path / "payer" / "free.rr").write_text(
        'disable rule medicare.mammography.frequency reference "test"\n', encoding="utf-8")
    old, new = radrules.load(), radrules.load(tmp_path / "payer", bundled=True)
    claim = {"id": "H-1", "payer": "medicare", "patient": {"id": "M-1", "birth_date": "1960-01-01", "sex": "F"},
             "diagnoses": ["Z12.31"], "lines": [{"code": "77067", "date": "2026-03-02", "diagnosis_pointers": [1]}]}
    earlier = [{"patient_id": "M-1", "code": "77067", "date": "2025-09-15"}]
    return old, new, claim, earlier


def test_outcomes_with_history_reach_both_rulesets(tmp_path):
    """``history=`` is given to both evaluations: a payer folder that leaves out the Medicare frequency rule
    releases a screening only when the earlier one is known."""
    old, new, claim, earlier = screening_without_frequency(tmp_path)
    assert radrules.diff_outcomes(old, new, [claim]).changed == 0
    impact = radrules.diff_outcomes(old, new, [claim], history=earlier)
    assert (impact.changed, impact.fail_to_pass) == (1, 1)
    assert [r.rule for r in impact.rules] == ["medicare.mammography.frequency"]


# ---------------------------------------------------------------- changes that take effect after the claims


def quarters(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Folders of a Q2 PTP table (v321), a Q3 one (v322, adding a pair from 2026-07-01), and both quarters."""
    header = "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"
    old_row = "74176\t74150\t\t20110101\t*\t0\tMisuse of column two code with column one code\n"
    new_row = "71046\t71045\t\t20260701\t*\t0\tMutually exclusive procedures\n"
    folders = []
    for name, files in (("q2", {"v321": old_row}), ("q3", {"v322": old_row + new_row}),
                        ("both", {"v321": old_row, "v322": old_row + new_row})):
        folder = tmp_path / name
        (folder / "cms").mkdir(parents=True)
        statements = []
        for version, rows in files.items():
            (folder / "cms" / f"ccipra-{version}r0-f1.TXT").write_text(header + rows, encoding="latin-1")
            effective = " effective 2026-07-01" if version == "v322" and len(files) > 1 else ""
            statements.append(f'table ptp "cms/ccipra-{version}r0-f1.TXT"{effective}\n')
        (folder / "tables.rr").write_text("".join(statements), encoding="utf-8")
        folders.append(folder)
    return tuple(folders)


CHEST_VIEWS = [{"id": f"H{n}", "payer": "medicare", "lines": [
    {"code": "71046", "date": day, "charge": 100}, {"code": "71045", "date": day, "charge": 50}]}
    for n, day in enumerate(("2026-05-15", "2026-04-02"), 1)]


def test_table_changes_record_the_latest_date_they_take_effect(tmp_path):
    """A row added from 2026-07-01 makes it the comparison's `latest_effective`, as does a version that replaces
    an earlier one from that date (whatever its rows' dates); a change of an undated MUE limit has none."""
    q2, q3, both = quarters(tmp_path)
    (added,) = compare(q2, q3).tables
    assert (added.start, added.added, added.latest_effective) == ("2011-01-01", 1, "2026-07-01")
    assert added.earlier_dates and "practitioner PTP table in force from 2011-01-01 (and earlier dates): " \
        "ccipra-v321r0-f1.TXT -> ccipra-v322r0-f1.TXT" in compare(q2, q3).to_text()
    (later,) = compare(q2, both).tables
    assert (later.start, later.latest_effective, later.earlier_dates) == ("2026-07-01", "2026-07-01", False)
    (tmp_path / "q3" / "tables.rr").write_text('table ptp "cms/ccipra-v321r0-f1.TXT"\n', encoding="utf-8")
    (tmp_path / "q3" / "cms" / "ccipra-v321r0-f1.TXT").write_bytes(
        (q2 / "cms" / "ccipra-v321r0-f1.TXT").read_bytes().replace(b"\t0\tMisuse", b"\t1\tMisuse"))
    (changed,) = compare(q2, q3).tables
    assert (changed.changed, changed.latest_effective) == (1, "2011-01-01")  # the changed row's own start
    assert changed.to_dict()["latest_effective"] == "2011-01-01"


def test_a_deletion_on_the_last_day_of_the_calendar_takes_effect_never(tmp_path):
    """A row deleted on 9999-12-31 in OLD and never in NEW differs on no date a claim can have: no date, and no
    note asking to move the claims 2.9 million days."""
    q2, q3, _ = quarters(tmp_path)
    path = q2 / "cms" / "ccipra-v321r0-f1.TXT"
    path.write_bytes(path.read_bytes().replace(b"20110101\t*\t0\tMisuse", b"20110101\t99991231\t0\tMisuse"))
    new = q3 / "cms" / "ccipra-v322r0-f1.TXT"  # the row undeleted, and 71046 with 71045 added from 2026-07-01
    (table,) = compare(q2, q3).tables
    assert (table.added, table.changed, table.latest_effective) == (1, 1, "2026-07-01")  # the added row's date
    new.write_bytes(path.read_bytes().replace(b"99991231", b"*"))
    (table,) = compare(q2, q3).tables
    assert (table.added, table.changed, table.latest_effective) == (0, 1, None)


def test_a_primary_deleted_from_an_add_on_edit_takes_effect_the_day_after(tmp_path):
    """A new deletion date of one primary of an add-on edit shows from the next day (not from the edit's start,
    2017), and the example row shows the date, not a day number."""
    header = ("Primary Code,Add-on Code,AOC Edit Type,Special Instruction Notes,AOC Del Dt (Julian),"
              "Primary Code Del Dt (Julian),AOC Edit Eff Dt (Julian),AOC Edit Del Dt (Julian)\n")
    folders = []
    for name, deleted in (("old", ""), ("new", "2026181")):
        folder = tmp_path / name
        (folder / "cms").mkdir(parents=True)
        (folder / "cms" / "aoc_v2026q3.csv").write_text(
            header + f"77067,77063,1,,,,2017001,\n77066,77063,1,,,{deleted},2017001,\n", encoding="latin-1")
        (folder / "t.rr").write_text('table addon "cms/aoc_v2026q3.csv"\n', encoding="utf-8")
        folders.append(folder)
    (table,) = compare(*folders).tables
    assert (table.changed, table.latest_effective) == (1, "2026-07-01")
    assert table.examples[0].details == ("primaries end: none -> 77066 2026-06-30",)


def test_a_deleted_edit_takes_effect_the_day_after_its_deletion_date(tmp_path):
    """CMS deletes an edit by giving its row a deletion date: the change shows from the next day, so claims
    dated before it get the note (the row's start, 2011, said the change could show on any claim)."""
    q2, q3, _ = quarters(tmp_path)
    path = q3 / "cms" / "ccipra-v322r0-f1.TXT"
    path.write_bytes(path.read_bytes().replace(b"20110101\t*\t0\tMisuse", b"20110101\t20260630\t0\tMisuse"))
    (table,) = compare(q2, q3).tables
    assert (table.added, table.changed, table.latest_effective) == (1, 1, "2026-07-01")
    path.write_bytes(path.read_bytes().replace(b"71046\t71045\t\t20260701", b"71046\t71045\t\t20110101"))
    (table,) = compare(q2, q3).tables
    assert table.latest_effective == "2026-07-01"  # the deletion alone
    claims = [{"id": "D", "payer": "medicare", "lines": [{"code": "74176", "date": "2026-05-04"},
                                                        {"code": "74150", "date": "2026-05-04"}]}]
    old, new = load(q2), load(q3)
    impact = radrules.diff_outcomes(old, new, claims)
    assert impact.changed == 0
    from radrules.diff.report import late_changes_note

    assert "changes from as late as 2026-07-01" in late_changes_note(radrules.diff_rulesets(old, new), impact)
    assert radrules.diff_outcomes(old, new, claims, shift_days=90).fail_to_pass == 1


def test_shift_days_judges_past_claims_by_a_later_quarter(tmp_path):
    """Claims dated before a new quarter's rows can't show them; moved 90 days later they do, and the impact
    says how its dates were moved."""
    q2, q3, _ = quarters(tmp_path)
    old, new = load(q2), load(q3)
    plain = radrules.diff_outcomes(old, new, CHEST_VIEWS)
    assert (plain.changed, plain.first_date, plain.last_date, plain.shift_days) == (0, "2026-04-02", "2026-05-15", 0)
    moved = radrules.diff_outcomes(old, new, CHEST_VIEWS, shift_days=90)
    assert (moved.pass_to_fail, moved.first_date, moved.last_date) == (2, "2026-07-01", "2026-08-13")
    assert [r.rule for r in moved.rules] == ["ncci.ptp"]
    assert "every date moved +90 days (--shift-days): dates of service 2026-07-01 through 2026-08-13" in \
        moved.to_text()
    assert moved.to_dict()["shift_days"] == 90


def test_shift_days_moves_every_date_and_the_history_with_the_claims(tmp_path):
    """The screening frequency rule compares a claim with an earlier paid line: moved 400 days together they
    still meet (the earlier line moved too); the end of a span, the received date, the birth date, the
    authorization records and the statement period move as well."""
    old, new, claim, earlier = screening_without_frequency(tmp_path)
    impact = radrules.diff_outcomes(old, new, [claim], history=earlier, shift_days=400)
    assert (impact.changed, impact.fail_to_pass, impact.first_date) == (1, 1, "2027-04-06")

    from radrules.diff.shift import shift_claim

    full = radrules.Claim.from_dict({
        "id": "S", "received": "2026-03-20", "patient": {"birth_date": "1960-02-29"},
        "authorizations": [{"number": "PA1", "codes": ["74177"], "start": "2026-03-01", "end": "2026-03-31"}],
        "lines": [{"code": "74177", "date": "2026-03-02", "end_date": "2026-03-04"}]})
    moved = shift_claim(full, -1)
    assert (moved.lines[0].date.isoformat(), moved.lines[0].end_date.isoformat(), moved.received.isoformat(),
            moved.patient.birth_date.isoformat(), moved.authorizations[0].start.isoformat(),
            moved.authorizations[0].end.isoformat()) == (
        "2026-03-01", "2026-03-03", "2026-03-19", "1960-02-28", "2026-02-28", "2026-03-30")
    assert moved._checked and moved.id == "S" and moved.lines[0].code == "74177"
    hospital = radrules.Claim.from_dict({"type": "institutional", "statement_from": "2026-03-01",
                                         "statement_through": "2026-03-31",
                                         "lines": [{"code": "74177", "date": "2026-03-02"}]})
    moved = shift_claim(hospital, 31)
    assert (moved.statement_from.isoformat(), moved.statement_through.isoformat()) == ("2026-04-01", "2026-05-01")


def test_a_claim_moved_out_of_the_calendar_is_unreadable():
    """A date that would pass 9999-12-31 makes the claim unreadable, naming the field; the run goes on."""
    rules = radrules.load()
    late = {"id": "L", "lines": [{"code": "71046", "date": "9999-12-30"}]}
    impact = radrules.diff_outcomes(rules, rules, [late, CHEST_VIEWS[0]], shift_days=5)
    assert (impact.claims, impact.unreadable) == (1, 1)
    assert impact.bad[0].problem == "lines[0].date: out of the calendar when moved by 5 days"


def test_claim_impact_names_the_rows_of_the_findings_that_differ(tmp_path):
    """A quarter (v322 from July) that adds 71046 with 71045 and drops 74176 with 74150: the claims name the row
    each finding comes from, and the rows are counted by claims; 70470 with 70450, in both versions at another
    row number, moves nothing and is named nowhere (findings are compared without their source)."""
    v321 = ["74176\t74150\t\t20110101\t*\t0\tMisuse", "70470\t70450\t\t20110101\t*\t0\tMisuse"]
    v322 = ["70470\t70450\t\t20110101\t*\t0\tMisuse", "71046\t71045\t\t20260701\t*\t0\tMisuse"]
    statements = 'table ptp "cms/ccipra-v321r0-f1.TXT" effective 2026-04-01\n'
    old = table_ruleset(tmp_path / "old", statements, {"ccipra-v321r0-f1.TXT": v321})
    new = table_ruleset(tmp_path / "new", statements + 'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01\n',
                        {"ccipra-v321r0-f1.TXT": v321, "ccipra-v322r0-f1.TXT": v322})

    def pairs(name, *codes):
        return {"id": name, "payer": "medicare", "lines": [{"code": code, "date": "2026-07-10"} for code in codes]}

    claims = [pairs("A", "71046", "71045"), pairs("B", "74176", "74150"), pairs("C", "70470", "70450"),
              pairs("D", "70470", "70450", "71046", "71045")]
    impact = radrules.diff_outcomes(load(old), load(new), claims)
    assert [e.claim for e in impact.examples] == ["A", "B", "D"]
    assert [(s.source, s.rule, s.claims, s.appeared, s.disappeared) for s in impact.sources] == [
        ("ccipra-v322r0-f1.TXT:8", "ncci.ptp", 2, 2, 0), ("ccipra-v321r0-f1.TXT:7", "ncci.ptp", 1, 0, 1)]
    assert impact.source_count == 2
    text = impact.to_text()
    assert "    fires now: ncci.ptp (ccipra-v322r0-f1.TXT:8)\n" in text
    assert "    no longer fires: ncci.ptp (ccipra-v321r0-f1.TXT:7)\n" in text
    assert "    fires differently: ncci.ptp (also from ccipra-v322r0-f1.TXT:8)\n" in text
    # the other way round, D's ncci.ptp still fires (70470 with 70450): its row is gone, not the rule
    back = radrules.diff_outcomes(load(new), load(old), claims).to_text()
    assert "    fires differently: ncci.ptp (no longer from ccipra-v322r0-f1.TXT:8)\n" in back
    assert ("by row (the PTP, MUE and add-on rows whose findings differ):\n"
            "  row                     rule      claims  new  gone\n"
            "  ccipra-v322r0-f1.TXT:8  ncci.ptp       2    2     0\n"
            "  ccipra-v321r0-f1.TXT:7  ncci.ptp       1    0     1\n") in text
    shown = impact.to_dict()
    assert [e["sources"] for e in shown["examples"]] == [
        {"ncci.ptp": {"old": [], "new": ["ccipra-v322r0-f1.TXT:8"]}},
        {"ncci.ptp": {"old": ["ccipra-v321r0-f1.TXT:7"], "new": []}},
        {"ncci.ptp": {"old": [], "new": ["ccipra-v322r0-f1.TXT:8"]}}]
    assert shown["sources"][1] == {"source": "ccipra-v321r0-f1.TXT:7", "rule": "ncci.ptp", "kind": "ptp",
                                   "claims": 1, "appeared": 0, "disappeared": 1}
    first = radrules.diff_outcomes(load(old), load(new), claims, limit_examples=1)
    assert (len(first.sources), first.source_count) == (1, 2)
    assert "  ... and 1 more (--limit-examples)\n" in first.to_text()


def test_a_condition_shown_with_a_space_after_each_comma():
    """`[GA,GY]` is shown as fmt writes it, `[GA, GY]` (a review found the space after a comma left out)."""
    from radrules.diff.describe import _spaced

    assert _spaced("line.modifiers has any of [ GA ,GY ]") == "line.modifiers has any of [GA, GY]"
    assert _spaced('claim.payer in [acme,"a,b"]') == 'claim.payer in [acme, "a,b"]'


def _change_of_t_x(tmp_path, rule: str, old: str, new: str):
    """The change of rule `t.x` between two folders of one file, ``rule`` with ``old``, then ``new``, put in."""
    for folder, written in (("old", old), ("new", new)):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "t.rr").write_text(rule.format(written))
    return only(compare(tmp_path / "old", tmp_path / "new"), rule="t.x")


def test_the_claims_dates_of_service_end_with_the_end_of_a_span(tmp_path):
    """A line with a span is on every day of it: the claims' last date of service is the span's end, so claims
    whose spans reach a new quarter get no note that they can't show its rows (one of them changed outcome)."""
    q2, _, both = quarters(tmp_path)
    old, new = load(q2), load(both)
    span = [{"id": "S", "payer": "medicare", "lines": [
        {"code": "71046", "date": "2026-06-30", "end_date": "2026-07-01"},
        {"code": "71045", "date": "2026-06-30", "end_date": "2026-07-01"}]}]
    impact = radrules.diff_outcomes(old, new, span)
    assert (impact.pass_to_fail, impact.first_date, impact.last_date) == (1, "2026-06-30", "2026-07-01")
    from radrules.diff.report import late_changes_note

    assert late_changes_note(radrules.diff_rulesets(old, new), impact) is None


def test_the_note_counts_one_day_as_a_day(tmp_path):
    """A claim the day before the new rows: `--shift-days 1 moves every date 1 day` (it said `1 days`)."""
    q2, _, both = quarters(tmp_path)
    old, new = load(q2), load(both)
    claims = [{"id": "D", "payer": "medicare", "lines": [{"code": "71046", "date": "2026-06-30"},
                                                         {"code": "71045", "date": "2026-06-30"}]}]
    from radrules.diff.report import late_changes_note

    note = late_changes_note(radrules.diff_rulesets(old, new), radrules.diff_outcomes(old, new, claims))
    assert "--shift-days 1 moves every date 1 day, the first claim's (2026-06-30) to 2026-07-01" in note


def test_shift_days_moves_a_paid_spans_end_too():
    """A paid line's span moves with its date (only `date` moved: a span that ended before it began)."""
    import datetime as dt

    from radrules.diff.shift import ShiftedHistory

    paid = [{"code": "Q9967", "units": 6, "date": "2026-04-01", "end_date": "2026-04-03", "status": "paid"}]
    (moved,) = ShiftedHistory(paid, 90).lookup(None, None, dt.date(2026, 12, 31))
    assert (moved.date.isoformat(), moved.end_date.isoformat()) == ("2026-06-30", "2026-07-02")
