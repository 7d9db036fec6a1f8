"""A second masking dataset, shaped unlike the shop of tools/masking_dataset.py: a clinic, in schema ``clinic``.

    from tools.masking_dataset_clinic import create_clinic_dataset, clinic_people
    figures = create_clinic_dataset(pg_dsn("postgres"), "clinic", patients=300)

Its policy is ``tests/integration/data/clinic_masking_policy.yml``. Nothing here is named like the shop's tables or
columns (no ``id``, ``email``, ``first_name``, ``notes``), the primary keys are a bigint, a bigint and a text, and
the free text mentions rows of other tables:

- ``clinic.patients``: patient_no (PK), given_name, surname, e_mail (unique), mobile (UK formats),
  national_number (``AB 12 34 56 C``), birth_date, postcode, insurer_card (16 digits, Luhn-valid, grouped),
  gp_practice, registered_on, contact (jsonb: e_mail, mobile, preferred, emergency{name, mobile}), allergy_note
  (free text quoting the patient's own given name, mobile or e-mail in some rows).
- ``clinic.appointments``: appt_ref (PK), patient_no (FK), starts_at, room, visit_comment (jsonb: summary, free text
  naming the patient of the appointment, a row of patients, in about a third of the rows, sometimes with their
  mobile or e-mail; follow_up; tags[]).
- ``clinic.invoices``: invoice_id (text PK ``INV-0000001``), appt_ref (FK), patient_no (FK), billed_to (the
  patient's full name), payer_email (the patient's e-mail, or a ``+billing`` alias), insurer_card (the patient's),
  amount_due, memo (free text naming the patient, by full name or ``Mr/Ms <surname>``, and their e-mail).

Generated in Python from ``random.Random(seed)`` (deterministic) and loaded with COPY; ``clinic_people`` gives the
identities back without reading the database, for tests that look for them in a masked copy.
"""

import random
import time
from datetime import date, datetime, timedelta, timezone

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from tools.masking_dataset import recreate_database

GIVEN_NAMES = (
    "Aoife Siobhan Niamh Eoin Cormac Padraig Ffion Rhys Dafydd Gethin Ilse Wiebke Joost Maarten Sanne Lieke Bram "
    "Anouk Tiago Joana Goncalo Ines Rui Beatriz Oskar Signe Eskil Astrid Leif Sunniva Kofi Ama Yaw Abena Kwame Efua "
    "Chidi Ngozi Emeka Adaeze Tunde Folake Rajesh Anjali Vikram Meera Arjun Kavya Haruto Yui Sota Hina Ren Akari "
    "Bogdan Zofia Kacper Agnieszka Tomasz Milena Dragan Vesna Nikola Jelena Lorcan Saoirse Tadhg Grainne"
).split()
SURNAMES = (
    "OSullivan Byrne Gallagher Doherty Kavanagh Llewellyn Pritchard Vaughan Bowen Meredith Vermeulen Jansen "
    "Bakker Visser Smit Mulder Ferreira Carvalho Almeida Pereira Sousa Lindgren Johansson Eriksson Nilsson "
    "Haugen Mensah Owusu Boateng Asante Okonkwo Adeyemi Nwosu Balogun Iyer Nair Chatterjee Reddy Menon Takahashi "
    "Watanabe Nakamura Kobayashi Saito Wojcik Kaminski Lewandowska Zielinski Petrovic Jovanovic Nikolic Markovic "
    "Quigley Fitzgerald Brennan Moynihan"
).split()
DOMAINS = "posteo.de mailbox.org btinternet.com sky.com virginmedia.com ntlworld.com talktalk.net gmx.co.uk".split()
POSTCODE_AREAS = "SW1A EC2V N1 E14 M1 M20 B15 LS6 BS8 CF10 EH3 G12 BT9 NE1 L17 OX2 CB2 BN1 PL4 EX1".split()
PRACTICES = ("Riverside Surgery", "Elm Tree Medical Centre", "Harbour View Practice", "Old Mill Health Centre",
             "Parkside Group Practice")
ROOMS = ("R1", "R2", "R3", "Lab", "Physio", "Dental")
TAGS = (["routine"], ["bloods"], ["routine", "bp"], ["follow-up"], [], ["vaccination"], ["referral", "urgent"])

