"""Small helpers shared by the tests: claim and line builders, diagnostic snippets."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples" / "claims.json"
RULESETS = ROOT / "rulesets"

#: A rendering NPI whose check digit holds (the CMS example NPI).
NPI = "1234567893"
OTHER_NPI = "1245319599"


#: The ends of the MUE denials' messages, by MAI (what a biller can do: radrules.evaluator.MAI_NOTES), written out.
LINE_EDIT = ("MAI 1, a line edit: a repeat goes on a line of its own, with 76, 77, 91, 59, XE, XS, XP, XU or an anatomic "
             "modifier")
POLICY = "MAI 2, policy: no modifier lifts it and no appeal pays above it"
CLINICAL = "MAI 3, clinical: an appeal with the medical record may pay above it"

def line(code: str, date: str = "2026-03-02", **fields) -> dict:
    """One claim line in the JSON shape."""
    out = {"code": code, "date": date, "units": 1}
    out.update(fields)
    return out


def claim(*lines: dict, **fields) -> dict:
    """A claim in the JSON shape; professional, no payer, unless told otherwise."""
    out = {"type": "professional", "lines": list(lines)}
    out.update(fields)
    return out


def fired(result) -> set[str]:
    """The ids of the rules that produced findings."""
    return {finding.rule for finding in result.findings}


def only(result, rule: str):
    """The single finding of ``rule`` in a result."""
    found = [finding for finding in result.findings if finding.rule == rule]
    assert len(found) == 1, [f.to_dict() for f in result.findings]
    return found[0]


def underlined(diagnostic) -> str:
    """The source text a diagnostic's carets underline (one-line spans)."""
    span = diagnostic.span
    return diagnostic.source_line[span.column - 1: span.end_column - 1]


def example_claims() -> list[dict]:
    return json.loads(EXAMPLES.read_text(encoding="utf-8"))


def evaluate_all(ruleset, claims: list[dict]) -> list[dict]:
    """Every claim's result as a dict (a module-level function, so other processes can run it)."""
    return [ruleset.evaluate(data).to_dict() for data in claims]


def random_claims(seed: int, count: int) -> list[dict]:
    """Reproducible random claims of valid shape, built from the Hypothesis strategy pools."""
    import random

    from strategies import CODES, DAYS, DIAGNOSES, MODIFIERS, NPIS, PAYERS, PLACES

    rng = random.Random(seed)
    out = []
    for number in range(count):
        diagnoses = rng.sample(DIAGNOSES, rng.randint(0, 3))
        lines = []
        for _ in range(rng.randint(1, 6)):
            entry = line(rng.choice(CODES), rng.choice(DAYS).isoformat(), units=rng.choice([1, 1, 1, 2, 3, 120]),
                         modifiers=rng.sample(MODIFIERS, rng.randint(0, 3)))
            if diagnoses:
                entry["diagnosis_pointers"] = [rng.randint(1, len(diagnoses))]
            if rng.random() < 0.3:
                entry["rendering_npi"] = rng.choice([n for n in NPIS if n])
            lines.append(entry)
        data = claim(*lines, id=f"R-{seed}-{number}", diagnoses=diagnoses,
                     type=rng.choice(["professional", "institutional"]),
                     patient={"birth_date": f"{rng.randint(1935, 2000)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                              "sex": rng.choice("FMU")},
                     received=rng.choice(["2026-03-20", "2027-04-01"]))
        payer = rng.choice(PAYERS)
        if payer:
            data["payer"] = payer
        place = rng.choice(PLACES)
        if place:
            data["place_of_service"] = place
        out.append(data)
    return out


X12_HEAD = [
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260320*1200*^*00501*000000001*0*T*:",
    "GS*HC*SENDER*RECEIVER*20260320*1200*1*X*005010X222A1",
    "ST*837*0001*005010X222A1",
    "BHT*0019*00*B1*20260410*1200*CH",
    "HL*1**20*1",
]


def x12_file(count: int) -> str:
    """One 837P of ``count`` claims (ids X1, X2, ...), a subscriber loop each; every seventh is not readable."""
    body = []
    for n in range(1, count + 1):
        code = "77063" if n % 5 == 0 else "71046"
        date = "20260230" if n % 7 == 0 else "20260302"  # February 30th: the claim can't be read
        body += [f"HL*{n + 1}*1*22*0", "SBR*P*18*******MB", f"NM1*IL*1*EXAMPLE*PAT****MI*M{n}",
                 "DMG*D8*19580314*F", "NM1*PR*2*MEDICARE*****PI*00000", f"CLM*X{n}*64***11:B:1*Y*A*Y*Y",
                 "HI*ABK:R0789", "LX*1", f"SV1*HC:{code}*64*UN*1***1", f"DTP*472*D8*{date}"]
    segments = X12_HEAD + body
    segments += [f"SE*{len(segments) - 1}*0001", "GE*1*1", "IEA*1*000000001"]
    return "~\n".join(segments) + "~\n"


@contextlib.contextmanager
def working_directory(path):
    """``contextlib.chdir`` (Python 3.11), for the tests to run on 3.10 too."""
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)
