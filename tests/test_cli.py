"""The `radrules` command, run as a subprocess (`python -m radrules`): outputs and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import radrules
from radrules import _resources

from builders import EXAMPLES, ROOT, claim, example_claims, line

DOS = "2026-03-02"
PASSING = claim(line("71046", DOS), id="P-1")
FAILING = claim(line("77063", DOS), id="F-1")


def run(*args: str, stdin: str | None = None, cwd=ROOT) -> subprocess.CompletedProcess:
    """Run `python -m radrules ARGS` with this environment (PYTHONPATH included)."""
    return subprocess.run(
        [sys.executable, "-m", "radrules", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, env=dict(os.environ), timeout=60,
    )


@pytest.fixture(scope="module")
def broken_rules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules")
    path = folder / "broken.rr"
    path.write_text('rule cli.broken\n  when line.modifer has 59\n  then deny line "x"\n  reference "t"\nend\n')
    return path


class TestEval:
    def test_examples_as_text(self):
        """`eval` on the example claims prints each verdict and a summary, and exits 2 when some fail."""
        done = run("eval", str(EXAMPLES))
        assert done.returncode == 2, done.stderr
        assert done.stdout.rstrip().endswith("22 claims: 10 passed, 12 failed")
        assert "claim C-1001: PASS  (lines: 1 pay)" in done.stdout
        assert "claim C-1002: FAIL  (lines: 1 pay, 2 deny)" in done.stdout
        assert "  deny   line 2     acme.ptp (ptp)  CO-97 M80" in done.stdout
        assert "         at rulesets/payers/acme.rr:" in done.stdout

    def test_examples_as_json_lines(self, bundled):
        """`--format json` prints one JSON result per claim, equal to the library's results."""
        done = run("eval", "--format", "json", str(EXAMPLES))
        assert done.returncode == 2
        printed = [json.loads(text) for text in done.stdout.splitlines()]
        assert printed == [bundled.evaluate(c).to_dict() for c in example_claims()]

    def test_exit_zero(self):
        """`--exit-zero` exits 0 even when claims fail."""
        done = run("eval", "--exit-zero", str(EXAMPLES))
        assert done.returncode == 0
        assert "12 failed" in done.stdout

    def test_all_pass_exits_zero(self, tmp_path):
        """When every claim passes, `eval` exits 0."""
        path = tmp_path / "good.json"
        path.write_text(json.dumps([PASSING, PASSING]))
        done = run("eval", str(path))
        assert done.returncode == 0
        assert done.stdout.rstrip().endswith("2 claims: 2 passed, 0 failed")

    def test_stdin(self):
        """`-` reads the claims from standard input."""
        done = run("eval", "--format", "json", "-", stdin=json.dumps(FAILING))
        assert done.returncode == 2
        (result,) = [json.loads(text) for text in done.stdout.splitlines()]
        assert (result["claim"], result["passed"]) == ("F-1", False)
        assert [f["rule"] for f in result["findings"]] == ["radiology.addon"]

    def test_json_lines_input(self):
        """JSON Lines (one claim per line, blank lines allowed) is read claim by claim."""
        text = json.dumps(PASSING) + "\n\n" + json.dumps(FAILING) + "\n"
        done = run("eval", "--format", "json", "-", stdin=text)
        assert [json.loads(t)["claim"] for t in done.stdout.splitlines()] == ["P-1", "F-1"]
        assert done.returncode == 2

    def test_json_lines_break_only_at_line_feeds(self, tmp_path):
        """A JSON Lines claim holding U+2028 or U+0085 in a string is one line; CRLF line ends are read too."""
        odd = dict(PASSING, payer="line\u2028separator\x85next")
        path = tmp_path / "claims.jsonl"
        path.write_bytes((json.dumps(odd, ensure_ascii=False) + "\r\n" + json.dumps(FAILING) + "\r\n").encode())
        done = run("eval", "--format", "json", str(path))
        assert [json.loads(t)["claim"] for t in done.stdout.splitlines()] == ["P-1", "F-1"]
        assert done.returncode == 2

    @pytest.mark.parametrize("text, message, stream", [
        ("[" * 100_000, "claims.json: not JSON: nested too deeply at line 1, column 1", "stderr"),
        # a JSON Lines line: one claim that can't be read, reported in the results
        (json.dumps(PASSING) + "\n" + "[" * 100_000 + "\n", "claim #2: ERROR ", "stdout"),
        ("[" * 100_000 + "\n" + json.dumps(PASSING) + "\n", "claims.json: not JSON: nested too deeply at line 1",
         "stderr"),
    ])
    def test_json_nested_too_deeply_is_an_error_not_a_crash(self, tmp_path, text, message, stream):
        """JSON nested deeper than Python can read is refused with a message, exit 1, never a traceback."""
        path = tmp_path / "claims.json"
        path.write_text(text)
        done = run("eval", str(path))
        assert done.returncode == 1
        assert message in getattr(done, stream) and "Traceback" not in done.stderr
        if stream == "stdout":
            assert "claims.json:2: not JSON: nested too deeply at column 1" in done.stdout

    def test_history_nested_too_deeply_is_an_error_not_a_crash(self, tmp_path):
        """A history line nested deeper than Python can read names the file and line, exit 1."""
        (tmp_path / "history.jsonl").write_text("[" * 100_000 + "\n")
        done = run("eval", "--history", str(tmp_path / "history.jsonl"), "examples/claims.json")
        assert done.returncode == 1
        assert "history.jsonl" in done.stderr and "line 1" in done.stderr and "Traceback" not in done.stderr

    def test_history_and_payers_files_with_a_byte_order_mark_are_read(self, tmp_path):
        """Windows tools (PowerShell's `Out-File -Encoding utf8`) start a file with a byte order mark and end lines
        with CR LF: `--history` and `--payers` read such files as claim files are read (they said "not JSON")."""
        bom = "\ufeff"
        (tmp_path / "history.jsonl").write_text(bom + json.dumps({"code": "70450", "date": "2026-01-05"}) + "\r\n",
                                                encoding="utf-8")
        (tmp_path / "payers.json").write_text(bom + json.dumps({"00123": "acme"}) + "\r\n", encoding="utf-8")
        done = run("eval", "--exit-zero", "--history", str(tmp_path / "history.jsonl"), "--payers",
                   str(tmp_path / "payers.json"), "examples/claims.json")
        assert done.returncode == 0, done.stderr
        assert "22 claims:" in done.stdout and "error" not in done.stderr

    def test_empty_input(self):
        """No claims at all is not an error."""
        done = run("eval", "-", stdin="\n")
        assert done.returncode == 0
        assert done.stdout.strip() == "0 claims: 0 passed, 0 failed"

    def test_bad_claim_shape(self):
        """A claim of the wrong shape exits 1, names the field path, and the other claims are still evaluated."""
        bad = claim(line("70450", DOS, units=0), id="B-1", prior_auth="PA-SECRET-1")
        done = run("eval", "-", stdin=json.dumps([PASSING, bad]))
        assert done.returncode == 1
        assert "claim #2: ERROR lines[0].units: expected a positive number" in done.stdout
        assert "claim P-1: PASS" in done.stdout
        assert done.stdout.rstrip().endswith("2 claims: 1 passed, 0 failed, 1 not readable")
        assert "PA-SECRET-1" not in done.stdout + done.stderr

    def test_bad_claim_shape_as_json(self):
        """In JSON output a bad claim is an error record with its position and the field path."""
        done = run("eval", "--format", "json", "-", stdin=json.dumps([{"lines": [{"code": "70450"}]}]))
        assert done.returncode == 1
        assert json.loads(done.stdout) == {"claim": None, "position": 1, "error": "lines[0].date: required"}

    def test_input_that_is_not_json(self):
        """Input that is neither JSON nor JSON Lines exits 1 with a message on stderr."""
        done = run("eval", "-", stdin="claims, please\n")
        assert done.returncode == 1
        assert done.stderr.startswith("error: <stdin>: not JSON")

    def test_missing_claims_file(self, tmp_path):
        """A claims file that does not exist exits 1."""
        done = run("eval", str(tmp_path / "nothing.json"))
        assert done.returncode == 1
        assert "can't read" in done.stderr

    def test_broken_rules(self, broken_rules):
        """`--rules` pointing at a broken rule file exits 3 with the rendered diagnostic on stderr."""
        done = run("eval", "--rules", str(broken_rules), str(EXAMPLES))
        assert done.returncode == 3
        assert done.stdout == ""
        assert f"{broken_rules.parent.name}/broken.rr:2:13: error[RR204]: unknown field `modifer` of `line`" in done.stderr
        assert "    2 |   when line.modifer has 59\n      |             ^^^^^^^" in done.stderr
        assert "= help: did you mean `modifiers`?" in done.stderr

    def test_own_rules(self, tmp_path):
        """`--rules` evaluates with the given rule file instead of the bundled rules."""
        path = tmp_path / "own.rr"
        path.write_text('rule own.rule\n  when line.code is 71046\n  then deny line "no"\n  reference "t"\nend\n')
        done = run("eval", "--format", "json", "--rules", str(path), "-", stdin=json.dumps(PASSING))
        assert done.returncode == 2
        assert [f["rule"] for f in json.loads(done.stdout)["findings"]] == ["own.rule"]

    @pytest.mark.parametrize("command", ["eval", "explain"])
    def test_strict_stops_on_a_warning_of_the_rules(self, tmp_path, command):
        """With `--strict`, a warning of the rules (here a PTP file cut short: RR521, whose missing rows would have
        let claims through) stops the command before any claim is read: the warning and why on stderr, nothing on
        stdout, exit 3. Without a warning, `--strict` changes nothing; without `--strict`, the warning is printed
        and the claims are evaluated."""
        (tmp_path / "cms" / "ccipra").mkdir(parents=True)
        (tmp_path / "cms" / "ccipra" / "ccipra-v322r0-f1.TXT").write_bytes(
            b"Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"
            b"74176\t74150\t\t20110101\t*\t0\tMisuse of column two code with column one co")  # no line end
        (tmp_path / "main.rr").write_text('table ptp "cms/ccipra"\n')
        done = run(command, "--strict", "--rules", str(tmp_path), "-", stdin=json.dumps(PASSING))
        assert done.returncode == 3 and done.stdout == ""
        assert "warning[RR521]" in done.stderr
        assert done.stderr.rstrip().endswith(
            "error: 1 warning in the rules, which --strict counts as errors: no claim was evaluated")
        loose = run(command, "--rules", str(tmp_path), "-", stdin=json.dumps(PASSING))
        assert loose.returncode == 0 and "warning[RR521]" in loose.stderr and loose.stdout, loose.stderr
        clean = run(command, "--strict", "--rules", "rulesets/payers/acme.rr", "-", stdin=json.dumps(PASSING))
        assert clean.returncode == 0 and "warning" not in clean.stderr and clean.stdout, clean.stderr


