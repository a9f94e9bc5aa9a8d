"""Claim history: sources, history conditions, and edits across claims."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import radrules
from radrules.history import JsonlHistory

from mangling import REMOVE, any_json, apply_changes
import builders

ROOT = Path(__file__).parent.parent

RULES = """
codes screening = 77067, G0202
rule t.recent "screening within 12 months"
  when line.code is 77067 and history has screening within 12 months
  then deny line "recent"
  reference "test"
end
rule t.count "two CTs within 30 days"
  when line.code is 74177 and history count of [74177] within 30 days >= 2
  then review line "third CT in 30 days"
  reference "test"
end
rule t.days "days since last"
  when line.code is 71271 and days since last [71271] < 330
  then deny line "{line.code}: last one too recent"
  reference "test"
end
rule t.years "years since last"
  when line.code is 76376 and years since last [76376] < 2
  then warn line "within two years"
  reference "test"
end
rule t.lifetime "once in a lifetime"
  when line.code is 76377 and history has 76377
  then deny line "once per lifetime"
  reference "test"
end
rule t.since "since a date"
  when line.code is 70450 and history has 70450 since patient.birth_date + 40 years
  then deny line "one after 40"
  reference "test"
end
rule t.same "already paid"
  when history has the same code on the same date with the same modifiers
  then deny line "already paid"
  carc OA-18
  reference "test"
end
pairs t.ptp
  reference "test"
  pair 74176 with 74150 modifier allowed effective 2020-01-01
end
limits t.mue
  reference "test"
  limit 77065 max 1 mai 2
  limit 71046 max 2 mai 1
