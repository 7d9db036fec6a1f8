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
    extra: for dict, a Field every undeclared key's value must pass (True: anything), with extra_keys the
      pattern of those keys
    items: for list, the Field of each item
    exclusive_minimum: the value must be above it (0 vCPU is no size)
    min_length / max_length: for str, the length AWS accepts
    not_blank: for str, refuse a value of only whitespace (an owner of "  " names no one)
    """

    def __init__(self, kind, required=False, default=_MISSING, choices=None, minimum=None, maximum=None,
                 pattern=None, fields=None, items=None, extra=False, doc="", exclusive_minimum=None,
                 min_length=None, max_length=None, not_blank=False, extra_keys=None):
        self.kind = kind
        self.required = required
        self.default = default
        self.choices = choices
        self.minimum = minimum
        self.maximum = maximum
        self.exclusive_minimum = exclusive_minimum
        self.min_length = min_length
        self.max_length = max_length
        self.not_blank = not_blank
        self.pattern = re.compile(pattern) if pattern else None
        self.fields = fields or {}
        self.items = items
        self.extra = extra
        self.extra_keys = re.compile(extra_keys) if extra_keys else None
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
            if key in value and value[key] is None:
                # YAML reads "key:" with nothing under it (e.g. every child commented out) as null: taking the
                # default then would silently drop what the author meant to declare
                problems.append(SpecProblem(env, sub_path, "not_null", "null is not a value: %s" % (
                    "the key is required" if field.required else "give one, or remove the key%s"
                    % (" to take the default" if field.has_default else ""))))
            elif key in value:
                out[key] = field.check(value[key], sub_path, env, problems)
            elif field.required:
                problems.append(SpecProblem(env, sub_path, "required", "missing required key"))
            elif field.has_default:
                out[key] = field.check(_copy(field.default), sub_path, env, problems)
        if self.extra:
            for key in value:
                if key not in self.fields:
                    out[key] = self._check_extra(key, value[key], _join(path, key), env, problems)
        return out

    def _check_extra(self, key, value, path, env, problems):
        if self.extra_keys is not None and not (isinstance(key, str) and self.extra_keys.fullmatch(key)):
            problems.append(SpecProblem(env, path, "pattern", "key %r does not match %s"
                                        % (key, self.extra_keys.pattern)))
        if isinstance(self.extra, Field):
            if value is None:
                problems.append(SpecProblem(env, path, "not_null", "null is not a value here"))
                return value
            return self.extra.check(value, path, env, problems)
        return value

    def _check_scalar(self, value, path, env, problems):
        if self.choices is not None and value not in self.choices:
            problems.append(SpecProblem(env, path, "choices", "%r is not one of: %s"
                                        % (value, ", ".join(str(c) for c in self.choices))))
        if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            problems.append(SpecProblem(env, path, "exclusive_minimum", "%r must be above %r"
                                        % (value, self.exclusive_minimum)))
        if self.minimum is not None and value < self.minimum:
            problems.append(SpecProblem(env, path, "minimum", "%r is below the minimum %r" % (value, self.minimum)))
        if self.maximum is not None and value > self.maximum:
            problems.append(SpecProblem(env, path, "maximum", "%r is above the maximum %r" % (value, self.maximum)))
        # fullmatch: re.match with a trailing $ would let "me-south-1\n" through
        if self.pattern is not None and not self.pattern.fullmatch(value):
            problems.append(SpecProblem(env, path, "pattern", "%r does not match %s" % (value, self.pattern.pattern)))
        if self.not_blank and not value.strip():
            problems.append(SpecProblem(env, path, "not_blank", "%r is blank" % value))
        if self.min_length is not None and len(value) < self.min_length:
            problems.append(SpecProblem(env, path, "min_length", "%d characters, at least %d needed"
                                        % (len(value), self.min_length)))
        if self.max_length is not None and len(value) > self.max_length:
            problems.append(SpecProblem(env, path, "max_length", "%d characters, at most %d allowed"
                                        % (len(value), self.max_length)))
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
