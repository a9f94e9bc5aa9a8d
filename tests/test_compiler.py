"""Compiler tests: name resolution, type checks, scopes, overrides and the compiled ruleset."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

import radrules
from radrules.errors import did_you_mean
from radrules.compiler.context import Context
from radrules.syntax import SourceFile, Span

from builders import underlined
from builders import claim, fired, line


class TestSuggestions:
    def test_did_you_mean_never_offers_the_word_itself(self):
        """A suggestion is a different candidate, never the word that was written."""
        assert did_you_mean("line", ["line", "other", "claim", "patient"]) is None
        assert did_you_mean("lin", ["line", "other", "claim", "patient"]) == "line"

    def test_also_has_on_a_line_names_the_claim(self):
        """`line also has` is refused with a message that points to `claim also has`, not a self-suggestion."""
        text = 'rule a.b\n  when line also has 70450\n  then deny line "x"\n  reference "t"\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="also_has_line.rr")
        (diagnostic,) = caught.value.errors
        assert diagnostic.code == "RR221"
        assert underlined(diagnostic) == "line"
        assert "unknown record" not in diagnostic.message
        assert diagnostic.help == "write `claim also has ...`"

    @pytest.mark.parametrize("written", ["line.diagnoses not in [J32*]", "line.diagnoses in [J32*]",
                                         "line.modifiers is not 59", "line.modifiers != 59"])
    def test_a_list_test_hint_keeps_the_sense(self, written):
        """`in`, `not in`, `is not` on a list: the rule the hint writes fires exactly where the written words mean.

        A hint that dropped the `not` (`has any of` for `not in`) would turn a covered-diagnoses rule around.
        """
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(rule(written), name="hint.rr")
        (diagnostic,) = caught.value.errors
        assert diagnostic.code == "RR209"
        fixed = re.fullmatch(r"write `(.*)`", diagnostic.help).group(1)
        ruleset = radrules.loads(rule(fixed))
        for dx, modifiers in ((["J32.9"], []), (["J01.90"], ["59"]), ([], ["59", "26"]), (["J33.0"], ["26"])):
            claim = {"diagnoses": dx, "lines": [{"code": "70486", "date": "2026-03-02", "modifiers": modifiers,
                                                 "diagnosis_pointers": [1] if dx else []}]}
            member = (any(d.startswith("J32") for d in dx) if "J32" in written else "59" in modifiers)
            expected = member != ("not" in written or "!=" in written)
            assert ("t.rule" in ruleset.evaluate(claim).fired()) == expected, (written, fixed, dx, modifiers)

    @pytest.mark.parametrize("field, hint", [
        ("line.pos", "did you mean `place_of_service`?"),
        ("claim.pos", "did you mean `place_of_service`?"),
        ("claim.auth", "did you mean `prior_auth`?"),
        ("claim.prior_authorization", "did you mean `prior_auth`?"),
        ("line.auth", "did you mean `authorization`? (`claim.prior_auth` is the claim's number)"),
        ("line.dx", "did you mean `diagnoses`?"),
        ("line.npi", "did you mean `rendering_npi`?"),
        ("line.dos", "did you mean `date`?"),
        ("line.mods", "did you mean `modifiers`?"),  # not `code`, two letters away
        ("claim.tob", "did you mean `bill_type`?"),
        ("claim.type_of_bill", "did you mean `bill_type`?"),
        ("patient.dob", "did you mean `birth_date`?"),
        ("patient.gender", "did you mean `sex`?"),
        ("line.unit", "did you mean `units`?"),
        ("line.age", "did you mean `patient.age`?"),  # not `date`, two letters away
        ("other.payer", "did you mean `claim.payer`?"),
        ("claim.npi", "did you mean `line.rendering_npi`?"),
        ("patient.weight", "the fields of `patient` are `age`, `sex`, `birth_date`"),
        ("claim.xyz", "the fields of `claim` are `id`, `type`, `payer`, `place_of_service`, `prior_auth`, "
                      "`received`, `diagnoses`, `line_count`, `condition_codes`, `revenue_codes`, `bill_type`, `frequency`, "
                      "`statement_from`, `statement_through`, `last_date`, `replaces`"),
        ("claim.through", "did you mean `statement_through`?"),
    ])
    def test_an_unknown_field_is_told_the_field_meant(self, field, hint):
        """RR204 names the field a word of the test format or a claim form stands for (`pos`, `dx`, `dob`), a
        field of that name on another record, the nearest field, or else lists the record's fields."""
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(rule(f"{field} is missing"), name="field.rr")
        (diagnostic,) = caught.value.errors
        assert (diagnostic.code, underlined(diagnostic), diagnostic.help) == ("RR204", field.split(".")[1], hint)

    @pytest.mark.parametrize("condition, code, hint", [
        ("line.code is g0279", "RR210", "codes are written in capitals: `G0279`"),
        ("line.first_modifier is lt", "RR210", "modifiers are written in capitals: `LT`"),
        ("line.code is 7045", "RR210", "procedure codes have 5 characters: 5 digits, 4 digits and a letter, or a "
                                       "letter and 4 digits"),
        ("claim.prior_auth is not present", "RR209", "write `claim.prior_auth is missing`"),
        ("line.rendering_npi != present", "RR209", "write `line.rendering_npi is missing`"),
        ("claim.prior_auth is \"PA1\"", "RR209", "identifiers are protected data; rules never read their values"),
        # `is not present` on a field read as "is not the payer named `present`" (it compiled, and was always true)
        ("claim.payer is not present", "RR209", "write `claim.payer is missing`; to compare with a name `present`, "
                                                "quote it"),
        ("line.place_of_service != missing", "RR209", "write `line.place_of_service is present`; to compare with a "
                                                      "name `missing`, quote it"),
    ])
    def test_a_value_written_almost_right_is_told_how(self, condition, code, hint):
        """A code or modifier in lower case is told to use capitals (not that codes have 5 characters); `is not
        present` on an identifier is told `is missing`."""
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(rule(condition), name="value.rr")
        (diagnostic,) = caught.value.errors
        assert (diagnostic.code, diagnostic.help) == (code, hint)

    def test_the_other_names_of_fields_name_fields(self):
        """Every alias RR204 suggests is a field of its record, and none is a field itself."""
        from radrules.compiler.fields import CLAIM_FIELDS, FIELD_ALIASES, LINE_FIELDS, PATIENT_FIELDS
        fields = {"line": LINE_FIELDS, "claim": CLAIM_FIELDS, "patient": PATIENT_FIELDS}
        for record, aliases in FIELD_ALIASES.items():
            assert set(aliases.values()) <= set(fields[record]) and not set(aliases) & set(fields[record]), record


REF = '  reference "test"\n'


def rule(condition: str, rule_id: str = "t.rule", then: str = 'deny line "hit"', extra: str = "") -> str:
    """The text of one rule."""
    return f"rule {rule_id}\n{extra}  when {condition}\n  then {then}\n{REF}end\n"


def hits(rules, *codes, date="2026-03-02", **claim_fields) -> bool:
    """Whether `t.rule` fires on line 1 of a claim with these codes."""
    claim = {"lines": [{"code": c, "date": date} for c in codes]}
    claim.update(claim_fields)
    return "t.rule" in rules.evaluate(claim).fired()


class TestSets:
    def test_range_expands_inclusively(self):
        """A range holds both ends and every code between them."""
        rules = radrules.loads("codes ct = 70450-70452\n" + rule("line.code in ct"))
        assert [hits(rules, c) for c in ("70449", "70450", "70451", "70452", "70453")] == [
            False, True, True, True, False]

    def test_alphanumeric_ranges(self):
        """Ranges of HCPCS and category III / PLA codes count through their digits."""
        rules = radrules.loads("codes c = A9575-A9577, 0001U-0003U\n" + rule("line.code in c"))
        assert hits(rules, "A9576") and hits(rules, "0002U")
        assert not hits(rules, "A9578") and not hits(rules, "0004U")

    def test_except_and_references(self):
        """`except` removes codes, also through set references, and references nest."""
        rules = radrules.loads(
            "codes head = 70450-70470\ncodes drop = 70460\ncodes both = head, 71250 except drop\n"
            + rule("line.code in both")
        )
        assert hits(rules, "70450") and hits(rules, "71250")
        assert not hits(rules, "70460")

    def test_set_defined_after_use(self):
        """A set may be used before the line that defines it."""
        rules = radrules.loads(rule("line.code in later") + "codes later = 70450\n")
        assert hits(rules, "70450")

    def test_diagnosis_dots_do_not_matter(self):
        """Diagnoses compare without their dots, whichever side writes one."""
        rules = radrules.loads("diagnoses dx = Z87.891, F17210\n" + rule("claim.diagnoses has any of dx"))
        assert hits(rules, "71271", diagnoses=["Z87891"])
        assert hits(rules, "71271", diagnoses=["F17.210"])
        assert not hits(rules, "71271", diagnoses=["Z12.2"])

    def test_diagnosis_prefix(self):
        """`C34*` matches every code that starts with C34."""
        rules = radrules.loads("diagnoses lung = C34*\n" + rule("claim.diagnoses has lung"))
        assert hits(rules, "71250", diagnoses=["C34.90"])
        assert not hits(rules, "71250", diagnoses=["C33"])

    def test_a_diagnosis_holds_the_codes_under_it(self):
        """A listed diagnosis holds the codes under it, as the Tabular's categories do (`M81` holds `M81.0`), and a
        range the codes it counts through and those under them (`O09.00-O09.93` holds O09.522), but not the
        shorter codes above them (`O09.1`, `O09`) nor one past its end; `except` takes a code out with the codes
        under it (`O09.61` takes O09.612), and from under a member (`O09.522` from under O09.52)."""
        rules = radrules.loads("diagnoses high_risk = O09.00-O09.93, M80.0-M80.8, M81 except O09.61, O09.522\n"
                               "diagnoses exact = M80.00XA-M80.08XA\n"
                               + rule("claim.diagnoses has any of high_risk")
                               + rule("claim.diagnoses has any of exact", rule_id="t.exact"))
        fired = {dx: hits(rules, "76801", diagnoses=[dx]) for dx in
                 ("O09.00", "O09.523", "O09.522", "O09.612", "O09.93", "O09.933", "O09.94", "O10.00", "O09.1", "O09",
                  "M80.08XA", "M80.9", "M81", "M81.0")}
        assert fired == {"O09.00": True, "O09.523": True, "O09.522": False, "O09.612": False, "O09.93": True,
                         "O09.933": True, "O09.94": False, "O10.00": False, "O09.1": False, "O09": False,
                         "M80.08XA": True, "M80.9": False, "M81": True, "M81.0": True}
        none_of = radrules.loads("diagnoses high_risk = M81\n" + rule("claim.diagnoses has none of high_risk"))
        assert not hits(none_of, "77080", diagnoses=["M81.0"]) and hits(none_of, "77080", diagnoses=["M80.08XA"])
        exact = [f"M80.0{n}XA" for n in (0, 8, 9)] + ["M80.08XD"]
        assert [list(rules.evaluate({"diagnoses": [dx], "lines": [{"code": "76801", "date": "2026-03-02"}]}).fired())
                for dx in exact] == [["t.exact", "t.rule"], ["t.exact", "t.rule"], ["t.rule"], ["t.rule"]]

    def test_a_diagnosis_range_of_several_shapes_is_told_the_prefix(self):
        """`M80.00XA-M80.88XS` counts through no one run of digits: RR208 says to write the category's prefix."""
        (diagnostic,) = _errors("diagnoses d = M80.00XA-M80.88XS\n")
        assert (diagnostic.code, diagnostic.help) == ("RR208", "for every code that starts with M80, write a prefix: "
                                                               "`M80*`")
        for text in ("codes c = 70450-7049X\n", "diagnoses d = O09.93-O09.00\n"):  # (reversed: swap the ends)
            (diagnostic,) = _errors(text)
            assert diagnostic.help == ("a range runs from a lower code to a higher one of the same shape, as "
                                       "70450-70498")

    def test_a_range_of_categories_holds_the_alphanumeric_ones(self):
        """`C00-C96, D00-D49` holds C7A.010, C4A.9 and D3A.010 (categories the Tabular puts inside those ranges),
        as the reviewer's covered-diagnosis rule needs; `C00-D49` crosses the letter and holds C7B.01 and D49.9,
        not E01.8."""
        for written in ("C00-C96, D00-D49", "C00-D49"):
            rules = radrules.loads(f"diagnoses malignant = {written}\n"
                                   + rule("line.code in [78815] and line.diagnoses has any of malignant"))
            fired = {dx: hits(rules, "78815", diagnoses=[dx], lines=[{"code": "78815", "date": "2026-03-02",
                                                                      "diagnosis_pointers": [1]}])
                     for dx in ("C7A.010", "C4A.9", "D3A.010", "C34.11", "C7B.01", "D49.9", "E01.8", "B99.9")}
            assert fired == {"C7A.010": True, "C4A.9": True, "D3A.010": True, "C34.11": True, "C7B.01": True,
                             "D49.9": True, "E01.8": False, "B99.9": False}, written

    def test_a_range_of_categories_ends_where_it_says(self):
        """`O00-O9A` holds O9A.111; `C00-C43` stops before C4A, `C00-C44` holds it."""
        rules = radrules.loads(rule("claim.diagnoses has any of [O00-O9A]"))
        assert hits(rules, "76801", diagnoses=["O9A.111"]) and not hits(rules, "76801", diagnoses=["P00.0"])
        before = radrules.loads(rule("claim.diagnoses has any of [C00-C43]"))
        after = radrules.loads(rule("claim.diagnoses has any of [C00-C44]"))
        assert not hits(before, "71250", diagnoses=["C4A.9"]) and hits(after, "71250", diagnoses=["C4A.9"])
        assert hits(before, "71250", diagnoses=["C43.9"])

    def test_except_takes_codes_out_of_a_range_of_categories(self):
        """`except` takes a category, with the codes under it, or one code out of such a range; a set of categories
        and longer ends holds both."""
        rules = radrules.loads("diagnoses dx = C00-D49, O09.00-O09.93 except C7A, D3A.010, C4A*\n"
                               + rule("claim.diagnoses has any of dx"))
        fired = {dx: hits(rules, "78815", diagnoses=[dx]) for dx in
                 ("C7A.010", "C7B.01", "D3A.010", "D3A.020", "C4A.9", "C43.9", "O09.522", "O10.0")}
        assert fired == {"C7A.010": False, "C7B.01": True, "D3A.010": False, "D3A.020": True, "C4A.9": False,
                         "C43.9": True, "O09.522": True, "O10.0": False}

    def test_an_unknown_alphanumeric_end_is_rr208(self):
        """A range ending at a category with a letter third that the Tabular has not (`C9Z`) is refused, and the
        help names the ones it has; so are reversed categories."""
        (diagnostic,) = _errors("diagnoses d = C00-C9Z\n")
        assert diagnostic.code == "RR208" and "`C9Z`" in diagnostic.message
        assert "C4A, C7A, C7B, D3A" in diagnostic.help and underlined(diagnostic) == "C00-C9Z"
        (diagnostic,) = _errors("diagnoses d = D00-C96\n")
        assert (diagnostic.code, diagnostic.message) == ("RR208", "bad range `D00-C96`: `D00` comes after `C96`")

    def test_has_all_of_a_range_of_diagnoses_needs_each_code_or_one_under_it(self):
        rules = radrules.loads(rule("claim.diagnoses has all of [O09.00-O09.02, M81]"))
        assert hits(rules, "76801", diagnoses=["O09.00", "O09.01", "O09.02", "M81.0"])
        assert hits(rules, "76801", diagnoses=["O09.00", "O09.011", "O09.02", "M81"])
        assert not hits(rules, "76801", diagnoses=["O09.00", "O09.02", "M81.0"])

    def test_has_all_of_with_prefix(self):
        """`has all of` needs every listed code and one match for every prefix."""
        rules = radrules.loads(rule("claim.diagnoses has all of [Z87.891, C34*]"))
        assert hits(rules, "71250", diagnoses=["Z87.891", "C34.11"])
        assert not hits(rules, "71250", diagnoses=["Z87.891"])
        assert not hits(rules, "71250", diagnoses=["C34.11"])

    def test_modifier_and_place_sets(self):
        """Modifier and place-of-service sets compile and are tested with `has` and `in`."""
        rules = radrules.loads(
            "modifiers bypass = 59, XS\nplaces hospital = 19, 21-23\n"
            + rule("line.modifiers has bypass and line.place_of_service in hospital")
        )
        base = {"lines": [{"code": "70450", "date": "2026-03-02", "modifiers": ["XS"], "place_of_service": "22"}]}
        assert rules.evaluate(base).fired() == ("t.rule",)
        base["lines"][0]["place_of_service"] = "11"
        assert rules.evaluate(base).fired() == ()

    def test_property_values_are_read_per_code(self):
        """`property NAME = VALUE for CODES` gives each listed code that value."""
        rules = radrules.loads("property family = head for 70450-70470\n" + rule("line.family is head"))
        assert hits(rules, "70460")
        assert not hits(rules, "71250")


