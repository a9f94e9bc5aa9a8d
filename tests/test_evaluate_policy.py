"""Payer policy rules and the engine conventions of domain.md §10: scopes, overrides,
three-valued logic, ages, timely filing, outcomes, ordering and message templates."""

from __future__ import annotations

import json

import pytest

import radrules
from radrules.result import KIND_ORDER

from builders import claim, fired, line, only

DOS = "2026-03-02"
REF = '  reference "test"\n'


def rule(rule_id: str, condition: str, then: str = 'deny line "hit"', extra: str = "") -> str:
    return f"rule {rule_id}\n{extra}  when {condition}\n  then {then}\n{REF}end\n"


class TestScopes:
    RULES = radrules.loads(
        rule("t.acme", "line.code is 70450", extra="  for payer acme\n")
        + rule("t.two_payers", "line.code is 70450", extra='  for payers medicare, "Blue Plan"\n')
        + rule("t.institutional", "line.code is 70450", extra="  for institutional claims\n")
        + rule("t.windowed", "line.code is 70450", extra="  effective 2026-01-01 through 2026-06-30\n")
        + rule("t.from", "line.code is 70450", extra="  effective 2026-07-01\n"),
        name="scopes.rr",
    )

    @pytest.mark.parametrize("payer, expected", [
        ("acme", {"t.acme"}), ("ACME", {"t.acme"}), (" Acme ", {"t.acme"}), ("medicare", {"t.two_payers"}),
        ("blue plan", {"t.two_payers"}), ("Blue Plan", {"t.two_payers"}), ("bcbs", set()), (None, set()),
    ])
    def test_payer_scope(self, payer, expected):
        """`for payer` rules apply to their payers only, whatever the case of the payer name."""
        result = self.RULES.evaluate(claim(line("70450", "2026-03-02"), payer=payer))
        assert fired(result) - {"t.windowed"} == expected

    @pytest.mark.parametrize("claim_type, fires", [
        ("institutional", True), ("outpatient_hospital", True), ("professional", False), ("practitioner", False),
    ])
    def test_claim_type_scope(self, claim_type, fires):
        """`for institutional claims` rules apply to institutional (837I) claims only; aliases count."""
        result = self.RULES.evaluate(claim(line("70450", DOS), type=claim_type))
        assert ("t.institutional" in fired(result)) is fires

    @pytest.mark.parametrize("date, expected", [
        ("2025-12-31", set()), ("2026-01-01", {"t.windowed"}), ("2026-06-30", {"t.windowed"}),
        ("2026-07-01", {"t.from"}), ("2030-01-01", {"t.from"}),
    ])
    def test_effective_windows(self, date, expected):
        """A rule applies on the dates of service inside its window, both ends included."""
        assert fired(self.RULES.evaluate(claim(line("70450", date)))) == expected

    def test_window_is_judged_per_line(self):
        """Each line is judged on its own date of service."""
        result = self.RULES.evaluate(claim(line("70450", "2026-06-30"), line("70450", "2026-07-01", modifiers=["76"])))
        assert {(f.rule, f.lines) for f in result.findings} == {("t.windowed", (1,)), ("t.from", (2,))}


