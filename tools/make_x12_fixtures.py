"""Write the radiology X12 test fixtures tests/data/x12/radiology-837p.edi and -837i.edi.

Run from the top of the checkout (`python tools/make_x12_fixtures.py`) after
changing a segment here: it counts the segments for SE01. All names, ids and
NPIs are made up (the NPIs only pass the check digit).
"""

def interchange(version, body_segments, control="000000101"):
    isa = f"ISA*00*          *00*          *ZZ*RADSUBMITTER   *ZZ*RADPAYER       *260320*1200*^*00501*{control}*0*T*:"
    st = ["ST*837*0001*" + version] + body_segments
    st.append(f"SE*{len(st) + 1}*0001")
    segs = [isa, f"GS*HC*RADSUBMITTER*RADPAYER*20260320*1200*101*X*{version}"] + st + ["GE*1*101", f"IEA*1*{control}"]
    return "~\n".join(segs) + "~\n"

head = [
    "BHT*0019*00*RADBATCH01*20260410*1200*CH",
    "NM1*41*2*EXAMPLE IMAGING BILLING*****46*SUB0001",
    "PER*IC*BILLING OFFICE*TE*5555550100",
    "NM1*40*2*EXAMPLE CLEARINGHOUSE*****46*REC0001",
    "HL*1**20*1",
    "NM1*85*2*EXAMPLE IMAGING GROUP*****XX*1234567802",
    "N3*1 EXAMPLE WAY",
    "N4*SPRINGFIELD*IL*627010001",
    "REF*EI*990000001",
]
p = head + [
    # subscriber 1: Medicare Part B, patient is the subscriber
    "HL*2*1*22*0",
    "SBR*P*18*******MB",
    "NM1*IL*1*EXAMPLE*PAT****MI*MEMBER0001",
    "DMG*D8*19580314*F",
    "NM1*PR*2*MEDICARE PART B EXAMPLE*****PI*00000",
    # claim 1: three lines, 26/TC/RT/LT, claim and line REF*G1, claim and line NPI, RD8 span
    "CLM*RAD-1001*964***11:B:1*Y*A*Y*Y",
    "REF*G1*PA20260302A",
    "HI*ABK:R0789*ABF:M25561",
    "NM1*82*1*READER*ONE****XX*1234567810",
    "LX*1",
    "SV1*HC:71046:26*64*UN*1***1",
    "DTP*472*D8*20260302",
    "LX*2",
    "SV1*HC:73721:26:RT*450*UN*1***2:1",
    "DTP*472*D8*20260302",
    "NM1*82*1*READER*TWO****XX*1234567828",
    "LX*3",
    "SV1*HC:73721:TC:LT*450*UN*2*22**2",
    "DTP*472*RD8*20260302-20260303",
    "REF*G1*PA20260302B",
    # claim 2: frequency 7 (replacement), received date DTP*050, LDCT
    "CLM*RAD-1002*250***11:B:7*Y*A*Y*Y",
    "DTP*050*D8*20260325",
    "HI*ABK:Z87891",
    "LX*1",
    "SV1*HC:71271*250*UN*1***1",
    "DTP*472*D8*20260310",
    # subscriber 2 with a dependent patient (2000C), commercial payer by name
    "HL*3*1*22*1",
    "SBR*P*18*GRP01******CI",
    "NM1*IL*1*EXAMPLE*SUBSCRIBER****MI*MEMBER0002",
    "DMG*D8*19700101*M",
    "NM1*PR*2*ACME*****PI*ACME01",
    "HL*4*3*23*0",
    "PAT*19",
    "NM1*QC*1*EXAMPLE*CHILD",
    "DMG*D8*20100501*M",
    # claim 3: CT abdomen/pelvis with its parts, no prior auth
    "CLM*RAD-1003*1500***22:B:1*Y*A*Y*Y",
    "HI*ABK:R1084",
    "LX*1",
    "SV1*HC:74176*900*UN*1***1",
    "DTP*472*D8*20260406",
    "LX*2",
    "SV1*HC:74150*600*UN*1***1",
    "DTP*472*D8*20260406",
    # claim 4: a bad date: reported, the others go on
    "CLM*RAD-1004*100***11:B:1*Y*A*Y*Y",
    "HI*ABK:R0789",
    "LX*1",
    "SV1*HC:71046*100*UN*1***1",
    "DTP*472*D8*20260230",
    # claim 5: ICD-9 (BK/BF) diagnoses on 2026 dates of service
    "CLM*RAD-1005*120***11:B:1*Y*A*Y*Y",
    "HI*BK:78650*BF:4019",
    "LX*1",
    "SV1*HC:71046*120*UN*1***1:2",
    "DTP*472*D8*20260302",
]
open("tests/data/x12/radiology-837p.edi", "w").write(interchange("005010X222A1", p))

i = head[:5] + [
    "NM1*85*2*EXAMPLE COMMUNITY HOSPITAL*****XX*1234567802",
    "N3*1 EXAMPLE WAY",
    "N4*SPRINGFIELD*IL*627010001",
    "REF*EI*990000002",
    "HL*2*1*22*0",
    "SBR*P*18*******MA",
    "NM1*IL*1*EXAMPLE*PAT****MI*MEMBER0003",
    "DMG*D8*19600704*M",
    "NM1*PR*2*MEDICARE PART A EXAMPLE*****PI*00000",
    # claim 1: outpatient imaging, bill type 131, statement period, revenue codes 0350/0320/0610
    "CLM*RADI-2001*1750***13:A:1**A*Y*Y",
    "DTP*434*RD8*20260302-20260303",
    "CL1*1**01",
    "HI*ABK:R1084*ABF:R0789",
    "HI*ABJ:R1084",
    "NM1*71*1*ATTENDING*DOC****XX*1234567836",
    "LX*1",
    "SV2*0350*HC:74177*900*UN*1",
    "DTP*472*D8*20260302",
    "LX*2",
    "SV2*0320*HC:71046:LT*150*UN*1",
    "LX*3",
    "SV2*0610*HC:70553*700*UN*1",
    "DTP*472*D8*20260303",
    "NM1*82*1*READER*THREE****XX*1234567844",
    # claim 2: a revenue-code-only line: radrules needs a HCPCS code
    "CLM*RADI-2002*80***13:A:1**A*Y*Y",
    "DTP*434*RD8*20260305-20260305",
    "HI*ABK:R0789",
    "LX*1",
    "SV2*0250**80*UN*1",
    "DTP*472*D8*20260305",
]
open("tests/data/x12/radiology-837i.edi", "w").write(interchange("005010X223A2", i, "000000102"))
