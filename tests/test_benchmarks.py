"""The benchmarks keep working: each runs at a reduced size (the full-size runs are in docs/performance.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import radrules

ROOT = Path(__file__).parent.parent
BENCHMARKS = ROOT / "benchmarks"


def run(script: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True,
                          cwd=cwd, env=dict(os.environ), timeout=600)


def test_national_benchmark_at_reduced_size(tmp_path):
    """bench_national.py generates 50,000 PTP rows in the CMS layouts, loads them cold and warm, and agrees
    with the plain-dict implementation on every claim it compares."""
    done = run("bench_national.py", "--data", str(tmp_path / "national"), "--ptp-rows", "50000",
               "--mue-codes", "6000", "--pctc-rows", "3000", "--claims", "3000", "--stages")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    table = {line.split("|")[0].strip(): line.split("|")[1].strip() for line in lines if line.count("|") == 2}
    assert table["PTP rows loaded (practitioner)"] == "50,000"
    assert table["PTP/MUE disagreements with plain dict (5,000 claims, 2,000 on window edges)"] == "0"
    assert table["warm load from table cache (fresh process)"].endswith(" s")
    assert int(table["claims/s, as many new claims after those"].replace(",", "")) > 0
    assert any(line.startswith("plain-dict comparison") for line in lines)
    stages = lines[lines.index(next(line for line in lines if line.startswith("where a 4-line claim"))) + 1:]
    assert [line.split("|")[0].strip() for line in stages][:2] == ["claim setup (line views, date groups)",
                                                                   "format checks"]
    assert len(stages) == 8 and all(float(line.split("|")[1]) >= 0 <= float(line.split("|")[2]) for line in stages)
    counted = run("count_instructions.py", "--data", str(tmp_path / "national"), "--claims", "200", "--passes", "2")
    assert counted.returncode == 0, counted.stderr[-2000:]
    opcodes = run("count_instructions.py", "--data", str(tmp_path / "national"), "--claims", "200", "--opcodes", "5")
    assert opcodes.returncode == 0, opcodes.stderr[-2000:]
    head, *busiest = opcodes.stdout.splitlines()
    assert head.startswith("bytecodes per claim: ") and int(head.split()[3].replace(",", "")) > 100
    assert len(busiest) == 5 and all(".py:" in line for line in busiest)
    timed = run("count_instructions.py", "--data", str(tmp_path / "national"), "--claims", "200", "--time")
    assert timed.returncode == 0, timed.stderr[-2000:]
    assert timed.stdout.startswith("first pass ") and "best of three more" in timed.stdout
    ablated = run("ablate_rules.py", "--data", str(tmp_path / "national"), "--claims", "100", "--passes", "1")
    assert ablated.returncode == 0, ablated.stderr[-2000:]
    left_out = [line.split()[1] for line in ablated.stdout.splitlines() if line.startswith("without ")]
    bundled = radrules.load(None, cache_dir=None)
    assert sorted(left_out) == sorted({rule.info.id for rule in bundled.rules})  # each bundled rule once
    memory = run("memory_while_evaluating.py", "--data", str(tmp_path / "national"), "--claims", "600", "--batch", "300")
    assert memory.returncode == 0, memory.stderr[-2000:]
    rows = [line.split("|") for line in memory.stdout.splitlines()[1:]]
    assert [row[0].strip() for row in rows] == ["0", "300", "600"]
    assert all(float(row[1]) > 0 for row in rows) and int(rows[-1][2].replace(",", "")) > 0


def test_generated_claims_have_1_to_12_lines_median_4():
    """The issue's claim sizes: 1-12 lines, median 4."""
    import random
    import statistics

    sys.path.insert(0, str(BENCHMARKS))
    try:
        from bench_national import make_claims
    finally:
        sys.path.remove(str(BENCHMARKS))
    sizes = [len(claim["lines"]) for claim in make_claims(20_000, ["70450", "71046"], random.Random(1))]
    assert (min(sizes), max(sizes), statistics.median(sizes)) == (1, 12, 4)


def test_national_benchmark_with_hospital_tables(tmp_path):
    """With hospital outpatient tables, a third of the claims are institutional, judged by those tables,
    and the engine agrees with the plain-dict implementation on them too."""
    done = run("bench_national.py", "--data", str(tmp_path / "national"), "--ptp-rows", "20000",
               "--hospital-rows", "20000", "--mue-codes", "3000", "--pctc-rows", "1000", "--claims", "3000")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    table = {line.split("|")[0].strip(): line.split("|")[1].strip()
             for line in done.stdout.splitlines() if line.count("|") == 2}
    assert table["PTP rows loaded (practitioner + hospital)"] == "40,000"
    assert table["PTP/MUE disagreements with plain dict (5,000 claims, 2,000 on window edges)"] == "0"
    assert 800 < int(table["of those claims, institutional (hospital tables)"].replace(",", "")) < 1200