@pytest.mark.parametrize("command", ["eval", "explain", "check", "test"])
def test_strict_does_not_stop_on_a_cache_folder_that_cannot_be_used(tmp_path, command):
    """A table cache folder that can't be used (RR530: here a file is in its way) makes every new process read
    the tables from their files, and changes no result: `--strict` prints it and goes on (it stopped every strict
    job of a fleet whose cache volume was full or read-only), while a warning of the rules still stops it."""
    (tmp_path / "cms").mkdir()
    (tmp_path / "cms" / "ccipra-v322r0-f1.TXT").write_bytes(
        b"Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"
        b"74176\t74150\t\t20110101\t*\t0\tMisuse of column two code with column one code\r\n")
    (tmp_path / "main.rr").write_text('table ptp "cms/ccipra-v322r0-f1.TXT"\n')
    (tmp_path / "main.rrt").write_text('test "the pair"\n  claim\n    2026-03-02 74176\n    2026-03-02 74150\n'
                                       '  expect ncci.ptp on line 2 deny\nend\n')
    (tmp_path / "in-the-way").write_text("")
    cache = ["--cache-dir", str(tmp_path / "in-the-way")]
    rules = [str(tmp_path)] if command in ("check", "test") else ["--rules", str(tmp_path), "-"]
    done = run(command, "--strict", *cache, *rules, stdin=json.dumps(PASSING))
    assert done.returncode == 0 and "warning[RR530]" in done.stderr and "--strict" not in done.stderr, done.stderr
    (tmp_path / "cms" / "ccipra-v322r0-f1.TXT").write_bytes(
        b"Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"
        b"74176\t74150\t\t20110101\t*\t0\tMisuse of column two code with column one co")  # cut short: RR521
    done = run(command, "--strict", *cache, *rules, stdin=json.dumps(PASSING))
    assert done.returncode == 3 and "warning[RR521]" in done.stderr and "warning[RR530]" in done.stderr
    assert "1 warning" in done.stderr.splitlines()[-1], done.stderr  # RR521, not RR530


