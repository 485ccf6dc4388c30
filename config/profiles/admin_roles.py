"""MFA-only admin roles per tier: created in every tier (seed 000: MFA on administrative access); prod's
sessions are the shortest the schema allows (one hour, its default)."""

PROFILES = {
    "dev": {"enabled": True},
    "staging": {"enabled": True},
    "prod": {"enabled": True},
}
