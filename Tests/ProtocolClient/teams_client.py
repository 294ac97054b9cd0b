"""Dependency-free Python 3 client for the TeamService wire protocol.

Written from docs/PROTOCOL.md and proto/**/*.proto only. Standard library only;
the few protobuf messages needed are hand-encoded/decoded.
"""

import collections
import socket
import struct
import time

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

FRAME_REQUEST = 1
FRAME_RESPONSE = 2
FRAME_STREAM_MESSAGE = 3
FRAME_CANCEL = 4
FRAME_GOAWAY = 5
FRAME_PING = 6
FRAME_PONG = 7
FRAME_AUTH = 8

AUTH_SCHEME_BEARER = 1  # AUTH body: u8 scheme, u16 n, n bytes token
MAX_TOKEN_BYTES = 1024

FLAG_METHOD_NAME = 0x01
FLAG_DEADLINE = 0x02
FLAG_METADATA = 0x04
FLAG_STATUS_MESSAGE = 0x08

HEADER = struct.Struct(">IBBI")  # length, type, flags, call id  (10 bytes)

OK = 0
CANCELLED = 1
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
UNAUTHENTICATED = 16

STATUS_NAMES = {
    0: "OK", 1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND", 6: "ALREADY_EXISTS",
    7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION",
    10: "ABORTED", 11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED", 13: "INTERNAL",
    14: "UNAVAILABLE", 15: "DATA_LOSS", 16: "UNAUTHENTICATED",
}

POSITION_UNSPECIFIED = 0
POSITION_GK = 1
POSITION_DEF = 2
POSITION_MID = 3
POSITION_ST = 4

SERVING_STATUS_SERVING = 1

SVC = "/teams.v1.TeamService/"
HEALTH = "/teams.v1.Health/"


# --------------------------------------------------------------------------
# Protobuf (proto3) encoding helpers
# --------------------------------------------------------------------------

class DecodeError(ValueError):
    pass


def encode_varint(n):
    if n < 0:
        n += 1 << 64  # int64 negatives are 10-byte varints
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def decode_varint(buf, pos):
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise DecodeError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("varint too long")


def _key(field, wire_type):
    return encode_varint((field << 3) | wire_type)


def f_varint(field, value):
    """Varint field; proto3 omits default (0) values."""
    if not value:
        return b""
    return _key(field, 0) + encode_varint(int(value))


