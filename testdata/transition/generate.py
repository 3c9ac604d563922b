"""Writes the year-transition pair: the same invented school in 2026 and a year later (2027).

2027: the 3A graduates are gone, 1A and 2A moved up a class (and year), ten new first-years,
two e-mail changes and one last-name change, and one key whose leading zeros Excel dropped.
Windows-1252, semicolons, CRLF, a title block above the header: as Magister via Dutch Excel.
Run: python3 generate.py
"""
firsts = ["Sanne", "Daan", "Zoë", "Mehmet", "Noor", "Lieke", "Bram", "Fatima", "Jesse", "Émilie",
          "Thijs", "Julia", "Sem", "Anouk", "Luuk", "Eva", "Milan", "Tess", "Ruben", "Isa",
          "Lotte", "Finn", "Sara", "Jasper", "Mila", "Noël", "Chloë", "Joël", "Ayse", "Björn",
          "Floor", "Gijs", "Hidde", "Iris", "Jurre", "Kiki", "Lars", "Maud", "Niels", "Owen"]
lasts = [("", "Jansen"), ("de", "Vries"), ("van", "Dijk"), ("", "Bakker"), ("", "Visser"),
         ("van der", "Berg"), ("", "Smit"), ("de", "Boer"), ("", "Mulder"), ("van 't", "Hof"),
         ("", "Çelik"), ("", "Böhm"), ("d’", "Ancona"), ("", "Yilmaz"), ("van den", "Broek"),
         ("", "El Amrani"), ("", "Peters"), ("", "Hendriks"), ("de", "Graaf"), ("", "Dekker")]
HEADER = "Stamnr;Roepnaam;Tussenv;Achternaam;Klas;Studie;Leerjaar;E-mail;Geboortedatum"


def person(i):
    inf, last = lasts[(i * 7) % len(lasts)]
    return firsts[i % len(firsts)], inf, last


def mail(local, n):
    return "".join(c for c in local.lower() if c.isascii() and c.isalnum()) + f"{n}@leerling.demo.invalid"


def write(name, rows):
    lines = ["Leerlingen export Magister;;;;;;;;", "Datum: 01-08-2026;;;;;;;;", ";;;;;;;;", HEADER]
    lines += [";".join(r) for r in rows]
    with open(name, "wb") as f:
        f.write(("\r\n".join(lines) + "\r\n").encode("cp1252"))


pupils, n = [], 0
for cls, year, studie in [("1A", 1, "HV1"), ("2A", 2, "HV2"), ("3A", 3, "H3")]:
    for _ in range(10):
        key = str(4000 + n) if n != 5 else "00" + str(4000 + n)
        f, inf, last = person(n)
        pupils.append([key, f, inf, last, cls, studie, str(year), mail(f + last, n), "01-02-2012"])
        n += 1
write("school_2026.csv", pupils)

nxt = []
for r in pupils:
    r = list(r)
    if r[4] == "3A":
        continue
    if r[4] == "1A":
        r[4], r[5], r[6] = "2A", "HV2", "2"
    else:
        r[4], r[5], r[6] = "3A", "H3", "3"
    r[0] = r[0].lstrip("0")
    nxt.append(r)
nxt[0][7] = "nieuw.adres0@leerling.demo.invalid"
nxt[1][7] = "nieuw.adres1@leerling.demo.invalid"
nxt[2][3] = "Vries-Jansen"
for _ in range(10):
    f, inf, last = person(n)
    nxt.append([str(4000 + n), f, inf, last, "1A", "HV1", "1", mail(f + last, n), "01-02-2014"])
    n += 1
write("school_2027.csv", nxt)
