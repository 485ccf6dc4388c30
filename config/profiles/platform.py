"""Platform settings per tier: no tier has a disaster-recovery region of its own any more. prod's DR
region (seed 003: us-east-1 primary, us-west-2 for DR) is its standby stack, prod-dr (components/dr.py,
docs/disaster-recovery.md); ``platform.dr_region`` remains for a stack that wants backup copies and a
replica in another region without a standby."""

PROFILES: dict[str, dict[str, str]] = {}
