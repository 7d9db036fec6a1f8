"""The speed and memory targets of the masked refresh, and how a benchmark judges its figures against them.

    from tools.bench_targets import median, faster_baseline, verdict, MASKING_STAGE_X, WHOLE_REFRESH_X
    name, seconds = faster_baseline({"plain copy": 17.1, "pg_dump -j 2 | pg_restore -j 2": 15.8})
    print(verdict("masking stage / the faster plain copy", 31.0 / seconds, MASKING_STAGE_X, "x"))

A missed target is printed as MISSED, never left out.
"""

import statistics

MASKING_STAGE_X = 2.0       # masked copy / the faster plain copy
WHOLE_REFRESH_X = 3.0       # masked copy + verification / the faster plain copy
PEAK_RSS_MB = 300.0         # the masking process, its pg_dump / psql children included (strictly below)
DYNAMODB_X = 1.3            # masked copy / plain copy of the same table through the same scan and write path


def median(values):
    """The median of a non-empty list of numbers (the mean of the middle two for an even count)."""
    values = list(values)
    if not values:
        raise ValueError("median of no values")
    return statistics.median(values)


def faster_baseline(seconds_by_name):
    """(name, seconds) of the fastest baseline; ties go to the first one given."""
    if not seconds_by_name:
        raise ValueError("no baseline measured")
    name = min(seconds_by_name, key=lambda key: seconds_by_name[key])
    return name, seconds_by_name[name]


def met(value, limit, strict=False):
    """Whether ``value`` keeps to the ceiling ``limit`` (``strict``: strictly below it)."""
    return value < limit if strict else value <= limit


def verdict(label, value, limit, unit, strict=False):
    """One line per target: ``target <label> <= 2.00x: 2.31x MISSED`` (``unit``: "x", " MB"...)."""
    sign = "<" if strict else "<="
    return "target %s %s %.2f%s: %.2f%s %s" % (label, sign, limit, unit, value, unit,
                                               "met" if met(value, limit, strict) else "MISSED")
