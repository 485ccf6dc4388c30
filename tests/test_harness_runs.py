"""The offline harness: runs in one process do not leak into each other."""

from __future__ import annotations

import pulumi_aws as aws
import pytest

from tools.harness import run
from tools.harness.invokes import UnknownInvokeError


def _vpc_in_an_unknown_region() -> None:
    zones = aws.get_availability_zones_output()
    aws.ec2.Subnet("subnet", vpc_id="vpc-1", cidr_block="10.0.0.0/24", availability_zone=zones.names[0])


def test_a_failed_run_does_not_fail_the_next_one() -> None:
    with pytest.raises(UnknownInvokeError):
        run(_vpc_in_an_unknown_region, region="mars-north-1")
    graph = run(lambda: aws.kms.Key("key", enable_key_rotation=True))
    assert [r.name for r in graph if r.custom] == ["key"]
