"""Keepalive: PINGs on an idle connection, and a dead peer detected and left."""

from __future__ import annotations

import unittest

from support import FAST_BACKOFF, ServerProcess, wait_until

from teams_client import Keepalive, TeamsClient


class KeepaliveTest(unittest.TestCase):
    def setUp(self) -> None:
        # The server's minimum ping interval is off, so that the test may ping fast.
        self.server = ServerProcess("--store", "memory", "--min-ping-interval", "0")
        self.addCleanup(self.server.stop)

    def client(self, keepalive: Keepalive) -> TeamsClient:
        client = TeamsClient(self.server.address, keepalive=keepalive, connection_backoff=FAST_BACKOFF)
        self.addCleanup(client.close)
        return client

    def test_an_idle_connection_is_pinged_and_stays(self) -> None:
        client = self.client(Keepalive(interval=0.2, timeout=1.0))
        client.check()
        wait_until(lambda: client.statistics().pings_sent >= 3, 5, "three PINGs")
        client.check()
        stats = client.statistics()
        self.assertEqual((stats.connects, stats.keepalive_timeouts), (1, 0))

    def test_a_peer_that_answers_nothing_is_dropped(self) -> None:
        client = self.client(Keepalive(interval=0.2, timeout=0.4))
        client.check()
        self.server.pause()
        try:
            wait_until(lambda: client.statistics().keepalive_timeouts >= 1, 5, "a PING without PONG")
        finally:
            self.server.resume()
        self.assertTrue(client.check(timeout=5).serving)
        self.assertGreaterEqual(client.statistics().connects, 2)


if __name__ == "__main__":
    unittest.main()
