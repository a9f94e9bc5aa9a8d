"""Batch runs of `radrules eval`: --jobs in input order, the summary and --summary-json, exit codes, progress."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import radrules
from radrules.cli import batch, main
from radrules.cli.batch import result_json
from radrules.cli.summary import Summary, quarter_end

from builders import EXAMPLES, ROOT, claim, example_claims, line, x12_file

DOS = "2026-03-02"
PASSING = claim(line("71046", DOS, charge=64.0), payer="medicare", id="P")
FAILING = claim(line("77063", DOS, charge=120.0), line("71046", DOS), id="F")  # an add-on code without its primary
SHAPE = claim(line("71046", DOS, units=0), id="S")  # units must be positive
#: Run the pool for any input, with units of a few claims, so that order and merging are exercised.
POOL = {"RADRULES_POOL_MIN_CLAIMS": "0", "RADRULES_UNIT_CLAIMS": "7"}


def _pooled_and_alone(tmp_path, before: str, inserted: str):
    """An X12 file of 60 claims with ``inserted`` put before the segment ``before``, evaluated in the pool and in
    one process: (path, pooled, alone), the pooled run checked for a traceback."""
    text = x12_file(60)
    cut = text.index(before)
    path = tmp_path / "claims.837"
    path.write_text(text[:cut] + inserted + text[cut:])
    pooled = run("--format", "json", "--jobs", "2", path, env=POOL)
    alone = run("--format", "json", "--jobs", "1", path)
    assert "Traceback" not in pooled.stderr
    return path, pooled, alone


def run(*args, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m radrules eval ARGS` in a subprocess, with this environment (plus ``env``)."""
    return subprocess.run(
        [sys.executable, "-m", "radrules", "eval", *map(str, args)], input=stdin, capture_output=True,
        text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120,
    )


def jsonl(*claims: dict) -> str:
    return "".join(json.dumps(data) + "\n" for data in claims)


def many(count: int) -> list[dict]:
    """``count`` claims with ids C1, C2, ...: mostly passing, every fifth failing."""
    return [dict(FAILING if n % 5 == 0 else PASSING, id=f"C{n}") for n in range(1, count + 1)]


class TestOrder:
    def test_pool_writes_json_lines_in_input_order(self, tmp_path):
        """With --jobs 2 and a pool, a few hundred JSON Lines claims come out in input order, as with --jobs 1."""
        path = tmp_path / "claims.jsonl"
        path.write_text(jsonl(*many(300)))
        pooled = run("--format", "json", "--jobs", "2", path, env=POOL)
        alone = run("--format", "json", "--jobs", "1", path)
        assert [json.loads(text)["claim"] for text in pooled.stdout.splitlines()] == [f"C{n}" for n in range(1, 301)]
        assert pooled.stdout == alone.stdout
        assert ", 2 jobs)" in pooled.stderr and ", 1 job)" in alone.stderr
        assert pooled.returncode == alone.returncode == 2

    def test_a_pipe_written_at_once_is_read_by_the_pool_in_input_order(self):
        """Claims piped in at speed are still evaluated by the pool (the pipe is not found idle between
        claims), in input order, as with one process."""
        text = jsonl(*many(3000))
        pooled = run("--format", "json", "--jobs", "2", "-", stdin=text)
        alone = run("--format", "json", "--jobs", "1", "-", stdin=text)
        assert ", 2 jobs)" in pooled.stderr and pooled.stdout == alone.stdout
        assert [json.loads(line)["claim"] for line in pooled.stdout.splitlines()][-1] == "C3000"

    def test_pool_writes_x12_claims_in_input_order(self, tmp_path):
        """An X12 file cut into pieces for two workers gives the text output of one process, claim by claim."""
        path = tmp_path / "claims.837"
        path.write_text(x12_file(250))
        pooled = run("--jobs", "2", path, env=POOL)
        alone = run("--jobs", "1", path)
        assert pooled.stdout == alone.stdout
        names = [text.split(":")[0] for text in pooled.stdout.splitlines() if text.startswith("claim ")]
        assert names == [f"claim #{n}" if n % 7 == 0 else f"claim X{n}" for n in range(1, 251)]
        assert pooled.returncode == 1  # the unreadable claims
        assert pooled.stdout.rstrip().endswith("250 claims: 172 passed, 43 failed, 35 not readable")

    def test_small_inputs_stay_in_one_process(self):
        """Without forcing the pool, a few claims are evaluated in this process whatever --jobs says."""
        done = run("--format", "json", "--jobs", "4", "-", stdin=jsonl(PASSING, FAILING))
        assert [json.loads(text)["claim"] for text in done.stdout.splitlines()] == ["P", "F"]
        assert ", 1 job)" in done.stderr