class TestOverrides:
    RULES = radrules.loads('''
pairs base.ptp
  reference "test"
  pair 74176 with 74150 modifier 1
  pair 71046 with 71045 modifier 1
  pair 70470 with 70450 modifier 1
end
pairs acme.ptp
  for payer acme
  reference "test"
  pair 74176 with 74150 modifier 0
  disable pair 71046 with 71045
end
pairs base.cleanup
  reference "test"
  disable pair 70470 with 70450
end
limits base.mue
  reference "test"
  limit 77067 max 1 mai 2
  limit Q9967 max 100 mai 3
end
limits acme.mue
  for payer acme
  reference "test"
  limit 77067 max 2 mai 2
  disable limit Q9967
end
''', name="overrides.rr")

    def _ptp(self, payer, codes, mods2=()):
        result = self.RULES.evaluate(claim(line(codes[0], DOS), line(codes[1], DOS, modifiers=list(mods2)), payer=payer))
        return sorted((f.rule, f.message.rsplit("(", 1)[1]) for f in result.findings)

    def test_payer_rows_replace_unscoped_rows(self):
        """For Acme its own indicator 0 row replaces the unscoped indicator 1 row: 59 no longer bypasses."""
        assert self._ptp("acme", ("74176", "74150"), ["59"]) == [
            ("acme.ptp", "modifier not allowed: no modifier bypasses this edit)")]

    def test_other_payers_keep_unscoped_rows(self):
        """Other payers keep the unscoped row: 59 bypasses, and without it the base block denies."""
        assert self._ptp("bcbs", ("74176", "74150"), ["59"]) == []
        assert self._ptp(None, ("74176", "74150")) == [("base.ptp", "no bypass modifier on 74150)")]

    def test_disable_pair_for_a_payer(self):
        """`disable pair` in a payer block removes the key for that payer only."""
        assert self._ptp("acme", ("71046", "71045")) == []
        assert self._ptp("bcbs", ("71046", "71045")) == [("base.ptp", "no bypass modifier on 71045)")]

    def test_unscoped_disable_removes_the_key_for_everyone(self):
        """An unscoped `disable pair` removes an unscoped key for every payer."""
        assert self._ptp("acme", ("70470", "70450")) == []
        assert self._ptp(None, ("70470", "70450")) == []

    def test_payer_limit_replaces_unscoped_limit(self):
        """Acme's limit of 2 replaces the unscoped limit of 1 for Acme claims only."""
        two = claim(line("77067", DOS), line("77067", DOS, modifiers=["76"]))
        assert fired(self.RULES.evaluate(dict(two, payer="acme"))) == set()
        assert fired(self.RULES.evaluate(dict(two, payer="bcbs"))) == {"base.mue"}

    def test_disable_limit_for_a_payer(self):
        """`disable limit` removes the limit for that payer only."""
        big = claim(line("Q9967", DOS, units=150))
        assert fired(self.RULES.evaluate(dict(big, payer="acme"))) == set()
        assert fired(self.RULES.evaluate(dict(big, payer="bcbs"))) == {"base.mue"}


class TestThreeValuedLogic:
    RULES = radrules.loads(
        "property pctc = 1 for 70450\n"
        + rule("t.not_age", "line.code is 77067 and not patient.age between 50 and 74")
        + rule("t.not_pctc", "line.code in [70450, 70460] and not line.pctc is 1")
        + rule("t.not_sex", "line.code is 76830 and not patient.sex is F")
        + rule("t.late", "line.code is 71046 and not claim.received <= line.date + 12 months")
        + rule("t.or_known", "line.code is 73562 and (patient.age < 40 or line.units > 1)")
        + rule("t.and_unknown", "line.code is 73564 and (patient.age < 40 and line.units > 1)")
        + rule("t.missing", "line.code is 73600 and patient.birth_date is missing")
        + rule("t.not_missing", "line.code is 73610 and not claim.received is missing"),
        name="three_valued.rr",
    )

    def test_missing_birth_date_never_fires_even_under_not(self):
        """No birth date: the age is unknown, and `not (age between ...)` is unknown too."""
        assert fired(self.RULES.evaluate(claim(line("77067", DOS)))) == set()

    @pytest.mark.parametrize("birth, fires", [("1990-01-01", True), ("1960-01-01", False)])
    def test_known_age_under_not(self, birth, fires):
        """With a birth date the negated test works both ways."""
        result = self.RULES.evaluate(claim(line("77067", DOS), patient={"birth_date": birth}))
        assert ("t.not_age" in fired(result)) is fires

    def test_missing_property_never_fires(self):
        """A code with no PC/TC indicator never fails a test of it, even negated."""
        assert fired(self.RULES.evaluate(claim(line("70460", DOS)))) == set()
        assert fired(self.RULES.evaluate(claim(line("70450", DOS)))) == set()

    @pytest.mark.parametrize("sex, fires", [(None, False), ("F", False), ("M", True), ("U", True)])
    def test_missing_sex_never_fires(self, sex, fires):
        """`not patient.sex is F` fires for M and U, but not when the sex is missing."""
        patient = {"sex": sex} if sex else None
        result = self.RULES.evaluate(claim(line("76830", DOS), patient=patient))
        assert ("t.not_sex" in fired(result)) is fires

    def test_missing_receipt_date_never_fires(self):
        """No receipt date: the timely-filing test is unknown, even negated."""
        assert fired(self.RULES.evaluate(claim(line("71046", "2020-01-01")))) == set()

    def test_or_with_one_true_branch_is_true(self):
        """Unknown `or` true is true (Kleene)."""
        assert fired(self.RULES.evaluate(claim(line("73562", DOS, units=2)))) == {"t.or_known"}

    def test_or_with_unknown_and_false_is_unknown(self):
        """Unknown `or` false is unknown, so the rule does not fire."""
        assert fired(self.RULES.evaluate(claim(line("73562", DOS, units=1)))) == set()

    def test_and_with_false_is_false(self):
        """Unknown `and` false is false."""
        assert fired(self.RULES.evaluate(claim(line("73564", DOS, units=1)))) == set()

    def test_presence_tests_are_never_unknown(self):
        """`is missing` answers true or false, never unknown."""
        assert fired(self.RULES.evaluate(claim(line("73600", DOS)))) == {"t.missing"}
        assert fired(self.RULES.evaluate(claim(line("73610", DOS), received="2026-03-03"))) == {"t.not_missing"}
        assert fired(self.RULES.evaluate(claim(line("73610", DOS)))) == set()


