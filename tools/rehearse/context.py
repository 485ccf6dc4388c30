"""What a handler needs to act in the emulated account: clients per region, names, and clear errors."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.exceptions
import botocore.session
from botocore.validate import ParamValidator

from tools.harness import naming
from tools.rehearse.account import ACCOUNT_ID

_session = botocore.session.get_session()
_validator = ParamValidator()


def validate_request(service: str, operation: str, params: dict[str, Any]) -> None:
    """Client-side validation of ``params`` against the operation's input shape (nothing is sent)."""
    shape = _session.get_service_model(service).operation_model(operation).input_shape
    report = _validator.validate(params, shape)
    if report.has_errors():
        raise AwsCallError(operation, params, "ParamValidation", report.generate_report())


#: moto's backends are plain dicts, not thread-safe, and the mock engine registers resources on several
#: threads: two create_role calls at once crash moto ("dictionary changed size during iteration", moto
#: 5.x iam/models.py create_role). One call into the emulator at a time; AWS itself needs no such thing.
_EMULATOR = threading.Lock()
_CLIENTS: dict[tuple[str, str], Any] = {}
_CLIENTS_LOCK = threading.Lock()


class AwsCallError(Exception):
    """An AWS API call the rehearsal made was refused: the call, its parameters and AWS's error code."""

    def __init__(self, operation: str, params: dict[str, Any], code: str, message: str) -> None:
        self.operation = operation
        self.params = params
        self.code = code
        self.message = message
        shown = ", ".join(f"{k}={_short(v)}" for k, v in params.items())
        super().__init__(f"{operation}({shown}) → {code}: {message}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass
class Ctx:
    """The emulated account as one resource's handler sees it (region of that resource's provider)."""

    region: str
    name: str
    seed: str
    #: The resource's type token (selects its auto-naming rule).
    type: str = ""
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client; one per service and region for the process (a client costs ~20 ms to make,
        and moto intercepts any client's calls while an emulated account is open)."""
        key = (service, region or self.region)
        if key not in self._clients:
            with _CLIENTS_LOCK:
                if key not in _CLIENTS:
                    _CLIENTS[key] = boto3.client(service, region_name=key[1])
                self._clients[key] = _CLIENTS[key]
        return self._clients[key]

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """Call ``operation`` (snake_case, boto3 style); AWS errors become :class:`AwsCallError`."""
        params = {k: v for k, v in params.items() if v is not None}
        try:
            with _EMULATOR:
                return getattr(self.client(service), operation)(**params)
        except botocore.exceptions.ClientError as err:
            error = err.response.get("Error", {})
            raise AwsCallError(
                _camel(operation), params, error.get("Code", "Unknown"), error.get("Message", "")
            ) from None
        except botocore.exceptions.ParamValidationError as err:
            raise AwsCallError(_camel(operation), params, "ParamValidation", str(err)) from None

    def auto_name(self, max_length: int = 255, lower: bool = False) -> str:
        """The name the provider gives this resource when none is set: :func:`tools.harness.naming.auto_name`,
        the same as the mock engine's (the type's rules from ``tools/data/provider-limits.json``).

        ``max_length`` and ``lower`` apply only to a type that data does not describe. A name that does
        not fit is never truncated: the engine has refused the registration before a handler runs.
        """
        return naming.auto_name(self.type, self.name, max_length=max_length, lowercase=lower)

    def arn(self, service: str, resource: str, region: str | None = None) -> str:
        scope = "" if service in ("iam", "s3", "cloudfront", "route53") else (region or self.region)
        return f"arn:aws:{service}:{scope}:{ACCOUNT_ID}:{resource}"


def _camel(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def tags(inputs: dict[str, Any]) -> list[dict[str, str]]:
    """The resource's tags in the EC2-style list form."""
    return [{"Key": k, "Value": str(v)} for k, v in (inputs.get("tags") or {}).items()]
