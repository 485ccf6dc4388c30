"""A NAT instance: the `nat_strategy: instance` egress of a tier that trades availability for ~$25/month.

Creates, in one public subnet: a security group admitting only the VPC's CIDR (egress anywhere: it is
the VPC's way out), a Graviton Amazon Linux 2023 instance with source/destination check off, IMDSv2
only (hop limit 1), an encrypted gp3 root, no key pair and no instance profile (nothing to log in with,
no SSM agent role: it is replaced, not administered), and the Elastic IP it masquerades behind.
The private route tables send 0.0.0.0/0 to its primary network interface (components/network.py).

Why and what it costs in availability, bandwidth and patching: docs/decisions/dev-cost.md.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

#: AWS's public SSM parameter with the newest AL2023 arm64 AMI. Read at deploy time, so a deploy after
#: an AMI release replaces the instance with a patched one (patching is a deploy, see the decision note).
AL2023_ARM64_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"

#: Root volume of the AL2023 AMI (its snapshot is 8 GiB).
ROOT_VOLUME_GIB = 8


def user_data(vpc_cidr: str) -> str:
    """Boot script: forward IPv4 and masquerade the VPC's traffic out of the primary interface.

    The package install retries until the Elastic IP is associated (the instance has no other way out);
    the rules are saved so a reboot (or an EC2 auto-recovery) keeps forwarding.
    """
    return f"""#!/bin/bash
set -euo pipefail
echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf
sysctl --system
until dnf install -y iptables-services; do sleep 10; done
iface=$(ip -4 route show default | awk '{{print $5; exit}}')
iptables -t nat -A POSTROUTING -o "$iface" -s {vpc_cidr} -j MASQUERADE
iptables -P FORWARD DROP
iptables -A FORWARD -i "$iface" -m state --state RELATED,ESTABLISHED -j ACCEPT
iptables -A FORWARD -s {vpc_cidr} -o "$iface" -j ACCEPT
iptables-save > /etc/sysconfig/iptables
systemctl enable --now iptables
"""


def nat_instance(
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    vpc_cidr: str,
    subnet_id: pulumi.Input[str],
    instance_type: str,
    parent: pulumi.Resource,
    depends_on: list[pulumi.Resource],
) -> aws.ec2.Instance:
    """The NAT instance ``{name}-nat-0``, its security group and its Elastic IP ``{name}-nat-eip-0``."""
    child = pulumi.ResourceOptions(parent=parent)
    group = aws.ec2.SecurityGroup(
        f"{name}-nat-sg",
        vpc_id=vpc_id,
        description="NAT instance: any traffic from inside the VPC, out to anywhere",
        tags={"Name": f"{name}-nat"},
        opts=child,
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-nat-from-vpc",
        security_group_id=group.id,
        ip_protocol="-1",
        cidr_ipv4=vpc_cidr,
        description="Traffic the private subnets send out",
        opts=child,
    )
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-nat-to-internet",
        security_group_id=group.id,
        ip_protocol="-1",
        cidr_ipv4="0.0.0.0/0",
        description="The VPC's egress, masqueraded",
        opts=child,
    )
    ami = aws.ssm.get_parameter_output(
        name=AL2023_ARM64_AMI_PARAMETER, opts=pulumi.InvokeOutputOptions(parent=parent)
    ).insecure_value
    instance = aws.ec2.Instance(
        f"{name}-nat-0",
        ami=ami,
        instance_type=instance_type,
        subnet_id=subnet_id,
        vpc_security_group_ids=[group.id],
        source_dest_check=False,
        associate_public_ip_address=False,
        metadata_options={
            "http_endpoint": "enabled",  # cloud-init reads the user data through it
            "http_tokens": "required",
            "http_put_response_hop_limit": 1,
            "instance_metadata_tags": "disabled",
        },
        root_block_device={
            "volume_type": "gp3",
            "volume_size": ROOT_VOLUME_GIB,
            "encrypted": True,
            "delete_on_termination": True,
        },
        # Standard credits: a busy month throttles to the baseline instead of billing surplus credits.
        credit_specification={"cpu_credits": "standard"},
        # EC2 simplified automatic recovery moves the instance to healthy hardware on a system check
        # failure, keeping its ENI (the routes) and Elastic IP.
        maintenance_options={"auto_recovery": "default"},
        user_data=user_data(vpc_cidr),
        user_data_replace_on_change=True,
        tags={"Name": f"{name}-nat-0"},
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on),
    )
    aws.ec2.Eip(
        f"{name}-nat-eip-0",
        domain="vpc",
        instance=instance.id,
        tags={"Name": f"{name}-nat-0"},
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on),
    )
    return instance
