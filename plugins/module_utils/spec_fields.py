# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small declarative field language for the environment spec.

A ``Field`` checks one value (type, choices, bounds, pattern, nested fields)
and returns it with defaults applied.  Problems are collected as
``SpecProblem`` records instead of raised, so one run reports every mistake
of a spec at once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import ipaddress
import re


class SpecProblem:
    """One violated rule: which environment, which field, which rule, why."""

    def __init__(self, env, field, rule, message):
        self.env = env
        self.field = field
        self.rule = rule
        self.message = message

    def as_dict(self):
        return {"environment": self.env, "field": self.field, "rule": self.rule, "message": self.message}

    def __str__(self):
        return "environment '%s': field '%s': %s (rule: %s)" % (self.env, self.field, self.message, self.rule)

    def __repr__(self):
        return "SpecProblem(%r, %r, %r)" % (self.env, self.field, self.rule)


_MISSING = object()
_TYPE_NAMES = {"str": "a string", "int": "an integer", "number": "a number", "bool": "a boolean",
               "dict": "a mapping", "list": "a list", "cidr": "an IPv4 CIDR string"}


class Field:
    """Declaration of one spec field.

    kind: str | int | number | bool | dict | list | cidr
    fields: for dict, the declared keys (unknown keys are refused unless extra=True)
    items: for list, the Field of each item
    """

    def __init__(self, kind, required=False, default=_MISSING, choices=None, minimum=None, maximum=None,
                 pattern=None, fields=None, items=None, extra=False, doc=""):
        self.kind = kind
        self.required = required
        self.default = default
        self.choices = choices
        self.minimum = minimum
        self.maximum = maximum
        self.pattern = re.compile(pattern) if pattern else None
        self.fields = fields or {}
        self.items = items
        self.extra = extra
        self.doc = doc

    @property
    def has_default(self):
        return self.default is not _MISSING

    def check(self, value, path, env, problems):
        """Return ``value`` normalised (defaults applied); append problems found."""
        if not self._type_ok(value):
            problems.append(SpecProblem(env, path, "type", "expected %s, got %s %r"
                                        % (_TYPE_NAMES[self.kind], type(value).__name__, value)))
            return value
        if self.kind == "dict":
            return self._check_dict(value, path, env, problems)
        if self.kind == "list":
            return [self.items.check(item, "%s[%d]" % (path, i), env, problems) for i, item in enumerate(value)]
        self._check_scalar(value, path, env, problems)
        return value

    def _type_ok(self, value):
        if self.kind in ("str", "cidr"):
            return isinstance(value, str)
        if self.kind == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        if self.kind == "number":
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "dict":
            return isinstance(value, dict)
        return isinstance(value, list)

    def _check_dict(self, value, path, env, problems):
        out = {}
        for key in value:
            if key not in self.fields and not self.extra:
                hint = difflib.get_close_matches(str(key), list(self.fields), n=1)
                problems.append(SpecProblem(env, _join(path, key), "unknown_key", "unknown key%s; allowed: %s" % (
                    " (did you mean '%s'?)" % hint[0] if hint else "", ", ".join(sorted(self.fields)))))
        for key, field in self.fields.items():
            sub_path = _join(path, key)
            if key in value and value[key] is not None:
                out[key] = field.check(value[key], sub_path, env, problems)
            elif field.required:
                problems.append(SpecProblem(env, sub_path, "required", "missing required key"))
            elif field.has_default:
                out[key] = field.check(_copy(field.default), sub_path, env, problems)
        if self.extra:
            for key in value:
                if key not in self.fields:
                    out[key] = value[key]
        return out

    def _check_scalar(self, value, path, env, problems):
        if self.choices is not None and value not in self.choices:
            problems.append(SpecProblem(env, path, "choices", "%r is not one of: %s"
                                        % (value, ", ".join(str(c) for c in self.choices))))
        if self.minimum is not None and value < self.minimum:
            problems.append(SpecProblem(env, path, "minimum", "%r is below the minimum %r" % (value, self.minimum)))
        if self.maximum is not None and value > self.maximum:
            problems.append(SpecProblem(env, path, "maximum", "%r is above the maximum %r" % (value, self.maximum)))
        if self.pattern is not None and not self.pattern.match(value):
            problems.append(SpecProblem(env, path, "pattern", "%r does not match %s" % (value, self.pattern.pattern)))
        if self.kind == "cidr":
            try:
                ipaddress.IPv4Network(value, strict=True)
            except ValueError as exc:
                problems.append(SpecProblem(env, path, "cidr_syntax", "%r is not a valid IPv4 network CIDR: %s"
                                            % (value, exc)))


def _join(path, key):
    return "%s.%s" % (path, key) if path else str(key)


def _copy(value):
    if isinstance(value, dict):
        return dict((k, _copy(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
