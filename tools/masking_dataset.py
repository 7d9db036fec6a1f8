"""Realistic, deterministic PII datasets to exercise data masking: a PostgreSQL app database and DynamoDB items.

    from tools.masking_dataset import create_dataset, create_dynamodb_dataset, ensure_dynamodb_table
    figures = create_dataset(pg_dsn("postgres"), "masking_src", customers=1_000_000)   # 1M + 3M orders
    ensure_dynamodb_table(dynamodb, "prod-user-activity")
    create_dynamodb_dataset(dynamodb, "prod-user-activity", items=5000)

PostgreSQL (schema ``public``, the shape ``inventories/prod/host_vars/prod/masking_policy.yml`` classifies):

- ``customers``: id, email (unique, ``first.last<id>@domain`` and variants), first/last/full name, phone (mixed
  formats), date_of_birth, street_address, city, zip, country, credit_limit, ssn, tier, created_at, profile
  (jsonb: email, address.{street,city,zip}, marketing_opt_in, tags[]), notes (free text; about a quarter of the
  rows quote the customer's own first name / last name / email / phone).
- ``orders``: id, customer_id (FK), ordered_at (after the customer's created_at), amount, status,
  shipping_address, contact_email (the customer's email in ~88% of rows, a ``+shop`` alias of it in ~7%, NULL
  otherwise), notes (sometimes the customer's email, phone or first name), metadata (jsonb: channel, and in
  ~1/8 of rows gift_message, free text naming the recipient and the customer).

Everything is generated set-based in SQL (``generate_series``), in parallel ranges over ``jobs`` connections,
then the keys, indexes and the foreign key are built, and the tables are VACUUM (FREEZE, ANALYZE)d so the
database is settled (no hint-bit writes on first read) like a production database.

Determinism and cross-store consistency: every value is a function of (row id, seed) through a keyed Weyl
hash that is computed identically in SQL and in Python (``customer_identity``). So the identity of customer
``n`` (names, email, phone, address) is known without reading the database, and the DynamoDB items name
customers of the same seed: item ``i`` of every table belongs to customer ``1 + i % customers``
(``customers`` defaults to 1000), and its email / first name / phone are exactly that PostgreSQL customer's
(``customer_identity(1 + i % customers, seed)``). Any ``create_dataset`` with at least that many customers and
the same seed therefore holds each of those emails.

DynamoDB item shapes (``DYNAMODB_TABLES``, keys as in the prod spec's ``data.dynamodb_tables``):

- user-activity: user_id (S, ``u_`` + 12 hex, an opaque per-customer id), occurred_at (N, ms), expires_at (N),
  event_type, email, session{session_id, ip_address, user_agent, device{type, os}},
  location{city, zip, country}, consent{marketing, analytics} (BOOL), cart{currency, total, items[]{sku, qty,
  price}} (cart events only), search_query (search events; sometimes a person's name).
- campaign-events: merchant_id (S), event_id (S), event_type, campaign_id, occurred_at, expires_at,
  recipient{email, first_name, phone}, message (free text greeting the recipient by name), attribution{channel,
  utm{source, medium, campaign}}, revenue (N, conversions only), segments (SS).
- product-feeds: feed_id (S), merchant_id, title, format, schedule, updated_at, owner{name, email, phone},
  catalog{currency, products[]{sku, title, price, stock, tags[]}}, notes (free text naming the owner, or absent).
"""

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

# ---------------------------------------------------------------------------------------------------------------
# Vocabulary (ASCII only, no quotes: SQL lower() and Python lower() agree on it).

FIRST_NAMES = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra "
    "Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian "
    "Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon Jeffrey Laura Ryan "
    "Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela "
    "Justin Emma Scott Nicole Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra "
    "Frank Rachel Patrick Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth "
    "Jose Julie Adam Olivia Nathan Joyce Henry Virginia Douglas Victoria Zachary Kelly Peter Lauren Kyle "
    "Christina Noah Joan Ethan Evelyn Jeremy Judith Walter Megan Christian Andrea Keith Cheryl Roger Hannah Terry "
    "Jacqueline Austin Martha Sean Gloria Gerald Teresa Carl Ann Harold Sara Dylan Madison Arthur Frances "
    "Lawrence Kathryn Jordan Janice Jesse Jean Bryan Abigail Billy Alice Bruce Judy Gabriel Sophia Joe Grace "
    "Logan Denise Alan Amber Juan Doris Albert Marilyn Willie Danielle Elijah Beverly Wayne Isabella Randy "
    "Theresa Vincent Diana Mason Natalie Roy Brittany Ralph Charlotte Bobby Marie Russell Kayla Bradley Alexis "
    "Philip Lori Eugene Priya Wei Mohammed Fatima Hiroshi Aisha Lucas Ingrid Mateo Chloe"
).split()

LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim "
    "Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
    "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford "
    "Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman "
    "Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon "
    "Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice "
    "Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer "
    "Hawkins Arnold Pierce Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson "
    "Carroll Lane Riley Andrews Ray Berry Perkins Hoffman Johnston Matthews Pena Richards Willis Carpenter "
    "Lawrence Sandoval Kowalski Novak Schneider Rossi Dubois Okafor Haddad Yamamoto Lindqvist"
).split()

