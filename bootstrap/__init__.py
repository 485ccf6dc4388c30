"""The account bootstrap: a small Pulumi program of its own (``bootstrap/``), run before the platform."""
