"""Conformance: read every sample claim file in ../shared/samples with radrules' readers.

    python tools/conformance.py [SAMPLES]     # default: ../shared/samples beside the checkout

Not part of the test suite (CI does not need the folder; some of its X12
files may not be copied into the project, see its SOURCES.md). Every X12
file (837P/837I) and every FHIR JSON file is read; each claim is evaluated
with the bundled rules. A file passes when it reads without error, or when
its errors are the documented ones of docs/readers.md ("Conformance"): the
two imsweb files, whose HI segments and envelope counts are malformed, and
the 837I guide example whose statement period (DTP*434) is an RD8 of one date.
Exit 0 when every file passes, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import radrules

#: file name -> (claims, claim errors, envelope errors) the documented outcome expects.
DOCUMENTED = {
    "x12_complex.txt": (0, 6, 3),
    "x12_many_claims.txt": (0, 820, 1),
    "X223A2-837-institutional-claim.edi": (0, 1, 0),
}


def check(path: Path, reader, rules) -> tuple[bool, str]:
    claims = errors = envelope = 0
    messages = []
    try:
        for item in reader(path):
            if isinstance(item, radrules.InputError):
                if item.claim is None:
                    envelope += 1
                else:
                    errors += 1
                if len(messages) < 2:
                    messages.append(item.problem if item.segment is None else
                                    f"segment {item.segment} ({item.segment_id}): {item.problem}")
            else:
                rules.evaluate(item)
                claims += 1
    except radrules.InputError as error:
        return False, f"RAISED {error}"
    outcome = (claims, errors, envelope)
    expected = DOCUMENTED.get(path.name)
    ok = outcome == expected if expected else errors == envelope == 0 and claims > 0
    text = f"{claims} claims, {errors} claim errors, {envelope} envelope errors"
    if messages:
        text += " | " + " | ".join(messages)
    return ok, text


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "samples"
    if not root.is_dir():
        print(f"error: no samples folder at {root}", file=sys.stderr)
        return 1
    rules = radrules.load()
    files = sorted(p for p in (root / "x12").rglob("*")
                   if p.suffix in (".edi", ".txt", ".x12") and "LICENSES" not in p.parts)
    files += sorted(p for p in (root / "fhir").rglob("*.json") if "LICENSES" not in p.parts)
    failures = 0
    for path in files:
        reader = radrules.read_x12 if path.suffix != ".json" else radrules.read_fhir
        ok, text = check(path, reader, rules)
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {path.relative_to(root)}: {text}")
    print(f"{len(files)} files: {len(files) - failures} ok, {failures} failed")
    return 1 if failures or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