class TestAge:
    MEDICARE = {"payer": "medicare", "received": "2026-12-01"}

    @pytest.mark.parametrize("date, fires", [("2026-03-09", True), ("2026-03-10", False)])
    def test_age_in_completed_years_on_the_birthday(self, bundled, date, fires):
        """The age is in completed years on the date of service: 35 only from the 35th birthday."""
        result = bundled.evaluate(claim(line("77067", date), patient={"birth_date": "1991-03-10", "sex": "F"},
                                        **self.MEDICARE))
        assert ("medicare.mammography.age" in fired(result)) is fires

    @pytest.mark.parametrize("date, fires", [("2027-02-28", True), ("2027-03-01", False)])
    def test_leap_day_birthday(self, bundled, date, fires):
        """Born on 29 February: in a common year the 35th year is completed on 1 March."""
        result = bundled.evaluate(claim(line("77067", date), patient={"birth_date": "1992-02-29", "sex": "F"},
                                        payer="medicare", received="2027-12-01"))
        assert ("medicare.mammography.age" in fired(result)) is fires

    @pytest.mark.parametrize("birth, date, fires", [
        ("1976-04-16", "2026-04-15", True),   # 49
        ("1976-04-15", "2026-04-15", False),  # 50 on the day
        ("1948-04-16", "2026-04-15", False),  # 77
        ("1948-04-15", "2026-04-15", True),   # 78 on the day
    ])
    def test_ldct_age_band(self, bundled, birth, date, fires):
        """NCD 210.14 (v2): 71271 is covered from 50 through 77 on the date of service."""
        result = bundled.evaluate(claim(line("71271", date, diagnosis_pointers=[1]), diagnoses=["Z87.891"],
                                        patient={"birth_date": birth}, **self.MEDICARE))
        assert ("medicare.ldct.age" in fired(result)) is fires

    @pytest.mark.parametrize("date, expected", [
        ("2022-02-09", {"medicare.ldct.age_2015"}),  # version 1 (55-77) on its last day
        ("2022-02-10", set()),                       # version 2 (50-77) from its effective date
    ])
    def test_ldct_versions_by_date(self, bundled, date, expected):
        """A 52-year-old is outside NCD 210.14 v1 and inside v2: the rule's window decides."""
        result = bundled.evaluate(claim(line("71271", date, diagnosis_pointers=[1]), diagnoses=["Z87.891"],
                                        patient={"birth_date": "1970-01-01"}, payer="medicare", received="2022-03-01"))
        assert fired(result) == expected


