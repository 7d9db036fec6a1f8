"""Corrections of moto's Cost Explorer cost allocation tags (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects

MAX_TAGS_PER_UPDATE = 20


@corrects("5.2.5")
def cost_allocation_tags() -> None:
    """ListCostAllocationTags and UpdateCostAllocationTagsStatus, missing in moto.

    AWS: UpdateCostAllocationTagsStatus sets the status (Active / Inactive) of up to 20 user-defined tag keys and
    answers the keys it could not update in Errors (an empty list when all were); ListCostAllocationTags answers
    every tag key with its TagKey, Type (UserDefined), Status and LastUpdatedDate, filtered by Status, TagKeys and
    Type when given. More than 20 keys in one update is ValidationException.
    moto 5.2.5: both calls answer HTTP 500 (not implemented).
    Breaks: envops.aws.cost_allocation_tags, which can neither read nor activate the tags.
    Not modelled: AWS knows a tag key only once billing has seen it on a resource (up to 24 hours), and answers
    an Errors entry for a key it does not know yet; here every key is known.
    """
    import json
    from datetime import datetime, timezone

    from moto.ce import responses
    from moto.core.exceptions import JsonRESTError

    class ValidationException(JsonRESTError):
        code = 400

        def __init__(self, message):
            super().__init__("ValidationException", message)

    def _tags(backend):
        if not hasattr(backend, "envops_cost_allocation_tags"):
            backend.envops_cost_allocation_tags = {}
        return backend.envops_cost_allocation_tags

    def update_cost_allocation_tags_status(self):
        statuses = json.loads(self.body).get("CostAllocationTagsStatus", [])
        if not 1 <= len(statuses) <= MAX_TAGS_PER_UPDATE:
            raise ValidationException(
                f"CostAllocationTagsStatus must hold 1 to {MAX_TAGS_PER_UPDATE} tag keys, got {len(statuses)}")
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        tags = _tags(self.ce_backend)
        for status in statuses:
            tags[status["TagKey"]] = {"TagKey": status["TagKey"], "Type": "UserDefined", "Status": status["Status"],
                                      "LastUpdatedDate": now}
        return json.dumps({"Errors": []})

    def list_cost_allocation_tags(self):
        params = json.loads(self.body)
        rows = [row for row in _tags(self.ce_backend).values()
                if params.get("Status") in (None, row["Status"])
                and params.get("Type") in (None, row["Type"])
                and (not params.get("TagKeys") or row["TagKey"] in params["TagKeys"])]
        return json.dumps({"CostAllocationTags": sorted(rows, key=lambda row: row["TagKey"])})

    responses.CostExplorerResponse.update_cost_allocation_tags_status = update_cost_allocation_tags_status
    responses.CostExplorerResponse.list_cost_allocation_tags = list_cost_allocation_tags