end
"""


@pytest.fixture(scope="module")
def rules():
    return radrules.loads(RULES, name="history.rr")


def claim(*lines, patient=None):
    data = {"id": "H-1", "diagnoses": ["R10.9"], "patient": patient or {"birth_date": "1970-01-15", "id": "M1"},
            "lines": []}
    for code, date, *rest in lines:
        line = {"code": code, "date": date, "diagnosis_pointers": [1]}
        for item in rest:
            line.update(item)
        data["lines"].append(line)
    return data


def fired(result):
    return sorted((f.rule, f.lines) for f in result.findings)


class TestWindows:
    @pytest.mark.parametrize("earlier, fires", [
        ("2025-03-01", True),   # 12 months before: the first day of the window
        ("2025-02-28", False),  # a day earlier
        ("2026-02-28", True),
        ("2026-03-01", False),  # the same day is not earlier
    ])
    def test_within_months(self, rules, earlier, fires):
        """`within 12 months` reaches back to the same date 12 months earlier, and not to the same day."""
        result = rules.evaluate(claim(("77067", "2026-03-01")), history=[{"code": "G0202", "date": earlier}])
        assert (("t.recent", (1,)) in fired(result)) is fires

    def test_count_within_days(self, rules):
        """`history count of` counts paid earlier services in the window, denied ones not at all."""
        history = [{"code": "74177", "date": "2026-02-10"}, {"code": "74177", "date": "2026-02-20"},
                   {"code": "74177", "date": "2026-02-25", "status": "denied"}]
        two = rules.evaluate(claim(("74177", "2026-03-01")), history=history)
        one = rules.evaluate(claim(("74177", "2026-03-13")), history=history)  # 2026-02-10 is 31 days back
        assert ("t.count", (1,)) in fired(two)
        assert ("t.count", (1,)) not in fired(one)

    @pytest.mark.parametrize("parts, count", [
        # the hospital's claim and the radiologist's 26: one study
        ([{"type": "institutional"}, {"modifiers": ["26"]}], 1),
        ([{"bill_type": "131"}, {"modifiers": ["26"]}], 1),
        ([{"modifiers": ["TC"]}, {"modifiers": ["26"]}], 1),
        # a second reading of one study (another radiologist's 26, without 77): one study, by its technical part
        ([{"modifiers": ["26"]}, {"modifiers": ["26"], "rendering_npi": "1245319599"}, {"modifiers": ["TC"]}], 1),
        ([{}, {"modifiers": ["26"], "rendering_npi": "1245319599"}], 1),
        ([{"type": "institutional"}, {"modifiers": ["26"]}, {"modifiers": ["26"], "rendering_npi": "1245319599"}], 1),
        # ... also marked 77, a second interpretation, when no technical line of a repeat is paid
        ([{"modifiers": ["TC"]}, {"modifiers": ["26"]}, {"modifiers": ["26", "77"], "rendering_npi": "1245319599"}], 1),
        ([{}, {"modifiers": ["26", "77"], "rendering_npi": "1245319599"}], 1),
        ([{"modifiers": ["TC", "77"]}, {"modifiers": ["TC"]}, {"modifiers": ["26", "77"]}], 2),
        ([{"modifiers": ["26"]}, {"modifiers": ["26", "77"], "rendering_npi": "1245319599"}], 1),  # no technical
        # the hospital's one line of 2 units bills two studies, which two reads show
        ([{"type": "institutional", "units": 2}, {"modifiers": ["26"]},
          {"modifiers": ["26"], "rendering_npi": "1245319599"}], 2),
        ([{"type": "institutional", "units": 2}, {"modifiers": ["26"]}], 1),
        # without a technical part each read is a study; two globals: two
        ([{"modifiers": ["26"]}, {"modifiers": ["26"], "rendering_npi": "1245319599"}], 2),
        ([{}, {"modifiers": ["76"]}], 2),
        ([{"type": "institutional"}, {"type": "institutional", "modifiers": ["76"]}, {"modifiers": ["26"]}], 2),
        # a repeat (76, 77) is another study: its parts pair with a repeat's only
        ([{"modifiers": ["TC"]}, {"modifiers": ["26", "76"]}], 2),
        ([{"modifiers": ["TC", "76"]}, {"modifiers": ["26", "76"]}], 1),
        ([{"modifiers": ["TC"]}, {"modifiers": ["26"]}, {"modifiers": ["TC", "76"]}, {"modifiers": ["26", "76"]}], 2),
        # parts of one code on two dates, or of two codes: apart
        ([{"modifiers": ["TC"]}, {"modifiers": ["26"], "date": "2026-02-11"}], 2),
        ([{"modifiers": ["TC"]}, {"modifiers": ["26"], "code": "74176"}], 2),
    ])
    def test_count_takes_two_components_for_one_service(self, parts, count):
        """A nuclear medicine coder's finding: one earlier study billed by the hospital and by the radiologist
        counted as two, so a limit of "two in 30 days" refused the second study. Each part is counted once in
        the pair of one code and date, whichever claim it was paid on; a teleradiology group's over-read (a
        second 26 of a study whose technical part is paid) is no second study either."""
        rules = radrules.loads("".join(f'''
rule t.at_least_{n} "{n} or more"
  when line.code is 74177 and history count of [74176, 74177] within 30 days >= {n}
  then info line "{{line.code}}: {n}"
  reference "test"
end
''' for n in (1, 2, 3)), name="count.rr")
        history = [{"code": "74177", "date": "2026-02-10", **part} for part in parts]
        result = rules.evaluate(claim(("74177", "2026-03-01")), history=history)
        assert {f.rule for f in result.findings} == {f"t.at_least_{n}" for n in range(1, count + 1)}

    @pytest.mark.parametrize("earlier, fires", [("2025-04-06", True), ("2025-04-05", False)])
    def test_days_since_last(self, rules, earlier, fires):
        """`days since last` counts days from the last paid earlier service."""
        result = rules.evaluate(claim(("71271", "2026-03-01")), history=[{"code": "71271", "date": earlier}])
        assert (("t.days", (1,)) in fired(result)) is fires

    @pytest.mark.parametrize("earlier, fires", [("2024-03-02", True), ("2024-03-01", False)])
    def test_years_since_last_are_completed_years(self, rules, earlier, fires):
        """`years since last` counts completed years, like an age."""
        result = rules.evaluate(claim(("76376", "2026-03-01")), history=[{"code": "76376", "date": earlier}])
        assert (("t.years", (1,)) in fired(result)) is fires

    def test_lifetime(self, rules):
        """`history has X` with no window looks at every earlier service."""
        result = rules.evaluate(claim(("76377", "2026-03-01")), history=[{"code": "76377", "date": "1999-01-01"}])
        assert ("t.lifetime", (1,)) in fired(result)

    @pytest.mark.parametrize("earlier, fires", [("2010-01-15", True), ("2010-01-14", False)])
    def test_since_a_date(self, rules, earlier, fires):
        """`since DATE` starts the window on that date (here the 40th birthday), included."""
        result = rules.evaluate(claim(("70450", "2026-03-01")), history=[{"code": "70450", "date": earlier}])
        assert (("t.since", (1,)) in fired(result)) is fires

    def test_unknown_window_start_is_unknown(self, rules):
        """Without a birth date, `since patient.birth_date + ...` is unknown and the rule stays silent."""
        result = rules.evaluate(claim(("70450", "2026-03-01"), patient={"id": "M1"}),
                                history=[{"code": "70450", "date": "2020-01-01"}])
        assert fired(result) == []

    def test_earlier_lines_of_the_claim_count(self, rules):
        """A line of the same claim on an earlier date is a prior service; one on the same date is not."""
        result = rules.evaluate(claim(("77067", "2026-01-05"), ("77067", "2026-03-01"), ("77067", "2026-03-01")))
        assert [f.lines for f in result.findings if f.rule == "t.recent"] == [(2,), (3,)]

    def test_no_history_means_no_earlier_service(self, rules):
        """Without history (None or empty), history conditions are false, not unknown."""
        for history in (None, []):
            result = rules.evaluate(claim(("76377", "2026-03-01")), history=history)
            assert fired(result) == []


class TestSameService:
    def test_paid_duplicate(self, rules):
        """A paid earlier line with the same code, date and modifiers makes the line a duplicate."""
        result = rules.evaluate(claim(("74177", "2026-03-01", {"modifiers": ["26"]})),
                                history=[{"code": "74177", "date": "2026-03-01", "modifiers": ["26"]}])
        assert ("t.same", (1,)) in fired(result)

    @pytest.mark.parametrize("earlier", [
        {"code": "74177", "date": "2026-03-01", "modifiers": ["TC"]},
        {"code": "74177", "date": "2026-02-28", "modifiers": ["26"]},
        {"code": "74177", "date": "2026-03-01", "modifiers": ["26"], "status": "denied"},
    ])
    def test_not_a_duplicate(self, rules, earlier):
        """Other modifiers, another date, or a denied earlier line: not a duplicate."""
        result = rules.evaluate(claim(("74177", "2026-03-01", {"modifiers": ["26"]})), history=[earlier])
        assert ("t.same", (1,)) not in fired(result)


class TestAcrossClaims:
    def test_ptp_against_a_paid_column_one(self, rules):
        """A claim line in column 2 of a paid line of the same date and provider is denied (§1.6)."""
        result = rules.evaluate(claim(("74150", "2026-03-01", {"rendering_npi": "1234567893"})),
                                history=[{"code": "74176", "date": "2026-03-01", "rendering_npi": "1234567893"}])
        (finding,) = [f for f in result.findings if f.rule == "t.ptp"]
        assert finding.lines == (1,) and finding.related_lines == ()
        assert "paid on an earlier claim" in finding.message

    def test_a_claim_line_in_column_one_of_a_paid_column_two_passes(self, rules):
        """The column 1 code billed after its column 2 code was paid: no finding, a PTP edit denies column 2 lines
        only (§1.1; language.md, history)."""
        result = rules.evaluate(claim(("74176", "2026-03-01")), history=[{"code": "74150", "date": "2026-03-01"}])
        assert [f for f in result.findings if f.rule == "t.ptp"] == []

    def test_paid_lines_alike_are_judged_once(self, rules, monkeypatch):
        """20,000 paid lines of a few codes on one date (against a 999-line claim: 12.9 s) cost a few: lines alike
        in code, modifiers and provider give the same findings, and one line stands for them all."""
        from radrules import evaluator

        judged = []
        judge = evaluator._ptp
        monkeypatch.setattr(evaluator, "_ptp",
                            lambda a, b, *rest: judged.append((a.code, b.number)) or judge(a, b, *rest))
        history = ([{"code": "74176", "date": "2026-03-01"}] * 5000
                   + [{"code": "74176", "date": "2026-03-01", "modifiers": ["26"]}] * 5000)
        result = rules.evaluate(claim(("74150", "2026-03-01"), ("74150", "2026-03-01", {"modifiers": ["26"]})),
                                history=history)
        assert judged == [("74176", 1), ("74176", 2)] * 2
        assert [(f.lines, f.related_lines) for f in result.findings if f.rule == "t.ptp"] == [((1,), ()), ((2,), ())]

    def test_a_paid_line_that_bypasses_does_not_hide_one_that_does_not(self, rules):
        """Paid lines of one code and date but other modifiers are judged each (a bypass on one is not on all)."""
        history = [{"code": "74176", "date": "2026-03-01", "modifiers": ["59"]},
                   {"code": "74176", "date": "2026-03-01"}]
        result = rules.evaluate(claim(("74150", "2026-03-01", {"modifiers": ["59"]})), history=history)
        assert not [f for f in result.findings if f.rule == "t.ptp"]  # the claim line's 59 bypasses both
        result = rules.evaluate(claim(("74150", "2026-03-01")), history=history)
        assert [f.lines for f in result.findings if f.rule == "t.ptp"] == [(1,)]

    @pytest.mark.parametrize("earlier", [
        {"code": "74176", "date": "2026-03-01", "rendering_npi": "1000000012"},  # another provider
        {"code": "74176", "date": "2026-02-28"},                                 # another date
        {"code": "74176", "date": "2026-03-01", "status": "denied"},             # not paid
    ])
    def test_ptp_needs_a_paid_line_of_the_same_provider_and_date(self, rules, earlier):
        """Another provider, another date, or a denied line: no edit across claims."""
        result = rules.evaluate(claim(("74150", "2026-03-01", {"rendering_npi": "1234567893"})), history=[earlier])
        assert not [f for f in result.findings if f.rule == "t.ptp"]

    def test_mue_date_limit_counts_earlier_units(self, rules):
        """MAI 2 sums the units paid on earlier claims of the code and date (§2.3)."""
        result = rules.evaluate(claim(("77065", "2026-03-01")), history=[{"code": "77065", "date": "2026-03-01"}])
        (finding,) = [f for f in result.findings if f.rule == "t.mue"]
        assert finding.lines == (1,) and "(1 paid on earlier claims)" in finding.message

    @pytest.mark.parametrize("claim_type, earlier_type, counted", [
        ("professional", "institutional", False), ("institutional", "professional", False),
        ("institutional", "institutional", True), ("professional", "Professional", True),
        ("institutional", None, True),
    ])
    def test_only_earlier_lines_of_the_claims_type_are_the_providers(self, rules, claim_type, earlier_type, counted):
        """The hospital's claim and the radiologist's bill one service twice, as two providers: a paid line of
        the other type is no earlier unit of the MUE date limit, nor a column 1 line of a PTP edit; a line
        without a type counts for both."""
        earlier = [{"code": "77065", "date": "2026-03-01"}, {"code": "74176", "date": "2026-03-01"}]
        for line in earlier:
            if earlier_type is not None:
                line["type"] = earlier_type
        data = claim(("77065", "2026-03-01"), ("74150", "2026-03-01"))
        result = rules.evaluate(dict(data, type=claim_type), history=earlier)
        assert {f.rule for f in result.findings} & {"t.mue", "t.ptp"} == ({"t.mue", "t.ptp"} if counted else set())

    @pytest.mark.parametrize("order", [1, -1])
    def test_a_paid_line_joins_the_date_sum_through_a_claim_line_not_another_paid_line(self, rules, order):
        """Another provider's paid units are not summed because an earlier paid line without a provider joined
        the date's group: evaluate and explain agree, whatever the order of the history."""
        earlier = [{"code": "77065", "date": "2026-03-01"},
                   {"code": "77065", "date": "2026-03-01", "rendering_npi": "1245319599"}][::order]
        data = claim(("77065", "2026-03-01", {"rendering_npi": "1234567893"}))
        result = rules.evaluate(data, history=earlier, explain=True)
        (finding,) = [f for f in result.findings if f.rule == "t.mue"]
        assert "(1 paid on earlier claims)" in finding.message
        fired = [s for s in result.explanation.steps if s.rule == "t.mue" and s.outcome == "fired"]
        assert [s.lines for s in fired] == [(1,)]

    def test_frequency_counts_the_patients_lines_of_every_type(self):
        """A screening frequency is the patient's (42 CFR 410.34(d)): the office's screening four months before
        counts against the hospital's, whatever claim type either was billed on."""
        claim = {"id": "H-1", "type": "institutional", "payer": "medicare",
                 "patient": {"id": "M1", "sex": "F", "birth_date": "1960-05-10"}, "diagnoses": ["Z12.31"],
                 "lines": [{"code": "77067", "date": "2026-05-31", "diagnosis_pointers": [1], "revenue_code": "0403"}]}
        bundled = radrules.load()
        for earlier_type in (None, "professional", "institutional"):
            earlier = {"code": "77067", "date": "2026-01-20", **({"type": earlier_type} if earlier_type else {})}
            result = bundled.evaluate(claim, history=[earlier])
            assert "medicare.mammography.frequency" in {f.rule for f in result.findings}, earlier_type

    def test_mue_line_limit_ignores_history(self, rules):
        """MAI 1 judges each line alone, whatever was paid before."""
        result = rules.evaluate(claim(("71046", "2026-03-01", {"units": 2})),
                                history=[{"code": "71046", "date": "2026-03-01", "units": 2}])
        assert not [f for f in result.findings if f.rule == "t.mue"]