class TestSummary:
    def test_summary_counts_and_denials(self, tmp_path, capsys):
        """The summary on stderr counts claims, pass rate, lines, denials by rule and CARC, and charges at risk."""
        path = tmp_path / "claims.jsonl"
        path.write_text(jsonl(PASSING, FAILING, FAILING, SHAPE))
        code = main(["eval", "--format", "json", str(path)])
        out, err = capsys.readouterr()
        assert code == 1  # a claim of the wrong shape
        assert len(out.splitlines()) == 4
        assert err.startswith("summary: 4 claims in ")
        assert "  passed              1  (25.0%)\n  failed              2\n  not readable        1\n" in err
        assert "  lines               5  (3 pay, 2 deny, 0 review)\n" in err
        assert "  billed charges at risk: 240.00 on 2 denied lines\n" in err
        assert "    radiology.addon                  2         2         240.00\n" in err
        assert "    CO-107                           2         2         240.00\n" in err

    def test_summary_json_matches_the_results(self, tmp_path, capsys, bundled):
        """--summary-json writes the counts that the library's results of the same claims give."""
        path = tmp_path / "summary.json"
        code = main(["eval", "--exit-zero", "--summary-json", str(path), str(EXAMPLES)])
        capsys.readouterr()
        assert code == 0
        data = json.loads(path.read_text())
        claims = [radrules.Claim.from_dict(item) for item in example_claims()]
        results = [bundled.evaluate(item) for item in claims]
        by_rule: dict = {}
        for result in results:
            denied: dict = {}
            for finding in result.findings:
                if finding.severity == "deny":
                    denied.setdefault(finding.rule, set()).update(finding.lines)
            for rule, lines in denied.items():
                counts = by_rule.setdefault(rule, [0, 0])
                counts[0] += 1
                counts[1] += len(lines)
        statuses = [status for result in results for status in result.statuses]
        charges = [item.lines[n].charge for item, result in zip(claims, results)
                   for n, status in enumerate(result.statuses) if status == "deny"]
        assert (data["claims"], data["passed"], data["failed"], data["unreadable"]) == (22, 10, 12, 0)
        assert data["pass_rate"] == round(10 / 22, 6)
        assert {row["rule"]: [row["claims"], row["lines"]] for row in data["denials"]["by_rule"]} == by_rule
        assert data["lines"] == {status: statuses.count(status) for status in ("pay", "deny", "review")}
        assert data["charges_at_risk"] == {
            "amount": round(sum(charge for charge in charges if charge is not None), 2),
            "lines": sum(charge is not None for charge in charges),
            "lines_without_charge": sum(charge is None for charge in charges),
        }
        assert data["inputs"] == [str(EXAMPLES)] and data["interrupted"] is False and data["jobs"] >= 1

    def test_parts_merge_to_the_whole(self, bundled):
        """Summaries of parts merged in any order equal the summary of the whole (charges kept in cents)."""
        claims = [radrules.Claim.from_dict(item) for item in example_claims()]
        results = [bundled.evaluate(item) for item in claims]
        whole, first, second = Summary(), Summary(), Summary()
        for index, (item, result) in enumerate(zip(claims, results)):
            whole.add(item, result)
            (first if index % 3 else second).add(item, result)
        second.merge(first)
        assert second.to_dict(seconds=1, jobs=1, inputs=[]) == whole.to_dict(seconds=1, jobs=1, inputs=[])

    def test_charges_add_up_exactly_and_round_once(self):
        """Four denied lines of 0.125 are 0.50 at risk (rounding each line to the cent gave 0.48), and the
        merged parts give the same to the cent."""
        rules = radrules.loads('rule t.d\n  when line.code is 71046\n  then deny line "x"\n  carc CO-4\n'
                               '  reference "r"\nend\n', name="d.rr")
        item = radrules.Claim.from_dict(claim(*(line("71046", DOS, charge=0.125) for _ in range(4))))
        whole, part = Summary(), Summary()
        whole.add(item, rules.evaluate(item))
        for _ in range(3):
            part.add(item, rules.evaluate(item))
        data = whole.to_dict(seconds=1, jobs=1, inputs=[])
        assert data["charges_at_risk"]["amount"] == 0.5
        assert data["denials"]["by_rule"][0]["charge"] == data["denials"]["by_carc"][0]["charge"] == 0.5
        part.merge(whole)
        assert part.to_dict(seconds=1, jobs=1, inputs=[])["charges_at_risk"]["amount"] == 2.0
        assert "billed charges at risk: 2.00 on 16 denied lines" in part.to_text(seconds=1, jobs=1)

    def test_summary_holds_no_claim_values(self, tmp_path, capsys):
        """Ids, members, codes and dates of claims never appear in the summary, only counts, rules and CARCs."""
        secret = claim(line("77063", DOS, charge=1.0), id="SECRET-ID-77", patient={"id": "MEMBER-SECRET-55"},
                       prior_auth="PA-SECRET-33")
        path, summary = tmp_path / "claims.json", tmp_path / "summary.json"
        path.write_text(json.dumps([secret]))
        main(["eval", "--summary-json", str(summary), str(path)])
        err = capsys.readouterr().err
        for text in (err, summary.read_text()):
            assert "SECRET" not in text and "77063" not in text and DOS not in text

    def test_claims_of_payers_no_rule_names_are_counted(self, tmp_path):
        """A claim of "Medicare Part B" gets none of the rules `for payer medicare`: the summary counts such claims
        by payer (as rules compare payers), in one process and in the pool alike (an operations review)."""
        claims = [dict(PASSING, payer="Medicare Part B"), dict(PASSING, payer="MEDICARE"), dict(PASSING, payer="bcbs"),
                  dict(PASSING, payer=" medicare  PART b"), {k: v for k, v in PASSING.items() if k != "payer"}]
        path, summary = tmp_path / "claims.jsonl", tmp_path / "summary.json"
        path.write_text(jsonl(*claims * 6))
        for extra, env in (([], None), (["--jobs", "2"], POOL)):
            done = run("--summary-json", summary, *extra, path, env=env)
            assert "  claims of payers no rule names: 18: medicare part b (12), bcbs (6)\n" in done.stderr
            assert json.loads(summary.read_text())["payers_not_named"] == [
                {"payer": "medicare part b", "claims": 12}, {"payer": "bcbs", "claims": 6}]
        # rules that name no payer judge every claim alike: nothing to report
        rules = tmp_path / "t.rr"
        rules.write_text('rule t.x\n  when line.code is 77063\n  then warn line "x"\n  reference "r"\nend\n')
        done = run("--summary-json", summary, "--rules", rules, path)
        assert "payers no rule names" not in done.stderr
        assert json.loads(summary.read_text())["payers_not_named"] == []

    PTP_HEADER = "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"

    def _tables(self, tmp_path, statements: str):
        """A ruleset of PTP tables (each file one row) under the ``statements`` given."""
        (tmp_path / "r" / "cms").mkdir(parents=True, exist_ok=True)
        for name in ("ccipra-v322r0-f1.TXT", "ccipra-v323r0-f1.TXT", "ccioph-v321r0-f1.TXT", "ccipra-v331r0-f1.TXT",
                     "hand-made.TXT"):
            (tmp_path / "r" / "cms" / name).write_text(self.PTP_HEADER + "74176\t74150\t\t20110101\t*\t0\tx\r\n",
                                                       encoding="latin-1")
        (tmp_path / "r" / "main.rr").write_text(statements)
        return tmp_path / "r"

    def test_claims_dated_after_the_newest_tables_quarter_are_counted(self, tmp_path):
        """A claim dated after the quarter of the newest PTP, MUE or add-on version loaded is judged by tables out
        of date (the next quarter's files were never added): the summary counts such claims, in one process and
        in the pool alike, and says when those tables reach (a payer data engineer's review: a claim of March
        2027 was judged by the July 2026 files without a word). A version adopted late (`effective 2026-07-02`)
        reaches the end of its quarter; a span counts by its last day (a reversed one by its first date, its
        last). Without such tables, nothing is said."""
        rules = self._tables(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-02\n')
        inside = claim(line("74176", "2026-09-30"))
        after = claim(line("74176", "2026-09-30"), line("74176", "2026-10-01"))
        spanning = claim(line("74176", "2026-09-29", end_date="2026-10-02"))
        reversed_span = claim(line("74176", "2026-10-05", end_date="2026-09-29"))
        path, summary = tmp_path / "claims.jsonl", tmp_path / "summary.json"
        path.write_text(jsonl(*[inside, after, spanning, reversed_span] * 5))
        for extra, env in (([], None), (["--jobs", "2"], POOL)):
            done = run("--summary-json", summary, "--rules", rules, *extra, path, env=env)
            assert ("  claims dated after the quarter of the newest CMS tables that judge them: 15 (the earliest "
                    "reach 2026-09-30); add the next quarter's files\n") in done.stderr, done.stderr
            assert json.loads(summary.read_text())["dated_after_tables"] == {"tables_through": "2026-09-30",
                                                                           "claims": 15}
        path.write_text(jsonl(inside))
        done = run("--summary-json", summary, "--rules", rules, path)
        assert "newest CMS tables" not in done.stderr
        assert json.loads(summary.read_text())["dated_after_tables"] == {"tables_through": "2026-09-30", "claims": 0}
        other = tmp_path / "t.rr"
        other.write_text('rule t.x\n  when line.code is 77063\n  then warn line "x"\n  reference "r"\nend\n')
        run("--summary-json", summary, "--rules", other, path)
        assert json.loads(summary.read_text())["dated_after_tables"] is None

    def test_each_claim_is_held_to_the_tables_that_judge_it(self, tmp_path):
        """The reach is of the tables that judge the claim (a maintainer's read: one maximum over every table hid
        a hospital table a quarter behind, and a payer's own newer version hid the others' older one): a hospital
        claim by the hospital table's quarter, a claim of the payer with its own version by that version, other
        payers' claims by the national one; a claim of a Part A bill, which the tables do not judge, is not
        counted, nor a claim whose only table is dated by its rows (it tells no quarter)."""
        rules = self._tables(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01\n'
                                       'table ptp "cms/ccioph-v321r0-f1.TXT" for institutional claims '
                                       'effective 2026-04-01\n'
                                       'table ptp "cms/ccipra-v331r0-f1.TXT" for payer acme effective 2027-01-01\n')
        hospital = claim(line("74176", "2026-08-03", revenue_code="0350"), type="institutional", bill_type="131",
                         billing_npi="1234567893")
        part_a = dict(hospital, bill_type="111")
        national = claim(line("74176", "2026-11-02"), payer="medicare")
        own = claim(line("74176", "2026-11-02"), payer=" ACME ")
        path, summary = tmp_path / "claims.jsonl", tmp_path / "summary.json"
        path.write_text(jsonl(hospital, part_a, national, own))
        run("--summary-json", summary, "--rules", rules, path)
        assert json.loads(summary.read_text())["dated_after_tables"] == {"tables_through": "2026-06-30",
                                                                       "claims": 2}
        rows_dated = self._tables(tmp_path, 'table ptp "cms/hand-made.TXT"\n')
        path.write_text(jsonl(claim(line("74176", "2026-11-02"))))
        run("--summary-json", summary, "--rules", rows_dated, path)
        assert json.loads(summary.read_text())["dated_after_tables"] is None
        # a payer whose own version is dated by its rows is not held to the others' tables (a second read)
        beside = self._tables(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01\n'
                                        'table ptp "cms/hand-made.TXT" for payer "Beta"\n')
        path.write_text(jsonl(claim(line("74176", "2026-11-02"), payer="BETA"),
                              claim(line("74176", "2026-11-02"), payer="medicare")))
        run("--summary-json", summary, "--rules", beside, path)
        assert json.loads(summary.read_text())["dated_after_tables"] == {"tables_through": "2026-09-30",
                                                                       "claims": 1}

    @pytest.mark.parametrize("start, through", [("2026-01-01", "2026-03-31"), ("2026-12-31", "2026-12-31"),
                                                ("2027-02-10", "2027-03-31"), ("2026-04-01", "2026-06-30"),
                                                ("9999-10-01", "9999-12-31")])
    def test_a_quarter_ends_on_its_last_day(self, start, through):
        """The reach of a version is the last day of the calendar quarter of its first date, December's too."""
        assert dt.date.fromordinal(quarter_end(dt.date.fromisoformat(start).toordinal())).isoformat() == through

    def test_a_long_payer_name_is_cut_in_the_text_only(self):
        summary = Summary()
        summary.add_other_payer("x" * 200)
        summary.claims = summary.passed = 1
        assert f": 1: {'x' * 60}... (1)\n" in summary.to_text(seconds=1, jobs=1)
        assert summary.to_dict(seconds=1, jobs=1, inputs=[])["payers_not_named"] == [{"payer": "x" * 200, "claims": 1}]

    def test_payers_past_the_first_hundred_are_counted_together(self):
        """The first 100 payers of the run, in input order, are counted by name, the claims of more together;
        which are kept does not depend on how the claims were cut into units (a review found it did)."""
        def summary_of(parts):
            whole = Summary()
            for names in parts:
                unit = Summary()
                for name in names:
                    unit.add_other_payer(name)
                whole.merge(unit)
            return whole

        names = [f"payer {n:03d}" for n in range(150) for _ in range(2 if n % 3 else 1)]
        one = summary_of([names])
        assert summary_of([names[i:i + 7] for i in range(0, len(names), 7)]).other_payers == one.other_payers
        counted = one.to_dict(seconds=1, jobs=1, inputs=[])["payers_not_named"]
        assert len(counted) == 101 and counted[-1] == {"payer": None, "claims": len(names[names.index("payer 100"):])}
        assert sum(row["claims"] for row in counted) == len(names)
        one.claims = one.passed = len(names)
        text = one.to_text(seconds=1, jobs=1)
        assert ": 250: payer 001 (2), payer 002 (2), payer 004 (2), payer 005 (2), payer 007 (2) and 95 more; 84 claims of " \
               "payers past the first 100\n" in text  # (payer 100 on: 50 payers, 84 claims)


class TestSummaryFile:
    """`--summary-json FILE` is opened when the command starts and written, whole, when the run ends."""

    def test_a_path_that_cannot_be_written_fails_before_the_run(self, tmp_path, capsys, monkeypatch):
        """A folder that does not exist: `error: can't write`, exit 1, before the rules load or a claim is read
        (it was found after the whole run)."""
        from radrules.cli import eval_command

        def never(*args, **kwargs):
            raise AssertionError("the rules were loaded")
        monkeypatch.setattr(eval_command, "load_rules", never)
        target = tmp_path / "no-such-folder" / "summary.json"
        assert main(["eval", "--summary-json", str(target), str(EXAMPLES)]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err == f"error: can't write `{target}`: No such file or directory\n"

    def test_a_summary_of_an_earlier_run_is_emptied_when_the_run_starts(self, tmp_path, capsys, monkeypatch):
        """While the claims are evaluated the file is empty (a run killed then leaves no complete summary of an
        earlier run); at the end it holds this run's."""
        from radrules.cli import eval_command

        target = tmp_path / "summary.json"
        target.write_text(json.dumps({"claims": 5, "interrupted": False}))
        seen = []
        real = eval_command.run_units

        def spy(*args, **kwargs):
            seen.append(target.read_text())
            return real(*args, **kwargs)
        monkeypatch.setattr(eval_command, "run_units", spy)
        assert main(["eval", "--exit-zero", "--summary-json", str(target), str(EXAMPLES)]) == 0
        assert seen == [""]
        assert json.loads(target.read_text())["claims"] == len(example_claims())

    def test_the_summary_is_moved_into_place(self, tmp_path, capsys, monkeypatch):
        """Written beside the file and moved into place: a link stays a link (the file it names gets the summary)
        and the file keeps its permissions; a write that fails leaves the file empty, not cut short, and no
        file beside it."""
        real, link = tmp_path / "real.json", tmp_path / "link.json"
        real.write_text("old")
        real.chmod(0o640)
        link.symlink_to(real)
        assert main(["eval", "--exit-zero", "--summary-json", str(link), str(EXAMPLES)]) == 0
        assert link.is_symlink() and json.loads(real.read_text())["interrupted"] is False
        assert real.stat().st_mode & 0o777 == 0o640
        assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]
        capsys.readouterr()

        def full(source, destination):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(os, "replace", full)
        assert main(["eval", "--exit-zero", "--summary-json", str(real), str(EXAMPLES)]) == 1
        assert f"error: can't write `{real}`: No space left on device" in capsys.readouterr().err
        assert real.read_text() == "" and sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]

    def test_an_input_is_never_emptied(self, tmp_path, capsys):
        """The summary's path naming an input (a slip of the fingers) is refused at once; the input is kept."""
        path = tmp_path / "claims.jsonl"
        path.write_text(jsonl(PASSING))
        assert main(["eval", "--summary-json", str(path), str(path)]) == 1
        assert f"error: can't write `{path}`: it is an input of the run too" in capsys.readouterr().err
        assert path.read_text() == jsonl(PASSING)

    @pytest.mark.parametrize("which", ["--rules file", "a table of the rules' folder", "a file beside the rule file",
                                       "--payers"])
    def test_a_file_the_run_reads_is_refused(self, tmp_path, which):
        """`--summary-json` naming the rule file, a file of the rules' folder (a table, a rule file it includes)
        or the payers file is refused before it is emptied (the rules were emptied, and the claims judged
        without them)."""
        rules, payers = tmp_path / "rules", tmp_path / "payers.json"
        rules.mkdir()
        rule_file, table, other = rules / "mine.rr", rules / "codes.csv", rules / "other.rr"
        rule_file.write_text('rule t.x "x"\n  when line.code is 71046\n  then warn line "x"\n  reference "r"\nend\n')
        table.write_text("HCPCS\n71046\n")
        other.write_text("# included by mine.rr\n")
        payers.write_text('{"P1": "acme"}')
        claims = tmp_path / "claims.jsonl"
        claims.write_text(jsonl(PASSING))
        target, args = {"--rules file": (rule_file, ["--rules", rule_file]),
                        "a table of the rules' folder": (table, ["--rules", rules]),
                        "a file beside the rule file": (other, ["--rules", rule_file]),
                        "--payers": (payers, ["--payers", payers])}[which]
        before = target.read_text()
        done = run(*args, "--summary-json", target, claims)
        assert done.returncode == 1 and f"error: can't write `{target}`: it is" in done.stderr
        assert target.read_text() == before

    def test_a_summary_of_its_own_in_the_rules_folder_is_written(self, tmp_path):
        """A JSON file in the rules' folder (`--rules .`, `--summary-json summary.json`) is no file the rules read."""
        rules = tmp_path / "rules"
        rules.mkdir()
        (rules / "mine.rr").write_text('rule t.x "x"\n  when line.code is 71046\n  then warn line "x"\n'
                                       '  reference "r"\nend\n')
        (rules / "summary.json").write_text("{}")
        claims = tmp_path / "claims.jsonl"
        claims.write_text(jsonl(PASSING))
        done = run("--rules", rules, "--summary-json", rules / "summary.json", claims)
        assert done.returncode == 0 and json.loads((rules / "summary.json").read_text())["claims"] == 1

    def test_the_commands_own_standard_error_is_written_into(self, tmp_path):
        """`--summary-json /dev/stderr 2>>log`: the summary goes into the log after what it held, beside the text
        summary (the log was emptied, then replaced by the summary alone)."""
        claims, log = tmp_path / "claims.jsonl", tmp_path / "log"
        claims.write_text(jsonl(PASSING))
        log.write_text("earlier lines\n")
        with open(log, "a") as err:
            done = subprocess.run([sys.executable, "-m", "radrules", "eval", "--summary-json", "/dev/stderr",
                                   str(claims)], stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT,
                                  env=dict(os.environ), timeout=120)
        text = log.read_text()
        assert done.returncode == 0 and text.startswith("earlier lines\n{\n")
        assert '"interrupted": false\n}\nsummary: 1 claim in ' in text

    def test_the_summary_file_is_written_when_standard_error_fails(self, tmp_path):
        """Standard error on a full disk (or a terminal gone, SIGHUP): the summary file is written all the same,
        and the exit code is the claims' (it was left empty, exit 1)."""
        summary, claims = tmp_path / "summary.json", tmp_path / "claims.jsonl"
        claims.write_text(jsonl(*many(10)))
        with open("/dev/full", "w") as full:
            done = subprocess.run([sys.executable, "-m", "radrules", "eval", "--exit-zero", "--summary-json",
                                   str(summary), str(claims)], stdout=subprocess.DEVNULL, stderr=full, cwd=ROOT,
                                  env=dict(os.environ), timeout=120)
        assert done.returncode == 0
        assert json.loads(summary.read_text())["claims"] == 10

    def test_a_stream_gets_the_summary_written_into_it(self, tmp_path):
        """`--summary-json /dev/stderr` (no plain file: nothing to move into place) is written into."""
        path = tmp_path / "claims.jsonl"
        path.write_text(jsonl(PASSING))
        done = run("--format", "json", "--summary-json", "/dev/stderr", path)
        assert done.returncode == 0 and done.stderr.startswith("{\n")
        assert '"interrupted": false\n}\nsummary: 1 claim in ' in done.stderr  # (the file first, then the text)


