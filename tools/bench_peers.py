"""Open-source masking tools measured beside the masked refresh: pynonymizer and pganonymize (PyPI).

    from tools.bench_peers import PEERS, pynonymizer_strategy, pganonymize_schema, peer_version
    strategy, approximations = pynonymizer_strategy(policy["postgresql"]["tables"])

Each peer gets the closest translation of the masking policy it can express; what it cannot express is returned as
a list of sentences the benchmark prints beside its figures, so a ratio is never read without its caveats:

- pynonymizer (``pynonymizer -t postgres``): restores a plain SQL dump with psql into a new database, then one
  ``UPDATE`` per table (fake values from a seed table of ``seed_rows`` Faker rows, or any SQL expression as a
  "literal"). Measured as ``pg_dump source | pynonymizer -i -`` (create, restore, anonymize; no dump out).
- pganonymize: anonymizes a database in place, reading every row into Python (Faker providers), writing the results
  into a temporary table with COPY and updating the table from it. Measured as the faster plain copy into the target,
  then ``pganonymize`` on it.

They run from their own virtualenv (``requirements-bench.txt``, installed by ``make bench-masking`` into
.scratch/bench-venv) so their pins never touch the collection's. Passwords reach them through the environment or
stdin, never a command line.
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PEER_VENV = REPO / ".scratch" / "bench-venv"
PEERS = ("pynonymizer", "pganonymize")

# Shapes the scrub rule removes, as PostgreSQL regular expressions (for pynonymizer's SQL literals).
_EMAIL_RE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
_PHONE_RE = r"\+?[0-9][0-9 ().-]{5,}[0-9]"

# substitute lists -> Faker providers (both tools name Faker's)
_FAKER_OF_LIST = {"first_name": "first_name", "last_name": "last_name", "full_name": "name", "city": "city",
                  "street_address": "street_address"}


def _quote_ident(name):
    return '"%s"' % name.replace('"', '""')


def _quote_literal(value):
    return "'%s'" % str(value).replace("'", "''")


def _split_table(qualified):
    schema, table = qualified.rpartition(".")[::2]
    return schema or "public", table


def _rule(entry):
    """A policy entry -> (kind, options): 'keep' or {'rule': kind, ...}."""
    if isinstance(entry, str):
        return entry, {}
    options = dict(entry)
    return str(options.pop("rule")), options


# --- pynonymizer ------------------------------------------------------------------------------------------------

def _pynonymizer_column(column, kind, options, notes, where):
    ident = _quote_ident(column)
    if kind == "email":
        return "unique_email"
    if kind == "pseudonym":
        return "(%s || left(md5(%s::text), 16))" % (_quote_literal(options.get("prefix", "")), ident)
    if kind == "substitute":
        return _FAKER_OF_LIST.get(options.get("list"), "word")
    if kind == "partial":
        keep = int(options.get("keep_last", 4))
        return ("(regexp_replace(left(%s, -%d), '[0-9]', 'x', 'g') || right(%s, %d))" % (ident, keep, ident, keep))
    if kind == "generalize_date":
        return "(date_trunc('year', %s)::date)" % ident
    if kind == "generalize_prefix":
        return "(left(%s, %d) || '***')" % (ident, int(options.get("keep", 2)))
    if kind == "noise":
        if "relative" in options:
            return "(%s * (1 + (random() * 2 - 1) * %s))" % (ident, float(options["relative"]))
        return "(%s + (random() * 2 - 1) * %s)" % (ident, float(options.get("absolute", 0)))
    if kind == "null":
        return "(NULL)"
    if kind == "constant":
        return "(%s)" % _quote_literal(options.get("value", ""))
    if kind == "scrub":
        notes.append("%s: scrub of emails and phone numbers only (pynonymizer has no rule for the row's own names)"
                     % where)
        return "(regexp_replace(regexp_replace(%s, %s, '[email]', 'g'), %s, '[phone]', 'g'))" % (
            ident, _quote_literal(_EMAIL_RE), _quote_literal(_PHONE_RE))
    if kind == "json":
        notes.append("%s: JSON document replaced by {} (pynonymizer has no JSON-path rules)" % where)
        return "('{}'::jsonb)"
    notes.append("%s: rule %s has no equivalent: NULL" % (where, kind))
    return "(NULL)"


def pynonymizer_strategy(tables):
    """The policy's ``postgresql.tables`` -> (pynonymizer strategy dict, [approximation notes]). The strategy's
    ``tables`` list holds one entry per table with a rule (run them one per strategy file, see run_pynonymizer)."""
    notes = ["email: random unique addresses (not keyed: the same input gets a different output in every table)",
             "substitute: Faker values drawn from a seed table (not keyed)", "noise: random(), not keyed"]
    strategy = []
    for qualified in sorted(tables):
        schema, table = _split_table(qualified)
        columns = {}
        for column, entry in tables[qualified].items():
            kind, options = _rule(entry)
            if kind != "keep":
                columns[column] = _pynonymizer_column(column, kind, options, notes, "%s.%s" % (qualified, column))
        if columns:
            strategy.append({"table_name": table, "schema": schema, "type": "UPDATE_COLUMNS", "columns": columns})
    return {"tables": strategy}, notes


# --- pganonymize ------------------------------------------------------------------------------------------------

def _pganonymize_provider(kind, options, notes, where):
    if kind == "email":
        # Faker's email() repeats addresses, which breaks a unique column (customers_email_key, measured)
        notes.append("%s: md5 of the address, not an address (Faker's emails collide on unique columns)" % where)
        return {"name": "md5"}
    if kind == "pseudonym":
        return {"name": "md5"}
    if kind == "substitute":
        return {"name": "fake." + _FAKER_OF_LIST.get(options.get("list"), "word")}
    if kind == "partial":
        notes.append("%s: partial_mask keeps the first character too (it cannot keep fewer than 1)" % where)
        return {"name": "partial_mask", "sign": "x", "unmasked_left": 1,
                "unmasked_right": int(options.get("keep_last", 4))}
    if kind == "generalize_date":
        notes.append("%s: a random date of birth instead of January 1st of the year" % where)
        return {"name": "fake.date_of_birth"}
    if kind == "generalize_prefix":
        notes.append("%s: partial_mask keeps the last character too" % where)
        return {"name": "partial_mask", "sign": "*", "unmasked_left": int(options.get("keep", 2)),
                "unmasked_right": 1}
    if kind == "noise":
        notes.append("%s: a random amount instead of the value moved within its bound" % where)
        return {"name": "fake.pydecimal", "kwargs": {"left_digits": 5, "right_digits": 2, "positive": True}}
    if kind == "null":
        return {"name": "clear"}
    if kind == "constant":
        return {"name": "set", "value": options.get("value")}
    if kind == "scrub":
        notes.append("%s: free text replaced by a Faker sentence (pganonymize has no scrubbing)" % where)
        return {"name": "fake.sentence"}
    if kind == "json":
        notes.append("%s: every string of the document replaced by a Faker word, numbers kept "
                     "(pganonymize's update_json works by value type, not by path)" % where)
        return {"name": "update_json", "update_values_type": {"str": {"provider": {"name": "fake.word"}}}}
    notes.append("%s: rule %s has no equivalent: cleared" % (where, kind))
    return {"name": "clear"}


def pganonymize_schema(tables):
    """The policy's ``postgresql.tables`` -> (pganonymize schema dict, [approximation notes])."""
    notes = ["email, substitute, pseudonym: random Faker values or unkeyed md5 (not the same output per input "
             "across tables)"]
    schema = []
    for qualified in sorted(tables):
        table_schema, table = _split_table(qualified)
        fields = []
        for column, entry in tables[qualified].items():
            kind, options = _rule(entry)
            if kind != "keep":
                provider = _pganonymize_provider(kind, options, notes, "%s.%s" % (qualified, column))
                fields.append({column: {"provider": provider}})
        if fields:
            name = table if table_schema == "public" else qualified
            schema.append({name: {"primary_key": "id", "chunk_size": 20000, "fields": fields}})
    return {"tables": schema}, notes