class TestCheck:
    def test_bundled_rules(self):
        """`check` on the bundled rules exits 0 with a summary."""
        described = radrules.load().describe()
        done = run("check")
        assert done.returncode == 0
        assert done.stdout.strip() == (
            f"ok: radrules: {described['files']} files, {described['rules']} rules, {described['pair_rows']} pair edits, "
            f"{described['limit_rows']} unit limits, {described['addon_rows']} add-on edits\n"
            f"ruleset headers: {', '.join(f'{name} {version}' for name, version in described['versions'].items())}\n"
            f"payers named: {', '.join(described['payers'])}")
        assert "radrules.payers.medicare 2026.11" in done.stdout  # the header's name, not the file's (`medicare`)

    def test_bundled_rules_as_json(self):
        """`check --format json` reports ok, the summary and no diagnostics."""
        done = run("check", "--format", "json", "rulesets")
        assert done.returncode == 0
        report = json.loads(done.stdout)
        assert report["ok"] is True and report["diagnostics"] == []
        assert report["summary"]["payers"] == ["acme", "medicare"]

    def test_broken_file(self, broken_rules):
        """`check` on a broken file exits 3 and prints every diagnostic."""
        done = run("check", str(broken_rules))
        assert done.returncode == 3
        assert "error[RR204]: unknown field `modifer` of `line`" in done.stderr
        assert done.stderr.rstrip().endswith("1 error")

    def test_broken_file_as_json(self, broken_rules):
        """`check --format json` on a broken file prints the diagnostics as JSON."""
        done = run("check", "--format", "json", str(broken_rules))
        assert done.returncode == 3
        report = json.loads(done.stdout)
        assert report["ok"] is False
        assert [(d["code"], d["line"], d["column"]) for d in report["diagnostics"]] == [("RR204", 2, 13)]

    def test_warnings_do_not_fail(self, tmp_path):
        """Warnings are printed on stderr, counted in the summary, and exit 0."""
        path = tmp_path / "warn.rr"
        path.write_text('rule w.w\n  when line.units > 1\n  then warn line "x"\nend\n')
        done = run("check", str(path))
        assert done.returncode == 0
        assert "warning[RR260]" in done.stderr
        assert done.stdout.strip().endswith("add-on edits, 1 warning")

    def test_strict_makes_warnings_fail(self, tmp_path):
        """`check --strict` exits 3 on a warning (text: the warning, the summary, then why it failed; JSON: `ok`
        false), and 0 without one."""
        path = tmp_path / "warn.rr"
        path.write_text('rule w.w\n  when line.units > 1\n  then warn line "x"\nend\n')
        done = run("check", "--strict", str(path))
        assert done.returncode == 3
        assert "warning[RR260]" in done.stderr
        assert done.stderr.rstrip().endswith("failed: 1 warning, which --strict counts as errors")
        assert done.stdout.strip().endswith("add-on edits, 1 warning")
        done = run("check", "--strict", "--format", "json", str(path))
        assert done.returncode == 3
        report = json.loads(done.stdout)
        assert report["ok"] is False and [d["code"] for d in report["diagnostics"]] == ["RR260"]
        clean = run("check", "--strict", "rulesets/payers/acme.rr")
        assert clean.returncode == 0 and clean.stdout.startswith("ok: acme: "), clean.stderr

    def test_a_payer_misspelt_in_a_condition_is_warned_and_listed(self, tmp_path):
        """`claim.payer is not acmee` beside `for payer acme` (a reviewer's repro: the rule denied Acme's claims,
        and `check` said ok naming `acme` only): RR269 at `acmee`, and both names in `payers named` and in the
        JSON summary's `payers`."""
        path = tmp_path / "typo.rr"
        path.write_text('rule acme.ct.pa\n  for payer acme\n  when line.code in [70450-70498]\n'
                        '  then review line "x"\n  reference "r"\nend\n'
                        'rule plans.ct.ga\n  when line.code in [70450-70498]\n   and claim.payer is not acmee\n'
                        '  then review line "x"\n  reference "r"\nend\n', encoding="utf-8")
        done = run("check", str(path))
        assert done.returncode == 0
        assert "typo.rr:9:27: warning[RR269]: payer `acmee` is one letter from payer `acme`" in done.stderr
        assert done.stdout.splitlines()[-1] == "payers named: acme, acmee"
        report = json.loads(run("check", "--format", "json", str(path)).stdout)
        assert report["summary"]["payers"] == ["acme", "acmee"]
        assert [(d["code"], d["line"], d["column"]) for d in report["diagnostics"]] == [("RR269", 9, 27)]

    def test_a_pair_written_the_other_way_round_is_a_warning(self, tmp_path):
        """RR268 (a payer's pair written the other way round from the table's) is a warning: `check` exits 0,
        counts it in the text summary and gives it as a warning in JSON."""
        (tmp_path / "rules" / "cms").mkdir(parents=True)
        (tmp_path / "rules" / "cms" / "ccipra-v321r0-f1.TXT").write_text(
            "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"
            "74176\t74150\t\t20110101\t*\t0\tMisuse of column two code with column one code\n", encoding="latin-1")
        (tmp_path / "rules" / "main.rr").write_text(
            'table ptp "cms/ccipra-v321r0-f1.TXT"\npairs acme.ptp for payer acme\n  reference "r"\n'
            '  pair 74150 with 74176 modifier 1\nend\n', encoding="utf-8")
        done = run("check", "--cache-dir", "", str(tmp_path / "rules"))
        assert done.returncode == 0
        assert "warning[RR268]" in done.stderr
        assert done.stdout.splitlines()[0].endswith("add-on edits, 1 warning")
        done = run("check", "--cache-dir", "", "--format", "json", str(tmp_path / "rules"))
        assert done.returncode == 0
        report = json.loads(done.stdout)
        assert report["ok"] is True
        assert [(d["code"], d["severity"], d["line"]) for d in report["diagnostics"]] == [("RR268", "warning", 4)]

    def test_version(self):
        """`--version` prints the package version."""
        done = run("--version")
        assert done.returncode == 0
        assert done.stdout.strip() == f"radrules {radrules.__version__}"