class TestExitCodes:
    @pytest.mark.parametrize("claims, extra, code", [
        ([PASSING] * 30, [], 0),
        (many(30), [], 2),
        (many(30), ["--exit-zero"], 0),
        (many(30) + [SHAPE], ["--exit-zero"], 1),
    ])
    def test_exit_codes_with_a_pool(self, tmp_path, claims, extra, code):
        """With a pool: 0 all pass (or --exit-zero), 2 some fail, 1 a claim of the wrong shape."""
        path = tmp_path / "claims.jsonl"
        path.write_text(jsonl(*claims))
        done = run("--jobs", "2", *extra, path, env=POOL)
        assert done.returncode == code, done.stderr
        assert ", 2 jobs)" in done.stderr

    def test_broken_rules_exit_3_before_reading(self, tmp_path):
        """Rules with errors exit 3 with --jobs too, before any claim is read and with no summary."""
        rules = tmp_path / "broken.rr"
        rules.write_text("rule x\nend\n")
        done = run("--jobs", "2", "--rules", rules, "-", stdin=jsonl(PASSING), env=POOL)
        assert done.returncode == 3
        assert done.stdout == "" and "summary" not in done.stderr


class TestDefaultJobs:
    """`--jobs` by default: the CPUs of the process's affinity, no more than its control group's CPU quota (read
    from fake cgroup files here, not from the machine)."""

    @pytest.fixture(autouse=True)
    def many_cpus(self, monkeypatch):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)

    @staticmethod
    def jobs(tmp_path, files: dict, membership: str = "0::/\n") -> int:
        for name, text in files.items():
            path = tmp_path / "cgroup" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        (tmp_path / "membership").write_text(membership)
        return batch.default_jobs(str(tmp_path / "cgroup"), str(tmp_path / "membership"))

    @pytest.mark.parametrize("files, jobs", [
        ({"cpu.max": "200000 100000\n"}, 2),  # `docker --cpus=2`, cgroup v2
        ({"cpu.max": "150000 100000\n"}, 2),  # 1.5 CPUs: two processes, each busy three quarters of the time
        ({"cpu.max": "5000 100000\n"}, 1),  # a twentieth of a CPU: still one
        ({"cpu.max": "max 100000\n"}, 64),  # no quota
        ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),  # cgroup v1
        ({"cpu,cpuacct/cpu.cfs_quota_us": "400000\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"}, 4),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, 64),  # v1: no quota
        ({"cpu.max": "200000 100000\n", "cpu/cpu.cfs_quota_us": "600000\n", "cpu/cpu.cfs_period_us": "100000\n"},
         2),  # the smallest
        ({"cpu.max": "9000000 100000\n"}, 64),  # a quota above the CPUs: the CPUs
    ], ids=["v2", "v2 fraction", "v2 tiny", "v2 max", "v1", "v1 cpu,cpuacct", "v1 -1", "both", "above"])
    def test_a_quota_caps_the_cpus(self, tmp_path, files, jobs):
        assert self.jobs(tmp_path, files) == jobs

    @pytest.mark.parametrize("files", [
        {}, {"cpu.max": ""}, {"cpu.max": "two 100000"}, {"cpu.max": "200000 0"}, {"cpu.max": "200000"},
        {"cpu.max": "-5 100000"}, {"cpu.max": "\xff\xfe"}, {"cpu.max": "200000 100000 7"},
        {"cpu/cpu.cfs_quota_us": "200000"}, {"cpu/cpu.cfs_quota_us": "x", "cpu/cpu.cfs_period_us": "100000"},
        {"cpu/cpu.cfs_quota_us": "\u0662", "cpu/cpu.cfs_period_us": "100000"},
    ], ids=["none", "empty", "words", "period 0", "one number", "negative", "not text", "three numbers",
            "v1 no period", "v1 words", "v1 other digits"])
    def test_files_that_are_no_quota_are_ignored(self, tmp_path, files):
        assert self.jobs(tmp_path, files) == 64

    def test_a_file_that_cannot_be_read_is_ignored(self, tmp_path):
        (tmp_path / "cgroup" / "cpu.max").mkdir(parents=True)  # a folder where the file should be
        assert self.jobs(tmp_path, {}) == 64

    def test_the_quota_of_the_processs_own_group_and_those_above_it(self, tmp_path):
        """On a host, a service's group (`/proc/self/cgroup` names it) or a group above it holds the quota."""
        membership = "0::/system.slice/nightly.service\n"
        assert self.jobs(tmp_path, {"system.slice/nightly.service/cpu.max": "300000 100000"}, membership) == 3
        assert self.jobs(tmp_path, {"system.slice/cpu.max": "100000 100000"}, membership) == 1
        v1 = "4:cpu,cpuacct:/batch\n1:name=systemd:/other\n"
        assert self.jobs(tmp_path / "v1", {"cpu,cpuacct/batch/cpu.cfs_quota_us": "200000",
                                           "cpu,cpuacct/batch/cpu.cfs_period_us": "100000"}, v1) == 2
        assert self.jobs(tmp_path / "dots", {"cpu.max": "max 100000"}, "0::/../../etc\n") == 64

    def test_the_option_help_shows_the_capped_default(self, monkeypatch):
        """`--jobs` says the default it would use."""
        monkeypatch.setattr(batch, "cpu_quota", lambda *args: 3)
        from radrules.cli import build_parser

        assert "(default: 3, the CPUs this process may use within its CPU quota;" in " ".join(build_parser()._subparsers._group_actions[0].choices["eval"]
                                                   .format_help().split())