# --- running them -----------------------------------------------------------------------------------------------

def peer_version(peer, venv=DEFAULT_PEER_VENV):
    """(version, None) when ``peer`` imports in ``venv``, else (None, why not): found by trying, not assumed."""
    python = Path(venv) / "bin" / "python"
    if not python.exists():
        return None, "no virtualenv at %s (make bench-masking installs requirements-bench.txt there)" % venv
    probe = "import importlib.metadata, %s.cli; print(importlib.metadata.version(%r))" % (peer, peer)
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=False)
    if done.returncode:
        return None, "import %s.cli failed: %s" % (peer, (done.stderr.strip().splitlines() or ["?"])[-1])
    return done.stdout.strip(), None


# pganonymize's own CLI main, with the password from stdin instead of --password on the command line
_PGANONYMIZE_DRIVER = (
    "import sys\n"
    "from pganonymize.cli import get_arg_parser, main\n"
    "args = get_arg_parser().parse_args(sys.argv[1:])\n"
    "args.password = sys.stdin.readline().rstrip('\\n')\n"
    "sys.exit(main(args) or 0)\n")


def run_pganonymize(venv, conn, schema_file):
    """pganonymize on database ``conn`` (dict: host, port, user, password, dbname), in place."""
    command = [str(Path(venv) / "bin" / "python"), "-c", _PGANONYMIZE_DRIVER, "--schema", str(schema_file),
               "--dbname", conn["dbname"], "--user", conn["user"], "--host", conn["host"], "--port", str(conn["port"])]
    done = subprocess.run(command, input=conn["password"] + "\n", capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError("pganonymize rc=%s: %s" % (done.returncode, done.stderr[-2000:]))


def run_pynonymizer(venv, source_dsn, conn, strategy_files, pg_bin):
    """``pg_dump source | pynonymizer -i -`` into the new database ``conn["dbname"]`` (created by pynonymizer) with
    the first strategy file, then ``--only-step ANONYMIZE_DB`` with each other one. One table per strategy file:
    pynonymizer 2.5.0 runs every table of a strategy once per table it holds (its worker task loops over all of
    them), which would count its UPDATEs several times."""
    from tools.pg_plain_copy import _libpq_env  # pylint: disable=import-outside-toplevel

    source, source_env = _libpq_env(source_dsn)
    env = dict(os.environ, PYNONYMIZER_DB_PASSWORD=conn["password"],
               PATH="%s:%s" % (pg_bin, os.environ.get("PATH", "")))
    base = [str(Path(venv) / "bin" / "pynonymizer"), "-t", "postgres", "-d", conn["host"], "-P", str(conn["port"]),
            "-u", conn["user"], "-n", conn["dbname"]]
    first, rest = strategy_files[0], strategy_files[1:]
    dump = subprocess.Popen([str(Path(pg_bin) / "pg_dump"), "--no-owner", "--no-privileges", "--dbname=" + source],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=source_env)
    peer = subprocess.run(base + ["-i", "-", "-s", str(first), "--skip-steps", "DUMP_DB", "--skip-steps", "DROP_DB"],
                          stdin=dump.stdout, capture_output=True, text=True, env=env, check=False)
    dump.stdout.close()
    dump_err = dump.stderr.read().decode(errors="replace")
    dump.stderr.close()
    if dump.wait() or peer.returncode:
        raise RuntimeError("pg_dump rc=%s: %s | pynonymizer rc=%s: %s" % (
            dump.returncode, dump_err[-1000:], peer.returncode, (peer.stderr or peer.stdout)[-2000:]))
    for strategy_file in rest:
        peer = subprocess.run(base + ["-s", str(strategy_file), "--only-step", "ANONYMIZE_DB"],
                              capture_output=True, text=True, env=env, check=False)
        if peer.returncode:
            raise RuntimeError("pynonymizer rc=%s: %s" % (peer.returncode, (peer.stderr or peer.stdout)[-2000:]))


if __name__ == "__main__":
    sys.exit(__doc__)
