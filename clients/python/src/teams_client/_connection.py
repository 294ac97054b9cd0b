"""One connection to one server, as an asyncio protocol confined to the client's
I/O thread: call ids, method refs, AUTH, GOAWAY, keepalive.

- **Call ids** count up from 1, so a GOAWAY's last call id splits the calls in
  flight into those the server will answer and those it never ran. The call
  that takes id 2^32 - 1 retires the connection (no wrap-around): it takes no
  new calls and closes once its calls are answered.
- **Method refs.** A method's first call sends its full name and binds a new
  ref; later calls send the 2-byte ref alone. Past 65535 methods, the name is
  sent with ref 0.
- **AUTH** with the client's token is the first frame on every connection.
- **Writes** are gathered and flushed once per event-loop pass, so calls
  started together share one write.
- **GOAWAY**: nothing more is sent; calls above the last call id were not run
  (the listener hears ``on_not_run``, or, when the server refused the caller,
  ``on_end`` with the refusal); the others keep waiting for their responses.
- **Keepalive**: after the interval with nothing read, a PING; no PONG within
  the timeout closes the connection as dead.
- **Loss**: calls written before the connection was lost end UNAVAILABLE with
  an unknown outcome; calls not yet written hear ``on_not_run``. A frame
  longer than ``max_response_bytes`` closes the connection the same way, its
  written calls ending RESOURCE_EXHAUSTED.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from . import _frames
from ._frames import FrameTooLarge, GoAway, ProtocolError, Response
from .models import ClientStatistics
from .policy import Keepalive
from .status import RpcError, StatusCode

_FAILED_AUTHENTICATIONS = "too many failed authentications"


@dataclass(frozen=True)
class Endpoint:
    """A server's address, written ``HOST:PORT`` (``[V6ADDR]:PORT`` for IPv6)."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Endpoint:
        """Raises ValueError for text that is not ``HOST:PORT``."""
        host, sep, port = text.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"an endpoint is HOST:PORT, not {text!r}")
        return cls(host[1:-1] if host.startswith("[") and host.endswith("]") else host, int(port))

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class CallListener(Protocol):
    """Hears what happens to one call on a connection: any number of
    ``on_message``, then exactly one of ``on_end`` or ``on_not_run``."""

    def on_message(self, body: bytes) -> None: ...

    def on_end(self, response: Response) -> None: ...

    def on_not_run(self, error: RpcError) -> None:
        """The server never ran the call: it may be sent again anywhere."""