class TestInputs:
    def test_several_inputs_one_after_the_other(self, tmp_path):
        """Several inputs of different kinds are read in order; error records say which input they are from."""
        first, second = tmp_path / "a.jsonl", tmp_path / "b.837"
        first.write_text(jsonl(PASSING, SHAPE, FAILING))
        second.write_text(x12_file(8))
        done = run("--format", "json", "--jobs", "2", first, second, env=POOL)
        rows = [json.loads(text) for text in done.stdout.splitlines()]
        assert [row["claim"] for row in rows] == ["P", None, "F", "X1", "X2", "X3", "X4", "X5", "X6", None, "X8"]
        assert rows[1] == {"claim": None, "position": 2, "error": "lines[0].units: expected a positive number",
                           "input": str(first)}
        assert rows[9]["position"] == 7 and rows[9]["input"] == str(second)
        assert done.returncode == 1

    def test_an_input_that_cannot_be_read_does_not_stop_the_others(self, tmp_path, capsys):
        """A missing file and a file that is not JSON are reported; the other inputs are still evaluated."""
        good, broken = tmp_path / "good.jsonl", tmp_path / "broken.jsonl"
        good.write_text(jsonl(PASSING))
        broken.write_text("not json\n" + jsonl(PASSING, PASSING))  # broken on its first line: not claims at all
        code = main(["eval", "--format", "json", str(tmp_path / "missing.json"), str(broken), str(good)])
        out, err = capsys.readouterr()
        assert code == 1
        assert len(out.splitlines()) == 1  # good.jsonl
        assert f"error: {tmp_path / 'missing.json'}: can't read the file" in err
        assert f"error: {broken}: not JSON: Expecting value at line 1, column 1" in err

    @pytest.mark.parametrize("bad", [b'{"id": "C41", "lines": [{"code": "710', b'{"id": "C\xff"}'],
                             ids=["cut short", "not UTF-8"])
    def test_a_bad_line_is_one_unreadable_claim_in_the_pool_as_in_one_process(self, tmp_path, bad):
        """A JSON Lines line that is not JSON (a record cut short) or not UTF-8, in the middle of a file, is one
        claim that can't be read, at its position, and the claims after it are evaluated and counted (they were
        all dropped): the same with or without a pool, from a file or a pipe."""
        path, other = tmp_path / "claims.jsonl", tmp_path / "other.jsonl"
        path.write_bytes(jsonl(*many(40)).encode() + bad + b"\n" + jsonl(*many(80)[40:]).encode())
        other.write_text(jsonl(FAILING))
        summary = tmp_path / "summary.json"
        pooled = run("--format", "json", "--jobs", "2", "--summary-json", summary, path, other, env=POOL)
        alone = run("--format", "json", "--jobs", "1", path, other)
        assert pooled.stdout == alone.stdout
        rows = [json.loads(text) for text in pooled.stdout.splitlines()]
        assert [row["claim"] for row in rows] == [f"C{n}" for n in range(1, 41)] + [None] + [
            f"C{n}" for n in range(41, 81)] + ["F"]
        problem = "not JSON: Unterminated string starting at column 34" if b"710" in bad else "not UTF-8 text"
        assert rows[40] == {"claim": None, "position": 41, "error": f"{path}:41: {problem}", "input": str(path)}
        assert "error:" not in pooled.stderr and "interrupted" not in pooled.stderr
        counts = json.loads(summary.read_text())
        assert (counts["claims"], counts["unreadable"], counts["input_errors"]) == (82, 1, [])
        assert pooled.returncode == alone.returncode == 1
        piped = subprocess.run([sys.executable, "-m", "radrules", "eval", "--jobs", "2", "-"],
                               input=path.read_bytes(), capture_output=True, cwd=ROOT, env={**os.environ, **POOL},
                               timeout=120)
        text = piped.stdout.decode()
        assert f"claim #41: ERROR <stdin>:41: {problem}\n" in text and "claim C80: " in text
        assert text.rstrip().endswith("81 claims: 64 passed, 16 failed, 1 not readable")

    def test_a_bad_line_in_the_middle_of_a_long_file_drops_no_claim(self, tmp_path):
        """The operations report: line 500 of 1,000 cut short gave `claims: 499`, exit 1, and no results after it;
        now every line is a claim of the summary, one of them unreadable."""
        path, summary = tmp_path / "claims.jsonl", tmp_path / "summary.json"
        lines = jsonl(*many(1000)).splitlines(keepends=True)
        lines[499] = lines[499][:30] + "\n"
        path.write_text("".join(lines))
        done = run("--format", "json", "--jobs", "2", "--summary-json", summary, path)
        assert len(done.stdout.splitlines()) == 1000
        counts = json.loads(summary.read_text())
        assert (counts["claims"], counts["unreadable"], counts["interrupted"]) == (1000, 1, False)
        assert done.returncode == 1

    def test_a_bad_x12_segment_stops_its_input_in_the_pool_as_in_one_process(self, tmp_path):
        """A segment that is not one, in the middle of an X12 file cut into pieces, ends the input with an error
        and the summary, as in one process: no traceback from the worker that read that piece."""
        path, pooled, alone = _pooled_and_alone(tmp_path, "CLM*X30*", "\x00\x01junk~\n")
        assert pooled.stdout == alone.stdout and len(pooled.stdout.splitlines()) == 29
        assert f"error: {path}: segment " in pooled.stderr and "not a segment" in pooled.stderr
        assert "summary: 29 claims" in pooled.stderr
        assert pooled.returncode == alone.returncode == 1

    def test_a_bht_out_of_place_stops_its_input_in_the_pool_as_in_one_process(self, tmp_path):
        """A second BHT in the middle of an X12 file (inside claim X29) ends the input at its segment with an
        error and the summary, in the pool as in one process: the claims before it, none after."""
        path, pooled, alone = _pooled_and_alone(tmp_path, "HL*31*", "BHT*0019*00*B2*20260410*1200*CH~\n")
        assert pooled.stdout == alone.stdout and len(pooled.stdout.splitlines()) == 28
        assert f"error: {path}: segment 296 (BHT): a second BHT in the transaction set" in pooled.stderr
        assert "summary: 28 claims" in pooled.stderr
        assert pooled.returncode == alone.returncode == 1

    def test_bad_claim_among_good_ones_in_text(self, tmp_path, capsys):
        """In text output a bad claim of one of several inputs is named by its position and its input."""
        first, second = tmp_path / "a.json", tmp_path / "b.json"
        first.write_text(json.dumps([PASSING]))
        second.write_text(json.dumps([dict(PASSING, id=None), SHAPE]))
        code = main(["eval", str(first), str(second)])
        out = capsys.readouterr().out
        assert code == 1
        assert f"claim #1 of {second}: PASS" in out
        assert f"claim #2 of {second}: ERROR lines[0].units: expected a positive number" in out
        assert out.rstrip().endswith("3 claims: 2 passed, 0 failed, 1 not readable")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class GoneTerminal(FakeTerminal):
    """A terminal whose session closed: every write fails with EIO."""

    def write(self, text):
        raise OSError(5, "Input/output error")


