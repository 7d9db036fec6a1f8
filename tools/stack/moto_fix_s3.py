"""Corrections of moto's S3 replication read-back (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


_REPLICATION_RULE_FIELDS = ("ID", "Priority", "Prefix", "Filter", "Status", "SourceSelectionCriteria",
                            "ExistingObjectReplication", "Destination", "DeleteMarkerReplication")


def _empty_prefix(mapping):
    # xmltodict parses <Prefix></Prefix> as None; AWS reports the empty prefix as "".
    if "Prefix" in mapping and mapping["Prefix"] is None:
        mapping["Prefix"] = ""
    return mapping


def _stored_filter(raw):
    raw = _empty_prefix(dict(raw or {}))
    if "And" in raw:
        conjunction = _empty_prefix(dict(raw["And"] or {}))
        if "Tag" in conjunction:
            tags = conjunction.pop("Tag")
            conjunction["Tags"] = tags if isinstance(tags, list) else [tags]
        raw["And"] = conjunction
    return raw


@corrects("5.2.5")
def s3_replication_rules_as_stored() -> None:
    """GetBucketReplication reports each rule as it was put, as AWS does.

    AWS: GetBucketReplication returns the stored V2 rules: Filter (prefix / tags),
    DeleteMarkerReplication, SourceSelectionCriteria (SSE-KMS objects) and ExistingObjectReplication
    as put; a V2 rule put without Priority reads back Priority 0.
    moto 5.2.5: stores the rules but always answers Filter {"Prefix": ""} and DeleteMarkerReplication
    Disabled, drops SourceSelectionCriteria and ExistingObjectReplication, and stores a missing
    Priority as 1.
    Breaks: envops.aws.s3_bucket_replication, which compares the configuration it reads back and
    reports changed on every run for rules with a prefix, delete-marker replication or a replica KMS key.
    """
    from moto.core.responses import ActionResult
    from moto.s3 import models, responses
    from moto.s3.exceptions import ReplicationConfigurationNotFoundError

    original_put = models.S3Backend.put_bucket_replication

    def put_bucket_replication(self, bucket_name, replication):
        rules = replication["Rule"] if isinstance(replication["Rule"], list) else [replication["Rule"]]
        for rule in rules:
            if "Priority" not in rule and "Filter" in rule:
                rule["Priority"] = 0
        replication["Rule"] = rules
        return original_put(self, bucket_name, replication)

    def get_bucket_replication(self):
        self.data["Action"] = "GetBucketReplication"
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
        rules = []
        for stored in replication["Rule"]:
            rule = _empty_prefix({key: value for key, value in stored.items() if key in _REPLICATION_RULE_FIELDS})
            if "Filter" in rule:
                rule["Filter"] = _stored_filter(rule["Filter"])
            rules.append(rule)
        return self.serialized(ActionResult({"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}))

    models.S3Backend.put_bucket_replication = put_bucket_replication
    responses.S3Response.get_bucket_replication = get_bucket_replication


# ElastiCache replication groups. The four corrections below share the helpers that follow them: the member
# cache clusters of a group are kept in moto's own cache_clusters, so DescribeCacheClusters reports them.