class TestSources:
    def test_history_protocol(self, rules):
        """Any object with `lookup(patient_id, start, end)` serves as history, asked for this claim's patient."""
        asked = []

        class Database:
            def lookup(self, patient_id, start, end):
                asked.append((patient_id, start, end))
                return [radrules.HistoryLine(code="76377", date=dt.date(2020, 5, 1))]

        result = rules.evaluate(claim(("76377", "2026-03-01")), history=Database())
        assert ("t.lifetime", (1,)) in fired(result)
        assert asked == [("M1", None, dt.date(2026, 3, 1))]

    @pytest.mark.parametrize("fields, path, problem", [
        ({"units": -1}, "history[0].units", "expected a positive number"),
        ({"status": "maybe"}, "history[0].status", "expected `paid` or `denied`"),
        ({"date": "2020-02-30"}, "history[0].date", "not a calendar date"),
    ])
    def test_history_lines_built_in_code_are_checked(self, rules, fields, path, problem):
        """A HistoryLine made in code is checked as its JSON shape would be (a Claim is too); one made by
        the readers is checked once."""
        line = radrules.HistoryLine(**{"code": "76377", "date": dt.date(2020, 5, 1), **fields})
        with pytest.raises(radrules.ClaimError) as caught:
            rules.evaluate(claim(("76377", "2026-03-01")), history=[line])
        assert (caught.value.path, caught.value.problem) == (path, problem)

    def test_a_date_as_text_in_a_history_line_built_in_code_is_read(self, rules):
        line = radrules.HistoryLine(code="76377", date="2020-05-01")
        assert ("t.lifetime", (1,)) in fired(rules.evaluate(claim(("76377", "2026-03-01")), history=[line]))

    def test_jsonl_history_by_patient(self, rules):
        """A JSON Lines history gives each claim the lines of its own patient only."""
        text = ('{"patient_id": "M1", "code": "76377", "date": "2020-05-01"}\n'
                '{"patient_id": "M2", "code": "76376", "date": "2025-05-01"}\n')
        history = JsonlHistory(io.StringIO(text))
        mine = rules.evaluate(claim(("76377", "2026-03-01")), history=history)
        other = rules.evaluate(claim(("76377", "2026-03-01"), patient={"id": "M2"}), history=history)
        assert ("t.lifetime", (1,)) in fired(mine)
        assert fired(other) == []
        assert len(history) == 2

    def test_lines_without_patient_id_are_the_history_of_claims_without_one(self, rules):
        """`patient_id` is optional in a history file (claim-format.md, cli.md): a line without it is the history
        of the claims without `patient.id`, and of no other."""
        history = JsonlHistory(io.StringIO('{"code": "76377", "date": "2020-05-01"}\n'))
        anonymous = rules.evaluate(claim(("76377", "2026-03-01"), patient={"sex": "F"}), history=history)
        member = rules.evaluate(claim(("76377", "2026-03-01")), history=history)
        assert ("t.lifetime", (1,)) in fired(anonymous) and fired(member) == []

    @pytest.mark.parametrize("entry, message", [
        ({"code": "76377"}, "history[0].date: required"),
        ({"code": "76377", "date": "2020-02-30"}, "history[0].date: not a calendar date"),
        ({"code": "76377", "date": "2020-02-01", "status": "pending"}, "history[0].status: expected `paid` or `denied`"),
        ({"code": "76377", "date": "2020-02-01", "units": 0}, "history[0].units: expected a positive number"),
        ({"code": "76377", "date": "2020-02-01", "member": "x"}, "history[0].member: unknown field"),
        ({"code": "76377", "date": "2020-02-01", "MBR-998877": "x"},
         "history[0]: a field of an unknown name (not shown: it may be data)"),
        ({"code": "76377", "date": "2020-02-01", "type": "dme"},
         "history[0].type: expected `professional` or `institutional`"),
        ({"code": "76377", "date": "2020-02-01", "billing_npi": 1234567893}, "history[0].billing_npi: expected a text"),
    ])
    def test_bad_history_lines_name_the_field(self, rules, entry, message):
        """A history line of the wrong shape raises ClaimError naming its path."""
        with pytest.raises(radrules.ClaimError) as caught:
            rules.evaluate(claim(("76377", "2026-03-01")), history=[entry])
        assert str(caught.value).startswith(message)

    def test_bad_jsonl_line_is_an_input_error(self):
        """A bad record of a history file names the file and line, never its content."""
        with pytest.raises(radrules.InputError) as caught:
            JsonlHistory(io.StringIO('{"patient_id": "M1", "code": "76377", "date": "2020-05-01"}\n'
                                     '{"patient_id": "SECRET", "code": "76377"}\n'))
        assert "line 2" in str(caught.value) and "SECRET" not in str(caught.value)

    def test_repr_hides_the_npi_and_the_claim_id(self):
        """A history line's repr (what logs record) hides its rendering and billing NPIs and its earlier claim's
        id."""
        line = radrules.HistoryLine(code="76377", date=dt.date(2020, 5, 1), rendering_npi="1234567893",
                                    claim="CLM-SECRET", billing_npi="1245319599")
        for text in (repr(line), str(line)):
            assert "1234567893" not in text and "CLM-SECRET" not in text and "1245319599" not in text
            assert "code='76377'" in text and "rendering_npi=<protected>, claim=<protected>" in text

    @pytest.mark.parametrize("name, problem", [
        ("missing.jsonl", "can't read the file: No such file or directory"),
        ("x" * 300, "can't read the file: File name too long"),
        (".", "can't read the file: Is a directory"),
        ("latin.jsonl", "not UTF-8 text"),
    ], ids=["missing", "name too long", "folder", "latin-1"])
    def test_a_file_that_cant_be_read_is_an_input_error(self, tmp_path, monkeypatch, name, problem):
        """read_history raises InputError naming the file, as read_x12 and read_fhir do (it raised OSError)."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "latin.jsonl").write_bytes(b'{"code": "76377", "date": "2020-05-01", "claim": "caf\xe9"}\n')
        with pytest.raises(radrules.InputError) as caught:
            radrules.read_history(name)
        assert str(caught.value) == f"{name}: {problem}"

    def test_an_empty_path_is_an_input_error(self):
        with pytest.raises(radrules.InputError, match="^no history file: the path is empty$"):
            radrules.read_history("")

    def test_line_that_is_not_json_is_worded_like_the_claim_readers(self):
        """`not JSON: <problem> at column N`, as the claim readers of the CLI and of diff say it."""
        with pytest.raises(radrules.InputError) as caught:
            JsonlHistory(io.StringIO('{"patient_id": "M1", "code": "76377", "date": "2020-05-01"}\n{"patient_id"}\n'))
        assert str(caught.value) == "<history>: line 2: not JSON: Expecting ':' delimiter at column 14"

    def test_an_unclosed_line_is_named_at_its_end_not_at_column_1(self):
        """A record missing its closing brace: the problem is at the end of that line, not at column 1 (of the
        line end decoded with it)."""
        with pytest.raises(radrules.InputError) as caught:
            JsonlHistory(io.StringIO('{"patient_id": "M1", "code": "76377", "date": "2020-05-01"\r\n'))
        assert str(caught.value) == "<history>: line 1: not JSON: Expecting ',' delimiter at column 59"


class TestPayers:
    """Member ids are the payer's: a history line that names its payer is history for that payer's claims only."""

    @staticmethod
    def lifetime(rules, payer, history):
        data = claim(("76377", "2026-03-01"))
        if payer is not None:
            data["payer"] = payer
        return ("t.lifetime", (1,)) in fired(rules.evaluate(data, history=history))

    @pytest.mark.parametrize("claim_payer, line_payer, counts", [
        ("medicare", "acme", False),                  # another payer's member of the same id
        ("medicare", "medicare", True),
        ("Blue  Cross", " blue cross ", True),        # compared as rules compare payers
        ("BLUE CROSS", "blue  cross", True),
        ("blue cross", "bluecross", False),
        ("medicare", None, True),                     # a line without a payer: as before
        ("medicare", "", True),
        (None, "acme", True),                         # a claim without a payer: as before
    ])
    def test_lines_of_another_payer_are_not_the_patients(self, rules, claim_payer, line_payer, counts):
        line = {"code": "76377", "date": "2020-05-01"}
        if line_payer is not None:
            line["payer"] = line_payer
        assert self.lifetime(rules, claim_payer, [line]) is counts

    def test_jsonl_history_of_many_payers(self, rules):
        """One history file for many payers: each claim counts its own payer's lines and those naming none."""
        history = JsonlHistory(io.StringIO(
            '{"patient_id": "M1", "payer": "Acme", "code": "76377", "date": "2020-05-01"}\n'
            '{"patient_id": "M1", "code": "76376", "date": "2025-05-01"}\n'))
        assert not self.lifetime(rules, "medicare", history)
        assert self.lifetime(rules, "ACME", history)
        assert self.lifetime(rules, None, history)
        data = dict(claim(("76376", "2026-03-01")), payer="medicare")
        assert ("t.years", (1,)) in fired(rules.evaluate(data, history=history))
        assert [line.payer for line in history.lookup("M1", None, dt.date(2026, 1, 1), payer="acme")] == ["acme", None]

    def test_history_lines_built_in_code(self, rules):
        """A HistoryLine made in code is read with its payer as rules compare it."""
        line = radrules.HistoryLine(code="76377", date=dt.date(2020, 5, 1), payer="  ACME ")
        assert not self.lifetime(rules, "medicare", [line])
        assert self.lifetime(rules, "acme", [line])

    def test_a_lookup_with_a_payer_parameter_is_given_the_claims_payer(self, rules):
        """A History whose lookup names a `payer` parameter is asked for the claim's payer (None: none); one
        without it is asked as before, and its lines of another payer are left out all the same."""
        asked = []

        class ByPayer:
            def lookup(self, patient_id, start, end, payer=None):
                asked.append(payer)
                return [{"code": "76377", "date": "2020-05-01"}] if payer in (None, "blue cross") else []

        class Old:
            def lookup(self, patient_id, start, end):
                asked.append("old")
                return [{"code": "76377", "date": "2020-05-01", "payer": "acme"}]

        assert self.lifetime(rules, "Blue  Cross", ByPayer()) and not self.lifetime(rules, "medicare", ByPayer())
        assert self.lifetime(rules, None, ByPayer())
        assert not self.lifetime(rules, "medicare", Old()) and self.lifetime(rules, "acme", Old())
        assert asked == ["blue cross", "medicare", None, "old", "old"]

    def test_a_lookup_without_a_signature_is_asked_as_before(self, rules):
        """A lookup whose parameters can't be read (a callable that can't be a dict key) is called with three."""
        class Call:
            __hash__ = None

            def __call__(self, *args):
                assert len(args) == 3
                return [{"code": "76377", "date": "2020-05-01"}]

        class Database:
            lookup = Call()

        assert self.lifetime(rules, "acme", Database())

    def test_explain_counts_the_lines_evaluate_counts(self, rules):
        data = dict(claim(("76377", "2026-03-01")), payer="medicare")
        result = rules.evaluate(data, explain=True, history=[{"code": "76377", "date": "2020-05-01", "payer": "acme"}])
        assert ("t.lifetime", "fired") not in {(s.rule, s.outcome) for s in result.explanation.steps}

    def test_a_payer_that_is_no_text_is_a_claim_error(self, rules):
        with pytest.raises(radrules.ClaimError) as caught:
            rules.evaluate(claim(("76377", "2026-03-01")), history=[{"code": "76377", "date": "2020-05-01",
                                                                     "payer": 7}])
        assert (caught.value.path, caught.value.problem) == ("history[0].payer", "expected a text")


