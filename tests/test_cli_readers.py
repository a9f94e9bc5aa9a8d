"""`radrules eval` on X12 and FHIR input: detection by content, --input-format, --format fhir."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from radrules.cli import main
from radrules.readers import detect_format

DATA = Path(__file__).parent / "data"
P837 = DATA / "x12" / "radiology-837p.edi"
BUNDLE = DATA / "fhir" / "radiology-bundle.json"
CLAIM = DATA / "fhir" / "radiology-claim.json"


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["eval", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("head, kind", [
    (b"ISA*00*", "x12"),
    (b"\xef\xbb\xbf\r\n  ISA*00*", "x12"),
    (b'{"resourceType": "Bundle", "entry": []}', "fhir"),
    (b'{"id": "x", "resourceType" : "Claim"}', "fhir"),
    (b'{"resourceType": "Patient"}', "json"),
    (b'{"id": "C-1", "lines": []}', "json"),
    (b"", "json"),
])
def test_detect_format(head, kind):
    """X12 starts with ISA (after a BOM or blanks); FHIR names a Claim or Bundle resourceType; else JSON."""
    assert detect_format(head) == kind


def test_x12_by_content_whatever_the_extension(tmp_path, capsys):
    """An 837P saved as .txt is read as X12: claims are named by CLM01, the bad claim is reported by position."""
    path = tmp_path / "claims.txt"
    shutil.copy(P837, path)
    code, out, _ = run(capsys, "--exit-zero", path)
    assert code == 1  # one claim can't be read
    assert "claim RAD-1002: PASS" in out and "claim RAD-1003: FAIL" in out  # (RAD-1001: a TC line in POS 22)
    assert f"claim #4: ERROR {path}: segment 60 (DTP): DTP*472 (service date) is not a D8 date" in out
    assert out.rstrip().endswith("5 claims: 1 passed, 3 failed, 1 not readable")


def test_x12_claim_past_the_line_limit_is_one_unreadable_claim(tmp_path, capsys):
    """A claim of 5,000 lines is reported at its CLM as past the limit, and the next claim is evaluated."""
    from test_readers_x12 import x12

    line = ["LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
    path = tmp_path / "long.x12"
    path.write_text(x12("CLM*C1*10***11:B:1", *line * 5000, "CLM*C2*10***11:B:1", *line), encoding="ascii")
    code, out, _ = run(capsys, "--exit-zero", path)
    assert code == 1
    assert f"claim #1: ERROR {path}: segment 11 (CLM): lines: at most 999 service lines per claim" in out
    assert out.rstrip().endswith("2 claims: 1 passed, 0 failed, 1 not readable")


def test_x12_json_output(capsys):
    """--format json prints one result per claim and the error object for the bad one."""
    code, out, _ = run(capsys, "--format", "json", P837)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["claim"] for row in rows] == ["RAD-1001", "RAD-1002", "RAD-1003", None, "RAD-1005"]
    assert rows[3]["position"] == 4 and "segment 60 (DTP)" in rows[3]["error"]
    assert "MEMBER0001" not in out


def test_x12_envelope_error_goes_to_stderr_and_exit_1(tmp_path, capsys):
    """A wrong SE count is printed on stderr; the claims are still evaluated; the exit code is 1."""
    text = (DATA / "x12" / "radiology-837i.edi").read_text(encoding="ascii").replace("SE*37*0001", "SE*36*0001")
    path = tmp_path / "bad-count.x12"
    path.write_text(text, encoding="ascii")
    code, out, err = run(capsys, path)
    assert code == 1
    assert "claim RADI-2001: PASS" in out
    assert out.rstrip().endswith("2 claims: 2 passed, 0 failed, 1 envelope errors")
    assert "segment 39 (SE): SE01 says 36 segments, but the transaction set has 37" in err


def test_broken_x12_file_exits_1(tmp_path, capsys):
    """A broken X12 file prints `error: FILE: segment N (ID): ...` on stderr and exits 1."""
    path = tmp_path / "broken.edi"
    path.write_text(P837.read_text(encoding="ascii")[:400], encoding="ascii")
    code, _, err = run(capsys, path)
    assert code == 1 and err.startswith(f"error: {path}: segment ")


def test_fhir_bundle_by_content(capsys):
    """A FHIR Bundle is detected and its claims evaluated; the bad one names its JSON path."""
    code, out, _ = run(capsys, BUNDLE)
    assert code == 1
    assert "claim RAD-F-4001: PASS" in out and "claim RAD-F-4003: PASS" in out
    assert "claim #2: ERROR" in out and "entry[4].resource.item[0].servicedDate: not a calendar date" in out


def test_format_fhir_writes_claim_responses(capsys):
    """--format fhir prints one ClaimResponse per claim (an OperationOutcome for an unreadable one)."""
    code, out, _ = run(capsys, "--format", "fhir", "--exit-zero", CLAIM)
    response = json.loads(out)
    assert code == 0
    assert response["resourceType"] == "ClaimResponse"
    assert response["request"] == {"reference": "Claim/RAD-F-3001"}
    assert response["item"][4]["adjudication"][0]["reason"]["text"] == "CO-97"
    code, out, _ = run(capsys, "--format", "fhir", BUNDLE)
    kinds = [json.loads(line)["resourceType"] for line in out.splitlines()]
    assert kinds == ["ClaimResponse", "OperationOutcome", "ClaimResponse"]


def test_format_fhir_names_the_element_of_an_unreadable_claim(capsys, tmp_path):
    """The OperationOutcome of an unreadable FHIR claim gives its element as FHIRPath (issue.expression), from
    the Bundle or the Claim, so that a program need not parse the diagnostics; other errors give none."""
    code, out, _ = run(capsys, "--format", "fhir", BUNDLE)
    issue = json.loads(out.splitlines()[1])["issue"][0]
    assert issue["expression"] == ["Bundle.entry[4].resource.item[0].servicedDate"]
    claim = json.loads(CLAIM.read_text(encoding="utf-8"))
    claim["item"][1]["modifierExtension"] = [{"url": "http://example.org/x", "valueBoolean": True}]
    path = tmp_path / "claims.ndjson"
    path.write_text(json.dumps(claim) + "\n" + json.dumps(claim) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "--format", "fhir", "--input-format", "fhir", path)
    assert [json.loads(line)["issue"][0]["expression"] for line in out.splitlines()] == [
        ["Claim.item[1].modifierExtension"]] * 2
    path = tmp_path / "claims.jsonl"
    path.write_text('{"lines": [{"code": "71046"}]}\n', encoding="utf-8")
    code, out, _ = run(capsys, "--format", "fhir", path)
    assert "expression" not in json.loads(out)["issue"][0]


def test_format_fhir_for_json_and_x12_input(capsys, tmp_path):
    """Claims from JSON and X12 get ClaimResponses too, with their type and id."""
    path = tmp_path / "claim.json"
    path.write_text(json.dumps({"id": "C-1", "type": "institutional",
                                "lines": [{"code": "71046", "date": "2026-03-02"}]}), encoding="utf-8")
    code, out, _ = run(capsys, "--format", "fhir", path)
    response = json.loads(out)
    assert code == 0 and response["type"]["coding"][0]["code"] == "institutional"
    assert response["request"] == {"identifier": {"value": "C-1"}}
    code, out, _ = run(capsys, "--format", "fhir", "--exit-zero", P837)
    assert len(out.splitlines()) == 5


def test_input_format_forces_the_reader(capsys, tmp_path):
    """--input-format json reads an X12 file as JSON (and fails); --input-format x12 reads a JSON file as X12."""
    code, _, err = run(capsys, "--input-format", "json", P837)
    assert code == 1 and "not JSON" in err
    code, _, err = run(capsys, "--input-format", "x12", CLAIM)
    assert code == 1 and "must start with an ISA segment" in err
    code, out, _ = run(capsys, "--input-format", "fhir", "--exit-zero", CLAIM)
    assert code == 0 and "claim RAD-F-3001: FAIL" in out


def test_json_still_works(capsys, tmp_path):
    """Plain claim JSON Lines are read as before."""
    path = tmp_path / "claims.jsonl"
    path.write_text('{"id": "A", "lines": [{"code": "71046", "date": "2026-03-02"}]}\n'
                    '{"id": "B", "lines": [{"code": "71046", "date": "2026-03-02"}]}\n', encoding="utf-8")
    code, out, _ = run(capsys, path)
    assert code == 0 and out.rstrip().endswith("2 claims: 2 passed, 0 failed")


def test_x12_from_stdin_in_a_subprocess():
    """`python -m radrules eval -` reads an 837P from standard input (a binary stream)."""
    completed = subprocess.run(
        [sys.executable, "-m", "radrules", "eval", "--format", "json", "-"],
        input=P837.read_bytes(), capture_output=True, env=dict(os.environ), timeout=120,
    )
    rows = [json.loads(line) for line in completed.stdout.decode().splitlines()]
    assert completed.returncode == 1
    assert [row["claim"] for row in rows] == ["RAD-1001", "RAD-1002", "RAD-1003", None, "RAD-1005"]
    assert "<stdin>: segment 60 (DTP)" in rows[3]["error"]
