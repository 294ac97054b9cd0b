"""Calls against one real server: results, errors, metadata, deadlines,
cancellation, and many threads sharing one connection."""

from __future__ import annotations

import secrets
import threading
import time
import unittest

from support import ServerProcess

from teams_client import CallContext, EventKind, Player, Position, RpcError, StatusCode, TeamsClient

MISSING_ID = "0" * 20


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(5)}"


class CallsTest(unittest.TestCase):
    server: ServerProcess
    client: TeamsClient

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = ServerProcess("--store", "memory")
        cls.client = TeamsClient(cls.server.address, default_timeout=10)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()
        cls.server.stop()

    def assertStatus(self, code: StatusCode, call, *args, **kwargs) -> RpcError:
        with self.assertRaises(RpcError) as caught:
            call(*args, **kwargs)
        self.assertEqual(caught.exception.code, code, caught.exception)
        self.assertTrue(caught.exception.message)
        return caught.exception

    def test_team_lifecycle(self) -> None:
        client = self.client
        name = unique("Ajax")
        team = client.create_team(name)
        self.assertEqual((team.name, team.players, team.version), (name, (), 1))
        self.assertRegex(team.id, r"^[0-9a-v]{20}$")
        self.assertEqual(client.get_team(team.id), team)
        team = client.add_player(team.id, "Edwin", Position.GK)
        team = client.add_player(team.id, "Frenkie", Position.MID, expected_version=2)
        self.assertEqual(team.players, (Player("Edwin", Position.GK), Player("Frenkie", Position.MID)))
        self.assertEqual(team.version, 3)
        team = client.remove_player(team.id, "edwin", Position.GK)
        self.assertEqual((team.players, team.version), ((Player("Frenkie", Position.MID),), 4))
        team = client.rename_team(team.id, name + " Amsterdam", expected_version=4)
        self.assertEqual((team.name, team.version), (name + " Amsterdam", 5))
        self.assertEqual(client.get_team(team.id), team)
        self.assertIsNone(client.delete_team(team.id, expected_version=5))
        self.assertStatus(StatusCode.NOT_FOUND, client.get_team, team.id)

    def test_errors(self) -> None:
        client = self.client
        self.assertStatus(StatusCode.NOT_FOUND, client.get_team, MISSING_ID)
        self.assertStatus(StatusCode.INVALID_ARGUMENT, client.get_team, "not-an-id")
        self.assertStatus(StatusCode.INVALID_ARGUMENT, client.create_team, "   ")
        team = client.create_team(unique("Errors"))
        self.assertStatus(StatusCode.ABORTED, client.rename_team, team.id, "Stale", expected_version=7)
        self.assertStatus(StatusCode.INVALID_ARGUMENT, client.add_player, team.id, "Nobody", Position.UNSPECIFIED)
        client.add_player(team.id, "Edwin", Position.GK)
        self.assertStatus(StatusCode.ALREADY_EXISTS, client.add_player, team.id, "EDWIN", Position.DEF)
        self.assertStatus(StatusCode.NOT_FOUND, client.remove_player, team.id, "Edwin", Position.ST)
        self.assertStatus(StatusCode.INVALID_ARGUMENT, client.search_teams, page_size=501)
        error = self.assertStatus(StatusCode.INVALID_ARGUMENT, client.search_teams, page_token="not a token")
        self.assertIn("INVALID_ARGUMENT (3)", str(error))

    def test_search_pages(self) -> None:
        marker = secrets.token_hex(5)
        created = {self.client.create_team(f"Search {marker} {i}").id for i in range(5)}
        seen, token = [], ""
        for _ in range(5):
            page = self.client.search_teams(marker, page_size=2, page_token=token)
            seen += [t.id for t in page.teams]
            token = page.next_page_token
            if not token:
                break
        self.assertEqual(len(seen), 5)
        self.assertEqual(set(seen), created)

    def test_idempotency_key_returns_the_first_team(self) -> None:
        key = secrets.token_hex(8)
        first = self.client.create_team(unique("Once"), idempotency_key=key)
        self.assertEqual(self.client.create_team(unique("Twice"), idempotency_key=key), first)

    def test_health(self) -> None:
        status = self.client.check()
        self.assertTrue(status.serving)
        self.assertEqual(status.store, "memory")
        methods = {m.name: m.server_streaming for m in self.client.list_methods()}
        self.assertTrue(methods["/teams.v1.TeamService/WatchEvents"])
        self.assertFalse(methods["/teams.v1.TeamService/GetTeam"])
        self.assertIn("/teams.v1.Health/Check", methods)

    def test_metadata_both_ways(self) -> None:
        context = CallContext()
        self.client.check(metadata={"request-id": "req-1", "other": "ignored"}, context=context)
        self.assertEqual(context.response_metadata, (("request-id", "req-1"),))
        error = self.assertStatus(StatusCode.NOT_FOUND, self.client.get_team, MISSING_ID, metadata=[("request-id", "req-2")])
        self.assertEqual(error.metadata, (("request-id", "req-2"),))
        context = CallContext()
        self.client.check(context=context)
        self.assertEqual(context.response_metadata, ())

    def test_deadline_ends_a_stream(self) -> None:
        start = time.monotonic()
        with self.assertRaises(RpcError) as caught:
            for _ in self.client.watch_events(0, timeout=0.3):
                pass
        elapsed = time.monotonic() - start
        self.assertEqual(caught.exception.code, StatusCode.DEADLINE_EXCEEDED)
        self.assertTrue(0.25 <= elapsed < 3, elapsed)
        self.client.check(timeout=5)  # the connection survived

    def test_a_passed_deadline_is_not_run(self) -> None:
        name = unique("Never")
        self.assertStatus(StatusCode.DEADLINE_EXCEEDED, self.client.create_team, name, timeout=0)
        self.assertEqual(self.client.search_teams(name).teams, ())

    def test_cancel_before_the_call(self) -> None:
        context = CallContext()
        context.cancel()
        name = unique("Cancelled")
        self.assertStatus(StatusCode.CANCELLED, self.client.create_team, name, context=context)
        self.assertEqual(self.client.search_teams(name).teams, ())
        with self.assertRaises(ValueError):
            self.client.check(context=context)  # a context serves one call

    def test_cancel_a_watch_from_another_thread(self) -> None:
        team = self.client.create_team(unique("Watched"))
        stream = self.client.watch_events(0)
        threading.Timer(0.3, stream.cancel).start()
        start = time.monotonic()
        with self.assertRaises(RpcError) as caught:
            for _ in stream:
                pass
        self.assertEqual(caught.exception.code, StatusCode.CANCELLED)
        self.assertLess(time.monotonic() - start, 3)
        self.assertEqual(list(stream), [])  # iteration stays over
        self.client.get_team(team.id)

    def test_watch_events_stored_then_live(self) -> None:
        first = self.client.create_team(unique("Watch"))
        with self.client.watch_events(1, timeout=10) as stream:
            events = iter(stream)
            self.assertEqual(next(events).sequence, 1)
            self.assertEqual(stream.last_sequence, 1)
            for event in events:
                if event.team_id == first.id:
                    break
            self.assertEqual((event.kind, event.team_name, event.version), (EventKind.TEAM_CREATED, first.name, 1))
            added = self.client.add_player(first.id, "Live", Position.ST)
            live = next(events)
            self.assertEqual((live.kind, live.team_id, live.version), (EventKind.PLAYER_ADDED, first.id, added.version))
            self.assertEqual(live.player, Player("Live", Position.ST))
            self.assertGreater(live.occurred_at_ms, 1_600_000_000_000)

    def test_threads_share_one_connection(self) -> None:
        team = self.client.create_team(unique("Shared"))
        connects = self.client.statistics().connects
        failures: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for i in range(25):
                    if i % 5 == 0:
                        self.client.add_player(team.id, f"P{n}-{i}", Position.DEF)
                    self.assertEqual(self.client.get_team(team.id).id, team.id)
            except BaseException as error:  # reported below
                failures.append(error)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(failures, [])
        self.assertEqual(len(self.client.get_team(team.id).players), 80)
        self.assertEqual(self.client.statistics().connects, connects)


    def test_a_response_above_the_limit_fails_its_connection(self) -> None:
        marker = secrets.token_hex(5)
        for i in range(12):
            self.client.create_team(f"Large {marker} {i} " + "x" * 80)
        with TeamsClient(self.server.address, max_response_bytes=1024) as small:
            self.assertEqual(len(small.search_teams(marker, page_size=5).teams), 5)
            error = self.assertStatus(StatusCode.RESOURCE_EXHAUSTED, small.search_teams, marker)
            self.assertIn("max_response_bytes", error.message)
            self.assertTrue(small.check(timeout=5).serving)  # on a new connection
            self.assertEqual(small.statistics().connects, 2)