class TestLoad:
    def test_loads_caches_by_content(self):
        """Identical text (and name) returns the very same compiled ruleset."""
        text = rule("line.units > 1", rule_id="cache.same")
        assert radrules.loads(text, name="c.rr") is radrules.loads(text, name="c.rr")

    def test_loads_different_text_is_a_new_ruleset(self):
        """Different text compiles to a different ruleset."""
        a = radrules.loads(rule("line.units > 1", rule_id="cache.a"))
        b = radrules.loads(rule("line.units > 2", rule_id="cache.a"))
        assert a is not b

    def test_load_missing_path(self, tmp_path):
        """A path that does not exist raises RR401."""
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(tmp_path / "nowhere")
        assert [d.code for d in caught.value.errors] == ["RR401"]

    def test_load_folder_without_rule_files(self, tmp_path):
        """A folder with no `.rr` file raises RR401."""
        (tmp_path / "notes.txt").write_text("nothing")
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(tmp_path)
        assert [d.code for d in caught.value.errors] == ["RR401"]
        assert "no `.rr` files" in caught.value.errors[0].message

    def test_load_folder_recurses_and_skips_hidden(self, tmp_path):
        """A folder loads `.rr` files in sub-folders, but not in hidden ones."""
        (tmp_path / "sub").mkdir()
        (tmp_path / ".hidden").mkdir()
        (tmp_path / "sub" / "a.rr").write_text(rule("line.units > 1", rule_id="sub.a"))
        (tmp_path / ".hidden" / "b.rr").write_text("this is not a rule file")
        ruleset = radrules.load(tmp_path)
        assert "sub.a" in ruleset.rule_ids()
        assert ruleset.files == (f"{tmp_path.name}/sub/a.rr",)

    def test_include_follows_relative_paths(self, tmp_path):
        """`include` is relative to the including file; included sets are usable."""
        (tmp_path / "sets").mkdir()
        (tmp_path / "sets" / "codes.rr").write_text("codes ct = 70450\n")
        main = tmp_path / "main.rr"
        main.write_text('include "sets/codes.rr"\n' + rule("line.code in ct", rule_id="inc.rule"))
        ruleset = radrules.load(main)
        assert ruleset.evaluate({"lines": [{"code": "70450", "date": "2026-01-05"}]}).fired() == ("inc.rule",)

    def test_file_included_twice_is_read_once(self, tmp_path):
        """A file included by two files, and also found by the folder walk, is compiled once."""
        (tmp_path / "codes.rr").write_text("codes ct = 70450\n")
        (tmp_path / "a.rr").write_text('include "codes.rr"\n' + rule("line.code in ct", rule_id="a.rule"))
        (tmp_path / "b.rr").write_text('include "codes.rr"\n' + rule("line.code in ct", rule_id="b.rule"))
        ruleset = radrules.load(tmp_path)
        assert set(ruleset.rule_ids()) >= {"a.rule", "b.rule"}
        assert len(ruleset.files) == 3

    def test_include_errors_name_relative_files(self, tmp_path):
        """Include problems name the file relative to the ruleset's parent, never absolutely."""
        folder = tmp_path / "payer_rules"
        folder.mkdir()
        (folder / "main.rr").write_text('include "../outside.rr"\ninclude "missing.rr"\n')
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(folder)
        assert [(d.code, str(d.span)) for d in caught.value.errors] == [
            ("RR402", "payer_rules/main.rr:1:9"), ("RR401", "payer_rules/main.rr:2:9")]
        assert str(tmp_path) not in str(caught.value)

    def test_a_rule_file_linking_outside_the_folder_is_refused(self, tmp_path):
        """A folder's `.rr` file that is a link to a file elsewhere is an error (a ruleset reads only its folder)."""
        folder = tmp_path / "payer_rules"
        folder.mkdir()
        (tmp_path / "shared.rr").write_text(rule("line.units > 1", rule_id="s.rule"))
        (folder / "main.rr").write_text(rule("line.units > 2", rule_id="m.rule"))
        (folder / "shared.rr").symlink_to(tmp_path / "shared.rr")
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(folder)
        (error,) = caught.value.errors
        assert error.code == "RR402"
        assert error.message == "`payer_rules/shared.rr` links to a file outside the ruleset folder"
        (folder / "shared.rr").unlink()
        (folder / "kept.txt").write_text(rule("line.units > 3", rule_id="r.rule"))
        (folder / "shared.rr").symlink_to(folder / "kept.txt")  # a link to a file inside the folder is fine
        assert "r.rule" in radrules.load(folder).rule_ids()

    def test_self_include_is_a_cycle(self, tmp_path):
        """A file that includes itself is an include cycle."""
        (tmp_path / "self.rr").write_text('include "self.rr"\n')
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(tmp_path / "self.rr")
        (diagnostic,) = caught.value.errors
        assert diagnostic.code == "RR403"
        assert underlined(diagnostic) == '"self.rr"'

    def test_load_caches_folders(self, tmp_path):
        """Loading the same unchanged folder twice returns the same ruleset; a change recompiles."""
        (tmp_path / "a.rr").write_text(rule("line.units > 1", rule_id="f.a"))
        first = radrules.load(tmp_path)
        assert radrules.load(tmp_path) is first
        (tmp_path / "a.rr").write_text(rule("line.units > 2", rule_id="f.a"))
        assert radrules.load(tmp_path) is not first

    def test_threads_that_load_the_same_files_at_once_get_one_ruleset(self, tmp_path, monkeypatch):
        """One thread compiles; the others wait for it and get its ruleset (a server's workers starting
        together). The compile is slowed down so that they all ask before it ends."""
        import threading
        import time
        from radrules import loader

        compile_ruleset = loader.compile_ruleset

        def slow(*args, **kwargs):
            time.sleep(0.2)
            return compile_ruleset(*args, **kwargs)

        monkeypatch.setattr(loader, "compile_ruleset", slow)
        (tmp_path / "a.rr").write_text(rule("line.units > 1", rule_id="f.a"))
        text = rule("line.units > 3", rule_id="f.b")
        for load in (lambda: radrules.load(tmp_path), lambda: radrules.loads(text, name="b.rr")):
            got = []
            threads = [threading.Thread(target=lambda: got.append(load())) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(got) == 6 and len({id(ruleset) for ruleset in got}) == 1
        assert loader._COMPILING == {}

    def test_rule_error_collects_every_file(self, tmp_path):
        """Errors in two files are reported together, in file order."""
        (tmp_path / "a.rr").write_text("codes x = 7045\n")
        (tmp_path / "b.rr").write_text("codes y = 7046\n")
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(tmp_path)
        assert [underlined(d) for d in caught.value.errors] == ["7045", "7046"]
        assert str(caught.value).endswith("2 errors")

    def test_rule_error_is_a_value_error_and_pickles(self):
        """RuleError is a RadrulesError and a ValueError, and survives pickling with its diagnostics."""
        import pickle

        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads("codes x = 7045\n")
        error = caught.value
        assert isinstance(error, radrules.RadrulesError) and isinstance(error, ValueError)
        copy = pickle.loads(pickle.dumps(error))
        assert copy.diagnostics == error.diagnostics
        assert str(copy) == str(error)

    def test_diagnostic_to_dict(self):
        """A diagnostic's JSON form names code, severity, message, file, line, column and help."""
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads("codes x = 7045\n", name="d.rr")
        (diagnostic,) = caught.value.errors
        as_dict = diagnostic.to_dict()
        assert {k: as_dict[k] for k in ("code", "severity", "file", "line", "column")} == {
            "code": "RR203", "severity": "error", "file": "d.rr", "line": 1, "column": 11}


class TestRuleset:
    def test_describe_and_metadata(self):
        """A compiled ruleset knows its header versions, files, payers and row counts."""
        ruleset = radrules.loads(
            'ruleset "meta" version "3"\n'
            'pairs m.ptp\n  for payer "Acme"\n  reference "t"\n  pair 74176 with 74150 modifier 1\nend\n'
            'limits m.mue\n  reference "t"\n  limit 77067 max 1 mai 2\n  limit 71271 max 1 mai 2\nend\n'
            'addons m.aoc\n  reference "t"\n  addon 77063 type 1 primaries 77067\nend\n'
            + rule("line.units > 1", rule_id="m.rule", then='review line "hit"'),
            name="meta.rr",
        )
        assert ruleset.describe() == {
            "name": "meta.rr", "versions": {"meta": "3"}, "files": 1, "rules": 1,
            "pair_rows": 1, "limit_rows": 2, "addon_rows": 1, "tables": {}, "table_versions": [], "payers": ["acme"],
            "replaced": {"rules": 0, "rows": 0},
        }
        assert ruleset.warnings == ()

    def test_rule_ids_include_blocks_rules_and_format_checks(self):
        """`rule_ids()` lists rules, edit blocks and the built-in format checks, sorted."""
        ruleset = radrules.loads(
            'limits m.mue\n  reference "t"\n  limit 77067 max 1 mai 2\nend\n' + rule("line.units > 1", rule_id="m.rule")
        )
        ids = ruleset.rule_ids()
        assert list(ids) == sorted(ids)
        assert {"m.mue", "m.rule", "format.code", "format.npi"} <= set(ids)

    def test_warnings_are_kept_on_the_ruleset(self):
        """A rule without `reference` compiles, with an RR260 warning on the ruleset."""
        ruleset = radrules.loads('rule w.w\n  when line.units > 1\n  then warn line "x"\nend\n')
        assert [d.code for d in ruleset.warnings] == ["RR260"]
        assert ruleset.warnings[0].severity == "warning"


class TestIndexing:
    def _rule(self, text):
        (compiled,) = radrules.loads(text).rules
        return compiled

    def test_rule_filed_under_its_codes(self):
        """A rule whose `and` requires `line.code in S` is filed under S."""
        compiled = self._rule("codes s = 70450, 70460\n" + rule("line.code in s and line.units > 1"))
        assert compiled.index_codes == frozenset({"70450", "70460"})

    def test_or_branches_each_with_codes(self):
        """An `or` whose branches all name codes is filed under their union."""
        compiled = self._rule(rule("line.code is 70450 or line.code in [71250, 71260]"))
        assert compiled.index_codes == frozenset({"70450", "71250", "71260"})

    def test_or_branch_without_codes_is_generic(self):
        """An `or` with a branch that names no code is not filed by code."""
        compiled = self._rule(rule("line.code is 70450 or line.units > 3"))
        assert compiled.index_codes is None

    def test_negated_codes_are_not_keys(self):
        """`not in` gives no key: the rule must be checked on every line."""
        compiled = self._rule(rule("line.code not in [70450]"))
        assert compiled.index_codes is None and compiled.index_modifiers is None

    def test_rule_filed_under_modifiers(self):
        """A rule that requires a modifier and no code is filed under the modifiers."""
        compiled = self._rule(rule("line.modifiers has any of [26, TC] and line.units > 1"))
        assert compiled.index_codes is None
        assert compiled.index_modifiers == frozenset({"26", "TC"})

    def test_codes_of_the_other_line_are_not_keys(self):
        """A pair rule is filed by the codes of `line`, never of `other`."""
        compiled = self._rule(rule("other.code is 70450 and line.units > 1"))
        assert compiled.shape == "pair"
        assert compiled.index_codes is None

    def test_shapes(self):
        """A rule reading `other` compares lines; one acting on the claim is a claim rule."""
        assert self._rule(rule("line.units > 1")).shape == "line"
        assert self._rule(rule("other.units > 1")).shape == "pair"
        assert self._rule(rule("claim.line_count > 1", then='deny claim "x"')).shape == "claim"


class TestLoadNames:
    def test_name_does_not_depend_on_the_cache(self, tmp_path):
        """A folder and its single file load under their own names, whichever is loaded first."""
        folder = tmp_path / "payer_x"
        folder.mkdir()
        (folder / "edits.rr").write_text(rule("line.units > 7", rule_id="names.only"))
        by_folder = radrules.load(folder)
        by_file = radrules.load(folder / "edits.rr")
        assert (by_folder.name, by_file.name) == ("payer_x", "edits")

    def test_bundled_name_after_loading_the_folder_by_path(self):
        """`load()` is named `radrules` even after the same folder was loaded by its path."""
        from builders import RULESETS

        assert radrules.load(RULESETS).name == "rulesets"
        assert radrules.load().name == "radrules"


class TestEveryErrorOfARule:
    @pytest.mark.parametrize("clauses, expected", [
        ('  then deny line "{line.cod}"\n  carc CO-1977\n', ["RR204", "RR215"]),
        ('  then deny claim "{line.code}"\n  effective 2026-13-01\n', ["RR214", "RR218"]),
        ('  then deny line "{line.cod}"\n  kind polcy\n', ["RR204", "RR216"]),
        ('  then deny lines "x"\n  carc CO-1977\n', ["RR216", "RR215"]),
    ])
    def test_an_error_in_one_clause_does_not_hide_the_others(self, clauses, expected):
        """One run reports every problem of a rule (docs/errors.md), in the order they are written."""
        text = f'rule a.b "t"\n  when line.code is 70450\n{clauses}  reference "r"\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="every.rr")
        assert sorted(d.code for d in caught.value.errors) == sorted(expected)


@pytest.mark.parametrize("written, code, message, help_word", [
    ("carc 197", "RR215", "`197` is not a claim adjustment reason code", "group code"),
    ("carc CO197", "RR215", "`CO197` is not a claim adjustment reason code", "group code"),
    ("carc co-197", "RR215", "`co-197` is not a claim adjustment reason code", "capitals"),
    ("rarc M-80", "RR215", "`M-80` is not a remittance advice remark code", "without a dash"),
    ("rarc N362, m80", "RR215", "`m80` is not a remittance advice remark code", "capitals"),
    ("carc CO-97, PR-1", "RR103", "unexpected `,`", "remark codes go in `rarc`"),
    ("carc CO-97 CO-16", "RR103", "unexpected `CO-16`", "remark codes go in `rarc`"),
    ("carc\n  co-97", "RR215", "`co-97` is not a claim adjustment reason code", "capitals"),
    ("carc CO-97\n  kindd policy", "RR101", "unexpected word `kindd`", "did you mean `kind`"),
    # a comment ending in `carc` is no clause: the typo on the next line is a typo
    ("carc CO-16  # was the old carc\n  refernce \"r\"", "RR101", "unexpected word `refernce`",
     "did you mean `reference`"),
    ("# the reason goes in rarc\n  whn line.units > 1", "RR101", "unexpected word `whn`", "did you mean `when`"),
    ("carc\n  kind policy", "RR215", "`carc` has no code", "e.g. `carc CO-97`"),
    ("rarc N362,\n  M-80", "RR215", "`M-80` is not a remittance advice remark code", "without a dash"),
])
def test_a_remittance_code_that_does_not_parse_gets_the_hint_for_codes(written, code, message, help_word):
    """The usual slips in a CARC or RARC (no group, no dash, lower case, a dash in a remark code) get the
    compiler's RR215 and its hint, on the whole code; they got a list of tokens, or "a range such as ..." ."""
    text = f'rule a.b "t"\n  when line.code is 70450\n  then deny line "x"\n  {written}\n  reference "r"\nend\n'
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text, name="codes.rr")
    [error] = caught.value.errors
    assert (error.code, error.message) == (code, message)
    assert help_word in error.help and "range" not in error.help
    word = message.split("`")[1]
    if code == "RR215" and word != "carc":
        source = text.splitlines()[error.span.line - 1]
        assert (error.span.column, error.span.end_column) == (source.index(word) + 1,
                                                              source.index(word) + 1 + len(word))


def test_an_action_without_then_says_then_comes_first():
    """`deny line "x"` without `then` got "did you mean `end`?" (the nearest keyword by spelling)."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads('rule a.b\n  when line.code is 70450\n  review line "x"\n  reference "r"\nend\n')
    [error] = caught.value.errors
    assert (error.code, error.message) == ("RR101", "unexpected word `review`")
    assert error.help == 'a rule\'s action starts with `then`: `then review line "..."`'


class TestHistorySame:
    @pytest.mark.parametrize("written, message", [
        ("with the same charge", "`history has the same code` compares `modifiers`, `units`, `provider` or `type`, "
                                 "not `charge`"),
        ("with the same units with the same units", "`with the same units` is written twice"),
    ])
    def test_what_it_compares(self, written, message):
        text = f'rule a.b\n  when history has the same code {written}\n  then deny line "x"\n  reference "t"\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="same.rr")
        (diagnostic,) = caught.value.errors
        assert (diagnostic.code, diagnostic.message) == ("RR204", message)
        assert underlined(diagnostic) == written.split()[-1]

    @pytest.mark.parametrize("units, fires", [(1, True), (2, False)])
    def test_with_the_same_modifiers_and_units(self, units, fires):
        """Both clauses, in either order: the paid line must have the line's modifiers and units."""
        for clauses in ("with the same modifiers with the same units", "with the same units with the same modifiers"):
            rules = radrules.loads(f'rule a.b\n  when history has the same code on the same date {clauses}\n'
                                   f'  then deny line "x"\n  reference "t"\nend\n', name="same.rr")
            claim = {"lines": [{"code": "71046", "date": "2026-03-02", "units": 1, "modifiers": ["26"]}]}
            history = [{"code": "71046", "date": "2026-03-02", "units": units, "modifiers": ["26"]}]
            assert rules.evaluate(claim, history=history).fired() == (("a.b",) if fires else ())

    @pytest.mark.parametrize("written, paid, fires", [
        ("without modifier [26, TC]", [], True),
        ("without modifier [26, TC]", ["TC"], False),
        ("with modifier [26, TC]", ["TC"], True),
        ("with modifier [26, TC]", [], False),
        ("with modifiers [76, 77]", ["26", "77"], True),
    ])
    def test_a_modifier_filter_chooses_the_paid_lines(self, written, paid, fires):
        """`with modifier M` counts the paid lines of the code with one of M, `without modifier M` those with none."""
        rules = radrules.loads(f'rule a.b\n  when history has the same code {written} on the same date\n'
                               f'  then deny line "x"\n  reference "t"\nend\n', name="same.rr")
        claim = {"lines": [{"code": "71046", "date": "2026-03-02", "modifiers": ["26"]}]}
        history = [{"code": "71046", "date": "2026-03-02", "modifiers": paid}]
        assert rules.evaluate(claim, history=history).fired() == (("a.b",) if fires else ())

    def test_a_paid_line_dated_after_the_line_is_no_history_to_it(self):
        """Whatever the claim's other lines: a second line dated on the paid line's date made it count for the first
        (the history is fetched for the claim's dates)."""
        rules = radrules.loads('rule a.b\n  when history has the same code\n  then info line "x"\n  reference "t"\nend\n',
                               name="same.rr")
        paid = [{"code": "74177", "date": "2026-03-03"}]
        for later in ("2026-03-03", "2026-03-09"):
            claim = {"lines": [{"code": "74177", "date": "2026-03-02"}, {"code": "71046", "date": later}]}
            assert rules.evaluate(claim, history=paid).findings == ()
        for day in ("2026-03-03", "2026-03-04"):  # its own date, a later one
            assert rules.evaluate({"lines": [{"code": "74177", "date": day}]}, history=paid).fired() == ("a.b",)
        spans = {"lines": [{"code": "74177", "date": "2026-03-02"}]}  # a paid line in its span, or after it
        assert [rules.evaluate({"lines": [dict(spans["lines"][0], end_date=end)]}, history=paid).fired()
                for end in ("2026-03-05", "2026-03-02")] == [("a.b",), ()]

    @pytest.mark.parametrize("paid_type, fires", [(None, False), ("professional", True), ("institutional", False)])
    def test_with_the_same_type_counts_paid_lines_of_the_claims_type(self, paid_type, fires):
        """`with the same type`: paid lines of claims said to be of the claim's type (a line whose type is not given
        may be the hospital's), any provider's."""
        rules = radrules.loads('rule a.b\n  when history has the same code on the same date with the same type\n'
                               '  then deny line "x"\n  reference "t"\nend\n', name="same.rr")
        claim = {"lines": [{"code": "71046", "date": "2026-03-02", "rendering_npi": "1234567893"}]}
        paid = {"code": "71046", "date": "2026-03-02", "rendering_npi": "1245319599"}
        if paid_type:
            paid["type"] = paid_type
        assert rules.evaluate(claim, history=[paid]).fired() == (("a.b",) if fires else ())
        anyone = radrules.loads('rule a.b\n  when history has the same code on the same date\n'
                                '  then deny line "x"\n  reference "t"\nend\n', name="same.rr")
        assert anyone.evaluate(claim, history=[paid]).fired() == ("a.b",)


