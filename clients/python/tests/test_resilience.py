"""Servers that go away: a drain while calls run, GOAWAY's last call id,
failing over between endpoints, and a watch that resumes across a restart."""

from __future__ import annotations

import tempfile
import threading
import time
import unittest

from support import FAST_BACKOFF, GoAwayPeer, ServerProcess, free_port

from teams_client import EventKind, Position, RpcError, StatusCode, TeamsClient


class DrainTest(unittest.TestCase):
    def test_no_call_fails_while_a_server_drains(self) -> None:
        first, second = ServerProcess("--store", "memory"), ServerProcess("--store", "memory")
        self.addCleanup(first.stop)
        self.addCleanup(second.stop)
        lock = threading.Lock()
        created: list[tuple[float, str]] = []
        failures: list[RpcError] = []
        stop = threading.Event()
        with TeamsClient([first.address, second.address], connection_backoff=FAST_BACKOFF) as client:
            client.check()

            def loop(worker: int) -> None:
                n = 0
                while not stop.is_set():
                    began = time.monotonic()
                    try:
                        team = client.create_team(f"Drain {worker}-{n}")
                        with lock:
                            created.append((began, team.id))
                    except RpcError as error:
                        with lock:
                            failures.append(error)
                    n += 1

            workers = [threading.Thread(target=loop, args=(i,)) for i in range(8)]
            for worker in workers:
                worker.start()
            try:
                time.sleep(0.8)
                self.assertEqual(first.terminate(), 0)  # returns once the drain is over
                drained_at = time.monotonic()
                time.sleep(0.5)
            finally:
                stop.set()
                for worker in workers:
                    worker.join(20)
            self.assertEqual(failures, [])
            self.assertEqual(client.statistics().connects, 2)
        later = [team_id for began, team_id in created if began > drained_at]
        self.assertTrue(later, "no call started after the drain")
        with TeamsClient(second.address) as only_second:
            for team_id in later:
                only_second.get_team(team_id)
        self.assertEqual(len({team_id for _, team_id in created}), len(created))


class GoAwayTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server = ServerProcess("--store", "memory")
        self.addCleanup(self.server.stop)

    def test_a_call_above_the_last_call_id_is_sent_again_elsewhere(self) -> None:
        peer = GoAwayPeer(accepted=False)
        self.addCleanup(peer.close)
        # One attempt, and no idempotency key: only a call known not to have run is sent again.
        with TeamsClient([peer.address, self.server.address], max_attempts=1, connection_backoff=FAST_BACKOFF) as client:
            team = client.create_team("Not run, then run", timeout=10)
            self.assertEqual(client.get_team(team.id), team)
            self.assertEqual(client.statistics().transparent_retries, 1)
        self.assertEqual(peer.call_ids, [1])

    def test_an_accepted_mutation_lost_with_its_connection_fails(self) -> None:
        peer = GoAwayPeer(accepted=True)
        self.addCleanup(peer.close)
        with TeamsClient([peer.address, self.server.address], max_attempts=1, connection_backoff=FAST_BACKOFF) as client:
            with self.assertRaises(RpcError) as caught:
                client.create_team("Maybe run", timeout=10)
            self.assertEqual(caught.exception.code, StatusCode.UNAVAILABLE)
            self.assertIn("may or may not have run", caught.exception.message)
            self.assertEqual(client.search_teams("Maybe run").teams, ())

    def test_an_accepted_read_lost_with_its_connection_is_retried(self) -> None:
        peer = GoAwayPeer(accepted=True)
        self.addCleanup(peer.close)
        with TeamsClient([peer.address, self.server.address], connection_backoff=FAST_BACKOFF) as client:
            self.assertTrue(client.check(timeout=10).serving)
            self.assertEqual(client.statistics().retries, 1)


class FailoverTest(unittest.TestCase):
    def test_the_first_endpoint_that_answers_is_used(self) -> None:
        server = ServerProcess("--store", "memory")
        self.addCleanup(server.stop)
        with TeamsClient([f"127.0.0.1:{free_port()}", server.address]) as client:
            self.assertTrue(client.check(timeout=5).serving)

    def test_calls_wait_for_a_server_to_come_back(self) -> None:
        server = ServerProcess("--store", "memory")
        self.addCleanup(server.stop)
        with TeamsClient(server.address, connection_backoff=FAST_BACKOFF) as client:
            client.check()
            server.terminate()
            restart = threading.Timer(0.5, server.restart)
            restart.start()
            self.assertTrue(client.check(timeout=10).serving)
            restart.join()


class WatchResumeTest(unittest.TestCase):
    def test_a_watch_resumes_across_a_restart(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        server = ServerProcess("--store", f"sqlite:{folder.name}/teams.sqlite")
        self.addCleanup(server.stop)
        with TeamsClient(server.address, connection_backoff=FAST_BACKOFF) as client:
            team = client.create_team("Watched")
            client.add_player(team.id, "Edwin", Position.GK)
            client.add_player(team.id, "Frenkie", Position.MID)
            with client.watch_events(1, timeout=30) as resuming, client.watch_events(1, timeout=30, resume=False) as plain:
                events = [next(resuming) for _ in range(3)]
                self.assertEqual([next(plain).sequence for _ in range(3)], [1, 2, 3])
                server.restart()
                with self.assertRaises(RpcError) as caught:
                    next(plain)
                self.assertEqual(caught.exception.code, StatusCode.UNAVAILABLE)
                client.add_player(team.id, "Matthijs", Position.DEF, timeout=10)
                client.add_player(team.id, "Daley", Position.DEF, timeout=10)
                events += [next(resuming) for _ in range(2)]
            self.assertEqual([e.sequence for e in events], [1, 2, 3, 4, 5])
            self.assertEqual([e.kind for e in events], [EventKind.TEAM_CREATED] + [EventKind.PLAYER_ADDED] * 4)
            self.assertEqual([e.player.name for e in events[1:]], ["Edwin", "Frenkie", "Matthijs", "Daley"])
            self.assertEqual(client.statistics().connects, 2)


if __name__ == "__main__":
    unittest.main()
