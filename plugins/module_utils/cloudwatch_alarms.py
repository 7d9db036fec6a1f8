# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A set of CloudWatch alarms under one name prefix, converged as a whole.

Metric alarms (one metric with a statistic or an extended statistic such as p99, or metric math) and composite
alarms are described by their PutMetricAlarm / PutCompositeAlarm parameters. What DescribeAlarms answers is
normalised the same way as what is asked (defaults filled, lists sorted, numbers as floats), so a re-run changes
nothing; amazon.aws.cloudwatch_metric_alarm reports metric-math alarms changed on every run.
Order: stale composite alarms are deleted first, then metric alarms put, then composite alarms put (their rules name
alarms that exist by then), then stale metric alarms deleted (no rule names them any more).
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

NAME = re.compile(r"^[A-Za-z0-9 ._/#:()+=@-]{1,255}$")
PREFIX = re.compile(r"^[A-Za-z0-9._/#:+=@-]{1,200}$")
TOPIC_OR_ACTION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:[A-Za-z0-9_./:+=@-]{1,1024}$")
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")
COMPARISONS = ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
               "LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold",
               "LessThanLowerThreshold", "GreaterThanUpperThreshold")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
EXTENDED_STATISTIC = re.compile(r"^(p|tm|wm|tc|ts)\d{1,2}(\.\d{1,2})?$")
DELETE_BATCH = 100

# What a metric alarm is, as compared: DescribeAlarms also answers state, ARNs and timestamps, which are not asked.
METRIC_KEYS = ("AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
               "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
               "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
               "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId")
COMPOSITE_KEYS = ("AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
                  "AlarmRule")


def _query(query):
    """One MetricDataQuery as compared (ReturnData defaults to true, Period of the stat only)."""
    normal = {"Id": query["Id"], "ReturnData": bool(query.get("ReturnData", True))}
    for key in ("Expression", "Label", "AccountId"):
        if query.get(key):
            normal[key] = query[key]
    if query.get("Period"):
        normal["Period"] = int(query["Period"])
    stat = query.get("MetricStat")
    if stat:
        metric = stat["Metric"]
        normal["MetricStat"] = {
            "Metric": {"Namespace": metric["Namespace"], "MetricName": metric["MetricName"],
                       "Dimensions": _dimensions(metric.get("Dimensions"))},
            "Period": int(stat["Period"]), "Stat": stat["Stat"]}
        if stat.get("Unit"):
            normal["MetricStat"]["Unit"] = stat["Unit"]
    return normal


def _dimensions(dimensions):
    return sorted(({"Name": d["Name"], "Value": d["Value"]} for d in dimensions or []), key=lambda d: d["Name"])


