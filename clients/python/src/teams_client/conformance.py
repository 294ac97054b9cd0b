"""The conformance runner of clients/conformance/README.md, using only the public API.

    python -m teams_client.conformance SCENARIO [--server HOST:PORT]... [--token TOKEN]
        [--reader-token TOKEN] [--server-pid PID] [--restart-command 'SHELL COMMAND']

Exits 0 when every check passed; otherwise prints one ``FAIL SCENARIO: ...``
line per failed check on stderr and exits 1. An unknown scenario exits 2.
Every wait is bounded so that a scenario ends within 60 s.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from . import EventKind, Player, Position, RpcError, StatusCode, TeamsClient

CALL_TIMEOUT = 5.0
"""Seconds each call may take."""


class Checks:
    """The failed checks of one scenario."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def expect(self, condition: bool, what: str) -> None:
        if not condition:
            self.failures.append(what)

    def expect_status(self, what: str, codes: tuple[StatusCode, ...], call: Callable[[], object]) -> RpcError | None:
        """Runs ``call``, which must fail with one of ``codes`` and a non-empty message."""
        try:
            call()
        except RpcError as error:
            expected = " or ".join(f"{c.name} ({int(c)})" for c in codes)
            self.expect(error.code in codes, f"{what}: got {error}, expected {expected}")
            self.expect(bool(error.message), f"{what}: the error has no message")
            return error
        self.failures.append(f"{what}: succeeded, expected status {', '.join(str(int(c)) for c in codes)}")
        return None


def _client(args: argparse.Namespace, token: str | None = None) -> TeamsClient:
    return TeamsClient(args.server, token=token, default_timeout=CALL_TIMEOUT)


def create_get(args: argparse.Namespace, checks: Checks) -> None:
    marker = secrets.token_hex(6)
    with _client(args, args.token) as client:
        team = client.create_team(f"Conformance {marker}")
        checks.expect(team.version == 1 and team.players == (), f"CreateTeam returned {team}, expected version 1 and no players")
        fetched = client.get_team(team.id)
        checks.expect(fetched == team, f"GetTeam returned {fetched}, expected {team}")
        added = client.add_player(team.id, "Edwin", Position.GK)
        edwin = (Player("Edwin", Position.GK),)
        checks.expect(added.version == 2 and added.players == edwin, f"AddPlayer returned {added}, expected version 2 with Edwin (GK)")
        fetched = client.get_team(team.id)
        checks.expect(fetched == added, f"GetTeam after AddPlayer returned {fetched}, expected {added}")
        found = [t.id for t in client.search_teams(marker).teams]
        checks.expect(found == [team.id], f"SearchTeams {marker!r} found {found}, expected [{team.id!r}]")
        client.delete_team(team.id)
        checks.expect_status("GetTeam after DeleteTeam", (StatusCode.NOT_FOUND,), lambda: client.get_team(team.id))


def errors(args: argparse.Namespace, checks: Checks) -> None:
    with _client(args, args.token) as client:
        checks.expect_status("GetTeam of a missing id", (StatusCode.NOT_FOUND,), lambda: client.get_team("0" * 20))
        checks.expect_status("GetTeam 'not-an-id'", (StatusCode.INVALID_ARGUMENT,), lambda: client.get_team("not-an-id"))
        checks.expect_status("CreateTeam with an empty name", (StatusCode.INVALID_ARGUMENT,), lambda: client.create_team(""))
        team = client.create_team(f"Conformance {secrets.token_hex(6)}")
        client.rename_team(team.id, f"Conformance {secrets.token_hex(6)}", expected_version=1)
        checks.expect_status(
            "RenameTeam with a stale expected_version", (StatusCode.ABORTED,),
            lambda: client.rename_team(team.id, "Conformance stale", expected_version=1),
        )
        checks.expect_status("SearchTeams with page size 501", (StatusCode.INVALID_ARGUMENT,), lambda: client.search_teams(page_size=501))