# (city, 3-digit zip prefix). Drawn with a skew (big cities often, the tail rarely) so that the quasi-identifiers
# (date_of_birth, zip, city) have small equivalence classes to report on.
CITIES = (
    ("New York", "100"), ("Los Angeles", "900"), ("Chicago", "606"), ("Houston", "770"), ("Phoenix", "850"),
    ("Philadelphia", "191"), ("San Antonio", "782"), ("San Diego", "921"), ("Dallas", "752"), ("San Jose", "951"),
    ("Austin", "787"), ("Jacksonville", "322"), ("Fort Worth", "761"), ("Columbus", "432"), ("Charlotte", "282"),
    ("Indianapolis", "462"), ("San Francisco", "941"), ("Seattle", "981"), ("Denver", "802"),
    ("Washington", "200"), ("Boston", "021"), ("El Paso", "799"), ("Nashville", "372"), ("Detroit", "482"),
    ("Oklahoma City", "731"), ("Portland", "972"), ("Las Vegas", "891"), ("Memphis", "381"),
    ("Louisville", "402"), ("Baltimore", "212"), ("Milwaukee", "532"), ("Albuquerque", "871"),
    ("Tucson", "857"), ("Fresno", "937"), ("Sacramento", "958"), ("Kansas City", "641"), ("Mesa", "852"),
    ("Atlanta", "303"), ("Omaha", "681"), ("Colorado Springs", "809"), ("Raleigh", "276"), ("Miami", "331"),
    ("Minneapolis", "554"), ("Tulsa", "741"), ("Cleveland", "441"), ("Wichita", "672"), ("Arlington", "760"),
    ("New Orleans", "701"), ("Bakersfield", "933"), ("Tampa", "336"), ("Honolulu", "968"), ("Anaheim", "928"),
    ("Aurora", "800"), ("Santa Ana", "927"), ("St. Louis", "631"), ("Riverside", "925"),
    ("Corpus Christi", "784"), ("Lexington", "405"), ("Pittsburgh", "152"), ("Anchorage", "995"),
    ("Stockton", "952"), ("Cincinnati", "452"), ("St. Paul", "551"), ("Toledo", "436"), ("Greensboro", "274"),
    ("Newark", "071"), ("Plano", "750"), ("Henderson", "890"), ("Lincoln", "685"), ("Buffalo", "142"),
    ("Fort Wayne", "468"), ("Jersey City", "073"), ("Chula Vista", "919"), ("Orlando", "328"),
    ("St. Petersburg", "337"), ("Norfolk", "235"), ("Chandler", "852"), ("Laredo", "780"), ("Madison", "537"),
    ("Durham", "277"), ("Lubbock", "794"), ("Winston-Salem", "271"), ("Garland", "750"), ("Glendale", "853"),
    ("Hialeah", "330"), ("Reno", "895"), ("Baton Rouge", "708"), ("Irvine", "926"), ("Chesapeake", "233"),
    ("Scottsdale", "852"), ("Fremont", "945"), ("Boise", "837"), ("Birmingham", "352"), ("Springfield", "627"),
    ("Salem", "973"), ("Burlington", "054"), ("Missoula", "598"), ("Bangor", "044"), ("Key West", "330"),
)
CITY_NAMES = [entry[0] for entry in CITIES]
CITY_ZIP3 = [entry[1] for entry in CITIES]

STREET_NAMES = (
    "Maple Oak Pine Cedar Elm Washington Lake Hill Park Main Church Walnut Sunset Highland Ridge Spring River "
    "Chestnut Willow Meadow Forest Mill Jackson Lincoln Madison Franklin Jefferson Adams Center Cherry Dogwood "
    "Hickory Lakeview Valley Broad Market Union Prospect Pleasant Green Railroad Fairway Harbor Orchard Birch "
    "Aspen Magnolia Laurel Poplar Sycamore Spruce Heritage Colonial Cambridge Oxford Riverside Woodland "
    "Greenwood Bay Shore Beacon Summit"
).split()
STREET_SUFFIXES = "St Ave Rd Blvd Ln Dr Ct Way Pl Ter".split()
EMAIL_DOMAINS = (
    "gmail.com yahoo.com outlook.com hotmail.com icloud.com aol.com proton.me comcast.net fastmail.com gmx.net"
).split()
CHANNELS = ["web", "web", "web", "mobile", "mobile", "store", "phone", "marketplace"]
PROFILE_TAGS = [
    "[]", '["newsletter"]', '["vip"]', '["newsletter", "vip"]', '["early-access"]', '["wholesale", "net-30"]',
    '["newsletter", "early-access", "beta"]', '["returns-risk"]',
]

# ---------------------------------------------------------------------------------------------------------------
# One keyed hash, identical in SQL (bigint arithmetic) and Python: a Weyl sequence id * M + C modulo 2**31 per
# (seed, salt), keeping its top 16 bits. M and C come from SHA-256 of (seed, salt), so fields are independent.

_MOD = 1 << 31

# salts: one per independent draw
(S_FIRST, S_LAST, S_DOMAIN, S_EMAIL_FORMAT, S_AREA, S_EXCHANGE, S_LINE, S_PHONE_FORMAT, S_HOUSE, S_STREET,
 S_SUFFIX, S_CITY, S_ZIP, S_DOB, S_CREATED_HI, S_CREATED_LO, S_COUNTRY, S_CREDIT, S_SSN_NULL, S_SSN_AREA,
 S_SSN_GROUP, S_SSN_SERIAL, S_TIER, S_PROFILE_EMAIL, S_OPT_IN, S_TAGS, S_NOTES,
 S_ORDER_CUSTOMER_HI, S_ORDER_CUSTOMER_LO, S_ORDER_AT_HI, S_ORDER_AT_LO, S_AMOUNT_HI, S_AMOUNT_LO, S_STATUS,
 S_SHIP_OTHER, S_SHIP_HOUSE, S_SHIP_STREET, S_SHIP_SUFFIX, S_SHIP_CITY, S_SHIP_ZIP, S_CONTACT, S_ORDER_NOTES,
 S_CHANNEL, S_GIFT, S_GIFT_NAME, S_GIFT_TEMPLATE) = range(1, 47)