class TestExplainAndPaths:
    def test_explain_with_history(self, rules):
        """explain=True with history shows the edit against the paid line and the duplicate."""
        result = rules.evaluate(claim(("74150", "2026-03-01")), explain=True,
                                history=[{"code": "74176", "date": "2026-03-01"}, {"code": "74150", "date": "2026-03-01"}])
        outcomes = {(s.rule, s.outcome) for s in result.explanation.steps}
        assert ("t.ptp", "fired") in outcomes and ("t.same", "fired") in outcomes

    @given(st.lists(st.tuples(st.sampled_from(["77067", "G0202", "74176", "74150", "76377"]),
                              st.dates(dt.date(2024, 1, 1), dt.date(2026, 6, 1)),
                              st.sampled_from(["paid", "paid", "denied"])), max_size=6),
           st.dates(dt.date(2025, 1, 1), dt.date(2026, 6, 1)))
    def test_indexed_equals_unindexed_with_history(self, entries, day):
        """With any history, the indexed and the scan evaluation agree."""
        rules = radrules.loads(RULES, name="history.rr")
        history = [{"code": code, "date": date.isoformat(), "status": status} for code, date, status in entries]
        data = claim(("77067", day.isoformat()), ("74150", day.isoformat()), ("76377", day.isoformat()))
        assert rules.evaluate(data, history=history).to_dict() == \
            rules.evaluate(data, history=history, indexed=False).to_dict()


