"""Claim input: shape errors raise ClaimError with a field path; content problems are `format.*` findings."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import re
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given

import radrules
import strategies
from radrules import Claim, ClaimError
from radrules import checks
from radrules import claim as claim_module

from builders import NPI, claim, line, only

DOS = "2026-03-02"
FREQUENCY = ("expected the claim frequency code: a digit, or a letter of NUBC's (A-K, M, P, Q, X-Z), "
             "such as `1`, `7` or `Q`")
#: Identifier values that must never appear in an error message.
SECRET_CLAIM_ID = "CLM-SECRET-778899"
SECRET_PATIENT = "MBR-SECRET-445566"
SECRET_AUTH = "PA-SECRET-112233"
SECRET_NPI = "9988776655"


def good() -> dict:
    return claim(line("70450", DOS), id=SECRET_CLAIM_ID, payer="acme", prior_auth=SECRET_AUTH,
                 patient={"id": SECRET_PATIENT, "birth_date": "1970-01-01", "sex": "F"})


def error_of(data) -> ClaimError:
    with pytest.raises(ClaimError) as caught:
        Claim.from_dict(data)
    return caught.value


def with_line(**fields) -> dict:
    data = good()
    data["lines"][0].update(fields)
    return data


class TestShapeErrors:
    @pytest.mark.parametrize("data, path, problem", [
        ([], "claim", "expected an object"),
        ("claim", "claim", "expected an object"),
        ({}, "lines", "a claim needs at least one service line"),
        ({"lines": []}, "lines", "a claim needs at least one service line"),
        ({"lines": "70450"}, "lines", "expected a list"),
        ({"lines": [[]]}, "lines[0]", "expected an object"),
        ({"lines": [{"date": DOS}]}, "lines[0].code", "required"),
        ({"lines": [{"code": "  ", "date": DOS}]}, "lines[0].code", "must not be empty"),
        ({"lines": [{"code": 70450, "date": DOS}]}, "lines[0].code", "expected a text"),
        ({"lines": [{"code": "70450"}]}, "lines[0].date", "required"),
        ({"type": "dental", "lines": [{"code": "70450", "date": DOS}]}, "type", "expected `professional` or `institutional`"),
        ({"type": 837, "lines": [{"code": "70450", "date": DOS}]}, "type", "expected `professional` or `institutional`"),
        ({"id": True, "lines": [{"code": "70450", "date": DOS}]}, "id", "expected a text"),
        ({"id": 1.5, "lines": [{"code": "70450", "date": DOS}]}, "id", "expected a text"),
        ({"payer": 7, "lines": [{"code": "70450", "date": DOS}]}, "payer", "expected a text"),
        ({"diagnoses": "R10.9", "lines": [{"code": "70450", "date": DOS}]}, "diagnoses", "expected a list"),
        ({"diagnoses": [None], "lines": [{"code": "70450", "date": DOS}]}, "diagnoses[0]", "required"),
        ({"diagnoses": ["R10.9", 5], "lines": [{"code": "70450", "date": DOS}]}, "diagnoses[1]", "expected a text"),
        ({"prior_auth": ["A1", ""], "lines": [{"code": "70450", "date": DOS}]}, "prior_auth[1]", "must not be empty"),
        ({"prior_auth": 12345, "lines": [{"code": "70450", "date": DOS}]}, "prior_auth", "expected a text"),
        ({"patient": "F", "lines": [{"code": "70450", "date": DOS}]}, "patient", "expected an object"),
        ({"patient": {"sex": "X"}, "lines": [{"code": "70450", "date": DOS}]}, "patient.sex", "expected `F`, `M` or `U`"),
        ({"patient": {"sex": 1}, "lines": [{"code": "70450", "date": DOS}]}, "patient.sex", "expected a text"),
        ({"patient": {"id": True}, "lines": [{"code": "70450", "date": DOS}]}, "patient.id", "expected a text"),
        ({"patient": {"birth_date": "01/02/1970"}, "lines": [{"code": "70450", "date": DOS}]},
         "patient.birth_date", "expected a date as YYYY-MM-DD"),
        ({"received": "2026-02-30", "lines": [{"code": "70450", "date": DOS}]}, "received", "not a calendar date"),
        ({"received": 20260302, "lines": [{"code": "70450", "date": DOS}]}, "received", "expected a date as YYYY-MM-DD"),
        ({"place_of_service": 11, "lines": [{"code": "70450", "date": DOS}]}, "place_of_service", "expected a text"),
        ({"frequency": "７", "lines": [{"code": "70450", "date": DOS}]}, "frequency",
         FREQUENCY),
        ({"frequency": "٧", "lines": [{"code": "70450", "date": DOS}]}, "frequency",
         FREQUENCY),
        ({"received": "２０２６-０３-０２", "lines": [{"code": "70450", "date": DOS}]}, "received",
         "expected a date as YYYY-MM-DD"),
        ({"patient": {"birth_date": "١٩٧٠-٠١-٠١"}, "lines": [{"code": "70450", "date": DOS}]},
         "patient.birth_date", "expected a date as YYYY-MM-DD"),
    ])
    def test_claim_level_errors(self, data, path, problem):
        """Each claim-level shape problem names its field path and what is wrong."""
        error = error_of(data)
        assert (error.path, error.problem) == (path, problem)
        assert str(error) == f"{path}: {problem}"

    def test_claim_object_without_lines(self, bundled):
        """A Claim built in code with no lines is a ClaimError from evaluate(), as from from_dict."""
        empty = attrs.evolve(Claim.from_dict(good()), lines=())
        with pytest.raises(ClaimError) as caught:
            bundled.evaluate(empty)
        assert (caught.value.path, caught.value.problem) == ("lines", "a claim needs at least one service line")

    @pytest.mark.parametrize("fields, path, problem", [
        ({"units": 0}, "lines[0].units", "expected a positive number"),
        ({"units": -1}, "lines[0].units", "expected a positive number"),
        ({"units": "1"}, "lines[0].units", "expected a positive number, not a quoted text (write the number without "
                                           "quotes)"),
        # the digits are not shown: in the wrong field they may be a member id or a birth date
        ({"units": "078051120"}, "lines[0].units", "expected a positive number, not a quoted text (write the number "
                                                   "without quotes)"),
        ({"units": "three"}, "lines[0].units", "expected a positive number"),
        ({"units": True}, "lines[0].units", "expected a positive number"),
        ({"units": None}, "lines[0].units", "expected a positive number"),
        ({"units": float("nan")}, "lines[0].units", "expected a positive number"),
        ({"units": float("inf")}, "lines[0].units", "expected a finite number"),
        ({"charge": -5}, "lines[0].charge", "expected a number of zero or more"),
        ({"charge": "12.50"}, "lines[0].charge", "expected a number, not a quoted text (write the number without "
                                                 "quotes)"),
        ({"date": "2026-3-2"}, "lines[0].date", "expected a date as YYYY-MM-DD"),
        ({"date": "2026-13-01"}, "lines[0].date", "not a calendar date"),
        ({"date": "2026-03-02T10:00:00"}, "lines[0].date", "expected a date as YYYY-MM-DD"),
        ({"end_date": "tomorrow"}, "lines[0].end_date", "expected a date as YYYY-MM-DD"),
        ({"modifiers": "26"}, "lines[0].modifiers", "expected a list"),
        ({"modifiers": ["26", 59]}, "lines[0].modifiers[1]", "expected a text"),
        ({"modifiers": ["26", ""]}, "lines[0].modifiers[1]", "must not be empty"),
        ({"modifiers": ["26", "59", "RT", "GA", "KX"]}, "lines[0].modifiers", "at most 4 modifiers per line"),
        ({"diagnosis_pointers": [1, 0]}, "lines[0].diagnosis_pointers[1]", "expected a positive whole number"),
        ({"diagnosis_pointers": ["1"]}, "lines[0].diagnosis_pointers[0]", "expected a positive whole number"),
        ({"diagnosis_pointers": [1.0]}, "lines[0].diagnosis_pointers[0]", "expected a positive whole number"),
        ({"diagnosis_pointers": [True]}, "lines[0].diagnosis_pointers[0]", "expected a positive whole number"),
        ({"diagnosis_pointers": 1}, "lines[0].diagnosis_pointers", "expected a list"),
        ({"rendering_npi": 1234567893}, "lines[0].rendering_npi", "expected a text"),
        ({"place_of_service": 22}, "lines[0].place_of_service", "expected a text"),
        ({"revenue_code": "０３５０"}, "lines[0].revenue_code", "expected 4 digits"),
        ({"revenue_code": "٠٣٥٠"}, "lines[0].revenue_code", "expected 4 digits"),
        ({"date": "２０２６-０３-０２"}, "lines[0].date", "expected a date as YYYY-MM-DD"),
        ({"end_date": "٢٠٢٦-٠٣-٠٢"}, "lines[0].end_date", "expected a date as YYYY-MM-DD"),
    ])
    def test_line_level_errors(self, fields, path, problem):
        """Each line-level shape problem names its 0-based line path and what is wrong."""
        error = error_of(with_line(**fields))
        assert (error.path, error.problem) == (path, problem)

    def test_error_names_the_line_it_is_on(self):
        """A problem on the third line names `lines[2]`."""
        data = claim(line("70450", DOS), line("70460", DOS), line("70470", DOS, units=0))
        assert error_of(data).path == "lines[2].units"

    @pytest.mark.parametrize("data, path, problem", [
        ({"lines": [{"code": "70450", "date": DOS}], "recieved": DOS}, "recieved", "unknown field (did you mean `received`?)"),
        ({"lines": [{"code": "70450", "date": DOS, "modifer": ["26"]}]}, "lines[0].modifer",
         "unknown field (did you mean `modifiers`?)"),
        ({"lines": [{"code": "70450", "date": DOS}], "patient": {"dob": "1970-01-01"}}, "patient.dob",
         "unknown field (did you mean `birth_date`?)"),
        ({"lines": [{"cpt": "70450", "date": DOS}]}, "lines[0].cpt", "unknown field (did you mean `code`?)"),
        ({"lines": [{"code": "70450", "dos": DOS}]}, "lines[0].dos", "unknown field (did you mean `date`?)"),
        ({"lines": [{"code": "70450", "date": DOS}], "pos": "11"}, "pos",
         "unknown field (did you mean `place_of_service`?)"),
        ({"lines": [{"code": "70450", "date": DOS}], "patient": {"gender": "F"}}, "patient.gender",
         "unknown field (did you mean `sex`?)"),
        ({"lines": [{"code": "70450", "date": DOS}], "history": []}, "history", "unknown field"),
        ({"lines": [{"code": "70450", "date": DOS}], "birthDate": DOS}, "birthDate", "unknown field"),
        ({"lines": [{"code": "70450", "date": DOS}], "PAYER": "x"}, "PAYER", "unknown field (did you mean `payer`?)"),
        ({"lines": [{"code": "70450", "date": DOS}], "payer_1": "x"}, "payer_1", "unknown field (did you mean `payer`?)"),
    ])
    def test_unknown_fields(self, data, path, problem):
        """An unknown field is named by its path, with a suggestion when one is close."""
        error = error_of(data)
        assert (error.path, error.problem) == (path, problem)

    @pytest.mark.parametrize("holder, path", [((), "claim"), (("patient",), "patient"), (("lines", 0), "lines[0]")])
    @pytest.mark.parametrize("key", ["SECRET-MBR-998877", "mbr998877", "Smith, John", 12345678901])
    def test_an_unknown_key_that_may_be_data_is_not_shown(self, holder, path, key):
        """A key that does not look like a field name (a member id a caller keyed by) stays out of the message."""
        data = {"patient": {"id": "P1"}, "lines": [{"code": "70450", "date": DOS}]}
        target = data
        for step in holder:
            target = target[step]
        target[key] = 1
        error = error_of(data)
        assert (error.path, error.problem) == (path, "a field of an unknown name (not shown: it may be data)")
        assert str(key) not in str(error)

    def test_evaluate_raises_claim_error_for_a_bad_dict(self, bundled):
        """`evaluate()` on a dict of the wrong shape raises ClaimError (and nothing else)."""
        with pytest.raises(ClaimError) as caught:
            bundled.evaluate(with_line(units=0))
        assert caught.value.path == "lines[0].units"

    def test_claim_error_is_a_radrules_value_error_and_pickles(self):
        """ClaimError is a RadrulesError and a ValueError, and pickles with its path and problem."""
        import pickle

        error = error_of(with_line(units=0))
        assert isinstance(error, radrules.RadrulesError) and isinstance(error, ValueError)
        copy = pickle.loads(pickle.dumps(error))
        assert (copy.path, copy.problem, str(copy)) == (error.path, error.problem, str(error))


class TestNoIdentifierInMessages:
    @pytest.mark.parametrize("mutate", [
        lambda d: d.update(id=[SECRET_CLAIM_ID]),
        lambda d: d.update(prior_auth={"number": SECRET_AUTH}),
        lambda d: d.update(prior_auth=[SECRET_AUTH, 5]),
        lambda d: d["patient"].update(id=[SECRET_PATIENT]),
        lambda d: d["patient"].update(sex="X" + SECRET_PATIENT),
        lambda d: d["lines"][0].update(rendering_npi=int(SECRET_NPI)),
        lambda d: d.update(received=SECRET_CLAIM_ID),
        lambda d: d["lines"][0].update(units=SECRET_AUTH),
        lambda d: d.update(replaces=[SECRET_CLAIM_ID]),
        lambda d: d.update(type="institutional", replaces=SECRET_CLAIM_ID, bill_type="13" + SECRET_AUTH),
        lambda d: d.update(authorizations=[{"number": SECRET_AUTH, "codes": ["71046"], "start": "2026-01-01",
                                            "end": SECRET_CLAIM_ID}]),
    ])
    def test_messages_never_contain_identifier_values(self, mutate):
        """Shape errors name fields, never the values of identifiers or other fields."""
        data = good()
        mutate(data)
        message = str(error_of(data))
        for secret in (SECRET_CLAIM_ID, SECRET_PATIENT, SECRET_AUTH, SECRET_NPI):
            assert secret not in message

    def test_findings_never_contain_identifier_values(self, bundled):
        """Findings about a claim, a bad NPI included, never show an identifier or the birth date."""
        data = good()
        data["lines"] = [line("72148", DOS, rendering_npi=SECRET_NPI), line("72148", DOS, rendering_npi=SECRET_NPI)]
        data["prior_auth"] = None
        data["patient"]["birth_date"] = "2026-04-01"
        text = str(bundled.evaluate(data).to_dict()).replace(SECRET_CLAIM_ID, "", 1)  # `claim` names the id on purpose
        for secret in (SECRET_CLAIM_ID, SECRET_PATIENT, SECRET_AUTH, SECRET_NPI, "2026-04-01"):
            assert secret not in text


class TestReprHidesProtectedFields:
    """A claim's repr and str (what logs and error trackers record) never show protected data."""

    def secret_claim(self) -> Claim:
        data = good()
        data["patient"]["birth_date"] = "1931-07-19"
        data["lines"][0]["rendering_npi"] = SECRET_NPI
        return Claim.from_dict(data)

    def test_claim_patient_and_line_hide_protected_fields(self):
        """Member id, birth date, prior authorization and NPI are `<protected>`; the claim id, payer, codes and
        dates are shown, as in a result."""
        parsed = self.secret_claim()
        for obj in (parsed, parsed.patient, parsed.lines[0]):
            for text in (repr(obj), str(obj)):
                for secret in (SECRET_PATIENT, SECRET_AUTH, SECRET_NPI, "1931", "7, 19"):
                    assert secret not in text
        text = repr(parsed)
        assert "id='CLM-SECRET-778899'" in text and "payer='acme'" in text and "code='70450'" in text
        assert "birth_date=<protected>" in text and "prior_auth=<protected>" in text
        assert "rendering_npi=<protected>" in text and "patient=Patient(birth_date=<protected>, sex='F', " \
                                                      "id=<protected>)" in text

    def test_the_replaced_claims_number_is_hidden(self):
        """`replaces` is the payer's control number of the original claim, the value a history line's `claim`
        holds: protected as that is, not shown as the claim's own id is."""
        data = good()
        data.update(type="institutional", bill_type="137", replaces="26123000456")
        parsed = Claim.from_dict(data)
        assert "26123000456" not in repr(parsed) and "replaces=<protected>" in repr(parsed)

    def test_absent_protected_fields_read_as_absent(self):
        """A field that is not given shows as such: `id=None`, `prior_auth=()`."""
        text = repr(Claim.from_dict(claim(line("70450", DOS))))
        assert "id=None)" in text and "prior_auth=()" in text and "rendering_npi=None" in text

    def test_a_member_id_or_a_name_in_a_code_field_is_not_shown(self):
        """A repr shows a code, modifier, place of service or diagnosis shaped like one, any other by its length, as
        findings do (checks.quotable): a member id or a name a billing system put in the wrong field (a history
        line's too)."""
        parsed = Claim.from_dict(claim(line("W123456789", DOS, modifiers=["JANE Q DOE", "26"],
                                            place_of_service="123 MAIN ST"), line("71046", DOS),
                                       place_of_service="JANE Q DOE", diagnoses=["W123456789", "R07.89"]))
        paid = radrules.history.read_line({"patient_id": "P", "code": "W987654321", "modifiers": ["JANE Q DOE"],
                                           "date": DOS}, "history[0]")
        for text in (repr(parsed), str(parsed), repr(paid)):
            assert not any(value in text for value in ("W123456789", "W987654321", "JANE Q DOE", "123 MAIN ST"))
            assert "<10 characters, not shown>" in text
        assert "code='71046'" in repr(parsed) and "'R07.89'" in repr(parsed) and "'26'" in repr(parsed)

    def test_dicts_in_a_claim_built_in_code_are_hidden(self):
        """A claim built in code may hold its patient and lines as dicts (checked when evaluated): shown as
        protected, never their values."""
        built = Claim(lines=[{"code": "70450", "date": DOS, "rendering_npi": SECRET_NPI}],
                      patient={"id": SECRET_PATIENT})
        text = repr(built)
        assert SECRET_PATIENT not in text and SECRET_NPI not in text
        assert "lines=[<protected>]" in text and "patient=<protected>" in text