def _constants(seed, salt):
    digest = hashlib.sha256(("envops-masking-dataset:%d:%d" % (seed, salt)).encode()).digest()
    multiplier = (int.from_bytes(digest[:4], "big") % (1 << 30)) | (1 << 24) | 1  # odd, 2**24 .. 2**30
    return multiplier, int.from_bytes(digest[4:8], "big") % _MOD


def hash16(n, seed, salt):
    """The dataset's hash of integer n: 0 .. 65535 (Python side)."""
    multiplier, offset = _constants(seed, salt)
    return ((n * multiplier + offset) % _MOD) // 32768


def _hash16_sql(id_sql, seed, salt):
    multiplier, offset = _constants(seed, salt)
    return "(mod(%s * %d + %d, %d) / 32768)" % (id_sql, multiplier, offset, _MOD)


def _hash32_sql(id_sql, seed, salt_hi, salt_lo):
    return "(%s * 65536 + %s)" % (_hash16_sql(id_sql, seed, salt_hi), _hash16_sql(id_sql, seed, salt_lo))


def _text_array(values):
    return "ARRAY[%s]::text[]" % ",".join("'%s'" % value.replace("'", "''") for value in values)


def _pick_sql(values, hash_sql):
    return "(%s)[(1 + mod(%s, %d))::int]" % (_text_array(values), hash_sql, len(values))


def _skewed_index(h, n):
    """Index 0..n-1 from a 16-bit hash, squared: index 0 about 14x as frequent as index n-1/2."""
    return (h * h * n) // 4294967296


def _skewed_index_sql(hash_sql, n):
    return "((%s * %s * %d) / 4294967296)" % (hash_sql, hash_sql, n)


# ---------------------------------------------------------------------------------------------------------------
# Identity of customer n: the same in Python and in SQL.

_PHONE_FORMATS = ("+1 {a}-{e}-{l}", "({a}) {e}-{l}", "{a}.{e}.{l}", "{a}-{e}-{l}", "+1 ({a}) {e}-{l}")


def customer_identity(customer_id, seed=1):
    """The PII create_dataset(seed=seed) writes for customer ``customer_id`` (without reading the database)."""
    def h(salt):
        return hash16(customer_id, seed, salt)

    first = FIRST_NAMES[h(S_FIRST) % len(FIRST_NAMES)]
    last = LAST_NAMES[h(S_LAST) % len(LAST_NAMES)]
    local = _email_local(first, last, h(S_EMAIL_FORMAT) % 4)
    email = "%s%d@%s" % (local, customer_id, EMAIL_DOMAINS[h(S_DOMAIN) % len(EMAIL_DOMAINS)])
    phone = _PHONE_FORMATS[h(S_PHONE_FORMAT) % len(_PHONE_FORMATS)].format(
        a=201 + h(S_AREA) % 788, e=200 + h(S_EXCHANGE) % 800, l="%04d" % (h(S_LINE) % 10000))
    street = "%d %s %s" % (1 + h(S_HOUSE) % 9899, STREET_NAMES[h(S_STREET) % len(STREET_NAMES)],
                           STREET_SUFFIXES[h(S_SUFFIX) % len(STREET_SUFFIXES)])
    city_index = _skewed_index(h(S_CITY), len(CITIES))
    return {
        "id": customer_id, "first_name": first, "last_name": last, "full_name": "%s %s" % (first, last),
        "email": email, "phone": phone, "street_address": street, "city": CITY_NAMES[city_index],
        "zip": CITY_ZIP3[city_index] + "%02d" % (h(S_ZIP) % 100),
    }


def _email_local(first, last, email_format):
    first, last = first.lower(), last.lower()
    return ("%s.%s" % (first, last), "%s.%s" % (first, last), first[0] + last, "%s_%s" % (first, last))[email_format]


