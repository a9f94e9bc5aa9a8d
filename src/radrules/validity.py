"""Code validity on the date of service: the checks of the code-set tables.

With ``table hcpcs`` loaded, each line's procedure code and modifiers are
checked against the HCPCS Level II file version in force on the line's
date; with ``table icd10cm``, each diagnosis of the claim against the
ICD-10-CM code set of the fiscal year of the lines that point to it. The
checks run right after the format checks (domain.md §10.4: timely filing,
then code validity, then the rest), and only when such a table is loaded:
otherwise ``evaluate()`` pays one attribute test. When loaded they cost a
dict lookup per line code, per modifier and per diagnosis.

What is judged, a radrules decision [D]:

- A procedure code the file lists is valid from its ADD DT through its
  TERM DT, both included. A code the file does not list is invalid when it
  has the HCPCS Level II shape (a letter and four digits): the file is the
  whole Level II code set. CPT codes (Level I, AMA) are not in the file and
  are not judged here.
- A modifier that starts with a letter is a Level II modifier and is judged
  like a code. CPT modifiers (two digits, and the Category II 1P-8P) are not
  in the file and are not judged.
- A diagnosis is judged on the date of each line that points to it (every
  line when none does), a line of a revenue code alone too: a claim of such
  lines only still has its diagnoses judged. One the fiscal year's order file does not list is
  invalid (CO-146); a header (billable flag 0, such as the category R10) is
  not billable. Claims coded in ICD-9-CM, diagnoses not shaped like an
  ICD-10-CM code (``format.diagnosis`` reports them) and lines dated outside
  every loaded fiscal year are not judged.
"""

from __future__ import annotations

import datetime as dt
import re

from . import codes
from .model import RuleInfo, format_date
from .result import Finding

PROCEDURE, MODIFIER = "codes.procedure_invalid", "codes.modifier_invalid"
DIAGNOSIS, NOT_BILLABLE = "codes.diagnosis_invalid", "codes.diagnosis_not_billable"

_HCPCS = "CMS HCPCS Level II file, domain.md §8.5 [V2]"
_ICD = "CMS ICD-10-CM order file, domain.md §8.5 [V2]"

#: rule id -> RuleInfo, in report order. CARCs: domain.md §9 (CODE-INVALID-DOS, MISSING-DX).
VALIDITY_RULES = {
    info.id: info
    for info in (
        RuleInfo(PROCEDURE, "coding", "deny", "CO-181", (), f"{_HCPCS}; CO-181 procedure code invalid on the date "
                 "of service, domain.md §9 [V2]", "procedure code not valid on the date of service", "radrules:codes"),
        RuleInfo(MODIFIER, "coding", "deny", "CO-182", (), f"{_HCPCS}; CO-182 modifier invalid on the date of "
                 "service, domain.md §9 [V2]", "modifier not valid on the date of service", "radrules:codes"),
        RuleInfo(DIAGNOSIS, "coding", "deny", "CO-146", (), f"{_ICD}; CO-146 diagnosis invalid for the date of "
                 "service, domain.md §9 [V2]", "diagnosis not in the ICD-10-CM code set", "radrules:codes"),
        RuleInfo(NOT_BILLABLE, "coding", "deny", "CO-16", ("M76",), f"{_ICD}; CO-16 with M76 (missing, incomplete "
                 "or invalid diagnosis), domain.md §9, radrules' mapping [D]", "diagnosis is a header, not billable",
                 "radrules:codes"),
    )
}
#: The rule ids each code-set table kind brings.
RULES_OF_KIND = {"hcpcs": (PROCEDURE, MODIFIER), "icd10cm": (DIAGNOSIS, NOT_BILLABLE)}

_LEVEL2 = re.compile(r"^[A-Z][0-9]{4}$")


def is_level2(code: str) -> bool:
    """A HCPCS Level II code: a letter and four digits (the file lists every one)."""
    return "A" <= code[:1] <= "Z" and _LEVEL2.match(code) is not None


def is_level2_modifier(modifier: str) -> bool:
    """A Level II modifier starts with a letter; CPT modifiers (26, 59, 1P) start with a digit."""
    return "A" <= modifier[:1] <= "Z" and codes.is_modifier(modifier)