class TestDatesOffTheCalendar:
    RULE = 'rule a.b "t"\n  when {condition}\n  then info line "x"\n  reference "r"\nend\n'

    @pytest.mark.parametrize("condition, message", [
        ("claim.received > line.date + 99999999999999 months",
         "99999999999999 months is longer than the calendar (at most 119,987 months)"),
        ("claim.received > line.date + 10000 years", "10000 years is longer than the calendar (at most 9,998 years)"),
        ("history has 70450 within 3652059 days", "3652059 days is longer than the calendar (at most 3,652,058 days)"),
        ("line.units > " + "9" * 4301, "`" + "9" * 20 + "...` is larger than any claim value"),
    ])
    def test_amounts_past_the_calendar_or_any_claim_are_errors(self, condition, message):
        """Not a ValueError from int() or the date type: a diagnostic on the number."""
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(self.RULE.format(condition=condition), name="far.rr")
        (diagnostic,) = caught.value.errors
        assert (diagnostic.code, diagnostic.message) == ("RR210", message)

    @pytest.mark.parametrize("indexed", [True, False])
    def test_a_date_moved_off_the_calendar_is_unknown(self, indexed):
        """A claim dated 9999-12-31 (a common placeholder) plus 12 months is no date: the comparison is
        unknown and the rule silent, rather than every evaluation raising."""
        rules = radrules.loads(self.RULE.format(condition="claim.received > line.date + 12 months")
                               + self.RULE.format(condition="claim.received < line.date - 12 months")
                               .replace("a.b", "a.c"), name="far.rr")
        late = {"received": "9999-12-31", "lines": [{"code": "70450", "date": "9999-12-31"}]}
        early = {"received": "0001-01-01", "lines": [{"code": "70450", "date": "0001-01-01"}]}
        assert rules.evaluate(late, indexed=indexed).fired() == ()
        assert rules.evaluate(early, indexed=indexed).fired() == ()
        assert "unknown" in rules.evaluate(late, explain=True).explanation.render()

    def test_a_window_reaching_before_year_one_starts_there(self):
        rules = radrules.loads(self.RULE.format(condition="history has 70450 within 9000 years"), name="far.rr")
        claim = {"lines": [{"code": "70450", "date": "2026-01-01"}]}
        assert rules.evaluate(claim, history=[{"code": "70450", "date": "0001-01-02"}]).fired() == ("a.b",)


class TestSetBounds:
    """Rule files are data: a few lines can't make loading take gigabytes or minutes."""

    def test_a_named_set_used_again_is_shared_not_copied(self):
        from radrules.compiler.context import Context
        from radrules.compiler.sets import SetTable
        from radrules.parser import parse_rules

        text = "diagnoses big = A000000-A099999\ndiagnoses again = big\ndiagnoses more = again\n"
        source, _ = parse_rules(text, "t.rr")
        definitions = {st.name.text: st for st in source.statements}
        table = SetTable(Context([]), definitions)
        assert table.named("more").values is table.named("big").values
        assert len(table.named("big").values) == 100_000 and table.built < 100_001  # the range, built once

    def test_all_sets_together_are_bounded(self):
        """Six sets of 900,000 codes each: RR253 on the item that passes 2,000,000, once."""
        text = "".join(f"diagnoses s{k} = " + ", ".join(f"{letter}{i}00000-{letter}{i}99999" for i in range(9)) + "\n"
                       for k, letter in enumerate("ABCDEF"))
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="sets.rr")
        (diagnostic,) = caught.value.errors
        assert diagnostic.code == "RR253" and "2,000,000 codes in all" in diagnostic.message
        assert (diagnostic.span.line, diagnostic.span.column) == (3, 50)  # its 3rd range passes 2,000,000

    @pytest.mark.parametrize("order", ["big, 70450", "70450, big"])
    def test_a_named_set_copied_to_add_to_it_counts_in_either_order(self, order):
        """`s = big, 70450` copies big to add a code: the copy counts against the budget, whichever item
        comes first (with the named set first, 30 such lines built 9 million codes unchecked)."""
        big = "codes big = 00000-99999, " + ", ".join(f"0000{c}-9999{c}" for c in "ABCDEFGHJKLMNPQRSTUV")
        text = "\n".join([big] + [f"codes b{i} = {order}" for i in range(30)]) + "\n"
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="copies.rr")
        (diagnostic,) = caught.value.errors
        assert diagnostic.code == "RR253" and diagnostic.span.line == 7

    def test_except_under_many_prefixes_carves_the_right_codes(self):
        """The codes `except` takes from under each prefix (found by bisecting the sorted exclusions), each with
        the codes under it (A101 takes A1010)."""
        rules = radrules.loads("diagnoses x = A10*, A20*, B10* except A1000-A1009, A2000, B2000, A101\n"
                               + rule("claim.diagnoses has any of x"))
        expected = {"A1000": False, "A1009": False, "A1010": False, "A101": False, "A1011": False, "A1020": True,
                    "A2000": False, "A2001": True, "B1000": True, "B2000": False}
        for code, hit in expected.items():
            assert hits(rules, "71271", diagnoses=[code]) is hit, code


class TestIndexAgreesWithTheScan:
    def test_has_all_of_an_empty_set_is_true_of_every_line_by_either_lookup(self):
        """An empty set (after `except`) under `has all of` is true of every line: the rule is filed for every
        line, not under no modifier (the indexed lookup never visited it while the scan denied)."""
        rules = radrules.loads('modifiers sides = LT, RT\n'
                               'rule m.all "x"\n  when line.modifiers has all of [sides except LT, RT]\n'
                               '  then deny line "{line.code}"\n  reference "r"\nend\n', name="all.rr")
        claim = {"lines": [{"code": "70450", "date": "2026-03-02", "modifiers": ["26"]},
                           {"code": "70460", "date": "2026-03-02"}]}
        for options in ({}, {"indexed": False}, {"explain": True}):
            assert rules.evaluate(claim, **options).statuses == ("deny", "deny"), options


class TestOverrideLevels:
    RULES = '''
pairs gen.ptp
  reference "r"
  pair 74176 with 74150 modifier 0
end
pairs prof.ptp
  for professional claims
  reference "r"
  pair 74176 with 74150 modifier 1
end
limits gen.mue
  reference "r"
  limit 77067 max 1 mai 1
end
limits prof.mue
  for professional claims
  reference "r"
  limit 77067 max 3 mai 1
end
limits acme.mue
  for payer acme
  reference "r"
  limit 77067 max 2 mai 1
end
limits acme_prof.mue
  for payer acme
  for professional claims
  reference "r"
  limit 77067 max 4 mai 1
end
'''

    @pytest.mark.parametrize("claim_type, payer, units, statuses", [
        ("professional", None, 3, ("pay", "pay", "pay")),     # the claim type's rows: indicator 1, at most 3
        ("institutional", None, 2, ("pay", "deny", "deny")),  # the general rows: indicator 0, at most 1
        ("institutional", "acme", 2, ("pay", "deny", "pay")),  # acme's limit of 2 replaces the general 1
        ("professional", "acme", 4, ("pay", "pay", "pay")),   # acme's professional limit of 4 outranks all
        ("professional", "acme", 5, ("pay", "pay", "deny")),
    ])
    @pytest.mark.parametrize("indexed", [True, False])
    def test_a_claim_type_block_replaces_the_general_rows(self, claim_type, payer, units, statuses, indexed):
        """language.md: "A block's `for ... claims` clause works the same way, per claim type": its rows replace
        the general rows for their key (they were added to them), and a payer's block outranks both."""
        rules = radrules.loads(self.RULES, name="levels.rr")
        claim = {"type": claim_type, "payer": payer,
                 "lines": [{"code": "74176", "date": "2026-03-02"},
                           {"code": "74150", "modifiers": ["59"], "date": "2026-03-02"},
                           {"code": "77067", "units": units, "date": "2026-03-02"}]}
        assert rules.evaluate(claim, indexed=indexed).statuses == statuses

# ---------------------------------------------------------------- edges a mutation review found unguarded
# Each test below fails with a plausible one-token bug (named in its docstring) that no other test caught.

# compiler/context.py

def _errors(text: str, name: str = "x.rr") -> list:
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text, name=name)
    return caught.value.errors


LIMIT = 'limits t.mue "x"\n  limit 77067 max {} mai 2\nend\n'


def test_a_15_digit_number_is_accepted():
    """context.py:70 `> 15` -> `>= 15`: 999999999999999 is under 10^15 and loads."""
    rules = radrules.loads(LIMIT.format("999999999999999"), name="x.rr")
    assert rules.evaluate(claim(line("77067", units=2))).passed


def test_a_16_digit_number_is_refused():
    """context.py:70 `> 15` -> `> 16`: 10^15 itself is refused with RR220."""
    (error,) = _errors(LIMIT.format("1000000000000000"))
    assert error.code == "RR220" and "under 10^15" in error.message


def test_leading_zeros_do_not_count_towards_the_15_digits():
    """context.py:70 `text.lstrip("0")` -> `text`: 0000000000000001 is the number 1."""
    rules = radrules.loads(LIMIT.format("0000000000000001"), name="x.rr")
    result = rules.evaluate(claim(line("77067", units=2)))
    assert [f.rule for f in result.findings] == ["t.mue"]


@pytest.mark.parametrize("through", [" through 2026-03-31", ""])
def test_a_bad_start_date_is_reported_not_a_crash(through):
    """context.py:55 drop `start is not None and`, context.py:56 drop `ok and`: a window whose first
    date is no calendar date is RR218, not a TypeError comparing the end with None."""
    (error,) = _errors(f'limits t.mue "x" effective 2026-02-30{through}\n  limit 77067 max 1 mai 2\nend\n')
    assert error.code == "RR218"


def test_an_error_on_the_last_line_without_a_newline_shows_that_line():
    """context.py:26 `span.line <= len(lines)` -> `<`: the source line of a diagnostic on the
    last line of a file that does not end in a line feed is shown."""
    (error,) = _errors('codes foo = 7045')
    assert error.code == "RR203" and error.source_line == "codes foo = 7045"


def test_context_source_line_of_an_unknown_file_or_line_is_none():
    """context.py:20 drop `span.file not in self.sources` (KeyError), context.py:26 `0 < span.line` -> `0 <=`
    (line 0 read as the last line). Only reachable through Context itself: every span the compiler
    reports on is a line of a source it was given."""
    ctx = Context([SourceFile("a.rr", "first\nlast", ())])
    assert ctx.source_line(Span("a.rr", 1, 1, 1, 2)) == "first"
    assert ctx.source_line(Span("other.rr", 1, 1, 1, 2)) is None
    assert ctx.source_line(Span("a.rr", 0, 1, 0, 2)) is None
    ctx.error("RR999", "x", Span("other.rr", 1, 1, 1, 2))  # reports, never raises
    assert ctx.has_errors


def test_a_row_with_a_reversed_window_is_dropped_not_judged_further():
    """context.py:61 `ok = False` removed: a row whose window ends before it starts (RR219) is not kept,
    so two such identical rows draw no RR304 `listed twice` warning besides their errors."""
    text = ('pairs t.ptp "x"\n'
            '  pair 74176 with 74150 modifier not allowed effective 2026-03-31 through 2026-03-01\n'
            '  pair 74176 with 74150 modifier not allowed effective 2026-03-31 through 2026-03-01\nend\n')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text, name="x.rr")
    codes = [d.code for d in caught.value.diagnostics]
    assert codes.count("RR219") == 2 and "RR304" not in codes


# compiler/index.py

CMS = Path(__file__).parent / "data" / "cms"


def _with_tables(tmp_path, text: str, *files: str) -> radrules.Ruleset:
    import shutil

    root = tmp_path / "rules"
    (root / "cms").mkdir(parents=True)
    for name in files:
        shutil.copy(CMS / name, root / "cms" / name)
    (root / "main.rr").write_text(text, encoding="utf-8")
    return radrules.load(root, cache_dir=None)


def test_the_bilateral_indicator_is_read_from_the_mpfs_table(tmp_path):
    """index.py:71 `("pctc", "bilateral")` -> `("pctc",)` (bilateral never read from the table) and
    index.py:74 `table.get(name, {})` -> `table.get("pctc", {})` (bilateral read from the PC/TC column):
    74177 has PC/TC indicator 1 and bilateral indicator 0 in PPRRVU26_JUL.csv."""
    rules = _with_tables(tmp_path, 'table pctc "cms/PPRRVU26_JUL.csv"\n'
                         'rule t.bilat "bilateral indicator"\n'
                         '  when line.bilateral = 0 and line.pctc = 1\n'
                         '  then deny line "{line.code}: bilateral {line.bilateral}, PC/TC {line.pctc}"\n'
                         '  reference "t"\nend\n', "PPRRVU26_JUL.csv")
    result = rules.evaluate(claim(line("74177", date="2026-08-03")))
    assert [f.message for f in result.findings] == ["74177: bilateral 0, PC/TC 1"]


def test_the_default_modifier_placement_is_column2():
    """index.py:143 default `"column2"` -> `"column1"`: the view says `column2` when no setting is given
    (language.md, settings). Evaluation only asks `== "either"`, so only the View shows it."""
    rules = radrules.loads('setting modifier_placement = either for payer acme\n', name="x.rr")
    assert rules.view_for(None, "professional").modifier_placement == "column2"
    assert rules.view_for("other", "institutional").modifier_placement == "column2"
    assert rules.view_for("acme", "professional").modifier_placement == "either"




@pytest.mark.parametrize("placeholder, code, message, help_starts", [
    ("{line.date + 12 months}", "RR204", "`{line.date + 12 months}` is not a field of `line`",
     "a placeholder shows one field's value, as `{line.date}`; a message computes nothing"),
    ("{patient.age*2}", "RR204", "`{patient.age*2}` is not a field of `patient`",
     "a placeholder shows one field's value, as `{patient.age}`"),
    ("{line.units2}", "RR204", "unknown field `units2` of `line`", "did you mean `units`?"),
    ("{claim.replaces}", "RR212", "`claim.replaces` is protected data and can't appear in a message", "messages"),
])
def test_a_placeholder_that_is_not_a_field(placeholder, code, message, help_starts):
    """A message shows fields; one that computes (language.md, Messages) was told `unknown field `date + 12
    months` of `line`` and the list of every field."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(rule("line.units > 1", then=f'warn line "{placeholder}"'))
    (error,) = caught.value.errors
    assert (error.code, error.message) == (code, message) and error.help.startswith(help_starts)


@pytest.mark.parametrize("condition, then, message", [
    ("line.units > 1", 'warn line "{values}"', "`{values}` names what a condition's counts, intervals and unit sums "
                                               "came to, and this rule's condition has none"),
    ("line.code is 77067 and other.code is 77063 and months since last [77067] < 12", 'warn line "{values}"',
     "`{values}` is for a rule that judges one line"),
    ("claim units of [77067] > 1", 'warn claim "{values}"', "`{values}` is for a rule that judges one line"),
])
def test_values_where_it_can_show_nothing_is_refused(condition, then, message):
    """`{values}` shows what a line rule's counts, intervals and unit sums came to: a condition without any, a
    pair rule and a claim rule are told so, with the placeholder underlined (language.md, `{values}`)."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(rule(condition, then=then))
    (error,) = caught.value.errors
    assert (error.code, error.message) == ("RR211", message)
    assert error.span.end_column - error.span.column == len("{values}")


@pytest.mark.parametrize("birth_date, shown", [("1936-03-02", "90 or older"), ("1936-03-03", "89"),
                                                ("1900-01-01", "90 or older"), ("1990-01-01", "36")])
def test_a_message_shows_ages_over_89_as_90_or_older(birth_date, shown):
    """Ages over 89 identify a patient (HIPAA Safe Harbor): `{patient.age}` shows them as one category, while the
    condition compares the real age."""
    rules = radrules.loads(rule("patient.age > 30", then='warn line "age {patient.age}"'))
    found = rules.evaluate({"patient": {"birth_date": birth_date},
                            "lines": [{"code": "77067", "date": "2026-03-02"}]}).findings
    assert [finding.message for finding in found] == [f"age {shown}"]