def _identity_sql(source, id_col, seed, passthrough=()):
    """SELECT over ``source`` (a subquery with column ``id_col``) adding the identity columns of customer id_col:
    first_name, last_name, email, phone, street_address, city, zip, created_epoch."""
    def h(salt):
        return _hash16_sql(id_col, seed, salt)

    city_index = _skewed_index_sql(h(S_CITY), len(CITIES))
    keep = "".join("%s, " % column for column in passthrough)
    inner = f"""
        SELECT {keep}{id_col},
               {_pick_sql(FIRST_NAMES, h(S_FIRST))} AS first_name,
               {_pick_sql(LAST_NAMES, h(S_LAST))} AS last_name,
               mod({h(S_EMAIL_FORMAT)}, 4) AS email_format,
               {_pick_sql(EMAIL_DOMAINS, h(S_DOMAIN))} AS email_domain,
               mod({h(S_PHONE_FORMAT)}, {len(_PHONE_FORMATS)}) AS phone_format,
               (201 + mod({h(S_AREA)}, 788))::text AS area,
               (200 + mod({h(S_EXCHANGE)}, 800))::text AS exchange,
               lpad(mod({h(S_LINE)}, 10000)::text, 4, '0') AS line,
               (1 + mod({h(S_HOUSE)}, 9899))::text || ' ' || {_pick_sql(STREET_NAMES, h(S_STREET))} || ' '
                 || {_pick_sql(STREET_SUFFIXES, h(S_SUFFIX))} AS street_address,
               {city_index}::int AS city_index,
               lpad(mod({h(S_ZIP)}, 100)::text, 2, '0') AS zip_tail,
               1420070400 + mod({_hash32_sql(id_col, seed, S_CREATED_HI, S_CREATED_LO)}, 315532800) AS created_epoch
        FROM {source} OFFSET 0"""
    keep_outer = "".join("i.%s, " % column for column in passthrough)
    return f"""
        SELECT {keep_outer}i.{id_col}, i.first_name, i.last_name, i.street_address, i.created_epoch,
               CASE i.email_format
                 WHEN 2 THEN lower(left(i.first_name, 1)) || lower(i.last_name)
                 WHEN 3 THEN lower(i.first_name) || '_' || lower(i.last_name)
                 ELSE lower(i.first_name) || '.' || lower(i.last_name)
               END || i.{id_col} || '@' || i.email_domain AS email,
               CASE i.phone_format
                 WHEN 0 THEN '+1 ' || i.area || '-' || i.exchange || '-' || i.line
                 WHEN 1 THEN '(' || i.area || ') ' || i.exchange || '-' || i.line
                 WHEN 2 THEN i.area || '.' || i.exchange || '.' || i.line
                 WHEN 3 THEN i.area || '-' || i.exchange || '-' || i.line
                 ELSE '+1 (' || i.area || ') ' || i.exchange || '-' || i.line
               END AS phone,
               ({_text_array(CITY_NAMES)})[1 + i.city_index] AS city,
               ({_text_array(CITY_ZIP3)})[1 + i.city_index] || i.zip_tail AS zip
        FROM ({inner}) i OFFSET 0"""


# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL

SCHEMA_SQL = """
CREATE TABLE public.customers (
    id             bigint        NOT NULL,
    email          text          NOT NULL,
    first_name     text          NOT NULL,
    last_name      text          NOT NULL,
    full_name      text          NOT NULL,
    phone          text,
    date_of_birth  date,
    street_address text,
    city           text,
    zip            text,
    country        text          NOT NULL DEFAULT 'US',
    credit_limit   numeric(12,2),
    ssn            text,
    tier           text          NOT NULL DEFAULT 'bronze',
    created_at     timestamptz   NOT NULL DEFAULT now(),
    profile        jsonb         NOT NULL DEFAULT '{}'::jsonb,
    notes          text
);
CREATE TABLE public.orders (
    id               bigint        NOT NULL,
    customer_id      bigint        NOT NULL,
    ordered_at       timestamptz   NOT NULL DEFAULT now(),
    amount           numeric(12,2) NOT NULL CHECK (amount >= 0),
    status           text          NOT NULL
                     CHECK (status IN ('processing', 'shipped', 'delivered', 'cancelled', 'returned')),
    shipping_address text,
    contact_email    text,
    notes            text,
    metadata         jsonb         NOT NULL DEFAULT '{}'::jsonb
);
COMMENT ON TABLE public.customers IS 'Synthetic customers (tools/masking_dataset.py): realistic-looking PII.';
COMMENT ON TABLE public.orders IS 'Synthetic orders (tools/masking_dataset.py).';
"""

# Built after the load (faster than maintaining them row by row). Unique indexes first, then turned into
# constraints, so that the result is exactly what `PRIMARY KEY` / `UNIQUE` in CREATE TABLE gives.
INDEX_SQL = {
    "customers": [
        "CREATE UNIQUE INDEX customers_pkey ON public.customers (id)",
        "CREATE UNIQUE INDEX customers_email_key ON public.customers (email)",
    ],
    "orders": [
        "CREATE UNIQUE INDEX orders_pkey ON public.orders (id)",
        "CREATE INDEX orders_customer_id_idx ON public.orders (customer_id)",
        "CREATE INDEX orders_ordered_at_idx ON public.orders (ordered_at)",
    ],
}
CONSTRAINT_SQL = [
    "ALTER TABLE public.customers ADD CONSTRAINT customers_pkey PRIMARY KEY USING INDEX customers_pkey",
    "ALTER TABLE public.customers ADD CONSTRAINT customers_email_key UNIQUE USING INDEX customers_email_key",
    "ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_pkey",
    "ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id)"
    " REFERENCES public.customers (id)",
]

SESSION_SETTINGS = {"work_mem": "64MB", "maintenance_work_mem": "256MB", "synchronous_commit": "off"}