def judge(entry, day: int) -> str:
    """``valid``, ``early`` (before its first valid date) or ``late`` (after its TERM DT) for a HCPCS entry."""
    if day < entry[0]:
        return "early"
    if entry[1] is not None and day > entry[1]:
        return "late"
    return "valid"


def hcpcs_problem(what: str, entry, day: int) -> str:
    """The end of a HCPCS finding's message: why ``what`` (``G0297``, ``modifier QQ``) fails on ``day``."""
    date = format_date(day)
    if entry is None:
        return f"{what} is not in the HCPCS Level II file in force on {date}"
    if judge(entry, day) == "early":
        return f"{what} is not valid on {date}: it is valid from {format_date(entry[0])}"
    return f"{what} is not valid on {date}: its last valid date was {format_date(entry[1])}"


def fiscal_year(code_sets, index: int) -> int:
    """FY of an ICD-10-CM version: the year its fiscal year ends."""
    return dt.date.fromordinal(code_sets.icd_ends[index]).year


def check_codes(ev, code_sets, findings: list) -> None:
    """Append a finding for each code, modifier and diagnosis of ``ev`` not valid on its date."""
    hcpcs = code_sets.hcpcs
    if hcpcs is not None:
        single = len(hcpcs.tables) == 1
        table = hcpcs.tables[0]
        index = 0
        for line in ev.lines:
            day = line.day
            if not single:
                index = hcpcs.index(day)
                table = hcpcs.tables[index]
            # The code, then each modifier: one the file does not list fails only if the file
            # should list it (Level II), one it lists fails outside its valid dates.
            for rule_id, value in ((PROCEDURE, line.code), *((MODIFIER, m) for m in line.modifiers)):
                entry = table.get(value)
                if entry is None:
                    if not (is_level2(value) if rule_id == PROCEDURE else is_level2_modifier(value)):
                        continue
                elif entry[0] <= day and (entry[1] is None or day <= entry[1]):
                    continue
                findings.append(_hcpcs_finding(rule_id, code_sets, index, line, value, entry))
    icd = code_sets.icd10cm
    if icd is not None and ev.claim.diagnoses and ev.claim.diagnosis_system != "icd9":
        days = ev.by_day
        if ev.uncoded:  # lines of a revenue code alone: their dates judge the diagnoses too
            days = {line.day for line in ev.uncoded}.union(days)
        indexes = {code_sets.icd_index(day) for day in days}
        if len(indexes) == 1:  # one version judges every line (the usual case): a lookup per diagnosis
            (index,) = indexes
            if index is None:
                return
            table = icd.tables[index]
            for code in ev.normalized_diagnoses():
                entry = table.get(code)
                if entry is None or not entry[0]:
                    break
            else:
                return
        for position, rule_id, numbers, index, entry in diagnosis_verdicts(ev, code_sets):
            findings.append(_diagnosis_finding(ev, code_sets, position, rule_id, numbers, index, entry))


def _hcpcs_finding(rule_id: str, code_sets, index: int, line, code: str, entry) -> Finding:
    info = VALIDITY_RULES[rule_id]
    what = code if rule_id == PROCEDURE else f"modifier {code}"
    return Finding(
        rule=rule_id, kind=info.kind, severity=info.severity, lines=(line.number,),
        message=hcpcs_problem(what, entry, line.day), codes=(line.code,), carc=info.carc, rarc=info.rarc,
        reference=f"{info.reference}; {code_sets.labels['hcpcs'][index]}",
        source=entry[2] if entry is not None else code_sets.sources["hcpcs"][index],
    )


def diagnosis_users(ev) -> dict:
    """{diagnosis position: [lines pointing to it]}; a diagnosis no line points to is missing."""
    count = len(ev.claim.diagnoses)
    users: dict = {}
    for line in ev.every_line():  # whose dates judge the diagnoses: a revenue code alone too
        for pointer in line.line.diagnosis_pointers:
            if pointer <= count:
                group = users.setdefault(pointer, [])
                if not group or group[-1] is not line:
                    group.append(line)
    return users