class Connection(asyncio.Protocol):
    """The client side of one connection (see the module's docstring).

    ``on_draining(connection, error, refused)`` is called once the connection
    takes no new calls while still open (a GOAWAY, or call ids used up);
    ``refused`` is true when the server refused the caller (GOAWAY
    UNAUTHENTICATED, or RESOURCE_EXHAUSTED for too many failed
    authentications): a new connection with the same token fares no better.
    ``on_close(connection, error)`` is called once when it closes. Both are
    called before the calls concerned hear of it.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        endpoint: Endpoint,
        token: bytes | None,
        keepalive: Keepalive | None,
        stats: ClientStatistics,
        max_response_bytes: int,
        on_draining: Callable[[Connection, RpcError, bool], None],
        on_close: Callable[[Connection, RpcError], None],
    ) -> None:
        self.endpoint = endpoint
        self.answered = False
        """Whether the server has answered anything (a response, a stream message, a PONG)."""
        self._loop = loop
        self._token = token
        self._keepalive = keepalive
        self._stats = stats
        self._on_draining = on_draining
        self._on_close: Callable[[Connection, RpcError], None] | None = on_close
        self._transport: asyncio.Transport | None = None
        self._decoder = _frames.FrameDecoder(max_response_bytes)
        self._next_call_id = 1
        self._written_through = 0
        self._method_refs: dict[str, int] = {}
        self._listeners: dict[int, CallListener] = {}
        self._output: list[bytes] = []
        self._flush_handle: asyncio.Handle | None = None
        self._unusable: RpcError | None = None
        self._last_read = loop.time()
        self._keepalive_timer: asyncio.TimerHandle | None = None
        self._ping_value = 0
        self._awaiting_pong = False

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._last_read = self._loop.time()
        if self._token is not None:
            self._write(_frames.encode_auth(self._token))
        self._schedule_keepalive()

    def data_received(self, data: bytes) -> None:
        self._last_read = self._loop.time()
        try:
            frames = self._decoder.feed(data)
        except FrameTooLarge as error:
            self.close(RpcError(StatusCode.RESOURCE_EXHAUSTED, f"{self.endpoint}: {error} (max_response_bytes)"))
            return
        except ProtocolError as error:
            self.close(RpcError(StatusCode.INTERNAL, f"{self.endpoint}: unreadable byte stream: {error}"))
            return
        for frame in frames:
            self._handle(frame)

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and self._on_close is not None:
            self._read_leftovers()
        reason = f"the connection was lost: {exc}" if exc else "the server closed the connection"
        self._closed(RpcError(StatusCode.UNAVAILABLE, f"{self.endpoint}: {reason}"))

    def _read_leftovers(self) -> None:
        """Reads what the server sent but the event loop had not read yet.

        asyncio drops a connection as soon as a write fails. That happens when a
        draining server closes the connection while requests are on their way
        to it (they draw a reset): its GOAWAY, naming the calls it never ran,
        and the answers to the others may still wait in the socket, readable.
        Plain TCP only: under TLS those bytes would need the TLS layer."""
        transport = self._transport
        if transport is None or transport.get_extra_info("sslcontext") is not None:
            return
        sock = transport.get_extra_info("socket")
        fd = -1 if sock is None else sock.fileno()
        while fd >= 0 and self._on_close is not None:
            try:
                data = os.read(fd, 65536)  # the socket is non-blocking: never waits
            except OSError:
                return
            if not data:
                return
            self.data_received(data)

    # Calls

    @property
    def is_usable(self) -> bool:
        """Whether new calls may start here: open, no GOAWAY, call ids left."""
        return self._transport is not None and self._unusable is None

    @property
    def calls_in_flight(self) -> int:
        return len(self._listeners)

    def start_call(
        self, path: str, payload: bytes, timeout_ms: int | None, metadata: bytes | None, listener: CallListener
    ) -> int:
        """Writes a REQUEST (at the end of this event-loop pass); returns its call id.
        Only on a usable connection."""
        assert self.is_usable
        call_id = self._next_call_id
        self._next_call_id += 1
        ref = self._method_refs.get(path)
        name = None
        if ref is None:
            name = path
            ref = len(self._method_refs) + 1
            if ref <= _frames.MAX_METHOD_REF:
                self._method_refs[path] = ref
            else:
                ref = 0
        self._write(_frames.encode_request(call_id, ref, name, timeout_ms, metadata, payload))
        self._listeners[call_id] = listener
        if call_id == _frames.MAX_CALL_ID:
            self._drain(RpcError(StatusCode.UNAVAILABLE, f"{self.endpoint}: call ids used up"), refused=False)
        return call_id

    def cancel(self, call_id: int, error: RpcError) -> None:
        """Gives up on a call: the server is sent CANCEL (unless the connection
        is draining), and the listener hears ``error`` now. Unknown ids are ignored."""
        listener = self._listeners.pop(call_id, None)
        if listener is None:
            return
        if self._unusable is None:
            self._write(_frames.encode_cancel(call_id))
        listener.on_end(Response(error.code, error.message))
        self._close_if_drained()

    def close(self, error: RpcError) -> None:
        """Closes at once; calls in flight end as described for a lost connection."""
        if self._transport is not None:
            self._transport.abort()
        self._closed(error)

    # Frames

    def _handle(self, frame: _frames.Frame) -> None:
        if frame.type == _frames.RESPONSE:
            listener = self._listeners.pop(frame.call_id, None)
            self.answered = True
            if listener is None:
                return
            try:
                response = _frames.decode_response(frame)
            except ProtocolError as error:
                response = Response(StatusCode.INTERNAL, f"{self.endpoint}: {error}")
            listener.on_end(response)
            self._close_if_drained()
        elif frame.type == _frames.STREAM_MESSAGE:
            self.answered = True
            listener = self._listeners.get(frame.call_id)
            if listener is not None:
                listener.on_message(frame.body)
        elif frame.type == _frames.GOAWAY:
            try:
                goaway = _frames.decode_goaway(frame)
            except ProtocolError as error:
                self.close(RpcError(StatusCode.INTERNAL, f"{self.endpoint}: {error}"))
                return
            self._received_goaway(goaway)
        elif frame.type == _frames.PONG:
            self.answered = True
            if self._awaiting_pong and frame.call_id == self._ping_value:
                self._stop_keepalive()
                self._schedule_keepalive()
        # Other frame types are not sent to clients; they are ignored.

    def _received_goaway(self, goaway: GoAway) -> None:
        refused = goaway.status == StatusCode.UNAUTHENTICATED or (
            goaway.status == StatusCode.RESOURCE_EXHAUSTED and goaway.message.startswith(_FAILED_AUTHENTICATIONS)
        )
        error = RpcError(goaway.status, f"{self.endpoint}: the server is going away: {goaway.message}")
        if self._unusable is None:
            self._drain(error, refused)
        unrun = sorted(call_id for call_id in self._listeners if call_id > goaway.last_call_id)
        for call_id in unrun:
            listener = self._listeners.pop(call_id)
            if refused:
                listener.on_end(Response(error.code, error.message))
            else:
                listener.on_not_run(error)
        self._close_if_drained()

    def _drain(self, error: RpcError, refused: bool) -> None:
        self._unusable = error
        self._stop_keepalive()
        self._on_draining(self, error, refused)

    def _close_if_drained(self) -> None:
        if self._unusable is not None and not self._listeners and self._transport is not None:
            self._transport.close()

    def _closed(self, error: RpcError) -> None:
        if self._on_close is None:
            return
        on_close, self._on_close = self._on_close, None
        self._transport = None
        self._stop_keepalive()
        if self._unusable is None:
            self._unusable = error
        on_close(self, error)
        pending = sorted(self._listeners.items())
        self._listeners.clear()
        for call_id, listener in pending:
            if call_id > self._written_through:
                listener.on_not_run(error)
            else:
                listener.on_end(Response(error.code, f"{error.message}; the call may or may not have run"))

    # Writing

    def _write(self, frame: bytes) -> None:
        self._output.append(frame)
        if self._flush_handle is None:
            self._flush_handle = self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        if self._transport is None or self._transport.is_closing():
            return
        data = b"".join(self._output)
        self._output.clear()
        self._transport.write(data)
        if not self._transport.is_closing():  # else the write failed and sent nothing
            self._written_through = self._next_call_id - 1

    # Keepalive

    def _schedule_keepalive(self) -> None:
        if self._keepalive is None or not self.is_usable:
            return
        self._keepalive_timer = self._loop.call_at(self._last_read + self._keepalive.interval, self._keepalive_due)

    def _keepalive_due(self) -> None:
        assert self._keepalive is not None
        if self._loop.time() - self._last_read < self._keepalive.interval:
            self._schedule_keepalive()
            return
        self._ping_value = (self._ping_value + 1) & 0xFFFFFFFF
        self._write(_frames.encode_ping(self._ping_value))
        self._stats.pings_sent += 1
        self._awaiting_pong = True
        self._keepalive_timer = self._loop.call_later(self._keepalive.timeout, self._keepalive_expired)

    def _keepalive_expired(self) -> None:
        assert self._keepalive is not None
        self._stats.keepalive_timeouts += 1
        timeout = self._keepalive.timeout
        self.close(RpcError(StatusCode.UNAVAILABLE, f"{self.endpoint}: no PONG within {timeout:g} s of a PING: the connection is dead"))

    def _stop_keepalive(self) -> None:
        self._awaiting_pong = False
        if self._keepalive_timer is not None:
            self._keepalive_timer.cancel()
            self._keepalive_timer = None