class TestReplacementsAndVoids:
    """A replacement is judged without the paid lines of the claim it replaces, a void without history
    (claim-format.md, "Replacements and voids")."""

    HISTORY = [{"code": "77065", "date": "2026-03-01", "claim": "H-1"},
               {"code": "74176", "date": "2026-03-01", "claim": "H-1"}]

    @staticmethod
    def replacement(**fields):
        data = claim(("77065", "2026-03-01"), ("74150", "2026-03-01"))
        data.update(fields)
        return data

    @pytest.mark.parametrize("fields", [{"frequency": "7"}, {"type": "institutional", "bill_type": "137"},
                                        {"type": "institutional", "bill_type": "0137"},
                                        {"type": "institutional", "bill_type": "13Q"}, {"frequency": "q"}])
    def test_a_replacement_is_no_duplicate_of_the_claim_it_replaces(self, rules, fields):
        """Frequency 7 (the claim's or its type of bill's last character), or Q (a reopening, CR 8581, which
        corrects a claim adjudicated): the lines paid on the claim of its id are neither duplicates, nor a PTP
        column 1, nor units in a MUE date sum."""
        data = self.replacement(**fields)
        result = rules.evaluate(data, history=self.HISTORY)
        assert fired(result) == []
        assert rules.evaluate(data, history=self.HISTORY, indexed=False) == result

    @pytest.mark.parametrize("fields", [{}, {"frequency": "1"}, {"type": "institutional", "bill_type": "131"}])
    def test_an_original_sent_again_is_a_duplicate(self, rules, fields):
        """A claim that is no replacement, of an id already paid: its lines are what was paid."""
        result = rules.evaluate(self.replacement(**fields), history=self.HISTORY)
        assert fired(result) == [("t.mue", (1,)), ("t.ptp", (2,)), ("t.same", (1,))]

    def test_a_replacement_counts_the_lines_of_other_claims(self, rules):
        """Only the replaced claim's lines are left out: another claim's paid line of the date still counts."""
        history = self.HISTORY + [{"code": "77065", "date": "2026-03-01", "claim": "H-0"}]
        result = rules.evaluate(self.replacement(frequency="7"), history=history)
        assert fired(result) == [("t.mue", (1,)), ("t.same", (1,))]
        (finding,) = [f for f in result.findings if f.rule == "t.mue"]
        assert "(1 paid on earlier claims)" in finding.message

    @pytest.mark.parametrize("replaces, left_out", [("ICN-9", "ICN-9"), (" ICN-9 ", "ICN-9"), (2601, "2601")])
    def test_replaces_names_the_claim_replaced(self, rules, replaces, left_out):
        """With `replaces` (REF*F8), the lines of that claim are left out, not those of the claim's own id."""
        history = [{**line, "claim": left_out} for line in self.HISTORY] + [
            {"code": "77065", "date": "2026-03-01", "claim": "H-1"}]
        data = self.replacement(frequency="7", replaces=replaces)
        assert radrules.Claim.from_dict(data).replaces == left_out
        assert fired(rules.evaluate(data, history=history)) == [("t.mue", (1,)), ("t.same", (1,))]

    @pytest.mark.parametrize("fields", [{"frequency": "8"}, {"type": "institutional", "bill_type": "138"},
                                        {"frequency": "8", "replaces": "ICN-9"}])
    def test_a_void_is_judged_without_history(self, rules, fields):
        """A void asks for no payment: no paid line, of its own claim or another, makes its lines duplicates,
        bundled or too many, and no frequency limit applies."""
        history = self.HISTORY + [{"code": "77065", "date": "2026-03-01", "claim": "H-0"},
                                  {"code": "74176", "date": "2026-03-01"},
                                  {"code": "77067", "date": "2025-09-01", "claim": "H-0"}]
        data = self.replacement(**fields)
        data["lines"].append({"code": "77067", "date": "2026-03-01", "diagnosis_pointers": [1]})
        assert fired(rules.evaluate(data, history=history)) == []
        data.pop("frequency", None)
        data.pop("bill_type", None)
        assert fired(rules.evaluate(data, history=history)) == [
            ("t.mue", (1,)), ("t.ptp", (2,)), ("t.recent", (3,)), ("t.same", (1,))]

    def test_a_void_with_a_bad_history_line_is_an_error(self, rules):
        """The history of a void is read all the same: a bad line is a ClaimError, as for any claim."""
        with pytest.raises(radrules.ClaimError, match=r"history\[0\]\.date"):
            rules.evaluate(self.replacement(frequency="8"), history=[{"code": "77065", "date": "2026-02-30"}])

    def test_explain_agrees(self, rules):
        """explain judges a replacement against the same paid lines: no step fires."""
        result = rules.evaluate(self.replacement(frequency="7"), history=self.HISTORY, explain=True)
        assert result.passed
        assert not [step for step in result.explanation.steps if step.outcome == "fired"]

    def test_replaces_round_trips_and_is_checked(self):
        """`replaces` is written back by to_dict, a claim built in code is checked, and a bad one is refused."""
        data = self.replacement(frequency="7", replaces="ICN-9")
        built = radrules.Claim.from_dict(data)
        assert radrules.Claim.from_dict(built.to_dict()) == built
        with pytest.raises(radrules.ClaimError, match="replaces: expected a text"):
            radrules.Claim.from_dict({**data, "replaces": ["ICN-9"]})
        assert radrules.Claim.from_dict({**data, "replaces": "  "}).replaces is None


class TestPartABills:
    """A paid line's `bill_type`: what the patient had counts whatever the bill (the tables' edits leave out a
    Part A bill's lines: tests/test_bill_type.py)."""

    def test_a_part_a_line_counts_for_rules_and_rule_file_rows(self, rules):
        """Duplicates, frequency limits and a rule file's pair and limit rows count a Part A bill's paid line."""
        history = [{"code": "77065", "date": "2026-03-01", "bill_type": "111"},
                   {"code": "74176", "date": "2026-03-01", "bill_type": "0111"},
                   {"code": "77067", "date": "2025-09-01", "bill_type": "111"}]
        data = claim(("77065", "2026-03-01"), ("74150", "2026-03-01"), ("77067", "2026-03-01"))
        data.update(type="institutional", bill_type="131")
        assert fired(rules.evaluate(data, history=history)) == [
            ("t.mue", (1,)), ("t.ptp", (2,)), ("t.recent", (3,)), ("t.same", (1,))]

    @pytest.mark.parametrize("bill_type, problem", [
        ("11", "expected the type of bill: 2 digits and the frequency code"),
        ("1111", "expected the type of bill: 2 digits and the frequency code"), ("11L", "expected the type of bill"),
        (111, "expected a text")])
    def test_a_bad_bill_type_is_a_claim_error(self, rules, bill_type, problem):
        with pytest.raises(radrules.ClaimError, match=rf"history\[0\]\.bill_type: {problem}"):
            rules.evaluate(claim(("77065", "2026-03-01")),
                           history=[{"code": "77065", "date": "2026-03-01", "bill_type": bill_type}])

    def test_a_line_with_a_bill_type_is_of_an_institutional_claim(self, rules):
        """A nuclear medicine coder's finding: the hospital's paid lines (type of bill 131, no `type`) were counted
        as the radiologist's own by the edits of one provider across claims, which denied the professional claim
        (MUE and PTP against the hospital's technical lines). A type of bill is an institutional claim's; with
        `type: professional` it is refused."""
        paid = [{"code": "77065", "date": "2026-03-01", "bill_type": "131"},
                {"code": "74176", "date": "2026-03-01", "bill_type": "131"}]
        data = claim(("77065", "2026-03-01", {"modifiers": ["26"]}), ("74150", "2026-03-01", {"modifiers": ["26"]}))
        assert fired(rules.evaluate(data, history=paid)) == []
        untyped = [{key: value for key, value in line.items() if key != "bill_type"} for line in paid]
        assert fired(rules.evaluate(data, history=untyped)) == [("t.mue", (1,)), ("t.ptp", (2,))]
        with pytest.raises(radrules.ClaimError, match=r"history\[1\]\.bill_type: a field of institutional claims, "
                                                      r"and the line's `type` is professional"):
            rules.evaluate(data, history=[paid[0], dict(paid[1], type="professional")])

    def test_a_history_line_built_in_code(self):
        """`radrules.HistoryLine(..., bill_type=...)` is read and checked like the JSON field."""
        from radrules.history import lines_of

        line = radrules.HistoryLine(code="74177", date=dt.date(2026, 3, 1), bill_type="0111")
        assert lines_of([line], None, None, dt.date(2026, 3, 1))[0].bill_type == "111"
        with pytest.raises(radrules.ClaimError, match=r"history\[0\]\.bill_type"):
            lines_of([radrules.HistoryLine(code="74177", date=dt.date(2026, 3, 1), bill_type="x")], None, None,
                     dt.date(2026, 3, 1))