class TestTimelyFiling:
    @pytest.mark.parametrize("date, received, late", [
        ("2025-01-08", "2026-01-08", False),  # exactly 12 months later is on time
        ("2025-01-08", "2026-01-09", True),
        ("2024-02-29", "2025-02-28", False),  # month end: 29 February plus 12 months is 28 February
        ("2024-02-29", "2025-03-01", True),
        ("2025-01-31", "2026-01-31", False),
        ("2025-01-31", "2026-02-02", False),  # 2026-01-31 is a Saturday: the deadline is Monday's
        ("2025-01-31", "2026-02-03", True),
        ("2025-01-30", "2026-01-31", True),   # a Friday deadline
    ])
    def test_twelve_month_boundary(self, bundled, date, received, late):
        """Medicare: a claim received more than 12 months after the service is late (§7.4)."""
        result = bundled.evaluate(claim(line("74177", date, modifiers=["26"]), payer="medicare", received=received))
        assert ("medicare.timely_filing" in fired(result)) is late

    def test_only_late_lines(self, bundled):
        """Each line is judged on its own date: only the late line is denied."""
        result = bundled.evaluate(claim(line("74177", "2025-01-02", modifiers=["26"]),
                                        line("74177", "2025-06-02", modifiers=["26"]),
                                        payer="medicare", received="2026-01-05"))
        finding = only(result, "medicare.timely_filing")
        assert finding.lines == (1,)
        assert (finding.carc, finding.rarc) == ("CO-29", ("N211",))
        assert finding.message == "received more than 12 months after the service on 2025-01-02"
        assert [s.status for s in result.lines] == ["deny", "pay"]

    def test_not_for_other_payers(self, bundled):
        """Acme has no 12-month rule in the bundled rules."""
        result = bundled.evaluate(claim(line("71046", "2020-01-02"), payer="acme", received="2026-01-05"))
        assert "medicare.timely_filing" not in fired(result)


class TestMedicareCoverage:
    def test_male_screening_mammography(self, bundled):
        """Medicare: 77067 for a male patient is denied unless the line carries KX."""
        patient = {"birth_date": "1950-01-01", "sex": "M"}
        result = bundled.evaluate(claim(line("77067", DOS), payer="medicare", patient=patient))
        assert only(result, "medicare.mammography.sex").carc == "CO-7"
        result = bundled.evaluate(claim(line("77067", DOS, modifiers=["KX"]), payer="medicare", patient=patient))
        assert result.findings == ()

    def test_institutional_claims_bypass_with_condition_code_45(self, bundled):
        """On a hospital claim the bypass is condition code 45 on the claim, not KX on the line (CR 6638)."""
        patient = {"birth_date": "1950-01-01", "sex": "M"}
        for modifiers, conditions, fires in (([], [], True), (["KX"], [], True), ([], ["07"], True),
                                             ([], ["45"], False), ([], ["07", "45"], False)):
            result = bundled.evaluate(claim(line("77067", DOS, modifiers=modifiers), payer="medicare",
                                            type="institutional", patient=patient, condition_codes=conditions))
            assert fired(result) == ({"medicare.mammography.sex_institutional"} if fires else set()), conditions
            if fires:
                assert only(result, "medicare.mammography.sex_institutional").carc == "CO-7"

    @pytest.mark.parametrize("diagnoses, pointers, fires", [
        (["Z87.891"], [1], False), (["F17.213"], [1], False), (["Z12.2"], [1], True),
        (["Z12.2", "Z87.891"], [1], True),  # the smoking history is on the claim but not pointed to
        (["Z12.2", "Z87.891"], [1, 2], False), (["Z87.891"], [], True),
    ])
    def test_ldct_diagnoses(self, bundled, diagnoses, pointers, fires):
        """71271 needs a smoking-history diagnosis among the line's pointed diagnoses."""
        result = bundled.evaluate(claim(line("71271", DOS, diagnosis_pointers=pointers), diagnoses=diagnoses,
                                        payer="medicare", patient={"birth_date": "1960-01-01"}))
        assert ("medicare.ldct.diagnosis" in fired(result)) is fires

    @pytest.mark.parametrize("claim_type, pointers, fires", [
        ("institutional", [], False),  # a UB-04 line has no pointers: every diagnosis of the claim is its
        ("institutional", [1], True),  # pointers given are still followed
        ("professional", [], True),
    ])
    @pytest.mark.parametrize("indexed", [True, False])
    def test_ldct_diagnoses_of_an_institutional_line_without_pointers(self, bundled, claim_type, pointers, fires,
                                                                    indexed):
        """A JSON institutional claim is read as the 837I reader reads one: without pointers, the line has
        every diagnosis of the claim."""
        data = claim(line("71271", DOS, diagnosis_pointers=pointers), diagnoses=["Z12.2", "Z87.891"],
                     payer="medicare", type=claim_type, patient={"birth_date": "1960-01-01"})
        result = bundled.evaluate(data, indexed=indexed)
        assert ("medicare.ldct.diagnosis" in fired(result)) is fires
        assert ("medicare.ldct.diagnosis" in bundled.evaluate(data, explain=True).fired()) is fires

    @pytest.mark.parametrize("pos, prior_auth, fires", [
        ("11", None, True), ("11", "PA1", False), ("23", None, False), ("21", None, False), (None, None, True),
    ])
    def test_acme_prior_authorization(self, bundled, pos, prior_auth, fires):
        """Acme: advanced imaging needs a prior authorization except in emergency, inpatient and urgent care."""
        fields = {"payer": "acme"}
        if pos:
            fields["place_of_service"] = pos
        if prior_auth:
            fields["prior_auth"] = prior_auth
        result = bundled.evaluate(claim(line("72148", DOS), **fields))
        assert ("acme.prior_auth.missing" in fired(result)) is fires

    def test_acme_lung_screening_needs_no_authorization(self, bundled):
        """71271 is excluded from Acme's advanced imaging set."""
        result = bundled.evaluate(claim(line("71271", DOS), payer="acme", place_of_service="11"))
        assert "acme.prior_auth.missing" not in fired(result)


