"""Deterministic, realistic outputs for registered resources: ids, ARNs, endpoints.

Every custom resource gets an id and an ARN shaped like AWS's; types whose consumers read other
computed attributes (a cluster's endpoint, a database's address) get those too, in
:data:`EXTRA_OUTPUTS`. Values derive from the logical name, so two runs give identical graphs.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from tools.harness import naming
from tools.harness import types as area_types
from tools.harness.invokes import ACCOUNT_ID

Outputs = dict[str, Any]


def _service(type_token: str) -> str:
    """``aws:ec2/vpc:Vpc`` → ``ec2``."""
    module = type_token.split(":")[1]
    return module.split("/")[0]


def _vpc(name: str, inputs: Outputs, region: str, seed: str) -> Outputs:
    return {
        "defaultSecurityGroupId": f"sg-{seed}",
        "defaultNetworkAclId": f"acl-{seed}",
        "mainRouteTableId": f"rtb-{seed}",
    }


OutputsFn = Callable[[str, Outputs, str, str], Outputs]

#: Computed attributes per type, beyond id/arn. Each area adds the ones its consumers read in its own
#: module under ``tools/harness/types/`` (``EXTRA_OUTPUTS``, ``ID_PREFIX``, ``NAME_IS_ID``).
EXTRA_OUTPUTS: dict[str, OutputsFn] = {
    "aws:ec2/vpc:Vpc": _vpc,
}

#: Id prefixes AWS uses, so ids in plans read like real ones.
ID_PREFIX: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:ec2/networkAcl:NetworkAcl": "acl-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/vpnGateway:VpnGateway": "vgw-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
}

#: Types whose id is their (auto-)name rather than a generated id.
NAME_IS_ID = {
    "aws:iam/role:Role",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
}


def _load_area_types() -> None:
    for module_info in sorted(pkgutil.iter_modules(area_types.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{area_types.__name__}.{module_info.name}")
        EXTRA_OUTPUTS.update(getattr(module, "EXTRA_OUTPUTS", {}))
        ID_PREFIX.update(getattr(module, "ID_PREFIX", {}))
        NAME_IS_ID.update(getattr(module, "NAME_IS_ID", set()))


def auto_name(name: str, seed: str) -> str:
    """Pulumi's default auto-naming: the logical name, ``-`` and 7 hex characters of ``seed``.

    For a specific type, :func:`tools.harness.naming.auto_name` applies that type's rules.
    """
    return f"{name}-{seed[:7]}"


def synthesize_outputs(
    type_token: str, name: str, inputs: Outputs, region: str, seed: str
) -> tuple[str, Outputs]:
    """The id and output state for one custom resource."""
    state: Outputs = dict(inputs)
    physical = naming.proposal(type_token, name, inputs)
    if physical is not None and "." not in physical.property:
        state.setdefault(physical.property, physical.value)  # the name the provider would give it
    if type_token in NAME_IS_ID:
        state.setdefault("name", auto_name(name, seed))
        resource_id = state["name"]
    else:
        resource_id = f"{ID_PREFIX.get(type_token, '')}{seed}"
    if type_token.startswith("aws:"):
        service = _service(type_token)
        kind = type_token.rsplit(":", 1)[1].lower()
        scope = "" if service in ("iam", "s3", "cloudfront", "route53") else region
        state.setdefault("arn", f"arn:aws:{service}:{scope}:{ACCOUNT_ID}:{kind}/{resource_id}")
    extra = EXTRA_OUTPUTS.get(type_token)
    if extra:
        state.update(extra(name, inputs, region, seed))
    resource_id = state.setdefault("id", resource_id)  # an area may shape the id (a bucket's name, a UUID)
    return resource_id, state


_load_area_types()