SCHEMA_SQL = """
CREATE SCHEMA clinic;
CREATE TABLE clinic.patients (
    patient_no bigint PRIMARY KEY,
    given_name text NOT NULL,
    surname text NOT NULL,
    e_mail text NOT NULL UNIQUE,
    mobile text,
    national_number text NOT NULL,
    birth_date date NOT NULL,
    postcode text NOT NULL,
    insurer_card text,
    gp_practice text NOT NULL,
    registered_on timestamptz NOT NULL,
    contact jsonb NOT NULL,
    allergy_note text
);
CREATE TABLE clinic.appointments (
    appt_ref bigint PRIMARY KEY,
    patient_no bigint NOT NULL REFERENCES clinic.patients (patient_no),
    starts_at timestamptz NOT NULL,
    room text NOT NULL,
    visit_comment jsonb
);
CREATE INDEX appointments_patient_no ON clinic.appointments (patient_no);
CREATE TABLE clinic.invoices (
    invoice_id text PRIMARY KEY CHECK (invoice_id ~ '^INV-[0-9]{7}$'),
    appt_ref bigint NOT NULL REFERENCES clinic.appointments (appt_ref),
    patient_no bigint NOT NULL REFERENCES clinic.patients (patient_no),
    billed_to text NOT NULL,
    payer_email text,
    insurer_card text,
    amount_due numeric(10, 2) NOT NULL,
    memo text
);
"""

PATIENT_COLUMNS = ("patient_no", "given_name", "surname", "e_mail", "mobile", "national_number", "birth_date",
                   "postcode", "insurer_card", "gp_practice", "registered_on", "contact", "allergy_note")
APPOINTMENT_COLUMNS = ("appt_ref", "patient_no", "starts_at", "room", "visit_comment")
INVOICE_COLUMNS = ("invoice_id", "appt_ref", "patient_no", "billed_to", "payer_email", "insurer_card", "amount_due",
                   "memo")
_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _grouped_card(card):
    """A 16-digit card number written in groups of four, as on the card."""
    return " ".join(card[i:i + 4] for i in range(0, 16, 4))