@pytest.mark.parametrize("command", ["eval", "explain"])
def test_text_output_of_a_lone_surrogate_is_escaped_not_a_crash(command):
    """JSON may carry a lone surrogate (`\\ud800`); a code holding one is not shown (checks.quotable), the
    other claims and the summary follow (it raised UnicodeEncodeError and lost the whole output). A claim id
    holding one is refused, unshown: the result would echo it, and no UTF-8 JSON carries it."""
    claims = ('{"id": "A", "lines": [{"code": "7\\ud800", "date": "2026-03-02"}]}\n'
              '{"id": "C\\ud800", "lines": [{"code": "71046", "date": "2026-03-02"}]}\n'
              '{"id": "B", "lines": [{"code": "71046", "date": "2026-03-02"}]}\n')
    done = run(command, "--exit-zero", "-", stdin=claims) if command == "eval" else run(command, "-", stdin=claims)
    assert "Traceback" not in done.stderr, done.stderr
    assert "claim A: FAIL" in done.stdout
    assert "line 1's procedure code is not a valid CPT/HCPCS code (2 characters, not shown)" in done.stdout
    assert "id: holds a control or invisible character (not shown)" in done.stdout + done.stderr
    assert "\\ud800" not in done.stdout + done.stderr
    assert "claim B" in done.stdout


