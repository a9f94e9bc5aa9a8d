"""Input made to break radrules: numbers too long for Python, keys given twice, names and strings of
megabytes, claims of thousands of lines, values that must not be echoed. Each is refused with an error
that names where it is, quickly, or read as the docs say; never a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import radrules
from radrules.errors import did_you_mean, json_value
from radrules.history import JsonlHistory

from builders import claim, line

ROOT = Path(__file__).parent.parent
DOS = "2026-03-02"
HUGE = "9" * 5000  # past the 4,300 digits Python turns into an int


def run(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "radrules", *args], capture_output=True, text=True, cwd=cwd,
                          env=dict(os.environ), timeout=120)


class TestNumbersTooLongForPython:
    def test_json_reads_them_as_the_largest_float(self):
        """A whole number of 5,000 digits is read as the largest float of its sign, so the claim checks refuse it
        like any huge number (as infinite, it was told "expected a finite number")."""
        assert json_value('{"units": %s}' % HUGE) == {"units": sys.float_info.max}
        assert json_value('{"units": -%s}' % HUGE) == {"units": -sys.float_info.max}

    @pytest.mark.parametrize("text, error", [
        ('{"id": "C1", "lines": [{"code": "74176", "date": "2026-04-06", "units": %s}]}' % HUGE,
         "lines[0].units: expected a number under 10^15"),
        ('{"id": %s, "lines": [{"code": "74176", "date": "2026-04-06"}]}' % HUGE, "id: expected a text"),
    ], ids=["units", "id"])
    def test_eval_reports_the_field(self, tmp_path, text, error):
        path = tmp_path / "claims.json"
        path.write_text(text)
        result = run("eval", str(path))
        assert "Traceback" not in result.stderr and error in result.stdout, result.stderr

    @pytest.mark.parametrize("data, path", [
        ({"id": 10 ** 5000, "lines": [{"code": "71046", "date": DOS}]}, "id"),
        ({"patient": {"id": 10 ** 5000}, "lines": [{"code": "71046", "date": DOS}]}, "patient.id"),
    ], ids=["id", "patient.id"])
    def test_ids_built_in_code(self, data, path):
        with pytest.raises(radrules.ClaimError, match=rf"^{re.escape(path)}: expected a text$"):
            radrules.Claim.from_dict(data)

    def test_history_claim_id(self):
        history = [{"code": "71046", "date": "2026-01-01", "claim": 10 ** 5000}]
        with pytest.raises(radrules.ClaimError, match=r"^history\[0\]\.claim: expected a text$"):
            radrules.loads('rule t.x\n  when line.code is 71046\n  then info line "x"\n  reference "r"\nend\n') \
                .evaluate(claim(line("71046", DOS)), history=history)

    def test_rule_file_integer(self):
        with pytest.raises(radrules.RuleError, match=r"RR220\]: the unit limit must be under 10\^15"):
            radrules.loads(f'limits x.mue "x"\n  reference "r"\n  limit 77067 max {HUGE} mai 2\nend\n')

    @pytest.mark.parametrize("when, message", [
        (f"line.date + {HUGE} days > claim.received", "99999999999999999999... days is longer than the calendar"),
        (f"history has [70450] within {HUGE} months", "99999999999999999999... months is longer than the calendar"),
        (f"line.units > 1{'.' * 5000}", "expected a number, not `1....."),
    ], ids=["days", "within months", "not a number"])
    def test_rule_file_numbers_are_shortened(self, when, message):
        """Every check shows a long number cut to 20 digits (these showed all 5,000: a 5,058-character message)."""
        with pytest.raises(radrules.RuleError) as raised:
            radrules.loads(f'rule t.x\n  when {when}\n  then deny line "m"\n  reference "r"\nend\n')
        (error,) = raised.value.errors
        assert error.message.startswith(message) and len(error.message) < 100, error.message

    def test_rule_test_units_and_line(self, tmp_path, monkeypatch):
        """Units of 5,000 digits are a bad claim (RR613) and `on line` of 5,000 digits a line the claim lacks
        (RR612, the number shortened); they crashed the parser and the runner."""
        from radrules.testing.runner import Runner

        (tmp_path / "t.rr").write_text('rule t.x\n  when line.code is 74176\n  then info line "x"\n  reference "r"\nend\n')
        (tmp_path / "t.rrt").write_text(f'test "a"\n  claim\n    2026-04-06 74176 x{HUGE}\n  expect pass\nend\n'
                                        f'test "b"\n  claim\n    2026-04-06 74176\n  expect no t.x on line {HUGE}\nend\n')
        monkeypatch.chdir(tmp_path)
        rendered = Runner(cache_dir=None).run(["t.rrt"]).render()
        assert "error[RR613]: bad claim: lines[0].units: expected a positive number" in rendered
        assert "error[RR612]: the claim has no line 999999999999..." in rendered


class TestKeysGivenTwice:
    def test_json_value_refuses_them_at_their_object(self):
        """The second `units` would silently win: the text is refused, naming the key and its object."""
        text = '{"id": "C1", "lines": [{"units": 1}, {"code": "74176", "units": 1, "units": 9999}]}'
        with pytest.raises(json.JSONDecodeError) as raised:
            json_value(text)
        assert raised.value.msg == "the key `units` is given twice in one object"
        assert raised.value.pos == text.index('{"code"')

    def test_a_key_that_may_be_data_is_not_shown(self):
        """Objects keyed by member id: the key given twice is not named (it may be an identifier)."""
        with pytest.raises(json.JSONDecodeError) as raised:
            json_value('{"MBR-998877": 1, "MBR-998877": 2}')
        assert raised.value.msg == "a key is given twice in one object (not shown: it may be data)"

    def test_eval_refuses_the_file(self, tmp_path):
        path = tmp_path / "claims.json"
        path.write_text('{"id":"C1","lines":[{"code":"74176","date":"2026-04-06","units":1,"units":9999}]}')
        result = run("eval", str(path))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "the key `units` is given twice in one object at line 1, column 21" in result.stderr

    def test_history_file(self, tmp_path):
        path = tmp_path / "history.jsonl"
        path.write_text('{"patient_id": "M1", "code": "71046", "date": "2026-01-01", "date": "2026-02-01"}\n')
        with pytest.raises(radrules.InputError, match="the key `date` is given twice"):
            JsonlHistory(path)


class TestLongNamesAndStrings:
    def test_no_suggestion_for_a_long_word(self):
        """A 4,000-character name gets no suggestion (comparing it with every name took 78 s for 20 names;
        test_suggestions_never_compare_long_words checks that no comparison is made)."""
        names = ["s" * 4000 + str(i) for i in range(20)]
        assert did_you_mean("q" * 4000, names) is None
        assert did_you_mean("ct_haed", ["ct_head", "ct_body"]) == "ct_head"

    def test_a_long_unknown_claim_key_is_not_shown(self):
        """Longer than a field name: it may be data, and is not shown at all (it was cut to 40 characters)."""
        with pytest.raises(radrules.ClaimError) as raised:
            radrules.Claim.from_dict({"x" * 300_000: 1, "lines": [{"code": "71046", "date": DOS}]})
        assert str(raised.value) == "claim: a field of an unknown name (not shown: it may be data)"

    def test_a_long_string_still_reads_with_its_escapes(self):
        """A message of a million characters with escapes parses as before (test_a_long_string_takes_little_memory
        checks the memory)."""
        text = "a" * 1_000_000 + '\\"quoted\\"'
        rules = radrules.loads(f'rule t.x\n  when line.code is 71046\n  then info line "{text}"\n  reference "r"\nend\n')
        (finding,) = rules.evaluate(claim(line("71046", DOS))).findings
        assert finding.message == "a" * 1_000_000 + '"quoted"'


def with_long_value(field: str, value: str) -> dict:
    """A one-line claim with ``value`` in ``field``."""
    item = line("71046", DOS, modifiers=["26"], place_of_service="11", rendering_npi="1234567893")
    data = claim(item, diagnoses=["R07.89"], payer="medicare")
    if field == "code":
        item["code"] = value
    elif field == "modifier":
        item["modifiers"] = ["26", value]
    elif field in ("place_of_service", "rendering_npi"):
        item[field] = value
    elif field == "claim place_of_service":
        del item["place_of_service"]
        data["place_of_service"] = value
    elif field == "diagnosis":
        data["diagnoses"] = ["R07.89", value]
    else:
        data[field] = value
    return data


class TestLongValuesHoldNoMemory:
    FIELDS = ["code", "modifier", "place_of_service", "claim place_of_service", "diagnosis", "rendering_npi",
              "payer"]

    @pytest.mark.parametrize("field", FIELDS)
    def test_claims_with_long_values_leave_nothing_behind(self, bundled, field):
        """Claims each with a new 50 KB value in one field leave no memory behind once evaluated: the caches are
        bounded by their count of entries, and kept every value (30,000 such claims held 1.5 GB: the shape checks'
        and the line rules' caches, the diagnosis lists'; the re module's cache of the patterns that took the
        values out of messages)."""
        import gc
        import tracemalloc

        def run(first: int, count: int) -> None:
            for number in range(first, first + count):
                bundled.evaluate(with_long_value(field, f"{number:08d}" + "9" * 50_000))

        run(0, 5)  # what a first claim makes once (imports, a view's first keys)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            run(5, 200)  # 10 MB of values
            gc.collect()
            kept = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert kept < 500_000, f"{kept:,} bytes kept"

    def test_caches_keep_well_formed_texts_only(self, bundled):
        """The shape checks' answers, the well-formed diagnoses, the normalised diagnosis lists and the line-rule
        keys hold no malformed text after claims with long values in every field, or short ones (a member id, a
        name, a phone number: what a billing system puts in the wrong field), which stay in no memory beyond their
        claim; well-formed ones are remembered."""
        from radrules import checks, codes, evaluation

        for number, field in enumerate(self.FIELDS * 3):
            bundled.evaluate(with_long_value(field, f"{number:08d}" + "9" * 1000))
        planted = ("7404", "W12345678", "JANEDOE", "5551234567")
        for value in planted:
            for field in self.FIELDS:
                bundled.evaluate(with_long_value(field, value))
        texts = [text for check in (codes.is_procedure_code, codes.is_diagnosis, codes.is_icd9_diagnosis,
                                    codes.is_place_of_service, codes.npi_is_valid) for text in check.known]
        texts += [text for known in checks.WELL_FORMED for text in known]
        texts += [text for key, value in evaluation._NORMALIZED.items() for text in key + value]
        for view in bundled.views.values():
            for code, modifiers, place in view.lookup.line_rule_cache:
                texts += [code or "", *modifiers, place or ""]
        assert texts and max(map(len, texts)) <= codes.REMEMBERED_LENGTH
        assert not set(planted) & set(texts)
        assert "71046" in codes.is_procedure_code.known


class TestClaimSize:
    def test_at_most_999_lines(self):
        """Rules compare every pair of lines: 4,000 copies of a line took 105 s and 10 GB; an 837I claim has at
        most 999 lines, and a claim of more is refused on both read paths."""
        lines = [{"code": "74176", "date": DOS}] * 1000
        for read in (radrules.Claim.from_dict, lambda d: radrules.claim._read_claim_checked(d)):
            with pytest.raises(radrules.ClaimError, match=r"^lines: at most 999 service lines per claim"):
                read({"lines": lines})
        assert len(radrules.Claim.from_dict({"lines": lines[:999]}).lines) == 999


class TestNothingEchoed:
    def test_an_hl_level_that_is_no_level_code_is_not_shown(self):
        """HL03 holding a value (a member id, a date) is not put in the message."""
        text = (ROOT / "tests" / "data" / "x12" / "radiology-837p.edi").read_text()
        hl = re.search(r"HL\*2\*1\*22\*", text)
        assert hl is not None
        broken = text[:hl.start()] + "HL*2*1*SECRET123*" + text[hl.end():]
        items = list(radrules.read_x12(__import__("io").StringIO(broken)))
        problems = " ".join(str(item) for item in items if isinstance(item, radrules.InputError))
        assert "an HL of another level" in problems and "SECRET123" not in problems


class TestHistoryShape:
    @pytest.mark.parametrize("field, value, error", [
        ("charge", "SECRET-CHARGE", "history[0].charge: expected a number"),
        ("place_of_service", ["x"], "history[0].place_of_service: expected a text"),
        ("diagnosis_pointers", "abc", "history[0].diagnosis_pointers: expected a list"),
        ("end_date", "2026-02-30", "history[0].end_date: not a calendar date"),
        ("patient_id", ["M1"], "history[0].patient_id: expected a text"),
    ])
    def test_claim_line_fields_are_checked(self, field, value, error):
        """Fields a history line may carry but rules do not read are checked, not passed silently."""
        rules = radrules.loads('rule t.x\n  when line.code is 71046\n  then info line "x"\n  reference "r"\nend\n')
        history = [{"code": "74176", "date": "2026-01-01", field: value}]
        with pytest.raises(radrules.ClaimError, match=f"^{re.escape(error)}"):
            rules.evaluate(claim(line("71046", DOS)), history=history)

    def test_a_lookup_that_returns_nothing(self):
        class Broken:
            def lookup(self, patient_id, start, end):
                return None

        rules = radrules.loads('rule t.x\n  when line.code is 71046\n  then info line "x"\n  reference "r"\nend\n')
        with pytest.raises(radrules.ClaimError, match=r"^history: lookup\(\) must return a list"):
            rules.evaluate(claim(line("71046", DOS)), history=Broken())


def test_a_json_lines_line_that_is_not_utf8_is_named(tmp_path):
    """It is one claim that can't be read, named by its line as a line that is not JSON is (never shown: it
    may hold a patient's data); the claims before and after it are evaluated."""
    path = tmp_path / "claims.jsonl"
    good = json.dumps(claim(line("71046", DOS), id="A"))
    path.write_bytes(good.encode() + b'\n{"id": "B\xff"}\n' + good.replace('"A"', '"C"').encode() + b"\n")
    result = run("eval", str(path))
    assert "claim A: PASS" in result.stdout and "claim C: PASS" in result.stdout
    assert f"claim #2: ERROR {path}:2: not UTF-8 text\n" in result.stdout
    assert result.stdout.rstrip().endswith("3 claims: 2 passed, 0 failed, 1 not readable")
    assert "error" not in result.stderr and result.returncode == 1