class CancelReachesTheServerTest(unittest.TestCase):
    """With one call in flight allowed per connection, a new call succeeds only
    once the server has heard the CANCEL of the previous one."""

    def test_cancelled_watch_frees_its_slot(self) -> None:
        server = ServerProcess("--store", "memory", "--max-calls-per-connection", "1")
        self.addCleanup(server.stop)
        with TeamsClient(server.address, max_attempts=1) as client:
            client.check()
            stream = client.watch_events(0)
            deadline = time.monotonic() + 5
            while True:  # until the watch holds the slot
                try:
                    client.check()
                except RpcError as error:
                    self.assertEqual(error.code, StatusCode.RESOURCE_EXHAUSTED)
                    break
                self.assertLess(time.monotonic(), deadline, "the watch never took the connection's slot")
                time.sleep(0.02)
            stream.cancel()
            while True:
                try:
                    client.check()
                    break
                except RpcError as error:
                    self.assertEqual(error.code, StatusCode.RESOURCE_EXHAUSTED)
                self.assertLess(time.monotonic(), deadline, "the server never heard the CANCEL")
                time.sleep(0.02)
            self.assertEqual(client.statistics().connects, 1)


class ClosedClientTest(unittest.TestCase):
    def test_calls_after_close_fail_unavailable(self) -> None:
        server = ServerProcess("--store", "memory")
        self.addCleanup(server.stop)
        client = TeamsClient(server.address)
        client.check()
        client.close()
        client.close()
        with self.assertRaises(RpcError) as caught:
            client.check()
        self.assertEqual(caught.exception.code, StatusCode.UNAVAILABLE)


if __name__ == "__main__":
    unittest.main()
