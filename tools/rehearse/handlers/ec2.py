"""VPC networking in moto: the VPC, subnets, gateways, routes, endpoints, security groups, ACLs, flow logs."""

from __future__ import annotations

import hashlib
from typing import Any

from tools.rehearse.context import AwsCallError, Ctx, tags
from tools.rehearse.handlers import creates

Outputs = dict[str, Any]


def _tag_spec(resource_type: str, inputs: Outputs) -> list[dict[str, Any]] | None:
    found = tags(inputs)
    return [{"ResourceType": resource_type, "Tags": found}] if found else None


@creates("aws:ec2/vpc:Vpc")
def vpc(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    vpc_id = ctx.call("ec2", "create_vpc", CidrBlock=i["cidrBlock"], TagSpecifications=_tag_spec("vpc", i))[
        "Vpc"
    ]["VpcId"]
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        if i.get(attribute) is not None:
            key = attribute[0].upper() + attribute[1:]
            ctx.call("ec2", "modify_vpc_attribute", VpcId=vpc_id, **{key: {"Value": bool(i[attribute])}})
    ec2 = ctx.client("ec2")
    default_sg = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    main_rt = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]["RouteTableId"]
    default_acl = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"][0]["NetworkAclId"]
    return vpc_id, {
        "arn": ctx.arn("ec2", f"vpc/{vpc_id}"),
        "defaultSecurityGroupId": default_sg,
        "mainRouteTableId": main_rt,
        "defaultNetworkAclId": default_acl,
    }