def _customers_insert_sql(lo, hi, seed):
    def h(salt):
        return _hash16_sql("c.id", seed, salt)

    source = "(SELECT g.id FROM generate_series(%d::bigint, %d::bigint) AS g(id)) g" % (lo, hi)
    identity = _identity_sql(source, "id", seed)
    notes = f"""CASE mod({h(S_NOTES)}, 20)
                 WHEN 0 THEN 'Called ' || c.first_name || ' on ' || c.phone || ' about a late delivery, resolved.'
                 WHEN 1 THEN c.first_name || ' asked us to send invoices to ' || c.email || ' from now on.'
                 WHEN 2 THEN 'Spoke with ' || c.first_name || ' ' || c.last_name || ' about raising the credit limit.'
                 WHEN 3 THEN 'Left voicemail for ' || c.first_name || ', call back on ' || c.phone || '.'
                 WHEN 4 THEN 'Prefers email (' || c.email || ') over phone calls.'
                 WHEN 5 THEN 'VIP since 2019, send the spring catalogue.'
                 WHEN 6 THEN 'Requested paper invoices.'
                 WHEN 7 THEN 'Do not call before 10am.'
                 WHEN 8 THEN 'Disputed a charge in March; refunded after review.'
               END"""
    return f"""
        INSERT INTO public.customers (id, email, first_name, last_name, full_name, phone, date_of_birth,
            street_address, city, zip, country, credit_limit, ssn, tier, created_at, profile, notes)
        SELECT c.id, c.email, c.first_name, c.last_name, c.first_name || ' ' || c.last_name, c.phone,
               date '1940-01-01' + mod({h(S_DOB)}, 23741)::int,
               c.street_address, c.city, c.zip,
               CASE mod({h(S_COUNTRY)}, 50) WHEN 0 THEN 'CA' WHEN 1 THEN 'MX' ELSE 'US' END,
               (100 * (5 + mod({h(S_CREDIT)}, 496)))::numeric(12,2),
               CASE WHEN mod({h(S_SSN_NULL)}, 10) = 0 THEN NULL
                    ELSE lpad((1 + mod({h(S_SSN_AREA)}, 665))::text, 3, '0') || '-'
                         || lpad((1 + mod({h(S_SSN_GROUP)}, 99))::text, 2, '0') || '-'
                         || lpad((1 + mod({h(S_SSN_SERIAL)}, 9999))::text, 4, '0') END,
               CASE WHEN mod({h(S_TIER)}, 100) < 50 THEN 'bronze' WHEN mod({h(S_TIER)}, 100) < 80 THEN 'silver'
                    WHEN mod({h(S_TIER)}, 100) < 95 THEN 'gold' ELSE 'platinum' END,
               to_timestamp(c.created_epoch),
               jsonb_build_object(
                   'email', CASE WHEN mod({h(S_PROFILE_EMAIL)}, 20) = 0 THEN replace(c.email, '@', '+news@')
                                 ELSE c.email END,
                   'address', jsonb_build_object('street', c.street_address, 'city', c.city, 'zip', c.zip),
                   'marketing_opt_in', mod({h(S_OPT_IN)}, 3) = 0,
                   'tags', ({_text_array(PROFILE_TAGS)})[(1 + mod({h(S_TAGS)}, {len(PROFILE_TAGS)}))::int]::jsonb),
               {notes}
        FROM ({identity}) c"""


def _orders_insert_sql(lo, hi, customers, seed):
    def h(salt):
        return _hash16_sql("o.order_id", seed, salt)

    source = (f"(SELECT g.id AS order_id, 1 + mod({_hash32_sql('g.id', seed, S_ORDER_CUSTOMER_HI, S_ORDER_CUSTOMER_LO)},"
              f" {customers}) AS customer_id FROM generate_series({lo}::bigint, {hi}::bigint) AS g(id)) g")
    identity = _identity_sql(source, "customer_id", seed, passthrough=("order_id",))
    ship_city = _skewed_index_sql(h(S_SHIP_CITY), len(CITIES))
    other_address = (f"(1 + mod({h(S_SHIP_HOUSE)}, 9899))::text || ' ' || {_pick_sql(STREET_NAMES, h(S_SHIP_STREET))}"
                     f" || ' ' || {_pick_sql(STREET_SUFFIXES, h(S_SHIP_SUFFIX))} || ', '"
                     f" || ({_text_array(CITY_NAMES)})[(1 + {ship_city})::int] || ' '"
                     f" || ({_text_array(CITY_ZIP3)})[(1 + {ship_city})::int] || lpad(mod({h(S_SHIP_ZIP)}, 100)::text, 2, '0')")
    gift_name = _pick_sql(FIRST_NAMES, h(S_GIFT_NAME))
    return f"""
        INSERT INTO public.orders (id, customer_id, ordered_at, amount, status, shipping_address, contact_email,
                                   notes, metadata)
        SELECT o.order_id, o.customer_id,
               to_timestamp(o.created_epoch + mod({_hash32_sql('o.order_id', seed, S_ORDER_AT_HI, S_ORDER_AT_LO)},
                                                  1767139200 - o.created_epoch)),
               ((199 + mod({_hash32_sql('o.order_id', seed, S_AMOUNT_HI, S_AMOUNT_LO)}, 50000))::numeric / 100)::numeric(12,2),
               CASE WHEN mod({h(S_STATUS)}, 100) < 70 THEN 'delivered' WHEN mod({h(S_STATUS)}, 100) < 80 THEN 'shipped'
                    WHEN mod({h(S_STATUS)}, 100) < 85 THEN 'processing'
                    WHEN mod({h(S_STATUS)}, 100) < 93 THEN 'cancelled' ELSE 'returned' END,
               CASE WHEN mod({h(S_SHIP_OTHER)}, 10) = 0 THEN {other_address}
                    ELSE o.street_address || ', ' || o.city || ' ' || o.zip END,
               CASE WHEN mod({h(S_CONTACT)}, 100) < 88 THEN o.email
                    WHEN mod({h(S_CONTACT)}, 100) < 95 THEN replace(o.email, '@', '+shop@') END,
               CASE mod({h(S_ORDER_NOTES)}, 25)
                 WHEN 0 THEN 'Contact ' || o.email || ' if the parcel is delayed.'
                 WHEN 1 THEN 'Call ' || o.phone || ' on arrival.'
                 WHEN 2 THEN 'Deliver to ' || o.first_name || ' at reception.'
                 WHEN 3 THEN 'Leave at the back door.'
                 WHEN 4 THEN 'Gift wrap please.'
                 WHEN 5 THEN 'Fragile: glassware.'
               END,
               CASE WHEN mod({h(S_GIFT)}, 8) = 0 THEN jsonb_build_object(
                        'channel', {_pick_sql(CHANNELS, h(S_CHANNEL))},
                        'gift_message', CASE mod({h(S_GIFT_TEMPLATE)}, 3)
                            WHEN 0 THEN 'Happy birthday, ' || {gift_name} || '! Love, ' || o.first_name
                            WHEN 1 THEN 'Congratulations ' || {gift_name} || ', from ' || o.first_name || ' '
                                        || o.last_name || ' and family'
                            ELSE 'Thinking of you, ' || {gift_name} || '.' END)
                    ELSE jsonb_build_object('channel', {_pick_sql(CHANNELS, h(S_CHANNEL))}) END
        FROM ({identity}) o"""