class TestCommandLine:
    def test_eval_replacement_with_history_file(self, tmp_path):
        """`radrules eval --history`: a hospital's replacement (bill type 137) is not denied as a duplicate of
        the claim it replaces; the same claim as an original (131) is."""
        (tmp_path / "history.jsonl").write_text(json.dumps(
            {"patient_id": "M1", "claim": "H100", "type": "institutional", "code": "74177", "date": "2026-07-21"})
            + "\n")
        passed = []
        for bill_type in ("137", "131", "138"):
            data = {"id": "H100", "type": "institutional", "bill_type": bill_type, "patient": {"id": "M1"},
                    "lines": [{"code": "74177", "date": "2026-07-21", "revenue_code": "0350"}]}
            (tmp_path / "claims.json").write_text(json.dumps(data))
            done = subprocess.run([sys.executable, "-m", "radrules", "eval", "--bundled", "--format", "json",
                                   "--history", str(tmp_path / "history.jsonl"), str(tmp_path / "claims.json")],
                                  capture_output=True, text=True, cwd=ROOT)
            result = json.loads(done.stdout.splitlines()[0])
            passed.append((result["passed"], [f["rule"] for f in result["findings"]]))
        assert passed == [(True, []), (False, ["duplicate.history"]), (True, [])]

    def test_eval_with_history_file(self, tmp_path):
        """`radrules eval --history FILE` looks up each claim's patient by `patient.id`."""
        (tmp_path / "history.jsonl").write_text(
            json.dumps({"patient_id": "MBR7", "code": "77067", "date": "2025-06-20"}) + "\n")
        data = {"id": "C-7", "payer": "medicare", "patient": {"id": "MBR7", "birth_date": "1960-05-10", "sex": "F"},
                "diagnoses": ["Z12.31"], "lines": [{"code": "77067", "date": "2026-05-31", "diagnosis_pointers": [1]}]}
        (tmp_path / "claims.json").write_text(json.dumps(data))
        done = subprocess.run([sys.executable, "-m", "radrules", "eval", "--format", "json", "--history",
                               str(tmp_path / "history.jsonl"), str(tmp_path / "claims.json")],
                              capture_output=True, text=True, cwd=ROOT)
        result = json.loads(done.stdout.splitlines()[0])
        assert done.returncode == 2
        assert [f["rule"] for f in result["findings"]] == ["medicare.mammography.frequency"]
        plain = subprocess.run([sys.executable, "-m", "radrules", "eval", "--format", "json",
                                str(tmp_path / "claims.json")], capture_output=True, text=True, cwd=ROOT)
        assert json.loads(plain.stdout.splitlines()[0])["passed"] is True

    def test_eval_with_history_in_worker_processes(self, tmp_path):
        """With --jobs 2 and a pool, the workers see the history too: the same results as one process."""
        (tmp_path / "history.jsonl").write_text(
            json.dumps({"patient_id": "MBR7", "code": "77067", "date": "2025-06-20"}) + "\n")
        claims = [{"id": f"C-{n}", "payer": "medicare",
                   "patient": {"id": "MBR7" if n % 2 else "MBR8", "birth_date": "1960-05-10", "sex": "F"},
                   "diagnoses": ["Z12.31"], "lines": [{"code": "77067", "date": "2026-05-31", "diagnosis_pointers": [1]}]}
                  for n in range(1, 41)]
        (tmp_path / "claims.jsonl").write_text("".join(json.dumps(c) + "\n" for c in claims))
        command = [sys.executable, "-m", "radrules", "eval", "--format", "json", "--history",
                   str(tmp_path / "history.jsonl"), str(tmp_path / "claims.jsonl")]
        pool = {**os.environ, "RADRULES_POOL_MIN_CLAIMS": "0", "RADRULES_UNIT_CLAIMS": "3"}
        pooled = subprocess.run(command + ["--jobs", "2"], capture_output=True, text=True, cwd=ROOT, env=pool)
        alone = subprocess.run(command + ["--jobs", "1"], capture_output=True, text=True, cwd=ROOT)
        results = [json.loads(text) for text in pooled.stdout.splitlines()]
        assert ", 2 jobs)" in pooled.stderr
        assert pooled.stdout == alone.stdout
        assert [r["passed"] for r in results] == [n % 2 == 0 for n in range(1, 41)]

    def test_bad_history_file_exit_one(self, tmp_path):
        """A history file that can't be read is an error naming the file, exit 1."""
        (tmp_path / "history.jsonl").write_text("not json\n")
        done = subprocess.run([sys.executable, "-m", "radrules", "eval", "--history", str(tmp_path / "history.jsonl"),
                               "examples/claims.json"], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 1
        assert "history.jsonl" in done.stderr and "line 1" in done.stderr

    def test_a_history_file_of_many_payers(self, tmp_path):
        """Another payer's member of the same id had a screening: not this Medicare patient's (a line of
        Medicare's or of no payer is)."""
        data = {"id": "C-7", "payer": "medicare", "patient": {"id": "W123456", "birth_date": "1960-01-01", "sex": "F"},
                "diagnoses": ["Z12.31"], "lines": [{"code": "77067", "date": "2026-09-30", "diagnosis_pointers": [1]}]}
        (tmp_path / "claims.json").write_text(json.dumps(data))
        passed = []
        for payer in ("acme", "Medicare", None):
            line = {"patient_id": "W123456", "code": "77067", "date": "2026-03-10", "payer": payer}
            (tmp_path / "history.jsonl").write_text(json.dumps({k: v for k, v in line.items() if v}) + "\n")
            done = subprocess.run([sys.executable, "-m", "radrules", "eval", "--format", "json", "--history",
                                   str(tmp_path / "history.jsonl"), str(tmp_path / "claims.json")],
                                  capture_output=True, text=True, cwd=ROOT)
            passed.append(json.loads(done.stdout.splitlines()[0])["passed"])
        assert passed == [True, False, False]


_JSON = any_json(["code", "date", "units", "status", "modifiers", "claim", "x"],
                 ["", "paid", "denied", "2026-02-30", "2026-03-02", "77067", "LT", "-1", "\x00"], max_leaves=6)
_HISTORY_FIELDS = ["patient_id", "claim", "code", "modifiers", "units", "date", "end_date", "status",
                   "rendering_npi", "charge", "diagnosis_pointers", "place_of_service", "payer", "other"]


@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(_HISTORY_FIELDS), _JSON | st.just(REMOVE)),
                min_size=1, max_size=3), _JSON)
def test_mangled_history_evaluates_or_raises_claim_error(changes, whole):
    """History lines with any field set to any JSON (or removed), or a history that is any JSON at all:
    the claim evaluates, or a ClaimError names the field path; never a traceback."""
    rules = radrules.loads(RULES, name="history.rr")
    history = [{"code": "77067", "date": "2025-06-01", "status": "paid", "units": 1, "claim": "C-9"}
               for _ in range(3)]
    apply_changes(history, [((index, field), value) for index, field, value in changes])
    data = claim(("77067", "2026-03-02"), ("74150", "2026-03-02"))
    for given_history in (history, whole):
        try:
            result = rules.evaluate(data, history=given_history)
        except radrules.ClaimError as error:
            assert error.path.startswith("history"), str(error)
        else:
            assert len(result.lines) == 2

# ---------------------------------------------------------------- edges a mutation review found unguarded
# Each test below fails with a plausible one-token bug (named in its docstring) that no other test caught.

a_claim, a_line = builders.claim, builders.line

HISTORY_RULES = """
rule t.lifetime "once in a lifetime"
  when line.code is 76377 and history has 76377
  then deny line "once per lifetime"
  reference "test"
end
"""


def _lifetime(history):
    rules = radrules.loads(HISTORY_RULES, name="history.rr")
    result = rules.evaluate(a_claim(a_line("76377", "2026-03-01"), patient={"id": "M1"}), history=history)
    return [f.rule for f in result.findings]


def test_a_tuple_of_history_lines_is_a_plain_list():
    """history.py:105 `(list, tuple)` -> `list`: a tuple of lines serves as a list does."""
    assert _lifetime(({"code": "76377", "date": "2020-05-01"},)) == ["t.lifetime"]


@pytest.mark.parametrize("answer", [{"code": "76377", "date": "2020-05-01"}, 42], ids=["dict", "int"])
def test_a_lookup_that_returns_no_list_is_a_claim_error(answer):
    """history.py:111 drop `dict` from `(str, bytes, dict)` (a dict's keys read as lines) and drop
    `not hasattr(found, "__iter__")` (a TypeError): either is ClaimError at `history`."""
    class Database:
        def lookup(self, patient_id, start, end):
            return answer

    with pytest.raises(radrules.ClaimError) as caught:
        _lifetime(Database())
    assert (caught.value.path, caught.value.problem) == ("history", "lookup() must return a list of service lines")


def test_lines_of_keeps_the_lines_from_start_through_end():
    """history.py:121 `line.date >= start` -> `>`: `lines_of` keeps lines dated from `start` (that day
    included), as `History.lookup` is asked for (evaluate() itself passes start None)."""
    from radrules.history import lines_of

    history = [{"code": "76377", "date": day} for day in ("2020-04-30", "2020-05-01", "2020-05-31", "2020-06-01")]
    kept = lines_of(history, None, dt.date(2020, 5, 1), dt.date(2020, 5, 31))
    assert [line.date.isoformat() for line in kept] == ["2020-05-01", "2020-05-31"]