class TestOutcome:
    RULES = radrules.loads(
        rule("t.deny", "line.code is 70450", 'deny line "deny"')
        + rule("t.review", "line.code in [70450, 70460]", 'review line "review"')
        + rule("t.warn", "line.code is 70470", 'warn line "warn"', extra="  kind coding\n")
        + rule("t.info", "line.code is 70480", 'info line "info"')
        + rule("t.claim", "claim.line_count > 3", 'review claim "too many lines"'),
        name="outcome.rr",
    )

    @pytest.mark.parametrize("code, status, passed", [
        ("70450", "deny", False), ("70460", "review", False), ("70470", "pay", True), ("70480", "pay", True),
        ("70490", "pay", True),
    ])
    def test_line_status_and_passed(self, code, status, passed):
        """Deny beats review beats pay; warn and info findings leave a line paid and the claim passing."""
        result = self.RULES.evaluate(claim(line(code, DOS)))
        assert result.status_of(1) == status
        assert result.passed is passed

    def test_claim_target_hits_every_line(self):
        """A claim-level finding acts on every line."""
        result = self.RULES.evaluate(claim(*[line("70490", DOS, units=n) for n in range(1, 5)]))
        assert only(result, "t.claim").lines == (1, 2, 3, 4)
        assert [s.status for s in result.lines] == ["review"] * 4

    def test_default_kind_is_policy(self):
        """A rule without `kind` is a policy rule; `kind` changes it."""
        result = self.RULES.evaluate(claim(line("70450", DOS), line("70470", DOS, modifiers=["76"])))
        assert {f.rule: f.kind for f in result.findings} == {"t.deny": "policy", "t.review": "policy", "t.warn": "coding"}

    def test_result_to_dict_is_json(self):
        """`to_dict()` is plain JSON with the claim id, verdict, findings and line statuses."""
        result = self.RULES.evaluate(claim(line("70450", DOS), id="C-1"))
        data = json.loads(json.dumps(result.to_dict()))
        assert data["claim"] == "C-1" and data["passed"] is False
        assert data["lines"] == [{"line": 1, "status": "deny"}]
        assert data["findings"][0] == {
            "rule": "t.deny", "kind": "policy", "severity": "deny", "lines": [1], "related_lines": [],
            "codes": ["70450"], "carc": None, "rarc": [], "message": "deny", "reference": "test",
            "source": "outcome.rr:1",
        }