class TestDecimalNumbers:
    @pytest.mark.parametrize("field, value, expected", [
        ("units", Decimal("2.0"), 2), ("units", Decimal("1.5"), 1.5), ("charge", Decimal("64.00"), 64),
        ("charge", Decimal("64.25"), 64.25), ("units", Fraction(3, 1), 3)])
    def test_decimal_and_fraction_are_numbers(self, field, value, expected):
        """`json.loads(text, parse_float=Decimal)` and a model's money fields give Decimals: numbers, read as the
        int or float of the same value."""
        read = getattr(Claim.from_dict(with_line(**{field: value})).lines[0], field)
        assert read == expected and type(read) is type(expected)

    def test_a_decimal_of_a_huge_exponent_is_refused_at_once(self):
        """`1e1000000` read with parse_float=Decimal: refused by its size, not turned into a million digits first
        (that took over a minute)."""
        import time

        started = time.perf_counter()
        for value in (Decimal("1e1000000"), Decimal("-1e1000000"), Fraction(10**4000, 3)):
            assert error_of(with_line(charge=value)).problem in ("expected a number under 10^15",
                                                                 "expected a number of zero or more")
        assert time.perf_counter() - started < 5

    @pytest.mark.parametrize("value, problem", [(Decimal("NaN"), "expected a number"),
                                                (Decimal("Infinity"), "expected a finite number"),
                                                (Decimal("-2"), "expected a positive number"),
                                                (Decimal("1E+15"), "expected a number under 10^15")])
    def test_bad_decimals_are_refused_as_other_numbers_are(self, value, problem):
        assert (error_of(with_line(units=value)).path, error_of(with_line(units=value)).problem) == \
            ("lines[0].units", problem)


