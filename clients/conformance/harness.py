#!/usr/bin/env python3
"""Runs every conformance scenario of README.md with every runner, each against
servers of its own, and prints one PASS/FAIL line per runner and scenario.

Usage: clients/conformance/run.sh SERVER_BINARY RUNNER...   (run.sh runs this file)

Each (scenario, runner) pair gets a fresh temporary folder and fresh servers
on free ports of 127.0.0.1. Servers are stopped after the pair has run, those
a restart command started included; anything left is killed on exit, also on
SIGINT or SIGTERM. Exits 1 when any pair failed, 2 on bad usage.
Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SCENARIOS = ("create-get", "errors", "deadline", "drain", "auth", "watch-resume")
RUNNER_TIMEOUT = 90.0
"""Seconds a runner may take (README: it finishes within 60 s)."""
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def is_gone(pid: int) -> bool:
    """Whether the process has exited (a zombie counts as exited)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text(errors="replace").rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def stop_pid(pid: int) -> None:
    """SIGTERM, then SIGKILL if the process is still there after STOP_TIMEOUT."""
    for sig, grace in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 2.0)):
        if is_gone(pid):
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        end = time.monotonic() + grace
        while time.monotonic() < end and not is_gone(pid):
            time.sleep(0.05)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    flags: list[str]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Servers:
    """The servers of one (scenario, runner) pair, in ``folder``; all logs go to folder/server.log."""

    binary: str
    folder: Path
    started: list[Server] = field(default_factory=list)

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    @property
    def restarted_pids(self) -> Path:
        return self.folder / "restarted.pids"

    def start(self, *flags: str) -> Server:
        """A server on a free port, once it accepts connections; raises RuntimeError if it does not."""
        port = free_port()
        argv = [self.binary, *flags, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        with open(self.log, "ab") as log:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        server = Server(process, port, list(flags))
        self.started.append(server)
        # Reap it as soon as it exits, so that a runner waiting for it to go sees it gone.
        threading.Thread(target=process.wait, daemon=True).start()
        end = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server {' '.join(flags)} exited with {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                return server
            except OSError:
                if time.monotonic() > end:
                    raise RuntimeError(f"the server {' '.join(flags)} did not listen on port {port} within {START_TIMEOUT:g} s")
                time.sleep(0.05)

    def restart_command(self, server: Server) -> str:
        """A shell command that starts ``server`` again (same flags, same port) in
        the background and prints the new pid, which it also records for stop_all."""
        argv = [self.binary, *server.flags, "--host", "127.0.0.1", "--port", str(server.port), "--log-level", "warning"]
        script = self.folder / "restart.sh"
        script.write_text(
            "#!/bin/sh\n"
            f"{shlex.join(argv)} </dev/null >>{shlex.quote(str(self.log))} 2>&1 &\n"
            f"echo $! >>{shlex.quote(str(self.restarted_pids))}\n"
            "echo $!\n"
        )
        script.chmod(0o700)
        return f"sh {shlex.quote(str(script))}"

    def stop_all(self) -> None:
        pids = [s.process.pid for s in self.started if s.process.poll() is None]
        if self.restarted_pids.exists():
            pids += [int(p) for p in self.restarted_pids.read_text().split() if p.isdigit()]
        for pid in pids:
            stop_pid(pid)
        for server in self.started:
            try:
                server.process.wait(1)
            except subprocess.TimeoutExpired:
                pass


def tokens_file(folder: Path) -> tuple[Path, str, str]:
    """A tokens file naming a writer and a reader (sha256 of each token); returns it and the two tokens."""
    writer, reader = secrets.token_hex(16), secrets.token_hex(16)
    path = folder / "tokens"
    path.write_text(
        f"writer-1 writer {hashlib.sha256(writer.encode()).hexdigest()}\n"
        f"reader-1 reader {hashlib.sha256(reader.encode()).hexdigest()}\n"
    )
    path.chmod(0o600)
    return path, writer, reader


def prepare(scenario: str, servers: Servers) -> list[str]:
    """Starts the servers ``scenario`` needs; returns the runner's arguments after the scenario."""
    if scenario == "drain":
        a, b = servers.start("--store", "memory"), servers.start("--store", "memory")
        return ["--server", a.address, "--server", b.address, "--server-pid", str(a.process.pid)]
    if scenario == "auth":
        path, writer, reader = tokens_file(servers.folder)
        server = servers.start("--store", "memory", "--auth-tokens", str(path))
        return ["--server", server.address, "--token", writer, "--reader-token", reader]
    if scenario == "watch-resume":
        server = servers.start("--store", f"sqlite:{servers.folder / 'teams.sqlite'}")
        return ["--server", server.address, "--server-pid", str(server.process.pid),
                "--restart-command", servers.restart_command(server)]
    server = servers.start("--store", "memory")
    return ["--server", server.address]


def run_runner(runner: str, arguments: list[str]) -> tuple[int | None, str]:
    """Runs the runner's command line with ``arguments``; returns its exit code
    (None if it overran RUNNER_TIMEOUT and was killed) and its output."""
    command = f"{runner} {shlex.join(arguments)}"
    process = subprocess.Popen(
        ["bash", "-c", command], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, text=True,
    )
    try:
        output, _ = process.communicate(timeout=RUNNER_TIMEOUT)
        return process.returncode, output
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return None, output + f"\n(killed after {RUNNER_TIMEOUT:g} s)"
    finally:
        try:  # anything the runner left in its process group
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run_pair(binary: str, scenario: str, runner: str) -> bool:
    with tempfile.TemporaryDirectory(prefix=f"teams-conformance-{scenario}-") as tmp:
        servers = Servers(binary, Path(tmp))
        start = time.monotonic()
        try:
            code, output = run_runner(runner, [scenario, *prepare(scenario, servers)])
        except RuntimeError as error:
            code, output = 1, f"harness: {error}"
        finally:
            servers.stop_all()
        elapsed = time.monotonic() - start
        passed = code == 0
        print(f"{'PASS' if passed else 'FAIL'}  {scenario:<13} {runner}  ({elapsed:.1f} s)", flush=True)
        if not passed:
            detail = output.rstrip() + (f"\n(exit code {code})" if code is not None else "")
            if servers.log.exists() and servers.log.stat().st_size:
                detail += "\nserver log:\n" + servers.log.read_text(errors="replace")[-4000:].rstrip()
            print("    " + detail.replace("\n", "\n    "), flush=True)
        return passed


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: clients/conformance/run.sh SERVER_BINARY RUNNER...", file=sys.stderr)
        return 2
    binary = os.path.abspath(argv[0]) if os.sep in argv[0] else argv[0]
    runners = argv[1:]
    # SIGTERM unwinds like Ctrl-C, so that the servers of the pair under way are stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    failed = 0
    try:
        for scenario in SCENARIOS:
            for runner in runners:
                failed += not run_pair(binary, scenario, runner)
    except KeyboardInterrupt:
        print("interrupted; the servers were stopped", file=sys.stderr)
        return 130
    total = len(SCENARIOS) * len(runners)
    print(f"{total - failed} of {total} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
