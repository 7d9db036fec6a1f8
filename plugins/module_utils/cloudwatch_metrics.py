# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Custom CloudWatch metric data: checked the way PutMetricData checks it, before any call, and sent in batches.

A procedure (a DR drill) publishes what it measured, e.g. ``AchievedRTOSeconds`` per environment and store, so that
alarms and dashboards can follow the figures over time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

UNITS = ("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
         "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
         "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
         "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None")
MAX_DIMENSIONS = 30
BATCH = 1000  # data points per PutMetricData call


def problems(namespace, metrics):
    """Everything PutMetricData would refuse, in the module's words."""
    found = []
    if not namespace or len(namespace) > 255 or namespace.startswith("AWS/"):
        found.append("namespace %r: 1-255 characters, not starting with 'AWS/' (reserved for AWS)." % namespace)
    if not metrics:
        found.append("metrics: at least one data point.")
    for index, metric in enumerate(metrics or []):
        where = "metrics[%d]" % index
        name = metric.get("name") or ""
        if not 1 <= len(name) <= 255:
            found.append("%s.name %r: 1-255 characters." % (where, name))
        value = metric.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            found.append("%s.value %r: a finite number." % (where, value))
        if metric.get("unit", "None") not in UNITS:
            found.append("%s.unit %r: one of %s." % (where, metric.get("unit"), ", ".join(UNITS)))
        dimensions = metric.get("dimensions") or {}
        if len(dimensions) > MAX_DIMENSIONS:
            found.append("%s.dimensions: at most %d." % (where, MAX_DIMENSIONS))
        for key, dimension in dimensions.items():
            if not key or not str(dimension):
                found.append("%s.dimensions: empty name or value (%r=%r)." % (where, key, dimension))
    return found


def metric_data(metrics, timestamp):
    """The MetricData of PutMetricData, in batches of BATCH."""
    data = [{"MetricName": metric["name"], "Value": float(metric["value"]), "Unit": metric.get("unit", "None"),
             "Timestamp": timestamp,
             "Dimensions": [{"Name": key, "Value": str(value)}
                            for key, value in sorted((metric.get("dimensions") or {}).items())]}
            for metric in metrics]
    return [data[start:start + BATCH] for start in range(0, len(data), BATCH)]