class TestHugeNumbers:
    @pytest.mark.parametrize("field, value", [("units", 10**309), ("units", 1e15), ("charge", 1e307),
                                              ("charge", 10**15)])
    def test_numbers_past_any_real_claim_are_refused(self, field, value, bundled):
        """A number too large for float arithmetic (an int of 310 digits) or for any claim is a ClaimError:
        evaluate and the summaries never meet it."""
        data = with_line(**{field: value})
        assert (error_of(data).path, error_of(data).problem) == (f"lines[0].{field}", "expected a number under 10^15")
        with pytest.raises(ClaimError):
            bundled.evaluate(data)

    @pytest.mark.parametrize("pointer", [10**5000, 10**400, 10**15], ids=["5001 digits", "401 digits", "10^15"])
    def test_a_huge_diagnosis_pointer_is_a_claim_error(self, bundled, pointer):
        """A pointer of 10^15 or more is refused as units and charges are: format.diagnosis_pointer named it, and
        one of 5,000 digits (a Python int; JSON's are read as infinite) made evaluate raise ValueError."""
        data = with_line(diagnosis_pointers=[1, pointer])
        assert (error_of(data).path, error_of(data).problem) == ("lines[0].diagnosis_pointers[1]",
                                                                 "expected a number under 10^15")
        with pytest.raises(ClaimError):
            bundled.evaluate(data)
        with pytest.raises(ClaimError) as caught:
            bundled.evaluate(good(), history=[line("70450", "2026-01-05", diagnosis_pointers=[pointer])])
        assert caught.value.path == "history[0].diagnosis_pointers[0]"

    def test_a_pointer_under_the_bound_is_a_format_finding(self, bundled):
        data = with_line(diagnosis_pointers=[10**15 - 1])
        assert only(bundled.evaluate(data), "format.diagnosis_pointer").message == \
            "line 1 points to diagnosis 999999999999999, but the claim lists 0"

    def test_subclasses_of_numbers_are_read_as_plain_numbers(self):
        """Units, charges and pointers given as subclasses of float and int (numpy's float64, an IntEnum) are
        kept as plain floats and ints, so nothing downstream meets their repr (`np.float64(412.0)`)."""
        import enum

        class Float64(float):
            def __repr__(self):
                return f"np.float64({float(self)})"

        class Pointer(enum.IntEnum):
            FIRST = 1

        parsed = Claim.from_dict(with_line(units=Float64(2.5), charge=Float64(412.0),
                                           diagnosis_pointers=[Pointer.FIRST]))
        values = (parsed.lines[0].units, parsed.lines[0].charge, parsed.lines[0].diagnosis_pointers[0])
        assert values == (2.5, 412.0, 1) and [type(v) for v in values] == [float, float, int]
        data = good()
        data["id"] = Pointer.FIRST
        assert Claim.from_dict(data).id == "1"

    def test_a_large_number_under_the_bound_is_read(self):
        assert Claim.from_dict(with_line(units=10**15 - 1, charge=99_999_999.99)).lines[0].units == 10**15 - 1


class TestClaimsBuiltInCode:
    """A radrules.Claim made in code is checked when evaluated, as its JSON shape would be."""

    def built(self, **line_fields) -> Claim:
        fields = {"code": "77067", "date": dt.date(2026, 4, 6), "diagnosis_pointers": (1,)}
        fields.update(line_fields)
        return Claim(payer="medicare", patient=claim_module.Patient(birth_date=dt.date(1960, 1, 1), sex="m"),
                     diagnoses=("Z12.31",), lines=(claim_module.Line(**fields),))

    def test_values_are_normalised_as_from_dict_does(self, bundled):
        """A lowercase sex is `M`, as in JSON: the mammography sex rule sees it."""
        assert bundled.evaluate(self.built()).fired() == ("medicare.mammography.sex",)
        assert bundled.evaluate(self.built(), explain=True).fired() == ("medicare.mammography.sex",)

    @pytest.mark.parametrize("fields, path, problem", [
        ({"units": -5}, "lines[0].units", "expected a positive number"),
        ({"date": "2026-02-30"}, "lines[0].date", "not a calendar date"),
        ({"date": None}, "lines[0].date", "required"),
        ({"modifiers": ("26", 59)}, "lines[0].modifiers[1]", "expected a text"),
        ({"units": 10**309}, "lines[0].units", "expected a number under 10^15"),
    ])
    def test_bad_fields_raise_claim_error_with_their_path(self, bundled, fields, path, problem):
        with pytest.raises(ClaimError) as caught:
            bundled.evaluate(self.built(**fields))
        assert (caught.value.path, caught.value.problem) == (path, problem)

    def test_no_lines(self, bundled):
        with pytest.raises(ClaimError) as caught:
            bundled.evaluate(Claim(lines=()))
        assert caught.value.path == "lines"

    def test_a_date_as_text_is_read(self, bundled):
        """A valid ISO date given as text is read, as from JSON (not an AttributeError deep in evaluation)."""
        assert bundled.evaluate(self.built(date="2026-04-06")).fired() == ("medicare.mammography.sex",)

    def test_only_claims_built_in_code_are_checked_again(self):
        """from_dict and the readers mark their claims checked; attrs.evolve makes an unchecked copy;
        a pickled claim keeps its mark; the mark takes no part in equality."""
        parsed = Claim.from_dict(claim(line("70450", DOS)))
        assert parsed._checked and not self.built()._checked
        assert not attrs.evolve(parsed, payer="acme")._checked
        assert pickle.loads(pickle.dumps(parsed))._checked
        assert parsed == attrs.evolve(parsed)
        assert claim_module.checked(parsed) is parsed


class TestNormalisation:
    def test_dates_are_trimmed_like_texts(self):
        """" 2026-03-02" and "2026-03-02\\n" read as the date, as texts are trimmed."""
        for written in (" 2026-03-02", "2026-03-02\n", "\t2026-03-02 "):
            assert Claim.from_dict(with_line(date=written)).lines[0].date == dt.date(2026, 3, 2)
        assert error_of(with_line(date="2026-03-02x")).problem == "expected a date as YYYY-MM-DD"

    def test_codes_and_modifiers_upper_case(self):
        """Codes, modifiers and sex are read in upper case, texts stripped."""
        parsed = Claim.from_dict(claim(line(" g0279 ", DOS, modifiers=["rt", " 26"]), patient={"sex": "f"}))
        assert (parsed.lines[0].code, parsed.lines[0].modifiers, parsed.patient.sex) == ("G0279", ("RT", "26"), "F")

    def test_defaults(self):
        """A line's units default to 1, the claim type to professional; ids become texts."""
        parsed = Claim.from_dict({"id": 42, "lines": [{"code": "70450", "date": DOS}]})
        assert (parsed.lines[0].units, parsed.type, parsed.id) == (1, "professional", "42")
        assert parsed.lines[0].date == dt.date(2026, 3, 2)

    def test_type_aliases(self):
        """`practitioner` and `outpatient_hospital` are accepted for the two claim types."""
        assert Claim.from_dict(claim(line("70450", DOS), type="Practitioner")).type == "professional"
        assert Claim.from_dict(claim(line("70450", DOS), type="outpatient_hospital")).type == "institutional"

    def test_prior_auth_text_or_list(self):
        """A prior authorization may be one text or a list of texts."""
        assert Claim.from_dict(claim(line("70450", DOS), prior_auth="A1")).prior_auth == ("A1",)
        assert Claim.from_dict(claim(line("70450", DOS), prior_auth=["A1", "B2"])).prior_auth == ("A1", "B2")
        assert Claim.from_dict(claim(line("70450", DOS), prior_auth="  ")).prior_auth == ()

    def test_whole_float_units_become_int(self):
        """2.0 units are read as 2; 1.5 units stay fractional."""
        assert Claim.from_dict(with_line(units=2.0)).lines[0].units == 2
        assert Claim.from_dict(with_line(units=1.5)).lines[0].units == 1.5

    def test_round_trip(self):
        """`to_dict()` gives back a dict that reads as the same claim."""
        data = claim(line("70450", DOS, modifiers=["26"], units=2, end_date="2026-03-03", diagnosis_pointers=[1],
                          charge=12.5, place_of_service="22", rendering_npi=NPI),
                     id="C-9", payer="acme", received="2026-03-09", diagnoses=["R51.9"], prior_auth=["A", "B"],
                     place_of_service="11", patient={"id": "P", "birth_date": "1970-01-01", "sex": "M"})
        parsed = Claim.from_dict(data)
        assert Claim.from_dict(parsed.to_dict()) == parsed

    def test_claim_object_and_date_objects(self, bundled):
        """`evaluate()` takes a Claim, and `from_dict` accepts `datetime.date` values."""
        parsed = Claim.from_dict({"lines": [{"code": "77063", "date": dt.date(2026, 3, 2)}]})
        assert bundled.evaluate(parsed).fired() == ("radiology.addon",)