def test_control_characters_quoted_in_a_message_are_escaped():
    """A diagnostic quoting a word of the file holding an escape sequence shows it escaped, as the source line
    under it is: a rule file can't drive the terminal of whoever checks it."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads('rule a.b\n  when line.code is 70450\n  then deny line "{\x1b[2J}"\n  reference "r"\nend\n',
                       name="esc.rr")
    text = str(caught.value)
    assert "\x1b" not in text and "unknown placeholder `{\\x1b[2J}`" in text


def test_properties_count_against_the_ruleset_budget():
    """Each code a property is given is an entry of its own: 19 properties over every code (1 KB of text) took
    539 MB; they count with the sets' members against the budget, RR253 at the property that passes it."""
    text = "".join(f"property p{n} = 1 for 00000-99999\n" for n in range(19))
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text, name="props.rr")
    (error,) = caught.value.errors
    assert error.code == "RR253" and "sets and properties hold more than 2,000,000 codes" in error.message
    assert error.span.line == 11  # ten properties: 100,000 codes built and 100,000 given, each


def _built_entries(ruleset) -> int:
    """The index entries the views of a compiled ruleset hold, counted as index_size counts them."""
    total = 0
    for view in ruleset.views.values():
        total += sum(len(rules) for rules in view.line_rules_by_code.values())
        total += sum(len(rules) for rules in view.pair_rules_by_code.values())
        total += sum(len(column2) for column2 in view.pairs.values()) + len(view.limits) + len(view.addons)
    return total


@pytest.mark.parametrize("text", [
    "codes radiology = 70010-72999\n"
    + "".join(f'rule t.r{n} "r"\n  when line.code in radiology and line.units > {n}\n  then warn line "x"\n'
              f'  reference "t"\nend\n' for n in range(5))
    + "".join(f'rule t.g{n} "g"\n  when line.units > {n + 10}\n  then warn line "x"\n  reference "t"\nend\n'
              for n in range(4))
    + 'rule t.p "p"\n  for payers acme, bcbs\n  when line.code in [70450, 99999]\n  then warn line "x"\n'
      '  reference "t"\nend\n'
    + 'pairs t.ptp "p"\n  for payer acme\n  pair 70450 with 70460 modifier allowed\nend\n'
    + 'pairs t.all "p"\n  pair 71046 with 71045 modifier allowed\n  pair 74176 with 74150 modifier allowed\nend\n',
], ids=["shared set, generic rules, payer rules and rows"])
def test_the_index_budget_counts_what_the_views_hold(text):
    """RR255's count is the views' own: rules filed by code, each distinct code again for each rule on every
    line, rule-file row keys per view (an estimate of codes x generic rules refused rulesets of 60 MB)."""
    from radrules.compiler.index import index_size

    ruleset = radrules.loads(text, name="budget.rr")
    size, _, _ = index_size(ruleset.rules, _rows_by_key(ruleset), ruleset.payers)
    assert size == _built_entries(ruleset)


def _rows_by_key(ruleset):
    from radrules.compiler import rows_by_key

    return rows_by_key(ruleset.rows)


def test_rows_for_many_payers_count_against_the_budget():
    """60,000 `pair` rows and 40 payers file the rows again in 82 views: refused (it took 508 MB and 8 s)."""
    rows = "".join(f"  pair 7{n // 300:04d} with 7{n % 300 + 1000:04d} modifier allowed\n" for n in range(60_000))
    payers = ", ".join(f"payer{n}" for n in range(40))
    text = (f'pairs t.ptp "p"\n{rows}end\n'
            f'rule t.p "p"\n  for payers {payers}\n  when line.code is 70450\n  then warn line "x"\n'
            '  reference "t"\nend\n')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text, name="rows.rr")
    assert [e.code for e in caught.value.errors] == ["RR255"]
    assert "4,920,000 row keys in all views" in caught.value.errors[0].message


def test_a_clashing_property_names_the_line_that_set_the_value():
    """RR303's hint names the definition that set the value, not one that lists the code but stopped at an
    earlier clash before setting it."""
    text = ("property p = 1 for 70450\nproperty p = 2 for 70450, 70460\n"
            "property p = 3 for 70460\nproperty p = 4 for 70460\n")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text, name="p.rr")
    assert [(d.code, d.span.line, d.help) for d in caught.value.errors] == [
        ("RR303", 2, "the first value is set at p.rr:1"), ("RR303", 4, "the first value is set at p.rr:3")]


def test_payer_names_compare_without_case_and_runs_of_spaces():
    """A payer written `"blue-cross "` in a rule matched no claim (the claim's payer is trimmed, the rule's was
    not), and a JSON claim's `PINECREST  HEALTH` did not match `"pinecrest health"`, which the same payer from
    X12 (spaces collapsed) did. Both sides now compare the same key."""
    rules = radrules.loads(
        'rule p.x "x"\n  for payers "Pinecrest Health", "blue-cross "\n  when line.code is 70450\n'
        '  then deny line "x"\n  reference "r"\nend\n'
        'rule p.y "y"\n  when line.code is 70460 and claim.payer is " Blue   Cross"\n  then deny line "y"\n'
        '  reference "r"\nend\n'
        'setting modifier_placement = either for payer "Blue\tCross "\n')
    assert sorted(rules.payers) == ["blue cross", "blue-cross", "pinecrest health"]

    def fired(code, payer):
        return rules.evaluate({"payer": payer, "lines": [{"code": code, "date": "2026-03-02"}]}).fired()

    for payer in ("blue-cross", " blue-cross ", "PINECREST  HEALTH", "pinecrest\thealth"):
        assert fired("70450", payer) == ("p.x",), payer
    assert fired("70450", "pinecrest") == ()
    assert fired("70460", "blue  cross") == ("p.y",) and fired("70460", "bluecross") == ()
    assert radrules.Claim.from_dict({"payer": " Pinecrest \t Health ", "lines": [
        {"code": "70450", "date": "2026-03-02"}]}).payer == "Pinecrest Health"


@pytest.mark.parametrize("clauses, carc, rarc", [
    ("", "CO-97", ("M80",)),
    ("  severity review\n", "CO-97", ("M80",)),
    ("  severity warn\n", None, ()),
    ("  severity info\n", None, ()),
    ("  severity warn\n  carc CO-236\n", "CO-236", ()),
    ("  carc CO-236\n", "CO-236", ()),
    ("  carc CO-236\n  rarc N20\n", "CO-236", ("N20",)),
    ("  severity info\n  rarc N20\n", None, ("N20",)),
])
def test_an_edit_blocks_codes_follow_its_severity_and_its_own_carc(clauses, carc, rarc):
    """A `warn`/`info` block leaves the line paid: no default CO-97 on it. An own `carc` drops the default RARC,
    which belongs to the default reason (CO-236 came out with M80)."""
    rules = radrules.loads(f'pairs p.ptp\n{clauses}  reference "r"\n  pair 71046 with 71045 modifier 0\nend\n')
    [finding] = rules.evaluate({"lines": [{"code": "71046", "date": "2026-03-02"},
                                          {"code": "71045", "date": "2026-03-02"}]}).findings
    assert (finding.carc, finding.rarc) == (carc, rarc)
    # remark codes without a reason code are warned of, as in a rule (RR261)
    assert [w.code for w in rules.warnings] == (["RR261"] if rarc and not carc else [])


def test_a_rulesets_repr_is_a_summary():
    """The repr of a ruleset with every rule and row (and, with tables, their indexes) ran to 80,000 characters
    for the bundled rules; it is one line now."""
    rules = radrules.load()
    text = repr(rules)
    assert text == (f"<Ruleset 'radrules': {len(rules.files)} files, {len(rules.rules)} rules, {len(rules.rows)} rows, "
                    f"0 tables, payers ['acme', 'medicare']>")
    assert len(text) < 200


class TestDisableRule:
    """`disable rule ID for payer P`: a payer that does not apply a rule (a bundled one, say) leaves it out
    without editing the file that holds it; there was no way to do so."""

    TEXT = ('rule x.one "one"\n  when line.code is 70450\n  then warn line "one"\n  reference "r"\nend\n'
            'rule x.two "two"\n  when line.code is 70450\n  then info line "two"\n  reference "r"\nend\n'
            'disable rule x.one for payer pinecrest, "Blue  Cross " for institutional claims reference "p"\n'
            'disable rule x.two reference "nobody"\n')

    @pytest.mark.parametrize("indexed", [True, False])
    @pytest.mark.parametrize("payer, claim_type, fired", [
        ("pinecrest", "professional", ("x.one",)),
        ("pinecrest", "institutional", ()),
        ("blue cross", "institutional", ()),
        ("acme", "institutional", ("x.one",)),
        (None, "institutional", ("x.one",)),
    ])
    def test_it_leaves_the_rule_out_for_its_payers_and_claim_types(self, payer, claim_type, fired, indexed):
        rules = radrules.loads(self.TEXT, name="d.rr")
        claim = {"type": claim_type, "lines": [{"code": "70450", "date": "2026-03-02"}]}
        if payer:
            claim["payer"] = payer
        assert rules.evaluate(claim, indexed=indexed).fired() == fired

    def test_explain_diff_fmt_and_pickle_know_it(self):
        import pickle

        rules = radrules.loads(self.TEXT, name="d.rr")
        claim = {"payer": "pinecrest", "type": "institutional", "lines": [{"code": "70450", "date": "2026-03-02"}]}
        gone = rules.evaluate(claim, explain=True).explanation.not_considered
        assert gone["x.one"] == "`disable rule` leaves it out for this claim (d.rr:11)"
        assert gone["x.two"] == "`disable rule` leaves it out for this claim (d.rr:12)"
        before = radrules.loads(self.TEXT.split("disable")[0], name="d.rr")
        changes = radrules.diff_rulesets(before, rules)
        text = changes.to_text()
        assert "disabled for: no one -> payer blue cross, pinecrest, institutional claims" in text
        assert "disabled for: no one -> every payer" in text
        formatted = radrules.format_rules(self.TEXT, "d.rr")
        assert 'disable rule x.one for payers pinecrest, "Blue  Cross " for institutional claims reference "p"' \
            in formatted and radrules.format_rules(formatted, "d.rr") == formatted
        again = pickle.loads(pickle.dumps(rules))
        assert again.evaluate(claim).fired() == () and not radrules.diff_rulesets(rules, again)
        # moving the statement to another line changes nothing
        moved = radrules.loads("\n\n" + self.TEXT, name="d.rr")
        assert not radrules.diff_rulesets(rules, moved)

    def test_a_rule_with_errors_gets_no_second_error_and_a_payer_it_never_meets_is_warned_of(self):
        """A rule that fails to compile: its own errors only (RR308 said there was no such rule). A disable for
        payers the rule never applies to disables nothing (RR263)."""
        text = ('rule a.ct "t"\n  when line.modifer has 59\n  then review line "x"\n  reference "r"\nend\n'
                'disable rule a.ct for payer zeta reference "z"\n')
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text)
        assert [d.code for d in caught.value.errors] == ["RR204"]
        # an edit block with errors of its own: it is still named an edit block, not a missing rule
        text = 'pairs a.p\n  reference "r"\n  carc co-97\n  pair 70450 with 70460 modifier 0\nend\n' \
               'disable rule a.p for payer acme reference "z"\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text)
        assert [(d.code, d.message) for d in caught.value.errors] == [
            ("RR215", "`co-97` is not a claim adjustment reason code")]  # the block did not parse: no RR308
        text = 'pairs a.p\n  reference "r"\n  pair 70450 with 7046 modifier 0\nend\n' \
               'disable rule a.p for payer acme reference "z"\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text)
        assert [(d.code, d.message) for d in caught.value.errors] == [
            ("RR203", "`7046` is not a valid procedure code"), ("RR308", "`a.p` is an edit block, not a rule")]
        text = ('rule a.med "m"\n  for payer medicare\n  for institutional claims\n  when line.code is 70450\n'
                '  then review line "x"\n  reference "r"\nend\n'
                'disable rule a.med for payer zeta reference "z"\n'
                'disable rule a.med for professional claims reference "z"\n'
                'disable rule a.med for payers zeta, medicare reference "z"\n')
        assert [(d.code, d.message) for d in radrules.loads(text).warnings] == [
            ("RR263", "`disable rule a.med` disables nothing: the rule applies to payer medicare only"),
            ("RR263", "`disable rule a.med` disables nothing: the rule applies to claim type institutional only")]

    def test_a_disable_row_inside_a_block_at_column_one_is_still_a_row(self):
        """`disable pair` rows may start a line; only `disable rule` starts a statement."""
        rules = radrules.loads('pairs p.ptp\n  reference "r"\n  pair 74176 with 74150 modifier 0\nend\n'
                               'pairs q.ptp\nfor payer acme\nreference "r"\ndisable pair 74176 with 74150\nend\n')
        claim = {"payer": "acme", "lines": [{"code": "74176", "date": "2026-03-02"},
                                            {"code": "74150", "date": "2026-03-02"}]}
        assert rules.evaluate(claim).fired() == ()


@pytest.mark.parametrize("condition, why", [
    ("line.code is 77067 and line.code is 72148", "no procedure code meets it"),
    ("(line.code is 70450 or line.code is 70460) and line.code in [70470, 70480]", "no procedure code meets it"),
    ("patient.age < 40 and patient.age > 65", "no value of `patient.age` meets both its comparisons"),
    ("line.units = 2 and line.units = 3", "no value of `line.units` meets both its comparisons"),
    ("line.units > 2 and line.units <= 2", "no value of `line.units` meets both its comparisons"),
    ("line.date < 2026-01-01 and line.date >= 2026-01-01", "no value of `line.date` meets both its comparisons"),
    ("patient.age >= 40 and patient.age <= 40", None),
    ("patient.age between 50 and 74 and patient.age < 40", "no value of `patient.age` meets both its comparisons"),
    ("patient.age between 74 and 50", "no value of `patient.age` meets both its comparisons"),
    ("line.date between 2026-01-01 and 2026-03-31 and line.date >= 2026-04-01",
     "no value of `line.date` meets both its comparisons"),
    ("patient.age between 50 and 74 and patient.age >= 74", None),
    ("patient.age between 50 and 74 and patient.age between 60 and 90", None),
    ("patient.age between 50 and 74 and patient.age between 75 and 90",
     "no value of `patient.age` meets both its comparisons"),
    ("patient.age > 40 and patient.age < 40.5", "no value of `patient.age` meets both its comparisons"),  # years
    ("patient.age > 40 and patient.age < 41", "no value of `patient.age` meets both its comparisons"),
    ("patient.age > 40 and patient.age < 42", None),
    ("line.units > 1 and line.units < 2", None),  # units may be fractional
    ("claim.received > 2026-01-01 and claim.received < 2026-01-02",
     "no value of `claim.received` meets both its comparisons"),  # dates are whole days
    ("claim.line_count > 2 and claim.line_count < 3", "no value of `claim.line_count` meets both its comparisons"),
    ("patient.sex is F and patient.sex is M", "no value of `patient.sex` meets all its tests"),
    ("claim.frequency is 7 and claim.frequency is 8", "no value of `claim.frequency` meets all its tests"),
    ("line.code in [70450] and line.code not in [70450]", "no value of `line.code` meets all its tests"),
    ("line.code is 70450 and not line.code is 70450", "no value of `line.code` meets all its tests"),
    ("line.code is 70450 and line.code is not 70450", "no value of `line.code` meets all its tests"),
    ("line.code in [70450] and line.code not in [70400-70499]", "no value of `line.code` meets all its tests"),
    ("line.code in [70450, 70460] and line.code not in [70400-70455]", None),
    ("line.code in [70450, 70460] and line.code is not 70450", None),
    ("line.modifiers has 26 and line.modifiers has none of [26]", "no value of `line.modifiers` meets all its tests"),
    ("line.modifiers has all of [26, 59] and line.modifiers has none of [59]",
     "no value of `line.modifiers` meets all its tests"),
    ("line.modifiers has any of [26, 59] and line.modifiers has none of [59]", None),
    ("line.code is 70450 and other.code is not 70450", None),
    ("patient.age < 40 or patient.age > 65", None),
    ("line.units > 2 and claim.line_count < 2", None),
    ("line.code is 70450 and line.code in [70450, 70460]", None),
    ("claim.payer is acme and claim.payer is beta", "no payer meets all its tests of `claim.payer`"),
    ("claim.type is professional and claim.type in [institutional]",
     "no claim type meets all its tests of `claim.type`"),
    ("claim.payer in [acme, beta] and claim.payer is beta", None),
    ("line.revenue_code in [0255 except 025X]", "no value of `line.revenue_code` is in its empty set"),
    ("claim.type is professional and line.revenue_code in [096X]",
     "it judges professional claims only (its `for` clause or `claim.type`), which never give `line.revenue_code`"),
    ("claim.type is professional and claim.bill_type is missing", None),
    ("claim.type is professional and claim.received > claim.statement_through + 12 months",
     "it judges professional claims only (its `for` clause or `claim.type`), which never give "
     "`claim.statement_through`"),
    ("claim.type is institutional and claim.bill_type in [13*]", None),
    ("claim.bill_type in [13*]", None),
])
def test_a_rule_that_can_never_fire_is_warned_of(condition, why):
    """RR264: tests joined by `and` that contradict each other, only when certain (a rule that compiled clean
    and never fired, silently, was the analyst's to find)."""
    rules = radrules.loads(rule(condition, then='warn line "x"'), name="n.rr")
    found = [d.message for d in rules.warnings if d.code == "RR264"]
    assert found == ([f"rule `t.rule` can never fire: {why}"] if why else [])