class TestOrdering:
    def test_findings_follow_the_evaluation_order(self, bundled):
        """Findings are ordered by kind (format, duplicate, ptp, mue, modifier, policy, addon, coding), then line."""
        result = bundled.evaluate(claim(
            line("77063", DOS),
            line("74176", DOS), line("74150", DOS),
            line("73562", DOS, modifiers=["50"], units=2),
            line("73562", DOS, modifiers=["50"], units=2),
            line("7356", DOS),
            line("77067", DOS), line("77067", DOS, modifiers=["76"]),
            line("70450", DOS), line("70470", DOS),
            payer="acme", received="2026-03-10",
        ))
        kinds = [f.kind for f in result.findings]
        assert kinds == sorted(kinds, key=KIND_ORDER.__getitem__)
        assert set(kinds) == {"format", "duplicate", "ptp", "mue", "modifier", "policy", "addon", "coding"}
        for kind in set(kinds):
            firsts = [f.lines[0] for f in result.findings if f.kind == kind]
            assert firsts == sorted(firsts)

    def test_results_are_deterministic(self, bundled):
        """Evaluating the same claim twice gives equal results."""
        data = claim(line("74176", DOS), line("74150", DOS), line("77063", DOS), payer="acme")
        assert bundled.evaluate(data) == bundled.evaluate(data)
        assert bundled.evaluate(data).to_dict() == bundled.evaluate(radrules.Claim.from_dict(data)).to_dict()


class TestTemplates:
    RULES = radrules.loads(
        "property family = head for 70450\n"
        + rule("t.fields", "line.code in [70450, 70460]",
               'warn line "{line.code} {line.date} {line.units} {line.modifiers} {line.family} {patient.age} '
               '{claim.diagnoses} {line.place_of_service} {claim.payer} {line.number}"')
        + rule("t.pair", "line.code is 71045 and other.code is 71046",
               'warn both "{line.code} before {other.code}, {other.units} units"'),
        name="templates.rr",
    )

    def test_placeholders_render_values(self):
        """Placeholders show codes, ISO dates, whole units, sorted modifiers, properties, age and lists."""
        result = self.RULES.evaluate(claim(
            line("70450", DOS, units=2.0, modifiers=["RT", "59"], place_of_service="22"),
            payer="Acme", patient={"birth_date": "1980-03-03"}, diagnoses=["R51.9", "G44.309"],
        ))
        assert only(result, "t.fields").message == (
            "70450 2026-03-02 2 59, RT head 45 G44309, R519 22 acme 1")

    def test_missing_values_render_as_none(self):
        """A missing value renders as `none`, fractional units as they are."""
        result = self.RULES.evaluate(claim(line("70460", DOS, units=1.5)))
        assert only(result, "t.fields").message == "70460 2026-03-02 1.5 none none none none none none 1"

    def test_both_target_wording_follows_code_order(self):
        """A `both` finding is reported once per pair of lines, worded from the line that matched."""
        result = self.RULES.evaluate(claim(line("71046", DOS, units=3), line("71045", DOS)))
        finding = only(result, "t.pair")
        assert finding.lines == (1, 2)
        assert finding.message == "71045 before 71046, 3 units"