class TestIdentifiers:
    @pytest.mark.parametrize("value, problem", [
        ("7417\ud800", "holds a control or invisible character (not shown)"),  # a lone surrogate from json.loads
        ("C-1\x00", "holds a control or invisible character (not shown)"),
        ("C\u200b1", "holds a control or invisible character (not shown)"),
        ("C" * 129, "longer than 128 characters (not shown)"),
    ])
    @pytest.mark.parametrize("field", ["id", "replaces", "patient.id"])
    def test_an_id_the_result_or_a_database_could_not_carry_is_a_claim_error(self, value, problem, field, bundled):
        """The result echoes the claim's id: one with half a surrogate pair breaks UTF-8 JSON, a NUL a database
        column; the fast path and the checked one alike. The value is never shown."""
        data = claim(line("74176", DOS))
        if field == "patient.id":
            data["patient"] = {"id": value}
        else:
            data[field] = value
        with pytest.raises(ClaimError) as caught:
            bundled.evaluate(data)
        assert (caught.value.path, caught.value.problem) == (field, problem)
        assert value not in str(caught.value)

    def test_an_id_of_128_characters_and_one_of_letters_of_any_script_are_kept(self, bundled):
        for value in ("C" * 128, "Zahnarztpraxis-Müller-7", "请求-42"):
            assert bundled.evaluate({**claim(line("74176", DOS)), "id": value}).to_dict()["claim"] == value


class TestPayerNames:
    @pytest.mark.parametrize("payer", ["acme\u200b", "ac\u00adme", "acme\x00", "\u2060acme", "ac\ufeffme"],
                             ids=["zero-width space", "soft hyphen", "NUL", "word joiner", "BOM"])
    def test_an_invisible_character_is_a_claim_error(self, payer, bundled):
        """A payer name with a control or invisible character would match no payer's rules, and the claim would
        pass them unjudged: a ClaimError naming `payer`, on the fast path and in a history line too."""
        with pytest.raises(ClaimError) as caught:
            bundled.evaluate(claim(line("74176", DOS), payer=payer))
        assert caught.value.path == "payer"
        assert caught.value.problem.startswith("holds a control or invisible character (not shown)")
        with pytest.raises(ClaimError) as caught:
            radrules.history.read_line({"patient_id": "P", "code": "74176", "date": DOS, "payer": payer}, "history[0]")
        assert caught.value.path == "history[0].payer"

    def test_full_width_letters_and_other_spaces_are_the_payer(self, bundled):
        """Compatibility forms (NFKC) are read as the plain letters, in claims and rule files alike, and any
        run of white space as one space."""
        data = claim(line("74176", DOS), patient={"birth_date": "1971-11-02", "sex": "M"})
        expected = bundled.evaluate({**data, "payer": "acme"}).fired()
        assert "acme.prior_auth.missing" in expected
        for written in ("\uff41\uff43\uff4d\uff45", " ACME ", "acme\u2028"):
            assert bundled.evaluate({**data, "payer": written}).fired() == expected, written
        rules = radrules.loads('rule t.r\n  for payer "\uff42\uff45\uff54\uff41\u00a0 health"\n  when line.units > 0\n'
                               '  then info line "x"\n  reference "t"\nend\n')
        assert rules.evaluate(claim(line("74176", DOS), payer="Beta Health")).fired() == ("t.r",)


class TestFormatFindings:
    @pytest.mark.parametrize("data, rule, lines, message", [
        (claim(line("7045", DOS)), "format.code", (1,), "`7045` is not a valid CPT/HCPCS code"),
        (claim(line("704500", DOS)), "format.code", (1,),
         "line 1's procedure code is not a valid CPT/HCPCS code (6 characters, not shown)"),
        (claim(line("70450", DOS, modifiers=["5"])), "format.modifier", (1,), "modifier `5` is not two letters or digits"),
        (claim(line("70450", DOS), diagnoses=["R10.9", "12345"]), "format.diagnosis", (1,),
         "diagnosis 2 (`12345`) is not a valid ICD-10-CM code"),
        (claim(line("70450", DOS), diagnoses=["R10.9"] * 13), "format.diagnosis_count", (1,),
         "the claim lists 13 diagnoses; at most 12 are allowed on a professional claim"),
        (claim(line("70450", DOS, diagnosis_pointers=[2])), "format.diagnosis_pointer", (1,),
         "line 1 points to diagnosis 2, but the claim lists 0"),
        (claim(line("70450", DOS), place_of_service="1"), "format.place_of_service", (1,),
         "claim place of service `1` is not a 2-digit code"),
        (claim(line("70450", DOS, place_of_service="ER")), "format.place_of_service", (1,),
         "place of service `ER` is not a 2-digit code"),
        (claim(line("70450", DOS), patient={"birth_date": "2026-03-03"}), "format.date_before_birth", (1,),
         "line 1 is dated before the patient's birth date"),
        (claim(line("70450", DOS, end_date="2026-03-01")), "format.end_date", (1,), "line 1 ends before it starts"),
        (claim(line("70450", DOS), received="2026-03-01"), "format.date_after_received", (1,),
         "line 1 is dated after the claim was received"),
        (claim(line("70450", DOS, rendering_npi="1234567890")), "format.npi", (1,),
         "line 1: the rendering NPI is not a valid NPI"),
        (claim(line("70450", DOS, rendering_npi="12345")), "format.npi", (1,),
         "line 1: the rendering NPI is not a valid NPI"),
    ])
    def test_content_problems_are_findings(self, bundled, data, rule, lines, message):
        """Malformed content is a `format` deny finding, not an exception."""
        result = bundled.evaluate(data)
        finding = only(result, rule)
        assert (finding.kind, finding.severity, finding.lines, finding.message) == ("format", "deny", lines, message)
        assert finding.source == "radrules:format"
        assert result.passed is False

    @pytest.mark.parametrize("bad, rule", [
        ({"code": "7045"}, "format.code"),
        ({"modifiers": ["26", "5"]}, "format.modifier"),
        ({"diagnosis_pointers": [1, 2]}, "format.diagnosis_pointer"),
        ({"place_of_service": "ER"}, "format.place_of_service"),
        ({"end_date": "2026-03-01"}, "format.end_date"),
        ({"rendering_npi": "1234567890"}, "format.npi"),
    ])
    def test_one_bad_line_among_good_ones(self, bundled, bad, rule):
        """One bad line among good ones is found, on its line."""
        good = {"modifiers": ["LT"], "diagnosis_pointers": [1], "place_of_service": "22", "rendering_npi": NPI}
        middle = {**good, **bad}
        code = middle.pop("code", "71250")
        data = claim(line("70450", DOS, **good), line(code, DOS, **middle), line("74177", DOS, **good),
                     diagnoses=["R51.9"])
        findings = [(f.rule, f.lines) for f in bundled.evaluate(data).findings if f.kind == "format"]
        assert findings == [(rule, (2,))]

    @pytest.mark.parametrize("data, rule, lines", [
        (claim(line("７４１５０", DOS)), "format.code", (1,)),
        (claim(line("٧٤١٥٠", DOS)), "format.code", (1,)),
        (claim(line("G０２７９", DOS)), "format.code", (1,)),
        (claim(line("70450", DOS, rendering_npi="１２３４５６７８９３")), "format.npi", (1,)),
        (claim(line("70450", DOS, rendering_npi="١٢٣٤٥٦٧٨٩٣")), "format.npi", (1,)),
        (claim(line("70450", DOS), place_of_service="１１"), "format.place_of_service", (1,)),
        (claim(line("70450", DOS, place_of_service="٢٢")), "format.place_of_service", (1,)),
        (claim(line("70450", "2015-09-30"), diagnoses=["７８６.５０"], diagnosis_system="icd9"), "format.diagnosis",
         (1,)),
    ])
    def test_digits_of_other_scripts_are_not_digits(self, bundled, data, rule, lines):
        """A code, NPI, place of service or ICD-9-CM diagnosis written with full-width or Arabic-Indic digits gets
        the finding a malformed ASCII one gets (a code that matches no rule passed silently)."""
        result = bundled.evaluate(data)
        assert only(result, rule).lines == lines and result.passed is False

    def test_claim_level_format_finding_hits_every_line(self, bundled):
        """A bad claim-level diagnosis denies every line."""
        result = bundled.evaluate(claim(line("70450", DOS), line("71250", DOS), diagnoses=["not-a-code"]))
        assert only(result, "format.diagnosis").lines == (1, 2)

    @pytest.mark.parametrize("data", [
        claim(line("70450", DOS, rendering_npi=NPI)),
        claim(line("70450", DOS), patient={"birth_date": DOS}),
        claim(line("70450", DOS), received=DOS),
        claim(line("70450", DOS, end_date=DOS)),
        claim(line("70450", DOS, diagnosis_pointers=[1, 2]), diagnoses=["R51.9", "G44.309"]),
        claim(line("0001U", DOS), line("G0279", DOS), line("A9585", DOS), line("0591T", DOS)),
        claim(line("70450", DOS), diagnoses=["R51", "S83.511A", "Z87891", "C34.90"] + ["R51.9"] * 8),
    ])
    def test_valid_content_has_no_format_finding(self, bundled, data):
        """Valid NPIs, same-day dates, pointers in range, every code shape and 12 diagnoses raise no format finding."""
        result = bundled.evaluate(data)
        assert [f.rule for f in result.findings if f.kind == "format"] == []

    def test_format_rule_ids_are_listed(self, bundled):
        """Every format check is among the ruleset's rule ids."""
        assert {"format.code", "format.modifier", "format.diagnosis", "format.diagnosis_count",
                "format.diagnosis_pointer", "format.place_of_service", "format.date_before_birth",
                "format.end_date", "format.date_after_received", "format.npi"} <= set(bundled.rule_ids())



#: A member id, as a billing system might put it in the wrong field.
MEMBER_ID = "W123456789"


