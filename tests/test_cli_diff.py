"""`radrules diff` as a command: text and JSON reports, exit codes, the progress bar, bad claim lines."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from radrules.cli import main as cli_main
from radrules.cli.progress import ProgressBar

TOP = Path(__file__).parent.parent
ACME = "rulesets/payers/acme.rr"
ACME_OCTOBER = "examples/acme-2026.10.rr"
CLAIMS = "examples/claims.json"


def radrules(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `python -m radrules ARGS` from the top of the checkout, stdout and stderr piped."""
    return subprocess.run([sys.executable, "-m", "radrules", *args], cwd=TOP, env=dict(os.environ), input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def claims_jsonl(tmp_path) -> Path:
    """examples/claims.json as JSON Lines, with one broken line and one claim of the wrong shape."""
    claims = json.loads((TOP / CLAIMS).read_text(encoding="utf-8"))
    lines = [json.dumps(claim) for claim in claims]
    lines.insert(4, '{"id": "C-BROKEN", "lines": [')
    lines.append(json.dumps({"id": "C-SHAPE", "lines": [{"code": "71046", "date": "2026-13-40"}]}))
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class TestReports:
    def test_same_rules_exit_zero(self):
        """The bundled rulesets compared with themselves: `no differences`, exit 0, nothing on stderr."""
        done = radrules("diff", "rulesets", "rulesets")
        assert done.returncode == 0
        assert done.stdout == "rulesets: rulesets -> rulesets\nno differences\n"
        assert done.stderr == ""

    def test_text_report_and_exit_two(self):
        """Acme's October update: changes grouped by family, then the impact on the example claims; exit 2."""
        done = radrules("diff", ACME, ACME_OCTOBER, "--claims", CLAIMS)
        assert done.returncode == 2, done.stderr
        out = done.stdout.splitlines()
        assert out[:3] == ["rulesets: acme -> acme-2026.10", "version: acme 2026.07 -> 2026.10", ""]
        assert [line for line in out if line in ("ptp", "mue", "policy", "settings")] == [
            "ptp", "mue", "policy", "settings"]
        assert "      ~ pair 71046 with 71045: modifier: not allowed -> allowed" in out
        assert "  3 claims change outcome: 1 pass -> fail, 2 fail -> pass" in out
        assert "  billed charges pay -> deny: 260.00 on 1 line" in out
        assert "  claim C-1003 (claim #3): PASS -> FAIL" in out
        assert done.stderr == ""  # stderr is a pipe: no progress bar

    def test_json_report(self):
        """--format json prints one object: the ruleset diff and the impact on the claims."""
        done = radrules("diff", "--format", "json", "--limit-examples", "1", ACME, ACME_OCTOBER, "--claims", CLAIMS)
        assert done.returncode == 2
        report = json.loads(done.stdout)
        assert [f["family"] for f in report["rulesets"]["families"]] == ["ptp", "mue", "policy", "settings"]
        impact = report["impact"]
        assert (impact["claims"], impact["pass_to_fail"], impact["fail_to_pass"]) == (22, 1, 2)
        assert (impact["charge_denied"], impact["charge_released"]) == (260.0, 455.0)
        assert [e["claim"] for e in impact["examples"]] == ["C-1003"]


class TestInProcess:
    """Options checked without a new interpreter (the command's own `main`)."""

    @pytest.fixture(autouse=True)
    def at_top(self, monkeypatch):
        monkeypatch.chdir(TOP)

    def test_exit_zero_option(self, capsys):
        """--exit-zero prints the same report and exits 0."""
        assert cli_main(["diff", ACME, ACME_OCTOBER]) == 2
        report = capsys.readouterr().out
        assert cli_main(["diff", "--exit-zero", ACME, ACME_OCTOBER]) == 0
        assert capsys.readouterr().out == report

    def test_a_renamed_table_file_is_a_version_change_with_no_row_changed(self, tmp_path, capsys):
        """The summary counts what changed and nothing else (it printed `table rows: ` with no counts)."""
        fixture = TOP / "tests" / "data" / "cms" / "radiology-ptp-v322r0-f1.TXT"
        for side, name in (("a", "x.TXT"), ("b", "renamed.TXT")):
            (tmp_path / side).mkdir()
            (tmp_path / side / name).write_bytes(fixture.read_bytes())
            (tmp_path / side / "n.rr").write_text(f'table ptp "{name}" effective 2026-07-01\n', encoding="utf-8")
        assert cli_main(["diff", str(tmp_path / "a"), str(tmp_path / "b")]) == 2
        out = capsys.readouterr().out
        assert "0 added, 0 removed, 0 changed" in out
        assert out.rstrip().splitlines()[-1] == "differences: table versions: 1 changed"

    def test_json_without_claims(self, capsys):
        """Without --claims the JSON report's impact is null."""
        cli_main(["diff", "--format", "json", ACME, ACME_OCTOBER])
        report = json.loads(capsys.readouterr().out)
        assert report["impact"] is None and report["rulesets"]["same"] is False

    def test_json_with_claims_that_change_nothing(self, capsys, claims_jsonl):
        """With --claims the impact is an object even when no claim changes: its counts and bad lines say why
        the exit is 1 (impact.md: null only without --claims)."""
        assert cli_main(["diff", "--format", "json", ACME, ACME, "--claims", str(claims_jsonl)]) == 1
        impact = json.loads(capsys.readouterr().out)["impact"]
        assert (impact["claims"], impact["unreadable"], impact["changed"]) == (22, 2, 0)
        assert [bad["number"] for bad in impact["bad"]] == [5, 24]

    def test_claims_from_stdin(self, capsys, monkeypatch):
        """`--claims -` reads standard input: JSON Lines numbered by line, an array by position."""
        claims = json.loads((TOP / CLAIMS).read_text(encoding="utf-8"))
        lines = "".join(json.dumps(claim) + "\n" for claim in claims[:4]).encode()
        for data, numbering in ((lines, "line"), ((TOP / CLAIMS).read_bytes(), "position")):
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
            assert cli_main(["diff", "--format", "json", ACME, ACME_OCTOBER, "--claims", "-"]) == 2
            impact = json.loads(capsys.readouterr().out)["impact"]
            assert (impact["numbering"], impact["changed"]) == (numbering, 2 if numbering == "line" else 3)

    def test_unreadable_claims_file_exits_one(self, capsys):
        """A claims file that can't be opened prints `error: ...` and exits 1."""
        assert cli_main(["diff", ACME, ACME_OCTOBER, "--claims", "no-such-file.jsonl"]) == 1
        # (as `eval` says it)
        assert capsys.readouterr().err.startswith("error: no-such-file.jsonl: can't read the file: No such file")

    def test_limit_must_be_a_count(self, capsys):
        """--limit-examples takes a whole number of 0 or more; else a usage error (exit 1)."""
        with pytest.raises(SystemExit) as stopped:
            cli_main(["diff", "--limit-examples", "-2", ACME, ACME_OCTOBER])
        assert stopped.value.code == 1 and "expected 0 or more" in capsys.readouterr().err

    def test_limit_is_written_in_ascii_digits(self, capsys):
        """`--limit-examples ３` is a usage error: int() reads full-width digits, the option does not."""
        with pytest.raises(SystemExit) as stopped:
            cli_main(["diff", "--limit-examples", "\uff13", ACME, ACME_OCTOBER])
        assert stopped.value.code == 1 and "is not a whole number" in capsys.readouterr().err


class TestErrors:
    def test_bad_claim_lines_are_reported_and_exit_one(self, claims_jsonl):
        """Bad lines are named by line number (never by content), the rest is evaluated, and the exit is 1."""
        done = radrules("diff", ACME, ACME_OCTOBER, "--claims", str(claims_jsonl))
        assert done.returncode == 1
        out = done.stdout.splitlines()
        assert "impact on 22 claims (2 unreadable lines skipped):" in out
        assert out[-3:] == ["unreadable lines (all):", "  line 5: not JSON: Expecting value at column 30",
                            "  line 24: lines[0].date: not a calendar date"]
        assert "  claim C-1021 (line 22): FAIL -> PASS" in out  # numbered by line of the file

    def test_rule_errors_exit_three(self, tmp_path):
        """A broken NEW prints its diagnostics on stderr and exits 3 before any claim is read."""
        broken = tmp_path / "broken.rr"
        broken.write_text('rule x.y\n  when line.modifer has 26\n  then deny line "no"\nend\n', encoding="utf-8")
        done = radrules("diff", ACME, str(broken), "--claims", "no-such-file.jsonl")
        assert done.returncode == 3
        assert "error[RR204]: unknown field `modifer` of `line`" in done.stderr
        assert done.stdout == ""


class FakeTerminal(io.StringIO):
    """Standard error as a terminal: what the progress bar writes, kept."""

    def isatty(self) -> bool:
        return True


class TestProgress:
    def test_bar_on_a_terminal(self, claims_jsonl, tmp_path, monkeypatch, capsys):
        """On a terminal, stderr shows a bar with share read, claims, rate and ETA, then a closing line."""
        many = tmp_path / "many.jsonl"
        many.write_text(claims_jsonl.read_text(encoding="utf-8") * 10, encoding="utf-8")
        terminal = FakeTerminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        monkeypatch.chdir(TOP)
        code = cli_main(["diff", "--exit-zero", ACME, ACME_OCTOBER, "--claims", str(many)])
        assert code == 1  # the broken lines, ten times
        shown = terminal.getvalue()
        assert re.search(r"\r\[#*-*\] +\d+%  64 claims  [\d,]+ claims/s  ETA 0:00:\d\d", shown), shown
        assert re.search(r"\r240 claims in 0:00:\d\d \([\d,]+ claims/s\) *\n$", shown), shown
        assert "impact on 220 claims" in capsys.readouterr().out

    def test_nothing_when_piped(self, claims_jsonl, monkeypatch, capsys):
        """When stderr is not a terminal, the bar writes nothing at all."""
        monkeypatch.chdir(TOP)
        cli_main(["diff", ACME, ACME_OCTOBER, "--claims", str(claims_jsonl)])
        assert capsys.readouterr().err == ""

    def test_rate_and_time_left(self):
        """Half the file in 10 seconds: 100 claims/s and 10 seconds to go; redraws wait for the interval."""
        clock = iter([0.0, 10.0, 10.05, 30.0]).__next__
        terminal = FakeTerminal()
        bar = ProgressBar(terminal, clock=clock)
        bar(1000, 500, 1000)
        bar(1010, 505, 1000)  # 0.05 s later: not drawn
        assert terminal.getvalue() == "\r[############------------]  50%  1,000 claims  100 claims/s  ETA 0:00:10"
        bar.finish()
        assert terminal.getvalue().endswith("\r1,010 claims in 0:00:30 (34 claims/s)" + " " * 35 + "\n")


def test_diff_claims_with_authorization_records_and_history(tmp_path):
    """--authorizations gives each claim its records, so a rule on them can move a claim; --history reaches
    both rulesets; either without --claims is a usage error."""
    claim = {"id": "C-PA", "payer": "acme", "prior_auth": "PA-7", "place_of_service": "11",
             "lines": [{"code": "76376", "date": "2026-10-05"}]}  # 3D rendering: under PA from October
    (tmp_path / "claims.jsonl").write_text(json.dumps(claim) + "\n", encoding="utf-8")
    record = {"number": "PA-7", "codes": ["74176"], "start": "2026-10-01", "end": "2026-12-31"}
    (tmp_path / "records.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (tmp_path / "history.jsonl").write_text("", encoding="utf-8")
    base = ["diff", ACME, ACME_OCTOBER, "--claims", str(tmp_path / "claims.jsonl"), "--format", "json"]
    without = json.loads(radrules(*base).stdout)["impact"]
    assert without["pass_to_fail"] == 0  # no records: the number's status is unknown, nothing moves
    done = radrules(*base, "--authorizations", str(tmp_path / "records.jsonl"),
                    "--history", str(tmp_path / "history.jsonl"))
    assert done.returncode == 2, done.stderr
    impact = json.loads(done.stdout)["impact"]
    assert impact["pass_to_fail"] == 1
    assert [r["rule"] for r in impact["rules"]] == ["acme.prior_auth.mismatch"]
    for option in ("--authorizations", "--history"):
        alone = radrules("diff", ACME, ACME_OCTOBER, option, str(tmp_path / "records.jsonl"))
        assert alone.returncode == 1 and f"error: {option} is read with the claims of --claims" in alone.stderr
    bad = radrules(*base, "--authorizations", str(tmp_path / "missing.jsonl"))
    assert bad.returncode == 1 and "missing.jsonl" in bad.stderr


def test_a_note_when_table_changes_start_after_every_claim_and_shift_days(tmp_path):
    """Claims dated before a new quarter's rows get a note saying so and the --shift-days that would show them;
    with that shift, the rows deny and no note is left. --shift-days without --claims is a usage error."""
    from test_diff import CHEST_VIEWS, quarters

    q2, q3, _ = quarters(tmp_path)
    (tmp_path / "h.jsonl").write_text("".join(json.dumps(c) + "\n" for c in CHEST_VIEWS), encoding="utf-8")
    base = ["diff", str(q2), str(q3), "--claims", str(tmp_path / "h.jsonl")]
    plain = radrules(*base)
    assert plain.returncode == 2, plain.stderr
    assert plain.stdout.endswith(
        "\nnote: the claims' dates of service end on 2026-05-15, before these table changes take effect:\n"
        "  practitioner PTP table: changes from as late as 2026-07-01\n"
        "  the claims can't show them; --shift-days 90 moves every date 90 days, the first claim's (2026-04-02) "
        "to 2026-07-01\n")
    shifted = radrules(*base, "--shift-days", "90")
    assert "2 claims change outcome: 2 pass -> fail" in shifted.stdout and "note:" not in shifted.stdout
    short = radrules(*base, "--shift-days", "20", "--format", "json")
    impact = json.loads(short.stdout)["impact"]
    assert (impact["shift_days"], impact["last_date"]) == (20, "2026-06-04")
    (ptp,) = json.loads(short.stdout)["rulesets"]["families"]
    assert ptp["rules"][0]["tables"][0]["latest_effective"] == "2026-07-01"
    alone = radrules("diff", str(q2), str(q3), "--shift-days", "90")
    assert alone.returncode == 1 and "error: --shift-days is read with the claims of --claims" in alone.stderr