@pytest.mark.parametrize("effective, condition, why", [
    ("2026-01-01", "line.date < 2025-01-01", "`line.date < 2025-01-01`"),
    ("2025-01-01 through 2025-12-31", "line.date >= 2027-01-01", "`line.date >= 2027-01-01`"),
    ("2025-01-01 through 2025-12-31", "line.date between 2024-01-01 and 2024-12-31",
     "`line.date between 2024-01-01 and 2024-12-31`"),
    ("2025-01-01 through 2025-12-31", "line.date >= 2025-06-01", None),
    ("2026-01-01", "claim.received < 2025-01-01", None),  # a claim received before: a dated line may be later
])
def test_effective_dates_that_contradict_a_test_of_the_line_date(effective, condition, why):
    """A line rule's `effective` dates are asked on its line's date: a test of `line.date` outside them never
    holds on a date the rule judges."""
    rules = radrules.loads(rule(condition, then='warn line "x"', extra=f"  effective {effective}\n"))
    found = [d.message for d in rules.warnings if d.code == "RR264"]
    assert found == ([f"rule `t.rule` can never fire: no date of service within its `effective` dates meets {why}"]
                     if why else [])


@pytest.mark.parametrize("scope, condition, why", [
    ("  for payer pinecrest\n", "claim.payer is acme", "payer"),
    ("  for institutional claims\n", "claim.type is professional", "claim type"),
    ("  for payers pinecrest, acme\n", "claim.payer is acme", None),
    ("  for professional claims\n", "claim.type is professional", None),
])
def test_a_for_clause_that_contradicts_the_condition_is_warned_of(scope, condition, why):
    rules = radrules.loads(rule(condition + " and line.code is 70450", then='warn line "x"', extra=scope))
    found = [d.message for d in rules.warnings if d.code == "RR264"]
    assert found == ([f"rule `t.rule` can never fire: no {why} meets both its `for` clause and its tests"]
                     if why else [])


@pytest.mark.parametrize("condition, fires", [
    ("claim.bill_type in [13*]", False), ("not claim.bill_type is present", True),
    ("not claim.bill_type is missing", False), ("claim.bill_type is missing", True),
    ("claim.revenue_codes has 0450", False), ("claim.revenue_codes has any of [045X]", False),
    ("claim.revenue_codes has all of [0450, 0320]", False), ("claim.revenue_codes is present", False),
    ("claim.revenue_codes has none of [045X]", True), ("not claim.revenue_codes has 0450", True),
    ("claim.revenue_codes is missing", True), ("not claim.revenue_codes is missing", False),
    ("not claim.revenue_codes has none of [0450]", False)])
def test_an_institutional_field_in_a_rule_for_professional_claims(condition, fires):
    """A professional claim never gives a type of bill, a statement period or a revenue code (a ClaimError):
    a rule for professional claims alone that needs one can't fire (RR264); one that tests it missing can."""
    rules = radrules.loads(rule(condition + " and line.code is 70450", then='warn line "x"',
                                extra="  for professional claims\n"))
    warned = [d.message for d in rules.warnings if d.code == "RR264"]
    assert bool(warned) is not fires
    assert ("t.rule" in rules.evaluate({"lines": [{"code": "70450", "date": "2026-03-02"}]}).fired()) is fires


class TestAuthorizationStatus:
    """`line.authorization`: what the claim's authorization records say of each line (domain.md §7.1)."""

    RULES = radrules.loads(
        'rule t.status "status"\n  when line.authorization is present\n'
        '  then info line "{line.code}"\n  reference "r"\nend\n'
        + "".join(f'rule t.{status} "{status}"\n  when line.authorization is {status}\n'
                  f'  then info line "{status}"\n  reference "r"\nend\n'
                  for status in radrules.claim.AUTHORIZATION_STATUSES))

    def statuses(self, lines, records, prior=("PA1",), indexed=True):
        claim = {"prior_auth": list(prior), "lines": [{"code": code, "date": date, "units": units}
                                                     for code, date, units in lines]}
        if records is not None:
            claim["authorizations"] = records
        result = self.RULES.evaluate(claim, indexed=indexed)
        found = {n: None for n in range(1, len(lines) + 1)}
        for finding in result.findings:
            if finding.rule != "t.status":
                found[finding.lines[0]] = finding.rule[2:]
        return [found[n] for n in sorted(found)]

    RECORD = {"number": "PA1", "codes": ["70553", "74177"], "start": "2026-03-01", "end": "2026-03-31", "units": 1}

    @pytest.mark.parametrize("indexed", [True, False])
    @pytest.mark.parametrize("lines, records, prior, expected", [
        ([("70553", "2026-03-02", 1)], [RECORD], ("PA1",), ["valid"]),
        ([("70553", "2026-03-31", 1), ("70553", "2026-04-01", 1)], [RECORD], ("PA1",), ["valid", "out_of_dates"]),
        ([("70553", "2026-02-28", 1)], [RECORD], ("PA1",), ["out_of_dates"]),
        ([("70551", "2026-03-02", 1)], [RECORD], ("PA1",), ["other_code"]),
        ([("70553", "2026-03-02", 1)], [RECORD], ("PA2",), ["unknown_number"]),
        ([("70553", "2026-03-02", 1)], [RECORD], (), ["no_number"]),
        ([("70553", "2026-03-02", 1)], [], ("PA1",), ["unknown_number"]),
        ([("70553", "2026-03-02", 1)], None, ("PA1",), [None]),  # no records: unknown, no rule fires
        # units: per code, lines taken in order, each using its own
        ([("70553", "2026-03-02", 1), ("74177", "2026-03-02", 1), ("70553", "2026-03-09", 1)], [RECORD], ("PA1",),
         ["valid", "valid", "over_units"]),
        ([("70553", "2026-03-02", 2)], [RECORD], ("PA1",), ["over_units"]),
        # a second record with units left takes over; one of the claim's two numbers is enough
        ([("70553", "2026-03-02", 1), ("70553", "2026-03-09", 1)],
         [RECORD, dict(RECORD, number="PA2", units=None)], ("PA1", "PA2"), ["valid", "valid"]),
        ([("70553", "2026-03-02", 1), ("70553", "2026-03-09", 1)],
         [RECORD, dict(RECORD, number="PA3", units=None)], ("PA1", "PA2"), ["valid", "over_units"]),
        # fractions that add up to the units authorized (in binary, 3 - 1.1 - 1.3 is less than 0.6)
        ([("70553", "2026-03-02", 1.1), ("70553", "2026-03-02", 1.3), ("70553", "2026-03-02", 0.6)],
         [dict(RECORD, units=3)], ("PA1",), ["valid", "valid", "valid"]),
        ([("70553", "2026-03-02", 1.1), ("70553", "2026-03-02", 1.3), ("70553", "2026-03-02", 0.7)],
         [dict(RECORD, units=3)], ("PA1",), ["valid", "valid", "over_units"]),
    ])
    def test_statuses(self, lines, records, prior, expected, indexed):
        assert self.statuses(lines, records, prior, indexed) == expected

    @pytest.mark.parametrize("condition, needs, fires", [
        ("line.code is 70553 and line.authorization is valid", True, True),
        ("line.code is 70553 and not (line.authorization in [valid, over_units])", True, False),
        ("line.code is 70553 and line.authorization is missing", False, False),
        ("line.code is 70553 or line.authorization is valid", False, True),
    ])
    def test_rules_that_need_records_are_visited_only_with_them(self, condition, needs, fires):
        """A rule that only records can make true is filed apart and skipped for claims without them (most
        claims: the bundled Acme rules cost every Acme line before); explain says why it was not considered."""
        from radrules.compiler.index import filing

        rules = radrules.loads(rule(condition, then='info line "x"'))
        assert rules.rules[0].needs_authorization is needs
        assert (filing(rules.rules[0]) == "authorization") is needs
        claim = {"prior_auth": "PA1", "lines": [{"code": "70553", "date": "2026-03-02"}]}
        gone = rules.evaluate(claim, explain=True).explanation.not_considered
        assert (gone.get("t.rule") == "the claim gives no authorization records") is needs
        records = [{"number": "PA1", "codes": ["70553"], "start": "2026-03-01", "end": "2026-03-31"}]
        for indexed in (True, False):
            with_records = rules.evaluate(dict(claim, authorizations=records), indexed=indexed, explain=True)
            assert "t.rule" not in with_records.explanation.not_considered
            assert ("t.rule" in with_records.fired()) is fires

    def test_a_status_word_that_is_none_is_an_error(self):
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(rule("line.authorization is expired"))
        [error] = caught.value.errors
        assert error.message == "`expired` is not an authorization status"
        assert "no_number" in error.help and "out_of_dates" in error.help
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(rule("line.authorization in [valid, out_of_date]"))
        assert caught.value.errors[0].help == "did you mean `out_of_dates`?"