@creates("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
def default_security_group(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    """Adopt the VPC's default group and replace its rules with the declared ones (none)."""
    ec2 = ctx.client("ec2")
    group = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [i["vpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]
    if group["IpPermissions"]:
        ctx.call(
            "ec2",
            "revoke_security_group_ingress",
            GroupId=group["GroupId"],
            IpPermissions=group["IpPermissions"],
        )
    if group["IpPermissionsEgress"]:
        ctx.call(
            "ec2",
            "revoke_security_group_egress",
            GroupId=group["GroupId"],
            IpPermissions=group["IpPermissionsEgress"],
        )
    for rule in i.get("ingress") or []:
        ctx.call(
            "ec2",
            "authorize_security_group_ingress",
            GroupId=group["GroupId"],
            IpPermissions=[_permission(rule)],
        )
    return group["GroupId"], {"arn": ctx.arn("ec2", f"security-group/{group['GroupId']}"), "name": "default"}


def _permission(rule: Outputs) -> dict[str, Any]:
    permission: dict[str, Any] = {"IpProtocol": str(rule.get("protocol", "-1"))}
    if permission["IpProtocol"] != "-1":
        permission.update(FromPort=rule.get("fromPort"), ToPort=rule.get("toPort"))
    if rule.get("cidrBlocks"):
        permission["IpRanges"] = [{"CidrIp": c} for c in rule["cidrBlocks"]]
    if rule.get("securityGroups"):
        permission["UserIdGroupPairs"] = [{"GroupId": g} for g in rule["securityGroups"]]
    return permission


@creates("aws:ec2/internetGateway:InternetGateway")
def internet_gateway(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    igw = ctx.call("ec2", "create_internet_gateway", TagSpecifications=_tag_spec("internet-gateway", i))
    igw_id = igw["InternetGateway"]["InternetGatewayId"]
    if i.get("vpcId"):
        ctx.call("ec2", "attach_internet_gateway", InternetGatewayId=igw_id, VpcId=i["vpcId"])
    return igw_id, {"arn": ctx.arn("ec2", f"internet-gateway/{igw_id}")}


@creates("aws:ec2/subnet:Subnet")
def subnet(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    created = ctx.call(
        "ec2",
        "create_subnet",
        VpcId=i["vpcId"],
        CidrBlock=i["cidrBlock"],
        AvailabilityZone=i.get("availabilityZone"),
        TagSpecifications=_tag_spec("subnet", i),
    )["Subnet"]
    if i.get("mapPublicIpOnLaunch"):
        ctx.call(
            "ec2",
            "modify_subnet_attribute",
            SubnetId=created["SubnetId"],
            MapPublicIpOnLaunch={"Value": True},
        )
    return created["SubnetId"], {
        "arn": ctx.arn("ec2", f"subnet/{created['SubnetId']}"),
        "availabilityZone": created["AvailabilityZone"],
        "availabilityZoneId": created.get("AvailabilityZoneId"),
    }


@creates("aws:ec2/eip:Eip")
def eip(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    allocated = ctx.call("ec2", "allocate_address", Domain=i.get("domain", "vpc"))
    if i.get("instance"):  # an EIP bound to an instance at creation (the NAT instance)
        ctx.call("ec2", "associate_address", AllocationId=allocated["AllocationId"], InstanceId=i["instance"])
    return allocated["AllocationId"], {
        "publicIp": allocated["PublicIp"],
        "allocationId": allocated["AllocationId"],
    }


@creates("aws:ec2/natGateway:NatGateway")
def nat_gateway(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    nat = ctx.call(
        "ec2",
        "create_nat_gateway",
        SubnetId=i["subnetId"],
        AllocationId=i.get("allocationId"),
        TagSpecifications=_tag_spec("natgateway", i),
    )["NatGateway"]
    return nat["NatGatewayId"], {"publicIp": (nat.get("NatGatewayAddresses") or [{}])[0].get("PublicIp")}


@creates("aws:ec2/instance:Instance")
def instance(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    """RunInstances with what the NAT instance declares; source/dest check is an attribute set after."""
    root = i.get("rootBlockDevice") or {}
    metadata = i.get("metadataOptions") or {}
    launched = ctx.call(
        "ec2",
        "run_instances",
        ImageId=i["ami"],
        InstanceType=i["instanceType"],
        MinCount=1,
        MaxCount=1,
        SubnetId=i.get("subnetId"),
        SecurityGroupIds=i.get("vpcSecurityGroupIds") or None,
        UserData=i.get("userData"),
        MetadataOptions={
            k: v
            for k, v in {
                "HttpTokens": metadata.get("httpTokens"),
                "HttpEndpoint": metadata.get("httpEndpoint"),
                "HttpPutResponseHopLimit": metadata.get("httpPutResponseHopLimit"),
            }.items()
            if v is not None
        },
        BlockDeviceMappings=[
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "VolumeSize": int(root.get("volumeSize") or 8),
                    "VolumeType": root.get("volumeType") or "gp3",
                    "Encrypted": bool(root.get("encrypted")),
                    "DeleteOnTermination": root.get("deleteOnTermination", True) is not False,
                },
            }
        ],
        TagSpecifications=_tag_spec("instance", i),
    )["Instances"][0]
    instance_id = launched["InstanceId"]
    if i.get("sourceDestCheck") is False:
        ctx.call("ec2", "modify_instance_attribute", InstanceId=instance_id, SourceDestCheck={"Value": False})
    return instance_id, {
        "arn": ctx.arn("ec2", f"instance/{instance_id}"),
        "primaryNetworkInterfaceId": launched["NetworkInterfaces"][0]["NetworkInterfaceId"],
        "privateIp": launched.get("PrivateIpAddress"),
    }


@creates("aws:ec2/routeTable:RouteTable")
def route_table(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    table = ctx.call(
        "ec2", "create_route_table", VpcId=i["vpcId"], TagSpecifications=_tag_spec("route-table", i)
    )
    table_id = table["RouteTable"]["RouteTableId"]
    return table_id, {"arn": ctx.arn("ec2", f"route-table/{table_id}")}


@creates("aws:ec2/route:Route")
def route(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call(
        "ec2",
        "create_route",
        RouteTableId=i["routeTableId"],
        DestinationCidrBlock=i.get("destinationCidrBlock"),
        GatewayId=i.get("gatewayId"),
        NatGatewayId=i.get("natGatewayId"),
        NetworkInterfaceId=i.get("networkInterfaceId"),
        VpcEndpointId=i.get("vpcEndpointId"),
    )
    digest = hashlib.sha256(str(i.get("destinationCidrBlock")).encode()).hexdigest()[:8]
    return f"r-{i['routeTableId']}{digest}", {}


@creates("aws:ec2/routeTableAssociation:RouteTableAssociation")
def route_table_association(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    association = ctx.call(
        "ec2", "associate_route_table", RouteTableId=i["routeTableId"], SubnetId=i.get("subnetId")
    )
    return association["AssociationId"], {}


@creates("aws:ec2/vpcEndpoint:VpcEndpoint")
def vpc_endpoint(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    endpoint = ctx.call(
        "ec2",
        "create_vpc_endpoint",
        VpcId=i["vpcId"],
        ServiceName=i["serviceName"],
        VpcEndpointType=i.get("vpcEndpointType", "Gateway"),
        RouteTableIds=i.get("routeTableIds"),
        SubnetIds=i.get("subnetIds"),
        SecurityGroupIds=i.get("securityGroupIds"),
        PrivateDnsEnabled=i.get("privateDnsEnabled"),
    )["VpcEndpoint"]
    endpoint_id = endpoint["VpcEndpointId"]
    return endpoint_id, {"arn": ctx.arn("ec2", f"vpc-endpoint/{endpoint_id}")}


@creates("aws:ec2/securityGroup:SecurityGroup")
def security_group(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or (i["namePrefix"] + ctx.seed[:10] if i.get("namePrefix") else ctx.auto_name())
    group_id = ctx.call(
        "ec2",
        "create_security_group",
        GroupName=name,
        Description=i.get("description", "Managed by Pulumi"),
        VpcId=i.get("vpcId"),
        TagSpecifications=_tag_spec("security-group", i),
    )["GroupId"]
    # Like the AWS provider, remove the allow-all egress rule EC2 adds to a new group: egress is
    # whatever the program declares (inline here, or as separate egress-rule resources).
    created = ctx.client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    if created["IpPermissionsEgress"]:
        ctx.call(
            "ec2",
            "revoke_security_group_egress",
            GroupId=group_id,
            IpPermissions=created["IpPermissionsEgress"],
        )
    for direction in ("ingress", "egress"):
        for rule in i.get(direction) or []:
            ctx.call(
                "ec2",
                f"authorize_security_group_{direction}",
                GroupId=group_id,
                IpPermissions=[_permission(rule)],
            )
    return group_id, {"arn": ctx.arn("ec2", f"security-group/{group_id}"), "name": name}


def _rule(ctx: Ctx, i: Outputs, direction: str) -> tuple[str, Outputs]:
    permission: dict[str, Any] = {"IpProtocol": str(i["ipProtocol"])}
    if permission["IpProtocol"] != "-1":
        permission.update(FromPort=i.get("fromPort"), ToPort=i.get("toPort"))
    if i.get("cidrIpv4"):
        permission["IpRanges"] = [{"CidrIp": i["cidrIpv4"], "Description": i.get("description", "")}]
    if i.get("referencedSecurityGroupId"):
        permission["UserIdGroupPairs"] = [{"GroupId": i["referencedSecurityGroupId"]}]
    if i.get("prefixListId"):
        permission["PrefixListIds"] = [{"PrefixListId": i["prefixListId"]}]
    response = ctx.call(
        "ec2",
        f"authorize_security_group_{direction}",
        GroupId=i["securityGroupId"],
        IpPermissions=[permission],
    )
    rules = response.get("SecurityGroupRules") or [{}]
    rule_id = rules[0].get("SecurityGroupRuleId") or f"sgr-{ctx.seed[:17]}"
    return rule_id, {"arn": ctx.arn("ec2", f"security-group-rule/{rule_id}"), "securityGroupRuleId": rule_id}


@creates("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def ingress_rule(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    return _rule(ctx, i, "ingress")


@creates("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def egress_rule(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    return _rule(ctx, i, "egress")


@creates("aws:ec2/networkAcl:NetworkAcl")
def network_acl(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    acl_id = ctx.call(
        "ec2", "create_network_acl", VpcId=i["vpcId"], TagSpecifications=_tag_spec("network-acl", i)
    )["NetworkAcl"]["NetworkAclId"]
    for egress, rules in ((False, i.get("ingress") or []), (True, i.get("egress") or [])):
        for rule in rules:
            ctx.call(
                "ec2",
                "create_network_acl_entry",
                NetworkAclId=acl_id,
                RuleNumber=rule["ruleNo"],
                Protocol={"tcp": "6", "udp": "17", "icmp": "1", "all": "-1"}.get(
                    str(rule["protocol"]), str(rule["protocol"])
                ),
                RuleAction=rule["action"],
                Egress=egress,
                CidrBlock=rule.get("cidrBlock"),
                PortRange={"From": rule.get("fromPort", 0), "To": rule.get("toPort", 0)},
            )
    ec2 = ctx.client("ec2")
    for subnet_id in i.get("subnetIds") or []:
        current = ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
        )
        association = next(
            a["NetworkAclAssociationId"]
            for acl in current["NetworkAcls"]
            for a in acl["Associations"]
            if a["SubnetId"] == subnet_id
        )
        ctx.call("ec2", "replace_network_acl_association", AssociationId=association, NetworkAclId=acl_id)
    return acl_id, {"arn": ctx.arn("ec2", f"network-acl/{acl_id}")}


@creates("aws:ec2/flowLog:FlowLog")
def flow_log(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    resource_id, resource_type = (i["vpcId"], "VPC") if i.get("vpcId") else (i.get("subnetId"), "Subnet")
    created = ctx.call(
        "ec2",
        "create_flow_logs",
        ResourceIds=[resource_id],
        ResourceType=resource_type,
        TrafficType=i.get("trafficType"),
        LogDestinationType=i.get("logDestinationType", "cloud-watch-logs"),
        LogDestination=i.get("logDestination"),
        DeliverLogsPermissionArn=i.get("iamRoleArn"),
        MaxAggregationInterval=i.get("maxAggregationInterval"),
    )
    if created.get("Unsuccessful"):
        error = created["Unsuccessful"][0]["Error"]
        raise AwsCallError("CreateFlowLogs", {"ResourceIds": [resource_id]}, error["Code"], error["Message"])
    flow_id = created["FlowLogIds"][0]
    return flow_id, {"arn": ctx.arn("ec2", f"vpc-flow-log/{flow_id}")}


@creates("aws:ec2/vpnGateway:VpnGateway")
def vpn_gateway(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    asn = i.get("amazonSideAsn")
    vgw = ctx.call("ec2", "create_vpn_gateway", Type="ipsec.1", AmazonSideAsn=int(asn) if asn else None)[
        "VpnGateway"
    ]["VpnGatewayId"]
    if i.get("vpcId"):
        ctx.call("ec2", "attach_vpn_gateway", VpnGatewayId=vgw, VpcId=i["vpcId"])
    return vgw, {"arn": ctx.arn("ec2", f"vpn-gateway/{vgw}")}


@creates("aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation")
def vgw_propagation(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call(
        "ec2", "enable_vgw_route_propagation", GatewayId=i["vpnGatewayId"], RouteTableId=i["routeTableId"]
    )
    return f"{i['routeTableId']}_{i['vpnGatewayId']}", {}
