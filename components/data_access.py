"""The security group of a data store: its port from the clients' group only, and no egress."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def client_only_security_group(
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    client_security_group_id: pulumi.Input[str],
    port: int,
    engine: str,
    opts: pulumi.ResourceOptions,
) -> aws.ec2.SecurityGroup:
    """Creates ``<name>-sg`` (no egress: a data store initiates nothing; the empty list replaces AWS's
    default allow-all rule) and ``<name>-from-clients`` admitting ``port`` from the clients' group."""
    sg = aws.ec2.SecurityGroup(
        f"{name}-sg",
        vpc_id=vpc_id,
        description=f"{name}: {engine} from the cluster nodes only",
        egress=[],
        tags={"Name": f"{name}-{engine.lower()}"},
        opts=opts,
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-from-clients",
        security_group_id=sg.id,
        referenced_security_group_id=client_security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=f"{engine} from the cluster's node security group",
        opts=opts,
    )
    return sg
