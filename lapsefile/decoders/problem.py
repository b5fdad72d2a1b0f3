"""The one exception every decoder raises."""

from __future__ import annotations


class DecodeError(Exception):
    """The photo cannot be decoded; the message is worded to follow the file's name."""