class TestAuthorizationEdges:
    """Review findings on authorization records: exempt places, the order of records, spans, reprs."""

    RECORD = {"number": "PA1", "codes": ["72148"], "start": "2026-03-01", "end": "2026-04-30", "units": 1}

    def test_units_do_not_depend_on_the_order_of_the_records(self):
        """Two records of one number: the line of March can only use A, the line of April either; whatever the
        order of the records or the lines, both are authorized (first fit denied one)."""
        a, b = self.RECORD, dict(self.RECORD, start="2026-04-01")
        rules = TestAuthorizationStatus.RULES
        for records in ([a, b], [b, a]):
            for lines in ([("72148", "2026-04-06"), ("72148", "2026-03-07")],
                          [("72148", "2026-03-07"), ("72148", "2026-04-06")]):
                claim = {"prior_auth": "PA1", "authorizations": records,
                         "lines": [{"code": code, "date": date} for code, date in lines]}
                assert sorted(f.rule for f in rules.evaluate(claim).findings if f.rule != "t.status") == [
                    "t.valid", "t.valid"], (records, lines)

    @pytest.mark.parametrize("start, end, status", [
        ("2026-04-29", "2026-04-30", "t.valid"), ("2026-04-30", "2026-05-01", "t.out_of_dates"),
        ("2026-02-28", "2026-03-01", "t.out_of_dates")])
    def test_a_span_must_fall_within_the_records_dates(self, start, end, status):
        claim = {"prior_auth": "PA1", "authorizations": [self.RECORD],
                 "lines": [{"code": "72148", "date": start, "end_date": end}]}
        found = [f.rule for f in TestAuthorizationStatus.RULES.evaluate(claim).findings if f.rule != "t.status"]
        assert found == [status]

    def test_the_acme_rules_exempt_the_emergency_room(self):
        rules = radrules.load()
        claim = {"payer": "acme", "place_of_service": "11", "prior_auth": "PA1", "authorizations": [self.RECORD],
                 "lines": [{"code": "72148", "date": "2026-04-06"},
                           {"code": "74176", "modifiers": ["26"], "date": "2026-04-07", "place_of_service": "23"}]}
        assert rules.evaluate(claim).fired() == ()
        office = dict(claim, lines=[claim["lines"][0], dict(claim["lines"][1], place_of_service="11")])
        assert rules.evaluate(office).fired() == ("acme.prior_auth.mismatch",)

    def test_records_in_a_claim_built_in_code_are_protected_and_checked(self):
        import attrs

        secret = {"number": "SECRET9", "codes": ["72148"], "start": "2026-04-01", "end": "2026-04-30"}
        claim = radrules.Claim(lines=(radrules.Line("72148", datetime.date(2026, 4, 6)),), prior_auth=("SECRET9",),
                               authorizations=[secret])
        assert "SECRET9" not in repr(claim)
        record = radrules.claim.Authorization("P", frozenset({"72148", 72148}), datetime.date(2026, 4, 1),
                                              datetime.date(2026, 4, 30))
        with pytest.raises(radrules.ClaimError) as caught:
            radrules.load().evaluate(attrs.evolve(claim, authorizations=(record,)))
        assert caught.value.path.startswith("authorizations[0].codes[")
        as_set = radrules.claim.Authorization("P", {"72148"}, datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
        checked = radrules.claim.checked(attrs.evolve(claim, authorizations=(as_set,)))
        assert checked.authorizations[0].codes == frozenset({"72148"})

    def test_at_most_999_records(self):
        with pytest.raises(radrules.ClaimError) as caught:
            radrules.Claim.from_dict({"authorizations": [self.RECORD] * 1000,
                                      "lines": [{"code": "72148", "date": "2026-04-06"}]})
        assert caught.value.path == "authorizations" and "999" in str(caught.value)

    def test_diff_shows_the_field_in_a_message(self):
        old = radrules.loads(rule("line.authorization is valid", then='info line "{line.code}"'))
        new = radrules.loads(rule("line.authorization is valid", then='info line "{line.authorization}"'))
        assert "message: {line.code} -> {line.authorization}" in radrules.diff_rulesets(old, new).to_text()


def test_units_with_tied_end_dates_and_a_reversed_span():
    """Records that end on one date are chosen by their content (fewest units left first), never by their order
    in the claim; a reversed span is judged as the span it covers."""
    from radrules.evaluation import Evaluation, authorization_statuses

    def statuses(records, lines):
        claim = radrules.Claim.from_dict({"prior_auth": "PA1", "authorizations": records, "lines": lines})
        views = Evaluation(claim, radrules.load().view_for(None, "professional")).lines
        return authorization_statuses(claim, views)

    a = {"number": "PA1", "codes": ["72148"], "start": "2026-04-01", "end": "2026-06-30", "units": 2}
    b = dict(a, units=1)
    lines = [{"code": "72148", "date": "2026-04-06", "units": 1}, {"code": "72148", "date": "2026-04-06", "units": 2}]
    assert statuses([a, b], lines) == statuses([b, a], lines) == ("valid", "valid")
    reversed_span = [{"code": "72148", "date": "2026-05-10", "end_date": "2026-04-20"}]
    assert statuses([dict(a, end="2026-04-30")], reversed_span) == ("out_of_dates",)


@pytest.mark.parametrize("rule_id, message, hint", [
    ("format.code", "`format.code` is a built-in check, not a rule", "can't be left out"),
    ("codes.billable", "`codes.billable` is a built-in check, not a rule", "can't be left out"),
    ("ncci.ptp", "`ncci.ptp` is the edits of a CMS table, not a rule", "`disable pair` rows in a `pairs` block"),
    ("ncci.mue", "`ncci.mue` is the edits of a CMS table, not a rule", "`disable limit` rows in a `limits` block"),
    ("ncci.addon", "`ncci.addon` is the edits of a CMS table, not a rule",
     "`disable addon` rows in an `addons` block"),
    ("radiology.contrast.combined", "no rule `radiology.contrast.combined` to disable", "bundled rulesets"),
])
def test_disable_rule_of_what_is_no_rule_here_says_what_it_is(rule_id, message, hint):
    """RR308 said "name the rule by its id, as findings do" for ids that findings do show: built-in checks,
    a table's edits, and a bundled rule loaded without the bundled rules."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(f'disable rule {rule_id} for payer beta reference "r"\n')
    [error] = caught.value.errors
    assert (error.code, error.message) == ("RR308", message) and hint in error.help


def test_the_hint_of_rr264_fits_its_reason():
    rules = radrules.loads(rule("claim.payer is medicare and line.code is 70450", then='warn line "x"',
                                extra="  for payer acme\n"))
    [warning] = [d for d in rules.warnings if d.code == "RR264"]
    assert warning.help == "the `for` clause and the tests of the claim contradict each other"
    assert radrules.Authorization is radrules.claim.Authorization


def test_disable_rule_of_an_edit_block_names_the_rows_of_its_kind():
    """RR308 for an edit block's id names the `disable` row its rows are left out with."""
    for block, row, disable in (("pairs", "pair 74176 with 74150 modifier 0", "`disable pair`"),
                                ("limits", "limit 77067 max 1 mai 2", "`disable limit`"),
                                ("addons", "addon 77063 type 1 primaries 77067", "`disable addon`")):
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(f'{block} a.b\n  reference "r"\n  {row}\nend\n'
                           'disable rule a.b for payer beta reference "r"\n')
        [error] = caught.value.errors
        assert error.help == f"leave its rows out with {disable} rows in a block for the payer", block


class TestIdleDisablesByClaimType:
    """RR263 for a `disable` row looks at the claim types it applies to: the tables loaded for them, and the
    rule-file rows for them (errors.md RR263)."""

    @staticmethod
    def load(tmp_path, text: str) -> radrules.Ruleset:
        root = tmp_path / "rules"
        (root / "cms").mkdir(parents=True)
        for name, copy in (("ccipra-v321r0-f1.TXT", "radiology-ptp-v321r0-f1.TXT"),
                           ("ccioph-v322r0-f1.TXT", "radiology-ccioph-v322r0-f1.TXT"),
                           ("MCR_MUE_PractitionerServices_Eff_07-01-2026.csv",
                            "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")):
            (root / "cms" / name).write_bytes((CMS / copy).read_bytes())
        (root / "main.rr").write_text(text, encoding="utf-8")
        return radrules.load(root, cache_dir=None)

    PROFESSIONAL = ('table ptp "cms/ccipra-v321r0-f1.TXT"\n'
                    'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n')
    BLOCKS = ('pairs acme.hosp\n  for payer acme\n  for institutional claims\n  reference "r"\n'
              '  disable pair 74176 with 74150\nend\n'
              'limits acme.hmue\n  for institutional claims\n  reference "r"\n  disable limit 71046\nend\n')

    def test_a_disable_for_a_claim_type_whose_table_is_not_loaded(self, tmp_path):
        """The practitioner tables have the pair and the code, but no table for institutional claims is
        loaded: the disables change nothing (they said nothing before)."""
        rules = self.load(tmp_path, self.PROFESSIONAL + self.BLOCKS)
        assert [(w.code, w.message) for w in rules.warnings] == [
            ("RR263", "`disable pair 74176 with 74150` disables nothing: no PTP table for institutional claims is "
                      "loaded, and no `pairs` row for them has this pair"),
            ("RR263", "`disable limit 71046` disables nothing: no MUE table for institutional claims is loaded, "
                      "and no `limits` row for them has this code")]
        assert rules.warnings[0].help.startswith("load the table for institutional claims (`table ptp \"...\" for "
                                                 "institutional claims`)")
        assert [w.help.rpartition("; ")[2] for w in rules.warnings] == [  # the practitioner tables have the keys
            "the PTP table for professional claims has this pair, but it does not judge institutional claims",
            "the MUE table for professional claims has this code, but it does not judge institutional claims"]

    def test_a_table_for_the_claim_type_without_the_key(self, tmp_path):
        """The hospital PTP table is loaded but has no 74176 with 74150 row: the message says whose table."""
        rules = self.load(tmp_path, self.PROFESSIONAL + 'table ptp "cms/ccioph-v322r0-f1.TXT" for institutional '
                          'claims\n' + self.BLOCKS.split("limits")[0])
        [warning] = rules.warnings
        assert warning.message == ("`disable pair 74176 with 74150` disables nothing: no `pairs` row and no PTP "
                                   "table loaded for institutional claims has this pair")

    def test_rows_of_the_claim_type_are_disabled(self, tmp_path):
        """Rule-file rows for institutional claims (or for both) are what the disables take off: no RR263 (the
        `limits` row, of the disable's own level, is RR267)."""
        rows = ('pairs house.ptp\n  reference "r"\n  pair 74176 with 74150 modifier 0\nend\n'
                'limits house.mue\n  for institutional claims\n  reference "r"\n  limit 71046 max 2 mai 1\nend\n')
        warnings = self.load(tmp_path, self.PROFESSIONAL + rows + self.BLOCKS).warnings
        assert [w.code for w in warnings] == ["RR267"]

    def test_rows_of_the_other_claim_type_are_not(self, tmp_path):
        """A `limits` row for professional claims only is not one an institutional disable takes off."""
        rows = 'limits house.mue\n  for professional claims\n  reference "r"\n  limit 71046 max 2 mai 1\nend\n'
        rules = radrules.loads(rows + self.BLOCKS.split("end\n", 1)[1])
        [warning] = rules.warnings
        assert warning.message == ("`disable limit 71046` disables nothing: no MUE table for institutional claims "
                                   "is loaded, and no `limits` row for them has this code")

    def test_a_general_disable_of_a_key_only_a_payer_block_has(self):
        """A general `disable` does not remove a payer's own rows: with no general row or table, it disables
        nothing, and the message names the rows that stay."""
        rules = radrules.loads('limits acme.mue\n  for payer acme\n  reference "r"\n  limit 71046 max 3 mai 1\nend\n'
                               'limits all.mue\n  reference "r"\n  disable limit 71046\nend\n', name="m.rr")
        [warning] = rules.warnings
        assert warning.message == ("`disable limit 71046` disables nothing: the rows of `acme.mue` (m.rr:4) keep "
                                   "this code wherever it applies")


class TestRowsChosenByDate:
    """On each date of service the rows of the most specific level in force on it win: dated rule-file rows and a
    dated `disable` leave the other dates to the less specific rows or the tables, whose own row is then named
    (docs/language.md, "Which rows win"); the indexed and the scan lookups agree on it."""

    HEADER = ("Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"
              "\t\tprior to 1996\tDate\tDate\t0=not allowed\t\n")
    TABLES = {
        # 72193 with 72192 is in the April version only; April's 70470 with 70450 row is indicator 9 (no edit)
        "cms/ccipra-v321r0-f1.TXT": HEADER + "72193\t72192\t\t20110101\t*\t0\tMisuse\n"
                                             "70470\t70450\t\t20260101\t20260101\t9\tMisuse\n",
        "cms/ccipra-v322r0-f1.TXT": HEADER + "70470\t70450\t\t20260701\t*\t1\tMisuse\n"
                                             "74176\t72192\t\t20110101\t20251231\t1\tMisuse\n",
    }
    STATEMENTS = ('table ptp "cms/ccipra-v321r0-f1.TXT" effective 2026-04-01\n'
                  'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01\n')

    def load(self, tmp_path, rows: str, statements: str | None = None, files: dict | None = None):
        root = tmp_path / "rules"
        for name, text in {**self.TABLES, **(files or {})}.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="latin-1")
        (root / "main.rr").write_text((self.STATEMENTS if statements is None else statements) + rows,
                                      encoding="utf-8")
        return radrules.load(root, cache_dir=None)

    @staticmethod
    def block(rows: str, kind: str = "pairs", scope: str = "for payer acme", dates: str = "") -> str:
        dated = f"  effective {dates}\n" if dates else ""
        return f'{kind} acme.edits {scope}\n{dated}  reference "Acme policy"\n{rows}end\n'

    @staticmethod
    def warned(rules) -> list:
        """The codes of the warnings, but RR529 (the two versions' rows differ on purpose)."""
        return [w.code for w in rules.warnings if w.code != "RR529"]

    @staticmethod
    def judged(rules, *lines, payer: str = "acme", **fields) -> list:
        """(rule, lines, source) of each finding, the same by the indexed and the scan lookups."""
        found = [[(f.rule, f.lines, f.source.rpartition("/")[2] if f.source else None)
                  for f in rules.evaluate(claim(*lines, payer=payer, **fields), indexed=indexed).findings]
                 for indexed in (True, False)]
        assert found[0] == found[1]
        return found[0]

    def pair(self, rules, date: str, payer: str = "acme") -> list:
        return self.judged(rules, line("70470", date), line("70450", date), payer=payer)

    def test_a_dated_disable_stops_the_table_edit_from_its_date(self, tmp_path):
        """A payer that stops a national edit from 2027 (a payer's data engineer's review: it could not say so):
        the table's row, named by file and row, still denies on 2026-12-31; from 2027-01-01 nothing does; other
        payers keep the edit. No warning."""
        rules = self.load(tmp_path, self.block("  disable pair 70470 with 70450\n", dates="2027-01-01"))
        assert self.warned(rules) == []
        assert self.pair(rules, "2026-12-31") == [("ncci.ptp", (2,), "ccipra-v322r0-f1.TXT:3")]
        assert self.pair(rules, "2027-01-01") == []
        assert self.pair(rules, "2027-01-01", payer="beta") == [("ncci.ptp", (2,), "ccipra-v322r0-f1.TXT:3")]

    def test_a_disable_through_a_date_gives_the_edit_back_after_it(self, tmp_path):
        rules = self.load(tmp_path, self.block("  disable pair 70470 with 70450\n",
                                               dates="2026-08-01 through 2026-09-30"))
        assert [bool(self.pair(rules, date)) for date in ("2026-07-31", "2026-08-01", "2026-09-30", "2026-10-01")] \
            == [True, False, False, True]

    def test_a_payer_row_from_a_later_date_leaves_the_earlier_dates_to_the_tables(self, tmp_path):
        """Before the payer's row takes effect the table's row judges (named as the table's); from its date the
        payer's (its indicator 0: a modifier no longer bypasses it). Each table version judges its own dates:
        72193 with 72192 is in the April version only."""
        rows = ("  pair 70470 with 70450 modifier 0 effective 2026-10-01\n"
                "  pair 72193 with 72192 modifier 1 effective 2026-10-01\n")
        rules = self.load(tmp_path, self.block(rows))
        assert self.warned(rules) == []
        with_59 = [line("70470", "2026-09-30"), line("70450", "2026-09-30", modifiers=["59"])]
        assert self.judged(rules, *with_59) == []  # the table's indicator 1: 59 bypasses it
        later = [dict(item, date="2026-10-01") for item in with_59]
        assert self.judged(rules, *later) == [("acme.edits", (2,), "main.rr:5")]
        for date, source in (("2026-05-01", "ccipra-v321r0-f1.TXT:3"), ("2026-08-01", None),
                             ("2026-10-01", "main.rr:6")):
            found = self.judged(rules, line("72193", date), line("72192", date))
            assert [f[2] for f in found] == ([source] if source else []), date

    def test_a_payer_row_over_a_general_row_by_date(self, tmp_path):
        """A general row without dates and a payer's row from a date: the general row judges the payer's claims
        before it."""
        general = self.block("  limit 74176 max 1 mai 2\n", kind="limits", scope="").replace("acme.edits", "all.mue")
        payer = self.block("  limit 74176 max 3 mai 2 effective 2027-01-01\n", kind="limits")
        rules = self.load(tmp_path, general + payer, statements="")
        units = {"units": 2}
        assert self.judged(rules, line("74176", "2026-12-31", **units)) == [("all.mue", (1,), "main.rr:3")]
        assert self.judged(rules, line("74176", "2027-01-01", **units)) == []
        assert self.judged(rules, line("74176", "2027-01-01", units=4)) == [("acme.edits", (1,), "main.rr:7")]

    def test_gaps_between_dated_rows_fall_to_the_less_specific_rows(self, tmp_path):
        general = self.block("  limit 74176 max 1 mai 2\n", kind="limits", scope="").replace("acme.edits", "all.mue")
        payer = self.block("  limit 74176 max 5 mai 2 effective 2020-01-01 through 2023-12-31\n"
                           "  limit 74176 max 5 mai 2 effective 2025-01-01\n", kind="limits")
        rules = self.load(tmp_path, general + payer, statements="")
        judged = {date: [f[0] for f in self.judged(rules, line("74176", date, units=2))]
                  for date in ("2019-12-31", "2020-01-01", "2024-06-30", "2025-01-01")}
        assert judged == {"2019-12-31": ["all.mue"], "2020-01-01": [], "2024-06-30": ["all.mue"],
                          "2025-01-01": []}

    @pytest.mark.parametrize("kind, row, disable, bill, over", [
        ("limits", "limit 74176 max 1 mai 2", "disable limit 74176", [line("74176", units=2)], "all.edits"),
        ("addons", "addon 76376 type 1 primaries 70450", "disable addon 76376", [line("76376")], "all.edits"),
        ("pairs", "pair 74176 with 74150 modifier 0", "disable pair 74176 with 74150",
         [line("74176"), line("74150")], "all.edits"),
    ])
    def test_a_dated_disable_of_each_kind_over_general_rows(self, tmp_path, kind, row, disable, bill, over):
        general = f'{kind} all.edits\n  reference "r"\n  {row}\nend\n'
        rules = self.load(tmp_path, general + self.block(f"  {disable}\n", kind=kind, dates="2026-03-01"),
                          statements="")
        assert self.warned(rules) == []
        before = [dict(item, date="2026-02-28") for item in bill]
        assert [f[0] for f in self.judged(rules, *before)] == [over]
        assert self.judged(rules, *bill) == []  # (2026-03-02)
        assert [f[0] for f in self.judged(rules, *bill, payer="beta")] == [over]

    def test_a_disabled_addon_is_still_an_addon_code_on_its_dates(self, tmp_path):
        """An add-on code whose edit a dated `disable addon` takes off is still an add-on code on those dates: it
        is no primary of another add-on (as with an undated disable)."""
        rows = ('addons all.edits\n  reference "r"\n  addon 76376 type 1 primaries 70450\n'
                '  addon 76377 type 3\nend\n')
        rules = self.load(tmp_path, rows + self.block("  disable addon 76376\n", kind="addons",
                                                       dates="2026-03-01"), statements="")
        assert [f[0] for f in self.judged(rules, line("76376"), line("76377"))] == ["all.edits"]

    def test_a_line_of_a_date_span_is_judged_on_the_day_the_choice_changes(self, tmp_path):
        """A line from 2026-12-30 through 2027-01-02 (2 units a day) is judged on the day a payer's limit row
        starts too: over the payer's limit from 2027, within the general one before."""
        general = self.block("  limit 74176 max 9 mai 2\n", kind="limits", scope="").replace("acme.edits", "all.mue")
        payer = self.block("  limit 74176 max 1 mai 2 effective 2027-01-01\n", kind="limits")
        rules = self.load(tmp_path, general + payer, statements="")
        span = line("74176", "2026-12-30", end_date="2027-01-02", units=8)
        assert [f[0] for f in self.judged(rules, span)] == ["acme.edits"]
        # a disable through 2026 gives the general limit back on 2027-01-01, a day no row's dates name
        general = general.replace("max 9", "max 1")
        disable = self.block("  disable limit 74176\n", kind="limits", dates="2026-01-01 through 2026-12-31")
        rules = self.load(tmp_path, general + disable, statements="")
        assert [f[0] for f in self.judged(rules, span)] == ["all.mue"]

    def test_a_row_and_a_disable_of_one_level_on_dates_apart_are_no_conflict(self, tmp_path):
        """RR267 only where a row and a `disable` of its level share dates: a payer's limit through 2026 and its
        disable from 2027 each hold on their own dates."""
        rows = self.block("  limit 74176 max 1 mai 2 effective 2020-01-01 through 2026-12-31\n", kind="limits")
        disable = self.block("  disable limit 74176\n", kind="limits", dates="2027-01-01").replace(
            "acme.edits", "acme.off")
        general = self.block("  limit 74176 max 9 mai 2\n", kind="limits", scope="").replace("acme.edits", "all.mue")
        rules = self.load(tmp_path, general + rows + disable, statements="")
        assert self.warned(rules) == []
        units = {"units": 2}
        assert [f[0] for f in self.judged(rules, line("74176", "2026-12-31", **units))] == ["acme.edits"]
        assert self.judged(rules, line("74176", "2027-01-01", units=20)) == []
        assert self.judged(rules, line("74176", "2019-12-31", units=20))[0][0] == "all.mue"
        overlapping = disable.replace("2027-01-01", "2026-06-01")
        rules = self.load(tmp_path, general + rows + overlapping, statements="")
        assert [w.code for w in rules.warnings] == ["RR267"]

    def test_rr267_of_dated_rows_names_the_dates_they_share(self, tmp_path):
        """A payer's limit through 2027-06-30 and its `disable` from 2027: RR267 names the dates both are in force
        on and says to end the row before the `disable` starts (it named neither: the two read as apart)."""
        rows = self.block("  limit 74176 max 1 mai 2 effective 2020-01-01 through 2027-06-30\n", kind="limits")
        disable = self.block("  disable limit 74176\n", kind="limits", dates="2027-01-01").replace(
            "acme.edits", "acme.off")
        [warning] = self.load(tmp_path, rows + disable, statements="").warnings
        assert (warning.code, warning.message) == (
            "RR267", "`disable limit 74176` removes the row of `acme.edits` at rules/main.rr:3, written at the same "
                     "level, on 2027-01-01 through 2027-06-30")
        assert warning.help.endswith("; or end the row's dates before the `disable`'s, or the `disable`'s after the "
                                     "row's: a row and a `disable` on dates apart each hold on their own dates")
        undated = self.block("  limit 74176 max 1 mai 2\n", kind="limits") + disable.replace(
            "  effective 2027-01-01\n", "")
        [warning] = self.load(tmp_path, undated, statements="").warnings
        assert warning.message.endswith("written at the same level") and "apart" not in warning.help

    def test_rr267_of_a_dated_row_and_an_undated_disable_asks_for_dates_of_the_disable(self, tmp_path):
        """A payer's limit from 2027 beside its undated `disable`: the `disable` has no dates to end the row's
        before (the help said to), only dates given to its block set the two apart."""
        rows = self.block("  limit 74176 max 1 mai 2 effective 2027-01-01\n  disable limit 74176\n", kind="limits")
        [warning] = self.load(tmp_path, rows, statements="").warnings
        assert warning.message.endswith("written at the same level, from 2027-01-01")
        assert warning.help.endswith("; or give the `disable`'s block `effective` dates apart from the row's: a row "
                                     "and a `disable` on dates apart each hold on their own dates")

    def test_rr267_of_rows_with_a_gap_names_each_stretch(self, tmp_path):
        """Two rows of a key on dates apart beside an undated `disable` of their level: RR267 names the two
        stretches, not one window from the first row's start to the last row's end (over the gap between them);
        stretches that touch are one."""
        rows = ("  limit 74176 max 1 mai 2 effective 2020-01-01 through 2026-03-31\n"
                "  limit 74176 max 2 mai 2 effective 2026-07-01 through 2026-12-31\n")
        [warning] = self.load(tmp_path, self.block(rows + "  disable limit 74176\n", kind="limits"),
                              statements="").warnings
        assert warning.code == "RR267"
        assert warning.message.endswith("written at the same level, on 2020-01-01 through 2026-03-31 and 2026-07-01 "
                                        "through 2026-12-31")
        touching = rows.replace("2026-07-01", "2026-04-01")
        [warning] = self.load(tmp_path, self.block(touching + "  disable limit 74176\n", kind="limits"),
                              statements="").warnings
        assert warning.message.endswith("written at the same level, on 2020-01-01 through 2026-12-31")
        open_ended = rows.replace(" through 2026-12-31", "")
        [warning] = self.load(tmp_path, self.block(open_ended + "  disable limit 74176\n", kind="limits"),
                              statements="").warnings
        assert warning.message.endswith("written at the same level, on 2020-01-01 through 2026-03-31 and from "
                                        "2026-07-01")

    def test_a_dated_disable_that_only_more_specific_rows_meet_disables_nothing(self, tmp_path):
        """RR263 for a payer's dated `disable` whose dates its rows for professional claims cover from 2027 (and
        no table or general row has the key); a general row through 2026 is no help, one from 2026 on is."""
        rows = self.block("  limit 74176 max 1 mai 2 effective 2027-01-01\n", kind="limits",
                          scope="for payer acme for professional claims")
        disable = self.block("  disable limit 74176\n", kind="limits", dates="2027-01-01").replace(
            "acme.edits", "acme.off")
        general = self.block("  limit 74176 max 9 mai 2 effective 2026-01-01 through 2026-12-31\n", kind="limits",
                             scope="").replace("acme.edits", "all.mue")
        for text in (rows + disable, rows + general + disable):
            [warning] = self.load(tmp_path, text, statements="").warnings
            assert warning.code == "RR263" and "`acme.edits`" in warning.message
        useful = general.replace(" through 2026-12-31", "")
        assert self.load(tmp_path, rows + useful + disable, statements="").warnings == ()

    def test_a_dated_disable_of_rows_of_other_dates_says_so(self, tmp_path):
        """RR263 for a payer's `disable` from 2027 of a general row through 2026 (no table has the key) names the
        row and the dates: it said no `limits` row has the code."""
        general = self.block("  limit 74176 max 1 mai 2 effective 2020-01-01 through 2026-12-31\n", kind="limits",
                             scope="").replace("acme.edits", "all.mue")
        disable = self.block("  disable limit 74176\n", kind="limits", dates="2027-01-01")
        [warning] = self.load(tmp_path, general + disable, statements="").warnings
        assert (warning.code, warning.message) == (
            "RR263", "`disable limit 74176` disables nothing on its dates (from 2027-01-01): the rows of `all.mue` "
                     "(rules/main.rr:3) have this code on other dates only, and no MUE table loaded for its claims "
                     "has it")

    def test_a_dated_disable_kept_for_one_payer_and_bare_for_the_others_says_both(self, tmp_path):
        """RR263 for a general `disable` from 2027 of a general row through 2026, beside Acme's own row of every
        date: it said only that Acme's rows "keep this code wherever it applies", though for every other payer the
        general row is what ends before the disable's dates (and Acme's row does not apply there)."""
        general = self.block("  limit 74176 max 1 mai 2 effective 2020-01-01 through 2026-12-31\n", kind="limits",
                             scope="").replace("acme.edits", "all.mue")
        disable = self.block("  disable limit 74176\n", kind="limits", scope="", dates="2027-01-01").replace(
            "acme.edits", "all.off")
        acme = self.block("  limit 74176 max 3 mai 2\n", kind="limits")
        [warning] = self.load(tmp_path, general + disable + acme, statements="").warnings
        assert (warning.code, warning.message) == (
            "RR263", "`disable limit 74176` disables nothing on its dates (from 2027-01-01): the rows of `acme.edits` "
                     "(rules/main.rr:12) keep this code where they apply; the rows of `all.mue` (rules/main.rr:3) "
                     "have this code on other dates only, and no MUE table loaded for its claims has it")
        [warning] = self.load(tmp_path, disable.replace("  effective 2027-01-01\n", "") + acme,
                              statements="").warnings  # (undated: as it was)
        assert warning.message.endswith("the rows of `acme.edits` (rules/main.rr:7) keep this code wherever it "
                                        "applies")

    def test_a_dated_disable_of_a_table_row_of_other_dates_disables_nothing(self, tmp_path):
        """RR263 for a payer's `disable` from 2027 of the table's pair that CMS deleted after 2025-12-31, and for one
        in the April quarter of a pair the July version adds (the April version, which judges those dates, has only
        an indicator 9 row of it): the tables are read on the disable's dates, as the rule-file rows are. The
        message names the table's row; it said nothing at all."""
        rules = self.load(tmp_path, self.block("  disable pair 74176 with 72192\n", dates="2027-01-01"))
        [warning] = [w for w in rules.warnings if w.code != "RR529"]
        assert (warning.code, warning.message) == (
            "RR263", "`disable pair 74176 with 72192` disables nothing on its dates (from 2027-01-01): the PTP "
                     "table loaded for its claims has this pair on other dates only (ccipra-v322r0-f1.TXT:4, "
                     "2011-01-01 through 2025-12-31)")
        quarter = self.block("  disable pair 70470 with 70450\n", dates="2026-04-01 through 2026-06-30")
        assert self.warned(self.load(tmp_path, quarter)) == ["RR263"]
        for dates in ("2026-06-01 through 2026-07-31", "2026-07-01", ""):  # (July's row on some date of them)
            assert self.warned(self.load(tmp_path, self.block("  disable pair 70470 with 70450\n", dates=dates))) \
                == [], dates

    def test_a_disable_of_a_pair_whose_table_rows_are_of_indicator_nine_disables_nothing(self, tmp_path):
        """A row of modifier indicator 9 never applies, so a `disable` of a pair the table has only so takes nothing
        off (RR263, naming the row); April's 70470 with 70450 is such a row, July's is indicator 1 (a `disable` of
        April's dates: July's row is on other dates only)."""
        disable = self.block("  disable pair 70470 with 70450\n", dates="2026-04-01 through 2026-06-30")
        [warning] = [w for w in self.load(tmp_path, disable).warnings if w.code == "RR263"]
        assert warning.message.endswith("has this pair on other dates only (ccipra-v322r0-f1.TXT:3, from 2026-07-01)")
        statements = 'table ptp "cms/ccipra-v321r0-f1.TXT" effective 2026-04-01\n'
        [warning] = self.load(tmp_path, self.block("  disable pair 70470 with 70450\n"), statements).warnings
        assert warning.code == "RR263" and warning.message == (
            "`disable pair 70470 with 70450` disables nothing: the PTP table's rows of this pair "
            "(ccipra-v321r0-f1.TXT:4) have modifier indicator 9, which never applies")
        assert self.warned(self.load(tmp_path, self.block("  disable pair 70470 with 70450\n"))) == []  # (July's)

    def test_an_allow_comment_of_a_retired_warning_says_it_is_no_longer_given(self, tmp_path):
        row = "  # allow RR266: Acme from 2027\n  pair 70470 with 70450 modifier 0 effective 2027-01-01\n"
        [warning] = [w for w in self.load(tmp_path, self.block(row)).warnings if w.code != "RR529"]
        assert warning.code == "RR270" and warning.message.startswith("`RR266` is no longer given: dated rows no "
                                                                      "longer leave the other dates without an edit")

    def test_explain_names_the_disable_on_its_dates_and_the_table_on_the_others(self, tmp_path):
        rules = self.load(tmp_path, self.block("  disable pair 70470 with 70450\n", dates="2027-01-01"))
        later = claim(line("70470", "2027-01-04"), line("70450", "2027-01-04"), payer="acme")
        steps = [s for s in rules.evaluate(later, explain=True).explanation.steps if s.rule == "ncci.ptp"]
        assert [s.outcome for s in steps] == ["silent"]
        assert steps[0].detail.endswith("disabled by `acme.edits` (rules/main.rr:6)")
        earlier = claim(line("70470", "2026-12-04"), line("70450", "2026-12-04"), payer="acme")
        steps = rules.evaluate(earlier, explain=True).explanation.steps
        assert [s.outcome for s in steps if s.rule == "ncci.ptp"] == ["fired"]
        # the disable, not yet in force, says so (a payer's analyst saw only the table's row fire)
        [step] = [s for s in steps if s.rule == "acme.edits"]
        assert (step.outcome, step.lines, step.related_lines, step.detail) == (
            "out of dates", (2,), (1,), "70470 (column 1) with 70450 (column 2): `disable pair 70470 with 70450` "
            "applies from 2027-01-01, not on 2026-12-04")


