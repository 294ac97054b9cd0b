"""CallContext: cancel a call from another thread, and read its response metadata."""

from __future__ import annotations

import threading
from collections.abc import Callable

from .status import Metadata


class CallContext:
    """Serves one unary call, passed as ``context=``; thread-safe.

    ``cancel()`` from any thread ends the call at once with CANCELLED (the
    server is sent CANCEL and stops its work); cancelling before the call
    starts makes it fail CANCELLED without being sent. Once the call has
    ended, ``response_metadata`` holds the metadata of its response (also on
    errors, where ``RpcError.metadata`` has it too).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._cancel_call: Callable[[], None] | None = None
        self._used = False
        self.response_metadata: Metadata = ()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            cancel_call = self._cancel_call
        if cancel_call is not None:
            cancel_call()

    def _bind(self, cancel_call: Callable[[], None]) -> bool:
        """Ties the context to its call; False if it was cancelled already.
        Raises ValueError if it already served a call."""
        with self._lock:
            if self._used:
                raise ValueError("a CallContext serves one call")
            self._used = True
            if self._cancelled:
                return False
            self._cancel_call = cancel_call
            return True