class TestProgress:
    def test_a_terminal_gone_ends_the_bar_not_the_run(self, tmp_path, monkeypatch):
        """A bar's write that fails (the terminal of a closed session) stops the bar; the run goes on, the summary
        file is written and the exit code is the claims' (it was taken for an input that can't be read)."""
        path, summary = tmp_path / "claims.jsonl", tmp_path / "summary.json"
        path.write_text(jsonl(*many(20)))
        monkeypatch.setattr(sys, "stderr", GoneTerminal())
        monkeypatch.setattr(sys, "stdout", io.StringIO())
        assert main(["eval", "--exit-zero", "--format", "json", "--summary-json", str(summary), str(path)]) == 0
        data = json.loads(summary.read_text())
        assert (data["claims"], data["input_errors"], data["interrupted"]) == (20, [], False)

    def test_bar_on_a_terminal(self, tmp_path, capsys, monkeypatch):
        """On a terminal (stderr a TTY, stdout not) a bar shows the share read, claims, rate and time left."""
        path = tmp_path / "claims.jsonl"
        path.write_text(jsonl(*many(20)))
        terminal = FakeTerminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        main(["eval", "--format", "json", "--jobs", "1", str(path)])
        shown = terminal.getvalue()
        bar = shown.split("\r")[1]
        assert bar.startswith("[########################] 100%  20 claims  ")
        assert "claims/s  ETA 0:00:00" in bar
        *_, erased, after = shown.split("\r")
        assert erased == " " * len(bar) and after.startswith("summary: 20 claims in ")  # the bar is erased first
        assert len(capsys.readouterr().out.splitlines()) == 20

    def test_no_bar_when_piped(self, tmp_path):
        """When stderr is a pipe, it gets the summary and nothing else (no carriage returns)."""
        path = tmp_path / "claims.jsonl"
        path.write_text(jsonl(*many(20)))
        done = run("--format", "json", "--jobs", "2", path, env=POOL)
        assert "\r" not in done.stderr and done.stderr.startswith("summary: 20 claims in ")

    def test_no_bar_when_the_results_go_to_the_terminal(self, tmp_path, monkeypatch):
        """When standard output is the terminal too, the results scroll and no bar is drawn over them."""
        path = tmp_path / "claims.jsonl"
        path.write_text(jsonl(*many(5)))
        terminal, results = FakeTerminal(), FakeTerminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        monkeypatch.setattr(sys, "stdout", results)
        main(["eval", str(path)])
        assert "\r" not in terminal.getvalue() and "claim C1: PASS" in results.getvalue()


