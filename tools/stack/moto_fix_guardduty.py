"""Corrections of moto's GuardDuty detectors (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


@corrects("5.2.5")
def guardduty_detector_tags() -> None:
    """TagResource, UntagResource and ListTagsForResource of a detector, missing in moto.

    AWS: a detector (arn:aws:guardduty:<region>:<account>:detector/<id>) keeps the tags CreateDetector gave it and
    the ones TagResource adds; UntagResource removes keys; ListTagsForResource and GetDetector answer them. An ARN
    of no detector of the account and region is BadRequestException.
    moto 5.2.5: no route for /tags (HTTP 404): a detector's tags can be set only when it is created.
    Breaks: envops.aws.guardduty_detector, which keeps a detector's tags with purge.
    Not modelled: tags of GuardDuty's other resources (filters, IP sets, threat intel sets).
    """
    import json
    from urllib.parse import unquote

    from moto.core.exceptions import JsonRESTError
    from moto.guardduty import responses, urls

    def _detector(self):
        backend = self.guardduty_backend
        arn = unquote(self.path.split("?")[0].split("/tags/", 1)[1])
        prefix = "arn:aws:guardduty:%s:%s:detector/" % (backend.region_name, backend.account_id)
        detector = backend.detectors.get(arn[len(prefix):]) if arn.startswith(prefix) else None
        if detector is None:
            error = JsonRESTError("BadRequestException", "The request is rejected because the input "
                                  "resourceArn %s is not valid." % arn)
            error.code = 400
            raise error
        return detector

    def tag_resource(self):
        _detector(self).tags.update(json.loads(self.body or "{}").get("tags") or {})
        return "{}"

    def untag_resource(self):
        detector = _detector(self)
        for key in self.querystring.get("tagKeys", []):
            detector.tags.pop(key, None)
        return "{}"

    def list_tags_for_resource(self):
        return json.dumps({"tags": _detector(self).tags})

    responses.GuardDutyResponse.tag_resource = tag_resource
    responses.GuardDutyResponse.untag_resource = untag_resource
    responses.GuardDutyResponse.list_tags_for_resource = list_tags_for_resource
    urls.url_paths["{0}/tags/(?P<resource_arn>.+)$"] = responses.GuardDutyResponse.dispatch