def test_evaluate_benchmark_at_reduced_size():
    """bench_evaluate.py prints µs per claim for 1-, 5- and 20-line claims, the compile time and explain's cost."""
    done = run("bench_evaluate.py", "--claims", "50", "--repeat", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    speed, explain = done.stdout.split("explain (median µs)")
    rows = [line.split("|") for line in speed.splitlines() if line.count("|") == 4]
    assert [row[0].strip() for row in rows[1:]] == ["1", "5", "20"]
    assert all(float(row[1]) > 0 for row in rows[1:])
    assert "compile (parse + compile, no cache)" in done.stdout
    rows = [line.split("|") for line in explain.splitlines() if line.count("|") == 4]
    assert [row[0].strip() for row in rows[1:]] == ["1", "5", "20"]
    assert all(float(row[4]) > float(row[2]) > 0 for row in rows[1:])  # explain on costs more than off


def test_big_claims_benchmark_at_reduced_size():
    """bench_big_claims.py times its three rulesets on one big claim, by both paths, with the same findings."""
    done = run("bench_big_claims.py", "--lines", "60", "--rules", "5", "--repeat", "1", "--plain")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line.split("|") for line in done.stdout.splitlines()[2:]]
    assert [row[0].strip() for row in rows] == [
        "5 pair rules without a code test", "the bundled rulesets",
        "the bundled rulesets and 4 payer pair rules without a code test"]
    assert all(float(row[1]) > 0 and float(row[2]) > 0 and int(row[3].replace(",", "")) > 0 for row in rows)


def test_big_claims_benchmark_explains():
    """bench_big_claims.py --explain also times the explanation and counts its steps."""
    done = run("bench_big_claims.py", "--lines", "40", "--rules", "3", "--repeat", "1", "--explain")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line.split("|") for line in done.stdout.splitlines()[2:]]
    assert len(rows) == 3
    assert all(float(row[4]) > 0 and int(row[5].replace(",", "")) > int(row[3].replace(",", "")) for row in rows)


def test_generator_self_check(tmp_path):
    """generate_cms_tables.py writes every file in its published layout and its own check reads them back."""
    done = run("generate_cms_tables.py", str(tmp_path / "cms"), "--ptp-rows", "20000", "--mue-codes", "3000",
               "--pctc-rows", "1500", "--hospital-rows", "5000", "--check")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    names = sorted(path.name for path in (tmp_path / "cms").iterdir())
    assert "ccipra-v322r0-f1.TXT" in names and "ccioph-v321r0-f1.TXT" in names
    assert "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv" in names
    # Each file is told from the others: the PTP parts with every other file the generator writes in one
    # statement give one RR505 for each other file (never a row error).
    ptp = [name for name in names if name.startswith("ccipra-")]
    others = [name for name in names if not name.startswith(("ccipra-", "ccioph-")) and name != "generated.json"]
    assert len(others) == 4  # the two MUE tables, the add-on code file and the MPFS file
    (tmp_path / "main.rr").write_text("table ptp " + ", ".join(f'"cms/{name}"' for name in ptp + others) + "\n")
    try:
        radrules.load(tmp_path, cache_dir=None)
    except radrules.RuleError as error:
        assert sorted((e.code, e.message.split("`")[1]) for e in error.errors) == [
            ("RR505", f"{tmp_path.name}/cms/{name}") for name in sorted(others)]
    else:
        raise AssertionError("the PTP statement loaded files of other kinds")


def test_generator_refuses_sizes_it_cant_make_before_writing(tmp_path):
    """A PPRRVU file of more codes than the universe holds is a usage error naming both options, before any
    file is written (it stopped after eleven files, with no PPRRVU file and no check)."""
    done = run("generate_cms_tables.py", str(tmp_path / "out"), "--ptp-rows", "2000", "--mue-codes", "3000")
    assert done.returncode == 2
    assert "--pctc-rows 10000 needs 7,778 distinct codes, and --mue-codes 3000 makes 3,000" in done.stderr
    few = run("generate_cms_tables.py", str(tmp_path / "out"), "--ptp-rows", "2000", "--pctc-rows", "100")
    assert few.returncode == 2 and "--pctc-rows must be at least 128" in few.stderr
    assert not (tmp_path / "out").exists()


def test_x12_benchmark_at_reduced_size():
    """bench_x12.py writes an 837P, reads and evaluates every claim without errors and prints the rate."""
    done = run("bench_x12.py", "--claims", "500", "--evaluate")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "read and evaluated 500 claims (0 errors)" in done.stdout and "claims/s" in done.stdout


def test_batch_benchmark_at_reduced_size():
    """bench_batch.py times `radrules eval` with one and two jobs and prints a rate for each."""
    done = run("bench_batch.py", "--claims", "1500", "--jobs", "1", "2", "--repeat", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    rates = [line for line in done.stdout.splitlines() if line.startswith("--jobs")]
    assert [line.split(":")[0] for line in rates] == ["--jobs 1", "--jobs 2"]
    assert all("claims/s" in line for line in rates)


def test_rule_loading_benchmark_at_reduced_size(tmp_path):
    """bench_rules_load.py writes payer rule files that compile without errors, times their load in a fresh
    process by stage, and profiles it."""
    done = run("bench_rules_load.py", "--out", str(tmp_path / "rules"), "--kilobytes", "60", "--runs", "1",
               "--profile", "3")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("2 rule files, ") and lines[0].endswith(" 84 rules, 960 edit rows"), lines[0]
    assert [line[:28].rstrip() for line in lines[1:6]] == [
        "import radrules", "build the Lark parser", "load (parse + compile)", "  parse the files",
        "  compile the ruleset"]
    assert "Ordered by: internal time" in done.stdout
