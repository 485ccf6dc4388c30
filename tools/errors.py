"""The one error the offline tools raise: a message that fits on one line, and a non-zero exit."""

from __future__ import annotations


class ToolError(Exception):
    """A problem the user can fix (unknown stack, unreadable plan file, bad usage file...).

    The command line prints ``error: <message>`` on one line and exits with status 1; no traceback.
    """