def diagnosis_verdicts(ev, code_sets, every: bool = False):
    """(position, rule id or None, line numbers, version index, entry) per diagnosis and outcome.

    Lines that judge a diagnosis the same way (same version, same outcome)
    are grouped; with ``every`` the valid groups (rule id None) and the lines
    no version judges (index None) are given too.
    """
    icd = code_sets.icd10cm
    users = diagnosis_users(ev)
    lines = ev.every_line()
    indexes: dict = {}
    for position, code in enumerate(ev.normalized_diagnoses(), 1):
        if not codes.is_diagnosis(code):
            continue
        groups: dict = {}
        for line in users.get(position, lines):
            day = line.day
            index = indexes.get(day, -1)
            if index == -1:
                index = indexes[day] = code_sets.icd_index(day)
            if index is None:
                entry, rule_id = None, None
                if not every:
                    continue
            else:
                entry = icd.tables[index].get(code)
                rule_id = DIAGNOSIS if entry is None else None if entry[0] else NOT_BILLABLE
                if rule_id is None and not every:
                    continue
            group = groups.get((rule_id, index))
            if group is None:
                groups[(rule_id, index)] = (entry, [line.number])
            elif group[1][-1] != line.number:
                group[1].append(line.number)
        for (rule_id, index), (entry, numbers) in groups.items():
            yield position, rule_id, tuple(numbers), index, entry


def diagnosis_message(rule_id: str, position: int, text: str, year) -> str:
    """The message of a diagnosis ``rule_id`` judges invalid (explain's trace quotes it)."""
    if rule_id == DIAGNOSIS:
        return f"diagnosis {position} ({text}) is not in the FY{year} ICD-10-CM code set"
    return (f"diagnosis {position} ({text}) is a header in the FY{year} ICD-10-CM code set, not a billable "
            "code: report it to the highest specificity")


def _diagnosis_finding(ev, code_sets, position: int, rule_id: str, numbers: tuple, index: int, entry) -> Finding:
    info = VALIDITY_RULES[rule_id]
    text = ev.claim.diagnoses[position - 1]
    year = fiscal_year(code_sets, index)
    return Finding(
        rule=rule_id, kind=info.kind, severity=info.severity, lines=numbers,
        message=diagnosis_message(rule_id, position, text, year),
        codes=(), carc=info.carc, rarc=info.rarc,
        reference=f"{info.reference}; {code_sets.labels['icd10cm'][index]}",
        source=entry[1] if entry is not None else code_sets.sources["icd10cm"][index],
    )


def rule_sources(ruleset) -> dict:
    """{rule id: where its table statement is written} for the code-set rules of ``ruleset``."""
    out = {}
    for loaded in ruleset.tables:
        for rule_id in RULES_OF_KIND.get(loaded.kind, ()):
            out.setdefault(rule_id, loaded.source)
    return out


def looks_at(ruleset, rule_id: str, claim, named: set | None = None) -> bool:
    """Whether a code-set rule could fire on ``claim`` (for rule-test coverage), on one of the ``named``
    line numbers if given: a line whose code (or a modifier) the HCPCS file in force on its date would
    judge (a Level II code, or one it lists: a CPT code it does not list is never judged), a line an
    ICD-10-CM file in force judges the claim's diagnoses for."""
    code_sets = ruleset.view_for(claim.payer, claim.type).code_sets
    if code_sets is None or rule_id not in rule_sources(ruleset):
        return False
    lines = [line for number, line in enumerate(claim.lines, 1) if named is None or number in named]
    if rule_id in (PROCEDURE, MODIFIER):
        lines = [line for line in lines if line.code is not None]  # (a line of a revenue code alone has none)
        hcpcs = code_sets.hcpcs
        if hcpcs is None:
            return False
        for line in lines:
            table = hcpcs.tables[hcpcs.index(line.date.toordinal())]
            if rule_id == PROCEDURE:
                judged = [line.code] if is_level2(line.code) or line.code in table else []
            else:
                judged = [m for m in line.modifiers if is_level2_modifier(m) or m in table]
            if judged:
                return True
        return False
    if claim.diagnosis_system == "icd9" or not claim.diagnoses:
        return False
    return any(code_sets.icd_index(line.date.toordinal()) is not None for line in lines)
