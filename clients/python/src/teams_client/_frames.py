"""Frames of docs/PROTOCOL.md: the 10-byte header, the bodies a client writes
(REQUEST, CANCEL, PING, AUTH) and reads (RESPONSE, STREAM_MESSAGE, GOAWAY,
PONG), and ``teams.rpc.v1.Metadata``. All integers are big-endian.

Decoders raise :class:`ProtocolError` for bytes that break the layout.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from ._protobuf import DecodeError, Fields, message_field, string_field
from .status import Metadata, StatusCode, status_code

REQUEST = 1
RESPONSE = 2
STREAM_MESSAGE = 3
CANCEL = 4
GOAWAY = 5
PING = 6
PONG = 7
AUTH = 8

_METHOD_NAME = 0x01
_DEADLINE = 0x02
_METADATA = 0x04
_STATUS_MESSAGE = 0x08

_HEADER = struct.Struct(">IBBI")  # length (of what follows it), type, flags, call id
HEADER_SIZE = _HEADER.size
MAX_CALL_ID = 0xFFFFFFFF
MAX_METHOD_REF = 0xFFFF
MAX_TIMEOUT_MS = 0xFFFFFFFF
MAX_TOKEN_BYTES = 1024
_BEARER = 1


class ProtocolError(Exception):
    """Bytes from the server that do not follow docs/PROTOCOL.md."""


class FrameTooLarge(ProtocolError):
    """A frame longer than the reader is prepared to buffer."""


@dataclass(frozen=True)
class Frame:
    type: int
    flags: int
    call_id: int
    body: bytes


@dataclass(frozen=True)
class Response:
    """How a call ended: a RESPONSE frame's fields, or the client's own verdict.

    ``payload`` is the unary response message when ``status`` is OK, else empty.
    """

    status: StatusCode | int
    message: str = ""
    metadata: Metadata = ()
    payload: bytes = b""


@dataclass(frozen=True)
class GoAway:
    """A GOAWAY: calls with an id above ``last_call_id`` were not run."""

    status: StatusCode | int
    last_call_id: int
    message: str


def _frame(frame_type: int, flags: int, call_id: int, body: bytes = b"") -> bytes:
    return _HEADER.pack(len(body) + 6, frame_type, flags, call_id) + body


def encode_metadata(pairs: Sequence[tuple[str, str]]) -> bytes:
    """``teams.rpc.v1.Metadata``: one ``Entry{key, value}`` per pair, in order."""
    return b"".join(message_field(1, string_field(1, key) + string_field(2, value)) for key, value in pairs)


def decode_metadata(data: bytes) -> Metadata:
    try:
        return tuple((entry.string(1), entry.string(2)) for entry in Fields(data).messages(1))
    except DecodeError as error:
        raise ProtocolError(f"response metadata does not decode: {error}") from error


def encode_request(
    call_id: int,
    method_ref: int,
    method_name: str | None,
    timeout_ms: int | None,
    metadata: bytes | None,
    payload: bytes,
) -> bytes:
    """A REQUEST. ``method_name`` None sends the bound ``method_ref`` alone;
    ``metadata`` is encoded ``teams.rpc.v1.Metadata`` (None: no METADATA field).
    Raises ValueError for a field too long for its length prefix."""
    flags = 0
    parts = [struct.pack(">H", method_ref)]
    if method_name is not None:
        name = method_name.encode("utf-8")
        if len(name) > 0xFF:
            raise ValueError("a method name is at most 255 bytes")
        flags |= _METHOD_NAME
        parts += [bytes([len(name)]), name]
    if timeout_ms is not None:
        flags |= _DEADLINE
        parts.append(struct.pack(">I", timeout_ms))
    if metadata is not None:
        if len(metadata) > 0xFFFF:
            raise ValueError("request metadata is at most 65535 bytes encoded")
        flags |= _METADATA
        parts += [struct.pack(">H", len(metadata)), metadata]
    parts.append(payload)
    return _frame(REQUEST, flags, call_id, b"".join(parts))


def encode_cancel(call_id: int) -> bytes:
    return _frame(CANCEL, 0, call_id)


def encode_ping(value: int) -> bytes:
    return _frame(PING, 0, value)


def encode_auth(token: bytes) -> bytes:
    """AUTH with a bearer token of 1 to 1024 bytes (checked by the caller)."""
    return _frame(AUTH, 0, 0, struct.pack(">BH", _BEARER, len(token)) + token)


def decode_response(frame: Frame) -> Response:
    """A RESPONSE body: u8 status, [STATUS_MESSAGE], [METADATA], payload."""
    body = frame.body
    if not body:
        raise ProtocolError("a RESPONSE without a status")
    pos = 1
    message = ""
    metadata: Metadata = ()
    try:
        if frame.flags & _STATUS_MESSAGE:
            (length,) = struct.unpack_from(">H", body, pos)
            message = body[pos + 2:pos + 2 + length].decode("utf-8", "replace")
            pos += 2 + length
        if frame.flags & _METADATA:
            (length,) = struct.unpack_from(">H", body, pos)
            metadata = decode_metadata(body[pos + 2:pos + 2 + length])
            pos += 2 + length
    except struct.error as error:
        raise ProtocolError("a RESPONSE whose optional fields run past the frame") from error
    if pos > len(body):
        raise ProtocolError("a RESPONSE whose optional fields run past the frame")
    return Response(status_code(body[0]), message, metadata, body[pos:])


def decode_goaway(frame: Frame) -> GoAway:
    """A GOAWAY body: u8 status, u32 last call id, u16 n, n bytes message."""
    body = frame.body
    if len(body) < 7:
        raise ProtocolError(f"a GOAWAY body of {len(body)} bytes, not at least 7")
    status, last_call_id, length = struct.unpack_from(">BIH", body)
    if 7 + length > len(body):
        raise ProtocolError("a GOAWAY message that runs past the frame")
    return GoAway(status_code(status), last_call_id, body[7:7 + length].decode("utf-8", "replace"))


class FrameDecoder:
    """Cuts a byte stream into frames; bytes of an incomplete frame wait for more."""

    def __init__(self, max_frame_length: int) -> None:
        self._buffer = bytearray()
        self._max_frame_length = max_frame_length

    def feed(self, data: bytes) -> list[Frame]:
        """The frames completed by ``data``. Raises ProtocolError on a length
        below 6, FrameTooLarge on one above the maximum (checked as soon as the
        header arrives, before the body is buffered); the stream cannot go on."""
        buffer = self._buffer
        buffer += data
        frames = []
        pos = 0
        while len(buffer) - pos >= HEADER_SIZE:
            length, frame_type, flags, call_id = _HEADER.unpack_from(buffer, pos)
            if length < 6:
                raise ProtocolError(f"a frame length of {length}")
            if length > self._max_frame_length:
                raise FrameTooLarge(f"a frame of {length} bytes, above the limit of {self._max_frame_length}")
            end = pos + 4 + length
            if end > len(buffer):
                break
            frames.append(Frame(frame_type, flags, call_id, bytes(buffer[pos + HEADER_SIZE:end])))
            pos = end
        del buffer[:pos]
        return frames
