"""TLS and mutual TLS, with certificates made by the openssl CLI."""

from __future__ import annotations

import tempfile
import unittest
from pathlib import Path

from support import ServerProcess, make_certificates

from teams_client import RpcError, StatusCode, TeamsClient, tls_context


class TLSTest(unittest.TestCase):
    folder: Path

    @classmethod
    def setUpClass(cls) -> None:
        cls._tmp = tempfile.TemporaryDirectory()
        cls.folder = Path(cls._tmp.name)
        make_certificates(cls.folder)

    @classmethod
    def tearDownClass(cls) -> None:
        cls._tmp.cleanup()

    def path(self, name: str) -> str:
        return str(self.folder / name)

    def server(self, *flags: str) -> ServerProcess:
        server = ServerProcess("--store", "memory", "--tls-cert", self.path("server.pem"), "--tls-key", self.path("server.key"), *flags)
        self.addCleanup(server.stop)
        return server

    def client(self, endpoint: str, **options) -> TeamsClient:
        """A client whose calls wait at most 2 s for a connection."""
        client = TeamsClient(endpoint, default_timeout=2, max_attempts=1, **options)
        self.addCleanup(client.close)
        return client

    def assertUnavailable(self, client: TeamsClient) -> RpcError:
        with self.assertRaises(RpcError) as caught:
            client.create_team("Refused")
        self.assertEqual(caught.exception.code, StatusCode.UNAVAILABLE, caught.exception)
        return caught.exception

    def test_tls(self) -> None:
        server = self.server()
        trusted = tls_context(ca_file=self.path("ca.pem"))
        client = self.client(server.address, tls=trusted)
        self.assertTrue(client.check().serving)
        self.assertEqual(client.create_team("Over TLS").name, "Over TLS")
        named = self.client(server.address, tls=trusted, tls_server_name="localhost")
        self.assertTrue(named.check().serving)

    def test_the_server_certificate_is_checked(self) -> None:
        server = self.server()
        error = self.assertUnavailable(self.client(server.address, tls=tls_context(ca_file=self.path("other-ca.pem"))))
        self.assertIn("certificate", error.message)
        wrong_name = self.client(server.address, tls=tls_context(ca_file=self.path("ca.pem")), tls_server_name="teams.example")
        self.assertIn("certificate", self.assertUnavailable(wrong_name).message)

    def test_plaintext_client_on_a_tls_port(self) -> None:
        server = self.server()
        self.assertUnavailable(self.client(server.address))

    def test_mutual_tls(self) -> None:
        server = self.server("--tls-client-ca", self.path("ca.pem"))
        with_certificate = tls_context(ca_file=self.path("ca.pem"), cert_file=self.path("client.pem"), key_file=self.path("client.key"))
        client = self.client(server.address, tls=with_certificate)
        self.assertEqual(client.create_team("Mutual").name, "Mutual")  # a verified client is a writer
        self.assertUnavailable(self.client(server.address, tls=tls_context(ca_file=self.path("ca.pem"))))


if __name__ == "__main__":
    unittest.main()
