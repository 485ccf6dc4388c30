"""pulumi-random: generated values are deterministic placeholders (the SDK marks them secret)."""

from __future__ import annotations

from typing import Any


def _password(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    length = int(inputs.get("length", 32))
    value = (f"offline{seed}" * 8)[:length]
    return {"result": value, "bcryptHash": f"$2a$10${seed}"}


def _string(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    length = int(inputs.get("length", 16))
    return {"result": (seed * 8)[:length]}


def _id(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    return {"hex": seed, "b64Url": seed, "b64Std": seed, "dec": str(int(seed, 16))}


EXTRA_OUTPUTS = {
    "random:index/randomPassword:RandomPassword": _password,
    "random:index/randomString:RandomString": _string,
    "random:index/randomId:RandomId": _id,
}