class TestPayerNamesOneLetterApart:
    """RR269: a payer name one letter from another the ruleset names (errors.md RR269)."""

    @staticmethod
    def block(rule_id: str, payer: str) -> str:
        return f'limits {rule_id}\n  for payer "{payer}"\n  reference "r"\n  limit 77067 max 1 mai 2\nend\n'

    def test_the_name_used_less_is_warned(self):
        """`acmee` once beside `acme` twice: the warning is at `acmee`, naming where `acme` is written."""
        rules = radrules.loads(self.block("a.one", "acme") + self.block("b.typo", "acmee")
                               + self.block("c.two", "Acme"), name="m.rr")
        [warning] = [w for w in rules.warnings if w.code == "RR269"]
        assert (warning.span.line, warning.span.column) == (7, 13)
        assert warning.message == "payer `acmee` is one letter from payer `acme`, named at m.rr:2 and 1 more place"

    def test_settings_and_disable_rule_statements_count(self):
        """A setting's payer is a payer name too; as often used, the later name is warned."""
        rules = radrules.loads('setting modifier_placement = either for payer "blue cross"\n'
                               + self.block("a.one", "bluecross"), name="m.rr")
        [warning] = rules.warnings
        assert warning.message == ("payer `bluecross` is one letter from payer `blue cross`, named at m.rr:1")

    def test_numbered_plans_and_far_names_are_two_payers(self):
        """Names that differ in digits only, or by more than one letter, or only in case (the same payer)."""
        for first, second in (("plan1", "plan2"), ("plan1", "plan12"), ("acme", "acne2"), ("acme", "beta"),
                              ("acme", "ACME")):
            rules = radrules.loads(self.block("a.one", first) + self.block("b.two", second))
            assert "RR269" not in [w.code for w in rules.warnings], (first, second)

    @pytest.mark.parametrize("test", ["claim.payer is acmee", "claim.payer is not acmee", "claim.payer = acmee",
                                      'claim.payer in [beta, "Acmee"]', "claim.payer not in [beta, acmee]",
                                      "not claim.payer is acmee", "claim.payer in [beta, gamma except acmee]"])
    def test_a_name_a_condition_compares_claim_payer_with_counts(self, test):
        """A misspelt payer in a test of `claim.payer` (`is`, `is not`, `in`, `not in`) is warned at its own token,
        with the help of a test: `is not acmee` is true on Acme's claims, the wrong denial a typo leaves."""
        text = self.block("a.one", "acme") + rule(f"line.code is 70450 and {test}", rule_id="b.test")
        rules = radrules.loads(text, name="m.rr")
        [warning] = [w for w in rules.warnings if w.code == "RR269"]
        assert (warning.span.line, underlined(warning).strip('"').lower()) == (7, "acmee")
        assert warning.message == "payer `acmee` is one letter from payer `acme`, named at m.rr:2"
        assert warning.help == ("payers are told apart by their whole name (without case): on claims of `acme`, "
                                "`claim.payer` is never `acmee`; if it is a misspelling, write `acme`")
        assert "acmee" in rules.describe()["payers"]

    def test_a_clause_one_letter_from_a_tested_name_is_warned_at_the_name_used_less(self):
        """`for payer acmee` beside tests of `acme` in two rules: the clause is warned, with the clause's help."""
        text = (rule("claim.payer is acme", rule_id="a.one") + rule("claim.payer in [acme]", rule_id="a.two")
                + self.block("b.typo", "acmee"))
        [warning] = [w for w in radrules.loads(text, name="m.rr").warnings if w.code == "RR269"]
        assert (warning.span.line, warning.span.column) == (12, 13)
        assert warning.message == "payer `acmee` is one letter from payer `acme`, named at m.rr:2 and 1 more place"
        assert "rules and blocks for `acmee` never apply to claims of `acme`" in warning.help

    def test_a_name_written_right_in_a_condition_is_no_warning_and_is_listed(self):
        """`claim.payer is not acme` beside `for payer acme`, and `medicare` named in a condition only: no RR269;
        both listed by describe(), but only `for payer`'s payers have views of their own (evaluation unchanged)."""
        text = (self.block("a.one", "acme")
                + rule("line.code is 70450 and claim.payer is not acme and claim.payer not in [medicare]",
                       rule_id="b.test"))
        rules = radrules.loads(text)
        assert "RR269" not in [w.code for w in rules.warnings]
        assert rules.describe()["payers"] == ["acme", "medicare"]
        assert rules.payers == frozenset(["acme"])
        assert fired(rules.evaluate(claim(line("70450"), payer="beta"))) == {"b.test"}
        assert fired(rules.evaluate(claim(line("70450"), payer="acme"))) == set()


def test_a_table_path_in_other_capitals_gets_the_file_name_as_its_hint(tmp_path):
    """RR502 for `ccipra-v322r0-f1.txt` where the folder holds `ccipra-v322r0-f1.TXT`: did you mean it?"""
    (tmp_path / "cms").mkdir()
    (tmp_path / "cms" / "ccipra-v322r0-f1.TXT").write_bytes((CMS / "radiology-ptp-v322r0-f1.TXT").read_bytes())
    (tmp_path / "main.rr").write_text('table ptp "cms/ccipra-v322r0-f1.txt"\n', encoding="utf-8")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path, cache_dir=None)
    [error] = caught.value.errors
    assert (error.code, error.help) == ("RR502", "did you mean `ccipra-v322r0-f1.TXT`? file names are told apart by "
                                                 "case")


class TestOncePerLine:
    """`once per line` belongs to pair rules only, once each."""

    @pytest.mark.parametrize("condition, then", [
        ("line.code is 70450", 'deny line "x"'),
        ("claim.line_count > 6", 'review claim "x"'),
    ])
    def test_a_rule_that_compares_no_two_lines_refuses_it(self, condition, then):
        """On a line rule or a claim rule the clause is RR252, marked on the clause, with the hint that it is for
        rules that read `other.`."""
        (diagnostic,) = _errors(rule(condition, then=then, extra="  once per line\n"), name="once.rr")
        assert (diagnostic.code, diagnostic.span.line, underlined(diagnostic)) == ("RR252", 2, "once per line")
        assert diagnostic.message == "`once per line` is not allowed in a rule that does not compare two lines"
        assert "reads `other.`" in diagnostic.help

    def test_twice_is_rr251(self):
        """The clause given twice is RR251 on the second, naming the first's line."""
        text = rule("other.code = line.code", extra="  once per line\n  once\n    per line\n")
        (diagnostic,) = _errors(text)
        assert (diagnostic.code, diagnostic.message, diagnostic.span.line) == ("RR251",
                                                                              "`once per line` is given twice", 3)
        assert diagnostic.help == "the first is at line 2"

    @pytest.mark.parametrize("block", [
        'pairs t.ptp\n  once per line\n  pair 74176 with 74150 modifier allowed\nend\n',
        'limits t.mue\n  once per line\n  limit 77067 max 1 mai 2\nend\n',
    ])
    def test_an_edit_block_refuses_it(self, block):
        """In an edit block the clause is RR252, with the hint that it is for a rule."""
        (diagnostic,) = _errors(block)
        assert diagnostic.code == "RR252" and underlined(diagnostic) == "once per line"
        assert "is not allowed in a" in diagnostic.message and "`rule`" in diagnostic.help

    def test_a_pair_rule_takes_it(self):
        """A pair rule compiles with the clause, wherever it is written among the clauses."""
        ruleset = radrules.loads('rule t.rule\n  once per line\n  when other.code = line.code\n'
                                 f'  then deny line "x"\n{REF}end\n')
        (compiled,) = ruleset.rules
        assert compiled.shape == "pair" and compiled.once_per_line
        assert not radrules.loads(rule("other.code = line.code")).rules[0].once_per_line


class TestAcrossProviders:
    """`across providers` belongs to pair rules only; two lines' rendering providers may be compared, never read."""

    @pytest.mark.parametrize("condition, then", [
        ("line.code is 70450", 'deny line "x"'),
        ("claim.line_count > 6", 'review claim "x"'),
    ])
    def test_a_rule_that_compares_no_two_lines_refuses_it(self, condition, then):
        """On a line rule or a claim rule the clause is RR252, marked on the clause."""
        (diagnostic,) = _errors(rule(condition, then=then, extra="  across providers\n"))
        assert (diagnostic.code, diagnostic.span.line, underlined(diagnostic)) == ("RR252", 2, "across providers")
        assert diagnostic.message == "`across providers` is not allowed in a rule that does not compare two lines"
        assert "`claim also has`" in diagnostic.help

    def test_an_edit_block_refuses_it(self):
        (diagnostic,) = _errors('pairs t.ptp\n  across providers\n  pair 74176 with 74150 modifier allowed\nend\n')
        assert diagnostic.code == "RR252" and underlined(diagnostic) == "across providers"
        assert "`rule`" in diagnostic.help

    def test_a_pair_rule_takes_it(self):
        compiled = radrules.loads(rule("other.code = line.code", extra="  across providers\n")).rules[0]
        assert compiled.shape == "pair" and compiled.across_providers
        assert not radrules.loads(rule("other.code = line.code")).rules[0].across_providers

    @pytest.mark.parametrize("condition", ["line.rendering_npi = other.rendering_npi",
                                           "other.rendering_npi != line.rendering_npi",
                                           "other.provider != line.provider"])
    def test_two_lines_rendering_providers_compare(self, condition):
        (compiled,) = radrules.loads(rule(condition)).rules
        assert compiled.shape == "pair"

    @pytest.mark.parametrize("field", ["line.provider", "other.provider", "other.rendering_npi"])
    def test_a_provider_is_never_shown(self, field):
        (diagnostic,) = _errors(rule("other.code = line.code", then=f'warn line "{{{field}}}"'))
        assert diagnostic.code == "RR212" and field in diagnostic.message

    def test_line_provider_is_the_provider_the_edits_compare_by(self):
        """`line.provider` is the rendering NPI, the billing NPI on an institutional claim and with
        `same_provider = billing` (when the claim names one)."""
        text = ('rule t.apart\n  when other.code = line.code\n   and other.provider != line.provider\n'
                '  then warn line "x"\n  across providers\n' + REF + 'end\n')
        lines = [{"code": "71046", "date": "2026-03-02", "rendering_npi": npi} for npi in ("1234567893", "1245319599")]
        data = {"id": "C", "billing_npi": "1234567893", "lines": lines}
        assert radrules.loads(text).evaluate(data).fired() == ("t.apart",)
        grouped = radrules.loads(text + "setting same_provider = billing\n")
        assert grouped.evaluate(data).fired() == ()
        assert grouped.evaluate({**data, "billing_npi": None}).fired() == ("t.apart",)
        hospital = {**data, "type": "institutional", "bill_type": "131",
                    "lines": [dict(line, revenue_code="0320") for line in lines]}
        assert radrules.loads(text).evaluate(hospital).fired() == ()

    @pytest.mark.parametrize("condition, field", [
        ("line.rendering_npi = line.rendering_npi", "line.rendering_npi"),
        ("line.rendering_npi = claim.id", "line.rendering_npi"),
        ('other.rendering_npi = "1234567893"', "other.rendering_npi"),
        ("line.rendering_npi > other.rendering_npi", "line.rendering_npi"),
        ("claim.id = claim.replaces", "claim.id"),
    ])
    def test_any_other_comparison_of_an_identifier_is_rr209(self, condition, field):
        """Only `=` and `!=` with the other line's same identifier: a value, another field, the same line, an
        order are RR209 on the identifier; a line's names the comparison it may make."""
        (diagnostic,) = _errors(rule(condition))
        assert diagnostic.code == "RR209" and underlined(diagnostic) == field
        if field.startswith(("line.", "other.")):
            assert "or compare it with the other line's (`line.rendering_npi = other.rendering_npi`)" in \
                diagnostic.message
        else:
            assert diagnostic.message.endswith("test it only with `is missing` or `is present`")

    def test_pairs_of_two_providers_meet_only_with_the_clause(self):
        """Without the clause a pair rule pairs one provider's lines (or a line naming none); with it, every two
        lines of a date, which the rule may then tell apart by their rendering providers."""
        text = ('rule t.apart\n  when other.code = line.code\n   and other.rendering_npi != line.rendering_npi\n'
                '  then warn line "{line.code} with line {other.number}"\n{extra}' + REF + 'end\n')
        lines = [{"code": "71046", "date": "2026-03-02", "rendering_npi": npi}
                 for npi in ("1234567893", "1245319599", "1234567893", None)]
        lines[3].pop("rendering_npi")
        data = {"id": "C", "lines": lines}
        without = radrules.loads(text.replace("{extra}", "")).evaluate(data)
        assert without.findings == ()
        found = radrules.loads(text.replace("{extra}", "  across providers\n")).evaluate(data)
        assert sorted((f.lines, f.related_lines) for f in found.findings) == [
            ((1,), (2,)), ((2,), (1,)), ((2,), (3,)), ((3,), (2,))]
        explained = radrules.loads(text.replace("{extra}", "  across providers\n")).evaluate(data, explain=True)
        assert [f.to_dict() for f in explained.findings] == [f.to_dict() for f in found.findings]
        assert not any("1234567893" in step.detail for step in explained.explanation.steps)


