"""What AWS accepts, from data that can be cited and refreshed, and checks of single values against it.

Sources (refresh by upgrading ``botocore`` or editing the price table; nothing here is hand-copied):

- **EC2 instance types**: the ``InstanceType`` enum of botocore's EC2 service model
  (``botocore/data/ec2/<version>/service-2.json``), the list the ``RunInstances`` API validates against.
- **Regions and partitions**: botocore's endpoints data (``botocore/data/endpoints.json``), the same data
  ``boto3.session.Session().get_available_regions()`` reads.
- **Aurora and ElastiCache classes**: botocore's RDS and ElastiCache models type ``DBInstanceClass`` and
  ``CacheNodeType`` as free strings, so the authority here is the project's price table
  (``tools/data/prices-us-east-1.json``: ``aurora_postgres_hourly`` lists the classes Aurora offers
  for PostgreSQL (plus ``db.serverless``, priced per ACU-hour), ``elasticache_redis_node_hourly`` the cache node types, each with its cited source). A
  class AWS offers but the table lacks is refused with the advice to add its price, so the cost estimate
  never silently skips the database.
- **Schedule expressions**: the cron and rate grammar of EventBridge, which AWS Backup also uses
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html): six fields,
  minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT, year
  1970-2199; exactly one of day-of-month and day-of-week is ``?``; ``rate(1 hour)``, ``rate(5 minutes)``.
- **E-mail addresses**: RFC 5321's limits (local part 64, address 254 characters) and dot-atom syntax;
  SNS rejects what is outside them.
- **ARNs**: ``arn:<partition>:<service>:<region>:<account>:<resource>``
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html), partitions from the endpoints data.

The data loads on first use (the EC2 model takes ~0.3 s), never at import time.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import botocore
import botocore.loaders

#: The project's price table (lists the RDS and ElastiCache classes it prices, with sources).
PRICE_TABLE = Path(__file__).resolve().parents[1] / "tools" / "data" / "prices-us-east-1.json"

BOTOCORE = f"botocore {botocore.__version__}"


@functools.cache
def _loader() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()


@functools.cache
def ec2_instance_types() -> frozenset[str]:
    """Every EC2 instance type botocore's EC2 model knows."""
    model = _loader().load_service_model("ec2", "service-2")
    return frozenset(model["shapes"]["InstanceType"]["enum"])


@functools.cache
def regions() -> dict[str, str]:
    """Region name → partition (``us-east-1`` → ``aws``), from botocore's endpoints data."""
    data = _loader().load_data("endpoints")
    return {region: p["partition"] for p in data["partitions"] for region in p["regions"]}


@functools.cache
def partitions() -> frozenset[str]:
    return frozenset(p["partition"] for p in _loader().load_data("endpoints")["partitions"])


@functools.cache
def _price_table() -> dict[str, Any]:
    return json.loads(PRICE_TABLE.read_text())


def aurora_postgres_classes() -> tuple[str, ...]:
    """The Aurora PostgreSQL instance classes the price table lists (db.serverless is priced per ACU)."""
    return (*_price_table()["aurora_postgres_hourly"], "db.serverless")


def elasticache_node_types() -> tuple[str, ...]:
    """The ElastiCache node types the price table lists (Redis OSS and Valkey share them)."""
    return tuple(_price_table()["elasticache_redis_node_hourly"])


def _family_sizes(known: frozenset[str] | tuple[str, ...], family: str) -> list[str]:
    return sorted(t for t in known if t.split(".", 1)[0] == family)


def instance_type_problem(value: str) -> str | None:
    """Why ``value`` is not an EC2 instance type (``t3.gigantic``), or None."""
    known = ec2_instance_types()
    if value in known:
        return None
    family = value.split(".", 1)[0]
    sizes = _family_sizes(known, family)
    if sizes:
        return f"not an EC2 instance type; {family} offers {', '.join(s.split('.', 1)[1] for s in sizes)} ({BOTOCORE})"
    return f"not an EC2 instance type (none of the {len(known)} in {BOTOCORE}'s EC2 model); e.g. m6i.large"


