"""Authentication against a server with a tokens file: roles, a refused token,
and the token sent again on every new connection."""

from __future__ import annotations

import secrets
import tempfile
import time
import unittest
from pathlib import Path

from support import FAST_BACKOFF, ServerProcess, write_tokens

from teams_client import RpcError, StatusCode, TeamsClient


class AuthTest(unittest.TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.writer, self.reader = secrets.token_hex(16), secrets.token_hex(16)
        self.tokens = write_tokens(Path(folder.name), {"writer-1": ("writer", self.writer), "reader-1": ("reader", self.reader)})
        self.server = ServerProcess("--store", "memory", "--auth-tokens", str(self.tokens))
        self.addCleanup(self.server.stop)

    def client(self, token: str | None) -> TeamsClient:
        client = TeamsClient(self.server.address, token=token, default_timeout=5, connection_backoff=FAST_BACKOFF)
        self.addCleanup(client.close)
        return client

    def assertStatus(self, code: StatusCode, call, *args) -> RpcError:
        with self.assertRaises(RpcError) as caught:
            call(*args)
        self.assertEqual(caught.exception.code, code, caught.exception)
        return caught.exception

    def test_roles(self) -> None:
        anonymous = self.client(None)
        self.assertStatus(StatusCode.UNAUTHENTICATED, anonymous.create_team, "Anonymous")
        self.assertTrue(anonymous.check().serving)
        reader = self.client(self.reader)
        error = self.assertStatus(StatusCode.PERMISSION_DENIED, reader.create_team, "Read only")
        self.assertIn("reader-1", error.message)
        self.assertStatus(StatusCode.NOT_FOUND, reader.get_team, "0" * 20)
        writer = self.client(self.writer)
        team = writer.create_team("Written")
        self.assertEqual(reader.get_team(team.id), team)
        self.assertTrue(writer.list_methods())

    def test_an_unknown_token_fails_at_once(self) -> None:
        client = self.client("not-a-known-token")
        start = time.monotonic()
        error = self.assertStatus(StatusCode.UNAUTHENTICATED, client.create_team, "Refused")
        self.assertIn("token", error.message)
        self.assertLess(time.monotonic() - start, 2)
        self.assertEqual(client.statistics().transparent_retries, 0)

    def test_the_token_is_sent_again_after_a_reconnect(self) -> None:
        client = self.client(self.writer)
        client.create_team("Before")
        self.server.restart()
        team = client.create_team("After", timeout=10)
        self.assertEqual(team.name, "After")
        self.assertEqual(client.statistics().connects, 2)


if __name__ == "__main__":
    unittest.main()
