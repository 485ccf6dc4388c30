"""S3 lifecycle rules: the settings model, the checks S3 applies to them, and the rule S3 is given.

S3 moves objects down a waterfall of storage classes and rejects a lifecycle configuration that breaks
it (Amazon S3 User Guide, "Transitioning objects using Amazon S3 Lifecycle", constraints):

- only the transitions of the waterfall are supported (``ALLOWED_NEXT``), never back up it;
- S3 Standard-IA and One Zone-IA take objects only once they are 30 days old (30 days noncurrent
  for noncurrent versions) — ``MIN_DAYS``;
- after an IA class, the next transition (Glacier, Deep Archive, or IA → One Zone-IA) comes at least
  30 days later (the IA classes' 30-day minimum storage) — ``DAYS_IN_CLASS``;
- transitions happen on increasing days, and an expiration after the last transition.

The checks run in the config loader, so a stack file that S3 would refuse fails before ``pulumi up``
with the key, the value and the rule, instead of halfway through a deployment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from .args import Args, FieldProblem

if TYPE_CHECKING:  # the settings stay importable without the SDK
    from pulumi_aws.s3 import BucketLifecycleConfigurationRuleArgsDict

StorageClass = Literal[
    "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"
]

#: From each class, the classes a lifecycle rule may move objects on to (S3 Standard reaches all).
ALLOWED_NEXT: dict[str, frozenset[str]] = {
    "STANDARD_IA": frozenset({"INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"}),
    "INTELLIGENT_TIERING": frozenset({"ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"}),
    "ONEZONE_IA": frozenset({"GLACIER", "DEEP_ARCHIVE"}),
    "GLACIER_IR": frozenset({"GLACIER", "DEEP_ARCHIVE"}),
    "GLACIER": frozenset({"DEEP_ARCHIVE"}),
    "DEEP_ARCHIVE": frozenset(),
}

#: The youngest age (days since creation, or since becoming noncurrent) S3 accepts per class.
MIN_DAYS: dict[str, int] = {"STANDARD_IA": 30, "ONEZONE_IA": 30}

#: Days an object must stay in a class before a rule moves it on.
DAYS_IN_CLASS: dict[str, int] = {"STANDARD_IA": 30, "ONEZONE_IA": 30}


class Transition(Args):
    """One step down the storage-class waterfall."""

    days: int = Field(
        ge=0, le=36500, description="Age in days (since creation, or since becoming noncurrent)."
    )
    storage_class: StorageClass = Field(description="The colder class objects move to.")


def transition_problems(transitions: list[Transition], key: str, noncurrent: bool) -> list[FieldProblem]:
    """Every way ``transitions`` breaks S3's rules, each naming ``<key>[i].days`` or ``.storage_class``."""
    problems: list[FieldProblem] = []
    age = "days noncurrent" if noncurrent else "days after creation"
    previous: Transition | None = None
    for index, step in enumerate(transitions):
        where = f"{key}[{index}]"
        floor = MIN_DAYS.get(step.storage_class, 0)
        if step.days < floor:
            problems.append(
                FieldProblem(
                    f"{where}.days",
                    step.days,
                    f"S3 moves objects to {step.storage_class} only at {floor} {age} or later",
                )
            )
        if previous is not None:
            if step.storage_class not in ALLOWED_NEXT[previous.storage_class]:
                allowed = (
                    ", ".join(sorted(ALLOWED_NEXT[previous.storage_class])) or "none (it is the coldest)"
                )
                problems.append(
                    FieldProblem(
                        f"{where}.storage_class",
                        step.storage_class,
                        f"S3 cannot transition from {previous.storage_class} to {step.storage_class}; "
                        f"from {previous.storage_class} it allows: {allowed}",
                    )
                )
            gap = DAYS_IN_CLASS.get(previous.storage_class, 1)
            if step.days < previous.days + gap:
                problems.append(
                    FieldProblem(
                        f"{where}.days",
                        step.days,
                        f"must be at least {previous.days + gap} ({gap} day{'s' if gap > 1 else ''} after the "
                        f"{previous.storage_class} transition on day {previous.days}); S3 requires "
                        + (
                            f"objects to stay {gap} days in {previous.storage_class} before moving on"
                            if gap > 1
                            else "transitions on increasing days"
                        ),
                    )
                )
        previous = step
    return problems


