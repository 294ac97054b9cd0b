"""EventStream: WatchEvents as an iterator that resumes where it left off."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from . import _messages
from ._frames import Response
from ._protobuf import DecodeError
from .models import Event
from .policy import Backoff
from .status import RpcError, StatusCode

StartWatch = Callable[[int, Callable[[bytes], None], Callable[[Response], None]], Any]
"""Starts one WatchEvents call from a sequence, with its message and end
listeners (called on the I/O thread); returns a handle for CancelWatch."""
CancelWatch = Callable[[Any], None]

_CANCELLED = Response(StatusCode.CANCELLED, "the watch was cancelled")


class EventStream:
    """The events of ``TeamsClient.watch_events``: stored ones from the first
    sequence asked for, then live ones as they are stored, for as long as the
    caller iterates. Iterate from one thread; ``cancel()`` from any.

    **Resuming.** When the stream ends UNAVAILABLE (the server drained or went
    away, the connection was lost, no server could be reached) it is called
    again from the last sequence received + 1, on whatever connection the
    client has by then, so every event is delivered once and in order, with
    no gaps. Attempts that deliver no event before ending UNAVAILABLE are
    spaced by the retry backoff; after ``max_attempts`` of them in a row the
    UNAVAILABLE is raised.
    Asked from sequence 0 ("only new events"), a stream lost before its first
    event resumes from 0 again, so events stored meanwhile are not delivered.

    **Ending.** Any other status is raised as :class:`RpcError`: DEADLINE_EXCEEDED
    when the ``timeout`` given to ``watch_events`` (for the whole watch,
    resumes included) passes; CANCELLED after ``cancel()``; OUT_OF_RANGE for a
    sequence older than the server keeps. After the error, iteration stops.
    Events are buffered in memory until read.
    """

    def __init__(
        self,
        from_sequence: int,
        start: StartWatch,
        cancel: CancelWatch,
        *,
        resume: bool,
        max_attempts: int,
        backoff: Backoff,
    ) -> None:
        self._from_sequence = from_sequence
        self._start = start
        self._cancel = cancel
        self._resume = resume
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._queue: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._last_sequence: int | None = None
        self._fruitless = 0
        self._attempt_delivered = False
        self._done = False
        self._call = self._start_attempt(from_sequence)

    @property
    def last_sequence(self) -> int | None:
        """The sequence of the last event delivered, None before the first."""
        return self._last_sequence

    def cancel(self) -> None:
        """Ends the watch: the server is sent CANCEL, and iteration raises CANCELLED."""
        with self._lock:
            self._cancelled.set()
            call = self._call
        self._cancel(call)

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cancel()

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> Event:
        while not self._done:
            is_message, item = self._queue.get()
            if is_message:
                event = self._decode(item)
                if self._last_sequence is not None and event.sequence <= self._last_sequence:
                    continue  # delivered before the stream resumed
                self._last_sequence = event.sequence
                self._attempt_delivered = True
                return event
            ended: Response = item
            if self._resume and ended.status == StatusCode.UNAVAILABLE:
                self._fruitless = 0 if self._attempt_delivered else self._fruitless + 1
                if self._fruitless < self._max_attempts:
                    delay = self._backoff.delay(self._fruitless - 1) if self._fruitless else 0.0
                    if not self._cancelled.wait(delay) and self._resume_stream():
                        continue
                    ended = _CANCELLED
            self._done = True
            if ended.status != StatusCode.OK:
                raise RpcError(ended.status, ended.message, ended.metadata)
        raise StopIteration

    def _resume_stream(self) -> bool:
        """Starts the next attempt; False if the watch was cancelled meanwhile."""
        sequence = self._from_sequence if self._last_sequence is None else self._last_sequence + 1
        with self._lock:
            if self._cancelled.is_set():
                return False
            try:
                self._call = self._start_attempt(sequence)
            except RpcError:  # the client was closed
                self._done = True
                raise
        self._attempt_delivered = False
        return True

    def _start_attempt(self, sequence: int) -> Any:
        return self._start(
            sequence,
            lambda body: self._queue.put((True, body)),
            lambda response: self._queue.put((False, response)),
        )

    def _decode(self, body: bytes) -> Event:
        try:
            return _messages.team_event(body)
        except DecodeError as error:
            self._done = True
            self.cancel()
            raise RpcError(StatusCode.INTERNAL, f"a WatchEvents message does not decode: {error}") from error