class TestFormatFindingsShowNoPatientData:
    @pytest.mark.parametrize("data, rule, message", [
        (claim(line(MEMBER_ID, DOS)), "format.code",
         "line 1's procedure code is not a valid CPT/HCPCS code (10 characters, not shown)"),
        (claim(line("70450", DOS, modifiers=["26", MEMBER_ID])), "format.modifier",
         "line 1's modifier 2 is not two letters or digits (10 characters, not shown)"),
        (claim(line("70450", DOS, place_of_service=MEMBER_ID)), "format.place_of_service",
         "line 1's place of service is not a 2-digit code (10 characters, not shown)"),
        (claim(line("70450", DOS), place_of_service=MEMBER_ID), "format.place_of_service",
         "the claim's place of service is not a 2-digit code (10 characters, not shown)"),
        (claim(line("70450", DOS, diagnosis_pointers=[1]), diagnoses=["R10.9", MEMBER_ID]), "format.diagnosis",
         "diagnosis 2 is not a valid ICD-10-CM code (10 characters, not shown)"),
    ], ids=["code", "modifier", "line place", "claim place", "diagnosis"])
    def test_a_member_id_in_a_field_is_described_not_shown(self, bundled, data, rule, message):
        """A member id in a code field is described by its length; the result and its explanation hold no copy."""
        result = bundled.evaluate(data, explain=True)
        assert only(result, rule).message == message
        assert MEMBER_ID not in json.dumps(result.to_dict())
        assert MEMBER_ID not in result.explanation.render()

    @pytest.mark.parametrize("data, rule, message, codes", [
        (claim(line("7019", DOS)), "format.code", "`7019` is not a valid CPT/HCPCS code", ("7019",)),
        (claim(line("7010AB", DOS)), "format.code",
         "line 1's procedure code is not a valid CPT/HCPCS code (6 characters, not shown)", ()),
        (claim(line("SMITH", DOS)), "format.code",
         "line 1's procedure code is not a valid CPT/HCPCS code (5 characters, not shown)", ()),
        (claim(line("70450", DOS, modifiers=["2"])), "format.modifier", "modifier `2` is not two letters or digits",
         ("70450",)),
        (claim(line("70450", DOS, modifiers=["L T"])), "format.modifier",
         "line 1's modifier 1 is not two letters or digits (3 characters, not shown)", ("70450",)),
        (claim(line("70450", DOS, modifiers=["ANN"])), "format.modifier",
         "line 1's modifier 1 is not two letters or digits (3 characters, not shown)", ("70450",)),
        (claim(line("70450", DOS, place_of_service="111")), "format.place_of_service",
         "place of service `111` is not a 2-digit code", ("70450",)),
        (claim(line("70450", DOS), diagnoses=["10.9"]), "format.diagnosis",
         "diagnosis 1 (`10.9`) is not a valid ICD-10-CM code", ()),
        (claim(line("70450", DOS), diagnoses=["030226"]), "format.diagnosis",
         "diagnosis 1 is not a valid ICD-10-CM code (6 characters, not shown)", ()),
    ], ids=["typo", "six", "surname", "modifier", "spaced modifier", "name as modifier", "place", "diagnosis",
            "date as diagnosis"])
    def test_a_value_shaped_like_a_code_is_quoted(self, bundled, data, rule, message, codes):
        """A short typo of a code is quoted so an analyst sees it; a longer value, or a name, is not."""
        finding = only(bundled.evaluate(data), rule)
        assert (finding.message, finding.codes) == (message, codes)

    @pytest.mark.parametrize("code, message", [
        ("http://hospital.example/cdm|70450", "`70450` is a code of another system, not a CPT/HCPCS code"),
        ("http://snomed.info/sct|77477000",
         "line 1's procedure code is a SNOMED CT code, not a CPT/HCPCS code (8 characters, not shown)"),
        ("http://terminology.hl7.org/CodeSystem/ex-USCLS|1205",
         "`1205` is a code of a FHIR example system, not a CPT/HCPCS code"),
        (f"urn:oid:2.16.840.1.{MEMBER_ID}|SMITH",
         "line 1's procedure code is a code of another system, not a CPT/HCPCS code (5 characters, not shown)"),
        ("70450|26", "line 1's procedure code is not a valid CPT/HCPCS code (8 characters, not shown)"),  # no URI
    ], ids=["local", "snomed", "fhir example", "id in the system", "no system"])
    def test_a_code_of_another_system_is_said_to_be_one(self, bundled, code, message):
        """A code given with its system (`SYSTEM|CODE`, as the FHIR reader gives a coding of another system than
        CPT/HCPCS) is said to be a code of another system, named when it is a well-known one; the code is quoted
        only when it is shaped like one, the system's URI never (a sender may have put anything in it)."""
        result = bundled.evaluate(claim(line(code, DOS)), explain=True)
        finding = only(result, "format.code")
        assert (finding.message, finding.codes) == (message, ())
        system = code.split("|")[0].upper()
        assert system not in json.dumps(result.to_dict()) and system not in result.explanation.render()

    @pytest.mark.parametrize("system", [
        "http://www.ama-assn.org/go/cpt", "urn:oid:2.16.840.1.113883.6.12",
        "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "urn:oid:2.16.840.1.113883.6.285",
        "HTTP://WWW.AMA-ASSN.ORG/go/cpt", "URN:OID:2.16.840.1.113883.6.12", " http://www.ama-assn.org/go/cpt ",
    ], ids=["cpt", "cpt oid", "hcpcs", "hcpcs oid", "scheme and host in capitals", "oid in capitals", "spaced"])
    def test_a_code_given_with_cpts_own_system_is_the_code(self, bundled, system):
        """A code given with CPT's or HCPCS's own system (by URI or OID; the scheme and host in any case, as URIs
        compare) is judged as the code itself, on the fast path and the checked one: the pair's edit applies, and
        no finding calls it a code of another system."""
        given = claim(line(f"{system}|74176", DOS), line(f"{system.strip()}| 74150", DOS))
        plain = bundled.evaluate(claim(line("74176", DOS), line("74150", DOS))).to_dict()
        assert plain["findings"] and bundled.evaluate(given).to_dict() == plain
        assert [l.code for l in claim_module._fast_claim(given).lines] == ["74176", "74150"]
        assert [l.code for l in read_checked(given).lines] == ["74176", "74150"]

    @pytest.mark.parametrize("code, message", [
        ("http://www.ama-assn.org/GO/CPT|74177", "`74177` is a code of another system, not a CPT/HCPCS code"),
        ("HTTP://SNOMED.INFO/SCT|",
         "line 1's procedure code is empty: given as a SNOMED CT code, with nothing after its system"),
        ("http://hospital.example/cdm|", "line 1's procedure code is empty: given as a code of another system, "
                                         "with nothing after its system"),
    ], ids=["cpt's path in capitals", "empty snomed", "empty other"])
    def test_another_systems_code_and_an_empty_one(self, bundled, code, message):
        """A system's path compares with its case (FHIR's systems are case-sensitive): CPT's in capitals is another
        system; a system with nothing after it is said to have an empty code, not one of 0 characters."""
        assert only(bundled.evaluate(claim(line(code, DOS))), "format.code").message == message

    def test_cpts_own_system_with_no_code_is_an_empty_code(self):
        """Without its system, the code is empty: the claim is refused as one with an empty code."""
        with pytest.raises(ClaimError, match=r"lines\[0\]\.code: must not be empty"):
            Claim.from_dict(claim(line("http://www.ama-assn.org/go/cpt| ", DOS)))

    def test_an_authorizations_and_a_history_lines_code_with_cpts_own_system_is_the_code(self):
        """An authorization record's codes and a history line's code are read as a claim line's: with CPT's or
        HCPCS's own system, the code alone (they were refused, or kept with the system and met no line)."""
        from radrules.history import read_line

        record = {"number": "A1", "codes": ["http://www.ama-assn.org/go/cpt|70553", "urn:oid:2.16.840.1.113883.6.285|"
                  "G0279"], "start": "2026-07-01", "end": "2026-07-31"}
        read = Claim.from_dict(dict(claim(line("70553", DOS)), authorizations=[record]))
        assert read.authorizations[0].codes == {"70553", "G0279"}
        paid = read_line({"patient_id": "P", "code": "http://www.ama-assn.org/go/cpt|77067", "date": "2026-01-05",
                          "status": "paid"}, "history[0]")
        assert paid.code == "77067"
        with pytest.raises(ClaimError, match=r"authorizations\[0\]\.codes\[0\]: must not be empty"):
            Claim.from_dict(dict(claim(line("70553", DOS)), authorizations=[dict(record, codes=[
                "http://www.ama-assn.org/go/cpt|"])]))

    @pytest.mark.parametrize("value, kind, quoted", [
        ("7404", "procedure code", True), ("7010A", "procedure code", True), ("AB", "procedure code", True),
        ("SMITH", "procedure code", False), ("704500", "procedure code", False), ("7\ud800", "procedure code", False),
        ("７４０４", "procedure code", False), ("3/2/26", "procedure code", False), ("", "procedure code", False),
        ("L", "modifier", True), ("591", "modifier", True), ("LT5", "modifier", True), ("LEE", "modifier", False),
        ("L T", "modifier", False), ("ER", "place of service", True), ("1970", "place of service", False),
        ("R10.9", "diagnosis", True), ("S83511A", "diagnosis", True), ("78650", "diagnosis", True),
        ("19700101", "diagnosis", False), ("1970.01", "diagnosis", False), ("R1.0.9", "diagnosis", False),
        ("JOHNSON", "diagnosis", False),
    ])
    def test_quotable(self, value, kind, quoted):
        """Letters and digits only, short, and a digit unless at most two (checks.quotable)."""
        assert checks.quotable(value, kind) is quoted

    def test_a_rules_message_and_codes_leave_the_value_out(self):
        """A rule that quotes `{line.code}` and `{line.modifiers}` on a line with a member id in them shows
        neither, and the finding's codes leave the code out; a code of the claim shaped like one stays."""
        rules = radrules.loads('rule acme.units "more than one unit"\n  when line.units > 1\n'
                               '  then warn line "{line.code} {line.modifiers} billed twice"\nend\n')
        data = claim(line(MEMBER_ID, DOS, units=2, modifiers=["26", "SMITHJOHN"]), line("70450", DOS, units=2))
        found = [(f.message, f.codes) for f in rules.evaluate(data).findings if f.rule == "acme.units"]
        assert found == [("[procedure code not shown] 26, [modifier not shown] billed twice", ()),
                         ("70450 none billed twice", ("70450",))]

    def test_a_value_beside_a_dash_a_slash_or_a_dot_in_a_rules_message_is_left_out(self):
        """`{line.code}-50` (the bundled bilateral rules) showed a member id in the code: the search of the finished
        text takes a value joined to `-5` for part of another word. A rule's message leaves the values out as it
        is made, in explain too."""
        rules = radrules.loads('rule t.x "x"\n  when line.units > 1\n'
                               '  then warn line "{line.code}-50/{line.first_modifier}.{line.place_of_service}"\n'
                               '  reference "t"\nend\n')
        data = claim(line(MEMBER_ID, DOS, units=2, modifiers=["SMITHJOHN"], place_of_service="JANE Q DOE"))
        result = rules.evaluate(data, explain=True)
        (message,) = [f.message for f in result.findings if f.rule == "t.x"]
        assert message == "[procedure code not shown]-50/[modifier not shown].[place of service not shown]"
        texts = [step.detail for step in result.explanation.steps]
        assert not any(value in text for text in texts for value in (MEMBER_ID, "SMITHJOHN", "JANE Q DOE"))

    def test_a_hidden_value_inside_a_date_or_a_code_of_another_message_stays(self):
        """A modifier `2026` (not quotable) is hidden where a message quotes it, not in the date `2026-07-15`
        of another finding (it read `[modifier not shown]-07-15`), nor in a dotted code; at a sentence's end it
        is hidden."""
        rules = radrules.loads('limits t.mue\n  reference "t"\n  limit 74177 max 1 mai 2\nend\n'
                               'rule t.mods "modifiers"\n  when line.modifiers has any of [26]\n'
                               '  then warn line "{line.modifiers}."\nend\n')
        data = claim(line("74177", "2026-07-15"), line("74177", "2026-07-15", modifiers=["2026", "26"]))
        found = {f.rule: f.message for f in rules.evaluate(data).findings}
        assert found["t.mue"].startswith("74177: 2 units on 2026-07-15 exceed")
        assert found["t.mods"] == "[modifier not shown], 26."
        hide_in = checks.hider({"R51": "diagnosis"})
        assert hide_in("R51.9 and R51") == "R51.9 and [diagnosis not shown]"