def f_bytes(field, value, always=False):
    """Length-delimited field (string, bytes, or embedded message)."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not value and not always:
        return b""
    return _key(field, 2) + encode_varint(len(value)) + value


def parse_fields(buf):
    """Decode a protobuf message into {field_number: [values...]}.

    Varints come back as int, length-delimited as bytes. Fixed32/64 are
    returned as raw bytes. Raises DecodeError on malformed input.
    """
    fields = {}
    pos = 0
    n = len(buf)
    while pos < n:
        key, pos = decode_varint(buf, pos)
        field, wt = key >> 3, key & 7
        if field == 0:
            raise DecodeError("field number 0")
        if wt == 0:
            val, pos = decode_varint(buf, pos)
        elif wt == 1:
            if pos + 8 > n:
                raise DecodeError("truncated fixed64")
            val, pos = buf[pos:pos + 8], pos + 8
        elif wt == 2:
            ln, pos = decode_varint(buf, pos)
            if pos + ln > n:
                raise DecodeError("truncated length-delimited field")
            val, pos = bytes(buf[pos:pos + ln]), pos + ln
        elif wt == 5:
            if pos + 4 > n:
                raise DecodeError("truncated fixed32")
            val, pos = buf[pos:pos + 4], pos + 4
        else:
            raise DecodeError("unsupported wire type %d" % wt)
        fields.setdefault(field, []).append(val)
    return fields


def _last(fields, num, default):
    vals = fields.get(num)
    return vals[-1] if vals else default


def _str(fields, num):
    return _last(fields, num, b"").decode("utf-8")


def _int(fields, num):
    return _last(fields, num, 0)


# --------------------------------------------------------------------------
# Messages (as plain dicts)
# --------------------------------------------------------------------------

def enc_player(name, position):
    return f_bytes(1, name) + f_varint(2, position)


def dec_player(buf):
    f = parse_fields(buf)
    return {"name": _str(f, 1), "position": _int(f, 2)}


def dec_team(buf):
    f = parse_fields(buf)
    return {
        "id": _str(f, 1),
        "name": _str(f, 2),
        "players": [dec_player(p) for p in f.get(3, [])],
        "version": _int(f, 4),
    }


def dec_team_response(buf):
    """CreateTeam/GetTeam/RenameTeam/AddPlayer/RemovePlayer responses: {team = 1}."""
    f = parse_fields(buf)
    t = _last(f, 1, None)
    return dec_team(t) if t is not None else None


def enc_metadata(pairs):
    """pairs: list of (key, value) -> teams.rpc.v1.Metadata bytes."""
    out = b""
    for k, v in pairs:
        entry = f_bytes(1, k) + f_bytes(2, v)
        out += f_bytes(1, entry, always=True)
    return out


def dec_metadata(buf):
    f = parse_fields(buf)
    out = []
    for e in f.get(1, []):
        ef = parse_fields(e)
        out.append((_str(ef, 1), _str(ef, 2)))
    return out


# --------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------

class ProtocolError(Exception):
    pass


class ConnectionClosed(ConnectionError):
    """The server closed the connection (EOF) without a GOAWAY first."""


class GoAway(ConnectionError):
    """A GOAWAY frame: the server runs no call above last_call_id on this connection.

    Raised by Connection.wait for a call above last_call_id (it was not run:
    retry it anywhere), and by any wait once the connection closes after a
    GOAWAY (calls <= last_call_id then have an unknown outcome).
    """

    def __init__(self, status, last_call_id, message):
        super().__init__("GOAWAY %s (%d), last call id %d: %s" % (
            STATUS_NAMES.get(status, "?"), status, last_call_id, message))
        self.status = status
        self.code = status  # same name as RpcError's
        self.last_call_id = last_call_id
        self.message = message

    def was_not_run(self, call_id):
        """True if call_id is above the last call id: safe to retry anywhere."""
        return call_id > self.last_call_id


class RpcError(Exception):
    def __init__(self, response):
        self.response = response
        self.code = response.status
        self.message = response.status_message
        super().__init__("%s (%d): %s" % (STATUS_NAMES.get(self.code, "?"), self.code, self.message))


class Frame(object):
    def __init__(self, ftype, flags, call_id, body):
        self.type = ftype
        self.flags = flags
        self.call_id = call_id
        self.body = body


class Response(object):
    """A decoded RESPONSE frame."""

    def __init__(self, call_id, flags, status, status_message, metadata, payload):
        self.call_id = call_id
        self.flags = flags
        self.status = status
        self.status_message = status_message
        self.metadata = metadata  # list of (key, value), or None if absent
        self.payload = payload
        self.stream_messages = []  # STREAM_MESSAGE bodies that preceded it

    def __repr__(self):
        return "Response(call_id=%d, status=%s, message=%r, metadata=%r, payload=%d bytes)" % (
            self.call_id, STATUS_NAMES.get(self.status, self.status),
            self.status_message, self.metadata, len(self.payload))


def encode_request(call_id, payload=b"", method_ref=0, method_name=None,
                   deadline_ms=None, metadata=None):
    flags = 0
    body = struct.pack(">H", method_ref)
    if method_name is not None:
        flags |= FLAG_METHOD_NAME
        nb = method_name.encode("utf-8")
        if len(nb) > 255:
            raise ValueError("method name longer than 255 bytes")
        body += bytes([len(nb)]) + nb
    if deadline_ms is not None:
        flags |= FLAG_DEADLINE
        body += struct.pack(">I", deadline_ms)
    if metadata is not None:
        flags |= FLAG_METADATA
        md = enc_metadata(metadata)
        body += struct.pack(">H", len(md)) + md
    body += payload
    return encode_frame(FRAME_REQUEST, flags, call_id, body)


def encode_frame(ftype, flags, call_id, body=b""):
    return HEADER.pack(6 + len(body), ftype, flags, call_id) + body


def encode_ping(value):
    """PING: empty body, the opaque value in the call id field."""
    return encode_frame(FRAME_PING, 0, value)


def encode_auth(token):
    """AUTH: the connection's first frame, call id 0, flags 0; names the caller by a bearer token."""
    if isinstance(token, str):
        token = token.encode("utf-8")
    if not 1 <= len(token) <= MAX_TOKEN_BYTES:
        raise ValueError("a token is 1 to %d bytes, not %d" % (MAX_TOKEN_BYTES, len(token)))
    return encode_frame(FRAME_AUTH, 0, 0, struct.pack(">BH", AUTH_SCHEME_BEARER, len(token)) + token)


def decode_goaway(frame):
    """GOAWAY body: u8 status, u32 last call id, u16 n, n bytes message."""
    b = frame.body
    if len(b) < 7:
        raise ProtocolError("GOAWAY body of %d bytes, need at least 7" % len(b))
    status, last_call_id, n = struct.unpack_from(">BIH", b, 0)
    if 7 + n > len(b):
        raise ProtocolError("GOAWAY message runs past the frame")
    return GoAway(status, last_call_id, b[7:7 + n].decode("utf-8", "replace"))