def test_json_output_shows_no_member_id_put_in_a_code_field():
    """`eval --format json` (its own JSON writer) holds no copy of a member id put in the code, modifier, place
    of service or diagnosis fields: the format findings describe each, and every other finding leaves it out."""
    member_id = "W123456789"
    data = claim(line(member_id, "2026-03-02", modifiers=[member_id], place_of_service=member_id,
                      diagnosis_pointers=[1]), diagnoses=[member_id], place_of_service=member_id)
    done = run("eval", "--bundled", "--format", "json", "--exit-zero", "-", stdin=json.dumps(data) + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("not shown") == 5 and member_id not in done.stdout

class TestOutputAndUsage:
    @pytest.mark.parametrize("args", [("eval", "--jobs", "0", "x.json"), ("eval", "--format", "xml", "x.json"), (),
                                      ("diff", "--limit-examples", "-1", "a", "b")],
                             ids=["jobs 0", "unknown format", "no command", "negative limit"])
    def test_a_usage_error_exits_1_not_2(self, args):
        """A usage error is "any other failure" (1): 2 means a claim failed, and scripts read it so."""
        done = run(*args)
        assert done.returncode == 1
        assert "usage: radrules" in done.stderr and "error:" in done.stderr

    @pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
    @pytest.mark.parametrize("args", [("eval", str(EXAMPLES)), ("check",)], ids=["eval", "check"])
    def test_output_that_cannot_be_written_is_an_error_not_a_traceback(self, args):
        """A full disk under standard output: one error line, exit 1."""
        with open("/dev/full", "w") as full:
            done = subprocess.run([sys.executable, "-m", "radrules", *args], stdout=full, stderr=subprocess.PIPE,
                                  text=True, cwd=ROOT, env=dict(os.environ), timeout=60)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert "error: can't write the output: No space left on device" in done.stderr

    @pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
    def test_the_summary_after_a_failed_write_counts_the_processes_used(self):
        """A small input runs in one process even with `--jobs 2`; a write that fails does not make the
        summary say "2 jobs" (it gave the asked-for number, not the one used)."""
        with open("/dev/full", "w") as full:
            done = subprocess.run([sys.executable, "-m", "radrules", "eval", "--jobs", "2", str(EXAMPLES)],
                                  stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ),
                                  timeout=60)
        assert done.returncode == 1
        assert "claims/s, 1 job)" in done.stderr and "2 jobs" not in done.stderr

    def test_a_reader_that_leaves_early_is_an_interruption(self, tmp_path):
        """`eval ... | head -1`: the reader leaves, eval exits 1 (not 0: not every claim passed), and still
        writes its summary, marked interrupted, to standard error and --summary-json."""
        path = tmp_path / "claims.jsonl"
        path.write_text("".join(json.dumps(dict(FAILING, id=f"F-{n}")) + "\n" for n in range(20000)))
        summary = tmp_path / "summary.json"
        process = subprocess.Popen([sys.executable, "-m", "radrules", "eval", "--jobs", "1", "--summary-json",
                                    str(summary), str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   cwd=ROOT, env=dict(os.environ))
        process.stdout.readline()
        process.stdout.close()  # as `head -1` does
        err = process.stderr.read().decode()
        assert process.wait(timeout=60) == 1
        assert "Traceback" not in err and "summary (interrupted):" in err
        assert json.loads(summary.read_text())["interrupted"] is True


class TestClosedStreams:
    """A standard stream closed by the caller (`>&-`, `2>&-`, `<&-`): never a traceback."""

    @staticmethod
    def eval_with(number: int, *args, wrapper: bool = False):
        """`radrules eval ARGS` with file descriptor ``number`` closed; ``wrapper``: started by a shell script
        (as a version manager's `python` is), whose own file then holds that descriptor, open for reading."""
        command = [sys.executable, "-m", "radrules", "eval", *map(str, args)]
        if wrapper:
            command = ["sh", "-c", f'exec {number}<"$0"; exec "$@"', str(EXAMPLES), *command]
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=120,
                              preexec_fn=None if wrapper else (lambda: os.close(number)))

    def test_standard_output_closed(self, tmp_path):
        """Reported on standard error as output that can't be written, before any claim is read: the summary
        marked interrupted, also in --summary-json, exit 1 (it was a traceback: `'NoneType' object ...`)."""
        summary = tmp_path / "summary.json"
        done = self.eval_with(1, "--summary-json", summary, EXAMPLES)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith("error: can't write the output: standard output is closed\n"
                                      "summary (interrupted): 0 claims")
        assert json.loads(summary.read_text())["interrupted"] is True

    @pytest.mark.parametrize("wrapper", [False, True], ids=["closed", "held for reading"])
    def test_standard_error_closed(self, tmp_path, wrapper):
        """The results and --summary-json are written and the exit code is the claims' (the summary file was
        lost, exit 1), also when standard error's descriptor is a file open for reading (every write fails)."""
        summary = tmp_path / "summary.json"
        done = self.eval_with(2, "--summary-json", summary, EXAMPLES, wrapper=wrapper)
        assert done.returncode == 2  # some example claims fail
        assert done.stdout.rstrip().endswith("22 claims: 10 passed, 12 failed")
        data = json.loads(summary.read_text())
        assert (data["claims"], data["interrupted"]) == (22, False)
        done = self.eval_with(2, "--exit-zero", EXAMPLES, wrapper=wrapper)
        assert done.returncode == 0 and "22 claims:" in done.stdout

    @pytest.mark.parametrize("command", [["explain", str(EXAMPLES)], ["check", "rulesets"], ["test", "rulesets"],
                                         ["fmt", "--check", "rulesets"], ["diff", "rulesets", "rulesets"]])
    def test_standard_output_closed_for_the_other_commands(self, command):
        """Every other command says so and does nothing, exit 1 (explain and diff gave a traceback; check, test and
        fmt printed nothing and exited 0)."""
        done = subprocess.run([sys.executable, "-m", "radrules", *command], capture_output=True, text=True, cwd=ROOT,
                              env=dict(os.environ), timeout=120, preexec_fn=lambda: os.close(1))
        assert (done.returncode, done.stderr) == (1, "error: can't write the output: standard output is closed\n")

    def test_fmt_rewrites_files_with_standard_output_closed(self, tmp_path):
        """`fmt PATH` rewrites the files (its work), with nothing to say on standard output (a review found it
        refused)."""
        path = tmp_path / "r.rr"
        path.write_text('rule t.x "x"\n  when line.code is 71046\n  then warn line   "x"\n  reference "r"\nend\n')
        done = subprocess.run([sys.executable, "-m", "radrules", "fmt", str(path)], capture_output=True, text=True,
                              cwd=ROOT, env=dict(os.environ), timeout=120, preexec_fn=lambda: os.close(1))
        assert (done.returncode, done.stderr) == (0, "")
        assert 'then warn line "x"' in path.read_text()

    def test_main_puts_the_standard_streams_back(self, tmp_path, monkeypatch):
        """main() runs inside other programs and tests: sys.stdout and sys.stderr are theirs again after it."""
        import io

        from radrules.cli import main

        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        main(["check", str(ROOT / "rulesets" / "payers" / "acme.rr")])
        assert (sys.stdout, sys.stderr) == (out, err) and out.getvalue().startswith("ok: ")

    def test_standard_input_closed(self):
        """`-` with standard input closed is an input that can't be read, named, exit 1."""
        done = self.eval_with(0, "-")
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "error: <stdin>: standard input is closed" in done.stderr


def test_text_output_escapes_control_characters_from_the_claim():
    """A claim id holding new lines and an escape sequence can't fake a verdict line or drive the terminal: it is
    refused, unshown."""
    data = claim(line("77063", DOS), id="C-1: PASS  (lines: 1 pay)\n\n1 claims: 1 passed, 0 failed\n\x1b[2J")
    done = run("eval", "-", stdin=json.dumps(data) + "\n")
    assert done.returncode == 1  # (a claim not readable)
    assert "\x1b" not in done.stdout + done.stderr and "PASS" not in done.stdout
    assert "id: holds a control or invisible character (not shown)" in done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("1 claim: 0 passed, 0 failed, 1 not readable")  # one claim, not "1 claims"
    assert done.stderr.startswith("summary: 1 claim in ")