def deadline(args: argparse.Namespace, checks: Checks) -> None:
    with _client(args, args.token) as client:
        client.check()
        start = time.monotonic()

        def watch() -> None:
            for event in client.watch_events(0, timeout=0.3):
                checks.failures.append(f"WatchEvents delivered {event} on a server where nothing changes")

        checks.expect_status("WatchEvents with a 300 ms deadline", (StatusCode.DEADLINE_EXCEEDED,), watch)
        elapsed = time.monotonic() - start
        checks.expect(0.25 <= elapsed <= 3.0, f"the watch ended after {elapsed:.3f} s, expected 0.25 to 3 s")
        client.create_team(f"Conformance {secrets.token_hex(6)}", timeout=5.0)
        connects = client.statistics().connects
        checks.expect(connects == 1, f"the client connected {connects} times, expected once (the connection survives)")


def drain(args: argparse.Namespace, checks: Checks) -> None:
    if args.server_pid is None or len(args.server) < 2:
        checks.failures.append("drain needs two --server and --server-pid")
        return
    lock = threading.Lock()
    outcomes: list[tuple[float, float, RpcError | None]] = []  # start, end, error
    with _client(args, args.token) as client:
        client.check()
        start = time.monotonic()
        stop_at = start + 3.0

        def loop(worker: int) -> None:
            n = 0
            while time.monotonic() < stop_at:
                began = time.monotonic()
                try:
                    client.create_team(f"Conformance drain {worker}-{n}")
                    error = None
                except RpcError as failure:
                    error = failure
                with lock:
                    outcomes.append((began, time.monotonic(), error))
                n += 1

        workers = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(8)]
        for worker in workers:
            worker.start()
        time.sleep(1.0)
        sigterm_at = time.monotonic()
        os.kill(args.server_pid, signal.SIGTERM)
        for worker in workers:
            worker.join(max(0.0, stop_at + 2 * CALL_TIMEOUT - time.monotonic()))
        checks.expect(not any(w.is_alive() for w in workers), "a CreateTeam loop did not finish")
    with lock:
        failed = [error for _, _, error in outcomes if error is not None]
        after = [1 for began, _, error in outcomes if error is None and began > sigterm_at]
    for error in failed[:5]:
        checks.failures.append(f"CreateTeam failed: {error}")
    checks.expect(len(failed) <= 5, f"... and {len(failed) - 5} more CreateTeam calls failed")
    checks.expect(bool(after), f"no CreateTeam started after the SIGTERM succeeded ({len(outcomes)} calls in all)")


def auth(args: argparse.Namespace, checks: Checks) -> None:
    if args.token is None or args.reader_token is None:
        checks.failures.append("auth needs --token and --reader-token")
        return
    name = f"Conformance {secrets.token_hex(6)}"
    with _client(args) as client:
        checks.expect_status("CreateTeam without a token", (StatusCode.UNAUTHENTICATED,), lambda: client.create_team(name))
        serving = client.check().serving
        checks.expect(serving, "Health/Check without a token: not serving")
    with _client(args, args.reader_token) as client:
        checks.expect_status("CreateTeam with the reader token", (StatusCode.PERMISSION_DENIED,), lambda: client.create_team(name))
        checks.expect_status("GetTeam of a missing id with the reader token", (StatusCode.NOT_FOUND,), lambda: client.get_team("0" * 20))
    with _client(args, args.token) as client:
        team = client.create_team(name)
        checks.expect(team.name == name, f"CreateTeam with the writer token returned {team}")
    with _client(args, "unknown-" + secrets.token_hex(16)) as client:
        error = checks.expect_status(
            "CreateTeam with an unknown token", (StatusCode.UNAUTHENTICATED, StatusCode.UNAVAILABLE), lambda: client.create_team(name)
        )
        if error is not None and error.code == StatusCode.UNAVAILABLE:
            checks.expect("token" in error.message, f"CreateTeam with an unknown token: {error} does not name the token")


