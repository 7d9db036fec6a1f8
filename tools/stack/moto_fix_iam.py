"""Corrections of moto's evaluation of policy statements (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


@corrects("5.2.5")
def policy_statements_whose_conditions_do_not_hold_do_not_apply() -> None:
    """A policy statement whose Condition does not hold does not apply: it neither allows nor denies.

    AWS: a statement applies when its action, resource and principal match and all its conditions hold; a Deny that
    does not apply denies nothing (IAM policy evaluation logic). So the usual TLS-only bucket policy, Deny s3:* when
    aws:SecureTransport is false, denies nothing to a client of the HTTPS endpoint.
    moto 5.2.5: IAMPolicyStatement.is_action_permitted answers DENIED for any statement whose condition does not
    hold (Allow and Deny alike), ignores the operators it does not know (Bool among them: such a condition always
    holds), and S3 evaluates bucket policies without any condition value; so every object call on a bucket with
    that policy is refused with 403.
    Breaks: role buckets puts the TLS-only policy on every bucket, so after provision.yml nothing could read or write
    an object of the estate's buckets (backup.yml, restore.yml, dr_drill.yml on the local estate).
    Corrected: a key the request does not carry fails its condition unless the operator is ...IfExists or Null (as
    on AWS); Bool is evaluated; the other operators are moto's. Not modelled: moto passes no condition keys to
    bucket policies (aws:SecureTransport among them), so a statement guarded by any condition key does not apply.
    """
    from moto.iam import access_control
    from moto.iam.access_control import PermissionResult
    from moto.iam.policy_conditions import TrustRelationShipConditions

    original = access_control.IAMPolicyStatement.is_action_permitted

    def holds(operator, key, expected, incoming):
        value = (incoming or {}).get(key)
        if operator == "Null":  # Null: true holds when the key is absent
            return (value is None) == (str(expected).lower() == "true")
        if value is None:  # an absent key fails every operator but ...IfExists
            return operator.endswith("IfExists")
        base = operator[:-len("IfExists")] if operator.endswith("IfExists") else operator
        if base == "Bool":
            wanted = expected if isinstance(expected, list) else [expected]
            return str(value).lower() in [str(item).lower() for item in wanted]
        (condition,) = TrustRelationShipConditions({base: {key: expected}})
        return condition.verify_condition([value])

    def conditions_hold(statement, incoming):
        return all(holds(operator, key, expected, incoming)
                   for operator, keys in (statement.get("Condition") or {}).items()
                   for key, expected in keys.items())

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        concerned = (not self._check_element_matches("NotAction", action) if "NotAction" in self._statement
                     else self._check_element_matches("Action", action))
        if concerned and not self.is_unknown_principal(self._statement.get("Principal")) \
                and not conditions_hold(self._statement, incoming_condition_values):
            return PermissionResult.NEUTRAL
        return original(self, action, resource, principal, incoming_condition_values)

    access_control.IAMPolicyStatement.is_action_permitted = is_action_permitted
