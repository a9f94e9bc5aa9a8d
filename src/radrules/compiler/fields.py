"""The field catalogue: the closed set of names a rule may read (docs/language.md#fields).

Each field of ``line`` (and ``other``), ``claim`` and ``patient`` maps to the
attribute the runtime nodes of ``radrules.conditions`` read and to its type;
beside them, the other names RR204 suggests a field for, what messages call a
value of each type, which types are ordered or lists, and the kind of set a
value of each type is a member of. conditions.py type-checks conditions
against this catalogue; analysis.py, diff/describe.py and the tests read it too.
"""

#: field name -> (runtime attribute, type)
LINE_FIELDS = {
    "code": ("code", "code"),
    "modifiers": ("modset", "modifiers"),
    "first_modifier": ("first_modifier", "modifier"),
    "units": ("units", "number"),
    "date": ("day", "date"),
    "end_date": ("end_day", "date"),
    "diagnoses": ("dxset", "diagnoses"),
    "charge": ("charge", "number"),
    "place_of_service": (None, "place"),
    "rendering_npi": ("rendering_npi", "identifier"),
    "provider": ("provider", "identifier"),  # the provider the edits compare lines by (same_provider)
    "revenue_code": ("revenue_code", "revenue_code"),
    "number": ("number", "number"),
    "authorization": (None, "authorization"),
}
CLAIM_FIELDS = {
    "id": ("claim_id", "identifier"),
    "type": ("claim_type", "claim_type"),
    "payer": ("payer", "payer"),
    "place_of_service": ("place_of_service", "place"),
    "prior_auth": ("prior_auth", "identifier"),
    "received": ("received", "date"),
    "diagnoses": ("diagnoses", "diagnoses"),
    "line_count": ("line_count", "number"),
    "condition_codes": ("condition_codes", "conditions"),
    "revenue_codes": ("revenue_codes", "revenue_codes"),
    "bill_type": ("bill_type", "bill_type"),
    "frequency": ("frequency", "frequency"),
    "statement_from": ("statement_from", "date"),
    "statement_through": ("statement_through", "date"),
    "last_date": ("last_date", "date"),
    "replaces": ("replaces", "identifier"),
}
PATIENT_FIELDS = {
    "age": (None, "number"),
    "sex": ("sex", "sex"),
    "birth_date": ("birth", "date"),
}
ROOTS = ("line", "other", "claim", "patient")
#: Other names of fields (the .rrt test format's `pos`, `auth`, `dx`, `npi`; words of claim forms), suggested by
#: RR204 before the nearest field: record -> {name: the field of that record it stands for}.
FIELD_ALIASES = {
    "line": {"pos": "place_of_service", "place": "place_of_service", "dx": "diagnoses", "npi": "rendering_npi",
             "dos": "date", "mods": "modifiers", "mod": "modifiers", "cpt": "code", "hcpcs": "code",
             "auth": "authorization", "prior_auth": "authorization", "prior_authorization": "authorization",
             "end": "end_date", "rev": "revenue_code", "revenue": "revenue_code"},
    "claim": {"pos": "place_of_service", "place": "place_of_service", "auth": "prior_auth",
              "authorization": "prior_auth", "prior_authorization": "prior_auth", "dx": "diagnoses",
              "conditions": "condition_codes", "lines": "line_count", "tob": "bill_type",
              "type_of_bill": "bill_type", "bill": "bill_type", "from": "statement_from",
              "through": "statement_through", "statement_end": "statement_through",
              "statement_start": "statement_from"},
    "patient": {"dob": "birth_date", "born": "birth_date", "gender": "sex"},
}

#: What a value of each type is called in messages.
TYPE_WORDS = {
    "code": "a procedure code",
    "modifier": "a modifier",
    "modifiers": "a list of modifiers",
    "diagnoses": "a list of diagnoses",
    "conditions": "a list of condition codes",
    "revenue_codes": "a list of revenue codes",
    "number": "a number",
    "date": "a date",
    "place": "a place of service",
    "identifier": "an identifier",
    "claim_type": "a claim type",
    "payer": "a payer",
    "sex": "a sex",
    "text": "a value",
    "authorization": "an authorization status",
    "bill_type": "a type of bill",
    "frequency": "a claim frequency code",
    "revenue_code": "a revenue code",
}
ORDERED = ("number", "date")
COLLECTIONS = {"modifiers": "modifiers", "diagnoses": "diagnoses", "conditions": "conditions",
               "revenue_codes": "revenue_codes"}
#: The set kind a scalar type is a member of.
MEMBER_OF = {
    "code": "codes",
    "modifier": "modifiers",
    "place": "places",
    "payer": "values",
    "sex": "values",
    "claim_type": "values",
    "text": "values",
    "authorization": "values",
    "bill_type": "bill_types",
    "frequency": "values",
    "revenue_code": "revenue_codes",
}