def test_an_input_that_fails_is_a_read_error_not_a_write_error(monkeypatch, capsys):
    """Standard input failing (a device error, a reset connection) is reported as reading, with the summary;
    standard output is kept (only a failed write is "can't write the output")."""
    import errno
    import io as _io
    from radrules.cli import main

    class Failing(_io.RawIOBase):  # a pipe that gives two claims, then fails
        given = (json.dumps(PASSING) + "\n" + json.dumps(PASSING)[:10]).encode()

        def readable(self):
            return True

        def readinto(self, buffer):
            if self.given:
                size = min(len(buffer), len(self.given))
                buffer[:size], self.given = self.given[:size], self.given[size:]
                return size
            raise OSError(errno.ECONNRESET, "Connection reset by peer")

    class Stdin:
        buffer = _io.BufferedReader(Failing())

    monkeypatch.setattr(sys, "stdin", Stdin())
    code = main(["eval", "--jobs", "1", "-"])
    err = capsys.readouterr().err
    assert code == 1
    assert "error: can't read the input: Connection reset by peer" in err and "can't write" not in err
    assert "summary: 1 claim in" in err  # the claim read before it is evaluated and counted


@pytest.mark.parametrize("problem", [BrokenPipeError(32, "Broken pipe"), OSError(28, "No space left on device")])
def test_a_count_line_that_cannot_be_written_still_gives_the_summary(monkeypatch, capsys, tmp_path, problem):
    """A reader that leaves (or a disk that fills) just before the count line: the summary still goes to standard
    error and --summary-json, marked interrupted, exit 1 (the write raised out of eval with no summary)."""
    import argparse

    from radrules.cli.eval_command import SummaryFile, _report
    from radrules.cli.summary import Summary

    class Failing:
        def write(self, text):
            raise problem

        def flush(self):
            raise problem

    monkeypatch.setattr("radrules.cli.drop_output", lambda: None)
    monkeypatch.setattr(sys, "stdout", Failing())
    args = argparse.Namespace(format="text", summary_json=str(tmp_path / "s.json"), claims=["x.jsonl"],
                              exit_zero=False)
    assert _report(args, Summary(), 0.5, 1, False, False, SummaryFile(args.summary_json, [])) == 1
    err = capsys.readouterr().err
    assert "summary (interrupted):" in err
    assert ("No space left on device" in err) == (not isinstance(problem, BrokenPipeError))
    assert json.loads((tmp_path / "s.json").read_text())["interrupted"] is True