def _class_problem(
    value: str, prefix: str, known: tuple[str, ...], service: str, table_key: str
) -> str | None:
    if value in known:
        return None
    if not value.startswith(prefix):
        return f"{service} classes start with '{prefix}', e.g. {known[0]}"
    ec2_name = value[len(prefix) :]
    if ec2_name not in ec2_instance_types():
        return f"no such {service} class: {ec2_name} is not an EC2 instance size ({BOTOCORE})"
    return (
        f"not in the price table's {service} classes ({', '.join(known)}); if AWS offers it, add its price "
        f"to tools/data/prices-us-east-1.json ({table_key}, source cited)"
    )


def rds_class_problem(value: str) -> str | None:
    """Why ``value`` is not an Aurora PostgreSQL instance class the project can run and price, or None."""
    if value == "db.serverless":
        return None
    return _class_problem(
        value, "db.", aurora_postgres_classes(), "Aurora PostgreSQL", "aurora_postgres_hourly"
    )


def cache_node_type_problem(value: str) -> str | None:
    """Why ``value`` is not an ElastiCache node type the project can run and price, or None."""
    return _class_problem(
        value, "cache.", elasticache_node_types(), "ElastiCache", "elasticache_redis_node_hourly"
    )


def region_problem(value: str) -> str | None:
    """Why ``value`` is not an AWS region, or None."""
    if value in regions():
        return None
    public = sorted(r for r, p in regions().items() if p == "aws")
    return f"not an AWS region in {BOTOCORE}'s endpoints data; regions: {', '.join(public)}"


# --- schedule expressions (EventBridge / AWS Backup) -------------------------------------------------

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

#: name, low, high, symbolic names (index 0 = low)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2199, ()),
)
_RATE = re.compile(r"^rate\((?P<value>[^ )]+) (?P<unit>[a-z]+)\)$")
_CRON = re.compile(r"^cron\((?P<body>.*)\)$")
_STEP = re.compile(r"^(?P<range>[^/]+)(?:/(?P<step>.+))?$")


def schedule_problem(expression: str, allow_rate: bool = True) -> str | None:
    """Why ``expression`` is not an AWS schedule expression (``cron(0 5 ? * * *)``, ``rate(1 day)``)."""
    rate = _RATE.match(expression)
    if rate and allow_rate:
        return _rate_problem(rate["value"], rate["unit"])
    cron = _CRON.match(expression)
    if not cron:
        forms = "cron(minute hour day-of-month month day-of-week year)" + (
            ", rate(value unit)" if allow_rate else ""
        )
        return f"not a schedule expression; allowed: {forms}, e.g. cron(0 5 ? * * *)"
    fields = cron["body"].split()
    if len(fields) != 6:
        return f"a cron expression has 6 fields (minute hour day-of-month month day-of-week year), not {len(fields)}"
    for (name, low, high, names), text in zip(_FIELDS, fields, strict=True):
        problem = _cron_field_problem(name, text, low, high, names)
        if problem:
            return problem
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return "exactly one of day-of-month and day-of-week must be '?' (AWS cannot combine them)"
    return None


def _rate_problem(value: str, unit: str) -> str | None:
    if not value.isdigit() or int(value) < 1:
        return f"rate value {value} must be a positive whole number"
    units = ("minute", "hour", "day")
    singular = unit.rstrip("s") if unit.endswith("s") else unit
    if singular not in units:
        return f"rate unit {unit} must be one of minute(s), hour(s), day(s)"
    wanted = singular if int(value) == 1 else singular + "s"
    if unit != wanted:
        return f"rate({value} {unit}): write rate({value} {wanted}) (singular for 1, plural otherwise)"
    return None