def normalise_metric_alarm(alarm):
    """The parameters of a metric alarm as compared; AWS defaults filled in."""
    normal = {"AlarmName": alarm["AlarmName"],
              "AlarmDescription": alarm.get("AlarmDescription") or "",
              "ActionsEnabled": bool(alarm.get("ActionsEnabled", True)),
              "ComparisonOperator": alarm["ComparisonOperator"],
              "EvaluationPeriods": int(alarm["EvaluationPeriods"]),
              "DatapointsToAlarm": int(alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"]),
              "TreatMissingData": alarm.get("TreatMissingData") or "missing"}
    for key in ("OKActions", "AlarmActions", "InsufficientDataActions"):
        normal[key] = sorted(alarm.get(key) or [])
    if alarm.get("Threshold") is not None:
        normal["Threshold"] = float(alarm["Threshold"])
    if alarm.get("ThresholdMetricId"):
        normal["ThresholdMetricId"] = alarm["ThresholdMetricId"]
    if alarm.get("EvaluateLowSampleCountPercentile"):
        normal["EvaluateLowSampleCountPercentile"] = alarm["EvaluateLowSampleCountPercentile"]
    if alarm.get("Metrics"):
        normal["Metrics"] = sorted((_query(query) for query in alarm["Metrics"]), key=lambda q: q["Id"])
    else:
        normal.update(Namespace=alarm["Namespace"], MetricName=alarm["MetricName"],
                      Dimensions=_dimensions(alarm.get("Dimensions")), Period=int(alarm["Period"]))
        if alarm.get("ExtendedStatistic"):
            normal["ExtendedStatistic"] = alarm["ExtendedStatistic"]
        else:
            normal["Statistic"] = alarm["Statistic"]
        if alarm.get("Unit"):
            normal["Unit"] = alarm["Unit"]
    return normal


def normalise_composite_alarm(alarm):
    normal = {"AlarmName": alarm["AlarmName"], "AlarmRule": alarm["AlarmRule"],
              "AlarmDescription": alarm.get("AlarmDescription") or "",
              "ActionsEnabled": bool(alarm.get("ActionsEnabled", True))}
    for key in ("OKActions", "AlarmActions", "InsufficientDataActions"):
        normal[key] = sorted(alarm.get(key) or [])
    return normal


def _alarm_problems(kind, alarm, prefix):
    name = alarm.get("AlarmName")
    where = "%s %r" % (kind, name)
    if not isinstance(name, str) or not NAME.match(name):
        return ["%s: AlarmName must be 1-255 letters, digits, spaces or ._/#:()+=@-." % where]
    found = []
    if not name.startswith(prefix):
        found.append("%s: AlarmName must start with alarm_prefix %r (only alarms under it are managed)."
                     % (where, prefix))
    for key in ("OKActions", "AlarmActions", "InsufficientDataActions"):
        for action in alarm.get(key) or []:
            if not TOPIC_OR_ACTION.match(str(action)):
                found.append("%s: %s %r is not an ARN." % (where, key, action))
    if alarm.get("TreatMissingData", "missing") not in TREAT_MISSING:
        found.append("%s: TreatMissingData must be one of %s." % (where, ", ".join(TREAT_MISSING)))
    return found


def problems(params):
    """Refusals before any AWS call: names under the prefix, one alarm per name, the fields AWS requires."""
    prefix = params["alarm_prefix"]
    if not PREFIX.match(prefix or ""):
        return ["alarm_prefix %r must be 1-200 letters, digits or ._/#:+=@-." % prefix]
    found = []
    names = []
    for alarm in params["metric_alarms"]:
        found += _alarm_problems("metric alarm", alarm, prefix)
        names.append(alarm.get("AlarmName"))
        where = "metric alarm %r" % alarm.get("AlarmName")
        if alarm.get("ComparisonOperator") not in COMPARISONS:
            found.append("%s: ComparisonOperator must be one of %s." % (where, ", ".join(COMPARISONS)))
        if not isinstance(alarm.get("EvaluationPeriods"), int) or alarm["EvaluationPeriods"] < 1:
            found.append("%s: EvaluationPeriods must be a positive integer." % where)
        if alarm.get("Metrics"):
            if any(alarm.get(key) for key in ("MetricName", "Namespace", "Statistic", "ExtendedStatistic")):
                found.append("%s: Metrics (metric math) excludes MetricName, Namespace and the statistics." % where)
            if sum(1 for query in alarm["Metrics"] if query.get("ReturnData", True)) != 1:
                found.append("%s: exactly one query of Metrics must return data." % where)
        else:
            if not alarm.get("MetricName") or not alarm.get("Namespace") or not alarm.get("Period"):
                found.append("%s: MetricName, Namespace and Period are required without Metrics." % where)
            if bool(alarm.get("Statistic")) == bool(alarm.get("ExtendedStatistic")):
                found.append("%s: give exactly one of Statistic and ExtendedStatistic." % where)
            elif alarm.get("Statistic") and alarm["Statistic"] not in STATISTICS:
                found.append("%s: Statistic must be one of %s." % (where, ", ".join(STATISTICS)))
            elif alarm.get("ExtendedStatistic") and not EXTENDED_STATISTIC.match(alarm["ExtendedStatistic"]):
                found.append("%s: ExtendedStatistic must be a percentile such as p99." % where)
    for alarm in params["composite_alarms"]:
        found += _alarm_problems("composite alarm", alarm, prefix)
        names.append(alarm.get("AlarmName"))
        if not alarm.get("AlarmRule"):
            found.append("composite alarm %r: AlarmRule is required." % alarm.get("AlarmName"))
    duplicates = sorted(set(name for name in names if isinstance(name, str) and names.count(name) > 1))
    if duplicates:
        found.append("alarm names given twice: %s." % ", ".join(duplicates))
    return found


def plan(wanted_metric, wanted_composite, current_metric, current_composite, purge):
    """What to put and delete: {put_metric: [names], put_composite: [...], delete_composite: [...],
    delete_metric: [...]}, from normalised alarms keyed by name."""
    def differing(wanted, current):
        return sorted(name for name, alarm in wanted.items() if current.get(name) != alarm)

    wanted = set(wanted_metric) | set(wanted_composite)
    stale = sorted((set(current_metric) | set(current_composite)) - wanted) if purge else []
    return {
        "put_metric": differing(wanted_metric, current_metric),
        "put_composite": differing(wanted_composite, current_composite),
        # a name that changes kind is deleted before it is put again
        "delete_composite": sorted(name for name in current_composite
                                   if name in stale or name in wanted_metric),
        "delete_metric": sorted(name for name in current_metric if name in stale or name in wanted_composite),
    }


def tag_changes(current, wanted, purge_tags):
    """(tags to set, keys to remove) of one alarm."""
    to_set = {key: value for key, value in wanted.items() if current.get(key) != value}
    to_remove = sorted(key for key in current if key not in wanted) if purge_tags else []
    return to_set, to_remove


@AWSErrorHandler.common_error_handler("list the alarms under the prefix")
@aws_retry()
def read_alarms(client, prefix):
    """({name: metric alarm}, {name: composite alarm}) as DescribeAlarms answers them."""
    metric, composite = {}, {}
    paginator = client.get_paginator("describe_alarms")
    for page in paginator.paginate(AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
        for alarm in page.get("MetricAlarms", []):
            metric[alarm["AlarmName"]] = alarm
        for alarm in page.get("CompositeAlarms", []):
            composite[alarm["AlarmName"]] = alarm
    return metric, composite


@AWSErrorHandler.common_error_handler("read the tags of the alarm")
@aws_retry()
def read_tags(client, arn):
    return {tag["Key"]: tag["Value"] for tag in client.list_tags_for_resource(ResourceARN=arn).get("Tags", [])}


@AWSErrorHandler.common_error_handler("put the metric alarm")
@aws_retry()
def put_metric_alarm(client, alarm, tags):
    client.put_metric_alarm(**dict(alarm, Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())]))


