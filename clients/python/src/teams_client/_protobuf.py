"""The little of protobuf's wire format (proto3) that TeamService's messages use.

Encoders omit fields holding their default value, as proto3 does; decoders
keep unknown fields out of the way and take the last value of a repeated
scalar, as protobuf parsers do. Every decoding error is a :class:`DecodeError`.
"""

from __future__ import annotations

_VARINT = 0
_FIXED64 = 1
_LENGTH_DELIMITED = 2
_FIXED32 = 5


class DecodeError(ValueError):
    """The bytes are not a valid encoding of the expected message."""


def encode_varint(value: int) -> bytes:
    """Base-128 varint of ``value``; a negative int64 takes ten bytes, as protobuf says."""
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _decode_varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise DecodeError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("varint longer than 10 bytes")


def _key(field: int, wire_type: int) -> bytes:
    return encode_varint((field << 3) | wire_type)


def uint_field(field: int, value: int) -> bytes:
    """A varint field (uint32, uint64, enum); nothing for 0."""
    if not value:
        return b""
    return _key(field, _VARINT) + encode_varint(value)


def string_field(field: int, value: str) -> bytes:
    """A string field, UTF-8; nothing for the empty string."""
    if not value:
        return b""
    data = value.encode("utf-8")
    return _key(field, _LENGTH_DELIMITED) + encode_varint(len(data)) + data


def message_field(field: int, encoded: bytes) -> bytes:
    """An embedded message field, present even when the message is empty."""
    return _key(field, _LENGTH_DELIMITED) + encode_varint(len(encoded)) + encoded


class Fields:
    """One decoded message: its fields by number, each value as read off the wire.

    Fixed-width fields are skipped over, as no TeamService message has one.
    Reading a field as the wrong kind (a varint as a string, ...) is a DecodeError.
    """

    def __init__(self, buf: bytes) -> None:
        self._varints: dict[int, list[int]] = {}
        self._delimited: dict[int, list[bytes]] = {}
        pos = 0
        while pos < len(buf):
            key, pos = _decode_varint(buf, pos)
            field, wire_type = key >> 3, key & 7
            if field == 0:
                raise DecodeError("field number 0")
            if wire_type == _VARINT:
                value, pos = _decode_varint(buf, pos)
                self._varints.setdefault(field, []).append(value)
            elif wire_type == _LENGTH_DELIMITED:
                length, pos = _decode_varint(buf, pos)
                if pos + length > len(buf):
                    raise DecodeError("a length-delimited field runs past the message")
                self._delimited.setdefault(field, []).append(bytes(buf[pos:pos + length]))
                pos += length
            elif wire_type in (_FIXED64, _FIXED32):
                pos += 8 if wire_type == _FIXED64 else 4
                if pos > len(buf):
                    raise DecodeError("a fixed-width field runs past the message")
            else:
                raise DecodeError(f"unsupported wire type {wire_type}")

    def _delimited_values(self, field: int) -> list[bytes]:
        if field in self._varints:
            raise DecodeError(f"field {field} is a varint, not length-delimited")
        return self._delimited.get(field, [])

    def uint(self, field: int) -> int:
        """A uint32, uint64 or enum field; 0 when absent."""
        if field in self._delimited:
            raise DecodeError(f"field {field} is length-delimited, not a varint")
        values = self._varints.get(field)
        return values[-1] if values else 0

    def int64(self, field: int) -> int:
        """An int64 field (two's complement in a varint); 0 when absent."""
        value = self.uint(field) & ((1 << 64) - 1)
        return value - (1 << 64) if value >= 1 << 63 else value

    def string(self, field: int) -> str:
        """A string field; "" when absent. Invalid UTF-8 is a DecodeError."""
        values = self._delimited_values(field)
        try:
            return values[-1].decode("utf-8") if values else ""
        except UnicodeDecodeError as error:
            raise DecodeError(f"field {field} is not valid UTF-8") from error

    def message(self, field: int) -> Fields | None:
        """An embedded message field, decoded; None when absent."""
        values = self._delimited_values(field)
        return Fields(values[-1]) if values else None

    def messages(self, field: int) -> list[Fields]:
        """A repeated message field, each element decoded, in order."""
        return [Fields(value) for value in self._delimited_values(field)]
