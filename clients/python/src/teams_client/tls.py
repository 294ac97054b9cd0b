"""TLS settings for a client: server verification and, for mutual TLS, the client's certificate."""

from __future__ import annotations

import ssl


def tls_context(*, ca_file: str | None = None, cert_file: str | None = None, key_file: str | None = None) -> ssl.SSLContext:
    """An SSLContext for ``TeamsClient(tls=...)``: TLS 1.2 or later, the server's
    certificate checked against ``ca_file`` (PEM; the system's CAs when None)
    and the host name connected to (an IP address is matched against the
    certificate's IP addresses; ``TeamsClient(tls_server_name=...)`` names
    another). With ``cert_file`` (and ``key_file``, unless the key is in
    ``cert_file``) the client presents that certificate, for mutual TLS.
    ALPN is not used, as the protocol wants."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert_file is not None:
        context.load_cert_chain(cert_file, key_file)
    return context