def _cron_field_problem(name: str, text: str, low: int, high: int, names: tuple[str, ...]) -> str | None:
    if text == "?":
        return None if name in ("day-of-month", "day-of-week") else f"cron {name} cannot be '?'"
    for item in text.split(","):
        problem = _cron_item_problem(name, item, low, high, names)
        if problem:
            return f"cron {name} {text}: {problem}"
    return None


def _cron_item_problem(name: str, item: str, low: int, high: int, names: tuple[str, ...]) -> str | None:
    allowed = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
    if name == "day-of-month" and item in ("L", "LW"):
        return None
    if name == "day-of-month" and item.endswith("W"):
        return None if _number(item[:-1], low, high, ()) is not None else f"{item}: nW needs a day {allowed}"
    if name == "day-of-week" and item == "L":
        return None
    if name == "day-of-week" and item.endswith("L"):
        return (
            None if _number(item[:-1], low, high, names) is not None else f"{item}: nL needs a day {allowed}"
        )
    if name == "day-of-week" and "#" in item:
        day, _, nth = item.partition("#")
        if _number(day, low, high, names) is None or _number(nth, 1, 5, ()) is None:
            return f"{item}: day#n needs a day {allowed} and n 1-5"
        return None
    match = _STEP.match(item)
    if not match:
        return f"'{item}' is empty; allowed: {allowed}, '*', ranges a-b, steps a/n"
    span, step = match["range"], match["step"]
    if step is not None and _number(step, 1, high, ()) is None:
        return f"step /{step} must be a whole number 1-{high}"
    if span == "*":
        return None
    bounds = span.split("-")
    if len(bounds) > 2 or any(_number(b, low, high, names) is None for b in bounds):
        return f"{span} is outside {allowed}"
    return None


def _number(text: str, low: int, high: int, names: tuple[str, ...]) -> int | None:
    if text.upper() in names:
        return low + names.index(text.upper())
    if not text.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


# --- e-mail addresses and ARNs -------------------------------------------------------------------------

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")


def email_problem(value: str) -> str | None:
    """Why ``value`` is not an address SNS and ACME would accept (``name@domain.tld``), or None."""
    local, at, domain = value.rpartition("@")
    if not at or not local:
        return "not an e-mail address; allowed: name@domain.tld"
    if len(value) > 254 or len(local) > 64:
        return "too long (RFC 5321: 64 characters before the @, 254 in all)"
    if not _LOCAL.match(local):
        return f"'{local}' is not a valid mailbox name (letters, digits, . _ % + - and no leading, trailing or double dots)"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or not _TLD.match(labels[-1]):
        return f"'{domain}' is not a domain name with a top-level domain (e.g. example.com)"
    return None


_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.+)$"
)


def arn_problem(
    value: str, service: str, resource_prefix: str = "", partition: str | None = None, regional: bool = False
) -> str | None:
    """Why ``value`` is not an ARN of ``service`` whose resource starts with ``resource_prefix`` (in
    ``partition`` when given), or None."""
    match = _ARN.match(value)
    example = f"arn:{partition or 'aws'}:{service}:{'us-east-1' if regional else ''}:123456789012:{resource_prefix}name"
    if not match:
        return f"not an ARN; allowed: {example}"
    if match["partition"] not in partitions():
        return f"no partition '{match['partition']}' ({', '.join(sorted(partitions()))})"
    if partition is not None and match["partition"] != partition:
        return f"in partition {match['partition']}, but the stack's region is in {partition}"
    if match["service"] != service:
        return f"an ARN of {match['service']}, expected {service}: {example}"
    if regional and match["region"] not in regions():
        return f"region '{match['region']}' of the ARN is not an AWS region"
    if not regional and match["region"]:
        return f"{service} ARNs have no region: {example}"
    if not re.fullmatch(r"\d{12}", match["account"]):
        return f"account '{match['account']}' must be 12 digits"
    if not match["resource"].startswith(resource_prefix) or match["resource"] == resource_prefix:
        return f"resource '{match['resource']}' must be {resource_prefix}<name>"
    return None