def _process_gone(pid: int) -> bool:
    """Whether the process has exited (a zombie not yet reaped by its parent counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def _wait_gone(pid: int, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while not _process_gone(pid):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def _add_player_until_back(client: TeamsClient, team_id: str, name: str, until: float) -> RpcError | None:
    """AddPlayer, retried while the server is not back. ALREADY_EXISTS after an
    attempt whose outcome was unknown means that attempt ran. Returns the last
    error if the player could not be added by ``until``."""
    last_error = None
    while time.monotonic() < until:
        try:
            client.add_player(team_id, name, Position.DEF, timeout=min(CALL_TIMEOUT, max(0.1, until - time.monotonic())))
            return None
        except RpcError as error:
            if error.code == StatusCode.ALREADY_EXISTS and last_error is not None:
                return None
            if error.code not in (StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED):
                return error
            last_error = error
            time.sleep(0.1)
    return last_error


def watch_resume(args: argparse.Namespace, checks: Checks) -> None:
    if args.server_pid is None or args.restart_command is None:
        checks.failures.append("watch-resume needs --server-pid and --restart-command")
        return
    restarted_pid = None
    events = []
    arrived = threading.Condition()
    watch_error: list[BaseException] = []
    try:
        with _client(args, args.token) as client:
            team = client.create_team(f"Conformance {secrets.token_hex(6)}")
            client.add_player(team.id, "Edwin", Position.GK)
            client.add_player(team.id, "Frenkie", Position.MID)
            with client.watch_events(1) as stream:

                def read() -> None:
                    try:
                        for event in stream:
                            with arrived:
                                events.append(event)
                                arrived.notify_all()
                    except RpcError as error:
                        if error.code != StatusCode.CANCELLED:
                            watch_error.append(error)
                    with arrived:
                        arrived.notify_all()

                reader = threading.Thread(target=read, daemon=True)
                reader.start()
                with arrived:
                    arrived.wait_for(lambda: len(events) >= 3 or not reader.is_alive(), timeout=10)
                checks.expect(len(events) >= 3, f"the watch delivered {len(events)} events before the restart, expected 3")
                os.kill(args.server_pid, signal.SIGTERM)
                if not _wait_gone(args.server_pid, 10):
                    checks.failures.append(f"the server (pid {args.server_pid}) did not exit within 10 s of SIGTERM")
                    return
                restart = subprocess.run(
                    args.restart_command, shell=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, timeout=10
                )
                lines = restart.stdout.split()
                if restart.returncode != 0 or not lines or not lines[-1].isdigit():
                    checks.failures.append(f"the restart command exited {restart.returncode} printing {restart.stdout!r}")
                    return
                restarted_pid = int(lines[-1])
                until = time.monotonic() + 20
                for name in ("Matthijs", "Daley"):
                    error = _add_player_until_back(client, team.id, name, until)
                    checks.expect(error is None, f"AddPlayer {name} after the restart failed: {error}")
                with arrived:
                    arrived.wait_for(lambda: len(events) >= 5 or not reader.is_alive(), timeout=10)
            reader.join(5)
        sequences = [e.sequence for e in events]
        checks.expect(sequences == [1, 2, 3, 4, 5], f"the watch delivered sequences {sequences}, expected [1, 2, 3, 4, 5]")
        kinds = [e.kind for e in events]
        expected_kinds = [EventKind.TEAM_CREATED] + [EventKind.PLAYER_ADDED] * 4
        checks.expect(kinds == expected_kinds[: len(kinds)], f"the watch delivered kinds {kinds}")
        checks.expect(all(e.team_id == team.id for e in events), "the watch delivered events of another team")
        for failure in watch_error:
            checks.failures.append(f"the watch ended with {failure}")
    finally:
        if restarted_pid is not None and not _process_gone(restarted_pid):
            os.kill(restarted_pid, signal.SIGTERM)
            if not _wait_gone(restarted_pid, 10):
                os.kill(restarted_pid, signal.SIGKILL)


SCENARIOS: dict[str, Callable[[argparse.Namespace, Checks], None]] = {
    "create-get": create_get,
    "errors": errors,
    "deadline": deadline,
    "drain": drain,
    "auth": auth,
    "watch-resume": watch_resume,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teams_client.conformance", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--server", action="append", default=[], metavar="HOST:PORT")
    parser.add_argument("--token")
    parser.add_argument("--reader-token")
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--restart-command")
    args = parser.parse_args(argv)
    scenario = SCENARIOS.get(args.scenario)
    if scenario is None:
        print(f"unknown scenario {args.scenario!r}; known: {', '.join(SCENARIOS)}", file=sys.stderr)
        return 2
    if not args.server:
        args.server = ["127.0.0.1:7070"]
    checks = Checks()
    try:
        scenario(args, checks)
    except (RpcError, OSError, subprocess.SubprocessError) as error:
        checks.failures.append(f"unexpected error: {error}")
    for failure in checks.failures:
        print(f"FAIL {args.scenario}: {failure}", file=sys.stderr)
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
