"""Status codes, and :class:`RpcError`, which every failed call raises."""

from __future__ import annotations

import enum
from collections.abc import Sequence


class StatusCode(enum.IntEnum):
    """gRPC's status codes, with the numbers and names of docs/PROTOCOL.md.

    Compare with these members or with the plain numbers: ``StatusCode.NOT_FOUND == 5``.
    """

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16


Metadata = tuple[tuple[str, str], ...]
"""Call metadata: ordered (key, value) pairs; a key may repeat."""


def status_code(value: int) -> StatusCode | int:
    """The :class:`StatusCode` numbered ``value``, or ``value`` itself if none is."""
    try:
        return StatusCode(value)
    except ValueError:
        return value


class RpcError(Exception):
    """A call that did not end with OK.

    ``code`` is the status: the server's, or the client's own for
    DEADLINE_EXCEEDED (the deadline passed), CANCELLED (the caller cancelled),
    UNAVAILABLE (no server could be reached, or the connection was lost with
    the call's outcome unknown), UNAUTHENTICATED (the server refused the token)
    and INTERNAL (the server's answer could not be read). ``message`` is never
    empty. ``metadata`` holds the response's metadata, if the server sent any
    (it echoes ``request-id`` on errors too).
    """

    def __init__(self, code: StatusCode | int, message: str, metadata: Sequence[tuple[str, str]] = ()) -> None:
        self.code = status_code(code)
        self.message = message or (self.code.name if isinstance(self.code, StatusCode) else f"status {self.code}")
        self.metadata: Metadata = tuple(metadata)
        super().__init__(str(self))

    def __str__(self) -> str:
        name = self.code.name if isinstance(self.code, StatusCode) else "status"
        return f"{name} ({int(self.code)}): {self.message}"

    def __repr__(self) -> str:
        return f"RpcError({self.code!r}, {self.message!r})"