class TestSeveralRulePaths:
    """`--rules` more than once and `--bundled`: several folders compiled as one ruleset."""

    CONTRAST = json.dumps(claim(line("70450", DOS), line("70470", DOS), id="L-1", payer="pinecrest"))

    @pytest.fixture
    def split(self, tmp_path):
        """A set in one folder, the rule using it in another."""
        (tmp_path / "sets").mkdir()
        (tmp_path / "sets" / "imaging.rr").write_text("codes ct_head = 70450, 70460, 70470\n", encoding="utf-8")
        (tmp_path / "payer").mkdir()
        (tmp_path / "payer" / "units.rr").write_text(
            'rule payer.ct_units "one CT a line"\n  when line.code in ct_head and line.units > 1\n'
            '  then deny line "{line.code}: one unit"\n  carc CO-151\n  reference "test"\nend\n', encoding="utf-8")
        return tmp_path

    def test_rules_given_twice_compile_as_one(self, split):
        stdin = json.dumps(claim(line("70460", DOS, units=2), id="L-2"))
        done = run("eval", "--rules", str(split / "sets"), "--rules", str(split / "payer"), "-", stdin=stdin)
        assert done.returncode == 2, done.stderr
        assert "deny   line 1     payer.ct_units" in done.stdout
        alone = run("eval", "--rules", str(split / "payer"), "-", stdin=stdin)
        assert alone.returncode == 3 and "ct_head" in alone.stderr

    def test_bundled_beside_a_payer_folder(self):
        """eval and explain with --bundled: the payer's `disable rule` leaves the bundled warning out."""
        bundled = run("eval", "-", stdin=self.CONTRAST)
        assert "radiology.contrast.combined" in bundled.stdout
        done = run("eval", "--bundled", "--rules", "examples/pinecrest", "-", stdin=self.CONTRAST)
        assert done.returncode == 0, done.stderr
        assert "radiology.contrast.combined" not in done.stdout and "claim L-1: PASS" in done.stdout
        alone = run("eval", "--rules", "examples/pinecrest", "-", stdin=self.CONTRAST)
        assert alone.returncode == 3 and "RR308" in alone.stderr and "--bundled" in alone.stderr
        why = run("explain", "--bundled", "--rules", "examples/pinecrest", "--rule", "radiology.contrast.combined",
                  "-", stdin=self.CONTRAST)
        assert why.returncode == 0, why.stderr
        assert "`disable rule` leaves it out for this claim (pinecrest/pinecrest.rr:" in why.stdout

    def test_check_takes_several_paths_and_bundled(self, split):
        done = run("check", str(split / "sets"), str(split / "payer"))
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("ok: sets+payer: 2 files, 1 rule,")
        done = run("check", "--bundled", "examples/pinecrest")
        assert done.returncode == 0 and done.stdout.startswith("ok: radrules+pinecrest: "), done.stderr
        overlap = run("check", "rulesets", "rulesets/payers")
        assert overlap.returncode == 3 and "error[RR406]: `rulesets/payers/acme.rr` is loaded from both " \
            "`rulesets` and `rulesets/payers` (and 1 more file)" in overlap.stderr

    def test_check_takes_rules_as_eval_does(self, split):
        """`check --rules A --rules B` (as `eval` is given its rules) compiles what `check A B` does; `test
        --rules` is refused with the `rules` line a test file writes instead (not argparse's top-level usage)."""
        done = run("check", "--rules", str(split / "sets"), "--rules", str(split / "payer"))
        assert done.returncode == 0, done.stderr
        assert done.stdout == run("check", str(split / "sets"), str(split / "payer")).stdout
        done = run("check", "--bundled", "--rules", "examples/pinecrest")
        assert done.returncode == 0 and done.stdout.startswith("ok: radrules+pinecrest: "), done.stderr
        refused = run("test", "--rules", "rulesets", "examples/pinecrest")
        assert refused.returncode == 1 and refused.stderr.startswith(
            "radrules test: error: `test` takes no `--rules`: each test file names the rules it tests on its `rules` "
            "line (without one, the rules in its folder); for these, write `rules \"../../rulesets\", \".\"` at "
            "the top of the test files in `examples/pinecrest`"), refused.stderr

    def test_test_takes_bundled_as_eval_and_check_do(self):
        """`test --bundled PATH` runs PATH's tests and the bundled rulesets' (it was argparse's top-level usage);
        with PATH inside the bundled rulesets, each of their tests runs once."""
        alone, bundled = run("test", "examples/pinecrest"), run("test")
        both = run("test", "--bundled", "examples/pinecrest")
        assert both.returncode == 0, both.stderr
        counts = [int(done.stdout.split(" passed")[0].split()[-1]) for done in (alone, bundled, both)]
        assert counts[2] == counts[0] + counts[1] > counts[1] > 0
        folder = _resources.bundled_rulesets()  # (installed, a copy of rulesets/)
        assert run("test", "--bundled", str(folder / "payers")).stdout == bundled.stdout
        same = run("test", str(folder), os.path.relpath(folder, ROOT))  # (each test ran twice)
        assert same.stdout == bundled.stdout, same.stderr

    def test_diff_with_bundled_loads_both_sides_beside_them(self, tmp_path):
        changed = tmp_path / "pinecrest"
        changed.mkdir()
        text = (ROOT / "examples" / "pinecrest" / "pinecrest.rr").read_text(encoding="utf-8")
        (changed / "pinecrest.rr").write_text(text.replace("for payer pinecrest", "for payer pinecrest, acme"),
                                              encoding="utf-8")
        done = run("diff", "--bundled", "examples/pinecrest", str(changed))
        assert done.returncode == 2, done.stderr
        assert "disabled for: payer pinecrest -> payer acme, pinecrest" in done.stdout
        assert run("diff", "examples/pinecrest", str(changed)).returncode == 3  # RR308 on both sides

    def test_diff_with_a_shared_path_loads_it_on_both_sides(self, split, tmp_path):
        """`--with PATH` (a folder of sets or CMS tables) beside OLD and NEW: its edits count on both sides."""
        new = tmp_path / "payer-new"
        new.mkdir()
        text = (split / "payer" / "units.rr").read_text(encoding="utf-8")
        (new / "units.rr").write_text(text.replace("line.units > 1", "line.units > 2"), encoding="utf-8")
        (tmp_path / "claims.jsonl").write_text(json.dumps(claim(line("70460", DOS, units=2), id="W-1")) + "\n",
                                               encoding="utf-8")
        done = run("diff", "--with", str(split / "sets"), str(split / "payer"), str(new),
                   "--claims", str(tmp_path / "claims.jsonl"), "--format", "json")
        assert done.returncode == 2, done.stderr
        report = json.loads(done.stdout)
        assert report["impact"]["fail_to_pass"] == 1
        assert [r["rule"] for r in report["impact"]["rules"]] == ["payer.ct_units"]
        alone = run("diff", str(split / "payer"), str(new))
        assert alone.returncode == 3 and "ct_head" in alone.stderr  # the set is in the shared folder only

    def test_coverage_of_a_folder_tested_beside_the_bundled_rules_leaves_theirs_out(self):
        """`rules bundled, "."`: the bundled rules are context, not under test; the bundled folder counts them."""
        done = run("test", "--coverage", "examples/pinecrest")
        assert done.returncode == 0, done.stdout + done.stderr  # no rules of its own; the built-in checks are
        assert done.stdout.endswith("\n\ncoverage: no rules but the 81 bundled rules and built-in checks the tests "
                                    "load, which `radrules test --coverage` covers\n")  # the bundled tests cover them
        bundled = run("test", "--coverage", "rulesets/payers")
        assert "not counted" not in bundled.stdout and "radiology.contrast.combined" in bundled.stdout

    def test_coverage_counts_a_file_that_replaces_bundled_rules_alone(self, tmp_path):
        """examples/ holds acme-2026.10.rr, a later version of the bundled acme rules that no test loads: it can't
        load beside them (its rule ids are theirs), so coverage counts it alone; it stopped with RR302 before."""
        done = run("test", "--coverage", "examples")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "error[RR302]" not in done.stdout and "but the 81 bundled rules" in done.stdout
        # a rule of its own in such a file is counted, untested
        text = (ROOT / "examples" / "acme-2026.10.rr").read_text(encoding="utf-8")
        (tmp_path / "acme.rr").write_text(text + '\nrule acme.new "new"\n  when line.units > 9\n'
                                          '  then deny line "too many"\n  carc CO-151\n  reference "r"\nend\n',
                                          encoding="utf-8")
        (tmp_path / "t.rrt").write_text('rules bundled\ntest "t"\n  claim\n    2026-08-03 71046\n  expect pass\n'
                                        'end\n', encoding="utf-8")
        done = run("test", "--coverage", str(tmp_path))
        assert done.returncode == 1, done.stdout + done.stderr
        assert "acme.new" in done.stdout and "acme.ptp" not in done.stdout
        # two files of the folder that clash with each other are an error still, not one of them counted alone
        (tmp_path / "again.rr").write_text('rule acme.new "again"\n  when line.units > 8\n  then warn line "x"\n'
                                           '  reference "r"\nend\n', encoding="utf-8")
        done = run("test", "--coverage", str(tmp_path))
        assert done.returncode == 3 and "error[RR302]: rule id `acme.new` is used twice" in done.stdout, done.stdout
        assert done.stdout.count("error[") == 1, done.stdout  # (not the clashes with the bundled acme rules)
        # a file that needs the bundled rules beside the replacing one: each loads its way, and is counted
        (tmp_path / "again.rr").write_text('rule mine.contrast "mine"\n  when line.code in contrast_with\n'
                                           '  then warn line "x"\n  reference "r"\nend\n', encoding="utf-8")
        done = run("test", "--coverage", str(tmp_path))
        assert done.returncode == 1 and "mine.contrast: no test makes it fire" in done.stdout, done.stdout

    def test_diff_prints_a_shared_paths_errors_once(self, tmp_path):
        done = run("diff", "--with", "no-such-folder", "examples/pinecrest", "examples/pinecrest")
        assert done.returncode == 3
        assert done.stderr.count("no rule file or folder at `no-such-folder`") == 1
        # OLD and NEW broken alike, in files of one display name: both are reported, not taken for one
        broken = 'rule x.y "t"\n  when line.modifer has "59"\n  then deny line "no"\n  carc CO-4\n  reference "r"\nend\n'
        for side in ("v1", "v2"):
            (tmp_path / side / "rules").mkdir(parents=True)
            (tmp_path / side / "rules" / "a.rr").write_text(broken, encoding="utf-8")
        done = run("diff", str(tmp_path / "v1" / "rules"), str(tmp_path / "v2" / "rules"))
        assert done.returncode == 3 and done.stderr.count("error[RR204]") == 2