@AWSErrorHandler.common_error_handler("put the composite alarm")
@aws_retry()
def put_composite_alarm(client, alarm, tags):
    client.put_composite_alarm(**dict(alarm, Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())]))


@AWSErrorHandler.common_error_handler("delete the alarms")
@aws_retry()
def delete_alarms(client, names):
    for start in range(0, len(names), DELETE_BATCH):
        client.delete_alarms(AlarmNames=names[start:start + DELETE_BATCH])


@AWSErrorHandler.common_error_handler("tag the alarm")
@aws_retry()
def tag_alarm(client, arn, to_set):
    client.tag_resource(ResourceARN=arn, Tags=[{"Key": k, "Value": v} for k, v in sorted(to_set.items())])


@AWSErrorHandler.common_error_handler("untag the alarm")
@aws_retry()
def untag_alarm(client, arn, keys):
    client.untag_resource(ResourceARN=arn, TagKeys=keys)


def converge(client, params, check_mode):
    """Bring the alarms under the prefix to the wanted set; the module's result (changed, alarms, diff parts)."""
    prefix = params["alarm_prefix"]
    wanted_metric = {a["AlarmName"]: normalise_metric_alarm(a) for a in params["metric_alarms"]}
    wanted_composite = {a["AlarmName"]: normalise_composite_alarm(a) for a in params["composite_alarms"]}
    raw_metric, raw_composite = read_alarms(client, prefix)
    current_metric = {name: normalise_metric_alarm(a) for name, a in raw_metric.items()}
    current_composite = {name: normalise_composite_alarm(a) for name, a in raw_composite.items()}
    steps = plan(wanted_metric, wanted_composite, current_metric, current_composite, params["purge"])
    tags = params["tags"]
    retag = {}
    if tags is not None:
        for name, alarm in list(raw_metric.items()) + list(raw_composite.items()):
            if name in wanted_metric or name in wanted_composite:
                to_set, to_remove = tag_changes(read_tags(client, alarm["AlarmArn"]), tags, params["purge_tags"])
                if to_set or to_remove:
                    retag[name] = (alarm["AlarmArn"], to_set, to_remove)
    changed = bool(any(steps.values()) or retag)
    if changed and not check_mode:
        by_name = dict((a["AlarmName"], a) for a in params["metric_alarms"] + params["composite_alarms"])
        # composite alarms leave before and come after the alarms their rules name
        delete_alarms(client, steps["delete_composite"])
        for name in steps["put_metric"]:
            put_metric_alarm(client, by_name[name], tags or {})
        for name in steps["put_composite"]:
            put_composite_alarm(client, by_name[name], tags or {})
        delete_alarms(client, steps["delete_metric"])
        for arn, to_set, to_remove in retag.values():
            if to_set:
                tag_alarm(client, arn, to_set)
            if to_remove:
                untag_alarm(client, arn, to_remove)
    before = dict(current_metric, **current_composite)
    after = dict((name, alarm) for name, alarm in before.items()
                 if name not in steps["delete_metric"] + steps["delete_composite"])
    after.update(wanted_metric)
    after.update(wanted_composite)
    return {"changed": changed,
            "created": sorted(name for name in steps["put_metric"] + steps["put_composite"] if name not in before),
            "updated": sorted(name for name in steps["put_metric"] + steps["put_composite"] if name in before),
            "deleted": sorted(steps["delete_metric"] + steps["delete_composite"]),
            "retagged": sorted(retag),
            "alarm_names": sorted(after),
            "before": before, "after": after}