#: Values a field may hold that the fast path must leave to the checked path, or read the same way.
ODD_VALUES = [
    None, "", "  ", " 71046 ", "professional", " Institutional", "icd9", " ICD9", "2026-02-30", "2026-03-02",
    "2026-3-2", "2026-03-02\n", dt.date(2026, 3, 2), dt.datetime(2026, 3, 2, 12), 0, 1, -1, 2.0, 1.5, -0.0,
    True, float("nan"), float("inf"), 10**20, [], [""], ["26", ""], [" 26", "rt"], ["26", "TC", "59", "76", "XU"],
    [1, 2], [0], [True], ["R10.9", None], {"x": 1}, {"sex": "f"}, {"id": 7}, {"birth_date": "1970-01-01"},
    "1", "12", "0350", "035", "x", ["45", "a1"], ["45 "], ["451"], [45],
]
# Every field the reader knows (a field added to the checked path but not to the fast path is caught here), and
# a key it does not.
CLAIM_KEYS = [*claim_module._CLAIM_FIELDS, "unknown"]
LINE_KEYS = [*claim_module._LINE_FIELDS, "modifer"]


def read_checked(data):
    """The checked path's claim, or its error message."""
    try:
        return claim_module._read_claim_checked(data)
    except ClaimError as error:
        return str(error)


class TestFastPath:
    @given(strategies.claims())
    def test_valid_claims_take_the_fast_path_and_read_the_same(self, data):
        """A generated valid claim is read by the fast path, equal to what the checked path reads."""
        fast = claim_module._fast_claim(data)
        assert fast is not None
        assert fast == claim_module._read_claim_checked(data)

    def test_odd_values_are_read_the_same_or_left_to_the_checked_path(self):
        """With any field set to any odd value, the fast path gives up or reads what the checked path reads."""
        base = claim(line("70450", DOS, modifiers=["26"], charge=12.5, diagnosis_pointers=[1], end_date=DOS,
                          place_of_service="11", rendering_npi=NPI),
                     id="C-1", payer="acme", prior_auth=["PA-1"], diagnoses=["R10.9"], received=DOS, frequency="1",
                     place_of_service="11", patient={"id": "M-1", "birth_date": "1970-01-01", "sex": "F"})
        accepted = 0
        for key in CLAIM_KEYS + LINE_KEYS:
            for value in ODD_VALUES:
                data = copy.deepcopy(base)
                (data["lines"][0] if key in LINE_KEYS else data)[key] = value
                fast = claim_module._fast_claim(data)
                if fast is not None:
                    accepted += 1
                    assert fast == read_checked(data), (key, value)
                    assert Claim.from_dict(data) == fast
        assert accepted > 50  # the fast path does read unusual but valid values


# ---------------------------------------------------------------- never a traceback

from hypothesis import settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mangling import REMOVE, any_json, apply_changes, json_paths  # noqa: E402

#: Any JSON value, and the odd ones a claim's producer may send.
_JSON = any_json(["code", "date", "units", "modifiers", "id", "lines", "patient", "x"],
                 ["", " ", "2026-02-30", "2026-03-02", "26", "TC", "70450", "R10.9", "1e400", "NaN", "-1", "0", "12",
                  "\x00"])


def _mangled_base() -> dict:
    return claim(line("70450", DOS, modifiers=["26", "LT"], charge=12.5, diagnosis_pointers=[1, 2], end_date=DOS,
                      place_of_service="11", rendering_npi=SECRET_NPI),
                 line("74177", DOS, units=2, modifiers=["TC"], diagnosis_pointers=[2]),
                 id=SECRET_CLAIM_ID, payer="acme", prior_auth=SECRET_AUTH, diagnoses=["R10.9", "Z12.31"],
                 received=DOS, frequency="1", place_of_service="11",
                 patient={"id": SECRET_PATIENT, "birth_date": "1970-01-01", "sex": "F"})


_CLAIM_PATHS = [p for p in json_paths(_mangled_base()) if p]


@settings(max_examples=2 * settings().max_examples)
@given(st.lists(st.tuples(st.sampled_from(_CLAIM_PATHS), _JSON | st.just(REMOVE)), min_size=1, max_size=3))
def test_mangled_claims_read_and_evaluate_or_raise_claim_error(bundled, changes):
    """Any part of a claim replaced by any JSON (or removed): a Claim that evaluates, or a ClaimError
    naming a field path and no identifier's value; never a traceback."""
    data = _mangled_base()
    apply_changes(data, changes)
    try:
        parsed = Claim.from_dict(data)
    except ClaimError as error:
        text = str(error)
        assert error.problem and text.endswith(error.problem)
        for secret in (SECRET_CLAIM_ID, SECRET_PATIENT, SECRET_AUTH, SECRET_NPI):
            assert secret not in text
        return
    result = bundled.evaluate(parsed)
    assert len(result.lines) == len(parsed.lines)
    for finding in result.findings:
        assert set(finding.lines) | set(finding.related_lines) <= set(range(1, len(parsed.lines) + 1))
    explained = bundled.evaluate(parsed, explain=True)  # explain walks every rule on the odd claim too
    assert explained.findings == result.findings and explained.explanation is not None
    assert bundled.evaluate(parsed, indexed=False).findings == result.findings
    json.loads(json.dumps(explained.to_dict(), allow_nan=False))  # the result is plain JSON


def test_condition_codes_round_trip():
    """to_dict writes the condition codes (in capitals), and from_dict reads them back."""
    built = Claim.from_dict(claim(line("71046", DOS), condition_codes=["45", "a1"]))
    assert built.to_dict()["condition_codes"] == ["45", "A1"]
    assert Claim.from_dict(built.to_dict()) == built
    assert "condition_codes" not in Claim.from_dict(claim(line("71046", DOS))).to_dict()


def test_billing_npi_round_trip_and_check():
    """billing_npi is read (trimmed; blank is none), written back by to_dict, hidden from the repr and checked by
    format.npi on the whole claim, whose message never shows it."""
    built = Claim.from_dict(claim(line("71046", DOS), billing_npi=" 1234567893 "))
    assert built.billing_npi == "1234567893" and Claim.from_dict(built.to_dict()) == built
    assert "1234567893" not in repr(built)
    assert Claim.from_dict(claim(line("71046", DOS), billing_npi="  ")).billing_npi is None
    assert read_checked(claim(line("71046", DOS), billing_npi=1234567893)) == "billing_npi: expected a text"
    bad = radrules.load().evaluate(claim(line("71046", DOS), line("70450", DOS), billing_npi="1234567890"))
    assert [(f.rule, f.lines, f.message) for f in bad.findings if f.rule == "format.npi"] == [
        ("format.npi", (1, 2), "the claim's billing NPI is not a valid NPI")]
    assert "format.npi" not in {f.rule for f in radrules.load().evaluate(built).findings}
    # a reader gives lines naming no rendering provider the billing NPI: one finding, the claim's (it was three,
    # two of them about a "rendering NPI" the claim never named); a line's own bad NPI is still its own
    fallback = claim(line("71046", DOS, rendering_npi="1234567890"), line("70450", DOS, rendering_npi="1234567890"),
                     line("70460", DOS, rendering_npi="1234567891"), billing_npi="1234567890")
    assert [(f.lines, f.message) for f in radrules.load().evaluate(fallback).findings if f.rule == "format.npi"] == [
        ((1, 2, 3), "the claim's billing NPI is not a valid NPI"),
        ((3,), "line 3: the rendering NPI is not a valid NPI")]