def test_load_warnings_are_printed_by_the_commands_that_evaluate(tmp_path):
    """A hospital PTP file loaded for professional claims is warning RR517: `eval`, `explain`, `diff` and `test`
    print it on stderr (it was only `check`'s to say), and stdout stays the report alone."""
    import shutil

    rules = tmp_path / "rules"
    (rules / "cms").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "data" / "cms" / "radiology-ccioph-v322r0-f1.TXT",
                rules / "cms" / "ccioph-v322r0-f1.TXT")
    (rules / "tables.rr").write_text('table ptp "cms/ccioph-v322r0-f1.TXT"\n', encoding="utf-8")
    one = json.dumps(claim(line("71046", "2026-08-03"), id="W"))
    (rules / "t.rrt").write_text('rules "."\ntest "t"\n  claim\n    2026-08-03 71046\n  expect pass\nend\n'
                                 'test "u"\n  claim\n    2026-08-03 71045\n  expect pass\nend\n', encoding="utf-8")
    for command in (["eval", "--rules", str(rules), "--format", "json", "-"],
                    ["explain", "--rules", str(rules), "-"],
                    ["diff", str(rules), str(rules)],
                    ["test", str(rules / "t.rrt")]):
        done = run(*command, stdin=one if command[0] in ("eval", "explain") else None)
        assert done.returncode == 0, (command, done.stderr)
        assert done.stderr.count("warning[RR517]: `") == 1, (command, done.stderr)
        assert "RR517" not in done.stdout
    assert json.loads(run("eval", "--rules", str(rules), "--format", "json", "-", stdin=one).stdout)


def test_cache_dir_option_puts_the_table_cache_there_for_every_command_that_loads_rules(tmp_path):
    """`--cache-dir DIR` is RADRULES_CACHE_DIR for one command: its compiled tables go to DIR (not to the
    environment's folder), for each command that loads rules; `--cache-dir ''` turns the disk cache off."""
    import shutil

    rules = tmp_path / "rules"
    (rules / "cms").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "data" / "cms" / "radiology-ptp-v321r0-f1.TXT", rules / "cms")
    (rules / "tables.rr").write_text('table ptp "cms/radiology-ptp-v321r0-f1.TXT"\n', encoding="utf-8")
    (rules / "t.rrt").write_text('rules "."\ntest "t"\n  claim\n    2026-08-03 71046\n  expect pass\nend\n',
                                 encoding="utf-8")
    one = json.dumps(claim(line("71046", "2026-08-03"), id="C"))
    environment = tmp_path / "environment"
    for command in (["eval", "--rules", str(rules), "-"], ["explain", "--rules", str(rules), "-"],
                    ["check", str(rules)], ["diff", str(rules), str(rules)], ["test", str(rules / "t.rrt")]):
        chosen = tmp_path / command[0]
        done = subprocess.run(
            [sys.executable, "-m", "radrules", *command, "--cache-dir", str(chosen)], input=one,
            capture_output=True, text=True, cwd=ROOT, timeout=60,
            env={**os.environ, "RADRULES_CACHE_DIR": str(environment)})
        assert done.returncode == 0, (command, done.stderr)
        assert len(list(chosen.glob("ptp-*.pickle"))) == 1, command
    off = subprocess.run([sys.executable, "-m", "radrules", "check", str(rules), "--cache-dir", ""],
                         capture_output=True, text=True, cwd=ROOT, timeout=60,
                         env={**os.environ, "RADRULES_CACHE_DIR": str(environment)})
    assert off.returncode == 0 and "read from the files" in off.stdout
    assert not environment.exists()


def test_cache_dir_option_leaves_the_environment_as_it_was(tmp_path, monkeypatch):
    """`main()` runs inside other programs: the option's folder holds for the command, not after it."""
    from radrules.cli import main

    monkeypatch.setenv("RADRULES_CACHE_DIR", str(tmp_path / "before"))
    assert main(["check", str(ROOT / "rulesets"), "--cache-dir", str(tmp_path / "during")]) == 0
    assert os.environ["RADRULES_CACHE_DIR"] == str(tmp_path / "before")
    monkeypatch.delenv("RADRULES_CACHE_DIR")
    main(["check", str(ROOT / "rulesets"), "--cache-dir", ""])
    assert "RADRULES_CACHE_DIR" not in os.environ