def _ranges(total, parts):
    step = max(1, -(-total // parts))
    return [(lo, min(total, lo + step - 1)) for lo in range(1, total + 1, step)]


def _connect(dsn, dbname=None, autocommit=True):
    conninfo = make_conninfo(dsn, dbname=dbname) if dbname else dsn
    connection = psycopg.connect(conninfo, autocommit=autocommit)
    for name, value in SESSION_SETTINGS.items():
        connection.execute(sql.SQL("SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
    return connection


def recreate_database(dsn_for_db_admin, dbname):
    """Drop (terminating its sessions) and create an empty database; returns a DSN to it."""
    with psycopg.connect(dsn_for_db_admin, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    return make_conninfo(dsn_for_db_admin, dbname=dbname)


def drop_database(dsn_for_db_admin, dbname):
    with psycopg.connect(dsn_for_db_admin, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def _run_parallel(dsn, statements, jobs):
    """Run independent statements over ``jobs`` connections; returns their rowcounts in order."""
    def run(statement):
        with _connect(dsn) as connection:
            return connection.execute(statement).rowcount
    if jobs <= 1:
        return [run(statement) for statement in statements]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(run, statements))


def create_dataset(dsn_for_db_admin: str, dbname: str, customers: int, orders_per_customer: int = 3,
                   seed: int = 1, jobs: int = 2) -> dict:
    """(Re)create database ``dbname`` holding ``customers`` customers and ``customers * orders_per_customer``
    orders (see the module doc). ``dsn_for_db_admin``: a libpq DSN/URI of a role that may create databases
    (any database of the cluster; its dbname is replaced). ``jobs``: parallel connections for load and indexes.

    Returns ``{"database", "dsn", "seed", "rows": {"customers", "orders"}, "bytes", "table_bytes": {...},
    "seconds", "phases": {"create", "load", "indexes", "constraints", "vacuum"}}``.
    """
    if customers < 1 or orders_per_customer < 0:
        raise ValueError("need customers >= 1 and orders_per_customer >= 0")
    orders = customers * orders_per_customer
    phases = {}
    started = clock = time.monotonic()

    def lap(name):
        nonlocal clock
        now = time.monotonic()
        phases[name] = round(now - clock, 3)
        clock = now

    dsn = recreate_database(dsn_for_db_admin, dbname)
    with _connect(dsn) as connection:
        connection.execute(SCHEMA_SQL)
    lap("create")

    # Interleave the ranges of both tables so the connections stay equally busy.
    parts = max(1, min(4 * jobs, customers // 50_000 + 1))
    statements, kinds = [], []
    order_ranges = _ranges(orders, parts) if orders else []
    customer_ranges = _ranges(customers, parts)
    for index in range(max(len(order_ranges), len(customer_ranges))):
        if index < len(order_ranges):
            statements.append(_orders_insert_sql(*order_ranges[index], customers, seed))
            kinds.append("orders")
        if index < len(customer_ranges):
            statements.append(_customers_insert_sql(*customer_ranges[index], seed))
            kinds.append("customers")
    counts = _run_parallel(dsn, statements, jobs)
    rows = {"customers": 0, "orders": 0}
    for kind, count in zip(kinds, counts):
        rows[kind] += count
    lap("load")

    _run_parallel(dsn, INDEX_SQL["orders"] + INDEX_SQL["customers"], jobs)
    lap("indexes")
    with _connect(dsn) as connection:
        for statement in CONSTRAINT_SQL:
            connection.execute(statement)
    lap("constraints")

    _run_parallel(dsn, ["VACUUM (FREEZE, ANALYZE) public.orders", "VACUUM (FREEZE, ANALYZE) public.customers"], jobs)
    lap("vacuum")

    with _connect(dsn) as connection:
        size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        table_bytes = dict(connection.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class"
            " WHERE relname IN ('customers', 'orders') AND relnamespace = 'public'::regnamespace").fetchall())
    return {"database": dbname, "dsn": dsn, "seed": seed, "rows": rows, "bytes": size, "table_bytes": table_bytes,
            "seconds": round(time.monotonic() - started, 3), "phases": phases}


# ---------------------------------------------------------------------------------------------------------------
# DynamoDB

# Spec table name (without the "<env>-" prefix) -> key schema, as in the prod spec's data.dynamodb_tables.
DYNAMODB_TABLES = {
    "campaign-events": {"hash_key": ("merchant_id", "S"), "range_key": ("event_id", "S"), "ttl": "expires_at"},
    "product-feeds": {"hash_key": ("feed_id", "S"), "range_key": None, "ttl": None},
    "user-activity": {"hash_key": ("user_id", "S"), "range_key": ("occurred_at", "N"), "ttl": "expires_at"},
}

_EPOCH_MS = 1735689600000  # 2025-01-01T00:00:00Z
_USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
]
_DEVICES = [("desktop", "Windows"), ("mobile", "iOS"), ("desktop", "macOS"), ("mobile", "Android")]
_SEARCHES = ["running shoes size 10", "gift for {name}", "wireless earbuds", "birthday card for {name}",
             "standing desk", "{name} {last} wishlist"]
_PRODUCTS = ["Trail Runner 3", "Linen Shirt", "Ceramic Mug", "Desk Lamp", "Wool Socks", "Yoga Mat", "Tote Bag",
             "Water Bottle", "Phone Case", "Notebook A5"]


def user_public_id(customer_id, seed=1):
    """The opaque user id (``u_`` + 12 hex) the apps use for customer ``customer_id`` (user-activity.user_id)."""
    return "u_" + hashlib.sha256(("user:%d:%d" % (seed, customer_id)).encode()).hexdigest()[:12]


def _rand(i, seed, salt, modulo):
    digest = hashlib.blake2b(b"%d:%d:%d" % (seed, salt, i), digest_size=8).digest()
    return int.from_bytes(digest, "big") % modulo


def _ip(i, seed):
    return "%d.%d.%d.%d" % (24 + _rand(i, seed, 1, 200), _rand(i, seed, 2, 256), _rand(i, seed, 3, 256),
                            1 + _rand(i, seed, 4, 254))


def _user_activity_item(i, seed, customer):
    who = customer_identity(customer, seed)
    occurred = _EPOCH_MS + i * 1000 + _rand(i, seed, 10, 1000)  # unique per item, so per (user_id, occurred_at)
    event_type = ("page_view", "page_view", "search", "add_to_cart", "checkout", "login")[_rand(i, seed, 11, 6)]
    device_type, device_os = _DEVICES[_rand(i, seed, 12, len(_DEVICES))]
    item = {
        "user_id": user_public_id(customer, seed),
        "occurred_at": occurred,
        "expires_at": occurred // 1000 + 90 * 86400,
        "event_type": event_type,
        "email": who["email"],
        "session": {
            "session_id": "sess_%016x" % _rand(i, seed, 13, 1 << 64),
            "ip_address": _ip(i, seed),
            "user_agent": _USER_AGENTS[_rand(i, seed, 14, len(_USER_AGENTS))],
            "device": {"type": device_type, "os": device_os},
        },
        "location": {"city": who["city"], "zip": who["zip"], "country": "US"},
        "consent": {"marketing": _rand(i, seed, 15, 3) == 0, "analytics": _rand(i, seed, 16, 5) != 0},
    }
    if event_type in ("add_to_cart", "checkout"):
        lines = [{"sku": "SKU-%05d" % _rand(i, seed, 20 + n, 100000), "qty": 1 + _rand(i, seed, 30 + n, 3),
                  "price": Decimal(499 + _rand(i, seed, 40 + n, 20000)) / 100}
                 for n in range(1 + _rand(i, seed, 17, 3))]
        item["cart"] = {"currency": "USD", "items": lines,
                        "total": sum((line["price"] * line["qty"] for line in lines), Decimal(0))}
    if event_type == "search":
        other = FIRST_NAMES[_rand(i, seed, 18, len(FIRST_NAMES))]
        item["search_query"] = _SEARCHES[_rand(i, seed, 19, len(_SEARCHES))].format(name=other, last=who["last_name"])
    return item


def _campaign_event_item(i, seed, customer):
    who = customer_identity(customer, seed)
    occurred = _EPOCH_MS + i * 1000 + _rand(i, seed, 10, 1000)
    event_type = ("impression", "impression", "click", "conversion", "unsubscribe")[_rand(i, seed, 11, 5)]
    channel = ("email", "sms", "push")[_rand(i, seed, 12, 3)]
    campaign = "cmp_2025_spring_%02d" % (1 + _rand(i, seed, 13, 12))
    recipient = {"email": who["email"], "first_name": who["first_name"]}
    if channel == "sms" or _rand(i, seed, 14, 3) == 0:
        recipient["phone"] = who["phone"]
    message = (
        "Hi %s, your 20%% spring coupon is waiting." % who["first_name"],
        "Dear %s, thanks for your order. Reply to %s to stop these emails." % (who["full_name"], who["email"]),
        "New arrivals this week: linen, ceramics and more.",
        "%s, we saved your cart for you." % who["first_name"],
    )[_rand(i, seed, 15, 4)]
    item = {
        "merchant_id": "m_%04d" % (1 + _rand(i, seed, 16, 40)),
        "event_id": "evt_%032x" % _rand(i, seed, 17, 1 << 128),
        "event_type": event_type,
        "campaign_id": campaign,
        "occurred_at": occurred,
        "expires_at": occurred // 1000 + 180 * 86400,
        "recipient": recipient,
        "message": message,
        "attribution": {"channel": channel,
                        "utm": {"source": ("newsletter", "sms", "app")[_rand(i, seed, 18, 3)], "medium": channel,
                                "campaign": campaign}},
        "segments": {("vip", "newsletter", "lapsed", "high-value", "new")[n] for n in range(1 + _rand(i, seed, 19, 5))},
    }
    if event_type == "conversion":
        item["revenue"] = Decimal(999 + _rand(i, seed, 20, 40000)) / 100
    return item


def _product_feed_item(i, seed, customer):
    who = customer_identity(customer, seed)
    products = []
    for n in range(1 + _rand(i, seed, 10, 5)):
        products.append({
            "sku": "SKU-%05d" % _rand(i, seed, 20 + n, 100000),
            "title": _PRODUCTS[_rand(i, seed, 30 + n, len(_PRODUCTS))],
            "price": Decimal(499 + _rand(i, seed, 40 + n, 20000)) / 100,
            "stock": _rand(i, seed, 50 + n, 500),
            "tags": [("new", "sale", "eco", "bestseller")[t] for t in range(_rand(i, seed, 60 + n, 4))],
        })
    item = {
        "feed_id": "feed_%05d" % (i + 1),
        "merchant_id": "m_%04d" % (1 + _rand(i, seed, 11, 40)),
        "title": "Catalogue %d" % (i + 1),
        "format": ("csv", "xml", "json")[_rand(i, seed, 12, 3)],
        "schedule": ("hourly", "daily", "weekly")[_rand(i, seed, 13, 3)],
        "updated_at": _EPOCH_MS // 1000 + i * 60,
        "owner": {"name": who["full_name"], "email": who["email"], "phone": who["phone"]},
        "catalog": {"currency": "USD", "products": products},
    }
    if _rand(i, seed, 14, 2) == 0:
        item["notes"] = "Ask %s before changing the schedule; reach them on %s." % (who["first_name"], who["phone"])
    return item


_ITEM_BUILDERS = {
    "user-activity": _user_activity_item,
    "campaign-events": _campaign_event_item,
    "product-feeds": _product_feed_item,
}


def spec_table_name(table_name):
    """The spec name (``user-activity``) of a table name that may carry an env prefix (``prod-user-activity``)."""
    for name in DYNAMODB_TABLES:
        if table_name == name or table_name.endswith("-" + name):
            return name
    raise ValueError("unknown table %r: expected one of %s (optionally <env>-prefixed)"
                     % (table_name, ", ".join(DYNAMODB_TABLES)))


def dynamodb_items(table_name, items, seed=1, customers=1000):
    """The items create_dynamodb_dataset writes, as plain Python values (Decimal numbers, set for SS)."""
    build = _ITEM_BUILDERS[spec_table_name(table_name)]
    return (build(i, seed, 1 + i % customers) for i in range(items))


def ensure_dynamodb_table(client, table_name):
    """Create the on-demand table with the spec's key schema if it does not exist; wait until it is active."""
    shape = DYNAMODB_TABLES[spec_table_name(table_name)]
    try:
        client.describe_table(TableName=table_name)
        return False
    except client.exceptions.ResourceNotFoundException:
        pass
    keys = [shape["hash_key"]] + ([shape["range_key"]] if shape["range_key"] else [])
    client.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": kind} for name, kind in keys],
        KeySchema=[{"AttributeName": name, "KeyType": key_type}
                   for (name, _kind), key_type in zip(keys, ("HASH", "RANGE"))])
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return True


def _batch_write(client, table_name, requests, max_attempts=10):
    pending = {table_name: requests}
    for attempt in range(max_attempts):
        unprocessed = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        if not unprocessed.get(table_name):
            return attempt
        pending = unprocessed
        time.sleep(min(2.0, 0.05 * 2 ** attempt))
    raise RuntimeError("batch_write_item: %d items still unprocessed after %d attempts"
                       % (len(pending[table_name]), max_attempts))


def create_dynamodb_dataset(client, table_name, items: int, seed: int = 1, customers: int = 1000,
                            threads: int = 4) -> dict:
    """Write ``items`` items to an existing table ``table_name`` (a spec name, env-prefixed or not: its shape is
    chosen by the suffix) with BatchWriteItem (25 per call, UnprocessedItems retried with backoff) on
    ``threads`` threads. Item ``i`` belongs to PostgreSQL customer ``1 + i % customers`` of the same seed (its
    email, first name, phone, city and zip): see the module doc. Returns ``{"table", "items", "seconds",
    "batches", "retries"}``."""
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    started = time.monotonic()
    batches, batch = [], []
    for item in dynamodb_items(table_name, items, seed, customers):
        batch.append({"PutRequest": {"Item": {key: serializer.serialize(value) for key, value in item.items()}}})
        if len(batch) == 25:
            batches.append(batch)
            batch = []
    if batch:
        batches.append(batch)
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        retries = sum(pool.map(lambda requests: _batch_write(client, table_name, requests), batches))
    return {"table": table_name, "items": items, "seconds": round(time.monotonic() - started, 3),
            "batches": len(batches), "retries": retries}


def main(argv=None):
    """python -m tools.masking_dataset ENV CUSTOMERS [ORDERS_PER_CUSTOMER [SEED]]: (re)creates the database of an
    environment of inventories/local (after provision.yml), reached through its RDS instance and master secret."""
    import json
    import sys

    from tools.estate_database import database_conninfo, local_environment
    from tools.local_inventory import load_spec
    from tools.stack.state import read_state

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        sys.exit(main.__doc__)
    account, region = local_environment(args[0])
    admin = database_conninfo(read_state()["moto_url"], account, region, args[0], dbname="postgres")
    database = load_spec(args[0])["data"]["database"].get("database_name", "app")
    figures = create_dataset(admin, database, int(args[1]), *map(int, args[2:4]))
    figures.pop("dsn")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
