"""What the log bucket's policy grants Elastic Load Balancing so the public ALB can write access logs.

The ALB itself is created by the AWS Load Balancer Controller (from the Gateway's
LoadBalancerConfiguration, ``access_logs.s3.*`` attributes), so this program only prepares the bucket:
a statement admitting ELB's log delivery to ``<prefix>/AWSLogs/<account>/`` in the log bucket (SSE-S3,
which is what ELB access logs support; SSE-KMS is refused by ELB).

Who the principal is depends on the region (ELB user guide, "Enable access logs for your Application
Load Balancer", step "Attach a policy to your S3 bucket"): regions available before August 2022 deliver
from a regional ELB account (:data:`ELB_ACCOUNT_IDS`); newer regions from the service principal
``logdelivery.elasticloadbalancing.amazonaws.com``.
"""

from __future__ import annotations

from typing import Any

import pulumi

#: Where ALB access logs land in the log bucket (ELB appends ``AWSLogs/<account>/elasticloadbalancing/``).
ALB_LOG_PREFIX = "alb"

#: The service principal ELB delivers logs from in regions available from August 2022 on.
ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"

#: Elastic Load Balancing's log-delivery account per region, for regions available before August 2022
#: (ELB user guide, access logs, bucket policy table; same table as terraform-provider-aws's
#: aws_elb_service_account data source).
ELB_ACCOUNT_IDS: dict[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
}


def elb_log_principal(region: str, partition: str = "aws") -> dict[str, str]:
    """The principal that writes ALB access logs in ``region``: the regional ELB account, or the service."""
    account = ELB_ACCOUNT_IDS.get(region)
    if account is not None:
        return {"AWS": f"arn:{partition}:iam::{account}:root"}
    return {"Service": ELB_LOG_DELIVERY_SERVICE}


def alb_log_delivery_statement(
    log_bucket_arn: pulumi.Input[str],
    region: pulumi.Input[str],
    account_id: pulumi.Input[str],
    prefix: str = ALB_LOG_PREFIX,
) -> dict[str, Any]:
    """Let ELB put this account's ALB access logs under ``<prefix>/AWSLogs/<account>/`` and nowhere else."""
    return {
        "Sid": "AllowAlbAccessLogs",
        "Effect": "Allow",
        "Principal": pulumi.Output.from_input(region).apply(elb_log_principal),
        "Action": "s3:PutObject",
        "Resource": pulumi.Output.concat(log_bucket_arn, f"/{prefix}/AWSLogs/", account_id, "/*"),
    }