class LifecycleArgs(Args):
    """Lifecycle of one bucket: colder classes with age, then expiry; old versions expire.

    The default keeps current objects in S3 Standard (the cheapest safe choice for objects of unknown
    access pattern), expires noncurrent versions after 90 days (a quarter to notice and undo a bad
    overwrite or delete) and aborts multipart uploads left incomplete for a week.
    """

    transitions: list[Transition] = Field(
        default_factory=list, description="Current versions: colder classes by age, in waterfall order."
    )
    expiration_days: int | None = Field(
        default=None, ge=1, description="Delete current versions at this age; None keeps them."
    )
    noncurrent_transitions: list[Transition] = Field(
        default_factory=list, description="Noncurrent versions: colder classes by days noncurrent."
    )
    noncurrent_expiration_days: int = Field(
        default=90, ge=1, description="Delete noncurrent versions after this many days (undo window)."
    )
    abort_incomplete_multipart_days: int = Field(
        default=7,
        ge=1,
        description="Abort multipart uploads left incomplete this long (their parts cost money).",
    )
    prefix_expirations: dict[str, int] = Field(
        default_factory=dict,
        description="Key prefix → days: objects with their own retention (the database dumps under "
        "'postgres/' keep seed 004's 30 days). S3 applies the shortest expiry when rules overlap.",
    )

    @model_validator(mode="after")
    def _check_waterfall(self) -> LifecycleArgs:
        for prefix, days in self.prefix_expirations.items():
            if not prefix or prefix.startswith("/") or days < 1:
                raise FieldProblem(
                    f"prefix_expirations.{prefix}",
                    days,
                    "a key prefix such as 'postgres/' and at least 1 day",
                )
        problems = transition_problems(self.transitions, "transitions", noncurrent=False)
        problems += transition_problems(
            self.noncurrent_transitions, "noncurrent_transitions", noncurrent=True
        )
        if problems:
            raise problems[0]
        if (
            self.transitions
            and self.expiration_days is not None
            and self.expiration_days <= self.transitions[-1].days
        ):
            raise FieldProblem(
                "expiration_days",
                self.expiration_days,
                f"must be later than the last transition (day {self.transitions[-1].days}); S3 rejects an "
                "expiration on or before a transition",
            )
        last_noncurrent = self.noncurrent_transitions[-1].days if self.noncurrent_transitions else None
        if last_noncurrent is not None and self.noncurrent_expiration_days <= last_noncurrent:
            raise FieldProblem(
                "noncurrent_expiration_days",
                self.noncurrent_expiration_days,
                f"must be later than the last noncurrent transition (day {last_noncurrent}); S3 rejects an "
                "expiration on or before a transition",
            )
        return self

    def prefix_rules(self) -> list[BucketLifecycleConfigurationRuleArgsDict]:
        """One expiry rule per ``prefix_expirations`` entry (snake_case, as the SDK takes it)."""
        return [
            {
                "id": f"expire-{prefix.strip('/').replace('/', '-') or 'root'}",
                "status": "Enabled",
                "filter": {"prefix": prefix},
                "expiration": {"days": days},
            }
            for prefix, days in sorted(self.prefix_expirations.items())
        ]

    def rule(self) -> BucketLifecycleConfigurationRuleArgsDict:
        """The ``BucketLifecycleConfiguration`` rule (snake_case, as the SDK takes it) for every object."""
        rule: BucketLifecycleConfigurationRuleArgsDict = {
            "id": "tiering-and-expiry",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "abort_incomplete_multipart_upload": {
                "days_after_initiation": self.abort_incomplete_multipart_days
            },
            "noncurrent_version_expiration": {"noncurrent_days": self.noncurrent_expiration_days},
        }
        if self.transitions:
            rule["transitions"] = [
                {"days": t.days, "storage_class": t.storage_class} for t in self.transitions
            ]
        if self.noncurrent_transitions:
            rule["noncurrent_version_transitions"] = [
                {"noncurrent_days": t.days, "storage_class": t.storage_class}
                for t in self.noncurrent_transitions
            ]
        # S3 refuses ExpiredObjectDeleteMarker next to Days; without an expiry, clean up lone delete markers.
        rule["expiration"] = (
            {"days": self.expiration_days}
            if self.expiration_days is not None
            else {"expired_object_delete_marker": True}
        )
        return rule