class TestConditionSemantics:
    RULES = radrules.loads(
        "property family = head for 70450, 70460, 70470\nproperty family = chest for 71250, 71270\n"
        + rule("t.also_same_date", "line.code is 70450 and claim also has 70470 on the same date")
        + rule("t.also_any_date", "line.code is 70460 and claim also has 70470")
        + rule("t.also_earlier", "line.code is 77067 and claim also has 77067 on the same date on an earlier line")
        + rule("t.also_earlier_any_date", "line.code is 77066 and claim also has [77066, 77065] on an earlier line")
        + rule("t.also_family", "line.code in [70450, 71250] and claim also has [70470, 71270] with the same family",
               extra="  kind coding\n")
        + rule("t.between_dates", "line.code is 73562 and line.date between 2026-01-01 and 2026-01-31")
        + rule("t.payer_in", 'line.code is 73564 and claim.payer in ["blue plan", acme]')
        + rule("t.type_is", "line.code is 73600 and claim.type is not professional")
        + rule("t.first_modifier", "line.code is 73610 and line.first_modifier is 26")
        + rule("t.line_number", "line.code is 73620 and line.number >= 2"),
        name="conditions.rr",
    )

    def test_also_has_on_the_same_date(self):
        """`claim also has X on the same date` needs X on the line's date, on another line."""
        assert fired(self.RULES.evaluate(claim(line("70450", DOS), line("70470", DOS)))) >= {"t.also_same_date"}
        assert "t.also_same_date" not in fired(self.RULES.evaluate(claim(line("70450", DOS),
                                                                         line("70470", "2026-03-05"))))

    def test_also_has_on_any_date(self):
        """Without `on the same date`, X on any line of the claim counts."""
        assert "t.also_any_date" in fired(self.RULES.evaluate(claim(line("70460", DOS), line("70470", "2026-04-01"))))

    def test_also_has_on_an_earlier_line(self):
        """`on an earlier line` needs the other line before this one: of two, only the later is judged."""
        result = self.RULES.evaluate(claim(line("77067", DOS), line("77067", DOS), line("77067", DOS),
                                           line("77067", "2026-03-05")))
        assert [f.lines for f in result.findings if f.rule == "t.also_earlier"] == [(2,), (3,)]
        result = self.RULES.evaluate(claim(line("77065", "2026-03-05"), line("77066", DOS), line("77066", DOS)))
        assert [f.lines for f in result.findings if f.rule == "t.also_earlier_any_date"] == [(2,), (3,)]
        result = self.RULES.evaluate(claim(line("77066", DOS), line("77065", "2026-03-05")))
        assert "t.also_earlier_any_date" not in fired(result)

    def test_also_has_with_the_same_property(self):
        """`with the same PROP` needs the other code's property to equal this line's."""
        assert "t.also_family" in fired(self.RULES.evaluate(claim(line("71250", DOS), line("71270", DOS))))
        assert "t.also_family" not in fired(self.RULES.evaluate(claim(line("71250", DOS), line("70470", DOS))))

    @pytest.mark.parametrize("date, fires", [("2025-12-31", False), ("2026-01-01", True), ("2026-01-31", True),
                                             ("2026-02-01", False)])
    def test_between_dates_is_inclusive(self, date, fires):
        """`between` includes both bounds."""
        assert ("t.between_dates" in fired(self.RULES.evaluate(claim(line("73562", date))))) is fires

    @pytest.mark.parametrize("payer, fires", [("ACME", True), ("Blue Plan", True), ("bcbs", False), (None, False)])
    def test_payer_in_list(self, payer, fires):
        """Payer names compare without regard to case; a missing payer is unknown."""
        assert ("t.payer_in" in fired(self.RULES.evaluate(claim(line("73564", DOS), payer=payer)))) is fires

    def test_claim_type_compare(self):
        """`claim.type is not professional` holds for institutional claims."""
        assert fired(self.RULES.evaluate(claim(line("73600", DOS), type="institutional"))) == {"t.type_is"}
        assert fired(self.RULES.evaluate(claim(line("73600", DOS)))) == set()

    def test_first_modifier(self):
        """`line.first_modifier` is the modifier in the first position only."""
        assert fired(self.RULES.evaluate(claim(line("73610", DOS, modifiers=["26", "59"])))) == {"t.first_modifier"}
        assert fired(self.RULES.evaluate(claim(line("73610", DOS, modifiers=["59", "26"])))) == set()
        assert fired(self.RULES.evaluate(claim(line("73610", DOS)))) == set()

    def test_line_number(self):
        """`line.number` is the 1-based position of the line."""
        result = self.RULES.evaluate(claim(line("73620", DOS), line("73620", DOS, modifiers=["76"])))
        assert [f.lines for f in result.findings] == [(2,)]