def test_a_broken_first_json_lines_record_is_named_without_reading_on(tmp_path):
    """A first line cut short, then a whole record: JSON Lines whose line 1 is broken (it was read as one
    document to the end of the file, and refused at line 2): one claim that can't be read, then the next."""
    path = tmp_path / "claims.jsonl"
    good = json.dumps(claim(line("71046", DOS), id="B"))
    path.write_text(good[:-1] + "\n" + good + "\n")
    result = run("eval", str(path))
    assert f"claim #1: ERROR {path}:1: not JSON: Expecting ',' delimiter at column {len(good)}\n" in result.stdout
    assert "claim B: PASS" in result.stdout
    assert result.returncode == 1
    path.write_text(good[:-3] + "\n" + good + "\n")  # cut inside a string: broken before the line ends
    assert f"error: {path}: not JSON: Unterminated string starting at line 1, column" in run("eval", str(path)).stderr
    # one document whose service line is an object on a line of its own: read whole, not as broken JSON Lines
    path.write_text('{"id": "C1", "lines": [\n{"code": "71046", "date": "2026-03-02"}\n]}\n')
    assert "claim C1: " in run("eval", "--exit-zero", str(path)).stdout


def test_a_stream_broken_on_its_first_line_is_refused_before_it_ends():
    """`oops`, or bytes that are not UTF-8, on the first line of a pipe: refused at once, not after the writer
    closes it (an endless stream hung)."""
    for first in (b"oops\n", b"\xff\xfe{\n"):
        process = subprocess.Popen([sys.executable, "-m", "radrules", "eval", "-"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=dict(os.environ))
        process.stdin.write(first)
        process.stdin.flush()
        try:
            process.wait(timeout=60)  # the pipe stays open
        finally:
            process.kill()
            process.stdin.close()
        assert process.returncode == 1
        assert b"error: <stdin>: not" in process.stderr.read()
        process.stdout.close()
        process.stderr.close()


def test_a_device_is_refused():
    """A device (the null device: every system has one) is refused before it is read: /dev/zero, endless, hung."""
    result = run("eval", os.devnull)
    assert f"error: {os.devnull}: is a device, not a file of claims" in result.stderr and result.returncode == 1


@pytest.mark.parametrize("text, problem", [
    (b'[{"id": "A", "id": "B"}]', "not JSON: the key `id` is given twice in one object"),
    (b'[{"units": ' + HUGE.encode() + b"}]", None),
    (b'{"id": "A", "id": "B"}\n', "not JSON: the key `id` is given twice in one object at column 1"),
], ids=["array, key twice", "array, huge number", "lines, key twice"])
def test_diff_claim_files(text, problem):
    """`radrules diff --claims` reads arrays and JSON Lines with the same checks (a huge number crashed it)."""
    import io

    from radrules.diff.claims import Unreadable, read_claim_file

    [(number, item)] = list(read_claim_file(io.BufferedReader(io.BytesIO(text))))
    if problem is None:
        assert item == {"units": sys.float_info.max}
    else:
        assert isinstance(item, Unreadable) and item.problem == problem


def test_diff_array_reads_on_after_a_claim_with_a_key_twice():
    """The array is whole: the claim with a key twice is unreadable, and the claims after it are read."""
    import io

    from radrules.diff.claims import read_claim_file

    text = b'[{"id": "A"}, {"id": "B", "id": "C"}, {"id": "D"}]'
    items = list(read_claim_file(io.BufferedReader(io.BytesIO(text))))
    assert [(number, item if isinstance(item, dict) else item.problem) for number, item in items] == [
        (1, {"id": "A"}), (2, "not JSON: the key `id` is given twice in one object"), (3, {"id": "D"})]


def test_diff_json_lines_with_a_byte_order_mark():
    import io

    from radrules.diff.claims import read_claim_file

    text = b'\xef\xbb\xbf{"id": "A"}\n{"id": "B"}\n'
    assert [item for _, item in read_claim_file(io.BufferedReader(io.BytesIO(text)))] == [{"id": "A"}, {"id": "B"}]


def test_a_huge_number_through_a_pipe(tmp_path):
    """Read from standard input, the first line is probed as JSON: a number too long for int() is no crash."""
    text = '{"lines": [{"code": "77067", "date": "2026-03-02", "units": %s}]}\n' % HUGE
    result = subprocess.run([sys.executable, "-m", "radrules", "eval", "-"], input=text, capture_output=True,
                            text=True, cwd=ROOT, env=dict(os.environ), timeout=120)
    assert "Traceback" not in result.stderr and "lines[0].units: expected a number under 10^15" in result.stdout


def test_a_lower_digit_limit_of_python():
    """With Python's digit limit set lower (PYTHONINTMAXSTRDIGITS), a number past it is still no crash."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        assert json_value("1" * 1000) == sys.float_info.max
    finally:
        sys.set_int_max_str_digits(old)


def test_suggestions_never_compare_long_words(monkeypatch):
    """A word over 64 characters is compared with no name (each comparison costs the product of lengths)."""
    from radrules import errors

    def refused(*args, **kwargs):
        raise AssertionError("edit_distance called")

    monkeypatch.setattr(errors, "edit_distance", refused)
    assert errors.did_you_mean("q" * 65, ["q" * 64, "q" * 66]) is None


def test_a_long_string_takes_little_memory():
    """Reading a 2 MB string allocated 447 MB (the string pattern kept state per character); now a few MB.
    tracemalloc sees the regular expression engine's allocations."""
    import tracemalloc

    radrules.loads('rule t.warm\n  when line.code is 71046\n  then info line "x"\n  reference "r"\nend\n')  # parser built
    text = 'rule t.x\n  when line.code is 71046\n  then info line "' + "x" * 2_000_000 + '"\n  reference "r"\nend\n'
    tracemalloc.start()
    try:
        radrules.loads(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60 * 2 ** 20, f"{peak / 2 ** 20:.0f} MB"


class TestSetsExceptPrefixes:
    def test_prefixes_are_looked_up_not_compared_pairwise(self, monkeypatch):
        """N diagnosis prefixes `except` N narrower ones tested every excluded prefix against every included one
        (24,000 of each, 360 kB of rule text: two minutes); now each is looked up among the sorted prefixes.
        The prefixes are made a str that counts the prefix tests made on it."""
        from radrules import codes

        tests = [0]

        class Counted(str):
            def startswith(self, *args):
                tests[0] += 1
                return str.startswith(self, *args)

        normalize = codes.normalize_diagnosis
        monkeypatch.setattr(codes, "normalize_diagnosis", lambda text: Counted(normalize(text)))
        n = 600
        names = [f"{chr(65 + i // 100)}{i % 100:02d}" for i in range(n)]
        rules = radrules.loads(f"diagnoses x = {', '.join(f'{p}*' for p in names)} "
                               f"except {', '.join(f'{p}1*' for p in names)}\n" + _SETS_RULE)
        assert tests[0] < 10 * n  # was n * n and more
        assert _members(rules, ["A01", "A011", "A012", "F99", "F991", "G00"]) == {"A01", "A012", "F99"}

    def test_except_takes_out_what_a_plain_reading_does(self):
        """Random sets of codes and prefixes, `except` codes, prefixes and other sets (nested `except`),
        compared code by code with reading the definitions directly."""
        import itertools
        import random

        rng = random.Random(7)
        universe = ["A1" + "".join(rest) for k in (1, 2, 3) for rest in itertools.product("12", repeat=k)]
        words = universe + ["A*", "A1*"] + [code + "*" for code in universe if len(code) < 5]
        for _ in range(150):
            sets = {}
            for name in ("s1", "s2", "x"):  # each `except` something; x often a set, with its own `except`
                pool = words + list(sets)
                excluded = rng.sample(words, rng.randint(0, 3)) + rng.sample(list(sets), min(len(sets), 1))
                sets[name] = (rng.sample(pool, rng.randint(1, 4)), excluded or rng.sample(words, 1))
            text = "".join(f"diagnoses {name} = {', '.join(inc)}" + (f" except {', '.join(exc)}" if exc else "")
                           + "\n" for name, (inc, exc) in sets.items())
            expected = {code for code in universe if _plainly_in(sets, "x", code)}
            assert _members(radrules.loads(text + _SETS_RULE), universe) == expected, text


_SETS_RULE = 'rule t.x\n  when claim.diagnoses has any of x\n  then info claim "x"\n  reference "r"\nend\n'


def _members(rules, diagnoses) -> set:
    return {code for code in diagnoses
            if rules.evaluate(claim(line("71046", DOS), diagnoses=[code], payer="p")).findings}


def _plainly_in(sets, name, code) -> bool:
    def matches(item):  # a prefix, or a listed code: it and the codes under it (language.md)
        if item in sets:
            return _plainly_in(sets, item, code)
        return code.startswith(item[:-1]) if item.endswith("*") else code.startswith(item)
    included, excluded = sets[name]
    return any(matches(item) for item in included) and not any(matches(item) for item in excluded)


class TestContentWhereAPathGoes:
    """An API reviewer's finding: a claim's text given where a path goes (`read_fhir(text)`) was opened as a path,
    and the InputError carried the whole text, its patient's data with it, into the caller's log."""

    PATIENT = "Jane Q. Smith, born 1958-03-14, member M-55012"

    @pytest.mark.parametrize("read, text, what", [
        (lambda source: list(radrules.read_fhir(source)),
         '{"resourceType": "Claim", "patient": {"display": "%s"}}', "a FHIR file"),
        (lambda source: list(radrules.read_x12(source)), "ISA*00*          *00*%s~", "an X12 file"),
        (lambda source: radrules.read_history(source), '{"code": "74177", "date": "2026-03-02", "x": "%s"}\n',
         "a history file"),
        (lambda source: radrules.diff_outcomes(RULES, RULES, source), "%s\n", "a claims file"),
    ])
    def test_refused_without_showing_it(self, read, text, what):
        with pytest.raises(radrules.InputError) as caught:
            read(text % self.PATIENT)
        assert caught.value.file is None
        assert str(caught.value) == (f"expected the path of {what} or an open file: this text looks like the content "
                                     "of one, not its path (pass the text as `io.StringIO(text)`)")

    def test_a_path_that_begins_like_x12_is_still_a_path(self, tmp_path):
        (tmp_path / "ISA_files").mkdir()
        with pytest.raises(radrules.InputError, match="ISA_files/none.x12: can't read the file"):
            list(radrules.read_x12(str(tmp_path / "ISA_files" / "none.x12")))

    @pytest.mark.parametrize("name", ["[2026-Q3]/claims.edi", "{tenant}/claims.edi", "ISA~1.EDI", "<x>.edi"])
    def test_real_paths_that_look_odd_are_read(self, tmp_path, monkeypatch, name):
        """A maintainer's read: names that begin with `[`, `{`, `<` or `ISA` are paths too, as text or as a
        Path, relative or not."""
        x12 = ROOT / "tests" / "data" / "x12" / "radiology-837p.edi"
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(x12.read_bytes())
        monkeypatch.chdir(tmp_path)
        expected = len(list(radrules.read_x12(x12)))
        for source in (name, Path(name), str(tmp_path / name)):
            assert len(list(radrules.read_x12(source))) == expected

    def test_a_nul_in_a_path_is_an_input_error(self):
        for read in (lambda s: list(radrules.read_x12(s)), lambda s: list(radrules.read_fhir(s)), radrules.read_history):
            with pytest.raises(radrules.InputError, match="a path holds no NUL character"):
                read("a\0b")

    def test_bytes_are_the_content(self):
        """A request's body, as bytes, is read as the file's content by the X12 and FHIR readers."""
        def read(reader, path: Path, source) -> list:  # claims as dicts, errors by their place and problem
            return [(c.segment, c.path, c.problem) if isinstance(c, radrules.InputError) else c.to_dict()
                    for c in reader(source)]

        for reader, path in ((radrules.read_x12, ROOT / "tests" / "data" / "x12" / "radiology-837p.edi"),
                             (radrules.read_fhir, ROOT / "tests" / "data" / "fhir" / "radiology-claim.json")):
            from_file = read(reader, path, path)
            assert from_file and read(reader, path, path.read_bytes()) == from_file

    @pytest.mark.parametrize("read", [radrules.read_x12, radrules.read_fhir])
    def test_another_type_is_an_input_error(self, read):
        with pytest.raises(radrules.InputError, match="not int"):
            list(read(12))

    def test_a_missing_claims_file_of_diff_outcomes(self, tmp_path):
        with pytest.raises(radrules.InputError, match="missing.jsonl: can't read the file: No such file"):
            radrules.diff_outcomes(RULES, RULES, tmp_path / "missing.jsonl")


RULES = radrules.loads('rule t.x "x"\n  when line.code is 70450\n  then info line "x"\n  reference "test"\nend\n',
                       name="t.rr")


@pytest.mark.parametrize("call, message", [
    (lambda: radrules.loads(None), "loads(): `text` must be a str, not NoneType"),
    (lambda: radrules.loads(b"rule"), "loads(): `text` must be a str, not bytes"),
    (lambda: radrules.loads("", name=None), "loads(): `name` must be a str, not NoneType"),
    (lambda: radrules.load(bundled=True, extra=[("x.rr", 5)]), "load(): `text` must be a str, not int"),
    (lambda: radrules.load(bundled=True, extra=["x.rr"]), "load(): `extra` holds (name, text) pairs, not str"),
    (lambda: radrules.format_rules(None), "format_rules(): `text` must be a str, not NoneType"),
    (lambda: radrules.to_fhir_claim_response(None), "to_fhir_claim_response(): `result` must be a Result"),
    (lambda: radrules.diff_rulesets(None, RULES), "diff_rulesets(): `old` must be a Ruleset"),
])
def test_an_argument_of_another_type_is_a_type_error_that_says_so(call, message):
    """An API reviewer's finding: such calls failed deep inside with an AttributeError."""
    with pytest.raises(TypeError) as caught:
        call()
    assert str(caught.value).startswith(message)
