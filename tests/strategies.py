"""Hypothesis strategies: valid claim dicts biased toward the codes the rules know.

The claims are valid in *shape* (``Claim.from_dict`` accepts them) but may carry
content problems (a four-digit code, a pointer to nothing) that evaluation
reports as ``format`` findings. Dates cluster on a few days so lines pair up.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

import radrules

from builders import NPI, OTHER_NPI

#: Codes of the bundled rules and of TEST_RULES, a few others, and one malformed code.
CODES = (
    "70450", "70460", "70470", "70551", "70553", "71045", "71046", "71047", "71250", "71260", "71270",
    "71271", "71275", "72148", "72192", "72193", "72194", "73562", "73721", "74150", "74160", "74170",
    "74176", "74177", "74178", "76376", "76377", "76700", "76705", "77063", "77065", "77066", "77067",
    "G0279", "Q9967", "A9585", "99213", "7356",
)
MODIFIERS = (
    "26", "TC", "59", "XE", "XS", "XP", "XU", "LT", "RT", "50", "52", "53", "76", "77", "91",
    "GA", "GY", "GZ", "KX", "CT", "FX", "25", "GG", "5",
)
DIAGNOSES = ("Z87.891", "Z12.2", "Z12.31", "R10.9", "F17.210", "N63.10", "R51.9", "C34.90", "12345")
DAYS = tuple(dt.date(2026, 3, 2) + dt.timedelta(days=n) for n in range(3)) + (
    dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2022, 2, 9), dt.date(2022, 2, 10))
PAYERS = (None, "acme", "ACME", "medicare", "bcbs")
PLACES = (None, "11", "19", "21", "22", "23")
NPIS = (None, NPI, OTHER_NPI, "1234567890")

#: A small ruleset with every kind of edit, used beside the bundled rules.
TEST_RULES_TEXT = '''
ruleset "property tests" version "1"
setting modifier_placement = either for payer acme
property family = head for 70450, 70460, 70470
property family = chest for 71250, 71260, 71270
pairs test.ptp
  reference "test"
  pair 74176 with 74150 modifier 1 effective 2024-01-01
  pair 71046 with 71045 modifier 0 effective 2024-01-01
  pair 70470 with 70450 modifier 1 effective 2025-01-01 through 2026-03-02
  pair 70470 with 70460 modifier 9 effective 2025-01-01 through 2025-01-01
  pair 77067 with 77066 modifier 1
end
pairs test.ptp_acme
  for payer acme
  reference "test"
  pair 74176 with 74150 modifier 0
  disable pair 71046 with 71045
end
limits test.mue
  reference "test"
  limit 73562 max 1 mai 1
  limit 77067 max 1 mai 2
  limit Q9967 max 150 mai 3
  limit 99213 max 0 mai 2
end
addons test.addon
  reference "test"
  addon 77063 type 1 primaries 77067
  addon G0279 type 1 primaries 77065, 77066
  addon 76377 type 2
  addon 76376 type 3 primaries 71275
end
addons test.addon_acme
  for payer acme
  reference "test"
  disable addon 76377
end
rule test.family "same family without, then with"
  kind coding
  when line.code in [70450, 71250] and other.code in [70470, 71270]
   and other.family = line.family and not ptp edit between line and other
  then warn both "{line.code} and {other.code} on {line.date}"
  reference "test"
end
rule test.age
  for payer medicare
  when line.code is 77067 and not patient.age between 40 and 74
  then review line "77067 at {patient.age}"
  reference "test"
end
rule test.units
  when line.units > 2 and line.modifiers has none of [76, 77]
  then deny line "{line.code}: {line.units} units"
  reference "test"
end
'''
TEST_RULES = radrules.loads(TEST_RULES_TEXT, name="property_rules.rr")


def iso(day: dt.date) -> str:
    return day.isoformat()


@st.composite
def lines(draw, diagnoses_count: int = 3) -> dict:
    """One valid claim line."""
    day = draw(st.sampled_from(DAYS))
    out = {"code": draw(st.sampled_from(CODES)), "date": iso(day)}
    modifiers = draw(st.lists(st.sampled_from(MODIFIERS), max_size=4, unique=True))
    if modifiers or draw(st.booleans()):
        out["modifiers"] = modifiers
    out["units"] = draw(st.one_of(
        st.integers(1, 3), st.integers(1, 3), st.integers(4, 300), st.sampled_from([0.5, 1.5, 2.25])))
    if draw(st.integers(0, 5)) == 0:
        out["end_date"] = iso(day + dt.timedelta(days=draw(st.integers(-1, 3))))
    pointers = draw(st.lists(st.integers(1, diagnoses_count + 1), max_size=3, unique=True))
    if pointers:
        out["diagnosis_pointers"] = pointers
    place = draw(st.sampled_from(PLACES))
    if place is not None and draw(st.booleans()):
        out["place_of_service"] = place
    npi = draw(st.sampled_from(NPIS))
    if npi is not None:
        out["rendering_npi"] = npi
    if draw(st.booleans()):
        out["charge"] = draw(st.sampled_from([0, 45.0, 120.5, 900]))
    return out


@st.composite
def claims(draw, max_lines: int = 6) -> dict:
    """A valid claim dict."""
    diagnoses = draw(st.lists(st.sampled_from(DIAGNOSES), max_size=4))
    out: dict = {
        "id": draw(st.sampled_from(["H-1", "H-2"])),
        "type": draw(st.sampled_from(["professional", "institutional"])),
        "diagnoses": diagnoses,
        "lines": draw(st.lists(lines(len(diagnoses)), min_size=1, max_size=max_lines)),
    }
    payer = draw(st.sampled_from(PAYERS))
    if payer is not None:
        out["payer"] = payer
    patient = {}
    if draw(st.integers(0, 4)):
        patient["birth_date"] = iso(draw(st.dates(dt.date(1930, 1, 1), dt.date(2026, 3, 3))))
    sex = draw(st.sampled_from([None, "F", "M", "U"]))
    if sex:
        patient["sex"] = sex
    if patient:
        out["patient"] = patient
    if draw(st.booleans()):
        out["received"] = iso(draw(st.dates(dt.date(2025, 1, 1), dt.date(2027, 6, 30))))
    if draw(st.booleans()):
        out["prior_auth"] = "PA-1"
    if draw(st.integers(0, 3)) == 0:
        out["condition_codes"] = draw(st.lists(st.sampled_from(["45", "07", "A1"]), max_size=2))
    if draw(st.integers(0, 3)) == 0:
        out["billing_npi"] = draw(st.sampled_from([NPI, OTHER_NPI]))
    place = draw(st.sampled_from(PLACES))
    if place is not None:
        out["place_of_service"] = place
    return out


#: Column 1 / column 2 keys of the bundled Acme edits and of TEST_RULES.
PAIR_KEYS = (
    ("74176", "74150"), ("74176", "72192"), ("74177", "74160"), ("74178", "72194"), ("71046", "71045"),
    ("70470", "70450"), ("70470", "70460"), ("77067", "77066"),
)


@st.composite
def claims_with_pair(draw, payer: str | None = None) -> dict:
    """A valid claim that also bills both codes of a PTP key on one date (in random positions)."""
    data = draw(claims(max_lines=4))
    column1, column2 = draw(st.sampled_from(PAIR_KEYS))
    day = iso(draw(st.sampled_from(DAYS)))
    pair = [
        {"code": code, "date": day,
         "modifiers": draw(st.lists(st.sampled_from(MODIFIERS), max_size=3, unique=True))}
        for code in (column1, column2)
    ]
    everything = data["lines"] + pair
    data["lines"] = draw(st.permutations(everything))
    if payer is not None:
        data["payer"] = payer
    return data