def test_a_view_is_built_from_the_row_keys_of_its_payer(monkeypatch):
    """Each view visits only the row keys a row or `disable` of its payer (or of every payer) has, not every
    payer's: it is the view built from every key, its dicts in the same order. Keys of rows for every payer,
    for one payer, for both, and keys that only a `disable` has."""
    import attrs

    from radrules.compiler import index

    real = index._view
    compared = []

    def both(*args):
        view = real(*args)
        whole = real(*args[:-1])  # every key
        for field in attrs.fields(type(view)):
            if field.name != "lookup":
                mine, every = getattr(view, field.name), getattr(whole, field.name)
                assert mine == every and (not isinstance(mine, dict) or list(mine) == list(every)), field.name
        compared.append((view.payer, view.claim_type))
        return view

    monkeypatch.setattr(index, "_view", both)
    radrules.loads("""
pairs all.ptp
  reference "r"
  pair 74176 with 74150 modifier 1
  pair 71046 with 71045 modifier 0
end
pairs a.ptp
  for payer a
  reference "r"
  pair 74176 with 74150 modifier 0
  pair 70450 with 70460 modifier 1
  disable pair 72192 with 72193
end
pairs b.ptp
  for payer b, c
  for institutional claims
  reference "r"
  disable pair 71046 with 71045
  pair 70551 with 70552 modifier 1
end
limits a.mue
  for payer a
  reference "r"
  limit 70450 max 1 mai 1
  disable limit 77067
end
limits all.mue
  reference "r"
  limit 70450 max 2 mai 2
end
addons b.aoc
  for payer b
  reference "r"
  addon 76376 type 1 primaries 70450
  disable addon 77063
end
addons all.aoc
  reference "r"
  addon 77063 type 1 primaries 77067
end
""", "keys.rr")
    assert sorted(compared, key=str) == sorted(((payer, claim_type) for payer in ("a", "b", "c", None)
                                                for claim_type in ("professional", "institutional")), key=str)

@pytest.mark.parametrize("condition, what, written", [
    ('line.code is "70551"', "a procedure code", "70551"),
    ('line.place_of_service = "11"', "a place of service", "11"),
    ('line.units > "2"', "a number", "2"),
    ('line.date < "2026-01-01"', "a date", "2026-01-01"),
    ('claim.frequency is "Q"', "a claim frequency code", "Q"),
    ('line.units > "three"', "a number", None),
    ('line.code is ""', "a procedure code", None),
])
def test_a_quoted_value_compared_with_a_field_of_codes_or_numbers(condition, what, written):
    """As a quoted member of a set is: RR209 (it said "`70551` is not a valid procedure code", and to write it in
    capitals)."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(rule(condition, then='warn line "x"'), name="q.rr")
    (error,) = caught.value.errors
    assert (error.code, error.message, error.help) == ("RR209", f"quoted text can't be {what}",
                                                       f"write it without quotes: `{written}`" if written else None)


@pytest.mark.parametrize("condition, code, column, message, help", [
    ("line.units > 1 and or line.code is 70450", "RR101", 27, "`and or`: two joining words in a row",
     "`and` and `or` each join two tests: drop `and` or `or`"),
    ("line.units > 1 and and line.code is 70450", "RR101", 27, "`and and`: two joining words in a row",
     "`and` and `or` each join two tests: drop one `and`"),
    ("line.code is not in ct_head", "RR101", 28, "unexpected `ct_head`: `is not in` is not a test",
     "write `line.code not in ct_head` (`is` compares with one value, `in` with a set)"),
    ("claim.payer is in [acme]", "RR101", 26, "unexpected `[`: `is in` is not a test",
     "write `claim.payer in [...]` (`is` compares with one value, `in` with a set)"),
    ("claim also has [70460] on an earlier line on the same date", "RR101", 50, "unexpected word `on`",
     "the parts of `claim also has CODES` come in this order: `with modifier M`, `billing the ... component`, `with "
     "the same PROPERTY`, then `on the same date`, then `on an earlier line`"),
    ("line.code is ct_head", "RR210", 21, "`ct_head` is not a valid procedure code",
     "`ct_head` is a set of codes: test it with `in` (`in ct_head`, `not in ct_head`)"),
    ("line.date > 20260101", "RR210", 20, "expected a date (YYYY-MM-DD), not `20260101`",
     "write the date with dashes: `2026-01-01`"),
    ("line.date > 5", "RR210", 20, "expected a date (YYYY-MM-DD), not `5`",
     "write a date as `2026-03-02`; to move a date by days, months or years, write it after the field: "
     "`line.date + 5 days`"),
    ("line.date > line.units", "RR209", 8, "can't compare a date with a number",
     "both sides of a comparison are of one type: compare a date with a date (another field of that type, or a "
     "value written as one)"),
    ("claim has [70460]", "RR209", 8, "a comparison starts with a field, such as `line.units`",
     "to ask whether another line of the claim bills a code, write `claim also has [...]`"),
    ("history has 70450 within 0 months", "RR210", 33, "`0` is not a whole number of at least 1",
     "a window reaches back at least 1 month from the line's date: `within 1 month`"),
])
def test_a_plausible_mistake_is_told_its_fix(condition, code, column, message, help):
    """A language reviewer's list: each of these had no hint, or one that pointed elsewhere (`did you mean
    `in`?` for `and or`, `did you mean `or`?` for parts of `claim also has` out of order)."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads("codes ct_head = 70450, 70460\n\n" + rule(condition, then='warn line "x"'))
    error = caught.value.errors[0]
    assert (error.code, error.span.line, error.span.column, error.message, error.help) == (
        code, 4, column, message, help)


@pytest.mark.parametrize("condition, column, message, help", [
    ("line.contrast_family is ct_haed", 32, "no code has contrast_family `ct_haed`", "did you mean `ct_head`?"),
    ("line.contrast_family is not ct_thorx", 36, "no code has contrast_family `ct_thorx`", "did you mean `ct_thorax`?"),
    ("line.contrast_family in [ct_head, ct_abd]", 42, "no code has contrast_family `ct_abd`",
     "the `property contrast_family` lines give `ct_head`, `ct_thorax`"),
    ("line.contrast_family is ct_head", None, None, None),
    ("line.pctc is 33", 21, "`33` is no pctc indicator: no code has it",
     "the MPFS file's pctc indicators are 0, 1, 2, 3, 4, 5, 6, 7, 8, 9"),
    ("line.pctc in [1, 2]", None, None, None),
    ("line.bilateral is 4", 26, "`4` is no bilateral indicator: no code has it",
     "the MPFS file's bilateral indicators are 0, 1, 2, 3, 9"),
])
def test_a_property_value_no_code_has(condition, column, message, help):
    """RR274: a misspelt property value made a test never true (always, with `is not`), without a word."""
    text = ("property contrast_family = ct_head for 70450, 70460\nproperty contrast_family = ct_thorax for 71250\n\n"
            + rule(condition, then='warn line "x"'))
    warnings = [(w.span.line, w.span.column, w.message, w.help) for w in radrules.loads(text).warnings
                if w.code == "RR274"]
    assert warnings == ([(5, column, message, help)] if message else [])


@pytest.mark.parametrize("unfinished", ["claim.payer is not", "claim.payer is", "line.code in", "line.units >"])
def test_a_test_without_its_value_before_then(unfinished):
    """`then` on the next line was read as the test's value, and the error said that an action starts with `then`,
    on a line that starts with it."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(f'rule t.a\n  when line.units > 1 and {unfinished}\n  then warn line "x"\n  reference "t"\nend\n')
    error = caught.value.errors[0]
    assert (error.code, error.span.line, error.span.column, error.message) == (
        "RR101", 3, 3, "`then` is read as the value of the test before it")
    assert error.help == (f"the test `{unfinished}` that ends the line before has no value: finish it "
                          f"(`{unfinished} VALUE`)")


@pytest.mark.parametrize("text, message", [
    ('rule t.a\n  when line.units > 1\n  then deny line "x"\n  carc CO-18\n  reference "t"\nend\n',
     "`CO-18`: reason 18, an exact duplicate, goes with group OA"),
    ('pairs t.p\n  carc PR-97\n  reference "t"\n  pair 74176 with 74150 modifier allowed\nend\n',
     "`PR-97` in a `pairs` block: a PTP denial is the provider's, never the patient's"),
    ('limits t.l\n  carc PR-151\n  reference "t"\n  limit 74177 max 1 mai 2\nend\n',
     "`PR-151` in a `limits` block: an MUE denial is the provider's, never the patient's"),
    ('rule t.a\n  when line.units > 1\n  then deny line "x"\n  carc OA-18\n  reference "t"\nend\n', None),
    ('rule t.a\n  when line.units > 1\n  then deny line "x"\n  carc PR-204\n  reference "t"\nend\n', None),
])
def test_a_group_code_that_does_not_fit(text, message):
    """RR275 (domain.md §9, §1.1, §2.1): a denials analyst found `check` quiet on each of these."""
    found = [w.message for w in radrules.loads(text).warnings if w.code == "RR275"]
    assert found == ([message] if message else [])


@pytest.mark.parametrize("inner_first", [True, False])
@pytest.mark.parametrize("others, fails", [(50, False), (51, True), (500, True)])
def test_a_chain_of_sets_is_judged_by_its_depth_whatever_its_order(inner_first, others, fails):
    """RR254 for a set defined through more than 50 others, in either order of writing (a chain written inner
    set first was cached as it resolved and never too deep; one of exactly 50 others was refused)."""
    if inner_first:
        text = "codes s0 = 70450\n" + "".join(f"codes s{i} = s{i - 1}\n" for i in range(1, others + 1))
        top = f"s{others}"
    else:
        text = "".join(f"codes s{i} = s{i + 1}\n" for i in range(others)) + f"codes s{others} = 70450\n"
        top = "s0"
    if not fails:
        radrules.loads(text)
        return
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text)
    (error,) = caught.value.errors
    assert (error.code, error.message) == ("RR254", f"set `{top}` is defined through more than 50 other sets, one "
                                                    f"inside the next")


@pytest.mark.parametrize("claim_type", ["professional", "institutional"])
def test_every_field_a_rule_may_read_is_there_when_a_claim_is_evaluated(claim_type):
    """Each field of LINE_FIELDS, CLAIM_FIELDS and PATIENT_FIELDS reads an attribute that the evaluation's line
    views and the evaluation itself have: a field added to the tables without one loaded cleanly and then failed
    on the first claim with an AttributeError."""
    from radrules.compiler.fields import CLAIM_FIELDS, LINE_FIELDS, PATIENT_FIELDS
    from radrules.evaluation import Evaluation

    data = {"type": claim_type, "patient": {"birth_date": "1960-01-01", "sex": "F"},
            "lines": [{"code": "70450", "date": "2026-03-02"}]}
    if claim_type == "institutional":
        data.update(bill_type="131", lines=[{"code": "70450", "date": "2026-03-02", "revenue_code": "0350"}])
    ev = Evaluation(radrules.Claim.from_dict(data), radrules.load().view_for(None, claim_type))
    (line,) = ev.lines
    missing = [f"line.{name}" for name, (attr, _) in LINE_FIELDS.items() if attr and not hasattr(line, attr)]
    missing += [f"claim.{name}" for name, (attr, _) in CLAIM_FIELDS.items() if attr and not hasattr(ev, attr)]
    missing += [f"patient.{name}" for name, (attr, _) in PATIENT_FIELDS.items() if attr and not hasattr(ev, attr)]
    assert missing == []


class TestAmong:
    """`line.modifiers among SET`: the line's modifiers of a set, a list of modifiers compared like another."""

    SIDES = "modifiers sides = LT, RT, 50\n"

    @pytest.mark.parametrize("global_mods, read_mods, fires", [
        (["LT"], ["26", "LT"], True),
        ([], ["26"], True),  # no side on either: equal
        (["RT"], ["26", "LT"], False),
        (["LT"], ["26"], False),  # a side on one line only
        (["LT", "59"], ["26", "LT"], True),  # other modifiers left out of the comparison
    ])
    def test_two_lines_compare_on_the_sets_modifiers(self, global_mods, read_mods, fires):
        text = self.SIDES + rule("line.modifiers has 26 and other.code = line.code"
                                 " and other.modifiers has none of [26]"
                                 " and other.modifiers among sides = line.modifiers among sides")
        lines = [{"code": "73721", "date": "2026-03-02", "modifiers": mods} for mods in (global_mods, read_mods)]
        for indexed in (True, False):
            assert radrules.loads(text).evaluate({"lines": lines}, indexed=indexed).fired() == \
                (("t.rule",) if fires else ())

    @pytest.mark.parametrize("condition, mods, fires", [
        ("line.modifiers among sides is missing", ["26"], True),
        ("line.modifiers among sides is missing", ["26", "RT"], False),
        ("line.modifiers among sides has RT", ["26", "RT"], True),
        ("line.modifiers among [26, TC] has any of [LT, RT]", ["26", "RT"], False),
        ("line.modifiers among sides != line.modifiers among [LT]", ["RT"], True),
    ])
    def test_it_is_a_list_of_modifiers_to_every_test(self, condition, mods, fires):
        rules = radrules.loads(self.SIDES + rule(condition))
        assert rules.evaluate({"lines": [{"code": "73721", "date": "2026-03-02", "modifiers": mods}]}).fired() == \
            (("t.rule",) if fires else ())

    @pytest.mark.parametrize("condition, underline, message", [
        ("other.modifiers = line.modifiers among sides", "other.modifiers = line.modifiers among sides",
         "`other.modifiers = line.modifiers among sides` compares `other.modifiers`, all of its modifiers, with "
         "some of the other side's"),
        ("line.diagnoses among sides is missing", "line.diagnoses",
         "`among` narrows a list of modifiers; `line.diagnoses` is a list of diagnoses"),
        ("line.modifiers among sides = LT", "line.modifiers among sides = LT",
         "`line.modifiers among sides` is a list of modifiers; test its members with `has`"),
    ])
    def test_misuse_is_rr209(self, condition, underline, message):
        (diagnostic,) = _errors(self.SIDES + rule(condition))
        assert (diagnostic.code, diagnostic.message, underlined(diagnostic)) == ("RR209", message, underline)

    def test_one_sided_comparison_hints_the_narrowed_field(self):
        (diagnostic,) = _errors(self.SIDES + rule("line.modifiers among sides = other.modifiers"))
        assert diagnostic.help == "narrow both sides: `other.modifiers among sides`"

    def test_an_unknown_set_is_an_error(self):
        (diagnostic,) = _errors(rule("other.modifiers among sidez = line.modifiers among sidez"))
        assert diagnostic.code == "RR201" and "sidez" in diagnostic.message

    @pytest.mark.parametrize("paid, fires", [(["LT"], True), (["RT"], False), ([], False), (["LT", "59"], True)])
    def test_history_compares_a_paid_line_on_the_sets_modifiers(self, paid, fires):
        rules = radrules.loads(self.SIDES + rule("history has the same code without modifier [26, TC] on the same "
                                                 "date with the same modifiers among sides"))
        claim = {"lines": [{"code": "73721", "date": "2026-03-02", "modifiers": ["26", "LT"]}]}
        history = [{"code": "73721", "date": "2026-03-02", "modifiers": paid}]
        assert rules.evaluate(claim, history=history).fired() == (("t.rule",) if fires else ())

    def test_history_narrows_the_modifiers_only(self):
        (diagnostic,) = _errors(self.SIDES + rule("history has the same code with the same units among sides"))
        assert (diagnostic.code, underlined(diagnostic)) == ("RR204", "sides")
        assert diagnostic.message == "`among` narrows the modifiers compared, not the units"

    def test_claim_also_has_does_not_take_it(self):
        (diagnostic,) = _errors(self.SIDES + 'property p = 1 for 73721\n'
                                + rule("claim also has [73721] with the same p among sides"))
        assert diagnostic.code == "RR101" and underlined(diagnostic) == "among"

    def test_fmt_keeps_it(self):
        text = (self.SIDES + rule("other.modifiers among sides is line.modifiers among sides and history has the "
                                  "same code with the same modifiers among [LT]"))
        formatted = radrules.format_rules(text, name="x.rr")
        assert "other.modifiers among sides = line.modifiers among sides" in formatted
        assert "with the same modifiers among [LT]" in formatted
