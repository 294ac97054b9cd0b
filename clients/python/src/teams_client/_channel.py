"""A client's calls over its endpoints, confined to the client's I/O thread:
one connection at a time, kept up; calls retried where that is safe.

- **Picking** (pick-first): the client connects to the first endpoint, in
  order, that accepts a connection, and sends every call there. While no
  connection is ready a call waits, until its deadline (a stream: at most the
  default timeout).
- **Reconnecting.** When the connection is lost or drained (GOAWAY), a new one
  is opened at once, again trying the endpoints in order. A round in which no
  endpoint accepts, or a connection that ends before the server answered
  anything on it, or one whose caller the server refused, makes the next round
  wait for the connection backoff (1 s, x1.6, ±20 %, at most 120 s); the
  backoff starts again from 1 s once a connection has been answered.
- **Retrying.** A call that never ran (not yet written, or above a GOAWAY's
  last call id) is sent again on the next connection, whatever its method, up
  to 16 times; unless the server refused the caller, which ends the call with
  the refusal (UNAUTHENTICATED, ...). A call that ended UNAVAILABLE (answered
  so, or its connection lost after it was written) is sent again, after the
  retry backoff and while the retry budget allows, only if it is safe to run
  twice and has not received a stream message, up to ``max_attempts``
  attempts in all.
- **Deadlines** are kept on the client's clock whether or not they are sent.
  When one passes the call ends DEADLINE_EXCEEDED and the server is sent
  CANCEL; or, if the call was waiting for a connection (or a retry) and
  endpoints have failed, with the status and messages of their last failures.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import _frames
from ._connection import Connection, Endpoint
from ._frames import Response
from .models import ClientStatistics
from .policy import Backoff, Keepalive, RetryThrottle
from .status import RpcError, StatusCode

_TRANSPARENT_RETRY_LIMIT = 16


@dataclass(frozen=True)
class ChannelOptions:
    """How a channel connects and retries (see TeamsClient for each field's meaning)."""

    token: bytes | None
    ssl_context: ssl.SSLContext | None
    server_hostname: str | None
    connect_timeout: float
    keepalive: Keepalive | None
    max_response_bytes: int
    default_timeout: float
    max_attempts: int
    connection_backoff: Backoff
    retry_backoff: Backoff


class ChannelCall:
    """One call across its attempts. ``deadline`` is on the event loop's clock
    (``time.monotonic``), None for a stream without one; ``on_end`` is called
    exactly once, on the I/O thread, after any ``on_message``."""

    def __init__(
        self,
        path: str,
        payload: bytes,
        metadata: bytes | None,
        deadline: float | None,
        sends_deadline: bool,
        retryable: bool,
        on_message: Callable[[bytes], None] | None,
        on_end: Callable[[Response], None],
    ) -> None:
        self.path = path
        self.payload = payload
        self.metadata = metadata
        self.deadline = deadline
        self.sends_deadline = sends_deadline
        self.retryable = retryable
        self.on_message = on_message
        self.on_end = on_end
        self.attempt = 0
        self.transparent_retries = 0
        self.connection: Connection | None = None
        self.call_id = 0
        self.timer: asyncio.TimerHandle | None = None
        self.retry_timer: asyncio.TimerHandle | None = None
        self.received_message = False
        self.waiting = False
        self.finished = False


class _Events:
    """Relays one call's events from its connection to the channel."""

    def __init__(self, channel: Channel, call: ChannelCall) -> None:
        self._channel = channel
        self._call = call

    def on_message(self, body: bytes) -> None:
        self._channel._message(self._call, body)

    def on_end(self, response: Response) -> None:
        self._channel._ended(self._call, response)

    def on_not_run(self, error: RpcError) -> None:
        self._channel._not_run(self._call, error)


class Channel:
    """See the module's docstring. Every method runs on the loop's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, endpoints: Sequence[Endpoint], options: ChannelOptions) -> None:
        """``endpoints``: at least one, tried in this order."""
        self._loop = loop
        self._endpoints = tuple(endpoints)
        self._options = options
        self._throttle = RetryThrottle()
        self._stats = ClientStatistics()
        self._calls: set[ChannelCall] = set()
        self._waiting: list[ChannelCall] = []
        self._current: Connection | None = None
        self._live: set[Connection] = set()
        self._last_errors: dict[Endpoint, RpcError] = {}
        self._failed_rounds = 0
        self._connect_task: asyncio.Task[None] | None = None
        self._reconnect_timer: asyncio.TimerHandle | None = None
        self._closed = False

    # Calls

    def open(self) -> None:
        """Starts connecting; from now on, until ``close``, the channel either has a
        ready connection or is working on one (a round under way or scheduled)."""
        self._start_round()

    def start(self, call: ChannelCall) -> None:
        """Starts ``call``: on the ready connection, or once one is ready."""
        self._calls.add(call)
        if call.deadline is not None:
            call.timer = self._loop.call_at(call.deadline, self._expire, call)
        self._dispatch(call)

    def cancel(self, call: ChannelCall, error: RpcError) -> None:
        """Ends ``call`` with ``error`` now, and sends the server CANCEL for it."""
        if call.finished:
            return
        connection, call_id = call.connection, call.call_id
        self._finish(call, Response(error.code, error.message))
        if connection is not None:
            connection.cancel(call_id, error)

    def statistics(self) -> ClientStatistics:
        """A copy of the counters."""
        return dataclasses.replace(self._stats)

    async def close(self) -> None:
        """Stops reconnecting and closes every connection; calls not yet ended end UNAVAILABLE."""
        self._closed = True
        if self._reconnect_timer is not None:
            self._reconnect_timer.cancel()
        closed = RpcError(StatusCode.UNAVAILABLE, "the client was closed")
        for call in list(self._calls):
            self._finish(call, Response(closed.code, closed.message))
        for connection in list(self._live):
            connection.close(closed)
        if self._connect_task is not None:
            self._connect_task.cancel()
            await asyncio.gather(self._connect_task, return_exceptions=True)

    def _dispatch(self, call: ChannelCall) -> None:
        if call.finished:
            return
        if self._closed:
            self._finish(call, Response(StatusCode.UNAVAILABLE, "the client was closed"))
            return
        connection = self._current
        if connection is None:
            if not call.waiting:
                call.waiting = True
                self._waiting.append(call)
            if call.timer is None:
                call.timer = self._loop.call_later(self._options.default_timeout, self._expire, call)
            return
        timeout_ms = None
        if call.deadline is not None:
            remaining = call.deadline - self._loop.time()
            if remaining <= 0:
                self._expire(call)
                return
            if call.sends_deadline:
                timeout_ms = min(math.ceil(remaining * 1000), _frames.MAX_TIMEOUT_MS)
        elif call.timer is not None:
            # A stream waited for a connection; from now on it lasts as long as the caller wants.
            call.timer.cancel()
            call.timer = None
        call.connection = connection
        call.call_id = connection.start_call(call.path, call.payload, timeout_ms, call.metadata, _Events(self, call))

    def _message(self, call: ChannelCall, body: bytes) -> None:
        if call.finished or call.on_message is None:
            return
        call.received_message = True
        call.on_message(body)

    def _not_run(self, call: ChannelCall, error: RpcError) -> None:
        if call.finished:
            return
        call.connection = None
        call.transparent_retries += 1
        if call.transparent_retries > _TRANSPARENT_RETRY_LIMIT:
            self._finish(call, Response(error.code, error.message))
            return
        self._stats.transparent_retries += 1
        self._dispatch(call)

    def _ended(self, call: ChannelCall, response: Response) -> None:
        if call.finished:
            return
        call.connection = None
        if response.status == StatusCode.UNAVAILABLE:
            allowed = self._throttle.record_failure()
            if (
                call.retryable
                and not call.received_message
                and allowed
                and call.attempt + 1 < self._options.max_attempts
            ):
                self._retry(call)
                return
        else:
            self._throttle.record_success()
        self._finish(call, response)

    def _retry(self, call: ChannelCall) -> None:
        delay = self._options.retry_backoff.delay(call.attempt)
        call.attempt += 1
        self._stats.retries += 1
        call.retry_timer = self._loop.call_later(delay, self._retry_due, call)

    def _retry_due(self, call: ChannelCall) -> None:
        call.retry_timer = None
        self._dispatch(call)

    def _expire(self, call: ChannelCall) -> None:
        """The call's deadline passed, or (a stream) its wait for a connection."""
        if call.finished:
            return
        call.timer = None
        error = None
        if call.waiting or call.retry_timer is not None:
            error = self._unreachable()
            if error is None and call.deadline is None:
                wait = self._options.default_timeout
                error = RpcError(StatusCode.UNAVAILABLE, f"no connection was ready within {wait:g} s")
        if error is None:
            error = RpcError(StatusCode.DEADLINE_EXCEEDED, "no response within the call's deadline")
        self.cancel(call, error)

    def _unreachable(self) -> RpcError | None:
        """Why no connection is ready, naming each endpoint's last failure; a
        refusal of the caller (UNAUTHENTICATED, ...) wins over UNAVAILABLE."""
        errors = list(self._last_errors.values())
        if not errors:
            return None
        code = next((e.code for e in errors if e.code != StatusCode.UNAVAILABLE), StatusCode.UNAVAILABLE)
        return RpcError(code, "; ".join(e.message for e in errors))

    def _finish(self, call: ChannelCall, response: Response) -> None:
        if call.finished:
            return
        call.finished = True
        self._calls.discard(call)
        for timer in (call.timer, call.retry_timer):
            if timer is not None:
                timer.cancel()
        call.timer = call.retry_timer = None
        if call.waiting:
            call.waiting = False
            self._waiting.remove(call)
        call.on_end(response)

    # Connections

    def _start_round(self) -> None:
        self._reconnect_timer = None
        if not self._closed and self._current is None and self._connect_task is None:
            self._connect_task = self._loop.create_task(self._connect_round())

    def _schedule_round(self, now: bool) -> None:
        """A new connection: at once, or after the connection backoff."""
        if self._closed or self._current is not None or self._connect_task is not None or self._reconnect_timer is not None:
            return
        if now:
            self._failed_rounds = 0
            self._start_round()
            return
        delay = self._options.connection_backoff.delay(self._failed_rounds)
        self._failed_rounds += 1
        self._reconnect_timer = self._loop.call_later(delay, self._start_round)

    async def _connect_round(self) -> None:
        connection = None
        for endpoint in self._endpoints:
            connection = await self._open(endpoint)
            if connection is not None:
                break
        self._connect_task = None
        if connection is None or not connection.is_usable:
            self._schedule_round(now=False)
            return
        self._current = connection
        self._last_errors.clear()
        self._stats.connects += 1
        waiting, self._waiting = self._waiting, []
        for call in waiting:
            call.waiting = False
            self._dispatch(call)

    async def _open(self, endpoint: Endpoint) -> Connection | None:
        options = self._options
        connection = Connection(
            self._loop, endpoint, options.token, options.keepalive, self._stats, options.max_response_bytes,
            self._draining, self._connection_closed,
        )
        tls = options.ssl_context
        self._live.add(connection)
        try:
            await asyncio.wait_for(
                self._loop.create_connection(
                    lambda: connection, endpoint.host, endpoint.port, ssl=tls,
                    server_hostname=(options.server_hostname or endpoint.host) if tls is not None else None,
                    ssl_handshake_timeout=options.connect_timeout if tls is not None else None,
                ),
                options.connect_timeout,
            )
        except asyncio.TimeoutError:
            reason = f"no connection within {options.connect_timeout:g} s"
        except OSError as error:
            reason = str(error) or type(error).__name__
        else:
            return connection
        self._live.discard(connection)
        self._last_errors[endpoint] = RpcError(StatusCode.UNAVAILABLE, f"cannot connect to {endpoint}: {reason}")
        return None

    def _draining(self, connection: Connection, error: RpcError, refused: bool) -> None:
        if connection is not self._current:
            return
        self._current = None
        if refused:
            self._last_errors[connection.endpoint] = error
        self._schedule_round(now=connection.answered and not refused)

    def _connection_closed(self, connection: Connection, error: RpcError) -> None:
        self._live.discard(connection)
        if connection is not self._current:
            return
        self._current = None
        self._last_errors[connection.endpoint] = error
        self._schedule_round(now=connection.answered)