def decode_response(frame):
    """Decode a RESPONSE frame body.

    Field order observed on the server (and shown in the RESPONSE section of
    PROTOCOL.md): u8 status, [STATUS_MESSAGE], [METADATA], payload.
    """
    b = frame.body
    if len(b) < 1:
        raise ProtocolError("RESPONSE body too short")
    status = b[0]
    pos = 1
    msg = ""
    md = None
    if frame.flags & FLAG_STATUS_MESSAGE:
        (n,) = struct.unpack_from(">H", b, pos)
        pos += 2
        msg = b[pos:pos + n].decode("utf-8")
        pos += n
    if frame.flags & FLAG_METADATA:
        (n,) = struct.unpack_from(">H", b, pos)
        pos += 2
        md = dec_metadata(b[pos:pos + n])
        pos += n
    if pos > len(b):
        raise ProtocolError("RESPONSE optional fields run past the frame")
    return Response(frame.call_id, frame.flags, status, msg, md, b[pos:])


# --------------------------------------------------------------------------
# Connection
# --------------------------------------------------------------------------

def parse_address(addr):
    host, _, port = addr.rpartition(":")
    return host or "127.0.0.1", int(port)


class Connection(object):
    """One TCP connection; supports pipelining and method-ref binding.

    bind_refs=True: the first call of each method sends the name with a new
    non-zero ref; later calls send the 2-byte ref only.
    bind_refs=False: every call sends the name with ref 0.
    token: sent in an AUTH frame as the connection's first frame (no reply on
    success; a token the server refuses gets GOAWAY UNAUTHENTICATED and a close).
    """

    def __init__(self, address="127.0.0.1:7070", timeout=10.0, bind_refs=True, token=None):
        self.sock = socket.create_connection(parse_address(address), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._rbuf = bytearray()
        self._next_call_id = 1
        self._next_ref = 1
        self.bind_refs = bind_refs
        self.refs = {}           # method name -> bound ref
        self.completed = {}      # call id -> Response (read but not yet claimed)
        self.streams = {}        # call id -> [stream message bodies]
        self.pongs = collections.Counter()  # PONG value -> how many read, not yet claimed
        self.goaway = None       # the GoAway read on this connection, if any
        if token is not None:
            self.auth(token)

    # ---- low level ----
    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def new_call_id(self):
        """Call ids count up from 1 (PROTOCOL.md: number calls upwards)."""
        cid = self._next_call_id
        self._next_call_id += 1
        return cid

    def send_raw(self, data):
        self.sock.sendall(data)

    def auth(self, token):
        """Send an AUTH frame; it must be the first frame on the connection.

        Does not wait: requests may follow at once (pipelined behind it).
        """
        self.send_raw(encode_auth(token))

    def _read_exact(self, n):
        while len(self._rbuf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionClosed("connection closed by server")
            self._rbuf += chunk
        out = bytes(self._rbuf[:n])
        del self._rbuf[:n]
        return out

    def read_frame(self):
        length, ftype, flags, call_id = HEADER.unpack(self._read_exact(10))
        if length < 6:
            raise ProtocolError("frame length %d < 6" % length)
        body = self._read_exact(length - 6)
        return Frame(ftype, flags, call_id, body)

    def _pump(self):
        """Read one frame and file it. Returns the Response if it was one.

        A GOAWAY is recorded in self.goaway and reading goes on (after a drain's
        GOAWAY the calls <= its last call id still get their RESPONSE); the
        end of the stream after a GOAWAY raises that GoAway.
        """
        try:
            f = self.read_frame()
        except ConnectionClosed:
            if self.goaway is not None:
                raise self.goaway from None
            raise
        if f.type == FRAME_RESPONSE:
            r = decode_response(f)
            r.stream_messages = self.streams.pop(f.call_id, [])
            self.completed[f.call_id] = r
            return r
        if f.type == FRAME_STREAM_MESSAGE:
            self.streams.setdefault(f.call_id, []).append(f.body)
            return None
        if f.type == FRAME_PONG:
            self.pongs[f.call_id] += 1
            return None
        if f.type == FRAME_GOAWAY:
            if f.call_id != 0:
                raise ProtocolError("GOAWAY with call id %d, not 0" % f.call_id)
            self.goaway = decode_goaway(f)
            return None
        raise ProtocolError("unexpected frame type %d from server" % f.type)

    # ---- calls ----
    def send(self, method, payload=b"", deadline_ms=None, metadata=None, call_id=None,
             force_name=False):
        """Send a REQUEST; returns its call id (does not wait)."""
        if call_id is None:
            call_id = self.new_call_id()
        elif call_id >= self._next_call_id:
            self._next_call_id = call_id + 1  # keep numbering upwards
        name = method
        ref = 0
        if self.bind_refs:
            if method in self.refs and not force_name:
                ref, name = self.refs[method], None
            else:
                ref = self.refs.get(method) or self._next_ref
                if method not in self.refs:
                    self._next_ref += 1
                self.refs[method] = ref
        self.send_raw(encode_request(call_id, payload, method_ref=ref, method_name=name,
                                     deadline_ms=deadline_ms, metadata=metadata))
        return call_id

    def wait(self, call_id):
        """Block until the RESPONSE for call_id arrives (other responses are kept).

        Raises GoAway if a GOAWAY says the call was not run (its id is above
        the last call id), or if the connection closes after a GOAWAY.
        """
        while call_id not in self.completed:
            if self.goaway is not None and self.goaway.was_not_run(call_id):
                raise self.goaway
            self._pump()
        return self.completed.pop(call_id)

    def ping(self, value, timeout=10.0):
        """Send a PING carrying value; wait for the PONG echoing it.

        Frames read meanwhile are filed as usual (responses, stream messages,
        a GOAWAY). Returns the round trip in seconds; raises socket.timeout if
        no PONG arrives within timeout, GoAway or ConnectionClosed if the
        connection ends first.
        """
        start = time.monotonic()
        deadline = start + timeout
        self.send_raw(encode_ping(value))
        saved = self.sock.gettimeout()
        try:
            while not self.pongs[value]:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise socket.timeout("no PONG for PING %d within %.1f s" % (value, timeout))
                self.sock.settimeout(left)
                self._pump()
        finally:
            self.sock.settimeout(saved)
        self.pongs[value] -= 1
        return time.monotonic() - start

    def call(self, method, payload=b"", deadline_ms=None, metadata=None):
        """Unary call; returns the Response (any status)."""
        return self.wait(self.send(method, payload, deadline_ms, metadata))

    def unary(self, method, payload=b"", **kw):
        """Unary call; returns the payload on OK, raises RpcError otherwise."""
        r = self.call(method, payload, **kw)
        if r.status != OK:
            raise RpcError(r)
        return r.payload

    def cancel(self, call_id):
        self.send_raw(encode_frame(FRAME_CANCEL, 0, call_id))


class TeamsClient(Connection):
    """Typed convenience wrappers over Connection."""

    def create_team(self, name, idempotency_key=""):
        p = f_bytes(1, name) + f_bytes(2, idempotency_key)
        return dec_team_response(self.unary(SVC + "CreateTeam", p))

    def get_team(self, team_id):
        return dec_team_response(self.unary(SVC + "GetTeam", f_bytes(1, team_id)))

    def rename_team(self, team_id, name, expected_version=0):
        p = f_bytes(1, team_id) + f_bytes(2, name) + f_varint(3, expected_version)
        return dec_team_response(self.unary(SVC + "RenameTeam", p))

    def delete_team(self, team_id, expected_version=0):
        p = f_bytes(1, team_id) + f_varint(2, expected_version)
        payload = self.unary(SVC + "DeleteTeam", p)
        parse_fields(payload)  # DeleteTeamResponse {}: must decode
        return payload

    def add_player(self, team_id, name, position, expected_version=0):
        p = (f_bytes(1, team_id) + f_bytes(2, enc_player(name, position), always=True)
             + f_varint(3, expected_version))
        return dec_team_response(self.unary(SVC + "AddPlayer", p))

    def remove_player(self, team_id, name, position, expected_version=0):
        p = (f_bytes(1, team_id) + f_bytes(2, enc_player(name, position), always=True)
             + f_varint(3, expected_version))
        return dec_team_response(self.unary(SVC + "RemovePlayer", p))

    def search_teams(self, term="", page_size=0, page_token=""):
        p = f_bytes(1, term) + f_varint(2, page_size) + f_bytes(3, page_token)
        f = parse_fields(self.unary(SVC + "SearchTeams", p))
        return [dec_team(t) for t in f.get(1, [])], _str(f, 2)

    def health_check(self):
        f = parse_fields(self.unary(HEALTH + "Check"))
        return {"status": _int(f, 1), "store": _str(f, 2)}

    def list_methods(self):
        f = parse_fields(self.unary(HEALTH + "ListMethods"))
        out = []
        for m in f.get(1, []):
            mf = parse_fields(m)
            out.append({"name": _str(mf, 1), "server_streaming": bool(_int(mf, 2))})
        return out
