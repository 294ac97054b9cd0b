"""TeamsClient: the typed, synchronous, thread-safe client of TeamService and Health."""

from __future__ import annotations

import asyncio
import secrets
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from typing import TypeVar, Union

from . import _frames, _messages
from ._channel import Channel, ChannelCall, ChannelOptions
from ._connection import Endpoint
from ._frames import Response
from ._messages import Method
from ._protobuf import DecodeError
from .context import CallContext
from .models import ClientStatistics, HealthStatus, MethodInfo, Position, SearchPage, Team
from .policy import CONNECTION_BACKOFF, RETRY_BACKOFF, Backoff, Keepalive
from .status import RpcError, StatusCode
from .watch import EventStream

T = TypeVar("T")
MetadataArg = Union[Mapping[str, str], Iterable[tuple[str, str]], None]
"""Request metadata: a mapping, or (key, value) pairs (a key may repeat); None sends none."""

_CANCELLED = RpcError(StatusCode.CANCELLED, "cancelled by the caller")
"""How calls cancelled in flight end (the status and message they get)."""


class TeamsClient:
    """A client of one TeamService deployment, reached at one or more endpoints.

    **Threads.** The API is synchronous and thread-safe: share one client
    between threads, and their calls are multiplexed on one connection. The
    client runs one I/O thread of its own (an asyncio event loop) that owns the
    sockets, timers and protocol state, so callers never touch a socket; a
    call blocks its caller until the call ends. ``close()`` (or ``with``)
    stops the thread.

    **Connections.** The client connects to the first endpoint, in order, that
    accepts, sends every call there, and fails over to the next on loss or
    GOAWAY; endpoints that cannot be reached are tried again with ``connection_backoff``
    (1 s, x1.6, ±20 %, at most 120 s). Every connection, reconnects included,
    starts with an AUTH frame carrying ``token`` when one is given. With ``tls``
    (see :func:`teams_client.tls_context`) connections use TLS; the server's
    certificate must name the endpoint's host, or ``tls_server_name``.
    ``connect_timeout`` bounds each connection attempt, TLS handshake included.
    ``keepalive`` PINGs a connection on which nothing was read for a while and
    drops it when no PONG comes (None turns it off). A response frame longer
    than ``max_response_bytes`` (4 MiB, the server's own request limit) is not
    buffered: the connection is dropped and the calls it carried fail
    RESOURCE_EXHAUSTED.

    **Calls.** Every method raises :class:`RpcError` for a call that does not
    end OK. ``timeout`` (seconds) is sent to the server and kept on the
    client's clock; without it a unary call gets ``default_timeout``, kept by
    the client alone. ``metadata`` is sent with the request;
    ``context=CallContext()`` lets another thread cancel the call and holds the
    response's metadata. While no connection is ready a call waits for one,
    until its deadline; then it fails UNAVAILABLE naming each endpoint's last
    failure (UNAUTHENTICATED if the server refused the token). Calls the server never ran (above a GOAWAY's last call
    id, or never written) are sent again on the next connection, whatever the
    method. Calls ending UNAVAILABLE are retried (``max_attempts`` in all,
    ``retry_backoff`` between, within gRPC's retry budget) only when running
    them twice is harmless: GetTeam, SearchTeams, Check, ListMethods, and
    CreateTeam with an idempotency key. With ``max_attempts`` > 1 every
    CreateTeam without a key is given a random one, so that it can be retried
    too; other mutations whose outcome is unknown fail UNAVAILABLE.
    """

    def __init__(
        self,
        endpoints: str | Sequence[str],
        *,
        token: str | bytes | None = None,
        tls: ssl.SSLContext | None = None,
        tls_server_name: str | None = None,
        default_timeout: float = 30.0,
        connect_timeout: float = 20.0,
        keepalive: Keepalive | None = Keepalive(),
        max_response_bytes: int = 4 * 1024 * 1024,
        max_attempts: int = 5,
        connection_backoff: Backoff = CONNECTION_BACKOFF,
        retry_backoff: Backoff = RETRY_BACKOFF,
    ) -> None:
        """Starts connecting at once, in the background; raises ValueError for
        no endpoint or a malformed one (``HOST:PORT``), a token not of 1 to 1024
        bytes, a non-positive timeout or attempt count, or ``max_response_bytes``
        below 1024."""
        parsed = [Endpoint.parse(e) for e in ([endpoints] if isinstance(endpoints, str) else endpoints)]
        if not parsed:
            raise ValueError("a client needs at least one endpoint")
        token_bytes = token.encode("utf-8") if isinstance(token, str) else token
        if token_bytes is not None and not 1 <= len(token_bytes) <= _frames.MAX_TOKEN_BYTES:
            raise ValueError(f"a token is 1 to {_frames.MAX_TOKEN_BYTES} bytes")
        if default_timeout <= 0 or connect_timeout <= 0 or max_attempts < 1 or max_response_bytes < 1024:
            raise ValueError("timeouts must be positive, max_attempts at least 1 and max_response_bytes at least 1024")
        self._default_timeout = default_timeout
        self._max_attempts = max_attempts
        self._retry_backoff = retry_backoff
        self._fills_idempotency_keys = max_attempts > 1
        self._loop = asyncio.new_event_loop()
        self._channel = Channel(
            self._loop,
            parsed,
            ChannelOptions(
                token=token_bytes,
                ssl_context=tls,
                server_hostname=tls_server_name,
                connect_timeout=connect_timeout,
                keepalive=keepalive,
                max_response_bytes=max_response_bytes,
                default_timeout=default_timeout,
                max_attempts=max_attempts,
                connection_backoff=connection_backoff,
                retry_backoff=retry_backoff,
            ),
        )
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._loop.run_forever, name="teams-client-io", daemon=True)
        self._thread.start()
        self._loop.call_soon_threadsafe(self._channel.open)

    def close(self) -> None:
        """Closes every connection and stops the I/O thread; calls still in
        flight end UNAVAILABLE, and later calls fail UNAVAILABLE. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        asyncio.run_coroutine_threadsafe(self._channel.close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> TeamsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def statistics(self) -> ClientStatistics:
        """A snapshot of the client's connects, retries and keepalive counters;
        raises RpcError UNAVAILABLE once the client is closed."""
        future: Future[ClientStatistics] = Future()
        if not self._run_on_loop(lambda: future.set_result(self._channel.statistics())):
            raise RpcError(StatusCode.UNAVAILABLE, "the client was closed")
        return future.result()

    # TeamService

    def create_team(
        self,
        name: str,
        *,
        idempotency_key: str = "",
        timeout: float | None = None,
        metadata: MetadataArg = None,
        context: CallContext | None = None,
    ) -> Team:
        """Creates a team (version 1, no players). A retry with the same
        ``idempotency_key`` within 24 hours returns the first call's team and
        creates nothing; without one, the client picks a key when it retries calls."""
        if not idempotency_key and self._fills_idempotency_keys:
            idempotency_key = secrets.token_hex(16)
        payload = _messages.create_team_request(name, idempotency_key)
        return self._unary(
            _messages.CREATE_TEAM, payload, _messages.team_response, timeout, metadata, context,
            idempotent=bool(idempotency_key),
        )

    def get_team(
        self, team_id: str, *, timeout: float | None = None, metadata: MetadataArg = None, context: CallContext | None = None
    ) -> Team:
        """The team with this id; NOT_FOUND if there is none, INVALID_ARGUMENT for a malformed id."""
        payload = _messages.get_team_request(team_id)
        return self._unary(_messages.GET_TEAM, payload, _messages.team_response, timeout, metadata, context)

    def rename_team(
        self,
        team_id: str,
        name: str,
        *,
        expected_version: int = 0,
        timeout: float | None = None,
        metadata: MetadataArg = None,
        context: CallContext | None = None,
    ) -> Team:
        """Renames a team; a non-zero ``expected_version`` that is not the team's fails ABORTED."""
        payload = _messages.rename_team_request(team_id, name, expected_version)
        return self._unary(_messages.RENAME_TEAM, payload, _messages.team_response, timeout, metadata, context)

    def delete_team(
        self,
        team_id: str,
        *,
        expected_version: int = 0,
        timeout: float | None = None,
        metadata: MetadataArg = None,
        context: CallContext | None = None,
    ) -> None:
        """Deletes a team; a non-zero ``expected_version`` that is not the team's fails ABORTED."""
        payload = _messages.delete_team_request(team_id, expected_version)
        self._unary(_messages.DELETE_TEAM, payload, _messages.empty_response, timeout, metadata, context)

    def add_player(
        self,
        team_id: str,
        name: str,
        position: Position | int,
        *,
        expected_version: int = 0,
        timeout: float | None = None,
        metadata: MetadataArg = None,
        context: CallContext | None = None,
    ) -> Team:
        """Adds a player; ALREADY_EXISTS if the name (ignoring case) is taken in
        the team, FAILED_PRECONDITION if the squad holds 100 players."""
        payload = _messages.player_change_request(team_id, name, position, expected_version)
        return self._unary(_messages.ADD_PLAYER, payload, _messages.team_response, timeout, metadata, context)

    def remove_player(
        self,
        team_id: str,
        name: str,
        position: Position | int,
        *,
        expected_version: int = 0,
        timeout: float | None = None,
        metadata: MetadataArg = None,
        context: CallContext | None = None,
    ) -> Team:
        """Removes the player whose name (ignoring case) and position match; NOT_FOUND if none does."""
        payload = _messages.player_change_request(team_id, name, position, expected_version)
        return self._unary(_messages.REMOVE_PLAYER, payload, _messages.team_response, timeout, metadata, context)

    def search_teams(
        self,
        term: str = "",
        *,
        page_size: int = 0,
        page_token: str = "",
        timeout: float | None = None,
        metadata: MetadataArg = None,
        context: CallContext | None = None,
    ) -> SearchPage:
        """One page of the teams whose name holds ``term`` (ignoring case; "" matches
        all), by lower-cased name then id. ``page_size`` 0 means 50, at most 500."""
        payload = _messages.search_teams_request(term, page_size, page_token)
        return self._unary(_messages.SEARCH_TEAMS, payload, _messages.search_teams_response, timeout, metadata, context)

    def watch_events(
        self, from_sequence: int = 0, *, timeout: float | None = None, metadata: MetadataArg = None, resume: bool = True
    ) -> EventStream:
        """The stored events from ``from_sequence`` on, then live ones (0: only
        live ones), as an iterator; see :class:`EventStream`. ``timeout`` bounds
        the whole watch; ``resume=False`` ends the stream at the first error
        instead of resuming it after UNAVAILABLE."""
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        encoded_metadata = _encode_metadata(metadata)

        def start(sequence: int, on_message: Callable[[bytes], None], on_end: Callable[[Response], None]) -> ChannelCall:
            call = ChannelCall(
                _messages.WATCH_EVENTS.path, _messages.watch_events_request(sequence), encoded_metadata,
                deadline, deadline is not None, True, on_message, on_end,
            )
            self._start(call)
            return call

        return EventStream(
            from_sequence, start, self._cancel_call,
            resume=resume, max_attempts=self._max_attempts, backoff=self._retry_backoff,
        )

    # Health

    def check(
        self, *, timeout: float | None = None, metadata: MetadataArg = None, context: CallContext | None = None
    ) -> HealthStatus:
        """Whether the server is serving, and its kind of store; needs no credentials."""
        return self._unary(_messages.CHECK, b"", _messages.check_response, timeout, metadata, context)

    def list_methods(
        self, *, timeout: float | None = None, metadata: MetadataArg = None, context: CallContext | None = None
    ) -> list[MethodInfo]:
        """The methods the server implements (writers only, on a server that authenticates)."""
        return self._unary(_messages.LIST_METHODS, b"", _messages.list_methods_response, timeout, metadata, context)

    # Calls

    def _unary(
        self,
        method: Method,
        payload: bytes,
        decode: Callable[[bytes], T],
        timeout: float | None,
        metadata: MetadataArg,
        context: CallContext | None,
        idempotent: bool | None = None,
    ) -> T:
        """Runs one unary call and decodes its response; raises RpcError."""
        now = time.monotonic()
        deadline = now + (self._default_timeout if timeout is None else max(0.0, timeout))
        done: Future[Response] = Future()
        call = ChannelCall(
            method.path, payload, _encode_metadata(metadata), deadline, timeout is not None,
            method.idempotent if idempotent is None else idempotent, None, done.set_result,
        )
        if context is not None and not context._bind(lambda: self._cancel_call(call)):
            raise RpcError(StatusCode.CANCELLED, "cancelled before the call started")
        self._start(call)
        try:
            response = done.result()
        except BaseException:  # interrupted while waiting: the call is abandoned
            self._cancel_call(call)
            raise
        if context is not None:
            context.response_metadata = response.metadata
        if response.status != StatusCode.OK:
            raise RpcError(response.status, response.message, response.metadata)
        try:
            return decode(response.payload)
        except DecodeError as error:
            raise RpcError(StatusCode.INTERNAL, f"the response does not decode: {error}", response.metadata) from error

    def _start(self, call: ChannelCall) -> None:
        if not self._run_on_loop(lambda: self._channel.start(call)):
            raise RpcError(StatusCode.UNAVAILABLE, "the client was closed")

    def _cancel_call(self, call: ChannelCall) -> None:
        self._run_on_loop(lambda: self._channel.cancel(call, _CANCELLED))

    def _run_on_loop(self, function: Callable[[], None]) -> bool:
        """Runs ``function`` on the I/O thread, unless the client is closed (False).
        Work handed over before ``close()`` runs before the channel closes."""
        with self._lock:
            if self._closed:
                return False
            self._loop.call_soon_threadsafe(function)
            return True


def _encode_metadata(metadata: MetadataArg) -> bytes | None:
    if metadata is None:
        return None
    pairs = list(metadata.items()) if isinstance(metadata, Mapping) else list(metadata)
    encoded = _frames.encode_metadata(pairs)
    if len(encoded) > 0xFFFF:
        raise ValueError("request metadata is at most 65535 bytes encoded")
    return encoded
