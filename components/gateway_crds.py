"""The Kubernetes Gateway API's standard CRDs, at a pinned version, installed by the program.

The AWS Load Balancer Controller turns Gateway API objects into the public ALB, but only if the Gateway
API's CRDs exist when it starts (it detects them and enables its gateway controllers). They are not in
the controller's chart, so the program installs them from a vendored copy
(``components/data/gateway-api/``, source and version in its README): no URL is fetched at deploy time,
and the offline mocks see every CRD.

Each CRD is retained on delete: deleting a CRD deletes every object of its kind in the cluster (the
Gateway, every HTTPRoute), which must never follow from removing a line of code.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import yaml

from .versions import version

#: The Gateway API release the controller is built for (AWS LBC v3.5.0: docs/guide/gateway/gateway.md),
#: pinned in the versions table.
GATEWAY_API_VERSION = version("gateway-api")
#: The vendored standard-channel install of that release.
STANDARD_INSTALL = (
    Path(__file__).parent / "data" / "gateway-api" / f"standard-install-{GATEWAY_API_VERSION}.yaml"
)


@cache
def standard_install() -> tuple[dict[str, Any], ...]:
    """The documents of the vendored standard install (parsed once per process)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with STANDARD_INSTALL.open() as stream:
        return tuple(doc for doc in yaml.load_all(stream, Loader=loader) if doc)


def crd_names() -> list[str]:
    """``gateways.gateway.networking.k8s.io`` and the others, in install order."""
    return [d["metadata"]["name"] for d in standard_install() if d["kind"] == "CustomResourceDefinition"]


def gateway_api_crds(
    name: str, *, parent: pulumi.Resource, provider: k8s.Provider
) -> Sequence[pulumi.Resource]:
    """Create the standard CRDs and the safe-upgrades admission policy; returns them (to depend on)."""
    created: list[pulumi.Resource] = []
    for doc in standard_install():
        kind, meta = doc["kind"], doc["metadata"]
        short = meta["name"].split(".", 1)[0]
        if kind == "CustomResourceDefinition":
            created.append(
                k8s.apiextensions.v1.CustomResourceDefinition(
                    f"{name}-{short}-crd",
                    metadata=meta,
                    spec=doc["spec"],
                    opts=pulumi.ResourceOptions(parent=parent, provider=provider, retain_on_delete=True),
                )
            )
        elif kind == "ValidatingAdmissionPolicy":
            created.append(
                k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                    f"{name}-{short}-policy",
                    metadata=meta,
                    spec=doc["spec"],
                    opts=pulumi.ResourceOptions(parent=parent, provider=provider),
                )
            )
        elif kind == "ValidatingAdmissionPolicyBinding":
            created.append(
                k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                    f"{name}-{short}-policy-binding",
                    metadata=meta,
                    spec=doc["spec"],
                    opts=pulumi.ResourceOptions(parent=parent, provider=provider),
                )
            )
        else:  # a new kind in a future release must be looked at, not silently skipped
            raise ValueError(f"{STANDARD_INSTALL.name}: unexpected {kind} {meta['name']}")
    return created