def luhn_complete(digits):
    """``digits`` (15 of them) followed by the Luhn check digit that makes the number valid."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:  # doubled: every second digit from the right, the check digit not counted yet
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return digits + str((10 - total % 10) % 10)


def luhn_valid(number):
    digits = [int(char) for char in number if char.isdigit()]
    total = sum(digit if index % 2 == 0 else (digit * 2 - 9 if digit > 4 else digit * 2)
                for index, digit in enumerate(reversed(digits)))
    return len(digits) >= 12 and total % 10 == 0


def _mobile(rng):
    number = "7%03d %06d" % (rng.randrange(1000), rng.randrange(1_000_000))
    return rng.choice(("+44 %s" % number, "0%s" % number, "+44 (0)%s" % number))


def _person(rng, number):
    given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
    # the patient number in the address keeps e_mail unique whatever the names drawn
    local = rng.choice(("%s.%s" % (given, surname), "%s%s" % (given[0], surname), "%s_%s" % (surname, given)))
    return {"patient_no": number, "given_name": given, "surname": surname,
            "e_mail": "%s%d@%s" % (local.lower(), number, rng.choice(DOMAINS)), "mobile": _mobile(rng),
            "national_number": "%s%s %02d %02d %02d %s" % (
                rng.choice("ABCEGHJKLMNPRSTWXYZ"), rng.choice("ABCEGHJKLMNPRSTWXYZ"), rng.randrange(100),
                rng.randrange(100), rng.randrange(100), rng.choice("ABCD")),
            "insurer_card": _grouped_card(luhn_complete("4%014d" % rng.randrange(10 ** 14)))}


def clinic_people(patients, seed=1):
    """The identities of patients 1..``patients`` (given_name, surname, e_mail, mobile, national_number,
    insurer_card), as create_clinic_dataset writes them with the same seed."""
    rng = random.Random(seed)
    return [_person(rng, number) for number in range(1, patients + 1)]


def _rows(patients, appointments_per_patient, seed):
    people = clinic_people(patients, seed)
    rng = random.Random(seed * 7919 + 1)
    patient_rows, appointment_rows, invoice_rows = [], [], []
    for person in people:
        given, surname, e_mail, mobile = person["given_name"], person["surname"], person["e_mail"], person["mobile"]
        kin = "%s %s" % (rng.choice(GIVEN_NAMES), rng.choice(SURNAMES))
        note = rng.choice((None, "No known allergies.", "Allergic to penicillin; %s prefers a text to %s." % (
            given, mobile), "Latex allergy. Confirm by e-mail with %s at %s." % (given, e_mail),
            "Hay fever only.", "%s %s reacts to ibuprofen." % (given, surname)))
        patient_rows.append((
            person["patient_no"], given, surname, e_mail, mobile if rng.random() > 0.05 else None,
            person["national_number"], date(1940, 1, 1) + timedelta(days=rng.randrange(80 * 365)),
            "%s %d%s%s" % (rng.choice(POSTCODE_AREAS), rng.randrange(10), rng.choice("ABDEFGHJLN"),
                           rng.choice("PQRSTUWXYZ")),
            person["insurer_card"] if rng.random() > 0.2 else None, rng.choice(PRACTICES),
            _EPOCH - timedelta(days=rng.randrange(3000)),
            Jsonb({"e_mail": e_mail, "mobile": mobile, "preferred": rng.choice(("sms", "e_mail", "call")),
                   "emergency": {"name": kin, "mobile": _mobile(rng)}}),
            note))
        for _appointment in range(appointments_per_patient):
            appt_ref = len(appointment_rows) + 1
            summary = rng.choice((
                "Routine check, no issues.", "Bloods taken, results to follow.",
                "Saw %s %s today, blood pressure normal." % (given, surname),
                "%s reports better sleep since the last visit." % given,
                "Rang %s on %s to move the follow-up." % (given, mobile),
                "Results sent to %s; %s %s to book a scan." % (e_mail, given, surname),
                "Vaccination given, no reaction."))
            appointment_rows.append((
                appt_ref, person["patient_no"], _EPOCH + timedelta(minutes=15 * rng.randrange(200_000)),
                rng.choice(ROOMS),
                Jsonb({"summary": summary, "follow_up": rng.random() < 0.3, "tags": rng.choice(TAGS)})))
            if rng.random() < 0.7:
                alias = e_mail.replace("@", "+billing@") if rng.random() < 0.1 else e_mail
                memo = rng.choice((None, "Invoice for %s %s, sent to %s." % (given, surname, e_mail),
                                   "Dear %s %s, your insurer pays 80%%." % (rng.choice(("Mr", "Ms", "Dr")), surname),
                                   "Paid at reception.", "Reminder sent to %s %s." % (given, surname)))
                invoice_rows.append((
                    "INV-%07d" % (len(invoice_rows) + 1), appt_ref, person["patient_no"],
                    "%s %s" % (given, surname), alias if rng.random() > 0.05 else None,
                    person["insurer_card"], round(rng.uniform(20, 900), 2), memo))
    return patient_rows, appointment_rows, invoice_rows


def _copy_rows(connection, table, columns, rows):
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier("clinic", table), sql.SQL(", ").join(sql.Identifier(column) for column in columns))
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def create_clinic_dataset(dsn_for_db_admin: str, dbname: str, patients: int, appointments_per_patient: int = 3,
                          seed: int = 1) -> dict:
    """(Re)create database ``dbname`` holding the clinic (see the module doc). ``dsn_for_db_admin``: a libpq DSN of
    a role that may create databases. Returns ``{"database", "dsn", "seed", "rows": {table: n}, "bytes",
    "seconds"}``."""
    if patients < 1 or appointments_per_patient < 0:
        raise ValueError("need patients >= 1 and appointments_per_patient >= 0")
    started = time.monotonic()
    dsn = recreate_database(dsn_for_db_admin, dbname)
    patient_rows, appointment_rows, invoice_rows = _rows(patients, appointments_per_patient, seed)
    with psycopg.connect(dsn) as connection:
        connection.execute(SCHEMA_SQL)
        _copy_rows(connection, "patients", PATIENT_COLUMNS, patient_rows)
        _copy_rows(connection, "appointments", APPOINTMENT_COLUMNS, appointment_rows)
        _copy_rows(connection, "invoices", INVOICE_COLUMNS, invoice_rows)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("VACUUM (FREEZE, ANALYZE)")
        size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return {"database": dbname, "dsn": dsn, "seed": seed,
            "rows": {"patients": len(patient_rows), "appointments": len(appointment_rows),
                     "invoices": len(invoice_rows)},
            "bytes": size, "seconds": round(time.monotonic() - started, 3)}


def main(argv=None):
    """python -m tools.masking_dataset_clinic ENV PATIENTS [APPOINTMENTS_PER_PATIENT [SEED]]: (re)creates database
    ``clinic`` in the RDS instance of an environment of inventories/local (after provision.yml), reached through its
    endpoint and master secret."""
    import json
    import sys

    from tools.estate_database import database_conninfo, local_environment
    from tools.stack.state import read_state

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        sys.exit(main.__doc__)
    account, region = local_environment(args[0])
    admin = database_conninfo(read_state()["moto_url"], account, region, args[0], dbname="postgres")
    figures = create_clinic_dataset(admin, "clinic", int(args[1]), *map(int, args[2:4]))
    figures.pop("dsn")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