@pytest.mark.parametrize("given, kept", [("0131", "131"), (" 111 ", "111"), ("", None), (None, None)])
def test_bill_type_is_kept_as_three_digits(given, kept):
    """The type of bill is 3 digits, or the UB-04's 4 with a leading 0, kept as 3; to_dict writes it back."""
    data = claim(line("71046", DOS), type="institutional")
    if given is not None:
        data["bill_type"] = given
    built = Claim.from_dict(data)
    assert built.bill_type == kept and Claim.from_dict(built.to_dict()) == built


@pytest.mark.parametrize("given", ["13", "1311", "13L", "13\u0131", "1Q1", "Q131", 131])
def test_a_bad_bill_type_names_the_field(given):
    problem = ("expected a text" if given == 131 else
               "expected the type of bill: 2 digits and the frequency code (a digit or a letter), or 4 characters "
               "with a leading 0 (such as `131`, `0131` or `13Q`)")
    data = claim(line("71046", DOS), type="institutional", bill_type=given)
    assert read_checked(data) == f"bill_type: {problem}"


@pytest.mark.parametrize("given, kept", [("13Q", "13Q"), ("013q", "13Q"), ("81A", "81A"), ("11Z", "11Z")])
def test_a_bill_type_ends_in_a_frequency_letter(given, kept):
    """NUBC frequency codes include letters: `13Q` is a reopening (CR 8581), kept in capitals."""
    data = claim(line("71046", DOS), type="institutional", bill_type=given, frequency=given[-1])
    built = Claim.from_dict(data)
    assert (built.bill_type, built.frequency) == (kept, kept[-1]) and Claim.from_dict(built.to_dict()) == built


@pytest.mark.parametrize("given, kept", [("7", "7"), ("Q", "Q"), (" q ", "Q"), ("A", "A"), ("z", "Z")])
def test_a_frequency_is_a_digit_or_a_letter_of_nubc(given, kept):
    assert Claim.from_dict(claim(line("71046", DOS), frequency=given)).frequency == kept


def test_rules_read_the_frequency_code():
    """`claim.frequency` is the claim's frequency code, else its type of bill's last character; a literal is a
    digit or one of NUBC's letters, in either case."""
    rules = radrules.loads('rule t.reopening "reopening"\n  when claim.frequency in [q, 7]\n'
                           '  then warn claim "frequency {claim.frequency}"\n  reference "t"\nend\n', name="f.rr")
    for fields, fired in (({"frequency": "Q"}, "Q"), ({"type": "institutional", "bill_type": "13q"}, "Q"),
                          ({"type": "institutional", "bill_type": "137"}, "7"), ({"frequency": "1"}, None),
                          ({}, None)):
        found = [f.message for f in rules.evaluate(claim(line("70450", DOS), **fields)).findings]
        assert found == ([f"frequency {fired}"] if fired else []), fields
    with pytest.raises(radrules.RuleError, match="`L` is not a claim frequency code"):
        radrules.loads('rule t.f "f"\n  when claim.frequency is L\n  then warn claim "f"\n  reference "t"\nend\n',
                       name="g.rr")


@pytest.mark.parametrize("bill_type, frequency", [("131", "7"), ("137", "8"), ("13Q", "1"), ("0137", "Q")])
def test_a_frequency_the_type_of_bill_does_not_end_in_is_refused(bill_type, frequency):
    """The frequency code is the type of bill's last character (one field in the 837I): two different codes
    are an error naming `frequency`, not one of them chosen."""
    data = claim(line("71046", DOS), type="institutional", bill_type=bill_type, frequency=frequency)
    assert read_checked(data) == (f"frequency: `{frequency}` is not the frequency code the type of bill ends in "
                                  f"(`{bill_type[-3:]}`): give the code in one of them, or the same code in both")


@pytest.mark.parametrize("given", ["L", "N", "11", "QQ", "\u0131", "-"])
def test_a_frequency_of_another_letter_is_refused(given):
    """Only the letters NUBC gives frequency codes (A-K, M, P, Q, X-Z); `ı`, whose capital is `I`, is none."""
    assert read_checked(claim(line("71046", DOS), frequency=given)) == f"frequency: {FREQUENCY}"
    assert claim_module._fast_claim(claim(line("71046", DOS), frequency=given)) is None


class TestInstitutionalFields:
    """A type of bill, a statement period and revenue codes are an institutional claim's."""

    NO_TYPE = "a field of institutional claims, and a claim without `type` is professional: give `type: institutional`"
    PROFESSIONAL = "a field of institutional claims, and the claim's `type` is professional"

    @pytest.mark.parametrize("fields, path", [
        ({"bill_type": "131"}, "bill_type"),
        ({"statement_from": DOS, "statement_through": DOS}, "statement_from"),
        ({"statement_through": DOS}, "statement_through"),
        ({"line": {"revenue_code": "0350"}}, "lines[1].revenue_code"),
        ({"bill_type": "131", "line": {"revenue_code": "0350"}}, "bill_type"),
    ])
    def test_on_a_claim_without_type_they_ask_for_it(self, fields, path):
        """Without `type` a claim is professional: a hospital's claim would be judged with the practitioners'
        tables, so its first institutional field is an error that asks for `type: institutional`."""
        fields = dict(fields)
        data = claim(line("74176", DOS), line("74150", DOS, **fields.pop("line", {})), **fields)
        del data["type"]
        assert read_checked(data) == f"{path}: {self.NO_TYPE}"
        with pytest.raises(ClaimError, match=re.escape(f"{path}: {self.NO_TYPE}")):
            radrules.load().evaluate(data)
        professional = dict(data, type="Practitioner")
        assert read_checked(professional) == f"{path}: {self.PROFESSIONAL}"
        institutional = Claim.from_dict(dict(data, type="institutional"))
        assert Claim.from_dict(institutional.to_dict()) == institutional

    def test_a_claim_built_in_code_is_checked_alike(self):
        built = Claim(lines=(claim_module.Line("71046", dt.date(2026, 3, 2), revenue_code="0320"),))
        with pytest.raises(ClaimError, match=re.escape(f"lines[0].revenue_code: {self.PROFESSIONAL}")):
            radrules.load().evaluate(built)
        assert radrules.load().evaluate(attrs.evolve(built, type="institutional")).passed

    def test_the_statement_period_is_read_and_written_back(self):
        data = claim(line("71046", DOS), type="institutional", statement_from="2026-03-01",
                     statement_through=" 2026-03-31 ")
        built = Claim.from_dict(data)
        assert (built.statement_from, built.statement_through) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        assert built.to_dict()["statement_through"] == "2026-03-31" and Claim.from_dict(built.to_dict()) == built

    @pytest.mark.parametrize("fields, error", [
        ({"statement_from": "2026-03-02", "statement_through": "2026-03-01"},
         "statement_through: expected a date on or after `statement_from`"),
        ({"statement_from": "2026-02-30"}, "statement_from: not a calendar date"),
        ({"statement_through": 20260301}, "statement_through: expected a date as YYYY-MM-DD"),
    ])
    def test_a_bad_statement_period_names_its_field(self, fields, error):
        assert read_checked(claim(line("71046", DOS), type="institutional", **fields)) == error


def test_rules_read_the_type_of_bill():
    """`claim.bill_type` compares with 3 digits or the UB-04's 4 (`0111` is `111`); a claim without one is
    unknown."""
    rules = radrules.loads('rule t.inpatient "inpatient"\n  when claim.bill_type in [0111, 112, 11Q]\n'
                           '  then warn claim "inpatient bill {claim.bill_type}"\n  reference "t"\nend\n', name="b.rr")
    for bill_type, fired in (("111", True), ("0112", True), ("11Q", True), ("011q", True), ("131", False),
                             ("13Q", False), (None, False)):
        data = claim(line("70450", DOS), type="institutional", **({"bill_type": bill_type} if bill_type else {}))
        found = [f.message for f in rules.evaluate(data).findings if f.rule == "t.inpatient"]
        assert found == ([f"inpatient bill {bill_type[-3:].upper()}"] if fired else [])
    with pytest.raises(radrules.RuleError, match="`13L` is not a type of bill") as caught:
        radrules.loads('rule t.bill "bill"\n  when claim.bill_type is 13L\n  then warn claim "bill"\n'
                       '  reference "t"\nend\n', name="c.rr")
    assert "write 2 digits and the frequency code, or 4 with a leading 0: `131`, `0131`, `13Q`" in str(caught.value)


def test_rules_read_a_type_of_bill_by_its_first_digits():
    """`12*` is every bill of type 12x, whatever its frequency (a reopening `13Q` too); `013*` is `13*`; `1*` every
    hospital bill. Exact values mix with them."""
    rules = radrules.loads('rule t.hospital "hospital"\n  when claim.bill_type in [12*, 013*, 851]\n'
                           '  then warn claim "hospital"\n  reference "t"\nend\n', name="b.rr")
    for bill_type, fired in (("121", True), ("12Q", True), ("137", True), ("0131", True), ("13Q", True),
                             ("851", True), ("852", False), ("111", False), ("141", False), (None, False)):
        data = claim(line("70450", DOS), type="institutional", **({"bill_type": bill_type} if bill_type else {}))
        for indexed in (True, False):
            fired_here = "t.hospital" in rules.evaluate(data, indexed=indexed).fired()
            assert fired_here is fired, (bill_type, indexed)
    negated = radrules.loads('rule t.other "other"\n  when claim.bill_type not in [1*]\n'
                             '  then warn claim "other"\n  reference "t"\nend\n', name="n.rr")
    for bill_type, fired in (("131", False), ("851", True), ("13Q", False)):
        data = claim(line("70450", DOS), type="institutional", bill_type=bill_type)
        assert ("t.other" in negated.evaluate(data).fired()) is fired


