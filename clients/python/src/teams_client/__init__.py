"""A client of TeamService over its binary protocol (docs/PROTOCOL.md), standard library only.

    from teams_client import TeamsClient, Position

    with TeamsClient("127.0.0.1:7070") as client:
        team = client.create_team("Ajax")
        team = client.add_player(team.id, "Edwin", Position.GK)

See :class:`TeamsClient` for what the client does with connections, deadlines and retries.
"""

from .client import MetadataArg, TeamsClient
from .context import CallContext
from .models import ClientStatistics, Event, EventKind, HealthStatus, MethodInfo, Player, Position, SearchPage, Team
from .policy import CONNECTION_BACKOFF, RETRY_BACKOFF, Backoff, Keepalive
from .status import Metadata, RpcError, StatusCode
from .tls import tls_context
from .watch import EventStream

__all__ = [
    "CONNECTION_BACKOFF",
    "RETRY_BACKOFF",
    "Backoff",
    "CallContext",
    "ClientStatistics",
    "Event",
    "EventKind",
    "EventStream",
    "HealthStatus",
    "Keepalive",
    "Metadata",
    "MetadataArg",
    "MethodInfo",
    "Player",
    "Position",
    "RpcError",
    "SearchPage",
    "StatusCode",
    "Team",
    "TeamsClient",
    "tls_context",
]