def _jsonl(*records: str):
    import io

    from radrules.history import JsonlHistory

    return JsonlHistory(io.StringIO("".join(record + "\n" for record in records)))


def test_jsonl_history_leaves_a_callers_handle_open():
    """history.py:156 `handle is not source` -> `is`: the history closes only a file it opened itself."""
    import io

    from radrules.history import JsonlHistory

    handle = io.StringIO('{"patient_id": "M1", "code": "76377", "date": "2020-05-01"}\n')
    JsonlHistory(handle)
    assert not handle.closed


def test_jsonl_lookup_gives_a_patients_lines_by_date_from_start_through_end():
    """history.py:159 sort by `line.code` instead of `line.date`; history.py:163 `>= start` -> `>` and
    `<= end` -> `<`: lookup answers the lines dated from start through end, both included, oldest first."""
    history = _jsonl('{"patient_id": "M1", "code": "71046", "date": "2020-05-31"}',
                     '{"patient_id": "M1", "code": "76377", "date": "2020-05-01"}',
                     '{"patient_id": "M1", "code": "70450", "date": "2020-05-15"}',
                     '{"patient_id": "M1", "code": "70450", "date": "2020-06-01"}')
    found = history.lookup("M1", dt.date(2020, 5, 1), dt.date(2020, 5, 31))
    assert [(line.code, line.date.isoformat()) for line in found] == [
        ("76377", "2020-05-01"), ("70450", "2020-05-15"), ("71046", "2020-05-31")]


def test_a_jsonl_line_on_the_claims_last_date_counts():
    """history.py:163 `line.date <= end` -> `<`: evaluate() asks through the claim's last date, that day included,
    so a paid line of the same code on the same date is found through a JSON Lines history too."""
    rules = radrules.loads('rule t.same "already paid"\n  when history has the same code on the same date\n'
                           '  then deny line "already paid"\n  reference "test"\nend\n', name="same.rr")
    history = _jsonl('{"patient_id": "M1", "code": "71046", "date": "2026-03-02"}')
    result = rules.evaluate(a_claim(a_line("71046", "2026-03-02"), patient={"id": "M1"}), history=history)
    assert [f.rule for f in result.findings] == ["t.same"]


def test_jsonl_history_len_counts_lines_not_patients():
    """history.py:166 `sum(len(lines) ...)` -> `len(self._by_patient)`."""
    history = _jsonl('{"patient_id": "M1", "code": "71046", "date": "2020-05-31"}',
                     '{"patient_id": "M1", "code": "76377", "date": "2020-05-01"}',
                     '{"patient_id": "M2", "code": "70450", "date": "2020-05-15"}')
    assert len(history) == 3


def test_history_codes_and_modifiers_are_read_in_capitals():
    """history.py:80 and :65 drop `.upper()`: a history line's code and modifiers are read in capitals, as a
    claim line's are, so `g0202` with `rt` is the same service as G0202-RT."""
    rules = radrules.loads('rule t.same "already paid"\n'
                           '  when history has the same code on the same date with the same modifiers\n'
                           '  then deny line "already paid"\n  reference "test"\nend\n', name="same.rr")
    result = rules.evaluate(a_claim(a_line("G0202", "2026-03-02", modifiers=["RT"]), patient={"id": "M1"}),
                            history=[{"code": "g0202", "date": "2026-03-02", "modifiers": ["rt"]}])
    assert [f.rule for f in result.findings] == ["t.same"]




class TestModifierFilter:
    """`with modifier M` / `without modifier M` after the codes of `claim also has` and the history tests (a
    nuclear medicine coder's finding: "a JW line of the code" and "the fourth PS scan" could not be written)."""

    RULES = radrules.loads('''
rule t.jw "JW or JZ"
  when line.code is A9552 and line.modifiers has none of [JW, JZ]
   and not claim also has [A9552] with modifier JW on the same date
  then deny line "jw"
  reference "test"
end
rule t.others "another line without 26"
  when line.code is 74177 and claim also has [74177] without modifiers [26, TC]
  then info line "global"
  reference "test"
end
rule t.fourth_ps "the fourth PS"
  when line.code is 78815 and history count of [78815] with modifier PS within 3 years >= 3
  then deny line "KX"
  reference "test"
end
rule t.pi_again "PI once"
  when line.code is 78815 and line.modifiers has PI and history has [78815] with modifiers [PI]
  then deny line "PI"
  reference "test"
end
rule t.since_ps "PS lately"
  when line.code is 78815 and days since last [78815] without modifier PI < 30
  then warn line "since"
  reference "test"
end
''', name="filters.rr")

    @staticmethod
    def lines(*items):
        return {"lines": [{"code": code, "date": date, "modifiers": list(mods)} for code, date, *mods in items]}

    def fired(self, data, history=None):
        return sorted((f.rule, f.lines) for f in self.RULES.evaluate(data, history=history).findings)

    def test_claim_also_has_with_a_modifier(self):
        assert self.fired(self.lines(("A9552", "2026-03-02"), ("A9552", "2026-03-02", "JW"))) == []
        # the JW line of another date, or a line of the code without JW, is not the waste of this one
        assert self.fired(self.lines(("A9552", "2026-03-02"), ("A9552", "2026-03-03", "JW"))) == [("t.jw", (1,))]
        assert self.fired(self.lines(("A9552", "2026-03-02"), ("A9552", "2026-03-02", "59"))) == [
            ("t.jw", (1,)), ("t.jw", (2,))]

    def test_claim_also_has_without_modifiers(self):
        assert self.fired(self.lines(("74177", "2026-03-02", "TC"), ("74177", "2026-03-02", "26"))) == []
        assert self.fired(self.lines(("74177", "2026-03-02", "26"), ("74177", "2026-03-02"))) == [
            ("t.others", (1,))]

    @pytest.mark.parametrize("modifiers, fires", [(["PS", "PS", "PS"], True), (["PI", "PS", "PS"], False),
                                                  (["PS", "PS"], False)])
    def test_history_count_with_a_modifier(self, modifiers, fires):
        history = [{"code": "78815", "date": f"2025-0{month}-01", "modifiers": [modifier]}
                   for month, modifier in enumerate(modifiers, 1)]
        assert (("t.fourth_ps", (1,)) in self.fired(self.lines(("78815", "2026-03-02", "PS")), history)) is fires

    def test_history_has_and_since_last(self):
        history = [{"code": "78815", "date": "2025-01-01", "modifiers": ["PI"]},
                   {"code": "78815", "date": "2026-02-20", "modifiers": ["PS"]}]
        assert self.fired(self.lines(("78815", "2026-03-02", "PI")), history) == [
            ("t.pi_again", (1,)), ("t.since_ps", (1,))]
        history[1]["modifiers"] = ["PI"]  # the last one within 30 days is a PI: not counted by `without`
        assert self.fired(self.lines(("78815", "2026-03-02", "PS")), history) == []

    def test_layout_and_errors(self):
        text = ('rule t.x "x"\n  when line.code is A9552 and not claim also has [A9552]   with modifiers [JW,JZ] on the '
                'same date\n  then deny line "x"\n  reference "t"\nend\n')
        assert "claim also has [A9552] with modifiers [JW, JZ] on the same date" in radrules.format_rules(text)
        with pytest.raises(radrules.RuleError, match="RR201"):
            radrules.loads(text.replace("[JW,JZ]", "jw"))
        for misplaced in ("[A9552] on the same date with modifiers [JW]", "[A9552] without modifier JW"):
            with pytest.raises(radrules.RuleError, match="RR103") as caught:  # the clause goes right after the codes
                radrules.loads(text.replace("[A9552]   with modifiers [JW,JZ] on the same date", misplaced)
                               .replace("claim also has [A9552] without", "history has [A9552] within 7 days without"))
            assert "modifier` goes right after the codes" in str(caught.value)
        for wrong, hint in (("claim also has [A9552]   with modifiers [JW,JZ] on the same date",
                             "take no `with the same ...`"),
                            ("history has the same code with the same provider within 7 days", "it takes no `within`")):
            with pytest.raises(radrules.RuleError) as caught:
                radrules.loads(text.replace("claim also has [A9552]   with modifiers [JW,JZ] on the same date",
                                            wrong.replace("claim also has [A9552]   with modifiers [JW,JZ]",
                                                          "history has [A9552] with the same family")))
            assert hint in str(caught.value)


