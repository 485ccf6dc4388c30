"""The metric names a PromQL expression reads, without a PromQL parser.

Why a tokenizer and not ``promql-parser``: the policy pack runs inside ``pulumi preview --policy-pack``
in whatever environment the deploy job installed, and ``promql-parser`` is a development dependency
(a compiled wheel). Metric names are a lexical fact: an identifier that is not a function call, a
keyword, a label name (inside ``{}``, ``by (...)``, ``on (...)``…), a duration or part of a string.
The tests check this tokenizer against ``promql-parser`` on every expression the stacks carry, so the
two cannot drift apart unnoticed.
"""

from __future__ import annotations

import re

#: Aggregation operators: they may be followed by ``by (...)`` rather than their parenthesis.
AGGREGATIONS = frozenset(
    {
        "sum",
        "min",
        "max",
        "avg",
        "group",
        "stddev",
        "stdvar",
        "count",
        "count_values",
        "bottomk",
        "topk",
        "quantile",
        "limitk",
        "limit_ratio",
    }
)
#: Words that are operators or modifiers, never metrics.
KEYWORDS = AGGREGATIONS | frozenset(
    {
        "and",
        "or",
        "unless",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "offset",
        "bool",
        "atan2",
        "inf",
        "nan",
        "start",
        "end",
    }
)
#: Modifiers followed by a parenthesised list of label names.
_LABEL_LISTS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})

_TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<number>0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?[a-zA-Z]*|\.\d+)
  | (?P<variable>\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<other>\S)
    """,
    re.VERBOSE,
)


def metric_names(expr: str) -> set[str]:
    """Every metric name ``expr`` selects (``foo`` in ``rate(foo{a="b"}[5m])``)."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(expr)]
    names: set[str] = set()
    stack: list[str] = []  # what each open bracket is: "{", "[", "(" or "labels"
    for index, (kind, text) in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else (None, "")
        if kind == "open":
            previous = tokens[index - 1][1].lower() if index else ""
            stack.append("labels" if text == "(" and previous in _LABEL_LISTS else text)
            continue
        if kind == "close":
            if stack:
                stack.pop()
            continue
        if kind != "ident" or (stack and stack[-1] in ("{", "[", "labels")):
            continue
        if text.lower() in KEYWORDS or following == ("open", "("):
            continue  # an operator, a modifier, or a function / aggregation call
        names.add(text)
    return names