@pytest.mark.parametrize("written, fires_on", [
    ("13* except 137", {"131", "13Q"}), ("13* except 0137, 13Q", {"131"}),
    ("1* except 11*, 12*", {"131", "137", "13Q", "141"}), ("131, 137 except 13*", set()),
    ("12*, 131 except 121", {"131"})])
def test_except_in_a_set_of_types_of_bill(written, fires_on):
    """`except` takes types of bill out of a set of them, prefixes too: `13* except 137` ignored its `except`
    (the text `137` was taken out of the texts `13*`), so the rule fired on the bill it left out."""
    rules = radrules.loads(f'rule t.b "b"\n  when claim.bill_type in [{written}]\n  then warn claim "b"\n'
                           '  reference "t"\nend\n', name="b.rr")
    fired = set()
    for bill_type in ("131", "137", "13Q", "111", "121", "141"):
        for indexed in (True, False):
            data = claim(line("70450", DOS), type="institutional", bill_type=bill_type)
            if "t.b" in rules.evaluate(data, indexed=indexed).fired():
                fired.add(bill_type)
    assert fired == fires_on
    assert bool(fires_on) is not any(w.code == "RR264" for w in rules.warnings)


@pytest.mark.parametrize("written", ["123*", "1Q*", "A1*", "0*", "0123*"])
def test_a_bad_type_of_bill_start_is_refused(written):
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(f'rule t.bill "bill"\n  when claim.bill_type in [{written}]\n  then warn claim "bill"\n'
                       '  reference "t"\nend\n', name="c.rr")
    assert caught.value.errors[0].code == "RR210"


def test_a_type_of_bill_of_frequency_x_is_warned():
    """`13X` is frequency code X alone, not NUBC's way of writing every 13x bill: RR273 says to write `13*`; an
    allow comment keeps it when frequency X is meant."""
    text = 'rule t.bill "bill"\n  when claim.bill_type in [13X]\n  then warn claim "bill"\n  reference "t"\nend\n'
    warned = radrules.loads(text, name="w.rr")
    assert [(w.code, w.span.line) for w in warned.warnings] == [("RR273", 2)]
    assert "write `13*` for every frequency" in warned.warnings[0].help
    data = claim(line("70450", DOS), type="institutional", bill_type="131")
    assert "t.bill" not in warned.evaluate(data).fired()
    allowed = radrules.loads(text.replace("  when", "  # allow RR273: frequency X\n  when"), name="w.rr")
    assert not allowed.warnings
    assert not radrules.loads(text.replace("13X", "13*"), name="w.rr").warnings
    compared = radrules.loads(text.replace("in [13X]", "is 13X"), name="w.rr")
    assert [(w.code, w.span.line, w.span.column) for w in compared.warnings] == [("RR273", 2, 27)]


def test_a_frequency_letter_in_either_case_with_is_and_in():
    """language.md: `claim.frequency is Q`, a letter in either case; `is q` was refused while `in [q]` held."""
    for condition in ("claim.frequency is q", "claim.frequency is Q", "claim.frequency in [q]"):
        rules = radrules.loads(f'rule t.q "q"\n  when {condition}\n  then warn claim "q"\n  reference "t"\nend\n',
                               name="q.rr")
        for bill_type, fired in (("13Q", True), ("131", False)):
            data = claim(line("70450", DOS), type="institutional", bill_type=bill_type)
            assert ("t.q" in rules.evaluate(data).fired()) is fired, (condition, bill_type)


def test_rules_read_the_claims_last_date_of_service():
    """`claim.last_date`: the latest date or end date of any line, a line of a revenue code alone too."""
    rules = radrules.loads('rule t.last "last"\n  when claim.last_date >= 2026-03-05\n'
                           '  then warn claim "{claim.last_date}"\n  reference "t"\nend\n', name="l.rr")
    for lines, message in (
            ([line("70450", DOS)], None),
            ([line("70450", DOS, end_date="2026-03-05")], "2026-03-05"),
            ([line("70450", DOS), {"revenue_code": "0255", "date": "2026-03-07"}], "2026-03-07")):
        data = claim(*lines, type="institutional")
        found = [f.message for f in rules.evaluate(data).findings if f.rule == "t.last"]
        assert found == ([message] if message else []), lines


def test_rules_test_whether_a_replacement_names_the_claim_it_replaces():
    """`claim.replaces` is an identifier: `is missing` / `is present` only, never its value."""
    rules = radrules.loads('rule t.r "r"\n  when claim.frequency in [7, 8]\n   and claim.replaces is missing\n'
                           '  then review claim "names no claim it replaces"\n  reference "t"\nend\n', name="r.rr")
    for fields, fired in (({"bill_type": "137"}, True), ({"bill_type": "137", "replaces": "26123000456"}, False),
                          ({"bill_type": "131"}, False)):
        data = claim(line("70450", DOS), type="institutional", **fields)
        assert ("t.r" in rules.evaluate(data).fired()) is fired, fields
    with pytest.raises(radrules.RuleError, match="is an identifier"):
        radrules.loads('rule t.v "v"\n  when claim.replaces is A1\n  then review claim "x"\n  reference "t"\nend\n')


def test_a_type_of_bill_start_compared_with_is_is_told_to_use_in():
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads('rule t.bill "bill"\n  when claim.bill_type is 13*\n  then warn claim "bill"\n'
                       '  reference "t"\nend\n', name="c.rr")
    assert caught.value.errors[0].code == "RR210"
    assert "`claim.bill_type in [13*]`" in caught.value.errors[0].help


class TestIdsAndNumbers:
    def test_ids_are_trimmed_like_other_texts(self):
        """Claim and member ids are trimmed, so that a member id with a stray space still finds its history."""
        data = claim(line("71046", DOS), id=" C-1 ", patient={"id": " M-1 "})
        for built in (Claim.from_dict(data), read_checked(data)):
            assert (built.id, built.patient.id) == ("C-1", "M-1")
        blank = Claim.from_dict(claim(line("71046", DOS), id="  ", patient={"id": " "}))
        assert (blank.id, blank.patient.id) == (None, None)

    def test_member_id_with_spaces_finds_its_history(self, tmp_path):
        """A JSON Lines history keyed by a padded patient_id serves the claim's padded member id."""
        from radrules.history import JsonlHistory, lines_of

        path = tmp_path / "history.jsonl"
        path.write_text('{"patient_id": " M-1", "code": "77067", "date": "2025-06-20"}\n', encoding="utf-8")
        patient_id = Claim.from_dict(claim(line("77067", DOS), patient={"id": "M-1 "})).patient.id
        assert [l.code for l in lines_of(JsonlHistory(path), patient_id, None, dt.date(2026, 3, 2))] == ["77067"]

    @pytest.mark.parametrize("field", ["units", "charge"])
    def test_minus_infinity_is_not_finite(self, field):
        """-Infinity is refused as not finite, as +Infinity is (not as a negative number)."""
        for value in (float("inf"), float("-inf")):
            with pytest.raises(ClaimError, match=r"lines\[0\]\.%s: expected a finite number" % field):
                Claim.from_dict(claim(line("71046", DOS, **{field: value})))


class TestAuthorizations:
    """`authorizations`: the payer's prior-authorization records given with a claim (claim-format.md)."""

    RECORD = {"number": "PA-SECRET-1", "codes": ["70553", "74177"], "start": "2026-03-01", "end": "2026-03-31",
              "units": 1}

    def claim(self, records):
        return {"prior_auth": "PA-SECRET-1", "authorizations": records,
                "lines": [{"code": "70553", "date": "2026-03-02"}]}

    def test_read_written_back_and_protected(self):
        claim = Claim.from_dict(self.claim([self.RECORD]))
        [record] = claim.authorizations
        assert (record.codes, record.start, record.end, record.units) == (
            frozenset({"70553", "74177"}), dt.date(2026, 3, 1), dt.date(2026, 3, 31), 1)
        assert claim.to_dict()["authorizations"] == [dict(self.RECORD, codes=["70553", "74177"])]
        assert Claim.from_dict(claim.to_dict()) == claim
        assert "PA-SECRET-1" not in repr(claim) and "PA-SECRET-1" not in str(record)
        # none given is unknown (None); an empty list is "the patient has none"
        assert Claim.from_dict({"lines": [{"code": "70553", "date": "2026-03-02"}]}).authorizations is None
        assert Claim.from_dict(self.claim([])).authorizations == ()
        # a claim built in code is checked as a dict is
        built = Claim(lines=claim.lines, prior_auth=("PA-SECRET-1",), authorizations=claim.authorizations)
        assert radrules.claim.checked(built).authorizations == claim.authorizations

    @pytest.mark.parametrize("change, path, problem", [
        ({"number": ""}, "authorizations[0].number", "must not be empty"),
        ({"codes": []}, "authorizations[0].codes", "at least one"),
        ({"codes": ["7055"]}, "authorizations[0].codes[0]", "expected a procedure code"),
        ({"codes": "70553"}, "authorizations[0].codes", "expected a list"),
        ({"start": None}, "authorizations[0].start", "required"),
        ({"end": "2026-02-28"}, "authorizations[0].end", "on or after `start`"),
        ({"units": 0}, "authorizations[0].units", "positive"),
        ({"units": 1.5}, "authorizations[0].units", "whole number"),
        ({"unit": 1}, "authorizations[0].unit", "did you mean `units`"),
    ])
    def test_a_bad_record_is_a_claim_error_naming_its_field(self, change, path, problem):
        record = {key: value for key, value in dict(self.RECORD, **change).items() if value is not None}
        with pytest.raises(ClaimError) as caught:
            Claim.from_dict(self.claim([record]))
        assert caught.value.path == path and problem in str(caught.value)
        assert "PA-SECRET-1" not in str(caught.value)