class TestComponentFilter:
    """`billing the professional component` / `billing the technical component` after the codes of the history
    tests and `claim also has` (a compliance review's finding: a radiologist's screening read dated the day after
    the hospital's study was refused as a second screening)."""

    RULES = radrules.loads('''
rule t.read "a read within 11 months of a read"
  when line.code is 77067 and months since last [77067] billing the professional component < 12
  then deny line "read"
  reference "test"
end
rule t.study "a study within 2 years of a study"
  when line.code is 77067 and history count of [77067] billing the technical component within 2 years >= 1
  then warn line "study"
  reference "test"
end
rule t.any_read "a read of the code before"
  when line.code is 74177 and history has [74177] with modifier 76 billing the professional component
  then info line "any read"
  reference "test"
end
rule t.claim_read "a read of the code on this claim"
  when line.code is 74177 and claim also has [74177] billing the professional component
  then info line "claim read"
  reference "test"
end
''', name="components.rr")

    def fired(self, lines, history=(), claim_type="professional"):
        data = {"type": claim_type, "lines": [{"code": code, "date": date, "modifiers": list(mods)}
                                              for code, date, *mods in lines]}
        return sorted((f.rule, f.lines) for f in self.RULES.evaluate(data, history=list(history)).findings)

    @staticmethod
    def paid(code, date, *modifiers, claim_type=None):
        line = {"code": code, "date": date, "modifiers": list(modifiers)}
        if claim_type is not None:
            line["type"] = claim_type
        return line

    def test_a_hospitals_line_is_no_read_and_a_read_is_no_study(self):
        hospital = self.paid("77067", "2026-07-01", claim_type="institutional")
        assert self.fired([("77067", "2026-07-02", "26")], [hospital]) == [("t.study", (1,))]
        read = self.paid("77067", "2026-07-01", "26")
        assert self.fired([("77067", "2026-07-02", "TC")], [read]) == [("t.read", (1,))]

    @pytest.mark.parametrize("modifiers, claim_type, read, study", [
        ((), "professional", True, True),  # a practitioner's global line: both parts
        ((), None, False, True),  # of no type given: maybe a hospital's study, not known to bill a read
        ((), "institutional", False, True),  # the hospital's line: the technical part
        (("TC",), "professional", False, True),
        (("26",), "professional", True, False),
        (("26",), "institutional", True, False),  # a hospital's professional line (26) is a read
    ])
    def test_which_paid_lines_bill_which_part(self, modifiers, claim_type, read, study):
        found = self.fired([("77067", "2026-07-02")], [self.paid("77067", "2026-01-05", *modifiers,
                                                                  claim_type=claim_type)])
        assert (("t.read", (1,)) in found, ("t.study", (1,)) in found) == (read, study)

    def test_this_claims_lines_bill_by_the_claims_type(self):
        lines = [("74177", "2026-07-01"), ("74177", "2026-07-02", "76")]
        assert self.fired(lines) == [("t.claim_read", (1,)), ("t.claim_read", (2,))]
        # on a hospital's claim a global line bills the technical part only: no read of 74177 beside either line
        assert self.fired(lines, claim_type="institutional") == []
        assert self.fired([("74177", "2026-07-01", "26"), ("74177", "2026-07-01", "TC")]) == [("t.claim_read", (2,))]

    def test_with_a_modifier_filter_too(self):
        assert self.fired([("74177", "2026-07-02")], [self.paid("74177", "2026-07-01", "26", "76")]) == [
            ("t.any_read", (1,))]
        assert self.fired([("74177", "2026-07-02")], [self.paid("74177", "2026-07-01", "TC", "76")]) == []
        assert self.fired([("74177", "2026-07-02")], [self.paid("74177", "2026-07-01", "26")]) == []

    def test_layout_and_errors(self):
        text = ('rule t.x "x"\n  when line.code is 77067 and months since last [77067]   billing  the professional '
                'component < 12\n  then deny line "x"\n  reference "t"\nend\n')
        assert "months since last [77067] billing the professional component < 12" in radrules.format_rules(text)
        with pytest.raises(radrules.RuleError, match="RR204") as caught:
            radrules.loads(text.replace("professional", "radiology"))
        assert "unknown component `radiology`" in str(caught.value)
        with pytest.raises(radrules.RuleError, match="RR204") as caught:
            radrules.loads(text.replace("professional", "profesional"))
        assert "help: did you mean `professional`? write `billing the professional component`" in str(caught.value)
        column = text.splitlines()[1].index("professional") + 1
        assert f"<string>:2:{column}: error[RR204]" in str(caught.value)
        for misplaced, hint in (("history has [77067] within 7 days billing the technical component",
                                 "goes right after the codes"),
                                ("history has the same code billing the technical component",
                                 "takes no `billing the ... component`")):
            with pytest.raises(radrules.RuleError, match="RR103") as caught:
                radrules.loads(text.replace("months since last [77067]   billing  the professional component < 12",
                                            misplaced))
            assert hint in str(caught.value)

    def test_claim_units_of_one_part(self):
        """`claim units of CODES billing the professional component`: the units of the claim's reads of the codes."""
        rules = radrules.loads('rule t.reads "reads"\n  when line.code is 71046\n   and claim units of [71046] '
                               'billing the professional component on the same date > 1\n  then review line "x"\n'
                               '  reference "t"\nend\n', name="reads.rr")
        reads = {"lines": [{"code": "71046", "date": "2026-03-02", "modifiers": ["26"]},
                           {"code": "71046", "date": "2026-03-02", "modifiers": ["TC"]},
                           {"code": "71046", "date": "2026-03-02", "modifiers": ["26", "77"]}]}
        assert [f.lines for f in rules.evaluate(reads).findings] == [(1,), (2,), (3,)]
        reads["lines"][2]["modifiers"] = ["TC", "76"]  # one read and two studies: a read of one unit
        assert rules.evaluate(reads).findings == ()


class TestBillsComponent:
    """`line bills the professional component` / `... technical component` (and `other` in a pair rule): the part a
    line bills, as the history filter `billing the ... component` reads it."""

    RULES = radrules.loads('''
rule t.read "a read"
  when line.code is 71046 and line bills the professional component
  then info line "read"
  reference "t"
end
rule t.study "a study"
  when line.code is 71046 and line bills the technical component
  then info line "study"
  reference "t"
end
rule t.pair "a read beside a study"
  when line.code is 71046 and other.code is 71046 and line bills the professional component
   and not line bills the technical component and other bills the technical component
  then info line "read beside a study"
  reference "t"
end
''', name="bills.rr")

    @pytest.mark.parametrize("modifiers, claim_type, fired", [
        ([], "professional", {"t.read", "t.study"}),  # a practitioner's global line: both parts
        ([], "institutional", {"t.study"}),  # the hospital's line: the study
        (["TC"], "professional", {"t.study"}),
        (["26"], "professional", {"t.read"}),
        (["26"], "institutional", {"t.read"}),
    ])
    def test_which_part_a_line_bills(self, modifiers, claim_type, fired):
        result = self.RULES.evaluate({"type": claim_type, "lines": [{"code": "71046", "date": "2026-03-02",
                                                                       "modifiers": modifiers}]})
        assert {f.rule for f in result.findings} == fired

    def test_other_in_a_pair_rule(self):
        lines = [{"code": "71046", "date": "2026-03-02", "modifiers": ["TC"]},
                 {"code": "71046", "date": "2026-03-02", "modifiers": ["26"]}]
        result = self.RULES.evaluate({"lines": lines})
        assert [f.lines for f in result.findings if f.rule == "t.pair"] == [(2,)]

    @pytest.mark.parametrize("test, code, message", [
        ("claim bills the professional component", "RR221", "a claim bills no component"),
        ("line bills the global component", "RR204", "unknown component `global`"),
    ])
    def test_errors(self, test, code, message):
        with pytest.raises(radrules.RuleError, match=code) as caught:
            radrules.loads(f'rule t.x "x"\n  when {test}\n  then warn line "x"\n  reference "t"\nend\n')
        assert message in str(caught.value)