class TestStops:
    def test_ctrl_c_stops_the_pool_and_reports_what_was_done(self, tmp_path):
        """Ctrl-C (SIGINT to the process group) ends a pooled run at once: exit 1, an interrupted summary."""
        summary = tmp_path / "summary.json"
        process = subprocess.Popen(
            [sys.executable, "-m", "radrules", "eval", "--jobs", "2", "--format", "json", "--summary-json",
             str(summary), "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
            env={**os.environ, **POOL}, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        process.stdin.write(jsonl(*many(100)).encode())
        process.stdin.flush()  # and leave standard input open: the run waits for more claims
        first = process.stdout.readline()  # the pool is at work: the first unit's results are out
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 1
        assert json.loads(first)["claim"] == "C1"
        assert "Traceback" not in err.decode()
        assert "summary (interrupted): " in err.decode()
        assert json.loads(summary.read_text())["interrupted"] is True
        assert len(out.splitlines()) < 100


    @pytest.mark.parametrize("jobs", ["1", "2"])
    @pytest.mark.parametrize("name, group", [("SIGTERM", False), ("SIGHUP", False), ("SIGTERM", True)],
                             ids=["TERM", "HUP", "TERM to every process"])
    def test_sigterm_and_sighup_stop_the_run_as_ctrl_c_does(self, tmp_path, name, group, jobs):
        """SIGTERM or SIGHUP to the command (a service manager's stop, a closed session), or SIGTERM to all its
        processes: the run stops with the summary marked interrupted, on standard error and in --summary-json,
        exit 1, the output ending on a whole record, and no worker left (they were killed with no summary, or
        orphaned for ever)."""
        summary = tmp_path / "summary.json"
        process = subprocess.Popen(
            [sys.executable, "-m", "radrules", "eval", "--jobs", jobs, "--format", "json", "--summary-json",
             str(summary), "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
            env={**os.environ, **POOL}, start_new_session=True, bufsize=0,  # (communicate reads past a buffer)
        )
        try:
            process.stdin.write(jsonl(*many(100)).encode())
            process.stdin.flush()  # and leave standard input open: the run waits for more claims
            assert json.loads(process.stdout.readline())["claim"] == "C1"
            number = getattr(signal, name)
            if group:
                os.killpg(process.pid, number)
            else:
                os.kill(process.pid, number)
            out, err = process.communicate(timeout=60)
            assert process.returncode == 1
            assert "Traceback" not in err.decode() and "summary (interrupted): " in err.decode()
            data = json.loads(summary.read_text())
            assert data["interrupted"] is True
            assert all(json.loads(text)["claim"] for text in out.decode().splitlines())  # whole records
            assert data["claims"] == 1 + len(out.decode().splitlines())  # each record written counted (C1 read above)
            assert _alive(process.pid) == []
        finally:
            _end_group(process)

    def test_a_signal_during_a_write_counts_the_records_written(self, tmp_path, monkeypatch):
        """SIGTERM while a unit's records are written: the run stops after them, and the summary counts exactly
        the records written (the unit's counts were dropped when the signal came inside the write)."""
        path, summary = tmp_path / "claims.jsonl", tmp_path / "summary.json"
        path.write_text(jsonl(*many(40)))

        class Output(io.StringIO):
            def write(self, text):
                if not self.getvalue():
                    os.kill(os.getpid(), signal.SIGTERM)  # (handled by the command: noted while it writes)
                return super().write(text)

        output = Output()
        monkeypatch.setattr(sys, "stdout", output)
        monkeypatch.setenv("RADRULES_UNIT_CLAIMS", "7")
        code = main(["eval", "--jobs", "1", "--format", "json", "--summary-json", str(summary), str(path)])
        written = output.getvalue().splitlines()
        data = json.loads(summary.read_text())
        assert code == 1 and data["interrupted"] is True
        assert 0 < len(written) < 40 and data["claims"] == len(written)

    def test_workers_end_when_their_parent_is_killed(self, tmp_path):
        """`kill -9` of the command (or the out-of-memory killer): its workers end too (they were left for ever,
        reparented to PID 1 and blocked on a pipe)."""
        process = subprocess.Popen([sys.executable, "-m", "radrules", "eval", "--jobs", "2", "--format", "json", "-"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   cwd=ROOT, env={**os.environ, **POOL}, start_new_session=True)
        try:
            process.stdin.write(jsonl(*many(100)).encode())
            process.stdin.flush()
            assert json.loads(process.stdout.readline())["claim"] == "C1"  # the pool is at work
            assert len(_alive(process.pid)) == 3
            process.kill()
            process.wait(timeout=60)
            deadline = time.monotonic() + 30
            while _alive(process.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _alive(process.pid) == []
        finally:
            _end_group(process)

    def test_a_worker_whose_parent_changed_ends(self):
        """Where the kernel can't end a worker with its parent, a thread of the worker looks for a new parent
        process id (an orphan's) and ends it."""
        ended = []
        batch._watch_parent(os.getppid() + 1 if os.getppid() > 1 else 2, interval=0.01, end=ended.append)
        assert ended == [1]

    def test_ctrl_c_while_the_rules_load_still_reports(self, tmp_path, capsys, monkeypatch):
        """Interrupted before any claim (while the rules load): exit 1, the summary marked interrupted on standard
        error and in --summary-json, as for a later interruption."""
        from radrules.cli import eval_command

        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt
        monkeypatch.setattr(eval_command, "load_rules", interrupted)
        target = tmp_path / "summary.json"
        assert main(["eval", "--summary-json", str(target), str(EXAMPLES)]) == 1
        assert "summary (interrupted): 0 claims" in capsys.readouterr().err
        assert json.loads(target.read_text())["interrupted"] is True

    def test_a_worker_that_dies_is_an_error_not_a_hang(self, tmp_path, capsys, monkeypatch):
        """A worker process that ends abruptly stops the run with `error: a worker process ended ...`, exit 1; the
        summary says the run was interrupted (it said `"interrupted": false`, most claims never evaluated)."""
        path, target = tmp_path / "claims.jsonl", tmp_path / "summary.json"
        path.write_text(jsonl(*many(40)))
        for name, value in POOL.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(batch, "_work", _die)  # the workers are forked from this process: they die too
        code = main(["eval", "--jobs", "2", "--summary-json", str(target), str(path)])
        out, err = capsys.readouterr()
        assert code == 1
        assert "error: a worker process ended before its work was done" in err
        assert "summary (interrupted): 0 claims" in err
        assert "claims:" not in out  # no count line, as after Ctrl-C: the count is not the input's
        data = json.loads(target.read_text())
        assert data["interrupted"] is True and data["input_errors"][0].startswith("a worker process ended")


def _die(unit):
    os._exit(3)


def _alive(group: int) -> list[int]:
    """The processes of a process group that are not zombies (an orphan's end waits for a PID 1 that reaps)."""
    table = subprocess.run(["ps", "-e", "-o", "pid=,pgid=,stat="], capture_output=True, text=True,
                           check=True).stdout
    return [int(pid) for pid, pgid, state in (row.split()[:3] for row in table.splitlines())
            if int(pgid) == group and not state.startswith("Z")]


def _end_group(process) -> None:
    """Kill what is left of a test's process group, so that a failed test leaves no process behind."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    process.wait(timeout=60)


class TestResultJson:
    def test_written_json_is_json_dumps_of_to_dict(self, bundled):
        """The JSON the batch writes for a result is exactly json.dumps(result.to_dict()), for every example."""
        odd = claim(line("7104\u00e9", DOS, modifiers=["\u00fc"]), id="C-\u00e9\"\\", payer="acme")  # (no U+2028: refused)
        pharmacy = {"date": DOS, "revenue_code": "0255"}  # a line of a revenue code alone: its entry has a note
        hospital = {"type": "institutional", "lines": [pharmacy, line("74177", DOS), pharmacy]}
        for item in example_claims() + [odd, FAILING, PASSING, hospital]:
            result = bundled.evaluate(item)
            assert result_json(result) == json.dumps(result.to_dict())


class TestStream:
    @pytest.mark.skipif(sys.platform == "win32", reason="pipes can't be polled on Windows (units of claims there)")
    @pytest.mark.parametrize("jobs", ["1", "2"])
    def test_a_burst_of_claims_is_answered_while_the_input_stays_open(self, jobs):
        """1,000 claims written at once, the pipe then left open: every one is answered (with two jobs none
        was: full units waited for more input), and quickly (claims already read wait for nothing)."""
        import threading

        process = subprocess.Popen([sys.executable, "-m", "radrules", "eval", "--jobs", jobs, "--format", "json",
                                    "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   cwd=ROOT, env=dict(os.environ))
        answers: list = []

        def read() -> None:
            while len(answers) < 1000 and process.stdout.readline():
                answers.append(1)
        # The answers are read from the start: written all at once before, they could fill the pipe of
        # standard output while this test still wrote claims, and both processes waited for ever.
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            process.stdin.write(jsonl(*many(1000)).encode())
            process.stdin.flush()
            reader.join(timeout=60)  # the input stays open all the while
            assert len(answers) == 1000
        finally:
            process.stdin.close()
            process.wait(timeout=60)

    @pytest.mark.skipif(sys.platform == "win32", reason="pipes can't be polled on Windows (units of claims there)")
    @pytest.mark.parametrize("args", [("--format", "json"), ("--format", "json", "--jobs", "1"),
                                      ("--format", "json", "--jobs", "2"), ()],
                             ids=["json, default jobs", "json, one job", "json, two jobs", "text"])
    def test_claims_written_one_by_one_are_answered_as_they_arrive(self, args):
        """A program that writes a claim into standard input and waits gets its answer before writing the next
        (cli.md: standard input is read as it comes), the first claim included."""
        import select

        process = subprocess.Popen([sys.executable, "-m", "radrules", "eval", *args, "-"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, env=dict(os.environ))
        try:
            for n in range(1, 4):
                process.stdin.write((json.dumps(dict(PASSING, id=f"S-{n}")) + "\n").encode())
                process.stdin.flush()
                ready, _, _ = select.select([process.stdout], [], [], 30)
                assert ready, f"no answer to claim {n} while the input stays open"
                assert f"S-{n}" in process.stdout.readline().decode()
                if not args:
                    assert process.stdout.readline() == b"\n"  # text: a blank line after each claim
        finally:
            process.stdin.close()
            process.wait(timeout=60)


class TestPayerIds:
    """`--payers FILE` maps the payer ids of X12 and FHIR claims to the names rules use, as `read_x12(payers=)`
    does: without it, a payer's rules never met a claim whose file names the payer differently."""

    RULE = ('rule pine.seen "seen"\n  for payer pinecrest\n  when line.code is present\n'
            '  then warn line "{line.code} for pinecrest"\n  reference "test"\nend\n')

    def files(self, tmp_path):
        (tmp_path / "rules.rr").write_text(self.RULE)
        (tmp_path / "payers.json").write_text(json.dumps({"00000": "Pinecrest"}))
        return tmp_path / "rules.rr", tmp_path / "payers.json"

    @pytest.mark.parametrize("env", [{}, POOL], ids=["one process", "pool"])
    def test_eval_maps_x12_payer_ids(self, tmp_path, env):
        rules, payers = self.files(tmp_path)
        source = ROOT / "tests" / "data" / "x12" / "radiology-837p.edi"
        mapped = run("--rules", rules, "--format", "json", "--payers", payers, source, env=env)
        plain = run("--rules", rules, "--format", "json", source, env=env)
        results = lambda done: [json.loads(line) for line in done.stdout.splitlines()]
        fired = lambda done: [f["rule"] for result in results(done) for f in result.get("findings", ())]
        assert "pine.seen" in fired(mapped) and "pine.seen" not in fired(plain)
        # only the claims of payer 00000 (two of them, four lines): the ACME01 claim is not mapped
        assert fired(mapped).count("pine.seen") == 4

    def test_explain_and_diff_map_them_too(self, tmp_path):
        rules, payers = self.files(tmp_path)
        source = str(ROOT / "tests" / "data" / "x12" / "radiology-837p.edi")
        common = [sys.executable, "-m", "radrules"]
        explain = subprocess.run([*common, "explain", "--rules", str(rules), "--payers", str(payers), "--rule",
                                  "pine.seen", source], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert "pine.seen fired" in explain.stdout
        (tmp_path / "empty.rr").write_text("")
        diff = subprocess.run([*common, "diff", "--claims", source, "--payers", str(payers), "--format", "json",
                               str(tmp_path / "empty.rr"), str(rules)], capture_output=True, text=True, cwd=ROOT,
                              timeout=60)
        [moved] = json.loads(diff.stdout)["impact"]["rules"]
        assert (moved["rule"], moved["appeared"]) == ("pine.seen", 2)


class TestAuthorizationFile:
    """`--authorizations FILE`: the payer's records, one a line; each claim gets those of its numbers."""

    RECORDS = ('{"number": "PA1", "codes": ["74176"], "start": "2026-04-01", "end": "2026-04-05", "units": 1}\n'
               '{"number": "PA2", "codes": ["70551"], "start": "2026-01-01", "end": "2026-12-31"}\n')
    CLAIMS = [
        {"id": "A", "payer": "acme", "prior_auth": "PA1", "lines": [{"code": "74176", "date": "2026-04-07"}]},
        {"id": "B", "payer": "acme", "prior_auth": "PA9", "lines": [{"code": "74176", "date": "2026-04-02"}]},
        {"id": "C", "payer": "acme", "prior_auth": "PA2", "lines": [{"code": "70551", "date": "2026-04-02"}]},
        # a claim with records of its own keeps them
        {"id": "D", "payer": "acme", "prior_auth": "PA2", "lines": [{"code": "70551", "date": "2026-04-02"}],
         "authorizations": []},
    ]

    @pytest.mark.parametrize("env", [{}, POOL], ids=["one process", "pool"])
    def test_each_claim_gets_the_records_of_its_numbers(self, tmp_path, env):
        (tmp_path / "records.jsonl").write_text(self.RECORDS)
        done = run("--format", "json", "--exit-zero", "--authorizations", tmp_path / "records.jsonl", "-",
                   stdin=jsonl(*self.CLAIMS), env=env)
        assert done.returncode == 0, done.stderr
        fired = {json.loads(line)["claim"]: [f["rule"] for f in json.loads(line)["findings"]]
                 for line in done.stdout.splitlines()}
        assert fired == {"A": ["acme.prior_auth.expired"], "B": ["acme.prior_auth.mismatch"], "C": [],
                         "D": ["acme.prior_auth.mismatch"]}
        without = run("--format", "json", "--exit-zero", "-", stdin=jsonl(*self.CLAIMS), env=env)
        assert [json.loads(line)["findings"] for line in without.stdout.splitlines()][:3] == [[], [], []]

    def test_explain_reads_them_too(self, tmp_path):
        (tmp_path / "records.jsonl").write_text(self.RECORDS)
        done = subprocess.run([sys.executable, "-m", "radrules", "explain", "--authorizations",
                               str(tmp_path / "records.jsonl"), "--rule", "acme.prior_auth.expired", "-"],
                              input=jsonl(self.CLAIMS[0]), capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert "acme.prior_auth.expired fired" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("path, message", [("", "no authorization file: the path is empty"),
                                           ("/", "can't read the file"), ("bin", "not UTF-8 text")])
def test_an_authorization_file_that_cannot_be_read(tmp_path, path, message):
    (tmp_path / "bin").write_bytes(b"\xff\xfe")
    done = run("--authorizations", tmp_path / path if path == "bin" else path, ROOT / "examples" / "claims.json")
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("option, content, message", [
    ("--payers", "[1]", "must hold a JSON object of payer ids to payer names"),
    ("--payers", '{"A": 1}', "must hold a JSON object of payer ids to payer names"),
    ("--payers", "{", "is not JSON"),
    # valid JSON, so not "is not JSON" (a technical writer's finding)
    ("--payers", '{"a": "x", "a": "y"}', "file.json`: the payer id `a` is given twice (the object at line 1 column 1, "
     "char 0): give each id once"),
    # a payer id is configuration, not claim data: named, with where its object starts
    ("--payers", ' {"PCH01": "x",\n "PCH01": "y"}', "the payer id `PCH01` is given twice (the object at line 1 "
     "column 2, char 1)"),
    ("--payers", '{"A": {"PCH01": 1, "PCH01": 2}}', "a key is given twice in one object (not shown: it may be data): "
     "line 1 column 7"),  # not a payer id
    ("--payers", "[" * 100_000, "nested too deeply"),  # it was a RecursionError traceback
    # a bad authorization record names its line
    ("--authorizations", '{"number": "PA1", "codes": ["7417"], "start": "2026-04-01", "end": "2026-04-05"}\n',
     "line 1: codes[0]: expected a procedure code (5 characters)"),
    ("--authorizations", "\n[1]\n", "line 2: expected an object"),
    ("--authorizations", '{"number": "PA1"\n', "line 1: not JSON"),
])
def test_a_bad_option_file_is_an_error(tmp_path, option, content, message):
    (tmp_path / "file.json").write_text(content)
    done = run(option, tmp_path / "file.json", ROOT / "examples" / "claims.json")
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr
