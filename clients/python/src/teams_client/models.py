"""The values the client hands back: small frozen dataclasses and enums mirroring
proto/teams/v1/*.proto. An enum value the client does not know (a newer server's)
is kept as a plain int."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Position(enum.IntEnum):
    """``teams.v1.Position``: ``Position.GK`` is ``POSITION_GK`` = 1, and so on."""

    UNSPECIFIED = 0
    GK = 1
    DEF = 2
    MID = 3
    ST = 4


class EventKind(enum.IntEnum):
    """``teams.v1.TeamEvent.Kind``: ``EventKind.TEAM_CREATED`` is ``KIND_TEAM_CREATED`` = 1, and so on."""

    UNSPECIFIED = 0
    TEAM_CREATED = 1
    TEAM_RENAMED = 2
    TEAM_DELETED = 3
    PLAYER_ADDED = 4
    PLAYER_REMOVED = 5


@dataclass(frozen=True)
class Player:
    """A player of a team; names are unique in a team, ignoring case."""

    name: str
    position: Position | int


@dataclass(frozen=True)
class Team:
    """A team as the server stored it; ``version`` is 1 when created, +1 per change."""

    id: str
    name: str
    players: tuple[Player, ...]
    version: int


@dataclass(frozen=True)
class Event:
    """One stored change (``teams.v1.TeamEvent``); sequences increase by 1, without gaps.

    ``team_name`` is set for TEAM_CREATED and TEAM_RENAMED, ``player`` for
    PLAYER_ADDED and PLAYER_REMOVED (None otherwise); ``version`` is the
    team's version after the change.
    """

    sequence: int
    kind: EventKind | int
    team_id: str
    version: int
    team_name: str
    player: Player | None
    occurred_at_ms: int


@dataclass(frozen=True)
class SearchPage:
    """One page of a search; pass ``next_page_token`` back for the next, empty on the last page."""

    teams: tuple[Team, ...]
    next_page_token: str


@dataclass(frozen=True)
class HealthStatus:
    """Health/Check: whether the server serves, and its kind of store ("memory", "sqlite", "dynamodb")."""

    serving: bool
    store: str


@dataclass(frozen=True)
class MethodInfo:
    """One method the server implements, by full name (``/teams.v1.TeamService/GetTeam``)."""

    name: str
    server_streaming: bool


@dataclass
class ClientStatistics:
    """What a client has done to keep its calls going, since it was made
    (``TeamsClient.statistics()`` hands out a copy)."""

    connects: int = 0
    """Connections established, the first included."""
    transparent_retries: int = 0
    """Calls sent again because they never ran (unsent, or above a GOAWAY's last call id)."""
    retries: int = 0
    """Calls sent again after UNAVAILABLE because they are safe to run twice."""
    pings_sent: int = 0
    """Keepalive PINGs."""
    keepalive_timeouts: int = 0
    """Connections dropped because no PONG came."""
