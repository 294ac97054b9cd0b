"""What the tests share: real teams-servers on free ports of 127.0.0.1, a
tokens file, certificates made with the openssl CLI, bounded waiting, and a
scripted peer that sends a GOAWAY.

The server binary comes from TEAMS_SERVER_BINARY (clients/python/test.sh sets it).
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest
from collections.abc import Callable
from pathlib import Path

from teams_client import Backoff

FAST_BACKOFF = Backoff(initial=0.05, multiplier=1.6, jitter=0.2, maximum=0.5)
"""Reconnect backoff for tests, so that a restarted server is found quickly."""


def server_binary() -> str:
    binary = os.environ.get("TEAMS_SERVER_BINARY")
    if not binary:
        raise unittest.SkipTest("set TEAMS_SERVER_BINARY to the teams-server to test against")
    return os.path.abspath(binary) if os.sep in binary else binary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Polls ``condition`` until it holds; raises AssertionError after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.02)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


class ServerProcess:
    """A teams-server with ``flags`` on a free port (or ``port``), started at
    once and waited for until it accepts connections (at most 15 s)."""

    def __init__(self, *flags: str, port: int | None = None) -> None:
        self.flags = list(flags)
        self.port = port or free_port()
        self.address = f"127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile()
        self._start()

    def _start(self) -> None:
        self.process = subprocess.Popen(
            [server_binary(), *self.flags, "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
        )
        end = time.monotonic() + 15
        while not listening(self.port):
            if self.process.poll() is not None or time.monotonic() > end:
                self.stop()
                raise RuntimeError(f"teams-server {' '.join(self.flags)} did not start:\n{self.log()}")
            time.sleep(0.02)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM (a drain) and wait for the exit; returns the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def restart(self) -> None:
        """Drains the server and starts it again: same flags, same port."""
        self.terminate()
        self._start()

    def pause(self) -> None:
        """SIGSTOP: the server holds its connections but answers nothing."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


def write_tokens(folder: Path, callers: dict[str, tuple[str, str]]) -> Path:
    """A tokens file: ``callers`` maps a name to (role, token); the file holds each token's SHA-256."""
    path = folder / "tokens"
    path.write_text("".join(f"{name} {role} {hashlib.sha256(token.encode()).hexdigest()}\n" for name, (role, token) in callers.items()))
    path.chmod(0o600)
    return path


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=30)


def make_certificates(folder: Path) -> None:
    """In ``folder``: ca.pem (a CA), server.pem/server.key (for IP 127.0.0.1 and
    localhost), client.pem/client.key (common name client-1), and other-ca.pem,
    a CA that signed none of them. EC P-256 keys, valid for a day."""
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for ca in ("ca", "other-ca"):
        _openssl(folder, "req", "-x509", *key, "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", "1",
                 "-subj", f"/CN=teams test {ca}", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    leaves = {
        "server": ("/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"),
        "client": ("/CN=client-1", "extendedKeyUsage=clientAuth\n"),
    }
    for name, (subject, extensions) in leaves.items():
        (folder / f"{name}.ext").write_text(
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n" + extensions
        )
        _openssl(folder, "req", *key, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
        _openssl(folder, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.pem", "-days", "1", "-extfile", f"{name}.ext")


class GoAwayPeer:
    """A fake server for exactly one connection: it reads the first REQUEST,
    answers GOAWAY UNAVAILABLE naming ``last_call_id`` ("accepted" means that
    request's id, else 0), then closes the connection and stops listening, so
    that the client's next connection goes to its next endpoint."""

    def __init__(self, accepted: bool) -> None:
        self._accepted = accepted
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(10)
        self.address = f"127.0.0.1:{self._listener.getsockname()[1]}"
        self.call_ids: list[int] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            connection, _ = self._listener.accept()
        finally:
            self._listener.close()
        with connection:
            connection.settimeout(10)
            length, frame_type, _, call_id = struct.unpack(">IBBI", self._read(connection, 10))
            self._read(connection, length - 6)
            assert frame_type == 1, f"the first frame is of type {frame_type}, not a REQUEST"
            self.call_ids.append(call_id)
            message = b"the test peer is going away"
            body = struct.pack(">BIH", 14, call_id if self._accepted else 0, len(message)) + message
            connection.sendall(struct.pack(">IBBI", 6 + len(body), 5, 0, 0) + body)

    @staticmethod
    def _read(connection: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = connection.recv(n - len(data))
            if not chunk:
                raise ConnectionError("the client closed the connection")
            data += chunk
        return data

    def close(self) -> None:
        self._thread.join(10)
        self._listener.close()
